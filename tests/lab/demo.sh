#!/usr/bin/env bash
# demo.sh -- `make demo`: build the lab, run each scenario with the real client (its human
# output: `dnsleak test`, `dnsleak audit`, or plain `dnsleak` for both), say in plain words
# what each one is, then tear everything down. Root only.
#
# Environment: DNSLEAK (default build/dnsleak), DNSLEAKD (default build/dnsleakd),
# CLIENT_TIMEOUT (60 s per run), LAB_KEEP=1 keeps the lab's logs. Arguments: scenarios to run
# (default all: 1 2 3 4 4b 5 6 A B C D E E6 F). A run whose command is not built yet is
# skipped with a note. Exits 1 when a verdict was not the expected one. F shows `dnsleak watch'
# seeing scenario 2's leak, `dnsleak fix --apply' stopping it and `--revert' bringing it back
# (and, with tshark installed, how many queries tshark saw on the same wire).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lab.sh"
DNSLEAK=${DNSLEAK:-$LAB_ROOT/build/dnsleak}
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-60}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root (it builds network namespaces); try: sudo make demo" >&2
	exit 2
fi
if [ ! -x "$DNSLEAK" ]; then
	echo "demo: $DNSLEAK is not built (make)" >&2
	exit 2
fi
if "$DNSLEAK" test --help 2>&1 | grep -q 'not built yet'; then
	echo "demo: \`dnsleak test' is not built yet (issue #3); nothing to show" >&2
	exit 2
fi
# `dnsleak audit' and plain `dnsleak' (audit + test) come with issue #4.
have_audit=1 have_plain=1 have_tshark=1
"$DNSLEAK" audit --help 2>&1 | grep -q 'not built yet' && have_audit=0
command -v tshark >/dev/null 2>&1 || have_tshark=0
"$DNSLEAK" --json --help 2>&1 | grep -q 'unknown command' && have_plain=0

if [ -t 1 ]; then
	B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'
else
	B='' G='' R='' N=''
fi

trap lab_down EXIT
trap 'exit 130' INT TERM

scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && read -r -a scenarios <<<"$LAB_SCENARIOS"

t0=$SECONDS
echo "${B}Building the lab${N}: a laptop (client) behind a home router, an ISP with its resolver,"
echo "a VPN provider (OpenVPN tunnel, its own resolver), a public DNS service, and the leak test"
echo "server (dnsleakd, authoritative for $LAB_ZONE). Map: tests/lab/README.md."
lab_up || exit 1
echo "Lab up in $((SECONDS - t0)) s."
lab_dnsleakd_enriches ||
	echo "${R}Note: $DNSLEAKD has no --asn-db: without networks for the resolvers most verdicts are INCONCLUSIVE.${N}"

verdict_of() {
	case $1 in
	0) echo PASS ;;
	1) echo LEAK ;;
	2) echo "could not test" ;;
	3) echo "WARN or INCONCLUSIVE" ;;
	124 | 137) echo "killed after ${CLIENT_TIMEOUT} s" ;;
	*) echo "exit $1" ;;
	esac
}

# --- scenario F: `dnsleak watch` sees the leak, `dnsleak fix` stops it ----------------------

# demo_note RC WANT WHAT LABEL: the "=>" line of one step and its summary entry; RC's verdict
# is LABEL (or the exit code's meaning), WANT its expected exit codes.
demo_note() {
	local rc=$1 want=$2 what=$3 got=${4:-}
	[ -n "$got" ] || got=$(verdict_of "$rc")
	if [[ " $want " == *" $rc "* ]]; then
		mark="${G}as expected${N}"
	else
		mark="${R}NOT as expected (wanted exit ${want// / or })${N}"
		unexpected=$((unexpected + 1))
	fi
	echo "  => $what: ${B}$got${N} (exit $rc): $mark"
	summary+=("$(printf '%-4s %-22s %s' F "$got" "$what")")
}

# watch_verdict RC: what `dnsleak watch`'s exit code says.
watch_verdict() {
	case $1 in
	0) echo PASS ;;
	1) echo LEAK ;;
	2) echo "could not watch" ;;
	*) echo "exit $1" ;;
	esac
}

# demo_verdict_lines FILE: a `dnsleak test` report's verdict, reason and note, indented.
demo_verdict_lines() {
	sed -n '/^Verdict:/,/^$/p' "$1" | grep . | sed 's/^/    /'
}

