#!/bin/sh
# test-all.sh — install what the tests need, build, and run every test:
# unit suites (Criterion), integration tests (pytest, real daemons), the web
# UI end to end in headless Chromium, the unit suites again under ASan+UBSan,
# and a short run of every fuzz target.
# The last line is the total: "N passed, N failed". Exit status 0 only if
# nothing failed.
#
# Environment: FUZZ_SECONDS (default 20 per target), JOBS (default 2).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
PYTHON=/usr/bin/python3
LOGS="$ROOT/artifacts/test-logs"
passed=0
failed=0

note() { printf '\n=== %s\n' "$*"; }
count() { passed=$((passed + $1)); failed=$((failed + $2)); }
fail_step() { echo "FAILED: $*"; failed=$((failed + 1)); }

note "installing packages"
sh scripts/install-deps.sh --test || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$LOGS"

note "autoreconf"
autoreconf -fi >"$LOGS/autoreconf.log" 2>&1 || { cat "$LOGS/autoreconf.log"; echo "0 passed, 1 failed"; exit 1; }

# build DIR CONFIGURE-ARGS...: configure and build everything, tests included.
build() {
	dir=$1
	shift
	mkdir -p "$dir"
	(cd "$dir" && "$ROOT/configure" "$@" >"$LOGS/$(basename "$dir")-configure.log" 2>&1 &&
		make -j"$JOBS" all >"$LOGS/$(basename "$dir")-make.log" 2>&1 &&
		make -j"$JOBS" check TESTS= >>"$LOGS/$(basename "$dir")-make.log" 2>&1)
}

# unit DIR: run every Criterion binary in DIR/tests/unit and add up its counts.
unit() {
	for t in "$1"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" --jobs 1 2>&1)
		rc=$?
		line=$(printf '%s\n' "$out" | grep 'Synthesis:' | tail -1)
		p=$(printf '%s' "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
		f=$(printf '%s' "$line" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
		c=$(printf '%s' "$line" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
		if [ -z "$p" ]; then
			printf '%s\n' "$out" | tail -n 20
			fail_step "$t produced no result"
			continue
		fi
		if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
			printf '%s\n' "$out" | grep -v '^\[----\]' | tail -n 40
		fi
		echo "$(basename "$t"): $p passed, $f failed, $c crashed"
		count "$p" "$((f))"
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && fail_step "$t exited $rc"
	done
}

note "build (gcc, -Wall -Wextra -Werror, hardened)"
if build "$ROOT/build" --enable-werror --enable-hardening CFLAGS="-O2 -g"; then
	count 1 0
	note "unit tests"
	unit "$ROOT/build"
	note "integration tests"
	CAMPUSMON_BUILD="$ROOT/build" $PYTHON -m pytest -q -p no:cacheprovider \
		--junitxml="$LOGS/integration.xml" tests/integration >"$LOGS/integration.log" 2>&1
	tail -n 40 "$LOGS/integration.log"
	res=$($PYTHON - "$LOGS/integration.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    r = ET.parse(sys.argv[1]).getroot()
    s = r if r.tag == "testsuite" else r.find("testsuite")
    t, f, e, sk = (int(s.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
    print(t - f - e - sk, f + e)
except Exception:
    print(0, 1)
PY
)
	count ${res% *} ${res#* }
	note "end-to-end tests (web UI in headless Chromium)"
	if (cd tests/e2e && npm ci --no-audit --no-fund) >"$LOGS/e2e-npm.log" 2>&1; then
		(cd tests/e2e && CAMPUSMON_BUILD="$ROOT/build" node --test --test-concurrency=1 \
			--test-reporter=tap ui.test.mjs units.test.mjs notify.test.mjs alerts.test.mjs) >"$LOGS/e2e.log" 2>&1
		grep -E '^not ok|^# (pass|fail|cancelled) ' "$LOGS/e2e.log"
		p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$LOGS/e2e.log" | tail -1)
		f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$LOGS/e2e.log" | tail -1)
		x=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$LOGS/e2e.log" | tail -1)
		if [ -z "$p" ]; then
			tail -n 30 "$LOGS/e2e.log"
			fail_step "e2e tests produced no result"
		else
			[ "${f:-0}" -ne 0 ] && tail -n 60 "$LOGS/e2e.log"
			count "$p" "$(( ${f:-0} + ${x:-0} ))"
		fi
	else
		tail -n 20 "$LOGS/e2e-npm.log"
		fail_step "npm ci in tests/e2e"
	fi
else
	tail -n 30 "$LOGS/build-make.log" "$LOGS/build-configure.log"
	fail_step "build"
fi

note "unit tests under AddressSanitizer + UBSan"
if build "$ROOT/build-asan" --enable-sanitizers CFLAGS="-O1 -g"; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		unit "$ROOT/build-asan"
else
	tail -n 30 "$LOGS/build-asan-make.log"
	fail_step "sanitizer build"
fi

note "fuzz targets (${FUZZ_SECONDS}s each)"
if build "$ROOT/build-fuzz" --enable-fuzzer CC=clang CFLAGS="-O1 -g"; then
	for f in "$ROOT"/build-fuzz/tests/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=$(basename "$f" | sed 's/^fuzz_//')
		corpus="$ROOT/artifacts/fuzz-corpus/$name"
		mkdir -p "$corpus"
		if "$f" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -timeout=10 \
			-artifact_prefix="$ROOT/artifacts/" "$corpus" "$ROOT/tests/fuzz/corpus/$name" \
			>"$LOGS/fuzz-$name.log" 2>&1; then
			echo "fuzz_$name: $(grep -c . "$LOGS/fuzz-$name.log") log lines, no crash"
			count 1 0
		else
			tail -n 30 "$LOGS/fuzz-$name.log"
			fail_step "fuzz_$name found a crash"
		fi
	done
else
	tail -n 30 "$LOGS/build-fuzz-make.log"
	fail_step "fuzzer build"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
