/* http.c -- the HTTP JSON API: libmicrohttpd parses HTTP, we route, check ids and shape JSON.
 *
 * We bind each endpoint ourselves (so errors name the address and IPv6 sockets are v6-only) and
 * give the socket to one libmicrohttpd daemon per endpoint, each with its own epoll thread.
 * Handlers run on those threads: they read deps (immutable), the store (thread-safe), the MMDB
 * files (read-only) and the clock, and keep no state between requests but a byte count per
 * request body. A request for an exit name (Host v4-<id>.ZONE or v6-<id>.ZONE) writes one
 * observation to the store: the client's address, whatever the path.
 */
#include "http.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "limits.h"
#include "log.h"
#include "results.h"
#include "testid.h"
#include "verdict.h"
#include "web.h"

#define TESTS_PATH "/api/v1/tests"
#define TEST_PREFIX "/api/v1/tests/"
#define METRICS_MAX 65536  /* our own /metrics text; nothing here comes from a client */
#define STORE_METRICS_MAX 2048 /* room kept for the dnsleakd_store_* lines */
#define CONTENT_JSON "application/json"
#define CONTENT_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define EXPECT_SHOW_MAX 64 /* bytes of a bad ?expect= value quoted back in the error */
/*
 * The catalogue changes only when dnsleakd is upgraded and holds nothing about anyone: browsers
 * and proxies may keep it, for an hour so that an upgrade shows soon enough.
 */
#define CACHE_CATALOGUE "public, max-age=3600"

struct http_server {
	const struct http_deps *deps;
	size_t n;
	struct MHD_Daemon **mhd; /* n daemons; each owns its listening socket */
	char csp[WEB_CSP_MAX];   /* the test page's Content-Security-Policy */
};

/* Per request: how much body has arrived, so a chunked upload cannot pass HTTP_BODY_MAX. */
struct request {
	size_t body;
};

typedef enum MHD_Result route_fn(const struct http_server *h, struct MHD_Connection *conn,
				 const char *rest);

struct route {
	const char *path;
	bool is_prefix; /* path is a prefix and the rest of the URL is one segment */
	bool is_post;   /* POST only; otherwise GET (and HEAD, which MHD answers without body) */
	route_fn *fn;
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
now_s(void)
{
	return now_us() / 1000000;
}

/* The TCP peer of conn; a v4-mapped IPv6 peer is the IPv4 client it stands for. */
static bool
peer_of(struct MHD_Connection *conn, struct dl_addr *a, uint16_t *port)
{
	const union MHD_ConnectionInfo *info;

	memset(a, 0, sizeof(*a));
	*port = 0;
	info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info == NULL || info->client_addr == NULL)
		return false;
	if (info->client_addr->sa_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, info->client_addr, sizeof(sin));
		a->family = 4;
		memcpy(a->a, &sin.sin_addr, 4);
		*port = ntohs(sin.sin_port);
		return true;
	}
	if (info->client_addr->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, info->client_addr, sizeof(sin6));
		if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
			a->family = 4;
			memcpy(a->a, &sin6.sin6_addr.s6_addr[12], 4);
		} else {
			a->family = 6;
			memcpy(a->a, &sin6.sin6_addr, 16);
		}
		*port = ntohs(sin6.sin6_port);
		return true;
	}
	return false;
}

/*
 * Queue body (malloc'd, ownership passes to MHD) with the headers every response carries.
 * allow and location may be NULL; cache NULL is "no-store", what every dynamic answer gets.
 */
static enum MHD_Result
respond(struct MHD_Connection *conn, unsigned status, const char *type, char *body, size_t len,
	const char *allow, const char *location, const char *cache)
{
	struct MHD_Response *resp;
	enum MHD_Result ret = MHD_NO;

	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type) != MHD_YES ||
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				    cache != NULL ? cache : "no-store") != MHD_YES ||
	    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") != MHD_YES)
		goto out;
	if (allow != NULL && MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow) != MHD_YES)
		goto out;
	if (location != NULL &&
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location) != MHD_YES)
		goto out;
	ret = MHD_queue_response(conn, status, resp);
out:
	MHD_destroy_response(resp);
	return ret;
}

/*
 * Send doc (a reference we take over) as JSON with Cache-Control cache (NULL: no-store); a
 * document that will not serialise is a 500.
 */
