/* answer_fixture.h -- what the answer_query() tests share: a zone built by hand (leak.test,
 * ns1, web front, id key), test ids and probe names, a query builder (on pktbuf.h), a strict
 * response parser (counts, compression, rdata lengths, nothing left over) and ask(), which runs
 * one query and parses the response before the test looks at it. Static helpers, one copy per
 * test program; include after <cmocka.h>.
 */
#ifndef DL_TEST_ANSWER_FIXTURE_H
#define DL_TEST_ANSWER_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"

#include "pktbuf.h"

#define NOW_S 1700000000u
#define NOW_US ((uint64_t)NOW_S * 1000000u + 123456u)
#define QID 0xa55a
#define PEER4 "192.0.2.1"
#define PEER6 "2001:db8::1"
#define PEER_PORT 40000

static const uint8_t ID_KEY[TESTID_KEY_LEN] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                                               0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

/* ---- zone ------------------------------------------------------------------------------- */

static struct zone zone;

static inline void
set_addr(struct dl_addr *a, const char *text)
{
	assert_int_equal(addr_parse(text, a), DL_E_OK);
}

/* n_ns names ns1..; each with n_addr addresses per family; n_web web addresses per family. */
static inline void
zone_build(struct zone *z, size_t n_ns, size_t n_addr, size_t n_web)
{
	char text[64];

	memset(z, 0, sizeof(*z));
	assert_int_equal(dnswire_name_from_text("leak.test", z->apex, &z->apex_len), DL_E_OK);
	z->n_ns = n_ns;
	for (size_t i = 0; i < n_ns; i++) {
		struct zone_ns *ns = &z->ns[i];
		ns->label[0] = 3;
		memcpy(ns->label + 1, "ns", 2);
		ns->label[3] = (uint8_t)('1' + i);
		for (size_t j = 0; j < n_addr; j++) {
			snprintf(text, sizeof(text), "192.0.2.%zu", 53 + 10 * i + j);
			set_addr(&ns->v4[j], text);
			snprintf(text, sizeof(text), "2001:db8::%zx", 0x53 + 0x100 * i + j);
			set_addr(&ns->v6[j], text);
		}
		ns->n_v4 = ns->n_v6 = n_addr;
	}
	for (size_t j = 0; j < n_web; j++) {
		snprintf(text, sizeof(text), "192.0.2.%zu", 80 + j);
		set_addr(&z->web_v4[j], text);
		snprintf(text, sizeof(text), "2001:db8::%zx", 0x80 + j);
		set_addr(&z->web_v6[j], text);
	}
	z->n_web_v4 = z->n_web_v6 = n_web;
	z->serial = 2024010101u;
	z->test_ttl_s = 600;
	z->node_id = 7;
	memcpy(z->id_key, ID_KEY, sizeof(z->id_key));
}

static inline int
group_setup(void **state)
{
	(void)state;
	zone_build(&zone, 1, 1, 1);
	return 0;
}

/* ---- ids -------------------------------------------------------------------------------- */

static inline void
make_id(uint32_t created, uint8_t seed, uint8_t id[TESTID_LEN])
{
	const uint8_t random[TESTID_RANDOM_LEN] = {seed, 2, 3, 4, 5, 6};

	testid_make(ID_KEY, created, random, id);
}

/* "<label>-<id>" + suffix, e.g. probe_name(buf, "abc", id, ".leak.test"). */
static inline const char *
probe_name(char *buf, size_t cap, const char *nonce, const uint8_t id[TESTID_LEN],
           const char *suffix)
{
	char idt[TESTID_TEXT_LEN + 1];

	testid_to_text(id, idt);
	snprintf(buf, cap, "%s-%s%s", nonce, idt, suffix);
	return buf;
}

/* ---- query builder ---------------------------------------------------------------------- */

struct qspec {
	const char *name; /* dotted, case kept; "." is the root */
	uint16_t qtype;
	uint16_t qclass; /* 0: IN */
	uint16_t flags;  /* header flags as sent */
	uint16_t qdcount_override;
	bool qdcount_set;
	bool edns;
	uint16_t udp;
	uint8_t version;
	bool do_bit;
	bool ecs;
	uint16_t ecs_family;
	uint8_t ecs_prefix;
	uint8_t ecs_scope; /* RFC 7871 says 0 in queries; we echo 0 whatever comes */
	uint8_t ecs_addr[16];
	size_t cookie_len;
};

