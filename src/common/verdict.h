/* verdict.h -- from what a test saw to PASS / LEAK / WARN / INCONCLUSIVE and its findings.
 *
 * Pure: no I/O, no clock. The server runs it for GET /api/v1/tests/<id> (so the web page and
 * the CLI show one truth); the CLI uses the names, exit codes and the findings catalogue.
 *
 * Inputs: the resolvers that asked the authoritative server (with their network: ASN,
 * organisation, country, when an MMDB is configured), the client's exit addresses seen over
 * HTTP for IPv4 and IPv6, and the policy: trusted resolvers (prefixes and/or ASNs: what the
 * operator knows to be its own, plus the CLI's --expect) and the ASNs of public DNS operators.
 * Optionally the resolvers the client is configured to use (the CLI sends them), with their
 * networks, to recognise DNS interception.
 *
 * Each resolver is classified, first match wins:
 *   TRUSTED        it matches a trusted prefix or ASN;
 *   SAME_NETWORK   no trusted list was given and its ASN is the exits' network: the IPv4
 *                  exit's ASN (the IPv6 exit's when IPv4's is unknown). When the two exits
 *                  disagree -- a VPN that carries only IPv4 -- a resolver in the IPv6 exit's
 *                  network is where DNS leaks, not a match;
 *   PUBLIC_DNS     its ASN is a known public DNS operator's;
 *   OTHER_NETWORK  it has an ASN and none of the above holds, and either a trusted list was
 *                  given or some exit address has a known ASN (so "other" is a fact);
 *   UNKNOWN        no ASN is known for it, or there is no trusted list and no exit address with
 *                  a known ASN to compare it with (we never guess).
 *
 * The findings (ids in findings.h; one finding per id listing every resolver it concerns):
 *   DL-DNS-HIJACK            high: the client named the resolvers it is configured to use, every
 *                            one of them is a public address (verdict_addr_is_public) with a
 *                            known ASN, resolvers were seen, each with a known ASN, and none of
 *                            them explains the configured ones: none is TRUSTED, none has a
 *                            configured resolver's address or ASN, and none is PUBLIC_DNS while
 *                            a configured resolver is a public DNS operator's too (anycast
 *                            services query from other addresses, Quad9 from AS42 as well).
 *                            One private, loopback or unknown configured resolver (a router, a
 *                            local stub) can forward anywhere, so it proves nothing: no claim.
 *   DL-IPV6-DNS-LEAK         high: IPv4 resolvers were seen and all are TRUSTED/SAME_NETWORK,
 *                            but an IPv6 one is bad (OTHER_NETWORK; with a trusted list, also
 *                            UNKNOWN). It replaces the two below for those resolvers.
 *   DL-ISP-RESOLVER          high: no trusted list, some resolver is OTHER_NETWORK.
 *   DL-UNTRUSTED-RESOLVER    high: a trusted list, some resolver is OTHER_NETWORK or UNKNOWN.
 *   DL-IPV6-UNTUNNELLED      high: both exits seen, their ASNs known and different.
 *   DL-WEBRTC-LEAK           high: a WebRTC candidate exposes an address: a server-reflexive,
 *                            peer-reflexive or host candidate with a public address
 *                            (verdict_addr_is_public) that is neither an exit address nor in
 *                            an exit's /64 (IPv6 privacy addresses) nor in a known exit ASN
 *                            (NAT pools, CGN). With no exit address seen at all there is
 *                            nothing to compare with and no claim is made. Relay candidates
 *                            show the relay's address, never the client's.
 *   DL-WEBRTC-LOCAL          low: a host candidate shows a local (non-public) address in the
 *                            clear instead of hiding it behind an mDNS name.
 *   DL-THIRD-PARTY-RESOLVER  medium: some resolver is PUBLIC_DNS.
 *   DL-ECS-EXPOSED           medium: some resolver sent EDNS Client Subnet.
 *   DL-NO-DNS-SEEN           inconclusive: no resolver at all.
 *   DL-NO-NETWORK-DATA       inconclusive: no trusted list and some resolver is UNKNOWN.
 *   DL-NO-IPV6               info: an IPv4 exit was seen but no IPv6 one.
 * The verdict follows from the catalogue entries of the findings: LEAK if any is high, else
 * WARN if any is medium, else INCONCLUSIVE if any is inconclusive, else PASS. Low and info
 * findings are advice and never change the verdict. `reason` explains the finding that decided
 * it (the first one of that weight, in the order above).
 */
