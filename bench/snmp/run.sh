#!/bin/bash
# run.sh — SNMP polling benchmark: campusmon-collector's poller against
# collectd's snmp plugin (no writer, and rrdtool), Prometheus' snmp_exporter
# and a snmpbulkwalk loop, polling the same snmpd instances side by side in
# one run. See README.md for the method and the results.
#
# Run as root from anywhere:  bench/snmp/run.sh
# It creates network namespaces cmbenchN (veth 10.214.N.0/30 to the root
# namespace, a few hundred interfaces inside) each with its own snmpd, and
# removes everything it made when it ends (trap). Traffic stays on those veths.
#
# Knobs (environment):
#   NS=4 IFACES=250            snmpd instances and interfaces added to each
#                              (ifTable rows = IFACES + lo + the veth)
#   INTERVAL=10                poll interval of every poller (s)
#   WARMUP=20 MEASURE=60       seconds before measuring; measured seconds per phase
#   SCALE_NS=4 SCALE_IFACES=48 SCALE_DEVICES=200 SCALE_INTERVAL=6 SCALE_MEASURE=60
#                              the scale phase: SCALE_DEVICES devices of
#                              SCALE_IFACES+2 interfaces (spread over SCALE_NS
#                              snmpd); 200 at 6 s is the poll rate of 2,000 at 60 s
#   BULK=50                    max-repetitions of every GETBULK poller
#   PROFILE=0 PROFILE_SECONDS=30  1: perf record the collector after its
#                              measured windows (never inside them), and report
#                              self and inclusive time by function
#   BUILD=...                  build folder (default ../../build-bench-snmp if
#                              built, else ../../build)
#   RESULTS=FILE               copy of the output (default results.txt next to
#                              this script; RESULTS=- writes none)
#   SCALE_RETENTION="raw:1h, 5m:1d, 1h:7d, 1d:30d"
#                              storage.retention of the scale_rrd phase: the
#                              collector's default RRAs (so the same work per
#                              update) with shorter spans; at full spans 10,000
#                              files of a 6 s step take 31 GB. "" = the default
#   PHASES="campusmon campusmon_rrd campusmon_rrd_10s scale scale_rrd collectd collectd_rrd
#           collectd_rrd_default exporter bulkwalk"
#                              (campusmon_rrd_Ns: RRD with storage.flush_delay N s;
#                              MEASURE must be a multiple of N)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
NS=${NS:-4}
IFACES=${IFACES:-250}
INTERVAL=${INTERVAL:-10}
WARMUP=${WARMUP:-20}
MEASURE=${MEASURE:-60}
SCALE_NS=${SCALE_NS:-4}
SCALE_IFACES=${SCALE_IFACES:-48}
SCALE_DEVICES=${SCALE_DEVICES:-200}
SCALE_INTERVAL=${SCALE_INTERVAL:-6}
SCALE_MEASURE=${SCALE_MEASURE:-60}
SCALE_RETENTION=${SCALE_RETENTION-"raw:1h, 5m:1d, 1h:7d, 1d:30d"}
BULK=${BULK:-50}
PROFILE=${PROFILE:-0}
PROFILE_SECONDS=${PROFILE_SECONDS:-30}
PHASES=${PHASES:-"campusmon campusmon_rrd campusmon_rrd_10s scale scale_rrd collectd collectd_rrd collectd_rrd_default exporter bulkwalk"}
RESULTS=${RESULTS:-$HERE/results.txt}
if [ -z "${BUILD:-}" ]; then
	BUILD=$REPO/build
	[ -x "$REPO/build-bench-snmp/collector/campusmon-collector" ] && BUILD=$REPO/build-bench-snmp
fi
COLLECTOR=$BUILD/collector/campusmon-collector
PY=/usr/bin/python3
TOKEN=bench-$$-$RANDOM
COMMUNITY=bench			# sees system, interfaces and ifMIB only
STATCOMM=benchstat		# sees everything: the script reads snmpd's own counters
HZ=$(getconf CLK_TCK)
ROWS=$((IFACES + 2))
SCALE_ROWS=$((SCALE_IFACES + 2))

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: run as root (namespaces, apt-get; the collector drops to its user)" >&2
	exit 1
fi
if [ ! -x "$COLLECTOR" ]; then
	echo "run.sh: $COLLECTOR is missing; build it: cd $BUILD && make -j2" >&2
	exit 1
fi
if [ $((MEASURE % INTERVAL)) != 0 ] || [ $((SCALE_MEASURE % SCALE_INTERVAL)) != 0 ]; then
	echo "run.sh: MEASURE must be a multiple of INTERVAL (and SCALE_MEASURE of SCALE_INTERVAL)" >&2
	exit 1
fi
if [ $((NS + SCALE_NS)) -gt 200 ]; then
	echo "run.sh: at most 200 namespaces" >&2
	exit 1
fi
for n in $(seq 1 $((NS + SCALE_NS))); do
	if ip netns list | grep -qw "cmbench$n"; then
		echo "run.sh: namespace cmbench$n exists (another run, or a killed one:" \
		    "ip netns del cmbench$n; ip link del cmb$n)" >&2
		exit 1
	fi
done
if [ "$RESULTS" != - ]; then
	exec > >(tee "$RESULTS") 2>&1
fi

