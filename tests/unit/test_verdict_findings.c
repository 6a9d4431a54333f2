/* test_verdict_findings.c -- the findings, verdicts and reason sentences of verdict_compute():
 * untrusted resolvers, nothing seen, ECS, IPv6-only leaks, untunnelled IPv6, precedence, the
 * finding cap and DNS interception (configured resolvers against the ones that asked). The
 * last test checks that the scenarios here emitted every finding id the engine has.
 * Classification: test_verdict.c; shared scenarios: verdict_fixture.h.
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
test_untrusted(void **state)
{
	(void)state;
	struct verdict_policy p = default_policy;
	struct verdict_resolver r[] = {vpn4(), isp4(), res("192.0.2.99", 0, "", "")};
	struct verdict_in in = input(r, 3);
	struct verdict_out out;

	trust(&p, "203.0.113.53");
	in.policy = &p; /* no exits: with a trusted list they are not needed */
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_TRUSTED);
	assert_int_equal(r[1].cls, RESOLVER_OTHER_NETWORK);
	assert_int_equal(r[2].cls, RESOLVER_UNKNOWN);
	assert_int_equal(out.verdict, VERDICT_LEAK);
	/* The unknown one is untrusted too, and not reported as missing data. */
	EXPECT_IDS(&out, FINDING_UNTRUSTED_RESOLVER);
	assert_string_equal(out.findings[0].detail,
			    "Resolvers not on the trusted list: 198.51.100.54 (IPv4, AS64496 "
			    "Example ISP, DE); 192.0.2.99 (IPv4, network unknown)");
	assert_string_equal(out.reason, "Your DNS queries reach Example ISP (AS64496) and 1 other "
					"network, which is not one of your trusted resolvers.");

	/* Same network as the exit does not count once a trusted list says what is ours. */
	struct verdict_resolver r2[] = {res("192.0.2.99", 0, "", ""), vpn6()};
	in = input(r2, 2);
	in.policy = &p;
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	assert_int_equal(r2[1].cls, RESOLVER_OTHER_NETWORK);
	EXPECT_IDS(&out, FINDING_UNTRUSTED_RESOLVER);
	assert_string_equal(out.reason, "Your DNS queries reach 192.0.2.99 and 1 other network, "
					"which is not one of your trusted resolvers.");
}

/* Findings and verdicts. */

static void
test_empty(void **state)
{
	(void)state;
	struct verdict_in in = input(NULL, 0);
	struct verdict_out out;

	in.policy = NULL;
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_INCONCLUSIVE);
	EXPECT_IDS(&out, FINDING_NO_DNS_SEEN);
	assert_string_equal(out.reason, "No DNS query reached the test server, so we cannot tell "
					"which resolvers you use.");
	assert_int_equal(verdict_exit_code(out.verdict), EXIT_WARN);

	/* A NULL array with a stray count is empty too. */
	in.n_resolvers = 5;
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	assert_int_equal(in.n_resolvers, 0);
	EXPECT_IDS(&out, FINDING_NO_DNS_SEEN);

	/* With a trusted list as well. */
	struct verdict_policy p = default_policy;
	trust(&p, "AS64497");
	in.policy = &p;
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_INCONCLUSIVE);
	EXPECT_IDS(&out, FINDING_NO_DNS_SEEN);
}

static void
test_only_ecs(void **state)
{
	(void)state;
	struct verdict_resolver r[] = {vpn4(), vpn6()};
	struct verdict_in in = input(r, 2);
	struct verdict_out out;

	r[1].sent_ecs = true;
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_WARN);
	EXPECT_IDS(&out, FINDING_ECS_EXPOSED);
	assert_string_equal(out.findings[0].detail, "Sent EDNS Client Subnet: 2001:db8:2::53 "
						    "(IPv6, AS64497 Example VPN, NL)");
	assert_string_equal(out.reason, "Your resolver Example VPN (AS64497) tells the DNS servers "
					"of the sites you look up which network you are on (EDNS "
					"Client Subnet).");
	assert_int_equal(verdict_exit_code(out.verdict), EXIT_WARN);
}

