#!/usr/bin/env bash
# enrich.sh -- networks, exit addresses and the verdict end to end. mkmmdb.pl writes two tiny
# MMDB files (127.0.0.0/8: AS64496 "Example ISP", DE; ::1: AS64497 "Example VPN", NL); dig asks
# from 127.0.0.1 or ::1 (so that is the resolver), curl fetches v4-<id>/v6-<id> over HTTP (so
# that is the exit), and GET /api/v1/tests/<id> must show networks, classes, exits, verdict and
# findings for several policies: none, trusted_resolvers, ?expect=, public_dns, no databases;
# and DNS interception: ?configured= resolvers of another network than the one that asked.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns.bash"
MKMMDB="$(dirname "$0")/mkmmdb.pl"

if ! perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
	echo "ok 1 # SKIP MaxMind::DB::Writer::Tree (libmaxmind-db-writer-perl) is not installed"
	echo "1..1"
	exit 0
fi
for kind in asn country both; do
	require "mkmmdb.pl writes the $kind database" perl "$MKMMDB" "$kind" "$TMP/$kind.mmdb"
done
ASN_DB=$TMP/asn.mmdb
CC_DB=$TMP/country.mmdb

# ---- databases that will not open: exit 2, the file named ----

run() {
	RC=0
	timeout 10 "$DNSLEAKD" "$@" >"$TMP/out" 2>"$TMP/err" || RC=$?
	ERR=$(cat "$TMP/err")
}
run --asn-db "$TMP/missing.mmdb" --http "127.0.0.1:$(free_port)" --dns "127.0.0.1:$(free_port)"
expect_eq "missing asn_db: exit 2" 2 "$RC"
expect_eq "missing asn_db: the file and why" \
	"dnsleakd: asn_db $TMP/missing.mmdb: No such file or directory" "$ERR"
run -n --country-db "$TMP/missing.mmdb"
expect_eq "-n, missing country_db: exit 2" 2 "$RC"
expect_match "-n, missing country_db: the file" "country_db $TMP/missing.mmdb" "$ERR"
echo "not a database" >"$TMP/junk.mmdb"
run -n --asn-db "$ASN_DB" --country-db "$TMP/junk.mmdb"
expect_eq "a file that is no MMDB: exit 2" 2 "$RC"
expect_match "a file that is no MMDB: the file and libmaxminddb's reason" \
	"^dnsleakd: country_db $TMP/junk.mmdb: .*metadata" "$ERR"
run -n --asn-db "$ASN_DB" --trusted AS64497 --trusted 2001:db8::/32 --public-dns 64500
expect_eq "-n with databases and a policy: exit 0" 0 "$RC"
want="asn_db = $ASN_DB|trusted_resolvers = AS64497|trusted_resolvers = 2001:db8::/32"
want+="|public_dns = AS64500"
expect_eq "-n: the policy in file syntax" "$want" \
	"$(grep -E '^(asn_db|trusted_resolvers|public_dns) = ' "$TMP/out" | paste -sd '|')"
run -n --trusted nonsense
expect_eq "--trusted nonsense: exit 2" 2 "$RC"
expect_match "--trusted nonsense: named" "--trusted: trusted_resolvers: .*\`nonsense'" "$ERR"

# ---- helpers ----

# start LABEL FLAGS...: (re)start dnsleakd with an IPv6 HTTP listener as well (HTTP6_PORT).
start() {
	stop_running
	NAME=$1
	shift
	HTTP6_PORT=$(free_port)
	require "dnsleakd starts ($NAME)" start_dnsleakd --http "[::1]:$HTTP6_PORT" "$@"
}
stop_running() {
	[ -n "${DLD_PID:-}" ] || return 0
	local rc=0
	stop_dnsleakd || rc=$?
	expect_eq "dnsleakd ($NAME) exits cleanly" 0 "$rc"
	[ "$rc" = 0 ] || sed 's/^/#   | /' "$TMP/dnsleakd.log" | tail -n 20
}