# ---- peers (bench-only packages, not in scripts/install-deps.sh) ----------
# collectd-core is Debian's collectd without the default configuration and
# the recommended libraries of every other plugin (snmp and rrdtool plugins
# need libsnmp40 and librrd8, which snmpd and rrdtool bring).
PKGS="snmp snmpd collectd-core prometheus-snmp-exporter rrdtool curl time"
[ "$PROFILE" = 1 ] && PKGS="$PKGS linux-perf"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null; }
	# The packages start their services where an init system runs: they
	# would share the CPU (and snmpd would answer on 161).
	for svc in collectd prometheus-snmp-exporter snmpd; do
		case $missing in *"$svc"*) ;; *) continue;; esac
		if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
			systemctl stop "$svc"
			systemctl disable --quiet "$svc" 2>/dev/null || true
			echo "stopped and disabled the $svc service the package started"
		fi
	done
fi

# ---- work folder, cleanup ---------------------------------------------------
# Under /var/tmp with mode 755: the collector (dropped to its user) must reach it.
WORK=$(mktemp -d /var/tmp/campusmon-snmpbench.XXXXXX)
chmod 755 "$WORK"
PIDS=
NSMADE=
cleanup() {
	local pid
	for pid in $PIDS; do
		kill -TERM "$pid" 2>/dev/null || continue
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for n in $NSMADE; do
		ip link del "cmb$n" 2>/dev/null || true
		ip netns del "cmbench$n" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget() {	# forget() PID — it was stopped by the phase
	PIDS=$(echo " $PIDS " | sed "s/ $1 / /")
}

free_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# CPU ticks (user + system, all threads) of PID; with "children", also of
# the children it has waited for.
ticks() {
	sed 's/.*) //' "/proc/$1/stat" | awk -v c="${2:-}" '{ t = $12 + $13; if (c != "") t += $14 + $15; print t }'
}

# ---- targets: namespaces with many interfaces, one snmpd each ---------------
addr_of() { echo "10.214.$1.2"; }

make_target() {	# make_target N INTERFACES
	local n=$1 count=$2 ns=cmbench$1 kind d=$WORK/snmpd$1
	ip netns add "$ns"
	NSMADE="$NSMADE $n"
	ip link add "cmb$n" type veth peer name "cmb${n}p"
	ip link set "cmb${n}p" netns "$ns"
	ip addr add "10.214.$n.1/30" dev "cmb$n"
	ip link set "cmb$n" up
	ip -n "$ns" addr add "10.214.$n.2/30" dev "cmb${n}p"
	ip -n "$ns" link set "cmb${n}p" up
	ip -n "$ns" link set lo up
	# dummy interfaces where the kernel has them, else ifb (also a lone netdev)
	kind=dummy
	ip -n "$ns" link add cmbprobe type dummy 2>/dev/null || kind=ifb
	ip -n "$ns" link del cmbprobe 2>/dev/null || true
	for i in $(seq 1 "$count"); do
		echo "link add if$i type $kind"
		echo "link set if$i up"
	done | ip -n "$ns" -batch -
	mkdir -p "$d"
	cat >"$d/snmpd.conf" <<-EOF
	agentAddress udp:10.214.$n.2:161
	view benchv included .1.3.6.1.2.1.1
	view benchv included .1.3.6.1.2.1.2
	view benchv included .1.3.6.1.2.1.31
	rocommunity $COMMUNITY 10.214.$n.1 -V benchv
	rocommunity $STATCOMM 10.214.$n.1
	sysName bench-target-$n
	EOF
	MIBS='' ip netns exec "$ns" snmpd -f -Lf "$d/log" -C -c "$d/snmpd.conf" -I -smux \
	    -p "$d/pid" -u nobody >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	echo "$!" >"$d/ppid"
	TARGET_KIND=$kind
}

wait_target() {
	local n=$1
	for _ in $(seq 100); do
		snmpget -v2c -c "$COMMUNITY" -t 0.3 -r 0 "$(addr_of "$n")" 1.3.6.1.2.1.1.5.0 \
		    >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "run.sh: snmpd in cmbench$n does not answer" >&2
	cat "$WORK/snmpd$n/log" >&2
	return 1
}

BIG=$(seq 1 "$NS")
SMALL=$(seq $((NS + 1)) $((NS + SCALE_NS)))
case " $PHASES " in *" scale "* | *" scale_rrd "*) ;; *) SMALL=;; esac

# snmpd's own counters over every target in $TARGETS: request packets
# (snmpInPkts) and varbinds it answered (snmpInTotalReqVars, GETBULK
# included), then each instance's CPU ticks.
snmpd_snap() {
	local pk=0 vb=0 n out tk=
	for n in $TARGETS; do
		out=$(snmpget -v2c -c "$STATCOMM" -Oqv -t 1 -r 2 "$(addr_of "$n")" \
		    1.3.6.1.2.1.11.1.0 1.3.6.1.2.1.11.13.0)
		pk=$((pk + $(echo "$out" | sed -n 1p)))
		vb=$((vb + $(echo "$out" | sed -n 2p)))
		tk="$tk $(ticks "$(cat "$WORK/snmpd$n/ppid")")"
	done
	echo "$pk $vb$tk"
}