static enum MHD_Result
respond_doc(struct MHD_Connection *conn, unsigned status, json_t *doc, const char *allow,
	    const char *location, const char *cache)
{
	static const char fallback[] = "{\"error\":\"internal error\"}";
	char *text = NULL;

	if (doc != NULL)
		text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (text == NULL) {
		text = strdup(fallback);
		if (text == NULL)
			return MHD_NO;
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		allow = NULL;
		location = NULL;
		cache = NULL;
	}
	return respond(conn, status, CONTENT_JSON, text, strlen(text), allow, location, cache);
}

static enum MHD_Result
respond_json(struct MHD_Connection *conn, unsigned status, json_t *doc, const char *allow,
	     const char *location)
{
	return respond_doc(conn, status, doc, allow, location, NULL);
}

/* msg is always one of our literals, never request bytes. */
static enum MHD_Result
respond_error(struct MHD_Connection *conn, unsigned status, const char *msg, const char *allow)
{
	return respond_json(conn, status, json_pack("{s:s}", "error", msg), allow, NULL);
}

static enum MHD_Result
create_test(const struct http_server *h, struct MHD_Connection *conn, const char *rest)
{
	const struct http_deps *d = h->deps;
	uint8_t rnd[TESTID_RANDOM_LEN];
	uint8_t id[TESTID_LEN];
	char id_text[TESTID_TEXT_LEN + 1];
	char token[TOKEN_TEXT_LEN + 1];
	char expires[RESULTS_TIME_MAX];
	char location[sizeof(TEST_PREFIX) + TESTID_TEXT_LEN];
	uint64_t now = now_s();
	int rc;
	json_t *doc;

	(void)rest;
	/* The id holds its creation time as u32 seconds: it runs out in 2106. */
	if (now > UINT32_MAX)
		return respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error", NULL);
	rc = secret_random(rnd, sizeof(rnd));
	if (rc < 0) {
		log_warnx("http: getrandom: %s", dl_strerror(rc));
		return respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error", NULL);
	}
	testid_make(d->keys->id_key, (uint32_t)now, rnd, id);
	testid_to_text(id, id_text);
	testid_token(d->keys->token_key, id, token);
	results_time_text((now + d->test_ttl_s) * 1000000, false, expires);
	snprintf(location, sizeof(location), "%s%s", TEST_PREFIX, id_text);

	doc = json_pack("{s:s, s:s, s:s, s:s, s:I}", "id", id_text, "token", token, "zone",
			d->zone_text, "expires", expires, "expires_in", (json_int_t)d->test_ttl_s);
	return respond_json(conn, MHD_HTTP_CREATED, doc, NULL, location);
}

/* The token from "Authorization: Bearer <token>" (RFC 6750 2.1), else from ?token=. */
static const char *
presented_token(struct MHD_Connection *conn)
{
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_AUTHORIZATION);

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
request_policy(const struct http_deps *d, struct MHD_Connection *conn,
	       struct verdict_policy *p, enum MHD_Result *queued)
{
	struct expect_args *x = calloc(1, sizeof(*x));
	char msg[128 + EXPECT_SHOW_MAX];
	bool ok = false;

	if (d->policy != NULL)
		*p = *d->policy;
	else
		verdict_policy_init(p);
	if (x == NULL) {
		*queued = respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error", NULL);
		return false;
	}
	x->room = p->n_trusted < TRUST_MAX ? TRUST_MAX - p->n_trusted : 0;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_expect, x);
	if (x->bad) {
		snprintf(msg, sizeof(msg),
			 "bad expect value `%s': want an ASN (AS64496), a prefix (192.0.2.0/24) or "
			 "an address",
			 x->bad_text);
		*queued = respond_json(conn, MHD_HTTP_BAD_REQUEST, json_pack("{s:s}", "error", msg),
				       NULL, NULL);
		goto out;
	}
	if (x->too_many) {
		snprintf(msg, sizeof(msg), "too many expect values: at most %zu", x->room);
		*queued = respond_json(conn, MHD_HTTP_BAD_REQUEST, json_pack("{s:s}", "error", msg),
				       NULL, NULL);
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
		*queued = respond_json(conn, MHD_HTTP_BAD_REQUEST, json_pack("{s:s}", "error", msg),
				       NULL, NULL);
		return false;
	}
	if (x->too_many) {
		snprintf(msg, sizeof(msg), "too many configured values: at most %d",
			 VERDICT_CONFIGURED_MAX);
		*queued = respond_json(conn, MHD_HTTP_BAD_REQUEST, json_pack("{s:s}", "error", msg),
				       NULL, NULL);
		return false;
	}
	return true;
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
		enrich_lookup(d->enrich, &sum.resolvers[i].addr, &sum.resolvers[i].net);
	if (sum.exit4.present)
		enrich_lookup(d->enrich, &sum.exit4.addr, &sum.exit4.net);
	if (sum.exit6.present)
		enrich_lookup(d->enrich, &sum.exit6.addr, &sum.exit6.net);
	for (size_t i = 0; i < cfg->n; i++)
		enrich_lookup(d->enrich, &cfg->entries[i].addr, &cfg->entries[i].net);

	memset(&vin, 0, sizeof(vin));
	vin.resolvers = sum.resolvers;
	vin.n_resolvers = sum.n_resolvers;
	vin.exit4 = sum.exit4;
	vin.exit6 = sum.exit6;
	vin.policy = policy;
	vin.configured = cfg->entries;
	vin.n_configured = cfg->n;
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

