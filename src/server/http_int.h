/* http_int.h -- what http.c (the daemon, routing, small routes) shares with http_tests.c (the
 * test routes: create, results, WebRTC report). Not for other modules.
 */
#ifndef DL_HTTP_INT_H
#define DL_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "http.h"
#include "web.h"

#define CONTENT_JSON "application/json"

struct http_server {
	const struct http_deps *deps;
	size_t n;
	struct MHD_Daemon **mhd; /* n daemons; each owns its listening socket */
	char csp[WEB_CSP_MAX];   /* the test page's Content-Security-Policy */
};

/*
 * Per request: the body so far. Only POST bodies are kept (at most HTTP_BODY_MAX bytes, the
 * WebRTC report's bound); a chunked upload cannot pass it.
 */
struct request {
	size_t len;
	char *body; /* NULL until a POST body arrives */
};

/* A route's handler; rest is the URL's segment after a prefix route's path ("" otherwise). */
typedef enum MHD_Result route_fn(const struct http_server *h, struct MHD_Connection *conn,
				 const char *rest, const struct request *req);

route_fn http_create_test, http_get_results, http_post_webrtc;

uint64_t http_now_us(void);
uint64_t http_now_s(void);

/* The TCP peer of conn; a v4-mapped IPv6 peer is the IPv4 client it stands for. */
bool http_peer(struct MHD_Connection *conn, struct dl_addr *a, uint16_t *port);

/*
 * The client of conn: the TCP peer, or behind a trusted proxy the address its X-Forwarded-For
 * names (forwarded.h; *port is then 0: the proxy does not tell it).
 */
bool http_client(const struct http_deps *d, struct MHD_Connection *conn, struct dl_addr *a,
		 uint16_t *port);

/*
 * Queue body (malloc'd, ownership passes to MHD) with the headers every response carries.
 * allow and location may be NULL; cache NULL is "no-store", what every dynamic answer gets.
 */
enum MHD_Result http_respond(struct MHD_Connection *conn, unsigned status, const char *type,
			     char *body, size_t len, const char *allow, const char *location,
			     const char *cache);

/* doc (a reference we take over) as JSON; a document that will not serialise is a 500. */
enum MHD_Result http_respond_doc(struct MHD_Connection *conn, unsigned status, json_t *doc,
				 const char *allow, const char *location, const char *cache);
enum MHD_Result http_respond_json(struct MHD_Connection *conn, unsigned status, json_t *doc,
				  const char *allow, const char *location);

/* {"error": msg}; msg is always one of our literals, never request bytes. */
enum MHD_Result http_respond_error(struct MHD_Connection *conn, unsigned status, const char *msg,
				   const char *allow);

#endif
