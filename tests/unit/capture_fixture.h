/* capture_fixture.h -- what the cap_decode() tests share: builders (on pktbuf.h) for DNS
 * messages, UDP and TCP segments, IPv4 and IPv6 packets (options, extension headers,
 * fragments) and every link header cap_decode() knows; and decoding from an exact-size heap
 * copy, so ASan sees any read past the end of a frame. Static helpers, one copy per test
 * program; include after <cmocka.h>.
 */
#ifndef DL_TEST_CAPTURE_FIXTURE_H
#define DL_TEST_CAPTURE_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture.h"
#include "dnswire.h"

#include "pktbuf.h"

/* ---- builder ---------------------------------------------------------------------------- */

/* A query: header with qdcount questions claimed, one question written. */
static inline struct pktbuf
query(uint16_t id, uint16_t flags, uint16_t qdcount, const char *name, uint16_t qtype)
{
	struct pktbuf m = { .n = 0 };

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

static inline struct pktbuf
simple_query(const char *name, uint16_t qtype)
{
	return query(0x4242, DNS_FLAG_RD, 1, name, qtype);
}

/* A query with an OPT record padded (RFC 7830) to `size` bytes in all. */
static inline struct pktbuf
big_query(const char *name, size_t size)
{
	struct pktbuf m = query(0x5151, DNS_FLAG_RD, 1, name, DNS_TYPE_A);

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
static inline struct pktbuf
framed(const struct pktbuf *m)
{
	struct pktbuf f = { .n = 0 };

	p16(&f, (uint16_t)m->n);
	pbytes(&f, m->b, m->n);
	return f;
}

static inline struct pktbuf
udp(uint16_t sport, uint16_t dport, const uint8_t *data, size_t n)
{
	struct pktbuf s = { .n = 0 };

	p16(&s, sport);
	p16(&s, dport);
	p16(&s, (uint16_t)(8 + n));
	p16(&s, 0);
	pbytes(&s, data, n);
	return s;
}

enum { SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, FIN = 0x01 };

static inline struct pktbuf
tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags, const uint8_t *data, size_t n)
{
	struct pktbuf s = { .n = 0 };

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
static inline struct pktbuf
ip4x(uint8_t proto, const struct pktbuf *l4, unsigned ihl_words, uint16_t frag)
{
	struct pktbuf p = { .n = 0 };

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

static inline struct pktbuf
ip4(uint8_t proto, const struct pktbuf *l4)
{
	return ip4x(proto, l4, 5, 0x4000);
}

/* IPv6 with extension headers ext[] (their bytes; the first byte of each is patched with the
 * next header), first_nh the type of the first. */
static inline struct pktbuf
ip6x(uint8_t proto, const struct pktbuf *l4, uint8_t first_nh, const struct pktbuf *ext,
     const uint8_t *ext_types, size_t n_ext)
{
	struct pktbuf p = { .n = 0 };
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

static inline struct pktbuf
ip6(uint8_t proto, const struct pktbuf *l4)
{
	return ip6x(proto, l4, 0, NULL, NULL, 0);
}

/* An 8-byte extension header: options (PadN), routing or fragment, by its bytes. */
static inline struct pktbuf
ext8(uint8_t b2, uint8_t b3, uint8_t b4, uint8_t b5)
{
	struct pktbuf e = { .n = 0 };

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
static inline struct pktbuf
linkx(int dlt, const struct pktbuf *ip, uint16_t tag)
{
	struct pktbuf f = { .n = 0 };
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

static inline struct pktbuf
link(int dlt, const struct pktbuf *ip)
{
	return linkx(dlt, ip, 0);
}

/* Common frames: Ethernet, IPv4 or IPv6, a query to 53 over UDP. */
static inline struct pktbuf
udp_frame(int family, uint16_t sport, uint16_t dport, const struct pktbuf *msg)
{
	struct pktbuf u = udp(sport, dport, msg->b, msg->n);
	struct pktbuf ip = family == 6 ? ip6(UDP, &u) : ip4(UDP, &u);

	return link(DLT_EN10MB, &ip);
}

static inline struct pktbuf
tcp_frame(int family, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags,
	  const uint8_t *data, size_t n)
{
	struct pktbuf t = tcp(sport, dport, seq, flags, data, n);
	struct pktbuf ip = family == 6 ? ip6(TCP, &t) : ip4(TCP, &t);

	return link(DLT_EN10MB, &ip);
}

/* ---- decoding --------------------------------------------------------------------------- */

static uint64_t clock_ms = 1000;

/* Decode frame[0..n) from an exact-size heap copy. */
static inline enum cap_kind
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

static inline enum cap_kind
decode(int dlt, const struct pktbuf *f, struct cap_flows *fl, struct cap_event *e)
{
	return decode_n(dlt, f->b, f->n, false, fl, e);
}

/* Feed one segment and collect every event it yields (cap_decode, then cap_flows_next). */
struct events {
	struct cap_event e[8];
	size_t n;
};

static inline void
feed(struct cap_flows *fl, const struct pktbuf *f, struct events *out)
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

static inline bool
is_query(const struct cap_event *e, enum cap_kind kind, const char *qname, uint16_t qtype)
{
	return e->kind == kind && strcmp(e->qname, qname) == 0 && e->qtype == qtype;
}

#endif
