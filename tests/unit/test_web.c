/* test_web.c -- the page's embedded files, its security policy, and the STUN servers it is told
 * to use (web.c, http_stun_urls in http.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "http.h"
#include "web.h"

static void
test_find(void **state)
{
	const struct web_asset *index;

	(void)state;
	index = web_find("/");
	assert_non_null(index);
	assert_ptr_equal(index, web_find("/index.html"));
	assert_string_equal(index->type, "text/html; charset=utf-8");
	assert_true(index->len > 100);
	assert_int_equal(index->data[index->len], 0); /* the byte embed.sh adds */
	assert_non_null(strstr((const char *)index->data, "<html"));
	assert_non_null(web_find("/app.js"));
	assert_string_equal(web_find("/app.js")->type, "text/javascript; charset=utf-8");
	assert_string_equal(web_find("/style.css")->type, "text/css; charset=utf-8");
	/* Every file has a distinct strong ETag. */
	for (size_t i = 0; i < web_assets_count; i++) {
		const char *e = web_assets[i].etag;
		assert_int_equal(e[0], '"');
		assert_int_equal(e[strlen(e) - 1], '"');
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(e, web_assets[j].etag);
	}
	assert_null(web_assets[web_assets_count].path);

	assert_null(web_find(""));
	assert_null(web_find("/index.html/"));
	assert_null(web_find("/INDEX.HTML"));
	assert_null(web_find("/../index.html"));
	assert_null(web_find("//index.html"));
	assert_null(web_find("/api/v1/tests"));
	assert_null(web_find("/nonexistent.js"));
}

static void
test_csp(void **state)
{
	char csp[WEB_CSP_MAX];
	char small[64];
	char zone[300];

	(void)state;
	assert_true(web_csp("leak.test", csp, sizeof(csp)));
	assert_non_null(strstr(csp, "default-src 'none'"));
	assert_non_null(strstr(csp, "script-src 'self';"));
	assert_non_null(strstr(csp, "style-src 'self';"));
	assert_non_null(strstr(csp, "connect-src 'self' http://*.leak.test:* https://*.leak.test:*"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_null(strstr(csp, "unsafe"));
	assert_false(web_csp("leak.test", small, sizeof(small)));
	/* The longest zone (253 characters) still fits. */
	memset(zone, 'a', 253);
	zone[253] = '\0';
	assert_true(web_csp(zone, csp, sizeof(csp)));
}

static struct dl_endpoint
ep(const char *addr, uint16_t port)
{
	struct dl_endpoint e = {.port = port};
	assert_int_equal(addr_parse(addr, &e.addr), DL_E_OK);
	return e;
}

static void
test_stun_urls(void **state)
{
	char out[HTTP_STUN_URLS_MAX][HTTP_STUN_URL_MAX];
	struct dl_addr web4[2], web6[1];
	struct dl_endpoint eps[4];

	(void)state;
	assert_int_equal(addr_parse("198.18.53.1", &web4[0]), DL_E_OK);
	assert_int_equal(addr_parse("198.18.53.2", &web4[1]), DL_E_OK);
	assert_int_equal(addr_parse("2001:db8:53::1", &web6[0]), DL_E_OK);

	/* Explicit addresses as they are, one per family, the first of each. */
	eps[0] = ep("192.0.2.1", 3478);
	eps[1] = ep("2001:db8::1", 3479);
	eps[2] = ep("192.0.2.2", 3478);
	assert_int_equal(http_stun_urls(eps, 3, web4, 2, web6, 1, out), 2);
	assert_string_equal(out[0], "stun:192.0.2.1:3478");
	assert_string_equal(out[1], "stun:[2001:db8::1]:3479");

	/* Wildcards stand for the first web address of their family. */
	eps[0] = ep("0.0.0.0", 3478);
	eps[1] = ep("::", 3478);
	assert_int_equal(http_stun_urls(eps, 2, web4, 2, web6, 1, out), 2);
	assert_string_equal(out[0], "stun:198.18.53.1:3478");
	assert_string_equal(out[1], "stun:[2001:db8:53::1]:3478");

	/* A wildcard of a family without a web address is no URL; no endpoints, none. */
	assert_int_equal(http_stun_urls(eps, 2, web4, 2, web6, 0, out), 1);
	assert_string_equal(out[0], "stun:198.18.53.1:3478");
	assert_int_equal(http_stun_urls(eps, 0, web4, 2, web6, 1, out), 0);

	/* The longest IPv6 text fits. */
	eps[0] = ep("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 65535);
	assert_int_equal(http_stun_urls(eps, 1, web4, 0, web6, 0, out), 1);
	assert_string_equal(out[0], "stun:[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_csp),
	    cmocka_unit_test(test_stun_urls),
	};
	return cmocka_run_group_tests_name("web", tests, NULL, NULL);
}
