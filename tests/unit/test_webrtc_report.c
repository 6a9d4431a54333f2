/* test_webrtc_report.c -- the page's WebRTC report: body parsing (good and bad), observations and
 * their summary (round trip, interleaving, the first report only), and the "webrtc" block of the
 * results document. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "findings.h"
#include "results.h"
#include "webrtc.h"
#include "webrtc_report.h"

#define T0 1714564800000000ull /* 2024-05-01T12:00:00Z in microseconds */

/* Candidate lines as Chromium and Firefox write them; documentation and private addresses. */
#define L_HOST4 "candidate:1 1 udp 2122260223 192.168.1.5 54321 typ host generation 0"
#define L_SRFLX                                                                             \
	"candidate:2 1 udp 1686052607 203.0.113.7 54321 typ srflx raddr 192.168.1.5 rport " \
	"54321 generation 0"
#define L_MDNS                                                                               \
	"candidate:3 1 udp 2122260223 3f0c2b1e-9a4d-4c5e-8f7a-1b2c3d4e5f60.local 54322 typ " \
	"host generation 0"
#define L_HOST6 "candidate:4 1 udp 2122262783 2001:db8:1234::5 58481 typ host generation 0"
#define L_TCP "candidate:5 1 tcp 1518280447 192.168.1.5 9 typ host tcptype active generation 0"
#define L_RELAY \
	"candidate:6 1 udp 41885439 198.51.100.7 3478 typ relay raddr 203.0.113.7 rport 54321"
#define L_PRFLX                                                                             \
	"candidate:7 1 udp 1853824767 2001:db8:aa::9 60001 typ prflx raddr 2001:db8:bb::1 " \
	"rport 4000"

static const uint8_t test_id[TESTID_LEN] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
};

static struct dl_addr
ip(const char *text)
{
	struct dl_addr a;

	assert_int_equal(addr_parse(text, &a), DL_E_OK);
	return a;
}

/* Parse a NUL-terminated body; err is checked to be a terminated string either way. */
static enum dl_err
parse(const char *body, struct verdict_webrtc *w, char err[static 128])
{
	memset(err, 0, 128);
	return webrtc_report_parse(body, strlen(body), w, err, 128);
}

static bool
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static void
expect_cand(const struct verdict_candidate *c, uint8_t type, bool tcp, const char *addr,
	    uint16_t port)
{
	assert_int_equal(c->type, type);
	assert_int_equal(c->tcp, tcp);
	if (addr == NULL) {
		assert_int_equal(c->family, 0);
	} else {
		struct dl_addr a = ip(addr);
		assert_int_equal(c->family, a.family);
		assert_true(addr_equal(&c->addr, &a));
	}
	assert_int_equal(c->port, port);
	assert_false(c->exposes);
	assert_int_equal(c->net.asn, 0);
}

static void
test_parse_good(void **state)
{
	struct verdict_webrtc w;
	char err[128];

	(void)state;
	assert_int_equal(parse("{\"available\":true,\"candidates\":[\"" L_HOST4 "\",\"" L_SRFLX
			       "\",\"" L_MDNS "\",\"" L_HOST6 "\",\"" L_TCP "\",\"" L_RELAY
			       "\",\"" L_PRFLX "\",\"\"]}",
			       &w, err),
			 DL_E_OK);
	assert_true(w.reported);
	assert_true(w.available);
	assert_int_equal(w.skipped, 0);
	assert_int_equal(w.n, 7);
	expect_cand(&w.cands[0], WEBRTC_HOST, false, "192.168.1.5", 54321);
	expect_cand(&w.cands[1], WEBRTC_SRFLX, false, "203.0.113.7", 54321);
	expect_cand(&w.cands[2], WEBRTC_HOST, false, NULL, 54322);
	expect_cand(&w.cands[3], WEBRTC_HOST, false, "2001:db8:1234::5", 58481);
	expect_cand(&w.cands[4], WEBRTC_HOST, true, "192.168.1.5", 9);
	expect_cand(&w.cands[5], WEBRTC_RELAY, false, "198.51.100.7", 3478);
	expect_cand(&w.cands[6], WEBRTC_PRFLX, false, "2001:db8:aa::9", 60001);

	/* No RTCPeerConnection: reported, not available, nothing else. */
	assert_int_equal(parse("{\"available\":false}", &w, err), DL_E_OK);
	assert_true(w.reported);
	assert_false(w.available);
	assert_int_equal(w.n, 0);
	assert_int_equal(w.skipped, 0);

	/* Whitespace anywhere JSON allows it; candidates missing or empty. */
	assert_int_equal(parse(" {\n\t\"available\" : true \r\n} ", &w, err), DL_E_OK);
	assert_true(w.reported && w.available);
	assert_int_equal(w.n, 0);
	assert_int_equal(parse("{\"candidates\":[],\"available\":true}", &w, err), DL_E_OK);
	assert_true(w.reported && w.available);
	assert_int_equal(w.n, 0);

	/* Only the end-of-candidates mark: nothing, and nothing skipped. */
	assert_int_equal(parse("{\"available\":true,\"candidates\":[\"\",\"\"]}", &w, err),
			 DL_E_OK);
	assert_int_equal(w.n, 0);
	assert_int_equal(w.skipped, 0);

	/* A "a=" prefix and JSON escapes in the line: the parser sees the decoded text. */
	assert_int_equal(parse("{\"available\":true,\"candidates\":[\"a=candidate:1 1 udp 1 "
			       "\\u0031\\u0039\\u0038.51.100.9 80 typ host\"]}",
			       &w, err),
			 DL_E_OK);
	assert_int_equal(w.n, 1);
	expect_cand(&w.cands[0], WEBRTC_HOST, false, "198.51.100.9", 80);

	/* A page that says it has no WebRTC but sends candidates: both kept as said. */
	assert_int_equal(parse("{\"available\":false,\"candidates\":[\"" L_SRFLX "\"]}", &w, err),
			 DL_E_OK);
	assert_false(w.available);
	assert_int_equal(w.n, 1);
}

