/* test_verdict.c -- resolver classification by verdict_compute(), one branch at a time:
 * trusted (by ASN and by prefix), the exit's own network, public DNS, another network, and
 * unknown. Findings, verdicts and reasons: test_verdict_findings.c; trust entries, policies
 * and names: test_verdict_policy.c; shared scenarios: verdict_fixture.h.
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

/* Classification, one branch at a time. */

static void
test_trusted_by_asn(void **state)
{
	(void)state;
	struct verdict_policy p = default_policy;
	struct verdict_resolver r[] = {vpn4(), vpn6()};
	struct verdict_in in = input(r, 2);
	struct verdict_out out;

	trust(&p, "AS64497");
	in.policy = &p;
	in.exit4 = ex("192.0.2.1", 64511, "Elsewhere", ""); /* exits do not matter when trusted */
	in.exit6 = ex("2001:db8:ff::1", 64511, "Elsewhere", "");
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_TRUSTED);
	assert_int_equal(r[1].cls, RESOLVER_TRUSTED);
	assert_int_equal(out.verdict, VERDICT_PASS);
	EXPECT_NO_FINDINGS(&out);
	assert_string_equal(out.reason, "Every DNS query came from one of your trusted resolvers.");
}

static void
test_trusted_by_v4_prefix(void **state)
{
	(void)state;
	struct verdict_policy p = default_policy;
	struct verdict_resolver r[] = {res("203.0.113.53", 0, "", "")};
	struct verdict_in in = input(r, 1);
	struct verdict_out out;

	trust(&p, "2001:db8:2::/48");
	trust(&p, "203.0.113.0/24");
	in.policy = &p;
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_TRUSTED); /* by address: no ASN needed */
	assert_int_equal(out.verdict, VERDICT_PASS);
	EXPECT_NO_FINDINGS(&out);
}

static void
test_trusted_by_v6_prefix(void **state)
{
	(void)state;
	struct verdict_policy p = default_policy;
	struct verdict_resolver r[] = {res("2001:db8:2::53", ISP, "Example ISP", "DE")};
	struct verdict_in in = input(r, 1);
	struct verdict_out out;

	trust(&p, "203.0.113.0/24");
	trust(&p, "2001:db8:2::/48");
	in.policy = &p;
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	/* The prefix wins over what the ASN would say. */
	assert_int_equal(r[0].cls, RESOLVER_TRUSTED);
	assert_int_equal(out.verdict, VERDICT_PASS);
}

static void
test_same_network_via_v4_exit(void **state)
{
	(void)state;
	struct verdict_resolver r[] = {vpn4()};
	struct verdict_in in = input(r, 1);
	struct verdict_out out;

	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_SAME_NETWORK);
	assert_int_equal(out.verdict, VERDICT_PASS);
	EXPECT_NO_FINDINGS(&out);
	assert_string_equal(out.reason, "Your DNS queries are answered on the network your traffic "
					"exits through, Example VPN (AS64497).");
}

static void
test_same_network_via_v6_exit(void **state)
{
	(void)state;
	struct verdict_resolver r[] = {vpn6(), vpn4()};
	struct verdict_in in = input(r, 2);
	struct verdict_out out;

	in.exit6 = vpn_exit6(); /* no IPv4 exit seen */
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_SAME_NETWORK);
	assert_int_equal(r[1].cls, RESOLVER_SAME_NETWORK);
	assert_int_equal(out.verdict, VERDICT_PASS);
	EXPECT_NO_FINDINGS(&out);
	assert_non_null(strstr(out.reason, "Example VPN (AS64497)"));

	/* An IPv4 exit with an unknown ASN: the IPv6 one still places the resolver. */
	in.exit4 = ex("203.0.113.7", 0, "", "");
	run(&in, &out);
	assert_int_equal(r[1].cls, RESOLVER_SAME_NETWORK);
	assert_int_equal(out.verdict, VERDICT_PASS);
	assert_non_null(strstr(out.reason, "Example VPN (AS64497)"));
}

static void
test_public_dns(void **state)
{
	(void)state;
	struct verdict_resolver r[] = {google4(), res("2001:4860::10", GOOGLE, "", "")};
	struct verdict_in in = input(r, 2);
	struct verdict_out out;

	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_PUBLIC_DNS);
	assert_int_equal(r[1].cls, RESOLVER_PUBLIC_DNS);
	assert_int_equal(out.verdict, VERDICT_WARN);
	EXPECT_IDS(&out, FINDING_THIRD_PARTY_RESOLVER);
	expect_detail_has(&out, FINDING_THIRD_PARTY_RESOLVER,
			  "Public DNS resolvers: 172.253.0.10 (IPv4, AS15169 Google LLC, US); "
			  "2001:4860::10 (IPv6, AS15169)");
	/* Two addresses of one operator are one network in the sentence. */
	assert_string_equal(out.reason, "Your DNS queries go to a public DNS service, Google LLC "
					"(AS15169), a third party rather than your VPN or your own "
					"network.");

	/* With a trusted list that does not cover it, public DNS stays public (not untrusted). */
	struct verdict_policy p = default_policy;
	trust(&p, "AS64497");
	in.policy = &p;
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_PUBLIC_DNS);
	EXPECT_IDS(&out, FINDING_THIRD_PARTY_RESOLVER);

	/* The exit's own network comes first: a VPN run by a public DNS operator. */
	in.policy = &default_policy;
	in.exit4 = ex("172.253.1.1", GOOGLE, "Google LLC", "US");
	in.exit6 = ex("2001:4860:1::1", GOOGLE, "Google LLC", "US");
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_SAME_NETWORK);
	assert_int_equal(out.verdict, VERDICT_PASS);

	/* Without the public DNS list (NULL policy) Google is just another network. */
	in.policy = NULL;
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_OTHER_NETWORK);
	assert_int_equal(out.verdict, VERDICT_LEAK);
}

