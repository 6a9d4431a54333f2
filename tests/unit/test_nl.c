/* test_nl.c -- the rtnetlink message parsers and the tunnel classification, on crafted messages.
 *
 * Good messages are built with libmnl (as the kernel lays them out: host-endian, attributes
 * padded to 4 bytes); bad ones by writing attribute headers with lying lengths by hand. Every
 * good message is also cut at every length, once as is (nlmsg_len then runs past the bytes) and
 * once with nlmsg_len shortened to the cut: that one may only parse at an attribute boundary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <net/if.h>
#include <net/if_arp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>

#include "nl.h"

#include "expect.h"

#define MSG_MAX 1024

union msgbuf {
	struct nlmsghdr h; /* for the alignment */
	uint8_t b[MSG_MAX];
};

static const uint8_t v4_dst[4] = {198, 51, 100, 0};
static const uint8_t v4_gw[4] = {192, 0, 2, 1};
static const uint8_t v4_src[4] = {192, 0, 2, 10};
static const uint8_t v6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1};
static const uint8_t v6_gw[16] = {0xfe, 0x80, [15] = 1};
static const uint8_t v6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};

static struct nlmsghdr *
route_begin(union msgbuf *m, uint8_t family, uint8_t dst_len)
{
	memset(m, 0, sizeof(*m));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->b);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = 1;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_DHCP;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	return nlh;
}

static struct nlmsghdr *
link_begin(union msgbuf *m, int ifindex, uint16_t arphrd, unsigned flags)
{
	memset(m, 0, sizeof(*m));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->b);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_MULTI;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = arphrd;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	return nlh;
}

/* An attribute whose length field says nla_len, followed by n payload bytes (padded). */
static void
put_raw(struct nlmsghdr *nlh, uint16_t nla_len, uint16_t type, const void *payload, size_t n)
{
	uint8_t *p = (uint8_t *)nlh + nlh->nlmsg_len;

	memcpy(p, &nla_len, sizeof(nla_len));
	memcpy(p + 2, &type, sizeof(type));
	if (n > 0)
		memcpy(p + 4, payload, n);
	nlh->nlmsg_len += MNL_ALIGN(4 + n);
}

/* A multipath nexthop: struct rtnexthop, then a gateway attribute when gw is not NULL. */
static void
put_nexthop(struct nlmsghdr *nlh, int ifindex, const uint8_t *gw, size_t gw_len)
{
	struct rtnexthop *nh = (struct rtnexthop *)((uint8_t *)nlh + nlh->nlmsg_len);
	size_t start = nlh->nlmsg_len;

	memset(nh, 0, sizeof(*nh));
	nh->rtnh_ifindex = ifindex;
	nlh->nlmsg_len += (uint32_t)RTNH_ALIGN(sizeof(*nh));
	if (gw != NULL)
		mnl_attr_put(nlh, RTA_GATEWAY, gw_len, gw);
	nh->rtnh_len = (unsigned short)(nlh->nlmsg_len - start);
}

/* The full IPv4 route: every attribute the parser reads, RTA_DST first. */
static size_t
good_route_v4(union msgbuf *m)
{
	struct nlmsghdr *nlh = route_begin(m, AF_INET, 24);

	mnl_attr_put(nlh, RTA_DST, 4, v4_dst);
	mnl_attr_put_u32(nlh, RTA_TABLE, 1000);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	mnl_attr_put(nlh, RTA_GATEWAY, 4, v4_gw);
	mnl_attr_put(nlh, RTA_PREFSRC, 4, v4_src);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 600);
	mnl_attr_put_u8(nlh, 0x7ff, 0x42); /* unknown: skipped, with its 3 bytes of padding */
	return nlh->nlmsg_len;
}

static size_t
good_route_v6(union msgbuf *m)
{
	struct nlmsghdr *nlh = route_begin(m, AF_INET6, 48);

	mnl_attr_put(nlh, RTA_DST, 16, v6_dst);
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 1024);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	mnl_attr_put(nlh, RTA_GATEWAY, 16, v6_gw);
	mnl_attr_put(nlh, RTA_PREFSRC, 16, v6_src);
	return nlh->nlmsg_len;
}

/* A tun device in TAP mode; the kind and the tun data in one IFLA_LINKINFO, after the name. */
static size_t
good_link_tap(union msgbuf *m)
{
	struct nlmsghdr *nlh = link_begin(m, 12, ARPHRD_ETHER, IFF_UP | IFF_BROADCAST);

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap-vpn0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "tun");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u8(nlh, IFLA_TUN_PI, 0);
	mnl_attr_put_u8(nlh, IFLA_TUN_TYPE, IFF_TAP);
	mnl_attr_put_u8(nlh, IFLA_TUN_PERSIST, 1);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, 500);
	return nlh->nlmsg_len;
}

