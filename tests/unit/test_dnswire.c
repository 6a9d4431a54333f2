/* test_dnswire.c -- the DNS wire codec: the query parser and the OPT writer.
 *
 * Tables of packets built with pktbuf.h, each with the error or the fields it must give.
 * Every good packet is also parsed at every shorter length from a heap copy of exactly that
 * length, so ASan sees any read past the end (curl tests/unit/unit1650.c). The name helpers
 * are in test_dnswire_name.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dnswire.h"

#include "expect.h"
#include "pktbuf.h"

/* ---- DNS pieces on top of pktbuf.h ------------------------------------------------------ */

static void
phdr(struct pktbuf *p, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
     uint16_t ar)
{
	p->n = 0;
	p16(p, id);
	p16(p, flags);
	p16(p, qd);
	p16(p, an);
	p16(p, ns);
	p16(p, ar);
}

static void
pquestion(struct pktbuf *p, const char *name, uint16_t qtype, uint16_t qclass)
{
	pname(p, name);
	p16(p, qtype);
	p16(p, qclass);
}

/* OPT: root owner, class = UDP size, TTL = ext rcode | version | DO | Z, then rdata. */
static void
popt(struct pktbuf *p, uint16_t udp, uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	p8(p, 0);
	p16(p, DNS_TYPE_OPT);
	p16(p, udp);
	p32(p, ttl);
	p16(p, (uint16_t)rdlen);
	pbytes(p, rdata, rdlen);
}

/* A record with a raw owner (already written by the caller) and rdata. */
static void
prr_tail(struct pktbuf *p, uint16_t type, uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	p16(p, type);
	p16(p, DNS_CLASS_IN);
	p32(p, ttl);
	p16(p, (uint16_t)rdlen);
	pbytes(p, rdata, rdlen);
}

static enum dl_err
parse_heap(const uint8_t *bytes, size_t n, struct dns_query *q)
{
	/* An exact-size heap copy: a read past n is an ASan report, not a silent pass. */
	uint8_t *copy = malloc(n > 0 ? n : 1);
	enum dl_err rc;

	assert_non_null(copy);
	if (n > 0)
		memcpy(copy, bytes, n);
	rc = dnswire_parse_query(copy, n, q);
	free(copy);
	return rc;
}

/* ---- header ----------------------------------------------------------------------------- */

static void
test_header(void **state)
{
	(void)state;
	static const uint8_t h[] = {0xbe, 0xef, 0x81, 0x30, 0x00, 0x01, 0x00,
	                            0x02, 0x00, 0x03, 0xff, 0xfe, 0x99};
	struct dns_header hd;

	assert_int_equal(dnswire_parse_header(h, sizeof(h), &hd), DL_E_OK);
	assert_int_equal(hd.id, 0xbeef);
	assert_int_equal(hd.flags, 0x8130);
	assert_int_equal(hd.qdcount, 1);
	assert_int_equal(hd.ancount, 2);
	assert_int_equal(hd.nscount, 3);
	assert_int_equal(hd.arcount, 0xfffe);
	assert_int_equal(DNS_OPCODE(0x1000u), 2);

	for (size_t n = 0; n < DNS_HEADER_LEN; n++) {
		memset(&hd, 0x5a, sizeof(hd));
		EXPECT(dnswire_parse_header(h, n, &hd) == DL_E_TRUNC, "header prefix %zu", n);
		EXPECT(hd.id == 0x5a5a && hd.arcount == 0x5a5a, "header prefix %zu wrote h", n);
	}
	EXPECT_NONE();
}

/* ---- good queries ----------------------------------------------------------------------- */

enum extra {
	EXTRA_NONE,
	EXTRA_AR_PTR,   /* an A record in the additional section, owner "x" + pointer to qname */
	EXTRA_AN_PLAIN, /* an A record in the answer section, uncompressed owner */
};

struct good_case {
	const char *desc;
	const char *qname; /* dotted, case kept */
	uint16_t flags;
	uint16_t qtype;
	uint16_t qclass;
	enum extra extra;
	bool edns;
	uint16_t udp;
	uint32_t ttl; /* OPT TTL: version << 16 | DO 0x8000 */
	const uint8_t *opts;
	size_t opts_len;
	/* expected */
	const char *lower; /* presentation form of qname_lower */
	bool has_ecs;
	uint16_t ecs_family;
	uint8_t ecs_source;
	uint8_t ecs_scope;
	uint8_t ecs_addr[16];
	bool has_cookie;
};

