/* test_verdict_policy.c -- what verdict_compute() is configured with and how results are
 * named: verdict_addr_is_public(), verdict_policy_init(), trust entries (parse and match), the
 * names and exit codes of verdicts, resolver classes and severities. Shared helpers:
 * verdict_fixture.h.
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

#include "findings.h"
#include "verdict.h"

#include "verdict_fixture.h"

static void
test_addr_is_public(void **state)
{
	(void)state;
	static const struct {
		const char *addr;
		bool want;
	} cases[] = {
	    {"8.8.8.8", true},           {"1.1.1.1", true},         {"198.51.100.54", true},
	    {"203.0.113.1", true},       {"192.0.2.1", true},       {"9.255.255.255", true},
	    {"11.0.0.0", true},          {"100.63.255.255", true},  {"100.128.0.0", true},
	    {"172.15.255.255", true},    {"172.32.0.0", true},      {"192.169.0.0", true},
	    {"198.17.255.255", true},    {"198.20.0.0", true},      {"223.255.255.255", true},
	    {"0.0.0.0", false},          {"0.1.2.3", false},        {"10.1.2.3", false},
	    {"100.64.0.1", false},       {"100.127.255.255", false}, {"127.0.0.53", false},
	    {"169.254.0.1", false},      {"172.16.0.1", false},     {"172.31.255.255", false},
	    {"192.0.0.8", false},        {"192.168.0.1", false},    {"198.18.0.1", false},
	    {"198.19.255.255", false},   {"224.0.0.251", false},    {"240.0.0.1", false},
	    {"255.255.255.255", false},  {"2001:4860:4860::8888", true}, {"2001:db8::53", true},
	    {"2606:4700:4700::1111", true}, {"::", false},          {"::1", false},
	    {"::ffff:8.8.8.8", false},   {"64:ff9b::808:808", false}, {"fc00::1", false},
	    {"fdff:ffff::1", false},     {"fe80::1", false},        {"fec0::1", false},
	    {"ff02::fb", false},         {"fbff::1", true},
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct dl_addr a;
		assert_int_equal(addr_parse(cases[i].addr, &a), DL_E_OK);
		if (verdict_addr_is_public(&a) != cases[i].want)
			fail_msg("%s: want %s", cases[i].addr, cases[i].want ? "public" : "not");
	}
	assert_false(verdict_addr_is_public(NULL));
	struct dl_addr odd = {.family = 5};
	assert_false(verdict_addr_is_public(&odd));
}

/* Policies. */

static void
test_policy_init(void **state)
{
	(void)state;
	struct verdict_policy p;
	static const uint32_t want[] = {15169, 13335, 19281, 42, 36692, 212772};

	memset(&p, 0x5a, sizeof(p));
	verdict_policy_init(&p);
	assert_int_equal(p.n_trusted, 0);
	assert_true(p.n_public_dns >= NELEM(want) && p.n_public_dns <= PUBLIC_DNS_MAX);
	for (size_t i = 0; i < NELEM(want); i++) {
		bool found = false;
		for (size_t j = 0; j < p.n_public_dns; j++)
			found = found || p.public_dns_asns[j] == want[i];
		assert_true(found);
	}
	for (size_t j = 0; j < p.n_public_dns; j++)
		assert_int_not_equal(p.public_dns_asns[j], 0);

	/* Counts past the arrays are clamped, not trusted. */
	struct verdict_resolver r[] = {res("9.9.9.9", 19281, "Quad9", "CH")};
	struct verdict_in in = input(r, 1);
	struct verdict_out out;
	p.n_public_dns = PUBLIC_DNS_MAX + 1000;
	p.n_trusted = TRUST_MAX + 1000;
	memset(p.trusted, 0, sizeof(p.trusted)); /* AS 0 entries: match nothing */
	for (size_t i = 0; i < TRUST_MAX; i++)
		p.trusted[i].is_asn = true;
	in.policy = &p;
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_PUBLIC_DNS);
}

