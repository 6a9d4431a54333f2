#!/usr/bin/env bash
# netlink.sh -- nl.h against the real kernel: in a network namespace with a veth pair to a
# second namespace, a tun and a tap device, a dummy (a bridge where the kernel has no dummy
# driver), policy routing and unreachable/prohibit/blackhole/throw routes, a small probe built
# here from src/client/nl.c prints nl_route_get() for chosen addresses, nl_links() with their
# tunnel kinds and nl_routes(); the script checks interface, gateway, source address, table,
# the kinds, "no route" as found=0, and IPv6. Root only. Addresses are documentation ranges.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
	echo "ok 1 # SKIP needs root"
	exit 0
fi
cd "$ROOT" || exit 1

NS=dl$$-nl
PEER=dl$$-peer

# The probe: the Makefile builds tests/helpers/ against src/common alone, so it is built here.
cat >"$TMP/nlprobe.c" <<'EOF'
/* nlprobe.c -- print what nl.h sees: route lookups, links with their kinds, route dumps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "nl.h"

static struct nl_link links[NL_LINKS_MAX];
static struct nl_route routes[NL_ROUTES_MAX];

static const char *
fmt(const struct dl_addr *a, bool has, char out[static ADDR_TEXT_MAX])
{
	if (!has)
		return "-";
	addr_fmt(a, out);
	return out;
}

int
main(int argc, char *argv[])
{
	char err[256] = "";
	char t1[ADDR_TEXT_MAX], t2[ADDR_TEXT_MAX];
	size_t n = 0;

	if (argc >= 3 && strcmp(argv[1], "get") == 0) {
		for (int i = 2; i < argc; i++) {
			struct dl_addr a;
			struct nl_route_info r;
			if (addr_parse(argv[i], &a) != DL_E_OK) {
				fprintf(stderr, "bad address %s\n", argv[i]);
				return 2;
			}
			if (nl_route_get(&a, &r, err, sizeof(err)) < 0) {
				fprintf(stderr, "%s\n", err);
				return 1;
			}
			printf("%s found=%d dev=%s via=%s src=%s table=%u type=%u\n", argv[i], r.found,
			       r.ifname[0] != '\0' ? r.ifname : "-", fmt(&r.gateway, r.has_gateway, t1),
			       fmt(&r.prefsrc, r.has_prefsrc, t2), r.table, r.type);
		}
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "links") == 0) {
		if (nl_links(links, NL_LINKS_MAX, &n, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			printf("%s index=%d kind=%s arphrd=%u up=%d tunnel=%s\n", links[i].name,
			       links[i].ifindex, links[i].kind[0] != '\0' ? links[i].kind : "-",
			       links[i].arphrd, links[i].up,
			       tunnel_kind_name(nl_tunnel_kind(&links[i])));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "routes") == 0) {
		uint8_t family = (uint8_t)atoi(argv[2]);
		if (nl_routes(family, routes, NL_ROUTES_MAX, &n, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			printf("%s/%u oif=%d via=%s table=%u metric=%u proto=%u type=%u\n",
			       fmt(&routes[i].dst, true, t1), routes[i].dst_len, routes[i].oif,
			       fmt(&routes[i].gateway, routes[i].has_gateway, t2), routes[i].table,
			       routes[i].metric, routes[i].protocol, routes[i].type);
		return 0;
	}
	fprintf(stderr, "usage: nlprobe get ADDR... | links | routes 4|6\n");
	return 2;
}
EOF
CC=${CC:-cc}
PROBE_SRC=("$TMP/nlprobe.c" src/client/nl.c src/common/addr.c src/common/err.c)
PROBE_FLAGS=(-std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -iquote src/common -iquote src/client)
# shellcheck disable=SC2046
if ! "$CC" "${PROBE_FLAGS[@]}" -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-o "$TMP/nlprobe" "${PROBE_SRC[@]}" $(pkg-config --cflags --libs libmnl) \
	>"$TMP/cc.log" 2>&1; then
	# No sanitizer runtime: the plain build still tests the kernel's answers.
	# shellcheck disable=SC2046
	"$CC" "${PROBE_FLAGS[@]}" -O1 -o "$TMP/nlprobe" "${PROBE_SRC[@]}" \
		$(pkg-config --cflags --libs libmnl) >"$TMP/cc.log" 2>&1
fi
if [ ! -x "$TMP/nlprobe" ]; then
	not_ok "build the probe"
	sed 's/^/#   /' "$TMP/cc.log"
	finish
	exit 1
fi
ok "build the probe"

# probe ARGS...: run it in the namespace; stderr to $TMP/probe.err, failing on any report.
probe() {
	ip netns exec "$NS" "$TMP/nlprobe" "$@" 2>"$TMP/probe.err"
}
no_report() { ! grep -qE 'Sanitizer|runtime error' "$TMP/probe.err"; }
# show: the probe's output as TAP comments; lacks REGEX: no line of it matches.
show() {
	local lines
	mapfile -t lines <<<"$out"
	printf '# %s\n' "${lines[@]}"
}
lacks() { ! grep -qE "$1" <<<"$out"; }

# The namespaces: ours (veth0, tun0, tap0, dummy0) and the peer at the far end of the veth.
setup() {
	ip netns add "$NS" || return 1
	on_exit "ip netns del $NS"
	ip netns add "$PEER" || return 1
	on_exit "ip netns del $PEER"
	local n="ip -n $NS"
	$n link set lo up &&
		$n link add veth0 type veth peer name veth1 netns "$PEER" &&
		ip -n "$PEER" link set veth1 up &&
		ip -n "$PEER" addr add 198.18.0.2/24 dev veth1 &&
		$n link set veth0 up &&
		$n addr add 198.18.0.1/24 dev veth0 &&
		$n -6 addr add 2001:db8:1::1/64 dev veth0 nodad &&
		$n tuntap add dev tun0 mode tun &&
		$n link set tun0 up &&
		$n addr add 198.19.0.1/24 dev tun0 &&
		$n tuntap add dev tap0 mode tap || return 1
	# Some kernels ship without the dummy driver: a bridge stands in (also kind != tunnel).
	if $n link add dummy0 type dummy 2>/dev/null; then
		STANDIN=dummy0
		STANDIN_KIND=dummy
	else
		$n link add br-dl0 type bridge || return 1
		STANDIN=br-dl0
		STANDIN_KIND=bridge
	fi
	$n link set "$STANDIN" up &&
		$n addr add 198.18.1.1/24 dev "$STANDIN" &&
		$n route add default dev tun0 &&
		$n route add 203.0.113.0/24 via 198.18.0.2 dev veth0 metric 50 proto static &&
		$n route add 192.0.2.0/24 via 198.18.0.2 dev veth0 table 100 &&
		$n rule add to 192.0.2.0/24 lookup 100 &&
		$n route add unreachable 198.51.100.128/25 &&
		$n route add prohibit 198.51.100.64/26 &&
		$n route add blackhole 198.51.100.32/27 &&
		$n route add throw 198.51.100.16/28 &&
		$n -6 route add default via 2001:db8:1::2 dev veth0 &&
		$n -6 route add unreachable 2001:db8:dead::/48
}
if ! setup >"$TMP/setup.log" 2>&1; then
	not_ok "namespace setup"
	sed 's/^/#   /' "$TMP/setup.log"
	finish
	exit 1
fi
ok "namespace setup ($STANDIN_KIND as the non-tunnel stand-in)"

# --- nl_route_get ---
out=$(probe get 198.51.100.1 203.0.113.53 192.0.2.53 198.18.1.7 198.18.0.1 2001:db8:ffff::1 \
	198.51.100.200 198.51.100.70 198.51.100.40 198.51.100.20 2001:db8:dead::1)
rc=$?
expect_eq "route lookups exit 0" 0 "$rc"
check "route lookups: no sanitizer report" no_report
show
line() { grep "^$1 " <<<"$out"; }
expect_match "default route: the tun, no gateway, main table" \
	'found=1 dev=tun0 via=- src=198.19.0.1 table=254 type=1$' "$(line 198.51.100.1)"
expect_match "more-specific /24: veth0 via the peer, our source" \
	'found=1 dev=veth0 via=198.18.0.2 src=198.18.0.1 table=254 type=1$' "$(line 203.0.113.53)"
expect_match "policy rule: table 100" \
	'found=1 dev=veth0 via=198.18.0.2 src=198.18.0.1 table=100 type=1$' "$(line 192.0.2.53)"
expect_match "connected route of the $STANDIN_KIND" \
	"found=1 dev=$STANDIN via=- src=198.18.1.1 table=254 type=1\$" "$(line 198.18.1.7)"
expect_match "own address: local" 'found=1 dev=lo via=- .*type=2$' "$(line 198.18.0.1)"
expect_match "IPv6 default via the veth" \
	'found=1 dev=veth0 via=2001:db8:1::2 src=2001:db8:1::1 table=254 type=1$' \
	"$(line 2001:db8:ffff::1)"
expect_match "unreachable route: found=0" 'found=0 dev=- .* type=7$' "$(line 198.51.100.200)"
expect_match "prohibit route: found=0" 'found=0 dev=- .* type=8$' "$(line 198.51.100.70)"
expect_match "blackhole route: found=0" 'found=0 dev=- .* type=6$' "$(line 198.51.100.40)"
expect_match "throw to nothing (no route at all): found=0" 'found=0 dev=- .* type=0$' \
	"$(line 198.51.100.20)"
expect_match "IPv6 unreachable: found=0" 'found=0 dev=- .* type=7$' "$(line 2001:db8:dead::1)"

# --- nl_links ---
out=$(probe links)
rc=$?
expect_eq "link dump exits 0" 0 "$rc"
check "link dump: no sanitizer report" no_report
show
line() { grep "^$1 " <<<"$out"; }
expect_match "tun0: kind tun, a tun tunnel" 'kind=tun arphrd=65534 up=1 tunnel=tun$' "$(line tun0)"
expect_match "tap0: kind tun in TAP mode" 'kind=tun arphrd=1 up=0 tunnel=tap$' "$(line tap0)"
expect_match "veth0: no tunnel" 'kind=veth arphrd=1 up=1 tunnel=none$' "$(line veth0)"
expect_match "$STANDIN: no tunnel" "kind=$STANDIN_KIND .* tunnel=none\$" "$(line "$STANDIN")"
expect_match "lo: no kind, loopback" 'kind=- arphrd=772 up=1 tunnel=none$' "$(line lo)"
expect_eq "every link listed" 5 "$(grep -c . <<<"$out")"
TUN_IDX=$(line tun0 | sed 's/.*index=\([0-9]*\).*/\1/')
VETH_IDX=$(line veth0 | sed 's/.*index=\([0-9]*\).*/\1/')