#define OPTS(...)                                                                                  \
	.opts = (const uint8_t[]){__VA_ARGS__}, .opts_len = sizeof((const uint8_t[]){__VA_ARGS__})

static const struct good_case good_cases[] = {
    {"plain A, RD", "Leak.TEST", DNS_FLAG_RD, DNS_TYPE_A, DNS_CLASS_IN, .lower = "leak.test."},
    {"root NS, no flags", ".", 0, DNS_TYPE_NS, DNS_CLASS_IN, .lower = "."},
    {"class CH TXT", "version.bind", 0, DNS_TYPE_TXT, DNS_CLASS_CH, .lower = "version.bind."},
    {"OPT, no options", "a.leak.test", 0, DNS_TYPE_AAAA, DNS_CLASS_IN, .edns = true, .udp = 1232,
     .lower = "a.leak.test."},
    {"OPT, DO bit, 4096", "a.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN, .edns = true, .udp = 4096,
     .ttl = 0x8000, .lower = "a.leak.test."},
    {"OPT version 1", "a.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN, .edns = true, .udp = 512,
     .ttl = 0x00010000, .lower = "a.leak.test."},
    {"OPT udp size 0", "a.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN, .edns = true, .udp = 0,
     .lower = "a.leak.test."},
    {"ECS v4 /24", "a.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN, .edns = true, .udp = 1232,
     OPTS(0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2), .lower = "a.leak.test.", .has_ecs = true,
     .ecs_family = 1, .ecs_source = 24, .ecs_addr = {192, 0, 2}},
    {"ECS v4 /25", "a.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN, .edns = true, .udp = 1232,
     OPTS(0, 8, 0, 8, 0, 1, 25, 0, 192, 0, 2, 128), .lower = "a.leak.test.", .has_ecs = true,
     .ecs_family = 1, .ecs_source = 25, .ecs_addr = {192, 0, 2, 128}},
    {"ECS v4 /32", "a.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN, .edns = true, .udp = 1232,
     OPTS(0, 8, 0, 8, 0, 1, 32, 0, 198, 51, 100, 7), .lower = "a.leak.test.", .has_ecs = true,
     .ecs_family = 1, .ecs_source = 32, .ecs_addr = {198, 51, 100, 7}},
    {"ECS v4 /0", "a.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN, .edns = true, .udp = 1232,
     OPTS(0, 8, 0, 4, 0, 1, 0, 0), .lower = "a.leak.test.", .has_ecs = true, .ecs_family = 1,
     .ecs_source = 0},
    {"ECS v6 /56", "a.leak.test", 0, DNS_TYPE_AAAA, DNS_CLASS_IN, .edns = true, .udp = 1232,
     OPTS(0, 8, 0, 11, 0, 2, 56, 0, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x23),
     .lower = "a.leak.test.", .has_ecs = true, .ecs_family = 2, .ecs_source = 56,
     .ecs_addr = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x23}},
    {"ECS v6 /128", "a.leak.test", 0, DNS_TYPE_AAAA, DNS_CLASS_IN, .edns = true, .udp = 1232,
     OPTS(0, 8, 0, 20, 0, 2, 128, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53),
     .lower = "a.leak.test.", .has_ecs = true, .ecs_family = 2, .ecs_source = 128,
     .ecs_addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53}},
    {"ECS v6 /0", "a.leak.test", 0, DNS_TYPE_AAAA, DNS_CLASS_IN, .edns = true, .udp = 1232,
     OPTS(0, 8, 0, 4, 0, 2, 0, 0), .lower = "a.leak.test.", .has_ecs = true, .ecs_family = 2,
     .ecs_source = 0},
    {"cookie 8 (client only)", "a.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN, .edns = true,
     .udp = 1232, OPTS(0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8), .lower = "a.leak.test.",
     .has_cookie = true},
    {"cookie 16 (client + server)", "a.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN, .edns = true,
     .udp = 1232, OPTS(0, 10, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16),
     .lower = "a.leak.test.", .has_cookie = true},
    {"cookie 40 (largest server cookie)", "a.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN, .edns = true,
     .udp = 1232,
     OPTS(0, 10, 0, 40, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1,
          2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8),
     .lower = "a.leak.test.", .has_cookie = true},
    {"ECS + cookie + unknown option + DO", "MiXeD.Leak.Test", DNS_FLAG_RD | DNS_FLAG_CD,
     DNS_TYPE_TXT, DNS_CLASS_IN, .edns = true, .udp = 1400, .ttl = 0x8000,
     OPTS(0xfd, 0xe9, 0, 3, 'a', 'b', 'c', 0, 10, 0, 8, 8, 7, 6, 5, 4, 3, 2, 1, 0, 8, 0, 6, 0, 1,
          16, 0, 10, 1),
     .lower = "mixed.leak.test.", .has_ecs = true, .ecs_family = 1, .ecs_source = 16,
     .ecs_addr = {10, 1}, .has_cookie = true},
    {"additional RR with a backward pointer, then OPT", "a.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN,
     EXTRA_AR_PTR, .edns = true, .udp = 1232, .lower = "a.leak.test."},
    {"answer-section RR, no OPT", "a.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN, EXTRA_AN_PLAIN,
     .lower = "a.leak.test."},
    {"binary label bytes", "a\x01\xff-_.leak.test", 0, DNS_TYPE_A, DNS_CLASS_IN,
     .lower = "a\\001\\255-_.leak.test."},
};

