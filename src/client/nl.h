/* nl.h -- the kernel's routing view over rtnetlink (libmnl): which route and interface a packet
 * to a given address would take, the links and what kind they are, and the route tables.
 *
 * Message parsing is split from the socket I/O (nl_parse_* take the bytes of one message, so
 * they are unit-tested with crafted messages and fuzzed); nl_* functions do the I/O.
 */
#ifndef DL_NL_H
#define DL_NL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "err.h"

#define NL_LINKS_MAX 256
#define NL_ROUTES_MAX 4096
#define NL_KIND_MAX 32

/* What RTM_GETROUTE answers for one destination (the route the kernel would use, policy
 * routing rules included). The kernel answers a route it will not use with an error, and
 * nl_route_get() turns those into found = false and a type: ENETUNREACH (no route at all) ->
 * RTN_UNSPEC, EHOSTUNREACH -> RTN_UNREACHABLE, EACCES -> RTN_PROHIBIT, EINVAL -> RTN_BLACKHOLE
 * (our request is fixed and valid, so EINVAL can only be the blackhole). */
struct nl_route_info {
	bool found; /* false: unreachable / no route */
	int ifindex;
	char ifname[IF_NAMESIZE];
	bool has_gateway;
	struct dl_addr gateway;
	bool has_prefsrc;
	struct dl_addr prefsrc; /* the source address the kernel would pick */
	uint32_t table;
	uint8_t type; /* RTN_UNICAST, RTN_LOCAL, RTN_UNREACHABLE, ... */
};

struct nl_link {
	int ifindex;
	char name[IF_NAMESIZE];
	char kind[NL_KIND_MAX]; /* IFLA_INFO_KIND: "tun", "wireguard", "veth", "" if none */
	uint16_t arphrd;        /* ARPHRD_* (ARPHRD_NONE for tun, ARPHRD_PPP, ...) */
	bool up;
	bool tun_is_tap;        /* tun kind in TAP mode (IFLA_TUN_TYPE), when known */
};

/* One route of a dump (main table and others). */
struct nl_route {
	uint8_t family; /* 4 or 6 */
	struct dl_addr dst;
	uint8_t dst_len; /* 0: default route */
	int oif;
	bool has_gateway;
	struct dl_addr gateway;
	uint32_t table;
	uint32_t metric;
	uint8_t type;
	uint8_t protocol; /* RTPROT_*: dhcp, static, boot, kernel, ... */
	bool has_prefsrc;
	struct dl_addr prefsrc; /* RTA_PREFSRC */
	uint32_t flags;         /* rtm_flags: RTM_F_CLONED (a cache entry), ... */
	bool is_multipath;      /* RTA_MULTIPATH: oif and gateway are the first nexthop's */
};

/* I/O. Each returns DL_E_OK, or a negative code with err filled: -errno from the socket or
 * the kernel, DL_E_FORMAT for a reply we cannot parse. One netlink socket per call.
 * nl_links/nl_routes return DL_E_FULL when there are more than max entries, with the first max
 * in out and *n = max. nl_routes takes family 4 or 6 and keeps the unicast routes of every
 * table (no local, broadcast, multicast, unreachable/blackhole or cache entries). */
DL_MUSTCHECK int nl_route_get(const struct dl_addr *dst, struct nl_route_info *out, char *err,
			      size_t err_len);
DL_MUSTCHECK int nl_links(struct nl_link *out, size_t max, size_t *n, char *err, size_t err_len);
DL_MUSTCHECK int nl_routes(uint8_t family, struct nl_route *out, size_t max, size_t *n, char *err,
			   size_t err_len);

/* Pure parsers of one netlink message (header included), for tests and fuzzing: msg[0..len)
 * holds at least nlmsg_len bytes (bytes past nlmsg_len are not read), the type is
 * RTM_NEWROUTE / RTM_NEWLINK, the family header fits and every attribute is walked with its
 * length checked (mnl_attr_ok). DL_E_TRUNC or DL_E_FORMAT (DL_E_TOOLONG: a name that does not
 * fit) otherwise, and *out is untouched. Routes are AF_INET/AF_INET6; links need IFLA_IFNAME. */
DL_MUSTCHECK int nl_parse_route(const uint8_t *msg, size_t len, struct nl_route *out);
DL_MUSTCHECK int nl_parse_link(const uint8_t *msg, size_t len, struct nl_link *out);

/* Tunnel classification (pure): link kind tun/tap, wireguard, ppp, xfrm, ipip, gre, sit, vti,
 * ip6tnl...; the interface name (tun*, wg*, ppp*, utun*, tailscale*, ...) only as a fallback,
 * when the link has no kind. Any other kind (veth, bridge, dummy, vxlan...) is TUNNEL_NONE.
 * ARPHRD_NONE without a kind is not a tunnel by itself: raw-IP modems (qmi_wwan) look the
 * same, and they are the physical uplink; only the name can make it one. TUNNEL_PPP may be a
 * DSL or modem uplink (PPPoE) as much as a VPN (PPTP, L2TP). */
enum tunnel_kind {
	TUNNEL_NONE = 0,
	TUNNEL_TUN,       /* OpenVPN and most userspace VPNs */
	TUNNEL_TAP,
	TUNNEL_WIREGUARD,
	TUNNEL_PPP,
	TUNNEL_IPSEC,     /* xfrm / vti */
	TUNNEL_IP,        /* ipip, gre, sit, ip6tnl */
	TUNNEL_BY_NAME,   /* only the name looks like a VPN's */
};
enum tunnel_kind nl_tunnel_kind(const struct nl_link *l);
const char *tunnel_kind_name(enum tunnel_kind k); /* "tun", "wireguard", ... */

#endif
