#!/usr/bin/env bash
# web.sh -- the test page as dnsleakd serves it (every file of web/, byte for byte, with its
# type, ETag and security headers; 304 revalidation; methods), the STUN URLs a new test
# carries, and the page's WebRTC report: POST /api/v1/tests/<id>/webrtc with good and bad
# bodies, and what the results then say (webrtc block, DL-WEBRTC-LEAK, verdict).
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# 127.0.0.1 is a trusted proxy here, so X-Forwarded-For can give a test a public exit address.
if ! start_dnsleakd --web-address 198.51.100.80 --trusted-proxy 127.0.0.1; then
	not_ok "dnsleakd starts"
	finish
	exit 1
fi

# lacks PATTERN FILE: FILE has no line matching the extended regex PATTERN (any case).
lacks() { ! grep -qiE "$1" "$2"; }

# ---- the page ----
req GET "$HTTP_URL/"
expect_eq "GET /: 200" 200 "$CODE"
expect_eq "GET /: text/html" "text/html; charset=utf-8" "$(hdr Content-Type)"
cmp -s "$TMP/body" "$ROOT/web/index.html"
check "GET /: the bytes of web/index.html" [ $? -eq 0 ]
csp=$(hdr Content-Security-Policy)
expect_match "CSP: nothing by default" "default-src 'none'" "$csp"
expect_match "CSP: scripts from the page's origin only" "script-src 'self';" "$csp"
expect_match "CSP: probe fetches to the zone" "connect-src 'self' http://\*\.leak\.test:\* https://\*\.leak\.test:\*" "$csp"
check "CSP: no unsafe-inline or unsafe-eval" lacks unsafe <(printf '%s' "${csp:-unsafe}")
expect_eq "nosniff" nosniff "$(hdr X-Content-Type-Options)"
expect_eq "no referrer to the probe names" no-referrer "$(hdr Referrer-Policy)"
expect_eq "cached but revalidated" no-cache "$(hdr Cache-Control)"
etag=$(hdr ETag)
expect_match "a strong ETag" '^"[0-9a-f]{16}"$' "$etag"

req GET "$HTTP_URL/" -H "If-None-Match: $etag"
expect_eq "If-None-Match with the ETag: 304" 304 "$CODE"
check "304: no body" [ ! -s "$TMP/body" ]
req GET "$HTTP_URL/" -H "If-None-Match: \"0000000000000000\", W/$etag"
expect_eq "a list holding the (weak) ETag: 304" 304 "$CODE"
req GET "$HTTP_URL/" -H 'If-None-Match: "0000000000000000"'
expect_eq "another ETag: 200" 200 "$CODE"
req HEAD "$HTTP_URL/" -I
expect_eq "HEAD /: 200" 200 "$CODE"
req POST "$HTTP_URL/"
expect_json_error "POST /" 405
expect_eq "POST /: Allow" "GET, HEAD" "$(hdr Allow)"
req GET "$HTTP_URL/nonexistent.html"
expect_json_error "GET an unknown file" 404
req GET "$HTTP_URL/index.html/"
expect_json_error "GET /index.html/" 404

total=0
for f in "$ROOT"/web/*; do
	name=${f##*/}
	req GET "$HTTP_URL/$name"
	expect_eq "GET /$name: 200" 200 "$CODE"
	cmp -s "$TMP/body" "$f"
	check "GET /$name: the bytes of web/$name" [ $? -eq 0 ]
	case $name in
	*.js) want='text/javascript; charset=utf-8' ;;
	*.css) want='text/css; charset=utf-8' ;;
	*.html) want='text/html; charset=utf-8' ;;
	*.svg) want='image/svg+xml' ;;
	*) want=? ;;
	esac
	expect_eq "GET /$name: type" "$want" "$(hdr Content-Type)"
	total=$((total + $(wc -c <"$f")))
done
check "the page is small: $total bytes in all (< 64 KiB)" [ "$total" -lt 65536 ]
# No third-party requests: every src/href of the page is relative (its own origin).
# What the CSP forbids, found by an HTML parser rather than by lines: scripts without src (or
# with content), event handler attributes, <style> elements and style attributes, and any
# src/href that leaves the page's origin (a scheme or a protocol-relative //host).
html_offences() {
	python3 - "$1" <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.bad = []; self.in_script = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.in_script = True
            if not a.get("src"): self.bad.append("inline <script>")
        if tag == "style": self.bad.append("<style> element")
        for k, v in attrs:
            if k.startswith("on"): self.bad.append("handler %s" % k)
            if k == "style": self.bad.append("style attribute")
            if k in ("src", "href") and v and (v.startswith("//") or
                    (":" in v.split("/")[0] and not v.startswith(("data:", "#")))):
                self.bad.append("%s=%s" % (k, v))
    def handle_endtag(self, tag):
        if tag == "script": self.in_script = False
    def handle_data(self, data):
        if self.in_script and data.strip(): self.bad.append("script content")
p = P(); p.feed(open(sys.argv[1]).read()); print("; ".join(p.bad))
PY
}
expect_eq "index.html: no inline script, handler, style, nor anything from elsewhere" "" \
	"$(html_offences "$ROOT/web/index.html")"
