#!/usr/bin/env bash
# run.sh -- browser end-to-end tests in the lab (TAP): headless Chromium in the lab's client
# namespace loads dnsleakd's web page (http://leak.test/, through the lab's DNS) and its verdict,
# resolvers, exit addresses and findings must match what `dnsleak test --json` reports in the
# same scenario; the page's WebRTC candidates must be those Chromium really gathers.
#
# usage: tests/e2e/run.sh [SCENARIO...]     (root; default: 1 2 W Wfix)
#
#   1  VPN up, DNS to the VPN's resolver (PASS), compared with the CLI
#   2  VPN up, DNS to the home router, which asks the ISP (LEAK), compared with the CLI
#   W  VPN down, the browser's HTTP through tinyproxy in the VPN's network, WebRTC straight out
#      through the home router: WebRTC shows the home's address, the web exit is the proxy's:
#      LEAK with DL-WEBRTC-LEAK
#   Wfix  W with the page's advice applied (Chromium's WebRTC IP handling policy
#      disable_non_proxied_udp): no candidates, no WebRTC leak, PASS
#
# Per scenario: the CLI's JSON, then one browser run (page.mjs: a fresh profile, no DoH, the
# namespace's resolv.conf), then the assertions. Artefacts in E2E_ARTIFACTS (default
# build/test-artifacts/e2e): <scenario>.png (full page), .txt (the page's text),
# .results.json (the page's results document), .page.json (page.mjs's report), .cli.json.
#
# Environment: DNSLEAK, DNSLEAKD (default build/), CHROMIUM (/usr/bin/chromium), E2E_ARTIFACTS,
# PAGE_TIMEOUT (60 s: the page must be done within it), LAB_KEEP=1, LAB_VERBOSE=1.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lab/lab.sh
source "$HERE/../lab/lab.sh"
DNSLEAK=${DNSLEAK:-$LAB_ROOT/build/dnsleak}
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
ART=${E2E_ARTIFACTS:-$LAB_ROOT/build/test-artifacts/e2e}
PAGE_TIMEOUT=${PAGE_TIMEOUT:-60}
PAGE_URL=http://$LAB_ZONE/
PROFILES=()

source "$LAB_ROOT/tests/lab/tap.sh"

on_exit() {
	local rc=$? d
	lab_down
	for d in "${PROFILES[@]}"; do
		rm -rf "$d"
	done
	exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# ej DESC PYEXPR: PYEXPR over the scenario's documents is True. Names (tests/e2e/check.py):
# C the CLI's report, P page.mjs's report, R the page's results document (window.dnsleak),
# CAND/MINE the page's/our own candidates parsed, and helpers.
ej() {
	local got
	got=$(python3 "$HERE/check.py" "$CUR" "$2" 2>&1 | tail -n 1)
	if [ "$got" = True ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   expected: $2"
		echo "#   got:      $got"
	fi
}
# ev PYEXPR: print PYEXPR's value (for diagnostics).
ev() { python3 "$HERE/check.py" "$CUR" "$1" 2>&1 | tail -n 1; }

# page_missing: why the page cannot be tested (empty: it can). Asked from the client.
page_missing() {
	local ct
	ct=$(lab_x client curl -sS -m 3 -o /dev/null -w '%{http_code} %{content_type}' "$PAGE_URL")
	case $ct in
	"200 text/html"*) ;;
	*) echo "dnsleakd does not serve the web page at / yet (GET $PAGE_URL: $ct)" ;;
	esac
}

