#!/usr/bin/env bash
# client_errors.sh -- `dnsleak test' when it cannot test: bad usage, no server, a server that
# refuses connections, never answers, or answers garbage, HTML, 500, 10 MB, wrong JSON types or
# the wrong test: always exit 2 with a message saying why (and {"verdict": null, "error"} with
# --json), never a crash, and within the timeout. fake_api.py plays the bad server. Then the
# client's own reading of good answers (the report, --json, --expect) against the fake server,
# and, as root with unbound, one real test end to end in a network namespace.
source "$(dirname "$0")/lib.sh"

DNSLEAK=${DNSLEAK:-$ROOT/build/san/dnsleak}
unset DNSLEAK_SERVER NO_COLOR

# run_client ARGS...: sets RC, OUT, ERR and ELAPSED_MS.
run_client() {
	local start
	start=$(date +%s%N)
	"$DNSLEAK" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	RC=$?
	ELAPSED_MS=$((($(date +%s%N) - start) / 1000000))
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}
no_sanitizer_report() { ! grep -qE 'Sanitizer|runtime error' "$TMP/err"; }
# expect_cannot_test DESC REGEX: exit 2, stderr says why, nothing crashed.
expect_cannot_test() {
	expect_eq "$1: exit 2" 2 "$RC"
	expect_match "$1: says why" "$2" "$ERR"
	check "$1: no sanitizer report" no_sanitizer_report
}
# expect_usage DESC REGEX: expect_cannot_test, and the usage line follows.
expect_usage() {
	expect_cannot_test "$@"
	expect_match "$1: usage line" 'usage: dnsleak test ' "$ERR"
}
jout() { json "$1" <<<"$OUT" 2>/dev/null; }

# ---- usage -------------------------------------------------------------------------------
run_client test
expect_cannot_test "no server configured" '^dnsleak test: no server: use --server URL or DNSLEAK_SERVER$'
DNSLEAK_SERVER= run_client test
expect_cannot_test "empty DNSLEAK_SERVER" 'no server: use --server URL or DNSLEAK_SERVER'
run_client test --server http://127.0.0.1:9 --count 0
expect_usage "--count 0" "--count: \`0' is not a number from 1 to 100"
run_client test --server http://127.0.0.1:9 --count abc
expect_usage "--count abc" "--count: \`abc' is not a number from 1 to 100"
run_client test --server http://127.0.0.1:9 --count 101
expect_usage "--count 101" "--count: \`101' is not a number"
run_client test --server http://127.0.0.1:9 -n -3
expect_usage "-n -3" "--count: \`-3' is not a number"
run_client test --server http://127.0.0.1:9 --count 12abc
expect_usage "--count 12abc" "--count: \`12abc' is not a number"
run_client test --server http://127.0.0.1:9 --timeout 0
expect_usage "--timeout 0" "--timeout: \`0' is not a number of seconds from 1 to 300"
run_client test --server http://127.0.0.1:9 --timeout 1.5
expect_usage "--timeout 1.5" "--timeout: \`1.5' is not"
run_client test --server http://127.0.0.1:9 --frobnicate
expect_usage "unknown flag --frobnicate" 'unknown option --frobnicate'
run_client test --server http://127.0.0.1:9 -x
expect_usage "unknown flag -x" 'unknown option -x'
run_client test --server
expect_usage "--server without a value" '--server needs a value'
run_client test --server http://127.0.0.1:9 stray
expect_usage "a stray argument" "unexpected argument \`stray'"
run_client test --server http://127.0.0.1:9 --expect nonsense
expect_usage "--expect nonsense" "--expect: \`nonsense' is not an address, a prefix or an ASN"
run_client test --server http://127.0.0.1:9 --expect 198.51.100.0/33
expect_usage "--expect with a prefix too long" "--expect: \`198.51.100.0/33' is not"
run_client test --count 0 --json --server http://127.0.0.1:9
expect_usage "--json after a bad flag" "--count"
expect_eq "--json usage error: {\"verdict\": null, \"error\"}" \
	"None --count: \`0' is not a number from 1 to 100" "$(jout '"%s %s" % (d["verdict"], d["error"])')"
