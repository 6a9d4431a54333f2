/* nl.c -- the kernel's routing view over rtnetlink: pure message parsers, libmnl I/O around them.
 *
 * The parsers read one message through the bounds-checked cursor (cursor.h) and walk its
 * attributes the way wireguard-tools' mnl_attr_ok() does: the header fits, the length covers
 * the header, the length fits what remains, then step by the 4-byte-aligned length. Netlink is
 * host-endian, so fields are copied out with memcpy (never read through a cast pointer: the
 * fuzzer's bytes need not be aligned). The I/O functions open one socket per call, send one
 * request and hand every reply message to the same parsers through mnl_cb_run().
 */
#include "nl.h"

#include <errno.h>
#include <limits.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>

#include "cursor.h"

/*
 * The kernel sizes a dump's messages after our receive buffer, up to 32 KiB; a smaller buffer
 * than one message would be truncated (MSG_TRUNC), so take the largest.
 */
#define NL_RECV_MAX 32768
#define NL_DUMP_TRIES 3 /* a dump interrupted by a change (NLM_F_DUMP_INTR) is retried */
#define NL_TIMEOUT_S 5

/* ---- pure parsers ---------------------------------------------------------------------- */

struct nl_attr {
	uint16_t type; /* NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off */
	const uint8_t *data;
	size_t len; /* payload, header excluded */
};

/*
 * Take the next attribute at the cursor (mnl_attr_ok): a short header or a length that runs
 * past the end is DL_E_TRUNC, a length below the header DL_E_FORMAT. The last attribute may
 * come without its padding, as mnl_attr_ok allows.
 */
static int
attr_next(struct rcur *c, struct nl_attr *a)
{
	const uint8_t *h = rcur_take(c, sizeof(struct nlattr));
	uint16_t nla_len, nla_type;

	if (h == NULL)
		return DL_E_TRUNC;
	memcpy(&nla_len, h, sizeof(nla_len));
	memcpy(&nla_type, h + sizeof(nla_len), sizeof(nla_type));
	if (nla_len < sizeof(struct nlattr))
		return DL_E_FORMAT;
	a->len = (size_t)nla_len - sizeof(struct nlattr);
	a->data = rcur_take(c, a->len);
	if (a->data == NULL)
		return DL_E_TRUNC;
	a->type = (uint16_t)(nla_type & NLA_TYPE_MASK);
	/* Padding in full, or none at the very end; a part of it is a stray byte or three. */
	if (rcur_left(c) > 0 && rcur_take(c, (size_t)NLA_ALIGN(nla_len) - nla_len) == NULL)
		return DL_E_TRUNC;
	return DL_E_OK;
}

static int
attr_u32(const struct nl_attr *a, uint32_t *v)
{
	if (a->len != sizeof(*v))
		return DL_E_FORMAT;
	memcpy(v, a->data, sizeof(*v));
	return DL_E_OK;
}

/* An address of family 4 or 6 that fills the payload exactly. */
static int
attr_addr(const uint8_t *p, size_t len, uint8_t family, struct dl_addr *out)
{
	size_t alen = family == 4 ? 4 : 16;

	if (len != alen)
		return DL_E_FORMAT;
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(out->a, p, alen);
	return DL_E_OK;
}

/* A NUL-terminated string attribute (MNL_TYPE_NUL_STRING) into out[cap]. */
static int
attr_str(const struct nl_attr *a, char *out, size_t cap)
{
	const uint8_t *nul = a->len > 0 ? memchr(a->data, '\0', a->len) : NULL;

	if (nul == NULL)
		return DL_E_FORMAT;
	size_t n = (size_t)(nul - a->data);
	if (n >= cap)
		return DL_E_TOOLONG;
	memcpy(out, a->data, n + 1);
	return DL_E_OK;
}

/*
 * Check the netlink header of msg[0..len) and take the family header (fam_len bytes, copied to
 * fam). On success *attrs covers the attributes that follow, up to nlmsg_len.
 */