# Window bookkeeping: win_begin, then win_end PHASE CPU_TICKS_DELTA ... writes
# PHASE.res (key=value) with wall, request packets, varbinds and the
# busiest snmpd's share of a core. The counter reads themselves (one GET of
# two varbinds per target at the end) are subtracted.
win_begin() {
	W_T0=$EPOCHREALTIME
	W_S0=$(snmpd_snap)
}
win_end() {	# win_end PHASE
	local t1=$EPOCHREALTIME s1 ntg
	s1=$(snmpd_snap)
	ntg=$(echo $TARGETS | wc -w)
	awk -v a="$W_S0" -v b="$s1" -v t0="$W_T0" -v t1="$t1" -v hz="$HZ" -v n="$ntg" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		wall = t1 - t0
		printf "wall=%.3f\nrequests=%d\nvarbinds=%d\n", wall, y[1] - x[1] - n, y[2] - x[2] - 2 * n
		m = 0; s = 0
		for (i = 3; i in y; i++) { d = (y[i] - x[i]) / hz; s += d; if (d > m) m = d }
		printf "snmpd_cpu=%.2f\nsnmpd_max_core=%.3f\n", s, m / wall
	}' >"$WORK/$1.res"
}
res() {	# res PHASE KEY VALUE
	echo "$2=$3" >>"$WORK/$1.res"
}

# ---- campusmon-collector ------------------------------------------------------
C_PID='' C_URL=''
collector_start() {	# collector_start DIR CONFIG-TEXT
	local d=$1
	mkdir -p "$d"
	chmod 755 "$d"
	printf '%s' "$2" >"$d/collector.yaml"
	CAMPUSMON_BOOTSTRAP_TOKEN=$TOKEN "$COLLECTOR" --listen 127.0.0.1:0 \
	    --data-dir "$d/data" -c "$d/collector.yaml" >"$d/log" 2>&1 &
	C_PID=$!
	PIDS="$PIDS $C_PID"
	for _ in $(seq 100); do
		grep -q ' ready' "$d/log" && break
		kill -0 "$C_PID" 2>/dev/null || { cat "$d/log"; return 1; }
		sleep 0.1
	done
	C_URL=http://127.0.0.1:$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$d/log" | head -1)
}
collector_add() {	# collector_add NAME ADDRESS INTERVAL
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
	    -H 'Content-Type: application/json' \
	    -d "{\"name\":\"$1\",\"address\":\"$2\",\"interval\":$3,\"snmp\":{\"version\":\"2c\",\"community\":\"$COMMUNITY\"}}" \
	    "$C_URL/api/v1/devices")
	[ "$code" = 201 ] || { echo "run.sh: adding device $1 answered $code" >&2; return 1; }
}
metric() {	# metric NAME — from the collector's /metrics
	curl -s -H "Authorization: Bearer $TOKEN" "$C_URL/metrics" |
	    awk -v m="$1" '$1 == m { printf "%.6f\n", $2; f = 1 } END { if (!f) print 0 }'
}
# CPU seconds per thread (schedstat, ns): loop (the main thread), store
# (created first), journal.
thread_cpu() {
	local t out=
	for t in $(ls "/proc/$C_PID/task" | sort -n); do
		out="$out $(cut -d' ' -f1 "/proc/$C_PID/task/$t/schedstat")"
	done
	echo "$out"
}
# One /metrics read: getrusage CPU (all threads, µs), SNMP and RRD counters;
# then /proc ticks of the process, then per-thread CPU.
collector_snap() {
	local m
	m=$(curl -s -H "Authorization: Bearer $TOKEN" "$C_URL/metrics")
	echo "$(echo "$m" | awk 'BEGIN { split("campusmon_cpu_seconds_total campusmon_snmp_values_total " \
	    "campusmon_snmp_requests_total campusmon_snmp_polls_total campusmon_snmp_polls_failed_total " \
	    "campusmon_snmp_timeouts_total campusmon_rrd_values_written_total " \
	    "campusmon_rrd_update_seconds_total campusmon_rrd_updates_total", k, " ") }
	    { v[$1] = $2 } END { for (i = 1; i in k; i++) printf "%.6f ", v[k[i]] + 0 }') \
$(ticks "$C_PID")|$(thread_cpu)"
}
# The store thread writes RRD files in bursts (all pending values every
# storage.flush_delay): wait_flush_end returns when the next burst is over —
# the thread used more than 5 % of a core for a while, then 0.5 s nothing.
store_ns() {
	cut -d' ' -f1 "/proc/$C_PID/task/$(ls "/proc/$C_PID/task" | sort -n | sed -n 2p)/schedstat"
}
wait_flush_end() {	# wait_flush_end MAX_SECONDS
	local prev cur busy=0 idle=0 i
	prev=$(store_ns)
	for i in $(seq $(($1 * 10))); do
		sleep 0.1
		cur=$(store_ns)
		if [ $((cur - prev)) -gt 5000000 ]; then
			busy=1 idle=0
		elif [ "$busy" = 1 ]; then
			idle=$((idle + 1))
			[ "$idle" -ge 5 ] && return 0
		fi
		prev=$cur
	done
	echo "run.sh: no RRD flush seen in $1 s" >&2
	return 1
}
# collector_window PHASE SECONDS [FLUSH]: measure SECONDS; with FLUSH, from
# the end of one flush to the end of the SECONDS/FLUSH-th next one, so the
# window holds whole flushes and the values polled in the same time.
collector_window() {
	local a b i
	[ -n "${3:-}" ] && wait_flush_end $(($3 * 3))
	a=$(collector_snap)
	win_begin
	if [ -n "${3:-}" ]; then
		for i in $(seq $(($2 / $3))); do wait_flush_end $(($3 * 3)); done
	else
		sleep "$2"
	fi
	b=$(collector_snap)
	win_end "$1"
	awk -v a="$a" -v b="$b" -v hz="$HZ" 'BEGIN {
		split(a, ap, "|"); split(b, bp, "|"); split(ap[1], x, " "); split(bp[1], y, " ")
		printf "cpu=%.3f\nvalues=%d\nown_requests=%d\npolls=%d\n" \
		    "failed=%d\ntimeouts=%d\nrrd_written=%d\nrrd_update_s=%.3f\nrrd_calls=%d\n" \
		    "proc_ticks_cpu=%.2f\n",
		    y[1] - x[1], y[2] - x[2], y[3] - x[3], y[4] - x[4], y[5] - x[5],
		    y[6] - x[6], y[7] - x[7], y[8] - x[8], y[9] - x[9], (y[10] - x[10]) / hz
		split(ap[2], ta, " "); split(bp[2], tb, " ")
		split("loop store journal", nm, " ")
		for (i = 1; i in tb; i++)
			printf "thread_%s=%.3f\n", (i in nm) ? nm[i] : "t" i, (tb[i] - ta[i]) / 1e9
	}' >>"$WORK/$1.res"
}
# The RRD files of a data folder, and its size.
res_rrd_files() {	# res_rrd_files PHASE DIR
	res "$1" rrd_files "$(find "$2" -name '*.rrd' | wc -l)"
	res "$1" disk "$(du -sm "$2" | cut -f1)"
}
collector_kill() {
	# SIGKILL: a clean stop would first write every pending value to new
	# RRD files, and this data folder is thrown away anyway.
	kill -KILL "$C_PID" 2>/dev/null || true
	wait "$C_PID" 2>/dev/null || true
	forget "$C_PID"
}