static void
test_parse_skipped_and_merged(void **state)
{
	struct verdict_webrtc w;
	char err[128];

	(void)state;
	/* Lines that do not parse are counted, not fatal; the good ones are kept in order. */
	assert_int_equal(parse("{\"available\":true,\"candidates\":[\"garbage\",\"" L_SRFLX
			       "\",\"candidate:1 1 udp 1 192.0.2.1 0 typ host\",\"candidate:1 1 "
			       "udp 1 192.0.2.1 80 typ host \",\"\",\"" L_HOST4 "\",\"x\"]}",
			       &w, err),
			 DL_E_OK);
	assert_int_equal(w.skipped, 4);
	assert_int_equal(w.n, 2);
	expect_cand(&w.cands[0], WEBRTC_SRFLX, false, "203.0.113.7", 54321);
	expect_cand(&w.cands[1], WEBRTC_HOST, false, "192.168.1.5", 54321);

	/*
	 * Duplicates merged: the same candidate again (other foundation, priority, extensions),
	 * and two mDNS names on one port (the names are not kept). A different port, transport
	 * or type is another candidate.
	 */
	assert_int_equal(
	    parse("{\"available\":true,\"candidates\":[\"" L_SRFLX "\",\"" L_SRFLX
		  "\",\"candidate:99 1 UDP 5 203.0.113.7 54321 typ srflx\",\"candidate:1 1 udp "
		  "1 aaaa.local 54322 typ host\",\"candidate:2 1 udp 1 bbbb.local 54322 typ "
		  "host\",\"candidate:2 1 tcp 1 203.0.113.7 54321 typ srflx\",\"candidate:2 1 "
		  "udp 1 203.0.113.7 54322 typ srflx\",\"candidate:2 1 udp 1 203.0.113.7 "
		  "54321 typ prflx\",\"candidate:2 1 udp 1 203.0.113.8 54321 typ srflx\"]}",
		  &w, err),
	    DL_E_OK);
	assert_int_equal(w.skipped, 0);
	assert_int_equal(w.n, 6);
	expect_cand(&w.cands[0], WEBRTC_SRFLX, false, "203.0.113.7", 54321);
	expect_cand(&w.cands[1], WEBRTC_HOST, false, NULL, 54322);
	expect_cand(&w.cands[2], WEBRTC_SRFLX, true, "203.0.113.7", 54321);
	expect_cand(&w.cands[3], WEBRTC_SRFLX, false, "203.0.113.7", 54322);
	expect_cand(&w.cands[4], WEBRTC_PRFLX, false, "203.0.113.7", 54321);
	expect_cand(&w.cands[5], WEBRTC_SRFLX, false, "203.0.113.8", 54321);

	/* An IPv4-mapped address is the IPv4 one: merged with it. */
	assert_int_equal(parse("{\"available\":true,\"candidates\":[\"candidate:1 1 udp 1 "
			       "192.0.2.1 80 typ host\",\"candidate:1 1 udp 1 ::ffff:192.0.2.1 80 "
			       "typ host\"]}",
			       &w, err),
			 DL_E_OK);
	assert_int_equal(w.n, 1);
	expect_cand(&w.cands[0], WEBRTC_HOST, false, "192.0.2.1", 80);
}

/* {"available":true,"candidates":[n lines]}: distinct candidates, or all the same one. */
static char *
body_of_lines(size_t n, bool distinct)
{
	size_t cap = 64 + n * 80;
	char *body = malloc(cap);
	size_t len;

	assert_non_null(body);
	len = (size_t)snprintf(body, cap, "{\"available\":true,\"candidates\":[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(
		    body + len, cap - len,
		    "%s\"candidate:%zu 1 udp 100 198.51.100.%zu %zu typ srflx\"", i > 0 ? "," : "",
		    i, distinct ? i + 1 : 1, distinct ? 40000 + i : 40000);
	len += (size_t)snprintf(body + len, cap - len, "]}");
	assert_true(len < cap);
	return body;
}