new_test() {
	require "POST /api/v1/tests" api_new_test
	SENT=0
}
# dns FAM NONCE: one probe query from 127.0.0.1 (4) or ::1 (6): that address is the resolver.
dns() {
	dq dig udp "$1" "$2-$TEST_ID.leak.test" A
	[ "$(dq_status)" = NOERROR ] || echo "# probe $2 over IPv$1: $(dq_status)"
	SENT=$((SENT + 1))
}
# exit4 / exit6: what the client does to show its exit address; prints the whoami answer.
exit4() {
	curl -4 -fsS --max-time 5 --resolve "v4-$TEST_ID.leak.test:$HTTP_PORT:127.0.0.1" \
		"http://v4-$TEST_ID.leak.test:$HTTP_PORT/api/v1/whoami"
}
exit6() {
	curl -6 -g -fsS --max-time 5 --resolve "v6-$TEST_ID.leak.test:$HTTP6_PORT:[::1]" \
		"http://v6-$TEST_ID.leak.test:$HTTP6_PORT/api/v1/whoami"
}
# results [QUERY]: CODE and RES of GET /api/v1/tests/<id>QUERY, once the store has every DNS
# observation sent (the DNS threads hand them over every few ms).
results() {
	local q=${1:-}
	for _ in $(seq 1 50); do
		CODE=$(curl -s -g -o "$TMP/res" -w '%{http_code}' --max-time 5 \
			-H "Authorization: Bearer $TEST_TOKEN" "$HTTP_URL/api/v1/tests/$TEST_ID$q")
		RES=$(cat "$TMP/res")
		[ "$CODE" = 200 ] || return 0
		[ "$(jq_ 'd["total"]')" = "$SENT" ] && return 0
		sleep 0.1
	done
}
jq_() { json "$1" <<<"$RES" 2>&1; }
R4='[r for r in d["resolvers"] if r["address"] == "127.0.0.1"][0]'
R6='[r for r in d["resolvers"] if r["address"] == "::1"][0]'
NET='"%s %s %s" % (X["asn"], X["org"], X["country"])'
net_of() { jq_ "${NET//X/$1}"; }
EXIT='"%s %s %s %s" % tuple(d["exit"]["X"][k] for k in ("address", "asn", "org", "country"))'
IDS='",".join(sorted(f["id"] for f in d["findings"]))'
has_finding() { jq_ "\"$1\" in [f[\"id\"] for f in d[\"findings\"]]"; }
# expect_verdict DESC VERDICT: and its reason is a sentence.
expect_verdict() {
	expect_eq "$1: verdict $2" "$2" "$(jq_ 'd["verdict"]')"
	expect_match "$1: a reason" '^[A-Z].{10,}' "$(jq_ 'd["reason"]')"
}
# Every finding has its catalogue entry: id, severity, inconclusive, title, explain, detail,
# steps and steps per platform.
expect_findings_shape() {
	expect_eq "$1: findings are complete" True "$(jq_ 'all(sorted(f) == ["detail", "explain",
		"id", "inconclusive", "platforms", "severity", "steps", "title"]
		and f["id"].startswith("DL-") and f["title"]
		and f["severity"] in ("info", "low", "medium", "high")
		and isinstance(f["steps"], list) and isinstance(f["platforms"], dict)
		for f in d["findings"])')"
}

# ---- no trusted list: same network passes, another network leaks ----

start "two databases" --asn-db "$ASN_DB" --country-db "$CC_DB"

new_test
dns 4 s1
dns 4 s2
W=$(exit4)
expect_eq "v4-<id> whoami: the client's address" 127.0.0.1 "$(json 'd["address"]' <<<"$W" 2>&1)"
results
A="same network"
expect_eq "$A: 200" 200 "$CODE"
expect_verdict "$A" PASS
expect_eq "$A: total counts DNS only" 2 "$(jq_ 'd["total"]')"
expect_eq "$A: http_total" 1 "$(jq_ 'd["http_total"]')"
expect_eq "$A: one resolver (the exit is none)" 1 "$(jq_ 'len(d["resolvers"])')"
expect_eq "$A: resolver network" "64496 Example ISP DE" "$(net_of "$R4")"
expect_eq "$A: resolver classification" same-network "$(jq_ "${R4}['classification']")"
expect_eq "$A: resolver not trusted" False "$(jq_ "${R4}['trusted']")"
expect_eq "$A: exit ipv4" "127.0.0.1 64496 Example ISP DE" \
	"$(jq_ "${EXIT//X/ipv4}")"
expect_eq "$A: exit ipv6 null" None "$(jq_ 'd["exit"]["ipv6"]')"
expect_eq "$A: the HTTP observation is in the raw list" "http v4 127.0.0.1 None" \
	"$(jq_ '" ".join(str(o[k]) for o in d["observations"] if o["transport"] == "http"
		for k in ("transport", "name", "resolver", "qtype"))')"
