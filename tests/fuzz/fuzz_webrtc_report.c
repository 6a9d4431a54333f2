/* fuzz_webrtc_report.c -- libFuzzer target: the page's WebRTC report body, through the verdict
 * and the results document.
 *
 * The input is the POST body, exactly its bytes. A rejected body leaves *out zeroed and a short
 * plain-ASCII error. An accepted one is checked against a model built from the same JSON with
 * jansson and webrtc_candidate_parse(): the same distinct candidates in the same order, the
 * same skipped count. Its observations must summarize back to it. It is then judged against a
 * fixed pair of exits (and against none) and shaped by results_json(): every candidate's
 * exposes flag must follow the rule of verdict.h, recomputed here, and the document's "webrtc"
 * block must say the same. A violation is an abort().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "findings.h"
#include "results.h"
#include "webrtc.h"
#include "webrtc_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define AS_EXIT 64500
#define AS_ELSEWHERE 64501

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static bool
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static struct dl_addr
ip(const char *text)
{
	struct dl_addr a;

	check(addr_parse(text, &a) == DL_E_OK);
	return a;
}

static bool
same(const struct verdict_candidate *x, const struct verdict_candidate *y)
{
	return x->type == y->type && x->tcp == y->tcp && x->family == y->family &&
	       x->port == y->port && (x->family == 0 || addr_equal(&x->addr, &y->addr));
}

/* The report as the model reads it: jansson for the JSON, the line parser for each line. */
static void
model(const uint8_t *data, size_t size, struct verdict_webrtc *m)
{
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	json_t *lines;

	memset(m, 0, sizeof(*m));
	check(doc != NULL && json_is_object(doc));
	check(json_is_boolean(json_object_get(doc, "available")));
	m->reported = true;
	m->available = json_is_true(json_object_get(doc, "available"));
	lines = json_object_get(doc, "candidates");
	check(lines == NULL || json_is_array(lines));
	check(json_array_size(lines) <= WEBRTC_REPORT_LINES_MAX);
	for (size_t i = 0; i < json_array_size(lines); i++) {
		const json_t *l = json_array_get(lines, i);
		struct webrtc_candidate p;
		struct verdict_candidate c;
		bool dup = false;

		check(json_is_string(l));
		if (json_string_length(l) == 0)
			continue;
		if (webrtc_candidate_parse(json_string_value(l), json_string_length(l), &p) !=
		    DL_E_OK) {
			m->skipped++;
			continue;
		}
		memset(&c, 0, sizeof(c));
		c.type = (uint8_t)p.type;
		c.tcp = p.tcp;
		c.family = p.family;
		if (p.family != 0)
			c.addr = p.addr;
		c.port = p.port;
		for (size_t j = 0; j < m->n && !dup; j++)
			dup = same(&m->cands[j], &c);
		if (!dup) {
			check(m->n < VERDICT_CANDIDATES_MAX);
			m->cands[m->n++] = c;
		}
	}
	json_decref(doc);
}

static void
check_same_report(const struct verdict_webrtc *got, const struct verdict_webrtc *want)
{
	check(got->reported == want->reported && got->available == want->available);
	check(got->skipped == want->skipped && got->n == want->n);
	for (size_t i = 0; i < want->n; i++) {
		check(same(&got->cands[i], &want->cands[i]));
		check(!got->cands[i].exposes &&
		      all_zero(&got->cands[i].net, sizeof(got->cands[i].net)));
	}
}

/* The rule of DL-WEBRTC-LEAK (verdict.h), written out again for the fixed exits. */
static bool
should_expose(const struct verdict_candidate *c, const struct verdict_exit *e4,
	      const struct verdict_exit *e6)
{
	if (!e4->present && !e6->present)
		return false;
	if (c->family == 0 || c->type == WEBRTC_RELAY || !verdict_addr_is_public(&c->addr))
		return false;
	if (e4->present && addr_equal(&c->addr, &e4->addr))
		return false;
	if (e6->present && c->family == 6 && memcmp(c->addr.a, e6->addr.a, 8) == 0)
		return false;
	return c->net.asn == 0 || c->net.asn != AS_EXIT;
}

