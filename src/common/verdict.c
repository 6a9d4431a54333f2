/* verdict.c -- classify resolvers, emit findings, decide the verdict (verdict.h). Pure.
 *
 * The verdict is never computed on its own: it is the weight of the worst finding, looked up in
 * the catalogue (findings.c), so the words a user reads and the verdict cannot disagree.
 */
#include "verdict.h"

#include <stdio.h>
#include <string.h>

#include "findings.h"
#include "verdict_text.h"
#include "webrtc.h"

/*
 * Networks whose resolvers are public DNS services. Only operators whose resolvers query from
 * their own ASN; the source of each is the operator's documentation of its service address and
 * the RIR/PeeringDB record of the ASN that originates it.
 */
static const uint32_t builtin_public_dns[] = {
	15169,  /* Google Public DNS (8.8.8.8, 2001:4860:4860::8888): Google LLC */
	13335,  /* Cloudflare 1.1.1.1 (and 2606:4700:4700::1111): Cloudflare, Inc. */
	19281,  /* Quad9 (9.9.9.9, 2620:fe::fe): Quad9's own ASN */
	42,     /* WoodyNet (Packet Clearing House): hosts Quad9 nodes, which query from it */
	36692,  /* Cisco OpenDNS (208.67.222.222, 2620:119:35::35): OpenDNS, LLC */
	212772, /* AdGuard DNS (94.140.14.14, 2a10:50c0::ad1:ff): AdGuard Software Limited */
};


void
verdict_policy_init(struct verdict_policy *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < sizeof(builtin_public_dns) / sizeof(builtin_public_dns[0]); i++)
		p->public_dns_asns[p->n_public_dns++] = builtin_public_dns[i];
}

static const char *const verdict_names[] = {
	[VERDICT_PASS] = "PASS",
	[VERDICT_INCONCLUSIVE] = "INCONCLUSIVE",
	[VERDICT_WARN] = "WARN",
	[VERDICT_LEAK] = "LEAK",
};

const char *
verdict_name(enum verdict v)
{
	if ((unsigned)v >= sizeof(verdict_names) / sizeof(verdict_names[0]))
		return "?";
	return verdict_names[v];
}

int
verdict_from_name(const char *name, enum verdict *out)
{
	if (name == NULL)
		return DL_E_FORMAT;
	for (size_t i = 0; i < sizeof(verdict_names) / sizeof(verdict_names[0]); i++) {
		if (strcmp(name, verdict_names[i]) == 0) {
			*out = (enum verdict)i;
			return DL_E_OK;
		}
	}
	return DL_E_FORMAT;
}

int
verdict_exit_code(enum verdict v)
{
	switch (v) {
	case VERDICT_PASS:
		return EXIT_PASS;
	case VERDICT_LEAK:
		return EXIT_LEAK;
	case VERDICT_WARN:
	case VERDICT_INCONCLUSIVE:
		return EXIT_WARN;
	}
	return EXIT_CANNOT_TEST;
}

const char *
resolver_class_name(enum resolver_class c)
{
	switch (c) {
	case RESOLVER_UNKNOWN:
		return "unknown";
	case RESOLVER_TRUSTED:
		return "trusted";
	case RESOLVER_SAME_NETWORK:
		return "same-network";
	case RESOLVER_PUBLIC_DNS:
		return "public-dns";
	case RESOLVER_OTHER_NETWORK:
		return "other-network";
	}
	return "?";
}

const char *
severity_name(enum severity s)
{
	switch (s) {
	case SEV_INFO:
		return "info";
	case SEV_LOW:
		return "low";
	case SEV_MEDIUM:
		return "medium";
	case SEV_HIGH:
		return "high";
	}
	return "?";
}

/* Decimal digits only (no sign, no space), at most limit; false for anything else. */
static bool
parse_uint(const char *s, uint64_t limit, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > limit) /* checked every digit, so v * 10 never overflows */
			return false;
	}
	*out = v;
	return true;
}

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

static unsigned
family_bits(uint8_t family)
{
	return family == 4 ? 32 : 128;
}

/* True when every bit of a past the first len bits is zero. */
static bool
host_bits_clear(const struct dl_addr *a, unsigned len)
{
	unsigned bytes = family_bits(a->family) / 8;

	for (unsigned i = len / 8; i < bytes; i++) {
		uint8_t keep = i == len / 8 ? (uint8_t)(0xff00u >> (len % 8)) : 0;
		if ((a->a[i] & (uint8_t)~keep) != 0)
			return false;
	}
	return true;
}

