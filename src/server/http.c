/* http.c -- the HTTP JSON API: libmicrohttpd parses HTTP, we route, check ids and shape JSON.
 *
 * We bind each endpoint ourselves (so errors name the address and IPv6 sockets are v6-only) and
 * give the socket to one libmicrohttpd daemon per endpoint, each with its own epoll thread.
 * Handlers run on those threads: they read deps (immutable), the store (thread-safe), the MMDB
 * files (read-only) and the clock, and keep no state between requests but a byte count per
 * request body. A request for an exit name (Host v4-<id>.ZONE or v6-<id>.ZONE) writes one
 * observation to the store: the client's address, whatever the path.
 */
#include "http_int.h"

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

#include "forwarded.h"
#include "limits.h"
#include "log.h"
#include "results.h"
#include "testid.h"
#include "verdict.h"

#define TESTS_PATH "/api/v1/tests"
#define TEST_PREFIX "/api/v1/tests/"
#define METRICS_MAX 65536      /* our own /metrics text; nothing here comes from a client */
#define STORE_METRICS_MAX 2048 /* room kept for the dnsleakd_store_* lines */
#define CONTENT_METRICS "text/plain; version=0.0.4; charset=utf-8"
/*
 * The catalogue changes only when dnsleakd is upgraded and holds nothing about anyone: browsers
 * and proxies may keep it, for an hour so that an upgrade shows soon enough.
 */
#define CACHE_CATALOGUE "public, max-age=3600"
#define ROUTE_SEGMENT_MAX 64 /* a test id is 26 characters */
#define HTTP_XFF_MAX 2048    /* X-Forwarded-For lines of one request, joined */

struct route {
	const char *path;
	bool is_prefix;     /* path is a prefix, then one segment (rest), then suffix */
	const char *suffix; /* NULL: nothing after the segment */
	bool is_post; /* POST only; otherwise GET (and HEAD, which MHD answers without body) */
	route_fn *fn;
};

uint64_t
http_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
http_now_s(void)
{
	return http_now_us() / 1000000;
}

/* The TCP peer of conn; a v4-mapped IPv6 peer is the IPv4 client it stands for. */
bool
http_peer(struct MHD_Connection *conn, struct dl_addr *a, uint16_t *port)
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

/* Every X-Forwarded-For line of a request, in order, joined with commas (RFC 9110 5.3). */
struct xff_lines {
	char text[HTTP_XFF_MAX];
	size_t len;
	bool too_long;
};

static enum MHD_Result
collect_xff(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct xff_lines *x = cls;
	size_t n;

	(void)kind;
	if (key == NULL || value == NULL || strcasecmp(key, "X-Forwarded-For") != 0)
		return MHD_YES;
	n = strlen(value);
	if (x->len + (x->len > 0) + n >= sizeof(x->text)) {
		x->too_long = true;
		return MHD_NO;
	}
	if (x->len > 0)
		x->text[x->len++] = ',';
	memcpy(x->text + x->len, value, n + 1);
	x->len += n;
	return MHD_YES;
}

bool
http_client(const struct http_deps *d, struct MHD_Connection *conn, struct dl_addr *a,
	    uint16_t *port)
{
	struct xff_lines xff = { .len = 0 };
	struct dl_addr peer;

	if (!http_peer(conn, &peer, port))
		return false;
	*a = peer;
	if (d->n_proxies == 0)
		return true;
	/*
	 * Some proxies (HAProxy's option forwardfor) add a line of their own rather than append to
	 * the client's: all lines are one list, or a client's line could pose as the proxy's.
	 */
	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_xff, &xff);
	if (xff.too_long)
		return true; /* more than any honest chain of proxies writes: the proxy */
	(void)forwarded_client(&peer, xff.len > 0 ? xff.text : NULL, d->proxies, d->n_proxies, a);
	if (!addr_equal(a, &peer))
		*port = 0;
	return true;
}

/*
 * Queue body (malloc'd, ownership passes to MHD) with the headers every response carries.
 * allow and location may be NULL; cache NULL is "no-store", what every dynamic answer gets.
 */