struct trust_case {
	const char *text;
	enum dl_err want;
	bool is_asn;
	uint32_t asn;
	const char *prefix; /* addr_parse form of the prefix */
	uint8_t len;
};

static void
test_trust_parse(void **state)
{
	(void)state;
	static const struct trust_case cases[] = {
	    {"AS64496", DL_E_OK, true, 64496},
	    {"as64496", DL_E_OK, true, 64496},
	    {"aS1", DL_E_OK, true, 1},
	    {"As4294967295", DL_E_OK, true, 4294967295u},
	    {"64496", DL_E_OK, true, 64496},
	    {"4294967295", DL_E_OK, true, 4294967295u},
	    {"015169", DL_E_OK, true, 15169},
	    {"198.51.100.0/24", DL_E_OK, false, 0, "198.51.100.0", 24},
	    {"198.51.100.128/25", DL_E_OK, false, 0, "198.51.100.128", 25},
	    {"198.51.100.0/23", DL_E_OK, false, 0, "198.51.100.0", 23},
	    {"198.51.100.54", DL_E_OK, false, 0, "198.51.100.54", 32},
	    {"198.51.100.54/32", DL_E_OK, false, 0, "198.51.100.54", 32},
	    {"0.0.0.0/0", DL_E_OK, false, 0, "0.0.0.0", 0},
	    {"2001:db8::/32", DL_E_OK, false, 0, "2001:db8::", 32},
	    {"2001:db8:8000::/33", DL_E_OK, false, 0, "2001:db8:8000::", 33},
	    {"2001:DB8::1", DL_E_OK, false, 0, "2001:db8::1", 128},
	    {"2001:db8::1/128", DL_E_OK, false, 0, "2001:db8::1", 128},
	    {"::/0", DL_E_OK, false, 0, "::", 0},
	    {"", DL_E_FORMAT},
	    {"AS", DL_E_FORMAT},
	    {"as", DL_E_FORMAT},
	    {"AS0", DL_E_FORMAT},
	    {"0", DL_E_FORMAT},
	    {"000", DL_E_FORMAT},
	    {"4294967296", DL_E_FORMAT},
	    {"AS4294967296", DL_E_FORMAT},
	    {"99999999999999999999999", DL_E_FORMAT},
	    {"18446744073709551617", DL_E_FORMAT},
	    {"AS-1", DL_E_FORMAT},
	    {"-1", DL_E_FORMAT},
	    {"+5", DL_E_FORMAT},
	    {" 64496", DL_E_FORMAT},
	    {"64496 ", DL_E_FORMAT},
	    {"AS 64496", DL_E_FORMAT},
	    {"ASN64496", DL_E_FORMAT},
	    {"A64496", DL_E_FORMAT},
	    {"a1", DL_E_FORMAT},
	    {"sa1", DL_E_FORMAT},
	    {"AS64496x", DL_E_FORMAT},
	    {"0x10", DL_E_FORMAT},
	    {"198.51.100.0/33", DL_E_FORMAT},
	    {"198.51.100.0/99999999999999999999", DL_E_FORMAT},
	    {"2001:db8::/129", DL_E_FORMAT},
	    {"198.51.100.1/24", DL_E_FORMAT},
	    {"198.51.101.0/23", DL_E_FORMAT},
	    {"198.51.100.64/25", DL_E_FORMAT},
	    {"1.0.0.0/0", DL_E_FORMAT},
	    {"2001:db8::1/32", DL_E_FORMAT},
	    {"2001:db8:4000::/33", DL_E_FORMAT},
	    {"::1/127", DL_E_FORMAT},
	    {"198.51.100.0/", DL_E_FORMAT},
	    {"/24", DL_E_FORMAT},
	    {"198.51.100.0/24/1", DL_E_FORMAT},
	    {"198.51.100.0/2a", DL_E_FORMAT},
	    {"198.51.100.0/-1", DL_E_FORMAT},
	    {"198.51.100.0/+24", DL_E_FORMAT},
	    {"198.51.100.0/24 ", DL_E_FORMAT},
	    {"198.51.100.0 /24", DL_E_FORMAT},
	    {"1.2.3", DL_E_FORMAT},
	    {"256.0.0.0/8", DL_E_FORMAT},
	    {"fe80::1%eth0", DL_E_FORMAT},
	    {"[2001:db8::1]", DL_E_FORMAT},
	    {"garbage", DL_E_FORMAT},
	    {"example.com", DL_E_FORMAT},
	    {"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd:eeee/64",
	     DL_E_FORMAT},
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct trust_case *c = &cases[i];
		struct trust_entry t, poison;
		memset(&t, 0x77, sizeof(t));
		memset(&poison, 0x77, sizeof(poison));
		int rc = trust_parse(c->text, &t);
		if (rc != (int)c->want)
			fail_msg("\"%s\": %d, want %d", c->text, rc, c->want);
		if (c->want != DL_E_OK) {
			if (memcmp(&t, &poison, sizeof(t)) != 0)
				fail_msg("\"%s\": out written on failure", c->text);
			continue;
		}
		assert_int_equal(t.is_asn, c->is_asn);
		if (c->is_asn) {
			assert_int_equal(t.asn, c->asn);
			continue;
		}
		struct dl_addr want;
		assert_int_equal(addr_parse(c->prefix, &want), DL_E_OK);
		if (!addr_equal(&t.prefix, &want) || t.prefix_len != c->len)
			fail_msg("\"%s\": wrong prefix or length %u", c->text, t.prefix_len);
	}

	struct trust_entry t;
	memset(&t, 0x77, sizeof(t));
	assert_int_equal(trust_parse(NULL, &t), DL_E_FORMAT);
	assert_int_equal(t.prefix_len, 0x77);
}

