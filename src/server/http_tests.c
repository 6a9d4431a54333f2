/* http_tests.c -- the routes of one test: create it, read its results, take the page's WebRTC
 * report (http_int.h). Ids, tokens and expiry are checked here; the documents come from
 * results.c and webrtc_report.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"
#include "limits.h"
#include "log.h"
#include "results.h"
#include "testid.h"
#include "verdict.h"
#include "webrtc.h"
#include "webrtc_report.h"

#define TEST_PREFIX "/api/v1/tests/"
#define EXPECT_SHOW_MAX 64 /* bytes of a bad ?expect= value quoted back in the error */

enum MHD_Result
http_create_test(const struct http_server *h, struct MHD_Connection *conn, const char *rest,
		 const struct request *req)
{
	const struct http_deps *d = h->deps;
	uint8_t rnd[TESTID_RANDOM_LEN];
	uint8_t id[TESTID_LEN];
	char id_text[TESTID_TEXT_LEN + 1];
	char token[TOKEN_TEXT_LEN + 1];
	char expires[RESULTS_TIME_MAX];
	char location[sizeof(TEST_PREFIX) + TESTID_TEXT_LEN];
	uint64_t now = http_now_s();
	int rc;
	json_t *doc;
	json_t *stun;
	int bad = 0;

	(void)rest;
	(void)req;
	/* The id holds its creation time as u32 seconds: it runs out in 2106. */
	if (now > UINT32_MAX)
		return http_respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error",
					  NULL);
	rc = secret_random(rnd, sizeof(rnd));
	if (rc < 0) {
		log_warnx("http: getrandom: %s", dl_strerror(rc));
		return http_respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error",
					  NULL);
	}
	testid_make(d->keys->id_key, (uint32_t)now, rnd, id);
	testid_to_text(id, id_text);
	testid_token(d->keys->token_key, id, token);
	results_time_text((now + d->test_ttl_s) * 1000000, false, expires);
	snprintf(location, sizeof(location), "%s%s", TEST_PREFIX, id_text);

	stun = json_array();
	for (size_t i = 0; i < d->n_stun_urls; i++)
		bad |= json_array_append_new(stun, json_string(d->stun_urls[i]));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:I, s:o?}", "id", id_text, "token", token, "zone",
			d->zone_text, "expires", expires, "expires_in", (json_int_t)d->test_ttl_s,
			"stun", stun);
	if (bad || !json_is_array(json_object_get(doc, "stun"))) {
		json_decref(doc);
		doc = NULL; /* a 500 */
	}
	return http_respond_json(conn, MHD_HTTP_CREATED, doc, NULL, location);
}

/* The token from "Authorization: Bearer <token>" (RFC 6750 2.1), else from ?token=. */
static const char *
presented_token(struct MHD_Connection *conn)
{
	const char *auth =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0) {
		auth += 7;
		while (*auth == ' ')
			auth++;
		return auth;
	}
	return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token");
}

/* A bad query argument, cut and made printable ASCII: the error message quotes it back. */
static void
printable_copy(const char *value, char out[static EXPECT_SHOW_MAX + 1])
{
	size_t len = strnlen(value, EXPECT_SHOW_MAX);

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)value[i];
		out[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[len] = '\0';
}

/* The ?expect= values of one request, parsed; the first bad one kept to name it. */
struct expect_args {
	struct trust_entry entries[TRUST_MAX];
	size_t n;
	size_t room; /* how many the policy can still take */
	bool too_many;
	bool bad;
	char bad_text[EXPECT_SHOW_MAX + 1]; /* printable ASCII: it goes back to the client */
};

/* MHD_get_connection_values() callback: one argument of the query string. */
static enum MHD_Result
collect_expect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct expect_args *x = cls;
	struct trust_entry t;

	(void)kind;
	if (key == NULL || strcmp(key, "expect") != 0 || x->bad || x->too_many)
		return MHD_YES;
	if (value == NULL)
		value = "";
	if (trust_parse(value, &t) != DL_E_OK) {
		x->bad = true;
		printable_copy(value, x->bad_text);
		return MHD_YES;
	}
	if (x->n >= x->room) {
		x->too_many = true;
		return MHD_YES;
	}
	x->entries[x->n++] = t;
	return MHD_YES;
}

