/* test_report.c -- the text report (golden layout, colour, odd server strings escaped, long and
 * wide names aligned), the JSON report (fields, nulls, escaping), notes and report_escape. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "report.h"

#include "expect.h"

#define ID "nme2pglajsvluxwplf2znhnlkm"

#define RESOLVER_ISP                                                                      \
	"{\"address\": \"198.51.100.10\", \"family\": 4, \"queries\": 5, \"asn\": 64500," \
	" \"org\": \"Example ISP\", \"country\": \"DE\", \"trusted\": false,"             \
	" \"classification\": \"other-network\"}"
#define RESOLVER_V6                                                                      \
	"{\"address\": \"2001:db8::10\", \"family\": 6, \"queries\": 12, \"asn\": null," \
	" \"org\": null, \"country\": null, \"trusted\": true, \"classification\": \"trusted\"}"
#define EXIT4                                                                      \
	"{\"address\": \"203.0.113.7\", \"asn\": 64501, \"org\": \"Example VPN\"," \
	" \"country\": \"NL\"}"
#define FINDING                                                                                 \
	"{\"id\": \"DL-ISP-RESOLVER\", \"severity\": \"high\", \"title\": \"ISP resolver\","    \
	" \"explain\": \"Your ISP sees your names.\", \"detail\": \"198.51.100.10 (AS64500)\"," \
	" \"steps\": [\"Step one.\", \"Step two.\"]}"

/* A results document with these resolvers, exits, verdict, reason and findings. */
#define DOC(resolvers, exit4, exit6, verdict, reason, findings)                                   \
	"{\"id\": \"" ID "\", \"zone\": \"leak.test\", \"total\": 17, \"resolvers\": [" resolvers \
	"], \"exit\": {\"ipv4\": " exit4 ", \"ipv6\": " exit6 "}, \"verdict\": \"" verdict        \
	"\", \"reason\": \"" reason "\", \"findings\": [" findings "], \"observations\": []}"

static const char leak_doc[] = DOC(RESOLVER_ISP ", " RESOLVER_V6, EXIT4, "null", "LEAK",
				   "Your DNS queries reach 198.51.100.10.", FINDING);

static const char leak_text[] =
    "Test " ID " at http://127.0.0.1:8053 (zone leak.test)\n"
    "Probe names through the system resolver: 20 sent, 18 resolved, 0 failed, 2 timed out\n"
    "\n"
    "Resolvers that asked for the probe names\n"
    "  ADDRESS        FAMILY  QUERIES  NETWORK              COUNTRY  CLASSIFICATION\n"
    "  198.51.100.10  IPv4          5  AS64500 Example ISP  DE       other-network\n"
    "  2001:db8::10   IPv6         12  unknown network      -        trusted\n"
    "\n"
    "Exit addresses (seen by the server over HTTP)\n"
    "  IPv4  203.0.113.7  AS64501 Example VPN  NL\n"
    "  IPv6  none (our request over IPv6 failed: Network is unreachable)\n"
    "\n"
    "Verdict: LEAK\n"
    "  Your DNS queries reach 198.51.100.10.\n"
    "  Note: 2 of 20 probe names got no answer within 10 s.\n"
    "\n"
    "Findings\n"
    "  [high] DL-ISP-RESOLVER: ISP resolver\n"
    "    198.51.100.10 (AS64500)\n"
    "    Your ISP sees your names.\n"
    "    What to do:\n"
    "      1. Step one.\n"
    "      2. Step two.\n";

struct fixture {
	json_t *doc;
	struct api_results res;
	struct report rep;
	char *text;
	size_t len;
};

static struct fixture fx;

