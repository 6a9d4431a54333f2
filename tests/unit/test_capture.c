/* test_capture.c -- the frame decoder of dnsleak watch, on crafted frames.
 *
 * A small builder writes DNS messages, UDP and TCP segments, IPv4 and IPv6 packets (options,
 * extension headers, fragments) and every link header cap_decode() knows. Each frame is decoded
 * from an exact-size heap copy, so ASan sees any read past its end. TCP reassembly is driven
 * segment by segment through one flow table: split in 2 and 3, out of order, retransmitted,
 * pipelined, larger than the window, cut by the snap length, and more flows than the table
 * holds. Every good frame is also decoded at every shorter length: it may then say nothing or
 * CAP_MALFORMED, or the same query, never another one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture.h"
#include "dnswire.h"

#include "expect.h"

/* ---- builder ---------------------------------------------------------------------------- */

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void
p8(struct buf *p, uint8_t v)
{
	assert_true(p->n < sizeof(p->b));
	p->b[p->n++] = v;
}

static void
p16(struct buf *p, uint16_t v)
{
	p8(p, (uint8_t)(v >> 8));
	p8(p, (uint8_t)v);
}

static void
p32(struct buf *p, uint32_t v)
{
	p16(p, (uint16_t)(v >> 16));
	p16(p, (uint16_t)v);
}

static void
pbytes(struct buf *p, const void *src, size_t n)
{
	assert_true(p->n + n <= sizeof(p->b));
	if (n > 0)
		memcpy(p->b + p->n, src, n);
	p->n += n;
}

static void
pzero(struct buf *p, size_t n)
{
	assert_true(p->n + n <= sizeof(p->b));
	memset(p->b + p->n, 0, n);
	p->n += n;
}

/* A dotted name as labels; no escapes: test names only. */
static void
pname(struct buf *p, const char *dotted)
{
	const char *s = dotted;

	while (*s != '\0') {
		size_t l = strcspn(s, ".");
		p8(p, (uint8_t)l);
		pbytes(p, s, l);
		s += l;
		if (*s == '.')
			s++;
	}
	p8(p, 0);
}

/* A query: header with qdcount questions claimed, one question written. */
static struct buf
query(uint16_t id, uint16_t flags, uint16_t qdcount, const char *name, uint16_t qtype)
{
	struct buf m = { .n = 0 };

	p16(&m, id);
	p16(&m, flags);
	p16(&m, qdcount);
	p16(&m, 0);
	p16(&m, 0);
	p16(&m, 0);
	pname(&m, name);
	p16(&m, qtype);
	p16(&m, DNS_CLASS_IN);
	return m;
}

static struct buf
simple_query(const char *name, uint16_t qtype)
{
	return query(0x4242, DNS_FLAG_RD, 1, name, qtype);
}

/* A query with an OPT record padded (RFC 7830) to `size` bytes in all. */
static struct buf
big_query(const char *name, size_t size)
{
	struct buf m = query(0x5151, DNS_FLAG_RD, 1, name, DNS_TYPE_A);

	m.b[11] = 1; /* arcount */
	size_t pad = size - m.n - 15;
	p8(&m, 0);
	p16(&m, DNS_TYPE_OPT);
	p16(&m, 1232);
	p32(&m, 0);
	p16(&m, (uint16_t)(pad + 4));
	p16(&m, 12);
	p16(&m, (uint16_t)pad);
	pzero(&m, pad);
	assert_int_equal(m.n, size);
	return m;
}

/* RFC 7766: the 2-byte length, then the message. */
static struct buf
framed(const struct buf *m)
{
	struct buf f = { .n = 0 };

	p16(&f, (uint16_t)m->n);
	pbytes(&f, m->b, m->n);
	return f;
}

static struct buf
udp(uint16_t sport, uint16_t dport, const uint8_t *data, size_t n)
{
	struct buf s = { .n = 0 };

	p16(&s, sport);
	p16(&s, dport);
	p16(&s, (uint16_t)(8 + n));
	p16(&s, 0);
	pbytes(&s, data, n);
	return s;
}

enum { SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, FIN = 0x01 };

static struct buf
tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags, const uint8_t *data, size_t n)
{
	struct buf s = { .n = 0 };

	p16(&s, sport);
	p16(&s, dport);
	p32(&s, seq);
	p32(&s, (flags & ACK) ? 1 : 0);
	p16(&s, (uint16_t)(8u << 12 | flags)); /* 32 bytes: 12 of options, as Linux sends */
	p16(&s, 65535);
	p16(&s, 0);
	p16(&s, 0);
	p8(&s, 1); /* NOP, NOP, timestamps */
	p8(&s, 1);
	p8(&s, 8);
	p8(&s, 10);
	p32(&s, 1);
	p32(&s, 0);
	pbytes(&s, data, n);
	return s;
}

enum { UDP = 17, TCP = 6 };

static const uint8_t v4_src[4] = { 192, 0, 2, 10 };
static const uint8_t v4_dst[4] = { 198, 51, 100, 53 };
static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 };

/* IPv4 with ihl_words (5: no options) and frag (flags | offset). */
static struct buf
ip4x(uint8_t proto, const struct buf *l4, unsigned ihl_words, uint16_t frag)
{
	struct buf p = { .n = 0 };

	p8(&p, (uint8_t)(0x40 | ihl_words));
	p8(&p, 0);
	p16(&p, (uint16_t)(ihl_words * 4 + l4->n));
	p16(&p, 0x1234);
	p16(&p, frag);
	p8(&p, 64);
	p8(&p, proto);
	p16(&p, 0);
	pbytes(&p, v4_src, 4);
	pbytes(&p, v4_dst, 4);
	for (unsigned i = 5; i < ihl_words; i++)
		p32(&p, 0x01010101); /* NOPs */
	pbytes(&p, l4->b, l4->n);
	return p;
}

static struct buf
ip4(uint8_t proto, const struct buf *l4)
{
	return ip4x(proto, l4, 5, 0x4000);
}

/* IPv6 with extension headers ext[] (their bytes; the first byte of each is patched with the
 * next header), first_nh the type of the first. */