static void
build_good(const struct good_case *g, struct pktbuf *p)
{
	uint16_t an = g->extra == EXTRA_AN_PLAIN ? 1 : 0;
	uint16_t ar = (uint16_t)((g->extra == EXTRA_AR_PTR ? 1 : 0) + (g->edns ? 1 : 0));
	static const uint8_t a_rdata[] = {192, 0, 2, 1};

	phdr(p, 0x1234, g->flags, 1, an, 0, ar);
	pquestion(p, g->qname, g->qtype, g->qclass);
	if (g->extra == EXTRA_AN_PLAIN) {
		pname(p, "b.leak.test");
		prr_tail(p, DNS_TYPE_A, 60, a_rdata, sizeof(a_rdata));
	}
	if (g->extra == EXTRA_AR_PTR) {
		p8(p, 1);
		p8(p, 'x');
		p16(p, 0xC000 | DNS_HEADER_LEN);
		prr_tail(p, DNS_TYPE_A, 60, a_rdata, sizeof(a_rdata));
	}
	if (g->edns)
		popt(p, g->udp, g->ttl, g->opts, g->opts_len);
}

static void
test_good_queries(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case *g = &good_cases[i];
		struct pktbuf p;
		struct dns_query q;
		char text[DNS_NAME_TEXT_MAX];
		uint8_t orig[DNS_NAME_MAX];
		struct pktbuf qn = {.n = 0};

		build_good(g, &p);
		pname(&qn, g->qname);
		memset(orig, 0, sizeof(orig));
		memcpy(orig, qn.b, qn.n);
		enum dl_err rc = parse_heap(p.b, p.n, &q);
		EXPECT(rc == DL_E_OK, "%s: rc %d", g->desc, rc);
		if (rc != DL_E_OK)
			continue;
		EXPECT(q.hdr.id == 0x1234 && q.hdr.flags == g->flags && q.hdr.qdcount == 1,
		       "%s: header", g->desc);
		EXPECT(q.qname_len == qn.n && memcmp(q.qname, orig, qn.n) == 0,
		       "%s: qname not in original case", g->desc);
		EXPECT(dnswire_name_to_text(q.qname_lower, q.qname_len, text, sizeof(text)) > 0 &&
		           strcmp(text, g->lower) == 0,
		       "%s: lower %s", g->desc, text);
		EXPECT(q.qtype == g->qtype && q.qclass == g->qclass, "%s: type/class", g->desc);
		EXPECT(q.question_end == DNS_HEADER_LEN + qn.n + 4, "%s: question_end %zu", g->desc,
		       q.question_end);
		EXPECT(q.has_edns == g->edns, "%s: has_edns", g->desc);
		EXPECT(q.edns_do == ((g->ttl & 0x8000) != 0), "%s: DO", g->desc);
		EXPECT(q.edns_version == (uint8_t)(g->ttl >> 16), "%s: version", g->desc);
		EXPECT(q.edns_udp_size == (g->edns ? g->udp : 0), "%s: udp %u", g->desc,
		       q.edns_udp_size);
		EXPECT(q.has_ecs == g->has_ecs, "%s: has_ecs", g->desc);
		if (g->has_ecs) {
			EXPECT(q.ecs.family == g->ecs_family &&
			           q.ecs.source_prefix == g->ecs_source &&
			           q.ecs.scope_prefix == g->ecs_scope,
			       "%s: ecs family/prefix", g->desc);
			EXPECT(memcmp(q.ecs.addr, g->ecs_addr, 16) == 0, "%s: ecs addr", g->desc);
		}
		EXPECT(q.has_cookie == g->has_cookie, "%s: cookie", g->desc);
	}
	EXPECT_NONE();
}