/* a inside prefix/len of its family (len in bits, at most the family's). */
static bool
in_prefix(const struct dl_addr *a, const uint8_t *prefix, unsigned len)
{
	if (memcmp(a->a, prefix, len / 8) != 0)
		return false;
	if (len % 8 == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> (len % 8));
	return (a->a[len / 8] & mask) == (prefix[len / 8] & mask);
}

int
trust_parse(const char *text, struct trust_entry *out)
{
	struct trust_entry t;
	uint64_t v;

	if (text == NULL)
		return DL_E_FORMAT;
	memset(&t, 0, sizeof(t));
	if ((text[0] == 'A' || text[0] == 'a') && (text[1] == 'S' || text[1] == 's')) {
		text += 2;
		if (!all_digits(text))
			return DL_E_FORMAT;
	}
	if (all_digits(text)) {
		/* RFC 6793: ASNs are 32 bits; RFC 7607: AS 0 is never a real origin. */
		if (!parse_uint(text, UINT32_MAX, &v) || v == 0)
			return DL_E_FORMAT;
		t.is_asn = true;
		t.asn = (uint32_t)v;
		*out = t;
		return DL_E_OK;
	}

	char host[ADDR_TEXT_MAX];
	const char *slash = strchr(text, '/');
	size_t hlen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	if (hlen >= sizeof(host))
		return DL_E_FORMAT;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (addr_parse(host, &t.prefix) != DL_E_OK)
		return DL_E_FORMAT;
	unsigned bits = family_bits(t.prefix.family);
	if (slash == NULL) {
		v = bits;
	} else if (!parse_uint(slash + 1, bits, &v)) {
		return DL_E_FORMAT;
	}
	t.prefix_len = (uint8_t)v;
	if (!host_bits_clear(&t.prefix, t.prefix_len))
		return DL_E_FORMAT;
	*out = t;
	return DL_E_OK;
}

bool
trust_matches(const struct trust_entry *t, const struct dl_addr *a, uint32_t asn)
{
	if (t->is_asn)
		return asn != 0 && asn == t->asn;
	if (a == NULL || a->family != t->prefix.family)
		return false;
	if (t->prefix_len > family_bits(a->family))
		return false;
	return in_prefix(a, t->prefix.a, t->prefix_len);
}

bool
verdict_addr_is_public(const struct dl_addr *a)
{
	/* RFC 6890 and the IANA special-purpose registries: what no public resolver uses. */
	static const struct {
		uint8_t prefix[4];
		uint8_t len;
	} v4[] = {
		{ { 0, 0, 0, 0 }, 8 },      /* "this network" */
		{ { 10, 0, 0, 0 }, 8 },     /* RFC 1918 */
		{ { 100, 64, 0, 0 }, 10 },  /* RFC 6598 shared address space (CGN) */
		{ { 127, 0, 0, 0 }, 8 },    /* loopback */
		{ { 169, 254, 0, 0 }, 16 }, /* link-local */
		{ { 172, 16, 0, 0 }, 12 },  /* RFC 1918 */
		{ { 192, 0, 0, 0 }, 24 },   /* IETF protocol assignments */
		{ { 192, 168, 0, 0 }, 16 }, /* RFC 1918 */
		{ { 198, 18, 0, 0 }, 15 },  /* benchmarking */
		{ { 224, 0, 0, 0 }, 3 },    /* multicast (224/4) and reserved (240/4) */
	};
	static const struct {
		uint8_t prefix[16];
		uint8_t len;
	} v6[] = {
		{ { 0 }, 96 },                        /* ::, ::1, IPv4-compatible */
		{ { [10] = 0xff, [11] = 0xff }, 96 }, /* IPv4-mapped */
		{ { 0x00, 0x64, 0xff, 0x9b }, 96 },   /* NAT64 well-known prefix */
		{ { 0xfc }, 7 },                      /* unique local */
		{ { 0xfe, 0x80 }, 9 },                /* link-local, old site-local */
		{ { 0xff }, 8 },                      /* multicast */
	};

	if (a == NULL)
		return false;
	if (a->family == 4) {
		for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
			if (in_prefix(a, v4[i].prefix, v4[i].len))
				return false;
		}
		return true;
	}
	if (a->family == 6) {
		for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
			if (in_prefix(a, v6[i].prefix, v6[i].len))
				return false;
		}
		return true;
	}
	return false;
}