static enum MHD_Result
get_results(const struct http_server *h, struct MHD_Connection *conn, const char *rest)
{
	const struct http_deps *d = h->deps;
	uint8_t id[TESTID_LEN];
	const char *token;
	struct observation *obs = NULL;
	struct verdict_policy *policy = NULL;
	struct configured_args *cfg = NULL;
	size_t n = 0;
	uint64_t now = now_s();
	uint64_t created;
	uint64_t expires;
	enum MHD_Result ret;
	bool ok;
	json_t *doc = NULL;
	int rc;

	if (testid_from_text(rest, strlen(rest), id) != DL_E_OK)
		return respond_error(conn, MHD_HTTP_BAD_REQUEST, "malformed test id", NULL);
	created = testid_created(id);
	expires = created + d->test_ttl_s;
	token = presented_token(conn);
	/*
	 * A forged id, an expired test and a wrong token look the same from outside, and every
	 * check runs, so neither the answer nor its timing tells a prober which one failed.
	 */
	ok = testid_verify(d->keys->id_key, id);
	ok &= expires >= now;
	ok &= testid_token_ok(d->keys->token_key, id, token != NULL ? token : "");
	ok &= token != NULL;
	if (!ok)
		return respond_error(conn, MHD_HTTP_NOT_FOUND, "unknown or expired test", NULL);

	/* A few KiB: off the stack of MHD's thread. */
	policy = malloc(sizeof(*policy));
	cfg = malloc(sizeof(*cfg));
	if (policy == NULL || cfg == NULL) {
		ret = respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error", NULL);
		goto out;
	}
	if (!request_policy(d, conn, policy, &ret) || !request_configured(conn, cfg, &ret))
		goto out;

	rc = store_get(d->store, id, now, &obs, &n);
	if (rc != DL_E_OK) {
		log_warnx("http: store_get: %s", dl_strerror(rc));
		ret = respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error", NULL);
		goto out;
	}
	rc = build_results(d, id, created, expires, obs, n, policy, cfg, &doc);
	if (rc != DL_E_OK) {
		log_warnx("http: results: %s", dl_strerror(rc));
		ret = respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error", NULL);
		goto out;
	}
	ret = respond_json(conn, MHD_HTTP_OK, doc, NULL, NULL);
out:
	free(obs);
	free(cfg);
	free(policy);
	return ret;
}

/* GET /api/v1/findings: the catalogue, the same for everyone, so it may be cached. */
static enum MHD_Result
get_findings(const struct http_server *h, struct MHD_Connection *conn, const char *rest)
{
	json_t *doc = NULL;

	(void)h;
	(void)rest;
	if (results_findings_json(&doc) != DL_E_OK)
		return respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error", NULL);
	return respond_doc(conn, MHD_HTTP_OK, doc, NULL, NULL, CACHE_CATALOGUE);
}

static enum MHD_Result
whoami(const struct http_server *h, struct MHD_Connection *conn, const char *rest)
{
	struct dl_addr a;
	uint16_t port;
	char text[ADDR_TEXT_MAX];

	(void)h;
	(void)rest;
	if (!peer_of(conn, &a, &port))
		return respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error", NULL);
	addr_fmt(&a, text);
	return respond_json(conn, MHD_HTTP_OK,
			    json_pack("{s:s, s:i}", "address", text, "family", (int)a.family), NULL,
			    NULL);
}