/* Every good packet cut short anywhere is rejected, and only as truncated. */
static void
test_good_truncated(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		struct pktbuf p;
		struct dns_query q;

		build_good(&good_cases[i], &p);
		for (size_t n = 0; n < p.n; n++) {
			enum dl_err rc = parse_heap(p.b, n, &q);
			EXPECT(rc == DL_E_TRUNC, "%s: prefix %zu/%zu gave %d", good_cases[i].desc,
			       n, p.n, rc);
			if (n >= DNS_HEADER_LEN)
				EXPECT(q.hdr.id == 0x1234, "%s: prefix %zu: header not filled",
				       good_cases[i].desc, n);
		}
	}
	EXPECT_NONE();
}

/* ---- bad queries ------------------------------------------------------------------------ */

#define HDR(qd, an, ns, ar)                                                                        \
	0x12, 0x34, 0x01, 0x00, (qd) >> 8, (qd)&0xff, (an) >> 8, (an)&0xff, (ns) >> 8, (ns)&0xff,  \
	    (ar) >> 8, (ar)&0xff
/* "leak.test" A IN at offset 12; the question ends at 27. */
#define Q_LEAK 4, 'l', 'e', 'a', 'k', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1
#define OPT_HDR(rdlen) 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, rdlen
#define A_TAIL 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1

struct bad_case {
	const char *desc;
	const uint8_t *pkt;
	size_t len;
	enum dl_err want;
	bool question_parsed; /* question fields must be filled in despite the error */
};

#define PKT(...)                                                                                   \
	.pkt = (const uint8_t[]){__VA_ARGS__}, .len = sizeof((const uint8_t[]){__VA_ARGS__})