static struct buf
ip6x(uint8_t proto, const struct buf *l4, uint8_t first_nh, const struct buf *ext,
     const uint8_t *ext_types, size_t n_ext)
{
	struct buf p = { .n = 0 };
	size_t ext_len = 0;

	for (size_t i = 0; i < n_ext; i++)
		ext_len += ext[i].n;
	p32(&p, 0x60000000);
	p16(&p, (uint16_t)(ext_len + l4->n));
	p8(&p, n_ext > 0 ? first_nh : proto);
	p8(&p, 64);
	pbytes(&p, v6_src, 16);
	pbytes(&p, v6_dst, 16);
	for (size_t i = 0; i < n_ext; i++) {
		size_t at = p.n;
		pbytes(&p, ext[i].b, ext[i].n);
		p.b[at] = i + 1 < n_ext ? ext_types[i + 1] : proto;
	}
	pbytes(&p, l4->b, l4->n);
	return p;
}

static struct buf
ip6(uint8_t proto, const struct buf *l4)
{
	return ip6x(proto, l4, 0, NULL, NULL, 0);
}

/* An 8-byte extension header: options (PadN), routing or fragment, by its bytes. */
static struct buf
ext8(uint8_t b2, uint8_t b3, uint8_t b4, uint8_t b5)
{
	struct buf e = { .n = 0 };

	p8(&e, 0); /* next header, patched */
	p8(&e, 0); /* length: (0 + 1) * 8 */
	p8(&e, b2);
	p8(&e, b3);
	p8(&e, b4);
	p8(&e, b5);
	p16(&e, 0);
	return e;
}

/* Wrap an IP packet in the link header of dlt. tag: an 802.1Q TPID for Ethernet, or 0. */
static struct buf
linkx(int dlt, const struct buf *ip, uint16_t tag)
{
	struct buf f = { .n = 0 };
	bool v6 = (ip->b[0] >> 4) == 6;
	uint16_t type = v6 ? 0x86dd : 0x0800;

	switch (dlt) {
	case DLT_EN10MB:
		pbytes(&f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
		if (tag != 0) {
			p16(&f, tag);
			p16(&f, 100);
		}
		p16(&f, type);
		break;
	case DLT_LINUX_SLL:
		p16(&f, 4); /* outgoing */
		p16(&f, 1); /* ARPHRD_ETHER */
		p16(&f, 6);
		pbytes(&f, "\x02\x00\x00\x00\x00\x01\x00\x00", 8);
		p16(&f, type);
		break;
	case DLT_LINUX_SLL2:
		p16(&f, type);
		p16(&f, 0);
		p32(&f, 2); /* ifindex */
		p16(&f, 1);
		p8(&f, 4);
		p8(&f, 6);
		pbytes(&f, "\x02\x00\x00\x00\x00\x01\x00\x00", 8);
		break;
	case DLT_NULL:
		p8(&f, v6 ? 10 : 2); /* AF_INET(6), little-endian host */
		p8(&f, 0);
		p8(&f, 0);
		p8(&f, 0);
		break;
	case DLT_LOOP:
		p32(&f, v6 ? 24 : 2);
		break;
	default: /* RAW, IPV4, IPV6 */
		break;
	}
	pbytes(&f, ip->b, ip->n);
	return f;
}

static struct buf
link(int dlt, const struct buf *ip)
{
	return linkx(dlt, ip, 0);
}

/* Common frames: Ethernet, IPv4 or IPv6, a query to 53 over UDP. */
static struct buf
udp_frame(int family, uint16_t sport, uint16_t dport, const struct buf *msg)
{
	struct buf u = udp(sport, dport, msg->b, msg->n);
	struct buf ip = family == 6 ? ip6(UDP, &u) : ip4(UDP, &u);

	return link(DLT_EN10MB, &ip);
}

static struct buf
tcp_frame(int family, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags,
	  const uint8_t *data, size_t n)
{
	struct buf t = tcp(sport, dport, seq, flags, data, n);
	struct buf ip = family == 6 ? ip6(TCP, &t) : ip4(TCP, &t);

	return link(DLT_EN10MB, &ip);
}

/* ---- decoding --------------------------------------------------------------------------- */

static uint64_t clock_ms = 1000;

/* Decode frame[0..n) from an exact-size heap copy. */
static enum cap_kind
decode_n(int dlt, const uint8_t *frame, size_t n, bool mdns, struct cap_flows *fl,
	 struct cap_event *e)
{
	uint8_t *copy = malloc(n > 0 ? n : 1);

	assert_non_null(copy);
	if (n > 0)
		memcpy(copy, frame, n);
	memset(e, 0xa5, sizeof(*e));
	cap_decode(dlt, copy, n, clock_ms++, mdns, fl, e);
	free(copy);
	return e->kind;
}

static enum cap_kind
decode(int dlt, const struct buf *f, struct cap_flows *fl, struct cap_event *e)
{
	return decode_n(dlt, f->b, f->n, false, fl, e);
}

/* Feed one segment and collect every event it yields (cap_decode, then cap_flows_next). */
struct events {
	struct cap_event e[8];
	size_t n;
};

static void
feed(struct cap_flows *fl, const struct buf *f, struct events *out)
{
	uint8_t *copy = malloc(f->n);
	struct cap_event e;

	assert_non_null(copy);
	memcpy(copy, f->b, f->n);
	out->n = 0;
	cap_decode(DLT_EN10MB, copy, f->n, clock_ms++, false, fl, &e);
	if (e.kind != CAP_NONE) {
		out->e[out->n++] = e;
		while (cap_flows_next(fl, &e)) {
			assert_true(out->n < 8);
			out->e[out->n++] = e;
		}
	} else {
		assert_false(cap_flows_next(fl, &e));
	}
	free(copy);
}

static bool
is_query(const struct cap_event *e, enum cap_kind kind, const char *qname, uint16_t qtype)
{
	return e->kind == kind && strcmp(e->qname, qname) == 0 && e->qtype == qtype;
}

/* ---- link layers ------------------------------------------------------------------------ */

static void
test_link_types(void **state)
{
	static const struct {
		const char *desc;
		int dlt;
		uint16_t tag;
		int family;
	} cases[] = {
		{ "Ethernet v4", DLT_EN10MB, 0, 4 },
		{ "Ethernet v6", DLT_EN10MB, 0, 6 },
		{ "Ethernet 802.1Q v4", DLT_EN10MB, 0x8100, 4 },
		{ "Ethernet 802.1Q v6", DLT_EN10MB, 0x8100, 6 },
		{ "Ethernet 802.1ad v4", DLT_EN10MB, 0x88a8, 4 },
		{ "SLL v4", DLT_LINUX_SLL, 0, 4 },
		{ "SLL v6", DLT_LINUX_SLL, 0, 6 },
		{ "SLL2 v4", DLT_LINUX_SLL2, 0, 4 },
		{ "SLL2 v6", DLT_LINUX_SLL2, 0, 6 },
		{ "RAW v4", DLT_RAW, 0, 4 },
		{ "RAW v6", DLT_RAW, 0, 6 },
		{ "IPV4", DLT_IPV4, 0, 4 },
		{ "IPV6", DLT_IPV6, 0, 6 },
		{ "NULL v4", DLT_NULL, 0, 4 },
		{ "NULL v6", DLT_NULL, 0, 6 },
		{ "LOOP v4", DLT_LOOP, 0, 4 },
		{ "LOOP v6", DLT_LOOP, 0, 6 },
	};
	struct buf m = query(0xbeef, DNS_FLAG_RD, 1, "www.example.com", DNS_TYPE_AAAA);
	struct buf u = udp(40000, 53, m.b, m.n);
	struct cap_event e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf ip = cases[i].family == 6 ? ip6(UDP, &u) : ip4(UDP, &u);
		struct buf f = linkx(cases[i].dlt, &ip, cases[i].tag);
		enum cap_kind k = decode(cases[i].dlt, &f, NULL, &e);
		EXPECT(cap_dlt_supported(cases[i].dlt), "%s: supported", cases[i].desc);
		EXPECT(is_query(&e, CAP_DNS, "www.example.com.", DNS_TYPE_AAAA),
		       "%s: kind %d qname %s", cases[i].desc, k, e.qname);
		EXPECT(e.id == 0xbeef && !e.is_tcp && e.src.port == 40000 && e.dst.port == 53,
		       "%s: id/ports", cases[i].desc);
		EXPECT(e.src.addr.family == cases[i].family &&
			       memcmp(e.dst.addr.a, cases[i].family == 6 ? v6_dst : v4_dst,
				      cases[i].family == 6 ? 16 : 4) == 0,
		       "%s: addresses", cases[i].desc);
	}

	/* The IP version must agree with the EtherType (and the DLT_IPV4/6 link type). */
	struct buf ip4p = ip4(UDP, &u);
	struct buf f = link(DLT_EN10MB, &ip4p);
	f.b[12] = 0x86;
	f.b[13] = 0xdd;
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "v4 packet as EtherType IPv6");
	f = link(DLT_IPV6, &ip4p);
	EXPECT(decode(DLT_IPV6, &f, NULL, &e) == CAP_NONE, "v4 packet under DLT_IPV6");
	f = link(DLT_EN10MB, &ip4p);
	f.b[12] = 0x08;
	f.b[13] = 0x06; /* ARP */
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "ARP");
	EXPECT(e.kind == CAP_NONE && e.qname[0] == '\0' && e.qtype == 0, "cleared event");
	f = link(DLT_RAW, &ip4p);
	f.b[0] = 0x55; /* version 5 */
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "IP version 5");
	/* A link type we do not decode. */
	f = link(DLT_RAW, &ip4p);
	EXPECT(!cap_dlt_supported(DLT_IEEE802_11), "802.11 not supported");
	EXPECT(decode(DLT_IEEE802_11, &f, NULL, &e) == CAP_NONE, "802.11: nothing");
	EXPECT(decode_n(DLT_EN10MB, NULL, 0, false, NULL, &e) == CAP_NONE, "empty frame");
	EXPECT_NONE();
}

