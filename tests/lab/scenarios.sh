#!/usr/bin/env bash
# scenarios.sh -- the lab's scenarios, each asserted with the real client (TAP).
#
# usage: tests/lab/scenarios.sh [SCENARIO...]     (root; default: 1 2 3 4 4b 5 6)
#
# Builds the lab (lab.sh), then per scenario: puts the lab in its state, checks what the lab
# itself shows without the client (a test created over HTTP, probe names resolved by glibc with
# getent, exit addresses from /api/v1/whoami, the resolvers the server recorded), then runs
# `dnsleak test --server http://198.18.53.1 --json` in the client namespace and asserts its
# verdict, exit code, resolvers (addresses, families, ASNs), exit addresses and findings.
# The scenarios are described in tests/lab/README.md.
#
# Environment: DNSLEAK (default build/dnsleak), DNSLEAKD (default build/dnsleakd), LAB_KEEP=1
# keeps the logs, LAB_VERBOSE=1, CLIENT_TIMEOUT (60 s: a client run is killed after it),
# HANG_BOUND (30 s: scenario 5 must end within it).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lab.sh"
DNSLEAK=${DNSLEAK:-$LAB_ROOT/build/dnsleak}
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-60}
HANG_BOUND=${HANG_BOUND:-30}
OUT=

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
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   expected: $2"
		echo "#   got:      $3"
	fi
}
# expect_true DESC PYEXPR: PYEXPR over the client's JSON report is True (see jr).
expect_true() {
	local got
	got=$(jr "$2")
	if [ "$got" = True ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   expected: $2"
		echo "#   got:      $got"
	fi
}

on_exit() {
	local rc=$?
	lab_down
	[ -n "$OUT" ] && rm -f "$OUT" "$OUT.err"
	exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# jr PYEXPR: evaluate PYEXPR over the client's JSON ($OUT) with helpers: d (the document),
# R (resolvers), A (their addresses, a set), F (finding ids, a set), E4/E6 (exit.ipv4/ipv6
# or {}), fam(r) (4 or 6 whatever the spelling), asn(x) (an int whatever the spelling).
jr() {
	python3 - "$OUT" "$1" <<'EOF' 2>&1 | tail -n 1
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("no JSON report: %s" % e)
    sys.exit(0)
def fam(r):
    f = str(r.get("family", "")).lower()
    return {"4": 4, "ipv4": 4, "inet": 4, "6": 6, "ipv6": 6, "inet6": 6}.get(f, f)
def asn(x):
    a = (x or {}).get("asn")
    if isinstance(a, str) and a.upper().startswith("AS"):
        a = a[2:]
    try:
        return int(a)
    except (TypeError, ValueError):
        return a
R = d.get("resolvers") or []
A = set(r.get("address") for r in R)
F = set(f.get("id") for f in d.get("findings") or [])
E = d.get("exit") or {}
E4 = E.get("ipv4") or {}
E6 = E.get("ipv6") or {}
try:
    print(eval(sys.argv[2]))
except Exception as e:
    print("%s: %s" % (type(e).__name__, e))
EOF
}

# run_client N: dnsleak test for scenario N in the client namespace; sets RC, ELAPSED (s).
run_client() {
	local t0 t1
	t0=$EPOCHREALTIME
	# shellcheck disable=SC2046
	lab_x client timeout -k 5 "$CLIENT_TIMEOUT" "$DNSLEAK" test --server "$LAB_SERVER_URL" \
		--json $(lab_client_args "$1") >"$OUT" 2>"$OUT.err"
	RC=$?
	t1=$EPOCHREALTIME
	ELAPSED=$(python3 -c "print('%.1f' % ($t1 - $t0))")
}

# truth: what the lab shows without the client. Sets T_RES (resolver addresses the server
# recorded, sorted, space-separated), T_EXIT4, T_EXIT6 (whoami over each family).
truth() {
	local body id tok doc n
	T_RES='' T_EXIT4='' T_EXIT6=''
	body=$(lab_x client curl -fsS -m 3 -X POST "$LAB_SERVER_URL/api/v1/tests") || return 1
	id=$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	tok=$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
	for n in t1 t2 t3 t4 t5 t6; do
		lab_x client timeout 3 getent ahosts "$n-$id.$LAB_ZONE" >/dev/null
	done
	lab_x client timeout 3 getent ahosts "t7-$id.ns4.$LAB_ZONE" >/dev/null
	lab_x client timeout 3 getent ahosts "t8-$id.ns6.$LAB_ZONE" >/dev/null
	T_EXIT4=$(lab_x client curl -sS -m 2 "http://$LAB_AUTH4/api/v1/whoami" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])' 2>/dev/null)
	T_EXIT6=$(lab_x client curl -sS -m 2 "http://[$LAB_AUTH6]/api/v1/whoami" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])' 2>/dev/null)
	# The store drains the DNS threads every 10 ms.
	sleep 0.05
	doc=$(lab_x client curl -fsS -m 3 -H "Authorization: Bearer $tok" \
		"$LAB_SERVER_URL/api/v1/tests/$id") || return 1
	T_RES=$(printf '%s' "$doc" |
		python3 -c 'import json,sys; print(" ".join(sorted(r["address"] for r in json.load(sys.stdin)["resolvers"])))')
}

