/* results.h -- the JSON document of one test's results (GET /api/v1/tests/<id>). Pure.
 *
 * Two steps, so that the I/O (network lookups) stays with the caller:
 *   1. results_summarize(): from the observations, what the verdict needs -- one entry per
 *      resolver address (DNS observations; ports differ per query, so they do not split a
 *      resolver) in the order the resolvers were first seen, and the client's latest exit
 *      address per family (HTTP observations).
 *   2. The caller fills in each entry's network (enrichment), runs verdict_compute() over the
 *      summary, and results_json() shapes the document from the observations, the summary and
 *      the verdict.
 * The document lists every observation in arrival order (HTTP ones too, transport "http") and,
 * above them, the resolvers, the exits, the configured resolvers the client named and the
 * verdict with its findings, each with its catalogue entry (steps per platform included: a
 * few KiB at most, next to up to 1,000 observations). README.md describes each field. Times are
 * RFC 3339 in UTC; strings that could hold other bytes than ASCII are checked, so jansson
 * accepts them.
 *
 * results_findings_json() shapes the whole catalogue (GET /api/v1/findings) the same way.
 */
#ifndef DL_RESULTS_H
#define DL_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "addr.h"
#include "err.h"
#include "observation.h"
#include "verdict.h"

#define RESULTS_TIME_MAX 32                  /* "9999-12-31T23:59:59.999Z" and a NUL, with room */
#define RESULTS_QTYPE_MAX 10                 /* "TYPE65535" and a NUL */
#define RESULTS_ECS_MAX (ADDR_TEXT_MAX + 4)  /* an address, "/128" and a NUL */

/*
 * RFC 3339 UTC: "2024-05-01T12:00:00Z", or "2024-05-01T12:00:00.123Z" when with_ms (the
 * milliseconds are truncated, not rounded). Times after year 9999 print as its last instant.
 */
void results_time_text(uint64_t time_us, bool with_ms, char out[static RESULTS_TIME_MAX]);

/* "A", "AAAA", ... for the types we name; "TYPE<n>" (RFC 3597) for the rest. Returns out. */
const char *results_qtype_name(uint16_t qtype, char out[static RESULTS_QTYPE_MAX]);

/*
 * "198.51.100.0/24": the EDNS client subnet of o with the bits past the source prefix zeroed
 * (a prefix longer than the family allows counts as the full length). Empty when o has none.
 */
void results_ecs_text(const struct observation *o, char out[static RESULTS_ECS_MAX]);

/* What the verdict needs from one test's observations. */
struct results_summary {
	struct verdict_resolver *resolvers; /* n_resolvers, first seen first; malloc'd */
	size_t n_resolvers;                 /* net is empty and cls unset until the caller fills */
	struct verdict_exit exit4, exit6;   /* the latest HTTP observation per address family */
	size_t dns_total;                   /* DNS observations (what "total" counts) */
	size_t http_total;                  /* HTTP (exit) observations */
	struct verdict_webrtc webrtc;       /* the page's WebRTC report; nets empty */
};

/*
 * Summarize obs[0..n) (n may be 0 and obs NULL) into *out: each resolver's address, query count
 * and whether any of its queries carried EDNS Client Subnet; the exits' addresses. Returns
 * DL_E_OK, or DL_E_NOMEM with *out empty. results_summary_free() releases it either way.
 */
DL_MUSTCHECK enum dl_err results_summarize(const struct observation *obs, size_t n,
					   struct results_summary *out);

void results_summary_free(struct results_summary *s);

struct results_in {
	const char *id_text;   /* as clients know them */
	const char *zone_text;
	uint64_t created_s;    /* seconds since the epoch */
	uint64_t expires_s;
	const struct observation *obs; /* arrival order; may be NULL when n is 0 */
	size_t n;
	const struct results_summary *sum; /* results_summarize(obs, n), enriched, classified */
	const struct verdict_out *verdict; /* verdict_compute() over sum */
	/* The resolvers the client said it is configured to use, enriched; NULL when none. */
	const struct verdict_configured *configured;
	size_t n_configured;
};

/*
 * Build the results document. On success *out is a new reference the caller json_decref()s.
 * Returns DL_E_OK; DL_E_NOMEM (also when id_text or zone_text is not UTF-8); or DL_E_FORMAT
 * when in->sum does not come from these observations. *out is untouched on failure.
 */
DL_MUSTCHECK enum dl_err results_json(const struct results_in *in, json_t **out);

/*
 * The catalogue (findings.h) as {"findings": [{"id", "severity", "inconclusive", "title",
 * "explain", "steps", "platforms"}]}, in catalogue order; "platforms" maps each platform_name()
 * that has steps to its list. On success *out is a new reference; DL_E_NOMEM otherwise, *out
 * then untouched.
 */
DL_MUSTCHECK enum dl_err results_findings_json(json_t **out);

#endif
