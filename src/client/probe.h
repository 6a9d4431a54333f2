/* probe.h -- the names one test resolves: unique, random, under the test's zone. Pure.
 *
 * Three kinds (DESIGN.md 2): <nonce>-<id>.ZONE, asked for by whichever resolver the system uses;
 * <nonce>-<id>.ns4.ZONE, which a resolver can only finish over IPv4; and <nonce>-<id>.ns6.ZONE,
 * only over IPv6. A nonce is PROBE_NONCE_LEN characters of [a-z2-7]: 8 random ones, then the
 * name's index in base32, so the names of one test never repeat (no cache can answer one) and a
 * nonce is never the reserved "v4" or "v6".
 */
#ifndef DL_PROBE_H
#define DL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "testid.h"

#define PROBE_COUNT_DEFAULT 12
#define PROBE_COUNT_MAX 100
#define PROBE_NAMES_MAX (PROBE_COUNT_MAX + 2 * ((PROBE_COUNT_MAX + 2) / 3))
#define PROBE_ZONE_MAX 200 /* so the longest probe name stays under 253 characters */
#define PROBE_NONCE_LEN 10
#define PROBE_RANDOM_PER_NAME 5 /* 40 random bits: 8 base32 characters */
#define PROBE_NAME_MAX (PROBE_NONCE_LEN + 1 + TESTID_TEXT_LEN + 5 + PROBE_ZONE_MAX + 1)

enum probe_where {
	PROBE_AT_ZONE = 0, /* <nonce>-<id>.ZONE */
	PROBE_AT_NS4,      /* <nonce>-<id>.ns4.ZONE */
	PROBE_AT_NS6,      /* <nonce>-<id>.ns6.ZONE */
};

struct probe {
	enum probe_where where;
	char name[PROBE_NAME_MAX];
};

/* Names under ns4 (and as many under ns6) that go with count plain names: about count / 3. */
size_t probe_per_family(size_t count);

/* All names of a test with count plain names: count + 2 * probe_per_family(count). */
size_t probe_total(size_t count);

/* True for a zone we can build names under: 1..PROBE_ZONE_MAX characters, dot-separated labels
 * of 1..63 letters, digits, '-' or '_', no leading or trailing dot. */
bool probe_zone_ok(const char *zone);

/*
 * Fill out[0..probe_total(count)) for the test id_text (26 base32 characters) under zone.
 * random holds PROBE_RANDOM_PER_NAME bytes per name. Returns DL_E_OK; DL_E_FORMAT for a bad id
 * or zone, or count outside 1..PROBE_COUNT_MAX; DL_E_FULL when cap or random_len is too small.
 * On error out is untouched.
 */
DL_MUSTCHECK enum dl_err probe_make(const char *id_text, const char *zone, size_t count,
				    const uint8_t *random, size_t random_len, struct probe *out,
				    size_t cap);

#endif
