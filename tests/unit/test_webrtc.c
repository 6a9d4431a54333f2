/* test_webrtc.c -- ICE candidate lines as Chromium and Firefox write them, and bad ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webrtc.h"

#include "expect.h"

struct good_case {
	const char *line;
	enum webrtc_cand_type type;
	bool tcp;
	const char *addr; /* addr_fmt of addr, or the mDNS name */
	uint8_t family;
	uint16_t port;
	uint32_t priority;
	uint16_t component;
	const char *raddr; /* NULL: has_raddr false */
	uint16_t rport;
};

static const struct good_case good[] = {
    /* Chromium: host, srflx with the related address hidden, mDNS host, TCP active, IPv6. */
    {"candidate:4234997325 1 udp 2043278322 192.168.0.56 44323 typ host generation 0 ufrag ZvTd "
     "network-id 1 network-cost 10",
     WEBRTC_HOST, false, "192.168.0.56", 4, 44323, 2043278322u, 1, NULL, 0},
    {"candidate:842163049 1 udp 1677729535 203.0.113.2 50000 typ srflx raddr 0.0.0.0 rport 0 "
     "generation 0 ufrag abcd network-cost 999",
     WEBRTC_SRFLX, false, "203.0.113.2", 4, 50000, 1677729535u, 1, NULL, 0},
    {"candidate:1 1 udp 2113937151 3f0c2b1e-9a4d-4c5e-8f7a-1b2c3d4e5f60.local 54321 typ host "
     "generation 0 ufrag abcd network-cost 999",
     WEBRTC_HOST, false, "3f0c2b1e-9a4d-4c5e-8f7a-1b2c3d4e5f60.local", 0, 54321, 2113937151u, 1,
     NULL, 0},
    {"candidate:3103012452 1 tcp 1518280447 192.168.0.56 9 typ host tcptype active generation 0 "
     "network-id 1",
     WEBRTC_HOST, true, "192.168.0.56", 4, 9, 1518280447u, 1, NULL, 0},
    {"candidate:2999745851 1 udp 2122262783 2001:db8:1234::5 58481 typ host generation 0 ufrag "
     "abcd network-id 2",
     WEBRTC_HOST, false, "2001:db8:1234::5", 6, 58481, 2122262783u, 1, NULL, 0},
    {"candidate:1234 1 udp 41885439 198.51.100.7 3478 typ relay raddr 203.0.113.2 rport 50000 "
     "generation 0 ufrag abcd network-id 1",
     WEBRTC_RELAY, false, "198.51.100.7", 4, 3478, 41885439u, 1, "203.0.113.2", 50000},
    {"candidate:3 1 udp 1853824767 2001:db8:aa::9 60001 typ prflx raddr 2001:db8:bb::1 rport 4000 "
     "generation 0",
     WEBRTC_PRFLX, false, "2001:db8:aa::9", 6, 60001, 1853824767u, 1, "2001:db8:bb::1", 4000},
    /* The same in SDP form. */
    {"a=candidate:4234997325 1 udp 2043278322 192.168.0.56 44323 typ host generation 0",
     WEBRTC_HOST, false, "192.168.0.56", 4, 44323, 2043278322u, 1, NULL, 0},
    /* Firefox: upper-case transport, no extensions, component 2, srflx with raddr. */
    {"candidate:0 1 UDP 2122252543 192.168.1.5 49205 typ host", WEBRTC_HOST, false, "192.168.1.5",
     4, 49205, 2122252543u, 1, NULL, 0},
    {"candidate:1 2 UDP 2122187006 2001:db8::7 56987 typ host", WEBRTC_HOST, false, "2001:db8::7",
     6, 56987, 2122187006u, 2, NULL, 0},
    {"candidate:2 1 TCP 2105524479 192.168.1.5 9 typ host tcptype active", WEBRTC_HOST, true,
     "192.168.1.5", 4, 9, 2105524479u, 1, NULL, 0},
    {"candidate:3 1 UDP 1686052863 203.0.113.2 49205 typ srflx raddr 192.168.1.5 rport 49205",
     WEBRTC_SRFLX, false, "203.0.113.2", 4, 49205, 1686052863u, 1, "192.168.1.5", 49205},
    {"candidate:0 1 UDP 2122252543 5D5A9F0C-7C2B-4A7A-B2C6-1F3E5D9C7A10.Local 49205 typ host",
     WEBRTC_HOST, false, "5d5a9f0c-7c2b-4a7a-b2c6-1f3e5d9c7a10.local", 0, 49205, 2122252543u, 1,
     NULL, 0},
    {"candidate:4 1 UDP 8331263 198.51.100.7 61234 typ relay raddr 198.51.100.7 rport 61234",
     WEBRTC_RELAY, false, "198.51.100.7", 4, 61234, 8331263u, 1, "198.51.100.7", 61234},
    {"candidate:5 1 TCP 2105458943 192.168.1.5 50000 typ host tcptype passive", WEBRTC_HOST, true,
     "192.168.1.5", 4, 50000, 2105458943u, 1, NULL, 0},
    /* An mDNS related address, an IPv4-mapped address, edge numbers, case, base64 foundation. */
    {"candidate:9 1 udp 1677729535 203.0.113.2 50000 typ srflx raddr ab-12.local rport 50000",
     WEBRTC_SRFLX, false, "203.0.113.2", 4, 50000, 1677729535u, 1, NULL, 50000},
    {"candidate:9 1 udp 100 ::ffff:192.0.2.1 65535 typ HOST", WEBRTC_HOST, false, "192.0.2.1", 4,
     65535, 100, 1, NULL, 0},
    {"CANDIDATE:a+/Z 256 udp 4294967295 192.0.2.1 1 TYP Relay RADDR ::ffff:198.51.100.1 RPORT 1",
     WEBRTC_RELAY, false, "192.0.2.1", 4, 1, 4294967295u, 256, "198.51.100.1", 1},
    {"candidate:12345678901234567890123456789012 001 udp 0000000001 192.0.2.1 00080 typ host",
     WEBRTC_HOST, false, "192.0.2.1", 4, 80, 1, 1, NULL, 0},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ host rport 7", WEBRTC_HOST, false, "192.0.2.1", 4, 80,
     1, 1, NULL, 7},
    {"candidate:1 1 udp 1 abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefg.local 80 "
     "typ host",
     WEBRTC_HOST, false, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefg.local", 0, 80,
     1, 1, NULL, 0},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ host raddr :: rport 0", WEBRTC_HOST, false,
     "192.0.2.1", 4, 80, 1, 1, NULL, 0},
};

