/* test_answer.c -- the zone logic: answer_query() on crafted queries, responses parsed back.
 *
 * A zone is built by hand (leak.test, ns1, web front, id key), queries come from a small
 * builder, and every response is parsed strictly (counts, compression, rdata lengths, nothing
 * left over) before its records and the observation are checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"

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

static void
set_addr(struct dl_addr *a, const char *text)
{
	assert_int_equal(addr_parse(text, a), DL_E_OK);
}

/* n_ns names ns1..; each with n_addr addresses per family; n_web web addresses per family. */
static void
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

static int
group_setup(void **state)
{
	(void)state;
	zone_build(&zone, 1, 1, 1);
	return 0;
}

/* ---- ids -------------------------------------------------------------------------------- */

static void
make_id(uint32_t created, uint8_t seed, uint8_t id[TESTID_LEN])
{
	const uint8_t random[TESTID_RANDOM_LEN] = {seed, 2, 3, 4, 5, 6};

	testid_make(ID_KEY, created, random, id);
}

/* "<label>-<id>" + suffix, e.g. probe_name(buf, "abc", id, ".leak.test"). */
static const char *
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

struct wbuf {
	uint8_t b[600];
	size_t n;
};

static void
w8(struct wbuf *w, uint8_t v)
{
	assert_true(w->n < sizeof(w->b));
	w->b[w->n++] = v;
}

static void
w16(struct wbuf *w, uint16_t v)
{
	w8(w, (uint8_t)(v >> 8));
	w8(w, (uint8_t)v);
}

static void
wname(struct wbuf *w, const char *dotted)
{
	const char *s = strcmp(dotted, ".") == 0 ? "" : dotted;

	while (*s != '\0') {
		size_t l = strcspn(s, ".");
		w8(w, (uint8_t)l);
		for (size_t i = 0; i < l; i++)
			w8(w, (uint8_t)s[i]);
		s += l;
		if (*s == '.')
			s++;
	}
	w8(w, 0);
}

static void
build_query(struct wbuf *w, const struct qspec *q)
{
	w->n = 0;
	w16(w, QID);
	w16(w, q->flags);
	w16(w, q->qdcount_set ? q->qdcount_override : 1);
	w16(w, 0);
	w16(w, 0);
	w16(w, q->edns ? 1 : 0);
	wname(w, q->name);
	w16(w, q->qtype);
	w16(w, q->qclass ? q->qclass : DNS_CLASS_IN);
	if (!q->edns)
		return;
	w8(w, 0);
	w16(w, DNS_TYPE_OPT);
	w16(w, q->udp);
	w16(w, q->version);
	w16(w, q->do_bit ? 0x8000 : 0);
	size_t octets = (q->ecs_prefix + 7u) / 8u;
	size_t rdlen = (q->ecs ? 8 + octets : 0) + (q->cookie_len ? 4 + q->cookie_len : 0);
	w16(w, (uint16_t)rdlen);
	if (q->ecs) {
		w16(w, DNS_EDNS_OPT_ECS);
		w16(w, (uint16_t)(4 + octets));
		w16(w, q->ecs_family);
		w8(w, q->ecs_prefix);
		w8(w, q->ecs_scope);
		for (size_t i = 0; i < octets; i++)
			w8(w, q->ecs_addr[i]);
	}
	if (q->cookie_len) {
		w16(w, DNS_EDNS_OPT_COOKIE);
		w16(w, (uint16_t)q->cookie_len);
		for (size_t i = 0; i < q->cookie_len; i++)
			w8(w, (uint8_t)(0xc0 + i));
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

static bool
bad(const char *why)
{
	snprintf(R.why, sizeof(R.why), "%s", why);
	return false;
}

/* Read a possibly compressed name; *pos moves past it (past the first pointer). */
static bool
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

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static bool
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

static bool
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

static const struct resp *
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

static const struct resp *
ask(const struct qspec *q, const struct ctx *c)
{
	static struct wbuf w;

	build_query(&w, q);
	const struct resp *r = ask_raw(w.b, w.n, c);
	if (r->len > 0 && r->h.qdcount == 1) {
		/* The question comes back exactly as sent: 0x20 case included. */
		struct wbuf nm = {.n = 0};
		wname(&nm, q->name);
		assert_int_equal(r->qwire_len, nm.n);
		assert_memory_equal(r->qwire, nm.b, nm.n);
		assert_int_equal(r->qtype, q->qtype);
		assert_int_equal(r->qclass, q->qclass ? q->qclass : DNS_CLASS_IN);
	}
	return r;
}

static unsigned
rcode_of(const struct resp *r)
{
	return (r->h.flags & 0xfu) | (unsigned)(r->has_opt ? r->opt_ext << 4 : 0);
}

static bool
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

static void
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
static void
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

static void
expect_nodata(const struct resp *r, const char *soa_owner, const char *mname)
{
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 0, 1, 0);
	expect_soa(&r->ns[0], soa_owner, mname, ZONE_NEG_TTL);
}

static void
expect_no_obs(const struct resp *r)
{
	assert_false(r->out.observed);
	assert_false(r->out.bad_mac);
	assert_false(r->out.expired);
}

/* ---- apex and fixed names ---------------------------------------------------------------- */

static void
test_apex_soa(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_SOA}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_soa(&r->an[0], "leak.test.", "ns1.leak.test.", ZONE_TTL);
	assert_false(r->has_opt);
	assert_int_equal(r->out.rcode, DNS_RCODE_NOERROR);
	expect_no_obs(r);

	/* RFC 8482: ANY gets one RRset, the SOA. */
	r = ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_ANY}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_soa(&r->an[0], "leak.test.", "ns1.leak.test.", ZONE_TTL);
}

static void
test_apex_ns(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_NS}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 2);
	assert_int_equal(r->an[0].type, DNS_TYPE_NS);
	assert_string_equal(r->an[0].owner, "leak.test.");
	assert_string_equal(r->an[0].name, "ns1.leak.test.");
	assert_int_equal(r->an[0].ttl, ZONE_TTL);
	expect_addr(&r->ar[0], "ns1.leak.test.", "192.0.2.53", ZONE_TTL);
	expect_addr(&r->ar[1], "ns1.leak.test.", "2001:db8::53", ZONE_TTL);
}