# Print the phase's figures, profile if asked, show warnings, clean up.
collector_phase_end() {	# collector_phase_end PHASE DIR
	cat "$WORK/$1.res" | tr '\n' ' '; echo
	profile_collector "$1"
	grep -E '\[(warn|error)' "$2/log" | head -5 || true
	collector_kill
	rm -rf "$2"
	sync
}

profile_collector() {	# profile_collector PHASE
	[ "$PROFILE" = 1 ] && command -v perf >/dev/null || return 0
	local f=$WORK/perf-$1.data
	echo "-- perf record (dwarf call graphs) of the collector for ${PROFILE_SECONDS} s, after the window"
	perf record -q -F 20000 --call-graph dwarf -p "$C_PID" -o "$f" -- sleep "$PROFILE_SECONDS" \
	    >/dev/null 2>&1 || { echo "perf record failed"; return 0; }
	echo "-- samples by thread (loop = pid $C_PID, then store, journal)"
	perf report -i "$f" --no-children --sort pid -g none --stdio 2>/dev/null |
	    grep -E '^ +[0-9]' | head -6
	echo "-- self time by library and symbol (top 30)"
	perf report -i "$f" --no-children --sort dso,symbol -g none --stdio 2>/dev/null |
	    grep -E '^ +[0-9]' | head -30
	echo "-- inclusive time (self + callees), above 3 %"
	perf report -i "$f" --children --sort symbol -g none --percent-limit 3 --stdio 2>/dev/null |
	    grep -E '^ +[0-9]' | head -45
	rm -f "$f"
}

phase_campusmon() {	# polling alone: RRD writes deferred (flush_delay 3600 s)
	local d=$WORK/campusmon n
	TARGETS=$BIG
	echo
	echo "== campusmon-collector, polling alone ($NS devices x $ROWS interfaces, every ${INTERVAL}s; storage.flush_delay 3600s)"
	collector_start "$d" "$(printf 'storage:\n  flush_delay: 3600s\nsnmp:\n  bulk_max: %d\nlog:\n  verbosity: 0\n' "$BULK")"
	for n in $TARGETS; do collector_add "dev$n" "$(addr_of "$n")" "$INTERVAL"; done
	sleep "$WARMUP"
	collector_window campusmon "$MEASURE"
	res campusmon rrd_files "$(find "$d/data" -name '*.rrd' | wc -l)"
	res campusmon series "$(metric campusmon_series)"
	collector_phase_end campusmon "$d"
}

# Warm up until every series has its RRD file (one per interface, made once
# it has two rows, at a flush) and no file was added over two more flushes;
# creation is not measured. Sets files and want (series).
rrd_files_settle() {	# rrd_files_settle DIR FLUSH_SECONDS
	local last=-1 lastwant=-1 _
	for _ in $(seq 300); do
		want=$(metric campusmon_series | cut -d. -f1)
		files=$(find "$1/data/rrd" -name '*.rrd' 2>/dev/null | wc -l)
		[ "$files" -gt 0 ] && [ "$files" = "$last" ] && [ "$want" = "$lastwant" ] && break
		last=$files lastwant=$want
		sleep $(($2 * 2))
	done
}

# polling plus RRD storage; flush_delay 30 s (the default: three rows per
# RRD update at a 10 s interval) or 10 s (one row per update, as a 60 s
# interval gets with the default)
phase_campusmon_rrd_any() {	# phase_campusmon_rrd_any PHASE FLUSH_SECONDS
	local ph=$1 d=$WORK/$1 n want files last=-1 t0
	TARGETS=$BIG
	echo
	echo "== campusmon-collector, polling plus RRD storage (same devices; storage.flush_delay ${2}s:" \
	    "$(($2 / INTERVAL)) row(s) of each file per RRD update)"
	collector_start "$d" "$(printf 'storage:\n  flush_delay: %ds\nsnmp:\n  bulk_max: %d\n' "$2" "$BULK")"
	for n in $TARGETS; do collector_add "dev$n" "$(addr_of "$n")" "$INTERVAL"; done
	t0=$EPOCHREALTIME
	sleep "$WARMUP"
	rrd_files_settle "$d" "$2"
	echo "RRD files: $files for $want series, all there $(awk -v a="$t0" -v b="$EPOCHREALTIME" \
	    'BEGIN { printf "%.0f", b - a }') s after the devices were added"
	collector_window "$ph" "$MEASURE" "$2"
	res "$ph" flush "$2"
	res_rrd_files "$ph" "$d/data"
	collector_phase_end "$ph" "$d"
}
phase_campusmon_rrd() { phase_campusmon_rrd_any campusmon_rrd 30; }
phase_campusmon_rrd_10s() { phase_campusmon_rrd_any campusmon_rrd_10s 10; }