/* The policy's lists, clamped to their arrays (the counts come from the caller). */
static size_t
n_trusted(const struct verdict_policy *p)
{
	if (p == NULL)
		return 0;
	return p->n_trusted < TRUST_MAX ? p->n_trusted : TRUST_MAX;
}

static bool
is_public_dns(const struct verdict_policy *p, uint32_t asn)
{
	if (p == NULL)
		return false;
	size_t n = p->n_public_dns < PUBLIC_DNS_MAX ? p->n_public_dns : PUBLIC_DNS_MAX;
	for (size_t i = 0; i < n; i++) {
		if (p->public_dns_asns[i] == asn)
			return true;
	}
	return false;
}

static uint32_t
exit_asn(const struct verdict_exit *e)
{
	return e->present ? e->net.asn : 0;
}

/*
 * The network a resolver must share to count as "same network": the exits' network. When the
 * IPv4 and IPv6 exits disagree (a VPN that carries only IPv4, typically), IPv4's is the one the
 * user chose to be on; a resolver in the other one is where the leak goes, not a match.
 */
static uint32_t
reference_asn(const struct verdict_in *in)
{
	uint32_t a4 = exit_asn(&in->exit4);

	return a4 != 0 ? a4 : exit_asn(&in->exit6);
}

static enum resolver_class
classify(const struct verdict_in *in, const struct verdict_resolver *r)
{
	const struct verdict_policy *p = in->policy;
	size_t nt = n_trusted(p);
	uint32_t asn = r->net.asn;

	for (size_t i = 0; i < nt; i++) {
		if (trust_matches(&p->trusted[i], &r->addr, asn))
			return RESOLVER_TRUSTED;
	}
	if (asn == 0)
		return RESOLVER_UNKNOWN;
	if (nt == 0 && asn == reference_asn(in))
		return RESOLVER_SAME_NETWORK;
	if (is_public_dns(p, asn))
		return RESOLVER_PUBLIC_DNS;
	/* Without a trusted list, "another network" needs a network to be other than. */
	if (nt > 0 || exit_asn(&in->exit4) != 0 || exit_asn(&in->exit6) != 0)
		return RESOLVER_OTHER_NETWORK;
	return RESOLVER_UNKNOWN;
}

/* What the findings so far make of the verdict, and the sentence of the one that decided it. */
struct decision {
	struct verdict_out *out;
	enum verdict verdict;
	char spill[FINDING_DETAIL_MAX]; /* the detail of a finding past the cap, dropped */
};

enum verdict
verdict_of_finding(const char *id)
{
	const struct finding_def *def = findings_lookup(id);

	if (def == NULL) /* not in the catalogue: a bug the unit tests catch; never pass it */
		return VERDICT_INCONCLUSIVE;
	if (def->severity == SEV_HIGH)
		return VERDICT_LEAK;
	if (def->severity == SEV_MEDIUM)
		return VERDICT_WARN;
	if (def->inconclusive)
		return VERDICT_INCONCLUSIVE;
	return VERDICT_PASS;
}

/*
 * Record finding id and weigh it. reason is its sentence; it becomes the verdict's reason when
 * this finding is the first of the heaviest weight. Returns the detail buffer to fill. Past
 * VERDICT_FINDINGS_MAX (never, with one finding per id) the finding still weighs, but its
 * detail goes to dc->spill and it is not listed.
 */
static char *
emit(struct decision *dc, const char *id, const char *reason)
{
	enum verdict w = verdict_of_finding(id);
	struct verdict_out *out = dc->out;

	if (w > dc->verdict) {
		dc->verdict = w;
		(void)snprintf(out->reason, sizeof(out->reason), "%s", reason);
	}
	if (out->n_findings >= VERDICT_FINDINGS_MAX)
		return dc->spill;
	struct verdict_finding *f = &out->findings[out->n_findings++];
	f->id = id;
	f->detail[0] = '\0';
	return f->detail;
}

/* Resolvers that leak by the rules of verdict.h: another network, or (trusted list) untrusted. */
static bool
is_bad(const struct verdict_resolver *r, bool trust)
{
	return r->cls == RESOLVER_OTHER_NETWORK || (trust && r->cls == RESOLVER_UNKNOWN);
}

