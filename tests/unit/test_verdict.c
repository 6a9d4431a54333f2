/* test_verdict.c -- classification, findings, verdict and reason; trust entries; names. */
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

#define ISP 64496u /* Example ISP, DE */
#define VPN 64497u /* Example VPN, NL */
#define GOOGLE 15169u

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Every finding id any scenario produced: the last test checks that all were reached. */
static const char *seen_ids[32];
static size_t n_seen;

static struct verdict_resolver
res(const char *addr, uint32_t asn, const char *org, const char *cc)
{
	struct verdict_resolver r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(addr_parse(addr, &r.addr), DL_E_OK);
	r.queries = 3;
	r.net.asn = asn;
	(void)snprintf(r.net.org, sizeof(r.net.org), "%s", org);
	(void)snprintf(r.net.country, sizeof(r.net.country), "%s", cc);
	r.cls = (enum resolver_class)77; /* must be overwritten */
	return r;
}

static struct verdict_resolver
isp4(void)
{
	return res("198.51.100.54", ISP, "Example ISP", "DE");
}

static struct verdict_resolver
isp6(void)
{
	return res("2001:db8:1::54", ISP, "Example ISP", "DE");
}

static struct verdict_resolver
vpn4(void)
{
	return res("203.0.113.53", VPN, "Example VPN", "NL");
}

static struct verdict_resolver
vpn6(void)
{
	return res("2001:db8:2::53", VPN, "Example VPN", "NL");
}

static struct verdict_resolver
google4(void)
{
	return res("172.253.0.10", GOOGLE, "Google LLC", "US");
}

static struct verdict_exit
ex(const char *addr, uint32_t asn, const char *org, const char *cc)
{
	struct verdict_exit e;

	memset(&e, 0, sizeof(e));
	e.present = true;
	assert_int_equal(addr_parse(addr, &e.addr), DL_E_OK);
	e.net.asn = asn;
	(void)snprintf(e.net.org, sizeof(e.net.org), "%s", org);
	(void)snprintf(e.net.country, sizeof(e.net.country), "%s", cc);
	return e;
}

static struct verdict_exit
vpn_exit4(void)
{
	return ex("203.0.113.7", VPN, "Example VPN", "NL");
}

static struct verdict_exit
vpn_exit6(void)
{
	return ex("2001:db8:2::7", VPN, "Example VPN", "NL");
}

static struct verdict_exit
isp_exit6(void)
{
	return ex("2001:db8:1::7", ISP, "Example ISP", "DE");
}

static struct verdict_policy default_policy;

static struct verdict_in
input(struct verdict_resolver *r, size_t n)
{
	struct verdict_in in;

	memset(&in, 0, sizeof(in));
	in.resolvers = r;
	in.n_resolvers = n;
	in.policy = &default_policy;
	return in;
}

static void
trust(struct verdict_policy *p, const char *text)
{
	assert_true(p->n_trusted < TRUST_MAX);
	assert_int_equal(trust_parse(text, &p->trusted[p->n_trusted]), DL_E_OK);
	p->n_trusted++;
}

static enum verdict
weight(const struct finding_def *def)
{
	if (def->severity == SEV_HIGH)
		return VERDICT_LEAK;
	if (def->severity == SEV_MEDIUM)
		return VERDICT_WARN;
	if (def->inconclusive)
		return VERDICT_INCONCLUSIVE;
	return VERDICT_PASS;
}

/* Compute, then check what holds for every output: the rule, the catalogue, the bounds. */
static void
run(struct verdict_in *in, struct verdict_out *out)
{
	enum verdict want = VERDICT_PASS;

	memset(out, 0x5a, sizeof(*out));
	verdict_compute(in, out);
	assert_true(out->n_findings <= VERDICT_FINDINGS_MAX);
	for (size_t i = 0; i < out->n_findings; i++) {
		const struct verdict_finding *f = &out->findings[i];
		assert_non_null(f->id);
		const struct finding_def *def = findings_lookup(f->id);
		assert_non_null(def);
		assert_non_null(memchr(f->detail, '\0', sizeof(f->detail)));
		assert_true(strlen(f->detail) > 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(out->findings[j].id, f->id);
		if (weight(def) > want)
			want = weight(def);
		size_t k;
		for (k = 0; k < n_seen && strcmp(seen_ids[k], f->id) != 0; k++)
			;
		if (k == n_seen && n_seen < NELEM(seen_ids))
			seen_ids[n_seen++] = f->id;
	}
	assert_int_equal(out->verdict, want);
	assert_non_null(memchr(out->reason, '\0', sizeof(out->reason)));
	size_t len = strlen(out->reason);
	assert_true(len > 0);
	assert_int_equal(out->reason[len - 1], '.');
	for (size_t i = 0; i < in->n_resolvers; i++)
		assert_true(in->resolvers[i].cls <= RESOLVER_OTHER_NETWORK);
}

static const struct verdict_finding *
finding(const struct verdict_out *out, const char *id)
{
	for (size_t i = 0; i < out->n_findings; i++) {
		if (strcmp(out->findings[i].id, id) == 0)
			return &out->findings[i];
	}
	return NULL;
}

/* out has exactly the findings listed (NULL-terminated), in that order. */
static void
expect_ids(const struct verdict_out *out, const char *const *ids)
{
	size_t n = 0;

	while (ids[n] != NULL)
		n++;
	bool same = out->n_findings == n;
	for (size_t i = 0; same && i < n; i++)
		same = strcmp(out->findings[i].id, ids[i]) == 0;
	if (same)
		return;
	for (size_t i = 0; i < out->n_findings; i++)
		print_error("got %s: %s\n", out->findings[i].id, out->findings[i].detail);
	for (size_t i = 0; i < n; i++)
		print_error("want %s\n", ids[i]);
	fail();
}

#define EXPECT_IDS(out, ...) expect_ids((out), (const char *const[]){__VA_ARGS__, NULL})
#define EXPECT_NO_FINDINGS(out) expect_ids((out), (const char *const[]){NULL})

static void
expect_detail_has(const struct verdict_out *out, const char *id, const char *text)
{
	const struct verdict_finding *f = finding(out, id);

	assert_non_null(f);
	if (strstr(f->detail, text) == NULL)
		fail_msg("%s detail \"%s\" lacks \"%s\"", id, f->detail, text);
}

static int
setup(void **state)
{
	(void)state;
	verdict_policy_init(&default_policy);
	return 0;
}

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

/* Runs last: every id the engine can emit was emitted by some test above, and is catalogued. */
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
	    cmocka_unit_test(test_trusted_by_asn),
	    cmocka_unit_test(test_trusted_by_v4_prefix),
	    cmocka_unit_test(test_trusted_by_v6_prefix),
	    cmocka_unit_test(test_same_network_via_v4_exit),
	    cmocka_unit_test(test_same_network_via_v6_exit),
	    cmocka_unit_test(test_public_dns),
	    cmocka_unit_test(test_other_network),
	    cmocka_unit_test(test_unknown),
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
	    cmocka_unit_test(test_addr_is_public),
	    cmocka_unit_test(test_policy_init),
	    cmocka_unit_test(test_trust_parse),
	    cmocka_unit_test(test_trust_matches),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_every_emitted_id_catalogued),
	};

	return cmocka_run_group_tests_name("verdict", tests, setup, NULL);
}
