#!/usr/bin/env bash
# demo.sh -- `make demo`: build the lab, run each scenario with the real client (its human
# output: `dnsleak test`, `dnsleak audit`, or plain `dnsleak` for both), say in plain words
# what each one is, then tear everything down. Root only.
#
# Environment: DNSLEAK (default build/dnsleak), DNSLEAKD (default build/dnsleakd),
# CLIENT_TIMEOUT (60 s per run), LAB_KEEP=1 keeps the lab's logs. Arguments: scenarios to run
# (default all: 1 2 3 4 4b 5 6 A B C D E E6). A run whose command is not built yet is
# skipped with a note. Exits 1 when a verdict was not the expected one.
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
have_audit=1 have_plain=1
"$DNSLEAK" audit --help 2>&1 | grep -q 'not built yet' && have_audit=0
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

summary=()
unexpected=0
skipped=0
for n in "${scenarios[@]}"; do
	lab_scenario "$n" || exit 1
	echo
	echo "${B}$LAB_TITLE${N}"
	echo "  Setup: $LAB_STORY"
	echo "  Expected: $LAB_EXPECT"
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
