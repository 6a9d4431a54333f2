/* test_addr.c -- address and endpoint parsing and formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "addr.h"

#include "expect.h"

struct parse_case {
	const char *text;
	enum dl_err want;
	uint8_t family;
	uint8_t a[16];
	const char *fmt; /* addr_fmt of the result */
};

static void
test_addr_parse(void **state)
{
	(void)state;
	static const struct parse_case cases[] = {
	    {"192.0.2.1", DL_E_OK, 4, {192, 0, 2, 1}, "192.0.2.1"},
	    {"0.0.0.0", DL_E_OK, 4, {0}, "0.0.0.0"},
	    {"255.255.255.255", DL_E_OK, 4, {255, 255, 255, 255}, "255.255.255.255"},
	    {"2001:db8::1", DL_E_OK, 6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, "2001:db8::1"},
	    {"2001:DB8:0:0:0:0:0:53",
	     DL_E_OK,
	     6,
	     {0x20, 0x01, 0x0d, 0xb8, [15] = 0x53},
	     "2001:db8::53"},
	    {"::", DL_E_OK, 6, {0}, "::"},
	    {"::1", DL_E_OK, 6, {[15] = 1}, "::1"},
	    {"::ffff:192.0.2.1", DL_E_OK, 6, {[10] = 0xff, 0xff, 192, 0, 2, 1}, "::ffff:192.0.2.1"},
	    {"", DL_E_FORMAT},
	    {"1.2.3", DL_E_FORMAT},
	    {"1.2.3.4.5", DL_E_FORMAT},
	    {"256.1.1.1", DL_E_FORMAT},
	    {" 1.2.3.4", DL_E_FORMAT},
	    {"1.2.3.4 ", DL_E_FORMAT},
	    {"1.2.3.4:53", DL_E_FORMAT},
	    {"[::1]", DL_E_FORMAT},
	    {"fe80::1%eth0", DL_E_FORMAT},
	    {"2001:db8::1::2", DL_E_FORMAT},
	    {"localhost", DL_E_FORMAT},
	    {"0x7f.1", DL_E_FORMAT},
	};
	char out[ADDR_TEXT_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct parse_case *c = &cases[i];
		struct dl_addr a;
		memset(&a, 0x77, sizeof(a));
		enum dl_err rc = addr_parse(c->text, &a);
		EXPECT(rc == c->want, "\"%s\": %d", c->text, rc);
		if (c->want != DL_E_OK) {
			EXPECT(a.family == 0x77, "\"%s\": out written on error", c->text);
			continue;
		}
		EXPECT(a.family == c->family && memcmp(a.a, c->a, 16) == 0, "\"%s\": value",
		       c->text);
		addr_fmt(&a, out);
		EXPECT(strcmp(out, c->fmt) == 0, "\"%s\": fmt \"%s\"", c->text, out);
	}
	EXPECT_NONE();
}

struct ep_case {
	const char *text;
	enum dl_err want;
	uint8_t family;
	uint8_t a[16];
	uint16_t port;
	const char *fmt; /* addr_fmt_endpoint of the result */
};

