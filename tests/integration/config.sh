#!/usr/bin/env bash
# config.sh -- dnsleakd's configuration as an operator meets it: `-n` with the defaults, a
# config file, errors that name file, line, key and value, flags over the file, reserved names,
# and the secret file (created 0600, reused across restarts, rejected when corrupt).
source "$(dirname "$0")/lib.sh"

# run ARGS...: run dnsleakd (which must exit by itself), setting RC, OUT and ERR.
run() {
	RC=0
	timeout 10 "$DNSLEAKD" "$@" >"$TMP/out" 2>"$TMP/err" || RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}
has_line() { grep -qxF -- "$1" <<<"$OUT"; }
expect_line() {
	if has_line "$2"; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   no line: $2"
		sed 's/^/#   | /' <<<"$OUT"
	fi
}
expect_no_line() {
	if ! has_line "$2"; then ok "$1"; else not_ok "$1"; echo "#   unexpected line: $2"; fi
}
count_key() { grep -c "^$1 = " <<<"$OUT"; }

# Defaults.
run -n
expect_eq "-n: exit 0" 0 "$RC"
expect_line "-n: zone = leak.test" "zone = leak.test"
expect_line "-n: dns = 127.0.0.1:5353" "dns = 127.0.0.1:5353"
expect_line "-n: dns = [::1]:5353" "dns = [::1]:5353"
expect_eq "-n: two dns listeners" 2 "$(count_key dns)"
expect_line "-n: http = 127.0.0.1:8053" "http = 127.0.0.1:8053"
expect_eq "-n: one http listener" 1 "$(count_key http)"
expect_line "-n: web_address = 127.0.0.1" "web_address = 127.0.0.1"
expect_line "-n: web_address = ::1" "web_address = ::1"
expect_line "-n: ns = ns1=127.0.0.1" "ns = ns1=127.0.0.1"
expect_line "-n: ns = ns1=::1" "ns = ns1=::1"
expect_line "-n: test_ttl = 600" "test_ttl = 600"
expect_line "-n: tcp_idle_timeout_ms = 10000" "tcp_idle_timeout_ms = 10000"
expect_line "-n: max_observations_per_test = 1000" "max_observations_per_test = 1000"
expect_eq "-n: nothing on stderr" "" "$ERR"
expect_line "-n: stun = 127.0.0.1:3478" "stun = 127.0.0.1:3478"
expect_line "-n: stun = [::1]:3478" "stun = [::1]:3478"
expect_eq "-n: two stun listeners" 2 "$(count_key stun)"
expect_line "-n: stun_rate = 20" "stun_rate = 20"
expect_line "-n: stun_burst = 40" "stun_burst = 40"

# STUN: off, own addresses, and bad values (exit 2, naming the flag or line and the value).
run -n --stun off
expect_eq "--stun off: exit 0" 0 "$RC"
expect_line "--stun off: stun = off" "stun = off"
expect_eq "--stun off: no stun address" 1 "$(count_key stun)"
run -n --stun 192.0.2.1:3478 --stun '[2001:db8::1]:19302' --stun-rate 5 --stun-burst 9
expect_line "--stun: stun = 192.0.2.1:3478" "stun = 192.0.2.1:3478"
expect_line "--stun: stun = [2001:db8::1]:19302" "stun = [2001:db8::1]:19302"
expect_eq "--stun replaces the defaults" 2 "$(count_key stun)"
expect_line "--stun-rate 5" "stun_rate = 5"
expect_line "--stun-burst 9" "stun_burst = 9"
printf 'stun = off\n' >"$TMP/stun-off.conf"
run -c "$TMP/stun-off.conf" -n --stun 192.0.2.7:3478
expect_line "file stun = off, flag --stun: the flag wins" "stun = 192.0.2.7:3478"
expect_no_line "file stun = off, flag --stun: not off" "stun = off"
for bad in '[::1]:0' bogus 127.0.0.1:0 127.0.0.1:70000 Off; do
	run -n --stun "$bad"
	expect_eq "--stun $bad: exit 2" 2 "$RC"
	expect_match "--stun $bad: the error names flag and value" \
		"^dnsleakd: --stun: stun: .*\`${bad//[/\\[}'" "$ERR"