static inline void
build_query(struct pktbuf *w, const struct qspec *q)
{
	w->n = 0;
	p16(w, QID);
	p16(w, q->flags);
	p16(w, q->qdcount_set ? q->qdcount_override : 1);
	p16(w, 0);
	p16(w, 0);
	p16(w, q->edns ? 1 : 0);
	pname(w, q->name);
	p16(w, q->qtype);
	p16(w, q->qclass ? q->qclass : DNS_CLASS_IN);
	if (!q->edns)
		return;
	p8(w, 0);
	p16(w, DNS_TYPE_OPT);
	p16(w, q->udp);
	p16(w, q->version);
	p16(w, q->do_bit ? 0x8000 : 0);
	size_t octets = (q->ecs_prefix + 7u) / 8u;
	size_t rdlen = (q->ecs ? 8 + octets : 0) + (q->cookie_len ? 4 + q->cookie_len : 0);
	p16(w, (uint16_t)rdlen);
	if (q->ecs) {
		p16(w, DNS_EDNS_OPT_ECS);
		p16(w, (uint16_t)(4 + octets));
		p16(w, q->ecs_family);
		p8(w, q->ecs_prefix);
		p8(w, q->ecs_scope);
		for (size_t i = 0; i < octets; i++)
			p8(w, q->ecs_addr[i]);
	}
	if (q->cookie_len) {
		p16(w, DNS_EDNS_OPT_COOKIE);
		p16(w, (uint16_t)q->cookie_len);
		for (size_t i = 0; i < q->cookie_len; i++)
			p8(w, (uint8_t)(0xc0 + i));
	}
}

/* ---- response parser -------------------------------------------------------------------- */

#define RR_MAX 200

struct rr {
	char owner[DNS_NAME_TEXT_MAX];
	uint16_t type;
	uint16_t klass;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t addr[16];              /* A, AAAA */
	char name[DNS_NAME_TEXT_MAX];  /* NS target, SOA mname */
	char rname[DNS_NAME_TEXT_MAX]; /* SOA */
	uint32_t soa[5];               /* serial refresh retry expire minimum */
	char txt[256];                 /* first TXT string */
};

struct resp {
	uint8_t buf[DNS_TCP_MAX];
	size_t len;
	struct answer_out out;
	struct dns_header h;
	uint8_t qwire[DNS_NAME_MAX];
	size_t qwire_len;
	char qname[DNS_NAME_TEXT_MAX];
	uint16_t qtype, qclass;
	struct rr an[RR_MAX], ns[RR_MAX], ar[RR_MAX]; /* ar without the OPT */
	size_t n_an, n_ns, n_ar;
	bool has_opt;
	uint16_t opt_udp;
	uint8_t opt_ext;
	uint8_t opt_version;
	bool opt_do;
	uint8_t opt_rdata[256];
	uint16_t opt_rdlen;
	char why[128]; /* what parse_resp() disliked */
};

static struct resp R;

static inline bool
bad(const char *why)
{
	snprintf(R.why, sizeof(R.why), "%s", why);
	return false;
}

