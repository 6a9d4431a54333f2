# lib.sh -- shared by the integration tests: TAP output, free ports, a dnsleakd on loopback.
#
# Source it, then call start_dnsleakd [extra flags]; it sets DNS_PORT, HTTP_PORT, STUN_PORT,
# HTTP_URL, DLD_PID and removes everything on exit. The daemon is $DNSLEAKD (the ASan build
# under `make check`). Tests print TAP lines through ok/not_ok/check.

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DNSLEAKD=${DNSLEAKD:-$ROOT/build/san/dnsleakd}
TMP=$(mktemp -d /tmp/dnsleak-test.XXXXXX)
TAP_N=0
TAP_FAILED=0
CLEANUP=()

cleanup() {
	local i
	for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUP[$i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
on_exit() { CLEANUP+=("$*"); }

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}
not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}
# check "description" command...: ok when the command succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# expect_eq "description" expected actual
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   expected: $2"
		echo "#   got:      $3"
	fi
}
# expect_match "description" regex actual
expect_match() {
	if [[ $3 =~ $2 ]]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   expected to match: $2"
		echo "#   got: $3"
	fi
}
finish() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# A port that nothing listens on now (UDP and TCP), from the ephemeral-free range.
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		if ! ss -Hltun "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# start_dnsleakd [flags...]: default listeners on 127.0.0.1 and ::1 at fresh ports.
start_dnsleakd() {
	local tries
	for tries in 1 2 3; do
		DNS_PORT=$(free_port)
		HTTP_PORT=$(free_port)
		STUN_PORT=$(free_port)
		HTTP_URL="http://127.0.0.1:$HTTP_PORT"
		# STUN on a fresh port too: the default 3478 would collide between test runs.
		"$DNSLEAKD" --dns "127.0.0.1:$DNS_PORT" --dns "[::1]:$DNS_PORT" \
			--http "127.0.0.1:$HTTP_PORT" --stun "127.0.0.1:$STUN_PORT" \
			--stun "[::1]:$STUN_PORT" --secret-file "$TMP/secret" "$@" \
			>"$TMP/dnsleakd.log" 2>&1 &
		DLD_PID=$!
		on_exit "stop_dnsleakd"
		if wait_ready; then
			return 0
		fi
		kill "$DLD_PID" 2>/dev/null
		wait "$DLD_PID" 2>/dev/null
	done
	echo "# dnsleakd did not start:"
	sed 's/^/#   /' "$TMP/dnsleakd.log"
	return 1
}

wait_ready() {
	for _ in $(seq 1 100); do
		kill -0 "$DLD_PID" 2>/dev/null || return 1
		curl -fsS "$HTTP_URL/healthz" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# stop_dnsleakd: SIGTERM, and fail loudly if it did not exit cleanly (ASan reports exit 1).
stop_dnsleakd() {
	[ -n "${DLD_PID:-}" ] || return 0
	kill -TERM "$DLD_PID" 2>/dev/null || return 0
	local rc=0
	wait "$DLD_PID" || rc=$?
	DLD_PID=
	return $rc
}

# api_new_test: create a test; sets TEST_ID and TEST_TOKEN.
api_new_test() {
	local body
	body=$(curl -fsS -X POST "$HTTP_URL/api/v1/tests") || return 1
	TEST_ID=$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	TEST_TOKEN=$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
}

# api_results: print the results JSON of TEST_ID.
api_results() {
	curl -fsS -H "Authorization: Bearer $TEST_TOKEN" "$HTTP_URL/api/v1/tests/$TEST_ID"
}

# json EXPR < doc: evaluate a Python expression over the parsed document `d`.
json() {
	python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

# require "description" command...: like check, but a failure ends the test here.
require() {
	local desc=$1
	shift
	if ! "$@"; then
		not_ok "$desc"
		finish
		exit 1
	fi
}

# req METHOD URL [curl args...]: sets CODE, BODY and HDRS (the response headers).
req() {
	local method=$1 url=$2
	shift 2
	rm -f "$TMP/body" "$TMP/headers" # curl leaves an old file alone when no body comes
	CODE=$(curl -s -g -X "$method" -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' \
		--max-time 10 "$@" "$url" 2>/dev/null)
	BODY=$(cat "$TMP/body" 2>/dev/null)
	HDRS=$(tr -d '\r' <"$TMP/headers" 2>/dev/null)
}
# hdr NAME: the value of a response header (case-insensitive name), empty when absent.
hdr() {
	awk -v n="$(tr 'A-Z' 'a-z' <<<"$1")" 'BEGIN { FS = ": " }
		tolower($1) == n { sub(/^[^:]*: /, ""); print; exit }' <<<"$HDRS"
}
jbody() { json "$1" <<<"$BODY" 2>/dev/null; }
# expect_json_error DESC STATUS: CODE is STATUS and the body is {"error": "<text>"}.
expect_json_error() {
	expect_eq "$1: status $2" "$2" "$CODE"
	expect_eq "$1: JSON {\"error\": ...}" "['error'] str" \
		"$(jbody '"%s %s" % (sorted(d.keys()), type(d["error"]).__name__)')"
	expect_match "$1: Content-Type application/json" '^application/json' "$(hdr Content-Type)"
	expect_eq "$1: Cache-Control no-store" no-store "$(hdr Cache-Control)"
}
