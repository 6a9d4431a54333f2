/* test_answer_errors.c -- answer_query() on what it must not answer normally: NXDOMAIN,
 * REFUSED outside the zone or class, FORMERR, NOTIMP, BADVERS, and silence for responses and
 * runts. Zone, queries and the strict response parser: answer_fixture.h.
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

/* ---- names that do not exist, or are not ours ---------------------------------------------- */

static void
test_nxdomain(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char probe_deep[160], not_probe[160];

	make_id(NOW_S, 9, id);
	probe_name(probe_deep, sizeof(probe_deep), "deeper.abc", id, ".leak.test");
	probe_name(not_probe, sizeof(not_probe), "abc", id, "x.leak.test");
	const char *names[] = {
	    "nosuch.leak.test",  "a.b.leak.test", "x.ns1.leak.test", "x.whoami.leak.test",
	    "x.ns-v4.leak.test", "ns2.leak.test", "ns-v5.leak.test", "_dmarc.leak.test",
	    probe_deep,          not_probe,
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct resp *r =
		    ask(&(struct qspec){.name = names[i], .qtype = DNS_TYPE_A}, NULL);
		if (rcode_of(r) != DNS_RCODE_NXDOMAIN)
			fail_msg("%s: rcode %u", names[i], rcode_of(r));
		EXPECT_COUNTS(r, DNS_RCODE_NXDOMAIN, true, 0, 1, 0);
		expect_soa(&r->ns[0], "leak.test.", "ns1.leak.test.", ZONE_NEG_TTL);
		assert_int_equal(r->out.rcode, DNS_RCODE_NXDOMAIN);
		expect_no_obs(r);
	}
}

static void
check_refused(const struct qspec *q, const char *what)
{
	const struct resp *r = ask(q, NULL);

	if (r->len == 0 || rcode_of(r) != DNS_RCODE_REFUSED)
		fail_msg("%s: len %zu rcode %u", what, r->len, r->len ? rcode_of(r) : 99u);
	EXPECT_COUNTS(r, DNS_RCODE_REFUSED, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 1);
	assert_int_equal(r->out.rcode, DNS_RCODE_REFUSED);
	expect_no_obs(r);
}

static void
test_refused(void **state)
{
	(void)state;
	static const char *const outside[] = {"example.com",    "xleak.test", "test",    ".",
	                                      "leak.test.evil", "leak.tesu",  "eak.test"};

	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		check_refused(&(struct qspec){.name = outside[i], .qtype = DNS_TYPE_A}, outside[i]);
	check_refused(
	    &(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_TXT, .qclass = DNS_CLASS_CH},
	    "class CH");
	check_refused(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A, .qclass = 4},
	              "class HS");
	check_refused(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_AXFR}, "AXFR");
	check_refused(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_IXFR}, "IXFR");

	/* With EDNS the refusal carries an OPT. */
	const struct resp *r = ask(
	    &(struct qspec){.name = "example.com", .qtype = DNS_TYPE_A, .edns = true, .udp = 1232},
	    NULL);
	assert_int_equal(rcode_of(r), DNS_RCODE_REFUSED);
	assert_true(r->has_opt);

	/* Class ANY is answered like IN. */
	r = ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A, .qclass = DNS_CLASS_ANY},
	        NULL);
	EXPECT_COUNTS(r, DNS_RCODE_NOERROR, true, 1, 0, 0);
}

/* ---- errors and silence ------------------------------------------------------------------- */

static void
test_formerr_qtype_opt(void **state)
{
	(void)state;
	const struct resp *r =
	    ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_OPT}, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_FORMERR, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 1);
	assert_false(r->has_opt);

	r = ask(
	    &(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_OPT, .edns = true, .udp = 1232},
	    NULL);
	assert_int_equal(rcode_of(r), DNS_RCODE_FORMERR);
	assert_true(r->has_opt);
}

static void
test_notimp(void **state)
{
	(void)state;
	static const uint16_t opcodes[] = {1, 2, 4, 5, 15};

	for (size_t i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++) {
		uint16_t flags = (uint16_t)(opcodes[i] << 11 | DNS_FLAG_RD);
		const struct resp *r =
		    ask(&(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_SOA, .flags = flags},
		        NULL);
		EXPECT_COUNTS(r, DNS_RCODE_NOTIMP, false, 0, 0, 0);
		assert_int_equal(DNS_OPCODE(r->h.flags), opcodes[i]);
		assert_int_equal(r->h.qdcount, 1);
		assert_int_equal(r->out.rcode, DNS_RCODE_NOTIMP);
	}
	/* Unknown opcode and a bad question: NOTIMP, no question. */
	static const uint8_t q[] = {0x12, 0x34, 0x10, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12};
	const struct resp *r = ask_raw(q, sizeof(q), NULL);
	assert_int_equal(rcode_of(r), DNS_RCODE_NOTIMP);
	assert_int_equal(r->h.qdcount, 0);
}

