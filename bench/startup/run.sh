#!/bin/bash
# run.sh — startup benchmark: make N series in a fresh data folder, stop the
# collector cleanly, then time restarts: until the HTTP listener answers,
# until /api/v1/health says "ok" (catalogue loaded), and the collector's own
# "catalogue: N series loaded in S s" line. See README.md.
#
# Run as root from anywhere:  bench/startup/run.sh
# Knobs (environment):
#   SERIES=300000 FIELDS=10   series made (FIELDS per host line, one RRD file each)
#   RESTARTS=3                timed restarts
#   BUILD=...                 build folder (default ../../build)
#   DATA=DIR                  keep the data folder there (reused if it holds SERIES)
#   PROFILE=1                 perf record -g the first timed restart
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SERIES=${SERIES:-300000}
FIELDS=${FIELDS:-10}
RESTARTS=${RESTARTS:-3}
BUILD=${BUILD:-$REPO/build}
PROFILE=${PROFILE:-0}
COLLECTOR=$BUILD/collector/campusmon-collector
PY=/usr/bin/python3
TOKEN=bench-$$-$RANDOM
WORK=$(mktemp -d /tmp/cm-bench-startup-XXXXXX)
chmod 755 "$WORK"
DATA=${DATA:-$WORK/data}
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
PID=

[ -x "$COLLECTOR" ] || { echo "run.sh: build $COLLECTOR first" >&2; exit 1; }
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# Small RRD files: this measures the catalogue, not the disk.
cat >"$WORK/collector.yaml" <<YAML
storage:
  retention: [raw:10m]
  consolidation: [AVERAGE]
  flush_delay: 5s
  queue_max: 5000000
ingest:
  max_series_per_host: 10000000
  max_lines: 10000000
  max_body: 512MiB
YAML

start() {
	CAMPUSMON_BOOTSTRAP_TOKEN=$TOKEN "$COLLECTOR" -c "$WORK/collector.yaml" \
	    --listen "127.0.0.1:$PORT" --data-dir "$DATA" >>"$WORK/log" 2>&1 &
	PID=$!
}
stop() {
	kill "$PID"
	wait "$PID" || true
	PID=
}

if [ ! -f "$DATA/state.db" ]; then
	echo "making $SERIES series ($FIELDS fields a host line) in $DATA"
	start
	$PY - "$URL" "$TOKEN" "$SERIES" "$FIELDS" <<'PY'
import sys, time, urllib.request
url, token, n, fields = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for _ in range(600):
    try:
        urllib.request.urlopen(url + "/api/v1/health", timeout=1); break
    except Exception:
        time.sleep(0.1)
hosts = (n + fields - 1) // fields
now = int(time.time()) - 60
t0 = time.time()
for r in range(2):           # two rows: a new file is made at its second row
    for first in range(0, hosts, 20000):
        body = "\n".join("boot,host=h%07d %s %d" % (h, ",".join("f%d=%d" % (f, h + f + r)
                         for f in range(fields)), now + 10 * r)
                         for h in range(first, min(hosts, first + 20000)))
        req = urllib.request.Request(url + "/api/v1/write?precision=s&interval=10",
                                     data=body.encode(), method="POST",
                                     headers={"Authorization": "Bearer " + token})
        while True:
            try:
                urllib.request.urlopen(req, timeout=600); break
            except urllib.error.HTTPError as e:
                if e.code != 503: raise
                time.sleep(1)
print("  %d series written in %.1f s" % (hosts * fields, time.time() - t0))
PY
	stop
	echo "  stopped; data: $(du -sh "$DATA" | cut -f1)"
fi

echo "timed restarts (collector $("$COLLECTOR" --version | cut -d' ' -f2), $(nproc) cores)"
for i in $(seq 1 "$RESTARTS"); do
	sync
	: >"$WORK/log"
	t0=$(date +%s.%N)
	start
	if [ "$PROFILE" = 1 ] && [ "$i" = 1 ]; then
		perf record -g -o "$WORK/perf.data" -p "$PID" 2>/dev/null &
		PERF=$!
	fi
	$PY - "$URL" "$t0" "$PID" <<'PY'
import json, os, sys, time, urllib.request
url, t0, pid = sys.argv[1], float(sys.argv[2]), sys.argv[3]
listening = None
while True:
    try:
        r = json.load(urllib.request.urlopen(url + "/api/v1/health", timeout=30))
    except urllib.error.HTTPError as e:     # 503 "starting"
        r = json.load(e)
    except Exception:
        r = None
    if r is not None and listening is None:
        listening = time.time() - t0
    if r is not None and r.get("status") == "ok":
        break
    time.sleep(0.02)
ok = time.time() - t0
with open("/proc/%s/stat" % pid) as f:          # CPU used so far (others share the cores)
    st = f.read().rsplit(")", 1)[1].split()
cpu = (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")
print("  health answers after %.2f s, says ok after %.2f s (%d series; %.2f s of CPU)" %
      (listening, ok, r["series"], cpu))
PY
	grep -o "catalogue: .*" "$WORK/log" | sed 's/^/  /'
	if [ "$PROFILE" = 1 ] && [ "$i" = 1 ]; then
		kill -INT "$PERF"; wait "$PERF" || true
		perf report -i "$WORK/perf.data" --no-children --percent-limit 2 --stdio 2>/dev/null |
		    grep -v '^$' | head -60
	fi
	stop
done
