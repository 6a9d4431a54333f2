/* results.c -- shape one test's observations, their networks and verdict into the results JSON. */
#include "results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "findings.h"
#include "webrtc.h"
#include "webrtc_report.h"

#define LAST_SECOND_9999 253402300799ull /* 9999-12-31T23:59:59Z */

/* One resolver address and the run of sorted keys that belong to it. */
struct group {
	size_t key_start; /* first of its keys[] */
	size_t count;
	size_t first_idx; /* arrival index of its first observation */
	uint64_t first_us;
	uint64_t last_us;
};

/* An observation's resolver address and arrival index, sorted to find each resolver's run. */
struct key {
	uint8_t family;
	uint8_t addr[16];
	size_t idx;
};

static const char *const name_text[] = {
	[OBS_PROBE] = "probe",
	[OBS_PROBE_NS4] = "ns4",
	[OBS_PROBE_NS6] = "ns6",
	[OBS_EXIT_V4] = "v4",
	[OBS_EXIT_V6] = "v6",
};
#define NAME_KINDS (sizeof(name_text) / sizeof(name_text[0]))

static const char *const transport_text[] = {
	[OBS_UDP] = "udp",
	[OBS_TCP] = "tcp",
	[OBS_HTTP] = "http",
};
#define TRANSPORTS (sizeof(transport_text) / sizeof(transport_text[0]))

void
results_time_text(uint64_t time_us, bool with_ms, char out[static RESULTS_TIME_MAX])
{
	uint64_t secs = time_us / 1000000;
	unsigned ms = (unsigned)(time_us / 1000 % 1000);
	time_t t;
	struct tm tm;
	size_t len;

	if (secs > LAST_SECOND_9999) {
		secs = LAST_SECOND_9999;
		ms = 999;
	}
	t = (time_t)secs;
	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm)); /* unreachable for years 1970..9999 */
	/* strftime, not snprintf of the int fields, which GCC cannot bound (format-truncation). */
	len = strftime(out, RESULTS_TIME_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
	if (with_ms)
		snprintf(out + len, RESULTS_TIME_MAX - len, ".%03uZ", ms % 1000);
	else
		snprintf(out + len, RESULTS_TIME_MAX - len, "Z");
}

const char *
results_qtype_name(uint16_t qtype, char out[static RESULTS_QTYPE_MAX])
{
	static const struct {
		uint16_t type;
		const char *name;
	} names[] = {
		{ DNS_TYPE_A, "A" },       { DNS_TYPE_NS, "NS" },   { DNS_TYPE_CNAME, "CNAME" },
		{ DNS_TYPE_SOA, "SOA" },   { DNS_TYPE_PTR, "PTR" }, { DNS_TYPE_MX, "MX" },
		{ DNS_TYPE_TXT, "TXT" },   { DNS_TYPE_AAAA, "AAAA" }, { DNS_TYPE_DS, "DS" },
		{ DNS_TYPE_ANY, "ANY" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].type == qtype) {
			snprintf(out, RESULTS_QTYPE_MAX, "%s", names[i].name);
			return out;
		}
	}
	snprintf(out, RESULTS_QTYPE_MAX, "TYPE%u", (unsigned)qtype);
	return out;
}

void
results_ecs_text(const struct observation *o, char out[static RESULTS_ECS_MAX])
{
	struct dl_addr a;
	char text[ADDR_TEXT_MAX];
	unsigned max_bits;
	unsigned prefix;

	out[0] = '\0';
	if (o->ecs_family != 4 && o->ecs_family != 6)
		return;
	memset(&a, 0, sizeof(a));
	a.family = o->ecs_family;
	max_bits = o->ecs_family == 4 ? 32 : 128;
	prefix = o->ecs_source_prefix < max_bits ? o->ecs_source_prefix : max_bits;
	memcpy(a.a, o->ecs_addr, max_bits / 8);
	/* RFC 7871 6: bits past the source prefix must be zero; show the network, not the host. */
	for (unsigned bit = prefix; bit < max_bits; bit++)
		a.a[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	addr_fmt(&a, text);
	snprintf(out, RESULTS_ECS_MAX, "%s/%u", text, prefix);
}

static struct dl_addr
resolver_addr(const struct observation *o)
{
	struct dl_addr a;

	memset(&a, 0, sizeof(a));
	a.family = o->family == 6 ? 6 : 4;
	memcpy(a.a, o->addr, a.family == 6 ? 16 : 4);
	return a;
}

static int
key_cmp(const void *pa, const void *pb)
{
	const struct key *a = pa;
	const struct key *b = pb;
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c != 0)
		return c;
	if (a->idx != b->idx)
		return a->idx < b->idx ? -1 : 1;
	return 0;
}

