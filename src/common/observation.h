/* observation.h -- one DNS query for a test name, as the authoritative server saw it, or one
 * HTTP request for an exit name (v4-<id>.ZONE / v6-<id>.ZONE): the client's exit address, or
 * one line of the page's WebRTC report (webrtc_report.h): a marker, then one per ICE candidate.
 *
 * A compact fixed-size record (DESIGN.md 4): it is copied by value from the DNS threads through
 * lock-free rings into the store, so it holds no pointers. An HTTP observation (transport
 * OBS_HTTP) goes to the store directly; its address is the client's, not a resolver's, and its
 * DNS fields (qtype, flags, EDNS, ECS) are zero.
 */
#ifndef DL_OBSERVATION_H
#define DL_OBSERVATION_H

#include <stdint.h>

#include "dnswire.h"
#include "limits.h"
#include "testid.h"

enum obs_name {
	OBS_PROBE = 1, /* <nonce>-<id>.ZONE */
	OBS_PROBE_NS4, /* <nonce>-<id>.ns4.ZONE: through the IPv4-only delegation */
	OBS_PROBE_NS6, /* <nonce>-<id>.ns6.ZONE: through the IPv6-only delegation */
	OBS_EXIT_V4,   /* v4-<id>.ZONE */
	OBS_EXIT_V6,   /* v6-<id>.ZONE */
	/* OBS_WEBRTC: the report marker, then the candidates by type (enum webrtc_cand_type) */
	OBS_WEBRTC_REPORT,
	OBS_CAND_HOST,
	OBS_CAND_SRFLX,
	OBS_CAND_PRFLX,
	OBS_CAND_RELAY,
};

enum obs_transport { OBS_UDP = 1, OBS_TCP = 2, OBS_HTTP = 3, OBS_WEBRTC = 4 };

#define OBS_F_EDNS 0x01     /* the query carried OPT */
#define OBS_F_DO 0x02       /* DNSSEC OK bit */
#define OBS_F_COOKIE 0x04   /* DNS cookie option (RFC 7873) */
#define OBS_F_CASE 0x08     /* mixed case in the name: 0x20 randomisation */
#define OBS_F_RD 0x10       /* recursion desired: a stub, not a recursive resolver, asked */
#define OBS_F_REFERRAL 0x20 /* we answered with a referral to the ns4/ns6 delegation */

/* flags of OBS_WEBRTC observations */
#define OBS_FW_AVAILABLE 0x01 /* report marker: the browser has WebRTC */
#define OBS_FW_TCP 0x02       /* candidate: transport tcp */

struct observation {
	uint64_t time_us;       /* wall clock, microseconds since the epoch */
	uint8_t id[TESTID_LEN]; /* test id, MAC verified */
	char nonce[ZONE_NONCE_MAX + 1];
	uint8_t name;      /* enum obs_name */
	uint8_t transport; /* enum obs_transport */
	uint8_t family;    /* 4 or 6: the resolver's (HTTP: the client's) address family;
			      WebRTC: the candidate's, 0 for an mDNS name or the marker */
	uint8_t flags;     /* OBS_F_* */
	uint8_t addr[16];  /* resolver (HTTP: client) address; IPv4 in the first 4 bytes */
	uint16_t port;  /* WebRTC marker: candidate lines that did not parse */
	uint16_t qtype;
	uint16_t edns_udp_size; /* 0 without EDNS */
	uint16_t node;          /* which dnsleakd node saw it (config node_id) */
	uint8_t ecs_family;     /* 0 none, 4 or 6 */
	uint8_t ecs_source_prefix;
	uint8_t ecs_addr[16];
};

#endif
