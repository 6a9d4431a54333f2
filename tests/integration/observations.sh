#!/usr/bin/env bash
# observations.sh -- what dnsleakd records from probe queries, as GET /api/v1/tests/<id> shows
# it: resolvers per address with counts, transports, qtypes, ECS, EDNS size, DO; the raw
# observations; forged ids (bad MAC) answered but not stored; expired ids likewise.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns.bash"

require "dnsleakd starts" start_dnsleakd
require "POST /api/v1/tests gives a test id" api_new_test
ID=$TEST_ID

# ask DESC TOOL PROTO FAM NAME TYPE [flags...]: a probe query that must be answered NOERROR.
SENT=0
ask() {
	local desc=$1
	shift
	dq "$@"
	SENT=$((SENT + 1))
	dq_expect_status "query: $desc" NOERROR
}

# From 127.0.0.1: 6 queries.
ask "v4 udp A, no EDNS" kdig udp 4 "n1-$ID.leak.test" A
ask "v4 tcp AAAA" kdig tcp 4 "n2-$ID.leak.test" AAAA
ask "v4 udp TXT with ECS, bufsize 1400, 0x20" dig udp 4 "N3-${ID^^}.leak.test" TXT \
	+subnet=198.51.100.0/24 +bufsize=1400 +nocookie
ask "v4 udp v4-<id> A" kdig udp 4 "v4-$ID.leak.test" A
ask "v4 udp under ns4 (answered)" kdig udp 4 "n5-$ID.ns4.leak.test" A
ask "v4 udp under ns6 (referral)" kdig udp 4 "n6-$ID.ns6.leak.test" A
dq_expect_flag "under ns6 over v4 is a referral (no aa)" aa no
# From ::1: 4 queries.
ask "v6 udp AAAA with DO, bufsize 1232" kdig udp 6 "n7-$ID.leak.test" AAAA +dnssec +bufsize=1232
ask "v6 tcp MX" kdig tcp 6 "n8-$ID.leak.test" MX
ask "v6 udp v6-<id> AAAA" kdig udp 6 "v6-$ID.leak.test" AAAA
ask "v6 tcp under ns6 (answered)" kdig tcp 6 "n9-$ID.ns6.leak.test" AAAA
# Names that are not recorded: apex, ns1, whoami, unknown label.
for n in leak.test ns1.leak.test whoami.leak.test "zz-$ID.leak.test.example"; do
	dq kdig udp 4 "$n" A
done

# The store thread drains the DNS rings every few ms: wait until all are there.
RES=
for _ in $(seq 1 50); do
	RES=$(api_results) && [ "$(json 'd["total"]' <<<"$RES")" = "$SENT" ] && break
	sleep 0.1
done
r4='[r for r in d["resolvers"] if r["address"] == "127.0.0.1"]'
r6='[r for r in d["resolvers"] if r["address"] == "::1"]'
jq_() { json "$1" <<<"$RES" 2>&1; }

expect_eq "results: id" "$ID" "$(jq_ 'd["id"]')"
expect_eq "results: zone" leak.test "$(jq_ 'd["zone"]')"
expect_eq "results: total = queries sent" "$SENT" "$(jq_ 'd["total"]')"
expect_eq "results: two resolvers" 2 "$(jq_ 'len(d["resolvers"])')"
expect_eq "results: 127.0.0.1 seen first" 127.0.0.1 "$(jq_ 'd["resolvers"][0]["address"]')"

expect_eq "127.0.0.1: family 4" 4 "$(jq_ "${r4}[0]['family']")"
expect_eq "127.0.0.1: queries" 6 "$(jq_ "${r4}[0]['queries']")"
expect_eq "127.0.0.1: transports" "['udp', 'tcp']" "$(jq_ "${r4}[0]['transports']")"
expect_eq "127.0.0.1: qtypes" "['A', 'TXT', 'AAAA']" "$(jq_ "${r4}[0]['qtypes']")"
expect_eq "127.0.0.1: names" "['probe', 'ns4', 'ns6', 'v4']" "$(jq_ "${r4}[0]['names']")"
expect_eq "127.0.0.1: ecs" 198.51.100.0/24 "$(jq_ "${r4}[0]['ecs']")"
expect_eq "127.0.0.1: edns_udp_size" 1400 "$(jq_ "${r4}[0]['edns_udp_size']")"
expect_eq "127.0.0.1: dnssec_ok" False "$(jq_ "${r4}[0]['dnssec_ok']")"
expect_eq "127.0.0.1: case_randomized" True "$(jq_ "${r4}[0]['case_randomized']")"

