#!/bin/sh
# bench/reports/run.sh — time the coverage and compliance reports for a
# 2,000-device campus (bench_reports.c) and write results.md. One short run.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${CAMPUSMON_BUILD:-$HERE/../../build}
BIN=$BUILD/bench/reports/bench_reports
[ -x "$BIN" ] || { echo "build it first: make bench/reports/bench_reports" >&2; exit 2; }
ROUNDS=${ROUNDS:-20}
{
	echo "# bench/reports results"
	echo
	echo "\`bench/reports/run.sh\` on $(date -u +%Y-%m-%d): $(nproc) cores, $(uname -sr);" \
	    "$ROUNDS rounds of each report, one after the other, on a machine shared with other builds."
	echo
	"$BIN" "$ROUNDS" 2>/dev/null
} >"$HERE/results.md.new"
rc=$?
mv "$HERE/results.md.new" "$HERE/results.md"
cat "$HERE/results.md"
exit $rc
