/* api.c -- field-by-field checks of the server's JSON. Every check names the field it failed. */
#include "api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 64

enum presence {
	REQUIRED, /* must be there, with the right type */
	OPTIONAL, /* null or absent reads as "unknown" */
};

__attribute__((format(printf, 2, 3))) static bool
fail(char err[static API_ERR_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, API_ERR_MAX, fmt, ap);
	va_end(ap);
	return false;
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

/*
 * Look key up: false (and err) when a REQUIRED field is missing; *v NULL when an OPTIONAL one
 * is null or absent, so the caller stops there. A REQUIRED null goes on to the type check.
 */
static bool
lookup(const json_t *obj, const char *key, const char *path, enum presence p, const json_t **v,
       char err[static API_ERR_MAX])
{
	*v = json_object_get(obj, key);
	if (*v == NULL && p != OPTIONAL)
		return fail(err, "%s%s is missing", path, key);
	if (*v != NULL && json_is_null(*v) && p == OPTIONAL)
		*v = NULL;
	return true;
}

/* A string field of at most max bytes; *out NULL when an OPTIONAL one is null or absent. */
static bool
get_str(const json_t *obj, const char *key, const char *path, enum presence p, size_t max,
	const char **out, char err[static API_ERR_MAX])
{
	const json_t *v;

	*out = NULL;
	if (!lookup(obj, key, path, p, &v, err))
		return false;
	if (v == NULL)
		return true;
	if (!json_is_string(v))
		return fail(err, "%s%s is %s, not a string", path, key, type_name(v));
	if (json_string_length(v) > max)
		return fail(err, "%s%s is longer than %zu bytes", path, key, max);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return fail(err, "%s%s holds a NUL character", path, key);
	*out = json_string_value(v);
	return true;
}

/* An integer field in 0..max; *has false when an OPTIONAL one is null or absent. */
static bool
get_uint(const json_t *obj, const char *key, const char *path, enum presence p, uint64_t max,
	 bool *has, uint64_t *out, char err[static API_ERR_MAX])
{
	const json_t *v;

	*has = false;
	*out = 0;
	if (!lookup(obj, key, path, p, &v, err))
		return false;
	if (v == NULL)
		return true;
	if (!json_is_integer(v))
		return fail(err, "%s%s is %s, not an integer", path, key, type_name(v));
	json_int_t i = json_integer_value(v);
	if (i < 0 || (uint64_t)i > max)
		return fail(err, "%s%s is out of range (%lld)", path, key, (long long)i);
	*has = true;
	*out = (uint64_t)i;
	return true;
}

static bool
get_bool(const json_t *obj, const char *key, const char *path, bool *out,
	 char err[static API_ERR_MAX])
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return fail(err, "%s%s is missing", path, key);
	if (!json_is_boolean(v))
		return fail(err, "%s%s is %s, not a boolean", path, key, type_name(v));
	*out = json_is_true(v);
	return true;
}

/* An array field of at most max elements; *out NULL when an OPTIONAL one is null or absent. */
static bool
get_array(const json_t *obj, const char *key, const char *path, enum presence p, size_t max,
	  const json_t **out, char err[static API_ERR_MAX])
{
	const json_t *v;

	*out = NULL;
	if (!lookup(obj, key, path, p, &v, err))
		return false;
	if (v == NULL)
		return true;
	if (!json_is_array(v))
		return fail(err, "%s%s is %s, not an array", path, key, type_name(v));
	if (json_array_size(v) > max)
		return fail(err, "%s%s has more than %zu entries", path, key, max);
	*out = v;
	return true;
}