static void
test_apex_addresses(void **state)
{
	(void)state;
	const struct resp *r = ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "leak.test.", "192.0.2.80", ZONE_APEX_TTL);

	r = ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_AAAA}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "leak.test.", "2001:db8::80", ZONE_APEX_TTL);

	/* Case of the question is kept in the owner (it is a pointer to the question). */
	r = ask(&(struct qspec){.name = "LEAK.test", .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "LEAK.test.", "192.0.2.80", ZONE_APEX_TTL);

	static const uint16_t nodata_types[] = {DNS_TYPE_MX,    DNS_TYPE_TXT, DNS_TYPE_DS,
	                                        DNS_TYPE_CNAME, DNS_TYPE_PTR, 65};
	for (size_t i = 0; i < sizeof(nodata_types) / sizeof(nodata_types[0]); i++) {
		r = ask(&(struct qspec){.name = "leak.test", .qtype = nodata_types[i]}, NULL);
		expect_nodata(r, "leak.test.", "ns1.leak.test.");
	}
}

static void
test_ns_host(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "ns1.leak.test", .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "ns1.leak.test.", "192.0.2.53", ZONE_TTL);

	r = ask(&(struct qspec){.name = "Ns1.leak.test", .qtype = DNS_TYPE_AAAA}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "Ns1.leak.test.", "2001:db8::53", ZONE_TTL);

	r = ask(&(struct qspec){.name = "ns1.leak.test", .qtype = DNS_TYPE_MX}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	expect_no_obs(r);
}

static void
test_ns_v4_v6(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "ns-v4.leak.test", .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "ns-v4.leak.test.", "192.0.2.53", ZONE_TTL);

	r = ask(&(struct qspec){.name = "ns-v4.leak.test", .qtype = DNS_TYPE_AAAA}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");

	r = ask(&(struct qspec){.name = "ns-v6.leak.test", .qtype = DNS_TYPE_AAAA}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "ns-v6.leak.test.", "2001:db8::53", ZONE_TTL);

	r = ask(&(struct qspec){.name = "ns-v6.leak.test", .qtype = DNS_TYPE_A}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");

	/* With several name servers, ns-v4 carries every IPv4 glue address of all of them. */
	static struct zone z3;
	zone_build(&z3, 3, 2, 1);
	r = ask(&(struct qspec){.name = "ns-v4.leak.test", .qtype = DNS_TYPE_A},
	        &(struct ctx){.z = &z3});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 6, 0, 0);
	expect_addr(&r->an[0], "ns-v4.leak.test.", "192.0.2.53", ZONE_TTL);
	expect_addr(&r->an[5], "ns-v4.leak.test.", "192.0.2.74", ZONE_TTL);
}

/* ---- probes ------------------------------------------------------------------------------ */

static void
test_probe_records(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char name[128];

	make_id(NOW_S - 10, 1, id);
	probe_name(name, sizeof(name), "abc", id, ".leak.test");

	const struct resp *r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	char owner[160];
	snprintf(owner, sizeof(owner), "%s.", name);
	expect_addr(&r->an[0], owner, "192.0.2.80", 0);
	assert_true(r->out.observed);

	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_AAAA}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], owner, "2001:db8::80", 0);
	assert_true(r->out.observed);

	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_TXT}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(r->an[0].type, DNS_TYPE_TXT);
	assert_string_equal(r->an[0].owner, owner);
	assert_int_equal(r->an[0].ttl, 0);
	assert_string_equal(r->an[0].txt, PEER4);
	assert_true(r->out.observed);

	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_TXT}, &(struct ctx){.peer = PEER6});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_string_equal(r->an[0].txt, PEER6);

	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_MX}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	assert_true(r->out.observed);
	assert_int_equal(r->out.obs.qtype, DNS_TYPE_MX);

	/* Every web address is returned. */
	static struct zone z;
	zone_build(&z, 1, 1, 3);
	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_AAAA}, &(struct ctx){.z = &z});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 3, 0, 0);
	expect_addr(&r->an[2], owner, "2001:db8::82", 0);
}

static void
test_probe_observation(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char name[128];

	make_id(NOW_S - 100, 2, id);
	probe_name(name, sizeof(name), "n0nce", id, ".leak.test");

	/* UDP over IPv4, no EDNS. */
	const struct resp *r =
	    ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A, .flags = 0}, NULL);
	assert_true(r->out.observed);
	const struct observation *o = &r->out.obs;
	assert_int_equal(o->time_us, NOW_US);
	assert_memory_equal(o->id, id, TESTID_LEN);
	assert_string_equal(o->nonce, "n0nce");
	assert_int_equal(o->name, OBS_PROBE);
	assert_int_equal(o->transport, OBS_UDP);
	assert_int_equal(o->family, 4);
	static const uint8_t peer4[] = {192, 0, 2, 1};
	assert_memory_equal(o->addr, peer4, 4);
	assert_int_equal(o->port, PEER_PORT);
	assert_int_equal(o->qtype, DNS_TYPE_A);
	assert_int_equal(o->flags, 0);
	assert_int_equal(o->edns_udp_size, 0);
	assert_int_equal(o->node, 7);
	assert_int_equal(o->ecs_family, 0);
	assert_false(r->out.bad_mac);
	assert_false(r->out.expired);

	/* TCP over IPv6, RD, EDNS 1400 with DO, a cookie and ECS v4 /24. */
	r = ask(&(struct qspec){.name = name,
	                        .qtype = DNS_TYPE_AAAA,
	                        .flags = DNS_FLAG_RD,
	                        .edns = true,
	                        .udp = 1400,
	                        .do_bit = true,
	                        .cookie_len = 8,
	                        .ecs = true,
	                        .ecs_family = 1,
	                        .ecs_prefix = 24,
	                        .ecs_addr = {198, 51, 100}},
	        &(struct ctx){.peer = PEER6, .tcp = true});
	assert_true(r->out.observed);
	o = &r->out.obs;
	assert_int_equal(o->transport, OBS_TCP);
	assert_int_equal(o->family, 6);
	static const uint8_t peer6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	assert_memory_equal(o->addr, peer6, 16);
	assert_int_equal(o->qtype, DNS_TYPE_AAAA);
	assert_int_equal(o->flags, OBS_F_RD | OBS_F_EDNS | OBS_F_DO | OBS_F_COOKIE);
	assert_int_equal(o->edns_udp_size, 1400);
	assert_int_equal(o->ecs_family, 4);
	assert_int_equal(o->ecs_source_prefix, 24);
	static const uint8_t ecs4[] = {198, 51, 100, 0};
	assert_memory_equal(o->ecs_addr, ecs4, 4);

	/* ECS v6 and a 16-byte cookie. */
	r = ask(&(struct qspec){.name = name,
	                        .qtype = DNS_TYPE_A,
	                        .edns = true,
	                        .udp = 1232,
	                        .cookie_len = 16,
	                        .ecs = true,
	                        .ecs_family = 2,
	                        .ecs_prefix = 48,
	                        .ecs_addr = {0x20, 0x01, 0x0d, 0xb8, 0xab, 0xcd}},
	        NULL);
	o = &r->out.obs;
	assert_int_equal(o->flags, OBS_F_EDNS | OBS_F_COOKIE);
	assert_int_equal(o->ecs_family, 6);
	assert_int_equal(o->ecs_source_prefix, 48);
	static const uint8_t ecs6[16] = {0x20, 0x01, 0x0d, 0xb8, 0xab, 0xcd};
	assert_memory_equal(o->ecs_addr, ecs6, 16);
}