static void
test_other_network(void **state)
{
	(void)state;
	struct verdict_resolver r[] = {isp4(), vpn4()};
	struct verdict_in in = input(r, 2);
	struct verdict_out out;

	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_OTHER_NETWORK);
	assert_int_equal(r[1].cls, RESOLVER_SAME_NETWORK);
	assert_int_equal(out.verdict, VERDICT_LEAK);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER);
	assert_string_equal(out.findings[0].detail,
			    "Resolvers on another network than your exit: "
			    "198.51.100.54 (IPv4, AS64496 Example ISP, DE)");
	assert_string_equal(out.reason,
			    "Your DNS queries reach Example ISP (AS64496), not the network your "
			    "traffic exits through (Example VPN, AS64497).");
	assert_int_equal(verdict_exit_code(out.verdict), EXIT_LEAK);

	/* Both families leak: each resolver named with its family; the exit without an org. */
	struct verdict_resolver r2[] = {isp4(), isp6(), res("192.0.2.99", 64500, "", "")};
	in = input(r2, 3);
	in.exit4 = ex("203.0.113.7", VPN, "", "");
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER, FINDING_NO_IPV6);
	expect_detail_has(&out, FINDING_ISP_RESOLVER,
			  "198.51.100.54 (IPv4, AS64496 Example ISP, DE); "
			  "2001:db8:1::54 (IPv6, AS64496 Example ISP, DE); 192.0.2.99 (IPv4, "
			  "AS64500)");
	assert_string_equal(out.reason, "Your DNS queries reach Example ISP (AS64496) and 1 other "
					"network, not the network your traffic exits through "
					"(AS64497).");

	/* Only the IPv6 exit's ASN is known: it is the one named. */
	in.exit4 = ex("203.0.113.7", 0, "", "");
	in.exit6 = vpn_exit6();
	run(&in, &out);
	assert_int_equal(r2[0].cls, RESOLVER_OTHER_NETWORK);
	assert_non_null(strstr(out.reason, "(Example VPN, AS64497)"));
}

static void
test_unknown(void **state)
{
	(void)state;
	struct verdict_resolver r[] = {res("198.51.100.54", 0, "", "DE"), vpn4()};
	struct verdict_in in = input(r, 2);
	struct verdict_out out;

	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_UNKNOWN);
	assert_int_equal(out.verdict, VERDICT_INCONCLUSIVE);
	EXPECT_IDS(&out, FINDING_NO_NETWORK_DATA);
	assert_string_equal(out.findings[0].detail,
			    "No network data for: 198.51.100.54 (IPv4, network unknown, DE)");
	assert_string_equal(out.reason, "We do not know which network 198.51.100.54 belongs to, "
					"so we cannot tell whether your DNS leaks.");
	assert_int_equal(verdict_exit_code(out.verdict), EXIT_WARN);

	/* A resolver ASN but no exit ASN: nothing to compare with, so unknown (never guess). */
	struct verdict_resolver r2[] = {isp4(), res("2001:db8:1::54", 0, "", "")};
	in = input(r2, 2);
	run(&in, &out);
	assert_int_equal(r2[0].cls, RESOLVER_UNKNOWN);
	assert_int_equal(r2[1].cls, RESOLVER_UNKNOWN);
	assert_int_equal(out.verdict, VERDICT_INCONCLUSIVE);
	EXPECT_IDS(&out, FINDING_NO_NETWORK_DATA);
	assert_string_equal(out.findings[0].detail,
			    "No exit network to compare with: 198.51.100.54 (IPv4, AS64496 Example "
			    "ISP, DE); 2001:db8:1::54 (IPv6, network unknown)");
	assert_string_equal(out.reason, "We do not know which network your traffic exits through, "
					"so we cannot tell whether your resolvers are on it.");

	/* Exits seen, but without ASNs: the same. */
	in.exit4 = ex("203.0.113.7", 0, "", "");
	in.exit6 = ex("2001:db8:2::7", 0, "", "");
	run(&in, &out);
	assert_int_equal(r2[0].cls, RESOLVER_UNKNOWN);
	EXPECT_IDS(&out, FINDING_NO_NETWORK_DATA);

	/* Public DNS needs no exit to be recognised. */
	struct verdict_resolver r3[] = {google4()};
	in = input(r3, 1);
	run(&in, &out);
	assert_int_equal(r3[0].cls, RESOLVER_PUBLIC_DNS);
	EXPECT_IDS(&out, FINDING_THIRD_PARTY_RESOLVER);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trusted_by_asn),
	    cmocka_unit_test(test_trusted_by_v4_prefix),
	    cmocka_unit_test(test_trusted_by_v6_prefix),
	    cmocka_unit_test(test_same_network_via_v4_exit),
	    cmocka_unit_test(test_same_network_via_v6_exit),
	    cmocka_unit_test(test_public_dns),
	    cmocka_unit_test(test_other_network),
	    cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests_name("verdict", tests, setup, NULL);
}
