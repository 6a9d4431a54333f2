/* test_answer_edns.c -- answer_query() and EDNS: the OPT and ECS echoed, header flags, the
 * advertised UDP size honoured to the byte, TC when an answer does not fit, 512 bytes without
 * EDNS. Zone, queries and the strict response parser: answer_fixture.h.
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

/* ---- EDNS, sizes and truncation ------------------------------------------------------------ */

static void
test_edns_echo(void **state)
{
	(void)state;
	const struct resp *r = ask(&(struct qspec){.name = "leak.test",
	                                           .qtype = DNS_TYPE_A,
	                                           .edns = true,
	                                           .udp = 4096,
	                                           .do_bit = true},
	                           NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_true(r->has_opt);
	assert_int_equal(r->opt_udp, DNS_UDP_MAX);
	assert_true(r->opt_do);
	assert_int_equal(r->opt_ext, 0);
	assert_int_equal(r->opt_version, 0);
	assert_int_equal(r->opt_rdlen, 0);

	r = ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A, .edns = true, .udp = 512},
	        NULL);
	assert_true(r->has_opt);
	assert_false(r->opt_do);

	/* A cookie is accepted and not echoed (no server cookie support). */
	r = ask(&(struct qspec){.name = "leak.test",
	                        .qtype = DNS_TYPE_A,
	                        .edns = true,
	                        .udp = 1232,
	                        .cookie_len = 8},
	        NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(r->opt_rdlen, 0);
}

static void
test_ecs_echo(void **state)
{
	(void)state;
	const struct resp *r = ask(&(struct qspec){.name = "leak.test",
	                                           .qtype = DNS_TYPE_A,
	                                           .edns = true,
	                                           .udp = 1232,
	                                           .ecs = true,
	                                           .ecs_family = 1,
	                                           .ecs_prefix = 24,
	                                           .ecs_scope = 16,
	                                           .ecs_addr = {192, 0, 2}},
	                           NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
	static const uint8_t want4[] = {0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2};
	assert_int_equal(r->opt_rdlen, sizeof(want4));
	assert_memory_equal(r->opt_rdata, want4, sizeof(want4));

	r = ask(&(struct qspec){.name = "leak.test",
	                        .qtype = DNS_TYPE_AAAA,
	                        .edns = true,
	                        .udp = 1232,
	                        .ecs = true,
	                        .ecs_family = 2,
	                        .ecs_prefix = 0},
	        NULL);
	static const uint8_t want0[] = {0, 8, 0, 4, 0, 2, 0, 0};
	assert_int_equal(r->opt_rdlen, sizeof(want0));
	assert_memory_equal(r->opt_rdata, want0, sizeof(want0));

	/* Also on refusals and NXDOMAIN. */
	r = ask(&(struct qspec){.name = "nx.leak.test",
	                        .qtype = DNS_TYPE_A,
	                        .edns = true,
	                        .udp = 1232,
	                        .ecs = true,
	                        .ecs_family = 2,
	                        .ecs_prefix = 56,
	                        .ecs_addr = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x23}},
	        NULL);
	assert_int_equal(rcode_of(r), DNS_RCODE_NXDOMAIN);
	static const uint8_t want6[] = {0,    8,    0,    11,   0, 2, 56,  0,
	                                0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x23};
	assert_int_equal(r->opt_rdlen, sizeof(want6));
	assert_memory_equal(r->opt_rdata, want6, sizeof(want6));
}

static void
test_header_flags(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "leak.test",
	                        .qtype = DNS_TYPE_A,
	                        .flags = DNS_FLAG_RD | DNS_FLAG_CD | DNS_FLAG_AD | DNS_FLAG_TC |
	                                 DNS_FLAG_AA | DNS_FLAG_RA},
	        NULL);
	assert_int_equal(r->h.id, QID);
	assert_true(r->h.flags & DNS_FLAG_RD);
	assert_true(r->h.flags & DNS_FLAG_CD);
	assert_false(r->h.flags & DNS_FLAG_TC);
	assert_false(r->h.flags & DNS_FLAG_RA);
	assert_true(r->h.flags & DNS_FLAG_AA);
	assert_int_equal(DNS_OPCODE(r->h.flags), 0);

	r = ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A}, NULL);
	assert_false(r->h.flags & DNS_FLAG_RD);
	assert_false(r->h.flags & DNS_FLAG_CD);
	assert_int_equal(r->h.flags & 0x0040, 0); /* Z */

	static const uint8_t q[] = {0x00, 0x00, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1};
	r = ask_raw(q, sizeof(q), NULL);
	assert_int_equal(r->h.id, 0);
	assert_int_equal(rcode_of(r), DNS_RCODE_REFUSED); /* the root is not ours */
}

