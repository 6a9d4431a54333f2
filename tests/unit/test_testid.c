/* test_testid.c -- SipHash-2-4, base32, test ids, probe labels and read tokens.
 *
 * The SipHash values are the reference vectors of the paper (key 00..0f, message 00..n-1), the
 * base32 ones RFC 4648 section 10, and the id and token vectors were computed independently
 * (Python's hmac and a separate SipHash) so a consistent bug on both sides cannot hide.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "siphash.h"
#include "testid.h"

#include "expect.h"

static const uint8_t ID_KEY[TESTID_KEY_LEN] = {0, 1, 2,  3,  4,  5,  6,  7,
                                               8, 9, 10, 11, 12, 13, 14, 15};

/* ---- SipHash-2-4 ------------------------------------------------------------------------ */

/* vectors_sip64[] of the reference implementation, read as little-endian 64-bit values. */
static const uint64_t sip_vectors[] = {
    0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
    0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
    0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
    0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
    0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL, 0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL,
};

static void
test_siphash_vectors(void **state)
{
	(void)state;
	uint8_t msg[64];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (size_t n = 0; n < sizeof(sip_vectors) / sizeof(sip_vectors[0]); n++) {
		uint64_t got = siphash24(ID_KEY, msg, n);
		EXPECT(got == sip_vectors[n], "len %zu: %016llx", n, (unsigned long long)got);
	}
	/* The paper's worked example (appendix A): 15 bytes, 0xa129ca6149be45e5. */
	EXPECT(siphash24(ID_KEY, msg, 15) == 0xa129ca6149be45e5ULL, "paper example");
	EXPECT_NONE();
}

/* Unaligned input gives the same result (bytes are assembled by shifting). */
static void
test_siphash_unaligned(void **state)
{
	(void)state;
	uint8_t buf[80];

	for (size_t off = 0; off < 8; off++) {
		for (size_t i = 0; i < 20; i++)
			buf[off + i] = (uint8_t)i;
		for (size_t n = 0; n < 20; n++)
			EXPECT(siphash24(ID_KEY, buf + off, n) == sip_vectors[n], "off %zu len %zu",
			       off, n);
	}
	EXPECT_NONE();
}

/* ---- base32 ------------------------------------------------------------------------------ */

static void
test_base32_rfc4648(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
	    /* RFC 4648 section 10, lowercase, padding dropped. */
	    {"", ""},
	    {"f", "my"},
	    {"fo", "mzxq"},
	    {"foo", "mzxw6"},
	    {"foob", "mzxw6yq"},
	    {"fooba", "mzxw6ytb"},
	    {"foobar", "mzxw6ytboi"},
	};
	char out[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'X', sizeof(out));
		base32_encode((const uint8_t *)cases[i].in, strlen(cases[i].in), out);
		EXPECT(strcmp(out, cases[i].out) == 0, "\"%s\": got \"%s\"", cases[i].in, out);
	}
	static const uint8_t all_ones[5] = {0xff, 0xff, 0xff, 0xff, 0xff};
	base32_encode(all_ones, sizeof(all_ones), out);
	EXPECT(strcmp(out, "77777777") == 0, "ff x5: %s", out);
	static const uint8_t zeros[3] = {0};
	base32_encode(zeros, sizeof(zeros), out);
	EXPECT(strcmp(out, "aaaaa") == 0, "00 x3: %s", out);
	EXPECT_NONE();
}

/* ---- ids --------------------------------------------------------------------------------- */

static const uint8_t RANDOM6[TESTID_RANDOM_LEN] = {1, 2, 3, 4, 5, 6};
#define CREATED 0x65a0bc00u
/* Independently computed: 65a0bc00 010203040506 | first 6 LE bytes of SipHash(key, those 10). */
static const uint8_t WANT_ID[TESTID_LEN] = {0x65, 0xa0, 0xbc, 0x00, 0x01, 0x02, 0x03, 0x04,
                                            0x05, 0x06, 0x32, 0xb8, 0x55, 0x7f, 0xc3, 0x36};
#define WANT_ID_TEXT "mwqlyaabaibqibiggk4fk76dgy"