static const struct bad_case bad_cases[] = {
    {"QDCOUNT 0", PKT(HDR(0, 0, 0, 0)), DL_E_QDCOUNT},
    {"QDCOUNT 0 with a question", PKT(HDR(0, 0, 0, 0), Q_LEAK), DL_E_QDCOUNT},
    {"QDCOUNT 2", PKT(HDR(2, 0, 0, 0), Q_LEAK, Q_LEAK), DL_E_QDCOUNT},
    {"QDCOUNT 2, one question", PKT(HDR(2, 0, 0, 0), Q_LEAK), DL_E_QDCOUNT},
    {"pointer as qname", PKT(HDR(1, 0, 0, 0), 0xC0, 0x0C, 0, 1, 0, 1), DL_E_BADPTR},
    {"pointer after a qname label", PKT(HDR(1, 0, 0, 0), 1, 'a', 0xC0, 0x00, 0, 1, 0, 1),
     DL_E_BADPTR},
    {"label length 0x40", PKT(HDR(1, 0, 0, 0), 0x40, 'a', 0, 0, 1, 0, 1), DL_E_FORMAT},
    {"label type 0x80", PKT(HDR(1, 0, 0, 0), 0x80, 'a', 0, 0, 1, 0, 1), DL_E_FORMAT},
    {"qname without root, then EOF", PKT(HDR(1, 0, 0, 0), 1, 'a'), DL_E_TRUNC},
    {"no qtype", PKT(HDR(1, 0, 0, 0), 1, 'a', 0), DL_E_TRUNC},
    {"trailing byte after the question", PKT(HDR(1, 0, 0, 0), Q_LEAK, 0), DL_E_TRAILING, true},
    {"trailing bytes after OPT", PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(0), 0xde, 0xad),
     DL_E_TRAILING, true},
    {"ARCOUNT 1, nothing there", PKT(HDR(1, 0, 0, 1), Q_LEAK), DL_E_TRUNC, true},
    {"additional owner points at itself", PKT(HDR(1, 0, 0, 1), Q_LEAK, 0xC0, 27, A_TAIL),
     DL_E_BADPTR, true},
    {"additional owner points forward", PKT(HDR(1, 0, 0, 1), Q_LEAK, 0xC0, 29, A_TAIL), DL_E_BADPTR,
     true},
    {"additional owner: label then pointer to itself",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, 1, 'x', 0xC0, 27, A_TAIL), DL_E_BADPTR, true},
    /* The first record's rdata at 38..39 is C0 26 (= 38): a pointer to itself. */
    {"pointer chain into a self-pointer in rdata",
     PKT(HDR(1, 0, 0, 2), Q_LEAK, 0, 0, 99, 0, 1, 0, 0, 0, 0, 0, 2, 0xC0, 38, 0xC0, 38, A_TAIL),
     DL_E_BADPTR, true},
    /* rdata 38..41 = C0 28 C0 26, owner at 42 = C0 28: the loop 38 -> 40 -> 38 is cut. */
    {"two-hop loop through rdata",
     PKT(HDR(1, 0, 0, 2), Q_LEAK, 0, 0, 99, 0, 1, 0, 0, 0, 0, 0, 4, 0xC0, 40, 0xC0, 38, 0xC0, 40,
         A_TAIL),
     DL_E_BADPTR, true},
    {"pointer cut after its first byte", PKT(HDR(1, 0, 0, 1), Q_LEAK, 0xC0), DL_E_TRUNC, true},
    {"additional owner label 0x40", PKT(HDR(1, 0, 0, 1), Q_LEAK, 0x40, A_TAIL), DL_E_FORMAT, true},
    {"record rdata longer than the packet",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4), DL_E_TRUNC, true},
    {"two OPT records", PKT(HDR(1, 0, 0, 2), Q_LEAK, OPT_HDR(0), OPT_HDR(0)), DL_E_BADOPT, true},
    {"OPT in the answer section", PKT(HDR(1, 1, 0, 0), Q_LEAK, OPT_HDR(0)), DL_E_BADOPT, true},
    {"OPT in the authority section", PKT(HDR(1, 0, 1, 0), Q_LEAK, OPT_HDR(0)), DL_E_BADOPT, true},
    {"OPT owner not the root",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, 1, 'a', 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0), DL_E_BADOPT,
     true},
    {"OPT owner a pointer to the qname",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, 0xC0, 12, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0), DL_E_BADOPT,
     true},
    {"OPT rdata past the end", PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(4), 0, 8), DL_E_TRUNC, true},
    {"OPT option header cut", PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(3), 0, 8, 0), DL_E_BADOPT, true},
    {"OPT option longer than the rdata",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(6), 0, 99, 0, 4, 1, 2), DL_E_BADOPT, true},
    {"ECS family 3", PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(8), 0, 8, 0, 4, 0, 3, 0, 0), DL_E_BADECS,
     true},
    {"ECS family 0", PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(8), 0, 8, 0, 4, 0, 0, 0, 0), DL_E_BADECS,
     true},
    {"ECS v4 prefix 33",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(13), 0, 8, 0, 9, 0, 1, 33, 0, 1, 2, 3, 4, 0), DL_E_BADECS,
     true},
    {"ECS v6 prefix 129",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(25), 0, 8, 0, 21, 0, 2, 129, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
         10, 11, 12, 13, 14, 15, 16, 0),
     DL_E_BADECS, true},
    {"ECS v4 /24 with 4 address octets",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(12), 0, 8, 0, 8, 0, 1, 24, 0, 192, 0, 2, 0), DL_E_BADECS,
     true},
    {"ECS v4 /24 with 2 address octets",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(10), 0, 8, 0, 6, 0, 1, 24, 0, 192, 0), DL_E_BADECS, true},
    {"ECS /0 with an address octet",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(9), 0, 8, 0, 5, 0, 1, 0, 0, 0), DL_E_BADECS, true},
    {"ECS v4 /23 with bit 24 set",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(11), 0, 8, 0, 7, 0, 1, 23, 0, 192, 0, 3), DL_E_BADECS,
     true},
    {"ECS v4 /1 with 0xc0", PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(9), 0, 8, 0, 5, 0, 1, 1, 0, 0xc0),
     DL_E_BADECS, true},
    {"ECS v6 /33 with bit 34 set",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(13), 0, 8, 0, 9, 0, 2, 33, 0, 0x20, 1, 0xd, 0xb8, 0x40),
     DL_E_BADECS, true},
    {"ECS shorter than its fixed part",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(7), 0, 8, 0, 3, 0, 1, 0), DL_E_BADECS, true},
    {"ECS twice",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(16), 0, 8, 0, 4, 0, 1, 0, 0, 0, 8, 0, 4, 0, 1, 0, 0),
     DL_E_BADECS, true},
    {"cookie 0 bytes", PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(4), 0, 10, 0, 0), DL_E_BADOPT, true},
    {"cookie 7 bytes", PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(11), 0, 10, 0, 7, 1, 2, 3, 4, 5, 6, 7),
     DL_E_BADOPT, true},
    {"cookie 9 bytes",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(13), 0, 10, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9), DL_E_BADOPT,
     true},
    {"cookie 15 bytes",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(19), 0, 10, 0, 15, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
         13, 14, 15),
     DL_E_BADOPT, true},
    {"cookie 41 bytes",
     PKT(HDR(1, 0, 0, 1), Q_LEAK, OPT_HDR(45), 0, 10, 0, 41, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5,
         6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 9),
     DL_E_BADOPT, true},
    {"ANCOUNT 65535", PKT(HDR(1, 65535, 0, 0), Q_LEAK), DL_E_FORMAT, true},
    {"ARCOUNT 65 (> DNS_RR_MAX)", PKT(HDR(1, 0, 0, 65), Q_LEAK), DL_E_FORMAT, true},
    {"counts summing past DNS_RR_MAX", PKT(HDR(1, 30, 30, 5), Q_LEAK), DL_E_FORMAT, true},
};

