/* test_stun.c -- the STUN codec: requests, answers byte for byte, the size rule, rate limits.
 *
 * Known answers come from RFC 5769 (test vectors for STUN), whose fingerprints and XOR-mapped
 * addresses were computed by others, and from hand-computed bytes. Every good request is also
 * parsed at every shorter length from a heap copy of exactly that length, so ASan sees any read
 * past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stunwire.h"

#include "expect.h"

/* ---- RFC 5769 test vectors ------------------------------------------------------------- */

/* 2.1: a Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MI, FINGERPRINT. */
static const uint8_t rfc5769_request[] = {
	0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
	0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e,
	0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24,
	0x00, 0x04, 0x6e, 0x00, 0x01, 0xff, 0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1,
	0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68,
	0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c,
	0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5,
	0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* 2.2: the IPv4 response, 192.0.2.1:32853. */
static const uint8_t rfc5769_response4[] = {
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
	0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74,
	0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01,
	0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43, 0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99,
	0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b,
	0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* 2.3: the IPv6 response, [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
static const uint8_t rfc5769_response6[] = {
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
	0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74,
	0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02,
	0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5,
	0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6,
	0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
	0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

static const uint8_t rfc5769_txid[STUN_TXID_LEN] = { 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
						     0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae };

/* ---- message writer -------------------------------------------------------------------- */

struct pkt {
	uint8_t b[700];
	size_t n;
};

static void
p16(struct pkt *p, uint16_t v)
{
	assert_true(p->n + 2 <= sizeof(p->b));
	p->b[p->n++] = (uint8_t)(v >> 8);
	p->b[p->n++] = (uint8_t)v;
}

static void
p32(struct pkt *p, uint32_t v)
{
	p16(p, (uint16_t)(v >> 16));
	p16(p, (uint16_t)v);
}

/* A header with a 1..12 transaction id and a zero length (fixed by plen()). */
static void
phdr(struct pkt *p, uint16_t type, uint32_t cookie)
{
	p->n = 0;
	p16(p, type);
	p16(p, 0);
	p32(p, cookie);
	for (uint8_t i = 1; i <= STUN_TXID_LEN; i++)
		p->b[p->n++] = i;
}

/* An attribute of alen bytes of 0xAB, padded with zeros. */
static void
pattr(struct pkt *p, uint16_t type, uint16_t alen)
{
	p16(p, type);
	p16(p, alen);
	for (size_t i = 0; i < alen; i++)
		p->b[p->n++] = 0xAB;
	while (p->n % 4 != 0)
		p->b[p->n++] = 0;
}

/* The length field: what the body holds. */
static void
plen(struct pkt *p)
{
	p->b[2] = (uint8_t)((p->n - STUN_HEADER_LEN) >> 8);
	p->b[3] = (uint8_t)(p->n - STUN_HEADER_LEN);
}

/* FINGERPRINT over what is there (length fixed first, as a sender does). */
static void
pfingerprint(struct pkt *p)
{
	size_t at = p->n;
	p->n += 8;
	plen(p);
	p->n = at;
	uint32_t crc = stun_crc32(p->b, at) ^ STUN_FINGERPRINT_XOR;
	p16(p, STUN_ATTR_FINGERPRINT);
	p16(p, 4);
	p32(p, crc);
}

static struct dl_endpoint
ep(const char *addr, uint16_t port)
{
	struct dl_endpoint e = { .port = port };
	assert_int_equal(addr_parse(addr, &e.addr), DL_E_OK);
	return e;
}

/* The answer to msg from peer, from a heap copy of exactly len bytes; checks the size rule. */
static size_t
answer(const uint8_t *msg, size_t len, const struct dl_endpoint *peer, uint8_t *out,
       enum stun_status *st)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, msg, len);
	memset(out, 0xEE, STUN_ANSWER_MAX);
	size_t n = stun_answer(copy, len, peer, out, STUN_ANSWER_MAX, st);
	free(copy);
	assert_true(n <= STUN_ANSWER_MAX);
	if (n > 0 && *st != STUN_ANSWER_SUCCESS)
		EXPECT(n <= len, "error answer of %zu bytes to a %zu-byte request", n, len);
	if (n == 0)
		EXPECT(*st != STUN_ANSWER_SUCCESS && *st != STUN_ANSWER_UNKNOWN_ATTR,
		       "no answer but status %s", stun_status_name(*st));
	return n;
}

/* ---- tests ----------------------------------------------------------------------------- */

static void
test_crc32(void **state)
{
	(void)state;
	assert_int_equal(stun_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
	assert_int_equal(stun_crc32(NULL, 0), 0);
}

static void
test_rfc5769_responses(void **state)
{
	struct stun_response r;
	(void)state;

	assert_int_equal(stun_parse_response(rfc5769_response4, sizeof(rfc5769_response4), &r),
			 DL_E_OK);
	struct dl_endpoint want = ep("192.0.2.1", 32853);
	EXPECT(r.type == STUN_BINDING_SUCCESS && r.has_mapped && r.has_fingerprint, "v4 fields");
	EXPECT(r.mapped.port == 32853 && addr_equal(&r.mapped.addr, &want.addr), "v4 mapped");
	EXPECT(memcmp(r.txid, rfc5769_txid, STUN_TXID_LEN) == 0, "txid");

	assert_int_equal(stun_parse_response(rfc5769_response6, sizeof(rfc5769_response6), &r),
			 DL_E_OK);
	want = ep("2001:db8:1234:5678:11:2233:4455:6677", 32853);
	EXPECT(r.mapped.port == 32853 && addr_equal(&r.mapped.addr, &want.addr), "v6 mapped");

	/* A request is not a response; one flipped CRC bit fails the fingerprint. */
	EXPECT(stun_parse_response(rfc5769_request, sizeof(rfc5769_request), &r) != DL_E_OK,
	       "request taken for a response");
	uint8_t bad[sizeof(rfc5769_response4)];
	memcpy(bad, rfc5769_response4, sizeof(bad));
	bad[sizeof(bad) - 1] ^= 1;
	EXPECT(stun_parse_response(bad, sizeof(bad), &r) != DL_E_OK, "bad fingerprint taken");
}

/* The RFC 5769 request: FINGERPRINT checked, MESSAGE-INTEGRITY ignored, PRIORITY known. */
static void
test_rfc5769_request(void **state)
{
	struct stun_request rq;
	uint8_t out[STUN_ANSWER_MAX];
	enum stun_status st;
	(void)state;

	assert_int_equal(stun_parse_request(rfc5769_request, sizeof(rfc5769_request), &rq),
			 STUN_ANSWER_SUCCESS);
	EXPECT(rq.has_fingerprint && rq.has_integrity && rq.n_unknown == 0, "request flags");

	/* Answered from the sample response's address: the same XOR-MAPPED-ADDRESS bytes. */
	struct dl_endpoint peer = ep("192.0.2.1", 32853);
	size_t n = answer(rfc5769_request, sizeof(rfc5769_request), &peer, out, &st);
	assert_int_equal(st, STUN_ANSWER_SUCCESS);
	assert_int_equal(n, 40);
	static const uint8_t head[] = { 0x01, 0x01, 0x00, 0x14, 0x21, 0x12, 0xa4, 0x42 };
	EXPECT(memcmp(out, head, sizeof(head)) == 0, "header");
	EXPECT(memcmp(out + 8, rfc5769_txid, STUN_TXID_LEN) == 0, "txid echoed");
	EXPECT(memcmp(out + 20, rfc5769_response4 + 36, 12) == 0, "XOR-MAPPED-ADDRESS as RFC 5769");
	EXPECT(out[32] == 0x80 && out[33] == 0x28 && out[34] == 0 && out[35] == 4, "FINGERPRINT");
	struct stun_response r;
	EXPECT(stun_parse_response(out, n, &r) == DL_E_OK && r.has_fingerprint, "answer parses");

	peer = ep("2001:db8:1234:5678:11:2233:4455:6677", 32853);
	n = answer(rfc5769_request, sizeof(rfc5769_request), &peer, out, &st);
	assert_int_equal(n, 52);
	EXPECT(memcmp(out + 20, rfc5769_response6 + 36, 24) == 0, "v6 XOR-MAPPED-ADDRESS");

	/* Every shorter prefix: the length field no longer matches, or a runt. */
	for (size_t len = 0; len < sizeof(rfc5769_request); len++) {
		n = answer(rfc5769_request, len, &peer, out, &st);
		EXPECT(n == 0 && st == (len < STUN_HEADER_LEN ? STUN_DROP_RUNT : STUN_DROP_LENGTH),
		       "prefix %zu: %s", len, stun_status_name(st));
	}
}

/* What Chromium 156 and turnutils_stunclient send: 20 bytes, no attributes. */
static void
test_browser_request_exact(void **state)
{
	struct pkt p;
	uint8_t out[STUN_ANSWER_MAX];
	enum stun_status st;
	(void)state;

	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	struct dl_endpoint peer = ep("192.0.2.1", 54321);
	size_t n = answer(p.b, p.n, &peer, out, &st);
	static const uint8_t want4[] = {
		0x01, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xa4, 0x42, 1,    2,    3,
		4,    5,    6,    7,    8,    9,    10,   11,   12,   0x00, 0x20,
		0x00, 0x08, 0x00, 0x01, 0xf5, 0x23, 0xe1, 0x12, 0xa6, 0x43,
	};
	assert_int_equal(st, STUN_ANSWER_SUCCESS);
	assert_int_equal(n, sizeof(want4));
	EXPECT(memcmp(out, want4, n) == 0, "v4 answer bytes");
	EXPECT(out[n] == 0xEE, "wrote past the answer");

	/* An IPv4-mapped IPv6 source (a dual-stack socket) is answered as IPv4. */
	peer = ep("::ffff:192.0.2.1", 54321);
	n = answer(p.b, p.n, &peer, out, &st);
	EXPECT(n == sizeof(want4) && memcmp(out, want4, n) == 0, "mapped v4 answer bytes");

	peer = ep("2001:db8::1", 3478);
	n = answer(p.b, p.n, &peer, out, &st);
	static const uint8_t want6[] = {
		0x01, 0x01, 0x00, 0x18, 0x21, 0x12, 0xa4, 0x42, 1,    2,    3,
		4,    5,    6,    7,    8,    9,    10,   11,   12,   0x00, 0x20,
		0x00, 0x14, 0x00, 0x02, 0x2c, 0x84, 0x01, 0x13, 0xa9, 0xfa, 0x01,
		0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0d,
	};
	assert_int_equal(n, sizeof(want6));
	EXPECT(memcmp(out, want6, n) == 0, "v6 answer bytes");
	struct stun_response r;
	assert_int_equal(stun_parse_response(out, n, &r), DL_E_OK);
	EXPECT(r.mapped.port == 3478 && addr_equal(&r.mapped.addr, &peer.addr), "v6 decodes");
	EXPECT(!r.has_fingerprint, "no FINGERPRINT unless asked");

	/* The size rule's exception: larger than the request, and never more than minimal. */
	EXPECT(n == 44 && p.n == 20, "44-byte answer to a 20-byte request");

	for (size_t len = 0; len < p.n; len++) {
		n = answer(p.b, len, &peer, out, &st);
		EXPECT(n == 0 && st == STUN_DROP_RUNT, "prefix %zu", len);
	}
}

static void
test_dropped(void **state)
{
	struct pkt p;
	uint8_t out[STUN_ANSWER_MAX];
	enum stun_status st;
	struct dl_endpoint peer = ep("192.0.2.1", 1234);
	size_t n;
	(void)state;

#define DROPPED(desc, want_status)                                                  \
	do {                                                                        \
		n = answer(p.b, p.n, &peer, out, &st);                              \
		EXPECT(n == 0 && st == (want_status), "%s: %zu bytes, %s", desc, n, \
		       stun_status_name(st));                                       \
	} while (0)

	phdr(&p, STUN_BINDING_REQUEST, 0x12345678);
	DROPPED("wrong cookie", STUN_DROP_NO_COOKIE);

	/* What stun-client's `stun' sends: RFC 3489, CHANGE-REQUEST, no cookie. */
	phdr(&p, STUN_BINDING_REQUEST, 0);
	pattr(&p, 0x0003, 4);
	plen(&p);
	DROPPED("RFC 3489 request", STUN_DROP_NO_COOKIE);

	phdr(&p, 0x4001, STUN_MAGIC_COOKIE);
	DROPPED("top bit 0x4000", STUN_DROP_NOT_STUN);
	phdr(&p, 0x8001, STUN_MAGIC_COOKIE);
	DROPPED("top bit 0x8000", STUN_DROP_NOT_STUN);

	static const uint16_t not_requests[] = { 0x0011, 0x0101, 0x0111, 0x0003, 0x0002, 0x0000 };
	for (size_t i = 0; i < sizeof(not_requests) / sizeof(not_requests[0]); i++) {
		phdr(&p, not_requests[i], STUN_MAGIC_COOKIE);
		DROPPED("not a Binding request", STUN_DROP_NOT_REQUEST);
	}

	/* Length field against the datagram. */
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	p.b[3] = 4;
	DROPPED("length 4 in a 20-byte datagram", STUN_DROP_LENGTH);
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	p.b[2] = 0xFF;
	p.b[3] = 0xFC;
	DROPPED("length 65532 in a 20-byte datagram", STUN_DROP_LENGTH);
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	pattr(&p, 0x8022, 4);
	DROPPED("length 0 in a 28-byte datagram", STUN_DROP_LENGTH);
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	p.b[p.n++] = 0;
	p.b[p.n++] = 0;
	plen(&p);
	DROPPED("length 2: not a multiple of 4", STUN_DROP_LENGTH);

	/* Attributes past the end. */
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	pattr(&p, 0x8022, 4);
	p.b[23] = 8;
	plen(&p);
	DROPPED("attribute of 8 in 4 bytes", STUN_DROP_ATTR);
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	pattr(&p, 0x8022, 4);
	p.b[23] = 5;
	plen(&p);
	DROPPED("attribute of 5 in 4 bytes", STUN_DROP_ATTR);
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	pattr(&p, 0x8022, 0);
	p.b[22] = 0xFF;
	p.b[23] = 0xFF;
	plen(&p);
	DROPPED("attribute of 65535", STUN_DROP_ATTR);

	/* Oversized datagrams: nothing reads past STUN_MSG_MAX. */
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	while (p.n < STUN_MSG_MAX + 4)
		pattr(&p, 0x8022, 0);
	plen(&p);
	DROPPED("longer than STUN_MSG_MAX", STUN_DROP_TOOBIG);

	/* FINGERPRINT: wrong, wrong length, not last. */
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	pfingerprint(&p);
	n = answer(p.b, p.n, &peer, out, &st);
	EXPECT(n == 32 + 8 && st == STUN_ANSWER_SUCCESS, "good fingerprint answered");
	struct stun_response r;
	EXPECT(stun_parse_response(out, n, &r) == DL_E_OK && r.has_fingerprint,
	       "answer fingerprinted");
	p.b[p.n - 1] ^= 0x80;
	DROPPED("bad fingerprint", STUN_DROP_FINGERPRINT);
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	pfingerprint(&p);
	pattr(&p, 0x8022, 4);
	plen(&p);
	DROPPED("fingerprint not last", STUN_DROP_FINGERPRINT);
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	pattr(&p, STUN_ATTR_FINGERPRINT, 8);
	plen(&p);
	DROPPED("fingerprint of 8 bytes", STUN_DROP_FINGERPRINT);
	/* A fingerprint over a length field that did not count it. */
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	{
		uint32_t crc = stun_crc32(p.b, p.n) ^ STUN_FINGERPRINT_XOR;
		p16(&p, STUN_ATTR_FINGERPRINT);
		p16(&p, 4);
		p32(&p, crc);
		plen(&p);
	}
	DROPPED("fingerprint computed with length 0", STUN_DROP_FINGERPRINT);
#undef DROPPED
}

static void
test_unknown_attributes(void **state)
{
	struct pkt p;
	uint8_t out[STUN_ANSWER_MAX];
	enum stun_status st;
	struct stun_response r;
	struct dl_endpoint peer = ep("192.0.2.1", 1234);
	size_t n;
	(void)state;

	/* Comprehension-optional: ignored. */
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	pattr(&p, 0x8123, 3);
	pattr(&p, STUN_ATTR_SOFTWARE, 10);
	plen(&p);
	n = answer(p.b, p.n, &peer, out, &st);
	EXPECT(n == 32 && st == STUN_ANSWER_SUCCESS, "optional unknown: %s", stun_status_name(st));

	/* CHANGE-REQUEST with a cookie (RFC 5780), in 28 bytes: a 420 needs 36, so silence. */
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	pattr(&p, 0x0003, 4);
	plen(&p);
	n = answer(p.b, p.n, &peer, out, &st);
	EXPECT(n == 0 && st == STUN_DROP_SIZE, "small 420 dropped: %s", stun_status_name(st));

	/* Room for the whole 420: reason phrase and the list. */
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	pattr(&p, 0x0003, 4);
	pattr(&p, 0x0003, 4); /* listed once */
	pattr(&p, 0x7001, 0);
	pattr(&p, STUN_ATTR_SOFTWARE, 40);
	plen(&p);
	n = answer(p.b, p.n, &peer, out, &st);
	assert_int_equal(st, STUN_ANSWER_UNKNOWN_ATTR);
	EXPECT(n > 0 && n <= p.n, "420 of %zu bytes to %zu", n, p.n);
	assert_int_equal(stun_parse_response(out, n, &r), DL_E_OK);
	EXPECT(r.type == STUN_BINDING_ERROR && r.error_code == 420, "420: %u", r.error_code);
	EXPECT(r.n_unknown == 2 && r.unknown[0] == 0x0003 && r.unknown[1] == 0x7001, "list");
	EXPECT(memcmp(out + 8, p.b + 8, STUN_TXID_LEN) == 0, "txid echoed");
	EXPECT(memmem(out, n, "Unknown Attribute", 17) != NULL, "reason phrase");

	/* Five unknown in 40 bytes: no reason phrase, four listed (32 + 8 = 40). */
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	for (uint16_t t = 0x7001; t <= 0x7005; t++)
		pattr(&p, t, 0);
	plen(&p);
	n = answer(p.b, p.n, &peer, out, &st);
	EXPECT(n == 40 && st == STUN_ANSWER_UNKNOWN_ATTR, "truncated 420: %zu", n);
	assert_int_equal(stun_parse_response(out, n, &r), DL_E_OK);
	EXPECT(r.n_unknown == 4 && r.unknown[3] == 0x7004, "four listed: %zu", r.n_unknown);
	EXPECT(memmem(out, n, "Unknown", 7) == NULL, "no reason phrase");

	/* With FINGERPRINT the 420 carries one too, and still fits the request. */
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	pattr(&p, 0x7001, 0);
	pattr(&p, STUN_ATTR_SOFTWARE, 20);
	pfingerprint(&p);
	n = answer(p.b, p.n, &peer, out, &st);
	EXPECT(st == STUN_ANSWER_UNKNOWN_ATTR && n > 0 && n <= p.n, "420 with FP: %zu/%zu", n, p.n);
	EXPECT(stun_parse_response(out, n, &r) == DL_E_OK && r.has_fingerprint && r.n_unknown == 1,
	       "420 with FP parses");

	/* After MESSAGE-INTEGRITY, unknown attributes do not count (RFC 8489 14.5). */
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	pattr(&p, STUN_ATTR_USERNAME, 9);
	pattr(&p, STUN_ATTR_MESSAGE_INTEGRITY, 20);
	pattr(&p, 0x7001, 4);
	plen(&p);
	n = answer(p.b, p.n, &peer, out, &st);
	EXPECT(n == 32 && st == STUN_ANSWER_SUCCESS, "after MI: %s", stun_status_name(st));

	/* More unknown types than STUN_UNKNOWN_MAX: the list stops there. */
	struct stun_request rq;
	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	for (uint16_t t = 0x7001; t <= 0x7001 + 2 * STUN_UNKNOWN_MAX; t++)
		pattr(&p, t, 0);
	plen(&p);
	assert_int_equal(stun_parse_request(p.b, p.n, &rq), STUN_ANSWER_UNKNOWN_ATTR);
	EXPECT(rq.n_unknown == STUN_UNKNOWN_MAX, "kept %zu", rq.n_unknown);
	n = answer(p.b, p.n, &peer, out, &st);
	EXPECT(n > 0 && n <= p.n && st == STUN_ANSWER_UNKNOWN_ATTR, "long list answered");
}

/* A small output buffer: silence, never a write past it. */
static void
test_small_cap(void **state)
{
	struct pkt p;
	uint8_t out[STUN_ANSWER_MAX];
	enum stun_status st;
	struct dl_endpoint peer = ep("2001:db8::1", 1);
	(void)state;

	phdr(&p, STUN_BINDING_REQUEST, STUN_MAGIC_COOKIE);
	for (size_t cap = 0; cap < 44; cap++) {
		memset(out, 0xEE, sizeof(out));
		size_t n = stun_answer(p.b, p.n, &peer, out, cap, &st);
		EXPECT(n == 0 && st == STUN_DROP_SIZE, "cap %zu: %zu", cap, n);
		for (size_t i = cap; i < sizeof(out); i++)
			EXPECT(out[i] == 0xEE, "cap %zu: byte %zu written", cap, i);
	}
}

static void
test_status_names(void **state)
{
	(void)state;
	for (int s = 0; s < STUN_STATUS_COUNT; s++) {
		const char *name = stun_status_name((enum stun_status)s);
		EXPECT(name != NULL && strcmp(name, "unknown") != 0, "status %d has a name", s);
	}
	EXPECT(strcmp(stun_status_name(STUN_STATUS_COUNT), "unknown") == 0, "out of range");
}

static void
test_ratelimit(void **state)
{
	static struct stun_ratelimit rl;
	static const uint8_t key[SIPHASH_KEY_LEN] = { 1, 2, 3 };
	struct dl_endpoint a = ep("192.0.2.1", 0), b = ep("192.0.2.2", 0);
	struct dl_endpoint m = ep("::ffff:192.0.2.1", 0);
	struct dl_endpoint v6a = ep("2001:db8:0:1::1", 0), v6b = ep("2001:db8:0:1::ffff", 0);
	struct dl_endpoint v6c = ep("2001:db8:0:2::1", 0);
	uint64_t t = 5000;
	size_t allowed = 0;
	(void)state;

	stun_ratelimit_init(&rl, 20, 40, key);
	for (int i = 0; i < 100; i++)
		allowed += stun_ratelimit_allow(&rl, &a.addr, t);
	EXPECT(allowed == 40, "burst: %zu", allowed);
	EXPECT(!stun_ratelimit_allow(&rl, &m.addr, t), "IPv4-mapped shares the IPv4 bucket");
	EXPECT(stun_ratelimit_allow(&rl, &b.addr, t), "another address has its own bucket");
	/* 20 per second: one token per 50 ms. */
	EXPECT(!stun_ratelimit_allow(&rl, &a.addr, t + 49), "refilled too early");
	EXPECT(stun_ratelimit_allow(&rl, &a.addr, t + 50), "one token after 50 ms");
	EXPECT(!stun_ratelimit_allow(&rl, &a.addr, t + 50), "only one");
	EXPECT(!stun_ratelimit_allow(&rl, &a.addr, t), "clock back refills nothing");
	allowed = 0;
	for (int i = 0; i < 100; i++)
		allowed += stun_ratelimit_allow(&rl, &a.addr, t + 10000);
	EXPECT(allowed == 40, "full again after 10 s, never more than the burst: %zu", allowed);

	allowed = 0;
	for (int i = 0; i < 50; i++)
		allowed += stun_ratelimit_allow(&rl, &v6a.addr, t);
	EXPECT(allowed == 40, "v6 burst: %zu", allowed);
	EXPECT(!stun_ratelimit_allow(&rl, &v6b.addr, t), "same /64 shares a bucket");
	EXPECT(stun_ratelimit_allow(&rl, &v6c.addr, t), "another /64 has its own");

	/* A day later from a fresh bucket, and no overflow for a huge gap. */
	EXPECT(stun_ratelimit_allow(&rl, &a.addr, UINT64_MAX), "huge clock jump");

	stun_ratelimit_init(&rl, 0, 0, key);
	for (int i = 0; i < 1000; i++)
		EXPECT(stun_ratelimit_allow(&rl, &a.addr, t), "rate 0: no limit");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_crc32),           TEST(test_rfc5769_responses),
		TEST(test_rfc5769_request), TEST(test_browser_request_exact),
		TEST(test_dropped),         TEST(test_unknown_attributes),
		TEST(test_small_cap),       TEST(test_status_names),
		TEST(test_ratelimit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