printf '<script type="module">\nalert(1)</script><a href="//evil.example/">x</a><b onclick="x()" style="c">' >"$TMP/bad.html"
expect_eq "the HTML check finds what it must (a planted page)" \
	"inline <script>; script content; href=//evil.example/; handler onclick; style attribute" "$(html_offences "$TMP/bad.html")"

# ---- a new test names the STUN servers ----
req POST "$HTTP_URL/api/v1/tests"
expect_eq "POST /api/v1/tests: 201" 201 "$CODE"
expect_eq "stun: one URL per family, the listeners' addresses" \
	"['stun:127.0.0.1:$STUN_PORT', 'stun:[::1]:$STUN_PORT']" "$(jbody 'd["stun"]')"
TEST_ID=$(jbody 'd["id"]')
TEST_TOKEN=$(jbody 'd["token"]')
W="$HTTP_URL/api/v1/tests/$TEST_ID/webrtc"
auth=(-H "Authorization: Bearer $TEST_TOKEN")

# ---- WebRTC report: bad input first (nothing stored) ----
bad_report() {
	local desc=$1 body=$2
	req POST "$W" "${auth[@]}" -H 'Content-Type: application/json' --data-binary "$body"
	expect_json_error "$desc" 400
}
bad_report "report: not JSON" 'candidate:1 1 udp 1 192.0.2.1 1 typ host'
bad_report "report: not an object" '["candidate:1 1 udp 1 192.0.2.1 1 typ host"]'
bad_report "report: no available" '{"candidates": []}'
bad_report "report: available not a boolean" '{"available": "yes"}'
bad_report "report: candidates not an array" '{"available": true, "candidates": "x"}'
bad_report "report: a candidate not a string" '{"available": true, "candidates": [1]}'
bad_report "report: duplicate keys" '{"available": true, "available": false}'
many=$(python3 -c 'import json; print(json.dumps({"available": True, "candidates": ["candidate:%d 1 udp 1 192.0.2.%d 5000 typ host" % (i, i) for i in range(1, 34)]}))')
bad_report "report: 33 candidates" "$many"
expect_match "report: 33 candidates: names the bound" "at most 32" "$(jbody 'd["error"]')"
req POST "$W" "${auth[@]}" --data-binary "$(head -c 20000 /dev/zero | tr '\0' ' ')"
expect_json_error "report: 20,000 bytes" 413
req POST "$W" -H "Authorization: Bearer aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" --data-binary '{"available": false}'
expect_json_error "report: wrong token" 404
req POST "$HTTP_URL/api/v1/tests/nope/webrtc" "${auth[@]}" --data-binary '{"available": false}'
expect_json_error "report: malformed id" 400
req GET "$W" "${auth[@]}"
expect_json_error "GET the report URL" 405
expect_eq "GET the report URL: Allow" POST "$(hdr Allow)"
req GET "$HTTP_URL/api/v1/tests/$TEST_ID" "${auth[@]}"
expect_eq "after bad reports: no report in the results" None "$(jbody 'd["webrtc"]')"

# ---- a report that leaks: the exit is 127.0.0.1, WebRTC shows 203.0.113.2 ----
curl -fsS -o /dev/null -H "Host: v4-$TEST_ID.leak.test" "$HTTP_URL/api/v1/whoami"
report=$(python3 -c 'import json; print(json.dumps({"available": True, "candidates": [
 "candidate:842163049 1 udp 1677729535 203.0.113.2 50000 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Ab1c network-cost 999",
 "candidate:842163049 1 udp 1677729535 203.0.113.2 50000 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Ab1c network-cost 999",
 "candidate:1 1 udp 2113937151 3f0c2b1e-1111-2222-3333-444455556666.local 54321 typ host generation 0",
 "candidate:2 1 udp 2113937151 192.168.1.20 54322 typ host generation 0",
 "candidate:3 1 tcp 1518280447 2001:db8::99 9 typ host tcptype active generation 0",
 "not a candidate", ""]}))')