/* 0x20: the question and the answer owner keep the query's exact case. */
static void
test_probe_case_echo(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char name[128];

	make_id(NOW_S, 3, id);
	probe_name(name, sizeof(name), "AbC", id, ".LeAk.tEsT");
	for (size_t i = 4; i < 4 + TESTID_TEXT_LEN; i += 3) /* and some id letters */
		if (name[i] >= 'a' && name[i] <= 'z')
			name[i] = (char)(name[i] - 32);

	const struct resp *r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	char owner[160];
	snprintf(owner, sizeof(owner), "%s.", name);
	assert_string_equal(r->qname, owner);
	assert_string_equal(r->an[0].owner, owner);
	assert_true(r->out.observed);
	assert_memory_equal(r->out.obs.id, id, TESTID_LEN);
	assert_string_equal(r->out.obs.nonce, "abc");
}

/* OBS_F_CASE records that the resolver randomised the case of the probe label. */
static void
test_probe_case_flag(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char name[160];

	make_id(NOW_S, 3, id);
	static const char *const suffixes[] = {".leak.test", ".ns4.leak.test"};
	for (size_t s = 0; s < 2; s++) {
		/* Upper case anywhere in the name counts, the zone part included. */
		probe_name(name, sizeof(name), "abc", id, s == 0 ? ".leak.TEST" : ".nS4.leak.test");
		const struct resp *r =
		    ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
		assert_true(r->out.observed);
		assert_true(r->out.obs.flags & OBS_F_CASE);

		probe_name(name, sizeof(name), "aBc", id, suffixes[s]);
		r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
		assert_true(r->out.observed);
		if (!(r->out.obs.flags & OBS_F_CASE))
			fail_msg("%s: OBS_F_CASE not set (flags 0x%x)", name, r->out.obs.flags);

		/* All lowercase: no flag. */
		probe_name(name, sizeof(name), "abc", id, suffixes[s]);
		r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
		assert_true(r->out.observed);
		assert_false(r->out.obs.flags & OBS_F_CASE);
	}
}

static void
test_probe_bad_mac(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char name[128];

	make_id(NOW_S, 4, id);
	id[12] ^= 0x01;
	probe_name(name, sizeof(name), "abc", id, ".leak.test");
	const struct resp *r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_false(r->out.observed);
	assert_true(r->out.bad_mac);
	assert_false(r->out.expired);

	/* An id made with another key is no better. */
	uint8_t other_key[TESTID_KEY_LEN] = {0};
	const uint8_t rnd[TESTID_RANDOM_LEN] = {1, 2, 3, 4, 5, 6};
	testid_make(other_key, NOW_S, rnd, id);
	probe_name(name, sizeof(name), "v4", id, ".leak.test");
	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_false(r->out.observed);
	assert_true(r->out.bad_mac);
}

static void
test_probe_expiry(void **state)
{
	(void)state;
	static const struct {
		int64_t age_s; /* now - created */
		bool expired;
	} cases[] = {
	    {0, false},    {599, false},  {600, false}, {601, true},
	    {86400, true}, {-300, false}, {-301, true}, {-86400, true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t id[TESTID_LEN];
		char name[128];
		make_id((uint32_t)((int64_t)NOW_S - cases[i].age_s), 5, id);
		probe_name(name, sizeof(name), "abc", id, ".leak.test");
		const struct resp *r =
		    ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
		EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0); /* answered either way */
		if (r->out.expired != cases[i].expired || r->out.observed == cases[i].expired)
			fail_msg("age %lld: expired %d observed %d", (long long)cases[i].age_s,
			         r->out.expired, r->out.observed);
		assert_false(r->out.bad_mac);
	}
}