done
run -n --stun 0.0.0.0:3478 --stun '[::]:3478'
expect_line "--stun 0.0.0.0:3478: a wildcard is fine" "stun = 0.0.0.0:3478"
expect_line "--stun [::]:3478: a wildcard is fine" "stun = [::]:3478"
run -n --trusted-proxy 192.0.2.0/24 --trusted-proxy 2001:db8::1
expect_line "--trusted-proxy: a prefix" "trusted_proxies = 192.0.2.0/24"
expect_line "--trusted-proxy: one address" "trusted_proxies = 2001:db8::1/128"
run -n --trusted-proxy AS64496
expect_eq "--trusted-proxy AS64496: exit 2" 2 "$RC"
expect_match "--trusted-proxy AS64496: a proxy is an address, not a network" \
	"^dnsleakd: --trusted-proxy: trusted_proxies: want a prefix .* got \`AS64496'" "$ERR"
args=()
for i in $(seq 1 17); do args+=(--trusted-proxy "192.0.2.$i"); done
run -n "${args[@]}"
expect_eq "17 trusted proxies: exit 2" 2 "$RC"
expect_match "17 trusted proxies: names the bound" "more than 16 entries" "$ERR"
run -n
expect_line "-n: rdns = yes (the default)" "rdns = yes"
run -n --rdns no
expect_line "--rdns no" "rdns = no"
run -n --rdns maybe
expect_eq "--rdns maybe: exit 2" 2 "$RC"
expect_match "--rdns maybe: the error names flag and value" "^dnsleakd: --rdns: rdns: \`maybe': want yes or no" "$ERR"
run -n --stun-rate x
expect_eq "--stun-rate x: exit 2" 2 "$RC"
expect_match "--stun-rate x: error" "^dnsleakd: --stun-rate: stun_rate: want a whole number" "$ERR"
run -n --stun-burst 0
expect_eq "--stun-burst 0: exit 2" 2 "$RC"
printf 'zone = leak.test\nstun = [::]\n' >"$TMP/stun-bad.conf"
run -c "$TMP/stun-bad.conf" -n
expect_eq "stun = [::] in a file: exit 2" 2 "$RC"
expect_match "stun = [::] in a file: file, line, key" "stun-bad\.conf:2: stun: bad address" "$ERR"

# The store: memory by default; redis with its address and key prefix (-n does not connect).
run -n
expect_line "-n: store = memory (the default)" "store = memory"
expect_line "-n: redis = 127.0.0.1:6379 (the default)" "redis = 127.0.0.1:6379"
expect_line "-n: redis_prefix = dnsleak: (the default)" "redis_prefix = dnsleak:"
run -n --store redis --redis '[::1]:6380' --redis-prefix 'dl:eu:'
expect_eq "--store redis -n: exit 0 without a Redis" 0 "$RC"
expect_line "--store redis" "store = redis"
expect_line "--redis [::1]:6380" "redis = [::1]:6380"
expect_line "--redis-prefix dl:eu:" "redis_prefix = dl:eu:"
printf 'store = redis\nredis = unix:/run/redis/redis.sock\n' >"$TMP/redis.conf"
run -c "$TMP/redis.conf" -n --redis-prefix x:
expect_line "redis = unix:PATH from a file" "redis = unix:/run/redis/redis.sock"
run -n --store Redis
expect_eq "--store Redis: exit 2" 2 "$RC"
expect_match "--store Redis: names flag and value" "^dnsleakd: --store: store: \`Redis': want memory or redis" "$ERR"
for bad in localhost ::1:6379 h:0 h:65536 'a b:1' '[192.0.2.1]:1'; do
	run -n --redis "$bad"
	expect_eq "--redis $bad: exit 2" 2 "$RC"
	expect_match "--redis $bad: names flag and value" "^dnsleakd: --redis: redis: bad address \`[^']*' \\(want HOST:PORT, \\[V6\\]:PORT or unix:/PATH\\)" "$ERR"
