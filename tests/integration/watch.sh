#!/usr/bin/env bash
# watch.sh -- dnsleak watch: the pcap golden files, then live capture in network namespaces.
#
# Golden (any user): every tests/pcap/*.pcap is read with `dnsleak watch -r` (TZ=UTC) and the
# output must equal FILE.out (human) and FILE.json.out (--json); the names and types must also
# be what tshark decodes from the same file (queries, not malformed; mDNS/LLMNR only where
# --mdns is given). Live (root): two namespaces joined by a veth, dnsleakd on the far side;
# `dnsleak watch -i veth0 --duration 3 --json` sees each query dig sends (UDP and TCP, IPv4
# and IPv6) and a DoT connection attempt, with the right names and summary, and exits 1; no
# DNS exits 0; the default interfaces leave out loopback and a tun device; only outgoing
# queries unless --inbound; SIGINT ends it with a summary; without privileges it exits 2.
# Addresses: 198.18.0.0/15 and 2001:db8::/32 only.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
DNSLEAK=${DNSLEAK:-$ROOT/build/san/dnsleak}
PCAPS=$ROOT/tests/pcap

# --- golden files ---------------------------------------------------------------------------
# Our names as tshark prints them: no trailing dot, \DDD and \X unescaped; then the type number.
ours_names() {
	python3 -c '
import json, re, sys
num = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
       "DS": 43, "ANY": 255}
for line in sys.stdin:
    d = json.loads(line)
    if "summary" in d or d["qname"] is None:
        continue
    n = d["qname"][:-1] if d["qname"] != "." else ""
    n = re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1))), n)
    n = re.sub(r"\\(.)", r"\1", n)
    t = d["qtype"]
    print("%s\t%d" % (n, num[t] if t in num else int(t[4:])))
'
}
# tshark's, one query per line (it joins the queries of one TCP segment with commas).
tshark_names() {
	tshark -r "$1" -Y "$2" -T fields -e dns.qry.name -e dns.qry.type 2>/dev/null |
		python3 -c '
import sys
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line.strip():
        continue
    names, types = line.split("\t")
    for n, t in zip(names.split(","), types.split(",")):
        print("%s\t%s" % (n, t))
'
}