run_client test --help
expect_eq "--help: exit 0" 0 "$RC"
expect_match "--help: usage line" '^usage: dnsleak test \[-hj\] \[-s url\] \[-n count\] \[-e prefix\|asn\]\.\.\. \[-t seconds\]' "$OUT"
expect_match "--help: exit codes" '0  PASS.*1  LEAK.*2  could not test.*3  WARN or INCONCLUSIVE' "$(tr '\n' ' ' <<<"$OUT")"
run_client
expect_match "no command: the audit runs (exit 0, 1 or 3, not 2)" '^[013]$' "$RC"
expect_match "no command: the audit's verdict is printed" 'Verdict: (PASS|LEAK|WARN|INCONCLUSIVE)' "$OUT"
expect_match "no command, no server: says how to add the test" 'No test server given' "$OUT"
run_client --count 3
expect_cannot_test "no command, test options but no server" "test options need a server"
run_client audit --bogus
expect_eq "dnsleak audit --bogus: exit 2" 2 "$RC"
run_client fix --bogus
expect_eq "dnsleak fix --bogus: exit 2" 2 "$RC"
run_client watch --duration abc
expect_eq "dnsleak watch --duration abc: exit 2" 2 "$RC"
run_client tes
expect_cannot_test "no prefix matching of commands" "unknown command \`tes'"
run_client test --server ftp://127.0.0.1/
expect_cannot_test "an ftp:// server" "bad server URL \`ftp://127.0.0.1/': the URL must start with http:// or https://"
run_client test --server 127.0.0.1:8053
expect_cannot_test "a server without a scheme" "bad server URL"
run_client test --server 'http://127.0.0.1:9/?x=1'
expect_cannot_test "a server URL with a query" "must not carry a user, password, query or fragment"

# ---- nothing listening -------------------------------------------------------------------
PORT=$(free_port)
run_client test --server "http://127.0.0.1:$PORT" --timeout 3
expect_cannot_test "connection refused" "could not create a test at http://127.0.0.1:$PORT: .*Connection refused"
run_client test --server "http://127.0.0.1:$PORT" --json --timeout 3
expect_eq "connection refused, --json: exit 2" 2 "$RC"
expect_match "connection refused, --json: {\"verdict\": null, \"error\"}" \
	"^None could not create a test at http://127.0.0.1:$PORT: .*Connection refused" \
	"$(jout '"%s %s" % (d["verdict"], d["error"])')"
expect_eq "connection refused, --json: nothing else in the document" "['error', 'verdict']" \
	"$(jout 'sorted(d)')"

# ---- a bad server ------------------------------------------------------------------------
python3 "$ROOT/tests/integration/fake_api.py" "$TMP/fake.port" >"$TMP/fake.log" 2>&1 &
FAKE_PID=$!
on_exit "kill $FAKE_PID; wait $FAKE_PID"
for _ in $(seq 1 100); do
	[ -s "$TMP/fake.port" ] && break
	sleep 0.05
done
FAKE="http://127.0.0.1:$(cat "$TMP/fake.port" 2>/dev/null)"
check "fake_api.py is up" curl -fsS -X POST -o /dev/null "$FAKE/ok/api/v1/tests"

run_client test --server "$FAKE/garbage"
expect_cannot_test "garbage instead of JSON" "could not create a test at $FAKE/garbage: the server's answer is not JSON \(Content-Type application/json, JSON error: "
run_client test --server "$FAKE/garbageesc"
expect_cannot_test "escapes instead of JSON" "the server's answer is not JSON \(.*\\\\x1B"
check "escapes instead of JSON: none reaches the terminal" test "$(grep -c $'[\033\007]' "$TMP/err")" -eq 0
run_client test --server "$FAKE/deep"
expect_cannot_test "500,000 nested arrays" "the server's answer is not JSON \(.*maximum parsing depth"
run_client test --server "$FAKE/html"
expect_cannot_test "an HTML page with 200" "could not create a test at $FAKE/html: the server answered HTTP 200, not 201"
run_client test --server "$FAKE/html201"
expect_cannot_test "an HTML page with 201" "the server's answer is not JSON \(Content-Type text/html"
run_client test --server "$FAKE/500"
expect_cannot_test "HTTP 500 with a JSON error" "the server answered HTTP 500: internal error$"
run_client test --server "$FAKE/500plain"
expect_cannot_test "HTTP 500 without JSON" "the server answered HTTP 500, not 201$"
run_client test --server "$FAKE/huge"
expect_cannot_test "a 10 MB answer with its length" "the answer is larger than 1048576 bytes"
run_client test --server "$FAKE/hugestream"
expect_cannot_test "a 10 MB answer without a length" "the answer is larger than 1048576 bytes"
run_client test --server "$FAKE/types"
expect_cannot_test "wrong JSON types" "unusable answer: id is an integer, not a string$"
run_client test --server "$FAKE/badid"
expect_cannot_test "an id that is not a test id" "unusable answer: id is not a test id"
run_client test --server "$FAKE/redirect"
expect_cannot_test "a redirect" "HTTP 301, redirecting to https://elsewhere.example/: use that URL as --server"
run_client test --server "$FAKE/slow" --timeout 2
expect_cannot_test "a server that never answers" "could not create a test at $FAKE/slow: .*[Tt]imed out"
check "a server that never answers: gave up in ${ELAPSED_MS} ms (< 2 s + 5 s)" test "$ELAPSED_MS" -lt 7000
run_client test --server "$FAKE/slow" --timeout 2 --json
expect_match "a server that never answers, --json: the error" '^None could not create a test' \
	"$(jout '"%s %s" % (d["verdict"], d["error"])')"