expect_eq "$A: no finding above low" True \
	"$(jq_ 'all(f["severity"] in ("info", "low") for f in d["findings"])')"
expect_findings_shape "$A"

# ?expect= for this request only: a trusted list makes "same network" no longer enough.
results "?expect=AS64497"
E="?expect=AS64497"
expect_eq "$E: 200" 200 "$CODE"
expect_verdict "$E" LEAK
expect_eq "$E: 127.0.0.1 is another network now" other-network "$(jq_ "${R4}['classification']")"
expect_eq "$E: DL-UNTRUSTED-RESOLVER" True "$(has_finding DL-UNTRUSTED-RESOLVER)"
results "?expect=127.0.0.0/8"
expect_verdict "?expect=127.0.0.0/8" PASS
expect_eq "?expect=127.0.0.0/8: trusted" "True trusted" \
	"$(jq_ "'%s %s' % (${R4}['trusted'], ${R4}['classification'])")"
# Repeated: every value counts, not just the first.
results "?expect=AS64497&expect=AS64496"
expect_verdict "?expect= twice" PASS
expect_eq "?expect= twice: the second one trusts 127.0.0.1" trusted \
	"$(jq_ "${R4}['classification']")"
results
expect_verdict "without ?expect= again (per request only)" PASS
results "?expect=garbage"
expect_eq "?expect=garbage: 400" 400 "$CODE"
expect_match "?expect=garbage: the error names it" "garbage" "$(jq_ 'd["error"]')"
results "?expect=AS1&expect=10.0.0.1/8"
expect_eq "?expect= with a bad second value: 400" 400 "$CODE"
expect_match "?expect= with a bad second value: named" "10\\.0\\.0\\.1/8" "$(jq_ 'd["error"]')"
q=""
for i in $(seq 1 65); do q="$q&expect=AS$i"; done
results "?${q#&}"
expect_eq "65 expect values: 400" 400 "$CODE"
expect_match "65 expect values: says how many" "at most 64" "$(jq_ 'd["error"]')"
TEST_TOKEN=wrong
results "?expect=garbage"
expect_eq "a wrong token with a bad expect: 404, not 400" 404 "$CODE"

new_test
dns 6 o1
exit4 >/dev/null
results
A="another network"
expect_verdict "$A" LEAK
expect_eq "$A: resolver ::1 network" "64497 Example VPN NL" "$(net_of "$R6")"
expect_eq "$A: resolver classification" other-network "$(jq_ "${R6}['classification']")"
expect_eq "$A: DL-ISP-RESOLVER, high" high \
	"$(jq_ '[f["severity"] for f in d["findings"] if f["id"] == "DL-ISP-RESOLVER"][0]')"
expect_match "$A: its detail names the resolver" '::1' \
	"$(jq_ '[f["detail"] for f in d["findings"] if f["id"] == "DL-ISP-RESOLVER"][0]')"
expect_eq "$A: it has steps" True \
	"$(jq_ 'len([f for f in d["findings"] if f["id"] == "DL-ISP-RESOLVER"][0]["steps"]) > 0')"
expect_findings_shape "$A"
results "?expect=AS64497"
expect_verdict "$A, ?expect=AS64497" PASS
expect_eq "$A, ?expect=AS64497: trusted" "True trusted" \
	"$(jq_ "'%s %s' % (${R6}['trusted'], ${R6}['classification'])")"
results "?expect=::1"
expect_verdict "$A, ?expect=::1" PASS