static void
test_ipv6_only_leak(void **state)
{
	(void)state;
	struct verdict_resolver r[] = {vpn4(), isp6(), vpn6()};
	struct verdict_in in = input(r, 3);
	struct verdict_out out;

	/* The lab scenario: IPv4 DNS through the VPN, an IPv6 resolver outside the tunnel. */
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	assert_int_equal(r[1].cls, RESOLVER_OTHER_NETWORK);
	assert_int_equal(out.verdict, VERDICT_LEAK);
	EXPECT_IDS(&out, FINDING_IPV6_DNS_LEAK);
	assert_string_equal(out.findings[0].detail,
			    "IPv6 resolvers on another network: 2001:db8:1::54 (IPv6, AS64496 "
			    "Example ISP, DE)");
	assert_string_equal(out.reason, "Your IPv4 DNS queries stay on the network your traffic "
					"exits through, but over IPv6 they reach Example ISP "
					"(AS64496), another network.");

	/* With a trusted list, an untrusted IPv6 resolver of unknown network counts. */
	struct verdict_policy p = default_policy;
	trust(&p, "203.0.113.0/24");
	struct verdict_resolver r2[] = {vpn4(), res("2001:db8:1::54", 0, "", "")};
	in = input(r2, 2);
	in.policy = &p;
	run(&in, &out);
	assert_int_equal(r2[1].cls, RESOLVER_UNKNOWN);
	EXPECT_IDS(&out, FINDING_IPV6_DNS_LEAK);
	assert_string_equal(out.findings[0].detail, "IPv6 resolvers not on the trusted list: "
						    "2001:db8:1::54 (IPv6, network unknown)");
	assert_string_equal(out.reason, "Your IPv4 DNS queries reach only trusted resolvers, but "
					"over IPv6 they reach 2001:db8:1::54, which is not "
					"trusted.");

	/* IPv4 DNS not fine (public): the general finding, plus the public one. */
	struct verdict_resolver r3[] = {google4(), isp6()};
	in = input(r3, 2);
	in.exit4 = vpn_exit4();
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER, FINDING_THIRD_PARTY_RESOLVER, FINDING_NO_IPV6);

	/* No IPv4 resolver at all: nothing to contrast with, the general finding. */
	struct verdict_resolver r4[] = {isp6()};
	in = input(r4, 1);
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER);

	/* A bad resolver of neither family (a caller's bug) is never passed off as IPv6 only. */
	struct verdict_resolver r5[] = {vpn4(), isp6(), isp4()};
	r5[2].addr.family = 0;
	in = input(r5, 3);
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER);
	expect_detail_has(&out, FINDING_ISP_RESOLVER, "(unknown family, AS64496");
	r5[1] = r5[2];
	in.n_resolvers = 2; /* good IPv4, and only the bad one of neither family */
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER);

	/* IPv4 unknown (no trusted list) is not "fine" either. */
	struct verdict_resolver r6[] = {res("203.0.113.53", 0, "", ""), isp6()};
	in = input(r6, 2);
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER, FINDING_NO_NETWORK_DATA);
}