req POST "$W" "${auth[@]}" -H 'Content-Type: application/json' --data-binary "$report"
expect_eq "report: 204" 204 "$CODE"
req POST "$W" "${auth[@]}" --data-binary '{"available": false}'
expect_json_error "a second report" 409
req GET "$HTTP_URL/api/v1/tests/$TEST_ID" "${auth[@]}"
expect_eq "results: 200" 200 "$CODE"
expect_eq "webrtc.available" True "$(jbody 'd["webrtc"]["available"]')"
expect_eq "webrtc: duplicates merged, the bad line skipped" "4 1" "$(jbody '"%d %d" % (len(d["webrtc"]["candidates"]), d["webrtc"]["skipped"])')"
expect_eq "webrtc: types in order" "srflx host host host" "$(jbody '" ".join(c["type"] for c in d["webrtc"]["candidates"])')"
expect_eq "webrtc: srflx exposes 203.0.113.2" "203.0.113.2 50000 udp 4 True" "$(jbody '" ".join(str(d["webrtc"]["candidates"][0][k]) for k in ("address","port","protocol","family","exposes"))')"
expect_eq "webrtc: the mDNS host hides its address" "None True None False" "$(jbody '" ".join(str(d["webrtc"]["candidates"][1][k]) for k in ("address","mdns","family","exposes"))')"
expect_eq "webrtc: a TCP host candidate" "tcp 2001:db8::99" "$(jbody '"%s %s" % (d["webrtc"]["candidates"][3]["protocol"], d["webrtc"]["candidates"][3]["address"])')"
expect_eq "webrtc.leak" True "$(jbody 'd["webrtc"]["leak"]')"
expect_eq "verdict LEAK" LEAK "$(jbody 'd["verdict"]')"
expect_match "reason names the address WebRTC reveals" "WebRTC reveals 203\.0\.113\.2" "$(jbody 'd["reason"]')"
expect_eq "findings: DL-WEBRTC-LEAK and DL-WEBRTC-LOCAL" "True True" "$(jbody '"%s %s" % tuple(any(f["id"] == x for f in d["findings"]) for x in ("DL-WEBRTC-LEAK", "DL-WEBRTC-LOCAL"))')"
expect_eq "DL-WEBRTC-LEAK: browser steps" True "$(jbody 'any(f["id"] == "DL-WEBRTC-LEAK" and len(f["platforms"]["browser"]) >= 3 for f in d["findings"])')"
expect_match "DL-WEBRTC-LOCAL names the local address" "192\.168\.1\.20" "$(jbody '[f["detail"] for f in d["findings"] if f["id"] == "DL-WEBRTC-LOCAL"][0]')"
expect_eq "observations list no WebRTC lines" "[]" "$(jbody '[o for o in d["observations"] if o["transport"] not in ("udp", "tcp", "http")]')"

# ---- a report without a leak: WebRTC shows the (public) exit address, or its IPv6 /64 ----
api_new_test
curl -fsS -o /dev/null -H "Host: v4-$TEST_ID.leak.test" -H 'X-Forwarded-For: 203.0.113.7' \
	"$HTTP_URL/api/v1/whoami"
curl -fsS -o /dev/null -H "Host: v6-$TEST_ID.leak.test" -H 'X-Forwarded-For: 2001:db8:5::1' \
	"$HTTP_URL/api/v1/whoami"
req POST "$HTTP_URL/api/v1/tests/$TEST_ID/webrtc" -H "Authorization: Bearer $TEST_TOKEN" \
	--data-binary '{"available": true, "candidates": ["candidate:9 1 udp 1677729535 203.0.113.7 40000 typ srflx raddr 0.0.0.0 rport 0", "candidate:10 1 udp 1677729279 2001:db8:5::99 40001 typ srflx raddr :: rport 0"]}'
expect_eq "report (exit addresses): 204" 204 "$CODE"
out=$(api_results)
expect_eq "the exits are the public ones the proxy named" "203.0.113.7 2001:db8:5::1" \
	"$(json '"%s %s" % (d["exit"]["ipv4"]["address"], d["exit"]["ipv6"]["address"])' <<<"$out")"
expect_eq "WebRTC shows only the exit (IPv6: its /64): no leak, no WebRTC finding" "False [False, False] []" \
	"$(json '"%s %s %s" % (d["webrtc"]["leak"], [c["exposes"] for c in d["webrtc"]["candidates"]], [f["id"] for f in d["findings"] if "WEBRTC" in f["id"]])' <<<"$out")"
api_new_test
req POST "$HTTP_URL/api/v1/tests/$TEST_ID/webrtc" -H "Authorization: Bearer $TEST_TOKEN" \
	--data-binary '{"available": false}'
expect_eq "report (no WebRTC): 204" 204 "$CODE"
expect_eq "webrtc.available false, no candidates" "False [] False" \
	"$(api_results | json '"%s %s %s" % (d["webrtc"]["available"], d["webrtc"]["candidates"], d["webrtc"]["leak"])')"

check "dnsleakd exits cleanly" stop_dnsleakd
finish
