/* test_api.c -- the server's answers checked field by field: a good results document read in
 * full, then one mutation per field (wrong type, out of range, missing, too long, too many) each
 * refused with a message naming the field; every prefix of a good document; POST answers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#include "expect.h"

#define ID "nme2pglajsvluxwplf2znhnlkm"

static const char good_results[] =
    "{\"id\": \"" ID "\", \"zone\": \"leak.test\", \"created\": \"x\", \"total\": 7,"
    " \"resolvers\": ["
    "  {\"address\": \"198.51.100.10\", \"family\": 4, \"queries\": 5,"
    "   \"transports\": [\"udp\"], \"qtypes\": [\"A\", \"AAAA\"], \"names\": [\"probe\"],"
    "   \"ecs\": null, \"asn\": 64500, \"org\": \"Example ISP\", \"country\": \"DE\","
    "   \"ptr\": \"resolver.isp.example\","
    "   \"trusted\": false, \"classification\": \"other-network\"},"
    "  {\"address\": \"2001:DB8:0::10\", \"family\": 6, \"queries\": 2,"
    "   \"asn\": null, \"org\": null, \"country\": null,"
    "   \"trusted\": true, \"classification\": \"trusted\"}],"
    " \"exit\": {\"ipv4\": {\"address\": \"203.0.113.7\", \"asn\": 64501,"
    "   \"org\": \"Example VPN\", \"country\": \"NL\"}, \"ipv6\": null},"
    " \"verdict\": \"LEAK\", \"reason\": \"Your DNS queries reach 198.51.100.10.\","
    " \"findings\": [{\"id\": \"DL-ISP-RESOLVER\", \"severity\": \"high\","
    "   \"title\": \"ISP resolver\", \"explain\": \"Your ISP sees your names.\","
    "   \"detail\": \"198.51.100.10 (AS64500)\", \"steps\": [\"Step one.\", \"Step two.\"],"
    "   \"inconclusive\": false,"
    "   \"platforms\": {\"systemd-resolved\": [\"Run resolvectl.\", \"Check it.\"],"
    "     \"firewall\": [\"Block it.\"], \"Plan9\": [\"Unknown to us.\"]}},"
    "   {\"id\": \"DL-X\", \"severity\": \"info\", \"title\": \"Bare\"}],"
    " \"configured\": [{\"address\": \"8.8.8.8\", \"family\": 4, \"asn\": 15169,"
    "   \"org\": \"Google LLC\", \"country\": \"US\"}, {\"address\": \"2001:DB8::53\"}],"
    " \"observations\": []}";

static json_t *
load(const char *text)
{
	json_error_t e;
	json_t *doc = json_loads(text, JSON_DECODE_ANY, &e);

	if (doc == NULL)
		fail_msg("bad test JSON: %s", e.text);
	return doc;
}

static void
test_results_good(void **state)
{
	(void)state;
	json_t *doc = load(good_results);
	struct api_results r;
	char err[API_ERR_MAX] = "";

	assert_int_equal(api_parse_results(doc, &r, err), DL_E_OK);
	json_decref(doc); /* r holds its own reference */
	assert_string_equal(r.id, ID);
	assert_string_equal(r.zone, "leak.test");
	assert_int_equal(r.total, 7);
	assert_int_equal(r.verdict, VERDICT_LEAK);
	assert_string_equal(r.reason, "Your DNS queries reach 198.51.100.10.");
	assert_int_equal(r.n_resolvers, 2);
	assert_string_equal(r.resolvers[0].net.address, "198.51.100.10");
	assert_int_equal(r.resolvers[0].net.family, 4);
	assert_int_equal(r.resolvers[0].queries, 5);
	assert_true(r.resolvers[0].net.has_asn);
	assert_int_equal(r.resolvers[0].net.asn, 64500);
	assert_string_equal(r.resolvers[0].net.org, "Example ISP");
	assert_string_equal(r.resolvers[0].net.country, "DE");
	assert_string_equal(r.resolvers[0].net.ptr, "resolver.isp.example");
	assert_null(r.resolvers[1].net.ptr); /* absent: an older server */
	assert_false(r.resolvers[0].is_trusted);
	assert_string_equal(r.resolvers[0].classification, "other-network");
	assert_string_equal(r.resolvers[1].net.address, "2001:db8::10"); /* canonical */
	assert_int_equal(r.resolvers[1].net.family, 6);
	assert_false(r.resolvers[1].net.has_asn);
	assert_null(r.resolvers[1].net.org);
	assert_null(r.resolvers[1].net.country);
	assert_true(r.resolvers[1].is_trusted);
	assert_true(r.exit4.is_present);
	assert_string_equal(r.exit4.address, "203.0.113.7");
	assert_int_equal(r.exit4.asn, 64501);
	assert_string_equal(r.exit4.org, "Example VPN");
	assert_false(r.exit6.is_present);
	assert_int_equal(r.n_findings, 2);
	assert_string_equal(r.findings[0].id, "DL-ISP-RESOLVER");
	assert_int_equal(r.findings[0].severity, SEV_HIGH);
	assert_string_equal(r.findings[0].title, "ISP resolver");
	assert_string_equal(r.findings[0].explain, "Your ISP sees your names.");
	assert_string_equal(r.findings[0].detail, "198.51.100.10 (AS64500)");
	assert_int_equal(r.findings[0].n_steps, 2);
	assert_string_equal(r.findings[0].steps[1], "Step two.");
	assert_int_equal(r.findings[1].severity, SEV_INFO);
	assert_string_equal(r.findings[1].explain, "");
	assert_string_equal(r.findings[1].detail, "");
	assert_int_equal(r.findings[1].n_steps, 0);
	assert_int_equal(r.findings[0].n_platform_steps[PLATFORM_RESOLVED], 2);
	assert_string_equal(r.findings[0].platform_steps[PLATFORM_RESOLVED][1], "Check it.");
	assert_int_equal(r.findings[0].n_platform_steps[PLATFORM_FIREWALL], 1);
	assert_string_equal(r.findings[0].platform_steps[PLATFORM_FIREWALL][0], "Block it.");
	for (size_t p = 0; p < PLATFORM_COUNT; p++) {
		if (p != PLATFORM_RESOLVED && p != PLATFORM_FIREWALL)
			assert_int_equal(r.findings[0].n_platform_steps[p], 0);
		assert_int_equal(r.findings[1].n_platform_steps[p], 0);
	}
	assert_int_equal(r.n_configured, 2);
	assert_string_equal(r.configured[0].address, "8.8.8.8");
	assert_int_equal(r.configured[0].family, 4);
	assert_true(r.configured[0].has_asn);
	assert_int_equal(r.configured[0].asn, 15169);
	assert_string_equal(r.configured[0].org, "Google LLC");
	assert_string_equal(r.configured[1].address, "2001:db8::53");
	assert_int_equal(r.configured[1].family, 6);
	assert_false(r.configured[1].has_asn);
	assert_null(r.configured[1].org);
	api_results_free(&r);
	assert_null(r.doc);
	api_results_free(&r); /* a zeroed one is fine */
}

