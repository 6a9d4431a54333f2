/* dnswire.h -- DNS wire codec: parse one query, name helpers, EDNS writer. Pure, no I/O.
 *
 * The parser follows NSD's query_process() order and Knot's strictness: exactly one question,
 * no compression in the question name, labels <= 63 and names <= 255 checked before copying,
 * compression elsewhere only to strictly earlier offsets (which bounds every pointer chain),
 * at most one OPT record and only in the additional section, no trailing bytes.
 */
#ifndef DL_DNSWIRE_H
#define DL_DNSWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "err.h"
#include "limits.h"

enum {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_DS = 43,
	DNS_TYPE_IXFR = 251,
	DNS_TYPE_AXFR = 252,
	DNS_TYPE_ANY = 255,
};

enum { DNS_CLASS_IN = 1, DNS_CLASS_CH = 3, DNS_CLASS_ANY = 255 };

enum {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
	DNS_RCODE_BADVERS = 16, /* extended: upper 8 bits go in the OPT TTL */
};

enum { DNS_OPCODE_QUERY = 0 };

#define DNS_FLAG_QR 0x8000u
#define DNS_FLAG_AA 0x0400u
#define DNS_FLAG_TC 0x0200u
#define DNS_FLAG_RD 0x0100u
#define DNS_FLAG_RA 0x0080u
#define DNS_FLAG_AD 0x0020u
#define DNS_FLAG_CD 0x0010u
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xfu)

#define DNS_HEADER_LEN 12
#define DNS_EDNS_OPT_ECS 8     /* RFC 7871 */
#define DNS_EDNS_OPT_COOKIE 10 /* RFC 7873 */

struct dns_header {
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount;
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount;
};

/* EDNS Client Subnet as sent (RFC 7871 6). family is 1 (IPv4) or 2 (IPv6). */
struct dns_ecs {
	uint16_t family;
	uint8_t source_prefix;
	uint8_t scope_prefix;
	uint8_t addr[16]; /* bits beyond source_prefix are zero */
};

struct dns_query {
	struct dns_header hdr;
	uint8_t qname[DNS_NAME_MAX];       /* wire form, original case (0x20 echo) */
	uint8_t qname_lower[DNS_NAME_MAX]; /* wire form, ASCII lowercased, for lookups */
	size_t qname_len;                  /* octets including the root label */
	uint16_t qtype;
	uint16_t qclass;
	size_t question_end; /* offset just past the question: header + question bytes */
	bool has_edns;
	bool edns_do;
	uint8_t edns_version;
	uint16_t edns_udp_size;
	bool has_ecs;
	struct dns_ecs ecs;
	bool has_cookie;
};

/* Read the 12-byte header. DL_E_TRUNC when len < 12. */
DL_MUSTCHECK enum dl_err dnswire_parse_header(const uint8_t *pkt, size_t len, struct dns_header *h);

/*
 * Parse a whole query. Fills q->hdr whenever len >= 12 (even on a later error), and the
 * question fields whenever the question parsed (q->question_end != 0), so a FORMERR reply can
 * echo what was readable. Does not look at QR or the opcode: that is policy, not syntax.
 */
DL_MUSTCHECK enum dl_err dnswire_parse_query(const uint8_t *pkt, size_t len, struct dns_query *q);

/*
 * Skip one possibly compressed name at the cursor. Each pointer must point strictly before the
 * previous target (the first: before the name's start), so chains terminate; <= 255 octets.
 */
DL_MUSTCHECK enum dl_err dnswire_skip_name(struct rcur *c);

/* Number of labels in a valid uncompressed wire name (root: 0). */
size_t dnswire_name_labels(const uint8_t *name, size_t len);

/* True when wire name `name` equals `suffix` or lies below it. Both lowercase, uncompressed. */
bool dnswire_name_is_under(const uint8_t *name, size_t len, const uint8_t *suffix,
			   size_t suffix_len);

/*
 * Text -> lowercase uncompressed wire name ("leak.example.com", trailing dot optional, "."
 * is the root). Accepts letters, digits, '-' and '_' only: config names, not arbitrary data.
 */
DL_MUSTCHECK enum dl_err dnswire_name_from_text(const char *text, uint8_t out[DNS_NAME_MAX],
						size_t *out_len);

/*
 * Wire name -> presentation text with a trailing dot, escaping '.', '\\', '"' and every byte
 * outside printable ASCII as \DDD (RFC 1035 5.1), so attacker bytes are safe in logs and JSON.
 * Writes at most cap bytes including the NUL; returns the length, or -1 if it did not fit.
 */
int dnswire_name_to_text(const uint8_t *name, size_t len, char *out, size_t cap);

/* ASCII-lowercase a wire name (labels' length bytes are < 64 so they are left as they are). */
void dnswire_name_lower(const uint8_t *name, size_t len, uint8_t *out);

/*
 * Append an OPT pseudo-record (RFC 6891): our UDP payload size, extended rcode bits, DO echoed,
 * and, when ecs is not NULL, the client's ECS option echoed with scope 0 (RFC 7871 7.2.1).
 */
void dnswire_write_opt(struct wcur *w, uint16_t udp_size, uint8_t ext_rcode, bool dnssec_ok,
		       const struct dns_ecs *ecs);

#endif
