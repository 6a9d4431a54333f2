/* http_client.h -- HTTP(S) requests with libcurl, every one bounded.
 *
 * Each request has a connect timeout and a total timeout, an answer of at most HTTPC_BODY_MAX
 * bytes (no content decoding, so that is what travels), no redirects (a 3xx is an answer like
 * any other, with its Location) and only http/https. Several requests run in parallel, each
 * with its own bounds. Call curl_global_init() once before the first request.
 */
#ifndef DL_HTTP_CLIENT_H
#define DL_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define HTTPC_BODY_MAX (1024 * 1024)
#define HTTPC_PARALLEL_MAX 4
#define HTTPC_ERROR_MAX 256
#define HTTPC_TYPE_MAX 64

enum httpc_family {
	HTTPC_ANY = 0,
	HTTPC_V4, /* resolve and connect over IPv4 only */
	HTTPC_V6, /* over IPv6 only */
};

struct httpc_req {
	/* In; the strings are the caller's and must live through httpc_perform(). */
	const char *url;
	bool is_post;       /* POST with an empty body; GET otherwise */
	const char *bearer; /* sent as "Authorization: Bearer <bearer>"; NULL for none */
	enum httpc_family family;
	unsigned connect_timeout_ms;
	unsigned timeout_ms; /* the whole request, connect included */

	/* Out. */
	long status; /* the HTTP status; 0 when no complete answer arrived (then see error) */
	char *body;  /* malloc'd and NUL-terminated when status != 0; httpc_req_clear frees */
	size_t body_len;
	bool is_too_large; /* the answer passed HTTPC_BODY_MAX */
	bool is_timed_out;
	char error[HTTPC_ERROR_MAX];       /* why status is 0, for a person */
	char content_type[HTTPC_TYPE_MAX]; /* as the server sent it (untrusted), "" when none */
	char location[HTTPC_ERROR_MAX];    /* where a 3xx points to, "" when none */
};

/*
 * Run r[0..n) (n <= HTTPC_PARALLEL_MAX) in parallel and fill their outputs; each one's failure
 * is in its own status and error. Returns DL_E_OK, or DL_E_NOMEM when libcurl could not be set
 * up (then no output is meaningful, but each is safe to httpc_req_clear).
 */
DL_MUSTCHECK enum dl_err httpc_perform(struct httpc_req *r, size_t n);

/* Free r's body and reset its outputs; its inputs stay. */
void httpc_req_clear(struct httpc_req *r);

#endif