static void
test_bad_queries(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		struct dns_query q;
		enum dl_err rc = parse_heap(b->pkt, b->len, &q);
		EXPECT(rc == b->want, "%s: want %d got %d", b->desc, b->want, rc);
		EXPECT(q.hdr.id == 0x1234, "%s: header not filled", b->desc);
		if (b->question_parsed) {
			EXPECT(q.question_end == 27 && q.qtype == DNS_TYPE_A &&
			           q.qclass == DNS_CLASS_IN && q.qname_len == 11,
			       "%s: question not filled", b->desc);
		} else {
			EXPECT(q.question_end == 0, "%s: question_end %zu", b->desc,
			       q.question_end);
		}
	}
	EXPECT_NONE();
}

/* A question name of exactly 255 octets parses; 256 is too long; a 63-octet label parses. */
static void
test_qname_lengths(void **state)
{
	(void)state;
	struct pktbuf p;
	struct dns_query q;
	uint8_t label[64];

	memset(label, 'a', sizeof(label));
	for (unsigned last = 60; last <= 63; last++) {
		phdr(&p, 1, 0, 1, 0, 0, 0);
		for (int i = 0; i < 3; i++) {
			p8(&p, 63);
			pbytes(&p, label, 63);
		}
		p8(&p, (uint8_t)last);
		pbytes(&p, label, last);
		p8(&p, 0);
		p16(&p, DNS_TYPE_A);
		p16(&p, DNS_CLASS_IN);
		size_t name_len = 3 * 64 + 1 + last + 1;
		enum dl_err rc = parse_heap(p.b, p.n, &q);
		if (name_len <= DNS_NAME_MAX) {
			EXPECT(rc == DL_E_OK, "name %zu: %d", name_len, rc);
			EXPECT(q.qname_len == name_len, "name %zu: qname_len %zu", name_len,
			       q.qname_len);
		} else {
			EXPECT(rc == DL_E_TOOLONG, "name %zu: %d", name_len, rc);
			EXPECT(q.question_end == 0, "name %zu: question filled", name_len);
		}
	}
	/* Far too long: many short labels, so the limit is hit mid-name. */
	phdr(&p, 1, 0, 1, 0, 0, 0);
	for (int i = 0; i < 200; i++) {
		p8(&p, 1);
		p8(&p, 'z');
	}
	p8(&p, 0);
	p16(&p, DNS_TYPE_A);
	p16(&p, DNS_CLASS_IN);
	EXPECT(parse_heap(p.b, p.n, &q) == DL_E_TOOLONG, "400-octet name");
	EXPECT_NONE();
}

