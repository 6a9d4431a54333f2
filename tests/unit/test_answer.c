/* test_answer.c -- the zone logic: answer_query() on the names the zone serves, responses
 * parsed back: the apex, the name server hosts, probes and what they record, the exit names and
 * whoami. The child zones are in test_answer_child.c, negative answers and errors in
 * test_answer_errors.c, EDNS and sizes in test_answer_edns.c; answer_fixture.h builds the zone
 * and the queries and parses every response strictly.
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

/* ---- apex and fixed names ---------------------------------------------------------------- */

static void
test_apex_soa(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_SOA}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_soa(&r->an[0], "leak.test.", "ns1.leak.test.", ZONE_TTL);
	assert_false(r->has_opt);
	assert_int_equal(r->out.rcode, DNS_RCODE_NOERROR);
	expect_no_obs(r);

	/* RFC 8482: ANY gets one RRset, the SOA. */
	r = ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_ANY}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_soa(&r->an[0], "leak.test.", "ns1.leak.test.", ZONE_TTL);
}

static void
test_apex_ns(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_NS}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 2);
	assert_int_equal(r->an[0].type, DNS_TYPE_NS);
	assert_string_equal(r->an[0].owner, "leak.test.");
	assert_string_equal(r->an[0].name, "ns1.leak.test.");
	assert_int_equal(r->an[0].ttl, ZONE_TTL);
	expect_addr(&r->ar[0], "ns1.leak.test.", "192.0.2.53", ZONE_TTL);
	expect_addr(&r->ar[1], "ns1.leak.test.", "2001:db8::53", ZONE_TTL);
}

static void
test_apex_addresses(void **state)
{
	(void)state;
	const struct resp *r = ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "leak.test.", "192.0.2.80", ZONE_APEX_TTL);

	r = ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_AAAA}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "leak.test.", "2001:db8::80", ZONE_APEX_TTL);

	/* Case of the question is kept in the owner (it is a pointer to the question). */
	r = ask(&(struct qspec){.name = "LEAK.test", .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "LEAK.test.", "192.0.2.80", ZONE_APEX_TTL);

	static const uint16_t nodata_types[] = {DNS_TYPE_MX,    DNS_TYPE_TXT, DNS_TYPE_DS,
	                                        DNS_TYPE_CNAME, DNS_TYPE_PTR, 65};
	for (size_t i = 0; i < sizeof(nodata_types) / sizeof(nodata_types[0]); i++) {
		r = ask(&(struct qspec){.name = "leak.test", .qtype = nodata_types[i]}, NULL);
		expect_nodata(r, "leak.test.", "ns1.leak.test.");
	}
}

static void
test_ns_host(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "ns1.leak.test", .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "ns1.leak.test.", "192.0.2.53", ZONE_TTL);

	r = ask(&(struct qspec){.name = "Ns1.leak.test", .qtype = DNS_TYPE_AAAA}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "Ns1.leak.test.", "2001:db8::53", ZONE_TTL);

	r = ask(&(struct qspec){.name = "ns1.leak.test", .qtype = DNS_TYPE_MX}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	expect_no_obs(r);
}

static void
test_ns_v4_v6(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "ns-v4.leak.test", .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "ns-v4.leak.test.", "192.0.2.53", ZONE_TTL);

	r = ask(&(struct qspec){.name = "ns-v4.leak.test", .qtype = DNS_TYPE_AAAA}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");

	r = ask(&(struct qspec){.name = "ns-v6.leak.test", .qtype = DNS_TYPE_AAAA}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "ns-v6.leak.test.", "2001:db8::53", ZONE_TTL);

	r = ask(&(struct qspec){.name = "ns-v6.leak.test", .qtype = DNS_TYPE_A}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");

	/* With several name servers, ns-v4 carries every IPv4 glue address of all of them. */
	static struct zone z3;
	zone_build(&z3, 3, 2, 1);
	r = ask(&(struct qspec){.name = "ns-v4.leak.test", .qtype = DNS_TYPE_A},
	        &(struct ctx){.z = &z3});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 6, 0, 0);
	expect_addr(&r->an[0], "ns-v4.leak.test.", "192.0.2.53", ZONE_TTL);
	expect_addr(&r->an[5], "ns-v4.leak.test.", "192.0.2.74", ZONE_TTL);
}