#ifndef DL_VERDICT_H
#define DL_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "err.h"

enum verdict {
	VERDICT_PASS = 0,
	VERDICT_INCONCLUSIVE, /* ordered by how bad: combine with the larger */
	VERDICT_WARN,
	VERDICT_LEAK,
};

/* Exit codes, the same for every dnsleak subcommand (STYLE R15). */
enum {
	EXIT_PASS = 0,
	EXIT_LEAK = 1,
	EXIT_CANNOT_TEST = 2,
	EXIT_WARN = 3, /* WARN or INCONCLUSIVE */
};

enum severity { SEV_INFO = 0, SEV_LOW, SEV_MEDIUM, SEV_HIGH };

enum resolver_class {
	RESOLVER_UNKNOWN = 0,
	RESOLVER_TRUSTED,
	RESOLVER_SAME_NETWORK,
	RESOLVER_PUBLIC_DNS,
	RESOLVER_OTHER_NETWORK,
};

#define NET_ORG_MAX 96
#define NET_PTR_MAX 254 /* a host name in text, NUL included */

/* What an MMDB said about an address, and its reverse name. Fields are empty when unknown. */
struct net_info {
	uint32_t asn; /* 0: unknown */
	char org[NET_ORG_MAX];
	char country[3];       /* ISO 3166-1 alpha-2, "" unknown */
	char ptr[NET_PTR_MAX]; /* reverse DNS name (PTR), "" when none is known */
};

struct verdict_resolver {
	struct dl_addr addr;
	uint32_t queries;
	struct net_info net;
	bool sent_ecs;     /* it forwarded the client's subnet (EDNS Client Subnet) */
	enum resolver_class cls; /* output */
};

struct verdict_exit {
	bool present;
	struct dl_addr addr;
	struct net_info net;
};

#define VERDICT_CANDIDATES_MAX 32 /* WebRTC candidates one report may hold */

/* One ICE candidate the browser gathered (webrtc_report.h), and what the MMDB says of it. */
struct verdict_candidate {
	uint8_t type;   /* enum webrtc_cand_type */
	bool tcp;
	uint8_t family; /* 4 or 6; 0: an mDNS name hides a local address */
	struct dl_addr addr;
	uint16_t port;
	struct net_info net;
	bool exposes; /* output: a public address that is not the client's exit (see below) */
};

/* The page's WebRTC report of one test. */
struct verdict_webrtc {
	bool reported;  /* false: the page sent none (the CLI never does) */
	bool available; /* the browser has RTCPeerConnection */
	size_t skipped; /* candidate lines that did not parse */
	struct verdict_candidate cands[VERDICT_CANDIDATES_MAX];
	size_t n;
};

/* A trusted resolver: an ASN, or an address prefix. */
struct trust_entry {
	bool is_asn;
	uint32_t asn;
	struct dl_addr prefix;
	uint8_t prefix_len;
};

#define TRUST_MAX 64
#define PUBLIC_DNS_MAX 64
#define VERDICT_FINDINGS_MAX 16
#define FINDING_DETAIL_MAX 256
#define VERDICT_REASON_MAX 256

struct verdict_policy {
	struct trust_entry trusted[TRUST_MAX];
	size_t n_trusted;
	uint32_t public_dns_asns[PUBLIC_DNS_MAX];
	size_t n_public_dns;
};

#define VERDICT_CONFIGURED_MAX 8 /* configured resolvers a client may name (?configured=) */