# Both exits, on different networks: IPv6 leaves outside the tunnel.
new_test
dns 4 b1
exit4 >/dev/null
W=$(exit6)
expect_eq "v6-<id> whoami: the client's IPv6 address" ::1 "$(json 'd["address"]' <<<"$W" 2>&1)"
results
A="two exits"
expect_eq "$A: http_total" 2 "$(jq_ 'd["http_total"]')"
expect_eq "$A: exit ipv6" "::1 64497 Example VPN NL" \
	"$(jq_ "${EXIT//X/ipv6}")"
expect_eq "$A: still one resolver" 1 "$(jq_ 'len(d["resolvers"])')"
expect_eq "$A: DL-IPV6-UNTUNNELLED" True "$(has_finding DL-IPV6-UNTUNNELLED)"
expect_verdict "$A" LEAK

# Which Host headers record an exit: any case, a port, a trailing dot; only our zone, only
# genuine ids. A request for any path counts.
new_test
host_req() {
	curl -s -o /dev/null --max-time 5 -H "Host: $1" "$HTTP_URL${2:-/healthz}"
}
host_req "V4-${TEST_ID^^}.LEAK.TEST.:$HTTP_PORT"
host_req "v4-$TEST_ID.leak.test" /no/such/path
host_req "v4-$TEST_ID.leak.test.example:$HTTP_PORT"
host_req "v4-$TEST_ID.other.test"
host_req "x1-$TEST_ID.leak.test"
host_req "v4-$TEST_ID"
host_req "127.0.0.1:$HTTP_PORT"
FORGED=${TEST_ID:0:20}$([ "${TEST_ID:20:1}" = a ] && echo b || echo a)${TEST_ID:21}
host_req "v4-$FORGED.leak.test"
results
expect_eq "exit Host forms: the two right ones recorded" 2 "$(jq_ 'd["http_total"]')"

stop_running

# ---- one database with both, and trusted_resolvers from a config file ----

cat >"$TMP/trust.conf" <<EOF
asn_db = $TMP/both.mmdb
trusted_resolvers = AS64497
EOF
start "one database, trusted_resolvers" -c "$TMP/trust.conf"
new_test
dns 6 t1
exit4 >/dev/null
results
A="trusted_resolvers = AS64497"
expect_verdict "$A" PASS
expect_eq "$A: ::1 network from one database" "64497 Example VPN NL" "$(net_of "$R6")"
expect_eq "$A: ::1 trusted" "True trusted" \
	"$(jq_ "'%s %s' % (${R6}['trusted'], ${R6}['classification'])")"
dns 4 t2
results
expect_verdict "$A, and 127.0.0.1 asks too" LEAK
expect_eq "$A, and 127.0.0.1 asks too: it is another network" other-network \
	"$(jq_ "${R4}['classification']")"
expect_eq "$A, and 127.0.0.1 asks too: DL-UNTRUSTED-RESOLVER" True \
	"$(has_finding DL-UNTRUSTED-RESOLVER)"

# ---- public_dns: a resolver of a public DNS operator is a warning ----

start "public_dns" --asn-db "$ASN_DB" --country-db "$CC_DB" --public-dns AS64497
new_test
dns 6 p1
exit4 >/dev/null
results
A="--public-dns AS64497"
expect_verdict "$A" WARN
expect_eq "$A: classification" public-dns "$(jq_ "${R6}['classification']")"
expect_eq "$A: DL-THIRD-PARTY-RESOLVER, medium" medium \
	"$(jq_ '[f["severity"] for f in d["findings"] if f["id"] == "DL-THIRD-PARTY-RESOLVER"][0]')"

# ---- interception: the client asked a public resolver, another network answered ----

# A database where 198.51.100.0/24 and 2001:db8::/32 are AS64499 "Example DNS" (a public
# resolver's networks) and 192.0.2.0/24 the VPN's, besides 127.0.0.0/8 (the ISP, what dig asks
# from) and ::1 (the VPN).
cat >"$TMP/mkhijack.pl" <<'PERL'
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;
my %nets = (
	'127.0.0.0/8'     => [ 64496, 'Example ISP' ],
	'::1/128'         => [ 64497, 'Example VPN' ],
	'198.51.100.0/24' => [ 64499, 'Example DNS' ],
	'2001:db8::/32'   => [ 64499, 'Example DNS' ],
	'192.0.2.0/24'    => [ 64497, 'Example VPN' ],
);
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version => 6, record_size => 24, database_type => 'dnsleak-test-hijack',
	languages => ['en'], description => { en => 'dnsleak interception test data' },
	map_key_type_callback => sub {
		{ autonomous_system_number => 'uint32',
		  autonomous_system_organization => 'utf8_string' }->{ $_[0] } },
	remove_reserved_networks => 0,
);
for my $net (sort keys %nets) {
	$tree->insert_network($net, { autonomous_system_number => $nets{$net}[0],
				      autonomous_system_organization => $nets{$net}[1] });
}
open(my $fh, '>:raw', $ARGV[0]) or die "$ARGV[0]: $!\n";
$tree->write_tree($fh);
close($fh) or die "$ARGV[0]: $!\n";
PERL
require "the interception database" perl "$TMP/mkhijack.pl" "$TMP/hijack.mmdb"
start "interception" --asn-db "$TMP/hijack.mmdb"
new_test
dns 4 i1
dns 4 i2
exit4 >/dev/null
results
A="no ?configured="
expect_verdict "$A" PASS
expect_eq "$A: no DL-DNS-HIJACK" False "$(has_finding DL-DNS-HIJACK)"
expect_eq "$A: configured is an empty list" "[]" "$(jq_ 'd["configured"]')"