# SCALE_DEVICES small devices at the poll rate of 2,000 x 50 at 60 s; without
# RRD writes (flush_delay 3600 s), or with them at half the interval, so that
# each RRD update carries one row, as a 60 s interval gets with the default
# 30 s flush (SCALE_RETENTION: storage.retention for it, to spare disk)
phase_scale_any() {	# phase_scale_any PHASE FLUSH_SECONDS
	# shellcheck disable=SC2206  # $SMALL is a list of numbers
	local ph=$1 flush=$2 d=$WORK/$1 i n list=($SMALL) t0 what conf
	TARGETS=$SMALL
	what="polling alone (flush_delay 3600s)"
	conf=$(printf 'storage:\n  flush_delay: %ds\n' "$flush")
	if [ "$flush" != 3600 ]; then
		what="polling plus RRD storage (flush_delay ${flush}s: one row per file and update)"
		[ -n "$SCALE_RETENTION" ] && conf=$(printf '%s\n  retention: [%s]' "$conf" "$SCALE_RETENTION") &&
			what="$what, retention $SCALE_RETENTION"
	fi
	echo
	echo "== campusmon-collector, scale: $SCALE_DEVICES devices x $SCALE_ROWS interfaces every ${SCALE_INTERVAL}s" \
	    "($(awk -v d="$SCALE_DEVICES" -v i="$SCALE_INTERVAL" 'BEGIN { printf "%.1f", d / i }') polls/s;" \
	    "$SCALE_NS snmpd), $what"
	collector_start "$d" "$(printf '%s\nsnmp:\n  bulk_max: %d\n' "$conf" "$BULK")"
	t0=$EPOCHREALTIME
	for i in $(seq 0 $((SCALE_DEVICES - 1))); do
		n=${list[$((i % SCALE_NS))]}
		collector_add "small$i" "$(addr_of "$n")" "$SCALE_INTERVAL"
	done
	echo "added $SCALE_DEVICES devices in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
	sleep $((2 * SCALE_INTERVAL + 5))	# every device polled twice (rates) first
	if [ "$flush" = 3600 ]; then
		collector_window "$ph" "$SCALE_MEASURE"
	else
		rrd_files_settle "$d" "$flush"
		echo "RRD files: $files for $want series"
		collector_window "$ph" "$SCALE_MEASURE" "$flush"
		res "$ph" flush "$flush"
		res_rrd_files "$ph" "$d/data"
	fi
	res "$ph" devices "$SCALE_DEVICES"
	res "$ph" rows "$SCALE_ROWS"
	res "$ph" interval "$SCALE_INTERVAL"
	res "$ph" series "$(metric campusmon_series)"
	res "$ph" rss_mb "$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$C_PID/status")"
	collector_phase_end "$ph" "$d"
}
phase_scale() { phase_scale_any scale 3600; }
phase_scale_rrd() { phase_scale_any scale_rrd $((SCALE_INTERVAL / 2)); }