static int
group_cmp(const void *pa, const void *pb)
{
	const struct group *a = pa;
	const struct group *b = pb;

	if (a->first_us != b->first_us)
		return a->first_us < b->first_us ? -1 : 1;
	if (a->first_idx != b->first_idx)
		return a->first_idx < b->first_idx ? -1 : 1;
	return 0;
}

static int
u16_cmp(const void *pa, const void *pb)
{
	uint16_t a = *(const uint16_t *)pa;
	uint16_t b = *(const uint16_t *)pb;

	return (a > b) - (a < b);
}

/* Printable ASCII only: a nonce is [a-z0-9] already, this keeps a bad record from failing all. */
static json_t *
nonce_json(const struct observation *o)
{
	char s[ZONE_NONCE_MAX + 1];
	size_t len = strnlen(o->nonce, sizeof(o->nonce));

	if (len > ZONE_NONCE_MAX)
		len = ZONE_NONCE_MAX;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)o->nonce[i];
		s[i] = ch > 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	s[len] = '\0';
	return json_string(s);
}

static json_t *
time_json(uint64_t time_us, bool with_ms)
{
	char s[RESULTS_TIME_MAX];

	results_time_text(time_us, with_ms, s);
	return json_string(s);
}

/* Whole seconds, clamped before the multiplication can wrap. */
static json_t *
seconds_json(uint64_t secs)
{
	return time_json((secs > LAST_SECOND_9999 ? LAST_SECOND_9999 : secs) * 1000000, false);
}

static json_t *
ecs_json(const struct observation *o)
{
	char s[RESULTS_ECS_MAX];

	results_ecs_text(o, s);
	return s[0] == '\0' ? json_null() : json_string(s);
}

static json_t *
edns_json(const struct observation *o)
{
	return (o->flags & OBS_F_EDNS) ? json_integer(o->edns_udp_size) : json_null();
}

static json_t *
addr_json(const struct observation *o)
{
	struct dl_addr a = resolver_addr(o);
	char s[ADDR_TEXT_MAX];

	addr_fmt(&a, s);
	return json_string(s);
}