enum MHD_Result
http_respond(struct MHD_Connection *conn, unsigned status, const char *type, char *body, size_t len,
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
enum MHD_Result
http_respond_doc(struct MHD_Connection *conn, unsigned status, json_t *doc, const char *allow,
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
	return http_respond(conn, status, CONTENT_JSON, text, strlen(text), allow, location, cache);
}

enum MHD_Result
http_respond_json(struct MHD_Connection *conn, unsigned status, json_t *doc, const char *allow,
		  const char *location)
{
	return http_respond_doc(conn, status, doc, allow, location, NULL);
}

/* msg is always one of our literals, never request bytes. */
enum MHD_Result
http_respond_error(struct MHD_Connection *conn, unsigned status, const char *msg, const char *allow)
{
	return http_respond_json(conn, status, json_pack("{s:s}", "error", msg), allow, NULL);
}

size_t
http_stun_urls(const struct dl_endpoint *stun, size_t n, const struct dl_addr *web4, size_t n_web4,
	       const struct dl_addr *web6, size_t n_web6,
	       char out[HTTP_STUN_URLS_MAX][HTTP_STUN_URL_MAX])
{
	bool have4 = false, have6 = false;
	size_t k = 0;

	for (size_t i = 0; i < n && k < HTTP_STUN_URLS_MAX; i++) {
		bool v6 = stun[i].addr.family == 6;
		const struct dl_addr *a = &stun[i].addr;
		char text[ADDR_TEXT_MAX];

		if (v6 ? have6 : have4)
			continue;
		if (addr_is_any(a)) {
			if ((v6 ? n_web6 : n_web4) == 0)
				continue;
			a = v6 ? &web6[0] : &web4[0];
		}
		addr_fmt(a, text);
		snprintf(out[k++], HTTP_STUN_URL_MAX, v6 ? "stun:[%s]:%u" : "stun:%s:%u", text,
			 (unsigned)stun[i].port);
		if (v6)
			have6 = true;
		else
			have4 = true;
	}
	return k;
}

/* GET /api/v1/findings: the catalogue, the same for everyone, so it may be cached. */
static enum MHD_Result
get_findings(const struct http_server *h, struct MHD_Connection *conn, const char *rest,
	     const struct request *req)
{
	(void)req;
	json_t *doc = NULL;

	(void)h;
	(void)rest;
	if (results_findings_json(&doc) != DL_E_OK)
		return http_respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error",
					  NULL);
	return http_respond_doc(conn, MHD_HTTP_OK, doc, NULL, NULL, CACHE_CATALOGUE);
}

static enum MHD_Result
whoami(const struct http_server *h, struct MHD_Connection *conn, const char *rest,
       const struct request *req)
{
	(void)req;
	struct dl_addr a;
	uint16_t port;
	char text[ADDR_TEXT_MAX];

	(void)rest;
	if (!http_client(h->deps, conn, &a, &port))
		return http_respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error",
					  NULL);
	addr_fmt(&a, text);
	return http_respond_json(conn, MHD_HTTP_OK,
				 json_pack("{s:s, s:i}", "address", text, "family", (int)a.family),
				 NULL, NULL);
}

static enum MHD_Result
healthz(const struct http_server *h, struct MHD_Connection *conn, const char *rest,
	const struct request *req)
{
	(void)req;
	(void)h;
	(void)rest;
	return http_respond_json(conn, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"), NULL, NULL);
}

/* Append the store's counters in Prometheus text format; returns the new length. */
static size_t
store_metrics(struct store *s, char *buf, size_t len, size_t cap)
{
	struct store_stats st;
	int w;

	memset(&st, 0, sizeof(st));
	store_get_stats(s, &st);
	w = snprintf(
	    buf + len, cap - len,
	    "# HELP dnsleakd_store_stored_total Observations the store accepted.\n"
	    "# TYPE dnsleakd_store_stored_total counter\n"
	    "dnsleakd_store_stored_total %llu\n"
	    "# HELP dnsleakd_store_dropped_total Observations the store dropped, by reason.\n"
	    "# TYPE dnsleakd_store_dropped_total counter\n"
	    "dnsleakd_store_dropped_total{reason=\"test_full\"} %llu\n"
	    "dnsleakd_store_dropped_total{reason=\"tests_max\"} %llu\n"
	    "dnsleakd_store_dropped_total{reason=\"bytes\"} %llu\n"
	    "dnsleakd_store_dropped_total{reason=\"expired\"} %llu\n"
	    "dnsleakd_store_dropped_total{reason=\"backend\"} %llu\n"
	    "# HELP dnsleakd_store_skipped_total Stored values the store could not read (redis).\n"
	    "# TYPE dnsleakd_store_skipped_total counter\n"
	    "dnsleakd_store_skipped_total %llu\n"
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
	    (unsigned long long)st.dropped_expired, (unsigned long long)st.dropped_backend,
	    (unsigned long long)st.skipped_bad, (unsigned long long)st.tests_expired,
	    (unsigned long long)st.live_tests, (unsigned long long)st.bytes);
	if (w < 0 || (size_t)w >= cap - len)
		return len; /* cannot happen with STORE_METRICS_MAX of room; never send half a line
			     */
	return len + (size_t)w;
}

static enum MHD_Result
metrics(const struct http_server *h, struct MHD_Connection *conn, const char *rest,
	const struct request *req)
{
	(void)req;
	const struct http_deps *d = h->deps;
	char *buf = malloc(METRICS_MAX);
	size_t len = 0;

	(void)rest;
	if (buf == NULL)
		return http_respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error",
					  NULL);
	if (d->metrics != NULL) {
		len = d->metrics(d->metrics_arg, buf, METRICS_MAX - STORE_METRICS_MAX);
		if (len >= METRICS_MAX - STORE_METRICS_MAX)
			len = 0; /* a broken callback: keep the part we can vouch for */
	}
	len = store_metrics(d->store, buf, len, METRICS_MAX);
	return http_respond(conn, MHD_HTTP_OK, CONTENT_METRICS, buf, len, NULL, NULL, NULL);
}

