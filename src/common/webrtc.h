/* webrtc.h -- one ICE candidate line as a browser reports it (RFC 8839 5.1). Pure.
 *
 * The web page gathers RTCIceCandidate.candidate strings and POSTs them: untrusted text. The
 * parser follows the candidate-attribute grammar strictly -- single spaces, no control bytes,
 * bounded tokens -- and accepts what Chromium and Firefox write, with or without a leading "a=":
 *
 *   candidate:<foundation> <component> <udp|tcp> <priority> <address> <port> typ <type>
 *             [raddr <address>] [rport <port>] *(<name> <value>)
 *
 * The address is an IP literal (an IPv4-mapped IPv6 address counts as IPv4) or, when the
 * browser hides local addresses, an mDNS name "<label>.local". Extensions (generation, ufrag,
 * network-id, network-cost, tcptype, ...) are checked for shape and skipped, except tcptype,
 * whose value must be active, passive or so.
 */
#ifndef DL_WEBRTC_H
#define DL_WEBRTC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "err.h"

#define WEBRTC_CAND_MAX 1024     /* one candidate line; browsers write ~150 bytes */
#define WEBRTC_TOKEN_MAX 256     /* one extension name or value */
#define WEBRTC_FOUNDATION_MAX 32 /* RFC 8839 5.1: 1*32ice-char */
#define WEBRTC_MDNS_MAX 64       /* "<label>.local" with its NUL */
#define WEBRTC_MDNS_LABEL_MAX 57 /* so that label + ".local" + NUL fits WEBRTC_MDNS_MAX */

enum webrtc_cand_type { WEBRTC_HOST = 1, WEBRTC_SRFLX, WEBRTC_PRFLX, WEBRTC_RELAY };

struct webrtc_candidate {
	enum webrtc_cand_type type;
	bool tcp;                   /* transport "tcp" (any case); else udp */
	uint8_t family;             /* 4 or 6 for an address; 0 for an mDNS name */
	struct dl_addr addr;        /* when family != 0 */
	char mdns[WEBRTC_MDNS_MAX]; /* "<label>.local", lowercased, when family == 0; else "" */
	uint16_t port;              /* 1..65535 (TCP active candidates say 9, the discard port) */
	uint32_t priority;          /* 1..2^32-1 */
	uint16_t component;         /* 1..256 */
	struct dl_addr raddr;       /* when has_raddr */
	bool has_raddr;             /* raddr was an IP literal other than 0.0.0.0 / :: */
	uint16_t rport;             /* 0 when absent; browsers that hide raddr say "rport 0" */
};

/*
 * Parse one candidate from s[0..len) (no NUL needed; bytes past len are never read). DL_E_OK and
 * *out filled, or DL_E_TOOLONG (the line or a token over its bound) or DL_E_FORMAT (anything
 * else that does not follow the grammar: bad numbers, unknown type or transport, an address that
 * is neither an IP literal nor "<label>.local", port 0, control or non-ASCII bytes, doubled or
 * trailing spaces, an extension name without a value). On failure *out is untouched.
 */
DL_MUSTCHECK enum dl_err webrtc_candidate_parse(const char *s, size_t len,
						struct webrtc_candidate *out);

/* "host", "srflx", "prflx", "relay"; "unknown" for anything else. Never NULL. */
const char *webrtc_cand_type_name(enum webrtc_cand_type t);

#endif