# tshark takes a while to start: all of them at once, in the background.
have_tshark=0
command -v tshark >/dev/null && have_tshark=1
for pcap in "$PCAPS"/*.pcap; do
	[ "$have_tshark" -eq 1 ] || break
	base=$(basename "$pcap" .pcap)
	filter='dns.flags.response == 0 && !_ws.malformed'
	[ "$base" = mdns ] || filter="$filter && (udp.dstport == 53 || tcp.dstport == 53)"
	tshark_names "$pcap" "$filter" >"$TMP/$base.tshark" &
done
wait
for pcap in "$PCAPS"/*.pcap; do
	base=$(basename "$pcap" .pcap)
	flags=()
	[ "$base" = mdns ] && flags=(--mdns)
	TZ=UTC "$DNSLEAK" watch -r "$pcap" "${flags[@]}" >"$TMP/$base.out" 2>"$TMP/$base.err"
	rc=$?
	expect_eq "$base.pcap: exit 1 (queries in it)" 1 "$rc"
	if diff -u "$PCAPS/$base.out" "$TMP/$base.out" >"$TMP/$base.diff"; then
		ok "$base.pcap: output as $base.out"
	else
		not_ok "$base.pcap: output as $base.out"
		sed 's/^/#   /' "$TMP/$base.diff" "$TMP/$base.err"
	fi
	TZ=UTC "$DNSLEAK" watch -r "$pcap" "${flags[@]}" --json >"$TMP/$base.json" 2>/dev/null
	if diff -u "$PCAPS/$base.json.out" "$TMP/$base.json" >"$TMP/$base.diff"; then
		ok "$base.pcap: --json output as $base.json.out"
	else
		not_ok "$base.pcap: --json output as $base.json.out"
		sed 's/^/#   /' "$TMP/$base.diff"
	fi
	if [ "$have_tshark" -eq 1 ]; then
		ours=$(ours_names <"$TMP/$base.json")
		theirs=$(cat "$TMP/$base.tshark")
		if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
			ok "$base.pcap: names and types as tshark's ($(wc -l <<<"$ours"))"
		else
			not_ok "$base.pcap: names and types as tshark's"
			diff <(echo "$theirs") <(echo "$ours") | sed 's/^/#   /'
		fi
	else
		ok "$base.pcap: compare with tshark # SKIP no tshark"
	fi
done
# Without --mdns the mDNS and LLMNR queries are not reported.
out=$("$DNSLEAK" watch -r "$PCAPS/mdns.pcap" --json 2>/dev/null | tail -n 1)
s='d["summary"]'
expect_eq "mdns.pcap without --mdns: the DNS query alone" "1 0 0" \
	"$(json "$s['events'], $s['kinds']['mdns'], $s['kinds']['llmnr']" <<<"$out" | tr -d '(),')"
expect_match "malformed frames counted" '"malformed":2' "$(tail -n 1 "$PCAPS/udp-tcp.json.out")"

# --- usage errors -----------------------------------------------------------------------------
"$DNSLEAK" watch -r "$TMP/nonexistent.pcap" >"$TMP/out" 2>"$TMP/err"
expect_eq "unreadable file: exit 2" 2 $?
"$DNSLEAK" watch -r "$TMP/nonexistent.pcap" --json >"$TMP/out" 2>/dev/null
expect_match "unreadable file, --json: an error object" '^\{"error": ?"' "$(cat "$TMP/out")"
"$DNSLEAK" watch --duration 0 >/dev/null 2>"$TMP/err"
expect_eq "--duration 0: exit 2" 2 $?
"$DNSLEAK" watch --bogus >/dev/null 2>"$TMP/err"
expect_eq "unknown option: exit 2" 2 $?
"$DNSLEAK" watch -r x -i eth0 >/dev/null 2>"$TMP/err"
expect_eq "--read with --interface: exit 2" 2 $?
"$DNSLEAK" watch --help >"$TMP/out" 2>&1
expect_match "--help" 'usage: dnsleak watch' "$(cat "$TMP/out")"

# --- live, in namespaces (root) --------------------------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! command -v dig >/dev/null; then
	ok "live capture # SKIP needs root, ip and dig"
	finish
	exit
fi
A=dl$$-wa
B=dl$$-wb
on_exit "ip netns del $A"
on_exit "ip netns del $B"
on_exit 'for p in $(ip netns pids '"$A"' 2>/dev/null) $(ip netns pids '"$B"' 2>/dev/null); do
	kill $p; done; sleep 0.2'
setup() {
	ip netns add "$A" && ip netns add "$B" &&
		ip -n "$A" link set lo up && ip -n "$B" link set lo up &&
		ip -n "$A" link add veth0 type veth peer name veth1 netns "$B" &&
		ip -n "$A" addr add 198.18.0.1/24 dev veth0 &&
		ip -n "$A" addr add 2001:db8:7::1/64 dev veth0 nodad &&
		ip -n "$B" addr add 198.18.0.2/24 dev veth1 &&
		ip -n "$B" addr add 2001:db8:7::2/64 dev veth1 nodad &&
		ip -n "$A" link set veth0 up && ip -n "$B" link set veth1 up &&
		ip -n "$A" tuntap add dev tun0 mode tun && ip -n "$A" link set tun0 up &&
		ip -n "$A" addr add 198.19.0.1/24 dev tun0
}
if ! setup >"$TMP/setup.log" 2>&1; then
	not_ok "namespace setup"
	sed 's/^/#   /' "$TMP/setup.log"
	finish
	exit 1
fi
ip netns exec "$B" "$DNSLEAKD" --dns 198.18.0.2:53 --dns '[2001:db8:7::2]:53' \
	--http 127.0.0.1:8053 --secret-file "$TMP/secret" --rdns no >"$TMP/dnsleakd.log" 2>&1 &
for _ in $(seq 1 50); do
	ip netns exec "$B" ss -Hltn 'sport = :53' | grep -q . && break
	sleep 0.1
done
ok "namespaces, dnsleakd on the far side"

# watch_start NS OUT ARGS...: start dnsleak watch in NS, wait until it captures; sets WPID.
watch_start() {
	local ns=$1 out=$2
	shift 2
	ip netns exec "$ns" "$DNSLEAK" watch "$@" >"$out" 2>"$out.err" &
	WPID=$!
	for _ in $(seq 1 100); do
		grep -q "watching" "$out.err" 2>/dev/null && return 0
		kill -0 "$WPID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
DIG=(ip netns exec "$A" dig +tries=1 +time=1 +short)

# Queries: 3 over UDP/IPv4, 1 over UDP/IPv6, 2 over TCP/IPv4, 1 over TCP/IPv6, and a DoT SYN.
# Neighbours first, so that no query waits in a neighbour queue and leaves out of turn.
ip netns exec "$A" ping -c 1 -W 1 198.18.0.2 >/dev/null 2>&1
ip netns exec "$A" ping -c 1 -W 1 2001:db8:7::2 >/dev/null 2>&1
watch_start "$A" "$TMP/live" -i veth0 --duration 3 --json || not_ok "watch starts"
"${DIG[@]}" @198.18.0.2 one.leak.test A >/dev/null
"${DIG[@]}" @198.18.0.2 two.leak.test AAAA >/dev/null
"${DIG[@]}" @198.18.0.2 three.leak.test TXT >/dev/null
"${DIG[@]}" @2001:db8:7::2 four.leak.test A >/dev/null
"${DIG[@]}" +tcp @198.18.0.2 five.leak.test A >/dev/null
"${DIG[@]}" +tcp @198.18.0.2 six.leak.test MX >/dev/null
"${DIG[@]}" +tcp @2001:db8:7::2 seven.leak.test AAAA >/dev/null
ip netns exec "$A" timeout 2 bash -c 'exec 3<>/dev/tcp/198.18.0.2/853' 2>/dev/null
wait "$WPID"
rc=$?
expect_eq "live: exit 1 (DNS left outside the tunnel)" 1 "$rc"
check "live: no sanitizer report" bash -c "! grep -qE 'Sanitizer|runtime error' '$TMP/live.err'"
events=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if "summary" not in d:
        print(d["kind"], d["transport"], d["qname"], d["qtype"], d["interface"], d["dst"])
' "$TMP/live" | sort)
expected=$(sort <<'EOF'
dns udp one.leak.test. A veth0 198.18.0.2:53
dns udp two.leak.test. AAAA veth0 198.18.0.2:53
dns udp three.leak.test. TXT veth0 198.18.0.2:53
dns udp four.leak.test. A veth0 [2001:db8:7::2]:53
dns tcp five.leak.test. A veth0 198.18.0.2:53
dns tcp six.leak.test. MX veth0 198.18.0.2:53
dns tcp seven.leak.test. AAAA veth0 [2001:db8:7::2]:53
dot tcp None None veth0 198.18.0.2:853
EOF
)
expect_eq "live: one event per query (any order), names, types, transports" "$expected" "$events"
summary=$(tail -n 1 "$TMP/live")
expect_eq "live: summary: leaks, events, dns, dot, mdns, per destination, veth0, malformed" \
	"8 8 7 1 0 6 2 8 0" \
	"$(json "$s['leaks'], $s['events'], $s['kinds']['dns'], $s['kinds']['dot'], \
		$s['kinds']['mdns'], $s['destinations']['198.18.0.2'], \
		$s['destinations']['2001:db8:7::2'], $s['interfaces']['veth0'], $s['malformed']" \
		<<<"$summary" | tr -d '(),')"
expect_match "live: JSON event fields" \
	'^\{"time":"[0-9-]{10}T[0-9:.]{12}Z","interface":"veth0","kind":"dns",'\
'"src":"198\.18\.0\.1:[0-9]+","dst":"198\.18\.0\.2:53","transport":"udp",'\
'"qname":"one\.leak\.test\.","qtype":"A"\}$' \
	"$(head -n 1 "$TMP/live")"

# No DNS: exit 0, and the human summary says so.
watch_start "$A" "$TMP/quiet" -i veth0 --duration 1 || not_ok "quiet watch starts"
wait "$WPID"
expect_eq "no DNS: exit 0" 0 $?
expect_match "no DNS: PASS line" 'PASS: no DNS seen leaving outside the tunnel' \
	"$(cat "$TMP/quiet")"

# Default interfaces: veth0 only (not lo, not the tun); SIGINT ends it with a summary.
watch_start "$A" "$TMP/default" || not_ok "default watch starts"
expect_match "default interfaces: veth0 alone" 'watching veth0 \(' "$(cat "$TMP/default.err")"
"${DIG[@]}" @198.18.0.2 default.leak.test A >/dev/null
sleep 0.3
kill -INT "$WPID"
wait "$WPID"
expect_eq "SIGINT: exit 1 after a query" 1 $?
expect_match "SIGINT: the event and the summary" \
	'veth0 dns/udp 198\.18\.0\.1:[0-9]+ -> 198\.18\.0\.2:53 default\.leak\.test\. A.*'\
'LEAK: 1 DNS query' \
	"$(tr '\n' ' ' <"$TMP/default")"

# Only what leaves: on the server's side the queries arrive, they do not leave.
watch_start "$B" "$TMP/in-default" -i veth1 --duration 2 --json || not_ok "server watch starts"
P1=$WPID
watch_start "$B" "$TMP/in-both" -i veth1 --duration 2 --json --inbound || not_ok "inbound starts"
P2=$WPID
"${DIG[@]}" @198.18.0.2 inbound.leak.test A >/dev/null
wait "$P1"
expect_eq "arriving queries are not leaks: exit 0" 0 $?
wait "$P2"
expect_eq "--inbound: exit 1" 1 $?
expect_match "--inbound: the arriving query" '"qname":"inbound\.leak\.test\."' \
	"$(cat "$TMP/in-both")"

# A tunnel named with -i (raw IP frames): its queries are shown, but they are not leaks. A
# process holds the tun open, or the kernel would drop what is routed into it unseen.
ip netns exec "$A" python3 -c '
import fcntl, os, struct, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"tun0", 0x0001 | 0x1000))  # TUNSETIFF
time.sleep(3)
' >"$TMP/tun.log" 2>&1 &
TUNPID=$!
sleep 0.3
watch_start "$A" "$TMP/tun" -i tun0 --duration 1 || not_ok "tun watch starts"
"${DIG[@]}" @198.19.0.2 tunnel.leak.test A >/dev/null 2>&1
wait "$WPID"
expect_eq "queries in the tunnel: exit 0" 0 $?
expect_match "queries in the tunnel: shown, marked" \
	'tun0 dns/udp 198\.19\.0\.1:[0-9]+ -> 198\.19\.0\.2:53 tunnel\.leak\.test\. A '\
'\(in the tunnel\)' \
	"$(cat "$TMP/tun")"
kill "$TUNPID" 2>/dev/null
wait "$TUNPID" 2>/dev/null

# Without privileges: exit 2 and a clear message.
ip netns exec "$A" env ASAN_OPTIONS=detect_leaks=0 setpriv --reuid=nobody --regid=nogroup \
	--clear-groups "$DNSLEAK" watch -i veth0 --duration 1 >"$TMP/np" 2>"$TMP/np.err"
expect_eq "not root: exit 2" 2 $?
expect_match "not root: says why" 'needs root or CAP_NET_RAW' "$(cat "$TMP/np.err")"
ip netns exec "$A" "$DNSLEAK" watch -i nosuch0 --duration 1 >/dev/null 2>"$TMP/ns.err"
expect_eq "no such interface: exit 2" 2 $?
finish
