#!/usr/bin/env bash
# dns_answers.sh -- what real clients (dig, kdig) see from dnsleakd over UDP and TCP, IPv4 and
# IPv6: the names of DESIGN.md 2, the ns4/ns6 delegations, negative answers, EDNS, 0x20, TC and
# the TCP fallback, TCP pipelining and the TCP idle timeout.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns.bash"

Z='leak\.test\.'
SOA_RE="^${Z} 60 IN SOA ns1\\.${Z} hostmaster\\.${Z} [0-9]+ 3600 600 86400 60\$"

require "dnsleakd starts" start_dnsleakd
require "POST /api/v1/tests gives a test id" api_new_test
ID=$TEST_ID
P="abc-$ID.leak.test"
P_RE="abc-$ID\\.${Z}"

# The cases asked with both tools over both transports and both families.
for tool in dig kdig; do
	for proto in udp tcp; do
		for fam in 4 6; do
			L="[$tool $proto v$fam]"
			if [ "$fam" = 4 ]; then
				ADDR=127.0.0.1 ADDR_RE='127\.0\.0\.1'
			else
				ADDR=::1 ADDR_RE='::1'
			fi
			q() { dq "$tool" "$proto" "$fam" "$@"; }

			# Apex.
			q leak.test SOA
			dq_expect_status "$L apex SOA: NOERROR" NOERROR
			dq_expect_flag "$L apex SOA: aa" aa
			dq_expect_rr "$L apex SOA: mname ns1, rname hostmaster" ANSWER \
				"^${Z} 3600 IN SOA ns1\\.${Z} hostmaster\\.${Z} [0-9]+ 3600 600 86400 60\$"
			q leak.test NS
			dq_expect_flag "$L apex NS: aa" aa
			dq_expect_count "$L apex NS: one NS ns1.leak.test." ANSWER 1 "^${Z} 3600 IN NS ns1\\.${Z}\$"
			dq_expect_rr "$L apex NS: glue A in additional" ADDITIONAL "^ns1\\.${Z} 3600 IN A 127\\.0\\.0\\.1\$"
			dq_expect_rr "$L apex NS: glue AAAA in additional" ADDITIONAL "^ns1\\.${Z} 3600 IN AAAA ::1\$"
			q leak.test A
			dq_expect_rr "$L apex A: web address" ANSWER "^${Z} 300 IN A 127\\.0\\.0\\.1\$"
			q leak.test AAAA
			dq_expect_rr "$L apex AAAA: web address" ANSWER "^${Z} 300 IN AAAA ::1\$"

			# Name servers and the delegation targets.
			q ns1.leak.test A
			dq_expect_flag "$L ns1 A: aa" aa
			dq_expect_rr "$L ns1 A" ANSWER "^ns1\\.${Z} 3600 IN A 127\\.0\\.0\\.1\$"
			q ns1.leak.test AAAA
			dq_expect_rr "$L ns1 AAAA" ANSWER "^ns1\\.${Z} 3600 IN AAAA ::1\$"
			q ns-v4.leak.test A
			dq_expect_rr "$L ns-v4 A" ANSWER "^ns-v4\\.${Z} 3600 IN A 127\\.0\\.0\\.1\$"
			q ns-v4.leak.test AAAA
			dq_expect_status "$L ns-v4 AAAA: NOERROR" NOERROR
			dq_expect_no_rr "$L ns-v4 AAAA: no answer (A only)" ANSWER
			dq_expect_rr "$L ns-v4 AAAA: SOA in authority" AUTHORITY "$SOA_RE"
			q ns-v6.leak.test AAAA
			dq_expect_rr "$L ns-v6 AAAA" ANSWER "^ns-v6\\.${Z} 3600 IN AAAA ::1\$"
			q ns-v6.leak.test A
			dq_expect_status "$L ns-v6 A: NOERROR" NOERROR
			dq_expect_no_rr "$L ns-v6 A: no answer (AAAA only)" ANSWER

			# Probe names.
			q "$P" A
			dq_expect_status "$L probe A: NOERROR" NOERROR
			dq_expect_flag "$L probe A: aa" aa
			dq_expect_rr "$L probe A: web address, TTL 0" ANSWER "^${P_RE} 0 IN A 127\\.0\\.0\\.1\$"
			q "$P" AAAA
			dq_expect_rr "$L probe AAAA: web address, TTL 0" ANSWER "^${P_RE} 0 IN AAAA ::1\$"
			q "$P" TXT
			dq_expect_rr "$L probe TXT: the resolver's address $ADDR" ANSWER "^${P_RE} 0 IN TXT \"${ADDR_RE}\"\$"
			q "$P" MX
			dq_expect_status "$L probe MX: NOERROR" NOERROR
			dq_expect_no_rr "$L probe MX: no answer" ANSWER
			dq_expect_rr "$L probe MX: SOA in authority" AUTHORITY "$SOA_RE"
			q "v4-$ID.leak.test" A
			dq_expect_rr "$L v4-<id> A" ANSWER "^v4-$ID\\.${Z} 0 IN A 127\\.0\\.0\\.1\$"
			q "v4-$ID.leak.test" AAAA
			dq_expect_status "$L v4-<id> AAAA: NOERROR" NOERROR
			dq_expect_no_rr "$L v4-<id> AAAA: NODATA" ANSWER
			dq_expect_rr "$L v4-<id> AAAA: SOA in authority" AUTHORITY "$SOA_RE"
			q "v6-$ID.leak.test" AAAA
			dq_expect_rr "$L v6-<id> AAAA" ANSWER "^v6-$ID\\.${Z} 0 IN AAAA ::1\$"
			q "v6-$ID.leak.test" A
			dq_expect_status "$L v6-<id> A: NOERROR" NOERROR
			dq_expect_no_rr "$L v6-<id> A: NODATA" ANSWER

			# whoami.
			q whoami.leak.test TXT
			dq_expect_rr "$L whoami TXT: $ADDR" ANSWER "^whoami\\.${Z} 0 IN TXT \"${ADDR_RE}\"\$"
			if [ "$fam" = 4 ]; then
				q whoami.leak.test A
				dq_expect_rr "$L whoami A: 127.0.0.1" ANSWER "^whoami\\.${Z} 0 IN A 127\\.0\\.0\\.1\$"
				q whoami.leak.test AAAA
			else
				q whoami.leak.test AAAA
				dq_expect_rr "$L whoami AAAA: ::1" ANSWER "^whoami\\.${Z} 0 IN AAAA ::1\$"
				q whoami.leak.test A
			fi
			dq_expect_status "$L whoami of the other family: NOERROR" NOERROR
			dq_expect_no_rr "$L whoami of the other family: no answer" ANSWER

			# Negative answers.
			q nosuchname.leak.test A
			dq_expect_status "$L unknown name: NXDOMAIN" NXDOMAIN
			dq_expect_flag "$L unknown name: aa" aa
			dq_expect_rr "$L unknown name: SOA in authority" AUTHORITY "$SOA_RE"
			q a.b.leak.test A
			dq_expect_status "$L deeper name: NXDOMAIN" NXDOMAIN
			q "x.$P" A
			dq_expect_status "$L name below a probe: NXDOMAIN" NXDOMAIN

			# The delegations: each child is served over its own family, referred over the other.
			for child in 4 6; do
				if [ "$child" = 4 ]; then ctype=A glue_re="A 127\\.0\\.0\\.1"; else ctype=AAAA glue_re="AAAA ::1"; fi
				q "ns$child.leak.test" A
				dq_expect_status "$L ns$child.leak.test A: NOERROR, never NXDOMAIN" NOERROR
				dq_expect_no_rr "$L ns$child.leak.test A: no answer" ANSWER
				if [ "$child" = "$fam" ]; then
					dq_expect_flag "$L ns$child.leak.test A: aa (served here)" aa
					dq_expect_rr "$L ns$child.leak.test A: child SOA in authority" AUTHORITY \
						"^ns$child\\.${Z} 60 IN SOA ns-v$child\\.${Z} hostmaster\\.${Z} "
				else
					dq_expect_flag "$L ns$child.leak.test A: no aa (referral)" aa no
					dq_expect_rr "$L ns$child.leak.test A: referral NS" AUTHORITY \
						"^ns$child\\.${Z} 3600 IN NS ns-v$child\\.${Z}\$"
				fi
				q "p$child-$ID.ns$child.leak.test" "$ctype"
				dq_expect_status "$L probe under ns$child ($ctype): NOERROR" NOERROR
				if [ "$child" = "$fam" ]; then
					dq_expect_flag "$L probe under ns$child: aa" aa
					dq_expect_rr "$L probe under ns$child: answered" ANSWER \
						"^p$child-$ID\\.ns$child\\.${Z} 0 IN $glue_re\$"
				else
					dq_expect_flag "$L probe under ns$child: no aa (referral)" aa no
					dq_expect_no_rr "$L probe under ns$child: no answer (referral)" ANSWER
					dq_expect_rr "$L probe under ns$child: authority NS ns-v$child" AUTHORITY \
						"^ns$child\\.${Z} 3600 IN NS ns-v$child\\.${Z}\$"
					dq_expect_rr "$L probe under ns$child: glue $ctype of ns-v$child" ADDITIONAL \
						"^ns-v$child\\.${Z} 3600 IN $glue_re\$"
					dq_expect_count "$L probe under ns$child: only $ctype glue" ADDITIONAL 1 \
						"^ns-v"
				fi
			done

			# Refused.
			q example.com A
			dq_expect_status "$L name outside the zone: REFUSED" REFUSED
			q eak.test A
			dq_expect_status "$L eak.test (a suffix, not a parent label): REFUSED" REFUSED
			q leak.test SOA -c CH
			dq_expect_status "$L CH class: REFUSED" REFUSED

			# EDNS.
			q leak.test SOA +bufsize=4096
			expect_eq "$L EDNS bufsize 4096: our OPT advertises 1232" 1232 "$(dq_udpsize)"
			q "$P" A +subnet=198.51.100.0/24
			expect_eq "$L ECS echoed with scope 0" 198.51.100.0/24/0 "$(dq_ecs)"
			dq_expect_rr "$L ECS: still answered" ANSWER "^${P_RE} 0 IN A "
			if [ "$tool" = dig ]; then
				q leak.test SOA +edns=1 +noednsnegotiation
			else
				q leak.test SOA +edns=1
			fi
			dq_expect_status "$L EDNS version 1: BADVERS" BADVERS

			# 0x20: the question comes back as it was asked (kdig lowercases names it sends).
			if [ "$tool" = dig ]; then
				q LeAk.TeSt SOA
				expect_eq "$L 0x20: question echoed in the asked case" "LeAk.TeSt. IN SOA" "$(dq_question)"
				q "AbC-${ID^^}.LeAk.tEsT" A
				expect_eq "$L 0x20: probe question echoed" "AbC-${ID^^}.LeAk.tEsT. IN A" "$(dq_question)"
				dq_expect_rr "$L 0x20: probe answered" ANSWER "^AbC-${ID^^}\\.LeAk\\.tEsT\\. 0 IN A 127\\.0\\.0\\.1\$"
			fi
		done
	done