static bool
is_fine(const struct verdict_resolver *r)
{
	return r->cls == RESOLVER_TRUSTED || r->cls == RESOLVER_SAME_NETWORK;
}

/* The exit whose network a reason sentence names: IPv4's if known, else IPv6's, else NULL. */
static const struct verdict_exit *
known_exit(const struct verdict_in *in)
{
	if (exit_asn(&in->exit4) != 0)
		return &in->exit4;
	if (exit_asn(&in->exit6) != 0)
		return &in->exit6;
	return NULL;
}

/* Lists the resolvers for which match() holds into a new finding id with sentence reason. */
typedef bool resolver_pred(const struct verdict_resolver *r, const void *arg);

static void
emit_resolvers(struct decision *dc, const struct verdict_in *in, const char *id, const char *lead,
	       const char *reason, resolver_pred *match, const void *arg)
{
	struct vtext_detail d;

	vtext_detail_start(&d, emit(dc, id, reason), lead);
	for (size_t i = 0; i < in->n_resolvers; i++) {
		const struct verdict_resolver *r = &in->resolvers[i];
		if (match(r, arg))
			vtext_detail_add_where(&d, &r->addr, &r->net);
	}
	vtext_detail_finish(&d);
}

/*
 * The first resolver for which match() holds, and how many other networks (other ASNs; other
 * addresses when the ASN is unknown) match too: a sentence names networks, not each egress
 * address of one operator. NULL if none matches.
 */
static const struct verdict_resolver *
first_match(const struct verdict_in *in, resolver_pred *match, const void *arg, size_t *others)
{
	const struct verdict_resolver *first = NULL;
	size_t n = 0;

	for (size_t i = 0; i < in->n_resolvers; i++) {
		const struct verdict_resolver *r = &in->resolvers[i];
		if (!match(r, arg))
			continue;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++) {
			const struct verdict_resolver *q = &in->resolvers[j];
			seen = match(q, arg) && (r->net.asn != 0 ? q->net.asn == r->net.asn
								  : addr_equal(&q->addr, &r->addr));
		}
		if (first == NULL)
			first = r;
		if (!seen)
			n++;
	}
	*others = n > 0 ? n - 1 : 0;
	return first;
}

/* arg: a const bool, whether a trusted list was given. */
static bool
pred_bad(const struct verdict_resolver *r, const void *arg)
{
	const bool *trust = arg;
	return is_bad(r, *trust);
}

static bool
pred_public(const struct verdict_resolver *r, const void *arg)
{
	(void)arg;
	return r->cls == RESOLVER_PUBLIC_DNS;
}

static bool
pred_ecs(const struct verdict_resolver *r, const void *arg)
{
	(void)arg;
	return r->sent_ecs;
}

static bool
pred_unknown(const struct verdict_resolver *r, const void *arg)
{
	(void)arg;
	return r->cls == RESOLVER_UNKNOWN;
}

/* The leaking resolvers: all IPv6 behind good IPv4 DNS, or any family. */
static void
emit_leaks(struct decision *dc, const struct verdict_in *in, bool trust)
{
	char who[WHO_MAX];
	char reason[VERDICT_REASON_MAX];
	bool v4_seen = false, v4_fine = true, v6_bad = false, other_bad = false;
	size_t others;

	const struct verdict_resolver *first = first_match(in, pred_bad, &trust, &others);
	if (first == NULL)
		return;
	vtext_who(first, others, who);
	for (size_t i = 0; i < in->n_resolvers; i++) {
		const struct verdict_resolver *r = &in->resolvers[i];
		if (r->addr.family == 4) {
			v4_seen = true;
			v4_fine = v4_fine && is_fine(r);
		} else if (is_bad(r, trust) && r->addr.family == 6) {
			v6_bad = true;
		} else if (is_bad(r, trust)) {
			other_bad = true;
		}
	}

	if (v4_seen && v4_fine && v6_bad && !other_bad) {
		if (trust)
			(void)snprintf(reason, sizeof(reason),
				       "Your IPv4 DNS queries reach only trusted resolvers, but "
				       "over IPv6 they reach %s, which is not trusted.",
				       who);
		else
			(void)snprintf(reason, sizeof(reason),
				       "Your IPv4 DNS queries stay on the network your traffic "
				       "exits through, but over IPv6 they reach %s, another "
				       "network.",
				       who);
		emit_resolvers(dc, in, FINDING_IPV6_DNS_LEAK,
			       trust ? "IPv6 resolvers not on the trusted list: "
				     : "IPv6 resolvers on another network: ",
			       reason, pred_bad, &trust);
	} else if (trust) {
		(void)snprintf(reason, sizeof(reason),
			       "Your DNS queries reach %s, which is not one of your trusted "
			       "resolvers.",
			       who);
		emit_resolvers(dc, in, FINDING_UNTRUSTED_RESOLVER,
			       "Resolvers not on the trusted list: ", reason, pred_bad, &trust);
	} else {
		char exitnet[LABEL_MAX];
		/* OTHER_NETWORK without a trusted list implies a known exit ASN (classify()). */
		const struct verdict_exit *e = known_exit(in);
		vtext_net_inner(&e->net, exitnet);
		(void)snprintf(reason, sizeof(reason),
			       "Your DNS queries reach %s, not the network your traffic exits "
			       "through (%s).",
			       who, exitnet);
		emit_resolvers(dc, in, FINDING_ISP_RESOLVER,
			       "Resolvers on another network than your exit: ", reason, pred_bad,
			       &trust);
	}
}

