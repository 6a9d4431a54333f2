/* siphash.h -- SipHash-2-4 (Aumasson & Bernstein 2012): a fast keyed PRF for short inputs.
 *
 * Used as the MAC of test ids on the DNS hot path, where an HMAC would cost a microsecond per
 * query. Verified against the reference vectors in tests/unit/test_testid.c.
 */
#ifndef DL_SIPHASH_H
#define DL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const uint8_t *in, size_t len);

#endif
