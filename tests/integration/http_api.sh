#!/usr/bin/env bash
# http_api.sh -- the HTTP JSON API with curl: creating a test, reading it with its token,
# errors (JSON, same answer for a wrong token and an unknown id), headers, methods, limits; the
# findings catalogue (GET /api/v1/findings) and the ?configured= resolvers of a results request.
source "$(dirname "$0")/lib.sh"

HTTP6_PORT=$(free_port)
if ! start_dnsleakd --http "[::1]:$HTTP6_PORT"; then
	not_ok "dnsleakd starts"
	finish
	exit 1
fi
HTTP6_URL="http://[::1]:$HTTP6_PORT"

# POST /api/v1/tests.
req POST "$HTTP_URL/api/v1/tests"
expect_eq "POST /api/v1/tests: 201" 201 "$CODE"
expect_match "POST: Content-Type application/json" '^application/json' "$(hdr Content-Type)"
expect_eq "POST: Cache-Control no-store" no-store "$(hdr Cache-Control)"
ID=$(jbody 'd["id"]')
TOKEN=$(jbody 'd["token"]')
expect_match "POST: id is 26 base32 characters" '^[a-z2-7]{26}$' "$ID"
expect_match "POST: token is 32 base32 characters" '^[a-z2-7]{32}$' "$TOKEN"
expect_eq "POST: zone" leak.test "$(jbody 'd["zone"]')"
expect_match "POST: expires is an RFC 3339 UTC time" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$' \
	"$(jbody 'd["expires"]')"
expect_eq "POST: expires_in 600 (an integer)" "600 int" "$(jbody '"%s %s" % (d["expires_in"], type(d["expires_in"]).__name__)')"
exp_s=$(date -d "$(jbody 'd["expires"]')" +%s 2>/dev/null || echo 0)
delta=$((exp_s - $(date +%s)))
check "POST: expires is about now + 600 s (got now + $delta)" test "$delta" -ge 595 -a "$delta" -le 601
req POST "$HTTP_URL/api/v1/tests"
ID2=$(jbody 'd["id"]')
TOKEN2=$(jbody 'd["token"]')
check "a second POST: another id" test -n "$ID2" -a "$ID2" != "$ID"
check "a second POST: another token" test -n "$TOKEN2" -a "$TOKEN2" != "$TOKEN"
req POST "$HTTP6_URL/api/v1/tests"
expect_eq "POST over IPv6: 201" 201 "$CODE"

# GET the results.
req GET "$HTTP_URL/api/v1/tests/$ID" -H "Authorization: Bearer $TOKEN"
expect_eq "GET with Bearer token: 200" 200 "$CODE"
expect_match "GET: Content-Type application/json" '^application/json' "$(hdr Content-Type)"
expect_eq "GET: Cache-Control no-store" no-store "$(hdr Cache-Control)"
expect_eq "GET: no Access-Control-Allow-Origin" "" "$(hdr Access-Control-Allow-Origin)"
expect_eq "GET: the id" "$ID" "$(jbody 'd["id"]')"
expect_eq "GET: zone" leak.test "$(jbody 'd["zone"]')"
expect_eq "GET: no observations yet" "0 [] []" "$(jbody '"%s %s %s" % (d["total"], d["resolvers"], d["observations"])')"
req GET "$HTTP_URL/api/v1/tests/$ID?token=$TOKEN"
expect_eq "GET with ?token=: 200" 200 "$CODE"
expect_eq "GET with ?token=: the id" "$ID" "$(jbody 'd["id"]')"
req GET "$HTTP_URL/api/v1/tests/${ID^^}" -H "Authorization: Bearer $TOKEN"
expect_eq "GET with the id in upper case: 200 (ids are case-insensitive)" 200 "$CODE"
expect_eq "GET with the id in upper case: canonical id in the body" "$ID" "$(jbody 'd["id"]')"
req GET "$HTTP6_URL/api/v1/tests/$ID" -H "Authorization: Bearer $TOKEN"
expect_eq "GET over IPv6: 200" 200 "$CODE"
req HEAD "$HTTP_URL/api/v1/tests/$ID" -H "Authorization: Bearer $TOKEN" --head
expect_eq "HEAD with the token: 200" 200 "$CODE"

# ?configured=: the resolvers the client is configured to use, echoed with their networks.
req GET "$HTTP_URL/api/v1/tests/$ID?configured=192.0.2.53&configured=2001:DB8::53" \
	-H "Authorization: Bearer $TOKEN"
