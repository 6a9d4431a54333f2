/* test_probe.c -- probe names: counts, shape, uniqueness, the server's own label parser agrees,
 * and every bad input refused with the output untouched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "testid.h"

#include "expect.h"

#define ID "nme2pglajsvluxwplf2znhnlkm"

static uint8_t random_bytes[PROBE_NAMES_MAX * PROBE_RANDOM_PER_NAME];
static struct probe probes[PROBE_NAMES_MAX];

static void
fill(uint8_t seed)
{
	for (size_t i = 0; i < sizeof(random_bytes); i++)
		random_bytes[i] = (uint8_t)(seed + i * 131u);
}

static void
test_counts(void **state)
{
	(void)state;
	static const struct {
		size_t count, per, total;
	} cases[] = {
		{ 1, 1, 3 }, { 2, 1, 4 }, { 3, 1, 5 }, { 4, 2, 8 }, { 12, 4, 20 }, { 100, 34, 168 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT(probe_per_family(cases[i].count) == cases[i].per, "count %zu: per %zu",
		       cases[i].count, probe_per_family(cases[i].count));
		EXPECT(probe_total(cases[i].count) == cases[i].total, "count %zu: total %zu",
		       cases[i].count, probe_total(cases[i].count));
	}
	EXPECT(probe_total(PROBE_COUNT_MAX) == PROBE_NAMES_MAX, "PROBE_NAMES_MAX");
	EXPECT_NONE();
}

static bool
is_nonce_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
}

static void
test_make_shape(void **state)
{
	(void)state;
	static const char *const suffix[] = { ".leak.test", ".ns4.leak.test", ".ns6.leak.test" };
	const size_t count = 12, total = probe_total(count);

	fill(7);
	assert_int_equal(probe_make(ID, "leak.test", count, random_bytes, sizeof(random_bytes),
				    probes, PROBE_NAMES_MAX),
			 DL_E_OK);
	for (size_t i = 0; i < total; i++) {
		const char *n = probes[i].name;
		enum probe_where want = i < 12   ? PROBE_AT_ZONE
					: i < 16 ? PROBE_AT_NS4
						 : PROBE_AT_NS6;
		struct probe_label pl;

		EXPECT(probes[i].where == want, "%zu: where %d", i, probes[i].where);
		EXPECT(strlen(n) == PROBE_NONCE_LEN + 1 + TESTID_TEXT_LEN + strlen(suffix[want]),
		       "%zu: length of %s", i, n);
		for (size_t j = 0; j < PROBE_NONCE_LEN; j++)
			EXPECT(is_nonce_char(n[j]), "%zu: nonce of %s", i, n);
		EXPECT(n[PROBE_NONCE_LEN] == '-', "%zu: dash in %s", i, n);
		EXPECT(strncmp(n + PROBE_NONCE_LEN + 1, ID, TESTID_TEXT_LEN) == 0, "%zu: id in %s",
		       i, n);
		EXPECT(strcmp(n + PROBE_NONCE_LEN + 1 + TESTID_TEXT_LEN, suffix[want]) == 0,
		       "%zu: suffix of %s", i, n);
		/* The server's parser reads the first label as <nonce>-<id> with our nonce. */
		testid_parse_label((const uint8_t *)n, PROBE_NONCE_LEN + 1 + TESTID_TEXT_LEN, &pl);
		EXPECT(pl.kind == PROBE_NAME, "%zu: server sees kind %d", i, pl.kind);
		EXPECT(strncmp(pl.nonce, n, PROBE_NONCE_LEN) == 0 &&
			   strlen(pl.nonce) == PROBE_NONCE_LEN,
		       "%zu: server sees nonce %s", i, pl.nonce);
		EXPECT(!pl.has_upper, "%zu: lowercase", i);
		for (size_t j = 0; j < i; j++)
			EXPECT(strcmp(probes[j].name, n) != 0, "%zu and %zu are both %s", j, i, n);
	}
	EXPECT_NONE();
}

static void
test_make_unique_without_randomness(void **state)
{
	(void)state;
	memset(random_bytes, 0, sizeof(random_bytes));
	assert_int_equal(probe_make(ID, "leak.test", PROBE_COUNT_MAX, random_bytes,
				    sizeof(random_bytes), probes, PROBE_NAMES_MAX),
			 DL_E_OK);
	/* The same random bytes everywhere: the index alone keeps the names apart. */
	for (size_t i = 0; i < PROBE_NAMES_MAX; i++) {
		for (size_t j = 0; j < i; j++)
			EXPECT(strcmp(probes[j].name, probes[i].name) != 0, "%zu = %zu", j, i);
	}
	EXPECT_NONE();
}

static void
test_make_random_differs(void **state)
{
	(void)state;
	char first[PROBE_NAME_MAX];

	fill(1);
	assert_int_equal(probe_make(ID, "leak.test", 1, random_bytes, sizeof(random_bytes), probes,
				    PROBE_NAMES_MAX),
			 DL_E_OK);
	snprintf(first, sizeof(first), "%s", probes[0].name);
	fill(2);
	assert_int_equal(probe_make(ID, "leak.test", 1, random_bytes, sizeof(random_bytes), probes,
				    PROBE_NAMES_MAX),
			 DL_E_OK);
	assert_string_not_equal(first, probes[0].name);
}