/* ---- probes ------------------------------------------------------------------------------ */

static void
test_probe_records(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char name[128];

	make_id(NOW_S - 10, 1, id);
	probe_name(name, sizeof(name), "abc", id, ".leak.test");

	const struct resp *r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	char owner[160];
	snprintf(owner, sizeof(owner), "%s.", name);
	expect_addr(&r->an[0], owner, "192.0.2.80", 0);
	assert_true(r->out.observed);

	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_AAAA}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], owner, "2001:db8::80", 0);
	assert_true(r->out.observed);

	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_TXT}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(r->an[0].type, DNS_TYPE_TXT);
	assert_string_equal(r->an[0].owner, owner);
	assert_int_equal(r->an[0].ttl, 0);
	assert_string_equal(r->an[0].txt, PEER4);
	assert_true(r->out.observed);

	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_TXT}, &(struct ctx){.peer = PEER6});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_string_equal(r->an[0].txt, PEER6);

	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_MX}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	assert_true(r->out.observed);
	assert_int_equal(r->out.obs.qtype, DNS_TYPE_MX);

	/* Every web address is returned. */
	static struct zone z;
	zone_build(&z, 1, 1, 3);
	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_AAAA}, &(struct ctx){.z = &z});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 3, 0, 0);
	expect_addr(&r->an[2], owner, "2001:db8::82", 0);
}

static void
test_probe_observation(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char name[128];

	make_id(NOW_S - 100, 2, id);
	probe_name(name, sizeof(name), "n0nce", id, ".leak.test");

	/* UDP over IPv4, no EDNS. */
	const struct resp *r =
	    ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A, .flags = 0}, NULL);
	assert_true(r->out.observed);
	const struct observation *o = &r->out.obs;
	assert_int_equal(o->time_us, NOW_US);
	assert_memory_equal(o->id, id, TESTID_LEN);
	assert_string_equal(o->nonce, "n0nce");
	assert_int_equal(o->name, OBS_PROBE);
	assert_int_equal(o->transport, OBS_UDP);
	assert_int_equal(o->family, 4);
	static const uint8_t peer4[] = {192, 0, 2, 1};
	assert_memory_equal(o->addr, peer4, 4);
	assert_int_equal(o->port, PEER_PORT);
	assert_int_equal(o->qtype, DNS_TYPE_A);
	assert_int_equal(o->flags, 0);
	assert_int_equal(o->edns_udp_size, 0);
	assert_int_equal(o->node, 7);
	assert_int_equal(o->ecs_family, 0);
	assert_false(r->out.bad_mac);
	assert_false(r->out.expired);

	/* TCP over IPv6, RD, EDNS 1400 with DO, a cookie and ECS v4 /24. */
	r = ask(&(struct qspec){.name = name,
	                        .qtype = DNS_TYPE_AAAA,
	                        .flags = DNS_FLAG_RD,
	                        .edns = true,
	                        .udp = 1400,
	                        .do_bit = true,
	                        .cookie_len = 8,
	                        .ecs = true,
	                        .ecs_family = 1,
	                        .ecs_prefix = 24,
	                        .ecs_addr = {198, 51, 100}},
	        &(struct ctx){.peer = PEER6, .tcp = true});
	assert_true(r->out.observed);
	o = &r->out.obs;
	assert_int_equal(o->transport, OBS_TCP);
	assert_int_equal(o->family, 6);
	static const uint8_t peer6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	assert_memory_equal(o->addr, peer6, 16);
	assert_int_equal(o->qtype, DNS_TYPE_AAAA);
	assert_int_equal(o->flags, OBS_F_RD | OBS_F_EDNS | OBS_F_DO | OBS_F_COOKIE);
	assert_int_equal(o->edns_udp_size, 1400);
	assert_int_equal(o->ecs_family, 4);
	assert_int_equal(o->ecs_source_prefix, 24);
	static const uint8_t ecs4[] = {198, 51, 100, 0};
	assert_memory_equal(o->ecs_addr, ecs4, 4);

	/* ECS v6 and a 16-byte cookie. */
	r = ask(&(struct qspec){.name = name,
	                        .qtype = DNS_TYPE_A,
	                        .edns = true,
	                        .udp = 1232,
	                        .cookie_len = 16,
	                        .ecs = true,
	                        .ecs_family = 2,
	                        .ecs_prefix = 48,
	                        .ecs_addr = {0x20, 0x01, 0x0d, 0xb8, 0xab, 0xcd}},
	        NULL);
	o = &r->out.obs;
	assert_int_equal(o->flags, OBS_F_EDNS | OBS_F_COOKIE);
	assert_int_equal(o->ecs_family, 6);
	assert_int_equal(o->ecs_source_prefix, 48);
	static const uint8_t ecs6[16] = {0x20, 0x01, 0x0d, 0xb8, 0xab, 0xcd};
	assert_memory_equal(o->ecs_addr, ecs6, 16);
}