/*
 * This request's policy in *p: the operator's plus the ?expect= values (the CLI's --expect).
 * False, with the answer (a 400 naming the bad value, or too many) queued in *queued.
 */
static bool
request_policy(const struct http_deps *d, struct MHD_Connection *conn, struct verdict_policy *p,
	       enum MHD_Result *queued)
{
	struct expect_args *x = calloc(1, sizeof(*x));
	char msg[128 + EXPECT_SHOW_MAX];
	bool ok = false;

	if (d->policy != NULL)
		*p = *d->policy;
	else
		verdict_policy_init(p);
	if (x == NULL) {
		*queued = http_respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error",
					     NULL);
		return false;
	}
	x->room = p->n_trusted < TRUST_MAX ? TRUST_MAX - p->n_trusted : 0;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_expect, x);
	if (x->bad) {
		snprintf(msg, sizeof(msg),
			 "bad expect value `%s': want an ASN (AS64496), a prefix (192.0.2.0/24) or "
			 "an address",
			 x->bad_text);
		*queued = http_respond_json(conn, MHD_HTTP_BAD_REQUEST,
					    json_pack("{s:s}", "error", msg), NULL, NULL);
		goto out;
	}
	if (x->too_many) {
		snprintf(msg, sizeof(msg), "too many expect values: at most %zu", x->room);
		*queued = http_respond_json(conn, MHD_HTTP_BAD_REQUEST,
					    json_pack("{s:s}", "error", msg), NULL, NULL);
		goto out;
	}
	memcpy(&p->trusted[p->n_trusted], x->entries, x->n * sizeof(x->entries[0]));
	p->n_trusted += x->n;
	ok = true;
out:
	free(x);
	return ok;
}

/* The ?configured= values of one request (the client's own resolvers), parsed. */
struct configured_args {
	struct verdict_configured entries[VERDICT_CONFIGURED_MAX];
	size_t n;
	bool too_many;
	bool bad;
	char bad_text[EXPECT_SHOW_MAX + 1]; /* printable ASCII: it goes back to the client */
};

/* MHD_get_connection_values() callback: one argument of the query string. */
static enum MHD_Result
collect_configured(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct configured_args *x = cls;
	struct dl_addr a;

	(void)kind;
	if (key == NULL || strcmp(key, "configured") != 0 || x->bad || x->too_many)
		return MHD_YES;
	if (value == NULL)
		value = "";
	if (addr_parse(value, &a) != DL_E_OK) {
		x->bad = true;
		printable_copy(value, x->bad_text);
		return MHD_YES;
	}
	if (x->n >= VERDICT_CONFIGURED_MAX) {
		x->too_many = true;
		return MHD_YES;
	}
	memset(&x->entries[x->n], 0, sizeof(x->entries[x->n]));
	x->entries[x->n++].addr = a;
	return MHD_YES;
}

/*
 * The ?configured= addresses of this request into *x (networks not yet looked up). False, with
 * the answer (a 400 naming the bad value, or too many) queued in *queued.
 */
static bool
request_configured(struct MHD_Connection *conn, struct configured_args *x, enum MHD_Result *queued)
{
	char msg[128 + EXPECT_SHOW_MAX];

	memset(x, 0, sizeof(*x));
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_configured, x);
	if (x->bad) {
		snprintf(msg, sizeof(msg), "bad configured value `%s': want an IP address",
			 x->bad_text);
		*queued = http_respond_json(conn, MHD_HTTP_BAD_REQUEST,
					    json_pack("{s:s}", "error", msg), NULL, NULL);
		return false;
	}
	if (x->too_many) {
		snprintf(msg, sizeof(msg), "too many configured values: at most %d",
			 VERDICT_CONFIGURED_MAX);
		*queued = http_respond_json(conn, MHD_HTTP_BAD_REQUEST,
					    json_pack("{s:s}", "error", msg), NULL, NULL);
		return false;
	}
	return true;
}

/*
 * What we know of address a: its network from the MMDB files, and (reverse) its reverse name
 * when the background lookups have it (the page polls, so a name missing now comes in a later
 * answer). Only addresses the test saw get names: resolvers, exits, reflexive candidates -- not
 * what a client merely claims (?configured=, host candidates), so no client picks the PTR
 * queries we send or churns the cache for others. Private and other non-public addresses have
 * no name worth asking the operator's resolver for.
 */
