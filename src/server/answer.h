/* answer.h -- decide the response to one DNS query. Pure: no I/O, no clock, no globals.
 *
 * dnsleakd serves three zones from one process: ZONE, and the delegated children ns4.ZONE and
 * ns6.ZONE, whose only name servers are ns-v4.ZONE (A records only) and ns-v6.ZONE (AAAA only).
 * Which zones a query sees depends on the address family it arrived over: ns4.ZONE is served only
 * to queries that came over IPv4 and ns6.ZONE only over IPv6. A query for a name under ns6.ZONE
 * that arrives over IPv4 gets the parent's referral to ns-v6.ZONE, so the resolver must come
 * back over IPv6 -- which reveals its IPv6 egress, or that it has none. DESIGN.md 2 lists the
 * names.
 */
#ifndef DL_ANSWER_H
#define DL_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "dnswire.h"
#include "limits.h"
#include "observation.h"
#include "testid.h"

#define ZONE_TTL 3600     /* NS, glue, SOA record */
#define ZONE_NEG_TTL 60   /* SOA minimum: how long resolvers cache NXDOMAIN/NODATA */
#define ZONE_APEX_TTL 300 /* apex A/AAAA */

struct zone_ns {
	uint8_t label[DNS_LABEL_MAX + 1]; /* wire label: length byte + lowercase bytes */
	struct dl_addr v4[ZONE_ADDRS_MAX];
	size_t n_v4;
	struct dl_addr v6[ZONE_ADDRS_MAX];
	size_t n_v6;
};

/* Everything answer_query() needs; built once from the config, read-only afterwards. */
struct zone {
	uint8_t apex[DNS_NAME_MAX]; /* lowercase wire name */
	size_t apex_len;
	struct zone_ns ns[ZONE_NS_MAX];
	size_t n_ns;
	struct dl_addr web_v4[ZONE_ADDRS_MAX]; /* what probe names resolve to */
	size_t n_web_v4;
	struct dl_addr web_v6[ZONE_ADDRS_MAX];
	size_t n_web_v6;
	uint32_t serial;
	uint32_t test_ttl_s;
	uint16_t node_id;
	uint8_t id_key[TESTID_KEY_LEN];
};

struct answer_in {
	const uint8_t *query; /* raw query, untrusted */
	size_t query_len;
	struct dl_addr peer; /* resolver address */
	uint16_t peer_port;
	uint8_t local_family; /* family of the address the query arrived on (4 or 6) */
	bool is_tcp;
	uint64_t now_us; /* wall clock, microseconds */
};

struct answer_out {
	size_t resp_len; /* 0: send nothing */
	uint8_t rcode;   /* what we answered, for counters */
	bool observed;   /* true: obs holds an observation to record */
	bool bad_mac;    /* a well-formed test name whose id failed the MAC */
	bool expired;    /* a genuine id older than the test TTL: answered, not stored */
	bool truncated;  /* TC set: the answer did not fit */
	struct observation obs;
};

/*
 * Build the response to in->query in resp (cap bytes; DNS_UDP_MAX is enough for UDP, the TCP
 * path passes more). Never fails: malformed input yields FORMERR or resp_len 0 (silence).
 */
void answer_query(const struct zone *z, const struct answer_in *in, uint8_t *resp, size_t cap,
		  struct answer_out *out);

#endif
