/* test_verdict_webrtc.c -- DL-WEBRTC-LEAK and DL-WEBRTC-LOCAL (verdict.h): which candidates
 * expose an address, against which exits, what the verdict and its words say. Documentation
 * addresses (RFC 5737, RFC 3849) and ASNs (RFC 5398) stand for the internet. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "expect.h"
#include "findings.h"
#include "verdict.h"
#include "webrtc.h"

#define AS_VPN 64500   /* the exits' network */
#define AS_ISP 64501   /* the user's own ISP, outside the VPN */
#define AS_OTHER 64502 /* a resolver's network elsewhere */

static struct dl_addr
ip(const char *text)
{
	struct dl_addr a;

	assert_int_equal(addr_parse(text, &a), DL_E_OK);
	return a;
}

static struct verdict_exit
exit_at(const char *addr, uint32_t asn)
{
	struct verdict_exit e;

	memset(&e, 0, sizeof(e));
	e.present = true;
	e.addr = ip(addr);
	e.net.asn = asn;
	if (asn == AS_VPN)
		snprintf(e.net.org, NET_ORG_MAX, "Example VPN");
	return e;
}

/* A candidate; addr NULL: an mDNS name. */
static struct verdict_candidate
cand(uint8_t type, const char *addr, uint32_t asn)
{
	struct verdict_candidate c;

	memset(&c, 0, sizeof(c));
	c.type = type;
	if (addr != NULL) {
		c.addr = ip(addr);
		c.family = c.addr.family;
	}
	c.port = 54321;
	c.net.asn = asn;
	if (asn == AS_ISP) {
		snprintf(c.net.org, NET_ORG_MAX, "Example ISP");
		snprintf(c.net.country, 3, "DE");
	}
	return c;
}

/* One test: a resolver on the exits' network (DNS passes), the exits, the report. */
struct run {
	struct verdict_resolver res[2];
	size_t n_res;
	struct verdict_webrtc w;
	struct verdict_in in;
	struct verdict_out out;
};

static void
run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->res[0].addr = ip("198.51.100.53");
	r->res[0].queries = 1;
	r->res[0].net.asn = AS_VPN;
	r->n_res = 1;
	r->in.exit4 = exit_at("203.0.113.7", AS_VPN);
	r->in.exit6 = exit_at("2001:db8:1:2::1", AS_VPN);
	r->w.reported = true;
	r->w.available = true;
	r->in.webrtc = &r->w;
}

static void
add(struct run *r, struct verdict_candidate c)
{
	assert_true(r->w.n < VERDICT_CANDIDATES_MAX);
	r->w.cands[r->w.n++] = c;
}

static void
compute(struct run *r)
{
	r->in.resolvers = r->res;
	r->in.n_resolvers = r->n_res;
	verdict_compute(&r->in, &r->out);
}

static const struct verdict_finding *
finding(const struct verdict_out *out, const char *id)
{
	for (size_t i = 0; i < out->n_findings; i++)
		if (strcmp(out->findings[i].id, id) == 0)
			return &out->findings[i];
	return NULL;
}

static size_t
finding_index(const struct verdict_out *out, const char *id)
{
	for (size_t i = 0; i < out->n_findings; i++)
		if (strcmp(out->findings[i].id, id) == 0)
			return i;
	fail_msg("no finding %s", id);
	return 0;
}

static bool
no_webrtc_findings(const struct verdict_out *out)
{
	return finding(out, FINDING_WEBRTC_LEAK) == NULL &&
	       finding(out, FINDING_WEBRTC_LOCAL) == NULL;
}

/* The baseline: no candidates, DNS on the exits' network: PASS and nothing about WebRTC. */
static void
test_baseline(void **state)
{
	struct run r;

	(void)state;
	run_init(&r);
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_PASS);
	assert_true(no_webrtc_findings(&r.out));
	assert_int_equal(r.out.n_findings, 0);
}

/*
 * One candidate per row, against the exits of the row: does it expose (DL-WEBRTC-LEAK, verdict
 * LEAK), or not?
 */
struct row {
	const char *what;
	uint8_t type;
	const char *addr; /* NULL: mDNS */
	uint32_t asn;
	const char *exit4, *exit6; /* NULL: not seen */
	uint32_t asn4, asn6;
	bool exposes;
};