static void
test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(cap_kind_name(CAP_DNS), "dns");
	assert_string_equal(cap_kind_name(CAP_DOT), "dot");
	assert_string_equal(cap_kind_name(CAP_MDNS), "mdns");
	assert_string_equal(cap_kind_name(CAP_LLMNR), "llmnr");
	assert_string_equal(cap_kind_name(CAP_MALFORMED), "malformed");
	assert_string_equal(cap_kind_name(CAP_NONE), "none");
	assert_string_equal(cap_kind_name((enum cap_kind)42), "unknown");
}

/* ---- IPv4 ------------------------------------------------------------------------------- */

static void
test_ipv4(void **state)
{
	struct buf m = simple_query("v4.example", DNS_TYPE_A);
	struct buf u = udp(1053, 53, m.b, m.n);
	struct cap_event e;
	struct buf ip, f;

	(void)state;
	ip = ip4x(UDP, &u, 7, 0);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_DNS, "IHL 7 (options)");
	EXPECT(strcmp(e.qname, "v4.example.") == 0, "IHL 7 name %s", e.qname);

	/* Ethernet pads short frames: bytes past the IP total length are not the packet's. */
	ip = ip4(UDP, &u);
	f = link(DLT_EN10MB, &ip);
	pzero(&f, 18);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS, "Ethernet padding ignored");

	ip = ip4x(UDP, &u, 4, 0);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "IHL 4");
	ip = ip4(UDP, &u);
	ip.b[2] = 0;
	ip.b[3] = 16; /* total length below the header */
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "total length < IHL");
	ip = ip4(UDP, &u);
	ip.b[9] = 1; /* ICMP */
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "ICMP");

	/* Fragments: the first (MF, offset 0) carries the UDP header and the question. */
	struct buf big = big_query("fragmented.example", 1000);
	struct buf bu = udp(1053, 53, big.b, big.n);
	struct buf first = bu;
	first.n = 8 + 540;
	ip = ip4x(UDP, &first, 5, 0x2000);
	f = link(DLT_EN10MB, &ip);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS &&
		       strcmp(e.qname, "fragmented.example.") == 0,
	       "first fragment: the question");
	first.n = 8 + 20; /* a first fragment cut inside the question */
	ip = ip4x(UDP, &first, 5, 0x2000);
	f = link(DLT_EN10MB, &ip);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_MALFORMED, "first fragment, short");
	struct buf rest = { .n = 0 };
	pbytes(&rest, bu.b + 552, bu.n - 552);
	ip = ip4x(UDP, &rest, 5, 552 / 8);
	f = link(DLT_EN10MB, &ip);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "later fragment skipped");
	/* A later fragment whose bytes happen to look like a query is still skipped. */
	ip = ip4x(UDP, &u, 5, 0x2000 | 100);
	f = link(DLT_EN10MB, &ip);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "lookalike later fragment");
	EXPECT_NONE();
}

/* ---- IPv6 extension headers ------------------------------------------------------------- */

