/* findings.h -- the catalogue of findings: stable ids, severity, words, next steps. Pure data.
 *
 * One catalogue serves the server (GET /api/v1/tests/<id> and, later, GET /api/v1/findings),
 * the CLI and the web page, which gets it from the API and never keeps a copy.
 * Ids are stable: DL-<AREA>-<WHAT>. Steps are short imperative sentences; issue #4 adds steps
 * per platform (systemd-resolved, NetworkManager, resolv.conf, OpenVPN, WireGuard, Windows,
 * macOS, browsers) and their selection from what the local audit found.
 */
#ifndef DL_FINDINGS_H
#define DL_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "verdict.h"

/* The ids, spelled once. verdict_compute() emits the first nine; dnsleak audit the rest. */
#define FINDING_ISP_RESOLVER "DL-ISP-RESOLVER"
#define FINDING_IPV6_DNS_LEAK "DL-IPV6-DNS-LEAK"
#define FINDING_UNTRUSTED_RESOLVER "DL-UNTRUSTED-RESOLVER"
#define FINDING_THIRD_PARTY_RESOLVER "DL-THIRD-PARTY-RESOLVER"
#define FINDING_IPV6_UNTUNNELLED "DL-IPV6-UNTUNNELLED"
#define FINDING_ECS_EXPOSED "DL-ECS-EXPOSED"
#define FINDING_NO_DNS_SEEN "DL-NO-DNS-SEEN"
#define FINDING_NO_NETWORK_DATA "DL-NO-NETWORK-DATA"
#define FINDING_NO_IPV6 "DL-NO-IPV6"
#define FINDING_DNS_OUTSIDE_TUNNEL "DL-DNS-OUTSIDE-TUNNEL"
#define FINDING_DNS_HIJACK "DL-DNS-HIJACK"
#define FINDING_NO_ENCRYPTION "DL-NO-ENCRYPTION"
#define FINDING_ROUTE_OVERRIDE "DL-ROUTE-OVERRIDE"

#define FINDING_STEPS_MAX 8

struct finding_def {
	const char *id;
	enum severity severity;
	const char *title;   /* a few words */
	const char *explain; /* one sentence a non-expert understands */
	const char *steps[FINDING_STEPS_MAX]; /* NULL-terminated when shorter */
	bool inconclusive; /* it means "cannot tell": makes the verdict INCONCLUSIVE (verdict.h) */
};

/* The entry for id (exact, case-sensitive), or NULL; NULL id gives NULL. */
const struct finding_def *findings_lookup(const char *id);

/* The whole catalogue, *n entries. */
const struct finding_def *findings_all(size_t *n);

#endif
