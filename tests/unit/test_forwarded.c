/* test_forwarded.c -- the client behind trusted proxies: X-Forwarded-For read from the right. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "forwarded.h"

#include "expect.h"

static struct trust_entry proxies[3];
static size_t n_proxies;

static int
setup(void **state)
{
	reset_failures(state);
	n_proxies = 0;
	assert_int_equal(trust_parse("192.0.2.0/28", &proxies[n_proxies++]), DL_E_OK);
	assert_int_equal(trust_parse("2001:db8:ff::/48", &proxies[n_proxies++]), DL_E_OK);
	assert_int_equal(trust_parse("AS64496", &proxies[n_proxies++]), DL_E_OK); /* never a proxy */
	return 0;
}

static struct dl_addr
A(const char *text)
{
	struct dl_addr a;
	assert_int_equal(addr_parse(text, &a), DL_E_OK);
	return a;
}

static void
test_table(void **state)
{
	static const struct {
		const char *peer;
		const char *xff; /* NULL: no header */
		bool ok;
		const char *client;
	} rows[] = {
		/* A peer that is no trusted proxy is the client, whatever it claims. */
		{ "198.51.100.7", "203.0.113.9", true, "198.51.100.7" },
		{ "198.51.100.7", NULL, true, "198.51.100.7" },
		{ "198.51.100.7", "garbage", true, "198.51.100.7" },
		/* A trusted proxy: the rightmost address that is not one of ours. */
		{ "192.0.2.1", "203.0.113.9", true, "203.0.113.9" },
		{ "192.0.2.1", "  203.0.113.9  ", true, "203.0.113.9" },
		{ "192.0.2.1", "1.1.1.1, 203.0.113.9", true, "203.0.113.9" }, /* spoofed left part */
		{ "192.0.2.1", "203.0.113.9, 192.0.2.2", true, "203.0.113.9" }, /* two proxies */
		{ "192.0.2.1", "203.0.113.9,192.0.2.2,192.0.2.3", true, "203.0.113.9" },
		{ "192.0.2.1", "192.0.2.4, 192.0.2.2", true, "192.0.2.4" }, /* all ours: leftmost */
		{ "192.0.2.1", "203.0.113.9:4711", true, "203.0.113.9" },
		{ "192.0.2.1", "2001:db8::9", true, "2001:db8::9" },
		{ "192.0.2.1", "[2001:db8::9]", true, "2001:db8::9" },
		{ "192.0.2.1", "[2001:db8::9]:4711", true, "2001:db8::9" },
		{ "192.0.2.1", "::ffff:203.0.113.9", true, "203.0.113.9" },
		{ "2001:db8:ff::1", "203.0.113.9, 2001:db8:ff::2", true, "203.0.113.9" },
		{ "192.0.2.1", "garbage, 203.0.113.9", true, "203.0.113.9" }, /* left of the client */
		/* What the proxy itself wrote is broken: the proxy is all we know. */
		{ "192.0.2.1", NULL, false, "192.0.2.1" },
		{ "192.0.2.1", "", false, "192.0.2.1" },
		{ "192.0.2.1", " ", false, "192.0.2.1" },
		{ "192.0.2.1", "203.0.113.9,", false, "192.0.2.1" },
		{ "192.0.2.1", "unknown", false, "192.0.2.1" },
		{ "192.0.2.1", "203.0.113.9, garbage", false, "192.0.2.1" },
		{ "192.0.2.1", "203.0.113.9, 192.0.2.2, bad", false, "192.0.2.1" },
		{ "192.0.2.1", "203.0.113.9:", false, "192.0.2.1" },
		{ "192.0.2.1", "203.0.113.9:x", false, "192.0.2.1" },
		{ "192.0.2.1", "[2001:db8::9", false, "192.0.2.1" },
		{ "192.0.2.1", "[2001:db8::9]x", false, "192.0.2.1" },
		{ "192.0.2.1", "[2001:db8::9]:", false, "192.0.2.1" },
		{ "192.0.2.1", "fe80::1%eth0", false, "192.0.2.1" },
		{ "192.0.2.1", "2001:db8::9:", false, "192.0.2.1" },
		{ "192.0.2.1", "203.0.113.9 198.51.100.1", false, "192.0.2.1" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct dl_addr peer = A(rows[i].peer), want = A(rows[i].client), got;
		bool ok = forwarded_client(&peer, rows[i].xff, proxies, n_proxies, &got);
		char text[ADDR_TEXT_MAX];

		addr_fmt(&got, text);
		EXPECT(ok == rows[i].ok && addr_equal(&got, &want),
		       "row %zu: peer %s, X-Forwarded-For %s: got %s %s, want %s %s", i,
		       rows[i].peer, rows[i].xff ? rows[i].xff : "(none)", ok ? "true" : "false",
		       text, rows[i].ok ? "true" : "false", rows[i].client);
	}
	EXPECT_NONE();
}

/* Past FORWARDED_HOPS_MAX hops of trusted proxies the header is not read further. */
static void
test_hops(void **state)
{
	char xff[2048] = "203.0.113.9";
	struct dl_addr peer = A("192.0.2.1"), got, want = A("203.0.113.9");

	(void)state;
	for (int i = 1; i < FORWARDED_HOPS_MAX; i++)
		strcat(xff, ", 192.0.2.2");
	assert_true(forwarded_client(&peer, xff, proxies, n_proxies, &got));
	assert_true(addr_equal(&got, &want));
	strcat(xff, ", 192.0.2.2");
	assert_false(forwarded_client(&peer, xff, proxies, n_proxies, &got));
	assert_true(addr_equal(&got, &peer));
	/* No proxies configured: never read. */
	assert_true(forwarded_client(&peer, "203.0.113.9", proxies, 0, &got));
	assert_true(addr_equal(&got, &peer));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_table, setup),
	    cmocka_unit_test_setup(test_hops, setup),
	};
	return cmocka_run_group_tests_name("forwarded", tests, NULL, NULL);
}