static const struct row rows[] = {
	{ "srflx is the IPv4 exit", WEBRTC_SRFLX, "203.0.113.7", AS_VPN, "203.0.113.7",
	  "2001:db8:1:2::1", AS_VPN, AS_VPN, false },
	{ "srflx is the IPv4 exit, network unknown", WEBRTC_SRFLX, "203.0.113.7", 0, "203.0.113.7",
	  "2001:db8:1:2::1", AS_VPN, AS_VPN, false },
	{ "srflx is the IPv4 exit, other network (stale MMDB)", WEBRTC_SRFLX, "203.0.113.7", AS_ISP,
	  "203.0.113.7", "2001:db8:1:2::1", AS_VPN, AS_VPN, false },
	{ "srflx elsewhere, other network", WEBRTC_SRFLX, "198.51.100.23", AS_ISP, "203.0.113.7",
	  "2001:db8:1:2::1", AS_VPN, AS_VPN, true },
	{ "srflx elsewhere, the exit's network (NAT pool)", WEBRTC_SRFLX, "203.0.113.99", AS_VPN,
	  "203.0.113.7", "2001:db8:1:2::1", AS_VPN, AS_VPN, false },
	{ "srflx elsewhere, the IPv6 exit's network", WEBRTC_SRFLX, "198.51.100.23", AS_ISP,
	  "203.0.113.7", "2001:db8:1:2::1", AS_VPN, AS_ISP, false },
	{ "srflx elsewhere, network unknown", WEBRTC_SRFLX, "198.51.100.23", 0, "203.0.113.7",
	  "2001:db8:1:2::1", AS_VPN, AS_VPN, true },
	{ "srflx in the exit's /24 is not the exit", WEBRTC_SRFLX, "203.0.113.8", 0, "203.0.113.7",
	  "2001:db8:1:2::1", AS_VPN, AS_VPN, true },
	{ "prflx elsewhere", WEBRTC_PRFLX, "198.51.100.23", AS_ISP, "203.0.113.7",
	  "2001:db8:1:2::1", AS_VPN, AS_VPN, true },
	{ "IPv6 srflx in the exit's /64", WEBRTC_SRFLX, "2001:db8:1:2:a:b:c:d", 0, "203.0.113.7",
	  "2001:db8:1:2::1", AS_VPN, AS_VPN, false },
	{ "IPv6 srflx, /64 boundary: last byte of the prefix differs", WEBRTC_SRFLX,
	  "2001:db8:1:3::1", 0, "203.0.113.7", "2001:db8:1:2::1", AS_VPN, AS_VPN, true },
	{ "IPv6 srflx outside the /64, other network", WEBRTC_SRFLX, "2001:db8:ffff::1", AS_ISP,
	  "203.0.113.7", "2001:db8:1:2::1", AS_VPN, AS_VPN, true },
	{ "IPv6 srflx outside the /64, the exit's network", WEBRTC_SRFLX, "2001:db8:ffff::1",
	  AS_VPN, "203.0.113.7", "2001:db8:1:2::1", AS_VPN, AS_VPN, false },
	{ "IPv6 srflx, no IPv6 exit, IPv4 exit elsewhere", WEBRTC_SRFLX, "2001:db8:ffff::1", AS_ISP,
	  "203.0.113.7", NULL, AS_VPN, 0, true },
	{ "IPv6 srflx, no IPv6 exit, network unknown", WEBRTC_SRFLX, "2001:db8:ffff::1", 0,
	  "203.0.113.7", NULL, AS_VPN, 0, true },
	{ "IPv4 srflx, only an IPv6 exit", WEBRTC_SRFLX, "198.51.100.23", 0, NULL,
	  "2001:db8:1:2::1", 0, AS_VPN, true },
	{ "IPv4 srflx whose bytes start the IPv6 exit", WEBRTC_SRFLX, "32.1.13.184", 0, NULL,
	  "2001:db8:1:2::1", 0, AS_VPN, true },
	{ "exits' networks unknown, srflx elsewhere", WEBRTC_SRFLX, "198.51.100.23", AS_ISP,
	  "203.0.113.7", "2001:db8:1:2::1", 0, 0, true },
	{ "no exit at all: no claim", WEBRTC_SRFLX, "198.51.100.23", AS_ISP, NULL, NULL, 0, 0,
	  false },
	{ "no exit at all, host public: no claim", WEBRTC_HOST, "2001:db8:ffff::1", 0, NULL, NULL,
	  0, 0, false },
	{ "relay elsewhere", WEBRTC_RELAY, "198.51.100.7", AS_OTHER, "203.0.113.7",
	  "2001:db8:1:2::1", AS_VPN, AS_VPN, false },
	{ "relay elsewhere, IPv6", WEBRTC_RELAY, "2001:db8:ffff::1", 0, "203.0.113.7",
	  "2001:db8:1:2::1", AS_VPN, AS_VPN, false },
	{ "mDNS host", WEBRTC_HOST, NULL, 0, "203.0.113.7", "2001:db8:1:2::1", AS_VPN, AS_VPN,
	  false },
	{ "mDNS host, IPv6 exit missing", WEBRTC_HOST, NULL, AS_ISP, "203.0.113.7", NULL, AS_VPN, 0,
	  false },
	{ "host public, elsewhere", WEBRTC_HOST, "198.51.100.50", AS_ISP, "203.0.113.7",
	  "2001:db8:1:2::1", AS_VPN, AS_VPN, true },
	{ "host public IPv6, no IPv6 exit", WEBRTC_HOST, "2001:db8:ffff::5", 0, "203.0.113.7", NULL,
	  AS_VPN, 0, true },
	{ "host is the exit (no NAT)", WEBRTC_HOST, "203.0.113.7", AS_VPN, "203.0.113.7",
	  "2001:db8:1:2::1", AS_VPN, AS_VPN, false },
	{ "host private", WEBRTC_HOST, "192.168.1.5", 0, "203.0.113.7", "2001:db8:1:2::1", AS_VPN,
	  AS_VPN, false },
	{ "srflx from carrier-grade NAT space", WEBRTC_SRFLX, "100.64.1.2", 0, "203.0.113.7",
	  "2001:db8:1:2::1", AS_VPN, AS_VPN, false },
	{ "srflx loopback", WEBRTC_SRFLX, "127.0.0.1", 0, "203.0.113.7", "2001:db8:1:2::1", AS_VPN,
	  AS_VPN, false },
	{ "srflx unique local", WEBRTC_SRFLX, "fd00::1", 0, "203.0.113.7", "2001:db8:1:2::1",
	  AS_VPN, AS_VPN, false },
};

