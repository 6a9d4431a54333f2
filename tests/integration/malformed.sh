#!/usr/bin/env bash
# malformed.sh -- hostile and broken DNS messages over UDP and TCP (rawdns.py): the daemon
# answers FORMERR/NOTIMP or stays silent as RFC 1035 and NSD do, never crashes, still answers
# a valid query afterwards, and exits cleanly under ASan.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns.bash"

if ! start_dnsleakd; then
	not_ok "dnsleakd starts"
	finish
	exit 1
fi

# Building blocks (hex). Header: id 0x1234, flags, qd, an, ns, ar.
hdr() { printf '1234%04x%04x%04x%04x%04x' "$1" "$2" "$3" "$4" "$5"; }
QNAME='046c65616b047465737400'             # leak.test.
QUESTION="${QNAME}00060001"                # leak.test. SOA IN (15 bytes: ends at offset 27)
# opt OWNER RDATA: an OPT record (udp 1232, version 0) with that owner and option bytes.
opt() { printf '%s002904d000000000%04x%s' "$1" $((${#2} / 2)) "$2"; }
OPT=$(opt 00 '')                           # root OPT, no options
VALID="$(hdr 0 1 0 0 0)$QUESTION"
long_label() { printf '3f'; printf '61%.0s' $(seq 1 63); }

# send TRANSPORT HEX...: the first line rawdns.py prints. It waits WAIT seconds for an answer:
# long where one is due, short where silence is (a late answer still fails those checks).
WAIT=2
send() {
	local t=$1
	shift
	local f=()
	case $t in
	udp4) f=() ;;
	udp6) f=(-6) ;;
	tcp4) f=(--tcp --frame) ;;
	tcp6) f=(--tcp --frame -6) ;;
	esac
	rawdns send -p "$DNS_PORT" --timeout "$WAIT" "${f[@]}" "$@" 2>&1 | head -n 1
}

declare -A CASES=(
	["QDCOUNT=0"]="$(hdr 0 0 0 0 0)$QUESTION"
	["QDCOUNT=2"]="$(hdr 0 2 0 0 0)$QUESTION$QUESTION"
	["compression pointer in the question"]="$(hdr 0 1 0 0 0)c00c00060001"
	["label length byte 64"]="$(hdr 0 1 0 0 0)40$(printf '61%.0s' $(seq 1 64))0000060001"
	["name longer than 255"]="$(hdr 0 1 0 0 0)$(long_label)$(long_label)$(long_label)$(long_label)$(long_label)0000060001"
	["obsolete label type 0x80"]="$(hdr 0 1 0 0 0)800000060001"
	["compression loop in an additional record"]="$(hdr 0 1 0 0 1)${QUESTION}c01b000100010000003c000401020304"
	["forward compression pointer in an additional record"]="$(hdr 0 1 0 0 1)${QUESTION}c0ff000100010000003c000401020304"
	["two OPT records"]="$(hdr 0 1 0 0 2)$QUESTION$OPT$OPT"
	["OPT in the answer section"]="$(hdr 0 1 1 0 0)$QUESTION$OPT"
	["OPT with a non-root owner"]="$(hdr 0 1 0 0 1)${QUESTION}$(opt c00c '')"
	["OPT with ECS /24 carrying 4 address bytes"]="$(hdr 0 1 0 0 1)${QUESTION}$(opt 00 0008000800011800c6336400)"
	["OPT with ECS of family 3"]="$(hdr 0 1 0 0 1)${QUESTION}$(opt 00 0008000700031800c63364)"
	["OPT with ECS host bits set past the prefix"]="$(hdr 0 1 0 0 1)${QUESTION}$(opt 00 0008000700011700c63365)"
	["OPT with ECS source prefix 33"]="$(hdr 0 1 0 0 1)${QUESTION}$(opt 00 0008000900012100c633640000)"
	["two ECS options"]="$(hdr 0 1 0 0 1)${QUESTION}$(opt 00 0008000700011800c633640008000700011800c63364)"
	["OPT with a truncated option"]="$(hdr 0 1 0 0 1)${QUESTION}$(opt 00 000800100001)"
	["trailing garbage"]="$VALID"deadbeef
	["question cut short"]="$(hdr 0 1 0 0 0)046c65616b"
	["record count over 64"]="$(hdr 0 1 0 0 65)$QUESTION"
	["QTYPE OPT"]="$(hdr 0 1 0 0 0)${QNAME}00290001"
)
# Sorted, so the TAP numbering is the same on every run.
mapfile -t NAMES < <(printf '%s\n' "${!CASES[@]}" | LC_ALL=C sort)

