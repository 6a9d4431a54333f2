/* url.h -- the URLs of one test, from the --server URL. No I/O (libcurl's URL parser).
 *
 * A server URL is http:// or https://, a host, an optional port and an optional base path; no
 * user, query or fragment. The API lives under the base path ({base}/api/v1/...); the exit
 * address names (v4-<id>.ZONE, v6-<id>.ZONE) are reached with the server URL's scheme, port and
 * base path. Every URL returned is malloc'd and the caller frees it.
 */
#ifndef DL_URL_H
#define DL_URL_H

#include <stddef.h>

#include "err.h"

#define URL_EXPECT_MAX 128 /* characters of one --expect value */

/*
 * The normal form of a server URL, "scheme://host[:port][/base]" without a trailing slash, in
 * *out. DL_E_FORMAT with *why set to a static sentence when server is not a usable URL;
 * DL_E_NOMEM.
 */
DL_MUSTCHECK enum dl_err url_server_base(const char *server, char **out, const char **why);

/* base (a url_server_base result) with its host replaced by host and path appended. */
DL_MUSTCHECK enum dl_err url_with_host(const char *base, const char *host, const char *path,
				       char **out);

/*
 * {base}/api/v1/tests/{id}, with ?expect=E&expect=... for expects[0..n), percent-encoded.
 * DL_E_FORMAT when an expect is longer than URL_EXPECT_MAX.
 */
DL_MUSTCHECK enum dl_err url_results(const char *base, const char *id, const char *const *expects,
				     size_t n, char **out);

#endif