words_sorted() { printf '%s\n' "$@" | sort | xargs; }

# check_truth N: the lab's own view of scenario N.
check_truth() {
	local n=$1 isp="$LAB_ISP_EGRESS6 $LAB_ISP_EGRESS4" vpn="$LAB_VPN_EGRESS6 $LAB_VPN_EGRESS4"
	if [ "$n" = 5 ]; then
		local t0=$SECONDS
		if lab_x client timeout 3 getent ahosts "x.$LAB_ZONE" >/dev/null; then
			not_ok "lab $n: the home router's DNS is dropped (getent got an answer)"
		else
			ok "lab $n: the home router's DNS is dropped (getent found nothing in $((SECONDS - t0)) s)"
		fi
		return
	fi
	if ! truth; then
		not_ok "lab $n: create a test and read its results over HTTP from the client"
		return
	fi
	local want4 want6 want_res
	case $n in
	1) want4=$LAB_VPN_PUB4 want6=$LAB_TUN6_CLIENT want_res=$vpn ;;
	2) want4=$LAB_VPN_PUB4 want6=$LAB_TUN6_CLIENT want_res=$isp ;;
	3) want4=$LAB_VPN_PUB4 want6=$LAB_CLIENT_LAN6 want_res= ;;
	4 | 4b) want4=$LAB_ROUTER_WAN4 want6=$LAB_CLIENT_LAN6 want_res=$isp ;;
	6) want4=$LAB_VPN_PUB4 want6=$LAB_TUN6_CLIENT want_res="$LAB_PUB_EGRESS6 $LAB_PUB_EGRESS4" ;;
	esac
	expect_eq "lab $n: IPv4 exit address seen over HTTP" "$want4" "$T_EXIT4"
	expect_eq "lab $n: IPv6 exit address seen over HTTP" "$want6" "$T_EXIT6"
	if [ -n "$want_res" ]; then
		# shellcheck disable=SC2086 # word lists, split on purpose
		expect_eq "lab $n: resolvers seen by the server (glibc via resolv.conf)" \
			"$(words_sorted $want_res)" "$(words_sorted $T_RES)"
	else
		# rotate: both resolvers are used; the ISP's must be among them.
		case " $T_RES " in
		*" $LAB_ISP_EGRESS4 "* | *" $LAB_ISP_EGRESS6 "*) ok "lab $n: the ISP's resolver is among those seen ($T_RES)" ;;
		*) not_ok "lab $n: the ISP's resolver is among those seen ($T_RES)" ;;
		esac
	fi
}

# Common to every report that has a verdict.
check_report_shape() {
	local n=$1
	expect_true "client $n: report names the server, zone and a test id" \
		"d.get('server','').rstrip('/') == '$LAB_SERVER_URL' and d.get('zone') == '$LAB_ZONE' and len(d.get('id') or '') == 26"
	expect_true "client $n: every resolver has address, family (matching the address), queries, asn, org, country, trusted, classification" \
		"len(R) > 0 and all(all(k in r for k in ('address','family','queries','asn','org','country','trusted','classification')) and fam(r) == (6 if ':' in r['address'] else 4) for r in R)"
	expect_true "client $n: findings have id, severity, title, detail, steps" \
		"all(all(k in f for k in ('id','severity','title','detail','steps')) for f in d.get('findings') or [])"
	expect_true "client $n: probes sent/resolved/failed" \
		"all(isinstance((d.get('probes') or {}).get(k), int) for k in ('sent','resolved','failed')) and d['probes']['sent'] > 0"
}

# check_resolvers N ASN CLASS ADDR...: exactly these resolver addresses, each with this ASN and
# classification.
check_resolvers() {
	local n=$1 as=$2 cls=$3
	shift 3
	local want
	want=$(printf "'%s'," "$@")
	expect_true "client $n: resolvers reported are exactly {$*}" "A == {$want}"
	expect_true "client $n: every resolver is AS$as, classified $cls" \
		"all(asn(r) == $as and r.get('classification') == '$cls' for r in R)"
}

