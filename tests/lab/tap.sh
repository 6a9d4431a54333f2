# tap.sh -- sourced: TAP lines for the lab's scenario scripts (scenarios.sh, tests/e2e/run.sh).
# SCEN_FAILED counts the failures of the scenario at hand; the caller resets it per scenario.
TAP_N=0
TAP_FAILED=0
SCEN_FAILED=0
ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}
not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	SCEN_FAILED=$((SCEN_FAILED + 1))
	echo "not ok $TAP_N - $*"
}
skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP $*"
}