static void
test_exit_names(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char v4[128], v6[128], owner[160];

	make_id(NOW_S - 1, 6, id);
	probe_name(v4, sizeof(v4), "v4", id, ".leak.test");
	probe_name(v6, sizeof(v6), "v6", id, ".leak.test");

	const struct resp *r = ask(&(struct qspec){.name = v4, .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	snprintf(owner, sizeof(owner), "%s.", v4);
	expect_addr(&r->an[0], owner, "192.0.2.80", 0);
	assert_true(r->out.observed);
	assert_int_equal(r->out.obs.name, OBS_EXIT_V4);
	assert_string_equal(r->out.obs.nonce, "v4");

	r = ask(&(struct qspec){.name = v4, .qtype = DNS_TYPE_AAAA}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	r = ask(&(struct qspec){.name = v4, .qtype = DNS_TYPE_TXT}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	r = ask(&(struct qspec){.name = v4, .qtype = DNS_TYPE_ANY}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(r->an[0].type, DNS_TYPE_A);

	r = ask(&(struct qspec){.name = v6, .qtype = DNS_TYPE_AAAA}, &(struct ctx){.peer = PEER6});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	snprintf(owner, sizeof(owner), "%s.", v6);
	expect_addr(&r->an[0], owner, "2001:db8::80", 0);
	assert_true(r->out.observed);
	assert_int_equal(r->out.obs.name, OBS_EXIT_V6);
	assert_int_equal(r->out.obs.family, 6);

	r = ask(&(struct qspec){.name = v6, .qtype = DNS_TYPE_A}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	r = ask(&(struct qspec){.name = v6, .qtype = DNS_TYPE_ANY}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(r->an[0].type, DNS_TYPE_AAAA);
}

static void
test_whoami(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "whoami.leak.test", .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "whoami.leak.test.", PEER4, 0);
	expect_no_obs(r);

	r = ask(&(struct qspec){.name = "whoami.leak.test", .qtype = DNS_TYPE_AAAA}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");

	r = ask(&(struct qspec){.name = "WhoAmI.leak.test", .qtype = DNS_TYPE_TXT}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_string_equal(r->an[0].owner, "WhoAmI.leak.test.");
	assert_string_equal(r->an[0].txt, PEER4);
	assert_int_equal(r->an[0].ttl, 0);

	const struct ctx v6 = {.peer = PEER6};
	r = ask(&(struct qspec){.name = "whoami.leak.test", .qtype = DNS_TYPE_AAAA}, &v6);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "whoami.leak.test.", PEER6, 0);
	r = ask(&(struct qspec){.name = "whoami.leak.test", .qtype = DNS_TYPE_A}, &v6);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	r = ask(&(struct qspec){.name = "whoami.leak.test", .qtype = DNS_TYPE_TXT}, &v6);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_string_equal(r->an[0].txt, PEER6);
	expect_no_obs(r);
}

/* ---- the ns4 / ns6 delegations ------------------------------------------------------------ */

/* <probe>.nsF.leak.test over its own family: the child answers, AA, and it is observed. */
static void
check_child_probe_served(uint8_t family)
{
	uint8_t id[TESTID_LEN];
	char name[160], owner[170];
	const char *suffix = family == 4 ? ".ns4.leak.test" : ".ns6.leak.test";

	make_id(NOW_S - 5, 7, id);
	probe_name(name, sizeof(name), "xyz", id, suffix);
	snprintf(owner, sizeof(owner), "%s.", name);
	const struct ctx c = {.peer = family == 4 ? PEER4 : PEER6, .local_family = family};

	const struct resp *r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, &c);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], owner, "192.0.2.80", 0);
	assert_true(r->out.observed);
	assert_int_equal(r->out.obs.name, family == 4 ? OBS_PROBE_NS4 : OBS_PROBE_NS6);
	assert_false(r->out.obs.flags & OBS_F_REFERRAL);
	assert_string_equal(r->out.obs.nonce, "xyz");
	assert_memory_equal(r->out.obs.id, id, TESTID_LEN);
	assert_int_equal(r->out.obs.family, family);

	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_AAAA}, &c);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], owner, "2001:db8::80", 0);

	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_TXT}, &c);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_string_equal(r->an[0].txt, family == 4 ? PEER4 : PEER6);

	/* NODATA inside the child carries the child's SOA. */
	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_MX}, &c);
	expect_nodata(r, family == 4 ? "ns4.leak.test." : "ns6.leak.test.",
	              family == 4 ? "ns-v4.leak.test." : "ns-v6.leak.test.");
	assert_true(r->out.observed);
}

/* The same name over the other family: the parent's referral to ns-vF, glue of family F only. */
static void
check_child_probe_referral(uint8_t family)
{
	uint8_t id[TESTID_LEN];
	char name[160];
	const char *suffix = family == 4 ? ".Ns4.leak.test" : ".Ns6.leak.test";
	uint8_t other = family == 4 ? 6 : 4;

	make_id(NOW_S - 5, 8, id);
	probe_name(name, sizeof(name), "xyz", id, suffix);
	const struct ctx c = {.peer = other == 4 ? PEER4 : PEER6, .local_family = other};

	static const uint16_t qtypes[] = {DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_TXT, DNS_TYPE_NS,
	                                  DNS_TYPE_DS};
	for (size_t i = 0; i < sizeof(qtypes) / sizeof(qtypes[0]); i++) {
		const struct resp *r = ask(&(struct qspec){.name = name, .qtype = qtypes[i]}, &c);
		EXPECT_COUNTS(r, DNS_RCODE_NOERROR, false, 0, 1, 1);
		assert_int_equal(r->ns[0].type, DNS_TYPE_NS);
		/* The delegation point keeps the question's case: it points into the question. */
		assert_string_equal(r->ns[0].owner,
		                    family == 4 ? "Ns4.leak.test." : "Ns6.leak.test.");
		assert_string_equal(r->ns[0].name,
		                    family == 4 ? "ns-v4.leak.test." : "ns-v6.leak.test.");
		assert_int_equal(r->ns[0].ttl, ZONE_TTL);
		expect_addr(&r->ar[0], family == 4 ? "ns-v4.leak.test." : "ns-v6.leak.test.",
		            family == 4 ? "192.0.2.53" : "2001:db8::53", ZONE_TTL);
		assert_true(r->out.observed);
		assert_int_equal(r->out.obs.name, family == 4 ? OBS_PROBE_NS4 : OBS_PROBE_NS6);
		assert_true(r->out.obs.flags & OBS_F_REFERRAL);
		assert_int_equal(r->out.obs.family, other);
		assert_int_equal(r->out.obs.qtype, qtypes[i]);
	}
}

static void
test_ns4_probe_over_v4(void **state)
{
	(void)state;
	check_child_probe_served(4);
}

static void
test_ns4_probe_over_v6_referral(void **state)
{
	(void)state;
	check_child_probe_referral(4);
}

static void
test_ns6_probe_over_v6(void **state)
{
	(void)state;
	check_child_probe_served(6);
}

static void
test_ns6_probe_over_v4_referral(void **state)
{
	(void)state;
	check_child_probe_referral(6);
}