static void
test_webrtc_good(void **state)
{
	(void)state;
	char text[ADDR_TEXT_MAX];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good_case *g = &good[i];
		struct webrtc_candidate c;
		memset(&c, 0x5a, sizeof(c));
		enum dl_err rc = webrtc_candidate_parse(g->line, strlen(g->line), &c);
		EXPECT(rc == DL_E_OK, "\"%s\": %d (%s)", g->line, rc, dl_strerror(rc));
		if (rc != DL_E_OK)
			continue;
		EXPECT(c.type == g->type, "\"%s\": type %d", g->line, c.type);
		EXPECT(c.tcp == g->tcp, "\"%s\": tcp %d", g->line, c.tcp);
		EXPECT(c.family == g->family, "\"%s\": family %u", g->line, c.family);
		if (g->family != 0) {
			EXPECT(c.addr.family == g->family, "\"%s\": addr.family", g->line);
			addr_fmt(&c.addr, text);
			EXPECT(strcmp(text, g->addr) == 0, "\"%s\": addr %s", g->line, text);
			EXPECT(c.mdns[0] == '\0', "\"%s\": mdns set", g->line);
		} else {
			EXPECT(strcmp(c.mdns, g->addr) == 0, "\"%s\": mdns %s", g->line, c.mdns);
		}
		EXPECT(c.port == g->port, "\"%s\": port %u", g->line, c.port);
		EXPECT(c.priority == g->priority, "\"%s\": priority %u", g->line, c.priority);
		EXPECT(c.component == g->component, "\"%s\": component %u", g->line, c.component);
		EXPECT(c.has_raddr == (g->raddr != NULL), "\"%s\": has_raddr %d", g->line,
		       c.has_raddr);
		if (g->raddr != NULL && c.has_raddr) {
			addr_fmt(&c.raddr, text);
			EXPECT(strcmp(text, g->raddr) == 0, "\"%s\": raddr %s", g->line, text);
		}
		EXPECT(c.rport == g->rport, "\"%s\": rport %u", g->line, c.rport);
	}
	EXPECT_NONE();
}