# browser N [ARG...]: page.mjs in the client namespace for scenario N; its report to
# $ART/N.page.json. Bounded: page.mjs's own hard deadline (the sum of its bounded phases, see
# HARD_S there: 180 s + the page timeout, twice that and 220 s more with --ux), then timeout(1)
# 30 s later kills it (lab_down kills anything left in the namespace). Sets BRC, B_ELAPSED.
browser() {
	local n=$1 prof t0 limit
	shift
	limit=$((30 + PAGE_TIMEOUT + 15 + 15 + 40 + 5 + 15 + 30))
	case " $* " in *" --ux "*) limit=$((limit + 15 + 5 + 10 + PAGE_TIMEOUT + 3 * 40 + 10)) ;; esac
	prof=$(mktemp -d /tmp/dnsleak-e2e-profile.XXXXXX)
	PROFILES+=("$prof")
	rm -f "$ART/$n".{png,txt,results.json,page.json} "$ART/$n-phone.png"
	t0=$EPOCHREALTIME
	lab_x client timeout -k 5 "$limit" env HOME="$prof" \
		node "$HERE/page.mjs" --url "$PAGE_URL" --out "$ART/$n" --profile "$prof" \
		--timeout "$PAGE_TIMEOUT" "$@" >"$ART/$n.page.json" 2>"$ART/$n.page.err"
	BRC=$?
	B_ELAPSED=$(python3 -c "print('%.1f' % ($EPOCHREALTIME - $t0))")
	rm -rf "$prof"
}

# dump N: what helps after a failure.
dump() {
	local n=$1
	echo "# scenario $n: page state $(ev 'P.get("state")'), error: $(ev 'P.get("error")')"
	echo "# #error: $(ev 'P.get("error_text")')"
	echo "# console: $(ev 'P.get("console")')"
	echo "# page errors: $(ev 'P.get("page_errors")')"
	echo "# failed requests (expected for probes): $(ev 'len(P.get("failed_requests") or [])')"
	echo "# page: verdict $(ev 'P.get("verdict")'), resolvers $(ev 'sorted(PA)'), exits $(ev '(P.get("exit4"), P.get("exit6"))'), findings $(ev 'sorted(PF)'), webrtc $(ev 'P.get("webrtc")')"
	echo "# page candidates: $(ev 'CAND_RAW')"
	echo "# our candidates:  $(ev 'MINE_RAW')"
	[ -s "$ART/$n.cli.json" ] &&
		echo "# CLI: verdict $(ev 'C.get("verdict")'), resolvers $(ev 'sorted(CA)'), exits $(ev '(CE4, CE6)'), findings $(ev 'sorted(CF)')"
	[ -s "$ART/$n.page.err" ] && tail -n 20 "$ART/$n.page.err" | sed 's/^/#   stderr: /'
	echo "# artefacts: $ART/$n.*"
}

# artefacts N: the screenshot and the page's text exist and are not trivial.
artefacts() {
	local n=$1 size
	size=$(stat -c %s "$ART/$n.png" 2>/dev/null || echo 0)
	if [ "$size" -gt 10000 ] && [ "$(head -c 8 "$ART/$n.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ]; then
		ok "browser $n: full-page screenshot saved ($ART/$n.png, $size bytes)"
	else
		not_ok "browser $n: full-page screenshot saved ($ART/$n.png: $size bytes, not a PNG > 10 kB)"
	fi
	ej "browser $n: the page's text and results document saved" \
		"os.path.getsize(P['text']) > 100 and json.load(open(P['results_file'])).get('id') == P['dnsleak']['id']"
}