/*
 * A zone whose NS answer is about 930 bytes: over 512, under 1232. The answer is sized over TCP
 * first; then UDP must deliver it exactly when the advertised size allows and say TC otherwise.
 */
static void
test_udp_size(void **state)
{
	(void)state;
	static struct zone big;
	zone_build(&big, 4, 4, 1);
	struct qspec q = {.name = "leak.test", .qtype = DNS_TYPE_NS, .edns = true, .udp = 4096};

	const struct resp *r = ask(&q, &(struct ctx){.z = &big, .tcp = true});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 4, 0, 32);
	size_t full = r->len;
	assert_true(full > DNS_UDP_MIN + 20 && full < DNS_UDP_MAX);

	/* 4096 is clamped to what we honour, and the whole answer fits. */
	r = ask(&q, &(struct ctx){.z = &big});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 4, 0, 32);
	assert_int_equal(r->len, full);
	assert_int_equal(r->opt_udp, DNS_UDP_MAX);

	static const struct {
		bool edns;
		uint16_t udp;
		int fits; /* 1: whole answer; 0: TC */
	} cases[] = {
	    {false, 0, 0},  {true, 0, 0},    {true, 100, 0},   {true, 512, 0},
	    {true, 513, 0}, {true, 1232, 1}, {true, 65535, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		q.edns = cases[i].edns;
		q.udp = cases[i].udp;
		r = ask(&q, &(struct ctx){.z = &big});
		if (r->len == 0)
			fail_msg("edns %d size %u: no response", cases[i].edns, cases[i].udp);
		assert_true(r->len <= (cases[i].fits ? DNS_UDP_MAX : DNS_UDP_MIN));
		assert_int_equal(!(r->h.flags & DNS_FLAG_TC), cases[i].fits);
		assert_int_equal(r->n_an, cases[i].fits ? 4 : 0);
		assert_int_equal(r->has_opt, cases[i].edns);
	}

	/* The exact boundary: the advertised size is honoured to the byte. */
	q.edns = true;
	for (size_t size = full - 14; size <= full + 1; size++) {
		q.udp = (uint16_t)size;
		r = ask(&q, &(struct ctx){.z = &big});
		if (r->len == 0)
			fail_msg("EDNS size %zu (answer %zu bytes): no response at all, not TC",
			         size, full);
		bool fits = size >= full;
		assert_int_equal(!(r->h.flags & DNS_FLAG_TC), fits);
		assert_int_equal(r->len, fits ? full : r->len);
		assert_true(r->len <= size);
		assert_true(r->has_opt);
		assert_int_equal(r->n_an + r->n_ns + r->n_ar, fits ? 36 : 0);
	}
}