DNSLEAK_SERVER="$FAKE/garbage" run_client test
expect_cannot_test "DNSLEAK_SERVER is the default server" "could not create a test at $FAKE/garbage"
DNSLEAK_SERVER="$FAKE/garbage" run_client test --server "$FAKE/500"
expect_cannot_test "--server wins over DNSLEAK_SERVER" "could not create a test at $FAKE/500"

# These get a test under example.invalid: the names fail (or time out within 1 s), then the
# results are bad.
run_client test --server "$FAKE/results404" --count 1 --timeout 1
expect_cannot_test "results: 404" "could not read the results from $FAKE/results404: the server answered HTTP 404: unknown or expired test"
run_client test --server "$FAKE/badresults" --count 1 --timeout 1
expect_cannot_test "results: wrong JSON type" "the results from $FAKE/badresults are unusable: resolvers\[0\]\.asn is a string, not an integer$"
run_client test --server "$FAKE/otherid" --count 1 --timeout 1
expect_cannot_test "results: another test" "the server answered with the results of another test"

# ---- good answers from the fake server ---------------------------------------------------
run_client test --server "$FAKE/good" --count 1 --timeout 1 --expect 198.51.100.0/24 --expect AS64500 --expect 2001:db8::/32
expect_eq "a LEAK: exit 1" 1 "$RC"
check "a LEAK: no sanitizer report" no_sanitizer_report
expect_match "a LEAK: the resolvers table" \
	'ADDRESS +FAMILY +QUERIES +NETWORK +COUNTRY +CLASSIFICATION.*198\.51\.100\.10 +IPv4 +3 +AS64500 Example ISP +DE +other-network' \
	"$(tr '\n' ' ' <<<"$OUT")"
expect_match "a LEAK: the exits" 'IPv4  203\.0\.113\.7  AS64501 Example VPN  NL.*IPv6  none' "$(tr '\n' ' ' <<<"$OUT")"
expect_match "a LEAK: --expect values reach the server, encoded and decoded back" \
	'Verdict: LEAK.*expect=198\.51\.100\.0/24,AS64500,2001:db8::/32' "$(tr '\n' ' ' <<<"$OUT")"
expect_match "a LEAK: the finding and its steps" \
	'\[high\] DL-ISP-RESOLVER: ISP resolver.*1\. Send DNS through the tunnel\..*2\. Run the test again\.' \
	"$(tr '\n' ' ' <<<"$OUT")"
expect_match "a LEAK: three probe names for --count 1" 'Probe names through the system resolver: 3 sent' "$OUT"
check "a LEAK: no colour when stdout is not a terminal" test "$(grep -c $'\033' "$TMP/out")" -eq 0
run_client test --server "$FAKE/good" --count 1 --timeout 1 --json
expect_eq "a LEAK, --json: exit 1" 1 "$RC"
expect_eq "a LEAK, --json: the keys" \
	"['exit', 'findings', 'id', 'note', 'probes', 'reason', 'resolvers', 'server', 'verdict', 'zone']" \
	"$(jout 'sorted(d)')"
expect_eq "a LEAK, --json: verdict, server, id, zone" \
	"LEAK $FAKE/good nme2pglajsvluxwplf2znhnlkm example.invalid" \
	"$(jout '" ".join([d["verdict"], d["server"], d["id"], d["zone"]])')"
expect_eq "a LEAK, --json: a resolver" \
	"198.51.100.10 4 3 64500 Example ISP DE False other-network" \
	"$(jout '" ".join(str(d["resolvers"][0][k]) for k in ["address", "family", "queries", "asn", "org", "country", "trusted", "classification"])')"
expect_eq "a LEAK, --json: exits" "203.0.113.7 64501 None" \
	"$(jout '"%s %s %s" % (d["exit"]["ipv4"]["address"], d["exit"]["ipv4"]["asn"], d["exit"]["ipv6"])')"