# webrtc_checks N: the page's candidates are the ones Chromium gathers (our own
# RTCPeerConnection in the same browser, against the API's STUN URLs), and the server got them.
webrtc_checks() {
	local n=$1 want4=$2 status=$3 mdns_some=
	# Scenario 1's Chromium hides its host addresses behind mDNS names: there must be some.
	[ "$n" = 1 ] && mdns_some=" and len(MDNS(MINE_C)) > 0"
	ej "browser $n: the API hands out STUN URLs for dnsleakd's addresses" \
		"set(MINE.get('stun') or []) >= {'stun:$LAB_AUTH4:$LAB_STUN_PORT', 'stun:[$LAB_AUTH6]:$LAB_STUN_PORT'}"
	ej "browser $n: our own RTCPeerConnection gathered candidates to completion, a server-reflexive one among them" \
		"MINE.get('available') is True and MINE.get('complete') is True and 'srflx' in types(MINE_C)"
	ej "browser $n: window.dnsleak.candidates are real ICE candidates: the same types as ours" \
		"len(CAND) > 0 and all(c is not None for c in CAND) and types(CAND) == types(MINE_C)"
	ej "browser $n: the page's server-reflexive addresses are the ones Chromium gathers (ours)" \
		"srflx(CAND) == srflx(MINE_C) and len(srflx(CAND)) > 0"
	ej "browser $n: WebRTC's IPv4 server-reflexive address is $want4" \
		"srflx(CAND, 4) == {'$want4'}"
	ej "browser $n: the server's results list the same candidates (webrtc.candidates: types, srflx addresses)" \
		"W is not None and W.get('available') is True and len(W.get('candidates') or []) == len(CAND) and srflx_res(W) == srflx(CAND) and sorted(c.get('type') for c in W['candidates']) == sorted(c['type'] for c in CAND)"
	ej "browser $n: #webrtc lists each candidate (data-type; data-address of the server-reflexive ones)" \
		"sorted(i['type'] for i in P['webrtc']['items']) == sorted(c['type'] for c in CAND) and {i['address'] for i in P['webrtc']['items'] if i['type'] == 'srflx'} == srflx(CAND)"
	ej "browser $n: #webrtc shows each mDNS host candidate with data-address \"\" and its .local name (data-mdns): the names Chromium gives (ours)" \
		"{i['mdns'] for i in P['webrtc']['items'] if i['address'] == ''} == MDNS(CAND) == MDNS(MINE_C)$mdns_some"
	ej "browser $n: #webrtc data-status is \"$status\"" "P['webrtc']['status'] == '$status'"
}

# lab_ptr_dict: the lab's PTR records (LAB_PTRS) as a Python dict literal {address: name}.
lab_ptr_dict() {
	local e out="{"
	for e in "${LAB_PTRS[@]}"; do
		out+="'${e% *}': '${e#* }', "
	done
	echo "$out}"
}

# visitor_checks N: the page at phone width, with the keyboard, and its weight (page.mjs --ux).
visitor_checks() {
	local n=$1 size
	ej "browser $n: at phone width (390 px) nothing overflows sideways" \
		"P['ux']['phone_overflow_px'] <= 0"
	size=$(stat -c %s "$ART/$n-phone.png" 2>/dev/null || echo 0)
	if [ "$size" -gt 10000 ] && [ "$(head -c 4 "$ART/$n-phone.png" | od -An -tx1 | tr -d ' ')" = 89504e47 ]; then
		ok "browser $n: phone screenshot saved ($ART/$n-phone.png, $size bytes)"
	else
		not_ok "browser $n: phone screenshot saved ($ART/$n-phone.png: $size bytes, not a PNG > 10 kB)"
	fi
	ej "browser $n: the keyboard reaches \"Run again\" (Tab) and shows where the focus is (its focused outline/shadow differs from its unfocused one)" \
		"P['ux']['tabs_to_run_again'] is not None and P['ux']['focus_visible'] is True and P['ux']['run_again_style'] != P['ux']['run_again_focus_style']"
	ej "browser $n: Enter on \"Run again\" runs a new test to the end, with the same verdict" \
		"P['ux']['rerun']['state'] == 'done' and P['ux']['rerun']['id'] != P['ux']['first_id'] and P['ux']['rerun']['verdict'] == P.get('verdict')"
	ej "browser $n: after the run \"Run again\" started, the focus is on the verdict (#verdict), not lost on <body>" \
		"P['ux']['rerun']['active'] == 'verdict'"
	ej "browser $n: the live region (#status-live) announces the verdict and its reason at the end, also after \"Run again\"" \
		"P.get('verdict') in (P.get('live') or '') and (P.get('reason') or '-') in P.get('live') and P['ux']['rerun']['verdict'] in (P['ux']['rerun']['live'] or '')"
	ej "browser $n: the skip link (Tab once from the top, Enter) goes to #main; the results stay, no error" \
		"UX['skip'].get('first_tab') == '#main' and UX['skip'].get('hash') == '#main' and UX['skip'].get('state') == 'done' and UX['skip'].get('error_hidden') is True and UX['skip'].get('results_hidden') is False and UX['skip'].get('id') == UX['first_id'] and UX['skip'].get('verdict') == P.get('verdict')"
	ej "browser $n: a malformed share link (/#not-a.share-link) ends in state error with a message" \
		"UX['malformed'].get('state') == 'error' and 'malformed' in (UX['malformed'].get('error_text') or '') and UX['malformed'].get('run_again_disabled') is False"
	ej "browser $n: an unknown share link (/#<26>.<32> of garbage) ends in state error: unknown or expired" \
		"UX['unknown'].get('state') == 'error' and 'unknown or has expired' in (UX['unknown'].get('error_text') or '') and UX['unknown'].get('run_again_disabled') is False"
	ej "browser $n: POST /api/v1/tests answering 500 ends in state error (the status in the message), \"Run again\" enabled" \
		"UX['api_fail'].get('state') == 'error' and '500' in (UX['api_fail'].get('error_text') or '') and UX['api_fail'].get('error_hidden') is False and UX['api_fail'].get('run_again_disabled') is False"
	ej "browser $n: the page's own files weigh less than 64 KiB in all" \
		"0 < sum(f['bytes'] for f in P['ux']['files']) < 65536 and any(f['path'] == '/app.js' for f in P['ux']['files'])"
	echo "# browser $n: page files $(ev "sum(f['bytes'] for f in P['ux']['files'])") bytes, DOMContentLoaded at $(ev "P['ux']['dom_content_loaded_ms']") ms, $(ev "P['ux']['tabs_to_run_again']") Tabs to Run again"
}