/* Set (value != NULL) or delete the member at a dotted path ("resolvers.0.asn"). */
static void
set_path(json_t *doc, const char *path, json_t *value)
{
	char buf[128], *key, *next;
	json_t *at = doc;

	snprintf(buf, sizeof(buf), "%s", path);
	key = buf;
	while ((next = strchr(key, '.')) != NULL) {
		*next = '\0';
		at = json_is_array(at) ? json_array_get(at, strtoul(key, NULL, 10))
				       : json_object_get(at, key);
		assert_non_null(at);
		key = next + 1;
	}
	if (json_is_array(at)) {
		assert_int_equal(json_array_set_new(at, strtoul(key, NULL, 10), value), 0);
	} else if (value == NULL) {
		assert_int_equal(json_object_del(at, key), 0);
	} else {
		assert_int_equal(json_object_set_new(at, key, value), 0);
	}
}

static json_t *
array_of(size_t n, const char *element)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, load(element));
	return a;
}

static json_t *
long_string(size_t n)
{
	char *s = malloc(n + 1);
	json_t *v;

	memset(s, 'x', n);
	s[n] = '\0';
	v = json_string(s);
	free(s);
	return v;
}

#define RESOLVER                                                                               \
	"{\"address\": \"192.0.2.1\", \"family\": 4, \"queries\": 1, \"asn\": null, \"org\": " \
	"null,"                                                                                \
	" \"country\": null, \"trusted\": false, \"classification\": \"unknown\"}"