expect_eq "a LEAK, --json: finding" "DL-ISP-RESOLVER high 2" \
	"$(jout '"%s %s %d" % (d["findings"][0]["id"], d["findings"][0]["severity"], len(d["findings"][0]["steps"]))')"
expect_eq "a LEAK, --json: probes" "3 3" \
	"$(jout '"%d %d" % (d["probes"]["sent"], d["probes"]["resolved"] + d["probes"]["failed"] + d["probes"]["timed_out"])')"

run_client test --server "$FAKE/escapes" --count 1 --timeout 1
expect_eq "escapes in server strings: a WARN, exit 3" 3 "$RC"
check "escapes in server strings: no ESC or BEL reaches the terminal" \
	test "$(grep -c $'[\033\007]' "$TMP/out")" -eq 0
expect_match "escapes in server strings: shown escaped" \
	'Evil\\x1B\]0;pwned\\x07 Org\\u009B.*Look \\x1B\[2J\\x1B\[31mhere\\u202E' "$(tr '\n' ' ' <<<"$OUT")"
run_client test --server "$FAKE/escapes" --count 1 --timeout 1 --json
check "escapes in server strings, --json: ASCII only" test "$(LC_ALL=C grep -c $'[\001-\037\177-\377]' "$TMP/out")" -eq 0
expect_eq "escapes in server strings, --json: the string survives" "Evil"$'\x1b'"]0;pwned"$'\x07'" Org"$'\xc2\x9b' \
	"$(jout 'd["resolvers"][0]["org"]')"