static bool
addr_is(const struct dl_addr *a, uint8_t family, const uint8_t *bytes)
{
	return a->family == family && memcmp(a->a, bytes, family == 4 ? 4 : 16) == 0;
}

static void
test_route_v4(void **state)
{
	(void)state;
	union msgbuf m;
	struct nl_route r;
	size_t len = good_route_v4(&m);

	assert_int_equal(nl_parse_route(m.b, len, &r), DL_E_OK);
	EXPECT(r.family == 4, "family %u", r.family);
	EXPECT(addr_is(&r.dst, 4, v4_dst), "dst");
	EXPECT(r.dst_len == 24, "dst_len %u", r.dst_len);
	EXPECT(r.oif == 7, "oif %d", r.oif);
	EXPECT(r.has_gateway && addr_is(&r.gateway, 4, v4_gw), "gateway");
	EXPECT(r.has_prefsrc && addr_is(&r.prefsrc, 4, v4_src), "prefsrc");
	EXPECT(r.table == 1000, "RTA_TABLE beats rtm_table: %u", r.table);
	EXPECT(r.metric == 600, "metric %u", r.metric);
	EXPECT(r.type == RTN_UNICAST, "type %u", r.type);
	EXPECT(r.protocol == RTPROT_DHCP, "protocol %u", r.protocol);
	EXPECT(r.flags == 0 && !r.is_multipath, "flags %u", r.flags);

	/* Bytes after nlmsg_len (the next message of a batch) are not read. */
	m.b[len] = 0xff;
	assert_int_equal(nl_parse_route(m.b, len + 8, &r), DL_E_OK);
	EXPECT(r.oif == 7, "with trailing bytes: oif %d", r.oif);
	EXPECT_NONE();
}

static void
test_route_v6(void **state)
{
	(void)state;
	union msgbuf m;
	struct nl_route r;
	size_t len = good_route_v6(&m);

	assert_int_equal(nl_parse_route(m.b, len, &r), DL_E_OK);
	EXPECT(r.family == 6 && addr_is(&r.dst, 6, v6_dst) && r.dst_len == 48, "dst");
	EXPECT(r.oif == 3, "oif %d", r.oif);
	EXPECT(r.has_gateway && addr_is(&r.gateway, 6, v6_gw), "gateway");
	EXPECT(r.has_prefsrc && addr_is(&r.prefsrc, 6, v6_src), "prefsrc");
	EXPECT(r.table == RT_TABLE_MAIN && r.metric == 1024, "table %u metric %u", r.table,
	       r.metric);
	EXPECT_NONE();
}

/* A default route with no attributes but the table; rtm_table alone without RTA_TABLE. */
static void
test_route_minimal(void **state)
{
	(void)state;
	union msgbuf m;
	struct nl_route r;
	struct nlmsghdr *nlh = route_begin(&m, AF_INET, 0);
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	rtm->rtm_table = 100;
	rtm->rtm_type = RTN_BLACKHOLE;
	rtm->rtm_flags = RTM_F_CLONED;
	assert_int_equal(nl_parse_route(m.b, nlh->nlmsg_len, &r), DL_E_OK);
	EXPECT(r.dst_len == 0 && r.dst.family == 4, "default route");
	EXPECT(r.table == 100, "table from rtm_table: %u", r.table);
	EXPECT(r.type == RTN_BLACKHOLE && r.flags == RTM_F_CLONED, "type %u flags %u", r.type,
	       r.flags);
	EXPECT(!r.has_gateway && !r.has_prefsrc && r.oif == 0, "nothing else");
	EXPECT_NONE();
}

/* RFC 5549: an IPv4 route via an IPv6 neighbour (RTA_VIA); MPLS vias are no IP gateway. */
static void
test_route_via(void **state)
{
	(void)state;
	union msgbuf m;
	struct nl_route r;
	uint8_t via[18];
	uint16_t fam = AF_INET6;

	memcpy(via, &fam, 2);
	memcpy(via + 2, v6_gw, 16);
	struct nlmsghdr *nlh = route_begin(&m, AF_INET, 0);
	mnl_attr_put_u32(nlh, RTA_OIF, 4);
	mnl_attr_put(nlh, RTA_VIA, sizeof(via), via);
	assert_int_equal(nl_parse_route(m.b, nlh->nlmsg_len, &r), DL_E_OK);
	EXPECT(r.has_gateway && addr_is(&r.gateway, 6, v6_gw), "IPv6 gateway of an IPv4 route");

	fam = AF_INET;
	memcpy(via, &fam, 2);
	memcpy(via + 2, v4_gw, 4);
	nlh = route_begin(&m, AF_INET6, 0);
	mnl_attr_put(nlh, RTA_VIA, 6, via);
	assert_int_equal(nl_parse_route(m.b, nlh->nlmsg_len, &r), DL_E_OK);
	EXPECT(r.has_gateway && addr_is(&r.gateway, 4, v4_gw), "IPv4 gateway of an IPv6 route");

	fam = AF_PACKET;
	memcpy(via, &fam, 2);
	nlh = route_begin(&m, AF_INET, 0);
	mnl_attr_put(nlh, RTA_VIA, 8, via);
	assert_int_equal(nl_parse_route(m.b, nlh->nlmsg_len, &r), DL_E_OK);
	EXPECT(!r.has_gateway, "link-layer via: no IP gateway");
	EXPECT_NONE();
}