static void
test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *t = &rows[i];
		struct run r;

		run_init(&r);
		memset(&r.in.exit4, 0, sizeof(r.in.exit4));
		memset(&r.in.exit6, 0, sizeof(r.in.exit6));
		if (t->exit4 != NULL)
			r.in.exit4 = exit_at(t->exit4, t->asn4);
		if (t->exit6 != NULL)
			r.in.exit6 = exit_at(t->exit6, t->asn6);
		/* The resolver on the exits' network, so that DNS alone passes (or says nothing).
		 */
		r.res[0].net.asn = t->asn4 != 0 ? t->asn4 : t->asn6;
		struct verdict_candidate c = cand(t->type, t->addr, t->asn);
		c.exposes = !t->exposes; /* set by verdict_compute either way */
		add(&r, c);
		compute(&r);

		const struct verdict_finding *f = finding(&r.out, FINDING_WEBRTC_LEAK);
		EXPECT(r.w.cands[0].exposes == t->exposes, "%s: exposes %d", t->what,
		       r.w.cands[0].exposes);
		EXPECT((f != NULL) == t->exposes, "%s: DL-WEBRTC-LEAK %s", t->what,
		       f != NULL ? "emitted" : "missing");
		if (t->exposes) {
			char text[ADDR_TEXT_MAX];
			addr_fmt(&c.addr, text);
			EXPECT(r.out.verdict == VERDICT_LEAK, "%s: verdict %s", t->what,
			       verdict_name(r.out.verdict));
			EXPECT(strstr(r.out.reason, text) != NULL, "%s: reason \"%s\" lacks %s",
			       t->what, r.out.reason, text);
			EXPECT(f != NULL && strstr(f->detail, text) != NULL,
			       "%s: detail lacks the address", t->what);
		} else {
			EXPECT(strstr(r.out.reason, "WebRTC") == NULL, "%s: reason \"%s\"", t->what,
			       r.out.reason);
		}
	}
	EXPECT_NONE();
}