expect_eq "GET with ?configured=: 200" 200 "$CODE"
expect_eq "GET with ?configured=: echoed, canonical, networks unknown" \
	"192.0.2.53/4/None/None/None 2001:db8::53/6/None/None/None" \
	"$(jbody '" ".join("%s/%s/%s/%s/%s" % (c["address"], c["family"], c["asn"], c["org"], c["country"]) for c in d["configured"])')"
req GET "$HTTP_URL/api/v1/tests/$ID" -H "Authorization: Bearer $TOKEN"
expect_eq "GET without ?configured=: an empty list" "[]" "$(jbody 'd["configured"]')"
expect_eq "GET: every finding has its platforms and inconclusive" True \
	"$(jbody 'all(isinstance(f["platforms"], dict) and isinstance(f["inconclusive"], bool) for f in d["findings"])')"
req GET "$HTTP_URL/api/v1/tests/$ID?configured=nope" -H "Authorization: Bearer $TOKEN"
expect_json_error "?configured=nope" 400
expect_eq "?configured=nope: the error names it" \
	"bad configured value \`nope': want an IP address" "$(jbody 'd["error"]')"
req GET "$HTTP_URL/api/v1/tests/$ID?configured=192.0.2.0/24" -H "Authorization: Bearer $TOKEN"
expect_json_error "?configured= with a prefix (one address only)" 400
q=""
for i in $(seq 1 8); do q="$q&configured=192.0.2.$i"; done
req GET "$HTTP_URL/api/v1/tests/$ID?${q#&}" -H "Authorization: Bearer $TOKEN"
expect_eq "8 configured values: 200" 200 "$CODE"
expect_eq "8 configured values: all echoed" 8 "$(jbody 'len(d["configured"])')"
req GET "$HTTP_URL/api/v1/tests/$ID?${q#&}&configured=192.0.2.9" -H "Authorization: Bearer $TOKEN"
expect_json_error "9 configured values" 400
expect_match "9 configured values: says how many" "at most 8" "$(jbody 'd["error"]')"
req GET "$HTTP_URL/api/v1/tests/$ID?configured=nope" -H "Authorization: Bearer $TOKEN2"
expect_eq "a wrong token with a bad configured: 404, not 400" 404 "$CODE"

# The findings catalogue: the same for everyone, so it may be cached; GET and HEAD only.
req GET "$HTTP_URL/api/v1/findings"
expect_eq "GET /api/v1/findings: 200" 200 "$CODE"
expect_match "/api/v1/findings: Content-Type application/json" '^application/json' "$(hdr Content-Type)"
expect_eq "/api/v1/findings: Cache-Control public, max-age=3600" "public, max-age=3600" \
	"$(hdr Cache-Control)"
expect_eq "/api/v1/findings: no Access-Control-Allow-Origin" "" "$(hdr Access-Control-Allow-Origin)"
expect_eq "/api/v1/findings: one key" "['findings']" "$(jbody 'sorted(d)')"
expect_eq "/api/v1/findings: every entry has its fields, typed" True \
	"$(jbody 'len(d["findings"]) >= 13 and all(sorted(f) == ["explain", "id", "inconclusive", "platforms", "severity", "steps", "title"] and f["id"].startswith("DL-") and f["severity"] in ("info", "low", "medium", "high") and isinstance(f["inconclusive"], bool) and f["title"] and f["explain"].endswith(".") and len(f["steps"]) >= 2 and isinstance(f["platforms"], dict) for f in d["findings"])')"
expect_eq "/api/v1/findings: ids unique" True \
	"$(jbody 'len(set(f["id"] for f in d["findings"])) == len(d["findings"])')"
expect_eq "/api/v1/findings: platforms are the known names, each a list of sentences" True \
	"$(jbody 'all(k in ("systemd-resolved", "NetworkManager", "resolv.conf", "OpenVPN", "WireGuard", "Windows", "macOS", "browser", "firewall") and 1 <= len(v) <= 5 and all(isinstance(x, str) and x.endswith(".") for x in v) for f in d["findings"] for k, v in f["platforms"].items())')"
expect_eq "/api/v1/findings: DL-DNS-HIJACK, high, not inconclusive" "high False" \
	"$(jbody '" ".join(str(f[k]) for f in d["findings"] if f["id"] == "DL-DNS-HIJACK" for k in ("severity", "inconclusive"))')"
expect_eq "/api/v1/findings: DL-NO-DNS-SEEN is inconclusive" True \
	"$(jbody '[f["inconclusive"] for f in d["findings"] if f["id"] == "DL-NO-DNS-SEEN"][0]')"