static void
test_silence(void **state)
{
	(void)state;
	struct pktbuf w;

	/* QR=1: never answer an answer. */
	build_query(
	    &w, &(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A, .flags = DNS_FLAG_QR});
	assert_int_equal(ask_raw(w.b, w.n, NULL)->len, 0);
	build_query(&w, &(struct qspec){.name = "leak.test",
	                                .qtype = DNS_TYPE_A,
	                                .flags = DNS_FLAG_QR | 0x2000});
	assert_int_equal(ask_raw(w.b, w.n, NULL)->len, 0);
	/* QR=1 with a garbage body. */
	static const uint8_t qr_junk[] = {1, 2, 0x80, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0xff};
	assert_int_equal(ask_raw(qr_junk, sizeof(qr_junk), NULL)->len, 0);

	/* Runts. */
	build_query(&w, &(struct qspec){.name = "leak.test", .qtype = DNS_TYPE_A});
	for (size_t n = 0; n < DNS_HEADER_LEN; n++) {
		const struct resp *r = ask_raw(w.b, n, NULL);
		if (r->len != 0)
			fail_msg("%zu-byte query answered", n);
		assert_false(r->out.observed);
	}
}

static void
test_formerr(void **state)
{
	(void)state;
	struct pktbuf w;

	/* QDCOUNT 2: FORMERR, and no question (there is not exactly one to echo). */
	build_query(&w, &(struct qspec){.name = "leak.test",
	                                .qtype = DNS_TYPE_A,
	                                .qdcount_set = true,
	                                .qdcount_override = 2});
	const struct resp *r = ask_raw(w.b, w.n, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_FORMERR, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 0);
	assert_int_equal(r->len, DNS_HEADER_LEN);
	assert_int_equal(r->out.rcode, DNS_RCODE_FORMERR);

	build_query(&w, &(struct qspec){.name = "leak.test",
	                                .qtype = DNS_TYPE_A,
	                                .qdcount_set = true,
	                                .qdcount_override = 0});
	r = ask_raw(w.b, w.n, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_FORMERR, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 0);

	/* Exactly the header. */
	r = ask_raw(w.b, DNS_HEADER_LEN, NULL);
	assert_int_equal(rcode_of(r), DNS_RCODE_FORMERR);

	/* A compressed question name. */
	static const uint8_t ptr[] = {0x12, 0x34, 0, 0,    0,  1, 0, 0, 0,
	                              0,    0,    0, 0xC0, 12, 0, 1, 0, 1};
	r = ask_raw(ptr, sizeof(ptr), NULL);
	EXPECT_COUNTS(r, DNS_RCODE_FORMERR, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 0);

	/* Trailing garbage after a good question: FORMERR echoing the question. */
	build_query(&w, &(struct qspec){.name = "Leak.test", .qtype = DNS_TYPE_A});
	p8(&w, 0);
	r = ask_raw(w.b, w.n, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_FORMERR, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 1);
	assert_string_equal(r->qname, "Leak.test.");

	/* A bad ECS option in a probe query: FORMERR, and the probe is not observed. */
	uint8_t id[TESTID_LEN];
	char name[128];
	make_id(NOW_S, 10, id);
	probe_name(name, sizeof(name), "abc", id, ".leak.test");
	build_query(&w, &(struct qspec){.name = name,
	                                .qtype = DNS_TYPE_A,
	                                .edns = true,
	                                .udp = 1232,
	                                .ecs = true,
	                                .ecs_family = 1,
	                                .ecs_prefix = 8,
	                                .ecs_addr = {10}});
	w.b[w.n - 4] = 3; /* ECS family 1 -> 3 */
	r = ask_raw(w.b, w.n, NULL);
	EXPECT_COUNTS(r, DNS_RCODE_FORMERR, false, 0, 0, 0);
	assert_int_equal(r->h.qdcount, 1);
	expect_no_obs(r);
}

static void
test_badvers(void **state)
{
	(void)state;
	uint8_t id[TESTID_LEN];
	char name[128];

	make_id(NOW_S, 11, id);
	probe_name(name, sizeof(name), "abc", id, ".leak.test");
	const struct resp *r = ask(&(struct qspec){.name = name,
	                                           .qtype = DNS_TYPE_A,
	                                           .edns = true,
	                                           .udp = 1232,
	                                           .version = 1,
	                                           .do_bit = true},
	                           NULL);
	assert_int_equal(r->h.flags & 0xf, 0); /* BADVERS is 16: its low bits are 0 */
	assert_true(r->has_opt);
	assert_int_equal(r->opt_ext, 1);
	assert_int_equal(r->opt_version, 0);
	assert_int_equal(r->opt_udp, DNS_UDP_MAX);
	assert_true(r->opt_do);
	assert_int_equal(rcode_of(r), DNS_RCODE_BADVERS);
	assert_int_equal(r->out.rcode, DNS_RCODE_BADVERS);
	assert_int_equal(r->h.qdcount, 1);
	assert_int_equal(r->n_an + r->n_ns + r->n_ar, 0);
	expect_no_obs(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nxdomain),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_formerr_qtype_opt),
	    cmocka_unit_test(test_notimp),
	    cmocka_unit_test(test_silence),
	    cmocka_unit_test(test_formerr),
	    cmocka_unit_test(test_badvers),
	};

	return cmocka_run_group_tests_name("answer_errors", tests, group_setup, NULL);
}