struct match_case {
	const char *entry;
	const char *addr; /* NULL: no address */
	uint32_t asn;
	bool want;
};

static void
test_trust_matches(void **state)
{
	(void)state;
	static const struct match_case cases[] = {
	    {"AS64496", "192.0.2.1", 64496, true},
	    {"AS64496", NULL, 64496, true},
	    {"AS64496", "192.0.2.1", 64497, false},
	    {"AS64496", "192.0.2.1", 0, false},
	    {"198.51.100.0/24", "198.51.100.0", 0, true},
	    {"198.51.100.0/24", "198.51.100.255", 64496, true},
	    {"198.51.100.0/24", "198.51.101.0", 0, false},
	    {"198.51.100.0/24", "::ffff:198.51.100.1", 0, false},
	    {"198.51.100.0/24", NULL, 0, false},
	    {"198.51.100.128/25", "198.51.100.200", 0, true},
	    {"198.51.100.128/25", "198.51.100.127", 0, false},
	    {"198.51.100.0/23", "198.51.101.9", 0, true},
	    {"198.51.100.0/23", "198.51.102.9", 0, false},
	    {"198.51.100.54", "198.51.100.54", 0, true},
	    {"198.51.100.54", "198.51.100.55", 0, false},
	    {"0.0.0.0/0", "203.0.113.1", 0, true},
	    {"0.0.0.0/0", "2001:db8::1", 0, false},
	    {"2001:db8::/32", "2001:db8:ffff::1", 0, true},
	    {"2001:db8::/32", "2001:db9::1", 0, false},
	    {"2001:db8::/32", "32.1.13.184", 0, false}, /* the same first bytes, IPv4 */
	    {"2001:db8:8000::/33", "2001:db8:ffff::1", 0, true},
	    {"2001:db8:8000::/33", "2001:db8:7fff::1", 0, false},
	    {"2001:db8::1", "2001:db8::1", 0, true},
	    {"2001:db8::1", "2001:db8::2", 0, false},
	    {"::/0", "2001:db8::1", 0, true},
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct match_case *c = &cases[i];
		struct trust_entry t;
		struct dl_addr a;
		assert_int_equal(trust_parse(c->entry, &t), DL_E_OK);
		if (c->addr != NULL)
			assert_int_equal(addr_parse(c->addr, &a), DL_E_OK);
		if (trust_matches(&t, c->addr != NULL ? &a : NULL, c->asn) != c->want)
			fail_msg("%s vs %s AS%u: want %d", c->entry, c->addr ? c->addr : "(none)",
				 (unsigned)c->asn, c->want);
	}

	/* A hand-made prefix longer than its family never matches. */
	struct trust_entry t;
	struct dl_addr a;
	assert_int_equal(trust_parse("192.0.2.1", &t), DL_E_OK);
	assert_int_equal(addr_parse("192.0.2.1", &a), DL_E_OK);
	t.prefix_len = 33;
	assert_false(trust_matches(&t, &a, 0));
}

