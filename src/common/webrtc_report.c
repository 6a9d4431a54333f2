/* webrtc_report.c -- the page's WebRTC report: body, observations, summary (webrtc_report.h). */
#include "webrtc_report.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "webrtc.h"

static bool
same_candidate(const struct verdict_candidate *x, const struct verdict_candidate *y)
{
	return x->type == y->type && x->tcp == y->tcp && x->family == y->family &&
	       x->port == y->port && (x->family == 0 || addr_equal(&x->addr, &y->addr));
}

/* Add c unless it is there already; false when full. */
static bool
add_candidate(struct verdict_webrtc *w, const struct verdict_candidate *c)
{
	for (size_t i = 0; i < w->n; i++)
		if (same_candidate(&w->cands[i], c))
			return true;
	if (w->n >= VERDICT_CANDIDATES_MAX)
		return false;
	w->cands[w->n++] = *c;
	return true;
}

static void
from_line(const struct webrtc_candidate *p, struct verdict_candidate *c)
{
	memset(c, 0, sizeof(*c));
	c->type = (uint8_t)p->type;
	c->tcp = p->tcp;
	c->family = p->family;
	if (p->family != 0)
		c->addr = p->addr;
	c->port = p->port;
}

enum dl_err
webrtc_report_parse(const char *body, size_t len, struct verdict_webrtc *out, char *err,
		    size_t err_len)
{
	json_error_t jerr;
	json_t *doc;
	json_t *avail;
	json_t *lines;
	enum dl_err rc = DL_E_FORMAT;

	memset(out, 0, sizeof(*out));
	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		snprintf(err, err_len, "body is not JSON");
		return DL_E_FORMAT;
	}
	if (!json_is_object(doc)) {
		snprintf(err, err_len, "body is not a JSON object");
		goto out;
	}
	avail = json_object_get(doc, "available");
	if (!json_is_boolean(avail)) {
		snprintf(err, err_len, "\"available\" must be true or false");
		goto out;
	}
	lines = json_object_get(doc, "candidates");
	if (lines != NULL && !json_is_array(lines)) {
		snprintf(err, err_len, "\"candidates\" must be an array of strings");
		goto out;
	}
	if (json_array_size(lines) > WEBRTC_REPORT_LINES_MAX) {
		snprintf(err, err_len, "too many candidates: at most %d", WEBRTC_REPORT_LINES_MAX);
		rc = DL_E_FULL;
		goto out;
	}
	out->reported = true;
	out->available = json_is_true(avail);
	for (size_t i = 0; i < json_array_size(lines); i++) {
		json_t *line = json_array_get(lines, i);
		struct webrtc_candidate p;
		struct verdict_candidate c;

		if (!json_is_string(line)) {
			snprintf(err, err_len, "\"candidates\" must be an array of strings");
			goto out;
		}
		if (json_string_length(line) == 0)
			continue; /* the end-of-candidates mark */
		if (webrtc_candidate_parse(json_string_value(line), json_string_length(line), &p) !=
		    DL_E_OK) {
			out->skipped++;
			continue;
		}
		from_line(&p, &c);
		/* Cannot fill: as many candidates as lines at most, and no more lines than room. */
		(void)add_candidate(out, &c);
	}
	rc = DL_E_OK;
out:
	if (rc != DL_E_OK)
		memset(out, 0, sizeof(*out));
	json_decref(doc);
	return rc;
}

static void
obs_start(struct observation *o, const uint8_t id[TESTID_LEN], uint64_t now_us, uint16_t node)
{
	memset(o, 0, sizeof(*o));
	o->time_us = now_us;
	memcpy(o->id, id, TESTID_LEN);
	snprintf(o->nonce, sizeof(o->nonce), "webrtc");
	o->transport = OBS_WEBRTC;
	o->node = node;
}

size_t
webrtc_report_observations(const struct verdict_webrtc *w, const uint8_t id[TESTID_LEN],
			   uint64_t now_us, uint16_t node,
			   struct observation out[static WEBRTC_REPORT_OBS_MAX])
{
	size_t n = 1;

	obs_start(&out[0], id, now_us, node);
	out[0].name = OBS_WEBRTC_REPORT;
	out[0].flags = w->available ? OBS_FW_AVAILABLE : 0;
	out[0].port = w->skipped > UINT16_MAX ? UINT16_MAX : (uint16_t)w->skipped;
	for (size_t i = 0; i < w->n && i < VERDICT_CANDIDATES_MAX; i++) {
		const struct verdict_candidate *c = &w->cands[i];
		struct observation *o = &out[n++];

		obs_start(o, id, now_us, node);
		o->name = (uint8_t)(OBS_CAND_HOST + (c->type - WEBRTC_HOST));
		o->flags = c->tcp ? OBS_FW_TCP : 0;
		o->family = c->family;
		if (c->family != 0)
			memcpy(o->addr, c->addr.a, sizeof(o->addr));
		o->port = c->port;
	}
	return n;
}

bool
webrtc_report_seen(const struct observation *obs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (obs[i].transport == OBS_WEBRTC && obs[i].name == OBS_WEBRTC_REPORT)
			return true;
	return false;
}

void
webrtc_report_summarize(const struct observation *obs, size_t n, struct verdict_webrtc *out)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	while (i < n && !(obs[i].transport == OBS_WEBRTC && obs[i].name == OBS_WEBRTC_REPORT))
		i++;
	if (i == n)
		return;
	out->reported = true;
	out->available = obs[i].flags & OBS_FW_AVAILABLE;
	out->skipped = obs[i].port;
	/* Several HTTP threads could store at once; only the first report counts. */
	for (i++; i < n; i++) {
		const struct observation *o = &obs[i];
		struct verdict_candidate c;

		if (o->transport != OBS_WEBRTC)
			continue;
		if (o->name == OBS_WEBRTC_REPORT)
			break;
		if (o->name < OBS_CAND_HOST || o->name > OBS_CAND_RELAY)
			continue;
		memset(&c, 0, sizeof(c));
		c.type = (uint8_t)(WEBRTC_HOST + (o->name - OBS_CAND_HOST));
		c.tcp = o->flags & OBS_FW_TCP;
		c.family = o->family == 4 || o->family == 6 ? o->family : 0;
		if (c.family != 0) {
			c.addr.family = c.family;
			memcpy(c.addr.a, o->addr, sizeof(c.addr.a));
		}
		c.port = o->port;
		if (!add_candidate(out, &c))
			break;
	}
}