static void
test_untunnelled_v6(void **state)
{
	(void)state;
	struct verdict_resolver r[] = {vpn4()};
	struct verdict_in in = input(r, 1);
	struct verdict_out out;

	in.exit4 = vpn_exit4();
	in.exit6 = isp_exit6();
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_LEAK);
	EXPECT_IDS(&out, FINDING_IPV6_UNTUNNELLED);
	assert_string_equal(out.findings[0].detail,
			    "Exit addresses: 203.0.113.7 (IPv4, AS64497 Example VPN, NL); "
			    "2001:db8:1::7 (IPv6, AS64496 Example ISP, DE)");
	assert_string_equal(out.reason,
			    "Your IPv6 traffic leaves through Example ISP (AS64496), not through "
			    "Example VPN (AS64497) like your IPv4 traffic.");

	/* Exits without an organisation are named by ASN. */
	in.exit4.net.org[0] = '\0';
	in.exit6.net.org[0] = '\0';
	in.exit6.net.country[0] = '\0';
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_SAME_NETWORK);
	assert_string_equal(out.findings[0].detail, "Exit addresses: 203.0.113.7 (IPv4, AS64497, "
						    "NL); 2001:db8:1::7 (IPv6, AS64496)");
	assert_string_equal(out.reason, "Your IPv6 traffic leaves through AS64496, not through "
					"AS64497 like your IPv4 traffic.");

	/*
	 * The ISP's resolver matches only the untunnelled IPv6 exit: IPv4's network is the one
	 * chosen, so the ISP's resolver is where DNS leaks, not "the same network".
	 */
	struct verdict_resolver r2[] = {isp4()};
	in = input(r2, 1);
	in.exit4 = vpn_exit4();
	in.exit6 = isp_exit6();
	run(&in, &out);
	assert_int_equal(r2[0].cls, RESOLVER_OTHER_NETWORK);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER, FINDING_IPV6_UNTUNNELLED);

	/* Unknown IPv6 exit network: no claim. */
	in = input(r, 1);
	in.exit4 = vpn_exit4();
	in.exit6 = ex("2001:db8:1::7", 0, "", "");
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_PASS);
	EXPECT_NO_FINDINGS(&out);

	/* Unknown IPv4 exit network: no claim either (the ISP resolver matches the IPv6 exit). */
	in = input(r2, 1);
	in.exit4 = ex("203.0.113.7", 0, "", "");
	in.exit6 = isp_exit6();
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_PASS);
	EXPECT_NO_FINDINGS(&out);
	assert_non_null(strstr(out.reason, "Example ISP (AS64496)"));
}

static void
test_no_v6_exit(void **state)
{
	(void)state;
	struct verdict_resolver r[] = {vpn4()};
	struct verdict_in in = input(r, 1);
	struct verdict_out out;

	in.exit4 = vpn_exit4();
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_PASS); /* informational only */
	EXPECT_IDS(&out, FINDING_NO_IPV6);
	assert_string_equal(out.findings[0].detail, "Only an IPv4 exit address was seen: "
						    "203.0.113.7 (IPv4, AS64497 Example VPN, NL)");
	assert_non_null(strstr(out.reason, "Example VPN (AS64497)"));
	assert_int_equal(verdict_exit_code(out.verdict), EXIT_PASS);

	/* No exit at all (not probed): nothing said about IPv6. */
	struct verdict_policy p = default_policy;
	trust(&p, "AS64497");
	in.policy = &p;
	memset(&in.exit4, 0, sizeof(in.exit4));
	run(&in, &out);
	EXPECT_NO_FINDINGS(&out);
}

static void
test_precedence(void **state)
{
	(void)state;
	struct verdict_out out;
	struct verdict_in in;

	/* LEAK over WARN over INCONCLUSIVE: the reason is the heaviest finding's. */
	struct verdict_resolver all[] = {google4(), res("192.0.2.99", 0, "", ""), isp4()};
	all[0].sent_ecs = true;
	in = input(all, 3);
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_LEAK);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER, FINDING_THIRD_PARTY_RESOLVER, FINDING_ECS_EXPOSED,
		   FINDING_NO_NETWORK_DATA);
	assert_non_null(strstr(out.reason, "Example ISP (AS64496)"));

	/* WARN over INCONCLUSIVE. */
	in.n_resolvers = 2;
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_WARN);
	EXPECT_IDS(&out, FINDING_THIRD_PARTY_RESOLVER, FINDING_ECS_EXPOSED,
		   FINDING_NO_NETWORK_DATA);
	assert_non_null(strstr(out.reason, "public DNS service"));

	/* ECS alone decides WARN when it is the only medium one. */
	all[0] = vpn4();
	all[0].sent_ecs = true;
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_WARN);
	EXPECT_IDS(&out, FINDING_ECS_EXPOSED, FINDING_NO_NETWORK_DATA);
	assert_non_null(strstr(out.reason, "EDNS Client Subnet"));

	/* INCONCLUSIVE over PASS (and over info). */
	all[0].sent_ecs = false;
	in.exit6.present = false;
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_INCONCLUSIVE);
	EXPECT_IDS(&out, FINDING_NO_NETWORK_DATA, FINDING_NO_IPV6);

	/* LEAK over INCONCLUSIVE: no DNS seen, but IPv6 bypasses the VPN. */
	in = input(NULL, 0);
	in.exit4 = vpn_exit4();
	in.exit6 = isp_exit6();
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_LEAK);
	EXPECT_IDS(&out, FINDING_IPV6_UNTUNNELLED, FINDING_NO_DNS_SEEN);
	assert_non_null(strstr(out.reason, "IPv6 traffic"));

	/* Two high findings: the first (the DNS one) gives the reason. */
	struct verdict_resolver r2[] = {isp4()};
	in = input(r2, 1);
	in.exit4 = vpn_exit4();
	in.exit6 = ex("2001:db8:3::7", 64502, "Other", "");
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER, FINDING_IPV6_UNTUNNELLED);
	assert_non_null(strstr(out.reason, "Your DNS queries reach Example ISP"));
}