static bool
has_finding(const struct verdict_out *out, const char *id)
{
	for (size_t i = 0; i < out->n_findings; i++)
		if (strcmp(out->findings[i].id, id) == 0)
			return true;
	return false;
}

static void
judge(struct verdict_webrtc *w, const struct verdict_exit *e4, const struct verdict_exit *e6)
{
	struct verdict_in in = { .exit4 = *e4, .exit6 = *e6, .webrtc = w };
	struct verdict_out out;
	bool any = false, local = false;

	verdict_compute(&in, &out);
	for (size_t i = 0; i < w->n; i++) {
		const struct verdict_candidate *c = &w->cands[i];
		check(c->exposes == should_expose(c, e4, e6));
		check(!c->exposes || (c->family != 0 && c->type != WEBRTC_RELAY));
		any |= c->exposes;
		local |=
		    c->family != 0 && c->type == WEBRTC_HOST && !verdict_addr_is_public(&c->addr);
	}
	check(has_finding(&out, FINDING_WEBRTC_LEAK) == any);
	check(has_finding(&out, FINDING_WEBRTC_LOCAL) == local);
	check(!any || out.verdict == VERDICT_LEAK);
	check(strnlen(out.reason, sizeof(out.reason)) < sizeof(out.reason));
	for (size_t i = 0; i < out.n_findings; i++)
		check(strnlen(out.findings[i].detail, FINDING_DETAIL_MAX) < FINDING_DETAIL_MAX);
}

/* An HTTP observation: the client's exit. */
static struct observation
http_obs(const uint8_t id[TESTID_LEN], const struct dl_addr *a)
{
	struct observation o;

	memset(&o, 0, sizeof(o));
	memcpy(o.id, id, TESTID_LEN);
	o.name = a->family == 4 ? OBS_EXIT_V4 : OBS_EXIT_V6;
	o.transport = OBS_HTTP;
	o.family = a->family;
	memcpy(o.addr, a->a, sizeof(o.addr));
	o.port = 443;
	return o;
}