# ---- collectd ------------------------------------------------------------------
# Data blocks for the same IF-MIB columns campusmon's if-mib profile reads
# (13 numeric ones; collectd takes strings only as instance names: ifName).
COLLECTD_BLOCKS="if_octets_hc if_octets if_errors if_dropped oper admin highspeed speed type"
collectd_conf() {	# collectd_conf DIR WRITER(none|rrdtool)
	local d=$1 n ifname=.1.3.6.1.2.1.31.1.1.1.1
	cat <<-EOF
	Hostname "bench"
	FQDNLookup false
	BaseDir "$d"
	PIDFile "$d/collectd.pid"
	PluginDir "/usr/lib/collectd"
	TypesDB "/usr/share/collectd/types.db"
	Interval $INTERVAL
	LoadPlugin logfile
	<Plugin logfile>
	  # info would log a line per value when no writer is loaded
	  LogLevel warning
	  File "$d/log"
	</Plugin>
	EOF
	if [ "$2" = rrdtool ]; then
		cat <<-EOF
		LoadPlugin rrdtool
		<Plugin rrdtool>
		  DataDir "$d/rrd"
		  # values wait up to 30 s and are written together, as campusmon's flush_delay
		  CacheTimeout 30
		  CacheFlush 900
		</Plugin>
		EOF
	elif [ "$2" = rrdtool-default ]; then
		cat <<-EOF
		LoadPlugin rrdtool
		<Plugin rrdtool>
		  # collectd's defaults: no cache, every value written when it arrives
		  DataDir "$d/rrd"
		</Plugin>
		EOF
	fi
	cat <<-EOF
	LoadPlugin snmp
	<Plugin snmp>
	  <Data "if_octets_hc">
	    Type "if_octets"
	    Table true
	    TypeInstanceOID "$ifname"
	    Values ".1.3.6.1.2.1.31.1.1.1.6" ".1.3.6.1.2.1.31.1.1.1.10"
	  </Data>
	  <Data "if_octets">
	    Type "if_octets"
	    Table true
	    TypeInstanceOID "$ifname"
	    TypeInstancePrefix "c32-"
	    Values ".1.3.6.1.2.1.2.2.1.10" ".1.3.6.1.2.1.2.2.1.16"
	  </Data>
	  <Data "if_errors">
	    Type "if_errors"
	    Table true
	    TypeInstanceOID "$ifname"
	    Values ".1.3.6.1.2.1.2.2.1.14" ".1.3.6.1.2.1.2.2.1.20"
	  </Data>
	  <Data "if_dropped">
	    Type "if_dropped"
	    Table true
	    TypeInstanceOID "$ifname"
	    Values ".1.3.6.1.2.1.2.2.1.13" ".1.3.6.1.2.1.2.2.1.19"
	  </Data>
	EOF
	for b in "oper .1.3.6.1.2.1.2.2.1.8" "admin .1.3.6.1.2.1.2.2.1.7" \
	    "highspeed .1.3.6.1.2.1.31.1.1.1.15" "speed .1.3.6.1.2.1.2.2.1.5" \
	    "type .1.3.6.1.2.1.2.2.1.3"; do
		set -- $b
		cat <<-EOF
		  <Data "$1">
		    Type "gauge"
		    Table true
		    TypeInstanceOID "$ifname"
		    TypeInstancePrefix "$1-"
		    Values "$2"
		  </Data>
		EOF
	done
	for n in $TARGETS; do
		cat <<-EOF
		  <Host "dev$n">
		    Address "$(addr_of "$n")"
		    Version 2
		    Community "$COMMUNITY"
		    Collect $(for b in $COLLECTD_BLOCKS; do printf '"%s" ' "$b"; done)
		    Interval $INTERVAL
		  </Host>
		EOF
	done
	echo "</Plugin>"
}

phase_collectd_any() {	# phase_collectd_any PHASE WRITER
	local ph=$1 d=$WORK/$1 pid a b files last=-1 want
	TARGETS=$BIG
	mkdir -p "$d"
	collectd_conf "$d" "$2" >"$d/collectd.conf"
	echo
	echo "== collectd $(dpkg-query -W -f='${Version}' collectd-core) snmp plugin, writer: $2" \
	    "($NS hosts, ${COLLECTD_BLOCKS// /, } Data blocks, every ${INTERVAL}s)"
	collectd -f -C "$d/collectd.conf" >"$d/stdout" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	sleep "$WARMUP"
	if [ "$2" != none ]; then
		# 2 DS files for 4 blocks, 1 DS for 5: one file per row and block
		want=$((NS * ROWS * 9))
		for _ in $(seq 120); do
			files=$(find "$d/rrd" -name '*.rrd' 2>/dev/null | wc -l)
			[ "$files" -ge "$want" ] && [ "$files" = "$last" ] && break
			last=$files
			sleep 2
		done
		echo "RRD files: $files (expected $want)"
		# steady-state writes (a full CacheTimeout) first
		if [ "$2" = rrdtool ]; then sleep 30; else sleep 10; fi
	fi
	a=$(ticks "$pid")
	win_begin
	sleep "$MEASURE"
	b=$(ticks "$pid")
	win_end "$ph"
	# Each Data block walks its columns with GETNEXT, one row per request,
	# plus one request that leaves the table: of every ROWS+1 answers, ROWS
	# carry values.
	awk -v a="$a" -v b="$b" -v hz="$HZ" -v r="$ROWS" -F= '
	    $1 == "varbinds" { printf "cpu=%.3f\nvalues=%d\n", (b - a) / hz, $2 * r / (r + 1) }' \
	    "$WORK/$ph.res" >>"$WORK/$ph.res.tmp"
	cat "$WORK/$ph.res.tmp" >>"$WORK/$ph.res"
	rm -f "$WORK/$ph.res.tmp"
	if [ "$2" != none ]; then
		res_rrd_files "$ph" "$d/rrd"
	fi
	cat "$WORK/$ph.res" | tr '\n' ' '; echo
	grep -v 'write callback\|write targets\|Dispatching value' "$d/log" 2>/dev/null | head -5 || true
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	forget "$pid"
	rm -rf "$d"
	sync
}
phase_collectd() { phase_collectd_any collectd none; }
phase_collectd_rrd() { phase_collectd_any collectd_rrd rrdtool; }
phase_collectd_rrd_default() { phase_collectd_any collectd_rrd_default rrdtool-default; }