static enum MHD_Result
healthz(const struct http_server *h, struct MHD_Connection *conn, const char *rest)
{
	(void)h;
	(void)rest;
	return respond_json(conn, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"), NULL, NULL);
}

/* Append the store's counters in Prometheus text format; returns the new length. */
static size_t
store_metrics(struct store *s, char *buf, size_t len, size_t cap)
{
	struct store_stats st;
	int w;

	memset(&st, 0, sizeof(st));
	store_get_stats(s, &st);
	w = snprintf(buf + len, cap - len,
		     "# HELP dnsleakd_store_stored_total Observations the store accepted.\n"
		     "# TYPE dnsleakd_store_stored_total counter\n"
		     "dnsleakd_store_stored_total %llu\n"
		     "# HELP dnsleakd_store_dropped_total Observations the store dropped, by reason.\n"
		     "# TYPE dnsleakd_store_dropped_total counter\n"
		     "dnsleakd_store_dropped_total{reason=\"test_full\"} %llu\n"
		     "dnsleakd_store_dropped_total{reason=\"tests_max\"} %llu\n"
		     "dnsleakd_store_dropped_total{reason=\"bytes\"} %llu\n"
		     "dnsleakd_store_dropped_total{reason=\"expired\"} %llu\n"
		     "# HELP dnsleakd_store_tests_expired_total Tests removed at expiry.\n"
		     "# TYPE dnsleakd_store_tests_expired_total counter\n"
		     "dnsleakd_store_tests_expired_total %llu\n"
		     "# HELP dnsleakd_store_live_tests Tests held now.\n"
		     "# TYPE dnsleakd_store_live_tests gauge\n"
		     "dnsleakd_store_live_tests %llu\n"
		     "# HELP dnsleakd_store_bytes Memory held for tests and observations.\n"
		     "# TYPE dnsleakd_store_bytes gauge\n"
		     "dnsleakd_store_bytes %llu\n",
		     (unsigned long long)st.stored, (unsigned long long)st.dropped_test_full,
		     (unsigned long long)st.dropped_tests_max, (unsigned long long)st.dropped_bytes,
		     (unsigned long long)st.dropped_expired, (unsigned long long)st.tests_expired,
		     (unsigned long long)st.live_tests, (unsigned long long)st.bytes);
	if (w < 0 || (size_t)w >= cap - len)
		return len; /* cannot happen with STORE_METRICS_MAX of room; never send half a line */
	return len + (size_t)w;
}

static enum MHD_Result
metrics(const struct http_server *h, struct MHD_Connection *conn, const char *rest)
{
	const struct http_deps *d = h->deps;
	char *buf = malloc(METRICS_MAX);
	size_t len = 0;

	(void)rest;
	if (buf == NULL)
		return respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error", NULL);
	if (d->metrics != NULL) {
		len = d->metrics(d->metrics_arg, buf, METRICS_MAX - STORE_METRICS_MAX);
		if (len >= METRICS_MAX - STORE_METRICS_MAX)
			len = 0; /* a broken callback: keep the part we can vouch for */
	}
	len = store_metrics(d->store, buf, len, METRICS_MAX);
	return respond(conn, MHD_HTTP_OK, CONTENT_METRICS, buf, len, NULL, NULL, NULL);
}

static const struct route routes[] = {
	{ TESTS_PATH, false, true, create_test },
	{ TEST_PREFIX, true, false, get_results },
	{ "/api/v1/findings", false, false, get_findings },
	{ "/api/v1/whoami", false, false, whoami },
	{ "/healthz", false, false, healthz },
	{ "/metrics", false, false, metrics },
};

static enum MHD_Result
route_request(const struct http_server *h, struct MHD_Connection *conn, const char *url,
	      const char *method)
{
	const struct web_asset *page;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];
		const char *rest = "";
		bool method_ok;

		if (r->is_prefix) {
			size_t plen = strlen(r->path);
			if (strncmp(url, r->path, plen) != 0 || url[plen] == '\0' ||
			    strchr(url + plen, '/') != NULL)
				continue;
			rest = url + plen;
		} else if (strcmp(url, r->path) != 0) {
			continue;
		}
		if (r->is_post)
			method_ok = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
		else
			method_ok = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
				    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
		if (!method_ok)
			return respond_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
					     "method not allowed", r->is_post ? "POST" : "GET, HEAD");
		return r->fn(h, conn, rest);
	}
	page = web_find(url);
	if (page == NULL)
		return respond_error(conn, MHD_HTTP_NOT_FOUND, "not found", NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
				     "GET, HEAD");
	return web_respond(conn, page, h->csp);
}