static int
msg_open(const uint8_t *msg, size_t len, uint16_t type, void *fam, size_t fam_len,
	 struct rcur *attrs)
{
	struct nlmsghdr h;

	if (len < sizeof(h))
		return DL_E_TRUNC;
	memcpy(&h, msg, sizeof(h));
	if (h.nlmsg_len < NLMSG_HDRLEN)
		return DL_E_FORMAT;
	if (h.nlmsg_len > len)
		return DL_E_TRUNC;
	if (h.nlmsg_type != type)
		return DL_E_FORMAT;
	struct rcur c = rcur_make(msg + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN);
	const uint8_t *f = rcur_take(&c, NLMSG_ALIGN(fam_len));
	if (f == NULL)
		return DL_E_TRUNC;
	memcpy(fam, f, fam_len);
	*attrs = c;
	return DL_E_OK;
}

/* RTA_GATEWAY, or RTA_VIA (a gateway of another family: IPv4 routes via an IPv6 neighbour). */
static int
route_gateway(const struct nl_attr *a, uint8_t family, bool *has, struct dl_addr *gw)
{
	if (a->type == RTA_GATEWAY) {
		*has = true;
		return attr_addr(a->data, a->len, family, gw);
	}
	uint16_t via_family; /* struct rtvia: the family, then the address */
	if (a->len < sizeof(via_family))
		return DL_E_FORMAT;
	memcpy(&via_family, a->data, sizeof(via_family));
	if (via_family != AF_INET && via_family != AF_INET6)
		return DL_E_OK; /* MPLS and link-layer nexthops: no IP gateway */
	*has = true;
	return attr_addr(a->data + sizeof(via_family), a->len - sizeof(via_family),
			 via_family == AF_INET ? 4 : 6, gw);
}

/* RTA_MULTIPATH: check every struct rtnexthop and its attributes; keep the first's way out. */
static int
route_multipath(const struct nl_attr *mp, struct nl_route *r)
{
	struct rcur c = rcur_make(mp->data, mp->len);
	bool first = true;

	while (rcur_left(&c) > 0) {
		struct rtnexthop nh;
		const uint8_t *p = rcur_take(&c, sizeof(nh));
		if (p == NULL)
			return DL_E_TRUNC;
		memcpy(&nh, p, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh))
			return DL_E_FORMAT;
		const uint8_t *body = rcur_take(&c, nh.rtnh_len - sizeof(nh));
		if (body == NULL)
			return DL_E_TRUNC;
		struct rcur attrs = rcur_make(body, nh.rtnh_len - sizeof(nh));
		if (rcur_left(&c) > 0 &&
		    rcur_take(&c, (size_t)RTNH_ALIGN(nh.rtnh_len) - nh.rtnh_len) == NULL)
			return DL_E_TRUNC;
		if (nh.rtnh_ifindex < 0)
			return DL_E_FORMAT;
		bool has_gw = false;
		struct dl_addr gw;
		memset(&gw, 0, sizeof(gw));
		while (rcur_left(&attrs) > 0) {
			struct nl_attr a;
			int rc = attr_next(&attrs, &a);
			if (rc < 0)
				return rc;
			if (a.type == RTA_GATEWAY || a.type == RTA_VIA) {
				rc = route_gateway(&a, r->family, &has_gw, &gw);
				if (rc < 0)
					return rc;
			}
		}
		if (first) {
			r->oif = nh.rtnh_ifindex;
			r->has_gateway = has_gw;
			r->gateway = gw;
			first = false;
		}
	}
	if (first)
		return DL_E_FORMAT; /* a multipath route without a nexthop */
	r->is_multipath = true;
	return DL_E_OK;
}