static void
test_parse_limits(void **state)
{
	struct verdict_webrtc w;
	char err[128];
	char *body;

	(void)state;
	/* Exactly WEBRTC_REPORT_LINES_MAX distinct lines: all kept. */
	assert_int_equal(WEBRTC_REPORT_LINES_MAX, 32);
	assert_true(WEBRTC_REPORT_LINES_MAX <= VERDICT_CANDIDATES_MAX);
	body = body_of_lines(32, true);
	assert_int_equal(parse(body, &w, err), DL_E_OK);
	assert_int_equal(w.n, 32);
	for (size_t i = 0; i < 32; i++) {
		char text[32];
		snprintf(text, sizeof(text), "198.51.100.%zu", i + 1);
		expect_cand(&w.cands[i], WEBRTC_SRFLX, false, text, (uint16_t)(40000 + i));
	}
	free(body);

	/* 32 copies of one line: one candidate. */
	body = body_of_lines(32, false);
	assert_int_equal(parse(body, &w, err), DL_E_OK);
	assert_int_equal(w.n, 1);
	free(body);

	/* One more line is too many, even when they would merge, and the error says the limit. */
	for (int distinct = 0; distinct < 2; distinct++) {
		body = body_of_lines(33, distinct);
		memset(&w, 0xa5, sizeof(w));
		assert_int_equal(parse(body, &w, err), DL_E_FULL);
		assert_non_null(strstr(err, "32"));
		assert_true(all_zero(&w, sizeof(w)));
		free(body);
	}

	/* 33 empty lines too: the limit is on lines, before any is read. */
	size_t cap = 64 + 33 * 3, len;
	body = malloc(cap);
	assert_non_null(body);
	len = (size_t)snprintf(body, cap, "{\"available\":true,\"candidates\":[\"\"");
	for (int i = 1; i < 33; i++)
		len += (size_t)snprintf(body + len, cap - len, ",\"\"");
	len += (size_t)snprintf(body + len, cap - len, "]}");
	assert_true(len < cap);
	assert_int_equal(parse(body, &w, err), DL_E_FULL);
	free(body);
}

struct bad_body {
	const char *body;
	size_t len; /* 0: strlen(body) */
	enum dl_err rc;
	const char *why; /* a word the error message must hold */
};

/* A body with a NUL in it: its length is the literal's. */
#define NUL_ROW(s)                                    \
	{                                             \
		s, sizeof(s) - 1, DL_E_FORMAT, "JSON" \
	}

static const struct bad_body bad_bodies[] = {
	{ "", 0, DL_E_FORMAT, "JSON" },
	{ "not json", 0, DL_E_FORMAT, "JSON" },
	{ "<script>alert(1)</script>", 0, DL_E_FORMAT, "JSON" },
	{ "[]", 0, DL_E_FORMAT, "object" },
	{ "[{\"available\":true}]", 0, DL_E_FORMAT, "object" },
	{ "\"available\"", 0, DL_E_FORMAT, "JSON" }, /* jansson takes only arrays and objects */
	{ "true", 0, DL_E_FORMAT, "JSON" },
	{ "null", 0, DL_E_FORMAT, "JSON" },
	{ "{}", 0, DL_E_FORMAT, "available" },
	{ "{\"candidates\":[]}", 0, DL_E_FORMAT, "available" },
	{ "{\"Available\":true}", 0, DL_E_FORMAT, "available" },
	{ "{\"available\":1}", 0, DL_E_FORMAT, "available" },
	{ "{\"available\":0}", 0, DL_E_FORMAT, "available" },
	{ "{\"available\":\"true\"}", 0, DL_E_FORMAT, "available" },
	{ "{\"available\":null}", 0, DL_E_FORMAT, "available" },
	{ "{\"available\":[true]}", 0, DL_E_FORMAT, "available" },
	{ "{\"available\":true,\"candidates\":null}", 0, DL_E_FORMAT, "candidates" },
	{ "{\"available\":true,\"candidates\":{}}", 0, DL_E_FORMAT, "candidates" },
	{ "{\"available\":true,\"candidates\":\"" L_SRFLX "\"}", 0, DL_E_FORMAT, "candidates" },
	{ "{\"available\":true,\"candidates\":1}", 0, DL_E_FORMAT, "candidates" },
	{ "{\"available\":true,\"candidates\":[1]}", 0, DL_E_FORMAT, "candidates" },
	{ "{\"available\":true,\"candidates\":[null]}", 0, DL_E_FORMAT, "candidates" },
	{ "{\"available\":true,\"candidates\":[[\"" L_SRFLX "\"]]}", 0, DL_E_FORMAT, "candidates" },
	{ "{\"available\":true,\"candidates\":[{\"candidate\":\"" L_SRFLX "\"}]}", 0, DL_E_FORMAT,
	  "candidates" },
	/* A good line first: its candidate must not survive the error. */
	{ "{\"available\":true,\"candidates\":[\"" L_SRFLX "\",\"" L_HOST6 "\",false]}", 0,
	  DL_E_FORMAT, "candidates" },
	/* Duplicate keys: which one counts would be a guess. */
	{ "{\"available\":true,\"available\":false}", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":true,\"candidates\":[],\"candidates\":[\"" L_SRFLX "\"]}", 0, DL_E_FORMAT,
	  "JSON" },
	/* Truncated and trailing bytes. */
	{ "{\"available\":true", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":true,\"candidates\":[\"" L_SRFLX "\"", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":true,\"candidates\":[\"" L_SRFLX, 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":true}}", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":true}{}", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":true} x", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":true,}", 0, DL_E_FORMAT, "JSON" },
	{ "{'available':true}", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":True}", 0, DL_E_FORMAT, "JSON" },
	/* Embedded NUL: raw after the object, raw inside a string, escaped inside a string. */
	NUL_ROW("{\"available\":true}\0"),
	NUL_ROW("{\"available\":true,\"candidates\":[\"candidate:1 1 udp 1 192.0.2.1\0 80 typ "
		"host\"]}"),
	NUL_ROW("{\"available\":true,\"candidates\":[\"candidate:1 1 udp 1 192.0.2.1 80 typ "
		"host\",\"\0\"]}"),
	{ "{\"available\":true,\"candidates\":[\"candidate:1 1 udp 1 192.0.2.1\\u0000 80 typ "
	  "host\"]}",
	  0, DL_E_FORMAT, "JSON" },
	NUL_ROW("{\"avail\0able\":true}"),
	/* Control bytes and bad UTF-8 inside strings. */
	{ "{\"available\":true,\"candidates\":[\"a\tb\"]}", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":true,\"candidates\":[\"\xff\xfe\"]}", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":true,\"candidates\":[\"\\ud800\"]}", 0, DL_E_FORMAT, "JSON" },
	/* Huge numbers anywhere. */
	{ "{\"available\":true,\"n\":1e999}", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":true,\"n\":-1e999}", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":true,\"n\":123456789012345678901234567890}", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":123456789012345678901234567890}", 0, DL_E_FORMAT, "JSON" },
	{ "{\"available\":true,\"candidates\":[1e400]}", 0, DL_E_FORMAT, "JSON" },
};