/* Read a possibly compressed name; *pos moves past it (past the first pointer). */
static inline bool
read_name(const uint8_t *m, size_t len, size_t *pos, char *text)
{
	uint8_t wire[DNS_NAME_MAX];
	size_t w = 0;
	size_t p = *pos;
	bool jumped = false;
	int hops = 0;

	for (;;) {
		if (p >= len)
			return bad("name past end");
		uint8_t b = m[p];
		if ((b & 0xC0) == 0xC0) {
			if (p + 1 >= len || ++hops > 32)
				return bad("bad pointer");
			size_t target = (size_t)(b & 0x3f) << 8 | m[p + 1];
			if (target >= len)
				return bad("pointer past end");
			if (!jumped)
				*pos = p + 2;
			jumped = true;
			p = target;
			continue;
		}
		if (b & 0xC0)
			return bad("label type");
		if (w + 1u + b > DNS_NAME_MAX || p + 1u + b > len)
			return bad("name too long");
		memcpy(wire + w, m + p, 1u + b);
		w += 1u + b;
		p += 1u + b;
		if (b == 0)
			break;
	}
	if (!jumped)
		*pos = p;
	return dnswire_name_to_text(wire, w, text, DNS_NAME_TEXT_MAX) >= 0 || bad("to_text");
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static inline bool
parse_rr(size_t *pos, struct rr *rr, bool *is_opt)
{
	const uint8_t *m = R.buf;
	size_t len = R.len;
	size_t owner_at = *pos;

	memset(rr, 0, sizeof(*rr));
	if (!read_name(m, len, pos, rr->owner))
		return false;
	if (*pos + 10 > len)
		return bad("rr header past end");
	rr->type = get16(m + *pos);
	rr->klass = get16(m + *pos + 2);
	rr->ttl = get32(m + *pos + 4);
	rr->rdlen = get16(m + *pos + 8);
	*pos += 10;
	size_t rd = *pos, end = rd + rr->rdlen;
	if (end > len)
		return bad("rdata past end");
	*pos = end;
	*is_opt = rr->type == DNS_TYPE_OPT;
	if (*is_opt) {
		if (m[owner_at] != 0)
			return bad("OPT owner not root");
		if (R.has_opt)
			return bad("two OPT");
		R.has_opt = true;
		R.opt_udp = rr->klass;
		R.opt_ext = (uint8_t)(rr->ttl >> 24);
		R.opt_version = (uint8_t)(rr->ttl >> 16);
		R.opt_do = (rr->ttl & 0x8000u) != 0;
		if (rr->rdlen > sizeof(R.opt_rdata))
			return bad("OPT rdata too long");
		memcpy(R.opt_rdata, m + rd, rr->rdlen);
		R.opt_rdlen = rr->rdlen;
		return true;
	}
	if (rr->klass != DNS_CLASS_IN)
		return bad("class not IN");
	size_t p = rd;
	switch (rr->type) {
	case DNS_TYPE_A:
		if (rr->rdlen != 4)
			return bad("A rdlen");
		memcpy(rr->addr, m + rd, 4);
		return true;
	case DNS_TYPE_AAAA:
		if (rr->rdlen != 16)
			return bad("AAAA rdlen");
		memcpy(rr->addr, m + rd, 16);
		return true;
	case DNS_TYPE_NS:
		if (!read_name(m, end, &p, rr->name))
			return false;
		return p == end || bad("NS rdata length");
	case DNS_TYPE_SOA:
		if (!read_name(m, end, &p, rr->name) || !read_name(m, end, &p, rr->rname))
			return false;
		if (p + 20 != end)
			return bad("SOA rdata length");
		for (int i = 0; i < 5; i++)
			rr->soa[i] = get32(m + p + 4 * i);
		return true;
	case DNS_TYPE_TXT:
		if (rr->rdlen == 0)
			return bad("empty TXT");
		for (bool first = true; p < end; first = false) {
			size_t l = m[p];
			if (p + 1 + l > end)
				return bad("TXT string past rdata");
			if (first) {
				memcpy(rr->txt, m + p + 1, l);
				rr->txt[l] = '\0';
			}
			p += 1 + l;
		}
		return true;
	default:
		return bad("unexpected type");
	}
}

static inline bool
parse_resp(void)
{
	const uint8_t *m = R.buf;
	size_t pos = DNS_HEADER_LEN;

	R.has_opt = false;
	R.n_an = R.n_ns = R.n_ar = 0;
	R.why[0] = '\0';
	if (dnswire_parse_header(m, R.len, &R.h) != DL_E_OK)
		return bad("short header");
	if (R.h.qdcount > 1)
		return bad("qdcount > 1");
	if (R.h.ancount > RR_MAX || R.h.nscount > RR_MAX || R.h.arcount > RR_MAX)
		return bad("too many records");
	if (R.h.qdcount == 1) {
		/* The question is echoed byte for byte, never compressed. */
		size_t start = pos;
		for (;;) {
			if (pos >= R.len || (m[pos] & 0xC0))
				return bad("question name");
			if (m[pos] == 0)
				break;
			pos += 1u + m[pos];
		}
		pos++;
		R.qwire_len = pos - start;
		memcpy(R.qwire, m + start, R.qwire_len);
		if (dnswire_name_to_text(R.qwire, R.qwire_len, R.qname, sizeof(R.qname)) < 0)
			return bad("question text");
		if (pos + 4 > R.len)
			return bad("question type/class");
		R.qtype = get16(m + pos);
		R.qclass = get16(m + pos + 2);
		pos += 4;
	}
	bool is_opt;
	for (size_t i = 0; i < R.h.ancount; i++) {
		if (!parse_rr(&pos, &R.an[R.n_an++], &is_opt))
			return false;
		if (is_opt)
			return bad("OPT in answer");
	}
	for (size_t i = 0; i < R.h.nscount; i++) {
		if (!parse_rr(&pos, &R.ns[R.n_ns++], &is_opt))
			return false;
		if (is_opt)
			return bad("OPT in authority");
	}
	for (size_t i = 0; i < R.h.arcount; i++) {
		if (!parse_rr(&pos, &R.ar[R.n_ar], &is_opt))
			return false;
		if (!is_opt)
			R.n_ar++;
	}
	return pos == R.len || bad("trailing bytes");
}

/* ---- running a query -------------------------------------------------------------------- */

struct ctx {
	const char *peer;     /* NULL: PEER4 */
	uint8_t local_family; /* 0: the peer's family */
	bool tcp;
	size_t cap;           /* 0: DNS_UDP_MAX, or DNS_TCP_MAX over TCP */
	uint64_t now_us;      /* 0: NOW_US */
	const struct zone *z; /* NULL: zone */
};

static inline const struct resp *
ask_raw(const uint8_t *query, size_t len, const struct ctx *c)
{
	static const struct ctx defaults = {0};
	struct answer_in in;

	if (c == NULL)
		c = &defaults;
	memset(&in, 0, sizeof(in));
	in.query = query;
	in.query_len = len;
	set_addr(&in.peer, c->peer ? c->peer : PEER4);
	in.peer_port = PEER_PORT;
	in.local_family = c->local_family ? c->local_family : in.peer.family;
	in.is_tcp = c->tcp;
	in.now_us = c->now_us ? c->now_us : NOW_US;
	size_t cap = c->cap ? c->cap : c->tcp ? DNS_TCP_MAX : DNS_UDP_MAX;
	assert_true(cap <= sizeof(R.buf));

	/* The query from an exact-size heap copy, so a read past its end is an ASan report. */
	uint8_t *copy = malloc(len > 0 ? len : 1);
	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, query, len);
	in.query = copy;
	memset(&R.out, 0x5a, sizeof(R.out));
	memset(R.buf, 0xee, sizeof(R.buf));
	answer_query(c->z ? c->z : &zone, &in, R.buf, cap, &R.out);
	free(copy);

	R.len = R.out.resp_len;
	assert_true(R.len <= cap);
	if (R.len > 0) {
		if (!parse_resp())
			fail_msg("response does not parse: %s", R.why);
		assert_int_equal(R.h.id, get16(query));
		assert_true(R.h.flags & DNS_FLAG_QR);
		assert_false(R.h.flags & DNS_FLAG_RA);
		assert_int_equal(R.out.truncated, (R.h.flags & DNS_FLAG_TC) != 0);
	}
	return &R;
}

