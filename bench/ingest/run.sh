#!/bin/bash
# run.sh — ingest benchmark: campusmon-collector, VictoriaMetrics and a plain
# rrdcached loop, loaded side by side in one run with the same series and
# samples, plus the line-protocol parser micro-benchmark. See README.md.
#
# Run as root from anywhere:  bench/ingest/run.sh
# Knobs (environment):
#   HOSTS=2000 FIELDS=10     series = HOSTS x FIELDS (mind the disk: ~410 KB each)
#   ROUNDS=1200              timed rounds (one sample per series each, 10 s apart)
#   CONNS=4 PER_BODY=100     loader connections; hosts per request
#   MAX_SECONDS=120          stop sending after this long in each phase
#   BUILD=...                build folder (default ../../build-bench if built, else ../../build)
#   PROFILE=1                perf record -g the collector for 30 s of its timed phase
#   RESULTS=FILE             where the output is also written (default results.txt
#                            next to this script; RESULTS=- writes none)
#   PHASES="collector vm rrdcached"
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
HOSTS=${HOSTS:-2000}
FIELDS=${FIELDS:-10}
ROUNDS=${ROUNDS:-1200}
CONNS=${CONNS:-4}
PER_BODY=${PER_BODY:-100}
MAX_SECONDS=${MAX_SECONDS:-120}
PROFILE=${PROFILE:-0}
PHASES=${PHASES:-"collector vm rrdcached"}
RESULTS=${RESULTS:-$HERE/results.txt}
if [ -z "${BUILD:-}" ]; then
	BUILD=$REPO/build
	[ -x "$REPO/build-bench/collector/campusmon-collector" ] && BUILD=$REPO/build-bench
fi
PY=/usr/bin/python3
TOKEN=bench-$$-$RANDOM
SERIES=$((HOSTS * FIELDS))
COLLECTOR=$BUILD/collector/campusmon-collector
PARSER=$BUILD/bench/parser/bench_lineproto

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: run as root (apt-get; the collector drops to its user)" >&2
	exit 1
fi
for f in "$COLLECTOR" "$PARSER"; do
	if [ ! -x "$f" ]; then
		echo "run.sh: $f is missing; build it: cd $BUILD && make -j2" >&2
		exit 1
	fi
done
if [ "$RESULTS" != - ]; then
	exec > >(tee "$RESULTS") 2>&1
fi

# ---- peers (bench-only packages, not in scripts/install-deps.sh) ----------
missing=
for p in victoria-metrics rrdtool rrdcached python3; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # $missing is a list of words
	apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null; }
	# The package starts its own service where systemd runs: it would share the CPU.
	case $missing in *victoria-metrics*)
		if command -v systemctl >/dev/null && systemctl is-active --quiet victoria-metrics; then
			systemctl stop victoria-metrics
			systemctl disable --quiet victoria-metrics
			echo "stopped and disabled the victoria-metrics service the package started"
		fi;;
	esac
fi

# ---- work folder, cleanup ---------------------------------------------------
# Under /var/tmp with mode 755: the collector (dropped to its user) must reach it.
WORK=$(mktemp -d /var/tmp/campusmon-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=
cleanup() {
	for pid in $PIDS; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# seconds since T (a $EPOCHREALTIME)
since() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'
}

# stop PID: SIGTERM, wait, print seconds taken
stop() {
	local t0=$EPOCHREALTIME
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	PIDS=$(echo " $PIDS " | sed "s/ $1 / /")
	echo "stopped pid $1 in $(since "$t0") s"
}

# ---- machine ---------------------------------------------------------------
NEED_KB=$((SERIES * 410 * 115 / 100 + 2 * 1024 * 1024))
AVAIL_KB=$(df -Pk /var/tmp | awk 'NR == 2 { print $4 }')
echo "== ingest benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), \
$(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, \
$(uname -sr), /var/tmp on $(df -PT /var/tmp | awk 'NR == 2 { print $2 }') \
($(( AVAIL_KB / 1048576 )) GiB free)"
echo "collector: $COLLECTOR (built $(date -u -r "$COLLECTOR" '+%Y-%m-%d %H:%M UTC'), tree \
$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo '?'), CFLAGS: $(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile"))"
echo "peers: $(dpkg-query -W -f='${Package} ${Version}, ' victoria-metrics rrdtool rrdcached librrd8 python3 | sed 's/, $//')"
echo "load: $SERIES series ($HOSTS hosts x $FIELDS fields), $ROUNDS timed rounds, $CONNS connections, \
$((PER_BODY * FIELDS)) samples per request, at most ${MAX_SECONDS}s of sending per phase"
if [ "$AVAIL_KB" -lt "$NEED_KB" ]; then
	echo "run.sh: /var/tmp has $((AVAIL_KB / 1024)) MiB free, the run needs about $((NEED_KB / 1024)) MiB;" \
	    "lower HOSTS" >&2
	exit 1
fi
T0=$(( ($(date +%s) - 6 * 3600) / 10 * 10 ))
LOAD="$PY $HERE/load.py --hosts $HOSTS --fields $FIELDS --rounds $ROUNDS --conns $CONNS \
--per-body $PER_BODY --t0 $T0 --max-seconds $MAX_SECONDS --store-timeout 200 --after-round0 sync"

sync	# start every phase with no dirty pages of earlier work

# ---- parser micro-benchmark ---------------------------------------------------
echo
echo "== parser micro-benchmark ($PARSER)"
"$PARSER" -t 2 | tee "$WORK/parser-mixed.txt"
"$PARSER" -c -t 2 | tee "$WORK/parser-cpu.txt"