struct mutation {
	const char *path;
	const char *value; /* JSON text; NULL: delete the member */
	const char *want;  /* what the error message must contain; NULL: accepted */
};

static void
test_results_mutations(void **state)
{
	(void)state;
	static const struct mutation cases[] = {
		{ "id", NULL, "id is missing" },
		{ "id", "7", "id is an integer, not a string" },
		{ "zone", "[]", "zone is an array, not a string" },
		{ "total", "\"7\"", "total is a string, not an integer" },
		{ "total", "-1", "total is out of range" },
		{ "total", "1.5", "total is a number, not an integer" },
		{ "total", "null", "total is null, not an integer" },
		{ "verdict", NULL, "verdict is missing" },
		{ "verdict", "\"MAYBE\"", "verdict is not one of" },
		{ "verdict", "\"pass\"", "verdict is not one of" },
		{ "verdict", "true", "verdict is a boolean" },
		{ "reason", NULL, "reason is missing" },
		{ "reason", "{}", "reason is an object" },
		{ "resolvers", NULL, "resolvers is missing" },
		{ "resolvers", "{}", "resolvers is an object, not an array" },
		{ "resolvers.0", "\"x\"", "resolvers[0] is a string, not an object" },
		{ "resolvers.1.address", NULL, "resolvers[1].address is missing" },
		{ "resolvers.1.address", "\"2001:db8::10%eth0\"",
		  "resolvers[1].address is not an IP" },
		{ "resolvers.1.address", "\"<script>\"", "resolvers[1].address is not an IP" },
		{ "resolvers.0.family", "6", "resolvers[0].family is 6 for an IPv4 address" },
		{ "resolvers.0.family", "\"4\"", "resolvers[0].family is a string" },
		{ "resolvers.0.family", "99", "resolvers[0].family is out of range" },
		{ "resolvers.0.queries", "\"5\"", "resolvers[0].queries is a string" },
		{ "resolvers.0.queries", "4294967296", "resolvers[0].queries is out of range" },
		{ "resolvers.0.asn", "\"AS64500\"",
		  "resolvers[0].asn is a string, not an integer" },
		{ "resolvers.0.asn", "4294967296", "resolvers[0].asn is out of range" },
		{ "resolvers.0.asn", "-5", "resolvers[0].asn is out of range" },
		{ "resolvers.0.asn", NULL, NULL },
		{ "resolvers.0.asn", "0", NULL },
		{ "resolvers.0.org", "64500", "resolvers[0].org is an integer, not a string" },
		{ "resolvers.0.org", NULL, NULL },
		{ "resolvers.0.country", "false", "resolvers[0].country is a boolean" },
		{ "resolvers.0.country", "\"DEUTSCHLAND\"", "resolvers[0].country is longer" },
		{ "resolvers.0.ptr", "7", "resolvers[0].ptr is an integer, not a string" },
		{ "resolvers.0.ptr", NULL, NULL },
		{ "resolvers.0.ptr", "null", NULL },
		{ "resolvers.0.ptr",
		  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaa\"",
		  "resolvers[0].ptr is longer" },
		{ "resolvers.0.trusted", NULL, "resolvers[0].trusted is missing" },
		{ "resolvers.0.trusted", "0", "resolvers[0].trusted is an integer, not a boolean" },
		{ "resolvers.0.classification", NULL, "resolvers[0].classification is missing" },
		{ "resolvers.0.classification", "\"\"", "resolvers[0].classification is empty" },
		{ "resolvers.0.classification", "\"who-knows\"", NULL },
		{ "resolvers.0.transports", "42", NULL }, /* not ours to read */
		{ "exit", NULL, "exit is missing" },
		{ "exit", "[]", "exit is an array, not an object" },
		{ "exit.ipv4", "\"203.0.113.7\"", "exit.ipv4 is a string, not an object or null" },
		{ "exit.ipv4.address", "\"2001:db8::1\"", "exit.ipv4.address is not an IPv4" },
		{ "exit.ipv4.address", NULL, "exit.ipv4.address is missing" },
		{ "exit.ipv4.asn", "{}", "exit.ipv4.asn is an object" },
		{ "exit.ipv6", "{\"address\": \"192.0.2.1\"}", "exit.ipv6.address is not an IPv6" },
		{ "exit.ipv6", "{\"address\": \"2001:db8::1\"}", NULL },
		{ "exit.ipv4", NULL, NULL },
		{ "findings", NULL, "findings is missing" },
		{ "findings", "null", "findings is null, not an array" },
		{ "findings.0", "[]", "findings[0] is an array, not an object" },
		{ "findings.0.id", "\"\"", "findings[0].id is empty" },
		{ "findings.0.severity", "\"critical\"", "findings[0].severity is not one of" },
		{ "findings.0.severity", "3", "findings[0].severity is an integer" },
		{ "findings.0.title", NULL, "findings[0].title is missing" },
		{ "findings.0.detail", "[]", "findings[0].detail is an array" },
		{ "findings.0.steps", "\"do it\"", "findings[0].steps is a string, not an array" },
		{ "findings.0.steps.1", "2", "findings[0].steps[1] is an integer, not a string" },
		{ "findings.0.steps", "null", NULL },
		{ "findings.0.platforms", "null", NULL },
		{ "findings.0.platforms", NULL, NULL },
		{ "findings.0.platforms", "{}", NULL },
		{ "findings.0.platforms", "[]",
		  "findings[0].platforms is an array, not an object" },
		{ "findings.0.platforms", "\"x\"", "findings[0].platforms is a string" },
		{ "findings.0.platforms.systemd-resolved", "\"x\"",
		  "findings[0].platforms.systemd-resolved is a string, not an array" },
		{ "findings.0.platforms.firewall", "null",
		  "findings[0].platforms.firewall is null, not an array" },
		{ "findings.0.platforms.systemd-resolved.1", "5",
		  "findings[0].platforms.systemd-resolved[1] is an integer, not a string" },
		{ "findings.0.platforms.Plan9", "42", NULL }, /* a platform we do not know */
		{ "configured", NULL, NULL },
		{ "configured", "null", NULL },
		{ "configured", "[]", NULL },
		{ "configured", "{}", "configured is an object, not an array" },
		{ "configured.0", "\"8.8.8.8\"", "configured[0] is a string, not an object" },
		{ "configured.0.address", "\"8.8.8\"", "configured[0].address is not an IP" },
		{ "configured.1.address", NULL, "configured[1].address is missing" },
		{ "configured.0.asn", "\"x\"", "configured[0].asn is a string" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = load(good_results);
		struct api_results r;
		char err[API_ERR_MAX] = "";
		enum dl_err rc;

		set_path(doc, cases[i].path, cases[i].value ? load(cases[i].value) : NULL);
		memset(&r, 0x5a, sizeof(r));
		rc = api_parse_results(doc, &r, err);
		if (cases[i].want == NULL) {
			EXPECT(rc == DL_E_OK, "%s = %s: refused: %s", cases[i].path,
			       cases[i].value ? cases[i].value : "(deleted)", err);
		} else {
			EXPECT(rc == DL_E_FORMAT, "%s = %s: accepted", cases[i].path,
			       cases[i].value ? cases[i].value : "(deleted)");
			EXPECT(strstr(err, cases[i].want) != NULL, "%s: message `%s', want `%s'",
			       cases[i].path, err, cases[i].want);
			EXPECT(r.doc == NULL && r.resolvers == NULL && r.n_resolvers == 0,
			       "%s: output not zeroed", cases[i].path);
		}
		api_results_free(&r);
		json_decref(doc);
	}
	EXPECT_NONE();
}

static void
test_results_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		size_t n;
		bool is_string; /* n bytes of text; otherwise an array of n elements */
		const char *element;
		const char *want;
	} cases[] = {
		{ "resolvers", API_RESOLVERS_MAX, false, RESOLVER, NULL },
		{ "resolvers", API_RESOLVERS_MAX + 1, false, RESOLVER, "more than 1024" },
		{ "findings", API_FINDINGS_MAX, false,
		  "{\"id\": \"a\", \"severity\": \"low\","
		  " \"title\": \"t\"}",
		  NULL },
		{ "findings", API_FINDINGS_MAX + 1, false, "{}", "findings has more than" },
		{ "findings.0.steps", API_STEPS_MAX, false, "\"s\"", NULL },
		{ "findings.0.steps", API_STEPS_MAX + 1, false, "\"s\"", "steps has more than" },
		{ "reason", API_TEXT_MAX, true, NULL, NULL },
		{ "reason", API_TEXT_MAX + 1, true, NULL, "reason is longer than" },
		{ "resolvers.0.org", API_NAME_MAX, true, NULL, NULL },
		{ "resolvers.0.org", API_NAME_MAX + 1, true, NULL, "org is longer than" },
		{ "findings.0.steps.0", API_TEXT_MAX + 1, true, NULL, "steps[0] is too long" },
		{ "findings.0.platforms.firewall", API_PLATFORM_STEPS_MAX, false, "\"s\"", NULL },
		{ "findings.0.platforms.firewall", API_PLATFORM_STEPS_MAX + 1, false, "\"s\"",
		  "platforms.firewall has more than 8" },
		{ "findings.0.platforms.firewall.0", API_TEXT_MAX + 1, true, NULL,
		  "platforms.firewall[0] is too long" },
		{ "configured", VERDICT_CONFIGURED_MAX, false, "{\"address\": \"192.0.2.1\"}",
		  NULL },
		{ "configured", VERDICT_CONFIGURED_MAX + 1, false, "{\"address\": \"192.0.2.1\"}",
		  "configured has more than 8" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = load(good_results);
		struct api_results r;
		char err[API_ERR_MAX] = "";
		enum dl_err rc;

		set_path(doc, cases[i].path,
			 cases[i].is_string ? long_string(cases[i].n)
					    : array_of(cases[i].n, cases[i].element));
		rc = api_parse_results(doc, &r, err);
		if (cases[i].want == NULL)
			EXPECT(rc == DL_E_OK, "%s x %zu: refused: %s", cases[i].path, cases[i].n,
			       err);
		else
			EXPECT(rc == DL_E_FORMAT && strstr(err, cases[i].want) != NULL,
			       "%s x %zu: `%s'", cases[i].path, cases[i].n, err);
		api_results_free(&r);
		json_decref(doc);
	}
	EXPECT_NONE();
}