# demo_verdict FILE: the verdict word of a `dnsleak test` report.
demo_verdict() {
	sed -n 's/^Verdict: *\([A-Z]*\).*/\1/p' "$1" | tail -n 1
}

# demo_watched STEP: `dnsleak watch` in the background, and tshark on lan0 if there is one,
# while the scenario's `dnsleak test` runs; shows the test's verdict line and what the watch
# printed (the first queries and its summary). Sets RC (the test's), WRC (the watch's).
demo_watched() {
	local step=$1 ev n_tshark=
	echo "  \$ dnsleak watch --duration 30 &     # in the background: every interface but the tunnel"
	echo "  \$ ${LAB_RUNS[0]/#/dnsleak }"
	[ "$have_tshark" = 1 ] && lab_capture_start "demo_cap$step" lan0
	if ! lab_watch_start "demo_w$step" --duration 30; then
		echo "  ${R}dnsleak watch did not start:${N}"
		sed 's/^/    /' "$LAB_DIR/demo_w$step.err"
	fi
	lab_dnsleak "${LAB_RUNS[0]}" >"$LAB_DIR/demo.out" 2>&1
	RC=$?
	sleep 0.5
	WRC=0
	lab_watch_stop "demo_w$step" || WRC=$?
	if [ "$have_tshark" = 1 ]; then
		lab_capture_stop "demo_cap$step"
		n_tshark=$(lab_capture_queries "demo_cap$step" lan0 | grep -c .)
	fi
	echo
	echo "  dnsleak test said (its full report: see scenario 2):"
	demo_verdict_lines "$LAB_DIR/demo.out"
	echo
	echo "  dnsleak watch printed (its queries, then the summary from \"N queries seen\" on):"
	sed 's/^/    /' "$LAB_DIR/demo_w$step.err"
	ev=$(sed '/^[0-9]* quer[a-z]* seen/,$d' "$LAB_DIR/demo_w$step.json" | grep -c .)
	sed '/^[0-9]* quer[a-z]* seen/,$d' "$LAB_DIR/demo_w$step.json" | grep . | head -n 6 |
		sed 's/^/    /'
	[ "$ev" -gt 6 ] && echo "    ... $((ev - 6)) more"
	sed -n '/^[0-9]* quer[a-z]* seen/,$p' "$LAB_DIR/demo_w$step.json" | sed 's/^/    /'
	[ -n "$n_tshark" ] &&
		echo "  tshark, on the same wire (lan0), decoded $n_tshark DNS quer$([ "$n_tshark" = 1 ] && echo y || echo ies)."
}

# demo_f: scenario F, in three steps with a heading each.
demo_f() {
	local c rc
	for c in watch fix; do
		if "$DNSLEAK" "$c" --help 2>&1 | grep -q 'not built yet'; then
			echo
			echo "  (skipped: \`dnsleak $c' is not built yet, issue #5)"
			summary+=("$(printf '%-4s %-22s %s' F "(not built yet)" "watch and fix")")
			skipped=$((skipped + 1))
			return
		fi
	done

	echo
	echo "  ${B}1. The watch sees your DNS leave by the LAN${N}"
	echo "  The VPN is up, but every name is sent to the home router, outside the tunnel;"
	echo "  \`dnsleak watch' listens on the network card and prints each query it sees leave."
	echo
	demo_watched 1
	demo_note "$RC" 1 "the test (scenario 2's)" "$(demo_verdict "$LAB_DIR/demo.out")"
	demo_note "$WRC" 1 "the watch: the test's names seen leaving by lan0" \
		"$(watch_verdict "$WRC")"

	echo
	echo "  ${B}2. After \`dnsleak fix --apply\`, DNS may leave only through the tunnel${N}"
	echo "  The firewall now refuses every DNS query that would go out anywhere else; the test's"
	echo "  names can no longer reach the home router, nor the ISP behind it."
	echo
	echo "  \$ dnsleak fix --apply"
	lab_fix --apply 2>&1 | sed 's/^/    /'
	rc=${PIPESTATUS[0]}
	echo
	echo "  \$ nft list tables     # lab_count is the lab's counters, $LAB_KEEP_TABLE someone else's: left alone"
	lab_x client nft list tables | sed 's/^/    /'
	demo_note "$rc" 0 "fix --apply" "$([ "$rc" = 0 ] && echo applied || echo "not applied")"
	echo
	demo_watched 2
	demo_note "$RC" "2 3" "after fix --apply, the test: DNS refused" \
		"$(demo_verdict "$LAB_DIR/demo.out")"
	demo_note "$WRC" 0 "after fix --apply, the watch: no DNS leaves" \
		"$(watch_verdict "$WRC")"

	echo
	echo "  ${B}3. After \`dnsleak fix --revert\`, all is as before: the leak is back${N}"
	echo
	echo "  \$ dnsleak fix --revert"
	lab_fix --revert 2>&1 | sed 's/^/    /'
	rc=${PIPESTATUS[0]}
	echo
	echo "  \$ nft list tables"
	lab_x client nft list tables | sed 's/^/    /'
	demo_note "$rc" 0 "fix --revert" "$([ "$rc" = 0 ] && echo reverted || echo "not reverted")"
	echo
	echo "  \$ ${LAB_RUNS[0]/#/dnsleak }"
	lab_dnsleak "${LAB_RUNS[0]}" >"$LAB_DIR/demo.out" 2>&1
	rc=$?
	demo_verdict_lines "$LAB_DIR/demo.out"
	demo_note "$rc" 1 "after fix --revert, the test" "$(demo_verdict "$LAB_DIR/demo.out")"
}

