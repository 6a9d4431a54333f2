/* test_enrich.c -- MMDB lookups over small databases written here, and the text cleaner.
 *
 * The databases are built at test time by a minimal MaxMind DB writer (format 2.0: a binary
 * search tree with 24-bit records, 16 zero bytes, the data section, the metadata marker and
 * map), so the test needs no tool and can hold entries a real writer refuses: invalid UTF-8,
 * terminal escapes, bidirectional overrides, wrong types.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "enrich.h"

/* ---- a minimal MMDB writer ---- */

#define BUF_MAX 8192
#define NODES_MAX 1024

struct buf {
	uint8_t b[BUF_MAX];
	size_t len;
};

static void
put(struct buf *w, const void *p, size_t n)
{
	assert_true(w->len + n <= sizeof(w->b));
	memcpy(w->b + w->len, p, n);
	w->len += n;
}

static void
put_u8(struct buf *w, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(w, &b, 1);
}

/* MaxMind DB 2.0, "Data Section Separator" and "Output Data Section": control byte + size. */
static void
put_ctrl(struct buf *w, unsigned type, size_t size)
{
	unsigned first = type <= 7 ? type << 5 : 0;

	if (size < 29) {
		put_u8(w, first | (unsigned)size);
		if (type > 7)
			put_u8(w, type - 7);
		return;
	}
	assert_true(size < 285);
	put_u8(w, first | 29);
	if (type > 7)
		put_u8(w, type - 7);
	put_u8(w, (unsigned)(size - 29));
}

static void
put_str(struct buf *w, const char *s, size_t len)
{
	put_ctrl(w, 2, len);
	put(w, s, len);
}

static void
put_cstr(struct buf *w, const char *s)
{
	put_str(w, s, strlen(s));
}

/* type 5 uint16, 6 uint32, 9 uint64: big-endian, without leading zero bytes. */
static void
put_uint(struct buf *w, unsigned type, uint64_t v)
{
	uint8_t be[8];
	size_t n = 0;

	for (uint64_t x = v; x != 0; x >>= 8)
		n++;
	for (size_t i = 0; i < n; i++)
		be[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put_ctrl(w, type, n);
	put(w, be, n);
}

enum rec_kind { REC_EMPTY, REC_NODE, REC_DATA };

struct rec {
	enum rec_kind kind;
	uint32_t v; /* node index or data offset */
};

struct tree {
	struct rec nodes[NODES_MAX][2];
	size_t n;
	unsigned bits; /* 32 or 128 */
	struct buf data;
};

static void
tree_init(struct tree *t, unsigned ip_version)
{
	memset(t, 0, sizeof(*t));
	t->bits = ip_version == 4 ? 32 : 128;
	t->n = 1; /* the root, both sides empty */
}

/* Point prefix/len at the data that starts at data_off. */
static void
tree_insert(struct tree *t, const uint8_t *prefix, unsigned len, uint32_t data_off)
{
	size_t node = 0;

	assert_true(len >= 1 && len <= t->bits);
	for (unsigned i = 0; i < len; i++) {
		unsigned bit = prefix[i / 8] >> (7 - i % 8) & 1;
		struct rec *r = &t->nodes[node][bit];

		if (i == len - 1) {
			*r = (struct rec){ REC_DATA, data_off };
			return;
		}
		if (r->kind != REC_NODE) {
			assert_true(t->n < NODES_MAX);
			t->nodes[t->n][0] = *r; /* a shorter network splits into two halves */
			t->nodes[t->n][1] = *r;
			*r = (struct rec){ REC_NODE, (uint32_t)t->n };
			t->n++;
		}
		node = r->v;
	}
}

/* "::127.0.0.0", 104 or "2001:db8::", 32 (IPv6 tree) or "192.0.2.0", 24 (IPv4 tree). */
static void
tree_insert_text(struct tree *t, const char *addr, unsigned len, uint32_t data_off)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(t->bits == 32 ? AF_INET : AF_INET6, addr, a), 1);
	tree_insert(t, a, len, data_off);
}

static uint32_t
record_value(const struct tree *t, struct rec r)
{
	if (r.kind == REC_NODE)
		return r.v;
	if (r.kind == REC_DATA)
		return (uint32_t)t->n + 16 + r.v;
	return (uint32_t)t->n;
}

