/* test_dnswire_name.c -- the DNS name helpers of the wire codec: text to wire and back (with
 * escapes and exact output caps), the 63/255 octet limits, suffix matching on label
 * boundaries, label counting and lowercasing. The query parser is in test_dnswire.c.
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

static void
wire(const char *text, uint8_t out[DNS_NAME_MAX], size_t *len)
{
	assert_int_equal(dnswire_name_from_text(text, out, len), DL_E_OK);
}

/* ---- name helpers ----------------------------------------------------------------------- */

struct from_text_case {
	const char *text;
	enum dl_err want;
	const char *wire; /* expected wire bytes when OK */
	size_t wire_len;
};

static void
test_name_from_text(void **state)
{
	(void)state;
	static const struct from_text_case cases[] = {
	    {"leak.test", DL_E_OK, "\4leak\4test", 11},
	    {"Leak.TEST.", DL_E_OK, "\4leak\4test", 11},
	    {"LEAK.EXAMPLE.COM", DL_E_OK, "\4leak\7example\3com", 18},
	    {".", DL_E_OK, "", 1},
	    {"a", DL_E_OK, "\1a", 3},
	    {"ns-v4.x_y.09", DL_E_OK, "\5ns-v4\3x_y\00209", 14},
	    {"", DL_E_FORMAT},
	    {"..", DL_E_FORMAT},
	    {".leak.test", DL_E_FORMAT},
	    {"leak..test", DL_E_FORMAT},
	    {"leak.test..", DL_E_FORMAT},
	    {"a b.test", DL_E_FORMAT},
	    {"a*.test", DL_E_FORMAT},
	    {"a/b", DL_E_FORMAT},
	    {"a\\.b", DL_E_FORMAT},
	    {"caf\xc3\xa9.test", DL_E_FORMAT},
	    {"tab\t.test", DL_E_FORMAT},
	};
	uint8_t out[DNS_NAME_MAX];
	size_t len;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct from_text_case *c = &cases[i];
		memset(out, 0xAA, sizeof(out));
		len = 999;
		enum dl_err rc = dnswire_name_from_text(c->text, out, &len);
		EXPECT(rc == c->want, "\"%s\": want %d got %d", c->text, c->want, rc);
		if (c->want == DL_E_OK) {
			EXPECT(len == c->wire_len && memcmp(out, c->wire, len) == 0,
			       "\"%s\": wire (len %zu)", c->text, len);
		} else {
			EXPECT(len == 999 && out[0] == 0xAA, "\"%s\": outputs touched on error",
			       c->text);
		}
	}
	EXPECT_NONE();
}

static void
test_name_from_text_lengths(void **state)
{
	(void)state;
	char text[400];
	uint8_t out[DNS_NAME_MAX];
	size_t len;

	/* Labels of 63 and 64. */
	memset(text, 'x', 63);
	memcpy(text + 63, ".test", 6);
	assert_int_equal(dnswire_name_from_text(text, out, &len), DL_E_OK);
	assert_int_equal(len, 1 + 63 + 5 + 1);
	memset(text, 'x', 64);
	memcpy(text + 64, ".test", 6);
	assert_int_equal(dnswire_name_from_text(text, out, &len), DL_E_TOOLONG);

	/* 63.63.63.61 is 255 octets on the wire; 63.63.63.62 is 256. */
	for (size_t last = 61; last <= 62; last++) {
		size_t o = 0;
		for (int i = 0; i < 3; i++) {
			memset(text + o, 'a' + i, 63);
			o += 63;
			text[o++] = '.';
		}
		memset(text + o, 'z', last);
		o += last;
		text[o] = '\0';
		enum dl_err rc = dnswire_name_from_text(text, out, &len);
		if (last == 61) {
			assert_int_equal(rc, DL_E_OK);
			assert_int_equal(len, DNS_NAME_MAX);
			assert_int_equal(dnswire_name_labels(out, len), 4);
			memcpy(text + o, ".", 2);
			assert_int_equal(dnswire_name_from_text(text, out, &len), DL_E_OK);
			assert_int_equal(len, DNS_NAME_MAX);
		} else {
			assert_int_equal(rc, DL_E_TOOLONG);
		}
	}
	/* 127 one-letter labels: 255 octets; 128: too long. */
	for (size_t n = 127; n <= 128; n++) {
		for (size_t i = 0; i < n; i++) {
			text[2 * i] = 'q';
			text[2 * i + 1] = '.';
		}
		text[2 * n - 1] = '\0';
		enum dl_err rc = dnswire_name_from_text(text, out, &len);
		assert_int_equal(rc, n == 127 ? DL_E_OK : DL_E_TOOLONG);
		if (n == 127)
			assert_int_equal(dnswire_name_labels(out, len), 127);
	}
}

struct to_text_case {
	const char *wire;
	size_t len;
	const char *text;
};

