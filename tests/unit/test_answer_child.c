/* test_answer_child.c -- the ns4 / ns6 delegations of answer_query(): a probe under a child
 * zone is answered over its own address family and referred over the other, the child apexes
 * and DS at the zone cut. Zone, queries and the strict response parser: answer_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer_fixture.h"

/* ---- the ns4 / ns6 delegations ------------------------------------------------------------ */

/* <probe>.nsF.leak.test over its own family: the child answers, AA, and it is observed. */
static void
check_child_probe_served(uint8_t family)
{
	uint8_t id[TESTID_LEN];
	char name[160], owner[170];
	const char *suffix = family == 4 ? ".ns4.leak.test" : ".ns6.leak.test";

	make_id(NOW_S - 5, 7, id);
	probe_name(name, sizeof(name), "xyz", id, suffix);
	snprintf(owner, sizeof(owner), "%s.", name);
	const struct ctx c = {.peer = family == 4 ? PEER4 : PEER6, .local_family = family};

	const struct resp *r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, &c);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], owner, "192.0.2.80", 0);
	assert_true(r->out.observed);
	assert_int_equal(r->out.obs.name, family == 4 ? OBS_PROBE_NS4 : OBS_PROBE_NS6);
	assert_false(r->out.obs.flags & OBS_F_REFERRAL);
	assert_string_equal(r->out.obs.nonce, "xyz");
	assert_memory_equal(r->out.obs.id, id, TESTID_LEN);
	assert_int_equal(r->out.obs.family, family);

	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_AAAA}, &c);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], owner, "2001:db8::80", 0);

	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_TXT}, &c);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_string_equal(r->an[0].txt, family == 4 ? PEER4 : PEER6);

	/* NODATA inside the child carries the child's SOA. */
	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_MX}, &c);
	expect_nodata(r, family == 4 ? "ns4.leak.test." : "ns6.leak.test.",
	              family == 4 ? "ns-v4.leak.test." : "ns-v6.leak.test.");
	assert_true(r->out.observed);
}

/* The same name over the other family: the parent's referral to ns-vF, glue of family F only. */
static void
check_child_probe_referral(uint8_t family)
{
	uint8_t id[TESTID_LEN];
	char name[160];
	const char *suffix = family == 4 ? ".Ns4.leak.test" : ".Ns6.leak.test";
	uint8_t other = family == 4 ? 6 : 4;

	make_id(NOW_S - 5, 8, id);
	probe_name(name, sizeof(name), "xyz", id, suffix);
	const struct ctx c = {.peer = other == 4 ? PEER4 : PEER6, .local_family = other};

	static const uint16_t qtypes[] = {DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_TXT, DNS_TYPE_NS,
	                                  DNS_TYPE_DS};
	for (size_t i = 0; i < sizeof(qtypes) / sizeof(qtypes[0]); i++) {
		const struct resp *r = ask(&(struct qspec){.name = name, .qtype = qtypes[i]}, &c);
		EXPECT_COUNTS(r, DNS_RCODE_NOERROR, false, 0, 1, 1);
		assert_int_equal(r->ns[0].type, DNS_TYPE_NS);
		/* The delegation point keeps the question's case: it points into the question. */
		assert_string_equal(r->ns[0].owner,
		                    family == 4 ? "Ns4.leak.test." : "Ns6.leak.test.");
		assert_string_equal(r->ns[0].name,
		                    family == 4 ? "ns-v4.leak.test." : "ns-v6.leak.test.");
		assert_int_equal(r->ns[0].ttl, ZONE_TTL);
		expect_addr(&r->ar[0], family == 4 ? "ns-v4.leak.test." : "ns-v6.leak.test.",
		            family == 4 ? "192.0.2.53" : "2001:db8::53", ZONE_TTL);
		assert_true(r->out.observed);
		assert_int_equal(r->out.obs.name, family == 4 ? OBS_PROBE_NS4 : OBS_PROBE_NS6);
		assert_true(r->out.obs.flags & OBS_F_REFERRAL);
		assert_int_equal(r->out.obs.family, other);
		assert_int_equal(r->out.obs.qtype, qtypes[i]);
	}
}

static void
test_ns4_probe_over_v4(void **state)
{
	(void)state;
	check_child_probe_served(4);
}

static void
test_ns4_probe_over_v6_referral(void **state)
{
	(void)state;
	check_child_probe_referral(4);
}

static void
test_ns6_probe_over_v6(void **state)
{
	(void)state;
	check_child_probe_served(6);
}

static void
test_ns6_probe_over_v4_referral(void **state)
{
	(void)state;
	check_child_probe_referral(6);
}