static const struct route routes[] = {
	{ TESTS_PATH, false, NULL, true, http_create_test },
	{ TEST_PREFIX, true, NULL, false, http_get_results },
	{ TEST_PREFIX, true, "/webrtc", true, http_post_webrtc },
	{ "/api/v1/findings", false, NULL, false, get_findings },
	{ "/api/v1/whoami", false, NULL, false, whoami },
	{ "/healthz", false, NULL, false, healthz },
	{ "/metrics", false, NULL, false, metrics },
};

/*
 * Does url match r? Then *rest holds the segment of a prefix route (at most rest_cap - 1
 * characters: a longer one matches nothing, so it is a 404).
 */
static bool
route_matches(const struct route *r, const char *url, char *rest, size_t rest_cap)
{
	size_t plen = strlen(r->path);
	size_t slen = r->suffix != NULL ? strlen(r->suffix) : 0;
	const char *seg = url + plen;
	const char *end;

	rest[0] = '\0';
	if (!r->is_prefix)
		return strcmp(url, r->path) == 0;
	if (strncmp(url, r->path, plen) != 0)
		return false;
	end = strchr(seg, '/');
	if (end == NULL)
		end = seg + strlen(seg);
	if (end == seg || (size_t)(end - seg) >= rest_cap)
		return false;
	if (slen > 0 ? strcmp(end, r->suffix) != 0 : *end != '\0')
		return false;
	memcpy(rest, seg, (size_t)(end - seg));
	rest[end - seg] = '\0';
	return true;
}

static enum MHD_Result
route_request(const struct http_server *h, struct MHD_Connection *conn, const char *url,
	      const char *method, const struct request *req)
{
	const struct web_asset *page;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];
		char rest[ROUTE_SEGMENT_MAX];
		bool method_ok;

		if (!route_matches(r, url, rest, sizeof(rest)))
			continue;
		if (r->is_post)
			method_ok = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
		else
			method_ok = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
				    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
		if (!method_ok)
			return http_respond_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
						  "method not allowed",
						  r->is_post ? "POST" : "GET, HEAD");
		return r->fn(h, conn, rest, req);
	}
	page = web_find(url);
	if (page == NULL)
		return http_respond_error(conn, MHD_HTTP_NOT_FOUND, "not found", NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return http_respond_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
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
	uint64_t now = http_now_us();

	if (!exit_host(d->zone_text, host, &pl))
		return;
	if (!testid_verify(d->keys->id_key, pl.id) ||
	    (uint64_t)testid_created(pl.id) + d->test_ttl_s < now / 1000000)
		return;
	if (!http_client(d, conn, &peer, &port))
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
	const char *cl =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
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
	if (req == NULL) {
		req = calloc(1, sizeof(*req));
		if (req == NULL)
			return MHD_NO;
		*req_cls = req;
		/* Answer before the body arrives: MHD then closes instead of reading it. */
		if (declares_big_body(conn))
			return http_respond_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
						  "request body too large", NULL);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/*
		 * Only a chunked body gets here past the limit. MHD cannot answer in the middle of
		 * a body, and reading on would let a client stream forever: drop the connection.
		 */
		if (*upload_data_size > HTTP_BODY_MAX - req->len)
			return MHD_NO;
		/* Only a POST route reads a body; the others' bodies are counted and dropped. */
		if (strcmp(method, MHD_HTTP_METHOD_POST) == 0) {
			if (req->body == NULL)
				req->body = malloc(HTTP_BODY_MAX);
			if (req->body == NULL)
				return MHD_NO;
			memcpy(req->body + req->len, upload_data, *upload_data_size);
		}
		req->len += *upload_data_size;
		*upload_data_size = 0;
		return MHD_YES;
	}
	record_exit(h->deps, conn);
	return route_request(h, conn, url, method, req);
}

static void
request_done(void *cls, struct MHD_Connection *conn, void **req_cls,
	     enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	if (*req_cls != NULL) {
		struct request *req = *req_cls;
		free(req->body);
		free(req);
	}
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
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_CONNECTION_LIMIT, clamp_uint(h->deps->max_connections, HTTP_CONN_MAX),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, clamp_uint(h->deps->per_ip, HTTP_CONN_PER_IP),
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEM, MHD_OPTION_NOTIFY_COMPLETED,
	    request_done, NULL, MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
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