for t in udp4 udp6 tcp4 tcp6; do
	for name in "${NAMES[@]}"; do
		expect_match "[$t] $name: FORMERR" '^id=4660 rcode=FORMERR flags=qr( |,)' \
			"$(send "$t" "${CASES[$name]// /}")"
	done
	expect_match "[$t] trailing garbage: FORMERR echoes the question" 'rcode=FORMERR .* qd=1 .*qname=leak\.test\.' \
		"$(send "$t" "$VALID"deadbeef)"
	expect_match "[$t] opcode NOTIFY: NOTIMP" '^id=4660 rcode=NOTIMP flags=qr( |$)' \
		"$(send "$t" "$(hdr 0x2000 1 0 0 0)$QUESTION")"
	expect_match "[$t] opcode 15: NOTIMP" '^id=4660 rcode=NOTIMP ' \
		"$(send "$t" "$(hdr 0x7800 1 0 0 0)$QUESTION")"
	expect_match "[$t] valid query: NOERROR aa" '^id=4660 rcode=NOERROR flags=qr,aa qd=1 an=1 ' \
		"$(send "$t" "$VALID")"
done

# Silence: a runt, a response (QR=1), a datagram longer than any query.
BIG="$(hdr 0 1 0 0 0)$QUESTION$(head -c 4100 /dev/zero | od -An -v -tx1 | tr -d ' \n')"
WAIT=0.3
for t in udp4 udp6; do
	expect_eq "[$t] 5-byte runt: silence" silence "$(send "$t" 1234010000)"
	expect_eq "[$t] 11-byte runt: silence" silence "$(send "$t" 1234010000010000000000)"
	expect_eq "[$t] QR=1: silence" silence "$(send "$t" "$(hdr 0x8000 1 0 0 0)$QUESTION")"
	expect_eq "[$t] QR=1 with a bad question: silence" silence "$(send "$t" "$(hdr 0x8000 1 0 0 0)c00c")"
	expect_eq "[$t] 4115-byte datagram: silence" silence "$(send "$t" "$BIG")"
	expect_eq "[$t] empty datagram: silence" silence "$(send "$t" "")"
done
for t in tcp4 tcp6; do
	expect_eq "[$t] QR=1: no answer" silence "$(send "$t" "$(hdr 0x8000 1 0 0 0)$QUESTION")"
done

WAIT=2

# TCP framing.
tcp_raw() { rawdns send -p "$DNS_PORT" --tcp --timeout 2 "$@" 2>&1 | head -n 1; }
for fam in 4 6; do
	f6=()
	[ "$fam" = 6 ] && f6=(-6)
	expect_eq "[tcp$fam] length prefix 5: connection closed" closed \
		"$(tcp_raw "${f6[@]}" --expect 1 0005 1234010000)"
	expect_eq "[tcp$fam] length prefix 0: connection closed" closed \
		"$(tcp_raw "${f6[@]}" --expect 1 0000)"
	expect_eq "[tcp$fam] length prefix 65535: connection closed" closed \
		"$(tcp_raw "${f6[@]}" --expect 1 "ffff${VALID}")"
	expect_eq "[tcp$fam] length prefix 4097: connection closed" closed \
		"$(tcp_raw "${f6[@]}" --expect 1 "1001${VALID}")"
	expect_match "[tcp$fam] a valid query split across 3 writes: answered" '^id=4660 rcode=NOERROR flags=qr,aa ' \
		"$(tcp_raw "${f6[@]}" --frame --split 3 --delay 0.2 "$VALID")"
	expect_match "[tcp$fam] the 2-byte length prefix split across writes: answered" '^id=4660 rcode=NOERROR ' \
		"$(tcp_raw "${f6[@]}" --frame --split 40 --delay 0.01 "$VALID")"
	out=$(rawdns send -p "$DNS_PORT" "${f6[@]}" --tcp --frame --timeout 2 \
		"$VALID" "$(hdr 0 0 0 0 0)$QUESTION" "$VALID" 2>&1)
	expect_eq "[tcp$fam] FORMERR between two valid queries: the connection goes on" \
		"NOERROR FORMERR NOERROR" "$(sed -n 's/.* rcode=\([A-Z]*\) .*/\1/p' <<<"$out" | xargs)"
	expect_eq "[tcp$fam] a garbage length after a valid query: answer, then closed" \
		"NOERROR closed" "$(rawdns send -p "$DNS_PORT" "${f6[@]}" --tcp --timeout 2 --expect 2 \
			"$(printf '%04x' $((${#VALID} / 2)))${VALID}0003aabbcc" 2>&1 |
			sed 's/.* rcode=\([A-Z]*\) .*/\1/' | xargs)"
done

# Random bytes.
for fam in 4 6; do
	f6=()
	[ "$fam" = 6 ] && f6=(-6)
	expect_eq "[udp$fam] 200 random datagrams sent" "sent 200" \
		"$(rawdns garbage -p "$DNS_PORT" "${f6[@]}" --count 200 --seed "$fam")"
done
for seed in 1 2 3; do
	junk=$("$PYTHON" -c "import random; r=random.Random($seed); print(bytes(r.randrange(256) for _ in range(3000)).hex())")
	rawdns send -p "$DNS_PORT" --tcp --timeout 0.5 --expect 0 "$junk" >/dev/null 2>&1
done
ok "3 TCP connections of random bytes sent"

check "the daemon is still running" kill -0 "$DLD_PID"
for t in udp4 udp6 tcp4 tcp6; do
	expect_match "[$t] after all that, a valid query is answered" '^id=4660 rcode=NOERROR flags=qr,aa ' \
		"$(send "$t" "$VALID")"
done
dq dig udp 4 whoami.leak.test TXT
dq_expect_rr "[dig udp v4] whoami still answered" ANSWER '"127\.0\.0\.1"$'
dropped=$(metric dnsleakd_dns_dropped_total)
check "dropped counter counts the silent datagrams (>= 12, got ${dropped:-none})" [ "${dropped:-0}" -ge 12 ]
formerr=$(metric 'dnsleakd_dns_rcode_total{rcode="formerr"}')
check "FORMERR counter counts the FORMERR answers (>= 80, got ${formerr:-none})" [ "${formerr:-0}" -ge 80 ]

check "SIGTERM: dnsleakd exits with status 0 (no ASan/UBSan report)" stop_dnsleakd
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/dnsleakd.log"; then
	not_ok "no sanitizer report in the daemon log"
	sed 's/^/#   /' "$TMP/dnsleakd.log" | head -n 40
else
	ok "no sanitizer report in the daemon log"
fi
finish