summary=()
unexpected=0
skipped=0
for n in "${scenarios[@]}"; do
	lab_scenario "$n" || exit 1
	echo
	echo "${B}$LAB_TITLE${N}"
	echo "  Setup: $LAB_STORY"
	echo "  Expected: $LAB_EXPECT"
	if [ "$n" = F ]; then
		demo_f
		continue
	fi
	for run in "${LAB_RUNS[@]}"; do
		lab_run_words "$run"
		cmd="${LAB_RUN_ENV[*]}${LAB_RUN_ENV[*]:+ }dnsleak ${LAB_RUN_ARGS[*]}"
		cmd=${cmd% }
		# The summary's words: the title, and which command when there are several.
		what=${LAB_TITLE#Scenario *: }
		[ ${#LAB_RUNS[@]} -gt 1 ] && what="$what [${cmd%% --server*}]"
		echo
		echo "  \$ $cmd"
		case ${LAB_RUN_ARGS[0]:-}:$have_audit:$have_plain in
		test:* | audit:1:* | *:1:1) missing= ;;
		*:0:*) missing="\`dnsleak audit'" ;;
		*) missing="plain \`dnsleak' (audit + test)" ;;
		esac
		if [ -n "$missing" ]; then
			echo "  (skipped: $missing is not built yet, issue #4)"
			summary+=("$(printf '%-4s %-22s %s' "$n" "(not built yet)" "$what")")
			skipped=$((skipped + 1))
			continue
		fi
		echo
		s0=$SECONDS
		lab_dnsleak "$run" | tee "$LAB_DIR/demo.out"
		rc=${PIPESTATUS[0]}
		# The report's verdict line tells WARN from INCONCLUSIVE; the exit code cannot. A
		# combined report (audit + test) ends with "Combined verdict (audit and test): X".
		got=$(sed -n 's/^Combined verdict[^:]*: *\([A-Z]*\).*/\1/p' "$LAB_DIR/demo.out" | tail -n 1)
		[ -n "$got" ] ||
			got=$(sed -n 's/^Verdict: *\([A-Z]*\).*/\1/p' "$LAB_DIR/demo.out" | tail -n 1)
		[ -n "$got" ] || got=$(verdict_of "$rc")
		if [[ " $LAB_EXPECT_RC " == *" $rc "* ]]; then
			mark="${G}as expected${N}"
		else
			mark="${R}NOT as expected (wanted exit ${LAB_EXPECT_RC// / or })${N}"
			unexpected=$((unexpected + 1))
		fi
		echo
		echo "  => ${B}$got${N} (exit $rc, $((SECONDS - s0)) s): $mark"
		summary+=("$(printf '%-4s %-22s %s' "$n" "$got" "$what")")
	done
done

echo
echo "${B}Summary${N} ($((SECONDS - t0)) s in all)"
printf '  %s\n' "${summary[@]}"
[ "$skipped" -eq 0 ] || echo "$skipped run(s) skipped: not built yet"
[ "$unexpected" -eq 0 ] || echo "${R}$unexpected run(s) did not give the expected verdict${N}"
[ "$unexpected" -eq 0 ]