static void
setup_doc(const char *doc_text)
{
	json_error_t e;
	char err[API_ERR_MAX] = "";

	memset(&fx, 0, sizeof(fx));
	fx.doc = json_loads(doc_text, 0, &e);
	if (fx.doc == NULL)
		fail_msg("bad test JSON: %s at %d", e.text, e.position);
	if (api_parse_results(fx.doc, &fx.res, err) != DL_E_OK)
		fail_msg("parse: %s", err);
	fx.rep = (struct report){
		.server = "http://127.0.0.1:8053",
		.res = &fx.res,
		.probes = { .sent = 20, .resolved = 18, .failed = 0, .timed_out = 2 },
		.timeout_s = 10,
	};
}

static const char *
render(bool use_colour)
{
	FILE *f;

	free(fx.text);
	fx.text = NULL;
	f = open_memstream(&fx.text, &fx.len);
	assert_non_null(f);
	report_print(f, &fx.rep, use_colour);
	assert_int_equal(fclose(f), 0);
	return fx.text;
}

static int
teardown_doc(void **state)
{
	(void)state;
	free(fx.text);
	api_results_free(&fx.res);
	json_decref(fx.doc);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

static int
setup_each(void **state)
{
	(void)state;
	failures = 0;
	return 0;
}
#define TEST_DOC(f) cmocka_unit_test_setup_teardown(f, setup_each, teardown_doc)

static void
test_text_golden(void **state)
{
	(void)state;
	setup_doc(leak_doc);
	fx.rep.exit_error[1] = "Network is unreachable";
	assert_string_equal(render(false), leak_text);
}

static void
test_text_colour(void **state)
{
	(void)state;
	const char *t;

	setup_doc(leak_doc);
	t = render(true);
	EXPECT(strstr(t, "Verdict: \033[1;31mLEAK\033[0m\n") != NULL, "verdict in red");
	EXPECT(strstr(t, "\033[1;31mother-network\033[0m\n") != NULL, "other-network in red");
	EXPECT(strstr(t, "\033[32mtrusted\033[0m\n") != NULL, "trusted in green");
	EXPECT(strstr(t, "\033[1;31m[high]\033[0m DL-ISP-RESOLVER") != NULL, "severity");
	/* Without colour there is no escape byte at all. */
	t = render(false);
	EXPECT(strchr(t, '\033') == NULL, "no ESC without colour");
	EXPECT_NONE();
}

static void
test_text_no_resolvers(void **state)
{
	(void)state;
	const char *t;

	setup_doc(
	    DOC("", "null", "null", "INCONCLUSIVE", "No DNS query reached the test server.",
		"{\"id\": \"DL-NO-DNS-SEEN\", \"severity\": \"info\", \"title\": \"No DNS\"}"));
	fx.rep.probes = (struct report_probes){ .sent = 20, .timed_out = 20 };
	t = render(false);
	EXPECT(strstr(t, "Resolvers that asked for the probe names\n"
			 "  none: no resolver asked the server for them\n") != NULL,
	       "no resolvers:\n%s", t);
	EXPECT(strstr(t, "  IPv4  none\n  IPv6  none\n") != NULL, "no exits:\n%s", t);
	EXPECT(strstr(t, "Verdict: INCONCLUSIVE\n  No DNS query reached the test server.\n"
			 "  Note: your resolver did not answer within 10 s: all 20 probe names "
			 "timed out.\n") != NULL,
	       "verdict and note:\n%s", t);
	EXPECT(strstr(t, "  [info] DL-NO-DNS-SEEN: No DNS\n") != NULL, "bare finding:\n%s", t);
	EXPECT(strstr(t, "What to do") == NULL, "no steps heading without steps");
	EXPECT_NONE();
}

/* A server that sends terminal escapes, bidi overrides, C1 controls and newlines gets them
 * shown as escapes: it cannot recolour, move the cursor or reorder the line. */
static void
test_text_odd_strings(void **state)
{
	(void)state;
	const char *t;

	setup_doc(DOC("{\"address\": \"192.0.2.1\", \"family\": 4, \"queries\": 1, \"asn\": 1,"
		      " \"org\": \"Evil\\u001b[2J\\u001b]0;pwned\\u0007 Org\", \"country\":"
		      " \"\\u202eED\", \"trusted\": false, \"classification\":"
		      " \"other\\u009b31m\"}",
		      "null", "null", "WARN", "line one\\nline two\\r",
		      "{\"id\": \"DL-\\u001b\", \"severity\": \"low\", \"title\": \"t\\u2066\","
		      " \"steps\": [\"\\u001b[31mred\"]}"));
	t = render(false);
	EXPECT(strchr(t, '\033') == NULL, "an ESC got through:\n%s", t);
	EXPECT(strchr(t, '\007') == NULL && strchr(t, '\r') == NULL, "BEL or CR got through");
	EXPECT(strstr(t, "\xe2\x80\xae") == NULL, "U+202E got through");
	EXPECT(strstr(t, "\xc2\x9b") == NULL, "U+009B got through");
	EXPECT(strstr(t, "AS1 Evil\\x1B[2J\\x1B]0;pwned\\x07 Org") != NULL, "org:\n%s", t);
	EXPECT(strstr(t, "\\u202EED") != NULL, "country:\n%s", t);
	EXPECT(strstr(t, "other\\u009B31m") != NULL, "classification:\n%s", t);
	EXPECT(strstr(t, "  line one\\x0Aline two\\x0D\n") != NULL, "reason:\n%s", t);
	EXPECT(strstr(t, "[low] DL-\\x1B: t\\u2066\n") != NULL, "finding:\n%s", t);
	EXPECT(strstr(t, "1. \\x1B[31mred\n") != NULL, "step:\n%s", t);
	EXPECT_NONE();
}

/* Long organisations are cut to the column; multi-byte ones are padded by characters. */
static void
test_text_widths(void **state)
{
	(void)state;
	const char *t;

	setup_doc(DOC("{\"address\": \"192.0.2.1\", \"family\": 4, \"queries\": 1, \"asn\": 7,"
		      " \"org\": \"A Very Long Organisation Name That Goes On And On\","
		      " \"country\": \"US\", \"trusted\": false, \"classification\": \"x\"},"
		      "{\"address\": \"192.0.2.2\", \"family\": 4, \"queries\": 1, \"asn\": 8,"
		      " \"org\": \"Telef\\u00f3nica \\u65e5\\u672c\", \"country\": \"ES\","
		      " \"trusted\": false, \"classification\": \"y\"}",
		      "null", "null", "PASS", "ok", ""));
	t = render(false);
	/* "AS7 " + 36 characters of the name is 40 columns with the "...". */
	EXPECT(strstr(t, "  192.0.2.1  IPv4          1  AS7 A Very Long Organisation Name Tha...  "
			 "US       x\n") != NULL,
	       "cut:\n%s", t);
	EXPECT(strstr(t,
		      "  192.0.2.2  IPv4          1  AS8 Telef\xc3\xb3nica \xe6\x97\xa5\xe6\x9c\xac"
		      "                         ES       y\n") != NULL,
	       "padded by characters:\n%s", t);
	EXPECT(strstr(t, "Findings") == NULL, "no findings heading without findings");
	EXPECT_NONE();
}

static json_t *
render_json(void)
{
	json_t *j = report_json(&fx.rep);
	assert_non_null(j);
	return j;
}

static void
test_json_fields(void **state)
{
	(void)state;
	json_t *j, *r0, *r1;
	const char *key;
	json_t *v;
	size_t n = 0;
	static const char *const keys[] = { "verdict", "reason",    "note", "server",   "id",
					    "zone",    "resolvers", "exit", "findings", "probes" };

	setup_doc(leak_doc);
	j = render_json();
	json_object_foreach(j, key, v)
	{
		bool known = false;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			known |= strcmp(keys[i], key) == 0;
		EXPECT(known, "unexpected key %s", key);
		n++;
	}
	EXPECT(n == sizeof(keys) / sizeof(keys[0]), "%zu keys", n);
	EXPECT(strcmp(json_string_value(json_object_get(j, "verdict")), "LEAK") == 0, "verdict");
	EXPECT(strcmp(json_string_value(json_object_get(j, "note")),
		      "2 of 20 probe names got no answer within 10 s") == 0,
	       "note");
	EXPECT(strcmp(json_string_value(json_object_get(j, "server")), "http://127.0.0.1:8053") ==
		   0,
	       "server");
	EXPECT(strcmp(json_string_value(json_object_get(j, "id")), ID) == 0, "id");
	r0 = json_array_get(json_object_get(j, "resolvers"), 0);
	r1 = json_array_get(json_object_get(j, "resolvers"), 1);
	EXPECT(json_integer_value(json_object_get(r0, "asn")) == 64500, "asn");
	EXPECT(json_integer_value(json_object_get(r0, "family")) == 4, "family");
	EXPECT(json_integer_value(json_object_get(r1, "queries")) == 12, "queries");
	EXPECT(json_is_false(json_object_get(r0, "trusted")), "trusted false");
	EXPECT(json_is_true(json_object_get(r1, "trusted")), "trusted true");
	EXPECT(json_is_null(json_object_get(r1, "asn")), "asn null");
	EXPECT(json_is_null(json_object_get(r1, "org")), "org null");
	EXPECT(json_is_null(json_object_get(r1, "country")), "country null");
	EXPECT(json_object_size(r0) == 9, "9 resolver fields, got %zu", json_object_size(r0));
	EXPECT(json_is_null(json_object_get(r0, "ptr")), "ptr null without a reverse name");
	EXPECT(strcmp(json_string_value(json_object_get(r0, "classification")), "other-network") ==
		   0,
	       "classification");
	EXPECT(strcmp(json_string_value(json_object_get(
			  json_object_get(json_object_get(j, "exit"), "ipv4"), "org")),
		      "Example VPN") == 0,
	       "exit org");
	EXPECT(json_is_null(json_object_get(json_object_get(j, "exit"), "ipv6")), "ipv6 null");
	v = json_array_get(json_object_get(j, "findings"), 0);
	EXPECT(strcmp(json_string_value(json_object_get(v, "severity")), "high") == 0, "sev");
	EXPECT(json_array_size(json_object_get(v, "steps")) == 2, "steps");
	EXPECT(strcmp(json_string_value(json_object_get(v, "detail")), "198.51.100.10 (AS64500)") ==
		   0,
	       "detail");
	EXPECT(json_is_object(json_object_get(v, "platforms")) &&
		       json_object_size(json_object_get(v, "platforms")) == 0,
	       "no platforms: {}");

	v = json_object_get(j, "probes");
	EXPECT(json_integer_value(json_object_get(v, "sent")) == 20 &&
		   json_integer_value(json_object_get(v, "resolved")) == 18 &&
		   json_integer_value(json_object_get(v, "failed")) == 0 &&
		   json_integer_value(json_object_get(v, "timed_out")) == 2,
	       "probes");
	json_decref(j);
	fx.rep.probes = (struct report_probes){ .sent = 3, .resolved = 3 };
	j = render_json();
	EXPECT(json_is_null(json_object_get(j, "note")), "no note: null");
	json_decref(j);
	EXPECT_NONE();
}

static void
test_json_odd_strings(void **state)
{
	(void)state;
	json_t *j;
	char *text;

	setup_doc(DOC("{\"address\": \"192.0.2.1\", \"family\": 4, \"queries\": 1, \"asn\": 1,"
		      " \"org\": \"Evil\\u001b[2J \\\"quoted\\\" \\\\ \\u202e\", \"country\":"
		      " null, \"trusted\": false, \"classification\": \"x\"}",
		      "null", "null", "WARN", "a\\nb", ""));
	fx.rep.server = "http://bad\xff.example"; /* argv is not always UTF-8 */
	j = render_json();
	text = json_dumps(j, JSON_COMPACT);
	assert_non_null(text);
	EXPECT(strstr(text, "\"org\":\"Evil\\u001B[2J \\\"quoted\\\" \\\\ \xe2\x80\xae\"") != NULL,
	       "org: %s", text);
	EXPECT(strstr(text, "\"reason\":\"a\\nb\"") != NULL, "reason: %s", text);
	EXPECT(strstr(text, "\"server\":\"http://bad\\\\xFF.example\"") != NULL, "server: %s",
	       text);
	free(text);
	json_decref(j);
	EXPECT_NONE();
}

static void
test_json_error(void **state)
{
	(void)state;
	json_t *j = report_error_json("could not reach \x1b the server");
	char *text;

	assert_non_null(j);
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"error\":\"could not reach \\u001B the server\","
				  "\"verdict\":null}");
	free(text);
	json_decref(j);
}