expect_eq "::1: family 6" 6 "$(jq_ "${r6}[0]['family']")"
expect_eq "::1: queries" 4 "$(jq_ "${r6}[0]['queries']")"
expect_eq "::1: transports" "['udp', 'tcp']" "$(jq_ "${r6}[0]['transports']")"
expect_eq "::1: qtypes" "['MX', 'AAAA']" "$(jq_ "${r6}[0]['qtypes']")"
expect_eq "::1: names" "['probe', 'ns6', 'v6']" "$(jq_ "${r6}[0]['names']")"
expect_eq "::1: ecs null" None "$(jq_ "${r6}[0]['ecs']")"
expect_eq "::1: edns_udp_size" 1232 "$(jq_ "${r6}[0]['edns_udp_size']")"
expect_eq "::1: dnssec_ok" True "$(jq_ "${r6}[0]['dnssec_ok']")"
expect_eq "::1: case_randomized" False "$(jq_ "${r6}[0]['case_randomized']")"

# The raw observations (several UDP threads: arrival order is not checked).
obs() { jq_ "[o for o in d['observations'] if o['nonce'] == '$1'][0]['$2']"; }
expect_eq "observations: one per query" "$SENT" "$(jq_ 'len(d["observations"])')"
expect_eq "observations: nonces" "n1 n2 n3 n5 n6 n7 n8 n9 v4 v6" \
	"$(jq_ '" ".join(sorted(o["nonce"] for o in d["observations"]))')"
expect_eq "observation n1: name probe" probe "$(obs n1 name)"
expect_eq "observation n1: resolver" 127.0.0.1 "$(obs n1 resolver)"
expect_eq "observation n1: family" 4 "$(obs n1 family)"
expect_eq "observation n1: transport udp" udp "$(obs n1 transport)"
expect_eq "observation n1: qtype" A "$(obs n1 qtype)"
expect_eq "observation n1: no EDNS" None "$(obs n1 edns_udp_size)"
expect_eq "observation n1: ecs null" None "$(obs n1 ecs)"
expect_eq "observation n1: not a referral" False "$(obs n1 referral)"
expect_match "observation n1: a port" '^[0-9]+$' "$(obs n1 port)"
expect_match "observation n1: time RFC 3339" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$' "$(obs n1 time)"
expect_eq "observation n2: transport tcp" tcp "$(obs n2 transport)"
expect_eq "observation n2: qtype" AAAA "$(obs n2 qtype)"
expect_eq "observation n3: nonce lowercased" n3 "$(jq_ "[o for o in d['observations'] if o['qtype'] == 'TXT'][0]['nonce']")"
expect_eq "observation n3: ecs" 198.51.100.0/24 "$(obs n3 ecs)"
expect_eq "observation n3: edns_udp_size" 1400 "$(obs n3 edns_udp_size)"
expect_eq "observation n3: case_randomized" True "$(obs n3 case_randomized)"
expect_eq "observation n3: no cookie (+nocookie)" False "$(obs n3 cookie)"
expect_eq "observation v4: name v4" v4 "$(obs v4 name)"
expect_eq "observation n5: name ns4" ns4 "$(obs n5 name)"
expect_eq "observation n5: not a referral" False "$(obs n5 referral)"
expect_eq "observation n6: name ns6" ns6 "$(obs n6 name)"
expect_eq "observation n6: referral (asked over IPv4)" True "$(obs n6 referral)"
expect_eq "observation n7: dnssec_ok" True "$(obs n7 dnssec_ok)"
expect_eq "observation n7: resolver ::1" ::1 "$(obs n7 resolver)"
expect_eq "observation n7: family 6" 6 "$(obs n7 family)"
expect_eq "observation n8: qtype MX" MX "$(obs n8 qtype)"
expect_eq "observation v6: name v6" v6 "$(obs v6 name)"
expect_eq "observation n9: name ns6" ns6 "$(obs n9 name)"
expect_eq "observation n9: transport tcp" tcp "$(obs n9 transport)"
expect_eq "observation n9: not a referral" False "$(obs n9 referral)"

