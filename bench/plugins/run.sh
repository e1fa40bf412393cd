#!/bin/sh
# run.sh — bench/plugins: the agent's plugins beside collectd's reading the same servers.
# Installs collectd (Debian's collectd-core, here only, never in scripts/install-deps.sh; its
# packaged service kept from starting), then runs bench.py. Needs root (postgres runs as the
# postgres user, apache drops to nobody). Writes results.md and results.json next to it.
# Usage: bench/plugins/run.sh [--interval 1] [--window 60]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${CAMPUSMON_BUILD:-$HERE/../../build}
AGENT=$BUILD/agent/campusmon-agent
[ -x "$AGENT" ] || { echo "run.sh: build the agent first ($AGENT)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run.sh: run as root" >&2; exit 1; }
if ! dpkg-query -W -f='${Status}' collectd-core 2>/dev/null | grep -q "ok installed"; then
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=/usr/sbin/policy-rc.d
		trap 'rm -f "$policy"' EXIT
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends collectd-core libyajl2
	[ -n "$policy" ] && rm -f "$policy"
fi
exec /usr/bin/python3 "$HERE/bench.py" --agent "$AGENT" "$@"