/* 0x20: the question and the answer owner keep the query's exact case. */
static void
test_probe_case_echo(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char name[128];

	make_id(NOW_S, 3, id);
	probe_name(name, sizeof(name), "AbC", id, ".LeAk.tEsT");
	for (size_t i = 4; i < 4 + TESTID_TEXT_LEN; i += 3) /* and some id letters */
		if (name[i] >= 'a' && name[i] <= 'z')
			name[i] = (char)(name[i] - 32);

	const struct resp *r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	char owner[160];
	snprintf(owner, sizeof(owner), "%s.", name);
	assert_string_equal(r->qname, owner);
	assert_string_equal(r->an[0].owner, owner);
	assert_true(r->out.observed);
	assert_memory_equal(r->out.obs.id, id, TESTID_LEN);
	assert_string_equal(r->out.obs.nonce, "abc");
}

/* OBS_F_CASE records that the resolver randomised the case of the probe label. */
static void
test_probe_case_flag(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char name[160];

	make_id(NOW_S, 3, id);
	static const char *const suffixes[] = {".leak.test", ".ns4.leak.test"};
	for (size_t s = 0; s < 2; s++) {
		/* Upper case anywhere in the name counts, the zone part included. */
		probe_name(name, sizeof(name), "abc", id, s == 0 ? ".leak.TEST" : ".nS4.leak.test");
		const struct resp *r =
		    ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
		assert_true(r->out.observed);
		assert_true(r->out.obs.flags & OBS_F_CASE);

		probe_name(name, sizeof(name), "aBc", id, suffixes[s]);
		r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
		assert_true(r->out.observed);
		if (!(r->out.obs.flags & OBS_F_CASE))
			fail_msg("%s: OBS_F_CASE not set (flags 0x%x)", name, r->out.obs.flags);

		/* All lowercase: no flag. */
		probe_name(name, sizeof(name), "abc", id, suffixes[s]);
		r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
		assert_true(r->out.observed);
		assert_false(r->out.obs.flags & OBS_F_CASE);
	}
}

static void
test_probe_bad_mac(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char name[128];

	make_id(NOW_S, 4, id);
	id[12] ^= 0x01;
	probe_name(name, sizeof(name), "abc", id, ".leak.test");
	const struct resp *r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_false(r->out.observed);
	assert_true(r->out.bad_mac);
	assert_false(r->out.expired);

	/* An id made with another key is no better. */
	uint8_t other_key[TESTID_KEY_LEN] = {0};
	const uint8_t rnd[TESTID_RANDOM_LEN] = {1, 2, 3, 4, 5, 6};
	testid_make(other_key, NOW_S, rnd, id);
	probe_name(name, sizeof(name), "v4", id, ".leak.test");
	r = ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_false(r->out.observed);
	assert_true(r->out.bad_mac);
}

static void
test_probe_expiry(void **state)
{
	(void)state;
	static const struct {
		int64_t age_s; /* now - created */
		bool expired;
	} cases[] = {
	    {0, false},    {599, false},  {600, false}, {601, true},
	    {86400, true}, {-300, false}, {-301, true}, {-86400, true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t id[TESTID_LEN];
		char name[128];
		make_id((uint32_t)((int64_t)NOW_S - cases[i].age_s), 5, id);
		probe_name(name, sizeof(name), "abc", id, ".leak.test");
		const struct resp *r =
		    ask(&(struct qspec){.name = name, .qtype = DNS_TYPE_A}, NULL);
		EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0); /* answered either way */
		if (r->out.expired != cases[i].expired || r->out.observed == cases[i].expired)
			fail_msg("age %lld: expired %d observed %d", (long long)cases[i].age_s,
			         r->out.expired, r->out.observed);
		assert_false(r->out.bad_mac);
	}
}