/* address, family (when has_family) and asn, org, country of an object at path. */
static bool
parse_net(const json_t *obj, const char *path, uint8_t want_family, struct api_net *out,
	  char err[static API_ERR_MAX])
{
	const char *address;
	struct dl_addr a;
	uint64_t v;
	bool has;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj))
		return fail(err, "%s is %s, not an object", path, type_name(obj));
	if (!get_str(obj, "address", path, REQUIRED, ADDR_TEXT_MAX, &address, err))
		return false;
	if (addr_parse(address, &a) != DL_E_OK)
		return fail(err, "%saddress is not an IP address", path);
	if (want_family != 0 && a.family != want_family)
		return fail(err, "%saddress is not an IPv%u address", path, want_family);
	if (!get_uint(obj, "asn", path, OPTIONAL, UINT32_MAX, &has, &v, err))
		return false;
	out->has_asn = has && v != 0; /* AS0 is "no network" (RFC 7607): unknown to us */
	out->asn = (uint32_t)v;
	if (!get_str(obj, "org", path, OPTIONAL, API_NAME_MAX, &out->org, err) ||
	    !get_str(obj, "country", path, OPTIONAL, API_COUNTRY_MAX, &out->country, err) ||
	    !get_str(obj, "ptr", path, OPTIONAL, API_PTR_MAX - 1, &out->ptr, err))
		return false;
	out->is_present = true;
	out->family = a.family;
	addr_fmt(&a, out->address);
	return true;
}

static bool
parse_resolver(const json_t *obj, size_t i, struct api_resolver *out, char err[static API_ERR_MAX])
{
	char path[PATH_MAX_LEN];
	uint64_t v;
	bool has;

	snprintf(path, sizeof(path), "resolvers[%zu].", i);
	if (!json_is_object(obj))
		return fail(err, "resolvers[%zu] is %s, not an object", i, type_name(obj));
	if (!parse_net(obj, path, 0, &out->net, err))
		return false;
	if (!get_uint(obj, "family", path, REQUIRED, 6, &has, &v, err))
		return false;
	if (v != out->net.family)
		return fail(err, "%sfamily is %llu for an IPv%u address", path,
			    (unsigned long long)v, out->net.family);
	if (!get_uint(obj, "queries", path, REQUIRED, UINT32_MAX, &has, &v, err))
		return false;
	out->queries = (uint32_t)v;
	if (!get_bool(obj, "trusted", path, &out->is_trusted, err) ||
	    !get_str(obj, "classification", path, REQUIRED, API_CLASS_MAX, &out->classification,
		     err))
		return false;
	if (out->classification[0] == '\0')
		return fail(err, "%sclassification is empty", path);
	return true;
}

static bool
parse_severity(const char *name, enum severity *out)
{
	for (enum severity s = SEV_INFO; s <= SEV_HIGH; s++) {
		if (strcmp(severity_name(s), name) == 0) {
			*out = s;
			return true;
		}
	}
	return false;
}

/* An array of at most max strings at path into out[]; *n how many. */
static bool
parse_strings(const json_t *arr, const char *path, size_t max, const char **out, size_t *n,
	      char err[static API_ERR_MAX])
{
	size_t j;
	const json_t *step;

	*n = 0;
	if (!json_is_array(arr))
		return fail(err, "%s is %s, not an array", path, type_name(arr));
	if (json_array_size(arr) > max)
		return fail(err, "%s has more than %zu entries", path, max);
	json_array_foreach(arr, j, step)
	{
		if (!json_is_string(step))
			return fail(err, "%s[%zu] is %s, not a string", path, j, type_name(step));
		if (json_string_length(step) > API_TEXT_MAX ||
		    strlen(json_string_value(step)) != json_string_length(step))
			return fail(err, "%s[%zu] is too long or holds a NUL", path, j);
		out[(*n)++] = json_string_value(step);
	}
	return true;
}

/* "platforms" of a finding: an object of step lists keyed by platform_name(); null or absent is
 * none. Keys we do not know are a newer server's platforms: skipped, not refused. */
static bool
parse_platforms(const json_t *obj, const char *path, struct api_finding *out,
		char err[static API_ERR_MAX])
{
	const json_t *platforms = json_object_get(obj, "platforms");

	memset(out->n_platform_steps, 0, sizeof(out->n_platform_steps));
	if (platforms == NULL || json_is_null(platforms))
		return true;
	if (!json_is_object(platforms))
		return fail(err, "%splatforms is %s, not an object", path, type_name(platforms));
	for (size_t p = 0; p < PLATFORM_COUNT; p++) {
		const char *name = platform_name((enum platform)p);
		const json_t *v = json_object_get(platforms, name);
		char where[PATH_MAX_LEN + 32];

		if (v == NULL)
			continue;
		snprintf(where, sizeof(where), "%splatforms.%s", path, name);
		if (!parse_strings(v, where, API_PLATFORM_STEPS_MAX, out->platform_steps[p],
				   &out->n_platform_steps[p], err))
			return false;
	}
	return true;
}

