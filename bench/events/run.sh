#!/bin/bash
# run.sh — bench/events: campusmon's syslog receiver against Debian's rsyslog
# (same stream, same core, same run), FTS query latency over a generated
# events database, bytes per line. Installs rsyslog. See bench.py for knobs.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root (the collector binds and drops privileges)" >&2; exit 2; }
command -v rsyslogd >/dev/null || apt-get install -y rsyslog >/dev/null
# a system rsyslog may hold 514; ours listens on a free port of its own
RESULTS=${RESULTS:-$HERE/results.txt}
/usr/bin/python3 "$HERE/bench.py" | tee "$RESULTS"