/* The child apexes: empty of data but never NXDOMAIN (DESIGN.md 2). */
static void
check_child_apex(uint8_t family)
{
	const char *apex = family == 4 ? "ns4.leak.test" : "ns6.leak.test";
	const char *apex_dot = family == 4 ? "ns4.leak.test." : "ns6.leak.test.";
	const char *mname = family == 4 ? "ns-v4.leak.test." : "ns-v6.leak.test.";
	const struct ctx own = {.peer = family == 4 ? PEER4 : PEER6, .local_family = family};
	const struct ctx other = {.peer = family == 4 ? PEER6 : PEER4,
	                          .local_family = (uint8_t)(family == 4 ? 6 : 4)};

	const struct resp *r = ask(&(struct qspec){.name = apex, .qtype = DNS_TYPE_A}, &own);
	expect_nodata(r, apex_dot, mname);
	r = ask(&(struct qspec){.name = apex, .qtype = DNS_TYPE_AAAA}, &own);
	expect_nodata(r, apex_dot, mname);
	r = ask(&(struct qspec){.name = apex, .qtype = DNS_TYPE_TXT}, &own);
	expect_nodata(r, apex_dot, mname);

	r = ask(&(struct qspec){.name = apex, .qtype = DNS_TYPE_SOA}, &own);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_soa(&r->an[0], apex_dot, mname, ZONE_TTL);

	r = ask(&(struct qspec){.name = apex, .qtype = DNS_TYPE_NS}, &own);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 1);
	assert_string_equal(r->an[0].owner, apex_dot);
	assert_string_equal(r->an[0].name, mname);
	expect_addr(&r->ar[0], mname, family == 4 ? "192.0.2.53" : "2001:db8::53", ZONE_TTL);
	expect_no_obs(r);

	/* From the parent's side (the other family) the child apex is a referral. */
	r = ask(&(struct qspec){.name = apex, .qtype = DNS_TYPE_A}, &other);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, false, 0, 1, 1);
	assert_string_equal(r->ns[0].owner, apex_dot);
	assert_string_equal(r->ns[0].name, mname);
	expect_no_obs(r);

	/* Below the child apex, a name that is not a probe is NXDOMAIN with the child SOA. */
	char deep[64];
	snprintf(deep, sizeof(deep), "nope.%s", apex);
	r = ask(&(struct qspec){.name = deep, .qtype = DNS_TYPE_A}, &own);
	EXPECT_COUNTS(r, DNS_RCODE_NXDOMAIN, true, 0, 1, 0);
	expect_soa(&r->ns[0], apex_dot, mname, ZONE_NEG_TTL);
	snprintf(deep, sizeof(deep), "a.b.%s", apex);
	r = ask(&(struct qspec){.name = deep, .qtype = DNS_TYPE_A}, &own);
	EXPECT_COUNTS(r, DNS_RCODE_NXDOMAIN, true, 0, 1, 0);
	r = ask(&(struct qspec){.name = deep, .qtype = DNS_TYPE_A}, &other);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, false, 0, 1, 1); /* the parent only refers */
}

static void
test_ns4_apex(void **state)
{
	(void)state;
	check_child_apex(4);
}

static void
test_ns6_apex(void **state)
{
	(void)state;
	check_child_apex(6);
}

/* DS for a child is the parent's data: NODATA with the parent's SOA (the zone is unsigned). */
static void
test_ds_at_child_parent_side(void **state)
{
	(void)state;
	const struct resp *r = ask(&(struct qspec){.name = "ns4.leak.test", .qtype = DNS_TYPE_DS},
	                           &(struct ctx){.peer = PEER6, .local_family = 6});
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	r = ask(&(struct qspec){.name = "ns6.leak.test", .qtype = DNS_TYPE_DS},
	        &(struct ctx){.peer = PEER4, .local_family = 4});
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
}

/*
 * RFC 4035 3.1.4.1: a server authoritative for both parent and child answers DS from the
 * parent. Over IPv4 dnsleakd serves leak.test and ns4.leak.test, so DS ns4.leak.test is the
 * parent's NODATA (SOA leak.test), not the child's.
 */
static void
test_ds_at_child_both_sides(void **state)
{
	(void)state;
	const struct resp *r = ask(&(struct qspec){.name = "ns4.leak.test", .qtype = DNS_TYPE_DS},
	                           &(struct ctx){.peer = PEER4, .local_family = 4});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 0, 1, 0);
	assert_string_equal(r->ns[0].owner, "leak.test.");
}

/* ---- names that do not exist, or are not ours ---------------------------------------------- */

static void
test_nxdomain(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char probe_deep[160], not_probe[160];

	make_id(NOW_S, 9, id);
	probe_name(probe_deep, sizeof(probe_deep), "deeper.abc", id, ".leak.test");
	probe_name(not_probe, sizeof(not_probe), "abc", id, "x.leak.test");
	const char *names[] = {
	    "nosuch.leak.test",  "a.b.leak.test", "x.ns1.leak.test", "x.whoami.leak.test",
	    "x.ns-v4.leak.test", "ns2.leak.test", "ns-v5.leak.test", "_dmarc.leak.test",
	    probe_deep,          not_probe,
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct resp *r =
		    ask(&(struct qspec){.name = names[i], .qtype = DNS_TYPE_A}, NULL);
		if (rcode_of(r) != DNS_RCODE_NXDOMAIN)
			fail_msg("%s: rcode %u", names[i], rcode_of(r));
		EXPECT_COUNTS(r, DNS_RCODE_NXDOMAIN, true, 0, 1, 0);
		expect_soa(&r->ns[0], "leak.test.", "ns1.leak.test.", ZONE_NEG_TTL);
		assert_int_equal(r->out.rcode, DNS_RCODE_NXDOMAIN);
		expect_no_obs(r);
	}
}

static void
check_refused(const struct qspec *q, const char *what)
{
	const struct resp *r = ask(q, NULL);

	if (r->len == 0 || rcode_of(r) != DNS_RCODE_REFUSED)
		fail_msg("%s: len %zu rcode %u", what, r->len, r->len ? rcode_of(r) : 99u);
	EXPECT_COUNTS(r, DNS_RCODE_REFUSED, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 1);
	assert_int_equal(r->out.rcode, DNS_RCODE_REFUSED);
	expect_no_obs(r);
}

static void
test_refused(void **state)
{
	(void)state;
	static const char *const outside[] = {"example.com",    "xleak.test", "test",    ".",
	                                      "leak.test.evil", "leak.tesu",  "eak.test"};

	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		check_refused(&(struct qspec){.name = outside[i], .qtype = DNS_TYPE_A}, outside[i]);
	check_refused(
	    &(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_TXT, .qclass = DNS_CLASS_CH},
	    "class CH");
	check_refused(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A, .qclass = 4},
	              "class HS");
	check_refused(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_AXFR}, "AXFR");
	check_refused(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_IXFR}, "IXFR");

	/* With EDNS the refusal carries an OPT. */
	const struct resp *r = ask(
	    &(struct qspec){.name = "example.com", .qtype = DNS_TYPE_A, .edns = true, .udp = 1232},
	    NULL);
	assert_int_equal(rcode_of(r), DNS_RCODE_REFUSED);
	assert_true(r->has_opt);

	/* Class ANY is answered like IN. */
	r = ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A, .qclass = DNS_CLASS_ANY},
	        NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
}

/* ---- errors and silence ------------------------------------------------------------------- */