static void
test_exit_names(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char v4[128], v6[128], owner[160];

	make_id(NOW_S - 1, 6, id);
	probe_name(v4, sizeof(v4), "v4", id, ".leak.test");
	probe_name(v6, sizeof(v6), "v6", id, ".leak.test");

	const struct resp *r = ask(&(struct qspec){.name = v4, .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	snprintf(owner, sizeof(owner), "%s.", v4);
	expect_addr(&r->an[0], owner, "192.0.2.80", 0);
	assert_true(r->out.observed);
	assert_int_equal(r->out.obs.name, OBS_EXIT_V4);
	assert_string_equal(r->out.obs.nonce, "v4");

	r = ask(&(struct qspec){.name = v4, .qtype = DNS_TYPE_AAAA}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	r = ask(&(struct qspec){.name = v4, .qtype = DNS_TYPE_TXT}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	r = ask(&(struct qspec){.name = v4, .qtype = DNS_TYPE_ANY}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(r->an[0].type, DNS_TYPE_A);

	r = ask(&(struct qspec){.name = v6, .qtype = DNS_TYPE_AAAA}, &(struct ctx){.peer = PEER6});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	snprintf(owner, sizeof(owner), "%s.", v6);
	expect_addr(&r->an[0], owner, "2001:db8::80", 0);
	assert_true(r->out.observed);
	assert_int_equal(r->out.obs.name, OBS_EXIT_V6);
	assert_int_equal(r->out.obs.family, 6);

	r = ask(&(struct qspec){.name = v6, .qtype = DNS_TYPE_A}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	r = ask(&(struct qspec){.name = v6, .qtype = DNS_TYPE_ANY}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(r->an[0].type, DNS_TYPE_AAAA);
}

static void
test_whoami(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "whoami.leak.test", .qtype = DNS_TYPE_A}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "whoami.leak.test.", PEER4, 0);
	expect_no_obs(r);

	r = ask(&(struct qspec){.name = "whoami.leak.test", .qtype = DNS_TYPE_AAAA}, NULL);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");

	r = ask(&(struct qspec){.name = "WhoAmI.leak.test", .qtype = DNS_TYPE_TXT}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_string_equal(r->an[0].owner, "WhoAmI.leak.test.");
	assert_string_equal(r->an[0].txt, PEER4);
	assert_int_equal(r->an[0].ttl, 0);

	const struct ctx v6 = {.peer = PEER6};
	r = ask(&(struct qspec){.name = "whoami.leak.test", .qtype = DNS_TYPE_AAAA}, &v6);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	expect_addr(&r->an[0], "whoami.leak.test.", PEER6, 0);
	r = ask(&(struct qspec){.name = "whoami.leak.test", .qtype = DNS_TYPE_A}, &v6);
	expect_nodata(r, "leak.test.", "ns1.leak.test.");
	r = ask(&(struct qspec){.name = "whoami.leak.test", .qtype = DNS_TYPE_TXT}, &v6);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_string_equal(r->an[0].txt, PEER6);
	expect_no_obs(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_apex_soa),
	    cmocka_unit_test(test_apex_ns),
	    cmocka_unit_test(test_apex_addresses),
	    cmocka_unit_test(test_ns_host),
	    cmocka_unit_test(test_ns_v4_v6),
	    cmocka_unit_test(test_probe_records),
	    cmocka_unit_test(test_probe_observation),
	    cmocka_unit_test(test_probe_case_echo),
	    cmocka_unit_test(test_probe_case_flag),
	    cmocka_unit_test(test_probe_bad_mac),
	    cmocka_unit_test(test_probe_expiry),
	    cmocka_unit_test(test_exit_names),
	    cmocka_unit_test(test_whoami),
	};

	return cmocka_run_group_tests_name("answer", tests, group_setup, NULL);
}
