#!/usr/bin/env bash
# stun.sh -- the STUN responder (RFC 8489 Binding) of dnsleakd, over real UDP on loopback:
# coturn's turnutils_stunclient learns 127.0.0.1 and ::1 as its reflexive address; raw Python
# datagrams check the answers byte by byte, the size rule, silence for bad input (the daemon
# lives on), the per-source rate limit, the /metrics counters and `--stun off'.
. "$(dirname "$0")/lib.sh"

# stun_send FAMILY HEX...: send each datagram (hex) from one socket to STUN_PORT, wait for
# answers; print one line per datagram: the answer's hex, or "none".
stun_send() {
	python3 - "$STUN_PORT" "$@" <<'PY'
import socket, sys, time
port, fam, msgs = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
s = socket.socket(socket.AF_INET6 if fam == "6" else socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("::1" if fam == "6" else "127.0.0.1", 0))
dst = ("::1" if fam == "6" else "127.0.0.1", port)
got = {}
for m in msgs:
    s.sendto(bytes.fromhex(m), dst)
s.settimeout(0.3)
try:
    while True:
        d = s.recv(2048)
        got.setdefault(d[8:20], []).append(d.hex())
except socket.timeout:
    pass
for m in msgs:
    lst = got.get(bytes.fromhex(m)[8:20], [])
    print(lst.pop(0) if lst else "none")
print("port", s.getsockname()[1])
PY
}

# stun_msg TYPE [COOKIE] [ATTRS_HEX] [TXID_BYTE]: a STUN message as hex, length field from ATTRS.
stun_msg() {
	python3 -c '
import struct, sys
t, cookie, attrs, tx = int(sys.argv[1], 16), int(sys.argv[2], 16), bytes.fromhex(sys.argv[3]), int(sys.argv[4])
print((struct.pack("!HHI", t, len(attrs), cookie) + bytes([tx]) * 12 + attrs).hex())
' "$1" "${2:-2112a442}" "${3:-}" "${4:-7}"
}

# decode HEX: "TYPE LEN MAPPED" of an answer (python's own XOR decoding), or "bad".
decode() {
	python3 -c '
import ipaddress, struct, sys
d = bytes.fromhex(sys.argv[1])
t, n, c = struct.unpack("!HHI", d[:8])
out, i = [], 20
while i < len(d):
    at, al = struct.unpack("!HH", d[i:i + 4]); v = d[i + 4:i + 4 + al]
    if at == 0x20:
        port = struct.unpack("!H", v[2:4])[0] ^ 0x2112
        mask = d[4:20] if v[1] == 2 else d[4:8]
        a = bytes(x ^ y for x, y in zip(v[4:], mask))
        out.append("%s:%d" % (ipaddress.ip_address(a), port))
    if at == 0x9:
        out.append("error=%d" % (v[2] * 100 + v[3]))
    if at == 0xa:
        out.append("unknown=" + ",".join("%04x" % struct.unpack("!H", v[k:k + 2]) for k in range(0, al, 2)))
    i += 4 + (al + 3) // 4 * 4
print("%04x %d %s" % (t, len(d), " ".join(out)))
' "$1" 2>/dev/null || echo bad
}

metric() {
	curl -fsS "$HTTP_URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'
}

require "dnsleakd starts" start_dnsleakd
if ! command -v turnutils_stunclient >/dev/null; then
	not_ok "turnutils_stunclient installed (apt-get install --no-install-recommends coturn)"
else
	out=$(timeout 5 turnutils_stunclient -p "$STUN_PORT" 127.0.0.1 2>&1)
	expect_match "turnutils_stunclient over IPv4: reflexive address 127.0.0.1" \
		'IPv4\. UDP reflexive addr: 127\.0\.0\.1:[0-9]+' "$out"
	out=$(timeout 5 turnutils_stunclient -p "$STUN_PORT" ::1 2>&1)
	expect_match "turnutils_stunclient over IPv6: reflexive address ::1" \
		'IPv6\. UDP reflexive addr: ::1:[0-9]+' "$out"
fi

# What Chromium 156 sends for a srflx candidate: 20 bytes, no attributes.
binding=$(stun_msg 0001)
mapfile -t r < <(stun_send 4 "$binding")
expect_eq "IPv4: 20-byte Binding request gets the 32-byte success, our address and port" \
	"0101 32 127.0.0.1:${r[1]#port }" "$(decode "${r[0]}")"