done
run -n --redis unix:redis.sock
expect_eq "--redis unix:relative: exit 2" 2 "$RC"
expect_match "--redis unix:relative: says absolute" "want unix: and an absolute socket path" "$ERR"
run -n --redis-prefix 'a{b}'
expect_eq "--redis-prefix with a hash tag: exit 2" 2 "$RC"
expect_match "--redis-prefix: names flag and value" "^dnsleakd: --redis-prefix: redis_prefix: \`a\\{b\\}'" "$ERR"
printf 'store = redis\nredis = nowhere\n' >"$TMP/redis-bad.conf"
run -c "$TMP/redis-bad.conf" -n
expect_eq "redis = nowhere in a file: exit 2" 2 "$RC"
expect_match "redis = nowhere in a file: file, line, key" "redis-bad\\.conf:2: redis: bad address \`nowhere'" "$ERR"

# The -n output is file syntax: it reads back as the same configuration.
run -n
cp "$TMP/out" "$TMP/roundtrip.conf"
first=$OUT
run -c "$TMP/roundtrip.conf" -n
expect_eq "-n output read back with -c: exit 0" 0 "$RC"
[ "$RC" = 0 ] || echo "#   stderr: $ERR"
if [ "$first" = "$OUT" ]; then
	ok "-n output read back with -c: same configuration"
else
	not_ok "-n output read back with -c: same configuration"
	diff <(echo "$first") <(echo "$OUT") | sed 's/^/#   /'
fi

run -h
expect_eq "-h: exit 0" 0 "$RC"
expect_match "-h: usage" "^usage: dnsleakd" "$OUT"
run -V
expect_match "-V: version" "^dnsleakd [0-9]+\\.[0-9]+" "$OUT"

# A config file: comments, blank lines, indentation, trailing comments, no spaces round '='.
CONF="$TMP/dnsleakd.conf"
cat >"$CONF" <<'EOF'
# dnsleakd test configuration

zone = example.test   # a trailing comment
	dns = 127.0.0.1:1111
dns=[::1]:2222
web_address = 192.0.2.10
ns = ns1.example.test=192.0.2.53
ns = ns2=2001:db8::53
test_ttl = 120
tcp_idle_timeout_ms = 2500
EOF
run -c "$CONF" -n
expect_eq "-c FILE -n: exit 0" 0 "$RC"
[ "$RC" = 0 ] || echo "#   stderr: $ERR"
expect_line "file: zone" "zone = example.test"
expect_line "file: first dns" "dns = 127.0.0.1:1111"
expect_line "file: second dns" "dns = [::1]:2222"
expect_eq "file: the file's dns list replaces the defaults" 2 "$(count_key dns)"
expect_line "file: web_address" "web_address = 192.0.2.10"
expect_eq "file: the only web_address" 1 "$(count_key web_address)"
expect_line "file: ns given under the zone keeps its label" "ns = ns1=192.0.2.53"
expect_line "file: second ns" "ns = ns2=2001:db8::53"
expect_line "file: test_ttl" "test_ttl = 120"
expect_line "file: tcp_idle_timeout_ms" "tcp_idle_timeout_ms = 2500"
expect_line "file: default http kept" "http = 127.0.0.1:8053"
run --config "$CONF" -n
expect_line "--config FILE works as -c" "zone = example.test"

# Flags override the file and replace its lists, in whatever order they come.
run -c "$CONF" --dns 127.0.0.1:3333 --zone other.test --test-ttl 30 -n
expect_eq "flags over file: exit 0" 0 "$RC"
expect_line "flags over file: --zone wins" "zone = other.test"
expect_line "flags over file: --test-ttl wins" "test_ttl = 30"
expect_line "flags over file: --dns listed" "dns = 127.0.0.1:3333"
expect_eq "flags over file: --dns replaces the file's list" 1 "$(count_key dns)"
expect_line "flags over file: other file keys kept" "web_address = 192.0.2.10"
run --dns 127.0.0.1:3333 --dns '[::1]:4444' -c "$CONF" -n
expect_eq "flags before -c: still override (2 dns)" 2 "$(count_key dns)"
expect_line "flags before -c: first --dns" "dns = 127.0.0.1:3333"
expect_line "flags before -c: second --dns" "dns = [::1]:4444"
expect_no_line "flags before -c: file's dns gone" "dns = 127.0.0.1:1111"
run -c "$CONF" --web-address 198.51.100.7 -n
expect_eq "--web-address replaces the file's list" "web_address = 198.51.100.7" \
	"$(grep '^web_address = ' <<<"$OUT")"