/* An answer that does not fit the buffer at all: TC, the question, no records. */
static void
test_tc_tiny_cap(void **state)
{
	(void)state;
	static struct zone z;
	uint8_t id[TESTID_LEN];
	char name[128];

	zone_build(&z, 1, 1, ZONE_ADDRS_MAX);
	make_id(NOW_S, 12, id);
	probe_name(name, sizeof(name), "abc", id, ".leak.test");
	/* header 12 + question (1+30+1+4+1+4+1 = 42) + 4 = 58 bytes; 8 AAAA need 8 * 28 more. */
	const struct qspec q = {.name = name, .qtype = DNS_TYPE_AAAA, .flags = DNS_FLAG_RD};

	const struct resp *r = ask(&q, &(struct ctx){.z = &z});
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, ZONE_ADDRS_MAX, 0, 0);
	assert_int_equal(r->len, 58 + ZONE_ADDRS_MAX * 28);

	r = ask(&q, &(struct ctx){.z = &z, .cap = 100});
	assert_int_equal(r->len, 58);
	assert_true(r->h.flags & DNS_FLAG_TC);
	assert_true(r->h.flags & DNS_FLAG_RD);
	assert_int_equal(r->h.qdcount, 1);
	assert_int_equal(r->n_an + r->n_ns + r->n_ar, 0);
	assert_int_equal(rcode_of(r), DNS_RCODE_NOERROR);

	/* Over TCP the same cap also truncates (the caller passes the real buffer). */
	r = ask(&q, &(struct ctx){.z = &z, .cap = 100, .tcp = true});
	assert_true(r->h.flags & DNS_FLAG_TC);

	/* One byte short of the answer: TC; exact: the answer. */
	r = ask(&q, &(struct ctx){.z = &z, .cap = 58 + ZONE_ADDRS_MAX * 28 - 1});
	assert_true(r->h.flags & DNS_FLAG_TC);
	r = ask(&q, &(struct ctx){.z = &z, .cap = 58 + ZONE_ADDRS_MAX * 28});
	assert_false(r->h.flags & DNS_FLAG_TC);
	assert_int_equal(r->n_an, ZONE_ADDRS_MAX);

	/* Not even the question fits: silence, never a partial message. */
	for (size_t cap = 1; cap < 58; cap++) {
		r = ask(&q, &(struct ctx){.z = &z, .cap = cap});
		if (r->len != 0)
			fail_msg("cap %zu: %zu bytes", cap, r->len);
	}
}

/* Every answer over UDP without EDNS stays within 512 bytes, whatever the zone holds. */
static void
test_udp_512_everywhere(void **state)
{
	(void)state;
	static struct zone z;
	uint8_t id[TESTID_LEN];
	char probe[128], ns4probe[160];

	zone_build(&z, ZONE_NS_MAX, ZONE_ADDRS_MAX, ZONE_ADDRS_MAX);
	make_id(NOW_S, 13, id);
	probe_name(probe, sizeof(probe), "abc", id, ".leak.test");
	probe_name(ns4probe, sizeof(ns4probe), "abc", id, ".ns4.leak.test");
	const struct {
		const char *name;
		uint16_t qtype;
		uint8_t local;
	} cases[] = {
	    {"leak.test", DNS_TYPE_NS, 4},      {"leak.test", DNS_TYPE_A, 4},
	    {"ns-v4.leak.test", DNS_TYPE_A, 4}, {"ns-v6.leak.test", DNS_TYPE_AAAA, 6},
	    {probe, DNS_TYPE_AAAA, 4},          {ns4probe, DNS_TYPE_A, 6},
	    {"ns4.leak.test", DNS_TYPE_NS, 4},  {"ns1.leak.test", DNS_TYPE_AAAA, 4},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int edns = 0; edns <= 1; edns++) {
			const struct resp *r =
			    ask(&(struct qspec){.name = cases[i].name,
			                        .qtype = cases[i].qtype,
			                        .edns = edns,
			                        .udp = 1232},
			        &(struct ctx){.z = &z, .local_family = cases[i].local});
			if (r->len == 0)
				fail_msg("%s/%u edns %d: no response", cases[i].name,
				         cases[i].qtype, edns);
			assert_true(r->len <= (edns ? DNS_UDP_MAX : DNS_UDP_MIN));
			if (r->h.flags & DNS_FLAG_TC)
				assert_int_equal(r->n_an + r->n_ns + r->n_ar, 0);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_edns_echo),
	    cmocka_unit_test(test_ecs_echo),
	    cmocka_unit_test(test_header_flags),
	    cmocka_unit_test(test_udp_size),
	    cmocka_unit_test(test_tc_tiny_cap),
	    cmocka_unit_test(test_udp_512_everywhere),
	};

	return cmocka_run_group_tests_name("answer_edns", tests, group_setup, NULL);
}
