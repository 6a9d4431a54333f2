/* pktbuf.h -- a byte writer for test packets: big-endian integers, raw bytes, zeros and DNS
 * names from dotted text, appended to a fixed buffer. Every write checks the room left with a
 * cmocka assertion, so a test that builds too much fails instead of overflowing. Include after
 * <cmocka.h>. Shared by the unit tests that craft packets (dnswire, answer, capture).
 */
#ifndef DL_TEST_PKTBUF_H
#define DL_TEST_PKTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Room for the largest packet any test builds: a 3000-byte TCP query with its headers. */
#define PKTBUF_MAX 4096

struct pktbuf {
	uint8_t b[PKTBUF_MAX];
	size_t n; /* bytes written so far; set to 0 to start over */
};

/* One byte. */
static inline void
p8(struct pktbuf *p, uint8_t v)
{
	assert_true(p->n < sizeof(p->b));
	p->b[p->n++] = v;
}

/* Two bytes, network order. */
static inline void
p16(struct pktbuf *p, uint16_t v)
{
	p8(p, (uint8_t)(v >> 8));
	p8(p, (uint8_t)v);
}

/* Four bytes, network order. */
static inline void
p32(struct pktbuf *p, uint32_t v)
{
	p16(p, (uint16_t)(v >> 16));
	p16(p, (uint16_t)v);
}

/* n bytes from src (src may be NULL when n is 0). */
static inline void
pbytes(struct pktbuf *p, const void *src, size_t n)
{
	assert_true(p->n + n <= sizeof(p->b));
	if (n > 0)
		memcpy(p->b + p->n, src, n);
	p->n += n;
}

/* n zero bytes. */
static inline void
pzero(struct pktbuf *p, size_t n)
{
	assert_true(p->n + n <= sizeof(p->b));
	memset(p->b + p->n, 0, n);
	p->n += n;
}

/*
 * A dotted name as uncompressed labels, case kept, then the root label. "" and "." are the
 * root; a trailing dot is allowed. No escapes and no length checks (a label longer than 63
 * is written as is): test names only, bytes other than '.' go in as they are.
 */
static inline void
pname(struct pktbuf *p, const char *dotted)
{
	const char *s = strcmp(dotted, ".") == 0 ? "" : dotted;

	while (*s != '\0') {
		size_t l = strcspn(s, ".");
		p8(p, (uint8_t)l);
		pbytes(p, s, l);
		s += l;
		if (*s == '.')
			s++;
	}
	p8(p, 0);
}

#endif