check_exit() {
	local n=$1 fam=$2 addr=$3 as=$4
	expect_true "client $n: exit.ipv$fam is $addr (AS$as)" \
		"E$fam.get('address') == '$addr' and asn(E$fam) == $as"
}

check_verdict() {
	local n=$1 verdict=$2 rc=$3
	expect_eq "client $n: exit code $rc" "$rc" "$RC"
	expect_true "client $n: verdict $verdict, with a reason" \
		"d.get('verdict') == '$verdict' and len(d.get('reason') or '') > 0"
}

client_scenario() {
	local n=$1
	run_client "$n"
	echo "# scenario $n: dnsleak exited $RC after $ELAPSED s"
	if [ "$(jr 'isinstance(d, dict)')" != True ]; then
		not_ok "client $n: a JSON report (exit $RC; $(jr 0))"
		return
	fi
	case $n in
	1)
		check_verdict "$n" PASS 0
		check_report_shape "$n"
		check_resolvers "$n" "$LAB_ASN_VPN" same-network "$LAB_VPN_EGRESS4" "$LAB_VPN_EGRESS6"
		check_exit "$n" 4 "$LAB_VPN_PUB4" "$LAB_ASN_VPN"
		check_exit "$n" 6 "$LAB_TUN6_CLIENT" "$LAB_ASN_VPN"
		expect_true "client $n: no high-severity finding" \
			"all(f.get('severity') != 'high' for f in d.get('findings') or [])"
		expect_true "client $n: every probe resolved" \
			"d['probes']['failed'] == 0 and d['probes']['resolved'] == d['probes']['sent']"
		;;
	2)
		check_verdict "$n" LEAK 1
		check_report_shape "$n"
		check_resolvers "$n" "$LAB_ASN_ISP" other-network "$LAB_ISP_EGRESS4" "$LAB_ISP_EGRESS6"
		expect_true "client $n: resolvers are Example ISP, DE, untrusted" \
			"all(r.get('org') == 'Example ISP' and r.get('country') == 'DE' and r.get('trusted') is False for r in R)"
		check_exit "$n" 4 "$LAB_VPN_PUB4" "$LAB_ASN_VPN"
		expect_true "client $n: finding DL-ISP-RESOLVER" "'DL-ISP-RESOLVER' in F"
		;;
	3)
		check_verdict "$n" LEAK 1
		check_report_shape "$n"
		expect_true "client $n: an IPv6 finding (DL-IPV6-DNS-LEAK or DL-IPV6-UNTUNNELLED)" \
			"bool(F & {'DL-IPV6-DNS-LEAK', 'DL-IPV6-UNTUNNELLED'})"
		check_exit "$n" 4 "$LAB_VPN_PUB4" "$LAB_ASN_VPN"
		check_exit "$n" 6 "$LAB_CLIENT_LAN6" "$LAB_ASN_ISP"
		expect_true "client $n: resolvers only from the VPN's and the ISP's resolvers" \
			"A <= {'$LAB_VPN_EGRESS4','$LAB_VPN_EGRESS6','$LAB_ISP_EGRESS4','$LAB_ISP_EGRESS6'}"
		expect_true "client $n: the ISP's resolver is reported as another network than the IPv4 exit" \
			"any(asn(r) == $LAB_ASN_ISP and r.get('classification') == 'other-network' for r in R)"
		expect_true "client $n: the VPN's resolver is not blamed" \
			"all(r.get('classification') == 'same-network' for r in R if asn(r) == $LAB_ASN_VPN)"
		expect_true "client $n: findings DL-ISP-RESOLVER and DL-IPV6-UNTUNNELLED" \
			"{'DL-ISP-RESOLVER', 'DL-IPV6-UNTUNNELLED'} <= F"
		expect_true "client $n: resolvers of both families are reported" \
			"{fam(r) for r in R} == {4, 6}"
		;;
	4)
		check_verdict "$n" PASS 0
		check_report_shape "$n"
		check_resolvers "$n" "$LAB_ASN_ISP" same-network "$LAB_ISP_EGRESS4" "$LAB_ISP_EGRESS6"
		check_exit "$n" 4 "$LAB_ROUTER_WAN4" "$LAB_ASN_ISP"
		check_exit "$n" 6 "$LAB_CLIENT_LAN6" "$LAB_ASN_ISP"
		;;
	4b)
		check_verdict "$n" LEAK 1
		check_report_shape "$n"
		check_resolvers "$n" "$LAB_ASN_ISP" other-network "$LAB_ISP_EGRESS4" "$LAB_ISP_EGRESS6"
		expect_true "client $n: no resolver trusted" "all(r.get('trusted') is False for r in R)"
		check_exit "$n" 4 "$LAB_ROUTER_WAN4" "$LAB_ASN_ISP"
		;;
	5)
		case $RC in
		2)
			ok "client $n: could not test (exit 2)"
			expect_true "client $n: verdict null with an error" \
				"d.get('verdict') is None and len(d.get('error') or '') > 0"
			;;
		3)
			ok "client $n: INCONCLUSIVE (exit 3)"
			expect_true "client $n: verdict INCONCLUSIVE, no resolver, a reason" \
				"d.get('verdict') == 'INCONCLUSIVE' and len(R) == 0 and len(d.get('reason') or '') > 0"
			;;
		*) not_ok "client $n: exit 2 or 3 (got $RC)" ;;
		esac
		if python3 -c "import sys; sys.exit(0 if $ELAPSED <= $HANG_BOUND else 1)"; then
			ok "client $n: no hang ($ELAPSED s <= $HANG_BOUND s)"
		else
			not_ok "client $n: no hang ($ELAPSED s > $HANG_BOUND s)"
		fi
		;;
	6)
		check_verdict "$n" WARN 3
		check_report_shape "$n"
		check_resolvers "$n" "$LAB_ASN_PUBLIC" public-dns "$LAB_PUB_EGRESS4" "$LAB_PUB_EGRESS6"
		expect_true "client $n: resolvers are Example Public DNS, US" \
			"all(r.get('org') == 'Example Public DNS' and r.get('country') == 'US' for r in R)"
		expect_true "client $n: finding DL-THIRD-PARTY-RESOLVER" "'DL-THIRD-PARTY-RESOLVER' in F"
		check_exit "$n" 4 "$LAB_VPN_PUB4" "$LAB_ASN_VPN"
		;;
	esac
}