# proxied N: tinyproxy's log shows requests for this test's own names and API path (the page's
# probes and polls went through the proxy), not just lab_proxy's own hop check.
proxied() {
	local n=$1 id cnt
	id=$(ev "DL.get('id') or ''")
	cnt=0
	[[ $id =~ ^[a-z2-7]{26}$ ]] &&
		cnt=$(grep -c -e "v4-$id\." -e "/api/v1/tests/$id" "$LAB_DIR/tinyproxy.out" 2>/dev/null)
	if [ "${cnt:-0}" -gt 0 ]; then
		ok "lab $n: tinyproxy carried the page's requests ($cnt log lines for test $id)"
	else
		not_ok "lab $n: tinyproxy carried the page's requests (no log line names test '$id')"
	fi
}

# compare_cli N WANT_VERDICT FINDINGS EXIT6 RESOLVERS...: the page against the CLI's report, and
# both against what the scenario must show (FINDINGS: "some" when the CLI must report findings;
# EXIT6 the scenario's IPv6 exit).
compare_cli() {
	local n=$1 want=$2 some=$3 exit6=$4 res
	shift 4
	res=$(printf "'%s'," "$@")
	ej "CLI $n: dnsleak test --json wrote a report (${n}.cli.json)" \
		"len(C) > 0 and not LOAD_ERRORS and isinstance(C.get('findings'), list)"

	ej "browser $n: the page finished (data-state done) within $PAGE_TIMEOUT s" "P.get('state') == 'done'"
	ej "CLI $n: dnsleak test says $want" "C.get('verdict') == '$want'"
	ej "browser $n: the page's verdict (#verdict data-verdict) is the CLI's ($want)" \
		"P.get('verdict') == C.get('verdict') == '$want' and R.get('verdict') == '$want'"
	ej "browser $n: #reason is a sentence" "len(P.get('reason') or '') > 20"
	ej "browser $n: the page's resolvers (address, family) are the CLI's" \
		"PRES == CRES and len(PRES) > 0"
	ej "browser $n: ... and those the scenario sends DNS to ($*): Chromium used the namespace's resolv.conf" \
		"PA == {$res}"
	ej "browser $n: the resolver table's query counts and ASNs are the results document's" \
		"all(r['queries'] == str(RQ[r['address']][0]) and r['asn'] == ('' if RQ[r['address']][1] is None else str(RQ[r['address']][1])) for r in P['resolvers'])"
	ej "browser $n: the page's IPv4 exit is the CLI's" \
		"CE4 is not None and P.get('exit4') == CE4"
	ej "browser $n: the page's IPv6 exit is the CLI's, the scenario's ($exit6)" \
		"P.get('exit6') == CE6 == '$exit6'"
	if [ "$some" = some ]; then
		ej "browser $n: the page shows every finding of the CLI's (#findings li data-id), and there are some" \
			"len(C) > 0 and len(CF) > 0 and CF <= PF"
	else
		ej "browser $n: the page shows every finding of the CLI's (#findings li data-id)" \
			"len(C) > 0 and CF <= PF"
	fi
	# Reverse names come from background lookups (dnsleakd --rdns) through the lab's public
	# resolver; the page polls, so its last results carry them.
	ej "browser $n: the results name each resolver by its PTR record (resolvers[].ptr)" \
		"all(r.get('ptr') == $(lab_ptr_dict).get(r['address']) for r in R['resolvers'])"
	ej "browser $n: the page's resolver table shows those reverse names (each in its own row)" \
		"len(P['resolvers']) > 0 and all($(lab_ptr_dict)[r['address']] in r['text'] for r in P['resolvers'])"
	ej "browser $n: the share link (/#<id>.<token>) shows the same test: verdict, resolvers, exits, findings, no new probes" \
		"S.get('state') == 'done' and S.get('id') == DL.get('id') and S.get('verdict') == P.get('verdict') and {(r['address'], r['family']) for r in S['resolvers']} == {(r['address'], r['family']) for r in P['resolvers']} and (S.get('exit4'), S.get('exit6')) == (P.get('exit4'), P.get('exit6')) and set(S.get('findings')) == PF and isinstance(S.get('total'), int) and S.get('total') >= R.get('total') > 0"
}

