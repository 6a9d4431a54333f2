/* answer.c -- the zone logic: which records a query gets, and what it tells us. */
#include "answer.h"

#include <string.h>

#define SOA_REFRESH 3600
#define SOA_RETRY 600
#define SOA_EXPIRE 86400
#define CLOCK_SKEW_S 300 /* ids made by another node whose clock runs ahead */

/* The response being built: the writer plus the header fields we patch at the end. */
struct resp {
	struct wcur w;
	const struct zone *z;
	const struct dns_query *q;
	const struct answer_in *in;
	uint16_t flags;
	uint8_t rcode;
	uint16_t an, ns, ar;
	uint16_t apex_off; /* offset of the zone apex inside the echoed question name */
};

enum section { SEC_AN, SEC_NS, SEC_AR };

static const uint8_t LABEL_NS4[] = { 3, 'n', 's', '4' };
static const uint8_t LABEL_NS6[] = { 3, 'n', 's', '6' };
static const uint8_t LABEL_NSV4[] = { 5, 'n', 's', '-', 'v', '4' };
static const uint8_t LABEL_NSV6[] = { 5, 'n', 's', '-', 'v', '6' };
static const uint8_t LABEL_WHOAMI[] = { 6, 'w', 'h', 'o', 'a', 'm', 'i' };
static const uint8_t LABEL_HOSTMASTER[] = { 10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r' };

static bool
label_is(const uint8_t *label, const uint8_t *want)
{
	return label[0] == want[0] && memcmp(label + 1, want + 1, want[0]) == 0;
}

/* A name that is `prefix` (wire labels, no root; may be empty) followed by a pointer. */
static void
put_name(struct resp *r, const uint8_t *prefix, size_t prefix_len, uint16_t suffix_off)
{
	wcur_bytes(&r->w, prefix, prefix_len);
	wcur_u16(&r->w, (uint16_t)(0xC000u | suffix_off));
}

static void
count(struct resp *r, enum section s)
{
	if (s == SEC_AN)
		r->an++;
	else if (s == SEC_NS)
		r->ns++;
	else
		r->ar++;
}

/* Owner, type, class, TTL and a placeholder RDLENGTH; rr_end() fills it in. */
static size_t
rr_begin(struct resp *r, enum section s, const uint8_t *prefix, size_t prefix_len,
	 uint16_t suffix_off, uint16_t type, uint32_t ttl)
{
	put_name(r, prefix, prefix_len, suffix_off);
	wcur_u16(&r->w, type);
	wcur_u16(&r->w, DNS_CLASS_IN);
	wcur_u32(&r->w, ttl);
	size_t at = wcur_len(&r->w);
	wcur_u16(&r->w, 0);
	count(r, s);
	return at;
}

static void
rr_end(struct resp *r, size_t rdlen_at)
{
	wcur_put_u16_at(&r->w, rdlen_at, (uint16_t)(wcur_len(&r->w) - rdlen_at - 2));
}

static void
put_addr_rr(struct resp *r, enum section s, const uint8_t *prefix, size_t prefix_len,
	    uint16_t suffix_off, const struct dl_addr *a, uint32_t ttl)
{
	bool v6 = a->family == 6;
	size_t at =
	    rr_begin(r, s, prefix, prefix_len, suffix_off, v6 ? DNS_TYPE_AAAA : DNS_TYPE_A, ttl);
	wcur_bytes(&r->w, a->a, v6 ? 16 : 4);
	rr_end(r, at);
}

static void
put_addrs(struct resp *r, enum section s, const uint8_t *prefix, size_t prefix_len,
	  uint16_t suffix_off, const struct dl_addr *addrs, size_t n, uint32_t ttl)
{
	for (size_t i = 0; i < n; i++)
		put_addr_rr(r, s, prefix, prefix_len, suffix_off, &addrs[i], ttl);
}

/*
 * SOA of the zone at owner_off. For a child (ns4/ns6) its master is ns-v4/ns-v6 so a resolver
 * that asks the child for its SOA is sent to a name of the right family.
 */
static void
put_soa(struct resp *r, enum section s, uint16_t owner_off, const uint8_t *mname_label,
	uint32_t ttl)
{
	size_t at = rr_begin(r, s, NULL, 0, owner_off, DNS_TYPE_SOA, ttl);
	put_name(r, mname_label, 1u + mname_label[0], r->apex_off);
	put_name(r, LABEL_HOSTMASTER, sizeof(LABEL_HOSTMASTER), r->apex_off);
	wcur_u32(&r->w, r->z->serial);
	wcur_u32(&r->w, SOA_REFRESH);
	wcur_u32(&r->w, SOA_RETRY);
	wcur_u32(&r->w, SOA_EXPIRE);
	wcur_u32(&r->w, ZONE_NEG_TTL);
	rr_end(r, at);
}

static const uint8_t *
primary_ns_label(const struct zone *z)
{
	return z->ns[0].label;
}

static void
put_parent_soa(struct resp *r, enum section s)
{
	put_soa(r, s, r->apex_off, primary_ns_label(r->z), s == SEC_AN ? ZONE_TTL : ZONE_NEG_TTL);
}

/* Every IPv4 (or IPv6) glue address of every --ns name: the addresses of ns-v4 (ns-v6). */
static void
put_family_glue(struct resp *r, enum section s, const uint8_t *owner_label, uint8_t family)
{
	for (size_t i = 0; i < r->z->n_ns; i++) {
		const struct zone_ns *ns = &r->z->ns[i];
		if (family == 4)
			put_addrs(r, s, owner_label, 1u + owner_label[0], r->apex_off, ns->v4,
				  ns->n_v4, ZONE_TTL);
		else
			put_addrs(r, s, owner_label, 1u + owner_label[0], r->apex_off, ns->v6,
				  ns->n_v6, ZONE_TTL);
	}
}

static void
put_apex_ns(struct resp *r)
{
	for (size_t i = 0; i < r->z->n_ns; i++) {
		size_t at = rr_begin(r, SEC_AN, NULL, 0, r->apex_off, DNS_TYPE_NS, ZONE_TTL);
		put_name(r, r->z->ns[i].label, 1u + r->z->ns[i].label[0], r->apex_off);
		rr_end(r, at);
	}
	for (size_t i = 0; i < r->z->n_ns; i++) {
		const struct zone_ns *ns = &r->z->ns[i];
		put_addrs(r, SEC_AR, ns->label, 1u + ns->label[0], r->apex_off, ns->v4, ns->n_v4,
			  ZONE_TTL);
		put_addrs(r, SEC_AR, ns->label, 1u + ns->label[0], r->apex_off, ns->v6, ns->n_v6,
			  ZONE_TTL);
	}
}

/* NS of a child zone (ns4/ns6) at child_off, pointing at ns-v4/ns-v6, with glue. */
static void
put_child_ns(struct resp *r, enum section s, uint16_t child_off, uint8_t family)
{
	const uint8_t *target = family == 4 ? LABEL_NSV4 : LABEL_NSV6;
	size_t at = rr_begin(r, s, NULL, 0, child_off, DNS_TYPE_NS, ZONE_TTL);
	put_name(r, target, 1u + target[0], r->apex_off);
	rr_end(r, at);
	put_family_glue(r, SEC_AR, target, family);
}

static void
put_txt_addr(struct resp *r, const struct dl_addr *a)
{
	char text[ADDR_TEXT_MAX];

	addr_fmt(a, text);
	size_t len = strlen(text);
	size_t at = rr_begin(r, SEC_AN, NULL, 0, DNS_HEADER_LEN, DNS_TYPE_TXT, 0);
	wcur_u8(&r->w, (uint8_t)len);
	wcur_bytes(&r->w, text, len);
	rr_end(r, at);
}

/* A, AAAA or TXT of the asking resolver's own address (whoami.ZONE). TTL 0: never cache. */
static void
answer_whoami(struct resp *r)
{
	const struct dl_addr *peer = &r->in->peer;
	uint16_t qt = r->q->qtype;

	if (qt == DNS_TYPE_TXT) {
		put_txt_addr(r, peer);
	} else if ((qt == DNS_TYPE_A || qt == DNS_TYPE_ANY) && peer->family == 4) {
		put_addr_rr(r, SEC_AN, NULL, 0, DNS_HEADER_LEN, peer, 0);
	} else if ((qt == DNS_TYPE_AAAA || qt == DNS_TYPE_ANY) && peer->family == 6) {
		put_addr_rr(r, SEC_AN, NULL, 0, DNS_HEADER_LEN, peer, 0);
	}
	if (r->an == 0)
		put_parent_soa(r, SEC_NS);
}

/* Answer a test name. kind limits the families: v4-<id> has only A, v6-<id> only AAAA. */
static void
answer_probe(struct resp *r, enum probe_kind kind, uint16_t soa_off, const uint8_t *soa_mname)
{
	uint16_t qt = r->q->qtype;
	bool want_a = (qt == DNS_TYPE_A || qt == DNS_TYPE_ANY) && kind != PROBE_V6;
	bool want_aaaa =
	    (qt == DNS_TYPE_AAAA || (qt == DNS_TYPE_ANY && kind == PROBE_V6)) && kind != PROBE_V4;

	if (want_a)
		put_addrs(r, SEC_AN, NULL, 0, DNS_HEADER_LEN, r->z->web_v4, r->z->n_web_v4, 0);
	else if (want_aaaa)
		put_addrs(r, SEC_AN, NULL, 0, DNS_HEADER_LEN, r->z->web_v6, r->z->n_web_v6, 0);
	else if (qt == DNS_TYPE_TXT && kind == PROBE_NAME)
		put_txt_addr(r, &r->in->peer);
	if (r->an == 0)
		put_soa(r, SEC_NS, soa_off, soa_mname, ZONE_NEG_TTL);
}

static void
observe(const struct resp *r, const struct probe_label *pl, enum obs_name name, uint8_t flags,
	struct answer_out *out)
{
	const struct zone *z = r->z;
	const struct answer_in *in = r->in;
	uint64_t now_s = in->now_us / 1000000u;
	uint64_t created = testid_created(pl->id);

	if (!testid_verify(z->id_key, pl->id)) {
		out->bad_mac = true;
		return;
	}
	if (created + z->test_ttl_s < now_s || created > now_s + CLOCK_SKEW_S) {
		out->expired = true;
		return;
	}
	struct observation *o = &out->obs;
	memset(o, 0, sizeof(*o));
	o->time_us = in->now_us;
	memcpy(o->id, pl->id, TESTID_LEN);
	memcpy(o->nonce, pl->nonce, sizeof(o->nonce));
	o->name = (uint8_t)name;
	o->transport = in->is_tcp ? OBS_TCP : OBS_UDP;
	o->family = in->peer.family;
	memcpy(o->addr, in->peer.a, 16);
	o->port = in->peer_port;
	o->qtype = r->q->qtype;
	o->node = z->node_id;
	o->flags = flags;
	/* The label we parsed is lowercased; the wire name as sent tells whether 0x20 was used. */
	if (memcmp(r->q->qname, r->q->qname_lower, r->q->qname_len) != 0)
		o->flags |= OBS_F_CASE;
	if (r->q->hdr.flags & DNS_FLAG_RD)
		o->flags |= OBS_F_RD;
	if (r->q->has_edns) {
		o->flags |= OBS_F_EDNS;
		o->edns_udp_size = r->q->edns_udp_size;
		if (r->q->edns_do)
			o->flags |= OBS_F_DO;
		if (r->q->has_cookie)
			o->flags |= OBS_F_COOKIE;
	}
	if (r->q->has_ecs) {
		o->ecs_family = r->q->ecs.family == 1 ? 4 : 6;
		o->ecs_source_prefix = r->q->ecs.source_prefix;
		memcpy(o->ecs_addr, r->q->ecs.addr, 16);
	}
	out->observed = true;
}

/* Names at or below ns4.ZONE / ns6.ZONE. labels[] are offsets into the lowercase qname. */
static void
answer_child(struct resp *r, const size_t *labels, size_t k, uint8_t family, struct answer_out *out)
{
	const uint8_t *qn = r->q->qname_lower;
	uint16_t child_off = (uint16_t)(DNS_HEADER_LEN + labels[k - 1]);
	const uint8_t *mname = family == 4 ? LABEL_NSV4 : LABEL_NSV6;
	struct probe_label pl = { .kind = PROBE_NONE };
	enum obs_name name = family == 4 ? OBS_PROBE_NS4 : OBS_PROBE_NS6;

	if (k == 2)
		testid_parse_label(qn + labels[0] + 1, qn[labels[0]], &pl);
	if (k == 1 && r->q->qtype == DNS_TYPE_DS) {
		/* RFC 4035 3.1.4.1: the DS of a delegation is the parent's, over either family. */
		r->flags |= DNS_FLAG_AA;
		put_parent_soa(r, SEC_NS);
		return;
	}
	if (r->in->local_family != family) {
		/* The parent's view: this child is served only over the other family. */
		put_child_ns(r, SEC_NS, child_off, family);
		if (pl.kind == PROBE_NAME)
			observe(r, &pl, name, OBS_F_REFERRAL, out);
		return;
	}
	r->flags |= DNS_FLAG_AA;
	if (k == 1) {
		if (r->q->qtype == DNS_TYPE_SOA || r->q->qtype == DNS_TYPE_ANY) {
			put_soa(r, SEC_AN, child_off, mname, ZONE_TTL);
		} else if (r->q->qtype == DNS_TYPE_NS) {
			put_child_ns(r, SEC_AN, child_off, family);
		} else {
			put_soa(r, SEC_NS, child_off, mname, ZONE_NEG_TTL);
		}
		return;
	}
	if (pl.kind == PROBE_NAME) {
		answer_probe(r, PROBE_NAME, child_off, mname);
		observe(r, &pl, name, 0, out);
		return;
	}
	r->rcode = DNS_RCODE_NXDOMAIN;
	put_soa(r, SEC_NS, child_off, mname, ZONE_NEG_TTL);
}

static void
answer_apex(struct resp *r)
{
	switch (r->q->qtype) {
	case DNS_TYPE_SOA:
	case DNS_TYPE_ANY: /* RFC 8482: one RRset is enough */
		put_parent_soa(r, SEC_AN);
		return;
	case DNS_TYPE_NS:
		put_apex_ns(r);
		return;
	case DNS_TYPE_A:
		put_addrs(r, SEC_AN, NULL, 0, DNS_HEADER_LEN, r->z->web_v4, r->z->n_web_v4,
			  ZONE_APEX_TTL);
		break;
	case DNS_TYPE_AAAA:
		put_addrs(r, SEC_AN, NULL, 0, DNS_HEADER_LEN, r->z->web_v6, r->z->n_web_v6,
			  ZONE_APEX_TTL);
		break;
	}
	if (r->an == 0)
		put_parent_soa(r, SEC_NS);
}

/* One label directly under the apex (labels[0] is it). */
static void
answer_child_label(struct resp *r, const uint8_t *label, struct answer_out *out)
{
	uint16_t qt = r->q->qtype;
	bool a = qt == DNS_TYPE_A || qt == DNS_TYPE_ANY;
	bool aaaa = qt == DNS_TYPE_AAAA || qt == DNS_TYPE_ANY;

	if (label_is(label, LABEL_WHOAMI)) {
		answer_whoami(r);
		return;
	}
	for (size_t i = 0; i < r->z->n_ns; i++) {
		const struct zone_ns *ns = &r->z->ns[i];
		if (!label_is(label, ns->label))
			continue;
		if (a)
			put_addrs(r, SEC_AN, NULL, 0, DNS_HEADER_LEN, ns->v4, ns->n_v4, ZONE_TTL);
		if (aaaa && r->an == 0)
			put_addrs(r, SEC_AN, NULL, 0, DNS_HEADER_LEN, ns->v6, ns->n_v6, ZONE_TTL);
		if (r->an == 0)
			put_parent_soa(r, SEC_NS);
		return;
	}
	if (label_is(label, LABEL_NSV4) || label_is(label, LABEL_NSV6)) {
		uint8_t family = label_is(label, LABEL_NSV4) ? 4 : 6;
		if ((family == 4 && a) || (family == 6 && aaaa))
			put_family_glue(r, SEC_AN, label, family);
		/* The glue helper writes owner label+apex; the qname pointer would do as well. */
		if (r->an == 0)
			put_parent_soa(r, SEC_NS);
		return;
	}
	struct probe_label pl;
	testid_parse_label(label + 1, label[0], &pl);
	if (pl.kind != PROBE_NONE) {
		answer_probe(r, pl.kind, r->apex_off, primary_ns_label(r->z));
		enum obs_name name = pl.kind == PROBE_V4   ? OBS_EXIT_V4
				     : pl.kind == PROBE_V6 ? OBS_EXIT_V6
							   : OBS_PROBE;
		observe(r, &pl, name, 0, out);
		return;
	}
	r->rcode = DNS_RCODE_NXDOMAIN;
	put_parent_soa(r, SEC_NS);
}

static void
answer_in_zone(struct resp *r, struct answer_out *out)
{
	const uint8_t *qn = r->q->qname_lower;
	size_t labels[DNS_LABELS_MAX];
	size_t total = 0;

	for (size_t p = 0; qn[p] != 0; p += 1u + qn[p])
		labels[total++] = p;
	size_t k = total - dnswire_name_labels(r->z->apex, r->z->apex_len);

	r->flags |= DNS_FLAG_AA;
	if (k == 0) {
		answer_apex(r);
		return;
	}
	const uint8_t *last = qn + labels[k - 1];
	if (label_is(last, LABEL_NS4) || label_is(last, LABEL_NS6)) {
		r->flags &= (uint16_t)~DNS_FLAG_AA; /* answer_child decides */
		answer_child(r, labels, k, label_is(last, LABEL_NS4) ? 4 : 6, out);
		return;
	}
	if (k == 1) {
		answer_child_label(r, last, out);
		return;
	}
	r->rcode = DNS_RCODE_NXDOMAIN;
	put_parent_soa(r, SEC_NS);
}

/* Header and echoed question; the counts are patched by finish(). */
static void
begin(struct resp *r, bool with_question)
{
	r->w.pos = r->w.base;
	r->w.full = false;
	wcur_u16(&r->w, r->q->hdr.id);
	wcur_u16(&r->w, 0);
	wcur_u16(&r->w, with_question ? 1 : 0);
	wcur_u16(&r->w, 0);
	wcur_u16(&r->w, 0);
	wcur_u16(&r->w, 0);
	if (with_question) {
		wcur_bytes(&r->w, r->q->qname, r->q->qname_len);
		wcur_u16(&r->w, r->q->qtype);
		wcur_u16(&r->w, r->q->qclass);
	}
	r->an = r->ns = r->ar = 0;
}

static void
finish(struct resp *r, bool with_opt, uint16_t udp_size, struct answer_out *out)
{
	uint8_t ext = (uint8_t)(r->rcode >> 4);

	if (with_opt) {
		dnswire_write_opt(&r->w, udp_size, ext, r->q->edns_do,
				  r->q->has_ecs ? &r->q->ecs : NULL);
		r->ar++;
	}
	uint16_t flags =
	    (uint16_t)(DNS_FLAG_QR | (r->q->hdr.flags & (0x7800u | DNS_FLAG_RD | DNS_FLAG_CD)) |
		       r->flags | (r->rcode & 0xfu));
	wcur_put_u16_at(&r->w, 2, flags);
	wcur_put_u16_at(&r->w, 6, r->an);
	wcur_put_u16_at(&r->w, 8, r->ns);
	wcur_put_u16_at(&r->w, 10, r->ar);
	out->resp_len = r->w.full ? 0 : wcur_len(&r->w);
	out->rcode = r->rcode;
}

/* An error reply: header, the question when it parsed, no records. */
static void
reply_error(struct resp *r, uint8_t rcode, bool with_question, bool with_opt, uint16_t udp_size,
	    struct answer_out *out)
{
	begin(r, with_question);
	r->flags = 0;
	r->rcode = rcode;
	finish(r, with_opt, udp_size, out);
}

void
answer_query(const struct zone *z, const struct answer_in *in, uint8_t *resp, size_t cap,
	     struct answer_out *out)
{
	struct dns_query q;
	struct resp r = { .w = wcur_make(resp, cap), .z = z, .q = &q, .in = in };

	out->resp_len = 0;
	out->rcode = 0;
	out->observed = out->bad_mac = out->expired = out->truncated = false;

	enum dl_err rc = dnswire_parse_query(in->query, in->query_len, &q);
	/* RFC 1035 4.1.1 / NSD query_process(): never answer a runt or an answer. */
	if (in->query_len < DNS_HEADER_LEN || (q.hdr.flags & DNS_FLAG_QR))
		return;
	bool question_ok = q.question_end != 0;
	if (DNS_OPCODE(q.hdr.flags) != DNS_OPCODE_QUERY) {
		reply_error(&r, DNS_RCODE_NOTIMP, question_ok, false, 0, out);
		return;
	}
	if (rc != DL_E_OK) {
		reply_error(&r, DNS_RCODE_FORMERR, question_ok && rc != DL_E_QDCOUNT, false, 0,
			    out);
		return;
	}

	size_t limit = DNS_UDP_MIN;
	if (in->is_tcp)
		limit = cap;
	else if (q.has_edns && q.edns_udp_size > DNS_UDP_MIN)
		limit = q.edns_udp_size < DNS_UDP_MAX ? q.edns_udp_size : DNS_UDP_MAX;
	if (limit > cap)
		limit = cap;
	/* Records are written first and the OPT last: keep its room free from the start. */
	size_t opt_len = 0;
	if (q.has_edns)
		opt_len = 11 + (q.has_ecs ? 8 + (q.ecs.source_prefix + 7u) / 8u : 0);
	r.w = wcur_make(resp, limit);

	if (q.has_edns && q.edns_version != 0) { /* RFC 6891 6.1.3 */
		reply_error(&r, DNS_RCODE_BADVERS, true, true, DNS_UDP_MAX, out);
		return;
	}
	if (q.qtype == DNS_TYPE_OPT) {
		reply_error(&r, DNS_RCODE_FORMERR, true, q.has_edns, DNS_UDP_MAX, out);
		return;
	}
	bool in_zone = dnswire_name_is_under(q.qname_lower, q.qname_len, z->apex, z->apex_len);
	bool class_ok = q.qclass == DNS_CLASS_IN || q.qclass == DNS_CLASS_ANY;
	bool transfer = q.qtype == DNS_TYPE_AXFR || q.qtype == DNS_TYPE_IXFR;
	if (!in_zone || !class_ok || transfer) {
		reply_error(&r, DNS_RCODE_REFUSED, true, q.has_edns, DNS_UDP_MAX, out);
		return;
	}

	begin(&r, true);
	r.apex_off = (uint16_t)(DNS_HEADER_LEN + q.qname_len - z->apex_len);
	if ((size_t)(r.w.end - r.w.pos) < opt_len)
		r.w.full = true; /* not even the OPT fits after the question */
	else
		r.w.end -= opt_len;
	answer_in_zone(&r, out);
	r.w.end = resp + limit;
	if (r.w.full) {
		/* RFC 2181 9 / RFC 7766: say it did not fit and let the resolver retry over TCP. */
		uint8_t rcode = r.rcode;
		uint16_t flags = r.flags;
		begin(&r, true);
		r.rcode = rcode;
		r.flags = flags | DNS_FLAG_TC;
		out->truncated = true;
	}
	finish(&r, q.has_edns, DNS_UDP_MAX, out);
}
