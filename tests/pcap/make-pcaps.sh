#!/usr/bin/env bash
# make-pcaps.sh -- regenerate the captures in tests/pcap/ and their golden *.out files (root).
#
# Two network namespaces joined by a veth pair: the client side (198.18.0.1, 2001:db8:5::1)
# sends real queries with dig and a small Python sender to dnsleakd on the other side
# (198.18.0.2, 2001:db8:5::2), while dumpcap records them. The golden *.out files are what
# `dnsleak watch -r FILE` prints (TZ=UTC); review a diff of them before committing. Nothing
# leaves the namespaces; only documentation and benchmarking addresses are used.
#
#   udp-tcp.pcap   Ethernet: dig over UDP and TCP, IPv4 and IPv6, a DoT SYN (refused), a TCP
#                  query split over 2 and over 3 segments, two queries in one segment, a
#                  retransmitted one, a name with escaped bytes, a malformed packet, responses
#   vlan.pcap      Ethernet with an 802.1Q tag (VLAN 100) inserted in every frame afterwards:
#                  containers often lack the 8021q module
#   sll.pcap       Linux cooked capture v1 ("any"), sll2.pcap: v2
#   raw.pcap       raw IP: an Ethernet capture with the Ethernet header cut off (editcap)
#   ipv6-ext.pcap  IPv6 destination options and hop-by-hop headers before UDP
#   frag.pcap      a query fragmented over IPv4 and one over IPv6 (links with a small MTU)
#   mdns.pcap      mDNS and LLMNR queries and an mDNS response (dnsleak watch --mdns)
#   snaplen.pcap   udp-tcp's kind of traffic captured with 80-byte frames: names cut short
set -eu
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=$ROOT/tests/pcap
DNSLEAK=${DNSLEAK:-$ROOT/build/dnsleak}
DNSLEAKD=${DNSLEAKD:-$ROOT/build/dnsleakd}
[ "$(id -u)" -eq 0 ] || { echo "make-pcaps.sh: needs root (network namespaces)" >&2; exit 2; }