expect_match "/api/v1/findings: DL-ISP-RESOLVER, systemd-resolved steps" \
	"resolvectl dns <tunnel> <vpn-dns>.*resolvectl domain <tunnel> '~\\.'.*resolvectl default-route <physical> false" \
	"$(jbody '" ".join([f for f in d["findings"] if f["id"] == "DL-ISP-RESOLVER"][0]["platforms"]["systemd-resolved"])')"
expect_match "/api/v1/findings: DL-ISP-RESOLVER, NetworkManager steps" "ipv4.dns-priority -42" \
	"$(jbody '" ".join([f for f in d["findings"] if f["id"] == "DL-ISP-RESOLVER"][0]["platforms"]["NetworkManager"])')"
FINDINGS_BODY=$BODY
req GET "$HTTP6_URL/api/v1/findings"
expect_eq "GET /api/v1/findings over IPv6: the same document" "$FINDINGS_BODY" "$BODY"
req GET "$HTTP_URL/api/v1/findings?lang=de"
expect_eq "GET /api/v1/findings with a query: the same document" "$FINDINGS_BODY" "$BODY"
req HEAD "$HTTP_URL/api/v1/findings" --head
expect_eq "HEAD /api/v1/findings: 200" 200 "$CODE"
for method in POST PUT DELETE PATCH; do
	req "$method" "$HTTP_URL/api/v1/findings"
	expect_json_error "$method /api/v1/findings" 405
	expect_eq "$method /api/v1/findings: Allow" "GET, HEAD" "$(hdr Allow)"
done
for path in /api/v1/findings/ /api/v1/findings/DL-ISP-RESOLVER /api/v1/finding; do
	req GET "$HTTP_URL$path"
	expect_json_error "GET $path" 404
done

# Refusals: a wrong token, no token, another test's token and a made-up id look the same.
req GET "$HTTP_URL/api/v1/tests/$ID" -H "Authorization: Bearer $TOKEN2"
expect_json_error "GET with another test's token" 404
WRONG_BODY=$BODY
req GET "$HTTP_URL/api/v1/tests/$ID" -H "Authorization: Bearer ${TOKEN:0:31}a"
expect_json_error "GET with a wrong token" 404
expect_eq "wrong token and another test's token: same body" "$WRONG_BODY" "$BODY"
req GET "$HTTP_URL/api/v1/tests/$ID"
expect_json_error "GET without a token" 404
expect_eq "no token: same body as a wrong token" "$WRONG_BODY" "$BODY"
req GET "$HTTP_URL/api/v1/tests/$ID?token="
expect_json_error "GET with an empty ?token=" 404
req GET "$HTTP_URL/api/v1/tests/$ID" -H "Authorization: Basic $TOKEN"
expect_json_error "GET with the token as Basic credentials" 404
if [ "${ID:0:1}" = a ]; then FORGED="b${ID:1}"; else FORGED="a${ID:1}"; fi
req GET "$HTTP_URL/api/v1/tests/$FORGED" -H "Authorization: Bearer $TOKEN"
expect_json_error "GET of an unknown id (bad MAC)" 404
expect_eq "unknown id: same body as a wrong token" "$WRONG_BODY" "$BODY"
req GET "$HTTP_URL/api/v1/tests/$ID" -H "Authorization: Bearer $TOKEN$TOKEN"
expect_eq "GET with the token twice over: 404" 404 "$CODE"

# Malformed ids: 400.
for bad in "${ID:0:25}" "${ID}a" "${ID:0:25}1" "${ID:0:25}!" "0${ID:1}" "${ID:0:24}%20a" x; do
	req GET "$HTTP_URL/api/v1/tests/$bad" -H "Authorization: Bearer $TOKEN"
	expect_json_error "GET /api/v1/tests/$bad (malformed id)" 400
done
# The last character of an id has unused low bits: a non-canonical spelling is malformed.
last=${ID:25:1}
alphabet=abcdefghijklmnopqrstuvwxyz234567
idx=$(( $(expr index "$alphabet" "$last") - 1 ))
noncanon="${ID:0:25}${alphabet:$(( (idx & ~3) + 1 )):1}"
req GET "$HTTP_URL/api/v1/tests/$noncanon" -H "Authorization: Bearer $TOKEN"
expect_json_error "GET of a non-canonical last character" 400