static void
describe(const struct http_deps *d, const struct dl_addr *a, bool reverse, struct net_info *net)
{
	enrich_lookup(d->enrich, a, net);
	net->ptr[0] = '\0';
	if (reverse && d->rdns != NULL && verdict_addr_is_public(a))
		(void)rdns_get(d->rdns, a, http_now_s(), net->ptr);
}

/*
 * The document for one test: summarize its observations, look up each address's network (the
 * configured resolvers' too), decide, shape. Returns DL_E_OK with *doc, or the error (logged
 * by the caller).
 */
static int
build_results(const struct http_deps *d, const uint8_t id[TESTID_LEN], uint64_t created,
	      uint64_t expires, const struct observation *obs, size_t n,
	      const struct verdict_policy *policy, struct configured_args *cfg, json_t **doc)
{
	char id_text[TESTID_TEXT_LEN + 1];
	struct results_summary sum;
	struct verdict_out vout;
	struct verdict_in vin;
	int rc;

	rc = results_summarize(obs, n, &sum);
	if (rc != DL_E_OK)
		goto out;
	for (size_t i = 0; i < sum.n_resolvers; i++)
		describe(d, &sum.resolvers[i].addr, true, &sum.resolvers[i].net);
	if (sum.exit4.present)
		describe(d, &sum.exit4.addr, true, &sum.exit4.net);
	if (sum.exit6.present)
		describe(d, &sum.exit6.addr, true, &sum.exit6.net);
	for (size_t i = 0; i < sum.webrtc.n; i++) {
		struct verdict_candidate *c = &sum.webrtc.cands[i];
		if (c->family != 0)
			describe(d, &c->addr, c->type == WEBRTC_SRFLX || c->type == WEBRTC_PRFLX,
				 &c->net);
	}
	for (size_t i = 0; i < cfg->n; i++)
		describe(d, &cfg->entries[i].addr, false, &cfg->entries[i].net);

	memset(&vin, 0, sizeof(vin));
	vin.resolvers = sum.resolvers;
	vin.n_resolvers = sum.n_resolvers;
	vin.exit4 = sum.exit4;
	vin.exit6 = sum.exit6;
	vin.policy = policy;
	vin.configured = cfg->entries;
	vin.n_configured = cfg->n;
	vin.webrtc = &sum.webrtc;
	verdict_compute(&vin, &vout);

	testid_to_text(id, id_text);
	struct results_in in = {
		.id_text = id_text,
		.zone_text = d->zone_text,
		.created_s = created,
		.expires_s = expires,
		.obs = obs,
		.n = n,
		.sum = &sum,
		.verdict = &vout,
		.configured = cfg->entries,
		.n_configured = cfg->n,
	};
	rc = results_json(&in, doc);
out:
	results_summary_free(&sum);
	return rc;
}

/* store_get() failed: 503 when the store cannot answer now (redis down: try again), else 500. */
static enum MHD_Result
store_failed(struct MHD_Connection *conn, int rc)
{
	if (rc == STORE_E_UNAVAILABLE)
		return http_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
					  "the results store is unavailable; try again", NULL);
	log_warnx("http: store_get: %s", dl_strerror(rc));
	return http_respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error", NULL);
}

/*
 * The test rest names, if the request may read or write it: the id well-formed (else a 400 is
 * queued in *queued), genuine, alive and the token right (else a 404). On success *created and
 * *expires are its times.
 */
static bool
authorized_test(const struct http_deps *d, struct MHD_Connection *conn, const char *rest,
		uint8_t id[TESTID_LEN], uint64_t *expires, enum MHD_Result *queued)
{
	const char *token = presented_token(conn);
	bool ok;

	if (testid_from_text(rest, strlen(rest), id) != DL_E_OK) {
		*queued = http_respond_error(conn, MHD_HTTP_BAD_REQUEST, "malformed test id", NULL);
		return false;
	}
	*expires = (uint64_t)testid_created(id) + d->test_ttl_s;
	/*
	 * A forged id, an expired test and a wrong token look the same from outside, and every
	 * check runs, so neither the answer nor its timing tells a prober which one failed.
	 */
	ok = testid_verify(d->keys->id_key, id);
	ok &= *expires >= http_now_s();
	ok &= testid_token_ok(d->keys->token_key, id, token != NULL ? token : "");
	ok &= token != NULL;
	if (!ok)
		*queued =
		    http_respond_error(conn, MHD_HTTP_NOT_FOUND, "unknown or expired test", NULL);
	return ok;
}

