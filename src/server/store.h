/* store.h -- where observations live between the DNS threads and the results API.
 *
 * One interface, two backends (DESIGN.md 4), chosen when the store is made: `memory` (this
 * process, default; store_memory.c) and `redis` (several dnsleakd nodes share one Redis;
 * store_redis.c). Tests are keyed by their 16-byte id; a test expires at its id's creation
 * time + ttl_s. Every bound is enforced here and every drop is counted:
 *   - max_obs_per_test observations per test (later ones are dropped; both backends),
 *   - max_tests live tests (memory only: Redis bounds itself with its maxmemory),
 *   - max_bytes for all tests together (memory only, as max_tests).
 * All functions are thread-safe: the store thread puts and expires, HTTP threads get and put.
 */
#ifndef DL_STORE_H
#define DL_STORE_H

#include <errno.h>
#include <stdbool.h>
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
	uint64_t dropped_backend;   /* redis: unreachable or failed when the put was sent */
	uint64_t skipped_bad;       /* redis: stored values that did not decode (get skips them) */
	uint64_t live_tests;        /* memory only */
	uint64_t bytes;             /* memory only: memory accounted against max_bytes */
};

/* store_get() when the backend cannot answer now (Redis down or too slow): HTTP says 503. */
#define STORE_E_UNAVAILABLE (-EAGAIN)

#define STORE_REDIS_HOST_MAX 256   /* a host name or address, or a unix socket path */
#define STORE_REDIS_PREFIX_MAX 64  /* key prefix */
#define STORE_REDIS_TIMEOUT_MS 500 /* connect and each command */

/* Where the redis backend connects (config `redis', `redis_prefix'). */
struct store_redis_opts {
	bool is_unix; /* host is a socket path, port unused */
	char host[STORE_REDIS_HOST_MAX];
	uint16_t port;
	char prefix[STORE_REDIS_PREFIX_MAX]; /* keys are PREFIX{<test id text>} */
	unsigned timeout_ms;                 /* 0: STORE_REDIS_TIMEOUT_MS */
};

struct store;

/* A memory store with these limits; NULL on allocation failure. */
struct store *store_memory_new(const struct store_limits *lim);

/*
 * A Redis store (store_redis.c). Connects now, and fails (NULL, err says why) when Redis cannot
 * be reached or will not load the store's script: an operator hears about it at startup. Later
 * outages are survived: puts are dropped and counted, gets return STORE_E_UNAVAILABLE, and
 * the connection is retried with backoff. Only max_obs_per_test and ttl_s of lim apply.
 */
struct store *store_redis_new(const struct store_limits *lim, const struct store_redis_opts *o,
			      char *err, size_t err_len);

/* NULL is a no-op. */
void store_free(struct store *s);

/* Record n observations (each names its test). now_s: wall-clock seconds, for expiry checks. */
void store_put(struct store *s, const struct observation *obs, size_t n, uint64_t now_s);

/*
 * Copy the observations of test `id` in arrival order into a malloc'd array that the caller
 * frees: *out (NULL when none) and *n. A test with no observations is not an error: *n = 0.
 * Returns DL_E_OK, DL_E_NOMEM, or STORE_E_UNAVAILABLE (redis: the backend did not answer).
 */
DL_MUSTCHECK int store_get(struct store *s, const uint8_t id[TESTID_LEN], uint64_t now_s,
			   struct observation **out, size_t *n);

/* Remove tests whose expiry (created + ttl_s) is before now_s (redis: Redis does it itself). */
void store_expire(struct store *s, uint64_t now_s);

void store_get_stats(struct store *s, struct store_stats *st);

#endif
