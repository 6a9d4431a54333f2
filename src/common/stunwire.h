/* stunwire.h -- STUN (RFC 8489) Binding: parse a request, build the answer, rate-limit. Pure.
 *
 * dnsleakd's STUN responder tells a browser its server-reflexive address (WebRTC leak test).
 * Everything here works on byte arrays and a caller-supplied clock: no sockets, no time(), no
 * logging, no globals; stun.c does the I/O.
 *
 * What is answered. A datagram is a request only when it has the 20-byte header with the top two
 * bits 0, the magic cookie 0x2112A442, a length field that is a multiple of 4 and equals the
 * bytes after the header, and type 0x0001 (Binding request). Anything else gets no answer:
 * RFC 3489 "classic" requests (no cookie: the `stun' program of stun-client) because an answer
 * without the cookie could not carry XOR-MAPPED-ADDRESS; indications (0x0011), responses, and
 * other methods, because only Binding is served. Attributes are TLVs padded to 4 bytes; one that
 * runs past the message, a FINGERPRINT that is not the last attribute or whose CRC-32 (xor
 * 0x5354554E) is wrong, also means silence. MESSAGE-INTEGRITY(-SHA256) is ignored: we ask for no
 * credentials (RFC 8489 9: authentication is optional), so a request carrying it is answered like
 * any other, without integrity, and the attributes after it are ignored (RFC 8489 14.5).
 * Comprehension-required attributes (type < 0x8000) we do not know get a 420 error response
 * listing them in UNKNOWN-ATTRIBUTES (RFC 8489 7.3.1); unknown comprehension-optional ones are
 * ignored.
 *
 * The answer. A Binding success response (0x0101) with the request's transaction id and one
 * XOR-MAPPED-ADDRESS: the source address and port the request came from (an IPv4-mapped IPv6
 * source counts as IPv4), plus FINGERPRINT when the request had one. No SOFTWARE, no
 * MAPPED-ADDRESS. 32 bytes for IPv4, 44 for IPv6, 8 more with FINGERPRINT.
 *
 * The size rule (anti-amplification). No answer is larger than its request, with one
 * exception: a well-formed Binding request always gets the minimal success answer above.
 * Browsers need it: Chromium 156 and coturn's turnutils_stunclient send 20-byte requests with no
 * attributes, and the smallest useful answer is 32 or 44 bytes (1.6x / 2.2x the STUN payload,
 * 1.25x / 1.35x on the wire with IP and UDP headers). What that exception could amplify is
 * bounded by a token bucket per source network (struct stun_ratelimit below). A 420 error is
 * never larger than its request: its reason phrase goes first, then UNKNOWN-ATTRIBUTES entries,
 * and when not even one fits there is no answer.
 */
#ifndef DL_STUNWIRE_H
#define DL_STUNWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "err.h"
#include "siphash.h"

#define STUN_HEADER_LEN 20
#define STUN_MAGIC_COOKIE 0x2112A442u
#define STUN_FINGERPRINT_XOR 0x5354554Eu
#define STUN_TXID_LEN 12
#define STUN_MSG_MAX 548    /* longest request we read (RFC 8489 6.1: 576-byte IPv4 path) */
#define STUN_ANSWER_MAX 96  /* room for any answer: a 420 listing 16 types is 92 bytes */
#define STUN_UNKNOWN_MAX 16 /* unknown comprehension-required types kept per request */

#define STUN_BINDING_REQUEST 0x0001
#define STUN_BINDING_SUCCESS 0x0101
#define STUN_BINDING_ERROR 0x0111

#define STUN_ATTR_MAPPED_ADDRESS 0x0001
#define STUN_ATTR_USERNAME 0x0006
#define STUN_ATTR_MESSAGE_INTEGRITY 0x0008
#define STUN_ATTR_ERROR_CODE 0x0009
#define STUN_ATTR_UNKNOWN_ATTRIBUTES 0x000A
#define STUN_ATTR_REALM 0x0014
#define STUN_ATTR_NONCE 0x0015
#define STUN_ATTR_MESSAGE_INTEGRITY_SHA256 0x001C
#define STUN_ATTR_PASSWORD_ALGORITHM 0x001D
#define STUN_ATTR_USERHASH 0x001E
#define STUN_ATTR_XOR_MAPPED_ADDRESS 0x0020
#define STUN_ATTR_PRIORITY 0x0024      /* RFC 8445 (ICE) */
#define STUN_ATTR_USE_CANDIDATE 0x0025 /* RFC 8445 (ICE) */
#define STUN_ATTR_SOFTWARE 0x8022
#define STUN_ATTR_FINGERPRINT 0x8028

