/* verdict.h -- from what a test saw to PASS / LEAK / WARN / INCONCLUSIVE and its findings.
 *
 * Pure: no I/O, no clock. The server runs it for GET /api/v1/tests/<id> (so the web page and
 * the CLI show one truth); the CLI uses the names, exit codes and the findings catalogue.
 *
 * Inputs: the resolvers that asked the authoritative server (with their network: ASN,
 * organisation, country, when an MMDB is configured), the client's exit addresses seen over
 * HTTP for IPv4 and IPv6, and the policy: trusted resolvers (prefixes and/or ASNs: what the
 * operator knows to be its own, plus the CLI's --expect) and the ASNs of public DNS operators.
 *
 * Each resolver is classified, first match wins:
 *   TRUSTED        it matches a trusted prefix or ASN;
 *   SAME_NETWORK   no trusted list was given and its ASN is the ASN of an exit address;
 *   PUBLIC_DNS     its ASN is a known public DNS operator's;
 *   OTHER_NETWORK  it has an ASN and none of the above holds;
 *   UNKNOWN        no ASN is known for it.
 * The verdict is the worst of: LEAK if any resolver is OTHER_NETWORK (or, with a trusted list,
 * any UNKNOWN one), WARN if any is PUBLIC_DNS; INCONCLUSIVE when no resolver was seen, or when
 * some resolver is UNKNOWN and there is no trusted list (we never guess); PASS otherwise.
 * Exit-address findings (IPv6 leaving by another network than IPv4) can raise it to LEAK.
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

/* What an MMDB said about an address. Fields are empty when it said nothing. */
struct net_info {
	uint32_t asn; /* 0: unknown */
	char org[NET_ORG_MAX];
	char country[3]; /* ISO 3166-1 alpha-2, "" unknown */
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

struct verdict_in {
	struct verdict_resolver *resolvers; /* classified in place */
	size_t n_resolvers;
	struct verdict_exit exit4, exit6;
	const struct verdict_policy *policy;
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

/* Classify in->resolvers (cls) and decide. Never fails. */
void verdict_compute(struct verdict_in *in, struct verdict_out *out);

/* The default policy: no trusted entries, the built-in public DNS operators' ASNs. */
void verdict_policy_init(struct verdict_policy *p);

/* "PASS", "LEAK", "WARN", "INCONCLUSIVE". */
const char *verdict_name(enum verdict v);

/* The inverse; DL_E_FORMAT for anything else. */
DL_MUSTCHECK int verdict_from_name(const char *name, enum verdict *out);

int verdict_exit_code(enum verdict v);

const char *resolver_class_name(enum resolver_class c); /* "trusted", "same-network", ... */
const char *severity_name(enum severity s);             /* "info", "low", "medium", "high" */

/* "AS64496" or "64496" (an ASN), "198.51.100.0/24", "2001:db8::/32", or one address. */
DL_MUSTCHECK int trust_parse(const char *text, struct trust_entry *out);

bool trust_matches(const struct trust_entry *t, const struct dl_addr *a, uint32_t asn);

#endif
