/* cursor.h -- bounds-checked access to untrusted bytes, and a bounded writer.
 *
 * struct rcur reads; the first short read sets a sticky err and every later read returns zero,
 * so a parser reads a whole header and checks err once. It never hands out a non-const pointer.
 * struct wcur writes; a write that does not fit sets a sticky full and writes nothing, so a
 * response builder writes everything and checks full once. Big-endian by shifting, never by
 * casting, so unaligned buffers are safe.
 */
#ifndef DL_CURSOR_H
#define DL_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rcur {
	const uint8_t *base; /* message start; compression offsets count from here */
	const uint8_t *pos;  /* next byte to read */
	const uint8_t *end;  /* one past the last byte */
	bool err;            /* sticky: set by the first short read */
};

static inline struct rcur
rcur_make(const uint8_t *buf, size_t len)
{
	return (struct rcur){ .base = buf, .pos = buf, .end = buf + len, .err = false };
}

static inline size_t
rcur_left(const struct rcur *c)
{
	return (size_t)(c->end - c->pos);
}

static inline size_t
rcur_offset(const struct rcur *c)
{
	return (size_t)(c->pos - c->base);
}

static inline const uint8_t *
rcur_take(struct rcur *c, size_t n)
{
	if (c->err || rcur_left(c) < n) {
		c->err = true;
		return NULL;
	}
	const uint8_t *p = c->pos;
	c->pos += n;
	return p;
}

static inline uint8_t
rcur_u8(struct rcur *c)
{
	const uint8_t *p = rcur_take(c, 1);

	return p == NULL ? 0 : p[0];
}

static inline uint16_t
rcur_u16(struct rcur *c)
{
	const uint8_t *p = rcur_take(c, 2);

	if (p == NULL)
		return 0;
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rcur_u32(struct rcur *c)
{
	const uint8_t *p = rcur_take(c, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct wcur {
	uint8_t *base; /* message start; compression pointers count from here */
	uint8_t *pos;
	uint8_t *end;
	bool full; /* sticky: set by the first write that did not fit */
};

static inline struct wcur
wcur_make(uint8_t *buf, size_t cap)
{
	return (struct wcur){ .base = buf, .pos = buf, .end = buf + cap, .full = false };
}

static inline size_t
wcur_len(const struct wcur *w)
{
	return (size_t)(w->pos - w->base);
}

static inline uint8_t *
wcur_reserve(struct wcur *w, size_t n)
{
	if (w->full || (size_t)(w->end - w->pos) < n) {
		w->full = true;
		return NULL;
	}
	uint8_t *p = w->pos;
	w->pos += n;
	return p;
}

static inline void
wcur_bytes(struct wcur *w, const void *src, size_t n)
{
	uint8_t *p = wcur_reserve(w, n);

	if (p != NULL && n > 0)
		memcpy(p, src, n);
}

static inline void
wcur_u8(struct wcur *w, uint8_t v)
{
	uint8_t *p = wcur_reserve(w, 1);

	if (p != NULL)
		p[0] = v;
}

static inline void
wcur_u16(struct wcur *w, uint16_t v)
{
	uint8_t *p = wcur_reserve(w, 2);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

static inline void
wcur_u32(struct wcur *w, uint32_t v)
{
	uint8_t *p = wcur_reserve(w, 4);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

/* Overwrite a big-endian u16 at offset off of an already written region. */
static inline void
wcur_put_u16_at(struct wcur *w, size_t off, uint16_t v)
{
	if (off + 2 <= wcur_len(w)) {
		w->base[off] = (uint8_t)(v >> 8);
		w->base[off + 1] = (uint8_t)v;
	}
}

#endif