static void
put_u24(struct buf *w, uint32_t v)
{
	assert_true(v < (1u << 24));
	put_u8(w, v >> 16 & 0xff);
	put_u8(w, v >> 8 & 0xff);
	put_u8(w, v & 0xff);
}

/* Write the database to a new temporary file; returns its path (static storage per slot). */
static const char *
tree_write(const struct tree *t, const char *type, int slot)
{
	static char paths[4][64];
	static struct buf out; /* large: off the stack */
	char *path = paths[slot];
	uint8_t zero[16] = { 0 };

	out.len = 0;
	for (size_t i = 0; i < t->n; i++) {
		put_u24(&out, record_value(t, t->nodes[i][0]));
		put_u24(&out, record_value(t, t->nodes[i][1]));
	}
	put(&out, zero, sizeof(zero));
	put(&out, t->data.b, t->data.len);
	put(&out, "\xab\xcd\xefMaxMind.com", 14);
	put_ctrl(&out, 7, 9);
	put_cstr(&out, "binary_format_major_version");
	put_uint(&out, 5, 2);
	put_cstr(&out, "binary_format_minor_version");
	put_uint(&out, 5, 0);
	put_cstr(&out, "build_epoch");
	put_uint(&out, 9, 1714564800);
	put_cstr(&out, "database_type");
	put_cstr(&out, type);
	put_cstr(&out, "description");
	put_ctrl(&out, 7, 1);
	put_cstr(&out, "en");
	put_cstr(&out, "dnsleak unit test");
	put_cstr(&out, "ip_version");
	put_uint(&out, 5, t->bits == 32 ? 4 : 6);
	put_cstr(&out, "languages");
	put_ctrl(&out, 11, 1);
	put_cstr(&out, "en");
	put_cstr(&out, "node_count");
	put_uint(&out, 6, t->n);
	put_cstr(&out, "record_size");
	put_uint(&out, 5, 24);

	snprintf(path, sizeof(paths[0]), "/tmp/dnsleak-enrich-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, out.b, out.len), (ssize_t)out.len);
	close(fd);
	return path;
}

/* Data entries. Each returns its offset in the data section. */
static uint32_t
data_net(struct tree *t, uint32_t asn, const char *org, size_t org_len, const char *country)
{
	uint32_t off = (uint32_t)t->data.len;
	size_t pairs = (asn != 0) + (org != NULL) + (country != NULL);

	put_ctrl(&t->data, 7, pairs);
	if (asn != 0) {
		put_cstr(&t->data, "autonomous_system_number");
		put_uint(&t->data, 6, asn);
	}
	if (org != NULL) {
		put_cstr(&t->data, "autonomous_system_organization");
		put_str(&t->data, org, org_len);
	}
	if (country != NULL) {
		put_cstr(&t->data, "country");
		put_ctrl(&t->data, 7, 1);
		put_cstr(&t->data, "iso_code");
		put_cstr(&t->data, country);
	}
	return off;
}

/* ---- the tests ---- */

static char err[512];

static struct dl_addr
addr(const char *text)
{
	struct dl_addr a;

	assert_int_equal(addr_parse(text, &a), DL_E_OK);
	return a;
}

static void
look(const struct enrich *e, const char *text, struct net_info *net)
{
	struct dl_addr a = addr(text);

	memset(net, 0x55, sizeof(*net)); /* lookup must overwrite all of it */
	enrich_lookup(e, &a, net);
}

/* Everything a cleaned string promises: UTF-8, no control or bidi characters, no edge spaces. */
static void
assert_clean(const char *s, size_t cap)
{
	size_t len = strlen(s);
	json_t *j = json_stringn(s, len);

	assert_true(len < cap);
	assert_non_null(j); /* jansson accepts only valid UTF-8 */
	json_decref(j);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		assert_true(ch >= 0x20 && ch != 0x7f);
		if (i + 1 < len) {
			assert_false(ch == 0xc2 && (unsigned char)s[i + 1] < 0xa0); /* C1 */
			assert_false(ch == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
				     i + 2 < len && (unsigned char)s[i + 2] >= 0xa8 &&
				     (unsigned char)s[i + 2] <= 0xae); /* U+2028..U+202E */
		}
	}
	if (len > 0) {
		assert_true(s[0] != ' ');
		assert_true(s[len - 1] != ' ');
	}
}

