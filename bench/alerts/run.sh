#!/bin/sh
# run.sh — the alerts benchmark, one short run: the engine alone (bench_engine:
# evaluation per sample with 1,000 rules and 100,000 series, the rule storm,
# root cause for 2,000 devices), then sample → webhook latency side by side:
# campusmon (alert engine → notify outbox → webhook) against Prometheus +
# Alertmanager at aggressive settings (scrape 1 s, evaluation 1 s, group_wait 0).
# Installs Debian's prometheus and prometheus-alertmanager here only (never in
# scripts/install-deps.sh). Writes results.txt next to this script. Needs root.
# Usage: bench/alerts/run.sh [ROUNDS]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${CAMPUSMON_BUILD:-$HERE/../../build}
PKGS="prometheus prometheus-alertmanager"
ROUNDS=${1:-40}

[ -x "$BUILD/bench/alerts/bench_engine" ] || { echo "run.sh: build first (make all)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run.sh: run as root" >&2; exit 1; }
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	# the packages' own services must not start: the bench runs its own copies
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=/usr/sbin/policy-rc.d
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends $missing
	[ -n "$policy" ] && rm -f "$policy"
fi
{
	echo "# bench/alerts $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(uname -m))"
	echo "## engine alone (bench_engine, 2,000,000 samples)"
	"$BUILD/bench/alerts/bench_engine" 2000000
	echo "## sample -> webhook latency, $ROUNDS alerts each"
	/usr/bin/python3 "$HERE/latency.py" --build "$BUILD" --rounds "$ROUNDS"
} | tee "$HERE/results.txt"
