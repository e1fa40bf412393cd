#!/bin/bash
# run.sh — bench/backup: an online backup of a large events.db while syslog
# lines come in, against cp, the sqlite3 shell's .backup and VACUUM INTO on
# the same file. See bench.py for knobs.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root (the collector drops privileges)" >&2; exit 2; }
RESULTS=${RESULTS:-$HERE/results.txt}
/usr/bin/python3 "$HERE/bench.py" | tee "$RESULTS"