static void
test_ipv6_ext(void **state)
{
	struct buf m = simple_query("v6.example", DNS_TYPE_AAAA);
	struct buf u = udp(1053, 53, m.b, m.n);
	struct cap_event e;
	struct buf ip, f;
	struct buf padn = ext8(1, 4, 0, 0);
	struct buf routing = ext8(0, 0, 0, 0); /* type 0, segments left 0 */
	struct buf frag0 = ext8(0, 0, 0, 0);  /* offset 0, M 0: an atomic fragment */
	struct buf frag_m = ext8(0, 1, 0, 0); /* offset 0, M 1 */
	struct buf frag_l = ext8(0, 0x10, 0, 0); /* offset 2 (16 bytes) */
	struct buf ah = { .n = 0 };

	(void)state;
	p8(&ah, 0);
	p8(&ah, 4); /* (4 + 2) * 4 = 24 bytes */
	pzero(&ah, 22);

	const struct buf chain[] = { padn, routing, padn, ah, frag0 };
	const uint8_t types[] = { 0, 43, 60, 51, 44 };
	ip = ip6x(UDP, &u, types[0], chain, types, 5);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_DNS && strcmp(e.qname, "v6.example.") == 0,
	       "hop-by-hop, routing, dest-opts, AH, fragment: %s", e.qname);

	const uint8_t frag_type[] = { 44 };
	ip = ip6x(UDP, &u, 44, &frag_m, frag_type, 1);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_DNS, "first fragment with the question");
	ip = ip6x(UDP, &u, 44, &frag_l, frag_type, 1);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "later fragment skipped");

	/* More extension headers than we walk. */
	struct buf many[10];
	uint8_t many_types[10];
	for (size_t i = 0; i < 10; i++) {
		many[i] = padn;
		many_types[i] = 60;
	}
	ip = ip6x(UDP, &u, 60, many, many_types, 10);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "10 extension headers");
	ip = ip6x(UDP, &u, 60, many, many_types, 8);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_DNS, "8 extension headers");

	/* An extension header longer than the payload. */
	struct buf huge = ext8(1, 4, 0, 0);
	huge.b[1] = 200;
	const uint8_t dst_type[] = { 60 };
	ip = ip6x(UDP, &u, 60, &huge, dst_type, 1);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "extension header past the end");
	/* A payload length of 0 (jumbogram) and no next header. */
	ip = ip6(UDP, &u);
	ip.b[4] = ip.b[5] = 0;
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "payload length 0");
	ip = ip6(59, &u);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "no next header");
	EXPECT_NONE();
}

/* ---- UDP and the DNS judgement ---------------------------------------------------------- */

static void
test_udp(void **state)
{
	struct cap_event e;
	struct buf m, f, u, ip;

	(void)state;
	m = simple_query("example.org", DNS_TYPE_TXT);
	f = udp_frame(4, 53000, 53, &m);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS, "query");
	EXPECT(e.id == 0x4242 && e.qtype == DNS_TYPE_TXT, "id, type");

	/* A response, from 53 or to 53: never reported. */
	struct buf r = query(0x4242, DNS_FLAG_QR | DNS_FLAG_RD, 1, "example.org", DNS_TYPE_TXT);
	f = udp_frame(4, 53, 53000, &r);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "response ignored");
	f = udp_frame(6, 53, 53, &r);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "response 53 -> 53 ignored");
	/* A query between two servers, from port 53 to port 53. */
	f = udp_frame(6, 53, 53, &m);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS, "query 53 -> 53");
	/* A well-formed query from 53 to another port is not a query we report. */
	f = udp_frame(4, 53, 40000, &m);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE && e.qname[0] == '\0',
	       "query from 53 to elsewhere");
	/* Other ports are not ours. */
	f = udp_frame(4, 40000, 54, &m);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "port 54");
	f = udp_frame(4, 40000, 853, &m);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "UDP 853 (DoQ is not DoT)");

	/* The name in presentation form, escaped. */
	struct buf odd = { .n = 0 };
	p16(&odd, 1);
	p16(&odd, 0);
	p16(&odd, 1);
	pzero(&odd, 6);
	pbytes(&odd, "\x03" "a.b" "\x02" "\x00\"" "\x03" "c\\d" "\x00", 12);
	p16(&odd, DNS_TYPE_A);
	p16(&odd, DNS_CLASS_IN);
	f = udp_frame(4, 40000, 53, &odd);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS &&
		       strcmp(e.qname, "a\\.b.\\000\\\".c\\\\d.") == 0,
	       "escaped name: %s", e.qname);
	struct buf root = simple_query("", DNS_TYPE_NS);
	f = udp_frame(4, 40000, 53, &root);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS && strcmp(e.qname, ".") == 0,
	       "root: %s", e.qname);

	/* Malformed on port 53. */
	static const struct {
		const char *desc;
		const uint8_t *bytes;
		size_t len;
	} bad[] = {
		{ "5 bytes", (const uint8_t *)"\x12\x34\x01\x00\x00", 5 },
		{ "no question",
		  (const uint8_t *)"\x12\x34\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12 },
		{ "compressed question",
		  (const uint8_t *)"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
				   "\xc0\x0c\x00\x01\x00\x01",
		  18 },
		{ "question cut",
		  (const uint8_t *)"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
				   "\x03" "abc",
		  16 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf b = { .n = 0 };
		pbytes(&b, bad[i].bytes, bad[i].len);
		f = udp_frame(4, 40000, 53, &b);
		EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_MALFORMED, "%s", bad[i].desc);
		EXPECT(e.src.port == 40000 && e.dst.port == 53 && e.qname[0] == '\0',
		       "%s: endpoints, no name", bad[i].desc);
	}
	struct buf two = query(1, 0, 2, "two.example", DNS_TYPE_A);
	f = udp_frame(4, 40000, 53, &two);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_MALFORMED, "two questions claimed");
	struct buf trailing = simple_query("t.example", DNS_TYPE_A);
	p8(&trailing, 0);
	f = udp_frame(4, 40000, 53, &trailing);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_MALFORMED, "trailing byte");

	/* UDP lengths: below 8, beyond the packet, short of the packet (trailing bytes). */
	u = udp(40000, 53, m.b, m.n);
	u.b[4] = 0;
	u.b[5] = 7;
	ip = ip4(UDP, &u);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_MALFORMED, "UDP length 7");
	u = udp(40000, 53, m.b, m.n);
	u.b[5] = (uint8_t)(u.b[5] + 1);
	ip = ip4(UDP, &u);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_MALFORMED, "UDP length past the packet");
	u = udp(40000, 53, m.b, m.n);
	p32(&u, 0xdeadbeef);
	ip = ip6(UDP, &u);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_DNS, "bytes after the UDP length ignored");
	/* A UDP header cut short says nothing: the ports are not known. */
	u = udp(40000, 53, NULL, 0);
	u.n = 3;
	ip = ip4(UDP, &u);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "3 bytes of UDP");
	/* A frame the capture cut in the additional section still shows its question. */
	struct buf big = big_query("cut.example", 600);
	f = udp_frame(4, 40000, 53, &big);
	EXPECT(decode_n(DLT_EN10MB, f.b, 200, false, NULL, &e) == CAP_DNS &&
		       strcmp(e.qname, "cut.example.") == 0,
	       "snap length cut after the question");
	EXPECT(decode_n(DLT_EN10MB, f.b, 14 + 20 + 8 + 16, false, NULL, &e) == CAP_MALFORMED,
	       "snap length cut in the question");
	EXPECT_NONE();
}

