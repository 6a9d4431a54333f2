#!/usr/bin/env bash
# redis.sh -- two dnsleakd nodes (same secret, node ids 1 and 2) sharing one real Redis
# (store = redis, on a unix socket in the test's directory, TCP off): a test created on A,
# probed through B's DNS, read on A with B's observations, exits and the WebRTC report made on
# B seen on A; the per-test cap held across both nodes; the key's expiry; planted garbage
# skipped; SCRIPT FLUSH survived; Redis too slow (a timeout, not a hang) and Redis gone (DNS
# still answered, drops counted, results a clean 5xx, writes back once Redis is); and startup
# without Redis.
source "$(dirname "$0")/lib.sh"

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
	echo "ok 1 # SKIP redis-server / redis-cli are not installed"
	TAP_N=1
	finish
	exit
fi

CAP=12 # --max-observations-per-test on both nodes
SOCK=$TMP/redis.sock
REDIS_PID=
DEBUG_OK=true

rcli() { redis-cli -s "$SOCK" "$@"; }

# start_redis: a throw-away Redis on $SOCK, no TCP, no persistence; sets REDIS_PID.
start_redis() {
	local extra=(--enable-debug-command local)
	$DEBUG_OK || extra=()
	redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --save '' \
		--appendonly no --dir "$TMP" "${extra[@]}" >>"$TMP/redis.log" 2>&1 &
	REDIS_PID=$!
	for _ in $(seq 1 100); do
		[ "$(rcli PING 2>/dev/null)" = PONG ] && return 0
		kill -0 "$REDIS_PID" 2>/dev/null || break
		sleep 0.05
	done
	REDIS_PID=
	return 1
}
stop_redis() {
	[ -n "$REDIS_PID" ] || return 0
	kill -TERM "$REDIS_PID" 2>/dev/null
	wait "$REDIS_PID" 2>/dev/null
	REDIS_PID=
}
on_exit stop_redis
# Redis before 7 has no --enable-debug-command: then run without DEBUG SLEEP.
if ! start_redis; then
	DEBUG_OK=false
	require "redis-server starts" start_redis
fi
ok "redis-server on a unix socket"

STORE=(--store redis --redis "unix:$SOCK" --max-observations-per-test "$CAP")

# Node A: lib.sh's daemon (DNS_PORT, HTTP_URL, DLD_PID).
require "node A starts with store = redis" start_dnsleakd --node-id 1 "${STORE[@]}"
A_DNS=$DNS_PORT
A_URL=$HTTP_URL

# Node B: the same secret (A created it), its own ports and node id.
B_PID=
start_node_b() {
	local tries
	for tries in 1 2 3; do
		B_DNS=$(free_port)
		B_HTTP=$(free_port)
		B_URL="http://127.0.0.1:$B_HTTP"
		"$DNSLEAKD" --dns "127.0.0.1:$B_DNS" --http "127.0.0.1:$B_HTTP" --stun off \
			--secret-file "$TMP/secret" --node-id 2 "${STORE[@]}" >"$TMP/b.log" 2>&1 &
		B_PID=$!
		for _ in $(seq 1 100); do
			kill -0 "$B_PID" 2>/dev/null || break
			curl -fsS "$B_URL/healthz" >/dev/null 2>&1 && return 0
			sleep 0.05
		done
		kill "$B_PID" 2>/dev/null
		wait "$B_PID" 2>/dev/null
	done
	sed 's/^/#   B: /' "$TMP/b.log"
	return 1
}
stop_node_b() {
	[ -n "$B_PID" ] || return 0
	kill -TERM "$B_PID" 2>/dev/null || return 0
	local rc=0
	wait "$B_PID" || rc=$?
	B_PID=
	return $rc
}
on_exit stop_node_b
require "node B starts with the same secret" start_node_b

# probe PORT NAME [TYPE]: one query, no retry; prints the answer.
probe() { dig @127.0.0.1 -p "$1" +short +tries=1 +time=2 "$2" "${3:-A}"; }
# results_on URL: the results of TEST_ID through that node (sets CODE and BODY).
results_on() { req GET "$1/api/v1/tests/$TEST_ID" -H "Authorization: Bearer $TEST_TOKEN"; }
# metric URL NAME: a /metrics value (0 when absent).
metric() {
	curl -fsS "$1/metrics" | awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}
