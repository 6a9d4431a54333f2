/* test_findings.c -- the catalogue: ids, words, steps, lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "findings.h"
#include "verdict.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Every id findings.h spells, with what verdict.h and the issues say of it. */
static const struct {
	const char *id;
	enum severity severity;
	bool inconclusive;
} known[] = {
    {FINDING_ISP_RESOLVER, SEV_HIGH, false},
    {FINDING_IPV6_DNS_LEAK, SEV_HIGH, false},
    {FINDING_UNTRUSTED_RESOLVER, SEV_HIGH, false},
    {FINDING_THIRD_PARTY_RESOLVER, SEV_MEDIUM, false},
    {FINDING_IPV6_UNTUNNELLED, SEV_HIGH, false},
    {FINDING_ECS_EXPOSED, SEV_MEDIUM, false},
    {FINDING_NO_DNS_SEEN, SEV_INFO, true},
    {FINDING_NO_NETWORK_DATA, SEV_INFO, true},
    {FINDING_NO_IPV6, SEV_INFO, false},
    {FINDING_DNS_OUTSIDE_TUNNEL, SEV_HIGH, false},
    {FINDING_DNS_HIJACK, SEV_HIGH, false},
    {FINDING_NO_ENCRYPTION, SEV_LOW, false},
    {FINDING_ROUTE_OVERRIDE, SEV_HIGH, false},
};

static bool
id_well_formed(const char *id)
{
	size_t n = strlen(id);

	if (n <= 3 || strncmp(id, "DL-", 3) != 0 || id[n - 1] == '-')
		return false;
	for (size_t i = 3; i < n; i++) {
		char c = id[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (c == '-' && id[i - 1] == '-')
			return false;
	}
	return true;
}

static void
test_id_form(void **state)
{
	(void)state;
	assert_true(id_well_formed("DL-ISP-RESOLVER"));
	assert_true(id_well_formed("DL-IPV6-DNS-LEAK"));
	assert_false(id_well_formed("DL-"));
	assert_false(id_well_formed("DL-isp"));
	assert_false(id_well_formed("XL-ISP"));
	assert_false(id_well_formed("DL-ISP-"));
	assert_false(id_well_formed("DL--ISP"));
	assert_false(id_well_formed("DL-ISP RESOLVER"));
}

static void
test_catalogue_entries(void **state)
{
	(void)state;
	size_t n = 0;
	const struct finding_def *all = findings_all(&n);

	assert_non_null(all);
	assert_int_equal(n, NELEM(known));
	for (size_t i = 0; i < n; i++) {
		const struct finding_def *d = &all[i];
		assert_non_null(d->id);
		if (!id_well_formed(d->id))
			fail_msg("bad id \"%s\"", d->id);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(all[j].id, d->id);
		assert_true(d->severity <= SEV_HIGH);
		/* "Cannot tell" must not also weigh as a leak or a warning. */
		if (d->inconclusive)
			assert_int_equal(d->severity, SEV_INFO);

		assert_non_null(d->title);
		assert_true(strlen(d->title) > 0 && strlen(d->title) <= 48);
		assert_int_not_equal(d->title[strlen(d->title) - 1], '.');

		assert_non_null(d->explain);
		size_t el = strlen(d->explain);
		assert_true(el > 20);
		assert_int_equal(d->explain[el - 1], '.');
		if (strstr(d->explain, ". ") != NULL) /* one sentence */
			fail_msg("%s: explain has more than one sentence", d->id);

		size_t steps = 0;
		while (steps < FINDING_STEPS_MAX && d->steps[steps] != NULL)
			steps++;
		if (steps < 2 || steps > 5)
			fail_msg("%s: %zu steps", d->id, steps);
		assert_true(steps < FINDING_STEPS_MAX); /* NULL-terminated */
		assert_null(d->steps[steps]);
		for (size_t k = 0; k < steps; k++) {
			size_t sl = strlen(d->steps[k]);
			assert_true(sl > 10);
			if (d->steps[k][sl - 1] != '.')
				fail_msg("%s: step %zu does not end a sentence", d->id, k);
		}
	}
}

static void
test_known_ids(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(known); i++) {
		const struct finding_def *d = findings_lookup(known[i].id);
		if (d == NULL)
			fail_msg("%s not in the catalogue", known[i].id);
		assert_string_equal(d->id, known[i].id);
		assert_int_equal(d->severity, known[i].severity);
		assert_int_equal(d->inconclusive, known[i].inconclusive);
		assert_string_equal(severity_name(d->severity),
				    known[i].severity == SEV_HIGH     ? "high"
				    : known[i].severity == SEV_MEDIUM ? "medium"
				    : known[i].severity == SEV_LOW    ? "low"
								      : "info");
	}
}

static void
test_lookup(void **state)
{
	(void)state;
	size_t n = 0;
	const struct finding_def *all = findings_all(&n);

	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(findings_lookup(all[i].id), &all[i]);
	assert_null(findings_lookup("DL-NOPE"));
	assert_null(findings_lookup(""));
	assert_null(findings_lookup(NULL));
	assert_null(findings_lookup("dl-isp-resolver")); /* ids are exact */
	assert_null(findings_lookup("DL-ISP"));          /* no prefix match */
	assert_null(findings_lookup("DL-ISP-RESOLVERS"));
	assert_null(findings_lookup(" DL-ISP-RESOLVER"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_form),
	    cmocka_unit_test(test_catalogue_entries),
	    cmocka_unit_test(test_known_ids),
	    cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests_name("findings", tests, NULL, NULL);
}