static void
test_formerr_qtype_opt(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_OPT}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_FORMERR, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 1);
	assert_false(r->has_opt);

	r = ask(
	    &(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_OPT, .edns = true, .udp = 1232},
	    NULL);
	assert_int_equal(rcode_of(r), DNS_RCODE_FORMERR);
	assert_true(r->has_opt);
}

static void
test_notimp(void **state)
{
	(void)state;
	static const uint16_t opcodes[] = {1, 2, 4, 5, 15};

	for (size_t i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++) {
		uint16_t flags = (uint16_t)(opcodes[i] << 11 | DNS_FLAG_RD);
		const struct resp *r =
		    ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_SOA, .flags = flags},
		        NULL);
		EXPECT_COUNTS(r, DNS_RCODE_NOTIMP, false, 0, 0, 0);
		assert_int_equal(DNS_OPCODE(r->h.flags), opcodes[i]);
		assert_int_equal(r->h.qdcount, 1);
		assert_int_equal(r->out.rcode, DNS_RCODE_NOTIMP);
	}
	/* Unknown opcode and a bad question: NOTIMP, no question. */
	static const uint8_t q[] = {0x12, 0x34, 0x10, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12};
	const struct resp *r = ask_raw(q, sizeof(q), NULL);
	assert_int_equal(rcode_of(r), DNS_RCODE_NOTIMP);
	assert_int_equal(r->h.qdcount, 0);
}

static void
test_silence(void **state)
{
	(void)state;
	struct wbuf w;

	/* QR=1: never answer an answer. */
	build_query(
	    &w, &(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A, .flags = DNS_FLAG_QR});
	assert_int_equal(ask_raw(w.b, w.n, NULL)->len, 0);
	build_query(&w, &(struct qspec){.name = "leak.test",
	                                .qtype = DNS_TYPE_A,
	                                .flags = DNS_FLAG_QR | 0x2000});
	assert_int_equal(ask_raw(w.b, w.n, NULL)->len, 0);
	/* QR=1 with a garbage body. */
	static const uint8_t qr_junk[] = {1, 2, 0x80, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0xff};
	assert_int_equal(ask_raw(qr_junk, sizeof(qr_junk), NULL)->len, 0);

	/* Runts. */
	build_query(&w, &(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A});
	for (size_t n = 0; n < DNS_HEADER_LEN; n++) {
		const struct resp *r = ask_raw(w.b, n, NULL);
		if (r->len != 0)
			fail_msg("%zu-byte query answered", n);
		assert_false(r->out.observed);
	}
}

static void
test_formerr(void **state)
{
	(void)state;
	struct wbuf w;

	/* QDCOUNT 2: FORMERR, and no question (there is not exactly one to echo). */
	build_query(&w, &(struct qspec){.name = "leak.test",
	                                .qtype = DNS_TYPE_A,
	                                .qdcount_set = true,
	                                .qdcount_override = 2});
	const struct resp *r = ask_raw(w.b, w.n, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_FORMERR, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 0);
	assert_int_equal(r->len, DNS_HEADER_LEN);
	assert_int_equal(r->out.rcode, DNS_RCODE_FORMERR);

	build_query(&w, &(struct qspec){.name = "leak.test",
	                                .qtype = DNS_TYPE_A,
	                                .qdcount_set = true,
	                                .qdcount_override = 0});
	r = ask_raw(w.b, w.n, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_FORMERR, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 0);

	/* Exactly the header. */
	r = ask_raw(w.b, DNS_HEADER_LEN, NULL);
	assert_int_equal(rcode_of(r), DNS_RCODE_FORMERR);

	/* A compressed question name. */
	static const uint8_t ptr[] = {0x12, 0x34, 0, 0,    0,  1, 0, 0, 0,
	                              0,    0,    0, 0xC0, 12, 0, 1, 0, 1};
	r = ask_raw(ptr, sizeof(ptr), NULL);
	EXPECT_COUNTS(r, DNS_RCODE_FORMERR, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 0);

	/* Trailing garbage after a good question: FORMERR echoing the question. */
	build_query(&w, &(struct qspec){.name = "Leak.test", .qtype = DNS_TYPE_A});
	w8(&w, 0);
	r = ask_raw(w.b, w.n, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_FORMERR, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 1);
	assert_string_equal(r->qname, "Leak.test.");

	/* A bad ECS option in a probe query: FORMERR, and the probe is not observed. */
	uint8_t id[TESTID_LEN];
	char name[128];
	make_id(NOW_S, 10, id);
	probe_name(name, sizeof(name), "abc", id, ".leak.test");
	build_query(&w, &(struct qspec){.name = name,
	                                .qtype = DNS_TYPE_A,
	                                .edns = true,
	                                .udp = 1232,
	                                .ecs = true,
	                                .ecs_family = 1,
	                                .ecs_prefix = 8,
	                                .ecs_addr = {10}});
	w.b[w.n - 4] = 3; /* ECS family 1 -> 3 */
	r = ask_raw(w.b, w.n, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_FORMERR, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 1);
	expect_no_obs(r);
}

static void
test_badvers(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char name[128];

	make_id(NOW_S, 11, id);
	probe_name(name, sizeof(name), "abc", id, ".leak.test");
	const struct resp *r = ask(&(struct qspec){.name = name,
	                                           .qtype = DNS_TYPE_A,
	                                           .edns = true,
	                                           .udp = 1232,
	                                           .version = 1,
	                                           .do_bit = true},
	                           NULL);
	assert_int_equal(r->h.flags & 0xf, 0); /* BADVERS is 16: its low bits are 0 */
	assert_true(r->has_opt);
	assert_int_equal(r->opt_ext, 1);
	assert_int_equal(r->opt_version, 0);
	assert_int_equal(r->opt_udp, DNS_UDP_MAX);
	assert_true(r->opt_do);
	assert_int_equal(rcode_of(r), DNS_RCODE_BADVERS);
	assert_int_equal(r->out.rcode, DNS_RCODE_BADVERS);
	assert_int_equal(r->h.qdcount, 1);
	assert_int_equal(r->n_an + r->n_ns + r->n_ar, 0);
	expect_no_obs(r);
}

/* ---- EDNS, sizes and truncation ------------------------------------------------------------ */

