#!/bin/sh
# run.sh — the agent benchmark: install the peers (Debian packages, here only, never in
# scripts/install-deps.sh), then run bench.py side by side. Writes results.md and results.json
# next to this script. Needs root (apt-get, and zabbix_agentd drops to its own user).
# Usage: bench/agent/run.sh [--phases 10:300,1:120] [--no-zabbix]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${CAMPUSMON_BUILD:-$HERE/../../build}
AGENT=$BUILD/agent/campusmon-agent
# write_http needs libyajl2 (a Recommends of collectd-core, which --no-install-recommends skips).
PKGS="collectd-core libyajl2 prometheus-node-exporter zabbix-agent openssl"

[ -x "$AGENT" ] || { echo "run.sh: build the agent first ($AGENT)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run.sh: run as root" >&2; exit 1; }

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	# The packages' own services must not start: the bench runs its own copies.
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=/usr/sbin/policy-rc.d
		trap 'rm -f "$policy"' EXIT
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends $missing
	[ -n "$policy" ] && rm -f "$policy"
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl disable --now collectd prometheus-node-exporter zabbix-agent >/dev/null 2>&1 || true
fi
exec /usr/bin/python3 "$HERE/bench.py" --agent "$AGENT" "$@"