# ---- snmp_exporter ----------------------------------------------------------------
# An if_mib module as the generator writes it from the snmp_exporter's own
# generator.yml (walk interfaces and ifXTable; ifAlias, ifDescr and ifName as
# labels of every per-interface metric). Debian cannot ship the generated
# file (MIB licences), so it is spelled out here, numerically.
exporter_conf() {
	local c
	cat <<-EOF
	if_mib:
	  walk:
	  - 1.3.6.1.2.1.2
	  - 1.3.6.1.2.1.31.1.1
	  get:
	  - 1.3.6.1.2.1.1.3.0
	  metrics:
	  - name: sysUpTime
	    oid: 1.3.6.1.2.1.1.3
	    type: gauge
	    help: sysUpTime
	  - name: ifNumber
	    oid: 1.3.6.1.2.1.2.1
	    type: gauge
	    help: ifNumber
	EOF
	for c in "2.2.1.1 ifIndex gauge" "2.2.1.3 ifType gauge" "2.2.1.4 ifMtu gauge" \
	    "2.2.1.5 ifSpeed gauge" "2.2.1.6 ifPhysAddress PhysAddress48" \
	    "2.2.1.7 ifAdminStatus gauge" "2.2.1.8 ifOperStatus gauge" "2.2.1.9 ifLastChange gauge" \
	    "2.2.1.10 ifInOctets counter" "2.2.1.11 ifInUcastPkts counter" \
	    "2.2.1.12 ifInNUcastPkts counter" "2.2.1.13 ifInDiscards counter" \
	    "2.2.1.14 ifInErrors counter" "2.2.1.15 ifInUnknownProtos counter" \
	    "2.2.1.16 ifOutOctets counter" "2.2.1.17 ifOutUcastPkts counter" \
	    "2.2.1.18 ifOutNUcastPkts counter" "2.2.1.19 ifOutDiscards counter" \
	    "2.2.1.20 ifOutErrors counter" "2.2.1.21 ifOutQLen gauge" \
	    "31.1.1.1.2 ifInMulticastPkts counter" "31.1.1.1.3 ifInBroadcastPkts counter" \
	    "31.1.1.1.4 ifOutMulticastPkts counter" "31.1.1.1.5 ifOutBroadcastPkts counter" \
	    "31.1.1.1.6 ifHCInOctets counter" "31.1.1.1.7 ifHCInUcastPkts counter" \
	    "31.1.1.1.8 ifHCInMulticastPkts counter" "31.1.1.1.9 ifHCInBroadcastPkts counter" \
	    "31.1.1.1.10 ifHCOutOctets counter" "31.1.1.1.11 ifHCOutUcastPkts counter" \
	    "31.1.1.1.12 ifHCOutMulticastPkts counter" "31.1.1.1.13 ifHCOutBroadcastPkts counter" \
	    "31.1.1.1.14 ifLinkUpDownTrapEnable gauge" "31.1.1.1.15 ifHighSpeed gauge" \
	    "31.1.1.1.16 ifPromiscuousMode gauge" "31.1.1.1.17 ifConnectorPresent gauge" \
	    "31.1.1.1.19 ifCounterDiscontinuityTime gauge"; do
		set -- $c
		cat <<-EOF
		  - name: $2
		    oid: 1.3.6.1.2.1.$1
		    type: $3
		    help: $2 - 1.3.6.1.2.1.$1
		    indexes:
		    - labelname: ifIndex
		      type: gauge
		    lookups:
		    - labels: [ifIndex]
		      labelname: ifAlias
		      oid: 1.3.6.1.2.1.31.1.1.1.18
		      type: DisplayString
		    - labels: [ifIndex]
		      labelname: ifDescr
		      oid: 1.3.6.1.2.1.2.2.1.2
		      type: DisplayString
		    - labels: [ifIndex]
		      labelname: ifName
		      oid: 1.3.6.1.2.1.31.1.1.1.1
		      type: DisplayString
		EOF
	done
	cat <<-EOF
	  version: 2
	  max_repetitions: $BULK
	  retries: 1
	  timeout: 5s
	  auth:
	    community: $COMMUNITY
	EOF
}

# Cycle-driven pollers: run CYCLES cycles INTERVAL apart; the first WARM are
# not measured. cycle_fn N does one cycle and prints "values cpu_seconds"
# (cpu empty when the caller measures the process itself).
phase_exporter() {
	local d=$WORK/exporter port pid a b k t0 cpids warm=2 cycles=$((MEASURE / INTERVAL)) vals=0 n next
	TARGETS=$BIG
	mkdir -p "$d"
	exporter_conf >"$d/snmp.yml"
	prometheus-snmp-exporter --config.file="$d/snmp.yml" --dry-run >"$d/dry" 2>&1 ||
	    { cat "$d/dry"; return 1; }
	port=$(free_port)
	prometheus-snmp-exporter --config.file="$d/snmp.yml" --web.listen-address="127.0.0.1:$port" \
	    --log.level=warn >"$d/log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$port/" >/dev/null && break
		sleep 0.1
	done
	echo
	echo "== snmp_exporter $(dpkg-query -W -f='${Version}' prometheus-snmp-exporter)" \
	    "(pid $pid; module if_mib walking interfaces + ifXTable, max_repetitions $BULK;" \
	    "each target scraped with curl every ${INTERVAL}s, targets in parallel)"
	t0=$EPOCHREALTIME
	for k in $(seq 0 $((warm + cycles - 1))); do
		if [ "$k" = "$warm" ]; then
			a=$(ticks "$pid")
			win_begin
		fi
		cpids=
		for n in $TARGETS; do
			curl -s -o "$d/scrape$n" \
			    "http://127.0.0.1:$port/snmp?module=if_mib&target=$(addr_of "$n")" &
			cpids="$cpids $!"
		done
		wait $cpids
		if [ "$k" -ge "$warm" ]; then
			for n in $TARGETS; do
				vals=$((vals + $(awk '$1 == "snmp_scrape_pdus_returned" { v = $2 } END { print v + 0 }' "$d/scrape$n")))
			done
		fi
		next=$(awk -v a="$t0" -v k="$k" -v i="$INTERVAL" -v now="$EPOCHREALTIME" \
		    'BEGIN { s = a + (k + 1) * i - now; printf "%.3f", (s > 0 ? s : 0) }')
		[ "$k" = $((warm + cycles - 1)) ] || sleep "$next"
	done
	b=$(ticks "$pid")
	win_end exporter
	res exporter cpu "$(awk -v a="$a" -v b="$b" -v hz="$HZ" 'BEGIN { printf "%.3f", (b - a) / hz }')"
	res exporter values "$vals"
	res exporter samples_per_scrape "$(grep -vc '^#' "$d/scrape$(echo $TARGETS | cut -d' ' -f1)")"
	# The window ends when the last scrape has answered, not a full interval later.
	res exporter cycles "$cycles"
	cat "$WORK/exporter.res" | tr '\n' ' '; echo
	head -5 "$d/log"
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	forget "$pid"
	rm -rf "$d"
}

