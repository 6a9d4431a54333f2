/* rdns.h -- reverse DNS names of resolvers and exit addresses, looked up in the background.
 *
 * The HTTP thread builds results and must never wait for DNS, so rdns_get() only reads a cache
 * and, on a miss, queues the address for a worker thread. Workers ask the system resolver
 * (getnameinfo with NI_NAMEREQD: the operator's nsswitch.conf and resolv.conf decide, and an
 * answer can take seconds). Everything is bounded: cache entries (the oldest inserted go first),
 * how long an answer is kept (positive and negative TTL), and the queue (full: the lookup is not
 * queued and a later call tries again). An address is queued at most once at a time: its cache
 * entry says "pending" until the worker's answer replaces it.
 *
 * A PTR record says whatever its owner wrote, so a name is used only when it is LDH labels and
 * dots, at most 253 characters; it is lowercased and its trailing dot removed. Anything else
 * counts as no name.
 *
 * The module has no clock: callers pass now (seconds, any monotonic base, the same for every
 * call) and an answer expires TTL seconds after the call that queued it.
 *
 * The cache and the name check are pure (rdns_cache_*, rdns_name_clean) and unit-tested
 * directly; struct rdns adds the lock, the queue and the threads around them.
 */
#ifndef DL_RDNS_H
#define DL_RDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "err.h"
#include "siphash.h"

#define RDNS_NAME_MAX 254 /* a name in text, NUL included */

#define RDNS_DEFAULT_CACHE 4096    /* default: cached addresses */
#define RDNS_DEFAULT_THREADS 2     /* default: lookups in flight at once */
#define RDNS_DEFAULT_TTL_S 3600    /* default: a name is kept an hour */
#define RDNS_DEFAULT_NEG_TTL_S 300 /* default: "no name" (or a failed lookup) 5 minutes */
#define RDNS_DEFAULT_QUEUE 256     /* default: addresses waiting for a worker */
#define RDNS_CACHE_MAX (1u << 20)  /* hard caps on what rdns_new accepts */
#define RDNS_THREADS_MAX 64
#define RDNS_QUEUE_MAX 65536

struct rdns_limits {
	size_t cache_entries;
	unsigned threads;
	unsigned ttl_s;
	unsigned negative_ttl_s;
	size_t queue;
};

/* What each rdns field of the config means when not set. */
#define RDNS_LIMITS_DEFAULT                                              \
	((struct rdns_limits){ .cache_entries = RDNS_DEFAULT_CACHE,      \
			       .threads = RDNS_DEFAULT_THREADS,          \
			       .ttl_s = RDNS_DEFAULT_TTL_S,              \
			       .negative_ttl_s = RDNS_DEFAULT_NEG_TTL_S, \
			       .queue = RDNS_DEFAULT_QUEUE })

struct rdns;

/*
 * Start the workers. NULL on failure with a message in err (limits out of range: cache 1 ..
 * RDNS_CACHE_MAX, threads 1 .. RDNS_THREADS_MAX, queue 1 .. RDNS_QUEUE_MAX, TTLs > 0; or out
 * of memory, or no threads).
 */
struct rdns *rdns_new(const struct rdns_limits *lim, char *err, size_t err_len);

/*
 * True when the answer is known: out holds the name, or "" when the address has none (or it was
 * not a usable host name, or the lookup failed). False: not known yet; a lookup is queued
 * (unless the queue is full) and a later call may know; out is "". Thread-safe; never blocks on
 * the network (only on the lock, held for a hash lookup).
 */
bool rdns_get(struct rdns *r, const struct dl_addr *a, uint64_t now_s,
	      char out[static RDNS_NAME_MAX]);

/* Counters since rdns_new, for /metrics. */
struct rdns_stats {
	uint64_t queued;  /* lookups handed to the workers */
	uint64_t dropped; /* lookups not queued: the queue was full */
	uint64_t found;   /* answers with a usable name */
	uint64_t no_name; /* answers without one (no PTR, a bad name, a failure) */
	uint64_t evicted; /* cache entries pushed out to make room */
};
void rdns_stats_get(struct rdns *r, struct rdns_stats *out);

/*
 * Stop and join the workers, then free. A worker inside getnameinfo() finishes that lookup
 * first (at most the resolver's timeout times its attempts, resolv.conf). NULL is a no-op.
 */
void rdns_free(struct rdns *r);

/* ---- The pure part: no threads, no clock, no I/O. ---- */

/*
 * The name check: name[0..len) is a host name of LDH labels (letters, digits, hyphens, no
 * hyphen at either end, 1..63 characters) separated by dots, at most 253 characters once one
 * trailing dot is removed. True and out = the lowercased name; false and out = "" otherwise.
 */
bool rdns_name_clean(const char *name, size_t len, char out[static RDNS_NAME_MAX]);

enum rdns_state {
	RDNS_MISS = 0, /* nothing cached, or it expired: a lookup is due */
	RDNS_PENDING,  /* a lookup is queued or running */
	RDNS_KNOWN,    /* the answer is in out ("" for no name) */
};

struct rdns_entry; /* inside rdns.c */

/*
 * The cache: a fixed array of entries used as a ring (the next insertion replaces the oldest
 * one) and a hash index over it, keyed with SipHash so that addresses chosen by others do not
 * pile up in one chain. Not thread-safe: struct rdns holds a lock around it.
 */
struct rdns_cache {
	struct rdns_entry *entries;
	uint32_t *buckets; /* entry index + 1, 0 for none */
	size_t cap;        /* entries */
	size_t n_buckets;  /* a power of two >= cap */
	size_t next;       /* ring position of the next insertion */
	uint8_t key[SIPHASH_KEY_LEN];
	uint64_t evicted;
};

/* 0, or -ENOMEM / -EINVAL (cap 0 or over RDNS_CACHE_MAX). On failure c is empty. */
DL_MUSTCHECK int rdns_cache_init(struct rdns_cache *c, size_t cap,
				 const uint8_t key[SIPHASH_KEY_LEN]);
void rdns_cache_fini(struct rdns_cache *c); /* safe on an empty (zeroed) cache */

/* What the cache says about a at now; out is the name when RDNS_KNOWN, else "". */
enum rdns_state rdns_cache_lookup(const struct rdns_cache *c, const struct dl_addr *a,
				  uint64_t now_s, char out[static RDNS_NAME_MAX]);

/* Mark a as pending (queued at now), replacing an expired answer or taking the oldest slot. */
void rdns_cache_set_pending(struct rdns_cache *c, const struct dl_addr *a, uint64_t now_s);

/*
 * Store the answer for a (name "" for none), known until expires_s (exclusive). Replaces a's
 * entry, pending or not; when a was evicted meanwhile it takes the oldest slot again.
 */
void rdns_cache_set_answer(struct rdns_cache *c, const struct dl_addr *a, const char *name,
			   uint64_t expires_s);

#endif