# Errors name the file, the line, the key and the value; exit status 2.
printf '# comment\nzone = leak.test\n\nbogus_key = 1\n' >"$TMP/unknown.conf"
run -c "$TMP/unknown.conf" -n
expect_eq "unknown key: exit 2" 2 "$RC"
expect_match "unknown key: names FILE:LINE" "unknown\\.conf:4:" "$ERR"
expect_match "unknown key: names the key" "bogus_key" "$ERR"
expect_eq "unknown key: nothing printed on stdout" "" "$OUT"
printf 'zone = leak.test\n# comment\ndns = 1.2.3.4:70000\n' >"$TMP/badvalue.conf"
run -c "$TMP/badvalue.conf" -n
expect_eq "bad dns value: exit 2" 2 "$RC"
expect_match "bad dns value: names FILE:LINE" "badvalue\\.conf:3:" "$ERR"
expect_match "bad dns value: names the key" "dns" "$ERR"
expect_match "bad dns value: names the value" "1\\.2\\.3\\.4:70000" "$ERR"
printf 'zone leak.test\n' >"$TMP/noeq.conf"
run -c "$TMP/noeq.conf" -n
expect_eq "line without '=': exit 2" 2 "$RC"
expect_match "line without '=': names FILE:1" "noeq\\.conf:1:" "$ERR"
printf 'test_ttl =\n' >"$TMP/empty.conf"
run -c "$TMP/empty.conf" -n
expect_eq "empty value: exit 2" 2 "$RC"
expect_match "empty value: names FILE:1 and the key" "empty\\.conf:1:.*test_ttl" "$ERR"
run -c "$TMP/does-not-exist.conf" -n
expect_eq "missing config file: exit 2" 2 "$RC"
expect_match "missing config file: names it" "does-not-exist\\.conf" "$ERR"
{ printf 'zone = leak.test # '; head -c 1100 /dev/zero | tr '\0' x; printf '\n'; } >"$TMP/longline.conf"
run -c "$TMP/longline.conf" -n
expect_eq "line over 1023 bytes: exit 2" 2 "$RC"
expect_match "line over 1023 bytes: names FILE:1" "longline\\.conf:1:" "$ERR"

run --test-ttl 0 -n
expect_eq "--test-ttl 0: exit 2" 2 "$RC"
expect_match "--test-ttl 0: names the flag and value" "test.ttl.*\`0'" "$ERR"
run --zone 'bad..name' -n
expect_eq "--zone bad..name: exit 2" 2 "$RC"
run --dns 127.0.0.1 -n
expect_eq "--dns without a port: exit 2" 2 "$RC"
run --http '[::1:8053' -n
expect_eq "--http with a broken bracket: exit 2" 2 "$RC"
run --bogus-flag 1 -n
expect_eq "unknown flag: exit 2" 2 "$RC"
run -n extra-argument
expect_eq "stray argument: exit 2" 2 "$RC"

# Names dnsleakd serves itself cannot be --ns names.
for name in ns4 ns6 ns-v4 ns-v6 whoami NS4; do
	run --ns "$name=192.0.2.1" -n
	expect_eq "--ns $name=...: rejected (exit 2)" 2 "$RC"
	expect_match "--ns $name=...: the error names it" "$name|${name,,}" "$ERR"