static inline const struct resp *
ask(const struct qspec *q, const struct ctx *c)
{
	static struct pktbuf w;

	build_query(&w, q);
	const struct resp *r = ask_raw(w.b, w.n, c);
	if (r->len > 0 && r->h.qdcount == 1) {
		/* The question comes back exactly as sent: 0x20 case included. */
		struct pktbuf nm = {.n = 0};
		pname(&nm, q->name);
		assert_int_equal(r->qwire_len, nm.n);
		assert_memory_equal(r->qwire, nm.b, nm.n);
		assert_int_equal(r->qtype, q->qtype);
		assert_int_equal(r->qclass, q->qclass ? q->qclass : DNS_CLASS_IN);
	}
	return r;
}

static inline unsigned
rcode_of(const struct resp *r)
{
	return (r->h.flags & 0xfu) | (unsigned)(r->has_opt ? r->opt_ext << 4 : 0);
}

static inline bool
is_aa(const struct resp *r)
{
	return (r->h.flags & DNS_FLAG_AA) != 0;
}

#define EXPECT_COUNTS(r, rc, aa, an, ns, ar)                                                       \
	do {                                                                                       \
		assert_int_equal(rcode_of(r), (rc));                                               \
		assert_int_equal(is_aa(r), (aa));                                                  \
		assert_int_equal((r)->n_an, (an));                                                 \
		assert_int_equal((r)->n_ns, (ns));                                                 \
		assert_int_equal((r)->n_ar, (ar));                                                 \
		assert_false((r)->h.flags &DNS_FLAG_TC);                                           \
	} while (0)

static inline void
expect_addr(const struct rr *rr, const char *owner, const char *addr, uint32_t ttl)
{
	struct dl_addr a;

	set_addr(&a, addr);
	assert_string_equal(rr->owner, owner);
	assert_int_equal(rr->type, a.family == 4 ? DNS_TYPE_A : DNS_TYPE_AAAA);
	assert_memory_equal(rr->addr, a.a, a.family == 4 ? 4 : 16);
	assert_int_equal(rr->ttl, ttl);
}

/* SOA with the zone's timers; owner and mname as given. */
static inline void
expect_soa(const struct rr *rr, const char *owner, const char *mname, uint32_t ttl)
{
	assert_int_equal(rr->type, DNS_TYPE_SOA);
	assert_string_equal(rr->owner, owner);
	assert_string_equal(rr->name, mname);
	assert_string_equal(rr->rname, "hostmaster.leak.test.");
	assert_int_equal(rr->soa[0], 2024010101u);
	assert_int_equal(rr->soa[1], 3600);
	assert_int_equal(rr->soa[2], 600);
	assert_int_equal(rr->soa[3], 86400);
	assert_int_equal(rr->soa[4], ZONE_NEG_TTL);
	assert_int_equal(rr->ttl, ttl);
}

static inline void
expect_nodata(const struct resp *r, const char *soa_owner, const char *mname)
{
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 0, 1, 0);
	expect_soa(&r->ns[0], soa_owner, mname, ZONE_NEG_TTL);
}

static inline void
expect_no_obs(const struct resp *r)
{
	assert_false(r->out.observed);
	assert_false(r->out.bad_mac);
	assert_false(r->out.expired);
}

#endif
