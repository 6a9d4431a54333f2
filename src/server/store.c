/* store.c -- the store handle: which backend holds the observations, and the calls to it.
 *
 * Two backends, so a switch rather than a table of function pointers: each call is checked
 * by the compiler against the backend's own types (store_int.h).
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>

#include "store_int.h"

struct store {
	struct store_mem *mem; /* exactly one of these is set */
	struct store_redis *redis;
};

struct store *
store_memory_new(const struct store_limits *lim)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->mem = store__mem_new(lim);
	if (s->mem == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

struct store *
store_redis_new(const struct store_limits *lim, const struct store_redis_opts *o, char *err,
		size_t err_len)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	s->redis = store__redis_new(lim, o, err, err_len);
	if (s->redis == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	if (s->mem != NULL)
		store__mem_free(s->mem);
	else
		store__redis_free(s->redis);
	free(s);
}

void
store_put(struct store *s, const struct observation *obs, size_t n, uint64_t now_s)
{
	if (s->mem != NULL)
		store__mem_put(s->mem, obs, n, now_s);
	else
		store__redis_put(s->redis, obs, n, now_s);
}

int
store_get(struct store *s, const uint8_t id[TESTID_LEN], uint64_t now_s, struct observation **out,
	  size_t *n)
{
	if (s->mem != NULL)
		return store__mem_get(s->mem, id, now_s, out, n);
	return store__redis_get(s->redis, id, now_s, out, n);
}

void
store_expire(struct store *s, uint64_t now_s)
{
	/* Redis expires each test's key by itself (EXPIREAT). */
	if (s->mem != NULL)
		store__mem_expire(s->mem, now_s);
}

void
store_get_stats(struct store *s, struct store_stats *st)
{
	if (s->mem != NULL)
		store__mem_get_stats(s->mem, st);
	else
		store__redis_get_stats(s->redis, st);
}