# wait_total URL N: poll the results until they hold N observations (the store thread drains
# the rings every 10 ms); true when they did within 5 s.
wait_total() {
	for _ in $(seq 1 100); do
		results_on "$1"
		[ "$CODE" = 200 ] && [ "$(jbody 'len(d["observations"])')" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# ---- one test, two nodes ----
HTTP_URL=$A_URL
require "a test created on A" api_new_test
KEY="dnsleak:{$TEST_ID}"
expect_eq "B's DNS answers a probe of A's test" 127.0.0.1 "$(probe "$B_DNS" "p1-$TEST_ID.leak.test")"
expect_eq "B's DNS answers a TXT probe" '"127.0.0.1"' "$(probe "$B_DNS" "p2-$TEST_ID.leak.test" TXT)"
expect_eq "A's DNS answers too" 127.0.0.1 "$(probe "$A_DNS" "p3-$TEST_ID.leak.test")"
check "A's results hold the three probes" wait_total "$A_URL" 3
expect_eq "A's results: each probe with the node that saw it" "p1:2:udp p2:2:udp p3:1:udp" \
	"$(jbody '" ".join(sorted("%s:%s:%s" % (o["nonce"], o["node"], o["transport"]) for o in d["observations"]))')"
expect_eq "A's results: the TXT probe's qtype survived" TXT \
	"$(jbody '[o["qtype"] for o in d["observations"] if o["nonce"] == "p2"][0]')"
results_on "$B_URL"
expect_eq "B's results: the same three" 3 "$(jbody 'len(d["observations"])')"
expect_eq "the key is one Redis list of 92-byte packed observations" "list 3 92" \
	"$(rcli TYPE "$KEY") $(rcli LLEN "$KEY") $(rcli EVAL "return string.len(redis.call('LINDEX', KEYS[1], 0))" 1 "$KEY")"

# The exit, recorded by B's HTTP server, seen on A.
curl -s -o /dev/null -H "Host: v4-$TEST_ID.leak.test" "$B_URL/api/v1/whoami"
check "A's results hold B's exit observation" wait_total "$A_URL" 4
expect_eq "A's results: the exit through B" "127.0.0.1 2" \
	"$(jbody '"%s %s" % (d["exit"]["ipv4"]["address"], [o["node"] for o in d["observations"] if o["transport"] == "http"][0])')"

# The WebRTC report POSTed to B: on A, and a second one on A is a conflict.
report='{"available": true, "candidates": ["candidate:1 1 udp 1677729535 203.0.113.2 50000 typ srflx raddr 0.0.0.0 rport 0 generation 0"]}'
req POST "$B_URL/api/v1/tests/$TEST_ID/webrtc" -H "Authorization: Bearer $TEST_TOKEN" \
	-H 'Content-Type: application/json' --data-binary "$report"
expect_eq "WebRTC report on B: 204" 204 "$CODE"
results_on "$A_URL"
expect_eq "A's results: B's WebRTC report" "True srflx 203.0.113.2" \
	"$(jbody '"%s %s %s" % (d["webrtc"]["available"], d["webrtc"]["candidates"][0]["type"], d["webrtc"]["candidates"][0]["address"])')"
req POST "$A_URL/api/v1/tests/$TEST_ID/webrtc" -H "Authorization: Bearer $TEST_TOKEN" \
	-H 'Content-Type: application/json' --data-binary '{"available": false}'
expect_json_error "a second report, on A" 409

# ---- the key expires with the test ----
ttl=$(rcli TTL "$KEY")
check "TTL of the key is the test's life (590..601 s, got $ttl)" test "$ttl" -ge 590 -a "$ttl" -le 601
exptime=$(rcli EXPIRETIME "$KEY" 2>/dev/null)
if ! [[ $exptime =~ ^[0-9]+$ ]]; then
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP EXPIRETIME needs Redis 7 (got: $exptime)"
else
	created=$(python3 -c "import base64,sys; b=base64.b32decode('$TEST_ID'.upper()+'======'); print(int.from_bytes(b[:4],'big'))")
	expect_eq "EXPIREAT = created + test_ttl + 1 (the memory store's inclusive bound)" \
		$((created + 601)) "$exptime"
fi

# ---- the per-test cap across both nodes ----
require "a second test" api_new_test
KEY2="dnsleak:{$TEST_ID}"
before_full=$(($(metric "$A_URL" 'dnsleakd_store_dropped_total{reason="test_full"}') + $(metric "$B_URL" 'dnsleakd_store_dropped_total{reason="test_full"}')))
before_stored=$(($(metric "$A_URL" dnsleakd_store_stored_total) + $(metric "$B_URL" dnsleakd_store_stored_total)))
names_a=() names_b=()
for i in $(seq 1 10); do
	names_a+=("a$i-$TEST_ID.leak.test")
	names_b+=("b$i-$TEST_ID.leak.test")
done
# Both nodes at once, so their writes interleave in Redis.
dig @127.0.0.1 -p "$A_DNS" +short +tries=1 +time=2 "${names_a[@]}" >"$TMP/dig-a" &
pa=$!
dig @127.0.0.1 -p "$B_DNS" +short +tries=1 +time=2 "${names_b[@]}" >"$TMP/dig-b" &
pb=$!
wait "$pa" "$pb"
expect_eq "20 probes answered by A and B" 20 "$(cat "$TMP/dig-a" "$TMP/dig-b" | grep -c '^127\.0\.0\.1$')"
settled=false
for _ in $(seq 1 100); do
	full=$(($(metric "$A_URL" 'dnsleakd_store_dropped_total{reason="test_full"}') + $(metric "$B_URL" 'dnsleakd_store_dropped_total{reason="test_full"}') - before_full))
	stored=$(($(metric "$A_URL" dnsleakd_store_stored_total) + $(metric "$B_URL" dnsleakd_store_stored_total) - before_stored))
	[ $((full + stored)) -ge 20 ] && settled=true && break
	sleep 0.05
done
check "both nodes handed all 20 to Redis" $settled
expect_eq "stored exactly the cap ($CAP), the rest counted as test_full" "$CAP $((20 - CAP))" "$stored $full"
expect_eq "the list holds exactly the cap" "$CAP" "$(rcli LLEN "$KEY2")"
results_on "$B_URL"
expect_eq "results: the cap's worth of observations" "$CAP" "$(jbody 'len(d["observations"])')"
expect_eq "results: from both nodes" "1 2" "$(jbody '" ".join(sorted(set(str(o["node"]) for o in d["observations"])))')"

# ---- garbage planted in a test's list: skipped, counted, nothing crashes ----
require "a third test" api_new_test
KEY3="dnsleak:{$TEST_ID}"
probe "$B_DNS" "g1-$TEST_ID.leak.test" >/dev/null
check "the probe is stored" wait_total "$A_URL" 1
rcli RPUSH "$KEY3" "garbage" >/dev/null
rcli RPUSH "$KEY3" "$(printf 'x%.0s' $(seq 1 92))" >/dev/null # right size, wrong bytes
rcli RPUSH "$KEY3" "" >/dev/null
probe "$A_DNS" "g2-$TEST_ID.leak.test" >/dev/null
check "garbage skipped: the two real probes, in order" wait_total "$A_URL" 2
expect_eq "garbage skipped: the nonces" "g1 g2" "$(jbody '" ".join(o["nonce"] for o in d["observations"])')"
skipped=$(metric "$A_URL" dnsleakd_store_skipped_total)
check "garbage skipped: /metrics counts the skipped values (got $skipped)" test "$skipped" -ge 3
# Another type at a test's key: no observations, no crash; writes to it are refused and counted.
require "a fourth test" api_new_test
rcli SET "dnsleak:{$TEST_ID}" "not a list" >/dev/null
results_on "$A_URL"
expect_eq "a string at the key: results 200, no observations" "200 0" "$CODE $(jbody 'len(d["observations"])')"
drop0=$(metric "$B_URL" 'dnsleakd_store_dropped_total{reason="backend"}')
probe "$B_DNS" "w1-$TEST_ID.leak.test" >/dev/null
refused=false
for _ in $(seq 1 100); do
	[ "$(metric "$B_URL" 'dnsleakd_store_dropped_total{reason="backend"}')" -gt "$drop0" ] && refused=true && break
	sleep 0.05
done
check "a string at the key: B's write refused (WRONGTYPE) and counted" $refused
expect_eq "a string at the key: the value is untouched" "not a list" "$(rcli GET "dnsleak:{$TEST_ID}")"
grep -q "redis: observations refused: WRONGTYPE" "$TMP/b.log" && ok "a string at the key: B logs why" ||
	not_ok "a string at the key: B logs why"
check "both nodes alive after the garbage" kill -0 "$DLD_PID" "$B_PID"

# ---- SCRIPT FLUSH: the batch that meets NOSCRIPT is lost (counted), the next one stored ----
require "a test for SCRIPT FLUSH" api_new_test
lost0=$(metric "$B_URL" 'dnsleakd_store_dropped_total{reason="backend"}')
rcli SCRIPT FLUSH >/dev/null
probe "$B_DNS" "n1-$TEST_ID.leak.test" >/dev/null
# Wait until B's store thread met NOSCRIPT (the batch counted as lost), not a fixed time.
for _ in $(seq 1 100); do
	[ "$(metric "$B_URL" 'dnsleakd_store_dropped_total{reason="backend"}')" -gt "$lost0" ] && break
	sleep 0.05
done
check "after SCRIPT FLUSH: the batch that met NOSCRIPT is counted as lost" \
	test "$(metric "$B_URL" 'dnsleakd_store_dropped_total{reason="backend"}')" -gt "$lost0"
probe "$B_DNS" "n2-$TEST_ID.leak.test" >/dev/null
check "after SCRIPT FLUSH: the script is loaded again and the next probe stored" wait_total "$A_URL" 1
expect_eq "after SCRIPT FLUSH: the probe after the lost one" n2 "$(jbody 'd["observations"][0]["nonce"]')"

# ---- Redis too slow: the command times out (500 ms), no hang ----
if $DEBUG_OK; then
	require "a fifth test" api_new_test
	rcli DEBUG SLEEP 2 >/dev/null &
	sleeper=$!
	# Until Redis is really asleep a results request still succeeds: ask again (bounded) and
	# time the first one that meets the sleeping Redis.
	for _ in $(seq 1 20); do
		t0=$(date +%s%N)
		results_on "$A_URL"
		ms=$((($(date +%s%N) - t0) / 1000000))
		[ "${CODE:0:1}" = 5 ] && break
		sleep 0.05
	done
	check "Redis asleep: results fail in under 1.5 s (took ${ms} ms)" test "$ms" -lt 1500
	check "Redis asleep: a 5xx (got $CODE)" test "${CODE:0:1}" = 5
	expect_eq "Redis asleep: a JSON error" "['error']" "$(jbody 'sorted(d.keys())')"
	expect_eq "Redis asleep: DNS still answered" 127.0.0.1 "$(probe "$B_DNS" "s1-$TEST_ID.leak.test")"
	wait "$sleeper"
fi

# ---- Redis gone: DNS answers, drops are counted, results fail cleanly; then back ----
require "a sixth test" api_new_test
probe "$B_DNS" "r1-$TEST_ID.leak.test" >/dev/null
check "before the outage: stored" wait_total "$A_URL" 1
stop_redis
drop0=$(metric "$B_URL" 'dnsleakd_store_dropped_total{reason="backend"}')
expect_eq "Redis down: B's DNS still answers" 127.0.0.1 "$(probe "$B_DNS" "r2-$TEST_ID.leak.test")"
expect_eq "Redis down: A's DNS still answers" 127.0.0.1 "$(probe "$A_DNS" "r3-$TEST_ID.leak.test")"
dropped=false
for _ in $(seq 1 100); do
	[ "$(metric "$B_URL" 'dnsleakd_store_dropped_total{reason="backend"}')" -gt "$drop0" ] && dropped=true && break
	sleep 0.05
done
check "Redis down: B's /metrics counts the dropped observation" $dropped
t0=$(date +%s%N)
results_on "$A_URL"
ms=$((($(date +%s%N) - t0) / 1000000))
check "Redis down: results fail at once (${ms} ms)" test "$ms" -lt 1500
check "Redis down: a 5xx (got $CODE)" test "${CODE:0:1}" = 5
expect_eq "Redis down: a JSON error" "['error']" "$(jbody 'sorted(d.keys())')"
expect_eq "Redis down: healthz still answers" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$A_URL/healthz")"
grep -q "redis unix:$SOCK: lost (writes)" "$TMP/b.log" && ok "Redis down: B logs the loss" ||
	not_ok "Redis down: B logs the loss"

require "Redis starts again (empty: no persistence)" start_redis
# Reconnects happen on use, after a backoff of at most 5 s: probe until one is stored.
back=false
for i in $(seq 1 40); do
	probe "$B_DNS" "back$i-$TEST_ID.leak.test" >/dev/null
	sleep 0.25
	results_on "$A_URL"
	if [ "$CODE" = 200 ] && [ "$(jbody 'len(d["observations"])')" -ge 1 ]; then
		back=true
		break
	fi
done
check "Redis back: B's new observations are stored and A reads them" $back
expect_match "Redis back: the latest probe is there" "back$i" "$(jbody '" ".join(o["nonce"] for o in d["observations"])')"
grep -q "redis unix:$SOCK: connected (writes)" "$TMP/b.log" && ok "Redis back: B logs the return" ||
	not_ok "Redis back: B logs the return"

# ---- startup without Redis: a clear error, exit 2 ----
startup() {
	local desc=$1 addr=$2 want=$3 dp hp rc=0
	dp=$(free_port)
	hp=$(free_port)
	timeout 10 "$DNSLEAKD" --dns "127.0.0.1:$dp" --http "127.0.0.1:$hp" --stun off \
		--store redis --redis "$addr" >"$TMP/out" 2>"$TMP/err" || rc=$?
	expect_eq "$desc: exit 2" 2 "$rc"
	expect_match "$desc: says store = redis, where, and why" "store = redis: redis ${addr//./\\.}: $want" "$(cat "$TMP/err")"
}
startup "no socket" "unix:$TMP/none.sock" "No such file"
startup "nothing listening" "127.0.0.1:$(free_port)" "Connection refused"

check "node B exits cleanly" stop_node_b
check "node A exits cleanly" stop_dnsleakd
finish