static void
test_route_multipath(void **state)
{
	(void)state;
	union msgbuf m;
	struct nl_route r;
	static const uint8_t gw2[4] = {192, 0, 2, 2};

	struct nlmsghdr *nlh = route_begin(&m, AF_INET, 0);
	mnl_attr_put_u32(nlh, RTA_TABLE, 254);
	struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	put_nexthop(nlh, 5, v4_gw, 4);
	put_nexthop(nlh, 6, gw2, 4);
	mnl_attr_nest_end(nlh, mp);
	assert_int_equal(nl_parse_route(m.b, nlh->nlmsg_len, &r), DL_E_OK);
	EXPECT(r.is_multipath, "multipath");
	EXPECT(r.oif == 5 && r.has_gateway && addr_is(&r.gateway, 4, v4_gw), "first nexthop");

	/* A top-level RTA_OIF stays the way out. */
	nlh = route_begin(&m, AF_INET, 0);
	mnl_attr_put_u32(nlh, RTA_OIF, 9);
	mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	put_nexthop(nlh, 5, NULL, 0);
	mnl_attr_nest_end(nlh, mp);
	assert_int_equal(nl_parse_route(m.b, nlh->nlmsg_len, &r), DL_E_OK);
	EXPECT(r.oif == 9 && !r.has_gateway, "RTA_OIF kept: oif %d", r.oif);
	EXPECT_NONE();
}

struct attr_case {
	const char *name;
	uint16_t nla_len; /* what the header says */
	uint16_t type;
	uint8_t payload[24];
	size_t n; /* bytes really there */
	int want;
};

/*
 * After a good RTA_OIF, one raw attribute in an IPv4 route, then (when it fits) a good
 * RTA_PRIORITY that an overrunning length swallows.
 */
static void
test_route_bad_attrs(void **state)
{
	(void)state;
	static const struct attr_case cases[] = {
	    {"dst of 3 bytes", 7, RTA_DST, {1, 2, 3}, 3, DL_E_FORMAT},
	    {"dst of 16 bytes in IPv4", 20, RTA_DST, {0}, 16, DL_E_FORMAT},
	    {"oif of 2 bytes", 6, RTA_OIF, {1, 0}, 2, DL_E_FORMAT},
	    {"oif of 8 bytes", 12, RTA_OIF, {1}, 8, DL_E_FORMAT},
	    {"oif above INT_MAX", 8, RTA_OIF, {0xff, 0xff, 0xff, 0xff}, 4, DL_E_FORMAT},
	    {"gateway of 5 bytes", 9, RTA_GATEWAY, {192, 0, 2, 1, 0}, 5, DL_E_FORMAT},
	    {"prefsrc empty", 4, RTA_PREFSRC, {0}, 0, DL_E_FORMAT},
	    {"table empty", 4, RTA_TABLE, {0}, 0, DL_E_FORMAT},
	    {"priority of 3 bytes", 7, RTA_PRIORITY, {1, 2, 3}, 3, DL_E_FORMAT},
	    {"via of 1 byte", 5, RTA_VIA, {AF_INET}, 1, DL_E_FORMAT},
	    {"via inet6 with 4 bytes", 10, RTA_VIA, {AF_INET6, 0, 1, 2, 3, 4}, 6, DL_E_FORMAT},
	    {"multipath empty", 4, RTA_MULTIPATH, {0}, 0, DL_E_FORMAT},
	    {"nexthop shorter than its header", 12, RTA_MULTIPATH, {4, 0}, 8, DL_E_FORMAT},
	    {"nexthop longer than the attribute", 12, RTA_MULTIPATH, {16, 0}, 8, DL_E_TRUNC},
	    {"nexthop cut", 8, RTA_MULTIPATH, {8, 0}, 4, DL_E_TRUNC},
	    {"nexthop gateway of 2 bytes",
	     18,
	     RTA_MULTIPATH,
	     {14, 0, 0, 0, 1, 0, 0, 0, 6, 0, RTA_GATEWAY, 0, 1, 2},
	     14,
	     DL_E_FORMAT},
	    {"nexthop attribute past the nexthop",
	     20,
	     RTA_MULTIPATH,
	     {12, 0, 0, 0, 1, 0, 0, 0, 8, 0, RTA_GATEWAY, 0, 1, 2, 3, 4},
	     16,
	     DL_E_TRUNC},
	    {"nexthop negative ifindex", 12, RTA_MULTIPATH, {8, 0, 0, 0, 0, 0, 0, 0x80}, 8,
	     DL_E_FORMAT},
	    {"length 0", 0, RTA_OIF, {0}, 0, DL_E_FORMAT},
	    {"length 3", 3, RTA_OIF, {0}, 0, DL_E_FORMAT},
	    {"length past the end", 200, 0x7ff, {0}, 4, DL_E_TRUNC},
	    {"length one past the swallowed attribute", 17, 0x7ff, {0}, 4, DL_E_TRUNC},
	    {"unknown type, odd length", 7, 0x7ff, {1, 2, 3}, 3, DL_E_OK},
	    {"unknown type, empty", 4, 0x7fe, {0}, 0, DL_E_OK},
	    {"nested flag on a known type", 8, RTA_OIF | NLA_F_NESTED, {2}, 4, DL_E_OK},
	    {"good via", 10, RTA_VIA, {AF_INET, 0, 192, 0, 2, 1}, 6, DL_E_OK},
	    {"length swallowing the next attribute", 16, 0x7ff, {0}, 4, DL_E_OK},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct attr_case *c = &cases[i];
		union msgbuf m;
		struct nl_route r;
		struct nl_route before;
		struct nlmsghdr *nlh = route_begin(&m, AF_INET, 0);

		mnl_attr_put_u32(nlh, RTA_OIF, 1);
		put_raw(nlh, c->nla_len, c->type, c->payload, c->n);
		mnl_attr_put_u32(nlh, RTA_PRIORITY, 77);
		memset(&r, 0x5a, sizeof(r));
		before = r;
		int rc = nl_parse_route(m.b, nlh->nlmsg_len, &r);
		EXPECT(rc == c->want, "%s: %d, want %d", c->name, rc, c->want);
		if (rc != DL_E_OK)
			EXPECT(memcmp(&r, &before, sizeof(r)) == 0, "%s: out touched", c->name);
		else if (c->nla_len == 16)
			EXPECT(r.metric == 0, "%s: the swallowed priority was read", c->name);
		else
			EXPECT(r.metric == 77, "%s: walk went on: metric %u", c->name, r.metric);
	}
	EXPECT_NONE();
}

