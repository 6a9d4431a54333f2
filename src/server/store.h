/* store.h -- where observations live between the DNS threads and the results API.
 *
 * One interface, several backends (DESIGN.md 4): `memory` (this process, default) and later
 * `redis` (several nodes). Tests are keyed by their 16-byte id; a test expires at its id's
 * creation time + ttl_s. Every bound is enforced here and every drop is counted:
 *   - max_obs_per_test observations per test (later ones are dropped),
 *   - max_tests live tests (observations for a new test are dropped when full),
 *   - max_bytes for all tests together (entry + observation storage).
 * All functions are thread-safe: the store thread puts and expires, HTTP threads get.
 */
#ifndef DL_STORE_H
#define DL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "observation.h"

struct store_limits {
	size_t max_tests;
	size_t max_obs_per_test;
	size_t max_bytes;
	uint32_t ttl_s;
};

struct store_stats {
	uint64_t stored;            /* observations accepted */
	uint64_t dropped_test_full; /* a test already had max_obs_per_test */
	uint64_t dropped_tests_max; /* a new test while max_tests were live */
	uint64_t dropped_bytes;     /* max_bytes reached */
	uint64_t dropped_expired;   /* put after the test's expiry */
	uint64_t tests_expired;     /* tests removed by store_expire() */
	uint64_t live_tests;
	uint64_t bytes; /* memory accounted against max_bytes */
};

struct store;

/* A memory store with these limits; NULL on allocation failure. */
struct store *store_memory_new(const struct store_limits *lim);

/* NULL is a no-op. */
void store_free(struct store *s);

/* Record n observations (each names its test). now_s: wall-clock seconds, for expiry checks. */
void store_put(struct store *s, const struct observation *obs, size_t n, uint64_t now_s);

/*
 * Copy the observations of test `id` in arrival order into a malloc'd array that the caller
 * frees: *out (NULL when none) and *n. A test with no observations is not an error: *n = 0.
 * Returns DL_E_OK or DL_E_NOMEM.
 */
DL_MUSTCHECK int store_get(struct store *s, const uint8_t id[TESTID_LEN], uint64_t now_s,
			   struct observation **out, size_t *n);

/* Remove tests whose expiry (created + ttl_s) is before now_s. */
void store_expire(struct store *s, uint64_t now_s);

void store_get_stats(struct store *s, struct store_stats *st);

#endif