static void
test_leak_words(void **state)
{
	struct run r;

	(void)state;
	run_init(&r);
	add(&r, cand(WEBRTC_SRFLX, "198.51.100.23", AS_ISP));
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_LEAK);
	assert_string_equal(r.out.reason,
			    "Your browser's WebRTC reveals 198.51.100.23 (Example ISP, AS64501), "
			    "outside your VPN or proxy, to any web page that asks.");
	const struct verdict_finding *f = finding(&r.out, FINDING_WEBRTC_LEAK);
	assert_non_null(f);
	assert_string_equal(f->detail,
			    "WebRTC reveals: 198.51.100.23 (IPv4, AS64501 Example ISP, DE)");
	assert_null(finding(&r.out, FINDING_WEBRTC_LOCAL));
	assert_int_equal(verdict_exit_code(r.out.verdict), EXIT_LEAK);

	/* Network unknown: the address alone. */
	run_init(&r);
	add(&r, cand(WEBRTC_SRFLX, "2001:db8:ffff::1", 0));
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_LEAK);
	assert_string_equal(r.out.reason,
			    "Your browser's WebRTC reveals 2001:db8:ffff::1, outside your VPN or "
			    "proxy, to any web page that asks.");
	f = finding(&r.out, FINDING_WEBRTC_LEAK);
	assert_non_null(f);
	assert_string_equal(f->detail, "WebRTC reveals: 2001:db8:ffff::1 (IPv6, network unknown)");

	/* The longest address and organisation: the sentence still ends whole. */
	run_init(&r);
	struct verdict_candidate c =
	    cand(WEBRTC_SRFLX, "2001:db8:ffff:ffff:ffff:ffff:255.255.255.255", 4294967295u);
	memset(c.net.org, 'O', NET_ORG_MAX - 1);
	c.net.org[NET_ORG_MAX - 1] = '\0';
	add(&r, c);
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_LEAK);
	assert_non_null(strstr(r.out.reason, "AS4294967295"));
	size_t len = strlen(r.out.reason);
	assert_true(len < VERDICT_REASON_MAX - 1);
	assert_string_equal(r.out.reason + len - 5, "asks.");
	f = finding(&r.out, FINDING_WEBRTC_LEAK);
	assert_non_null(f);
	assert_true(strlen(f->detail) < FINDING_DETAIL_MAX);
	assert_non_null(strstr(f->detail, "AS4294967295"));
}

static void
test_local(void **state)
{
	static const char *const local[] = { "192.168.1.5", "10.0.0.5", "fe80::1", "fd00::1" };
	struct run r;

	(void)state;
	run_init(&r);
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		add(&r, cand(WEBRTC_HOST, local[i], 0));
	/* Not host candidates: not "shown in the clear" (a srflx in CGN space, a relay). */
	add(&r, cand(WEBRTC_SRFLX, "100.64.1.2", 0));
	add(&r, cand(WEBRTC_RELAY, "10.9.9.9", 0));
	add(&r, cand(WEBRTC_HOST, NULL, 0));
	compute(&r);
	/* Low: advice, the verdict stays what DNS made it. */
	assert_int_equal(r.out.verdict, VERDICT_PASS);
	assert_null(finding(&r.out, FINDING_WEBRTC_LEAK));
	const struct verdict_finding *f = finding(&r.out, FINDING_WEBRTC_LOCAL);
	assert_non_null(f);
	assert_int_equal(verdict_of_finding(FINDING_WEBRTC_LOCAL), VERDICT_PASS);
	assert_string_equal(f->detail, "Local addresses WebRTC shows: 192.168.1.5 (IPv4, network "
				       "unknown); 10.0.0.5 (IPv4, network unknown); fe80::1 (IPv6, "
				       "network unknown); fd00::1 (IPv6, network unknown)");
	assert_null(strstr(f->detail, "100.64.1.2"));
	assert_null(strstr(f->detail, "10.9.9.9"));
	for (size_t i = 0; i < r.w.n; i++)
		assert_false(r.w.cands[i].exposes);
	/* The PASS reason is DNS's. */
	assert_non_null(strstr(r.out.reason, "Your DNS queries are answered"));

	/* Other local ranges; more than the detail holds: cut with "and N more". */
	run_init(&r);
	add(&r, cand(WEBRTC_HOST, "172.16.0.9", 0));
	add(&r, cand(WEBRTC_HOST, "169.254.3.4", 0));
	for (size_t i = 0; i < 20; i++) {
		char text[ADDR_TEXT_MAX];
		snprintf(text, sizeof(text), "10.0.0.%zu", i + 1);
		add(&r, cand(WEBRTC_HOST, text, 0));
	}
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_PASS);
	f = finding(&r.out, FINDING_WEBRTC_LOCAL);
	assert_non_null(f);
	assert_non_null(strstr(f->detail, "shows: 172.16.0.9 (IPv4, network unknown); "
					  "169.254.3.4 (IPv4, network unknown); 10.0.0.1 "));
	assert_non_null(strstr(f->detail, " more"));

	/* Local without any exit: still advice (it needs no comparison). */
	run_init(&r);
	memset(&r.in.exit4, 0, sizeof(r.in.exit4));
	memset(&r.in.exit6, 0, sizeof(r.in.exit6));
	add(&r, cand(WEBRTC_HOST, "10.0.0.5", 0));
	compute(&r);
	assert_non_null(finding(&r.out, FINDING_WEBRTC_LOCAL));
	assert_null(finding(&r.out, FINDING_WEBRTC_LEAK));

	/* Local and a leak: both, the leak decides. */
	run_init(&r);
	add(&r, cand(WEBRTC_HOST, "192.168.1.5", 0));
	add(&r, cand(WEBRTC_SRFLX, "198.51.100.23", AS_ISP));
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_LEAK);
	assert_non_null(finding(&r.out, FINDING_WEBRTC_LOCAL));
	assert_true(finding_index(&r.out, FINDING_WEBRTC_LEAK) <
		    finding_index(&r.out, FINDING_WEBRTC_LOCAL));
	assert_non_null(strstr(r.out.reason, "198.51.100.23"));
}