static void
test_clean_text(void **state)
{
	static const struct {
		const char *in;
		size_t len; /* 0: strlen */
		const char *want;
	} cases[] = {
		{ "Example ISP", 0, "Example ISP" },
		{ "  Example\t\tISP \r\n", 0, "Example ISP" },
		{ "Deutsche Telekom AG", 0, "Deutsche Telekom AG" },
		{ "M\xc3\xbcnchen \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x8c\x90", 0,
		  "M\xc3\xbcnchen \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x8c\x90" },
		{ "evil\x1b[31mred", 0, "evil [31mred" },
		{ "a\xc2\x85" "b", 0, "a b" },                 /* NEL, a C1 control */
		{ "safe\xe2\x80\xae" "txt.exe", 0, "safe txt.exe" }, /* RIGHT-TO-LEFT OVERRIDE */
		{ "x\xe2\x81\xa6y\xe2\x80\xa8z", 0, "x y z" },  /* isolate, line separator */
		{ "\xef\xbb\xbf" "BOM", 0, "BOM" },
		{ "bad\xff\xfe", 0, "bad??" },
		{ "\xc0\xaf", 0, "??" },                        /* overlong '/' */
		{ "\xed\xa0\x80", 0, "???" },                   /* a surrogate */
		{ "\xf4\x90\x80\x80", 0, "????" },              /* past U+10FFFF */
		{ "cut\xe2\x82", 0, "cut??" },                  /* truncated sequence */
		{ "nul\0inside", 10, "nul inside" },
		{ "", 0, "" },
		{ " \t\n", 0, "" },
	};
	char out[NET_ORG_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].in);
		size_t got = enrich_clean_text(cases[i].in, len, out, sizeof(out));

		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: got `%s', want `%s'", i, out, cases[i].want);
		assert_int_equal(got, strlen(out));
		assert_clean(out, sizeof(out));
	}
}

/* Cut to fit, never inside a character, for every room from 1 byte up. */
static void
test_clean_text_bounds(void **state)
{
	static const char in[] = "A\xc3\xa9\xe6\x9d\xb1\xf0\x9f\x8c\x90 B\xe2\x80\xae"
				 "C\xff\xc3\xa9 end";
	char out[64];

	(void)state;
	for (size_t cap = 1; cap <= sizeof(out); cap++) {
		memset(out, 'x', sizeof(out));
		size_t got = enrich_clean_text(in, sizeof(in) - 1, out, cap);
		assert_true(got < cap);
		assert_int_equal(out[got], '\0');
		if (cap < sizeof(out))
			assert_int_equal(out[cap], 'x'); /* nothing past the room */
		assert_clean(out, cap);
	}
	enrich_clean_text(in, sizeof(in) - 1, out, sizeof(out));
	assert_string_equal(out, "A\xc3\xa9\xe6\x9d\xb1\xf0\x9f\x8c\x90 B C?\xc3\xa9 end");
	/* Every prefix of the input, too: a sequence cut by the input's end is not passed on. */
	for (size_t len = 0; len < sizeof(in); len++) {
		enrich_clean_text(in, len, out, sizeof(out));
		assert_clean(out, sizeof(out));
	}
}

static void
test_no_databases(void **state)
{
	struct enrich *e = NULL;
	struct net_info net;
	char type[ENRICH_TYPE_MAX];

	(void)state;
	assert_int_equal(enrich_open(NULL, "", &e, err, sizeof(err)), DL_E_OK);
	assert_non_null(e);
	assert_false(enrich_has_data(e));
	look(e, "192.0.2.1", &net);
	assert_int_equal(net.asn, 0);
	assert_string_equal(net.org, "");
	assert_string_equal(net.country, "");
	enrich_db_type(e, false, type);
	assert_string_equal(type, "");
	enrich_close(e);

	look(NULL, "2001:db8::1", &net);
	assert_int_equal(net.asn, 0);
	assert_string_equal(net.org, "");
	assert_string_equal(net.country, "");
	assert_false(enrich_has_data(NULL));
	enrich_close(NULL);
}