/* The most findings one test can give, and a detail that cannot hold every resolver. */
static void
test_finding_cap(void **state)
{
	(void)state;
	struct verdict_out out;
	struct verdict_in in;
	size_t n = 1000;

	struct verdict_resolver most[] = {isp4(), google4(), res("192.0.2.99", 0, "", "")};
	most[0].sent_ecs = true;
	in = input(most, 3);
	in.exit4 = vpn_exit4();
	in.exit6 = isp_exit6();
	in.exit6.net.asn = 64502;
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER, FINDING_IPV6_UNTUNNELLED,
		   FINDING_THIRD_PARTY_RESOLVER, FINDING_ECS_EXPOSED, FINDING_NO_NETWORK_DATA);

	struct verdict_resolver *many = calloc(n, sizeof(*many));
	assert_non_null(many);
	for (size_t i = 0; i < n; i++) {
		char addr[ADDR_TEXT_MAX];
		(void)snprintf(addr, sizeof(addr), "2001:db8:1::%zx", i + 1);
		many[i] = res(addr, 100000u + (uint32_t)i, "", ""); /* each its own network */
		memset(many[i].net.org, 'x', sizeof(many[i].net.org)); /* no NUL: bounded reads */
		memset(many[i].net.country, 'Y', sizeof(many[i].net.country));
		many[i].sent_ecs = true;
	}
	in = input(many, n);
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER, FINDING_ECS_EXPOSED);
	for (size_t i = 0; i < out.n_findings; i++) {
		const char *d = out.findings[i].detail;
		size_t shown = 1;
		for (const char *p = strstr(d, "; "); p != NULL; p = strstr(p + 2, "; "))
			shown++;
		shown--; /* the last "; " leads "and N more" */
		const char *more = strstr(d, "; and ");
		assert_non_null(more);
		assert_int_equal(strtoul(more + 6, NULL, 10), n - shown);
		assert_true(shown >= 1);
		assert_true(strlen(d) < FINDING_DETAIL_MAX);
		assert_string_equal(d + strlen(d) - 5, " more");
	}
	/* The org is cut in the reason so that the sentence stays whole. */
	assert_non_null(strstr(out.reason, "and 999 other networks, not the network"));
	free(many);

	/* The longest item behind the longest lead still fits whole. */
	struct verdict_resolver one[] = {
	    res("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 4294967295u, "", "DE")};
	memset(one[0].net.org, 'x', sizeof(one[0].net.org) - 1);
	in = input(one, 1);
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER);
	assert_true(strlen(out.findings[0].detail) < FINDING_DETAIL_MAX);
	assert_null(strstr(out.findings[0].detail, "more"));
	assert_string_equal(out.findings[0].detail + strlen(out.findings[0].detail) - 6,
			    "x, DE)");
}

/* DNS interception: the configured resolvers against the ones that asked. */