struct hdr_case {
	const char *name;
	size_t off;    /* in the good IPv4 route */
	size_t size;   /* 1, 2 or 4 bytes, host order */
	uint32_t value;
	int len_delta; /* added to the length passed */
	int want;
};

static void
test_route_bad_header(void **state)
{
	(void)state;
	const size_t rtm = NLMSG_HDRLEN;
	const struct hdr_case cases[] = {
	    {"nlmsg_len 0", offsetof(struct nlmsghdr, nlmsg_len), 4, 0, 0, DL_E_FORMAT},
	    {"nlmsg_len 15", offsetof(struct nlmsghdr, nlmsg_len), 4, 15, 0, DL_E_FORMAT},
	    {"nlmsg_len past len", offsetof(struct nlmsghdr, nlmsg_len), 4, 1000, 0, DL_E_TRUNC},
	    {"nlmsg_len one past len", 0, 0, 0, -1, DL_E_TRUNC},
	    {"nlmsg_len = header only", offsetof(struct nlmsghdr, nlmsg_len), 4, 16, 0,
	     DL_E_TRUNC},
	    {"rtmsg cut", offsetof(struct nlmsghdr, nlmsg_len), 4, 16 + 8, 0, DL_E_TRUNC},
	    {"RTM_NEWLINK", offsetof(struct nlmsghdr, nlmsg_type), 2, RTM_NEWLINK, 0, DL_E_FORMAT},
	    {"RTM_DELROUTE", offsetof(struct nlmsghdr, nlmsg_type), 2, RTM_DELROUTE, 0,
	     DL_E_FORMAT},
	    {"NLMSG_ERROR", offsetof(struct nlmsghdr, nlmsg_type), 2, NLMSG_ERROR, 0,
	     DL_E_FORMAT},
	    {"NLMSG_DONE", offsetof(struct nlmsghdr, nlmsg_type), 2, NLMSG_DONE, 0, DL_E_FORMAT},
	    {"family unspec", rtm + offsetof(struct rtmsg, rtm_family), 1, AF_UNSPEC, 0,
	     DL_E_FORMAT},
	    {"family mpls", rtm + offsetof(struct rtmsg, rtm_family), 1, AF_MPLS, 0, DL_E_FORMAT},
	    {"family inet6 with 4-byte addresses", rtm + offsetof(struct rtmsg, rtm_family), 1,
	     AF_INET6, 0, DL_E_FORMAT},
	    {"dst_len 33", rtm + offsetof(struct rtmsg, rtm_dst_len), 1, 33, 0, DL_E_FORMAT},
	    {"dst_len 255", rtm + offsetof(struct rtmsg, rtm_dst_len), 1, 255, 0, DL_E_FORMAT},
	    {"dst_len 32", rtm + offsetof(struct rtmsg, rtm_dst_len), 1, 32, 0, DL_E_OK},
	    {"a byte past nlmsg_len", 0, 0, 0, 1, DL_E_OK},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hdr_case *c = &cases[i];
		union msgbuf m;
		struct nl_route r;
		size_t len = good_route_v4(&m);
		uint8_t v8 = (uint8_t)c->value;
		uint16_t v16 = (uint16_t)c->value;

		if (c->size == 1)
			memcpy(m.b + c->off, &v8, 1);
		else if (c->size == 2)
			memcpy(m.b + c->off, &v16, 2);
		else if (c->size == 4)
			memcpy(m.b + c->off, &c->value, 4);
		int rc = nl_parse_route(m.b, (size_t)((long)len + c->len_delta), &r);
		EXPECT(rc == c->want, "%s: %d, want %d", c->name, rc, c->want);
	}

	/* Leftover bytes inside nlmsg_len that are no attribute: 1 to 3, then a header's worth. */
	for (uint32_t extra = 1; extra <= 4; extra++) {
		union msgbuf m;
		struct nl_route r;
		size_t len = good_route_v4(&m);
		m.h.nlmsg_len += extra;
		int rc = nl_parse_route(m.b, len + extra, &r);
		int want = extra < 4 ? DL_E_TRUNC : DL_E_FORMAT; /* 4 zero bytes: nla_len 0 */
		EXPECT(rc == want, "%u stray bytes: %d", extra, rc);
	}

	/* A prefix without its address; a message too short for even a netlink header. */
	union msgbuf m;
	struct nl_route r;
	struct nlmsghdr *nlh = route_begin(&m, AF_INET, 24);
	mnl_attr_put_u32(nlh, RTA_OIF, 1);
	EXPECT(nl_parse_route(m.b, nlh->nlmsg_len, &r) == DL_E_FORMAT, "/24 without RTA_DST");
	EXPECT(nl_parse_route(m.b, 0, &r) == DL_E_TRUNC, "empty");
	EXPECT(nl_parse_route(m.b, 15, &r) == DL_E_TRUNC, "15 bytes");
	EXPECT_NONE();
}