/* ---- mDNS and LLMNR --------------------------------------------------------------------- */

static void
test_mdns(void **state)
{
	struct cap_event e;
	struct buf f;

	(void)state;
	/* Two questions, the second compressed, and a known answer: the first is reported. */
	struct buf m = { .n = 0 };
	p16(&m, 0);
	p16(&m, 0);
	p16(&m, 2);
	p16(&m, 1);
	p16(&m, 0);
	p16(&m, 0);
	pname(&m, "_ipp._tcp.local");
	p16(&m, DNS_TYPE_PTR);
	p16(&m, 0x8001); /* QU bit */
	p8(&m, 8);
	pbytes(&m, "_printer", 8);
	p16(&m, 0xc000 | 17); /* -> _tcp.local */
	p16(&m, DNS_TYPE_PTR);
	p16(&m, 1);
	p16(&m, 0xc00c);
	p16(&m, DNS_TYPE_PTR);
	p16(&m, 1);
	p32(&m, 4500);
	p16(&m, 2);
	p16(&m, 0xc00c);

	f = udp_frame(4, 5353, 5353, &m);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, false, NULL, &e) == CAP_NONE, "mDNS off");
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_MDNS &&
		       strcmp(e.qname, "_ipp._tcp.local.") == 0 && e.qtype == DNS_TYPE_PTR,
	       "mDNS on: %s", e.qname);
	f = udp_frame(6, 40000, 5353, &m);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_MDNS, "legacy unicast mDNS");
	/* A response (QR=1) and an announcement are not queries. */
	struct buf r = m;
	r.b[2] = 0x84;
	f = udp_frame(4, 5353, 5353, &r);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_NONE, "mDNS response");
	struct buf none = m;
	none.b[5] = 0;
	f = udp_frame(4, 5353, 5353, &none);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_MALFORMED,
	       "mDNS query with no question");
	struct buf cut = m;
	cut.n = 20;
	f = udp_frame(4, 5353, 5353, &cut);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_MALFORMED,
	       "mDNS query cut in its question");

	struct buf l = query(7, 0, 1, "fileserver", DNS_TYPE_A);
	f = udp_frame(4, 50000, 5355, &l);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, false, NULL, &e) == CAP_NONE, "LLMNR off");
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_LLMNR &&
		       strcmp(e.qname, "fileserver.") == 0,
	       "LLMNR on");
	struct buf lr = l;
	lr.b[2] = 0x80;
	f = udp_frame(4, 5355, 50000, &lr);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_NONE, "LLMNR response");
	/* DNS on 53 is the same with or without --mdns. */
	struct buf d = simple_query("x.example", DNS_TYPE_A);
	f = udp_frame(4, 5353, 53, &d);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_DNS, "5353 -> 53 is DNS");
	EXPECT_NONE();
}

/* ---- TCP ------------------------------------------------------------------------------- */

static void
test_tcp_whole(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct buf m = simple_query("tcp.example", DNS_TYPE_A);
	struct buf fr = framed(&m);
	struct events ev;
	struct cap_event e;
	struct buf f;

	(void)state;
	assert_non_null(fl);
	/* The handshake: SYN opens the flow, SYN-ACK and pure ACKs say nothing. */
	f = tcp_frame(4, 41000, 53, 999, SYN, NULL, 0);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 0 && cap_flows_count(fl) == 1, "SYN: a flow, no event");
	f = tcp_frame(4, 53, 41000, 5000, SYN | ACK, NULL, 0);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 0 && cap_flows_count(fl) == 1, "SYN-ACK: nothing");
	f = tcp_frame(4, 41000, 53, 1000, PSH | ACK, fr.b, fr.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && is_query(&ev.e[0], CAP_DNS, "tcp.example.", DNS_TYPE_A) &&
		       ev.e[0].is_tcp && ev.e[0].src.port == 41000 && ev.e[0].dst.port == 53,
	       "one segment: one query (%zu)", ev.n);
	/* A retransmission of it is not a second query. */
	feed(fl, &f, &ev);
	EXPECT(ev.n == 0, "retransmission ignored (%zu)", ev.n);
	/* The answer comes from 53: ignored. */
	struct buf ans = query(0x4242, DNS_FLAG_QR, 1, "tcp.example", DNS_TYPE_A);
	struct buf ansf = framed(&ans);
	f = tcp_frame(4, 53, 41000, 5001, PSH | ACK, ansf.b, ansf.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 0, "answer ignored");
	/* A second query on the same connection, with FIN. */
	struct buf m2 = simple_query("again.example", DNS_TYPE_AAAA);
	struct buf fr2 = framed(&m2);
	f = tcp_frame(4, 41000, 53, 1000 + (uint32_t)fr.n, PSH | ACK | FIN, fr2.b, fr2.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && is_query(&ev.e[0], CAP_DNS, "again.example.", DNS_TYPE_AAAA),
	       "second query on the connection");
	/* RST forgets the flow. */
	f = tcp_frame(4, 41000, 53, 2000, RST, NULL, 0);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 0 && cap_flows_count(fl) == 0, "RST ends the flow");

	/* Without a SYN seen (the watch started mid-connection), a segment starts the flow. */
	f = tcp_frame(6, 41001, 53, 77, PSH | ACK, fr.b, fr.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && ev.e[0].src.addr.family == 6, "IPv6, no SYN seen");

	/* TCP Fast Open: the query rides on the SYN. */
	f = tcp_frame(4, 41002, 53, 5, SYN, fr.b, fr.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && is_query(&ev.e[0], CAP_DNS, "tcp.example.", DNS_TYPE_A),
	       "data on the SYN");

	/* No flow table: a whole query in a segment is still seen. */
	f = tcp_frame(4, 41003, 53, 5, PSH | ACK, fr.b, fr.n);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS, "no flows: whole query");
	EXPECT(!cap_flows_next(NULL, &e) && e.kind == CAP_NONE, "no flows: nothing next");

	/* A malformed message: a length of 5. */
	struct buf junk = { .n = 0 };
	pbytes(&junk, "\x00\x05" "abcde", 7);
	f = tcp_frame(4, 41004, 53, 5, PSH | ACK, junk.b, junk.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && ev.e[0].kind == CAP_MALFORMED && ev.e[0].qname[0] == '\0',
	       "TCP: 5-byte message is malformed");
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_MALFORMED, "no flows: malformed");
	/* A bad question says so before the rest of the message arrives. */
	struct buf badq = { .n = 0 };
	pbytes(&badq, "\x01\x00\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c", 16);
	f = tcp_frame(4, 41005, 53, 5, PSH | ACK, badq.b, badq.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && ev.e[0].kind == CAP_MALFORMED, "compressed question, early");
	/* A TCP header with a data offset below 5 words, or past the packet. */
	f = tcp_frame(4, 41006, 53, 5, PSH | ACK, fr.b, fr.n);
	f.b[14 + 20 + 12] = 0x40;
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_NONE, "data offset 4");
	f.b[14 + 20 + 12] = 0xf0;
	f.n = 14 + 20 + 40;
	f.b[14 + 3] = 20 + 40;
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_NONE, "data offset past the packet");
	cap_flows_free(fl);
	cap_flows_free(NULL);
	EXPECT_NONE();
}