static void
test_open_errors(void **state)
{
	struct enrich *e = (struct enrich *)&e; /* must stay untouched */
	struct enrich *const before = e;

	(void)state;
	assert_int_equal(enrich_open("/nonexistent/asn.mmdb", NULL, &e, err, sizeof(err)),
			 DL_E_CONFIG);
	assert_string_equal(err, "asn_db /nonexistent/asn.mmdb: No such file or directory");
	assert_ptr_equal(e, before);

	assert_int_equal(enrich_open(NULL, "/nonexistent/cc.mmdb", &e, err, sizeof(err)),
			 DL_E_CONFIG);
	assert_string_equal(err, "country_db /nonexistent/cc.mmdb: No such file or directory");

	/* A file that is no MMDB: named, with libmaxminddb's reason. */
	char path[] = "/tmp/dnsleak-enrich-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a database\n", 15), 15);
	close(fd);
	assert_int_equal(enrich_open(path, NULL, &e, err, sizeof(err)), DL_E_CONFIG);
	assert_non_null(strstr(err, "asn_db "));
	assert_non_null(strstr(err, path));
	assert_true(strlen(err) > strlen("asn_db ") + strlen(path) + 2);

	/* A good first database and a bad second: nothing stays open (ASan would see a leak). */
	struct tree *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	tree_init(t, 6);
	tree_insert_text(t, "::127.0.0.0", 104, data_net(t, 64496, NULL, 0, NULL));
	const char *good = tree_write(t, "Test-ASN", 0);
	assert_int_equal(enrich_open(good, path, &e, err, sizeof(err)), DL_E_CONFIG);
	assert_non_null(strstr(err, "country_db "));
	assert_ptr_equal(e, before);
	unlink(good);
	unlink(path);
	free(t);
}

static void
test_one_database_with_both(void **state)
{
	static const char evil[] = "Evil\x1b]0;owned\x07 \xe2\x80\xae" "Corp\xff";
	char long_org[200];
	struct tree *t = calloc(1, sizeof(*t));
	struct enrich *e = NULL;
	struct net_info net;
	char type[ENRICH_TYPE_MAX];

	(void)state;
	assert_non_null(t);
	memset(long_org, 'x', sizeof(long_org));
	memcpy(long_org + NET_ORG_MAX - 2, "\xc3\xa9", 2); /* é across the cut */
	tree_init(t, 6);
	tree_insert_text(t, "::127.0.0.0", 104,
			 data_net(t, 64496, "Example ISP", 11, "DE"));
	tree_insert_text(t, "::1", 128, data_net(t, 64497, "Example VPN", 11, "nl"));
	tree_insert_text(t, "2001:db8::", 32, data_net(t, 4200000000u, evil, sizeof(evil) - 1,
						       "XYZ"));
	tree_insert_text(t, "2001:db8:1::", 48,
			 data_net(t, 64498, long_org, sizeof(long_org), "1A"));
	tree_insert_text(t, "2001:db8:2::", 48, data_net(t, 0, "Org without ASN", 15, NULL));
	const char *path = tree_write(t, "Test-Both", 0);

	assert_int_equal(enrich_open(path, NULL, &e, err, sizeof(err)), DL_E_OK);
	assert_true(enrich_has_data(e));
	enrich_db_type(e, false, type);
	assert_string_equal(type, "Test-Both");
	enrich_db_type(e, true, type);
	assert_string_equal(type, "");

	look(e, "127.0.0.1", &net);
	assert_int_equal(net.asn, 64496);
	assert_string_equal(net.org, "Example ISP");
	assert_string_equal(net.country, "DE"); /* the ASN database also had the country */
	look(e, "127.255.255.255", &net);
	assert_int_equal(net.asn, 64496);
	look(e, "128.0.0.1", &net);
	assert_int_equal(net.asn, 0);
	assert_string_equal(net.org, "");
	assert_string_equal(net.country, "");

	look(e, "::1", &net);
	assert_int_equal(net.asn, 64497);
	assert_string_equal(net.org, "Example VPN");
	assert_string_equal(net.country, "NL"); /* upper-cased */
	look(e, "::2", &net);
	assert_int_equal(net.asn, 0);

	look(e, "2001:db8:ffff::1", &net);
	assert_int_equal(net.asn, 4200000000u);
	assert_string_equal(net.org, "Evil ]0;owned Corp?");
	assert_string_equal(net.country, ""); /* three letters is no ISO 3166-1 alpha-2 code */

	look(e, "2001:db8:1::1", &net);
	assert_int_equal(net.asn, 64498);
	assert_clean(net.org, sizeof(net.org));
	assert_int_equal(strlen(net.org), NET_ORG_MAX - 2); /* the é that did not fit is gone */
	assert_string_equal(net.country, "");

	look(e, "2001:db8:2::1", &net); /* an organisation is only shown with its ASN */
	assert_int_equal(net.asn, 0);
	assert_string_equal(net.org, "");
	enrich_close(e);

	/* The same file for both keys opens it once and answers the same. */
	assert_int_equal(enrich_open(path, path, &e, err, sizeof(err)), DL_E_OK);
	enrich_db_type(e, true, type);
	assert_string_equal(type, "Test-Both");
	look(e, "::1", &net);
	assert_int_equal(net.asn, 64497);
	assert_string_equal(net.country, "NL");
	enrich_close(e);
	unlink(path);
	free(t);
}

