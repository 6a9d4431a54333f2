/* http.h -- the HTTP JSON API (libmicrohttpd + jansson).
 *
 * Routes (docs in README.md):
 *   POST /api/v1/tests          201 {"id","token","zone","expires","expires_in"}
 *   GET  /api/v1/tests/<id>     200 results with the verdict; Authorization: Bearer <token> or
 *                               ?token=; ?expect=PREFIX|ASN (repeatable) trusts more for this once
 *   GET  /api/v1/whoami         200 {"address","family"}
 *   GET  /healthz               200 {"status":"ok"}
 *   GET  /metrics               200 Prometheus text
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
#include "secret.h"
#include "store.h"
#include "verdict.h"

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
};

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