int
nl_parse_route(const uint8_t *msg, size_t len, struct nl_route *out)
{
	struct rtmsg rtm;
	struct rcur c;
	struct nl_route r;
	const struct nl_attr *multipath = NULL;
	struct nl_attr mp;
	bool has_dst = false, has_oif = false;
	int rc;

	rc = msg_open(msg, len, RTM_NEWROUTE, &rtm, sizeof(rtm), &c);
	if (rc < 0)
		return rc;
	memset(&r, 0, sizeof(r));
	if (rtm.rtm_family == AF_INET)
		r.family = 4;
	else if (rtm.rtm_family == AF_INET6)
		r.family = 6;
	else
		return DL_E_FORMAT;
	if (rtm.rtm_dst_len > (r.family == 4 ? 32 : 128))
		return DL_E_FORMAT;
	r.dst.family = r.family;
	r.dst_len = rtm.rtm_dst_len;
	r.table = rtm.rtm_table; /* RTA_TABLE below has the full 32 bits */
	r.type = rtm.rtm_type;
	r.protocol = rtm.rtm_protocol;
	r.flags = rtm.rtm_flags;
	while (rcur_left(&c) > 0) {
		struct nl_attr a;
		uint32_t v;
		rc = attr_next(&c, &a);
		if (rc < 0)
			return rc;
		switch (a.type) {
		case RTA_DST:
			rc = attr_addr(a.data, a.len, r.family, &r.dst);
			has_dst = true;
			break;
		case RTA_OIF:
			rc = attr_u32(&a, &v);
			if (rc == DL_E_OK && v > INT_MAX)
				rc = DL_E_FORMAT;
			r.oif = (int)v;
			has_oif = true;
			break;
		case RTA_GATEWAY:
		case RTA_VIA:
			rc = route_gateway(&a, r.family, &r.has_gateway, &r.gateway);
			break;
		case RTA_PREFSRC:
			rc = attr_addr(a.data, a.len, r.family, &r.prefsrc);
			r.has_prefsrc = true;
			break;
		case RTA_TABLE:
			rc = attr_u32(&a, &r.table);
			break;
		case RTA_PRIORITY:
			rc = attr_u32(&a, &r.metric);
			break;
		case RTA_MULTIPATH:
			mp = a;
			multipath = &mp;
			break;
		default:
			break;
		}
		if (rc < 0)
			return rc;
	}
	/* A prefix needs its address; the kernel always sends RTA_DST with a non-zero length. */
	if (r.dst_len > 0 && !has_dst)
		return DL_E_FORMAT;
	if (multipath != NULL) {
		/* Checked whole even when RTA_OIF is there; only then is it the way out. */
		struct nl_route m = r;
		rc = route_multipath(multipath, &m);
		if (rc < 0)
			return rc;
		if (!has_oif)
			r = m;
	}
	*out = r;
	return DL_E_OK;
}

/* IFLA_INFO_DATA of a tun device: IFLA_TUN_TYPE is IFF_TUN or IFF_TAP. */
static int
link_tun_data(const struct nl_attr *data, struct nl_link *l)
{
	struct rcur c = rcur_make(data->data, data->len);

	while (rcur_left(&c) > 0) {
		struct nl_attr a;
		int rc = attr_next(&c, &a);
		if (rc < 0)
			return rc;
		if (a.type == IFLA_TUN_TYPE) {
			if (a.len != 1)
				return DL_E_FORMAT;
			l->tun_is_tap = a.data[0] == IFF_TAP; /* or IFF_TUN */
		}
	}
	return DL_E_OK;
}

static int
link_info(const struct nl_attr *info, struct nl_link *l)
{
	struct rcur c = rcur_make(info->data, info->len);
	struct nl_attr data = { 0 };
	bool has_data = false;

	while (rcur_left(&c) > 0) {
		struct nl_attr a;
		int rc = attr_next(&c, &a);
		if (rc < 0)
			return rc;
		if (a.type == IFLA_INFO_KIND) {
			rc = attr_str(&a, l->kind, sizeof(l->kind));
			if (rc < 0)
				return rc;
		} else if (a.type == IFLA_INFO_DATA) {
			data = a;
			has_data = true;
		}
	}
	/* The data's layout depends on the kind, which may come after it. */
	if (has_data && strcmp(l->kind, "tun") == 0)
		return link_tun_data(&data, l);
	return DL_E_OK;
}