static void
test_two_databases(void **state)
{
	struct tree *asn = calloc(1, sizeof(*asn));
	struct tree *cc = calloc(1, sizeof(*cc));
	struct enrich *e = NULL;
	struct net_info net;
	uint32_t off;

	(void)state;
	assert_non_null(asn);
	assert_non_null(cc);
	/* The ASN database, IPv4 only: an IPv6 lookup in it is an error that reads as unknown. */
	tree_init(asn, 4);
	tree_insert_text(asn, "198.51.100.0", 24, data_net(asn, 64500, "Net A", 5, NULL));
	tree_insert_text(asn, "203.0.113.0", 24, data_net(asn, 64501, "Net B", 5, "GB"));
	/* The country database: one entry with only registered_country, one of the wrong type. */
	tree_init(cc, 6);
	tree_insert_text(cc, "::198.51.100.0", 120, data_net(cc, 0, NULL, 0, "SE"));
	tree_insert_text(cc, "::203.0.113.0", 120, data_net(cc, 0, NULL, 0, "FR"));
	off = (uint32_t)cc->data.len;
	put_ctrl(&cc->data, 7, 1);
	put_cstr(&cc->data, "registered_country");
	put_ctrl(&cc->data, 7, 1);
	put_cstr(&cc->data, "iso_code");
	put_cstr(&cc->data, "CH");
	tree_insert_text(cc, "2001:db8::", 32, off);
	off = (uint32_t)cc->data.len;
	put_ctrl(&cc->data, 7, 2);
	put_cstr(&cc->data, "autonomous_system_number");
	put_cstr(&cc->data, "AS64502"); /* a string: not an ASN we read */
	put_cstr(&cc->data, "country");
	put_uint(&cc->data, 6, 49); /* not a map */
	tree_insert_text(cc, "2001:db8:1::", 48, off);
	const char *asn_path = tree_write(asn, "Test-ASN-v4", 0);
	const char *cc_path = tree_write(cc, "Test-Country", 1);

	assert_int_equal(enrich_open(asn_path, cc_path, &e, err, sizeof(err)), DL_E_OK);
	look(e, "198.51.100.7", &net);
	assert_int_equal(net.asn, 64500);
	assert_string_equal(net.org, "Net A");
	assert_string_equal(net.country, "SE");
	look(e, "203.0.113.7", &net);
	assert_int_equal(net.asn, 64501);
	assert_string_equal(net.country, "GB"); /* the first database that knows wins */
	look(e, "2001:db8::1", &net);
	assert_int_equal(net.asn, 0);
	assert_string_equal(net.country, "CH");
	look(e, "2001:db8:1::1", &net);
	assert_int_equal(net.asn, 0);
	assert_string_equal(net.country, "");
	enrich_close(e);

	/* Only a country database: countries, no networks. */
	assert_int_equal(enrich_open(NULL, cc_path, &e, err, sizeof(err)), DL_E_OK);
	look(e, "198.51.100.7", &net);
	assert_int_equal(net.asn, 0);
	assert_string_equal(net.country, "SE");
	enrich_close(e);
	unlink(asn_path);
	unlink(cc_path);
	free(asn);
	free(cc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_text),
		cmocka_unit_test(test_clean_text_bounds),
		cmocka_unit_test(test_no_databases),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_one_database_with_both),
		cmocka_unit_test(test_two_databases),
	};

	return cmocka_run_group_tests_name("enrich", tests, NULL, NULL);
}