static void
test_id_make_verify(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	uint8_t other_key[TESTID_KEY_LEN];

	testid_make(ID_KEY, CREATED, RANDOM6, id);
	assert_memory_equal(id, WANT_ID, TESTID_LEN);
	assert_true(testid_verify(ID_KEY, id));
	assert_int_equal(testid_created(id), CREATED);

	memcpy(other_key, ID_KEY, sizeof(other_key));
	other_key[15] ^= 1;
	assert_false(testid_verify(other_key, id));

	/* Different times and random bytes give different, valid ids. */
	uint8_t id2[TESTID_LEN];
	testid_make(ID_KEY, CREATED + 1, RANDOM6, id2);
	assert_memory_not_equal(id, id2, TESTID_LEN);
	assert_true(testid_verify(ID_KEY, id2));
	assert_int_equal(testid_created(id2), CREATED + 1);
	testid_make(ID_KEY, 0xffffffffu, RANDOM6, id2);
	assert_int_equal(testid_created(id2), 0xffffffffu);
	assert_true(testid_verify(ID_KEY, id2));
}

static void
test_id_bit_flips(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];

	testid_make(ID_KEY, CREATED, RANDOM6, id);
	for (size_t bit = 0; bit < TESTID_LEN * 8; bit++) {
		id[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		EXPECT(!testid_verify(ID_KEY, id), "flip of bit %zu still verifies", bit);
		id[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	assert_true(testid_verify(ID_KEY, id));
	EXPECT_NONE();
}

static void
test_id_text(void **state)
{
	(void)state;
	char text[TESTID_TEXT_LEN + 1];
	uint8_t id[TESTID_LEN];

	testid_to_text(WANT_ID, text);
	assert_string_equal(text, WANT_ID_TEXT);
	assert_int_equal(strlen(text), TESTID_TEXT_LEN);

	assert_int_equal(testid_from_text(WANT_ID_TEXT, TESTID_TEXT_LEN, id), DL_E_OK);
	assert_memory_equal(id, WANT_ID, TESTID_LEN);
	memset(id, 0, sizeof(id));
	assert_int_equal(testid_from_text("MWQLYAABAIBQIBIGGK4FK76DGY", TESTID_TEXT_LEN, id),
	                 DL_E_OK);
	assert_memory_equal(id, WANT_ID, TESTID_LEN);
	memset(id, 0, sizeof(id));
	assert_int_equal(testid_from_text("mWqLyAaBaIbQiBiGgK4fK76dGy", TESTID_TEXT_LEN, id),
	                 DL_E_OK);
	assert_memory_equal(id, WANT_ID, TESTID_LEN);

	/* Round trip over many ids. */
	for (uint32_t t = 0; t < 200; t++) {
		uint8_t a[TESTID_LEN], b[TESTID_LEN];
		uint8_t r[TESTID_RANDOM_LEN] = {(uint8_t)t, (uint8_t)(t * 7),   0xff, 0,
		                                0x80,       (uint8_t)(t ^ 0x5a)};
		testid_make(ID_KEY, t * 2654435761u, r, a);
		testid_to_text(a, text);
		EXPECT(testid_from_text(text, strlen(text), b) == DL_E_OK &&
		           memcmp(a, b, TESTID_LEN) == 0,
		       "round trip %u: %s", t, text);
	}
	EXPECT_NONE();
}

static void
test_id_from_text_bad(void **state)
{
	(void)state;
	static const struct {
		const char *desc;
		const char *text;
		size_t len; /* 0: strlen */
	} cases[] = {
	    {"25 chars", "mwqlyaabaibqibiggk4fk76dg", 0},
	    {"27 chars", "mwqlyaabaibqibiggk4fk76dgya", 0},
	    {"empty", "", 0},
	    {"len says 25 of 26", WANT_ID_TEXT, 25},
	    {"digit 1", "mwqlyaabaibqibiggk4fk76dg1", 0},
	    {"digit 0", "0wqlyaabaibqibiggk4fk76dgy", 0},
	    {"digit 8", "mwqlyaabaibqi8iggk4fk76dgy", 0},
	    {"padding", "mwqlyaabaibqibiggk4fk76dg=", 0},
	    {"dash", "mwqlyaabaib-ibiggk4fk76dgy", 0},
	    {"NUL inside", "mwqlyaabaib\0ibiggk4fk76dgy", 26},
	    {"high byte", "mwqlyaabaib\xc3ibiggk4fk76dgy", 0},
	    /* y = 24 = 11000b: low 2 bits zero. z = 25 and 7 = 31 set them: another spelling. */
	    {"non-canonical last char z", "mwqlyaabaibqibiggk4fk76dgz", 0},
	    {"non-canonical last char 7", "mwqlyaabaibqibiggk4fk76dg7", 0},
	    {"non-canonical last char B", "mwqlyaabaibqibiggk4fk76dgB", 0},
	};
	uint8_t id[TESTID_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
		memset(id, 0xAA, sizeof(id));
		enum dl_err rc = testid_from_text(cases[i].text, len, id);
		EXPECT(rc == DL_E_BADID, "%s: %d", cases[i].desc, rc);
		EXPECT(id[0] == 0xAA && id[15] == 0xAA, "%s: id written on error", cases[i].desc);
	}
	/* Every last character with low bits set is refused; those without are accepted. */
	char text[TESTID_TEXT_LEN + 1];
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	memcpy(text, WANT_ID_TEXT, sizeof(text));
	for (int v = 0; v < 32; v++) {
		text[25] = alphabet[v];
		enum dl_err rc = testid_from_text(text, TESTID_TEXT_LEN, id);
		EXPECT(rc == ((v & 3) ? DL_E_BADID : DL_E_OK), "last char %c: %d", alphabet[v], rc);
	}
	EXPECT_NONE();
}

/* ---- probe labels ------------------------------------------------------------------------ */

struct label_case {
	const char *desc;
	const char *label; /* "%s" is replaced by the id text */
	const char *id;    /* NULL: WANT_ID_TEXT */
	enum probe_kind kind;
	const char *nonce;
	bool has_upper;
};

static void
test_parse_label(void **state)
{
	(void)state;
	static const struct label_case cases[] = {
	    {"probe", "abc-%s", NULL, PROBE_NAME, "abc", false},
	    {"one-char nonce", "0-%s", NULL, PROBE_NAME, "0", false},
	    {"20-char nonce", "abcdefghij0123456789-%s", NULL, PROBE_NAME, "abcdefghij0123456789",
	     false},
	    {"v4 exit", "v4-%s", NULL, PROBE_V4, "v4", false},
	    {"v6 exit", "v6-%s", NULL, PROBE_V6, "v6", false},
	    {"V4 exit, upper", "V4-%s", NULL, PROBE_V4, "v4", true},
	    {"v5 is a nonce", "v5-%s", NULL, PROBE_NAME, "v5", false},
	    {"upper nonce", "AbC-%s", NULL, PROBE_NAME, "abc", true},
	    {"upper id", "abc-%s", "MWQLYAABAIBQIBIGGK4FK76DGY", PROBE_NAME, "abc", true},
	    {"one upper id char", "abc-%s", "mwqlyaabaibqibiggk4fk76dgY", PROBE_NAME, "abc", true},
	    {"21-char nonce", "abcdefghij0123456789x-%s", NULL, PROBE_NONE},
	    {"empty nonce", "-%s", NULL, PROBE_NONE},
	    {"underscore in nonce", "a_c-%s", NULL, PROBE_NONE},
	    {"dash in nonce", "a-c-%s", NULL, PROBE_NONE},
	    {"dot in nonce", "a.c-%s", NULL, PROBE_NONE},
	    {"NUL in nonce", "a\\0c-%s", NULL, PROBE_NONE},
	    {"missing dash", "abcx%s", NULL, PROBE_NONE},
	    {"id 25 chars", "abc-%s", "mwqlyaabaibqibiggk4fk76dg", PROBE_NONE},
	    {"id 27 chars", "abc-%s", "mwqlyaabaibqibiggk4fk76dgya", PROBE_NONE},
	    {"id bad char", "abc-%s", "mwqlyaabaibqibiggk4fk76dg1", PROBE_NONE},
	    {"id non-canonical", "abc-%s", "mwqlyaabaibqibiggk4fk76dgz", PROBE_NONE},
	    {"id only", "%s", NULL, PROBE_NONE},
	    {"id then dash", "%s-", NULL, PROBE_NONE},
	    {"suffix after id", "abc-%sx", NULL, PROBE_NONE},
	    {"whoami", "whoami", "", PROBE_NONE},
	    {"empty", "", "", PROBE_NONE},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct label_case *c = &cases[i];
		char buf[128];
		size_t len = 0;
		const char *idt = c->id ? c->id : WANT_ID_TEXT;

		/* Expand "%s" to the id and "\0" to a NUL byte, by hand: labels are bytes. */
		for (const char *s = c->label; *s != '\0'; s++) {
			if (s[0] == '%' && s[1] == 's') {
				memcpy(buf + len, idt, strlen(idt));
				len += strlen(idt);
				s++;
			} else if (s[0] == '\\' && s[1] == '0') {
				buf[len++] = '\0';
				s++;
			} else {
				buf[len++] = *s;
			}
		}
		struct probe_label pl;
		memset(&pl, 0x55, sizeof(pl));
		testid_parse_label((const uint8_t *)buf, len, &pl);
		EXPECT(pl.kind == c->kind, "%s: kind %d", c->desc, pl.kind);
		if (c->kind == PROBE_NONE || pl.kind != c->kind)
			continue;
		EXPECT(strcmp(pl.nonce, c->nonce) == 0, "%s: nonce \"%.21s\"", c->desc, pl.nonce);
		EXPECT(memcmp(pl.id, WANT_ID, TESTID_LEN) == 0, "%s: id", c->desc);
		EXPECT(pl.has_upper == c->has_upper, "%s: has_upper %d", c->desc, pl.has_upper);
	}
	/* Syntax only: an id with a bad MAC still parses; the caller verifies. */
	uint8_t bad[TESTID_LEN];
	char label[64], idt[TESTID_TEXT_LEN + 1];
	memcpy(bad, WANT_ID, sizeof(bad));
	bad[15] ^= 0x80;
	testid_to_text(bad, idt);
	snprintf(label, sizeof(label), "n1-%s", idt);
	struct probe_label pl;
	testid_parse_label((const uint8_t *)label, strlen(label), &pl);
	EXPECT(pl.kind == PROBE_NAME && !testid_verify(ID_KEY, pl.id), "bad MAC parses");
	EXPECT_NONE();
}

/* ---- read tokens ------------------------------------------------------------------------- */

static void
test_token(void **state)
{
	(void)state;
	uint8_t key[TOKEN_KEY_LEN], key2[TOKEN_KEY_LEN];
	uint8_t id[TESTID_LEN], id2[TESTID_LEN];
	char tok[TOKEN_TEXT_LEN + 1], again[TOKEN_TEXT_LEN + 1], other[TOKEN_TEXT_LEN + 1];

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(id); i++)
		id[i] = (uint8_t)(0xa0 + i);

	testid_token(key, id, tok);
	/* base32(HMAC-SHA256(00..1f, a0..af)[0:20]), computed with Python's hmac. */
	assert_string_equal(tok, "wfejoj5smava4bd4wi3vqcsmpfnk7ebd");
	assert_int_equal(strlen(tok), TOKEN_TEXT_LEN);
	assert_int_equal(strspn(tok, "abcdefghijklmnopqrstuvwxyz234567"), TOKEN_TEXT_LEN);
	testid_token(key, id, again);
	assert_string_equal(tok, again);

	memcpy(id2, id, sizeof(id2));
	id2[0] ^= 1;
	testid_token(key, id2, other);
	assert_string_not_equal(tok, other);
	memcpy(key2, key, sizeof(key2));
	key2[31] ^= 1;
	testid_token(key2, id, other);
	assert_string_not_equal(tok, other);

	assert_true(testid_token_ok(key, id, tok));
	assert_false(testid_token_ok(key2, id, tok));
	assert_false(testid_token_ok(key, id2, tok));
	assert_false(testid_token_ok(key, id, NULL));
	assert_false(testid_token_ok(key, id, ""));

	char wrong[TOKEN_TEXT_LEN + 2];
	for (size_t i = 0; i < TOKEN_TEXT_LEN; i++) {
		memcpy(wrong, tok, sizeof(tok));
		wrong[i] = wrong[i] == 'a' ? 'b' : 'a';
		EXPECT(!testid_token_ok(key, id, wrong), "char %zu changed accepted", i);
	}
	memcpy(wrong, tok, sizeof(tok));
	wrong[TOKEN_TEXT_LEN - 1] = '\0';
	EXPECT(!testid_token_ok(key, id, wrong), "31 chars accepted");
	memcpy(wrong, tok, sizeof(tok));
	wrong[TOKEN_TEXT_LEN] = 'a';
	wrong[TOKEN_TEXT_LEN + 1] = '\0';
	EXPECT(!testid_token_ok(key, id, wrong), "33 chars accepted");
	EXPECT_NONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_siphash_vectors),  TEST(test_siphash_unaligned), TEST(test_base32_rfc4648),
	    TEST(test_id_make_verify),   TEST(test_id_bit_flips),      TEST(test_id_text),
	    TEST(test_id_from_text_bad), TEST(test_parse_label),       TEST(test_token),
	};

	return cmocka_run_group_tests_name("testid", tests, NULL, NULL);
}
