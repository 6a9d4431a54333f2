/* web.h -- the test page: the files of web/, embedded at build time, with the headers that keep
 * the page to itself (Content-Security-Policy: nothing from third parties, no inline script).
 */
#ifndef DL_WEB_H
#define DL_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "web_assets.h"

#define WEB_CSP_MAX 2048 /* four times the longest zone and the fixed text */

/* The embedded file served at url ("/" is "/index.html"), or NULL. Pure. */
const struct web_asset *web_find(const char *url);

/*
 * The Content-Security-Policy for the page of zone: scripts, styles and the API from the page's
 * own origin only; probe fetches and images may go to any name under the zone, on any port
 * and scheme the page was served with. False when it does not fit in cap. Pure.
 */
bool web_csp(const char *zone_text, char *out, size_t cap);

/* Answer with a (200, or 304 when the client's If-None-Match holds its ETag). */
enum MHD_Result web_respond(struct MHD_Connection *conn, const struct web_asset *a,
			    const char *csp);

#endif