int
nl_parse_link(const uint8_t *msg, size_t len, struct nl_link *out)
{
	struct ifinfomsg ifi;
	struct rcur c;
	struct nl_link l;
	int rc;

	rc = msg_open(msg, len, RTM_NEWLINK, &ifi, sizeof(ifi), &c);
	if (rc < 0)
		return rc;
	if (ifi.ifi_index <= 0)
		return DL_E_FORMAT;
	memset(&l, 0, sizeof(l));
	l.ifindex = ifi.ifi_index;
	l.arphrd = ifi.ifi_type;
	l.up = (ifi.ifi_flags & IFF_UP) != 0;
	while (rcur_left(&c) > 0) {
		struct nl_attr a;
		rc = attr_next(&c, &a);
		if (rc < 0)
			return rc;
		if (a.type == IFLA_IFNAME)
			rc = attr_str(&a, l.name, sizeof(l.name));
		else if (a.type == IFLA_LINKINFO)
			rc = link_info(&a, &l);
		if (rc < 0)
			return rc;
	}
	if (l.name[0] == '\0')
		return DL_E_FORMAT;
	*out = l;
	return DL_E_OK;
}

/* ---- tunnel classification ----------------------------------------------------------- */

enum tunnel_kind
nl_tunnel_kind(const struct nl_link *l)
{
	static const struct {
		const char *kind;
		enum tunnel_kind k;
	} kinds[] = {
		{ "wireguard", TUNNEL_WIREGUARD },
		{ "ppp", TUNNEL_PPP },
		{ "xfrm", TUNNEL_IPSEC },
		{ "vti", TUNNEL_IPSEC },
		{ "vti6", TUNNEL_IPSEC },
		{ "ipip", TUNNEL_IP },
		{ "gre", TUNNEL_IP },
		{ "gretap", TUNNEL_IP },
		{ "sit", TUNNEL_IP },
		{ "ip6tnl", TUNNEL_IP },
		{ "ip6gre", TUNNEL_IP },
		{ "ip6gretap", TUNNEL_IP },
	};
	/* Prefixes of the names VPN software gives its interfaces; "nordlynx" is a whole name. */
	static const char *const names[] = {
		"tun", "tap", "wg", "ppp", "utun", "ipsec", "tailscale", "proton", "mullvad", "zt",
	};

	if (strcmp(l->kind, "tun") == 0) {
		/* Kernels before 4.15 send no IFLA_TUN_TYPE; a TAP is an Ethernet device. */
		return l->tun_is_tap || l->arphrd == ARPHRD_ETHER ? TUNNEL_TAP : TUNNEL_TUN;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(l->kind, kinds[i].kind) == 0)
			return kinds[i].k;
	if (l->kind[0] != '\0')
		return TUNNEL_NONE; /* the kernel says what it is: veth, bridge, dummy, vxlan... */
	if (l->arphrd == ARPHRD_PPP)
		return TUNNEL_PPP;
	if (strcmp(l->name, "nordlynx") == 0)
		return TUNNEL_BY_NAME;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(l->name, names[i], strlen(names[i])) == 0)
			return TUNNEL_BY_NAME;
	return TUNNEL_NONE;
}

const char *
tunnel_kind_name(enum tunnel_kind k)
{
	switch (k) {
	case TUNNEL_NONE:
		return "none";
	case TUNNEL_TUN:
		return "tun";
	case TUNNEL_TAP:
		return "tap";
	case TUNNEL_WIREGUARD:
		return "wireguard";
	case TUNNEL_PPP:
		return "ppp";
	case TUNNEL_IPSEC:
		return "ipsec";
	case TUNNEL_IP:
		return "ip";
	case TUNNEL_BY_NAME:
		return "by-name";
	}
	return "unknown";
}

/* ---- I/O ------------------------------------------------------------------------------- */

/* A request: the netlink header, the family header and an attribute or two. */
union nl_req {
	struct nlmsghdr h;
	uint8_t b[256];
};

