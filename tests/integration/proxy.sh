#!/usr/bin/env bash
# proxy.sh -- dnsleakd behind a reverse proxy: with --trusted-proxy, the exit address and
# /api/v1/whoami are the client that X-Forwarded-For names, read from the right; without it, or
# from a peer that is no trusted proxy, the header is ignored. First with curl setting the
# header, then through a real nginx (proxy_add_x_forwarded_for) with the client on 127.0.0.2.
source "$(dirname "$0")/lib.sh"

HTTP6_PORT=$(free_port)
if ! start_dnsleakd --trusted-proxy 127.0.0.1 --http "[::1]:$HTTP6_PORT"; then
	not_ok "dnsleakd starts"
	finish
	exit 1
fi
HTTP6_URL="http://[::1]:$HTTP6_PORT"

whoami() { curl -fsS -g "$@" | json 'd["address"]'; }
expect_eq "trusted proxy, X-Forwarded-For: the client it names" 203.0.113.9 \
	"$(whoami -H 'X-Forwarded-For: 203.0.113.9' "$HTTP_URL/api/v1/whoami")"
expect_eq "a spoofed left part is ignored: the rightmost untrusted hop" 203.0.113.9 \
	"$(whoami -H 'X-Forwarded-For: 1.1.1.1, 203.0.113.9, 127.0.0.1' "$HTTP_URL/api/v1/whoami")"
expect_eq "two header lines are one list (a proxy that adds its own line): the last line's client" 203.0.113.9 \
	"$(whoami -H 'X-Forwarded-For: 6.6.6.6' -H 'X-Forwarded-For: 203.0.113.9' "$HTTP_URL/api/v1/whoami")"
expect_eq "a header longer than any chain of proxies: the proxy" 127.0.0.1 \
	"$(whoami -H "X-Forwarded-For: $(python3 -c 'print(", ".join(["192.0.2.1"] * 300))')" "$HTTP_URL/api/v1/whoami")"
expect_eq "IPv6 client with a port, in brackets" 2001:db8::9 \
	"$(whoami -H 'X-Forwarded-For: [2001:db8::9]:4711' "$HTTP_URL/api/v1/whoami")"
expect_eq "a malformed header: the proxy is all we know" 127.0.0.1 \
	"$(whoami -H 'X-Forwarded-For: 203.0.113.9, bogus' "$HTTP_URL/api/v1/whoami")"
expect_eq "no header: the proxy" 127.0.0.1 "$(whoami "$HTTP_URL/api/v1/whoami")"
expect_eq "a peer that is no trusted proxy (::1): the header is ignored" ::1 \
	"$(whoami -H 'X-Forwarded-For: 203.0.113.9' "$HTTP6_URL/api/v1/whoami")"

# The exit address of a test, through the proxy: the client's, for its own family.
api_new_test
curl -fsS -o /dev/null -H "Host: v4-$TEST_ID.leak.test" -H 'X-Forwarded-For: 198.51.100.23' \
	"$HTTP_URL/api/v1/whoami"
curl -fsS -o /dev/null -H "Host: v6-$TEST_ID.leak.test" -H 'X-Forwarded-For: 2001:db8::23' \
	"$HTTP_URL/api/v1/whoami"
out=$(api_results)
expect_eq "exit.ipv4 is the forwarded client" 198.51.100.23 "$(json 'd["exit"]["ipv4"]["address"]' <<<"$out")"
expect_eq "exit.ipv6 is the forwarded client" 2001:db8::23 "$(json 'd["exit"]["ipv6"]["address"]' <<<"$out")"
expect_eq "its port is unknown (0)" "[0, 0]" "$(json '[o["port"] for o in d["observations"] if o["transport"] == "http"]' <<<"$out")"
check "dnsleakd exits cleanly" stop_dnsleakd

# Without --trusted-proxy the header means nothing.
require "dnsleakd starts (no proxies)" start_dnsleakd
expect_eq "no trusted proxies: X-Forwarded-For is ignored" 127.0.0.1 \
	"$(whoami -H 'X-Forwarded-For: 203.0.113.9' "$HTTP_URL/api/v1/whoami")"
check "dnsleakd exits cleanly (no proxies)" stop_dnsleakd

# A real nginx in front: the client (127.0.0.2) reaches nginx, nginx reaches dnsleakd from
# 127.0.0.1, which is trusted.
if ! command -v nginx >/dev/null 2>&1; then
	echo "ok $((TAP_N + 1)) # SKIP nginx is not installed"
	TAP_N=$((TAP_N + 1))
	finish
	exit
fi
require "dnsleakd starts (nginx)" start_dnsleakd --trusted-proxy 127.0.0.1
NGINX_PORT=$(free_port)
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<CONF
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $TMP/nginx/body;
	proxy_temp_path $TMP/nginx/proxy;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		location / {
			proxy_pass http://127.0.0.1:$HTTP_PORT;
			proxy_bind 127.0.0.1;
			proxy_set_header Host \$host;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
		}
	}
}
CONF
nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" >"$TMP/nginx/out" 2>&1 &
NGINX_PID=$!
on_exit "kill $NGINX_PID 2>/dev/null; wait $NGINX_PID 2>/dev/null"
for _ in $(seq 1 50); do
	curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/healthz" 2>/dev/null && break
	sleep 0.1
done
if ! curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/healthz" 2>/dev/null; then
	not_ok "nginx proxies to dnsleakd"
	sed 's/^/#   /' "$TMP/nginx/out" "$TMP/nginx/error.log" 2>/dev/null
	finish
	exit 1
fi
expect_eq "through nginx: whoami is the client (127.0.0.2), not nginx" 127.0.0.2 \
	"$(whoami --interface 127.0.0.2 "http://127.0.0.1:$NGINX_PORT/api/v1/whoami")"
expect_eq "through nginx: a client's own X-Forwarded-For cannot pose as someone else" 127.0.0.2 \
	"$(whoami --interface 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.66' "http://127.0.0.1:$NGINX_PORT/api/v1/whoami")"
api_new_test
curl -fsS -o /dev/null --interface 127.0.0.2 -H "Host: v4-$TEST_ID.leak.test" \
	"http://127.0.0.1:$NGINX_PORT/api/v1/whoami"
expect_eq "through nginx: the test's exit is the client" 127.0.0.2 \
	"$(api_results | json 'd["exit"]["ipv4"]["address"]')"
check "dnsleakd exits cleanly (nginx)" stop_dnsleakd
finish