A=dl$$-a
B=dl$$-b
TMP=$(mktemp -d /tmp/dnsleak-pcap.XXXXXX)
CAP_PID=
cleanup() {
	local p
	[ -n "$CAP_PID" ] && kill "$CAP_PID" 2>/dev/null
	for p in $(ip netns pids "$A" 2>/dev/null) $(ip netns pids "$B" 2>/dev/null); do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
a() { ip netns exec "$A" "$@"; }
b() { ip netns exec "$B" "$@"; }

ip netns add "$A"
ip netns add "$B"
ip -n "$A" link set lo up
ip -n "$B" link set lo up
ip -n "$A" link add veth0 type veth peer name veth1 netns "$B"
ip -n "$A" addr add 198.18.0.1/24 dev veth0
ip -n "$A" addr add 2001:db8:5::1/64 dev veth0 nodad
ip -n "$B" addr add 198.18.0.2/24 dev veth1
ip -n "$B" addr add 2001:db8:5::2/64 dev veth1 nodad
ip -n "$A" link set veth0 up
ip -n "$B" link set veth1 up
# A second veth with a small MTU, for fragments.
ip -n "$A" link add vfrag0 type veth peer name vfrag1 netns "$B"
ip -n "$A" addr add 198.18.1.1/24 dev vfrag0
ip -n "$A" addr add 2001:db8:6::1/64 dev vfrag0 nodad
ip -n "$B" addr add 198.18.1.2/24 dev vfrag1
ip -n "$B" addr add 2001:db8:6::2/64 dev vfrag1 nodad
ip -n "$A" link set vfrag0 up
ip -n "$B" link set vfrag1 up

ip netns exec "$B" "$DNSLEAKD" --dns 198.18.0.2:53 --dns '[2001:db8:5::2]:53' \
	--dns 198.18.1.2:53 --dns '[2001:db8:6::2]:53' \
	--http 127.0.0.1:8053 --secret-file "$TMP/secret" >"$TMP/dnsleakd.log" 2>&1 &
sleep 1.5 # dnsleakd up, IPv6 addresses usable

cat >"$TMP/send.py" <<'EOF'
"""send.py -- DNS packets dig cannot make: split or pipelined TCP, garbage, mDNS, ext headers."""
import socket
import struct
import sys
import time


def name(n):
    out = b""
    for label in n.strip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(qid, n, qtype=1, qd=1, flags=0x0100):
    return struct.pack(">HHHHHH", qid, flags, qd, 0, 0, 0) + name(n) + \
        struct.pack(">HH", qtype, 1)


def tcp(addr, parts, family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect((addr, 53))
    for p in parts:
        s.send(p)
        time.sleep(0.1)
    time.sleep(0.2)
    s.close()


def framed(q):
    return struct.pack(">H", len(q)) + q


what = sys.argv[1]
if what == "split2":
    m = framed(query(0x1102, "split-two.leak.test", 1))
    tcp(sys.argv[2], [m[:9], m[9:]])
elif what == "split3":
    m = framed(query(0x1103, "split-three.leak.test", 28))
    tcp(sys.argv[2], [m[:2], m[2:20], m[20:]])
elif what == "pipelined":
    tcp(sys.argv[2], [framed(query(0x1201, "first.leak.test", 1)) +
                      framed(query(0x1202, "second.leak.test", 16))])
elif what == "garbage":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"\x12\x34\x01", (sys.argv[2], 53))
    s.sendto(query(0x1301, "two-questions.leak.test", 1, qd=2), (sys.argv[2], 53))
elif what == "dot":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(1)
    try:
        s.connect((sys.argv[2], 853))
    except OSError:
        pass
elif what == "v6opts":
    # Destination options, then hop-by-hop (the kernel puts hop-by-hop first): PadN each.
    pad = bytes([0, 0, 1, 4, 0, 0, 0, 0])
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, pad)
    s.sendto(query(0x1401, "dstopts.leak.test", 28), (sys.argv[2], 53))
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, pad)
    s.sendto(query(0x1402, "hopopts.leak.test", 1), (sys.argv[2], 53))
elif what == "big":
    # One question and an EDNS OPT padded (RFC 7830) to about size bytes: fragments.
    size = int(sys.argv[3])
    family = socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET
    q = struct.pack(">HHHHHH", 0x1501, 0x0100, 1, 0, 0, 1) + name("fragmented.leak.test") + \
        struct.pack(">HH", 1, 1)
    pad = size - len(q) - 15
    q += b"\0" + struct.pack(">HHIH", 41, 1232, 0, pad + 4) + struct.pack(">HH", 12, pad) + \
        bytes(pad)
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.sendto(q, (sys.argv[2], 53))
elif what == "mdns":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(sys.argv[2]))
    s.bind((sys.argv[2], 5353))
    s.sendto(query(0, "printer.local", 12, flags=0),
             ("224.0.0.251", 5353))
    # A response (QR=1): not reported.
    s.sendto(struct.pack(">HHHHHH", 0, 0x8400, 0, 1, 0, 0) + name("printer.local") +
             struct.pack(">HHIH", 1, 0x8001, 120, 4) + bytes([198, 18, 0, 9]),
             ("224.0.0.251", 5353))
    l = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    l.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(sys.argv[2]))
    l.sendto(query(0x1601, "fileserver", 1, flags=0),
             ("224.0.0.252", 5355))
    # An ordinary query too, so the file shows both with and without --mdns.
    l.sendto(query(0x1602, "plain.leak.test", 1), (sys.argv[3], 53))
EOF

cat >"$TMP/tag.py" <<'EOF'
"""tag.py IN OUT -- insert an 802.1Q tag (VLAN 100) after the MAC addresses of every frame."""
import struct
import sys