static void
test_edns_echo(void **state)
{
	(void)state;
	const struct resp *r = ask(&(struct qspec){.name = "leak.test",
	                                           .qtype = DNS_TYPE_A,
	                                           .edns = true,
	                                           .udp = 4096,
	                                           .do_bit = true},
	                           NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_true(r->has_opt);
	assert_int_equal(r->opt_udp, DNS_UDP_MAX);
	assert_true(r->opt_do);
	assert_int_equal(r->opt_ext, 0);
	assert_int_equal(r->opt_version, 0);
	assert_int_equal(r->opt_rdlen, 0);

	r = ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A, .edns = true, .udp = 512},
	        NULL);
	assert_true(r->has_opt);
	assert_false(r->opt_do);

	/* A cookie is accepted and not echoed (no server cookie support). */
	r = ask(&(struct qspec){.name = "leak.test",
	                        .qtype = DNS_TYPE_A,
	                        .edns = true,
	                        .udp = 1232,
	                        .cookie_len = 8},
	        NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(r->opt_rdlen, 0);
}

static void
test_ecs_echo(void **state)
{
	(void)state;
	const struct resp *r = ask(&(struct qspec){.name = "leak.test",
	                                           .qtype = DNS_TYPE_A,
	                                           .edns = true,
	                                           .udp = 1232,
	                                           .ecs = true,
	                                           .ecs_family = 1,
	                                           .ecs_prefix = 24,
	                                           .ecs_scope = 16,
	                                           .ecs_addr = {192, 0, 2}},
	                           NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	static const uint8_t want4[] = {0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2};
	assert_int_equal(r->opt_rdlen, sizeof(want4));
	assert_memory_equal(r->opt_rdata, want4, sizeof(want4));

	r = ask(&(struct qspec){.name = "leak.test",
	                        .qtype = DNS_TYPE_AAAA,
	                        .edns = true,
	                        .udp = 1232,
	                        .ecs = true,
	                        .ecs_family = 2,
	                        .ecs_prefix = 0},
	        NULL);
	static const uint8_t want0[] = {0, 8, 0, 4, 0, 2, 0, 0};
	assert_int_equal(r->opt_rdlen, sizeof(want0));
	assert_memory_equal(r->opt_rdata, want0, sizeof(want0));

	/* Also on refusals and NXDOMAIN. */
	r = ask(&(struct qspec){.name = "nx.leak.test",
	                        .qtype = DNS_TYPE_A,
	                        .edns = true,
	                        .udp = 1232,
	                        .ecs = true,
	                        .ecs_family = 2,
	                        .ecs_prefix = 56,
	                        .ecs_addr = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x23}},
	        NULL);
	assert_int_equal(rcode_of(r), DNS_RCODE_NXDOMAIN);
	static const uint8_t want6[] = {0,    8,    0,    11,   0, 2, 56,  0,
	                                0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x23};
	assert_int_equal(r->opt_rdlen, sizeof(want6));
	assert_memory_equal(r->opt_rdata, want6, sizeof(want6));
}

static void
test_header_flags(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "leak.test",
	                        .qtype = DNS_TYPE_A,
	                        .flags = DNS_FLAG_RD | DNS_FLAG_CD | DNS_FLAG_AD | DNS_FLAG_TC |
	                                 DNS_FLAG_AA | DNS_FLAG_RA},
	        NULL);
	assert_int_equal(r->h.id, QID);
	assert_true(r->h.flags & DNS_FLAG_RD);
	assert_true(r->h.flags & DNS_FLAG_CD);
	assert_false(r->h.flags & DNS_FLAG_TC);
	assert_false(r->h.flags & DNS_FLAG_RA);
	assert_true(r->h.flags & DNS_FLAG_AA);
	assert_int_equal(DNS_OPCODE(r->h.flags), 0);

	r = ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A}, NULL);
	assert_false(r->h.flags & DNS_FLAG_RD);
	assert_false(r->h.flags & DNS_FLAG_CD);
	assert_int_equal(r->h.flags & 0x0040, 0); /* Z */

	static const uint8_t q[] = {0x00, 0x00, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1};
	r = ask_raw(q, sizeof(q), NULL);
	assert_int_equal(r->h.id, 0);
	assert_int_equal(rcode_of(r), DNS_RCODE_REFUSED); /* the root is not ours */
}

/*
 * A zone whose NS answer is about 930 bytes: over 512, under 1232. The answer is sized over TCP
 * first; then UDP must deliver it exactly when the advertised size allows and say TC otherwise.
 */
static void
test_udp_size(void **state)
{
	(void)state;
	static struct zone big;
	zone_build(&big, 4, 4, 1);
	struct qspec q = {.name = "leak.test", .qtype = DNS_TYPE_NS, .edns = true, .udp = 4096};

	const struct resp *r = ask(&q, &(struct ctx){.z = &big, .tcp = true});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 4, 0, 32);
	size_t full = r->len;
	assert_true(full > DNS_UDP_MIN + 20 && full < DNS_UDP_MAX);

	/* 4096 is clamped to what we honour, and the whole answer fits. */
	r = ask(&q, &(struct ctx){.z = &big});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 4, 0, 32);
	assert_int_equal(r->len, full);
	assert_int_equal(r->opt_udp, DNS_UDP_MAX);

	static const struct {
		bool edns;
		uint16_t udp;
		int fits; /* 1: whole answer; 0: TC */
	} cases[] = {
	    {false, 0, 0},  {true, 0, 0},    {true, 100, 0},   {true, 512, 0},
	    {true, 513, 0}, {true, 1232, 1}, {true, 65535, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		q.edns = cases[i].edns;
		q.udp = cases[i].udp;
		r = ask(&q, &(struct ctx){.z = &big});
		if (r->len == 0)
			fail_msg("edns %d size %u: no response", cases[i].edns, cases[i].udp);
		assert_true(r->len <= (cases[i].fits ? DNS_UDP_MAX : DNS_UDP_MIN));
		assert_int_equal(!(r->h.flags & DNS_FLAG_TC), cases[i].fits);
		assert_int_equal(r->n_an, cases[i].fits ? 4 : 0);
		assert_int_equal(r->has_opt, cases[i].edns);
	}

	/* The exact boundary: the advertised size is honoured to the byte. */
	q.edns = true;
	for (size_t size = full - 14; size <= full + 1; size++) {
		q.udp = (uint16_t)size;
		r = ask(&q, &(struct ctx){.z = &big});
		if (r->len == 0)
			fail_msg("EDNS size %zu (answer %zu bytes): no response at all, not TC",
			         size, full);
		bool fits = size >= full;
		assert_int_equal(!(r->h.flags & DNS_FLAG_TC), fits);
		assert_int_equal(r->len, fits ? full : r->len);
		assert_true(r->len <= size);
		assert_true(r->has_opt);
		assert_int_equal(r->n_an + r->n_ns + r->n_ar, fits ? 36 : 0);
	}
}