# A forged id: valid base32, canonical last character, wrong MAC.
first=${ID:0:1}
if [ "$first" = a ]; then swap=b; else swap=a; fi
FORGED="$swap${ID:1}"
bad_before=$(metric dnsleakd_test_names_bad_mac_total)
obs_before=$(metric dnsleakd_observations_total)
dq dig udp 4 "f1-$FORGED.leak.test" A
dq_expect_status "forged id: answered NOERROR" NOERROR
dq_expect_rr "forged id: with an A record" ANSWER "^f1-$FORGED\\.leak\\.test\\. 0 IN A 127\\.0\\.0\\.1\$"
dq kdig tcp 6 "f2-$FORGED.leak.test" AAAA
dq_expect_rr "forged id over tcp v6: with an AAAA record" ANSWER " IN AAAA ::1\$"
sleep 0.2
bad_after=$(metric dnsleakd_test_names_bad_mac_total)
obs_after=$(metric dnsleakd_observations_total)
expect_eq "forged id: bad MAC counter +2" 2 $(( ${bad_after:-0} - ${bad_before:-0} ))
expect_eq "forged id: nothing observed" 0 $(( ${obs_after:-0} - ${obs_before:-0} ))
code=$(curl -s -o "$TMP/forged.json" -w '%{http_code}' -H "Authorization: Bearer $TEST_TOKEN" \
	"$HTTP_URL/api/v1/tests/$FORGED")
expect_eq "GET of the forged id: 404" 404 "$code"
expect_eq "the real test did not gain observations" "$SENT" "$(api_results | json 'd["total"]')"

check "dnsleakd exits cleanly (first instance)" stop_dnsleakd

# Expiry: a test lives 2 s.
if ! start_dnsleakd --test-ttl 2; then
	not_ok "dnsleakd starts with --test-ttl 2"
	finish
	exit 1
fi
api_new_test
expect_eq "ttl 2: POST says expires_in 2" 2 \
	"$(curl -fsS -X POST "$HTTP_URL/api/v1/tests" | json 'd["expires_in"]')"
dq kdig udp 4 "e1-$TEST_ID.leak.test" A
dq_expect_status "ttl 2: query answered" NOERROR
RES=
for _ in $(seq 1 20); do
	RES=$(api_results) && [ "$(json 'd["total"]' <<<"$RES")" = 1 ] && break
	sleep 0.1
done
expect_eq "ttl 2: the query is stored" 1 "$(jq_ 'd["total"]')"
sleep 3
code=$(curl -s -o "$TMP/expired.json" -w '%{http_code}' -H "Authorization: Bearer $TEST_TOKEN" \
	"$HTTP_URL/api/v1/tests/$TEST_ID")
expect_eq "ttl 2: GET after 3 s: 404" 404 "$code"
exp_before=$(metric dnsleakd_test_names_expired_total)
obs_before=$(metric dnsleakd_observations_total)
dq kdig udp 6 "e2-$TEST_ID.leak.test" AAAA
dq_expect_status "ttl 2: query for the expired id still answered" NOERROR
dq_expect_rr "ttl 2: with an AAAA record" ANSWER " IN AAAA ::1\$"
sleep 0.2
exp_after=$(metric dnsleakd_test_names_expired_total)
obs_after=$(metric dnsleakd_observations_total)
expect_eq "ttl 2: expired counter +1" 1 $(( ${exp_after:-0} - ${exp_before:-0} ))
expect_eq "ttl 2: nothing observed" 0 $(( ${obs_after:-0} - ${obs_before:-0} ))

check "dnsleakd exits cleanly (second instance)" stop_dnsleakd
finish