/* Offsets where a top-level attribute ends, padded or not: the only places a cut may parse. */
static size_t
attr_ends(const uint8_t *msg, size_t len, size_t fam_len, size_t *ends, size_t max)
{
	size_t off = NLMSG_HDRLEN + fam_len;
	size_t n = 0;

	while (off + 4 <= len && n + 2 <= max) {
		uint16_t nla_len;
		memcpy(&nla_len, msg + off, 2);
		ends[n++] = off + nla_len;
		ends[n++] = off + MNL_ALIGN(nla_len);
		off += MNL_ALIGN(nla_len);
	}
	return n;
}

static bool
in(size_t v, const size_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

typedef size_t good_fn(union msgbuf *m);

/*
 * Every prefix of a good message is rejected; with nlmsg_len set to the cut, only a cut at an
 * attribute boundary parses (the first attribute -- RTA_DST, IFLA_IFNAME -- is required).
 */
static void
check_truncations(const char *name, good_fn *good, bool is_route, size_t fam_len)
{
	union msgbuf m;
	size_t len = good(&m);
	size_t ends[64];
	size_t n_ends = attr_ends(m.b, len, fam_len, ends, 64);

	for (size_t cut = 0; cut < len; cut++) {
		union msgbuf t;
		struct nl_route r;
		struct nl_link l;
		memcpy(t.b, m.b, len);
		int rc = is_route ? nl_parse_route(t.b, cut, &r) : nl_parse_link(t.b, cut, &l);
		EXPECT(rc != DL_E_OK, "%s: prefix %zu accepted", name, cut);
		if (cut < NLMSG_HDRLEN)
			continue;
		t.h.nlmsg_len = (uint32_t)cut;
		rc = is_route ? nl_parse_route(t.b, cut, &r) : nl_parse_link(t.b, cut, &l);
		bool boundary = in(cut, ends, n_ends) && cut > NLMSG_HDRLEN + fam_len;
		EXPECT((rc == DL_E_OK) == boundary, "%s: cut at %zu with nlmsg_len fixed: %d", name,
		       cut, rc);
	}
}

static void
test_truncations(void **state)
{
	(void)state;
	check_truncations("route v4", good_route_v4, true, sizeof(struct rtmsg));
	check_truncations("route v6", good_route_v6, true, sizeof(struct rtmsg));
	check_truncations("link tap", good_link_tap, false, sizeof(struct ifinfomsg));
	EXPECT_NONE();
}

static void
test_link(void **state)
{
	(void)state;
	union msgbuf m;
	struct nl_link l;
	size_t len = good_link_tap(&m);

	assert_int_equal(nl_parse_link(m.b, len, &l), DL_E_OK);
	EXPECT(l.ifindex == 12, "ifindex %d", l.ifindex);
	EXPECT(strcmp(l.name, "tap-vpn0") == 0, "name %s", l.name);
	EXPECT(strcmp(l.kind, "tun") == 0, "kind %s", l.kind);
	EXPECT(l.arphrd == ARPHRD_ETHER && l.up && l.tun_is_tap, "arphrd %u up %d tap %d",
	       l.arphrd, l.up, l.tun_is_tap);

	/* A wireguard link that is down; no IFLA_INFO_DATA. */
	struct nlmsghdr *nlh = link_begin(&m, 3, ARPHRD_NONE, IFF_POINTOPOINT | IFF_NOARP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "wg0");
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "wireguard");
	mnl_attr_nest_end(nlh, info);
	assert_int_equal(nl_parse_link(m.b, nlh->nlmsg_len, &l), DL_E_OK);
	EXPECT(l.ifindex == 3 && strcmp(l.name, "wg0") == 0 && strcmp(l.kind, "wireguard") == 0,
	       "wireguard: %d %s %s", l.ifindex, l.name, l.kind);
	EXPECT(l.arphrd == ARPHRD_NONE && !l.up && !l.tun_is_tap, "wireguard flags");

	/* tun in TUN mode, the data before the kind; a 15-character name (the most that fits). */
	nlh = link_begin(&m, 4, ARPHRD_NONE, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tun-fifteen-ch0");
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u8(nlh, IFLA_TUN_TYPE, IFF_TUN);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "tun");
	mnl_attr_nest_end(nlh, info);
	assert_int_equal(nl_parse_link(m.b, nlh->nlmsg_len, &l), DL_E_OK);
	EXPECT(strcmp(l.name, "tun-fifteen-ch0") == 0 && !l.tun_is_tap && l.up, "tun: %s",
	       l.name);

	/* No IFLA_LINKINFO at all (loopback, most physical NICs): kind "". */
	nlh = link_begin(&m, 1, ARPHRD_LOOPBACK, IFF_UP | IFF_LOOPBACK);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "lo");
	assert_int_equal(nl_parse_link(m.b, nlh->nlmsg_len, &l), DL_E_OK);
	EXPECT(strcmp(l.name, "lo") == 0 && l.kind[0] == '\0', "lo: kind \"%s\"", l.kind);
	EXPECT_NONE();
}

