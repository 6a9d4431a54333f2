/* stunwire.c -- STUN Binding codec, the size rule and the per-source token buckets. */
#include "stunwire.h"

#include <string.h>

#include "cursor.h"

#define ERROR_REASON "Unknown Attribute"
#define ERROR_REASON_LEN (sizeof(ERROR_REASON) - 1)
#define RATE_MAX 1000000u /* clamp: keeps the bucket arithmetic far from overflow */

static const char *const status_names[STUN_STATUS_COUNT] = {
	[STUN_ANSWER_SUCCESS] = "success",  [STUN_ANSWER_UNKNOWN_ATTR] = "unknown_attribute",
	[STUN_DROP_RUNT] = "runt",          [STUN_DROP_TOOBIG] = "too_big",
	[STUN_DROP_NOT_STUN] = "not_stun",  [STUN_DROP_NO_COOKIE] = "no_cookie",
	[STUN_DROP_LENGTH] = "bad_length",  [STUN_DROP_NOT_REQUEST] = "not_binding_request",
	[STUN_DROP_ATTR] = "bad_attribute", [STUN_DROP_FINGERPRINT] = "bad_fingerprint",
	[STUN_DROP_SIZE] = "size_rule",     [STUN_DROP_RATE] = "rate_limit",
};

const char *
stun_status_name(enum stun_status s)
{
	if ((unsigned)s >= STUN_STATUS_COUNT)
		return "unknown";
	return status_names[s];
}

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint32_t
stun_crc32(const uint8_t *buf, size_t len)
{
	uint32_t crc = 0xFFFFFFFFu;

	/* Bitwise: requests are at most STUN_MSG_MAX bytes, so no table is worth its cache lines.
	 */
	for (size_t i = 0; i < len; i++) {
		crc ^= buf[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* RFC 8489 14.7: the CRC of everything before the FINGERPRINT attribute at offset at. */
static bool
fingerprint_ok(const uint8_t *msg, size_t at, const uint8_t *value)
{
	return (stun_crc32(msg, at) ^ STUN_FINGERPRINT_XOR) == be32(value);
}

/* The comprehension-required attributes we understand, if only to ignore them. */
static bool
is_known(uint16_t type)
{
	switch (type) {
	case STUN_ATTR_MAPPED_ADDRESS:
	case STUN_ATTR_USERNAME:
	case STUN_ATTR_MESSAGE_INTEGRITY:
	case STUN_ATTR_ERROR_CODE:
	case STUN_ATTR_UNKNOWN_ATTRIBUTES:
	case STUN_ATTR_REALM:
	case STUN_ATTR_NONCE:
	case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
	case STUN_ATTR_PASSWORD_ALGORITHM:
	case STUN_ATTR_USERHASH:
	case STUN_ATTR_XOR_MAPPED_ADDRESS:
	case STUN_ATTR_PRIORITY:
	case STUN_ATTR_USE_CANDIDATE:
		return true;
	default:
		return false;
	}
}

static void
add_unknown(uint16_t *list, size_t *n, uint16_t type)
{
	for (size_t i = 0; i < *n && i < STUN_UNKNOWN_MAX; i++)
		if (list[i] == type)
			return;
	if (*n < STUN_UNKNOWN_MAX)
		list[*n] = type;
	(*n)++;
	if (*n > STUN_UNKNOWN_MAX)
		*n = STUN_UNKNOWN_MAX; /* the rest would not fit in any answer we may send */
}

/*
 * The header rules shared by requests and responses (RFC 8489 5, 6.3): length, top bits,
 * cookie, length field. Leaves c just past the header and returns the message type.
 */
static enum stun_status
parse_header(struct rcur *c, size_t len, uint16_t *type, uint8_t txid[static STUN_TXID_LEN])
{
	if (len < STUN_HEADER_LEN)
		return STUN_DROP_RUNT;
	if (len > STUN_MSG_MAX)
		return STUN_DROP_TOOBIG;
	*type = rcur_u16(c);
	uint16_t mlen = rcur_u16(c);
	uint32_t cookie = rcur_u32(c);
	const uint8_t *id = rcur_take(c, STUN_TXID_LEN);
	if (c->err)
		return STUN_DROP_RUNT;
	if (*type & 0xC000)
		return STUN_DROP_NOT_STUN; /* RFC 7983: RTP, DTLS and the like */
	if (cookie != STUN_MAGIC_COOKIE)
		return STUN_DROP_NO_COOKIE;
	if (mlen % 4 != 0 || mlen != len - STUN_HEADER_LEN)
		return STUN_DROP_LENGTH;
	memcpy(txid, id, STUN_TXID_LEN);
	return STUN_ANSWER_SUCCESS;
}

/*
 * One attribute at c: type, length, and the value with its padding. Three checks (wireguard-tools
 * mnl_attr_ok): the header fits, the value fits, the padding fits. The last always holds once the
 * message length is a multiple of 4, but the cursor checks it anyway.
 */
static bool
next_attr(struct rcur *c, size_t *at, uint16_t *type, uint16_t *alen, const uint8_t **value)
{
	*at = rcur_offset(c);
	*type = rcur_u16(c);
	*alen = rcur_u16(c);
	*value = rcur_take(c, pad4(*alen));
	return !c->err;
}

enum stun_status
stun_parse_request(const uint8_t *msg, size_t len, struct stun_request *out)
{
	struct rcur c = rcur_make(msg, len);
	uint16_t type = 0;
	bool after_integrity = false, fingerprint = false;
	enum stun_status st;

	memset(out, 0, sizeof(*out));
	st = parse_header(&c, len, &type, out->txid);
	if (st != STUN_ANSWER_SUCCESS)
		return st;
	if (type != STUN_BINDING_REQUEST)
		return STUN_DROP_NOT_REQUEST;
	while (rcur_left(&c) > 0) {
		size_t at;
		uint16_t atype, alen;
		const uint8_t *value;
		if (!next_attr(&c, &at, &atype, &alen, &value))
			return STUN_DROP_ATTR;
		if (fingerprint)
			return STUN_DROP_FINGERPRINT; /* RFC 8489 14.7: it must be the last one */
		if (atype == STUN_ATTR_FINGERPRINT) {
			if (alen != 4 || !fingerprint_ok(msg, at, value))
				return STUN_DROP_FINGERPRINT;
			fingerprint = true;
			continue;
		}
		/* RFC 8489 14.5: after MESSAGE-INTEGRITY only -SHA256 and FINGERPRINT count. */
		if (after_integrity)
			continue;
		if (atype == STUN_ATTR_MESSAGE_INTEGRITY ||
		    atype == STUN_ATTR_MESSAGE_INTEGRITY_SHA256) {
			out->has_integrity = true;
			after_integrity = true;
			continue;
		}
		if (atype < 0x8000 && !is_known(atype))
			add_unknown(out->unknown, &out->n_unknown, atype);
	}
	out->has_fingerprint = fingerprint;
	return out->n_unknown > 0 ? STUN_ANSWER_UNKNOWN_ATTR : STUN_ANSWER_SUCCESS;
}

static void
put_header(struct wcur *w, uint16_t type, const uint8_t txid[static STUN_TXID_LEN])
{
	wcur_u16(w, type);
	wcur_u16(w, 0); /* the length, set by put_end */
	wcur_u32(w, STUN_MAGIC_COOKIE);
	wcur_bytes(w, txid, STUN_TXID_LEN);
}

/* Set the length field and append FINGERPRINT when asked (RFC 8489 14.7: length includes it). */
static void
put_end(struct wcur *w, bool fingerprint)
{
	size_t body = wcur_len(w) - STUN_HEADER_LEN + (fingerprint ? 8 : 0);

	wcur_put_u16_at(w, 2, (uint16_t)body);
	if (!fingerprint)
		return;
	size_t at = wcur_len(w);
	wcur_u16(w, STUN_ATTR_FINGERPRINT);
	wcur_u16(w, 4);
	if (!w->full)
		wcur_u32(w, stun_crc32(w->base, at) ^ STUN_FINGERPRINT_XOR);
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it is. */
static struct dl_addr
unmap(const struct dl_addr *a)
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };
	struct dl_addr v4 = { .family = 4 };

	if (a->family != 6 || memcmp(a->a, prefix, sizeof(prefix)) != 0)
		return *a;
	memcpy(v4.a, a->a + 12, 4);
	return v4;
}

static size_t
success_len(const struct dl_addr *a, bool fingerprint)
{
	return STUN_HEADER_LEN + 4 + (a->family == 4 ? 8 : 20) + (fingerprint ? 8 : 0);
}

/* RFC 8489 14.2: port and address xor the cookie, an IPv6 address also the transaction id. */
static void
put_xor_mapped(struct wcur *w, const struct dl_addr *a, uint16_t port,
	       const uint8_t txid[static STUN_TXID_LEN])
{
	uint8_t mask[16] = { 0x21, 0x12, 0xA4, 0x42 };
	size_t n = a->family == 4 ? 4 : 16;

	memcpy(mask + 4, txid, STUN_TXID_LEN);
	wcur_u16(w, STUN_ATTR_XOR_MAPPED_ADDRESS);
	wcur_u16(w, (uint16_t)(4 + n));
	wcur_u8(w, 0);
	wcur_u8(w, a->family == 4 ? 0x01 : 0x02);
	wcur_u16(w, port ^ (uint16_t)(STUN_MAGIC_COOKIE >> 16));
	for (size_t i = 0; i < n; i++)
		wcur_u8(w, a->a[i] ^ mask[i]);
}

/*
 * A 420 within len bytes: ERROR-CODE with its reason phrase if everything fits, otherwise
 * without it and with as many UNKNOWN-ATTRIBUTES entries as fit. 0: not even one fits.
 */
static size_t
build_420(const struct stun_request *rq, size_t limit, uint8_t *out, size_t cap)
{
	size_t base = STUN_HEADER_LEN + 8 + 4 + (rq->has_fingerprint ? 8 : 0);
	size_t reason = pad4(ERROR_REASON_LEN);
	size_t k = rq->n_unknown;
	bool with_reason = base + reason + pad4(2 * k) <= limit;

	if (!with_reason) {
		while (k > 0 && base + pad4(2 * k) > limit)
			k--;
		if (k == 0)
			return 0;
	}
	struct wcur w = wcur_make(out, cap);
	put_header(&w, STUN_BINDING_ERROR, rq->txid);
	wcur_u16(&w, STUN_ATTR_ERROR_CODE);
	wcur_u16(&w, (uint16_t)(4 + (with_reason ? ERROR_REASON_LEN : 0)));
	wcur_u16(&w, 0);
	wcur_u8(&w, 4);  /* class */
	wcur_u8(&w, 20); /* number */
	if (with_reason) {
		static const uint8_t zero[3];
		wcur_bytes(&w, ERROR_REASON, ERROR_REASON_LEN);
		wcur_bytes(&w, zero, reason - ERROR_REASON_LEN);
	}
	wcur_u16(&w, STUN_ATTR_UNKNOWN_ATTRIBUTES);
	wcur_u16(&w, (uint16_t)(2 * k));
	for (size_t i = 0; i < k; i++)
		wcur_u16(&w, rq->unknown[i]);
	if (k % 2 == 1)
		wcur_u16(&w, 0);
	put_end(&w, rq->has_fingerprint);
	return w.full ? 0 : wcur_len(&w);
}

size_t
stun_answer(const uint8_t *msg, size_t len, const struct dl_endpoint *peer, uint8_t *out,
	    size_t cap, enum stun_status *status)
{
	struct stun_request rq;
	enum stun_status st = stun_parse_request(msg, len, &rq);
	size_t n = 0;

	if (st == STUN_ANSWER_UNKNOWN_ATTR) {
		n = build_420(&rq, len, out, cap);
	} else if (st == STUN_ANSWER_SUCCESS) {
		/* The size rule's one exception: the minimal success answer (stunwire.h). */
		struct dl_addr a = unmap(&peer->addr);
		if (success_len(&a, rq.has_fingerprint) <= cap) {
			struct wcur w = wcur_make(out, cap);
			put_header(&w, STUN_BINDING_SUCCESS, rq.txid);
			put_xor_mapped(&w, &a, peer->port, rq.txid);
			put_end(&w, rq.has_fingerprint);
			n = w.full ? 0 : wcur_len(&w);
		}
	} else {
		*status = st;
		return 0;
	}
	*status = n > 0 ? st : STUN_DROP_SIZE;
	return n;
}

static enum dl_err
parse_xor_mapped(const uint8_t *v, uint16_t alen, const uint8_t txid[static STUN_TXID_LEN],
		 struct dl_endpoint *out)
{
	uint8_t mask[16] = { 0x21, 0x12, 0xA4, 0x42 };

	memcpy(mask + 4, txid, STUN_TXID_LEN);
	if (alen < 4 || v[0] != 0)
		return DL_E_FORMAT;
	size_t n = v[1] == 0x01 ? 4 : v[1] == 0x02 ? 16 : 0;
	if (n == 0 || alen != 4 + n)
		return DL_E_FORMAT;
	memset(out, 0, sizeof(*out));
	out->addr.family = n == 4 ? 4 : 6;
	out->port = (uint16_t)((v[2] << 8 | v[3]) ^ (STUN_MAGIC_COOKIE >> 16));
	for (size_t i = 0; i < n; i++)
		out->addr.a[i] = v[4 + i] ^ mask[i];
	return DL_E_OK;
}

enum dl_err
stun_parse_response(const uint8_t *msg, size_t len, struct stun_response *out)
{
	struct rcur c = rcur_make(msg, len);
	bool has_error = false, has_unknown = false;
	struct stun_response r;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	if (parse_header(&c, len, &r.type, r.txid) != STUN_ANSWER_SUCCESS)
		return len < STUN_HEADER_LEN ? DL_E_TRUNC : DL_E_FORMAT;
	if (r.type != STUN_BINDING_SUCCESS && r.type != STUN_BINDING_ERROR)
		return DL_E_FORMAT;
	while (rcur_left(&c) > 0) {
		size_t at;
		uint16_t atype, alen;
		const uint8_t *v;
		if (!next_attr(&c, &at, &atype, &alen, &v))
			return DL_E_TRUNC;
		if (r.has_fingerprint)
			return DL_E_FORMAT;
		switch (atype) {
		case STUN_ATTR_FINGERPRINT:
			if (alen != 4 || !fingerprint_ok(msg, at, v))
				return DL_E_FORMAT;
			r.has_fingerprint = true;
			break;
		case STUN_ATTR_XOR_MAPPED_ADDRESS:
			if (r.has_mapped || parse_xor_mapped(v, alen, r.txid, &r.mapped) != DL_E_OK)
				return DL_E_FORMAT;
			r.has_mapped = true;
			break;
		case STUN_ATTR_ERROR_CODE:
			/* RFC 8489 14.8: 21 reserved bits, class 3..6, number 0..99. */
			if (has_error || alen < 4 || v[0] != 0 || v[1] != 0 || (v[2] & 0xF8) != 0 ||
			    v[2] < 3 || v[2] > 6 || v[3] > 99)
				return DL_E_FORMAT;
			r.error_code = (uint16_t)(v[2] * 100 + v[3]);
			has_error = true;
			break;
		case STUN_ATTR_UNKNOWN_ATTRIBUTES:
			if (has_unknown || alen % 2 != 0)
				return DL_E_FORMAT;
			for (size_t i = 0; i < alen / 2u; i++) {
				if (r.n_unknown < STUN_UNKNOWN_MAX)
					r.unknown[r.n_unknown++] =
					    (uint16_t)(v[2 * i] << 8 | v[2 * i + 1]);
			}
			has_unknown = true;
			break;
		default:
			break;
		}
	}
	if (r.type == STUN_BINDING_SUCCESS ? !r.has_mapped || has_error : !has_error)
		return DL_E_FORMAT;
	*out = r;
	return DL_E_OK;
}

void
stun_ratelimit_init(struct stun_ratelimit *rl, uint32_t rate, uint32_t burst,
		    const uint8_t key[static SIPHASH_KEY_LEN])
{
	memset(rl, 0, sizeof(*rl));
	memcpy(rl->key, key, SIPHASH_KEY_LEN);
	rl->rate = rate > RATE_MAX ? RATE_MAX : rate;
	rl->burst = burst > RATE_MAX ? RATE_MAX : burst == 0 ? 1 : burst;
	for (size_t i = 0; i < STUN_RL_SLOTS; i++)
		rl->slot[i].tokens = rl->burst * 1000u;
}

bool
stun_ratelimit_allow(struct stun_ratelimit *rl, const struct dl_addr *src, uint64_t now_ms)
{
	struct dl_addr a = unmap(src);
	uint8_t key[1 + 8];
	size_t n = a.family == 4 ? 4 : 8; /* an IPv4 /32 or an IPv6 /64: one subscriber */

	if (rl->rate == 0)
		return true;
	key[0] = a.family;
	memcpy(key + 1, a.a, n);
	struct stun_bucket *b = &rl->slot[siphash24(rl->key, key, 1 + n) % STUN_RL_SLOTS];
	uint64_t cap = (uint64_t)rl->burst * 1000u;
	if (now_ms > b->last_ms) {
		uint64_t elapsed = now_ms - b->last_ms;
		/* rate <= 1e6 and elapsed < cap <= 1e9 before the product: no overflow. */
		uint64_t add = elapsed >= cap ? cap : elapsed * rl->rate;
		uint64_t t = b->tokens + add;
		b->tokens = (uint32_t)(t > cap ? cap : t);
		b->last_ms = now_ms;
	}
	if (b->tokens < 1000u)
		return false;
	b->tokens -= 1000u;
	return true;
}