results "?configured=198.51.100.53"
A="asked 198.51.100.53 (AS64499), 127.0.0.1 (AS64496) answered"
expect_eq "$A: 200" 200 "$CODE"
expect_verdict "$A" LEAK
expect_eq "$A: DL-DNS-HIJACK, high" high \
	"$(jq_ '[f["severity"] for f in d["findings"] if f["id"] == "DL-DNS-HIJACK"][0]')"
expect_eq "$A: the reason says who was asked and who answered" \
	"You asked 198.51.100.53 but Example ISP (AS64496) answered: your network intercepts DNS." \
	"$(jq_ 'd["reason"]')"
expect_eq "$A: the detail" \
	"You asked 198.51.100.53; answered by: 127.0.0.1 (IPv4, AS64496 Example ISP)" \
	"$(jq_ '[f["detail"] for f in d["findings"] if f["id"] == "DL-DNS-HIJACK"][0]')"
expect_eq "$A: the configured resolver, with its network" "198.51.100.53 4 64499 Example DNS" \
	"$(jq_ '" ".join(str(d["configured"][0][k]) for k in ("address", "family", "asn", "org"))')"
expect_eq "$A: its steps: the browser's DNS over HTTPS among them" True \
	"$(jq_ '"Firefox" in " ".join([f for f in d["findings"] if f["id"] == "DL-DNS-HIJACK"][0]["platforms"]["browser"])')"
expect_findings_shape "$A"
results "?configured=2001:db8::53"
expect_eq "asked an IPv6 resolver (AS64499): DL-DNS-HIJACK" True "$(has_finding DL-DNS-HIJACK)"
results "?configured=198.51.100.53&configured=192.168.1.1"
expect_verdict "and a home router configured too (it forwards anywhere)" PASS
results "?configured=127.0.0.53"
expect_eq "a local stub configured: no claim" False "$(has_finding DL-DNS-HIJACK)"
results "?configured=203.0.113.53"
expect_eq "a configured resolver of unknown network: no claim" False "$(has_finding DL-DNS-HIJACK)"
results "?configured=198.51.100.53&expect=AS64496"
expect_verdict "the answering network trusted (?expect=)" PASS
expect_eq "the answering network trusted: no DL-DNS-HIJACK" False "$(has_finding DL-DNS-HIJACK)"
results "?configured=198.51.100.53&configured=192.0.2.53"
expect_eq "two configured (AS64499, the VPN's AS64497), neither answered: DL-DNS-HIJACK" True \
	"$(has_finding DL-DNS-HIJACK)"
dns 6 i3
results "?configured=198.51.100.53&configured=192.0.2.53"
expect_eq "then the VPN's network (::1) answers too: no claim" False "$(has_finding DL-DNS-HIJACK)"
results "?configured=garbage"
expect_eq "?configured=garbage: 400" 400 "$CODE"
expect_match "?configured=garbage: named" "garbage" "$(jq_ 'd["error"]')"

# ---- no databases: nothing is known, so nothing is decided ----

start "no databases"
new_test
dns 4 n1
exit4 >/dev/null
results
A="no databases"
expect_verdict "$A" INCONCLUSIVE
expect_eq "$A: resolver network unknown" "None None None" "$(net_of "$R4")"
expect_eq "$A: classification" unknown "$(jq_ "${R4}['classification']")"
expect_eq "$A: exit network unknown" "127.0.0.1 None" \
	"$(jq_ '"%s %s" % (d["exit"]["ipv4"]["address"], d["exit"]["ipv4"]["asn"])')"
expect_eq "$A: DL-NO-NETWORK-DATA" True "$(has_finding DL-NO-NETWORK-DATA)"
expect_findings_shape "$A"
results "?expect=127.0.0.1"
expect_verdict "$A, ?expect=127.0.0.1 (a prefix needs no database)" PASS
expect_match "$A: the log says why verdicts are vague" "no asn_db or country_db" \
	"$(cat "$TMP/dnsleakd.log")"
stop_running

finish