done

check "dnsleakd exits cleanly (first instance)" stop_dnsleakd

# A second instance with 8 name servers, one IPv4 and one IPv6 address each (the glue limit
# per family in all): the apex NS answer is ~600 bytes, more than 512 without EDNS.
NS_FLAGS=()
for n in a b c d e f g h; do
	i=$(( $(printf '%d' "'$n") - 96 ))
	NS_FLAGS+=(--ns "ns$n=192.0.2.$i" --ns "ns$n=2001:db8::$i")
done
if ! start_dnsleakd "${NS_FLAGS[@]}" --tcp-idle-timeout-ms 300; then
	not_ok "dnsleakd starts with 8 name servers"
	finish
	exit 1
fi

tc_before=$(metric dnsleakd_dns_truncated_total)
dq dig udp 4 leak.test NS +noedns +ignore
dq_expect_flag "[dig udp v4] 8 NS without EDNS: tc" tc
dq_expect_no_rr "[dig udp v4] 8 NS without EDNS: no answer" ANSWER
dq kdig udp 6 leak.test NS +ignore
dq_expect_flag "[kdig udp v6] 8 NS without EDNS: tc" tc
dq_expect_no_rr "[kdig udp v6] 8 NS without EDNS: no answer" ANSWER
tc_after=$(metric dnsleakd_dns_truncated_total)
expect_eq "truncated counter counts the 2 TC answers" 2 $(( ${tc_after:-0} - ${tc_before:-0} ))
dq dig udp 4 leak.test NS +noedns
expect_match "[dig v4] TC: dig retries over TCP" "Truncated, retrying in TCP mode" "$DQ"
dq_expect_count "[dig v4] TC then TCP: all 8 NS" ANSWER 8 " IN NS ns[a-h]\\.${Z}\$"
dq_expect_count "[dig v4] TC then TCP: 16 glue records" ADDITIONAL 16 "^ns[a-h]\\.${Z} 3600 IN (A|AAAA) "
dq kdig udp 6 leak.test NS
dq_expect_count "[kdig v6] TC then TCP: all 8 NS" ANSWER 8 " IN NS ns[a-h]\\.${Z}\$"
dq_expect_flag "[kdig v6] TC then TCP: final answer has no tc" tc no
dq dig udp 6 leak.test NS +bufsize=1232
dq_expect_flag "[dig udp v6] 8 NS with EDNS 1232: fits, no tc" tc no
dq_expect_count "[dig udp v6] 8 NS with EDNS 1232: all 8 NS" ANSWER 8 " IN NS ns[a-h]\\.${Z}\$"
dq dig udp 4 nsh.leak.test AAAA
dq_expect_rr "[dig udp v4] nsh AAAA glue" ANSWER "^nsh\\.${Z} 3600 IN AAAA 2001:db8::8\$"
dq dig udp 4 ns-v4.leak.test A
dq_expect_count "[dig udp v4] ns-v4 A: the IPv4 address of every name server" ANSWER 8 "^ns-v4\\.${Z} 3600 IN A 192\\.0\\.2\\.[1-8]\$"

