/* url.c -- server URLs through curl_url (parsing only, no transfer). */
#include "url.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static void
strip_slashes(char *s)
{
	size_t len = strlen(s);

	while (len > 0 && s[len - 1] == '/')
		s[--len] = '\0';
}

/* Part `what' of u, or NULL when it is absent (the caller curl_free()s it). */
static char *
part(CURLU *u, CURLUPart what)
{
	char *v = NULL;

	if (curl_url_get(u, what, &v, 0) != CURLUE_OK)
		return NULL;
	return v;
}

enum dl_err
url_server_base(const char *server, char **out, const char **why)
{
	static const CURLUPart unwanted[] = { CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_QUERY,
					      CURLUPART_FRAGMENT };
	enum dl_err rc = DL_E_FORMAT;
	CURLU *u = curl_url();
	char *scheme = NULL, *extra = NULL, *path = NULL, *url = NULL;

	*why = "not a URL";
	if (u == NULL)
		return DL_E_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, server, 0) != CURLUE_OK)
		goto out;
	scheme = part(u, CURLUPART_SCHEME);
	if (scheme == NULL || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		*why = "the URL must start with http:// or https://";
		goto out;
	}
	for (size_t i = 0; i < sizeof(unwanted) / sizeof(unwanted[0]); i++) {
		extra = part(u, unwanted[i]);
		if (extra != NULL) {
			*why = "the URL must not carry a user, password, query or fragment";
			goto out;
		}
	}
	path = part(u, CURLUPART_PATH);
	if (path == NULL)
		goto out;
	strip_slashes(path);
	if (curl_url_set(u, CURLUPART_PATH, path[0] != '\0' ? path : "/", 0) != CURLUE_OK)
		goto out;
	url = part(u, CURLUPART_URL);
	if (url == NULL)
		goto out;
	strip_slashes(url);
	*out = strdup(url);
	rc = *out != NULL ? DL_E_OK : DL_E_NOMEM;
	*why = NULL;
out:
	curl_free(url);
	curl_free(path);
	curl_free(extra);
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

enum dl_err
url_with_host(const char *base, const char *host, const char *path, char **out)
{
	enum dl_err rc = DL_E_FORMAT;
	CURLU *u = curl_url();
	char *old = NULL, *url = NULL, *joined = NULL;

	if (u == NULL)
		return DL_E_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK)
		goto out;
	old = part(u, CURLUPART_PATH);
	if (old == NULL)
		goto out;
	strip_slashes(old);
	if (asprintf(&joined, "%s%s", old, path) < 0) {
		joined = NULL;
		rc = DL_E_NOMEM;
		goto out;
	}
	if (curl_url_set(u, CURLUPART_HOST, host, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_PATH, joined, 0) != CURLUE_OK)
		goto out;
	url = part(u, CURLUPART_URL);
	if (url == NULL)
		goto out;
	*out = strdup(url);
	rc = *out != NULL ? DL_E_OK : DL_E_NOMEM;
out:
	free(joined);
	curl_free(url);
	curl_free(old);
	curl_url_cleanup(u);
	return rc;
}

static bool
is_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

enum dl_err
url_results(const char *base, const char *id, const char *const *expects, size_t n, char **out)
{
	static const char hex[] = "0123456789ABCDEF";
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	for (size_t i = 0; i < n; i++) {
		if (strlen(expects[i]) > URL_EXPECT_MAX)
			return DL_E_FORMAT;
	}
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return DL_E_NOMEM;
	fprintf(f, "%s/api/v1/tests/%s", base, id);
	for (size_t i = 0; i < n; i++) {
		fputs(i == 0 ? "?expect=" : "&expect=", f);
		for (const unsigned char *c = (const unsigned char *)expects[i]; *c != '\0'; c++) {
			if (is_unreserved(*c)) {
				fputc(*c, f);
			} else {
				fputc('%', f);
				fputc(hex[*c >> 4], f);
				fputc(hex[*c & 15], f);
			}
		}
	}
	bool bad = ferror(f) != 0;
	if (fclose(f) != 0 || bad) {
		free(buf);
		return DL_E_NOMEM;
	}
	*out = buf;
	return DL_E_OK;
}
