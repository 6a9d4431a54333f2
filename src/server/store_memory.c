/* store_memory.c -- the in-process observation store: one mutex over a chained hash table.
 *
 * Only the store thread (draining the DNS rings in batches) and HTTP threads (reading results)
 * take the lock; DNS threads never do, so a single mutex is enough and keeps the code obvious.
 * Each test is an entry holding a growable array of observations in arrival order. Memory is
 * accounted as entry struct + array capacity and bounded by max_bytes; every refusal is counted.
 */
#include "store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "testid.h"

#define MAC_OFF (4 + TESTID_RANDOM_LEN) /* id layout: created | random | MAC (testid.h) */
#define MAC_BYTES (TESTID_LEN - MAC_OFF)
#define INITIAL_CAP 8 /* most tests see a handful of resolvers */
#define BUCKETS_MIN 16
#define BUCKETS_MAX ((size_t)1 << 22) /* 32 MiB of heads; longer chains beyond that */

struct entry {
	struct entry *next; /* bucket chain */
	uint8_t id[TESTID_LEN];
	size_t n;   /* observations held */
	size_t cap; /* slots allocated in obs[] */
	struct observation *obs;
};

struct store_mem {
	pthread_mutex_t lock;
	struct store_limits lim;
	struct store_stats st; /* live_tests and bytes are kept current here */
	size_t mask;           /* buckets - 1 */
	struct entry **buckets;
};

/*
 * The trailing bytes of an id are a keyed MAC, so they are uniform and an attacker who lacks
 * the key cannot aim many ids at one bucket. Ids reaching store_put() were MAC-verified; ids
 * from store_get() may not be, but lookups never grow a chain.
 */
static size_t
id_hash(const uint8_t id[TESTID_LEN])
{
	uint64_t h = 0;

	for (size_t i = 0; i < MAC_BYTES; i++)
		h = h << 8 | id[MAC_OFF + i];
	return (size_t)h;
}

/* The bound is inclusive, as in answer.c: a test lives through second created + ttl_s. */
static bool
is_expired(const struct store_mem *s, const uint8_t id[TESTID_LEN], uint64_t now_s)
{
	return (uint64_t)testid_created(id) + s->lim.ttl_s < now_s;
}

static size_t
entry_bytes(const struct entry *e)
{
	return sizeof(*e) + e->cap * sizeof(*e->obs);
}

static struct entry *
lookup(const struct store_mem *s, const uint8_t id[TESTID_LEN])
{
	struct entry *e = s->buckets[id_hash(id) & s->mask];

	while (e != NULL && memcmp(e->id, id, TESTID_LEN) != 0)
		e = e->next;
	return e;
}

/* max_bytes - bytes without underflow: bytes may exceed a limit only if it was never met. */
static size_t
bytes_left(const struct store_mem *s)
{
	if (s->st.bytes >= s->lim.max_bytes)
		return 0;
	return s->lim.max_bytes - (size_t)s->st.bytes;
}

/*
 * A new entry with its first array, or NULL (counted as dropped_bytes) when it would not fit in
 * max_bytes or malloc failed. Both are allocated up front so that a failure never leaves an
 * empty entry holding one of the max_tests slots.
 */
static struct entry *
entry_new(struct store_mem *s, const uint8_t id[TESTID_LEN])
{
	struct entry *e = NULL;
	size_t cap = INITIAL_CAP;

	if (cap > s->lim.max_obs_per_test)
		cap = s->lim.max_obs_per_test;
	if (sizeof(*e) + cap * sizeof(*e->obs) > bytes_left(s))
		goto fail;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		goto fail;
	e->obs = malloc(cap * sizeof(*e->obs));
	if (e->obs == NULL)
		goto fail;
	memcpy(e->id, id, TESTID_LEN);
	e->cap = cap;
	s->st.bytes += entry_bytes(e);
	return e;
fail:
	/* Out of memory is a lack of bytes too; a separate counter would not change what we do. */
	s->st.dropped_bytes++;
	free(e);
	return NULL;
}

/*
 * Double e's array, clamped to max_obs_per_test. False (counted as dropped_bytes) when the
 * growth would pass max_bytes or realloc failed; the entry is then unchanged.
 */
static bool
entry_grow(struct store_mem *s, struct entry *e)
{
	size_t cap = e->cap > s->lim.max_obs_per_test / 2 ? s->lim.max_obs_per_test : e->cap * 2;
	struct observation *obs;

	if (cap > SIZE_MAX / sizeof(*obs) || (cap - e->cap) * sizeof(*obs) > bytes_left(s))
		goto fail;
	obs = realloc(e->obs, cap * sizeof(*obs));
	if (obs == NULL)
		goto fail;
	s->st.bytes += (cap - e->cap) * sizeof(*obs);
	e->obs = obs;
	e->cap = cap;
	return true;
fail:
	s->st.dropped_bytes++;
	return false;
}

