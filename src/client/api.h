/* api.h -- the server's JSON answers, checked field by field into structs. Pure.
 *
 * The server is not trusted to be right: whatever it sends (wrong types, missing fields, absurd
 * sizes, odd characters) ends as DL_E_FORMAT and a message naming the field, never as a crash
 * or a half-filled struct. Strings are kept as pointers into the parsed document, which
 * struct api_results holds a reference to; they are valid UTF-8 without NULs (jansson) but may
 * hold any other character, so whoever prints them escapes them (report_escape).
 */
#ifndef DL_API_H
#define DL_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "addr.h"
#include "err.h"
#include "findings.h"
#include "probe.h"
#include "testid.h"
#include "verdict.h"

#define API_TOKEN_MAX 128      /* characters of a read token */
#define API_RESOLVERS_MAX 1024 /* resolvers in one result (the server keeps 1,000 queries) */
#define API_FINDINGS_MAX 64
#define API_STEPS_MAX 16  /* steps of one finding */
#define API_PLATFORM_STEPS_MAX 8 /* steps of one finding for one platform */
#define API_TEXT_MAX 2048 /* bytes of a reason, explanation, detail or step */
#define API_NAME_MAX 256  /* bytes of an organisation, a title or a finding id */
#define API_CLASS_MAX 32  /* bytes of a classification ("other-network") */
#define API_COUNTRY_MAX 8 /* bytes of a country code ("DE") */
#define API_PTR_MAX 254   /* bytes of a reverse name, NUL included */
#define API_ERR_MAX 256

/* POST /api/v1/tests. */
struct api_created {
	char id[TESTID_TEXT_LEN + 1]; /* canonical: lowercase */
	char token[API_TOKEN_MAX + 1];
	char zone[PROBE_ZONE_MAX + 1];
};

/* An address and what the server knows of its network. */
struct api_net {
	bool is_present;
	char address[ADDR_TEXT_MAX]; /* canonical text */
	uint8_t family;              /* 4 or 6 */
	bool has_asn;
	uint32_t asn;
	const char *org;     /* NULL: unknown */
	const char *country; /* NULL: unknown */
	const char *ptr;     /* reverse DNS name; NULL: unknown (or an older server) */
};

struct api_resolver {
	struct api_net net;
	uint32_t queries;
	bool is_trusted;
	const char *classification; /* "trusted", "same-network", ... (verdict.h) */
};

struct api_finding {
	const char *id;
	enum severity severity;
	const char *title;
	const char *explain; /* "" when the server sent none */
	const char *detail;  /* "" when the server sent none */
	const char *steps[API_STEPS_MAX];
	size_t n_steps;
	/* "platforms": the steps per platform (findings.h). A platform the server does not name
	 * has none; a name we do not know (a newer server's) is skipped. */
	const char *platform_steps[PLATFORM_COUNT][API_PLATFORM_STEPS_MAX];
	size_t n_platform_steps[PLATFORM_COUNT];
};

/* GET /api/v1/tests/<id>. */
struct api_results {
	json_t *doc; /* our reference: every string below points into it */
	const char *id;
	const char *zone;
	uint64_t total; /* observations the server holds */
	enum verdict verdict;
	const char *reason;
	struct api_resolver *resolvers; /* n_resolvers, malloc'd */
	size_t n_resolvers;
	struct api_net exit4, exit6;
	struct api_finding *findings; /* n_findings, malloc'd */
	size_t n_findings;
	/* "configured": the resolvers we said we are configured to use, with their networks as
	 * the server sees them (optional: an older server sends none). */
	struct api_net configured[VERDICT_CONFIGURED_MAX];
	size_t n_configured;
};

/* Check a POST answer into *out. DL_E_FORMAT (err says why) with *out untouched otherwise. */
DL_MUSTCHECK enum dl_err api_parse_created(const json_t *doc, struct api_created *out,
					   char err[static API_ERR_MAX]);

/*
 * Check a results document into *out, which then holds a new reference to doc (free it with
 * api_results_free). DL_E_FORMAT (err says why) or DL_E_NOMEM with *out zeroed otherwise.
 */
DL_MUSTCHECK enum dl_err api_parse_results(json_t *doc, struct api_results *out,
					   char err[static API_ERR_MAX]);

/* Free what api_parse_results gave r and zero it; a zeroed r is fine. */
void api_results_free(struct api_results *r);

/* The text of an {"error": "..."} answer, or NULL. Points into doc. */
const char *api_error_text(const json_t *doc);

#endif