/* A resolver the client says it is configured to use, and what the MMDB says of it. */
struct verdict_configured {
	struct dl_addr addr;
	struct net_info net;
};

struct verdict_in {
	struct verdict_resolver *resolvers; /* classified in place */
	size_t n_resolvers;
	struct verdict_exit exit4, exit6;
	const struct verdict_policy *policy;
	/* The client's configured resolvers, for DL-DNS-HIJACK; NULL when n_configured is 0.
	 * Only the first VERDICT_CONFIGURED_MAX are read. */
	const struct verdict_configured *configured;
	size_t n_configured;
	struct verdict_webrtc *webrtc; /* NULL or not reported: no WebRTC findings; exposes set */
};

/* One finding of this test: a catalogue id (findings.h) and what it is about, in words. */
struct verdict_finding {
	const char *id; /* static: from the catalogue */
	char detail[FINDING_DETAIL_MAX];
};

struct verdict_out {
	enum verdict verdict;
	char reason[VERDICT_REASON_MAX]; /* one sentence a non-expert understands */
	struct verdict_finding findings[VERDICT_FINDINGS_MAX];
	size_t n_findings;
};

/*
 * Classify in->resolvers (cls) and decide. Never fails. in->policy may be NULL (no trusted list,
 * no public DNS operators); resolvers may be NULL when n_resolvers is 0. out is overwritten.
 */
void verdict_compute(struct verdict_in *in, struct verdict_out *out);

/* The default policy: no trusted entries, the built-in public DNS operators' ASNs. */
void verdict_policy_init(struct verdict_policy *p);

/*
 * What one finding weighs (the rule above): LEAK for high severity, WARN for medium,
 * INCONCLUSIVE for an inconclusive one, else PASS; an id missing from the catalogue weighs
 * INCONCLUSIVE (a bug, never a PASS). The audit uses it for its own findings.
 */
enum verdict verdict_of_finding(const char *id);

/* "PASS", "LEAK", "WARN", "INCONCLUSIVE"; "?" for a value outside the enum. */
const char *verdict_name(enum verdict v);

/* The inverse (exact, upper case); DL_E_FORMAT for anything else, *out then untouched. */
DL_MUSTCHECK int verdict_from_name(const char *name, enum verdict *out);

/* PASS 0, LEAK 1, WARN and INCONCLUSIVE 3; EXIT_CANNOT_TEST for a value outside the enum. */
int verdict_exit_code(enum verdict v);

const char *resolver_class_name(enum resolver_class c); /* "trusted", "same-network", ... */
const char *severity_name(enum severity s);             /* "info", "low", "medium", "high" */
/* Both give "?" for a value outside their enum. */

/*
 * "AS64496" (any case) or "64496": an ASN, 1..4294967295. "198.51.100.0/24", "2001:db8::/32":
 * a prefix, its length at most the family's bits and no bit set past it. One address: /32 or
 * /128. No spaces. DL_E_FORMAT for anything else, *out then untouched.
 */
DL_MUSTCHECK int trust_parse(const char *text, struct trust_entry *out);

/* An ASN entry matches asn (0 never matches); a prefix entry matches a (NULL never does). */
bool trust_matches(const struct trust_entry *t, const struct dl_addr *a, uint32_t asn);

/*
 * True when a is an address a resolver on the internet could have: not unspecified, loopback,
 * private (RFC 1918, IPv6 ULA), shared (100.64.0.0/10), link-local, IETF protocol or
 * benchmarking (192.0.0.0/24, 198.18.0.0/15), multicast, reserved (240.0.0.0/4), IPv4-mapped or
 * NAT64 (64:ff9b::/96). Documentation ranges count as public: the lab and the tests use them as
 * the internet. A configured resolver that is not public (a home router, a local stub) may
 * forward to anyone: with one of them configured no claim of interception can be made, so a
 * client may then send none at all.
 */
bool verdict_addr_is_public(const struct dl_addr *a);

#endif