/* The configured resolvers to read: at most VERDICT_CONFIGURED_MAX, none without an array. */
static size_t
n_configured(const struct verdict_in *in)
{
	if (in->configured == NULL)
		return 0;
	return in->n_configured < VERDICT_CONFIGURED_MAX ? in->n_configured
							 : VERDICT_CONFIGURED_MAX;
}

/* Whether the seen resolver r may be one of the nc configured resolvers, or ask for them. */
static bool
explains_configured(const struct verdict_in *in, size_t nc, const struct verdict_resolver *r)
{
	if (r->cls == RESOLVER_TRUSTED)
		return true;
	for (size_t i = 0; i < nc; i++) {
		const struct verdict_configured *c = &in->configured[i];

		if (addr_equal(&c->addr, &r->addr) || (r->net.asn != 0 && c->net.asn == r->net.asn))
			return true;
		/* Anycast services query from many addresses, some in a sister network. */
		if (r->cls == RESOLVER_PUBLIC_DNS && is_public_dns(in->policy, c->net.asn))
			return true;
	}
	return false;
}

static bool
pred_any(const struct verdict_resolver *r, const void *arg)
{
	(void)r;
	(void)arg;
	return true;
}

/*
 * DL-DNS-HIJACK, by the rule of verdict.h: the client asked public resolvers of known networks,
 * and only resolvers of other networks, all known, asked the test server.
 */
static void
emit_hijack(struct decision *dc, const struct verdict_in *in)
{
	size_t nc = n_configured(in);
	char asked[ADDR_TEXT_MAX + 32];
	char addr[ADDR_TEXT_MAX];
	char who[WHO_MAX];
	char lead[ADDR_TEXT_MAX + 64];
	char reason[VERDICT_REASON_MAX];
	struct vtext_detail d;
	size_t others;

	if (nc == 0 || in->n_resolvers == 0)
		return;
	for (size_t i = 0; i < nc; i++) {
		const struct verdict_configured *c = &in->configured[i];
		if (c->net.asn == 0 || !verdict_addr_is_public(&c->addr))
			return;
	}
	for (size_t i = 0; i < in->n_resolvers; i++) {
		const struct verdict_resolver *r = &in->resolvers[i];
		if (r->net.asn == 0 || explains_configured(in, nc, r))
			return;
	}

	addr_fmt(&in->configured[0].addr, addr);
	if (nc > 1)
		(void)snprintf(asked, sizeof(asked), "%s and %zu other resolver%s", addr, nc - 1,
			       nc == 2 ? "" : "s");
	else
		(void)snprintf(asked, sizeof(asked), "%s", addr);
	const struct verdict_resolver *first = first_match(in, pred_any, NULL, &others);
	vtext_who(first, others, who);
	(void)snprintf(reason, sizeof(reason),
		       "You asked %s but %s answered: your network intercepts DNS.", asked, who);
	(void)snprintf(lead, sizeof(lead), "You asked %s; answered by: ", asked);
	vtext_detail_start(&d, emit(dc, FINDING_DNS_HIJACK, reason), lead);
	for (size_t i = 0; i < in->n_resolvers; i++)
		vtext_detail_add_where(&d, &in->resolvers[i].addr, &in->resolvers[i].net);
	vtext_detail_finish(&d);
}

