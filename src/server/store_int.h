/* store_int.h -- what store.c needs from each backend; not for callers of store.h.
 *
 * store.c owns `struct store`, a handle naming one backend, and forwards every store.h call to
 * it. Each backend keeps its own state type and these functions, with the meaning store.h gives
 * the public ones.
 */
#ifndef DL_STORE_INT_H
#define DL_STORE_INT_H

#include "store.h"

struct store_mem;
struct store_mem *store__mem_new(const struct store_limits *lim);
void store__mem_free(struct store_mem *m);
void store__mem_put(struct store_mem *m, const struct observation *obs, size_t n, uint64_t now_s);
DL_MUSTCHECK int store__mem_get(struct store_mem *m, const uint8_t id[TESTID_LEN], uint64_t now_s,
				struct observation **out, size_t *n);
void store__mem_expire(struct store_mem *m, uint64_t now_s);
void store__mem_get_stats(struct store_mem *m, struct store_stats *st);

struct store_redis;
/* NULL with err filled when Redis cannot be used now (see store_redis_new). */
struct store_redis *store__redis_new(const struct store_limits *lim,
				     const struct store_redis_opts *o, char *err, size_t err_len);
void store__redis_free(struct store_redis *r);
void store__redis_put(struct store_redis *r, const struct observation *obs, size_t n,
		      uint64_t now_s);
DL_MUSTCHECK int store__redis_get(struct store_redis *r, const uint8_t id[TESTID_LEN],
				  uint64_t now_s, struct observation **out, size_t *n);
void store__redis_get_stats(struct store_redis *r, struct store_stats *st);

#endif
