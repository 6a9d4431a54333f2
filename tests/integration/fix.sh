#!/usr/bin/env bash
# fix.sh -- dnsleak fix against the real kernel, in network namespaces made here (root only):
# every golden ruleset passes `nft -c`; in a namespace with a tun device carrying the default
# route and a veth to a second namespace running a tiny DNS responder, --apply (with --tunnel
# and without) loads table inet dnsleak and nothing else, twice gives the same one table, DNS
# by the veth is refused while DNS by the tunnel is not, --revert removes only our table (and
# says "nothing to revert" the second time), an unrelated table stays untouched throughout;
# --apply without root, without a tunnel or with a bad name: exit 2, nothing changed.
# Addresses are documentation and benchmark ranges only.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! command -v nft >/dev/null; then
	echo "ok 1 # SKIP needs root, ip and nft"
	exit 0
fi
cd "$ROOT" || exit 1
DNSLEAK=${DNSLEAK:-$ROOT/build/san/dnsleak}
export DNSLEAK_STATE_DIR=$TMP/state
NS=dl$$-fix
PEER=dl$$-fixpeer

on_exit "ip netns del $NS"
on_exit "ip netns del $PEER"
require "namespaces created" ip netns add "$NS"
require "peer namespace created" ip netns add "$PEER"

in_ns() { ip netns exec "$NS" "$@"; }