# ---- campusmon-collector --------------------------------------------------------
phase_collector() {
	local d=$WORK/collector port pid
	mkdir -p "$d"
	chmod 755 "$d"
	printf 'storage:\n  flush_delay: 5s\n' >"$d/collector.yaml"
	CAMPUSMON_BOOTSTRAP_TOKEN=$TOKEN "$COLLECTOR" --listen 127.0.0.1:0 \
	    --data-dir "$d/data" -c "$d/collector.yaml" >"$d/log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	for _ in $(seq 100); do
		grep -q ' ready' "$d/log" && break
		kill -0 $pid 2>/dev/null || { cat "$d/log"; return 1; }
		sleep 0.1
	done
	port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$d/log" | head -1)
	sleep 1	# settle before reading the empty collector's memory
	local side=
	if [ "$PROFILE" = 1 ]; then
		side="perf record -F 499 -g -p $pid -o $WORK/perf.data -- sleep 30"
	fi
	echo
	echo "== campusmon-collector (pid $pid, port $port, storage.flush_delay 5s)"
	$LOAD --pid "$pid" ${side:+--on-timed "$side"} \
	    collector "http://127.0.0.1:$port/api/v1/write?precision=s" "$TOKEN" \
	    | tee "$WORK/collector.json"
	grep -E '^campusmon_(samples|rrd|journal|write|series|cpu)' <(curl -s \
	    -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/metrics") || true
	grep -iE 'warn|error' "$d/log" | head -5 || true
	stop $pid
	if [ "$PROFILE" = 1 ] && [ -s "$WORK/perf.data" ]; then
		echo "-- perf, 30 s of the timed phase: CPU by thread"
		perf report -i "$WORK/perf.data" --no-children -g none --sort pid --stdio \
		    2>/dev/null | grep -E '^ +[0-9]' | head -8
		echo "-- perf: self time by symbol"
		perf report -i "$WORK/perf.data" --no-children -g none --sort dso,symbol \
		    --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -40
		echo "-- perf: time including callees (children)"
		perf report -i "$WORK/perf.data" --children -g none --sort dso,symbol \
		    --stdio 2>/dev/null | grep -E '^ +[0-9]' | grep -v '\] 0x0' | head -40
	fi
	rm -rf "$d/data"
	sync
}

# ---- VictoriaMetrics ----------------------------------------------------------
phase_vm() {
	local d=$WORK/vm port pid
	mkdir -p "$d"
	port=$(free_port)
	victoria-metrics -storageDataPath "$d/data" -httpListenAddr "127.0.0.1:$port" \
	    -loggerLevel WARN >"$d/log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	for _ in $(seq 100); do
		[ "$(curl -s "http://127.0.0.1:$port/health")" = OK ] && break
		sleep 0.1
	done
	echo
	echo "== VictoriaMetrics $(dpkg-query -W -f='${Version}' victoria-metrics) (pid $pid, port $port)"
	$LOAD --pid "$pid" vm "http://127.0.0.1:$port/write?precision=s" | tee "$WORK/vm.json"
	curl -s "http://127.0.0.1:$port/metrics" | grep -E \
	    '^vm_rows_(added_to_storage|inserted)_total(\{type="influx"\})? |^vm_rows_invalid_total\{type="influx"\}' || true
	stop $pid
	rm -rf "$d/data"
	sync
}

# ---- rrdcached loop -------------------------------------------------------------
phase_rrdcached() {
	local d=$WORK/rrdcached pid t0
	mkdir -p "$d/rrd" "$d/journal"
	for i in $(seq 0 255); do mkdir "$d/rrd/$(printf %02x "$i")"; done
	# The collector's files: one per host line with a data source per field,
	# step 10, DS and RRAs as its default retention makes them.
	awk -v n="$HOSTS" -v f="$FIELDS" -v start=$((T0 - 10)) 'BEGIN { for (i = 0; i < n; i++) {
	    ds = ""; for (k = 0; k < f; k++) ds = ds sprintf("DS:f%d:GAUGE:120:U:U ", k)
	    printf "create %02x/%d.rrd --step 10 --start %d %s" \
	    "RRA:AVERAGE:0.5:1:8640 RRA:AVERAGE:0.5:30:8640 RRA:MAX:0.5:30:8640 " \
	    "RRA:AVERAGE:0.5:360:8760 RRA:MAX:0.5:360:8760 RRA:AVERAGE:0.5:8640:3650 " \
	    "RRA:MAX:0.5:8640:3650\n", i % 256, i, start, ds } }' >"$d/create.txt"
	echo
	echo "== rrdcached loop"
	t0=$EPOCHREALTIME
	(cd "$d/rrd" && rrdtool - <"$d/create.txt" >"$d/create.out")
	echo "rrdtool create of $HOSTS files ($FIELDS data sources each): $(since "$t0") s," \
	    "$(grep -vc '^OK' "$d/create.out" || true) errors, $(du -sh "$d/rrd" | cut -f1)"
	sync
	# -w 5: each file written when its oldest value is 5 s old (the collector's flush_delay)
	rrdcached -g -l "unix:$d/sock" -j "$d/journal" -b "$d/rrd" -B -w 5 -f 10 \
	    -p "$d/rrdcached.pid" >"$d/log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	for _ in $(seq 100); do
		[ -S "$d/sock" ] && break
		sleep 0.1
	done
	echo "rrdcached (pid $pid): -w 5 -f 10, $(grep -c ^processor /proc/cpuinfo) CPUs, default 4 write threads, -j journal"
	$LOAD --pid "$pid" rrdcached "$d/sock" | tee "$WORK/rrdcached.json"
	stop $pid
	rm -rf "$d/rrd" "$d/journal"
	sync
}

for ph in $PHASES; do
	"phase_$ph"
done

echo
echo "== summary"
$PY "$HERE/summary.py" "$WORK"