static void
emit_exits(struct decision *dc, const struct verdict_in *in)
{
	const struct verdict_exit *e4 = &in->exit4, *e6 = &in->exit6;
	char reason[VERDICT_REASON_MAX];
	char n4[LABEL_MAX], n6[LABEL_MAX];
	struct vtext_detail d;

	/* Unknown networks prove nothing: a missing ASN is not a different one. */
	if (exit_asn(e4) == 0 || exit_asn(e6) == 0 || e4->net.asn == e6->net.asn)
		return;
	vtext_net(&e4->net, n4);
	vtext_net(&e6->net, n6);
	(void)snprintf(reason, sizeof(reason),
		       "Your IPv6 traffic leaves through %s, not through %s like your IPv4 "
		       "traffic.",
		       n6, n4);
	vtext_detail_start(&d, emit(dc, FINDING_IPV6_UNTUNNELLED, reason), "Exit addresses: ");
	vtext_detail_add_where(&d, &e4->addr, &e4->net);
	vtext_detail_add_where(&d, &e6->addr, &e6->net);
	vtext_detail_finish(&d);
}

/* a is e's address, or (IPv6) in its /64: privacy addresses change, the network does not. */
static bool
near_exit(const struct dl_addr *a, const struct verdict_exit *e)
{
	if (!e->present || e->addr.family != a->family)
		return false;
	return memcmp(a->a, e->addr.a, a->family == 6 ? 8 : 4) == 0;
}

/* The rule of DL-WEBRTC-LEAK in verdict.h, for one candidate. */
static bool
candidate_exposes(const struct verdict_in *in, const struct verdict_candidate *c)
{
	uint32_t asn = c->net.asn;

	if (c->family == 0 || c->type == WEBRTC_RELAY || !verdict_addr_is_public(&c->addr))
		return false;
	if (near_exit(&c->addr, &in->exit4) || near_exit(&c->addr, &in->exit6))
		return false;
	return asn == 0 || (asn != exit_asn(&in->exit4) && asn != exit_asn(&in->exit6));
}

static void
emit_webrtc(struct decision *dc, const struct verdict_in *in)
{
	struct verdict_webrtc *w = in->webrtc;
	const struct verdict_candidate *first = NULL;
	char reason[VERDICT_REASON_MAX];
	char addr[ADDR_TEXT_MAX];
	char net[LABEL_MAX];
	struct vtext_detail d;
	bool local = false;

	if (w == NULL || !w->reported)
		return;
	for (size_t i = 0; i < w->n && i < VERDICT_CANDIDATES_MAX; i++) {
		struct verdict_candidate *c = &w->cands[i];
		/* Nothing to compare with: no exit address came in. */
		c->exposes = (in->exit4.present || in->exit6.present) && candidate_exposes(in, c);
		if (c->exposes && first == NULL)
			first = c;
		local |= c->family != 0 && c->type == WEBRTC_HOST && !verdict_addr_is_public(&c->addr);
	}
	if (first != NULL) {
		addr_fmt(&first->addr, addr);
		if (first->net.asn != 0) {
			vtext_net_inner(&first->net, net);
			(void)snprintf(reason, sizeof(reason),
				       "Your browser's WebRTC reveals %s (%s), outside your VPN or "
				       "proxy, to any web page that asks.",
				       addr, net);
		} else {
			(void)snprintf(reason, sizeof(reason),
				       "Your browser's WebRTC reveals %s, outside your VPN or proxy, "
				       "to any web page that asks.",
				       addr);
		}
		vtext_detail_start(&d, emit(dc, FINDING_WEBRTC_LEAK, reason), "WebRTC reveals: ");
		for (size_t i = 0; i < w->n && i < VERDICT_CANDIDATES_MAX; i++)
			if (w->cands[i].exposes)
				vtext_detail_add_where(&d, &w->cands[i].addr, &w->cands[i].net);
		vtext_detail_finish(&d);
	}
	if (local) {
		vtext_detail_start(&d, emit(dc, FINDING_WEBRTC_LOCAL, ""), "Local addresses WebRTC shows: ");
		for (size_t i = 0; i < w->n && i < VERDICT_CANDIDATES_MAX; i++) {
			const struct verdict_candidate *c = &w->cands[i];
			if (c->family != 0 && c->type == WEBRTC_HOST &&
			    !verdict_addr_is_public(&c->addr))
				vtext_detail_add_where(&d, &c->addr, &c->net);
		}
		vtext_detail_finish(&d);
	}
}