static bool
parse_finding(const json_t *obj, size_t i, struct api_finding *out, char err[static API_ERR_MAX])
{
	char path[PATH_MAX_LEN];
	const char *severity;
	const json_t *steps;

	snprintf(path, sizeof(path), "findings[%zu].", i);
	if (!json_is_object(obj))
		return fail(err, "findings[%zu] is %s, not an object", i, type_name(obj));
	if (!get_str(obj, "id", path, REQUIRED, API_NAME_MAX, &out->id, err) ||
	    !get_str(obj, "severity", path, REQUIRED, API_CLASS_MAX, &severity, err) ||
	    !get_str(obj, "title", path, REQUIRED, API_NAME_MAX, &out->title, err) ||
	    !get_str(obj, "explain", path, OPTIONAL, API_TEXT_MAX, &out->explain, err) ||
	    !get_str(obj, "detail", path, OPTIONAL, API_TEXT_MAX, &out->detail, err) ||
	    !get_array(obj, "steps", path, OPTIONAL, API_STEPS_MAX, &steps, err))
		return false;
	if (out->id[0] == '\0')
		return fail(err, "%sid is empty", path);
	if (!parse_severity(severity, &out->severity))
		return fail(err, "%sseverity is not one of info, low, medium, high", path);
	if (out->explain == NULL)
		out->explain = "";
	if (out->detail == NULL)
		out->detail = "";
	out->n_steps = 0;
	if (steps != NULL) {
		char where[PATH_MAX_LEN + 8];

		snprintf(where, sizeof(where), "%ssteps", path);
		if (!parse_strings(steps, where, API_STEPS_MAX, out->steps, &out->n_steps, err))
			return false;
	}
	return parse_platforms(obj, path, out, err);
}

static bool
parse_exit(const json_t *exits, const char *key, uint8_t family, struct api_net *out,
	   char err[static API_ERR_MAX])
{
	const json_t *v = json_object_get(exits, key);
	char path[PATH_MAX_LEN];

	memset(out, 0, sizeof(*out));
	if (v == NULL || json_is_null(v))
		return true;
	snprintf(path, sizeof(path), "exit.%s.", key);
	if (!json_is_object(v))
		return fail(err, "exit.%s is %s, not an object or null", key, type_name(v));
	return parse_net(v, path, family, out, err);
}