# Pipelining: three queries in one write, three answers in order.
Q1=$(rawdns build leak.test SOA --id 1)
Q2=$(rawdns build nsa.leak.test A --id 2)
Q3=$(rawdns build whoami.leak.test TXT --id 3)
for fam in 4 6; do
	f6=()
	[ "$fam" = 6 ] && f6=(-6)
	out=$(rawdns send -p "$DNS_PORT" "${f6[@]}" --tcp --frame "$Q1" "$Q2" "$Q3" 2>&1)
	expect_eq "[tcp v$fam] 3 pipelined queries: 3 answers in order" "1 2 3" \
		"$(sed -n 's/^id=\([0-9]*\) .*/\1/p' <<<"$out" | xargs)"
	expect_eq "[tcp v$fam] 3 pipelined queries: all NOERROR" 3 "$(grep -c 'rcode=NOERROR' <<<"$out")"
done
acc_before=$(metric dnsleakd_tcp_accepted_total)
DQ=$(kdig @127.0.0.1 -p "$DNS_PORT" +tcp +keepopen +timeout=3 +retry=0 \
	leak.test SOA nsa.leak.test A whoami.leak.test TXT 2>&1)
acc_after=$(metric dnsleakd_tcp_accepted_total)
expect_eq "[kdig +keepopen] 3 queries answered" 3 "$(grep -c 'status: NOERROR' <<<"$DQ")"
expect_match "[kdig +keepopen] the third is whoami TXT" 'whoami\.leak\.test\.[[:space:]]+0[[:space:]]+IN[[:space:]]+TXT[[:space:]]+"127\.0\.0\.1"' "$DQ"
expect_eq "[kdig +keepopen] one TCP connection for 3 queries" 1 $(( ${acc_after:-0} - ${acc_before:-0} ))

# Idle timeout 300 ms: an idle connection is closed within a second, not at once.
for fam in 4 6; do
	f6=()
	[ "$fam" = 6 ] && f6=(-6)
	out=$(rawdns idle -p "$DNS_PORT" "${f6[@]}" --max 3)
	ms=${out#closed }
	if [[ $out == closed* ]] && [ "$ms" -ge 200 ] && [ "$ms" -lt 1000 ]; then
		ok "[tcp v$fam] idle connection closed after ${ms} ms (timeout 300 ms)"
	else
		not_ok "[tcp v$fam] idle connection closed within 1 s (timeout 300 ms)"
		echo "#   got: $out"
	fi
done
timeouts=$(metric dnsleakd_tcp_timeouts_total)
check "tcp timeouts counted" [ "${timeouts:-0}" -ge 2 ]

check "dnsleakd exits cleanly (second instance)" stop_dnsleakd
finish