/*
 * Send req on a fresh socket and run every reply message through cb until the kernel says
 * done (NLMSG_DONE, or the ACK/error of a single request). Returns 0, -errno (the kernel's
 * error reply included), or what cb stored in *cb_rc (checked first: mnl_cb_run only says
 * MNL_CB_ERROR). The callers word the errors.
 */
static int
nl_talk(struct nlmsghdr *req, mnl_cb_t cb, void *data, const int *cb_rc)
{
	/* The kernel answers at once; a wait this long means something is wrong. */
	static const struct timeval timeout = { .tv_sec = NL_TIMEOUT_S };
	struct mnl_socket *nl = NULL;
	uint8_t *buf = NULL;
	int rc;

	buf = malloc(NL_RECV_MAX);
	if (buf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto out;
	}
	int fd = mnl_socket_get_fd(nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0 ||
	    mnl_socket_sendto(nl, req, req->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	uint32_t portid = mnl_socket_get_portid(nl);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, NL_RECV_MAX);
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		int r = mnl_cb_run(buf, (size_t)n, req->nlmsg_seq, portid, cb, data);
		if (r == MNL_CB_ERROR) {
			rc = *cb_rc < 0 ? *cb_rc : -errno;
			goto out;
		}
		if (r == MNL_CB_STOP)
			break;
	}
	rc = 0;
out:
	if (nl != NULL)
		mnl_socket_close(nl);
	free(buf);
	return rc;
}

struct route_get_ctx {
	int rc;
	bool got;
	struct nl_route r;
};

static int
route_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_get_ctx *ctx = data;
	int rc = nl_parse_route((const uint8_t *)nlh, nlh->nlmsg_len, &ctx->r);

	if (rc < 0) {
		ctx->rc = rc;
		return MNL_CB_ERROR;
	}
	ctx->got = true;
	return MNL_CB_OK;
}

int
nl_route_get(const struct dl_addr *dst, struct nl_route_info *out, char *err, size_t err_len)
{
	union nl_req req;
	struct route_get_ctx ctx;
	char text[ADDR_TEXT_MAX];

	memset(out, 0, sizeof(*out));
	if (dst->family != 4 && dst->family != 6) {
		snprintf(err, err_len, "route lookup: not an IPv4 or IPv6 address");
		return DL_E_FORMAT;
	}
	addr_fmt(dst, text);
	memset(&req, 0, sizeof(req));
	memset(&ctx, 0, sizeof(ctx));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req.b);
	nlh->nlmsg_type = RTM_GETROUTE;
	/* The ACK ends the exchange: a lone reply carries no NLMSG_DONE. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = dst->family == 4 ? AF_INET : AF_INET6;
	rtm->rtm_dst_len = dst->family == 4 ? 32 : 128;
	/* Without this flag an IPv4 answer names the main table whatever rule matched. */
	rtm->rtm_flags = RTM_F_LOOKUP_TABLE;
	mnl_attr_put(nlh, RTA_DST, dst->family == 4 ? 4 : 16, dst->a);

	int rc = nl_talk(nlh, route_get_cb, &ctx, &ctx.rc);
	switch (rc) {
	case 0:
		break;
	case -ENETUNREACH:
		out->type = RTN_UNSPEC;
		return DL_E_OK;
	case -EHOSTUNREACH:
		out->type = RTN_UNREACHABLE;
		return DL_E_OK;
	case -EACCES:
		out->type = RTN_PROHIBIT;
		return DL_E_OK;
	case -EINVAL:
		/* The kernel's word for a blackhole route (fib_props[RTN_BLACKHOLE].error). */
		out->type = RTN_BLACKHOLE;
		return DL_E_OK;
	default:
		snprintf(err, err_len, "route lookup for %s: %s", text, dl_strerror(rc));
		return rc;
	}
	if (!ctx.got) {
		snprintf(err, err_len, "route lookup for %s: no answer from the kernel", text);
		return DL_E_FORMAT;
	}
	const struct nl_route *r = &ctx.r;
	out->type = r->type;
	out->found = r->type != RTN_UNREACHABLE && r->type != RTN_BLACKHOLE &&
		     r->type != RTN_PROHIBIT && r->type != RTN_THROW;
	out->ifindex = r->oif;
	if (r->oif > 0 && if_indextoname((unsigned)r->oif, out->ifname) == NULL)
		out->ifname[0] = '\0'; /* gone since: the index still says which */
	out->has_gateway = r->has_gateway;
	out->gateway = r->gateway;
	out->has_prefsrc = r->has_prefsrc;
	out->prefsrc = r->prefsrc;
	out->table = r->table;
	return DL_E_OK;
}