static void
test_results_not_objects(void **state)
{
	(void)state;
	static const char *const docs[] = { "[]", "\"x\"", "3", "null", "true", "{}" };

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_t *doc = json_loads(docs[i], JSON_DECODE_ANY, NULL);
		struct api_results r;
		char err[API_ERR_MAX] = "";

		assert_non_null(doc);
		EXPECT(api_parse_results(doc, &r, err) == DL_E_FORMAT && err[0] != '\0', "%s",
		       docs[i]);
		json_decref(doc);
	}
	EXPECT_NONE();
}

/* Every prefix of a good document: jansson refuses it, or we do; nothing crashes or leaks. */
static void
test_results_prefixes(void **state)
{
	(void)state;
	size_t len = strlen(good_results);

	for (size_t n = 0; n < len; n++) {
		json_t *doc = json_loadb(good_results, n, 0, NULL);
		struct api_results r;
		char err[API_ERR_MAX];

		if (doc == NULL)
			continue;
		EXPECT(api_parse_results(doc, &r, err) != DL_E_OK, "prefix %zu accepted", n);
		api_results_free(&r);
		json_decref(doc);
	}
	EXPECT_NONE();
}

static void
test_created(void **state)
{
	(void)state;
	static const struct {
		const char *doc;
		const char *want; /* error substring; NULL: accepted */
	} cases[] = {
		{ "{\"id\": \"" ID "\", \"token\": \"q3abc\", \"zone\": \"leak.test\","
		  " \"expires\": \"x\", \"expires_in\": 600}",
		  NULL },
		{ "{\"id\": \"NME2PGLAJSVLUXWPLF2ZNHNLKM\", \"token\": \"t\", \"zone\": \"a\"}",
		  NULL },
		{ "[]", "is an array, not an object" },
		{ "{\"token\": \"t\", \"zone\": \"leak.test\"}", "id is missing" },
		{ "{\"id\": 5, \"token\": \"t\", \"zone\": \"leak.test\"}", "id is an integer" },
		{ "{\"id\": \"abc\", \"token\": \"t\", \"zone\": \"leak.test\"}",
		  "id is not a test id" },
		{ "{\"id\": \"" ID "\", \"zone\": \"leak.test\"}", "token is missing" },
		{ "{\"id\": \"" ID "\", \"token\": \"\", \"zone\": \"leak.test\"}",
		  "token is empty" },
		{ "{\"id\": \"" ID "\", \"token\": \"a\\r\\nX-Evil: 1\", \"zone\": \"leak.test\"}",
		  "token holds a character" },
		{ "{\"id\": \"" ID "\", \"token\": \"a b\", \"zone\": \"leak.test\"}",
		  "token holds a character" },
		{ "{\"id\": \"" ID "\", \"token\": \"t\", \"zone\": \"leak..test\"}",
		  "zone is not" },
		{ "{\"id\": \"" ID "\", \"token\": \"t\", \"zone\": null}", "zone is null" },
		{ "{\"id\": \"" ID "\", \"token\": \"t\"}", "zone is missing" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = json_loads(cases[i].doc, 0, NULL);
		struct api_created c;
		char err[API_ERR_MAX] = "";
		enum dl_err rc;

		assert_non_null(doc);
		rc = api_parse_created(doc, &c, err);
		if (cases[i].want == NULL) {
			EXPECT(rc == DL_E_OK, "%zu: refused: %s", i, err);
			EXPECT(rc != DL_E_OK || strcmp(c.id, ID) == 0, "%zu: id %s", i, c.id);
		} else {
			EXPECT(rc == DL_E_FORMAT && strstr(err, cases[i].want) != NULL,
			       "%zu: `%s', want `%s'", i, err, cases[i].want);
		}
		json_decref(doc);
	}
	EXPECT_NONE();
}

static void
test_error_text(void **state)
{
	(void)state;
	json_t *doc = json_loads("{\"error\": \"unknown or expired test\"}", 0, NULL);

	assert_string_equal(api_error_text(doc), "unknown or expired test");
	json_decref(doc);
	doc = json_loads("{\"error\": 3}", 0, NULL);
	assert_null(api_error_text(doc));
	json_decref(doc);
	doc = json_loads("[\"error\"]", 0, NULL);
	assert_null(api_error_text(doc));
	json_decref(doc);
	assert_null(api_error_text(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_results_good),     TEST(test_results_mutations),
		TEST(test_results_sizes),    TEST(test_results_not_objects),
		TEST(test_results_prefixes), TEST(test_created),
		TEST(test_error_text),
	};

	return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