static bool
is_plain_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static void
test_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_bodies) / sizeof(bad_bodies[0]); i++) {
		const struct bad_body *b = &bad_bodies[i];
		size_t len = b->len != 0 ? b->len : strlen(b->body);
		struct verdict_webrtc w;
		char err[128];

		memset(&w, 0xa5, sizeof(w));
		memset(err, 0, sizeof(err));
		/* An exact-size copy, so that ASan sees a read past len. */
		char *copy = malloc(len > 0 ? len : 1);
		assert_non_null(copy);
		memcpy(copy, b->body, len);
		enum dl_err rc = webrtc_report_parse(copy, len, &w, err, sizeof(err));
		free(copy);
		EXPECT(rc == b->rc, "row %zu: rc %d, want %d", i, rc, b->rc);
		EXPECT(all_zero(&w, sizeof(w)), "row %zu: *out not zeroed", i);
		EXPECT(err[0] != '\0', "row %zu: no error text", i);
		EXPECT(is_plain_ascii(err), "row %zu: error text not plain ASCII", i);
		EXPECT(strstr(err, b->why) != NULL, "row %zu: \"%s\" does not say %s", i, err,
		       b->why);
		/* The message never quotes the body. */
		EXPECT(strstr(err, "script") == NULL && strstr(err, "candidate:") == NULL &&
			   strstr(err, "not json") == NULL,
		       "row %zu: error quotes the body: %s", i, err);
	}

	/* Deep nesting: jansson's depth limit, no stack overflow. */
	size_t depth = 100000;
	char *deep = malloc(2 * depth + 32);
	struct verdict_webrtc w;
	char err[128];
	assert_non_null(deep);
	size_t len = (size_t)snprintf(deep, 32, "{\"available\":true,\"x\":");
	memset(deep + len, '[', depth);
	len += depth;
	memset(deep + len, ']', depth);
	len += depth;
	deep[len++] = '}';
	memset(&w, 0xa5, sizeof(w));
	assert_int_equal(webrtc_report_parse(deep, len, &w, err, sizeof(err)), DL_E_FORMAT);
	assert_true(all_zero(&w, sizeof(w)));
	free(deep);
	EXPECT_NONE();
}