static void
test_note(void **state)
{
	(void)state;
	static const struct {
		struct report_probes p;
		const char *want; /* "" none */
	} cases[] = {
		{ { 20, 20, 0, 0, NULL }, "" },
		{ { 20, 0, 0, 20, NULL },
		  "your resolver did not answer within 7 s: all 20 probe names timed out" },
		{ { 20, 0, 20, 0, "Name or service not known" },
		  "none of the 20 probe names resolved: 20 failed (Name or service not known), 0 "
		  "timed out" },
		{ { 20, 0, 5, 15, NULL },
		  "none of the 20 probe names resolved: 5 failed (error), 15 timed out" },
		{ { 20, 19, 0, 1, NULL }, "1 of 20 probe names got no answer within 7 s" },
		{ { 20, 19, 1, 0, "x" }, "" },
		{ { 0, 0, 0, 0, NULL }, "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct report r = { .probes = cases[i].p, .timeout_s = 7 };
		char note[REPORT_NOTE_MAX];
		bool has = report_note(&r, note);

		EXPECT(strcmp(note, cases[i].want) == 0, "%zu: `%s'", i, note);
		EXPECT(has == (cases[i].want[0] != '\0'), "%zu: returned %d", i, has);
	}
	EXPECT_NONE();
}

static void
test_escape(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t cap;
		const char *want;
	} cases[] = {
		{ "plain text", 64, "plain text" },
		{ "", 64, "" },
		{ "tab\there", 64, "tab\\x09here" },
		{ "\x7f", 64, "\\x7F" },
		{ "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", 64,
		  "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80" },
		{ "\xc2\x85 next line", 64, "\\u0085 next line" },
		{ "\xe2\x80\xae rlo \xe2\x81\xa6 lri \xd8\x9c alm \xe2\x80\xa8", 64,
		  "\\u202E rlo \\u2066 lri \\u061C alm \\u2028" },
		{ "\xff\xfe", 64, "\\xFF\\xFE" },                   /* not UTF-8 */
		{ "\xc3", 64, "\\xC3" },                            /* truncated sequence */
		{ "\xe6\x97", 64, "\\xE6\\x97" },                   /* truncated sequence */
		{ "\xc0\xaf", 64, "\\xC0\\xAF" },                   /* overlong '/' */
		{ "\xe0\x80\xaf", 64, "\\xE0\\x80\\xAF" },          /* overlong */
		{ "\xed\xa0\x80", 64, "\\xED\\xA0\\x80" },          /* a surrogate */
		{ "\xf4\x90\x80\x80", 64, "\\xF4\\x90\\x80\\x80" }, /* past U+10FFFF */
		{ "abcdef", 4, "abc" },
		{ "ab\x1b", 6, "ab" }, /* the escape does not fit: cut before it */
		{ "ab\x1b", 7, "ab\\x1B" },
		{ "a\xc3\xa9", 3, "a" }, /* never half a character */
		{ "a\xc3\xa9", 4, "a\xc3\xa9" },
		{ "x", 1, "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[64];

		memset(out, 'Z', sizeof(out));
		EXPECT(report_escape(cases[i].in, out, cases[i].cap) == out, "%zu: returns out", i);
		EXPECT(strcmp(out, cases[i].want) == 0, "%zu: `%s'", i, out);
		if (cases[i].cap < sizeof(out))
			EXPECT(out[cases[i].cap] == 'Z', "%zu: wrote past cap", i);
	}
	EXPECT_NONE();
}

/* A finding with steps for three platforms, and the configured resolvers echoed. */
#define FINDING_PLATFORMS                                                                     \
	"{\"id\": \"DL-ISP-RESOLVER\", \"severity\": \"high\", \"title\": \"ISP resolver\","  \
	" \"explain\": \"Your ISP sees your names.\", \"detail\": \"198.51.100.10\","          \
	" \"steps\": [\"Step one.\"], \"platforms\": {"                                          \
	"\"firewall\": [\"Drop it.\"], \"systemd-resolved\": [\"`resolvectl dns`.\", \"Check.\"]," \
	" \"OpenVPN\": [\"Push \\u001b DNS.\"], \"Windows\": [\"SMHNR off.\"]}}"
#define CONFIGURED                                                                            \
	", \"configured\": [{\"address\": \"8.8.8.8\", \"asn\": 15169, \"org\": \"Google LLC\"},"  \
	" {\"address\": \"2001:db8::53\"}]}"

static void
setup_platforms_doc(void)
{
	static char doc[4096];
	size_t len;

	snprintf(doc, sizeof(doc), "%s",
		 DOC(RESOLVER_ISP, EXIT4, "null", "LEAK", "Your DNS queries reach the ISP.",
		     FINDING_PLATFORMS));
	len = strlen(doc);
	assert_int_equal(doc[len - 1], '}');
	snprintf(doc + len - 1, sizeof(doc) - len + 1, "%s", CONFIGURED);
	setup_doc(doc);
}

/* Without an audit: the generic steps, and where to get the fitted ones. */
static void
test_text_platforms_unknown(void **state)
{
	(void)state;
	const char *t;

	setup_platforms_doc();
	t = render(false);
	EXPECT(strstr(t, "    What to do:\n      1. Step one.\n  For steps fitted to this machine "
			 "(its DNS manager and VPN), run `dnsleak audit`.\n") != NULL,
	       "generic steps and the hint:\n%s", t);
	EXPECT(strstr(t, "With ") == NULL && strstr(t, "On Windows") == NULL,
	       "no platform steps without a context:\n%s", t);
	EXPECT(strstr(t, "zone leak.test)\nProbe names through the system resolver: 20 sent, 18 "
			 "resolved, 0 failed, 2 timed out\nResolvers this machine is configured "
			 "to use: 8.8.8.8 (AS15169 Google LLC), 2001:db8::53 (unknown network)\n"
			 "\nResolvers that asked") != NULL,
	       "configured resolvers:\n%s", t);
	/* A context that is not known counts as none. */
	struct step_context ctx = { .resolved = true };
	fx.rep.ctx = &ctx;
	t = render(false);
	EXPECT(strstr(t, "run `dnsleak audit`") != NULL && strstr(t, "With ") == NULL,
	       "unknown context:\n%s", t);
	EXPECT_NONE();
}

/* With an audit: the platforms that fit, in the selection's order, escaped. */
static void
test_text_platforms_known(void **state)
{
	(void)state;
	const char *t;
	struct step_context ctx = { .known = true, .resolved = true, .tunnel_tun = true };

	setup_platforms_doc();
	fx.rep.ctx = &ctx;
	t = render(false);
	EXPECT(strstr(t, "    What to do:\n"
			 "      1. Step one.\n"
			 "    With systemd-resolved:\n"
			 "      1. `resolvectl dns`.\n"
			 "      2. Check.\n"
			 "    With OpenVPN:\n"
			 "      1. Push \\x1B DNS.\n"
			 "    With a firewall:\n"
			 "      1. Drop it.\n") != NULL,
	       "fitted steps:\n%s", t);
	EXPECT(strstr(t, "dnsleak audit") == NULL, "no hint with a context:\n%s", t);
	EXPECT(strstr(t, "Windows") == NULL && strstr(t, "SMHNR") == NULL, "no Windows:\n%s", t);
	EXPECT(strchr(t, '\033') == NULL, "an ESC got through");
	/* WireGuard instead: the server sent none for it, so nothing under its name. */
	ctx.tunnel_tun = false;
	ctx.tunnel_wireguard = true;
	t = render(false);
	EXPECT(strstr(t, "WireGuard") == NULL && strstr(t, "OpenVPN") == NULL, "wg:\n%s", t);
	EXPECT(strstr(t, "    With systemd-resolved:\n") != NULL, "resolved:\n%s", t);
	EXPECT_NONE();
}

static void
test_json_platforms(void **state)
{
	(void)state;
	json_t *j, *pl;
	char *text;
	struct step_context ctx = { .known = true, .networkmanager = true, .tunnel_tun = true };

	setup_platforms_doc();
	j = render_json();
	pl = json_object_get(json_array_get(json_object_get(j, "findings"), 0), "platforms");
	text = json_dumps(pl, JSON_COMPACT);
	/* Unknown context: every platform the server sent, in the API's order. */
	EXPECT(text != NULL && strcmp(text, "{\"systemd-resolved\":[\"`resolvectl dns`.\","
					    "\"Check.\"],\"OpenVPN\":[\"Push \\u001B DNS.\"],"
					    "\"Windows\":[\"SMHNR off.\"],\"firewall\":[\"Drop "
					    "it.\"]}") == 0,
	       "platforms: %s", text);
	free(text);
	json_decref(j);

	/* Known: the chosen ones that have steps, in the order chosen. */
	fx.rep.ctx = &ctx;
	j = render_json();
	pl = json_object_get(json_array_get(json_object_get(j, "findings"), 0), "platforms");
	text = json_dumps(pl, JSON_COMPACT);
	EXPECT(text != NULL && strcmp(text, "{\"OpenVPN\":[\"Push \\u001B DNS.\"],\"firewall\":"
					    "[\"Drop it.\"]}") == 0,
	       "platforms: %s", text);
	free(text);
	json_decref(j);
	EXPECT_NONE();
}

/* The audit's own findings go through the same renderer, from the catalogue. */
static void
test_finding_from_catalogue(void **state)
{
	(void)state;
	struct verdict_finding vf = { .id = FINDING_DNS_OUTSIDE_TUNNEL };
	const struct finding_def *def = findings_lookup(FINDING_DNS_OUTSIDE_TUNNEL);
	struct api_finding fd;
	struct step_context ctx = { .known = true, .resolved = true, .tunnel_wireguard = true };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(vf.detail, sizeof(vf.detail), "192.168.1.1 via wlan0");
	assert_true(report_finding_from_catalogue(&vf, &fd));
	assert_string_equal(fd.id, FINDING_DNS_OUTSIDE_TUNNEL);
	assert_int_equal(fd.severity, def->severity);
	assert_ptr_equal(fd.title, def->title);
	assert_ptr_equal(fd.explain, def->explain);
	assert_ptr_equal(fd.detail, vf.detail);
	assert_true(fd.n_steps >= 2);
	assert_ptr_equal(fd.steps[0], def->steps[0]);
	for (size_t p = 0; p < PLATFORM_COUNT; p++) {
		const char *const *steps = findings_platform_steps(def, (enum platform)p);
		size_t k = 0;
		while (steps[k] != NULL)
			k++;
		assert_int_equal(fd.n_platform_steps[p], k);
	}
	f = open_memstream(&text, &len);
	assert_non_null(f);
	report_print_findings(f, &fd, 1, &ctx, false);
	report_print_findings(f, &fd, 0, &ctx, false); /* nothing at all */
	assert_int_equal(fclose(f), 0);
	EXPECT(strncmp(text, "\nFindings\n  [high] DL-DNS-OUTSIDE-TUNNEL: ", 40) == 0, "%s", text);
	EXPECT(strstr(text, "    192.168.1.1 via wlan0\n") != NULL, "detail:\n%s", text);
	EXPECT(strstr(text, "    With systemd-resolved:\n      1. Give the tunnel's link") != NULL,
	       "resolved:\n%s", text);
	EXPECT(strstr(text, "    With WireGuard:\n      1. Put the VPN's resolver") != NULL,
	       "wireguard:\n%s", text);
	EXPECT(strstr(text, "With NetworkManager") == NULL, "no NM:\n%s", text);
	EXPECT(strstr(text, "In the browser") == NULL, "no browser steps for this one:\n%s", text);
	EXPECT(strstr(text, "    With a firewall:\n      1. Allow DNS") != NULL, "fw:\n%s", text);
	free(text);

	vf.id = "DL-NOT-CATALOGUED";
	memset(&fd, 0x5a, sizeof(fd));
	assert_false(report_finding_from_catalogue(&vf, &fd));
	assert_null(fd.id);
	assert_int_equal(fd.n_steps, 0);
	EXPECT_NONE();
}

/* Reverse names: a NAME column when the server knows one, the exit's after its country, and
 * "ptr" in the JSON; a name carrying escapes is shown escaped like every server string. */
static void
test_reverse_names(void **state)
{
	(void)state;
	const char *t;
	json_t *j;

	setup_doc(DOC("{\"address\": \"198.51.100.10\", \"family\": 4, \"queries\": 5,"
		      " \"asn\": 64500, \"org\": \"Example ISP\", \"country\": \"DE\","
		      " \"ptr\": \"resolver.isp.example\", \"trusted\": false,"
		      " \"classification\": \"other-network\"}, " RESOLVER_V6,
		      "{\"address\": \"203.0.113.7\", \"asn\": 64501, \"org\": \"Example VPN\","
		      " \"country\": \"NL\", \"ptr\": \"exit\\u001b[2J.vpn.example\"}",
		      "null", "LEAK", "Your DNS queries reach 198.51.100.10.", FINDING));
	t = render(false);
	EXPECT(strstr(t, "  ADDRESS        FAMILY  QUERIES  NETWORK              COUNTRY  "
			 "CLASSIFICATION        NAME\n"
			 "  198.51.100.10  IPv4          5  AS64500 Example ISP  DE       "
			 "other-network         resolver.isp.example\n"
			 "  2001:db8::10   IPv6         12  unknown network      -        trusted\n") !=
		   NULL,
	       "NAME column:\n%s", t);
	EXPECT(strstr(t, "  IPv4  203.0.113.7  AS64501 Example VPN  NL  exit\\x1B[2J.vpn.example\n") !=
		   NULL,
	       "exit name, escaped:\n%s", t);
	j = render_json();
	EXPECT(strcmp(json_string_value(json_object_get(
			  json_array_get(json_object_get(j, "resolvers"), 0), "ptr")),
		      "resolver.isp.example") == 0,
	       "resolver ptr");
	EXPECT(json_is_null(json_object_get(json_array_get(json_object_get(j, "resolvers"), 1),
					    "ptr")),
	       "no ptr: null");
	EXPECT(json_is_string(json_object_get(json_object_get(json_object_get(j, "exit"), "ipv4"),
					      "ptr")),
	       "exit ptr");
	json_decref(j);
	EXPECT_NONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST_DOC(test_text_golden),
		TEST_DOC(test_text_colour),
		TEST_DOC(test_text_no_resolvers),
		TEST_DOC(test_reverse_names),
		TEST_DOC(test_text_odd_strings),
		TEST_DOC(test_text_widths),
		TEST_DOC(test_json_fields),
		TEST_DOC(test_json_odd_strings),
		TEST_DOC(test_text_platforms_unknown),
		TEST_DOC(test_text_platforms_known),
		TEST_DOC(test_json_platforms),
		TEST(test_finding_from_catalogue),
		TEST(test_json_error),
		TEST(test_note),
		TEST(test_escape),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
