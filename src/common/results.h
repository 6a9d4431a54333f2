/* results.h -- the JSON document of one test's results (GET /api/v1/tests/<id>). Pure.
 *
 * The document lists every observation in arrival order and, above them, one summary per
 * resolver address (ports differ per query, so they do not split a resolver), in the order the
 * resolvers were first seen. docs/PROTOCOL.md describes each field. Times are RFC 3339 in UTC;
 * every string is ASCII (addresses via addr_fmt, nonces [a-z0-9]), so jansson accepts it.
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

/*
 * Build the results document of one test: id_text and zone_text as clients know them,
 * created_s/expires_s in seconds since the epoch, obs[0..n) in arrival order (n may be 0 and
 * obs NULL). On success *out is a new reference the caller json_decref()s. Returns DL_E_OK, or
 * DL_E_NOMEM (also when id_text or zone_text is not UTF-8) with *out untouched.
 */
DL_MUSTCHECK enum dl_err results_json(const char *id_text, const char *zone_text,
				      uint64_t created_s, uint64_t expires_s,
				      const struct observation *obs, size_t n, json_t **out);

#endif