/* What became of one datagram. The drops also name the /metrics counters (stun_status_name). */
enum stun_status {
	STUN_ANSWER_SUCCESS,      /* Binding success with XOR-MAPPED-ADDRESS */
	STUN_ANSWER_UNKNOWN_ATTR, /* 420 Unknown Attribute */
	STUN_DROP_RUNT,           /* shorter than the 20-byte header */
	STUN_DROP_TOOBIG,         /* longer than STUN_MSG_MAX */
	STUN_DROP_NOT_STUN,       /* top two bits not 0: not STUN at all */
	STUN_DROP_NO_COOKIE,      /* no magic cookie: RFC 3489 classic, or not STUN */
	STUN_DROP_LENGTH,         /* length field not a multiple of 4 or not the datagram's */
	STUN_DROP_NOT_REQUEST,    /* indication, response, or a method other than Binding */
	STUN_DROP_ATTR,           /* an attribute runs past the end of the message */
	STUN_DROP_FINGERPRINT,    /* FINGERPRINT wrong, malformed or not the last attribute */
	STUN_DROP_SIZE,           /* the 420 would be larger than the request (size rule) */
	STUN_DROP_RATE,           /* the source's token bucket is empty (set by the caller) */
	STUN_STATUS_COUNT
};

/* "success", "unknown_attribute", "runt", ...: lower case, for metric labels. Never NULL. */
const char *stun_status_name(enum stun_status s);

/* A parsed request. Filled by stun_parse_request only for an answerable one (see its contract). */
struct stun_request {
	uint8_t txid[STUN_TXID_LEN];
	bool has_fingerprint;
	bool has_integrity;                 /* MESSAGE-INTEGRITY or -SHA256 seen (ignored) */
	size_t n_unknown;                   /* distinct unknown comprehension-required types */
	uint16_t unknown[STUN_UNKNOWN_MAX]; /* first STUN_UNKNOWN_MAX of them, in order */
};

/*
 * Parse one datagram as a Binding request. Returns STUN_ANSWER_SUCCESS (answer it),
 * STUN_ANSWER_UNKNOWN_ATTR (answer 420 listing out->unknown) or the STUN_DROP_* reason; out is
 * zeroed first, and only meaningful for the two answer statuses.
 */
enum stun_status stun_parse_request(const uint8_t *msg, size_t len, struct stun_request *out);

/*
 * The answer to the datagram msg[0..len) from peer, written to out[0..cap). Returns its length,
 * or 0 for no answer; *status says which answer or why none (never STUN_DROP_RATE). Applies the
 * size rule above. cap of STUN_ANSWER_MAX always suffices; a smaller one may turn answers into
 * STUN_DROP_SIZE, never into writes past cap.
 */
size_t stun_answer(const uint8_t *msg, size_t len, const struct dl_endpoint *peer, uint8_t *out,
		   size_t cap, enum stun_status *status);

/* A response as a client sees it: what the tests and the fuzzer check our answers with. */
struct stun_response {
	uint16_t type;
	uint8_t txid[STUN_TXID_LEN];
	bool has_mapped; /* XOR-MAPPED-ADDRESS, decoded */
	struct dl_endpoint mapped;
	uint16_t error_code; /* ERROR-CODE as class * 100 + number; 0: none */
	size_t n_unknown;    /* UNKNOWN-ATTRIBUTES entries (first STUN_UNKNOWN_MAX kept) */
	uint16_t unknown[STUN_UNKNOWN_MAX];
	bool has_fingerprint; /* present, last and correct */
};

/*
 * Parse a Binding success or error response: the header rules of a request, class success or
 * error, attributes in bounds, FINGERPRINT correct and last, at most one each of
 * XOR-MAPPED-ADDRESS and ERROR-CODE, each well-formed. DL_E_OK or DL_E_FORMAT/DL_E_TRUNC;
 * out is zeroed first.
 */
DL_MUSTCHECK enum dl_err stun_parse_response(const uint8_t *msg, size_t len,
					     struct stun_response *out);

/* CRC-32 (ISO-HDLC, the one of zlib and RFC 8489 14.7) of buf[0..len). */
uint32_t stun_crc32(const uint8_t *buf, size_t len);

/*
 * Token buckets per source network: an IPv4 /32 or an IPv6 /64, hashed with a secret key into
 * STUN_RL_SLOTS slots. Networks that collide share one bucket -- stricter, never looser: a
 * colliding source cannot refill someone else's bucket. Fixed size, nothing allocated per
 * packet. Not thread-safe: one per listener thread.
 */
#define STUN_RL_SLOTS 4096
#define STUN_RATE_DEFAULT 20  /* default: answers per second per source network */
#define STUN_BURST_DEFAULT 40 /* default: answers in a burst */

struct stun_bucket {
	uint64_t last_ms; /* when tokens was last brought up to date */
	uint32_t tokens;  /* in thousandths of an answer */
	uint32_t unused;
};

struct stun_ratelimit {
	uint8_t key[SIPHASH_KEY_LEN];
	uint32_t rate;  /* answers per second; 0: no limit */
	uint32_t burst; /* bucket size in answers (at least 1 when rate > 0) */
	struct stun_bucket slot[STUN_RL_SLOTS];
};

/* Every bucket starts full. */
void stun_ratelimit_init(struct stun_ratelimit *rl, uint32_t rate, uint32_t burst,
			 const uint8_t key[static SIPHASH_KEY_LEN]);

/*
 * May src have one more answer at now_ms (any monotonic millisecond clock)? Takes a token when
 * yes. A clock that goes backwards refills nothing.
 */
bool stun_ratelimit_allow(struct stun_ratelimit *rl, const struct dl_addr *src, uint64_t now_ms);

#endif