# ---- one real test: unbound and dnsleakd in a network namespace ----------------------------
happy_path() {
	local ns="dlc$$" up=0
	nsx() { ip netns exec "$ns" "$@"; }
	ip netns add "$ns" || { not_ok "create namespace $ns"; return; }
	on_exit "ip netns del $ns"
	on_exit 'for p in $(ip netns pids '"$ns"' 2>/dev/null); do kill $p; done; sleep 0.2'
	# ip netns exec mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf.
	mkdir -p "/etc/netns/$ns"
	on_exit "rm -rf /etc/netns/$ns"
	echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"
	nsx ip link set lo up
	for a in 198.51.100.53/32 198.51.100.10/32 192.0.2.80/32; do nsx ip addr add "$a" dev lo; done
	for a in 2001:db8::53/128 2001:db8::10/128 2001:db8::80/128; do nsx ip addr add "$a" dev lo nodad; done

	ip netns exec "$ns" "$DNSLEAKD" --dns 198.51.100.53:53 --dns '[2001:db8::53]:53' \
		--http 192.0.2.80:8053 --http '[2001:db8::80]:8053' \
		--ns ns1=198.51.100.53 --ns ns1=2001:db8::53 \
		--web-address 192.0.2.80 --web-address 2001:db8::80 \
		--secret-file "$TMP/secret" --rdns no >"$TMP/dnsleakd.log" 2>&1 &
	DLD_PID=$!
	on_exit stop_dnsleakd
	cat >"$TMP/unbound.conf" <<CONF
server:
	interface: 127.0.0.1
	port: 53
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$TMP"
	pidfile: ""
	use-syslog: no
	logfile: "$TMP/unbound.log"
	do-ip6: yes
	outgoing-interface: 198.51.100.10
	outgoing-interface: 2001:db8::10
	do-not-query-localhost: no
	local-zone: "test." nodefault
stub-zone:
	name: "leak.test"
	stub-addr: 198.51.100.53
	stub-addr: 2001:db8::53
CONF
	ip netns exec "$ns" unbound -d -c "$TMP/unbound.conf" >"$TMP/unbound.out" 2>&1 &
	local unb=$!
	on_exit "kill $unb; wait $unb"
	for _ in $(seq 1 100); do
		if nsx curl -fsS http://192.0.2.80:8053/healthz >/dev/null 2>&1 &&
			nsx dig +time=1 +tries=1 @127.0.0.1 leak.test SOA >/dev/null 2>&1; then
			up=1
			break
		fi
		sleep 0.1
	done
	check "namespace $ns: dnsleakd and unbound are up" test "$up" -eq 1

	local server=http://192.0.2.80:8053
	DNSLEAK_SERVER=$server run_client_ns "$ns" test --json --timeout 5
	expect_eq "real test, no --expect: INCONCLUSIVE (no network data), exit 3" "3 INCONCLUSIVE" "$RC $(jout 'd["verdict"]')"
	check "real test: no sanitizer report" no_sanitizer_report
	expect_eq "real test: every probe name resolved through unbound" "20 20" \
		"$(jout '"%d %d" % (d["probes"]["sent"], d["probes"]["resolved"])')"
	expect_eq "real test: the resolvers are unbound's egress addresses" \
		"198.51.100.10/4 2001:db8::10/6" \
		"$(jout '" ".join(sorted("%s/%d" % (r["address"], r["family"]) for r in d["resolvers"]))')"
	expect_eq "real test: the exits over IPv4 and IPv6" "192.0.2.80 2001:db8::80" \
		"$(jout '"%s %s" % (d["exit"]["ipv4"] and d["exit"]["ipv4"]["address"], d["exit"]["ipv6"] and d["exit"]["ipv6"]["address"])')"
	run_client_ns "$ns" test --server "$server" --json --timeout 5 --expect 198.51.100.10 --expect 2001:db8::10/128
	expect_eq "real test, --expect both egress addresses: PASS, exit 0" "0 PASS" "$RC $(jout 'd["verdict"]')"
	expect_eq "real test, --expect: both resolvers trusted" "True True" \
		"$(jout '" ".join(str(r["trusted"]) for r in sorted(d["resolvers"], key=lambda r: r["address"]))')"
	run_client_ns "$ns" test --server "$server" --timeout 5 --count 3 --expect 203.0.113.0/24
	expect_eq "real test, --expect another network: LEAK, exit 1" 1 "$RC"
	expect_match "real test, human report: table and verdict" \
		'198\.51\.100\.10 +IPv4 .*Verdict: LEAK' "$(tr '\n' ' ' <<<"$OUT")"
	expect_match "real test, --count 3: 5 probe names" '5 sent, 5 resolved' "$OUT"

	# A resolver that never answers: a UDP socket nobody reads.
	ip netns exec "$ns" python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.2", 53))
time.sleep(3600)' &
	local hole=$!
	on_exit "kill $hole"
	sleep 0.3
	echo "nameserver 127.0.0.2" >"/etc/netns/$ns/resolv.conf"
	run_client_ns "$ns" test --server "$server" --timeout 2
	expect_eq "a resolver that never answers: INCONCLUSIVE, exit 3" 3 "$RC"
	check "a resolver that never answers: no sanitizer report" no_sanitizer_report
	expect_match "a resolver that never answers: says so" \
		'Verdict: INCONCLUSIVE.*Note: your resolver did not answer within 2 s: all 20 probe names timed out\.' \
		"$(tr '\n' ' ' <<<"$OUT")"
	expect_match "a resolver that never answers: no resolver seen" 'none: no resolver asked' "$OUT"
	check "a resolver that never answers: done in ${ELAPSED_MS} ms (< 2 s + 5 s)" test "$ELAPSED_MS" -lt 7000
	run_client_ns "$ns" test --server "$server" --timeout 1 --json
	expect_eq "a resolver that never answers, --json: verdict, probes" "3 INCONCLUSIVE 20 20" \
		"$RC $(jout '"%s %d %d" % (d["verdict"], d["probes"]["sent"], d["probes"]["timed_out"])')"
	expect_match "a resolver that never answers, --json: the note" '^your resolver did not answer within 1 s' \
		"$(jout 'd["note"]')"
	expect_eq "a resolver that never answers, --json: the finding" "DL-NO-DNS-SEEN" \
		"$(jout '" ".join(f["id"] for f in d["findings"])')"
	check "real test: dnsleakd exits cleanly" stop_dnsleakd
	if [ "$TAP_FAILED" -gt 0 ]; then
		sed 's/^/# dnsleak: /' "$TMP/err" | head -40
		sed 's/^/# dnsleakd: /' "$TMP/dnsleakd.log" | tail -20
	fi
}
run_client_ns() {
	local ns=$1
	shift
	local start
	start=$(date +%s%N)
	ip netns exec "$ns" env ${DNSLEAK_SERVER:+DNSLEAK_SERVER=$DNSLEAK_SERVER} "$DNSLEAK" "$@" \
		>"$TMP/out" 2>"$TMP/err" </dev/null
	RC=$?
	ELAPSED_MS=$((($(date +%s%N) - start) / 1000000))
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}
if [ "$(id -u)" -ne 0 ] || ! command -v unbound >/dev/null || ! command -v ip >/dev/null; then
	ok "# SKIP a real test end to end needs root, ip and unbound"
else
	happy_path
fi

finish