/* An answer that does not fit the buffer at all: TC, the question, no records. */
static void
test_tc_tiny_cap(void **state)
{
	(void)state;
	static struct zone z;
	uint8_t id[TESTID_LEN];
	char name[128];

	zone_build(&z, 1, 1, ZONE_ADDRS_MAX);
	make_id(NOW_S, 12, id);
	probe_name(name, sizeof(name), "abc", id, ".leak.test");
	/* header 12 + question (1+30+1+4+1+4+1 = 42) + 4 = 58 bytes; 8 AAAA need 8 * 28 more. */
	const struct qspec q = {.name = name, .qtype = DNS_TYPE_AAAA, .flags = DNS_FLAG_RD};

	const struct resp *r = ask(&q, &(struct ctx){.z = &z});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, ZONE_ADDRS_MAX, 0, 0);
	assert_int_equal(r->len, 58 + ZONE_ADDRS_MAX * 28);

	r = ask(&q, &(struct ctx){.z = &z, .cap = 100});
	assert_int_equal(r->len, 58);
	assert_true(r->h.flags & DNS_FLAG_TC);
	assert_true(r->h.flags & DNS_FLAG_RD);
	assert_int_equal(r->h.qdcount, 1);
	assert_int_equal(r->n_an + r->n_ns + r->n_ar, 0);
	assert_int_equal(rcode_of(r), DNS_RCODE_NOERROR);

	/* Over TCP the same cap also truncates (the caller passes the real buffer). */
	r = ask(&q, &(struct ctx){.z = &z, .cap = 100, .tcp = true});
	assert_true(r->h.flags & DNS_FLAG_TC);

	/* One byte short of the answer: TC; exact: the answer. */
	r = ask(&q, &(struct ctx){.z = &z, .cap = 58 + ZONE_ADDRS_MAX * 28 - 1});
	assert_true(r->h.flags & DNS_FLAG_TC);
	r = ask(&q, &(struct ctx){.z = &z, .cap = 58 + ZONE_ADDRS_MAX * 28});
	assert_false(r->h.flags & DNS_FLAG_TC);
	assert_int_equal(r->n_an, ZONE_ADDRS_MAX);

	/* Not even the question fits: silence, never a partial message. */
	for (size_t cap = 1; cap < 58; cap++) {
		r = ask(&q, &(struct ctx){.z = &z, .cap = cap});
		if (r->len != 0)
			fail_msg("cap %zu: %zu bytes", cap, r->len);
	}
}

/* Every answer over UDP without EDNS stays within 512 bytes, whatever the zone holds. */
static void
test_udp_512_everywhere(void **state)
{
	(void)state;
	static struct zone z;
	uint8_t id[TESTID_LEN];
	char probe[128], ns4probe[160];

	zone_build(&z, ZONE_NS_MAX, ZONE_ADDRS_MAX, ZONE_ADDRS_MAX);
	make_id(NOW_S, 13, id);
	probe_name(probe, sizeof(probe), "abc", id, ".leak.test");
	probe_name(ns4probe, sizeof(ns4probe), "abc", id, ".ns4.leak.test");
	const struct {
		const char *name;
		uint16_t qtype;
		uint8_t local;
	} cases[] = {
	    {"leak.test", DNS_TYPE_NS, 4},      {"leak.test", DNS_TYPE_A, 4},
	    {"ns-v4.leak.test", DNS_TYPE_A, 4}, {"ns-v6.leak.test", DNS_TYPE_AAAA, 6},
	    {probe, DNS_TYPE_AAAA, 4},          {ns4probe, DNS_TYPE_A, 6},
	    {"ns4.leak.test", DNS_TYPE_NS, 4},  {"ns1.leak.test", DNS_TYPE_AAAA, 4},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int edns = 0; edns <= 1; edns++) {
			const struct resp *r =
			    ask(&(struct qspec){.name = cases[i].name,
			                        .qtype = cases[i].qtype,
			                        .edns = edns,
			                        .udp = 1232},
			        &(struct ctx){.z = &z, .local_family = cases[i].local});
			if (r->len == 0)
				fail_msg("%s/%u edns %d: no response", cases[i].name,
				         cases[i].qtype, edns);
			assert_true(r->len <= (edns ? DNS_UDP_MAX : DNS_UDP_MIN));
			if (r->h.flags & DNS_FLAG_TC)
				assert_int_equal(r->n_an + r->n_ns + r->n_ar, 0);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_apex_soa),
	    cmocka_unit_test(test_apex_ns),
	    cmocka_unit_test(test_apex_addresses),
	    cmocka_unit_test(test_ns_host),
	    cmocka_unit_test(test_ns_v4_v6),
	    cmocka_unit_test(test_probe_records),
	    cmocka_unit_test(test_probe_observation),
	    cmocka_unit_test(test_probe_case_echo),
	    cmocka_unit_test(test_probe_case_flag),
	    cmocka_unit_test(test_probe_bad_mac),
	    cmocka_unit_test(test_probe_expiry),
	    cmocka_unit_test(test_exit_names),
	    cmocka_unit_test(test_whoami),
	    cmocka_unit_test(test_ns4_probe_over_v4),
	    cmocka_unit_test(test_ns4_probe_over_v6_referral),
	    cmocka_unit_test(test_ns6_probe_over_v6),
	    cmocka_unit_test(test_ns6_probe_over_v4_referral),
	    cmocka_unit_test(test_ns4_apex),
	    cmocka_unit_test(test_ns6_apex),
	    cmocka_unit_test(test_ds_at_child_parent_side),
	    cmocka_unit_test(test_ds_at_child_both_sides),
	    cmocka_unit_test(test_nxdomain),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_formerr_qtype_opt),
	    cmocka_unit_test(test_notimp),
	    cmocka_unit_test(test_silence),
	    cmocka_unit_test(test_formerr),
	    cmocka_unit_test(test_badvers),
	    cmocka_unit_test(test_edns_echo),
	    cmocka_unit_test(test_ecs_echo),
	    cmocka_unit_test(test_header_flags),
	    cmocka_unit_test(test_udp_size),
	    cmocka_unit_test(test_tc_tiny_cap),
	    cmocka_unit_test(test_udp_512_everywhere),
	};

	return cmocka_run_group_tests_name("answer", tests, group_setup, NULL);
}