done
run --ns ns4.leak.test=192.0.2.1 -n
expect_eq "--ns ns4.leak.test=...: rejected (exit 2)" 2 "$RC"
run --ns ns1.other.test=192.0.2.1 -n
expect_eq "--ns outside the zone: rejected (exit 2)" 2 "$RC"
run --ns ns1 -n
expect_eq "--ns without '=IP': rejected (exit 2)" 2 "$RC"
run --ns ns1=not-an-ip -n
expect_eq "--ns with a bad address: rejected (exit 2)" 2 "$RC"
NS9=() n=0
for i in a b c d e f g h i; do NS9+=(--ns "ns$i=192.0.2.$((++n))"); done
run "${NS9[@]}" -n
expect_eq "9 --ns names: rejected (exit 2)" 2 "$RC"
NS9=() n=0
for i in a b c d e f g h; do NS9+=(--ns "ns$i=192.0.2.$((++n))"); done
NS9+=(--ns "nsh=192.0.2.99")
run "${NS9[@]}" -n
expect_eq "9 IPv4 glue addresses in all: rejected (exit 2)" 2 "$RC"
expect_match "9 IPv4 glue addresses: says why" "glue" "$ERR"

# The secret file: created 0600 with 64 hex digits when absent, reused when present.
SECRET="$TMP/secret"
rm -f "$SECRET"
if ! start_dnsleakd; then
	not_ok "dnsleakd starts"
	finish
	exit 1
fi
check "secret file created" [ -f "$SECRET" ]
expect_eq "secret file mode 600" 600 "$(stat -c %a "$SECRET" 2>&1)"
expect_match "secret file: 64 hex digits" '^[0-9a-f]{64}$' "$(cat "$SECRET")"
expect_eq "secret file: one line" 1 "$(wc -l <"$SECRET")"
SUM=$(sha256sum "$SECRET")
api_new_test
FIRST_ID=$TEST_ID FIRST_TOKEN=$TEST_TOKEN
check "first run: the test reads back" eval 'api_results >/dev/null' 
check "first run: dnsleakd exits cleanly" stop_dnsleakd

if ! start_dnsleakd; then
	not_ok "dnsleakd restarts with the same secret file"
	finish
	exit 1
fi
expect_eq "second run: secret file unchanged" "$SUM" "$(sha256sum "$SECRET")"
TEST_ID=$FIRST_ID TEST_TOKEN=$FIRST_TOKEN
res=$(api_results)
expect_eq "second run: the first run's test id and token still valid" "$FIRST_ID" \
	"$(json 'd["id"]' <<<"$res" 2>&1)"
check "second run: dnsleakd exits cleanly" stop_dnsleakd

# Another secret: the same id is unknown there.
if ! start_dnsleakd --secret-file "$TMP/other-secret"; then
	not_ok "dnsleakd starts with another secret file"
	finish
	exit 1
fi
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $FIRST_TOKEN" \
	"$HTTP_URL/api/v1/tests/$FIRST_ID")
expect_eq "another secret: the old id is 404" 404 "$code"
check "third run: dnsleakd exits cleanly" stop_dnsleakd

# Corrupt secret files: a clear error, a non-zero exit, no listener left behind.
corrupt() {
	local desc=$1 file=$2 want=$3
	local dp hp
	dp=$(free_port)
	hp=$(free_port)
	run --dns "127.0.0.1:$dp" --http "127.0.0.1:$hp" --secret-file "$file"
	check "secret $desc: exits non-zero (got $RC)" test "$RC" -ne 0 -a "$RC" -ne 124
	expect_match "secret $desc: the error names the file" "${file//./\\.}" "$ERR"
	expect_match "secret $desc: the error says what is wrong" "$want" "$ERR"
}
printf 'not-a-secret\n' >"$TMP/short-secret"
corrupt "too short" "$TMP/short-secret" "64 hex"
printf '%064d\n' 0 | tr 0 g >"$TMP/nonhex-secret"
corrupt "64 non-hex characters" "$TMP/nonhex-secret" "hex"
printf '%0128d\n' 0 >"$TMP/long-secret"
corrupt "128 digits" "$TMP/long-secret" "64 hex"
: >"$TMP/empty-secret"
corrupt "empty" "$TMP/empty-secret" "64 hex"
mkdir "$TMP/dir-secret"
corrupt "a directory" "$TMP/dir-secret" "[Ii]s a directory|directory"
corrupt "in a missing directory" "$TMP/no/such/dir/secret" "[Nn]o such file"

finish