static void
emit_pass_reason(struct verdict_out *out, const struct verdict_in *in, bool trust)
{
	char net[LABEL_MAX];

	if (trust) {
		(void)snprintf(out->reason, sizeof(out->reason), "%s",
			       "Every DNS query came from one of your trusted resolvers.");
		return;
	}
	/* PASS without a trusted list: every resolver is SAME_NETWORK as some exit. */
	uint32_t asn = in->resolvers[0].net.asn;
	const struct verdict_exit *e = exit_asn(&in->exit4) == asn ? &in->exit4 : &in->exit6;
	vtext_net(&e->net, net);
	(void)snprintf(out->reason, sizeof(out->reason),
		       "Your DNS queries are answered on the network your traffic exits through, "
		       "%s.",
		       net);
}

void
verdict_compute(struct verdict_in *in, struct verdict_out *out)
{
	struct decision dc = {.out = out, .verdict = VERDICT_PASS};
	char who[WHO_MAX];
	char reason[VERDICT_REASON_MAX];
	const struct verdict_resolver *first;
	size_t others;

	memset(out, 0, sizeof(*out));
	if (in->resolvers == NULL)
		in->n_resolvers = 0;
	bool trust = n_trusted(in->policy) > 0;
	for (size_t i = 0; i < in->n_resolvers; i++)
		in->resolvers[i].cls = classify(in, &in->resolvers[i]);

	/* In the order of verdict.h: within one weight, the first finding gives the reason. */
	emit_hijack(&dc, in);
	emit_leaks(&dc, in, trust);
	emit_exits(&dc, in);
	emit_webrtc(&dc, in);

	first = first_match(in, pred_public, NULL, &others);
	if (first != NULL) {
		vtext_who(first, others, who);
		(void)snprintf(reason, sizeof(reason),
			       "Your DNS queries go to a public DNS service, %s, a third party "
			       "rather than your VPN or your own network.",
			       who);
		emit_resolvers(&dc, in, FINDING_THIRD_PARTY_RESOLVER, "Public DNS resolvers: ",
			       reason, pred_public, NULL);
	}

	first = first_match(in, pred_ecs, NULL, &others);
	if (first != NULL) {
		vtext_who(first, others, who);
		(void)snprintf(reason, sizeof(reason),
			       "Your resolver %s tells the DNS servers of the sites you look up "
			       "which network you are on (EDNS Client Subnet).",
			       who);
		emit_resolvers(&dc, in, FINDING_ECS_EXPOSED, "Sent EDNS Client Subnet: ", reason,
			       pred_ecs, NULL);
	}

	if (in->n_resolvers == 0) {
		char *buf = emit(&dc, FINDING_NO_DNS_SEEN,
				 "No DNS query reached the test server, so we cannot tell which "
				 "resolvers you use.");
		(void)snprintf(buf, FINDING_DETAIL_MAX, "%s",
			       "No query for this test's names reached the test server.");
	}

	first = first_match(in, pred_unknown, NULL, &others);
	if (!trust && first != NULL) {
		bool exit_known = known_exit(in) != NULL;
		vtext_who(first, others, who);
		if (exit_known)
			(void)snprintf(reason, sizeof(reason),
				       "We do not know which network %s belongs to, so we cannot "
				       "tell whether your DNS leaks.",
				       who);
		else
			(void)snprintf(reason, sizeof(reason), "%s",
				       "We do not know which network your traffic exits through, "
				       "so we cannot tell whether your resolvers are on it.");
		emit_resolvers(&dc, in, FINDING_NO_NETWORK_DATA,
			       exit_known ? "No network data for: "
					  : "No exit network to compare with: ",
			       reason, pred_unknown, NULL);
	}

	if (in->exit4.present && !in->exit6.present) {
		struct vtext_detail d;
		vtext_detail_start(&d, emit(&dc, FINDING_NO_IPV6, ""),
			     "Only an IPv4 exit address was seen: ");
		vtext_detail_add_where(&d, &in->exit4.addr, &in->exit4.net);
		vtext_detail_finish(&d);
	}

	out->verdict = dc.verdict;
	if (out->verdict == VERDICT_PASS)
		emit_pass_reason(out, in, trust);
}