enum dl_err
api_parse_results(json_t *doc, struct api_results *out, char err[static API_ERR_MAX])
{
	struct api_results r;
	const json_t *resolvers, *findings, *exits, *configured, *v;
	enum dl_err rc = DL_E_FORMAT;
	const char *verdict;
	uint64_t total;
	bool has;
	size_t i;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	if (!json_is_object(doc)) {
		fail(err, "the results are %s, not an object", type_name(doc));
		return DL_E_FORMAT;
	}
	if (!get_str(doc, "id", "", REQUIRED, TESTID_TEXT_LEN, &r.id, err) ||
	    !get_str(doc, "zone", "", REQUIRED, PROBE_ZONE_MAX, &r.zone, err) ||
	    !get_uint(doc, "total", "", REQUIRED, UINT32_MAX, &has, &total, err) ||
	    !get_str(doc, "verdict", "", REQUIRED, API_CLASS_MAX, &verdict, err) ||
	    !get_str(doc, "reason", "", REQUIRED, API_TEXT_MAX, &r.reason, err) ||
	    !get_array(doc, "resolvers", "", REQUIRED, API_RESOLVERS_MAX, &resolvers, err) ||
	    !get_array(doc, "findings", "", REQUIRED, API_FINDINGS_MAX, &findings, err))
		return DL_E_FORMAT;
	r.total = total;
	if (verdict_from_name(verdict, &r.verdict) != DL_E_OK) {
		fail(err, "verdict is not one of PASS, LEAK, WARN, INCONCLUSIVE");
		return DL_E_FORMAT;
	}
	exits = json_object_get(doc, "exit");
	if (exits == NULL) {
		fail(err, "exit is missing");
		return DL_E_FORMAT;
	}
	if (!json_is_object(exits)) {
		fail(err, "exit is %s, not an object", type_name(exits));
		return DL_E_FORMAT;
	}
	if (!parse_exit(exits, "ipv4", 4, &r.exit4, err) ||
	    !parse_exit(exits, "ipv6", 6, &r.exit6, err) ||
	    !get_array(doc, "configured", "", OPTIONAL, VERDICT_CONFIGURED_MAX, &configured, err))
		return DL_E_FORMAT;
	json_array_foreach(configured, i, v)
	{
		char path[PATH_MAX_LEN];

		snprintf(path, sizeof(path), "configured[%zu].", i);
		if (!json_is_object(v)) {
			fail(err, "configured[%zu] is %s, not an object", i, type_name(v));
			return DL_E_FORMAT;
		}
		if (!parse_net(v, path, 0, &r.configured[i], err))
			return DL_E_FORMAT;
		r.n_configured = i + 1;
	}

	r.n_resolvers = json_array_size(resolvers);
	r.n_findings = json_array_size(findings);
	if (r.n_resolvers > 0)
		r.resolvers = calloc(r.n_resolvers, sizeof(*r.resolvers));
	if (r.n_findings > 0)
		r.findings = calloc(r.n_findings, sizeof(*r.findings));
	if ((r.n_resolvers > 0 && r.resolvers == NULL) ||
	    (r.n_findings > 0 && r.findings == NULL)) {
		fail(err, "out of memory");
		rc = DL_E_NOMEM;
		goto out;
	}
	json_array_foreach(resolvers, i, v)
	{
		if (!parse_resolver(v, i, &r.resolvers[i], err))
			goto out;
	}
	json_array_foreach(findings, i, v)
	{
		if (!parse_finding(v, i, &r.findings[i], err))
			goto out;
	}
	r.doc = json_incref(doc);
	*out = r;
	rc = DL_E_OK;
out:
	if (rc != DL_E_OK)
		api_results_free(&r);
	return rc;
}

void
api_results_free(struct api_results *r)
{
	free(r->resolvers);
	free(r->findings);
	json_decref(r->doc);
	memset(r, 0, sizeof(*r));
}

static bool
is_token_char(char c)
{
	/* RFC 6750 b64token */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

enum dl_err
api_parse_created(const json_t *doc, struct api_created *out, char err[static API_ERR_MAX])
{
	const char *id, *token, *zone;
	uint8_t raw[TESTID_LEN];

	if (!json_is_object(doc)) {
		fail(err, "the answer is %s, not an object", type_name(doc));
		return DL_E_FORMAT;
	}
	if (!get_str(doc, "id", "", REQUIRED, TESTID_TEXT_LEN, &id, err) ||
	    !get_str(doc, "token", "", REQUIRED, API_TOKEN_MAX, &token, err) ||
	    !get_str(doc, "zone", "", REQUIRED, PROBE_ZONE_MAX, &zone, err))
		return DL_E_FORMAT;
	if (testid_from_text(id, strlen(id), raw) != DL_E_OK) {
		fail(err, "id is not a test id (26 base32 characters)");
		return DL_E_FORMAT;
	}
	if (token[0] == '\0') {
		fail(err, "token is empty");
		return DL_E_FORMAT;
	}
	for (const char *c = token; *c != '\0'; c++) {
		if (!is_token_char(*c)) {
			fail(err, "token holds a character a token cannot have");
			return DL_E_FORMAT;
		}
	}
	if (!probe_zone_ok(zone)) {
		fail(err, "zone is not a DNS name we can build probe names under");
		return DL_E_FORMAT;
	}
	testid_to_text(raw, out->id);
	snprintf(out->token, sizeof(out->token), "%s", token);
	snprintf(out->zone, sizeof(out->zone), "%s", zone);
	return DL_E_OK;
}

const char *
api_error_text(const json_t *doc)
{
	const json_t *v = json_object_get(doc, "error");

	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}