static void
test_not_reported(void **state)
{
	struct run r;

	(void)state;
	/* NULL: the CLI. */
	run_init(&r);
	add(&r, cand(WEBRTC_SRFLX, "198.51.100.23", AS_ISP));
	add(&r, cand(WEBRTC_HOST, "192.168.1.5", 0));
	r.in.webrtc = NULL;
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_PASS);
	assert_true(no_webrtc_findings(&r.out));

	/* Not reported, whatever the array holds. */
	run_init(&r);
	add(&r, cand(WEBRTC_SRFLX, "198.51.100.23", AS_ISP));
	add(&r, cand(WEBRTC_HOST, "192.168.1.5", 0));
	r.w.reported = false;
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_PASS);
	assert_true(no_webrtc_findings(&r.out));

	/* Reported, WebRTC not available, nothing gathered. */
	run_init(&r);
	r.w.available = false;
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_PASS);
	assert_true(no_webrtc_findings(&r.out));
	assert_int_equal(r.out.n_findings, 0);

	/* Reported, available, nothing gathered (a blocker extension). */
	run_init(&r);
	compute(&r);
	assert_true(no_webrtc_findings(&r.out));
}

static void
test_dns_first(void **state)
{
	struct run r;

	(void)state;
	/* DNS leaks to another network and WebRTC leaks: the DNS finding gives the reason. */
	run_init(&r);
	r.res[0].net.asn = AS_OTHER;
	add(&r, cand(WEBRTC_SRFLX, "198.51.100.23", AS_ISP));
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_LEAK);
	assert_true(finding_index(&r.out, FINDING_ISP_RESOLVER) <
		    finding_index(&r.out, FINDING_WEBRTC_LEAK));
	assert_non_null(strstr(r.out.reason, "Your DNS queries reach"));
	assert_null(strstr(r.out.reason, "WebRTC"));
	assert_true(r.w.cands[0].exposes);

	/* IPv6 outside the tunnel comes before WebRTC too. */
	run_init(&r);
	r.in.exit6 = exit_at("2001:db8:1:2::1", AS_ISP);
	add(&r, cand(WEBRTC_SRFLX, "198.51.100.23", AS_OTHER));
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_LEAK);
	assert_true(finding_index(&r.out, FINDING_IPV6_UNTUNNELLED) <
		    finding_index(&r.out, FINDING_WEBRTC_LEAK));
	assert_non_null(strstr(r.out.reason, "IPv6 traffic"));

	/* A WebRTC leak outweighs a medium finding (a public DNS service), and comes first. */
	struct verdict_policy p;
	verdict_policy_init(&p);
	run_init(&r);
	r.in.policy = &p;
	r.res[0].net.asn = 15169;
	add(&r, cand(WEBRTC_SRFLX, "198.51.100.23", AS_ISP));
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_LEAK);
	assert_true(finding_index(&r.out, FINDING_WEBRTC_LEAK) <
		    finding_index(&r.out, FINDING_THIRD_PARTY_RESOLVER));
	assert_non_null(strstr(r.out.reason, "WebRTC"));

	/* No DNS seen but WebRTC leaks: LEAK, not inconclusive. */
	run_init(&r);
	r.n_res = 0;
	add(&r, cand(WEBRTC_SRFLX, "198.51.100.23", AS_ISP));
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_LEAK);
	assert_non_null(finding(&r.out, FINDING_NO_DNS_SEEN));
	assert_non_null(strstr(r.out.reason, "WebRTC"));
}

