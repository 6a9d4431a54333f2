/* http.h -- the HTTP JSON API (libmicrohttpd + jansson).
 *
 * Routes (docs in README.md):
 *   POST /api/v1/tests          201 {"id","token","zone","expires","expires_in","stun"}
 *   POST /api/v1/tests/<id>/webrtc  204: the page's WebRTC report (webrtc_report.h)
 *   GET  /api/v1/tests/<id>     200 results with the verdict; Authorization: Bearer <token> or
 *                               ?token=; ?expect=PREFIX|ASN (repeatable) trusts more for this once
 *   GET  /api/v1/whoami         200 {"address","family"}
 *   GET  /healthz               200 {"status":"ok"}
 *   GET  /metrics               200 Prometheus text
 *   GET  / and /<file>          the test page (web.h)
 * Every error is JSON {"error": "..."}; every response carries Cache-Control: no-store.
 * Any request whose Host is v4-<id>.ZONE or v6-<id>.ZONE (a genuine, live id) also records the
 * client's address as that test's exit address for its family (an OBS_HTTP observation).
 * libmicrohttpd runs its own thread; handlers only route, read the store and shape JSON.
 */
#ifndef DL_HTTP_H
#define DL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "enrich.h"
#include "err.h"
#include "rdns.h"
#include "secret.h"
#include "store.h"
#include "verdict.h"

#define HTTP_STUN_URLS_MAX 2 /* one per family: more servers only slow ICE gathering down */
#define HTTP_STUN_URL_MAX 64 /* "stun:[" address "]:65535" */

/* Writes the Prometheus text for /metrics into buf; returns its length (< cap). */
typedef size_t metrics_fn(void *arg, char *buf, size_t cap);

struct http_deps {
	struct store *store;
	const struct keys *keys;
	const char *zone_text; /* "leak.test", as shown to clients */
	uint32_t test_ttl_s;
	size_t max_connections;
	size_t per_ip;
	metrics_fn *metrics;
	void *metrics_arg;
	const struct enrich *enrich;         /* NULL: no network data */
	const struct verdict_policy *policy; /* the operator's; NULL: verdict_policy_init's */
	uint16_t node_id;                    /* recorded in exit observations */
	/* The ICE servers the page asks (POST /api/v1/tests "stun"); none: STUN is off. */
	char stun_urls[HTTP_STUN_URLS_MAX][HTTP_STUN_URL_MAX];
	size_t n_stun_urls;
	struct rdns *rdns; /* reverse names of the addresses in results; NULL: none looked up */
	/* Reverse proxies whose X-Forwarded-For names the client (forwarded.h); n may be 0. */
	const struct trust_entry *proxies;
	size_t n_proxies;
};

/*
 * The STUN URLs for stun[0..n): the first IPv4 and the first IPv6 endpoint, as "stun:ADDR:PORT"
 * ("stun:[ADDR]:PORT"); a wildcard endpoint (0.0.0.0, ::) stands for the zone's first web
 * address of its family, the address browsers reach this server on. Returns how many.
 */
size_t http_stun_urls(const struct dl_endpoint *stun, size_t n, const struct dl_addr *web4,
		      size_t n_web4, const struct dl_addr *web6, size_t n_web6,
		      char out[HTTP_STUN_URLS_MAX][HTTP_STUN_URL_MAX]);

struct http_server;

/*
 * Bind every endpoint and start serving. deps and what it points to must outlive the server.
 * On failure err says which address and why, and nothing is left running.
 */
DL_MUSTCHECK int http_start(const struct dl_endpoint *eps, size_t n, const struct http_deps *deps,
			    struct http_server **out, char *err, size_t err_len);

/* Stop and free. NULL is a no-op. */
void http_stop(struct http_server *h);

#endif
