/* verdict_fixture.h -- what the verdict_compute() tests share: resolvers and exits of an
 * example ISP, VPN and public DNS operator, a default policy, and run(), which computes a
 * verdict and checks what must hold for every output (the rule from the heaviest finding, the
 * catalogue, the bounds of detail and reason). Static helpers, one copy per test program;
 * include after <cmocka.h>.
 */
#ifndef DL_TEST_VERDICT_FIXTURE_H
#define DL_TEST_VERDICT_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "findings.h"
#include "verdict.h"

#define ISP 64496u /* Example ISP, DE */
#define VPN 64497u /* Example VPN, NL */
#define GOOGLE 15169u

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Every finding id this program's scenarios produced: the last test of test_verdict_findings.c
 * checks that all were reached. */
static const char *seen_ids[32];
static size_t n_seen;

static inline struct verdict_resolver
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

static inline struct verdict_resolver
isp4(void)
{
	return res("198.51.100.54", ISP, "Example ISP", "DE");
}

static inline struct verdict_resolver
isp6(void)
{
	return res("2001:db8:1::54", ISP, "Example ISP", "DE");
}

static inline struct verdict_resolver
vpn4(void)
{
	return res("203.0.113.53", VPN, "Example VPN", "NL");
}

static inline struct verdict_resolver
vpn6(void)
{
	return res("2001:db8:2::53", VPN, "Example VPN", "NL");
}

static inline struct verdict_resolver
google4(void)
{
	return res("172.253.0.10", GOOGLE, "Google LLC", "US");
}

static inline struct verdict_exit
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

static inline struct verdict_exit
vpn_exit4(void)
{
	return ex("203.0.113.7", VPN, "Example VPN", "NL");
}

static inline struct verdict_exit
vpn_exit6(void)
{
	return ex("2001:db8:2::7", VPN, "Example VPN", "NL");
}

static inline struct verdict_exit
isp_exit6(void)
{
	return ex("2001:db8:1::7", ISP, "Example ISP", "DE");
}

static struct verdict_policy default_policy;

static inline struct verdict_in
input(struct verdict_resolver *r, size_t n)
{
	struct verdict_in in;

	memset(&in, 0, sizeof(in));
	in.resolvers = r;
	in.n_resolvers = n;
	in.policy = &default_policy;
	return in;
}

static inline void
trust(struct verdict_policy *p, const char *text)
{
	assert_true(p->n_trusted < TRUST_MAX);
	assert_int_equal(trust_parse(text, &p->trusted[p->n_trusted]), DL_E_OK);
	p->n_trusted++;
}

static inline enum verdict
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
static inline void
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

static inline const struct verdict_finding *
finding(const struct verdict_out *out, const char *id)
{
	for (size_t i = 0; i < out->n_findings; i++) {
		if (strcmp(out->findings[i].id, id) == 0)
			return &out->findings[i];
	}
	return NULL;
}

/* out has exactly the findings listed (NULL-terminated), in that order. */
static inline void
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

static inline void
expect_detail_has(const struct verdict_out *out, const char *id, const char *text)
{
	const struct verdict_finding *f = finding(out, id);

	assert_non_null(f);
	if (strstr(f->detail, text) == NULL)
		fail_msg("%s detail \"%s\" lacks \"%s\"", id, f->detail, text);
}

static inline int
setup(void **state)
{
	(void)state;
	verdict_policy_init(&default_policy);
	return 0;
}

#endif