enum MHD_Result
http_get_results(const struct http_server *h, struct MHD_Connection *conn, const char *rest,
		 const struct request *req)
{
	const struct http_deps *d = h->deps;
	uint8_t id[TESTID_LEN];
	struct observation *obs = NULL;
	struct verdict_policy *policy = NULL;
	struct configured_args *cfg = NULL;
	size_t n = 0;
	uint64_t expires;
	enum MHD_Result ret;
	json_t *doc = NULL;
	int rc;

	(void)req;
	if (!authorized_test(d, conn, rest, id, &expires, &ret))
		return ret;

	/* A few KiB: off the stack of MHD's thread. */
	policy = malloc(sizeof(*policy));
	cfg = malloc(sizeof(*cfg));
	if (policy == NULL || cfg == NULL) {
		ret = http_respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error",
					 NULL);
		goto out;
	}
	if (!request_policy(d, conn, policy, &ret) || !request_configured(conn, cfg, &ret))
		goto out;

	rc = store_get(d->store, id, http_now_s(), &obs, &n);
	if (rc != DL_E_OK) {
		ret = store_failed(conn, rc);
		goto out;
	}
	rc = build_results(d, id, testid_created(id), expires, obs, n, policy, cfg, &doc);
	if (rc != DL_E_OK) {
		log_warnx("http: results: %s", dl_strerror(rc));
		ret = http_respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error",
					 NULL);
		goto out;
	}
	ret = http_respond_json(conn, MHD_HTTP_OK, doc, NULL, NULL);
out:
	free(obs);
	free(cfg);
	free(policy);
	return ret;
}

/*
 * POST /api/v1/tests/<id>/webrtc: the page's WebRTC report (webrtc_report.h), once per test.
 * 204 stored; 400 a body that is not a report (the error says why); 409 a report is there
 * already; 404 as for the results; 503 the store is full for this test.
 */
enum MHD_Result
http_post_webrtc(const struct http_server *h, struct MHD_Connection *conn, const char *rest,
		 const struct request *req)
{
	const struct http_deps *d = h->deps;
	uint8_t id[TESTID_LEN];
	struct verdict_webrtc *w = NULL;
	struct observation *report = NULL;
	struct observation *obs = NULL;
	char why[128];
	size_t n = 0;
	size_t nr;
	uint64_t expires;
	uint64_t now = http_now_us();
	enum MHD_Result ret;
	int rc;

	if (!authorized_test(d, conn, rest, id, &expires, &ret))
		return ret;
	w = malloc(sizeof(*w));
	report = malloc(WEBRTC_REPORT_OBS_MAX * sizeof(*report));
	if (w == NULL || report == NULL) {
		ret = http_respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error",
					 NULL);
		goto out;
	}
	rc = webrtc_report_parse(req->body != NULL ? req->body : "", req->len, w, why, sizeof(why));
	if (rc != DL_E_OK) {
		ret = http_respond_json(conn, MHD_HTTP_BAD_REQUEST,
					json_pack("{s:s}", "error", why), NULL, NULL);
		goto out;
	}
	rc = store_get(d->store, id, now / 1000000, &obs, &n);
	if (rc != DL_E_OK) {
		ret = store_failed(conn, rc);
		goto out;
	}
	if (webrtc_report_seen(obs, n)) {
		ret = http_respond_error(conn, MHD_HTTP_CONFLICT, "this test has a WebRTC report",
					 NULL);
		goto out;
	}
	nr = webrtc_report_observations(w, id, now, d->node_id, report);
	store_put(d->store, report, nr, now / 1000000);
	/* The store drops what does not fit (the test's cap, the memory bound): say so. */
	free(obs);
	obs = NULL;
	rc = store_get(d->store, id, now / 1000000, &obs, &n);
	if (rc != DL_E_OK && rc != DL_E_NOMEM) {
		ret = store_failed(conn, rc);
		goto out;
	}
	if (rc != DL_E_OK || !webrtc_report_seen(obs, n)) {
		ret = http_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
					 "the report was not stored: the test is full", NULL);
		goto out;
	}
	ret = http_respond(conn, MHD_HTTP_NO_CONTENT, CONTENT_JSON, NULL, 0, NULL, NULL, NULL);
out:
	free(obs);
	free(report);
	free(w);
	return ret;
}