# --- nl_routes ---
out=$(probe routes 4)
rc=$?
expect_eq "IPv4 route dump exits 0" 0 "$rc"
check "IPv4 route dump: no sanitizer report" no_report
show
check "default route by the tun" grep -qx "0.0.0.0/0 oif=$TUN_IDX via=- table=254 metric=0 proto=3 type=1" <<<"$out"
check "the /24 with its gateway, metric and proto static" \
	grep -qx "203.0.113.0/24 oif=$VETH_IDX via=198.18.0.2 table=254 metric=50 proto=4 type=1" <<<"$out"
check "table 100 is dumped too" \
	grep -qx "192.0.2.0/24 oif=$VETH_IDX via=198.18.0.2 table=100 metric=0 proto=3 type=1" <<<"$out"
check "connected route, proto kernel" \
	grep -qx "198.18.0.0/24 oif=$VETH_IDX via=- table=254 metric=0 proto=2 type=1" <<<"$out"
check "no local, broadcast or unreachable entries" lacks 'type=([02-9]|1[0-9])$'
check "no host routes of the local table" lacks '^198\.18\.0\.1/32'
expect_eq "IPv4 routes: default, the /24, table 100 and three connected" 6 "$(grep -c . <<<"$out")"

out=$(probe routes 6)
rc=$?
expect_eq "IPv6 route dump exits 0" 0 "$rc"
check "IPv6 route dump: no sanitizer report" no_report
show
check "IPv6 default via the veth" \
	grep -qx "::/0 oif=$VETH_IDX via=2001:db8:1::2 table=254 metric=1024 proto=3 type=1" <<<"$out"
check "IPv6 connected /64" grep -q "^2001:db8:1::/64 oif=$VETH_IDX via=- table=254 " <<<"$out"
check "no IPv6 multicast or local entries" lacks '^(ff00::/8|::1/128|2001:db8:1::1/128) '
check "IPv6 dump has IPv6 only" lacks '^[0-9]+\.[0-9]+\.'

# A bad family is refused without a socket.
probe routes 5 >/dev/null
expect_eq "family 5 refused" 1 "$?"
expect_match "family 5: says why" 'family must be 4 or 6' "$(cat "$TMP/probe.err")"

finish