/* The whole server path: observations, summary, enrichment, verdict, document. */
static void
document(const struct observation *rep, size_t nr, const struct verdict_exit *e4,
	 const struct verdict_exit *e6)
{
	struct observation obs[2 + WEBRTC_REPORT_OBS_MAX];
	struct results_summary sum;
	struct verdict_out out;
	size_t n = 0;
	json_t *doc = NULL;

	obs[n++] = http_obs(rep[0].id, &e4->addr);
	memcpy(obs + n, rep, nr * sizeof(rep[0]));
	n += nr;
	obs[n++] = http_obs(rep[0].id, &e6->addr);
	check(results_summarize(obs, n, &sum) == DL_E_OK);
	check(sum.n_resolvers == 0 && sum.exit4.present && sum.exit6.present);
	sum.exit4.net = e4->net;
	sum.exit6.net = e6->net;
	for (size_t i = 0; i < sum.webrtc.n; i++)
		sum.webrtc.cands[i].net.asn = i % 3 == 0 ? 0 : i % 3 == 1 ? AS_EXIT : AS_ELSEWHERE;
	struct verdict_in in = { .exit4 = sum.exit4, .exit6 = sum.exit6, .webrtc = &sum.webrtc };
	verdict_compute(&in, &out);
	struct results_in rin = {
		.id_text = "aaaaaaaaaaaaaaaaaaaaaaaaaa",
		.zone_text = "leak.test",
		.obs = obs,
		.n = n,
		.sum = &sum,
		.verdict = &out,
	};
	check(results_json(&rin, &doc) == DL_E_OK);

	const json_t *w = json_object_get(doc, "webrtc");
	const json_t *cands = json_object_get(w, "candidates");
	bool any = false;
	check(json_is_object(w) && json_is_array(cands));
	check(json_array_size(cands) == sum.webrtc.n);
	check(json_integer_value(json_object_get(w, "skipped")) == (json_int_t)sum.webrtc.skipped);
	check(json_is_true(json_object_get(w, "available")) == sum.webrtc.available);
	for (size_t i = 0; i < sum.webrtc.n; i++) {
		const struct verdict_candidate *c = &sum.webrtc.cands[i];
		const json_t *j = json_array_get(cands, i);
		check(c->exposes == should_expose(c, &sum.exit4, &sum.exit6));
		check(json_is_true(json_object_get(j, "exposes")) == c->exposes);
		check(json_is_true(json_object_get(j, "mdns")) == (c->family == 0));
		check(json_is_null(json_object_get(j, "address")) == (c->family == 0));
		check(json_integer_value(json_object_get(j, "port")) == c->port);
		check(strcmp(json_string_value(json_object_get(j, "type")),
			     webrtc_cand_type_name(c->type)) == 0);
		any |= c->exposes;
	}
	check(json_is_true(json_object_get(w, "leak")) == any);
	check(json_array_size(json_object_get(doc, "observations")) == 2);
	char *text = json_dumps(doc, JSON_COMPACT);
	check(text != NULL);
	free(text);
	json_decref(doc);
	results_summary_free(&sum);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t id[TESTID_LEN] = { 0xd1 };
	struct observation rep[WEBRTC_REPORT_OBS_MAX];
	struct verdict_webrtc w, m, back;
	char err[128];

	memset(err, 0, sizeof(err));
	enum dl_err rc = webrtc_report_parse((const char *)data, size, &w, err, sizeof(err));
	check(rc == DL_E_OK || rc == DL_E_FORMAT || rc == DL_E_FULL);
	if (rc != DL_E_OK) {
		check(all_zero(&w, sizeof(w)));
		size_t n = strnlen(err, sizeof(err));
		check(n > 0 && n < sizeof(err));
		for (size_t i = 0; i < n; i++)
			check(err[i] >= 0x20 && err[i] < 0x7f);
		return 0;
	}

	check(w.reported && w.n <= VERDICT_CANDIDATES_MAX);
	check(w.n + w.skipped <= WEBRTC_REPORT_LINES_MAX);
	for (size_t i = 0; i < w.n; i++) {
		const struct verdict_candidate *c = &w.cands[i];
		check(c->type >= WEBRTC_HOST && c->type <= WEBRTC_RELAY && c->port != 0);
		check(c->family == 0 || c->family == 4 || c->family == 6);
		check(c->family == 0 || c->addr.family == c->family);
		for (size_t j = 0; j < i; j++)
			check(!same(&w.cands[j], c));
	}
	model(data, size, &m);
	check_same_report(&w, &m);

	size_t nr = webrtc_report_observations(&w, id, 1, 7, rep);
	check(nr == 1 + w.n && nr <= WEBRTC_REPORT_OBS_MAX);
	check(webrtc_report_seen(rep, nr));
	webrtc_report_summarize(rep, nr, &back);
	check_same_report(&back, &w);

	/* Networks from the candidate's place: unknown, the exits', or elsewhere. */
	struct verdict_exit e4 = { .present = true, .addr = ip("203.0.113.7") };
	struct verdict_exit e6 = { .present = true, .addr = ip("2001:db8:1:2::1") };
	struct verdict_exit none = { .present = false };
	e4.net.asn = AS_EXIT;
	e6.net.asn = AS_EXIT;
	for (size_t i = 0; i < w.n; i++)
		w.cands[i].net.asn = i % 3 == 0 ? 0 : i % 3 == 1 ? AS_EXIT : AS_ELSEWHERE;
	judge(&w, &e4, &e6);
	judge(&w, &e4, &none);
	judge(&w, &none, &e6);
	judge(&w, &none, &none);

	document(rep, nr, &e4, &e6);
	return 0;
}