/* Every proper prefix of a good body is rejected, whole: out zeroed. */
static void
test_parse_prefixes(void **state)
{
	static const char body[] =
	    "{\"available\":true,\"candidates\":[\"" L_SRFLX "\",\"" L_MDNS "\",\"\"]}";
	struct verdict_webrtc w;
	char err[128];

	(void)state;
	assert_int_equal(webrtc_report_parse(body, sizeof(body) - 1, &w, err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(w.n, 2);
	for (size_t n = 0; n < sizeof(body) - 1; n++) {
		char *copy = malloc(n > 0 ? n : 1);
		assert_non_null(copy);
		memcpy(copy, body, n);
		memset(&w, 0xa5, sizeof(w));
		enum dl_err rc = webrtc_report_parse(copy, n, &w, err, sizeof(err));
		free(copy);
		EXPECT(rc == DL_E_FORMAT, "prefix %zu: rc %d", n, rc);
		EXPECT(all_zero(&w, sizeof(w)), "prefix %zu: *out not zeroed", n);
	}
	EXPECT_NONE();
}

/* A short error buffer gets a terminated prefix of the message; a zero-length one is untouched. */
static void
test_parse_err_buffer(void **state)
{
	struct verdict_webrtc w;
	char *err = malloc(8);
	char none = 'x';

	(void)state;
	assert_non_null(err);
	assert_int_equal(webrtc_report_parse("nope", 4, &w, err, 8), DL_E_FORMAT);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(webrtc_report_parse("{}", 2, &w, &none, 0), DL_E_FORMAT);
	assert_int_equal(none, 'x');
	free(err);
}

/* Observations for DNS and HTTP, to interleave with the WebRTC ones. */
static struct observation
other_obs(uint8_t transport, const char *addr)
{
	struct observation o;
	struct dl_addr a = ip(addr);

	memset(&o, 0, sizeof(o));
	o.time_us = T0;
	memcpy(o.id, test_id, TESTID_LEN);
	snprintf(o.nonce, sizeof(o.nonce), "%s", transport == OBS_HTTP ? "" : "abc123");
	o.name = transport == OBS_HTTP ? (a.family == 4 ? OBS_EXIT_V4 : OBS_EXIT_V6) : OBS_PROBE;
	o.transport = transport;
	o.family = a.family;
	memcpy(o.addr, a.a, sizeof(o.addr));
	o.port = 5353;
	o.qtype = transport == OBS_HTTP ? 0 : DNS_TYPE_A;
	return o;
}

static void
expect_same_report(const struct verdict_webrtc *got, const struct verdict_webrtc *want)
{
	assert_int_equal(got->reported, want->reported);
	assert_int_equal(got->available, want->available);
	assert_int_equal(got->skipped, want->skipped);
	assert_int_equal(got->n, want->n);
	for (size_t i = 0; i < want->n; i++) {
		const struct verdict_candidate *g = &got->cands[i], *c = &want->cands[i];
		assert_int_equal(g->type, c->type);
		assert_int_equal(g->tcp, c->tcp);
		assert_int_equal(g->family, c->family);
		if (c->family != 0)
			assert_true(addr_equal(&g->addr, &c->addr));
		assert_int_equal(g->port, c->port);
		assert_false(g->exposes);
		assert_true(all_zero(&g->net, sizeof(g->net)));
	}
}

static void
test_observations_round_trip(void **state)
{
	struct observation obs[WEBRTC_REPORT_OBS_MAX];
	struct verdict_webrtc w, back;
	char err[128];
	size_t n;

	(void)state;
	assert_int_equal(parse("{\"available\":true,\"candidates\":[\"" L_HOST4 "\",\"" L_SRFLX
			       "\",\"" L_MDNS "\",\"" L_HOST6 "\",\"" L_TCP "\",\"" L_RELAY
			       "\",\"" L_PRFLX "\",\"bad\",\"worse\",\"\"]}",
			       &w, err),
			 DL_E_OK);
	assert_int_equal(w.n, 7);
	assert_int_equal(w.skipped, 2);

	memset(obs, 0xa5, sizeof(obs));
	n = webrtc_report_observations(&w, test_id, T0 + 7, 3, obs);
	assert_int_equal(n, 8);

	/* The marker first: available, the skipped count in port, no address. */
	assert_int_equal(obs[0].transport, OBS_WEBRTC);
	assert_int_equal(obs[0].name, OBS_WEBRTC_REPORT);
	assert_int_equal(obs[0].flags, OBS_FW_AVAILABLE);
	assert_int_equal(obs[0].port, 2);
	assert_int_equal(obs[0].family, 0);
	assert_true(all_zero(obs[0].addr, sizeof(obs[0].addr)));
	static const uint8_t name_of[] = { OBS_CAND_HOST, OBS_CAND_SRFLX, OBS_CAND_HOST,
					   OBS_CAND_HOST, OBS_CAND_HOST,  OBS_CAND_RELAY,
					   OBS_CAND_PRFLX };
	static const uint8_t family_of[] = { 4, 4, 0, 6, 4, 4, 6 };
	for (size_t i = 0; i < n; i++) {
		const struct observation *o = &obs[i];
		assert_int_equal(o->time_us, T0 + 7);
		assert_memory_equal(o->id, test_id, TESTID_LEN);
		assert_int_equal(o->node, 3);
		assert_int_equal(o->transport, OBS_WEBRTC);
		assert_int_equal(o->qtype, 0);
		assert_int_equal(o->edns_udp_size, 0);
		assert_int_equal(o->ecs_family, 0);
		assert_int_equal(strnlen(o->nonce, sizeof(o->nonce)) < sizeof(o->nonce), 1);
		if (i == 0)
			continue;
		assert_int_equal(o->name, name_of[i - 1]);
		assert_int_equal(o->family, family_of[i - 1]);
		assert_int_equal(o->flags, i == 5 ? OBS_FW_TCP : 0);
		assert_int_equal(o->port, w.cands[i - 1].port);
		if (o->family == 0)
			assert_true(all_zero(o->addr, sizeof(o->addr)));
		else
			assert_memory_equal(o->addr, w.cands[i - 1].addr.a,
					    o->family == 4 ? 4 : 16);
	}
	assert_int_equal(obs[4].addr[0], 0x20); /* 2001:db8:1234::5 */
	assert_int_equal(obs[4].addr[15], 5);

	memset(&back, 0xa5, sizeof(back));
	webrtc_report_summarize(obs, n, &back);
	expect_same_report(&back, &w);
	assert_true(webrtc_report_seen(obs, n));

	/* Not available, nothing: a marker alone, flags 0. */
	assert_int_equal(parse("{\"available\":false}", &w, err), DL_E_OK);
	n = webrtc_report_observations(&w, test_id, T0, 0, obs);
	assert_int_equal(n, 1);
	assert_int_equal(obs[0].name, OBS_WEBRTC_REPORT);
	assert_int_equal(obs[0].flags, 0);
	assert_int_equal(obs[0].port, 0);
	webrtc_report_summarize(obs, n, &back);
	assert_true(back.reported);
	assert_false(back.available);
	assert_int_equal(back.n, 0);
	assert_true(webrtc_report_seen(obs, n));

	/* The full 32: 33 observations, all back. */
	char *body = body_of_lines(32, true);
	assert_int_equal(parse(body, &w, err), DL_E_OK);
	free(body);
	n = webrtc_report_observations(&w, test_id, T0, 0, obs);
	assert_int_equal(n, WEBRTC_REPORT_OBS_MAX);
	webrtc_report_summarize(obs, n, &back);
	expect_same_report(&back, &w);

	/* A skipped count past 16 bits is clamped, not wrapped (callers are bound by 32 lines). */
	memset(&w, 0, sizeof(w));
	w.reported = true;
	w.skipped = 65536;
	n = webrtc_report_observations(&w, test_id, T0, 0, obs);
	assert_int_equal(n, 1);
	assert_int_equal(obs[0].port, UINT16_MAX);
	/* A count past the array is clamped too. */
	w.n = VERDICT_CANDIDATES_MAX + 5;
	for (size_t i = 0; i < VERDICT_CANDIDATES_MAX; i++)
		w.cands[i].type = WEBRTC_HOST;
	n = webrtc_report_observations(&w, test_id, T0, 0, obs);
	assert_int_equal(n, WEBRTC_REPORT_OBS_MAX);
}

static void
test_summarize_interleaved(void **state)
{
	struct observation rep1[WEBRTC_REPORT_OBS_MAX], rep2[WEBRTC_REPORT_OBS_MAX];
	struct observation obs[64];
	struct verdict_webrtc w1, w2, back;
	char err[128];
	size_t n1, n2, n = 0;

	(void)state;
	assert_int_equal(parse("{\"available\":true,\"candidates\":[\"" L_SRFLX "\",\"" L_MDNS
			       "\",\"" L_HOST6 "\",\"junk\"]}",
			       &w1, err),
			 DL_E_OK);
	assert_int_equal(
	    parse("{\"available\":false,\"candidates\":[\"" L_RELAY "\",\"" L_TCP "\"]}", &w2, err),
	    DL_E_OK);
	n1 = webrtc_report_observations(&w1, test_id, T0, 0, rep1);
	n2 = webrtc_report_observations(&w2, test_id, T0, 0, rep2);
	assert_int_equal(n1, 4);
	assert_int_equal(n2, 3);

	/* No report at all. */
	obs[n++] = other_obs(OBS_UDP, "192.0.2.53");
	obs[n++] = other_obs(OBS_HTTP, "203.0.113.7");
	/* A candidate before any marker belongs to no report. */
	obs[n++] = rep2[1];
	assert_false(webrtc_report_seen(obs, n));
	memset(&back, 0xa5, sizeof(back));
	webrtc_report_summarize(obs, n, &back);
	assert_true(all_zero(&back, sizeof(back)));
	webrtc_report_summarize(NULL, 0, &back);
	assert_true(all_zero(&back, sizeof(back)));
	assert_false(webrtc_report_seen(NULL, 0));

	/* The first report, its candidates among DNS and HTTP observations, then a second one. */
	obs[n++] = rep1[0];
	obs[n++] = other_obs(OBS_TCP, "2001:db8::53");
	obs[n++] = rep1[1];
	obs[n++] = other_obs(OBS_HTTP, "2001:db8:1234::1");
	obs[n++] = rep1[2];
	obs[n++] = other_obs(OBS_UDP, "192.0.2.54");
	obs[n++] = rep1[3];
	obs[n++] = rep2[0];
	obs[n++] = rep2[1];
	obs[n++] = other_obs(OBS_UDP, "192.0.2.55");
	obs[n++] = rep2[2];
	assert_true(webrtc_report_seen(obs, n));
	webrtc_report_summarize(obs, n, &back);
	expect_same_report(&back, &w1);

	/* DNS observations that happen to carry a WebRTC name are not candidates. */
	n = 0;
	obs[n++] = rep1[0];
	struct observation fake = rep2[1];
	fake.transport = OBS_UDP;
	obs[n++] = fake;
	fake.transport = OBS_HTTP;
	obs[n++] = fake;
	obs[n++] = rep1[1];
	fake = rep1[0];
	fake.transport = OBS_UDP; /* not a marker either: the report goes on */
	obs[n++] = fake;
	obs[n++] = rep1[2];
	obs[n++] = rep1[3];
	assert_false(webrtc_report_seen(obs + 1, 2));
	webrtc_report_summarize(obs, n, &back);
	expect_same_report(&back, &w1);

	/* The second report alone counts when it is the first one. */
	webrtc_report_summarize(rep2, n2, &back);
	expect_same_report(&back, &w2);
}

/* What summarize makes of observations no parser wrote: out-of-range fields, duplicates, floods. */
static void
test_summarize_odd(void **state)
{
	struct observation obs[80];
	struct verdict_webrtc w, back;
	size_t n = 0;

	(void)state;
	memset(&w, 0, sizeof(w));
	w.reported = true;
	n = webrtc_report_observations(&w, test_id, T0, 0, obs);
	assert_int_equal(n, 1);
	obs[0].flags = 0xff; /* other flag bits ignored */

	struct observation c = obs[0];
	c.flags = 0;
	c.name = OBS_CAND_SRFLX;
	c.family = 4;
	memcpy(c.addr, (uint8_t[]){ 198, 51, 100, 1 }, 4);
	c.port = 1000;
	obs[n++] = c;
	obs[n++] = c; /* a duplicate: merged */
	struct observation odd = c;
	odd.name = OBS_PROBE; /* not a candidate name: ignored */
	obs[n++] = odd;
	odd.name = OBS_CAND_RELAY + 1;
	obs[n++] = odd;
	odd = c;
	odd.family = 5; /* neither 4 nor 6: no address, like mDNS */
	odd.port = 1001;
	obs[n++] = odd;
	odd.flags = 0xff & (uint8_t)~OBS_FW_AVAILABLE; /* tcp among other bits */
	odd.port = 1002;
	obs[n++] = odd;

	webrtc_report_summarize(obs, n, &back);
	assert_true(back.reported);
	assert_true(back.available);
	assert_int_equal(back.skipped, 0);
	assert_int_equal(back.n, 3);
	expect_cand(&back.cands[0], WEBRTC_SRFLX, false, "198.51.100.1", 1000);
	expect_cand(&back.cands[1], WEBRTC_SRFLX, false, NULL, 1001);
	expect_cand(&back.cands[2], WEBRTC_SRFLX, true, NULL, 1002);

	/* More distinct candidates than one report holds: the first VERDICT_CANDIDATES_MAX. */
	n = 1;
	for (size_t i = 0; i < 70; i++) {
		c.port = (uint16_t)(2000 + i);
		obs[n++] = c;
	}
	webrtc_report_summarize(obs, n, &back);
	assert_int_equal(back.n, VERDICT_CANDIDATES_MAX);
	for (size_t i = 0; i < VERDICT_CANDIDATES_MAX; i++)
		assert_int_equal(back.cands[i].port, 2000 + i);
}

/* The report through the whole results pipeline: summarize, verdict, the "webrtc" block. */
static json_t *
results_doc(const struct observation *obs, size_t n, struct verdict_out *v)
{
	struct results_summary sum;
	json_t *doc = NULL;

	assert_int_equal(results_summarize(obs, n, &sum), DL_E_OK);
	for (size_t i = 0; i < sum.n_resolvers; i++)
		sum.resolvers[i].net.asn = 64500;
	sum.exit4.net.asn = 64500;
	sum.exit6.net.asn = 64500;
	/* The enrichment the server does: the srflx candidate's network. */
	for (size_t i = 0; i < sum.webrtc.n; i++) {
		if (sum.webrtc.cands[i].type == WEBRTC_SRFLX) {
			sum.webrtc.cands[i].net.asn = 64501;
			snprintf(sum.webrtc.cands[i].net.org, NET_ORG_MAX, "Example ISP");
			snprintf(sum.webrtc.cands[i].net.country, 3, "NL");
		}
	}
	struct verdict_in vin = {
		.resolvers = sum.resolvers,
		.n_resolvers = sum.n_resolvers,
		.exit4 = sum.exit4,
		.exit6 = sum.exit6,
		.webrtc = &sum.webrtc,
	};
	verdict_compute(&vin, v);
	struct results_in in = {
		.id_text = "aaaaaaaaaaaaaaaaaaaaaaaaaa",
		.zone_text = "leak.test",
		.created_s = 1714564800,
		.expires_s = 1714565400,
		.obs = obs,
		.n = n,
		.sum = &sum,
		.verdict = v,
	};
	assert_int_equal(results_json(&in, &doc), DL_E_OK);
	results_summary_free(&sum);
	return doc;
}

static const json_t *
get(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	assert_non_null(v);
	return v;
}

static void
test_results_block(void **state)
{
	struct observation obs[16], rep[WEBRTC_REPORT_OBS_MAX];
	struct verdict_webrtc w;
	struct verdict_out v;
	char err[128];
	size_t n = 0, nr;
	json_t *doc;

	(void)state;
	obs[n++] = other_obs(OBS_UDP, "192.0.2.53");
	obs[n++] = other_obs(OBS_HTTP, "192.0.2.80");
	obs[n++] = other_obs(OBS_HTTP, "2001:db8:1234::1");

	/* No report: null, and no WebRTC finding. */
	doc = results_doc(obs, n, &v);
	assert_true(json_is_null(get(doc, "webrtc")));
	assert_string_equal(json_string_value(get(doc, "verdict")), "PASS");
	json_decref(doc);

	assert_int_equal(parse("{\"available\":true,\"candidates\":[\"" L_HOST4 "\",\"" L_SRFLX
			       "\",\"" L_MDNS "\",\"" L_HOST6 "\",\"" L_TCP "\",\"" L_RELAY
			       "\",\"nope\"]}",
			       &w, err),
			 DL_E_OK);
	nr = webrtc_report_observations(&w, test_id, T0, 0, rep);
	for (size_t i = 0; i < nr; i++)
		obs[n++] = rep[i];
	doc = results_doc(obs, n, &v);
	assert_string_equal(json_string_value(get(doc, "verdict")), "LEAK");
	const json_t *wj = get(doc, "webrtc");
	assert_true(json_is_object(wj));
	assert_int_equal(json_object_size(wj), 4);
	assert_true(json_is_true(get(wj, "available")));
	assert_int_equal(json_integer_value(get(wj, "skipped")), 1);
	assert_true(json_is_true(get(wj, "leak")));
	const json_t *cands = get(wj, "candidates");
	assert_int_equal(json_array_size(cands), 6);

	static const struct {
		const char *type, *protocol, *address;
		int family, port;
		bool exposes;
	} want[] = {
		{ "host", "udp", "192.168.1.5", 4, 54321, false },
		{ "srflx", "udp", "203.0.113.7", 4, 54321, true },
		{ "host", "udp", NULL, 0, 54322, false },
		/* In the IPv6 exit's /64: the client's own network. */
		{ "host", "udp", "2001:db8:1234::5", 6, 58481, false },
		{ "host", "tcp", "192.168.1.5", 4, 9, false },
		{ "relay", "udp", "198.51.100.7", 4, 3478, false },
	};
	for (size_t i = 0; i < 6; i++) {
		const json_t *c = json_array_get(cands, i);
		assert_string_equal(json_string_value(get(c, "type")), want[i].type);
		assert_string_equal(json_string_value(get(c, "protocol")), want[i].protocol);
		if (want[i].address == NULL) {
			assert_true(json_is_null(get(c, "address")));
			assert_true(json_is_null(get(c, "family")));
			assert_true(json_is_true(get(c, "mdns")));
		} else {
			assert_string_equal(json_string_value(get(c, "address")), want[i].address);
			assert_int_equal(json_integer_value(get(c, "family")), want[i].family);
			assert_true(json_is_false(get(c, "mdns")));
		}
		assert_int_equal(json_integer_value(get(c, "port")), want[i].port);
		assert_int_equal(json_is_true(get(c, "exposes")), want[i].exposes);
		if (i == 1) {
			assert_int_equal(json_integer_value(get(c, "asn")), 64501);
			assert_string_equal(json_string_value(get(c, "org")), "Example ISP");
			assert_string_equal(json_string_value(get(c, "country")), "NL");
		} else {
			assert_true(json_is_null(get(c, "asn")));
			assert_true(json_is_null(get(c, "org")));
		}
	}

	/* The findings: the leak, and the local address in the clear. */
	const json_t *f = get(doc, "findings");
	bool leak = false, local = false;
	for (size_t i = 0; i < json_array_size(f); i++) {
		const char *id = json_string_value(get(json_array_get(f, i), "id"));
		leak |= strcmp(id, FINDING_WEBRTC_LEAK) == 0;
		local |= strcmp(id, FINDING_WEBRTC_LOCAL) == 0;
	}
	assert_true(leak);
	assert_true(local);
	assert_non_null(strstr(json_string_value(get(doc, "reason")), "203.0.113.7"));

	/* WebRTC observations are not listed among the DNS and HTTP ones, nor counted. */
	assert_int_equal(json_array_size(get(doc, "observations")), 3);
	assert_int_equal(json_array_size(get(doc, "resolvers")), 1);
	assert_int_equal(json_integer_value(get(doc, "total")), 1);
	assert_int_equal(json_integer_value(get(doc, "http_total")), 2);
	json_decref(doc);

	/* Not available: an empty block, no leak. */
	n = 3;
	assert_int_equal(parse("{\"available\":false}", &w, err), DL_E_OK);
	nr = webrtc_report_observations(&w, test_id, T0, 0, rep);
	for (size_t i = 0; i < nr; i++)
		obs[n++] = rep[i];
	doc = results_doc(obs, n, &v);
	wj = get(doc, "webrtc");
	assert_true(json_is_false(get(wj, "available")));
	assert_int_equal(json_array_size(get(wj, "candidates")), 0);
	assert_int_equal(json_integer_value(get(wj, "skipped")), 0);
	assert_true(json_is_false(get(wj, "leak")));
	assert_string_equal(json_string_value(get(doc, "verdict")), "PASS");
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_skipped_and_merged),
		cmocka_unit_test(test_parse_limits),
		TEST(test_parse_bad),
		TEST(test_parse_prefixes),
		cmocka_unit_test(test_parse_err_buffer),
		cmocka_unit_test(test_observations_round_trip),
		cmocka_unit_test(test_summarize_interleaved),
		cmocka_unit_test(test_summarize_odd),
		cmocka_unit_test(test_results_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
