/* secret.h -- the server secret and the keys derived from it.
 *
 * The secret file holds 64 hex digits (32 bytes) and a newline; every node of a deployment
 * shares it, so any node validates any id. Two independent keys are derived with HMAC-SHA256:
 * one MACs test ids (SipHash key), the other makes read tokens.
 */
#ifndef DL_SECRET_H
#define DL_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "testid.h"

#define SECRET_LEN 32

struct keys {
	uint8_t id_key[TESTID_KEY_LEN];
	uint8_t token_key[TOKEN_KEY_LEN];
};

/*
 * Load the secret from path, or create it (mode 0600, from getrandom) when it does not exist.
 * path NULL: an ephemeral secret for this run only. On error writes a message to err and
 * returns a negative code.
 */
DL_MUSTCHECK int secret_load(const char *path, struct keys *out, char *err, size_t err_len);

/* Fill buf with n bytes from getrandom(); 0 or -errno. */
DL_MUSTCHECK int secret_random(uint8_t *buf, size_t n);

/* Derive the keys from a 32-byte secret (pure; exposed for tests). */
void secret_derive(const uint8_t secret[SECRET_LEN], struct keys *out);

#endif