# --- every golden ruleset is valid nftables, alone and after the replace prelude ----------------
for f in tests/golden/fw/*.nft; do
	out=$(in_ns nft -c -f "$f" 2>&1)
	expect_eq "nft -c accepts $(basename "$f")" "" "$out"
	out=$( (printf 'table inet dnsleak\ndelete table inet dnsleak\n'; cat "$f") |
		in_ns nft -c -f - 2>&1)
	expect_eq "nft -c accepts $(basename "$f") after the prelude" "" "$out"
done

# --- the lab: lo, a veth to the peer (the LAN), a tun device (the VPN) ---------------------------
ip -n "$NS" link set lo up
ip -n "$PEER" link set lo up
ip -n "$NS" link add vfix0 type veth peer name vfix1 netns "$PEER"
ip -n "$NS" addr add 198.51.100.1/24 dev vfix0
ip -n "$NS" link set vfix0 up
ip -n "$PEER" addr add 198.51.100.2/24 dev vfix1
ip -n "$PEER" link set vfix1 up
require "tun0 created" ip -n "$NS" tuntap add dev tun0 mode tun
ip -n "$NS" addr add 198.18.0.1/24 dev tun0
printf 'nameserver 198.51.100.2\n' >"$TMP/resolv.conf"

# A DNS responder on the LAN side: answers every datagram with the QR bit set.
cat >"$TMP/dns.py" <<'EOF'
import socket, sys
mode = sys.argv[1]
if mode == "serve":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("198.51.100.2", 53))
    print("ready", flush=True)
    while True:
        data, peer = s.recvfrom(512)
        if len(data) >= 12:
            s.sendto(data[:2] + bytes([data[2] | 0x80]) + data[3:], peer)
else:
    # ask ADDR PROTO: "answer", "refused <errno name>" or "silence"
    addr, proto = sys.argv[2], sys.argv[3]
    q = bytes.fromhex("123401000001000000000000076578616d706c6503636f6d0000010001")
    try:
        if proto == "udp":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(1)
            s.connect((addr, 53))
            s.send(q)
            s.recv(512)
        else:
            s = socket.create_connection((addr, int(proto[3:] or 53)), timeout=1)
            s.sendall(len(q).to_bytes(2, "big") + q)
            s.recv(512)
        print("answer")
    except socket.timeout:
        print("silence")
    except OSError as e:
        import errno
        print("refused", errno.errorcode.get(e.errno, e.errno))
EOF
ip netns exec "$PEER" python3 "$TMP/dns.py" serve >"$TMP/serve.log" 2>&1 &
SERVE_PID=$!
on_exit "kill $SERVE_PID"
for _ in $(seq 1 50); do
	grep -q ready "$TMP/serve.log" && break
	sleep 0.05
done
ask() { in_ns python3 "$TMP/dns.py" ask "$@"; }
tables() { in_ns nft list tables | sort | tr '\n' ' '; }
# A table's rules without the counters' values, which change with traffic.
rules_of() { in_ns nft list table "$@" 2>&1 | sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/'; }
fix() {
	OUT=$(in_ns "$DNSLEAK" fix --resolv-conf "$TMP/resolv.conf" "$@" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
}

expect_eq "before: DNS by the veth is answered" "answer" "$(ask 198.51.100.2 udp)"

# An unrelated table, which must come through every step untouched.
in_ns nft -f - <<'EOF'
table inet other {
	set keep { type ipv4_addr; elements = { 192.0.2.7 } }
	chain c {
		type filter hook output priority 10; policy accept;
		ip daddr @keep counter
	}
}
EOF
PRIOR=$(tables)
OTHER=$(rules_of inet other)
expect_match "the unrelated table is there" 'table inet other' "$PRIOR"

# --- refusals: no tunnel, no root, a bad name -------------------------------------------------
fix --apply
expect_eq "no tunnel up: exit 2" 2 "$RC"
expect_match "no tunnel up: says to connect the VPN or pass --tunnel" \
	'no VPN tunnel is up.*connect the VPN.*--tunnel' "$ERR"
fix
expect_eq "no tunnel up, --print: exit 2" 2 "$RC"
fix --json --apply
expect_eq "no tunnel, --json: the error in the document" "apply False None" \
	"$(json 'd["action"], d["applied"], d["ruleset"]' <<<"$OUT" | tr -d "(),'")"

ip -n "$NS" link set tun0 up
ip -n "$NS" route add default dev tun0

NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
OUT=$(in_ns "${NOBODY[@]}" "$DNSLEAK" fix --apply --tunnel tun0 2>&1)
expect_eq "--apply as nobody: exit 2" 2 "$?"
expect_match "--apply as nobody: says root is needed" 'needs root' "$OUT"
OUT=$(in_ns "${NOBODY[@]}" "$DNSLEAK" fix --revert 2>&1)
expect_eq "--revert as nobody: exit 2" 2 "$?"
OUT=$(in_ns "${NOBODY[@]}" "$DNSLEAK" fix --tunnel tun0 --resolv-conf /dev/null 2>&1)
expect_eq "--print as nobody: exit 0" 0 "$?"
fix --apply --tunnel 'x;flush ruleset'
expect_eq "a bad --tunnel: exit 2" 2 "$RC"
expect_match "a bad --tunnel: named" "bad interface name" "$ERR"
fix --apply --revert
expect_eq "--apply with --revert: exit 2" 2 "$RC"
expect_eq "after the refusals: the tables as before" "$PRIOR" "$(tables)"

# --- apply --------------------------------------------------------------------------------------
start=$SECONDS
fix --apply --tunnel tun0
expect_eq "--apply --tunnel tun0: exit 0" 0 "$RC"
expect_eq "--apply: nothing on stderr" "" "$ERR"
expect_match "--apply: says what it did" 'Applied table inet dnsleak.*tun0' "$OUT"
expect_eq "--apply: the prior tables plus inet dnsleak" \
	"$( (in_ns nft list tables | grep -v 'table inet dnsleak'; echo 'table inet dnsleak') |
		sort | tr '\n' ' ')" "$(tables)"
expect_eq "--apply: the prior tables are all still there" "$PRIOR" \
	"$(in_ns nft list tables | grep -v 'table inet dnsleak' | sort | tr '\n' ' ')"
RULES=$(rules_of inet dnsleak)
expect_match "the tunnel's DNS is accepted" 'oifname "tun0" udp dport 53 accept' "$RULES"
expect_match "DNS over TLS through the tunnel too" 'oifname "tun0" tcp dport \{ 53, 853 \} accept' "$RULES"
expect_match "the rest is rejected" 'udp dport 53 counter reject with icmpx admin-prohibited' "$RULES"
expect_match "the output hook" 'type filter hook output priority filter; policy accept;' "$RULES"
check "the state file records the ruleset" grep -q '^table inet dnsleak {' "$DNSLEAK_STATE_DIR/fix.state"

expect_match "DNS by the veth is refused" '^refused (EPERM|EHOSTUNREACH|ECONNREFUSED)' \
	"$(ask 198.51.100.2 udp)"
expect_match "DNS over TCP by the veth is refused" '^refused' "$(ask 198.51.100.2 tcp)"
expect_match "DNS over TLS (853) by the veth is refused" '^refused' "$(ask 198.51.100.2 tcp853)"
expect_eq "other UDP by the veth still goes" "sent" \
	"$(in_ns python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"x", ("198.51.100.2", 5353)); print("sent")' 2>&1)"
before=$(in_ns nft list table inet dnsleak | grep -c 'packets 0 ')
# The tunnel has no reader, so nothing answers: only the send matters, and no rule may refuse it.
expect_eq "DNS through the tunnel is not refused" "silence" "$(ask 198.18.0.53 udp)"
after=$(in_ns nft list table inet dnsleak | grep -c 'packets 0 ')
expect_eq "DNS through the tunnel: no reject counter moved" "$before" "$after"

# --- idempotent: apply again, with and without --tunnel ---------------------------------------
fix --apply --tunnel tun0
expect_eq "--apply again: exit 0" 0 "$RC"
expect_eq "--apply again: one table inet dnsleak" 1 "$(in_ns nft list tables | grep -c 'table inet dnsleak')"
expect_eq "--apply again: the same rules" "$RULES" "$(rules_of inet dnsleak)"

fix --apply --json
expect_eq "--apply without --tunnel: exit 0" 0 "$RC"
expect_eq "--apply without --tunnel: finds tun0, blocks IPv6 DNS, applied" \
	"apply ['tun0'] block-dns True" \
	"$(json 'd["action"], d["tunnels"], d["ipv6"], d["applied"]' <<<"$OUT" | tr -d "(),")"
expect_eq "--json: the documented keys" \
	"['action', 'applied', 'error', 'findings', 'ipv6', 'note', 'ruleset', 'tunnels']" \
	"$(json 'sorted(d.keys())' <<<"$OUT")"
expect_match "--json: the audit's finding" 'DL-DNS-OUTSIDE-TUNNEL' \
	"$(json '" ".join(f["id"] for f in d["findings"])' <<<"$OUT")"
expect_eq "--json: the ruleset is the golden one for tun0 without IPv6" \
	"$(cat tests/golden/fw/block_ipv6_dns.nft)" "$(json 'd["ruleset"]' <<<"$OUT")"
expect_eq "--apply without --tunnel: the same rules as with it" "$RULES" "$(rules_of inet dnsleak)"
expect_eq "still one table inet dnsleak" 1 "$(in_ns nft list tables | grep -c 'table inet dnsleak')"

fix --apply --tunnel tun0 --block-ipv6 all --allow-mdns
expect_eq "--apply --block-ipv6 all --allow-mdns: exit 0" 0 "$RC"
expect_match "--block-ipv6 all: the IPv6 rule is loaded" \
	'meta nfproto ipv6 oifname != \{ "(tun0|lo)", "(tun0|lo)" \}' "$(rules_of inet dnsleak)"
fix --apply --tunnel tun0
expect_eq "--apply back to the plain rules: the same as the first time" "$RULES" "$(rules_of inet dnsleak)"
expect_eq "the unrelated table is untouched after apply" "$OTHER" "$(rules_of inet other)"

fix
expect_eq "--print while applied: exit 0" 0 "$RC"
expect_match "--print: the ruleset and how to apply it" \
	'table inet dnsleak \{.*sudo dnsleak fix --apply' "$(tr '\n' ' ' <<<"$OUT")"

# --- revert -------------------------------------------------------------------------------------
fix --revert
expect_eq "--revert: exit 0" 0 "$RC"
expect_match "--revert: says so" 'removed table inet dnsleak' "$OUT"
expect_eq "--revert: the tables as before" "$PRIOR" "$(tables)"
expect_eq "--revert: the unrelated table untouched" "$OTHER" "$(rules_of inet other)"
check "--revert: the state file is gone" test ! -e "$DNSLEAK_STATE_DIR/fix.state"
expect_eq "after --revert: DNS by the veth is answered again" "answer" "$(ask 198.51.100.2 udp)"
fix --revert
expect_eq "--revert again: exit 0" 0 "$RC"
expect_match "--revert again: nothing to revert" 'nothing to revert' "$OUT"
fix --revert --json
expect_eq "--revert --json: the document" "revert False None" \
	"$(json 'd["action"], d["applied"], d["error"]' <<<"$OUT" | tr -d "(),'")"
expect_eq "the tables at the end: as before" "$PRIOR" "$(tables)"

echo "# $((SECONDS - start)) s from the first --apply"
finish