static void
test_make_uppercase_id_and_long_zone(void **state)
{
	(void)state;
	char zone[PROBE_ZONE_MAX + 1];
	char upper[] = "NME2PGLAJSVLUXWPLF2ZNHNLKM";

	/* 3 labels of 63 and one of 8: 200 characters. */
	memset(zone, 'z', PROBE_ZONE_MAX);
	zone[63] = zone[127] = zone[191] = '.';
	zone[PROBE_ZONE_MAX] = '\0';
	fill(3);
	assert_int_equal(
	    probe_make(upper, zone, 3, random_bytes, sizeof(random_bytes), probes, PROBE_NAMES_MAX),
	    DL_E_OK);
	for (size_t i = 0; i < probe_total(3); i++) {
		EXPECT(strlen(probes[i].name) <= 253, "%zu: %zu characters", i,
		       strlen(probes[i].name));
		EXPECT(strncmp(probes[i].name + PROBE_NONCE_LEN + 1, ID, TESTID_TEXT_LEN) == 0,
		       "%zu: id lowercased", i);
	}
	EXPECT_NONE();
}

static void
test_zone_ok(void **state)
{
	(void)state;
	char long_label[80], long_zone[PROBE_ZONE_MAX + 2];
	static const struct {
		const char *zone;
		bool ok;
	} cases[] = {
		{ "leak.test", true },      { "a", true },           { "Leak.Example.COM", true },
		{ "_x.leak-1.test", true }, { "", false },           { ".", false },
		{ "leak.test.", false },    { ".leak.test", false }, { "leak..test", false },
		{ "le ak.test", false },    { "leak/test", false },  { "lëak.test", false },
		{ "leak.test\n", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT(probe_zone_ok(cases[i].zone) == cases[i].ok, "`%s'", cases[i].zone);
	memset(long_label, 'a', 63);
	snprintf(long_label + 63, sizeof(long_label) - 63, ".test");
	EXPECT(probe_zone_ok(long_label), "a label of 63");
	memset(long_label, 'a', 64);
	snprintf(long_label + 64, sizeof(long_label) - 64, ".test");
	EXPECT(!probe_zone_ok(long_label), "a label of 64");
	memset(long_zone, 'a', sizeof(long_zone));
	for (size_t i = 50; i < sizeof(long_zone); i += 50)
		long_zone[i] = '.';
	long_zone[PROBE_ZONE_MAX] = '\0';
	EXPECT(probe_zone_ok(long_zone), "%d characters", PROBE_ZONE_MAX);
	long_zone[PROBE_ZONE_MAX] = 'a';
	long_zone[PROBE_ZONE_MAX + 1] = '\0';
	EXPECT(!probe_zone_ok(long_zone), "%d characters", PROBE_ZONE_MAX + 1);
	EXPECT_NONE();
}

static void
test_make_errors(void **state)
{
	(void)state;
	static const struct {
		const char *id, *zone;
		size_t count, cap, random_len;
		enum dl_err want;
	} cases[] = {
		{ ID, "leak.test", 0, PROBE_NAMES_MAX, sizeof(random_bytes), DL_E_FORMAT },
		{ ID, "leak.test", PROBE_COUNT_MAX + 1, PROBE_NAMES_MAX, sizeof(random_bytes),
		  DL_E_FORMAT },
		{ "short", "leak.test", 12, PROBE_NAMES_MAX, sizeof(random_bytes), DL_E_FORMAT },
		{ ID "a", "leak.test", 12, PROBE_NAMES_MAX, sizeof(random_bytes), DL_E_FORMAT },
		{ "nme2pglajsvluxwplf2znhnlk1", "leak.test", 12, PROBE_NAMES_MAX,
		  sizeof(random_bytes), DL_E_FORMAT },
		{ "nme2pglajsvluxwplf2znhnlkn", "leak.test", 12, PROBE_NAMES_MAX,
		  sizeof(random_bytes), DL_E_FORMAT }, /* low bits of the last character set */
		{ ID, "leak..test", 12, PROBE_NAMES_MAX, sizeof(random_bytes), DL_E_FORMAT },
		{ ID, "", 12, PROBE_NAMES_MAX, sizeof(random_bytes), DL_E_FORMAT },
		{ ID, "leak.test", 12, 19, sizeof(random_bytes), DL_E_FULL },
		{ ID, "leak.test", 12, 20, 20 * PROBE_RANDOM_PER_NAME - 1, DL_E_FULL },
		{ ID, "leak.test", 12, 20, 20 * PROBE_RANDOM_PER_NAME, DL_E_OK },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(probes, 0x5a, sizeof(probes));
		enum dl_err rc =
		    probe_make(cases[i].id, cases[i].zone, cases[i].count, random_bytes,
			       cases[i].random_len, probes, cases[i].cap);
		EXPECT(rc == cases[i].want, "case %zu: %d, want %d", i, rc, cases[i].want);
		if (cases[i].want != DL_E_OK)
			EXPECT(((const uint8_t *)probes)[0] == 0x5a &&
				   ((const uint8_t *)probes)[sizeof(probes) - 1] == 0x5a,
			       "case %zu: output touched", i);
	}
	EXPECT_NONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_counts),
		TEST(test_make_shape),
		TEST(test_make_unique_without_randomness),
		TEST(test_make_random_differs),
		TEST(test_make_uppercase_id_and_long_zone),
		TEST(test_zone_ok),
		TEST(test_make_errors),
	};

	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