static void
test_addr_parse_endpoint(void **state)
{
	(void)state;
	static const struct ep_case cases[] = {
	    {"127.0.0.1:5353", DL_E_OK, 4, {127, 0, 0, 1}, 5353, "127.0.0.1:5353"},
	    {"[::1]:5353", DL_E_OK, 6, {[15] = 1}, 5353, "[::1]:5353"},
	    {"[2001:db8::53]:53",
	     DL_E_OK,
	     6,
	     {0x20, 0x01, 0x0d, 0xb8, [15] = 0x53},
	     53,
	     "[2001:db8::53]:53"},
	    {"[::]:1", DL_E_OK, 6, {0}, 1, "[::]:1"},
	    {":53", DL_E_OK, 4, {0}, 53, "0.0.0.0:53"},
	    {"8053", DL_E_OK, 4, {127, 0, 0, 1}, 8053, "127.0.0.1:8053"},
	    {"0.0.0.0:65535", DL_E_OK, 4, {0}, 65535, "0.0.0.0:65535"},
	    {"192.0.2.1:1", DL_E_OK, 4, {192, 0, 2, 1}, 1, "192.0.2.1:1"},
	    {"::1:53", DL_E_FORMAT},
	    {"2001:db8::1", DL_E_FORMAT},
	    {"127.0.0.1:0", DL_E_FORMAT},
	    {"0", DL_E_FORMAT},
	    {":0", DL_E_FORMAT},
	    {"127.0.0.1:70000", DL_E_FORMAT},
	    {"127.0.0.1:65536", DL_E_FORMAT},
	    {"65536", DL_E_FORMAT},
	    {"127.0.0.1:4294967349", DL_E_FORMAT}, /* 2^32 + 53 */
	    {"127.0.0.1:99999999999999999999999", DL_E_FORMAT},
	    {"1.2.3:5", DL_E_FORMAT},
	    {"[1.2.3.4]:5", DL_E_FORMAT},
	    {"127.0.0.1", DL_E_FORMAT},
	    {"127.0.0.1:", DL_E_FORMAT},
	    {"[::1]", DL_E_FORMAT},
	    {"[::1]:", DL_E_FORMAT},
	    {"[::1]53", DL_E_FORMAT},
	    {"[::1", DL_E_FORMAT},
	    {"[]:53", DL_E_FORMAT},
	    {"", DL_E_FORMAT},
	    {":", DL_E_FORMAT},
	    {"garbage", DL_E_FORMAT},
	    {"host.example:53", DL_E_FORMAT},
	    {"127.0.0.1:53x", DL_E_FORMAT},
	    {"127.0.0.1: 53", DL_E_FORMAT},
	    {"127.0.0.1:+53", DL_E_FORMAT},
	    {"127.0.0.1:-53", DL_E_FORMAT},
	    {"127.0.0.1:0x35", DL_E_FORMAT},
	    {"[fe80::1%eth0]:53", DL_E_FORMAT},
	    {"[1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd:eeee]:53",
	     DL_E_FORMAT},
	    {"1111111111111111111111111111111111111111111111111111111111111111111.1:53",
	     DL_E_FORMAT},
	};
	char out[ADDR_STR_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ep_case *c = &cases[i];
		struct dl_endpoint e;
		memset(&e, 0x77, sizeof(e));
		enum dl_err rc = addr_parse_endpoint(c->text, &e);
		EXPECT(rc == c->want, "\"%s\": %d", c->text, rc);
		if (c->want != DL_E_OK) {
			EXPECT(e.port == 0x7777 && e.addr.family == 0x77, "\"%s\": out written",
			       c->text);
			continue;
		}
		EXPECT(e.addr.family == c->family && memcmp(e.addr.a, c->a, 16) == 0 &&
		           e.port == c->port,
		       "\"%s\": value", c->text);
		addr_fmt_endpoint(&e, out);
		EXPECT(strcmp(out, c->fmt) == 0, "\"%s\": fmt \"%s\"", c->text, out);
	}
	EXPECT_NONE();
}

static void
test_addr_fmt_longest(void **state)
{
	(void)state;
	struct dl_endpoint e;
	char out[ADDR_STR_MAX];
	char text[ADDR_TEXT_MAX];

	/* The longest text forms fit their buffers. */
	assert_int_equal(addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", &e.addr),
	                 DL_E_OK);
	e.port = 65535;
	addr_fmt(&e.addr, text);
	assert_string_equal(text, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	addr_fmt_endpoint(&e, out);
	assert_string_equal(out, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	assert_int_equal(addr_parse("::ffff:255.255.255.255", &e.addr), DL_E_OK);
	addr_fmt_endpoint(&e, out);
	assert_string_equal(out, "[::ffff:255.255.255.255]:65535");
}

static void
test_addr_equal(void **state)
{
	(void)state;
	struct dl_addr a, b;

	assert_int_equal(addr_parse("192.0.2.1", &a), DL_E_OK);
	assert_int_equal(addr_parse("192.0.2.1", &b), DL_E_OK);
	assert_true(addr_equal(&a, &b));
	assert_true(addr_equal(&a, &a));
	/* Bytes past the 4 of an IPv4 address do not count. */
	b.a[9] = 0x42;
	assert_true(addr_equal(&a, &b));
	assert_int_equal(addr_parse("192.0.2.2", &b), DL_E_OK);
	assert_false(addr_equal(&a, &b));

	/* Same leading bytes, other family. */
	memset(&b, 0, sizeof(b));
	b.family = 6;
	memcpy(b.a, a.a, 4);
	assert_false(addr_equal(&a, &b));
	assert_false(addr_equal(&b, &a));

	assert_int_equal(addr_parse("2001:db8::1", &a), DL_E_OK);
	assert_int_equal(addr_parse("2001:DB8:0::1", &b), DL_E_OK);
	assert_true(addr_equal(&a, &b));
	assert_int_equal(addr_parse("2001:db8::2", &b), DL_E_OK);
	assert_false(addr_equal(&a, &b));
	assert_int_equal(addr_parse("::ffff:192.0.2.1", &a), DL_E_OK);
	assert_int_equal(addr_parse("192.0.2.1", &b), DL_E_OK);
	assert_false(addr_equal(&a, &b)); /* a mapped address is not the IPv4 one */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_addr_parse),
	    TEST(test_addr_parse_endpoint),
	    TEST(test_addr_fmt_longest),
	    TEST(test_addr_equal),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
