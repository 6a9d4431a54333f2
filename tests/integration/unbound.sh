#!/usr/bin/env bash
# A real recursive resolver: unbound (default settings, QNAME minimisation on) in a network
# namespace, with a stub zone pointing at dnsleakd, resolves probe names -- also under the
# ns4/ns6 delegations -- and the results API shows unbound's egress addresses as the resolvers.
#
# The namespace gives us port 53 (delegations carry no port) and addresses from the
# documentation ranges: dnsleakd on 198.51.100.53 / 2001:db8::53, unbound sending from
# 198.51.100.10 / 2001:db8::10, so the egress differs from the loopback the client talks to.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v unbound >/dev/null || ! command -v ip >/dev/null; then
	echo "ok 1 # SKIP needs root, ip and unbound"
	exit 0
fi

NS="dlt$$unb"
ip netns add "$NS" || { not_ok "create namespace $NS"; finish; exit 1; }
on_exit "ip netns del $NS"
on_exit 'for p in $(ip netns pids '"$NS"' 2>/dev/null); do kill $p; done; sleep 0.2'
nsx() { ip netns exec "$NS" "$@"; }

nsx ip link set lo up
nsx ip addr add 198.51.100.53/32 dev lo
nsx ip addr add 198.51.100.10/32 dev lo
nsx ip addr add 2001:db8::53/128 dev lo nodad
nsx ip addr add 2001:db8::10/128 dev lo nodad

ip netns exec "$NS" "$DNSLEAKD" --dns 198.51.100.53:53 --dns '[2001:db8::53]:53' --http 127.0.0.1:8053 \
	--ns ns1=198.51.100.53 --ns ns1=2001:db8::53 \
	--web-address 192.0.2.80 --web-address 2001:db8::80 \
	--secret-file "$TMP/secret" --rdns no >"$TMP/dnsleakd.log" 2>&1 &
DLD_PID=$!
on_exit stop_dnsleakd
HTTP_URL=http://127.0.0.1:8053

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
	verbosity: 1
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
ip netns exec "$NS" unbound -d -c "$TMP/unbound.conf" >"$TMP/unbound.out" 2>&1 &
UNB_PID=$!
on_exit "kill $UNB_PID; wait $UNB_PID"

ready=0
for _ in $(seq 1 100); do
	if nsx curl -fsS "$HTTP_URL/healthz" >/dev/null 2>&1 &&
		nsx dig +time=1 +tries=1 @127.0.0.1 leak.test SOA >/dev/null 2>&1; then
		ready=1
		break
	fi
	sleep 0.1
done
check "dnsleakd and unbound are up in namespace $NS" test "$ready" -eq 1

body=$(nsx curl -fsS -X POST "$HTTP_URL/api/v1/tests")
TEST_ID=$(printf '%s' "$body" | json 'd["id"]')
TEST_TOKEN=$(printf '%s' "$body" | json 'd["token"]')
results() { nsx curl -fsS -H "Authorization: Bearer $TEST_TOKEN" "$HTTP_URL/api/v1/tests/$TEST_ID"; }

# Through unbound (recursion desired), as a stub resolver on a user's machine would ask.
a=$(nsx dig +short +time=3 @127.0.0.1 "p1-$TEST_ID.leak.test" A)
expect_eq "unbound resolves a probe name (A)" "192.0.2.80" "$a"
aaaa=$(nsx dig +short +time=3 @127.0.0.1 "p2-$TEST_ID.leak.test" AAAA)
expect_eq "unbound resolves a probe name (AAAA)" "2001:db8::80" "$aaaa"
txt=$(nsx dig +short +time=3 @127.0.0.1 "p3-$TEST_ID.leak.test" TXT)
expect_match "TXT names unbound's egress address" '^"(198\.51\.100\.10|2001:db8::10)"$' "$txt"
a4=$(nsx dig +short +time=3 @127.0.0.1 "p4-$TEST_ID.ns4.leak.test" A)
expect_eq "unbound resolves a probe under ns4 (IPv4-only delegation)" "192.0.2.80" "$a4"
a6=$(nsx dig +short +time=3 @127.0.0.1 "p6-$TEST_ID.ns6.leak.test" A)
expect_eq "unbound resolves a probe under ns6 (IPv6-only delegation)" "192.0.2.80" "$a6"
status=$(nsx dig +time=3 @127.0.0.1 "nothing.leak.test" A | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
expect_eq "unbound passes NXDOMAIN on" "NXDOMAIN" "$status"

# The store drains the DNS threads' rings every 10 ms: wait for all five probes to be there.
for _ in $(seq 1 50); do
	doc=$(results)
	[ "$(printf '%s' "$doc" | json 'len(set(o["nonce"] for o in d["observations"]))')" = 5 ] && break
	sleep 0.1
done
addrs=$(printf '%s' "$doc" | json '" ".join(sorted(r["address"] for r in d["resolvers"]))')
expect_match "results list only unbound's egress addresses" \
	'^(198\.51\.100\.10|198\.51\.100\.10 2001:db8::10|2001:db8::10)$' "$addrs"
ns4=$(printf '%s' "$doc" | json '",".join(sorted(set(o["resolver"] + "/" + str(o["family"]) for o in d["observations"] if o["name"] == "ns4" and not o["referral"])))')
expect_eq "the ns4 probe was answered to unbound's IPv4 egress" "198.51.100.10/4" "$ns4"
ns6=$(printf '%s' "$doc" | json '",".join(sorted(set(o["resolver"] + "/" + str(o["family"]) for o in d["observations"] if o["name"] == "ns6" and not o["referral"])))')
expect_eq "the ns6 probe was answered to unbound's IPv6 egress" "2001:db8::10/6" "$ns6"
probes=$(printf '%s' "$doc" | json 'sorted(set(o["nonce"] for o in d["observations"]))')
expect_eq "every probe nonce was observed" "['p1', 'p2', 'p3', 'p4', 'p6']" "$probes"
rd=$(printf '%s' "$doc" | json 'any(o["recursion_desired"] for o in d["observations"])')
expect_eq "unbound's queries are iterative (RD clear)" "False" "$rd"
counts=$(printf '%s' "$doc" | json 'all(r["queries"] == sum(1 for o in d["observations"] if o["resolver"] == r["address"]) for r in d["resolvers"]) and d["total"] == len(d["observations"]) >= 6')
expect_eq "each resolver's query count matches its observations" "True" "$counts"

check "dnsleakd exits cleanly" stop_dnsleakd
[ "$TAP_FAILED" -gt 0 ] && sed "s/^/# /" "$TMP/dnsleakd.log" && echo "# $doc"
finish
