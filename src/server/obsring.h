/* obsring.h -- single-producer single-consumer ring of observations, lock-free.
 *
 * Each DNS thread owns one ring and pushes what it observed; the store thread drains all of
 * them. No lock and no allocation per packet: the slots are allocated once. A full ring drops
 * the observation and counts it, so a slow store never blocks DNS answers (DESIGN.md 4).
 */
#ifndef DL_OBSRING_H
#define DL_OBSRING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "err.h"
#include "observation.h"

struct obs_ring {
	_Alignas(64) _Atomic size_t head; /* next slot the producer writes */
	_Alignas(64) _Atomic size_t tail; /* next slot the consumer reads */
	_Alignas(64) _Atomic uint64_t dropped;
	size_t mask;
	struct observation *slots;
};

/* slots must be a power of two. */
static inline DL_MUSTCHECK int
obs_ring_init(struct obs_ring *r, size_t slots)
{
	r->slots = calloc(slots, sizeof(*r->slots));
	if (r->slots == NULL)
		return DL_E_NOMEM;
	r->mask = slots - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->dropped, 0);
	return DL_E_OK;
}

static inline void
obs_ring_fini(struct obs_ring *r)
{
	free(r->slots);
	r->slots = NULL;
}

/* Producer side only. False (and counted) when the ring is full. */
static inline bool
obs_ring_push(struct obs_ring *r, const struct observation *o)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail > r->mask) {
		atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
		return false;
	}
	r->slots[head & r->mask] = *o;
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return true;
}

/* Consumer side only. Copies up to max observations into out; returns how many. */
static inline size_t
obs_ring_pop(struct obs_ring *r, struct observation *out, size_t max)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t n = head - tail;

	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = r->slots[(tail + i) & r->mask];
	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}

#endif
