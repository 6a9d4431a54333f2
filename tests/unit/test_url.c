/* test_url.c -- server URLs: the base form, the v4-/v6- exit URLs, the results URL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

#include "expect.h"

static void
test_server_base(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want; /* want NULL: refused */
	} cases[] = {
		{ "http://127.0.0.1:8053", "http://127.0.0.1:8053" },
		{ "http://127.0.0.1:8053/", "http://127.0.0.1:8053" },
		{ "http://127.0.0.1:8053///", "http://127.0.0.1:8053" },
		{ "https://leak.example.com", "https://leak.example.com" },
		{ "https://leak.example.com/dnsleak/", "https://leak.example.com/dnsleak" },
		{ "HTTPS://Leak.Example.com:443/a/b", "https://Leak.Example.com:443/a/b" },
		{ "http://[::1]:8053/", "http://[::1]:8053" },
		{ "http://[2001:db8::1]", "http://[2001:db8::1]" },
		{ "", NULL },
		{ "127.0.0.1:8053", NULL },
		{ "leak.example.com", NULL },
		{ "ftp://leak.example.com", NULL },
		{ "file:///etc/passwd", NULL },
		{ "http://user:pass@leak.example.com", NULL },
		{ "http://leak.example.com/?x=1", NULL },
		{ "http://leak.example.com/#top", NULL },
		{ "http://leak example.com", NULL },
		{ "http://leak.example.com\r\nX: y", NULL },
		{ "http://", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL;
		const char *why = NULL;
		enum dl_err rc = url_server_base(cases[i].in, &out, &why);

		if (cases[i].want == NULL) {
			EXPECT(rc == DL_E_FORMAT, "`%s': accepted as %s", cases[i].in,
			       out != NULL ? out : "?");
			EXPECT(rc != DL_E_FORMAT || (why != NULL && why[0] != '\0'), "`%s': no why",
			       cases[i].in);
		} else {
			EXPECT(rc == DL_E_OK, "`%s': refused (%s)", cases[i].in,
			       why != NULL ? why : "?");
			EXPECT(rc != DL_E_OK || strcmp(out, cases[i].want) == 0, "`%s': got %s",
			       cases[i].in, out);
		}
		if (rc == DL_E_OK)
			free(out);
	}
	EXPECT_NONE();
}

static void
test_with_host(void **state)
{
	(void)state;
	static const struct {
		const char *base, *host, *path, *want;
	} cases[] = {
		{ "http://127.0.0.1:8053", "v4-abc.leak.test", "/api/v1/whoami",
		  "http://v4-abc.leak.test:8053/api/v1/whoami" },
		{ "https://dnsleak.example.org/x/y", "v6-abc.leak.example.com", "/api/v1/whoami",
		  "https://v6-abc.leak.example.com/x/y/api/v1/whoami" },
		{ "http://[::1]:9", "v6-abc.leak.test", "/api/v1/whoami",
		  "http://v6-abc.leak.test:9/api/v1/whoami" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL;

		assert_int_equal(url_with_host(cases[i].base, cases[i].host, cases[i].path, &out),
				 DL_E_OK);
		EXPECT(strcmp(out, cases[i].want) == 0, "%zu: %s", i, out);
		free(out);
	}
	EXPECT_NONE();
}

static void
test_results(void **state)
{
	(void)state;
	static const char *const expects[] = { "198.51.100.0/24", "AS64496", "2001:db8::/32",
					       "a b&c=d" };
	char too_long[URL_EXPECT_MAX + 2];
	const char *const bad[] = { too_long };
	char *out = NULL;

	assert_int_equal(url_results("http://h:1", "abc", NULL, 0, &out), DL_E_OK);
	assert_string_equal(out, "http://h:1/api/v1/tests/abc");
	free(out);
	assert_int_equal(url_results("https://h/p", "abc", expects, 4, &out), DL_E_OK);
	assert_string_equal(out, "https://h/p/api/v1/tests/abc?expect=198.51.100.0%2F24"
				 "&expect=AS64496&expect=2001%3Adb8%3A%3A%2F32"
				 "&expect=a%20b%26c%3Dd");
	free(out);
	memset(too_long, '1', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	out = NULL;
	assert_int_equal(url_results("http://h", "abc", bad, 1, &out), DL_E_FORMAT);
	assert_null(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_server_base),
		TEST(test_with_host),
		TEST(test_results),
	};

	return cmocka_run_group_tests_name("url", tests, NULL, NULL);
}