/* The child apexes: empty of data but never NXDOMAIN (DESIGN.md 2). */
static void
check_child_apex(uint8_t family)
{
	const char *apex = family == 4 ? "ns4.leak.test" : "ns6.leak.test";
	const char *apex_dot = family == 4 ? "ns4.leak.test." : "ns6.leak.test.";
	const char *mname = family == 4 ? "ns-v4.leak.test." : "ns-v6.leak.test.";
	const struct ctx own = {.peer = family == 4 ? PEER4 : PEER6, .local_family = family};
	const struct ctx other = {.peer = family == 4 ? PEER6 : PEER4,
	                          .local_family = (uint8_t)(family == 4 ? 6 : 4)};

	const struct resp *r = ask(&(struct qspec){.name = apex, .qtype = DNS_TYPE_A}, &own);
	expect_nodata(r, apex_dot, mname);
	r = ask(&(struct qspec){.name = apex, .qtype = DNS_TYPE_AAAA}, &own);
	expect_nodata(r, apex_dot, mname);
	r = ask(&(struct qspec){.name = apex, .qtype = DNS_TYPE_TXT}, &own);
	expect_nodata(r, apex_dot, mname);

	r = ask(&(struct qspec){.name = apex, .qtype = DNS_TYPE_SOA}, &own);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_soa(&r->an[0], apex_dot, mname, ZONE_TTL);

	r = ask(&(struct qspec){.name = apex, .qtype = DNS_TYPE_NS}, &own);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 1);
	assert_string_equal(r->an[0].owner, apex_dot);
	assert_string_equal(r->an[0].name, mname);
	expect_addr(&r->ar[0], mname, family == 4 ? "192.0.2.53" : "2001:db8::53", ZONE_TTL);
	expect_no_obs(r);

	/* From the parent's side (the other family) the child apex is a referral. */
	r = ask(&(struct qspec){.name = apex, .qtype = DNS_TYPE_A}, &other);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, false, 0, 1, 1);
	assert_string_equal(r->ns[0].owner, apex_dot);
	assert_string_equal(r->ns[0].name, mname);
	expect_no_obs(r);

	/* Below the child apex, a name that is not a probe is NXDOMAIN with the child SOA. */
	char deep[64];
	snprintf(deep, sizeof(deep), "nope.%s", apex);
	r = ask(&(struct qspec){.name = deep, .qtype = DNS_TYPE_A}, &own);
	EXPECT_COUNTS(r, DNS_RCODE_NXDOMAIN, true, 0, 1, 0);
	expect_soa(&r->ns[0], apex_dot, mname, ZONE_NEG_TTL);
	snprintf(deep, sizeof(deep), "a.b.%s", apex);
	r = ask(&(struct qspec){.name = deep, .qtype = DNS_TYPE_A}, &own);
	EXPECT_COUNTS(r, DNS_RCODE_NXDOMAIN, true, 0, 1, 0);
	r = ask(&(struct qspec){.name = deep, .qtype = DNS_TYPE_A}, &other);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, false, 0, 1, 1); /* the parent only refers */
}

static void
test_ns4_apex(void **state)
{
	(void)state;
	check_child_apex(4);
}

static void
test_ns6_apex(void **state)
{
	(void)state;
	check_child_apex(6);
}

/* DS for a child is the parent's data: NODATA with the parent's SOA (the zone is unsigned). */
static void
test_ds_at_child_parent_side(void **state)
{
	(void)state;
	const struct resp *r = ask(&(struct qspec){.name = "ns4.leak.test", .qtype = DNS_TYPE_DS},
	                           &(struct ctx){.peer = PEER6, .local_family = 6});
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	r = ask(&(struct qspec){.name = "ns6.leak.test", .qtype = DNS_TYPE_DS},
	        &(struct ctx){.peer = PEER4, .local_family = 4});
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
}

/*
 * RFC 4035 3.1.4.1: a server authoritative for both parent and child answers DS from the
 * parent. Over IPv4 dnsleakd serves leak.test and ns4.leak.test, so DS ns4.leak.test is the
 * parent's NODATA (SOA leak.test), not the child's.
 */
static void
test_ds_at_child_both_sides(void **state)
{
	(void)state;
	const struct resp *r = ask(&(struct qspec){.name = "ns4.leak.test", .qtype = DNS_TYPE_DS},
	                           &(struct ctx){.peer = PEER4, .local_family = 4});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 0, 1, 0);
	assert_string_equal(r->ns[0].owner, "leak.test.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ns4_probe_over_v4),
	    cmocka_unit_test(test_ns4_probe_over_v6_referral),
	    cmocka_unit_test(test_ns6_probe_over_v6),
	    cmocka_unit_test(test_ns6_probe_over_v4_referral),
	    cmocka_unit_test(test_ns4_apex),
	    cmocka_unit_test(test_ns6_apex),
	    cmocka_unit_test(test_ds_at_child_parent_side),
	    cmocka_unit_test(test_ds_at_child_both_sides),
	};

	return cmocka_run_group_tests_name("answer_child", tests, group_setup, NULL);
}