# Why client checks cannot run (empty: they can).
client_missing() {
	local err
	if [ ! -x "$DNSLEAK" ]; then
		echo "$DNSLEAK not built"
		return
	fi
	err=$("$DNSLEAK" test --help 2>&1)
	case $err in
	*"not built yet"*)
		echo "dnsleak test not built yet"
		return
		;;
	esac
	if ! lab_dnsleakd_enriches; then
		echo "dnsleakd has no --asn-db yet (verdicts need the lab MMDB)"
	fi
}

scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && read -r -a scenarios <<<"$LAB_SCENARIOS"

t0=$SECONDS
if ! lab_up; then
	not_ok "lab: build and check every hop (see the lines above)"
	echo "1..$TAP_N"
	exit 1
fi
ok "lab: built, every hop checked ($((SECONDS - t0)) s; namespaces ${LAB_PREFIX}*)"
OUT=$(mktemp /tmp/dnsleak-lab-report.XXXXXX)
why=$(client_missing)
[ -n "$why" ] && echo "# client checks skipped: $why"

for n in "${scenarios[@]}"; do
	SCEN_FAILED=0
	if ! lab_scenario "$n"; then
		not_ok "lab $n: set up the scenario"
		continue
	fi
	echo "# $LAB_TITLE"
	check_truth "$n"
	if [ -n "$why" ]; then
		skip "client $n: $why"
		continue
	fi
	client_scenario "$n"
	if [ "$SCEN_FAILED" -gt 0 ]; then
		echo "# client $n stdout:"
		sed 's/^/#   /' "$OUT"
		echo "# client $n stderr:"
		sed 's/^/#   /' "$OUT.err"
	fi
	rm -f "$OUT.err"
done
# dnsleakd (the ASan build under make check) must stop cleanly after all that.
if [ -n "${LAB_PID_dnsleakd:-}" ]; then
	rc=0
	lab_stop "$LAB_PID_dnsleakd" || rc=$?
	LAB_PID_dnsleakd=
	if [ "$rc" -eq 0 ]; then
		ok "dnsleakd exits cleanly"
	else
		not_ok "dnsleakd exits cleanly (status $rc)"
		tail -n 30 "$LAB_DIR/dnsleakd.out" | sed 's/^/#   /'
	fi
fi
echo "# scenarios took $((SECONDS - t0)) s"
echo "1..$TAP_N"
[ "$TAP_FAILED" -eq 0 ]