/*
 * The exit name in a Host header: "v4-<id>.ZONE" or "v6-<id>.ZONE", any case, an optional
 * port and trailing dot. Syntax only; fills pl (kind PROBE_V4 or PROBE_V6) when it is one.
 */
static bool
exit_host(const char *zone_text, const char *host, struct probe_label *pl)
{
	size_t len;
	const char *dot;
	const char *colon;
	size_t zlen = strlen(zone_text);

	if (host == NULL || host[0] == '[')
		return false; /* an IPv6 literal is no name of ours */
	len = strnlen(host, DNS_NAME_TEXT_MAX + 1);
	if (len > DNS_NAME_TEXT_MAX)
		return false;
	colon = memchr(host, ':', len);
	if (colon != NULL)
		len = (size_t)(colon - host); /* MHD checked nothing after it; we need nothing */
	if (len > 0 && host[len - 1] == '.')
		len--;
	dot = memchr(host, '.', len);
	if (dot == NULL || (size_t)(host + len - (dot + 1)) != zlen ||
	    strncasecmp(dot + 1, zone_text, zlen) != 0)
		return false;
	testid_parse_label((const uint8_t *)host, (size_t)(dot - host), pl);
	return pl->kind == PROBE_V4 || pl->kind == PROBE_V6;
}

/*
 * Record the client's address as an exit address of the test its Host names, when the id is
 * genuine and alive. Like the DNS side, made-up and stale ids cost nothing.
 */
static void
record_exit(const struct http_deps *d, struct MHD_Connection *conn)
{
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	struct probe_label pl;
	struct observation o;
	struct dl_addr peer;
	uint16_t port;
	uint64_t now = now_us();

	if (!exit_host(d->zone_text, host, &pl))
		return;
	if (!testid_verify(d->keys->id_key, pl.id) ||
	    (uint64_t)testid_created(pl.id) + d->test_ttl_s < now / 1000000)
		return;
	if (!peer_of(conn, &peer, &port))
		return;
	memset(&o, 0, sizeof(o));
	o.time_us = now;
	memcpy(o.id, pl.id, sizeof(o.id));
	snprintf(o.nonce, sizeof(o.nonce), "%s", pl.kind == PROBE_V4 ? "v4" : "v6");
	o.name = pl.kind == PROBE_V4 ? OBS_EXIT_V4 : OBS_EXIT_V6;
	o.transport = OBS_HTTP;
	o.family = peer.family;
	memcpy(o.addr, peer.a, sizeof(o.addr));
	o.port = port;
	o.node = d->node_id;
	store_put(d->store, &o, 1, now / 1000000);
}

/* A declared body over HTTP_BODY_MAX; MHD has already rejected a malformed Content-Length. */
static bool
declares_big_body(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end = NULL;
	unsigned long long v;

	if (cl == NULL)
		return false;
	errno = 0;
	v = strtoull(cl, &end, 10);
	return errno != 0 || end == cl || v > HTTP_BODY_MAX;
}

/*
 * MHD calls this once when the headers are in, then once per piece of body, then once with
 * *upload_data_size == 0 when the request is complete: that last call answers.
 */
static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
       const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	const struct http_server *h = cls;
	struct request *req = *req_cls;

	(void)version;
	(void)upload_data;
	if (req == NULL) {
		req = calloc(1, sizeof(*req));
		if (req == NULL)
			return MHD_NO;
		*req_cls = req;
		/* Answer before the body arrives: MHD then closes instead of reading it. */
		if (declares_big_body(conn))
			return respond_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
					     "request body too large", NULL);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/*
		 * Only a chunked body gets here past the limit. MHD cannot answer in the middle of
		 * a body, and reading on would let a client stream forever: drop the connection.
		 */
		if (*upload_data_size > HTTP_BODY_MAX - req->body)
			return MHD_NO;
		req->body += *upload_data_size;
		*upload_data_size = 0;
		return MHD_YES;
	}
	record_exit(h->deps, conn);
	return route_request(h, conn, url, method);
}

static void
request_done(void *cls, struct MHD_Connection *conn, void **req_cls,
	     enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	free(*req_cls);
	*req_cls = NULL;
}

/* MHD's own messages, at debug level; they may quote the peer, so only printable ASCII goes. */
__attribute__((format(printf, 2, 0))) static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t len;

	(void)cls;
	if (log_verbosity < LOG_LEVEL_DEBUG)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		msg[--len] = '\0';
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)msg[i];
		if (ch < 0x20 || ch > 0x7e)
			msg[i] = '?';
	}
	log_debug("http: %s", msg);
}