phase_bulkwalk() {
	local d=$WORK/bulkwalk k t0 warm=2 cycles=$((MEASURE / INTERVAL)) vals=0 cpu=0 n tm next
	TARGETS=$BIG
	mkdir -p "$d"
	echo
	echo "== snmpbulkwalk loop ($(dpkg-query -W -f='${Version}' snmp); per device and cycle:" \
	    "snmpbulkwalk -v2c -Cr$BULK -On of ifTable and of ifXTable, one after the other, every ${INTERVAL}s)"
	t0=$EPOCHREALTIME
	for k in $(seq 0 $((warm + cycles - 1))); do
		[ "$k" = "$warm" ] && win_begin
		# One subshell per cycle runs the walks and reports, through the
		# times builtin, its own and its children's CPU (ms resolution).
		tm=$(
			for n in $TARGETS; do
				snmpbulkwalk -v2c -c "$COMMUNITY" -Cr"$BULK" -On "$(addr_of "$n")" \
				    1.3.6.1.2.1.2.2 >"$d/walk$n.if" || echo "walk failed" >&2
				snmpbulkwalk -v2c -c "$COMMUNITY" -Cr"$BULK" -On "$(addr_of "$n")" \
				    1.3.6.1.2.1.31.1.1 >"$d/walk$n.ifx" || echo "walk failed" >&2
			done
			times
		)
		if [ "$k" -ge "$warm" ]; then
			cpu=$(echo "$tm" | awk -v c="$cpu" '{ for (i = 1; i <= NF; i++) {
			    split($i, p, "m"); c += p[1] * 60 + p[2] } } END { printf "%.3f", c }')
			for n in $TARGETS; do
				vals=$((vals + $(cat "$d/walk$n.if" "$d/walk$n.ifx" | wc -l)))
			done
		fi
		next=$(awk -v a="$t0" -v k="$k" -v i="$INTERVAL" -v now="$EPOCHREALTIME" \
		    'BEGIN { s = a + (k + 1) * i - now; printf "%.3f", (s > 0 ? s : 0) }')
		[ "$k" = $((warm + cycles - 1)) ] || sleep "$next"
	done
	win_end bulkwalk
	res bulkwalk cpu "$cpu"
	res bulkwalk values "$vals"
	res bulkwalk processes $((cycles * NS * 2))
	cat "$WORK/bulkwalk.res" | tr '\n' ' '; echo
	rm -rf "$d"
}

# ---- machine, targets ------------------------------------------------------------
echo "== SNMP polling benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), \
$(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, \
$(uname -sr); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
BUILT=$(stat -c %Y "$COLLECTOR")
echo "collector: $COLLECTOR, built $(date -u -d "@$BUILT" '+%Y-%m-%d %H:%M UTC') \
(last commit then: $(git -C "$REPO" log -1 --format=%h --until="@$BUILT" 2>/dev/null || echo '?'); \
tree now: $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo '?')), \
CFLAGS: $(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile")"
echo "peers: $(dpkg-query -W -f='${Package} ${Version}, ' snmpd snmp collectd-core prometheus-snmp-exporter librrd8 | sed 's/, $//')"
t0=$EPOCHREALTIME
for n in $BIG; do make_target "$n" "$IFACES"; done
for n in $SMALL; do make_target "$n" "$SCALE_IFACES"; done
for n in $BIG $SMALL; do wait_target "$n"; done
echo "targets: $NS snmpd in namespaces cmbench1-$NS with $ROWS interfaces each ($IFACES $TARGET_KIND + lo + veth)" \
    "${SMALL:+, $SCALE_NS more with $SCALE_ROWS for the scale phase}; ready in" \
    "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
n=$(snmpbulkwalk -v2c -c "$COMMUNITY" -Cr"$BULK" -On "$(addr_of 1)" 1.3.6.1.2.1.2.2.1.1 | wc -l)
[ "$n" = "$ROWS" ] || { echo "run.sh: target 1 has $n ifTable rows, not $ROWS" >&2; exit 1; }
echo "poll interval ${INTERVAL}s, GETBULK max-repetitions $BULK, ${WARMUP}s warm-up, ${MEASURE}s measured per phase"
cat >"$WORK/params" <<EOF
ns=$NS
rows=$ROWS
interval=$INTERVAL
measure=$MEASURE
bulk=$BULK
EOF

for ph in $PHASES; do
	case $ph in
	campusmon_rrd_[0-9]*s)	# any other flush_delay: campusmon_rrd_50s
		f=${ph#campusmon_rrd_}
		phase_campusmon_rrd_any "$ph" "${f%s}";;
	*)
		"phase_$ph";;
	esac
done

echo
echo "== summary"
$PY "$HERE/summary.py" "$WORK"