/* Send fr[] over one connection cut at the given offsets, segments in the order given. */
static size_t
send_split(struct cap_flows *fl, uint16_t sport, uint32_t isn, const struct buf *fr,
	   const size_t *cuts, size_t n_cuts, const size_t *order, struct events *all)
{
	size_t bounds[10];
	struct events ev;

	assert_true(n_cuts + 2 <= 10);
	bounds[0] = 0;
	for (size_t i = 0; i < n_cuts; i++)
		bounds[i + 1] = cuts[i];
	bounds[n_cuts + 1] = fr->n;
	all->n = 0;
	for (size_t k = 0; k < n_cuts + 1; k++) {
		size_t i = order != NULL ? order[k] : k;
		struct buf f = tcp_frame(4, sport, 53, isn + (uint32_t)bounds[i], PSH | ACK,
					 fr->b + bounds[i], bounds[i + 1] - bounds[i]);
		feed(fl, &f, &ev);
		for (size_t j = 0; j < ev.n; j++)
			all->e[all->n++] = ev.e[j];
	}
	return all->n;
}

static void
test_tcp_split(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct buf m = simple_query("split.example", DNS_TYPE_MX);
	struct buf fr = framed(&m);
	struct events all;
	struct cap_event e;

	(void)state;
	assert_non_null(fl);
	/* Split in two at every possible place, SYN seen or not. */
	for (size_t cut = 1; cut < fr.n; cut++) {
		uint16_t port = (uint16_t)(42000 + cut);
		struct buf syn = tcp_frame(4, port, 53, 99, SYN, NULL, 0);
		struct events ev;
		if (cut % 2 == 0)
			feed(fl, &syn, &ev);
		send_split(fl, port, 100, &fr, &cut, 1, NULL, &all);
		EXPECT(all.n == 1 && is_query(&all.e[0], CAP_DNS, "split.example.", DNS_TYPE_MX),
		       "split in 2 at %zu: %zu events", cut, all.n);
	}
	/* In three: the length alone, then part of the message, then the rest. */
	const size_t three[] = { 2, 9 };
	send_split(fl, 43000, 7, &fr, three, 2, NULL, &all);
	EXPECT(all.n == 1 && is_query(&all.e[0], CAP_DNS, "split.example.", DNS_TYPE_MX),
	       "split in 3 (2, 9)");
	const size_t three_b[] = { 1, 20 };
	send_split(fl, 43001, 0xfffffff0u, &fr, three_b, 2, NULL, &all);
	EXPECT(all.n == 1, "split in 3 across the sequence number wrap");
	/* Out of order: 2 before 1 (SYN seen, so the window knows where the stream starts). */
	struct buf syn = tcp_frame(4, 43002, 53, 499, SYN, NULL, 0);
	struct events ev;
	feed(fl, &syn, &ev);
	const size_t order[] = { 1, 0 };
	const size_t cut = 10;
	send_split(fl, 43002, 500, &fr, &cut, 1, order, &all);
	EXPECT(all.n == 1 && is_query(&all.e[0], CAP_DNS, "split.example.", DNS_TYPE_MX),
	       "second segment first");
	feed(fl, &syn, &ev);
	const size_t order3[] = { 2, 0, 1 };
	send_split(fl, 43002, 500, &fr, three, 2, order3, &all);
	EXPECT(all.n == 1, "three segments, last first");

	/* Without a flow table a split query is not seen. */
	struct buf first = tcp_frame(4, 43003, 53, 1, PSH | ACK, fr.b, 10);
	EXPECT(decode(DLT_EN10MB, &first, NULL, &e) == CAP_NONE, "no flows: split not seen");
	cap_flows_free(fl);
	EXPECT_NONE();
}

static void
test_tcp_pipelined(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct buf names[3] = { simple_query("one.example", DNS_TYPE_A),
				simple_query("two.example", DNS_TYPE_AAAA),
				simple_query("three.example", DNS_TYPE_TXT) };
	struct buf stream = { .n = 0 };
	struct events all;

	(void)state;
	assert_non_null(fl);
	for (size_t i = 0; i < 3; i++) {
		struct buf fr = framed(&names[i]);
		pbytes(&stream, fr.b, fr.n);
	}
	send_split(fl, 44000, 1, &stream, NULL, 0, NULL, &all);
	EXPECT(all.n == 3 && is_query(&all.e[0], CAP_DNS, "one.example.", DNS_TYPE_A) &&
		       is_query(&all.e[1], CAP_DNS, "two.example.", DNS_TYPE_AAAA) &&
		       is_query(&all.e[2], CAP_DNS, "three.example.", DNS_TYPE_TXT),
	       "three queries in one segment: %zu", all.n);
	/* Cut inside the second message: one, then two and three. */
	const size_t cut = 40;
	send_split(fl, 44001, 1, &stream, &cut, 1, NULL, &all);
	EXPECT(all.n == 3 && strcmp(all.e[1].qname, "two.example.") == 0, "pipelined and split");

	/* Not draining cap_flows_next() drops the rest of that segment, safely. */
	struct buf f = tcp_frame(4, 44002, 53, 1, PSH | ACK, stream.b, stream.n);
	struct cap_event e;
	uint8_t *copy = malloc(f.n);
	assert_non_null(copy);
	memcpy(copy, f.b, f.n);
	cap_decode(DLT_EN10MB, copy, f.n, clock_ms++, false, fl, &e);
	free(copy);
	EXPECT(e.kind == CAP_DNS, "first of three");
	struct buf m = simple_query("next.example", DNS_TYPE_A);
	f = udp_frame(4, 40000, 53, &m);
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_DNS && !cap_flows_next(fl, &e),
	       "an undrained segment is dropped");
	cap_flows_free(fl);
	EXPECT_NONE();
}