/* A compressed owner name in the additional section may not expand past 255 octets either. */
static void
test_rr_name_too_long(void **state)
{
	(void)state;
	struct pktbuf p;
	struct dns_query q;
	uint8_t label[63];

	memset(label, 'b', sizeof(label));
	/* qname: 3 x 63 + root = 193 octets; the owner adds 63 + 1 + pointer: 64 + 193 = 257. */
	phdr(&p, 1, 0, 1, 0, 0, 1);
	for (int i = 0; i < 3; i++) {
		p8(&p, 63);
		pbytes(&p, label, 63);
	}
	p8(&p, 0);
	p16(&p, DNS_TYPE_A);
	p16(&p, DNS_CLASS_IN);
	p8(&p, 63);
	pbytes(&p, label, 63);
	p16(&p, 0xC000 | DNS_HEADER_LEN);
	prr_tail(&p, DNS_TYPE_A, 0, (const uint8_t[]){1, 2, 3, 4}, 4);
	assert_int_equal(parse_heap(p.b, p.n, &q), DL_E_TOOLONG);

	/* 61 instead of 63: 62 + 193 = 255 exactly, accepted. */
	phdr(&p, 1, 0, 1, 0, 0, 1);
	for (int i = 0; i < 3; i++) {
		p8(&p, 63);
		pbytes(&p, label, 63);
	}
	p8(&p, 0);
	p16(&p, DNS_TYPE_A);
	p16(&p, DNS_CLASS_IN);
	p8(&p, 61);
	pbytes(&p, label, 61);
	p16(&p, 0xC000 | DNS_HEADER_LEN);
	prr_tail(&p, DNS_TYPE_A, 0, (const uint8_t[]){1, 2, 3, 4}, 4);
	assert_int_equal(parse_heap(p.b, p.n, &q), DL_E_OK);
}

/* A chain of backward pointers, each to the previous owner, is accepted. */
static void
test_pointer_chain(void **state)
{
	(void)state;
	struct pktbuf p;
	struct dns_query q;
	size_t prev = DNS_HEADER_LEN;

	phdr(&p, 1, 0, 1, 0, 0, 10);
	pquestion(&p, "leak.test", DNS_TYPE_A, DNS_CLASS_IN);
	for (int i = 0; i < 10; i++) {
		size_t here = p.n;
		p8(&p, 1);
		p8(&p, (uint8_t)('a' + i));
		p16(&p, (uint16_t)(0xC000 | prev));
		prr_tail(&p, DNS_TYPE_A, 0, (const uint8_t[]){1, 2, 3, 4}, 4);
		prev = here;
	}
	assert_int_equal(parse_heap(p.b, p.n, &q), DL_E_OK);
	assert_int_equal(q.hdr.arcount, 10);
}

/* DNS_RR_MAX records are parsed; one more is FORMAT before any is read. */
static void
test_rr_max(void **state)
{
	(void)state;
	struct pktbuf p;
	struct dns_query q;

	for (size_t n = DNS_RR_MAX - 1; n <= DNS_RR_MAX + 1; n++) {
		phdr(&p, 1, 0, 1, (uint16_t)(n / 2), 0, (uint16_t)(n - n / 2));
		pquestion(&p, "leak.test", DNS_TYPE_A, DNS_CLASS_IN);
		for (size_t i = 0; i < n; i++) {
			p8(&p, 0);
			prr_tail(&p, DNS_TYPE_TXT, 0, NULL, 0);
		}
		enum dl_err rc = parse_heap(p.b, p.n, &q);
		EXPECT(rc == (n <= DNS_RR_MAX ? DL_E_OK : DL_E_FORMAT), "%zu records: %d", n, rc);
	}
	EXPECT_NONE();
}

/* dnswire_skip_name() directly: leaves the cursor after the name or after the first pointer. */
static void
test_skip_name(void **state)
{
	(void)state;
	static const uint8_t m[] = {1, 'a', 0, 1, 'b', 0xC0, 0, 0xC0, 3, 0x80};
	struct rcur c = rcur_make(m, sizeof(m));

	c.pos = m + 3;
	assert_int_equal(dnswire_skip_name(&c), DL_E_OK);
	assert_int_equal(rcur_offset(&c), 7);
	assert_int_equal(dnswire_skip_name(&c), DL_E_OK);
	assert_int_equal(rcur_offset(&c), 9);
	assert_int_equal(dnswire_skip_name(&c), DL_E_FORMAT); /* 0x80: reserved label type */

	c = rcur_make(m, sizeof(m));
	c.err = true;
	assert_int_equal(dnswire_skip_name(&c), DL_E_TRUNC);

	c = rcur_make(m, 2);
	assert_int_equal(dnswire_skip_name(&c), DL_E_TRUNC);
}

/* ---- OPT writer ------------------------------------------------------------------------- */