# scenario N: one scenario, asserted.
scenario() {
	local n=$1 why
	SCEN_FAILED=0
	CUR=$ART/$n
	case $n in
	Wfix) lab_scenario W ;;
	*) lab_scenario "$n" ;;
	esac || {
		not_ok "lab $n: set up the scenario"
		return
	}
	echo "# $LAB_TITLE"
	case $n in
	1 | 2)
		lab_dnsleak "${LAB_RUNS[0]}" --json >"$ART/$n.cli.json" 2>"$ART/$n.cli.err"
		echo "# CLI $n: dnsleak test exited $?"
		# Scenario 1 also goes where a visitor goes: a phone, the keyboard (--ux).
		if [ "$n" = 1 ]; then browser "$n" --ux 1; else browser "$n"; fi
		echo "# browser $n: page.mjs exited $BRC after $B_ELAPSED s"
		artefacts "$n"
		if [ "$n" = 1 ]; then
			# IPv6 is routed, not NATed: the IPv6 exit is the client's tunnel address.
			compare_cli 1 PASS none "$LAB_TUN6_CLIENT" "$LAB_VPN_EGRESS4" "$LAB_VPN_EGRESS6"
		else
			compare_cli 2 LEAK some "$LAB_TUN6_CLIENT" "$LAB_ISP_EGRESS4" "$LAB_ISP_EGRESS6"
		fi
		[ "$n" = 1 ] && visitor_checks 1
		if [ -n "$NO_STUN" ]; then
			skip "browser $n WebRTC: $NO_STUN"
		else
			# The tunnel carries everything: WebRTC shows the VPN's exit, no WebRTC leak.
			webrtc_checks "$n" "$LAB_VPN_PUB4" ok
			ej "browser $n: WebRTC's server-reflexive addresses are the CLI's exit addresses" \
				"srflx(CAND) <= {CE4, CE6} and CE4 in srflx(CAND)"
			ej "browser $n: no DL-WEBRTC-LEAK (the tunnel carries WebRTC too)" \
				"'DL-WEBRTC-LEAK' not in PF and W.get('leak') is False"
		fi
		;;
	W)
		browser W --proxy "$LAB_PROXY_URL"
		echo "# browser W: page.mjs exited $BRC after $B_ELAPSED s (through $LAB_PROXY_URL)"
		artefacts W
		ej "browser W: the page finished (data-state done) within $PAGE_TIMEOUT s" "P.get('state') == 'done'"
		ej "browser W: the web exit is the proxy's: IPv4 $LAB_VPN_PUB4" "P.get('exit4') == '$LAB_VPN_PUB4'"
		ej "browser W: only the proxy's resolver (the VPN's) saw the names: Chromium resolved nothing itself" \
			"PA <= {'$LAB_VPN_EGRESS4', '$LAB_VPN_EGRESS6'} and '$LAB_VPN_EGRESS4' in PA"
		proxied W
		if [ -n "$NO_STUN" ]; then
			skip "browser W WebRTC: $NO_STUN"
			[ "$SCEN_FAILED" -gt 0 ] && dump W
			return
		fi
		webrtc_checks W "$LAB_ROUTER_WAN4" leak
		ej "browser W: the server flags it: webrtc.leak, the server-reflexive candidate exposes $LAB_ROUTER_WAN4" \
			"W.get('leak') is True and any(c.get('address') == '$LAB_ROUTER_WAN4' and c.get('exposes') is True for c in W['candidates'])"
		ej "browser W: the page shows DL-WEBRTC-LEAK and the verdict LEAK" \
			"'DL-WEBRTC-LEAK' in PF and P.get('verdict') == 'LEAK' and R.get('verdict') == 'LEAK'"
		;;
	Wfix)
		# W with the page's own advice: WebRTC limited to the proxy (Chromium's WebRTC IP
		# handling policy, as the WebRtcIPHandling policy or an extension sets it).
		browser Wfix --proxy "$LAB_PROXY_URL" --webrtc-policy disable_non_proxied_udp
		echo "# browser Wfix: page.mjs exited $BRC after $B_ELAPSED s (through $LAB_PROXY_URL, WebRTC policy disable_non_proxied_udp)"
		artefacts Wfix
		ej "browser Wfix: the page finished (data-state done) within $PAGE_TIMEOUT s" "P.get('state') == 'done'"
		ej "browser Wfix: the web exit is still the proxy's ($LAB_VPN_PUB4), the resolvers the VPN's" \
			"P.get('exit4') == '$LAB_VPN_PUB4' and PA <= {'$LAB_VPN_EGRESS4', '$LAB_VPN_EGRESS6'} and len(PA) > 0"
		proxied Wfix
		if [ -n "$NO_STUN" ]; then
			skip "browser Wfix WebRTC: $NO_STUN"
		else
			ej "browser Wfix: with UDP outside the proxy disabled Chromium gathers nothing (our own RTCPeerConnection, to completion)" \
				"MINE.get('stun') and MINE.get('available') is True and MINE.get('complete') is True and MINE_RAW == []"
			ej "browser Wfix: the page reports just that: no candidates, #webrtc data-status \"none\", none at the server" \
				"W is not None and W.get('available') is True and isinstance(DL.get('candidates'), list) and CAND_RAW == [] and P['webrtc']['status'] == 'none' and P['webrtc']['items'] == [] and W is not None and W.get('candidates') == [] and W.get('leak') is False"
			ej "browser Wfix: no DL-WEBRTC-LEAK, verdict PASS" \
				"'DL-WEBRTC-LEAK' not in PF and P.get('verdict') == 'PASS' and R.get('verdict') == 'PASS'"
		fi
		;;
	*)
		not_ok "no browser scenario $n (have: 1 2 W Wfix)"
		return
		;;
	esac
	[ "$SCEN_FAILED" -gt 0 ] && dump "$n"
}

scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && scenarios=(1 2 W Wfix)
mkdir -p "$ART" || exit 1
t0=$SECONDS
if ! lab_up; then
	not_ok "lab: build and check every hop (see the lines above)"
	echo "1..$TAP_N"
	exit 1
fi
ok "lab: built, every hop checked ($((SECONDS - t0)) s; namespaces ${LAB_PREFIX}*)"
NO_STUN=
lab_dnsleakd_stuns || NO_STUN="$DNSLEAKD has no STUN responder (--stun) yet"
why=$(page_missing)
if [ -n "$why" ]; then
	skip "browser: $why"
else
	for n in "${scenarios[@]}"; do
		if [ "${n#W}" != "$n" ] && ! command -v tinyproxy >/dev/null 2>&1; then
			skip "browser $n: needs tinyproxy"
			continue
		fi
		scenario "$n"
	done
fi
tap_dnsleakd_exit
echo "# e2e took $((SECONDS - t0)) s"
echo "1..$TAP_N"
[ "$TAP_FAILED" -eq 0 ]