static void
test_tcp_big_and_cut(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct events all;

	(void)state;
	assert_non_null(fl);
	/* A query larger than the window: its question is reported once, the next one too. */
	struct buf big = big_query("big.example", 3000);
	struct buf m = simple_query("after.example", DNS_TYPE_A);
	struct buf stream = framed(&big);
	struct buf fr = framed(&m);
	pbytes(&stream, fr.b, fr.n);
	const size_t cuts[] = { 700, 1400, 2100, 2800 };
	send_split(fl, 45000, 10, &stream, cuts, 4, NULL, &all);
	EXPECT(all.n == 2 && is_query(&all.e[0], CAP_DNS, "big.example.", DNS_TYPE_A) &&
		       is_query(&all.e[1], CAP_DNS, "after.example.", DNS_TYPE_A),
	       "bigger than the window: %zu events", all.n);
	/* The same in one segment. */
	send_split(fl, 45001, 10, &stream, NULL, 0, NULL, &all);
	EXPECT(all.n == 2 && strcmp(all.e[1].qname, "after.example.") == 0,
	       "bigger than the window, one segment: %zu", all.n);

	/* The capture cut a segment (snap length): the question is there, then one is not. */
	struct buf two = framed(&m);
	struct buf m2 = simple_query("third.example", DNS_TYPE_A);
	struct buf fr2 = framed(&m2);
	struct buf seg = framed(&big);
	struct events ev;
	struct cap_event e;
	struct buf f = tcp_frame(4, 45002, 53, 1, PSH | ACK, seg.b, seg.n);
	uint8_t *copy = malloc(200);
	assert_non_null(copy);
	memcpy(copy, f.b, 200);
	cap_decode(DLT_EN10MB, copy, 200, clock_ms++, false, fl, &e);
	EXPECT(is_query(&e, CAP_DNS, "big.example.", DNS_TYPE_A), "cut segment: the question");
	EXPECT(!cap_flows_next(fl, &e), "cut segment: nothing more");
	free(copy);
	/* The stream goes on after the hole. */
	f = tcp_frame(4, 45002, 53, 1 + (uint32_t)seg.n, PSH | ACK, two.b, two.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && strcmp(ev.e[0].qname, "after.example.") == 0, "after the hole: %zu",
	       ev.n);
	/* Cut inside the question: malformed, and the next segment decodes. */
	f = tcp_frame(4, 45002, 53, 1 + (uint32_t)(seg.n + two.n), PSH | ACK, fr2.b, fr2.n);
	copy = malloc(f.n - 10);
	assert_non_null(copy);
	memcpy(copy, f.b, f.n - 10);
	cap_decode(DLT_EN10MB, copy, f.n - 10, clock_ms++, false, fl, &e);
	EXPECT(e.kind == CAP_MALFORMED, "cut in the question: malformed (%d)", e.kind);
	while (cap_flows_next(fl, &e))
		EXPECT(false, "nothing more after the cut");
	free(copy);
	f = tcp_frame(4, 45002, 53, 1 + (uint32_t)(seg.n + two.n + fr2.n), PSH | ACK, two.b,
		      two.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && strcmp(ev.e[0].qname, "after.example.") == 0, "and after that");

	/* Lost track: a segment far ahead of a gap starts the window again. */
	f = tcp_frame(4, 45003, 53, 1, PSH | ACK, fr.b, 5);
	feed(fl, &f, &ev);
	f = tcp_frame(4, 45003, 53, 100000, PSH | ACK, fr.b, fr.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && strcmp(ev.e[0].qname, "after.example.") == 0, "resynchronised");
	/* Far behind: a new stream on the same ports. */
	f = tcp_frame(4, 45003, 53, 100000 - 500000, PSH | ACK, fr.b, fr.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1, "far behind is a new stream");
	cap_flows_free(fl);
	EXPECT_NONE();
}

/* A snap length that cuts a segment of four pipelined queries inside the second: the first is
 * seen, the second is malformed, the third and fourth began in the lost bytes and are gone,
 * and the stream goes on after them. A response sent to port 53 in a stream is skipped. */
static void
test_tcp_hole(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct buf q[4] = { simple_query("q1.example", DNS_TYPE_A),
			    simple_query("q2-a-longer-name.example", DNS_TYPE_A),
			    simple_query("q3.example", DNS_TYPE_A),
			    simple_query("q4.example", DNS_TYPE_A) };
	struct buf stream = { .n = 0 };
	struct events ev;
	struct cap_event e;

	(void)state;
	assert_non_null(fl);
	for (size_t i = 0; i < 4; i++) {
		struct buf fr = framed(&q[i]);
		pbytes(&stream, fr.b, fr.n);
	}
	struct buf f = tcp_frame(4, 47000, 53, 1, PSH | ACK, stream.b, stream.n);
	size_t cut = 14 + 20 + 32 + 2 + q[0].n + 2 + 20; /* in the second question */
	uint8_t *copy = malloc(cut);
	assert_non_null(copy);
	memcpy(copy, f.b, cut);
	cap_decode(DLT_EN10MB, copy, cut, clock_ms++, false, fl, &e);
	EXPECT(is_query(&e, CAP_DNS, "q1.example.", DNS_TYPE_A), "first query before the cut");
	EXPECT(cap_flows_next(fl, &e) && e.kind == CAP_MALFORMED, "second, cut: malformed");
	EXPECT(!cap_flows_next(fl, &e), "third and fourth: lost with the bytes");
	free(copy);
	struct buf m = simple_query("q5.example", DNS_TYPE_A);
	struct buf r = query(9, DNS_FLAG_QR, 1, "notify.example", DNS_TYPE_SOA);
	struct buf more = framed(&r);
	struct buf fr = framed(&m);
	pbytes(&more, fr.b, fr.n);
	f = tcp_frame(4, 47000, 53, 1 + (uint32_t)stream.n, PSH | ACK, more.b, more.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && strcmp(ev.e[0].qname, "q5.example.") == 0,
	       "after the hole, past a response: %zu", ev.n);
	/* A pure ACK to 53 of a flow we do not know opens none. */
	f = tcp_frame(4, 47001, 53, 1, ACK, NULL, 0);
	size_t before = cap_flows_count(fl);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 0 && cap_flows_count(fl) == before, "pure ACK: no flow");
	cap_flows_free(fl);
	EXPECT_NONE();
}