static struct verdict_configured
cfg(const char *addr, uint32_t asn, const char *org)
{
	struct verdict_configured c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(addr_parse(addr, &c.addr), DL_E_OK);
	c.net.asn = asn;
	(void)snprintf(c.net.org, sizeof(c.net.org), "%s", org);
	return c;
}

static void
test_hijack(void **state)
{
	(void)state;
	struct verdict_configured google[] = {cfg("8.8.8.8", GOOGLE, "Google LLC")};
	struct verdict_resolver r[] = {isp4()};
	struct verdict_in in = input(r, 1);
	struct verdict_out out;

	/* Asked Google, the ISP answered; the ISP is also the exit's network, so only this says
	 * anything is wrong. */
	in.exit4 = ex("198.51.100.7", ISP, "Example ISP", "DE");
	in.exit6 = ex("2001:db8:1::7", ISP, "Example ISP", "DE");
	in.configured = google;
	in.n_configured = 1;
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_SAME_NETWORK);
	assert_int_equal(out.verdict, VERDICT_LEAK);
	EXPECT_IDS(&out, FINDING_DNS_HIJACK);
	assert_string_equal(out.reason, "You asked 8.8.8.8 but Example ISP (AS64496) answered: "
					"your network intercepts DNS.");
	assert_string_equal(out.findings[0].detail,
			    "You asked 8.8.8.8; answered by: 198.51.100.54 (IPv4, AS64496 "
			    "Example ISP, DE)");

	/* Without the configured resolvers the same test passes. */
	in.configured = NULL;
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_PASS);
	/* A count without an array is no list. */
	in.n_configured = 3;
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_PASS);

	/* Several configured, several networks answering: both counted in the sentence; the
	 * hijack comes first, before the leak it explains. */
	struct verdict_configured two[] = {cfg("8.8.8.8", GOOGLE, "Google LLC"),
					   cfg("2001:4860:4860::8888", GOOGLE, "Google LLC")};
	struct verdict_resolver r2[] = {isp4(), isp6(), res("192.0.2.99", 64500, "", "")};
	in = input(r2, 3);
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	in.configured = two;
	in.n_configured = 2;
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_DNS_HIJACK, FINDING_ISP_RESOLVER);
	assert_string_equal(out.reason, "You asked 8.8.8.8 and 1 other resolver but Example ISP "
					"(AS64496) and 1 other network answered: your network "
					"intercepts DNS.");
	expect_detail_has(&out, FINDING_DNS_HIJACK,
			  "You asked 8.8.8.8 and 1 other resolver; answered by: 198.51.100.54 "
			  "(IPv4, AS64496 Example ISP, DE); 2001:db8:1::54 (IPv6, AS64496 Example "
			  "ISP, DE); 192.0.2.99 (IPv4, AS64500)");

	/* Documentation addresses are public here (the lab's internet); no exit is needed. */
	struct verdict_configured doc[] = {cfg("203.0.113.53", VPN, "Example VPN")};
	in = input(r, 1);
	in.configured = doc;
	in.n_configured = 1;
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_DNS_HIJACK, FINDING_NO_NETWORK_DATA);
	assert_int_equal(out.verdict, VERDICT_LEAK);
}

static void
test_hijack_private_configured(void **state)
{
	(void)state;
	/* A router, a local stub, a CGN or link-local resolver forwards anywhere: no claim, even
	 * next to a public one and even if an MMDB gave it a network. */
	static const char *const local[] = {
	    "192.168.1.1", "10.0.0.1",   "172.16.5.5", "127.0.0.53", "100.64.0.1",
	    "169.254.1.1", "::1",        "fe80::1",    "fd00::53",   "::ffff:8.8.8.8",
	};
	struct verdict_resolver r[] = {isp4()};
	struct verdict_out out;

	for (size_t i = 0; i < NELEM(local); i++) {
		struct verdict_configured c[] = {cfg("8.8.8.8", GOOGLE, "Google LLC"),
						 cfg(local[i], ISP + 1, "Somewhere")};
		struct verdict_in in = input(r, 1);
		in.exit4 = vpn_exit4();
		in.configured = c;
		in.n_configured = 2;
		run(&in, &out);
		if (finding(&out, FINDING_DNS_HIJACK) != NULL)
			fail_msg("configured %s: hijack claimed", local[i]);
		in.configured = &c[1];
		in.n_configured = 1;
		run(&in, &out);
		if (finding(&out, FINDING_DNS_HIJACK) != NULL)
			fail_msg("configured %s alone: hijack claimed", local[i]);
	}

	/* A public configured resolver of unknown network proves nothing either. */
	struct verdict_configured unknown[] = {cfg("8.8.8.8", 0, "")};
	struct verdict_in in = input(r, 1);
	in.exit4 = vpn_exit4();
	in.configured = unknown;
	in.n_configured = 1;
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_ISP_RESOLVER, FINDING_NO_IPV6);
}