struct opt_case {
	const char *desc;
	uint16_t udp;
	uint8_t ext;
	bool do_bit;
	bool with_ecs;
	struct dns_ecs ecs;
	const uint8_t *want;
	size_t want_len;
};

#define WANT(...)                                                                                  \
	.want = (const uint8_t[]){__VA_ARGS__}, .want_len = sizeof((const uint8_t[]){__VA_ARGS__})

static void
test_write_opt(void **state)
{
	(void)state;
	const struct opt_case cases[] = {
	    {"plain", 1232, 0, false, false, {0}, WANT(0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0)},
	    {"DO + BADVERS",
	     1232,
	     1,
	     true,
	     false,
	     {0},
	     WANT(0, 0, 41, 0x04, 0xd0, 1, 0, 0x80, 0, 0, 0)},
	    {"ECS v4 /24, scope forced 0",
	     1232,
	     0,
	     false,
	     true,
	     {.family = 1, .source_prefix = 24, .scope_prefix = 17, .addr = {192, 0, 2}},
	     WANT(0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 11, 0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2)},
	    {"ECS v4 /0",
	     512,
	     0,
	     true,
	     true,
	     {.family = 1, .source_prefix = 0},
	     WANT(0, 0, 41, 0x02, 0x00, 0, 0, 0x80, 0, 0, 8, 0, 8, 0, 4, 0, 1, 0, 0)},
	    {"ECS v6 /56",
	     1232,
	     0,
	     false,
	     true,
	     {.family = 2,
	      .source_prefix = 56,
	      .scope_prefix = 56,
	      .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x23}},
	     WANT(0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 15, 0, 8, 0, 11, 0, 2, 56, 0, 0x20, 0x01,
	          0x0d, 0xb8, 0, 1, 0x23)},
	};
	uint8_t buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct opt_case *c = &cases[i];
		struct wcur w = wcur_make(buf, sizeof(buf));
		memset(buf, 0xee, sizeof(buf));
		dnswire_write_opt(&w, c->udp, c->ext, c->do_bit, c->with_ecs ? &c->ecs : NULL);
		EXPECT(!w.full, "%s: full", c->desc);
		EXPECT(wcur_len(&w) == c->want_len && memcmp(buf, c->want, c->want_len) == 0,
		       "%s: bytes (len %zu)", c->desc, wcur_len(&w));
		/* What we write, we parse back. */
		struct pktbuf p;
		struct dns_query q;
		phdr(&p, 7, 0, 1, 0, 0, 1);
		pquestion(&p, "leak.test", DNS_TYPE_A, DNS_CLASS_IN);
		pbytes(&p, buf, wcur_len(&w));
		EXPECT(parse_heap(p.b, p.n, &q) == DL_E_OK && q.has_edns &&
		           q.edns_udp_size == c->udp && q.edns_do == c->do_bit &&
		           q.has_ecs == c->with_ecs,
		       "%s: does not parse back", c->desc);
		if (c->with_ecs)
			EXPECT(q.ecs.scope_prefix == 0 &&
			           q.ecs.source_prefix == c->ecs.source_prefix &&
			           memcmp(q.ecs.addr, c->ecs.addr, 16) == 0,
			       "%s: ecs parsed back", c->desc);
		/* One byte short: the writer says full. */
		struct wcur small = wcur_make(buf, c->want_len - 1);
		dnswire_write_opt(&small, c->udp, c->ext, c->do_bit, c->with_ecs ? &c->ecs : NULL);
		EXPECT(small.full, "%s: short buffer not full", c->desc);
	}
	EXPECT_NONE();
}

static void
test_strerror(void **state)
{
	(void)state;
	assert_string_equal(dl_strerror(DL_E_OK), "success");
	assert_string_equal(dl_strerror(DL_E_BADPTR), "compression pointer not allowed here");
	assert_string_equal(dl_strerror(-1001), "message truncated");
	assert_non_null(dl_strerror(-2));
	assert_string_equal(dl_strerror(-5000), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_header),
	    TEST(test_good_queries),
	    TEST(test_good_truncated),
	    TEST(test_bad_queries),
	    TEST(test_qname_lengths),
	    TEST(test_rr_name_too_long),
	    TEST(test_pointer_chain),
	    TEST(test_rr_max),
	    TEST(test_skip_name),
	    TEST(test_write_opt),
	    TEST(test_strerror),
	};

	return cmocka_run_group_tests_name("dnswire", tests, NULL, NULL);
}
