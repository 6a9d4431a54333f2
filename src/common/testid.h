/* testid.h -- test ids, probe labels and read tokens. Pure: the caller brings time and randomness.
 *
 * An id is 16 bytes: created (u32 seconds, big-endian) | 6 random bytes | 6 bytes of
 * SipHash-2-4(id key, first 10 bytes). Any node holding the key validates an id and knows when it
 * expires without a store lookup, so floods of made-up or stale names cost no memory. In text an
 * id is 26 characters of lowercase RFC 4648 base32, parsed case-insensitively (resolvers randomise
 * case, 0x20); the unused low bits of the last character must be zero, so one id has one spelling.
 *
 * The read token is HMAC-SHA256(token key, id) cut to 160 bits (32 base32 characters): the id
 * travels in DNS names every resolver on the path sees, the token only to the test's creator.
 */
#ifndef DL_TESTID_H
#define DL_TESTID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "limits.h"

#define TESTID_LEN 16
#define TESTID_TEXT_LEN 26
#define TESTID_RANDOM_LEN 6
#define TESTID_KEY_LEN 16
#define TOKEN_LEN 20
#define TOKEN_TEXT_LEN 32
#define TOKEN_KEY_LEN 32

/* What a single probe label says (see DESIGN.md 2). */
enum probe_kind {
	PROBE_NONE = 0, /* not a test label */
	PROBE_NAME,     /* <nonce>-<id> */
	PROBE_V4,       /* v4-<id>: A only */
	PROBE_V6,       /* v6-<id>: AAAA only */
};

struct probe_label {
	enum probe_kind kind;
	uint8_t id[TESTID_LEN];
	char
	    nonce[ZONE_NONCE_MAX + 1]; /* lowercase [a-z0-9], NUL-terminated; "v4"/"v6" for those */
	bool has_upper;                /* the label used 0x20 case randomisation */
};

/* Build an id from its creation time and 6 random bytes. */
void testid_make(const uint8_t key[TESTID_KEY_LEN], uint32_t created_s,
		 const uint8_t random[TESTID_RANDOM_LEN], uint8_t id[TESTID_LEN]);

/* True when the MAC in id is right for key (constant time). */
bool testid_verify(const uint8_t key[TESTID_KEY_LEN], const uint8_t id[TESTID_LEN]);

/* Seconds since the epoch at which the id was made. */
uint32_t testid_created(const uint8_t id[TESTID_LEN]);

/* 26 lowercase base32 characters and a NUL. */
void testid_to_text(const uint8_t id[TESTID_LEN], char out[TESTID_TEXT_LEN + 1]);

/* Exactly 26 base32 characters, any case, canonical last character; DL_E_BADID otherwise. */
DL_MUSTCHECK enum dl_err testid_from_text(const char *text, size_t len, uint8_t id[TESTID_LEN]);

/*
 * Classify one DNS label (raw bytes, any case). Syntax only: the caller verifies the MAC.
 * Nonces are 1..ZONE_NONCE_MAX of [a-z0-9]; "v4" and "v6" are reserved for the exit names.
 */
void testid_parse_label(const uint8_t *label, size_t len, struct probe_label *out);

/* HMAC-SHA256(key, id) cut to TOKEN_LEN bytes, as 32 lowercase base32 characters and a NUL. */
void testid_token(const uint8_t key[TOKEN_KEY_LEN], const uint8_t id[TESTID_LEN],
		  char out[TOKEN_TEXT_LEN + 1]);

/* Constant-time check of a presented token (any length) against the right one. */
bool testid_token_ok(const uint8_t key[TOKEN_KEY_LEN], const uint8_t id[TESTID_LEN],
		     const char *presented);

/* Lowercase RFC 4648 base32 without padding; out holds ceil(len*8/5) chars and a NUL. */
void base32_encode(const uint8_t *in, size_t len, char *out);

#endif
