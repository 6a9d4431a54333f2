# tap.sh -- sourced after lab.sh: TAP lines for the lab's scenario scripts (scenarios.sh,
# tests/e2e/run.sh).
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

# tap_dnsleakd_exit: stop the lab's dnsleakd (the ASan build under make check) and report
# whether it exited cleanly after everything it went through (lab.sh).
tap_dnsleakd_exit() {
	local rc=0
	[ -n "${LAB_PID_dnsleakd:-}" ] || return 0
	lab_stop "$LAB_PID_dnsleakd" || rc=$?
	LAB_PID_dnsleakd=
	if [ "$rc" -eq 0 ]; then
		ok "dnsleakd exits cleanly"
	else
		not_ok "dnsleakd exits cleanly (status $rc)"
		tail -n 30 "$LAB_DIR/dnsleakd.out" | sed 's/^/#   /'
	fi
}