static void
test_hijack_explained(void **state)
{
	(void)state;
	struct verdict_configured google[] = {cfg("8.8.8.8", GOOGLE, "Google LLC")};
	struct verdict_out out;

	/* Google's resolvers ask from other addresses of Google's network: matched by ASN. */
	struct verdict_resolver r[] = {google4(), res("2001:4860::10", GOOGLE, "", "")};
	struct verdict_in in = input(r, 2);
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	in.configured = google;
	in.n_configured = 1;
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_THIRD_PARTY_RESOLVER);

	/* One matching resolver among others is enough: the queries did reach Google. */
	struct verdict_resolver r2[] = {isp4(), google4()};
	in = input(r2, 2);
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	in.configured = google;
	in.n_configured = 1;
	run(&in, &out);
	assert_null(finding(&out, FINDING_DNS_HIJACK));
	assert_non_null(finding(&out, FINDING_ISP_RESOLVER));

	/* The very address that was configured, whatever network the MMDB names for it. */
	struct verdict_resolver r3[] = {res("8.8.8.8", 64511, "Elsewhere", "")};
	in = input(r3, 1);
	in.configured = google;
	in.n_configured = 1;
	run(&in, &out);
	assert_null(finding(&out, FINDING_DNS_HIJACK));

	/* A public DNS service asked, another one's resolver answered (Quad9 queries from AS42
	 * as well): modest, no claim. */
	struct verdict_configured quad9[] = {cfg("9.9.9.9", 19281, "Quad9")};
	struct verdict_resolver r4[] = {res("74.63.16.10", 42, "WoodyNet", "US")};
	in = input(r4, 1);
	in.configured = quad9;
	in.n_configured = 1;
	run(&in, &out);
	assert_int_equal(r4[0].cls, RESOLVER_PUBLIC_DNS);
	EXPECT_IDS(&out, FINDING_THIRD_PARTY_RESOLVER);
	/* But a public DNS resolver answering for a configured ISP resolver is interception. */
	struct verdict_configured isp[] = {cfg("198.51.100.54", ISP, "Example ISP")};
	in.configured = isp;
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_DNS_HIJACK, FINDING_THIRD_PARTY_RESOLVER);

	/* A resolver with no known network might be the configured one's: no claim. */
	struct verdict_resolver r5[] = {isp4(), res("192.0.2.99", 0, "", "")};
	in = input(r5, 2);
	in.exit4 = vpn_exit4();
	in.configured = google;
	in.n_configured = 1;
	run(&in, &out);
	assert_null(finding(&out, FINDING_DNS_HIJACK));

	/* Nothing seen: nothing intercepted that we know of. */
	in = input(NULL, 0);
	in.configured = google;
	in.n_configured = 1;
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_NO_DNS_SEEN);
}