static void
entry_free(struct entry *e)
{
	if (e == NULL)
		return;
	free(e->obs);
	free(e);
}

/* Called with the lock held. The order of the checks decides which counter a drop lands in. */
static void
put_one(struct store_mem *s, const struct observation *o, uint64_t now_s)
{
	if (is_expired(s, o->id, now_s)) {
		s->st.dropped_expired++;
		return;
	}
	struct entry *e = lookup(s, o->id);
	if ((e != NULL ? e->n : 0) >= s->lim.max_obs_per_test) {
		s->st.dropped_test_full++;
		return;
	}
	if (e == NULL) {
		if (s->st.live_tests >= s->lim.max_tests) {
			s->st.dropped_tests_max++;
			return;
		}
		e = entry_new(s, o->id);
		if (e == NULL)
			return;
		struct entry **head = &s->buckets[id_hash(o->id) & s->mask];
		e->next = *head;
		*head = e;
		s->st.live_tests++;
	}
	if (e->n == e->cap && !entry_grow(s, e))
		return;
	e->obs[e->n++] = *o;
	s->st.stored++;
}

struct store_mem *
store__mem_new(const struct store_limits *lim)
{
	struct store_mem *s = calloc(1, sizeof(*s));
	size_t nb = BUCKETS_MIN;

	if (s == NULL)
		return NULL;
	/* One bucket per possible live test keeps chains short; the heads are not in max_bytes
	 * because their size is fixed here, not driven by traffic. */
	while (nb < lim->max_tests && nb < BUCKETS_MAX)
		nb *= 2;
	s->buckets = calloc(nb, sizeof(*s->buckets));
	if (s->buckets == NULL || pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s->buckets);
		free(s);
		return NULL;
	}
	s->mask = nb - 1;
	s->lim = *lim;
	return s;
}

void
store__mem_free(struct store_mem *s)
{
	if (s == NULL)
		return;
	for (size_t b = 0; b <= s->mask; b++) {
		struct entry *e = s->buckets[b];
		while (e != NULL) {
			struct entry *next = e->next;
			entry_free(e);
			e = next;
		}
	}
	free(s->buckets);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void
store__mem_put(struct store_mem *s, const struct observation *obs, size_t n, uint64_t now_s)
{
	/* One lock round trip per drained batch, not per observation. */
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < n; i++)
		put_one(s, &obs[i], now_s);
	pthread_mutex_unlock(&s->lock);
}

int
store__mem_get(struct store_mem *s, const uint8_t id[TESTID_LEN], uint64_t now_s,
	       struct observation **out, size_t *n)
{
	struct observation *copy = NULL;
	const struct entry *e;
	size_t count = 0;
	int rc = DL_E_OK;

	/* An expired test may linger until the next store_expire(); its results are gone anyway. */
	if (is_expired(s, id, now_s))
		goto out;
	pthread_mutex_lock(&s->lock);
	e = lookup(s, id);
	if (e != NULL && e->n > 0) {
		/* Copied under the lock: the array may be realloc'd by the next put. */
		copy = malloc(e->n * sizeof(*copy));
		if (copy == NULL) {
			rc = DL_E_NOMEM;
		} else {
			memcpy(copy, e->obs, e->n * sizeof(*copy));
			count = e->n;
		}
	}
	pthread_mutex_unlock(&s->lock);
out:
	*out = copy;
	*n = count;
	return rc;
}

void
store__mem_expire(struct store_mem *s, uint64_t now_s)
{
	/*
	 * A full sweep rather than an expiry-ordered list: tests are first seen in any order of
	 * creation time, and walking max_tests chains once a second is cheap.
	 */
	pthread_mutex_lock(&s->lock);
	for (size_t b = 0; b <= s->mask; b++) {
		struct entry **pp = &s->buckets[b];
		while (*pp != NULL) {
			struct entry *e = *pp;
			if (!is_expired(s, e->id, now_s)) {
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			s->st.bytes -= entry_bytes(e);
			s->st.live_tests--;
			s->st.tests_expired++;
			entry_free(e);
		}
	}
	pthread_mutex_unlock(&s->lock);
}

void
store__mem_get_stats(struct store_mem *s, struct store_stats *st)
{
	pthread_mutex_lock(&s->lock);
	*st = s->st;
	pthread_mutex_unlock(&s->lock);
}