static void
test_flow_eviction(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct buf m = simple_query("evict.example", DNS_TYPE_A);
	struct buf fr = framed(&m);
	struct events ev;

	(void)state;
	assert_non_null(fl);
	/* More flows with half a message than the table holds. */
	for (size_t i = 0; i < CAP_FLOWS_MAX + 10; i++) {
		struct buf f = tcp_frame(4, (uint16_t)(10000 + i), 53, 1, PSH | ACK, fr.b, 10);
		feed(fl, &f, &ev);
		EXPECT(ev.n == 0, "half a message %zu", i);
	}
	EXPECT(cap_flows_count(fl) == CAP_FLOWS_MAX, "table full: %zu", cap_flows_count(fl));
	/* The newest completes; the oldest was evicted, its tail is no query. */
	struct buf tail = tcp_frame(4, (uint16_t)(10000 + CAP_FLOWS_MAX + 9), 53, 11, PSH | ACK,
				    fr.b + 10, fr.n - 10);
	feed(fl, &tail, &ev);
	EXPECT(ev.n == 1 && strcmp(ev.e[0].qname, "evict.example.") == 0, "newest completes");
	tail = tcp_frame(4, 10000, 53, 11, PSH | ACK, fr.b + 10, fr.n - 10);
	feed(fl, &tail, &ev);
	EXPECT(ev.n == 0 || ev.e[0].kind == CAP_MALFORMED, "evicted flow: no query");
	EXPECT(cap_flows_count(fl) == CAP_FLOWS_MAX, "still full");
	cap_flows_free(fl);
	EXPECT_NONE();
}

static void
test_dot(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct cap_event e;
	struct buf f;

	(void)state;
	assert_non_null(fl);
	f = tcp_frame(4, 46000, 853, 1, SYN, NULL, 0);
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_DOT && e.is_tcp && e.dst.port == 853 &&
		       e.qname[0] == '\0',
	       "SYN to 853");
	f = tcp_frame(6, 46000, 853, 1, SYN, NULL, 0);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DOT, "IPv6 SYN to 853, no flows");
	f = tcp_frame(4, 853, 46000, 1, SYN | ACK, NULL, 0);
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_NONE, "SYN-ACK from 853");
	f = tcp_frame(4, 46000, 853, 1, SYN | ACK, NULL, 0);
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_NONE, "SYN-ACK to 853");
	f = tcp_frame(4, 46000, 853, 2, PSH | ACK, (const uint8_t *)"\x16\x03\x01", 3);
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_NONE, "TLS data to 853");
	EXPECT(cap_flows_count(fl) == 0, "DoT keeps no flow");
	cap_flows_free(fl);
	EXPECT_NONE();
}

/* ---- every truncation ------------------------------------------------------------------- */

static void
test_truncations(void **state)
{
	struct buf m = big_query("trunc.example", 80);
	struct buf m6 = simple_query("trunc6.example", DNS_TYPE_AAAA);
	struct buf fr = framed(&m);
	struct buf u = udp(40000, 53, m.b, m.n);
	struct buf u6 = udp(40000, 53, m6.b, m6.n);
	struct buf t = tcp(40000, 53, 1, PSH | ACK, fr.b, fr.n);
	struct buf syn = tcp(40000, 853, 1, SYN, NULL, 0);
	struct buf padn = ext8(1, 4, 0, 0);
	const uint8_t dst_type[] = { 60 };
	struct buf mdns = query(0, 0, 1, "host.local", DNS_TYPE_A);
	struct buf um = udp(5353, 5353, mdns.b, mdns.n);
	struct buf ips[] = {
		ip4(UDP, &u), ip6(UDP, &u6), ip4(TCP, &t), ip6(TCP, &t), ip4(TCP, &syn),
		ip6x(UDP, &u6, 60, &padn, dst_type, 1), ip4(UDP, &um),
	};
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL };
	size_t frames = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		for (size_t d = 0; d < sizeof(dlts) / sizeof(dlts[0]); d++) {
			for (uint16_t tag = 0; tag <= (dlts[d] == DLT_EN10MB ? 1 : 0); tag++) {
				struct buf f = linkx(dlts[d], &ips[i], tag ? 0x8100 : 0);
				struct cap_event good;
				struct cap_event e;
				struct cap_flows *fl = cap_flows_new();

				assert_non_null(fl);
				decode_n(dlts[d], f.b, f.n, true, fl, &good);
				EXPECT(good.kind != CAP_NONE && good.kind != CAP_MALFORMED,
				       "frame %zu/%d whole: %d", i, dlts[d], good.kind);
				for (size_t n = 0; n < f.n; n++) {
					/* A fresh table each time: no state carried over. */
					struct cap_flows *tf = cap_flows_new();
					assert_non_null(tf);
					enum cap_kind k = decode_n(dlts[d], f.b, n, true, tf, &e);
					bool fine = k == CAP_NONE || k == CAP_MALFORMED ||
						    (k == good.kind &&
						     strcmp(e.qname, good.qname) == 0 &&
						     e.qtype == good.qtype);
					EXPECT(fine, "frame %zu/%d cut at %zu: kind %d name %s", i,
					       dlts[d], n, k, e.qname);
					EXPECT(k != CAP_NONE || e.qname[0] == '\0',
					       "frame %zu cut at %zu: cleared", i, n);
					while (cap_flows_next(tf, &e))
						EXPECT(false, "frame %zu cut at %zu: more", i, n);
					cap_flows_free(tf);
				}
				cap_flows_free(fl);
				frames++;
			}
		}
	}
	EXPECT(frames == 42, "frames %zu", frames);
	EXPECT_NONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_link_types),
		TEST(test_kind_names),
		TEST(test_ipv4),
		TEST(test_ipv6_ext),
		TEST(test_udp),
		TEST(test_mdns),
		TEST(test_tcp_whole),
		TEST(test_tcp_split),
		TEST(test_tcp_pipelined),
		TEST(test_tcp_big_and_cut),
		TEST(test_tcp_hole),
		TEST(test_flow_eviction),
		TEST(test_dot),
		TEST(test_truncations),
	};

	return cmocka_run_group_tests_name("capture", tests, NULL, NULL);
}