# whoami, healthz, metrics.
req GET "$HTTP_URL/api/v1/whoami"
expect_eq "whoami over IPv4: 200" 200 "$CODE"
expect_eq "whoami over IPv4" "127.0.0.1 4" "$(jbody '"%s %s" % (d["address"], d["family"])')"
expect_eq "whoami: Cache-Control no-store" no-store "$(hdr Cache-Control)"
req GET "$HTTP6_URL/api/v1/whoami"
expect_eq "whoami over IPv6" "::1 6" "$(jbody '"%s %s" % (d["address"], d["family"])')"
req GET "$HTTP_URL/healthz"
expect_eq "/healthz: 200" 200 "$CODE"
expect_eq "/healthz: {\"status\": \"ok\"}" ok "$(jbody 'd["status"]')"
req GET "$HTTP_URL/metrics"
expect_eq "/metrics: 200" 200 "$CODE"
expect_match "/metrics: text/plain" '^text/plain' "$(hdr Content-Type)"
expect_match "/metrics: dnsleakd_dns_queries_total" $'(^|\n)dnsleakd_dns_queries_total [0-9]+' "$BODY"
expect_match "/metrics: dnsleakd_test_names_bad_mac_total" $'(^|\n)dnsleakd_test_names_bad_mac_total [0-9]+' "$BODY"
bad_lines=$(grep -vcE '^(# (HELP|TYPE) .*|[a-z_]+(\{[a-z_]+="[a-z_]+"\})? [0-9]+)$' <<<"$BODY")
expect_eq "/metrics: every line is Prometheus text" 0 "$bad_lines"

# Unknown paths and methods.
for path in /nope /api/v1 /api/v1/tests/ "/api/v1/tests/$ID/extra" /api/v2/tests /healthz/x; do
	req GET "$HTTP_URL$path"
	if [ "$path" = /api/v1/tests/ ]; then
		check "GET /api/v1/tests/: 404 or 400" test "$CODE" = 404 -o "$CODE" = 400
	else
		expect_json_error "GET $path" 404
	fi
done
for method in DELETE PUT PATCH GET; do
	req "$method" "$HTTP_URL/api/v1/tests"
	expect_json_error "$method /api/v1/tests" 405
	expect_match "$method /api/v1/tests: Allow names POST" 'POST' "$(hdr Allow)"
done
req POST "$HTTP_URL/healthz"
expect_json_error "POST /healthz" 405
expect_match "POST /healthz: Allow names GET" 'GET' "$(hdr Allow)"
req DELETE "$HTTP_URL/api/v1/tests/$ID" -H "Authorization: Bearer $TOKEN"
expect_json_error "DELETE /api/v1/tests/<id>" 405
req GET "$HTTP_URL/api/v1/tests/$ID" -H "Authorization: Bearer $TOKEN"
expect_eq "the test is still there after the DELETE" 200 "$CODE"

# Limits.
head -c 100 /dev/zero | tr '\0' x >"$TMP/small"
req POST "$HTTP_URL/api/v1/tests" --data-binary @"$TMP/small"
expect_eq "POST with a 100-byte body: 201" 201 "$CODE"
head -c 100000 /dev/zero | tr '\0' x >"$TMP/big"
req POST "$HTTP_URL/api/v1/tests" --data-binary @"$TMP/big"
expect_json_error "POST with a 100 kB body" 413
req POST "$HTTP_URL/api/v1/tests" --data-binary @"$TMP/big" -H 'Transfer-Encoding: chunked'
check "POST with a 100 kB chunked body: refused (status $CODE)" test "$CODE" != 201 -a "$CODE" != 200
LONG=$(head -c 100000 /dev/zero | tr '\0' a)
req GET "$HTTP_URL/api/v1/tests/$LONG"
check "a 100 kB URL: a 4xx status (got $CODE)" test "$CODE" -ge 400 -a "$CODE" -lt 500
req GET "$HTTP_URL/healthz" -H "X-Long: $LONG"
check "a 100 kB header: refused (status $CODE)" test "$CODE" != 200
req GET "$HTTP_URL/api/v1/tests/$ID" -H "Authorization: Bearer $LONG"
check "a 100 kB Authorization header: refused (status $CODE)" test "$CODE" != 200
req GET "$HTTP_URL/healthz"
expect_eq "after all that: /healthz still 200" 200 "$CODE"
req GET "$HTTP_URL/api/v1/tests/$ID" -H "Authorization: Bearer $TOKEN"
expect_eq "after all that: the test still reads back" 200 "$CODE"

check "dnsleakd exits cleanly" stop_dnsleakd
finish