data = open(sys.argv[1], "rb").read()
out = bytearray(data[:24])
off = 24
while off + 16 <= len(data):
    sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
    frame = data[off + 16:off + 16 + incl]
    out += struct.pack("<IIII", sec, usec, incl + 4, orig + 4)
    out += frame[:12] + b"\x81\x00\x00\x64" + frame[12:]
    off += 16 + incl
open(sys.argv[2], "wb").write(out)
EOF

# capture NS IFACE FILE [dumpcap options]: start dumpcap; stop_capture ends it.
capture() {
	local ns=$1 dev=$2 file=$3
	shift 3
	ip netns exec "$ns" dumpcap -i "$dev" -w "$file" "$@" >"$TMP/dumpcap.log" 2>&1 &
	CAP_PID=$!
	for _ in $(seq 1 50); do
		grep -q "^File:\|Capturing on" "$TMP/dumpcap.log" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.3
}
stop_capture() {
	sleep 0.3
	kill -TERM "$CAP_PID" || { cat "$TMP/dumpcap.log" >&2; exit 1; }
	wait "$CAP_PID" || true
	CAP_PID=
}
DIG=(dig +tries=1 +time=1 +noall)

# --- udp-tcp.pcap -------------------------------------------------------------------------
capture "$A" veth0 "$TMP/udp-tcp.pcap" -f "port 53 or port 853" -P
a "${DIG[@]}" @198.18.0.2 www.leak.test A
a "${DIG[@]}" @198.18.0.2 mail.leak.test AAAA
a "${DIG[@]}" @2001:db8:5::2 ipv6.leak.test TXT
a "${DIG[@]}" +tcp @198.18.0.2 tcp.leak.test A
a "${DIG[@]}" +tcp @2001:db8:5::2 tcp6.leak.test AAAA
a "${DIG[@]}" @198.18.0.2 'odd\032name\.x.leak.test' MX
a python3 "$TMP/send.py" split2 198.18.0.2
a python3 "$TMP/send.py" split3 198.18.0.2
a python3 "$TMP/send.py" pipelined 198.18.0.2
a python3 "$TMP/send.py" garbage 198.18.0.2
a python3 "$TMP/send.py" dot 198.18.0.2
stop_capture

# --- vlan.pcap, raw.pcap -----------------------------------------------------------------
# This kernel may lack 8021q and ipip: the traffic is real, the encapsulation is rewritten.
capture "$A" veth0 "$TMP/vlan-src.pcap" -f "port 53" -P
a "${DIG[@]}" @198.18.0.2 tagged.leak.test A
a "${DIG[@]}" +tcp @2001:db8:5::2 tagged-tcp.leak.test AAAA
stop_capture
python3 "$TMP/tag.py" "$TMP/vlan-src.pcap" "$TMP/vlan.pcap"
capture "$A" veth0 "$TMP/raw-src.pcap" -f "port 53" -P
a "${DIG[@]}" @198.18.0.2 tunnelled.leak.test A
a "${DIG[@]}" +tcp @2001:db8:5::2 tunnelled-tcp.leak.test TXT
stop_capture
editcap -F pcap -C 14 -T rawip "$TMP/raw-src.pcap" "$TMP/raw.pcap"

# --- sll.pcap, sll2.pcap ------------------------------------------------------------------
for dlt in LINUX_SLL LINUX_SLL2; do
	f=$(echo "$dlt" | tr 'A-Z' 'a-z' | sed 's/linux_//')
	capture "$A" any "$TMP/$f.pcap" -y "$dlt" -f "port 53" -P
	a "${DIG[@]}" @198.18.0.2 "cooked-$f.leak.test" A
	a "${DIG[@]}" +tcp @2001:db8:5::2 "cooked-$f-tcp.leak.test" AAAA
	stop_capture
done

# --- ipv6-ext.pcap ------------------------------------------------------------------------
capture "$A" veth0 "$TMP/ipv6-ext.pcap" -f "ip6" -P
a python3 "$TMP/send.py" v6opts 2001:db8:5::2
stop_capture