static void
test_name_to_text(void **state)
{
	(void)state;
	static const struct to_text_case cases[] = {
	    {"", 1, "."},
	    {"\4leak\4test", 11, "leak.test."},
	    {"\4LeAk\4test", 11, "LeAk.test."},
	    {"\3a.b\4test", 10, "a\\.b.test."},
	    {"\3a\\b", 5, "a\\\\b."},
	    {"\3a\"b", 5, "a\\\"b."},
	    {"\4\0\x1f \x7f", 6, "\\000\\031\\032\\127."},
	    {"\3\x80\xfe\xff", 5, "\\128\\254\\255."},
	    {"\3!~a", 5, "!~a."},
	    {"\1-\1_", 5, "-._."},
	};
	char out[DNS_NAME_TEXT_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct to_text_case *c = &cases[i];
		int n = dnswire_name_to_text((const uint8_t *)c->wire, c->len, out, sizeof(out));
		EXPECT(n == (int)strlen(c->text) && strcmp(out, c->text) == 0,
		       "case %zu: want \"%s\" got %d \"%s\"", i, c->text, n, n >= 0 ? out : "");
		/* The exact size fits; one byte less does not, and nothing overflows. */
		size_t need = strlen(c->text) + 1;
		char *tight = malloc(need);
		assert_non_null(tight);
		n = dnswire_name_to_text((const uint8_t *)c->wire, c->len, tight, need);
		EXPECT(n == (int)need - 1 && strcmp(tight, c->text) == 0, "case %zu: exact cap", i);
		free(tight);
		tight = malloc(need - 1);
		assert_non_null(tight);
		n = dnswire_name_to_text((const uint8_t *)c->wire, c->len, tight, need - 1);
		EXPECT(n == -1, "case %zu: cap %zu gave %d", i, need - 1, n);
		free(tight);
	}
	EXPECT(dnswire_name_to_text((const uint8_t *)"", 1, out, 0) == -1, "cap 0");
	EXPECT(dnswire_name_to_text((const uint8_t *)"\4leak", 4, out, sizeof(out)) == -1,
	       "label past len");

	/* A 255-octet name of \255 bytes: 63 * 4 * 3 + 61 * 4 + 4 dots = 1004 chars. */
	uint8_t big[DNS_NAME_MAX];
	size_t o = 0;
	for (int l = 0; l < 4; l++) {
		uint8_t ll = l < 3 ? 63 : 61;
		big[o++] = ll;
		memset(big + o, 0xff, ll);
		o += ll;
	}
	big[o++] = 0;
	assert_int_equal(o, DNS_NAME_MAX);
	EXPECT(dnswire_name_to_text(big, o, out, sizeof(out)) == 1004, "worst case fits");
	EXPECT(strlen(out) == 1004 && out[1003] == '.', "worst case text");
	EXPECT_NONE();
}

struct under_case {
	const char *name;
	const char *suffix;
	bool want;
};

static void
test_name_is_under(void **state)
{
	(void)state;
	static const struct under_case cases[] = {
	    {"leak.test", "leak.test", true},
	    {"a.leak.test", "leak.test", true},
	    {"x.y.z.leak.test", "leak.test", true},
	    {"xleak.test", "leak.test", false},
	    {"x-leak.test", "leak.test", false},
	    {"leak.test.evil", "leak.test", false},
	    {"test", "leak.test", false},
	    {"eak.test", "leak.test", false},
	    {"leak.tesu", "leak.test", false},
	    {"a.leak.test", "a.leak.test", true},
	    {"leak.test", "a.leak.test", false},
	    {"leak.test", ".", true},
	    {".", ".", true},
	    {".", "test", false},
	    {"test.leak", "leak.test", false},
	};
	uint8_t n[DNS_NAME_MAX], s[DNS_NAME_MAX];
	size_t nl, sl;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wire(cases[i].name, n, &nl);
		wire(cases[i].suffix, s, &sl);
		EXPECT(dnswire_name_is_under(n, nl, s, sl) == cases[i].want, "%s under %s",
		       cases[i].name, cases[i].suffix);
	}
	/* Bytes that look like the suffix inside one label do not count. */
	static const uint8_t one_label[] = {10, 4, 'l', 'e', 'a', 'k', 4, 't', 'e', 's', 't', 0};
	wire("leak.test", s, &sl);
	EXPECT(!dnswire_name_is_under(one_label, sizeof(one_label), s, sl), "one label");
	EXPECT_NONE();
}

static void
test_name_labels_lower(void **state)
{
	(void)state;
	uint8_t n[DNS_NAME_MAX], low[DNS_NAME_MAX];
	size_t nl;

	wire(".", n, &nl);
	assert_int_equal(dnswire_name_labels(n, nl), 0);
	wire("leak.test", n, &nl);
	assert_int_equal(dnswire_name_labels(n, nl), 2);
	wire("a.b.c.d", n, &nl);
	assert_int_equal(dnswire_name_labels(n, nl), 4);

	static const uint8_t mixed[] = {5, 'A', 'b', 'Z', '@', '[', 3, 0xc1, 'Q', 'z', 0};
	static const uint8_t want[] = {5, 'a', 'b', 'z', '@', '[', 3, 0xc1, 'q', 'z', 0};
	dnswire_name_lower(mixed, sizeof(mixed), low);
	assert_memory_equal(low, want, sizeof(want));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_name_from_text),
	    TEST(test_name_from_text_lengths),
	    TEST(test_name_to_text),
	    TEST(test_name_is_under),
	    TEST(test_name_labels_lower),
	};

	return cmocka_run_group_tests_name("dnswire_name", tests, NULL, NULL);
}