static void
test_exposes_per_candidate(void **state)
{
	struct run r;

	(void)state;
	run_init(&r);
	add(&r, cand(WEBRTC_HOST, "192.168.1.5", 0));          /* local */
	add(&r, cand(WEBRTC_HOST, NULL, 0));                   /* mDNS */
	add(&r, cand(WEBRTC_SRFLX, "203.0.113.7", AS_VPN));    /* the exit */
	add(&r, cand(WEBRTC_SRFLX, "198.51.100.23", AS_ISP));  /* leaks */
	add(&r, cand(WEBRTC_RELAY, "198.51.100.7", AS_OTHER)); /* a relay */
	add(&r, cand(WEBRTC_HOST, "2001:db8:1:2::99", 0));     /* in the exit's /64 */
	add(&r, cand(WEBRTC_HOST, "2001:db8:ffff::5", 0));     /* leaks */
	static const bool want[] = { false, false, false, true, false, false, true };
	for (size_t i = 0; i < r.w.n; i++)
		r.w.cands[i].exposes = !want[i];
	compute(&r);
	for (size_t i = 0; i < r.w.n; i++)
		assert_int_equal(r.w.cands[i].exposes, want[i]);
	assert_int_equal(r.out.verdict, VERDICT_LEAK);
	/* The reason names the first; the detail lists both, in order. */
	assert_non_null(strstr(r.out.reason, "198.51.100.23"));
	const struct verdict_finding *f = finding(&r.out, FINDING_WEBRTC_LEAK);
	assert_non_null(f);
	assert_string_equal(f->detail, "WebRTC reveals: 198.51.100.23 (IPv4, AS64501 Example ISP, "
				       "DE); 2001:db8:ffff::5 (IPv6, network unknown)");
	f = finding(&r.out, FINDING_WEBRTC_LOCAL);
	assert_non_null(f);
	assert_string_equal(f->detail, "Local addresses WebRTC shows: 192.168.1.5 (IPv4, network "
				       "unknown)");

	/* The exits disappear (no HTTP seen): every flag goes back to false, no claim. */
	memset(&r.in.exit4, 0, sizeof(r.in.exit4));
	memset(&r.in.exit6, 0, sizeof(r.in.exit6));
	compute(&r);
	for (size_t i = 0; i < r.w.n; i++)
		assert_false(r.w.cands[i].exposes);
	assert_null(finding(&r.out, FINDING_WEBRTC_LEAK));
}

/* A full report of exposing candidates: the detail is cut with "and N more", never overflows. */
static void
test_many(void **state)
{
	struct run r;

	(void)state;
	run_init(&r);
	for (size_t i = 0; i < VERDICT_CANDIDATES_MAX; i++) {
		char text[ADDR_TEXT_MAX];
		snprintf(text, sizeof(text), "2001:db8:ffff:%zx::%zx", i, i + 1);
		add(&r, cand(WEBRTC_SRFLX, text, AS_ISP));
	}
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_LEAK);
	for (size_t i = 0; i < r.w.n; i++)
		assert_true(r.w.cands[i].exposes);
	const struct verdict_finding *f = finding(&r.out, FINDING_WEBRTC_LEAK);
	assert_non_null(f);
	size_t len = strnlen(f->detail, sizeof(f->detail));
	assert_true(len < sizeof(f->detail));
	/* Items listed + "and N more" account for every candidate. */
	size_t items = 0;
	for (const char *p = f->detail; (p = strstr(p, "(IPv6")) != NULL; p++)
		items++;
	const char *more = strstr(f->detail, "; and ");
	assert_non_null(more);
	size_t omitted = 0;
	assert_int_equal(sscanf(more, "; and %zu more", &omitted), 1);
	assert_int_equal(items + omitted, VERDICT_CANDIDATES_MAX);
	assert_non_null(strstr(f->detail, "WebRTC reveals: 2001:db8:ffff::1 (IPv6, AS64501 "));

	/* A count past the array is read no further than the array. */
	r.w.n = VERDICT_CANDIDATES_MAX + 100;
	compute(&r);
	assert_int_equal(r.out.verdict, VERDICT_LEAK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline),
		TEST(test_rows),
		cmocka_unit_test(test_leak_words),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_not_reported),
		cmocka_unit_test(test_dns_first),
		cmocka_unit_test(test_exposes_per_candidate),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