/* A listening TCP socket on ep, or -errno with err filled. */
static int
listen_on(const struct dl_endpoint *ep, char *err, size_t err_len)
{
	struct sockaddr_storage ss;
	socklen_t ss_len;
	char where[ADDR_STR_MAX];
	const char *what = "socket";
	int one = 1;
	int fd;
	int rc;

	memset(&ss, 0, sizeof(ss));
	if (ep->addr.family == 6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(ep->port);
		memcpy(&sin6->sin6_addr, ep->addr.a, 16);
		ss_len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(ep->port);
		memcpy(&sin->sin_addr, ep->addr.a, 4);
		ss_len = sizeof(*sin);
	}

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	what = "setsockopt";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	/* [::]:80 must not also take IPv4: that is the job of its own 0.0.0.0:80 endpoint. */
	if (ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	what = "bind";
	if (bind(fd, (const struct sockaddr *)&ss, ss_len) < 0)
		goto fail;
	what = "listen";
	if (listen(fd, SOMAXCONN) < 0)
		goto fail;
	return fd;
fail:
	rc = -errno;
	addr_fmt_endpoint(ep, where);
	snprintf(err, err_len, "http %s: %s: %s", where, what, dl_strerror(rc));
	if (fd >= 0)
		close(fd);
	return rc;
}

static unsigned
clamp_uint(size_t v, unsigned dflt)
{
	if (v == 0)
		return dflt;
	return v > UINT_MAX ? UINT_MAX : (unsigned)v;
}

static struct MHD_Daemon *
start_daemon(struct http_server *h, int fd, bool is_v6)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;

	if (is_v6)
		flags |= MHD_USE_IPv6;
	/* MHD reports nothing unless asked; ask only when its debug lines would be shown. */
	if (log_verbosity >= LOG_LEVEL_DEBUG)
		flags |= MHD_USE_ERROR_LOG;
	return MHD_start_daemon(
		flags, 0, NULL, NULL, handle, h,
		/* First, so that MHD's messages about the other options come through it too. */
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_CONNECTION_LIMIT, clamp_uint(h->deps->max_connections, HTTP_CONN_MAX),
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, clamp_uint(h->deps->per_ip, HTTP_CONN_PER_IP),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEM,
		MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
		MHD_OPTION_STRICT_FOR_CLIENT, 1,
		MHD_OPTION_END);
}

int
http_start(const struct dl_endpoint *eps, size_t n, const struct http_deps *deps,
	   struct http_server **out, char *err, size_t err_len)
{
	struct http_server *h = NULL;
	int rc;

	h = calloc(1, sizeof(*h));
	if (h != NULL && n > 0)
		h->mhd = calloc(n, sizeof(*h->mhd));
	if (h == NULL || (n > 0 && h->mhd == NULL)) {
		rc = -ENOMEM;
		snprintf(err, err_len, "http: %s", dl_strerror(rc));
		goto out;
	}
	h->deps = deps;
	if (!web_csp(deps->zone_text, h->csp, sizeof(h->csp))) {
		rc = -ENAMETOOLONG;
		snprintf(err, err_len, "http: zone name too long for the page's security policy");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int fd = listen_on(&eps[i], err, err_len);

		if (fd < 0) {
			rc = fd;
			goto out;
		}
		h->mhd[i] = start_daemon(h, fd, eps[i].addr.family == 6);
		if (h->mhd[i] == NULL) {
			char where[ADDR_STR_MAX];

			/*
			 * Not closing fd: some of MHD's failure paths close it and some do not,
			 * and a second close could hit a descriptor another thread just opened.
			 */
			addr_fmt_endpoint(&eps[i], where);
			snprintf(err, err_len, "http %s: libmicrohttpd failed to start", where);
			rc = -EIO;
			goto out;
		}
		h->n = i + 1;
	}
	*out = h;
	h = NULL;
	rc = 0;
out:
	http_stop(h);
	return rc;
}

void
http_stop(struct http_server *h)
{
	if (h == NULL)
		return;
	/* MHD_stop_daemon joins the daemon's thread and closes its listening socket. */
	for (size_t i = 0; i < h->n; i++)
		MHD_stop_daemon(h->mhd[i]);
	free(h->mhd);
	free(h);
}