struct bad_case {
	const char *line;
	enum dl_err want;
};

static const struct bad_case bad[] = {
    {"", DL_E_FORMAT},
    {"candidate:", DL_E_FORMAT},
    {"a=", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80", DL_E_FORMAT},
    {"candidate 1 1 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidat:1 1 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"b=candidate:1 1 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"a=a=candidate:1 1 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    /* foundation */
    {"candidate: 1 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:1-2 1 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:123456789012345678901234567890123 1 udp 1 192.0.2.1 80 typ host", DL_E_TOOLONG},
    /* component */
    {"candidate:1 0 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:1 257 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:1 0001 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:1 -1 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:1 x udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    /* transport */
    {"candidate:1 1 sctp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udpx 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    /* priority */
    {"candidate:1 1 udp 0 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 4294967296 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 99999999999 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp +5 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1e5 192.0.2.1 80 typ host", DL_E_FORMAT},
    /* address */
    {"candidate:1 1 udp 1 192.0.2 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.256 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 [2001:db8::1] 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 fe80::1%eth0 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 2001:db8::1::2 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 example.com 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 a.b.local 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 .local 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 local 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 -abc.local 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 abc-.local 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 ab_c.local 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefgh.local 80 "
     "typ host",
     DL_E_TOOLONG},
    {"candidate:1 1 udp 1 abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
     ".local 80 typ host",
     DL_E_TOOLONG},
    /* port */
    {"candidate:1 1 udp 1 192.0.2.1 0 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 65536 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 000080 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80a typ host", DL_E_FORMAT},
    /* type */
    {"candidate:1 1 udp 1 192.0.2.1 80 type host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ local", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ hosts", DL_E_FORMAT},
    /* raddr, rport, extensions */
    {"candidate:1 1 udp 1 192.0.2.1 80 typ srflx raddr", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ srflx raddr example.com rport 1", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ srflx raddr 1.2.3.4 rport 65536", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ srflx rport 1 raddr 1.2.3.4", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ srflx raddr 1.2.3.4 raddr 1.2.3.5", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ srflx rport 1 rport 2", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ srflx generation 0 raddr 1.2.3.4", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ host generation", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ host typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ host gen(x) 0", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ host tcptype active", DL_E_FORMAT},
    {"candidate:1 1 tcp 1 192.0.2.1 9 typ host tcptype lazy", DL_E_FORMAT},
    /* spaces and bytes */
    {"candidate:1  1 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {" candidate:1 1 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ host ", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ host\r\n", DL_E_FORMAT},
    {"candidate:1\t1 udp 1 192.0.2.1 80 typ host", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ host ufrag \xc3\xa9", DL_E_FORMAT},
    {"candidate:1 1 udp 1 192.0.2.1 80 typ host ufrag a\x7f", DL_E_FORMAT},
};

static void
test_webrtc_bad(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_case *b = &bad[i];
		struct webrtc_candidate c, before;
		memset(&c, 0x5a, sizeof(c));
		memcpy(&before, &c, sizeof(c));
		enum dl_err rc = webrtc_candidate_parse(b->line, strlen(b->line), &c);
		EXPECT(rc == b->want, "\"%s\": got %d (%s), want %d", b->line, rc, dl_strerror(rc),
		       b->want);
		EXPECT(memcmp(&c, &before, sizeof(c)) == 0, "\"%s\": output touched", b->line);
	}
	EXPECT_NONE();
}

/* Embedded NUL, an over-long line and an over-long extension value. */
static void
test_webrtc_limits(void **state)
{
	(void)state;
	static const char with_nul[] = "candidate:1 1 udp 1 192.0.2.1 80 typ host ufrag a\0b";
	struct webrtc_candidate c;

	assert_int_equal(webrtc_candidate_parse(with_nul, sizeof(with_nul) - 1, &c), DL_E_FORMAT);

	char *line = malloc(WEBRTC_CAND_MAX + 2);
	assert_non_null(line);
	int n = snprintf(line, WEBRTC_CAND_MAX + 2, "candidate:1 1 udp 1 192.0.2.1 80 typ host");
	assert_true(n > 0);
	size_t len = (size_t)n;
	/* Fill with "x 1" pairs up to exactly the cap: accepted; one byte more: too long. */
	while (len + 4 <= WEBRTC_CAND_MAX) {
		memcpy(line + len, " x 1", 4);
		len += 4;
	}
	while (len < WEBRTC_CAND_MAX)
		line[len++] = '1';
	assert_int_equal(webrtc_candidate_parse(line, len, &c), DL_E_OK);
	line[len] = '1';
	assert_int_equal(webrtc_candidate_parse(line, len + 1, &c), DL_E_TOOLONG);

	/* One extension value of WEBRTC_TOKEN_MAX bytes is fine, one more is too long. */
	n = snprintf(line, WEBRTC_CAND_MAX + 2, "candidate:1 1 udp 1 192.0.2.1 80 typ host ufrag ");
	len = (size_t)n;
	memset(line + len, 'v', WEBRTC_TOKEN_MAX);
	assert_int_equal(webrtc_candidate_parse(line, len + WEBRTC_TOKEN_MAX, &c), DL_E_OK);
	line[len + WEBRTC_TOKEN_MAX] = 'v';
	assert_int_equal(webrtc_candidate_parse(line, len + WEBRTC_TOKEN_MAX + 1, &c),
	                 DL_E_TOOLONG);
	free(line);
}

/*
 * A good line cut before its type is complete is rejected; cut later it may still be a shorter
 * good line. Each prefix is copied to a buffer of exactly its length, so ASan sees any read past
 * len.
 */
static void
test_webrtc_prefixes(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const char *line = good[i].line;
		size_t len = strlen(line);
		const char *typ = strstr(line, " typ ");
		if (typ == NULL)
			typ = strstr(line, " TYP ");
		assert_non_null(typ);
		size_t type_end = (size_t)(typ - line) + 5;
		while (type_end < len && line[type_end] != ' ')
			type_end++;
		for (size_t n = 0; n < len; n++) {
			char *copy = malloc(n ? n : 1);
			assert_non_null(copy);
			memcpy(copy, line, n);
			struct webrtc_candidate c;
			enum dl_err rc = webrtc_candidate_parse(copy, n, &c);
			if (n < type_end)
				EXPECT(rc != DL_E_OK, "\"%s\" cut at %zu accepted", line, n);
			free(copy);
		}
	}
	EXPECT_NONE();
}

static void
test_webrtc_type_name(void **state)
{
	(void)state;

	assert_string_equal(webrtc_cand_type_name(WEBRTC_HOST), "host");
	assert_string_equal(webrtc_cand_type_name(WEBRTC_SRFLX), "srflx");
	assert_string_equal(webrtc_cand_type_name(WEBRTC_PRFLX), "prflx");
	assert_string_equal(webrtc_cand_type_name(WEBRTC_RELAY), "relay");
	assert_string_equal(webrtc_cand_type_name((enum webrtc_cand_type)0), "unknown");
	assert_string_equal(webrtc_cand_type_name((enum webrtc_cand_type)99), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_webrtc_good),       TEST(test_webrtc_bad),       TEST(test_webrtc_limits),
	    TEST(test_webrtc_prefixes),   TEST(test_webrtc_type_name),
	};

	return cmocka_run_group_tests_name("webrtc", tests, NULL, NULL);
}
