/* web.c -- serving the embedded test page (web.h). */
#include "web.h"

#include <stdio.h>
#include <string.h>

const struct web_asset *
web_find(const char *url)
{
	if (strcmp(url, "/") == 0)
		url = "/index.html";
	for (size_t i = 0; i < web_assets_count; i++)
		if (strcmp(url, web_assets[i].path) == 0)
			return &web_assets[i];
	return NULL;
}

bool
web_csp(const char *zone_text, char *out, size_t cap)
{
	int n = snprintf(out, cap,
			 "default-src 'none'; script-src 'self'; style-src 'self'; "
			 "img-src 'self' data: http://*.%s:* https://*.%s:*; "
			 "connect-src 'self' http://*.%s:* https://*.%s:*; "
			 "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
			 zone_text, zone_text, zone_text, zone_text);
	return n > 0 && (size_t)n < cap;
}

/* If-None-Match holds etag: a list of entity tags, or "*" (RFC 9110 13.1.2, weak comparison). */
static bool
not_modified(struct MHD_Connection *conn, const char *etag)
{
	const char *inm =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	size_t elen = strlen(etag);

	if (inm == NULL)
		return false;
	for (const char *p = inm; *p != '\0';) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, elen) == 0 &&
		    (p[elen] == '\0' || p[elen] == ',' || p[elen] == ' ' || p[elen] == '\t'))
			return true;
		while (*p != '\0' && *p != ',')
			p++;
	}
	return false;
}

enum MHD_Result
web_respond(struct MHD_Connection *conn, const struct web_asset *a, const char *csp)
{
	bool fresh = not_modified(conn, a->etag);
	struct MHD_Response *resp;
	enum MHD_Result ret = MHD_NO;

	/* The table lives as long as the program: MHD need not copy it. */
	resp = MHD_create_response_from_buffer(fresh ? 0 : a->len, (void *)a->data,
					       MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	/* no-cache: keep it, but ask each time; a 304 costs a few bytes (the ETag is a hash). */
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->type) != MHD_YES ||
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, a->etag) != MHD_YES ||
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache") != MHD_YES ||
	    MHD_add_response_header(resp, "Content-Security-Policy", csp) != MHD_YES ||
	    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") != MHD_YES ||
	    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer") != MHD_YES)
		goto out;
	ret = MHD_queue_response(conn, fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, resp);
out:
	MHD_destroy_response(resp);
	return ret;
}