static void
test_link_bad(void **state)
{
	(void)state;
	static const struct attr_case names[] = {
	    {"name without NUL", 7, IFLA_IFNAME, {'e', 't', 'h'}, 3, DL_E_FORMAT},
	    {"name empty payload", 4, IFLA_IFNAME, {0}, 0, DL_E_FORMAT},
	    {"name \"\"", 5, IFLA_IFNAME, {0}, 1, DL_E_FORMAT},
	    {"name of 16 characters",
	     21,
	     IFLA_IFNAME,
	     {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p'},
	     17,
	     DL_E_TOOLONG},
	    {"name running past the end", 40, IFLA_IFNAME, {'x', 0}, 2, DL_E_TRUNC},
	    {"name with NUL early", 8, IFLA_IFNAME, {'e', 0, 'z', 'z'}, 4, DL_E_OK},
	    {"linkinfo: kind without NUL", 12, IFLA_LINKINFO, {7, 0, IFLA_INFO_KIND, 0, 't', 'u', 'n'},
	     7, DL_E_FORMAT},
	    {"linkinfo: kind past linkinfo", 12, IFLA_LINKINFO, {12, 0, IFLA_INFO_KIND, 0, 't', 0},
	     8, DL_E_TRUNC},
	    {"linkinfo: attribute of length 2", 8, IFLA_LINKINFO, {2, 0, IFLA_INFO_KIND, 0}, 4,
	     DL_E_FORMAT},
	    {"linkinfo: stray 2 bytes", 6, IFLA_LINKINFO, {0, 0}, 2, DL_E_TRUNC},
	    {"tun data: type of 4 bytes",
	     24,
	     IFLA_LINKINFO,
	     {8, 0, IFLA_INFO_KIND, 0, 't', 'u', 'n', 0, 12, 0, IFLA_INFO_DATA, 0, 8, 0,
	      IFLA_TUN_TYPE, 0, 2, 0, 0, 0},
	     20,
	     DL_E_FORMAT},
	    {"tun data: attribute past the data",
	     24,
	     IFLA_LINKINFO,
	     {8, 0, IFLA_INFO_KIND, 0, 't', 'u', 'n', 0, 12, 0, IFLA_INFO_DATA, 0, 12, 0,
	      IFLA_TUN_TYPE, 0, 2, 0, 0, 0},
	     20,
	     DL_E_TRUNC},
	    {"veth data is not read",
	     24,
	     IFLA_LINKINFO,
	     {9, 0, IFLA_INFO_KIND, 0, 'v', 'e', 't', 'h', 0, 0, 0, 0, 8, 0, IFLA_INFO_DATA, 0,
	      99, 0, 1, 0},
	     20,
	     DL_E_OK},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct attr_case *c = &names[i];
		union msgbuf m;
		struct nl_link l;
		struct nl_link before;
		struct nlmsghdr *nlh = link_begin(&m, 2, ARPHRD_ETHER, 0);

		if (c->type != IFLA_IFNAME)
			mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
		put_raw(nlh, c->nla_len, c->type, c->payload, c->n);
		memset(&l, 0x5a, sizeof(l));
		before = l;
		int rc = nl_parse_link(m.b, nlh->nlmsg_len, &l);
		EXPECT(rc == c->want, "%s: %d, want %d", c->name, rc, c->want);
		if (rc != DL_E_OK)
			EXPECT(memcmp(&l, &before, sizeof(l)) == 0, "%s: out touched", c->name);
	}

	/* A kind one longer than fits, built properly. */
	union msgbuf m;
	struct nl_link l;
	char kind[NL_KIND_MAX + 1];
	memset(kind, 'k', NL_KIND_MAX);
	kind[NL_KIND_MAX] = '\0';
	struct nlmsghdr *nlh = link_begin(&m, 2, ARPHRD_ETHER, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, info);
	EXPECT(nl_parse_link(m.b, nlh->nlmsg_len, &l) == DL_E_TOOLONG, "kind of %d", NL_KIND_MAX);
	kind[NL_KIND_MAX - 1] = '\0';
	nlh = link_begin(&m, 2, ARPHRD_ETHER, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, info);
	EXPECT(nl_parse_link(m.b, nlh->nlmsg_len, &l) == DL_E_OK, "kind of %d", NL_KIND_MAX - 1);

	/* No name; ifindex 0 or negative; a route message; a cut ifinfomsg. */
	nlh = link_begin(&m, 2, ARPHRD_ETHER, 0);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	EXPECT(nl_parse_link(m.b, nlh->nlmsg_len, &l) == DL_E_FORMAT, "no IFLA_IFNAME");
	for (int idx = -1; idx <= 0; idx++) {
		nlh = link_begin(&m, idx, ARPHRD_ETHER, 0);
		mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
		EXPECT(nl_parse_link(m.b, nlh->nlmsg_len, &l) == DL_E_FORMAT, "ifindex %d", idx);
	}
	size_t len = good_route_v4(&m);
	EXPECT(nl_parse_link(m.b, len, &l) == DL_E_FORMAT, "a route is no link");
	len = good_link_tap(&m);
	struct nl_route r;
	EXPECT(nl_parse_route(m.b, len, &r) == DL_E_FORMAT, "a link is no route");
	m.h.nlmsg_len = NLMSG_HDRLEN + 12;
	EXPECT(nl_parse_link(m.b, len, &l) == DL_E_TRUNC, "ifinfomsg cut");
	EXPECT_NONE();
}

struct kind_case {
	const char *kind;
	uint16_t arphrd;
	const char *name;
	bool tap;
	enum tunnel_kind want;
};

static void
test_tunnel_kind(void **state)
{
	(void)state;
	static const struct kind_case cases[] = {
	    {"tun", ARPHRD_NONE, "tun0", false, TUNNEL_TUN},
	    {"tun", ARPHRD_NONE, "anything", false, TUNNEL_TUN},
	    {"tun", ARPHRD_ETHER, "tap0", true, TUNNEL_TAP},
	    {"tun", ARPHRD_ETHER, "tap0", false, TUNNEL_TAP}, /* pre-4.15: no IFLA_TUN_TYPE */
	    {"wireguard", ARPHRD_NONE, "office", false, TUNNEL_WIREGUARD},
	    {"ppp", ARPHRD_PPP, "ppp0", false, TUNNEL_PPP},
	    {"", ARPHRD_PPP, "dsl", false, TUNNEL_PPP},
	    {"xfrm", ARPHRD_NONE, "ipsec0", false, TUNNEL_IPSEC},
	    {"vti", ARPHRD_TUNNEL, "vti0", false, TUNNEL_IPSEC},
	    {"vti6", ARPHRD_TUNNEL6, "ip6_vti0", false, TUNNEL_IPSEC},
	    {"ipip", ARPHRD_TUNNEL, "tunl0", false, TUNNEL_IP},
	    {"gre", ARPHRD_IPGRE, "gre1", false, TUNNEL_IP},
	    {"gretap", ARPHRD_ETHER, "gretap1", false, TUNNEL_IP},
	    {"sit", ARPHRD_SIT, "sit1", false, TUNNEL_IP},
	    {"ip6tnl", ARPHRD_TUNNEL6, "ip6tnl1", false, TUNNEL_IP},
	    {"ip6gre", 823 /* ARPHRD_IP6GRE */, "ip6gre1", false, TUNNEL_IP},
	    {"veth", ARPHRD_ETHER, "veth0", false, TUNNEL_NONE},
	    {"veth", ARPHRD_ETHER, "wg-looking0", false, TUNNEL_NONE}, /* kind wins over name */
	    {"bridge", ARPHRD_ETHER, "tun-bridge", false, TUNNEL_NONE},
	    {"dummy", ARPHRD_ETHER, "dummy0", false, TUNNEL_NONE},
	    {"vxlan", ARPHRD_ETHER, "vxlan0", false, TUNNEL_NONE},
	    {"", ARPHRD_LOOPBACK, "lo", false, TUNNEL_NONE},
	    {"", ARPHRD_ETHER, "eth0", false, TUNNEL_NONE},
	    {"", ARPHRD_NONE, "wwan0", false, TUNNEL_NONE}, /* raw-IP modem: not by type alone */
	    {"", ARPHRD_NONE, "tun3", false, TUNNEL_BY_NAME},
	    {"", ARPHRD_ETHER, "tap1", false, TUNNEL_BY_NAME},
	    {"", ARPHRD_NONE, "wg0", false, TUNNEL_BY_NAME},
	    {"", ARPHRD_ETHER, "ppp9", false, TUNNEL_BY_NAME},
	    {"", ARPHRD_NONE, "utun2", false, TUNNEL_BY_NAME},
	    {"", ARPHRD_NONE, "ipsec0", false, TUNNEL_BY_NAME},
	    {"", ARPHRD_NONE, "tailscale0", false, TUNNEL_BY_NAME},
	    {"", ARPHRD_NONE, "nordlynx", false, TUNNEL_BY_NAME},
	    {"", ARPHRD_NONE, "nordlynx2", false, TUNNEL_NONE}, /* a whole name, not a prefix */
	    {"", ARPHRD_NONE, "proton0", false, TUNNEL_BY_NAME},
	    {"", ARPHRD_NONE, "mullvad-se1", false, TUNNEL_BY_NAME},
	    {"", ARPHRD_ETHER, "ztabcdef12", false, TUNNEL_BY_NAME},
	    {"", ARPHRD_ETHER, "enp0s3", false, TUNNEL_NONE},
	    {"", ARPHRD_ETHER, "", false, TUNNEL_NONE},
	    {"", ARPHRD_ETHER, "w", false, TUNNEL_NONE},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct kind_case *c = &cases[i];
		struct nl_link l;

		memset(&l, 0, sizeof(l));
		snprintf(l.kind, sizeof(l.kind), "%s", c->kind);
		snprintf(l.name, sizeof(l.name), "%s", c->name);
		l.arphrd = c->arphrd;
		l.tun_is_tap = c->tap;
		enum tunnel_kind k = nl_tunnel_kind(&l);
		EXPECT(k == c->want, "kind \"%s\" arphrd %u name %s: %s, want %s", c->kind, c->arphrd,
		       c->name, tunnel_kind_name(k), tunnel_kind_name(c->want));
	}
	EXPECT_NONE();
}

static void
test_tunnel_kind_name(void **state)
{
	(void)state;
	const char *seen[TUNNEL_BY_NAME + 1];

	for (int k = TUNNEL_NONE; k <= TUNNEL_BY_NAME; k++) {
		seen[k] = tunnel_kind_name((enum tunnel_kind)k);
		EXPECT(seen[k] != NULL && strcmp(seen[k], "unknown") != 0, "kind %d has a name", k);
		for (int j = 0; j < k; j++)
			EXPECT(strcmp(seen[j], seen[k]) != 0, "kinds %d and %d share %s", j, k,
			       seen[k]);
	}
	EXPECT(strcmp(tunnel_kind_name(TUNNEL_WIREGUARD), "wireguard") == 0, "wireguard");
	EXPECT(strcmp(tunnel_kind_name(TUNNEL_TUN), "tun") == 0, "tun");
	EXPECT(strcmp(tunnel_kind_name((enum tunnel_kind)99), "unknown") == 0, "out of range");
	EXPECT_NONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_route_v4),          TEST(test_route_v6),       TEST(test_route_minimal),
	    TEST(test_route_via),         TEST(test_route_multipath), TEST(test_route_bad_attrs),
	    TEST(test_route_bad_header),  TEST(test_truncations),    TEST(test_link),
	    TEST(test_link_bad),          TEST(test_tunnel_kind),    TEST(test_tunnel_kind_name),
	};

	return cmocka_run_group_tests_name("nl", tests, NULL, NULL);
}
