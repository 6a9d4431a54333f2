/* testid.c -- test ids, probe labels and read tokens. */
#include "testid.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "siphash.h"

#define MAC_LEN (TESTID_LEN - 4 - TESTID_RANDOM_LEN)

static const char b32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

void
base32_encode(const uint8_t *in, size_t len, char *out)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8 | in[i]) & 0xffffu;
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32_alphabet[(acc >> (bits - 5)) & 31u];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31u];
	out[o] = '\0';
}

/* Base32 value + 1 of every byte, 0 for bytes outside the alphabet (either case). */
static const uint8_t b32_values[256] = {
	['a'] = 1,  ['b'] = 2,  ['c'] = 3,  ['d'] = 4,  ['e'] = 5,  ['f'] = 6,  ['g'] = 7,
	['h'] = 8,  ['i'] = 9,  ['j'] = 10, ['k'] = 11, ['l'] = 12, ['m'] = 13, ['n'] = 14,
	['o'] = 15, ['p'] = 16, ['q'] = 17, ['r'] = 18, ['s'] = 19, ['t'] = 20, ['u'] = 21,
	['v'] = 22, ['w'] = 23, ['x'] = 24, ['y'] = 25, ['z'] = 26, ['A'] = 1,  ['B'] = 2,
	['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,  ['I'] = 9,
	['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
	['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23,
	['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['2'] = 27, ['3'] = 28, ['4'] = 29, ['5'] = 30,
	['6'] = 31, ['7'] = 32,
};

static void
compute_mac(const uint8_t key[TESTID_KEY_LEN], const uint8_t id[TESTID_LEN], uint8_t mac[MAC_LEN])
{
	uint64_t h = siphash24(key, id, 4 + TESTID_RANDOM_LEN);

	for (int i = 0; i < MAC_LEN; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
}

void
testid_make(const uint8_t key[TESTID_KEY_LEN], uint32_t created_s,
	    const uint8_t random[TESTID_RANDOM_LEN], uint8_t id[TESTID_LEN])
{
	id[0] = (uint8_t)(created_s >> 24);
	id[1] = (uint8_t)(created_s >> 16);
	id[2] = (uint8_t)(created_s >> 8);
	id[3] = (uint8_t)created_s;
	memcpy(id + 4, random, TESTID_RANDOM_LEN);
	compute_mac(key, id, id + 4 + TESTID_RANDOM_LEN);
}

bool
testid_verify(const uint8_t key[TESTID_KEY_LEN], const uint8_t id[TESTID_LEN])
{
	uint8_t mac[MAC_LEN];
	uint8_t diff = 0;

	compute_mac(key, id, mac);
	for (int i = 0; i < MAC_LEN; i++)
		diff |= (uint8_t)(mac[i] ^ id[4 + TESTID_RANDOM_LEN + i]);
	return diff == 0;
}

uint32_t
testid_created(const uint8_t id[TESTID_LEN])
{
	return (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3];
}

void
testid_to_text(const uint8_t id[TESTID_LEN], char out[TESTID_TEXT_LEN + 1])
{
	base32_encode(id, TESTID_LEN, out);
}

enum dl_err
testid_from_text(const char *text, size_t len, uint8_t id[TESTID_LEN])
{
	uint8_t tmp[TESTID_LEN];
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	if (len != TESTID_TEXT_LEN)
		return DL_E_BADID;
	for (size_t i = 0; i < len; i++) {
		uint8_t v = b32_values[(uint8_t)text[i]];
		if (v == 0)
			return DL_E_BADID;
		acc = (acc << 5 | (uint32_t)(v - 1)) & 0xffffu;
		bits += 5;
		if (bits >= 8) {
			tmp[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	/* 26 * 5 = 130 bits: the last 2 must be zero, or two spellings would name one id. */
	if ((acc & ((1u << bits) - 1u)) != 0)
		return DL_E_BADID;
	memcpy(id, tmp, TESTID_LEN);
	return DL_E_OK;
}

static bool
is_nonce_char(uint8_t ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

void
testid_parse_label(const uint8_t *label, size_t len, struct probe_label *out)
{
	out->kind = PROBE_NONE;
	if (len < TESTID_TEXT_LEN + 2 || len > ZONE_NONCE_MAX + 1 + TESTID_TEXT_LEN)
		return;
	size_t nlen = len - TESTID_TEXT_LEN - 1;
	if (label[nlen] != '-')
		return;
	bool upper = false;
	for (size_t i = 0; i < nlen; i++) {
		if (!is_nonce_char(label[i]))
			return;
		upper |= label[i] >= 'A' && label[i] <= 'Z';
		out->nonce[i] =
		    (char)((label[i] >= 'A' && label[i] <= 'Z') ? label[i] + 32 : label[i]);
	}
	out->nonce[nlen] = '\0';
	const uint8_t *idtext = label + nlen + 1;
	if (testid_from_text((const char *)idtext, TESTID_TEXT_LEN, out->id) != DL_E_OK)
		return;
	for (size_t i = 0; i < TESTID_TEXT_LEN; i++)
		upper |= idtext[i] >= 'A' && idtext[i] <= 'Z';
	out->has_upper = upper;
	if (strcmp(out->nonce, "v4") == 0)
		out->kind = PROBE_V4;
	else if (strcmp(out->nonce, "v6") == 0)
		out->kind = PROBE_V6;
	else
		out->kind = PROBE_NAME;
}

static void
token_bytes(const uint8_t key[TOKEN_KEY_LEN], const uint8_t id[TESTID_LEN], uint8_t out[TOKEN_LEN])
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	HMAC(EVP_sha256(), key, TOKEN_KEY_LEN, id, TESTID_LEN, mac, &maclen);
	memcpy(out, mac, TOKEN_LEN);
}

void
testid_token(const uint8_t key[TOKEN_KEY_LEN], const uint8_t id[TESTID_LEN],
	     char out[TOKEN_TEXT_LEN + 1])
{
	uint8_t tok[TOKEN_LEN];

	token_bytes(key, id, tok);
	base32_encode(tok, TOKEN_LEN, out);
}

bool
testid_token_ok(const uint8_t key[TOKEN_KEY_LEN], const uint8_t id[TESTID_LEN],
		const char *presented)
{
	char want[TOKEN_TEXT_LEN + 1];

	if (presented == NULL || strlen(presented) != TOKEN_TEXT_LEN)
		return false;
	testid_token(key, id, want);
	return CRYPTO_memcmp(want, presented, TOKEN_TEXT_LEN) == 0;
}