/* Names and exit codes. */

static void
test_names(void **state)
{
	(void)state;
	static const struct {
		enum verdict v;
		const char *name;
		int code;
	} verdicts[] = {
	    {VERDICT_PASS, "PASS", EXIT_PASS},
	    {VERDICT_LEAK, "LEAK", EXIT_LEAK},
	    {VERDICT_WARN, "WARN", EXIT_WARN},
	    {VERDICT_INCONCLUSIVE, "INCONCLUSIVE", EXIT_WARN},
	};

	for (size_t i = 0; i < NELEM(verdicts); i++) {
		enum verdict back = (enum verdict)99;
		assert_string_equal(verdict_name(verdicts[i].v), verdicts[i].name);
		assert_int_equal(verdict_from_name(verdicts[i].name, &back), DL_E_OK);
		assert_int_equal(back, verdicts[i].v);
		assert_int_equal(verdict_exit_code(verdicts[i].v), verdicts[i].code);
	}
	assert_int_equal(EXIT_PASS, 0);
	assert_int_equal(EXIT_LEAK, 1);
	assert_int_equal(EXIT_CANNOT_TEST, 2);
	assert_int_equal(EXIT_WARN, 3);
	assert_string_equal(verdict_name((enum verdict)4), "?");
	assert_string_equal(verdict_name((enum verdict)-1), "?");
	assert_int_equal(verdict_exit_code((enum verdict)4), EXIT_CANNOT_TEST);

	static const char *const bad[] = {"pass", "Leak", "", "PASS ", "LEAKS", "?", "WAR"};
	for (size_t i = 0; i < NELEM(bad); i++) {
		enum verdict v = (enum verdict)99;
		assert_int_equal(verdict_from_name(bad[i], &v), DL_E_FORMAT);
		assert_int_equal(v, 99);
	}
	enum verdict v = (enum verdict)99;
	assert_int_equal(verdict_from_name(NULL, &v), DL_E_FORMAT);
	assert_int_equal(v, 99);

	assert_string_equal(resolver_class_name(RESOLVER_TRUSTED), "trusted");
	assert_string_equal(resolver_class_name(RESOLVER_SAME_NETWORK), "same-network");
	assert_string_equal(resolver_class_name(RESOLVER_PUBLIC_DNS), "public-dns");
	assert_string_equal(resolver_class_name(RESOLVER_OTHER_NETWORK), "other-network");
	assert_string_equal(resolver_class_name(RESOLVER_UNKNOWN), "unknown");
	assert_string_equal(resolver_class_name((enum resolver_class)42), "?");

	assert_string_equal(severity_name(SEV_INFO), "info");
	assert_string_equal(severity_name(SEV_LOW), "low");
	assert_string_equal(severity_name(SEV_MEDIUM), "medium");
	assert_string_equal(severity_name(SEV_HIGH), "high");
	assert_string_equal(severity_name((enum severity)42), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addr_is_public),
	    cmocka_unit_test(test_policy_init),
	    cmocka_unit_test(test_trust_parse),
	    cmocka_unit_test(test_trust_matches),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("verdict_policy", tests, setup, NULL);
}