static void
test_hijack_trusted(void **state)
{
	(void)state;
	struct verdict_policy p = default_policy;
	struct verdict_configured google[] = {cfg("8.8.8.8", GOOGLE, "Google LLC")};
	struct verdict_resolver r[] = {vpn4()};
	struct verdict_in in = input(r, 1);
	struct verdict_out out;

	/* The VPN answers for Google: with the VPN trusted, that is its job (its DNS redirect). */
	trust(&p, "AS64497");
	in.policy = &p;
	in.configured = google;
	in.n_configured = 1;
	run(&in, &out);
	assert_int_equal(r[0].cls, RESOLVER_TRUSTED);
	assert_int_equal(out.verdict, VERDICT_PASS);
	EXPECT_NO_FINDINGS(&out);

	/* Trusted by prefix, with no network known at all. */
	struct verdict_policy p2 = default_policy;
	struct verdict_resolver r2[] = {res("203.0.113.53", 0, "", "")};
	trust(&p2, "203.0.113.0/24");
	in = input(r2, 1);
	in.policy = &p2;
	in.configured = google;
	in.n_configured = 1;
	run(&in, &out);
	assert_int_equal(out.verdict, VERDICT_PASS);

	/* Untrusted: the VPN answering for Google is interception, and untrusted besides. */
	in = input(r, 1);
	in.policy = &default_policy;
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	in.configured = google;
	in.n_configured = 1;
	run(&in, &out);
	EXPECT_IDS(&out, FINDING_DNS_HIJACK);
}

/* More configured resolvers than the cap: the ones past it are not read. */
static void
test_hijack_cap(void **state)
{
	(void)state;
	struct verdict_configured c[VERDICT_CONFIGURED_MAX + 1];
	struct verdict_resolver r[] = {isp4()};
	struct verdict_in in = input(r, 1);
	struct verdict_out out;

	for (size_t i = 0; i < NELEM(c); i++)
		c[i] = cfg("8.8.8.8", GOOGLE, "Google LLC");
	c[VERDICT_CONFIGURED_MAX] = cfg("192.168.1.1", 0, ""); /* would veto the claim */
	in.exit4 = vpn_exit4();
	in.exit6 = vpn_exit6();
	in.configured = c;
	in.n_configured = NELEM(c);
	run(&in, &out);
	assert_non_null(finding(&out, FINDING_DNS_HIJACK));
	assert_non_null(strstr(out.reason, "You asked 8.8.8.8 and 7 other resolvers but"));
}

/* Runs last: every id the engine can emit was emitted by some test above, and is catalogued.
 * The scenarios that emit them all are in this file. */
static void
test_every_emitted_id_catalogued(void **state)
{
	(void)state;
	static const char *const emitted[] = {
	    FINDING_IPV6_DNS_LEAK,        FINDING_ISP_RESOLVER,     FINDING_UNTRUSTED_RESOLVER,
	    FINDING_IPV6_UNTUNNELLED,     FINDING_THIRD_PARTY_RESOLVER, FINDING_ECS_EXPOSED,
	    FINDING_NO_DNS_SEEN,          FINDING_NO_NETWORK_DATA,  FINDING_NO_IPV6,
	    FINDING_DNS_HIJACK,
	};

	assert_int_equal(n_seen, NELEM(emitted));
	for (size_t i = 0; i < NELEM(emitted); i++) {
		bool found = false;
		for (size_t j = 0; j < n_seen; j++)
			found = found || strcmp(seen_ids[j], emitted[i]) == 0;
		if (!found)
			fail_msg("%s never emitted", emitted[i]);
		assert_non_null(findings_lookup(emitted[i]));
	}
	/* No more findings than ids: the cap can never drop one. */
	assert_true(NELEM(emitted) <= VERDICT_FINDINGS_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_untrusted),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_only_ecs),
	    cmocka_unit_test(test_ipv6_only_leak),
	    cmocka_unit_test(test_untunnelled_v6),
	    cmocka_unit_test(test_no_v6_exit),
	    cmocka_unit_test(test_precedence),
	    cmocka_unit_test(test_finding_cap),
	    cmocka_unit_test(test_hijack),
	    cmocka_unit_test(test_hijack_private_configured),
	    cmocka_unit_test(test_hijack_explained),
	    cmocka_unit_test(test_hijack_trusted),
	    cmocka_unit_test(test_hijack_cap),
	    cmocka_unit_test(test_every_emitted_id_catalogued),
	};

	return cmocka_run_group_tests_name("verdict_findings", tests, setup, NULL);
}