expect_eq "IPv4: transaction id echoed" "070707070707070707070707" "${r[0]:16:24}"
mapfile -t r < <(stun_send 6 "$binding")
expect_eq "IPv6: 44-byte success with ::1 and our port" "0101 44 ::1:${r[1]#port }" \
	"$(decode "${r[0]}")"

# With FINGERPRINT (computed by Python's zlib) the answer carries one and is 40 bytes.
fp=$(python3 -c '
import struct, zlib
h = struct.pack("!HHI", 1, 8, 0x2112A442) + b"\x09" * 12
print((h + struct.pack("!HHI", 0x8028, 4, (zlib.crc32(h) ^ 0x5354554E) & 0xffffffff)).hex())')
mapfile -t r < <(stun_send 4 "$fp")
expect_match "FINGERPRINT asked: 40-byte answer" '^0101 40 127\.0\.0\.1:' "$(decode "${r[0]}")"
check "answer's FINGERPRINT is right" python3 -c '
import struct, sys, zlib
d = bytes.fromhex(sys.argv[1])
sys.exit(0 if struct.unpack("!I", d[-4:])[0] == (zlib.crc32(d[:-8]) ^ 0x5354554E) & 0xffffffff else 1)' "${r[0]}"

# Bad input: no answer for any of these, and the daemon lives on.
bad=(
	"$(stun_msg 0001 12345678)"                  # wrong cookie
	"$(stun_msg 0001 00000000 0003000400000000)" # RFC 3489 classic with CHANGE-REQUEST (stun-client)
	"$(stun_msg 0001 | cut -c1-38)"              # 19 bytes
	"$(stun_msg 0011)"                           # Binding indication
	"$(stun_msg 0101)"                           # a response
	"$(stun_msg 0003)"                           # Allocate (TURN)
	"$(stun_msg 4001)"                           # top bits: not STUN
	"$(stun_msg 0001 2112a442 80220008aabbccdd)" # attribute longer than the message
	"${binding:0:6}04${binding:8}"          # length field 4, no body
	"${binding}0000"                        # 22 bytes: length not a multiple of 4
	"${fp:0:-2}00"                          # bad FINGERPRINT
	"$(stun_msg 0001 2112a442 "$(printf '8022%04x' 600)$(printf '%01200d' 0)")" # 624 bytes
	"$(stun_msg 0001 2112a442 0003000400000000)" # CHANGE-REQUEST in 28 bytes: the 420 needs 36
	"000001000001000000000000047465737400000100010000" # a DNS query
)
mapfile -t r < <(stun_send 4 "${bad[@]}")
answered=0
for ((i = 0; i < ${#bad[@]}; i++)); do
	[ "${r[$i]}" = none ] || {
		answered=$((answered + 1))
		echo "# answered bad input $i: ${r[$i]}"
	}
done
expect_eq "no answer to ${#bad[@]} kinds of bad input" 0 "$answered"
check "daemon alive after bad input" kill -0 "$DLD_PID"
mapfile -t r < <(stun_send 4 "$binding")
expect_match "and still answers" '^0101 32 ' "$(decode "${r[0]}")"

# An unknown comprehension-required attribute with room for the error: 420, within the size.
big=$(stun_msg 0001 2112a442 "00030004000000007001000080220028$(printf '%080d' 0)")
mapfile -t r < <(stun_send 4 "$big")
expect_eq "unknown attributes: 420 listing 0003 and 7001" "0111 56 error=420 unknown=0003,7001" \
	"$(decode "${r[0]}")"
check "420 no larger than its $((${#big} / 2))-byte request" test $((${#r[0]} / 2)) -le $((${#big} / 2))

# Every answer so far kept the size rule: error answers never, success only the minimal one.
expect_eq "metrics: successes" 6 "$(metric 'dnsleakd_stun_responses_total{type="success"}')"
expect_eq "metrics: errors" 1 "$(metric 'dnsleakd_stun_responses_total{type="error"}')"
expect_eq "metrics: requests" $((6 + 1 + ${#bad[@]})) "$(metric dnsleakd_stun_requests_total)"
expect_eq "metrics: no cookie (wrong, RFC 3489, the DNS query)" 3 "$(metric 'dnsleakd_stun_dropped_total{reason="no_cookie"}')"
expect_eq "metrics: too big" 1 "$(metric 'dnsleakd_stun_dropped_total{reason="too_big"}')"
expect_eq "metrics: size rule" 1 "$(metric 'dnsleakd_stun_dropped_total{reason="size_rule"}')"
expect_eq "metrics: bad fingerprint" 1 \
	"$(metric 'dnsleakd_stun_dropped_total{reason="bad_fingerprint"}')"
check "dnsleakd exits cleanly" stop_dnsleakd

# The rate limit: 3 in a burst, then 1 per second, per source address.
require "dnsleakd starts with --stun-rate 1 --stun-burst 3" start_dnsleakd --stun-rate 1 \
	--stun-burst 3
many=()
for i in $(seq 10 19); do many+=("$(stun_msg 0001 2112a442 '' "$i")"); done
mapfile -t r < <(stun_send 4 "${many[@]}")
n=0
for ((i = 0; i < 10; i++)); do [ "${r[$i]}" = none ] || n=$((n + 1)); done
expect_eq "10 requests at once: 3 answered" 3 "$n"
expect_eq "metrics: 7 rate-limited" 7 "$(metric 'dnsleakd_stun_dropped_total{reason="rate_limit"}')"
mapfile -t r < <(stun_send 6 "${many[@]:0:5}")
n=0
for ((i = 0; i < 5; i++)); do [ "${r[$i]}" = none ] || n=$((n + 1)); done
expect_eq "another source (::1) has its own bucket" 3 "$n"
sleep 1.1
mapfile -t r < <(stun_send 4 "$binding")
expect_match "a second later: answered again" '^0101 32 ' "$(decode "${r[0]}")"
check "dnsleakd exits cleanly (rate-limited)" stop_dnsleakd

# --stun off (after lib.sh's own --stun flags: the last word wins): nothing listens.
require "dnsleakd starts with --stun off" start_dnsleakd --stun off
expect_match "--stun off: the DNS port listens (ss works)" . "$(ss -Hlun "sport = :$DNS_PORT")"
expect_eq "--stun off: no STUN socket" "" "$(ss -Hlun "sport = :$STUN_PORT")"
mapfile -t r < <(stun_send 4 "$binding")
expect_eq "--stun off: no answer" none "${r[0]}"
expect_match "--stun off: metrics answer (DNS counters)" '^[0-9]+$' "$(metric dnsleakd_dns_queries_total)"
expect_eq "--stun off: metrics have no STUN counters" "" "$(metric dnsleakd_stun_requests_total)"
check "dnsleakd exits cleanly (stun off)" stop_dnsleakd

# Wildcard binds answer from the address each request came to (IP_PKTINFO): a request to
# 127.0.0.2 on a connected socket only sees an answer whose source is 127.0.0.2.
wport=$(free_port)
require "dnsleakd starts with --stun 0.0.0.0 and [::]" start_dnsleakd --stun off \
	--stun "0.0.0.0:$wport" --stun "[::]:$wport"
out=$(python3 - "$wport" <<'PY'
import socket, struct, sys
for fam, dst in ((socket.AF_INET, "127.0.0.2"), (socket.AF_INET6, "::1")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(1)
    s.connect((dst, int(sys.argv[1])))
    s.send(struct.pack("!HHI", 1, 0, 0x2112A442) + b"\x05" * 12)
    try:
        d, a = s.recvfrom(100)
        print(a[0], len(d))
    except socket.timeout:
        print(dst, "none")
PY
)
expect_eq "wildcard: answers from 127.0.0.2 and ::1" "127.0.0.2 32 ::1 44" "$(echo $out)"
check "dnsleakd exits cleanly (wildcard)" stop_dnsleakd

# A STUN port already taken: a clear error, not a silent half-working daemon.
port=$(free_port)
python3 -c 'import socket, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(__import__("sys").argv[1]))); time.sleep(30)' "$port" &
holder=$!
on_exit "kill $holder"
# Wait until the holder really has the port (a loaded machine starts python slowly).
for _ in $(seq 1 100); do
	[ -n "$(ss -Hlun "sport = :$port")" ] && break
	sleep 0.05
done
require "the port holder has 127.0.0.1:$port" [ -n "$(ss -Hlun "sport = :$port")" ]
rc=0
out=$(timeout 10 "$DNSLEAKD" --dns "127.0.0.1:$(free_port)" --http "127.0.0.1:$(free_port)" \
	--stun "127.0.0.1:$port" 2>&1) || rc=$?
expect_eq "STUN port in use: exit 1" 1 "$rc"
expect_match "STUN port in use: says which" "stun 127\.0\.0\.1:$port: Address already in use" "$out"
kill "$holder" 2>/dev/null

finish
