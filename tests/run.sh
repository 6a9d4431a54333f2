#!/usr/bin/env bash
# Run every test and print one summary line: "N passed, N failed".
#
# Each test speaks TAP ("ok N - name" / "not ok N - name"): cmocka unit tests (with
# CMOCKA_MESSAGE_OUTPUT=TAP), fuzz corpus replays, and tests/integration/*.sh. A test program
# that exits non-zero without reporting a failure (a crash, a sanitizer report) counts as one
# failure of its own, so nothing is lost.
set -u
cd "$(dirname "$0")/.."

export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export DNSLEAKD=${DNSLEAKD:-$PWD/build/san/dnsleakd}
export DNSLEAK=${DNSLEAK:-$PWD/build/san/dnsleak}

passed=0
failed=0
skipped=0
failures=()
logdir=build/test-logs
mkdir -p "$logdir"

run_one() {
	local name=$1
	shift
	local log="$logdir/$(basename "$name").log"
	local start=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	local p f
	p=$(grep -E '^ok [0-9]+' "$log" | grep -vc '# SKIP')
	local k
	k=$(grep -E '^ok [0-9]+' "$log" | grep -c '# SKIP')
	skipped=$((skipped + k))
	f=$(grep -cE '^not ok [0-9]+' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	printf '%-40s %4d passed %3d failed  (%ds)\n' "$name" "$p" "$f" $((SECONDS - start))
	if [ "$f" -ne 0 ]; then
		failures+=("$name")
		grep -E '^not ok' "$log" | head -n 20 | sed 's/^/    /'
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
}

# One binary per source: a stale binary of a removed test never runs, a missing one fails.
for src in tests/unit/test_*.c; do
	name=$(basename "$src" .c)
	run_one "unit/$name" "build/san/tests/unit/$name"
done
for src in tests/fuzz/fuzz_*.c; do
	name=${src##*/fuzz_}
	name=${name%.c}
	run_one "fuzz-replay/$name" "build/san/tests/fuzz/replay_$name" "tests/fuzz/corpus/$name"
done
for s in tests/integration/*.sh; do
	[ -x "$s" ] && run_one "integration/$(basename "$s" .sh)" "$s"
done

echo
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]} (logs in $logdir)"
[ "$skipped" -gt 0 ] && echo "$skipped skipped (see the logs: root or a tool was missing)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