/* json_object_set_new() and json_array_append_new() take NULL values and fail: -1 on any. */
static json_t *
observation_json(const struct observation *o)
{
	char qt[RESULTS_QTYPE_MAX];
	json_t *j = json_object();
	int bad = 0;

	if (j == NULL)
		return NULL;
	bad |= json_object_set_new(j, "time", time_json(o->time_us, true));
	bad |= json_object_set_new(j, "nonce", nonce_json(o));
	bad |= json_object_set_new(
		j, "name", json_string(o->name < NAME_KINDS && name_text[o->name] != NULL
					       ? name_text[o->name]
					       : "unknown"));
	bad |= json_object_set_new(j, "resolver", addr_json(o));
	bad |= json_object_set_new(j, "port", json_integer(o->port));
	bad |= json_object_set_new(j, "family", json_integer(o->family == 6 ? 6 : 4));
	bad |= json_object_set_new(
		j, "transport",
		json_string(o->transport < TRANSPORTS && transport_text[o->transport] != NULL
				    ? transport_text[o->transport]
				    : "unknown"));
	/* An HTTP observation asked no DNS question. */
	bad |= json_object_set_new(j, "qtype", o->transport == OBS_HTTP
						       ? json_null()
						       : json_string(results_qtype_name(o->qtype, qt)));
	bad |= json_object_set_new(j, "edns_udp_size", edns_json(o));
	bad |= json_object_set_new(j, "dnssec_ok", json_boolean(o->flags & OBS_F_DO));
	bad |= json_object_set_new(j, "cookie", json_boolean(o->flags & OBS_F_COOKIE));
	bad |= json_object_set_new(j, "case_randomized", json_boolean(o->flags & OBS_F_CASE));
	bad |= json_object_set_new(j, "recursion_desired", json_boolean(o->flags & OBS_F_RD));
	bad |= json_object_set_new(j, "referral", json_boolean(o->flags & OBS_F_REFERRAL));
	bad |= json_object_set_new(j, "ecs", ecs_json(o));
	bad |= json_object_set_new(j, "node", json_integer(o->node));
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/*
 * Text from elsewhere (a database's organisation, a finding's detail): as it is when it is
 * UTF-8, which jansson checks; otherwise printable ASCII with '?' for the rest, so one bad
 * string never costs the whole document.
 */
static json_t *
text_json(const char *s, size_t cap)
{
	char safe[FINDING_DETAIL_MAX > NET_ORG_MAX ? FINDING_DETAIL_MAX : NET_ORG_MAX];
	size_t len = strnlen(s, cap);
	json_t *j = json_stringn(s, len);

	if (j != NULL)
		return j;
	if (len >= sizeof(safe))
		len = sizeof(safe) - 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		safe[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	return json_stringn(safe, len);
}

/* "asn", "org", "country" of obj from net: null where unknown. -1 on failure. */
static int
net_json(json_t *obj, const struct net_info *net)
{
	bool has_country = net->country[0] >= 'A' && net->country[0] <= 'Z' &&
			   net->country[1] >= 'A' && net->country[1] <= 'Z' && net->country[2] == '\0';
	int bad = 0;

	bad |= json_object_set_new(obj, "asn", net->asn != 0 ? json_integer(net->asn) : json_null());
	bad |= json_object_set_new(obj, "org", net->org[0] != '\0'
						       ? text_json(net->org, sizeof(net->org))
						       : json_null());
	bad |= json_object_set_new(obj, "country",
				   has_country ? json_string(net->country) : json_null());
	bad |= json_object_set_new(obj, "ptr", net->ptr[0] != '\0'
						       ? text_json(net->ptr, sizeof(net->ptr))
						       : json_null());
	return bad;
}

/*
 * The summary of one resolver: g's keys list its observations in arrival order, vr is its
 * network and class. qtypes is scratch room for g->count entries.
 */
static json_t *
resolver_json(const struct observation *obs, const struct key *keys, const struct group *g,
	      const struct verdict_resolver *vr, uint16_t *qtypes)
{
	const struct observation *first = &obs[keys[g->key_start].idx];
	const struct observation *edns = NULL;
	const struct observation *ecs = NULL;
	unsigned names = 0;
	unsigned transports = 0;
	uint8_t flags = 0;
	size_t nq = 0;
	char qt[RESULTS_QTYPE_MAX];
	json_t *j = NULL;
	json_t *arr = NULL;
	int bad = 0;

	for (size_t i = 0; i < g->count; i++) {
		const struct observation *o = &obs[keys[g->key_start + i].idx];

		if (o->name < NAME_KINDS && name_text[o->name] != NULL)
			names |= 1u << o->name;
		if (o->transport < TRANSPORTS && transport_text[o->transport] != NULL)
			transports |= 1u << o->transport;
		flags |= o->flags;
		if (edns == NULL && (o->flags & OBS_F_EDNS))
			edns = o;
		if (ecs == NULL && (o->ecs_family == 4 || o->ecs_family == 6))
			ecs = o;
		qtypes[i] = o->qtype;
	}
	qsort(qtypes, g->count, sizeof(qtypes[0]), u16_cmp);

	j = json_object();
	if (j == NULL)
		return NULL;
	bad |= json_object_set_new(j, "address", addr_json(first));
	bad |= json_object_set_new(j, "family", json_integer(first->family == 6 ? 6 : 4));
	bad |= json_object_set_new(j, "queries", json_integer((json_int_t)g->count));
	bad |= net_json(j, &vr->net);
	bad |= json_object_set_new(j, "trusted", json_boolean(vr->cls == RESOLVER_TRUSTED));
	bad |= json_object_set_new(j, "classification",
				   json_string(resolver_class_name(vr->cls)));

	arr = json_array();
	for (size_t t = 0; t < TRANSPORTS; t++) {
		if (transports & (1u << t))
			bad |= json_array_append_new(arr, json_string(transport_text[t]));
	}
	bad |= json_object_set_new(j, "transports", arr);

	arr = json_array();
	for (size_t i = 0; i < g->count; i++) {
		if (i > 0 && qtypes[i] == qtypes[nq - 1])
			continue;
		qtypes[nq++] = qtypes[i];
		bad |= json_array_append_new(arr, json_string(results_qtype_name(qtypes[i], qt)));
	}
	bad |= json_object_set_new(j, "qtypes", arr);

	arr = json_array();
	for (size_t k = 0; k < NAME_KINDS; k++) {
		if (names & (1u << k))
			bad |= json_array_append_new(arr, json_string(name_text[k]));
	}
	bad |= json_object_set_new(j, "names", arr);

	/* A resolver may vary these per query; the first query that carried one speaks for it. */
	bad |= json_object_set_new(j, "ecs", ecs != NULL ? ecs_json(ecs) : json_null());
	bad |= json_object_set_new(j, "edns_udp_size", edns != NULL ? edns_json(edns) : json_null());
	bad |= json_object_set_new(j, "dnssec_ok", json_boolean(flags & OBS_F_DO));
	bad |= json_object_set_new(j, "cookie", json_boolean(flags & OBS_F_COOKIE));
	bad |= json_object_set_new(j, "case_randomized", json_boolean(flags & OBS_F_CASE));
	bad |= json_object_set_new(j, "first_seen", time_json(g->first_us, true));
	bad |= json_object_set_new(j, "last_seen", time_json(g->last_us, true));
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/*
 * Sort the DNS observations' keys by address, then cut them into one group per address, in
 * first-seen order. keys and groups have room for n. Returns the number of groups.
 */
static size_t
group_resolvers(const struct observation *obs, size_t n, struct key *keys, struct group *groups)
{
	size_t ng = 0;
	size_t nk = 0;

	for (size_t i = 0; i < n; i++) {
		if (obs[i].transport == OBS_HTTP || obs[i].transport == OBS_WEBRTC)
			continue; /* the client's exit address or browser, not a resolver */
		memset(&keys[nk], 0, sizeof(keys[nk]));
		keys[nk].family = obs[i].family == 6 ? 6 : 4;
		memcpy(keys[nk].addr, obs[i].addr, keys[nk].family == 6 ? 16 : 4);
		keys[nk].idx = i;
		nk++;
	}
	if (nk == 0)
		return 0; /* keys may be NULL: qsort must not see it */
	qsort(keys, nk, sizeof(keys[0]), key_cmp);

	for (size_t i = 0; i < nk; i++) {
		const struct observation *o = &obs[keys[i].idx];
		struct group *g;

		if (i == 0 || keys[i].family != keys[i - 1].family ||
		    memcmp(keys[i].addr, keys[i - 1].addr, sizeof(keys[i].addr)) != 0) {
			g = &groups[ng++];
			g->key_start = i;
			g->count = 0;
			g->first_idx = keys[i].idx;
			g->first_us = o->time_us;
			g->last_us = o->time_us;
		}
		g = &groups[ng - 1];
		g->count++;
		/* Several DNS threads feed the store, so arrival order is only nearly time order. */
		if (o->time_us < g->first_us)
			g->first_us = o->time_us;
		if (o->time_us > g->last_us)
			g->last_us = o->time_us;
	}
	qsort(groups, ng, sizeof(groups[0]), group_cmp);
	return ng;
}

/* Grouping scratch for n observations; all NULL when n is 0. */
struct scratch {
	struct key *keys;
	struct group *groups;
	uint16_t *qtypes;
};

static void
scratch_free(struct scratch *sc)
{
	free(sc->qtypes);
	free(sc->groups);
	free(sc->keys);
	memset(sc, 0, sizeof(*sc));
}

static enum dl_err
scratch_alloc(struct scratch *sc, size_t n)
{
	memset(sc, 0, sizeof(*sc));
	if (n == 0)
		return DL_E_OK;
	sc->keys = calloc(n, sizeof(*sc->keys));
	sc->groups = calloc(n, sizeof(*sc->groups));
	sc->qtypes = calloc(n, sizeof(*sc->qtypes));
	if (sc->keys == NULL || sc->groups == NULL || sc->qtypes == NULL) {
		scratch_free(sc);
		return DL_E_NOMEM;
	}
	return DL_E_OK;
}

enum dl_err
results_summarize(const struct observation *obs, size_t n, struct results_summary *out)
{
	struct scratch sc;
	const struct observation *latest4 = NULL;
	const struct observation *latest6 = NULL;
	size_t ng;

	memset(out, 0, sizeof(*out));
	if (scratch_alloc(&sc, n) != DL_E_OK)
		return DL_E_NOMEM;
	ng = group_resolvers(obs, n, sc.keys, sc.groups);
	if (ng > 0) {
		out->resolvers = calloc(ng, sizeof(*out->resolvers));
		if (out->resolvers == NULL) {
			scratch_free(&sc);
			return DL_E_NOMEM;
		}
	}
	for (size_t i = 0; i < ng; i++) {
		const struct group *g = &sc.groups[i];
		struct verdict_resolver *r = &out->resolvers[i];

		r->addr = resolver_addr(&obs[sc.keys[g->key_start].idx]);
		r->queries = g->count > UINT32_MAX ? UINT32_MAX : (uint32_t)g->count;
		for (size_t k = 0; k < g->count; k++) {
			const struct observation *o = &obs[sc.keys[g->key_start + k].idx];
			if (o->ecs_family == 4 || o->ecs_family == 6)
				r->sent_ecs = true;
		}
		r->cls = RESOLVER_UNKNOWN;
	}
	out->n_resolvers = ng;

	for (size_t i = 0; i < n; i++) {
		const struct observation *o = &obs[i];
		const struct observation **latest = o->family == 6 ? &latest6 : &latest4;

		if (o->transport == OBS_WEBRTC)
			continue; /* summarized below */
		if (o->transport != OBS_HTTP) {
			out->dns_total++;
			continue;
		}
		out->http_total++;
		/* Latest by time; among equal times the later arrival. */
		if (*latest == NULL || o->time_us >= (*latest)->time_us)
			*latest = o;
	}
	if (latest4 != NULL) {
		out->exit4.present = true;
		out->exit4.addr = resolver_addr(latest4);
	}
	if (latest6 != NULL) {
		out->exit6.present = true;
		out->exit6.addr = resolver_addr(latest6);
	}
	webrtc_report_summarize(obs, n, &out->webrtc);
	scratch_free(&sc);
	return DL_E_OK;
}

void
results_summary_free(struct results_summary *s)
{
	free(s->resolvers);
	memset(s, 0, sizeof(*s));
}

static json_t *
exit_json(const struct verdict_exit *e)
{
	char text[ADDR_TEXT_MAX];
	json_t *j;

	if (!e->present)
		return json_null();
	j = json_object();
	if (j == NULL)
		return NULL;
	addr_fmt(&e->addr, text);
	if (json_object_set_new(j, "address", json_string(text)) != 0 || net_json(j, &e->net) != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *
candidate_json(const struct verdict_candidate *c)
{
	char text[ADDR_TEXT_MAX];
	json_t *j = json_object();
	int bad = 0;

	if (j == NULL)
		return NULL;
	if (c->family != 0)
		addr_fmt(&c->addr, text);
	bad |= json_object_set_new(j, "type", json_string(webrtc_cand_type_name(c->type)));
	bad |= json_object_set_new(j, "protocol", json_string(c->tcp ? "tcp" : "udp"));
	bad |= json_object_set_new(j, "address", c->family != 0 ? json_string(text) : json_null());
	bad |= json_object_set_new(j, "mdns", json_boolean(c->family == 0));
	bad |= json_object_set_new(j, "port", json_integer(c->port));
	bad |= json_object_set_new(j, "family",
				   c->family != 0 ? json_integer(c->family) : json_null());
	bad |= net_json(j, &c->net);
	bad |= json_object_set_new(j, "exposes", json_boolean(c->exposes));
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The page's WebRTC report, judged (verdict_compute set each candidate's exposes); null if none. */
static json_t *
webrtc_json(const struct verdict_webrtc *w)
{
	json_t *j;
	json_t *arr;
	bool leak = false;
	int bad = 0;

	if (!w->reported)
		return json_null();
	j = json_object();
	arr = json_array();
	if (j == NULL || arr == NULL) {
		json_decref(j);
		json_decref(arr);
		return NULL;
	}
	for (size_t i = 0; i < w->n && i < VERDICT_CANDIDATES_MAX && !bad; i++) {
		bad |= json_array_append_new(arr, candidate_json(&w->cands[i]));
		leak |= w->cands[i].exposes;
	}
	bad |= json_object_set_new(j, "available", json_boolean(w->available));
	bad |= json_object_set_new(j, "candidates", arr);
	bad |= json_object_set_new(j, "skipped", json_integer((json_int_t)w->skipped));
	bad |= json_object_set_new(j, "leak", json_boolean(leak));
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *
exits_json(const struct results_summary *sum)
{
	json_t *j = json_object();
	int bad = 0;

	if (j == NULL)
		return NULL;
	bad |= json_object_set_new(j, "ipv4", exit_json(&sum->exit4));
	bad |= json_object_set_new(j, "ipv6", exit_json(&sum->exit6));
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* A NULL-terminated list of at most max static strings as a JSON array. */
static json_t *
steps_json(const char *const *steps, size_t max)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < max && steps[i] != NULL; i++) {
		if (json_array_append_new(arr, text_json(steps[i], SIZE_MAX)) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

/* {"systemd-resolved": [...], ...}: every platform of def that has steps, in enum order. */
static json_t *
platforms_json(const struct finding_def *def)
{
	json_t *obj = json_object();
	int bad = 0;

	if (obj == NULL)
		return NULL;
	for (size_t p = 0; def != NULL && p < PLATFORM_COUNT && !bad; p++) {
		const char *const *steps = findings_platform_steps(def, (enum platform)p);
		if (steps[0] != NULL)
			bad |= json_object_set_new(obj, platform_name((enum platform)p),
						   steps_json(steps, FINDING_PLATFORM_STEPS_MAX));
	}
	if (bad) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/*
 * A finding's catalogue entry: id, severity, inconclusive, title, explain, steps, platforms.
 * def may be NULL (an id the catalogue lacks): then the id is the title and the rest is empty.
 */
static json_t *
entry_json(const char *id, const struct finding_def *def)
{
	static const char *const no_steps[] = { NULL };
	json_t *j = json_object();
	int bad = 0;

	if (j == NULL)
		return NULL;
	bad |= json_object_set_new(j, "id", text_json(id, SIZE_MAX));
	bad |= json_object_set_new(j, "severity",
				   json_string(severity_name(def != NULL ? def->severity : SEV_INFO)));
	bad |=
	    json_object_set_new(j, "inconclusive", json_boolean(def != NULL && def->inconclusive));
	bad |= json_object_set_new(
	    j, "title", text_json(def != NULL && def->title != NULL ? def->title : id, SIZE_MAX));
	bad |= json_object_set_new(j, "explain",
				   text_json(def != NULL && def->explain != NULL ? def->explain : "",
					     SIZE_MAX));
	bad |= json_object_set_new(
	    j, "steps", steps_json(def != NULL ? def->steps : no_steps, FINDING_STEPS_MAX));
	bad |= json_object_set_new(j, "platforms", platforms_json(def));
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* One finding of this test: its catalogue entry, and what this test showed (detail). */
static json_t *
finding_json(const struct verdict_finding *f)
{
	json_t *j;

	if (f->id == NULL)
		return NULL;
	/* Every id verdict_compute() emits is catalogued; should one not be, say so plainly. */
	j = entry_json(f->id, findings_lookup(f->id));
	if (j != NULL &&
	    json_object_set_new(j, "detail", text_json(f->detail, sizeof(f->detail))) != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

enum dl_err
results_findings_json(json_t **out)
{
	size_t n = 0;
	const struct finding_def *all = findings_all(&n);
	json_t *arr = json_array();
	json_t *doc;
	int bad = arr == NULL;

	for (size_t i = 0; i < n && !bad; i++)
		bad |= json_array_append_new(arr, entry_json(all[i].id, &all[i]));
	if (bad) {
		json_decref(arr);
		return DL_E_NOMEM;
	}
	doc = json_object();
	if (doc == NULL || json_object_set_new(doc, "findings", arr) != 0) {
		json_decref(doc);
		return DL_E_NOMEM;
	}
	*out = doc;
	return DL_E_OK;
}

/* The configured resolvers the client named, with their networks. */
static json_t *
configured_json(const struct verdict_configured *c, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && c != NULL && i < n; i++) {
		char text[ADDR_TEXT_MAX];
		json_t *j = json_object();

		addr_fmt(&c[i].addr, text);
		if (j == NULL || json_object_set_new(j, "address", json_string(text)) != 0 ||
		    json_object_set_new(j, "family", json_integer(c[i].addr.family == 6 ? 6 : 4)) !=
			0 ||
		    net_json(j, &c[i].net) != 0 || json_array_append_new(arr, j) != 0) {
			json_decref(j);
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

/* The summary must be this grouping's: same resolvers in the same order. */
static bool
summary_matches(const struct results_summary *sum, const struct observation *obs,
		const struct scratch *sc, size_t ng)
{
	if (sum->n_resolvers != ng || (ng > 0 && sum->resolvers == NULL))
		return false;
	for (size_t i = 0; i < ng; i++) {
		struct dl_addr a = resolver_addr(&obs[sc->keys[sc->groups[i].key_start].idx]);
		if (!addr_equal(&a, &sum->resolvers[i].addr))
			return false;
	}
	return true;
}

enum dl_err
results_json(const struct results_in *in, json_t **out)
{
	const struct results_summary *sum = in->sum;
	const struct verdict_out *v = in->verdict;
	struct scratch sc;
	json_t *doc = NULL;
	json_t *arr = NULL;
	size_t ng = 0;
	size_t nf;
	enum dl_err rc;
	int bad = 0;

	rc = scratch_alloc(&sc, in->n);
	if (rc != DL_E_OK)
		return rc;
	ng = group_resolvers(in->obs, in->n, sc.keys, sc.groups);
	rc = DL_E_FORMAT;
	if (sum == NULL || v == NULL || !summary_matches(sum, in->obs, &sc, ng))
		goto out;
	rc = DL_E_NOMEM;

	doc = json_object();
	if (doc == NULL)
		goto out;
	bad |= json_object_set_new(doc, "id", json_string(in->id_text));
	bad |= json_object_set_new(doc, "zone", json_string(in->zone_text));
	bad |= json_object_set_new(doc, "created", seconds_json(in->created_s));
	bad |= json_object_set_new(doc, "expires", seconds_json(in->expires_s));
	bad |= json_object_set_new(doc, "verdict", json_string(verdict_name(v->verdict)));
	bad |= json_object_set_new(doc, "reason", text_json(v->reason, sizeof(v->reason)));

	arr = json_array();
	nf = v->n_findings < VERDICT_FINDINGS_MAX ? v->n_findings : VERDICT_FINDINGS_MAX;
	for (size_t i = 0; i < nf && !bad; i++)
		bad |= json_array_append_new(arr, finding_json(&v->findings[i]));
	bad |= json_object_set_new(doc, "findings", arr);

	bad |= json_object_set_new(doc, "total", json_integer((json_int_t)sum->dns_total));
	bad |= json_object_set_new(doc, "http_total", json_integer((json_int_t)sum->http_total));
	bad |= json_object_set_new(doc, "exit", exits_json(sum));
	bad |= json_object_set_new(doc, "configured",
				   configured_json(in->configured, in->n_configured));

	arr = json_array();
	for (size_t i = 0; i < ng && !bad; i++)
		bad |= json_array_append_new(arr, resolver_json(in->obs, sc.keys, &sc.groups[i],
								&sum->resolvers[i], sc.qtypes));
	bad |= json_object_set_new(doc, "resolvers", arr);

	bad |= json_object_set_new(doc, "webrtc", webrtc_json(&sum->webrtc));

	arr = json_array();
	for (size_t i = 0; i < in->n && !bad; i++)
		if (in->obs[i].transport != OBS_WEBRTC)
			bad |= json_array_append_new(arr, observation_json(&in->obs[i]));
	bad |= json_object_set_new(doc, "observations", arr);
	if (bad)
		goto out;

	*out = doc;
	doc = NULL;
	rc = DL_E_OK;
out:
	json_decref(doc);
	scratch_free(&sc);
	return rc;
}