/* Run a dump request, retrying when the kernel says a change interrupted it. */
static int
nl_dump(struct nlmsghdr *req, mnl_cb_t cb, void *data, int *cb_rc, size_t *n, const char *what,
	char *err, size_t err_len)
{
	int rc = 0;

	for (int tries = 0; tries < NL_DUMP_TRIES; tries++) {
		*n = 0;
		*cb_rc = 0;
		rc = nl_talk(req, cb, data, cb_rc);
		if (rc != -EINTR)
			break;
	}
	if (rc < 0)
		snprintf(err, err_len, "%s dump: %s", what, dl_strerror(rc));
	return rc;
}

struct dump_ctx {
	int rc;
	void *out;
	size_t max;
	size_t *n;
	uint8_t family; /* routes: 4 or 6 */
};

static int
link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;
	struct nl_link l;
	int rc = nl_parse_link((const uint8_t *)nlh, nlh->nlmsg_len, &l);

	if (rc < 0) {
		ctx->rc = rc;
		return MNL_CB_ERROR;
	}
	if (*ctx->n >= ctx->max) {
		ctx->rc = DL_E_FULL;
		return MNL_CB_ERROR;
	}
	((struct nl_link *)ctx->out)[(*ctx->n)++] = l;
	return MNL_CB_OK;
}

int
nl_links(struct nl_link *out, size_t max, size_t *n, char *err, size_t err_len)
{
	union nl_req req;
	struct dump_ctx ctx = { .out = out, .max = max, .n = n };

	memset(&req, 0, sizeof(req));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req.b);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;

	int rc = nl_dump(nlh, link_cb, &ctx, &ctx.rc, n, "link", err, err_len);
	if (rc == DL_E_FULL) {
		*n = max;
		snprintf(err, err_len, "more than %zu links", max);
	}
	return rc;
}

static int
route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;
	struct nl_route r;
	int rc = nl_parse_route((const uint8_t *)nlh, nlh->nlmsg_len, &r);

	if (rc < 0) {
		ctx->rc = rc;
		return MNL_CB_ERROR;
	}
	if (r.family != ctx->family || r.type != RTN_UNICAST || (r.flags & RTM_F_CLONED))
		return MNL_CB_OK;
	if (*ctx->n >= ctx->max) {
		ctx->rc = DL_E_FULL;
		return MNL_CB_ERROR;
	}
	((struct nl_route *)ctx->out)[(*ctx->n)++] = r;
	return MNL_CB_OK;
}

int
nl_routes(uint8_t family, struct nl_route *out, size_t max, size_t *n, char *err, size_t err_len)
{
	union nl_req req;
	struct dump_ctx ctx = { .out = out, .max = max, .n = n, .family = family };

	*n = 0;
	if (family != 4 && family != 6) {
		snprintf(err, err_len, "route dump: family must be 4 or 6");
		return DL_E_FORMAT;
	}
	memset(&req, 0, sizeof(req));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req.b);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family == 4 ? AF_INET : AF_INET6;
	rtm->rtm_table = RT_TABLE_UNSPEC; /* every table */

	int rc = nl_dump(nlh, route_cb, &ctx, &ctx.rc, n, "route", err, err_len);
	if (rc == DL_E_FULL) {
		*n = max;
		snprintf(err, err_len, "more than %zu routes", max);
	}
	return rc;
}
