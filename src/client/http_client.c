/* http_client.c -- libcurl's multi interface over a few easy handles, each bounded. */
#include "http_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define USER_AGENT "dnsleak/0.1"
#define POLL_MS 200

/* Where one answer body goes: a buffer that refuses to grow past HTTPC_BODY_MAX. */
struct sink {
	char *buf;
	size_t len;
	size_t cap;
	bool is_too_large;
};

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb; /* curl guarantees size == 1 */

	if (n > HTTPC_BODY_MAX - s->len) {
		s->is_too_large = true;
		return 0; /* curl stops the transfer with CURLE_WRITE_ERROR */
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap != 0 ? s->cap : 16384;
		while (cap < s->len + n + 1)
			cap *= 2;
		if (cap > HTTPC_BODY_MAX + 1)
			cap = HTTPC_BODY_MAX + 1;
		char *p = realloc(s->buf, cap);
		if (p == NULL)
			return 0;
		s->buf = p;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

void
httpc_req_clear(struct httpc_req *r)
{
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
	r->status = 0;
	r->is_too_large = false;
	r->is_timed_out = false;
	r->error[0] = '\0';
	r->content_type[0] = '\0';
	r->location[0] = '\0';
}

struct slot {
	CURL *easy;
	struct curl_slist *headers;
	struct sink sink;
	char errbuf[CURL_ERROR_SIZE];
	CURLcode result;
	bool is_done;
};

static const long ipresolve[] = {
	[HTTPC_ANY] = CURL_IPRESOLVE_WHATEVER,
	[HTTPC_V4] = CURL_IPRESOLVE_V4,
	[HTTPC_V6] = CURL_IPRESOLVE_V6,
};

/* Configure one easy handle for r; false when libcurl refused (out of memory). */
static bool
setup(struct slot *s, const struct httpc_req *r)
{
	bool bad = false;
	char *auth = NULL;

	s->easy = curl_easy_init();
	if (s->easy == NULL)
		return false;
	s->headers = curl_slist_append(NULL, "Accept: application/json");
	if (s->headers == NULL)
		return false;
	if (r->bearer != NULL) {
		struct curl_slist *h;
		if (asprintf(&auth, "Authorization: Bearer %s", r->bearer) < 0)
			return false;
		h = curl_slist_append(s->headers, auth);
		free(auth);
		if (h == NULL)
			return false;
		s->headers = h;
	}
	bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_URL, r->url);
	bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_PRIVATE, (void *)s);
	bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_FOLLOWLOCATION, 0L);
	bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_USERAGENT, USER_AGENT);
	bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
	bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_IPRESOLVE, ipresolve[r->family]);
	bad |= CURLE_OK !=
	       curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)r->connect_timeout_ms);
	bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, (long)r->timeout_ms);
	bad |= CURLE_OK !=
	       curl_easy_setopt(s->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTPC_BODY_MAX);
	bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
	bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, (void *)&s->sink);
	bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
	if (r->is_post) {
		bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_POST, 1L);
		bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, "");
		bad |= CURLE_OK != curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, 0L);
	}
	return !bad;
}

/* Turn a finished slot into r's outputs. */
static void
collect(struct slot *s, struct httpc_req *r)
{
	char *type = NULL, *location = NULL;
	long status = 0, os_errno = 0;

	r->is_too_large = s->sink.is_too_large || s->result == CURLE_FILESIZE_EXCEEDED;
	r->is_timed_out = s->result == CURLE_OPERATION_TIMEDOUT;
	if (!s->is_done) {
		snprintf(r->error, sizeof(r->error), "the transfer did not finish");
		return;
	}
	if (curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != NULL)
		snprintf(r->content_type, sizeof(r->content_type), "%s", type);
	if (s->result != CURLE_OK) {
		if (r->is_too_large)
			snprintf(r->error, sizeof(r->error), "the answer is larger than %d bytes",
				 HTTPC_BODY_MAX);
		else if (s->errbuf[0] != '\0')
			snprintf(r->error, sizeof(r->error), "%s", s->errbuf);
		else
			snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(s->result));
		/* "Couldn't connect to server" says less than "Connection refused". */
		if (curl_easy_getinfo(s->easy, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK &&
		    os_errno != 0 && strstr(r->error, strerror((int)os_errno)) == NULL) {
			size_t len = strlen(r->error);
			snprintf(r->error + len, sizeof(r->error) - len, " (%s)",
				 strerror((int)os_errno));
		}
		return;
	}
	if (curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
	    status <= 0) {
		snprintf(r->error, sizeof(r->error), "no HTTP status in the answer");
		return;
	}
	if (curl_easy_getinfo(s->easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
	    location != NULL)
		snprintf(r->location, sizeof(r->location), "%s", location);
	if (s->sink.buf == NULL) {
		s->sink.buf = calloc(1, 1);
		if (s->sink.buf == NULL) {
			snprintf(r->error, sizeof(r->error), "out of memory");
			return;
		}
	}
	r->status = status;
	r->body = s->sink.buf;
	r->body_len = s->sink.len;
	s->sink.buf = NULL;
}

enum dl_err
httpc_perform(struct httpc_req *r, size_t n)
{
	struct slot slots[HTTPC_PARALLEL_MAX];
	enum dl_err rc = DL_E_NOMEM;
	CURLM *multi = NULL;
	int running = 0;

	if (n > HTTPC_PARALLEL_MAX)
		return DL_E_FULL;
	memset(slots, 0, sizeof(slots));
	for (size_t i = 0; i < n; i++)
		httpc_req_clear(&r[i]);
	multi = curl_multi_init();
	if (multi == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (!setup(&slots[i], &r[i]) ||
		    curl_multi_add_handle(multi, slots[i].easy) != CURLM_OK)
			goto out;
	}
	do {
		CURLMsg *msg;
		int queued;

		if (curl_multi_perform(multi, &running) != CURLM_OK)
			goto out;
		while ((msg = curl_multi_info_read(multi, &queued)) != NULL) {
			struct slot *s = NULL;
			if (msg->msg != CURLMSG_DONE)
				continue;
			if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &s) == CURLE_OK &&
			    s != NULL) {
				s->result = msg->data.result;
				s->is_done = true;
			}
		}
		if (running > 0 && curl_multi_poll(multi, NULL, 0, POLL_MS, NULL) != CURLM_OK)
			goto out;
	} while (running > 0);
	for (size_t i = 0; i < n; i++)
		collect(&slots[i], &r[i]);
	rc = DL_E_OK;
out:
	for (size_t i = 0; i < n; i++) {
		if (slots[i].easy != NULL) {
			if (multi != NULL)
				curl_multi_remove_handle(multi, slots[i].easy);
			curl_easy_cleanup(slots[i].easy);
		}
		curl_slist_free_all(slots[i].headers);
		free(slots[i].sink.buf);
	}
	curl_multi_cleanup(multi);
	return rc;
}
