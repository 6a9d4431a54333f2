#!/usr/bin/env bash
# Reverse names for real: unbound in a network namespace serves PTR records for documentation
# addresses, the namespace's resolv.conf points the system resolver at it, and the live tests of
# test_rdns (DL_RDNS_LIVE=1) call rdns_get() there: a known name, upper case lowercased, no PTR,
# PTRs that are not host names, an answer pending first and known later, TTLs, and a resolver
# that never answers (one worker busy, the queue full, rdns_get still instant).
#
# unbound refuses the reverse zones of the documentation ranges by default (RFC 6303 local
# zones); declaring them ourselves replaces those defaults. Nothing leaves the namespace: its
# only link is lo.
source "$(dirname "$0")/lib.sh"

BIN=${TEST_RDNS:-$ROOT/build/san/tests/unit/test_rdns}
if [ "$(id -u)" -ne 0 ] || ! command -v unbound >/dev/null || ! command -v ip >/dev/null; then
	echo "ok 1 # SKIP needs root, ip and unbound"
	exit 0
fi
require "test program $BIN is built" test -x "$BIN"

NS="dlr$$-rdns"
ip netns add "$NS" || { not_ok "create namespace $NS"; finish; exit 1; }
on_exit "ip netns del $NS"
# ip netns exec bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf.
mkdir -p "/etc/netns/$NS"
on_exit "rm -rf /etc/netns/$NS"
on_exit 'for p in $(ip netns pids '"$NS"' 2>/dev/null); do kill $p; done; sleep 0.2'
nsx() { ip netns exec "$NS" "$@"; }
printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:1\n' >"/etc/netns/$NS/resolv.conf"

nsx ip link set lo up
# 127.0.0.2:53 is "a DNS server that never answers": it reads every query and drops it.
nsx python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.2", 53))
while True:
    s.recv(4096)
' &
on_exit "kill $!"

cat >"$TMP/unbound.conf" <<'CONF'
server:
	interface: 127.0.0.1
	port: 53
	do-daemonize: no
	username: ""
	chroot: ""
	pidfile: ""
	use-syslog: no
	verbosity: 1
	do-ip6: no
	do-not-query-localhost: no
	local-zone: "2.0.192.in-addr.arpa." static
	local-zone: "8.b.d.0.1.0.0.2.ip6.arpa." static
	local-data-ptr: "192.0.2.10 host10.example.test."
	local-data-ptr: "192.0.2.11 A-Very-Long-Label-0123456789.example.test."
	local-data-ptr: "2001:db8::10 Host-V6.Example.TEST."
	local-data: "30.2.0.192.in-addr.arpa. PTR bad_name.example.test."
	local-data: "31.2.0.192.in-addr.arpa. PTR bad\032name/x.example.test."
	local-data: "32.2.0.192.in-addr.arpa. PTR host\200x.example.test."
	local-zone: "100.51.198.in-addr.arpa." nodefault
stub-zone:
	name: "100.51.198.in-addr.arpa."
	stub-addr: 127.0.0.2
CONF
sed -i "s|^server:|server:\n\tdirectory: \"$TMP\"\n\tlogfile: \"$TMP/unbound.log\"|" "$TMP/unbound.conf"
nsx unbound -d -c "$TMP/unbound.conf" >"$TMP/unbound.out" 2>&1 &
UNB_PID=$!
on_exit "kill $UNB_PID; wait $UNB_PID"

ready=0
for _ in $(seq 1 100); do
	if nsx dig +time=1 +tries=1 @127.0.0.1 -x 192.0.2.10 >/dev/null 2>&1; then
		ready=1
		break
	fi
	sleep 0.1
done
require "unbound is up in namespace $NS" test "$ready" -eq 1
# The fixture itself, so that a failure below is rdns's and not the lab's.
expect_eq "unbound serves the PTR of 192.0.2.10" "host10.example.test." \
	"$(nsx dig +short @127.0.0.1 -x 192.0.2.10)"
expect_eq "unbound serves the PTR of 2001:db8::10" "Host-V6.Example.TEST." \
	"$(nsx dig +short @127.0.0.1 -x 2001:db8::10)"
expect_eq "unbound serves a PTR that is not a host name" "bad\\032name/x.example.test." \
	"$(nsx dig +short @127.0.0.1 -x 192.0.2.31)"
expect_match "192.0.2.20 has no PTR" "NXDOMAIN" "$(nsx dig @127.0.0.1 -x 192.0.2.20)"
expect_eq "the system resolver in the namespace asks unbound" "host10.example.test" \
	"$(nsx getent hosts 192.0.2.10 | awk '{print $2}')"

out=$(nsx env DL_RDNS_LIVE=1 CMOCKA_MESSAGE_OUTPUT=TAP "$BIN" 2>&1)
rc=$?
for t in test_rdns_live_names test_rdns_live_slow; do
	if grep -qE "^ok [0-9]+ - $t\$" <<<"$out"; then ok "$t"; else not_ok "$t"; fi
done
expect_eq "the live tests exit cleanly (no sanitizer report)" 0 "$rc"
grep -E '^# rdns_free' <<<"$out"
if [ "$TAP_FAILED" -gt 0 ]; then
	sed 's/^/#   /' <<<"$out"
	sed 's/^/# unbound: /' "$TMP/unbound.log" 2>/dev/null | tail -n 20
fi
finish