# --- frag.pcap ----------------------------------------------------------------------------
# IPv6 first: below an MTU of 1280 the kernel takes IPv6 off the link.
ip -n "$A" link set vfrag0 mtu 1280
ip -n "$B" link set vfrag1 mtu 1280
capture "$A" vfrag0 "$TMP/frag6.pcap" -f "ip6 and not icmp6" -P
a python3 "$TMP/send.py" big 2001:db8:6::2 1400
stop_capture
ip -n "$A" link set vfrag0 mtu 576
ip -n "$B" link set vfrag1 mtu 576
capture "$A" vfrag0 "$TMP/frag4.pcap" -f "ip" -P
a python3 "$TMP/send.py" big 198.18.1.2 1000
stop_capture
mergecap -F pcap -w "$TMP/frag.pcap" "$TMP/frag6.pcap" "$TMP/frag4.pcap"

# --- mdns.pcap ----------------------------------------------------------------------------
ip -n "$A" route add 224.0.0.0/4 dev veth0
capture "$A" veth0 "$TMP/mdns.pcap" -f "udp" -P
a python3 "$TMP/send.py" mdns 198.18.0.1 198.18.0.2
stop_capture

# --- snaplen.pcap -------------------------------------------------------------------------
capture "$A" veth0 "$TMP/snaplen.pcap" -s 80 -f "port 53" -P
a "${DIG[@]}" @198.18.0.2 short.test A
a "${DIG[@]}" @198.18.0.2 a-name-too-long-for-eighty-bytes.leak.test A
a "${DIG[@]}" +tcp @198.18.0.2 short.test AAAA
stop_capture

for f in udp-tcp vlan sll sll2 raw ipv6-ext frag mdns snaplen; do
	cp "$TMP/$f.pcap" "$OUT/$f.pcap"
	chmod 644 "$OUT/$f.pcap"
	mdns=()
	[ "$f" = mdns ] && mdns=(--mdns)
	TZ=UTC "$DNSLEAK" watch -r "$OUT/$f.pcap" "${mdns[@]}" >"$OUT/$f.out" || true
	TZ=UTC "$DNSLEAK" watch -r "$OUT/$f.pcap" "${mdns[@]}" --json >"$OUT/$f.json.out" || true
done

# Fuzz seeds: the frames of each capture in fuzz_capture.c's input format.
python3 - "$OUT" "$ROOT/tests/fuzz/corpus/capture" <<'EOF'
import os
import struct
import sys

# pcap link type -> fuzz_capture.c's index (EN10MB, SLL, SLL2, RAW, IPV4, IPV6, NULL, LOOP)
INDEX = {1: 0, 113: 1, 276: 2, 101: 3, 228: 4, 229: 5, 0: 6, 108: 7}
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)


def frames(path):
    data = open(path, "rb").read()
    linktype = struct.unpack("<I", data[20:24])[0]
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return linktype, out


def write(name, index, fs):
    body = bytes([index]) + b"".join(struct.pack(">H", len(f)) + f for f in fs)
    open(os.path.join(dst, name), "wb").write(body)


for f in sorted(os.listdir(src)):
    if not f.endswith(".pcap"):
        continue
    linktype, fs = frames(os.path.join(src, f))
    base = f[:-5]
    write(base, INDEX[linktype] | (0x80 if base == "mdns" else 0), fs)
    if base == "raw":
        v4 = [x for x in fs if x[0] >> 4 == 4]
        v6 = [x for x in fs if x[0] >> 4 == 6]
        write("ipv4-dlt", INDEX[228], v4)
        write("ipv6-dlt", INDEX[229], v6)
        fam = lambda x: 2 if x[0] >> 4 == 4 else 10
        write("null-dlt", INDEX[0], [struct.pack("<I", fam(x)) + x for x in fs])
        write("loop-dlt", INDEX[108], [struct.pack(">I", fam(x)) + x for x in fs])
EOF
ls -l "$OUT"
