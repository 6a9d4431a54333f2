/* audit.h -- why DNS leaks, from the local machine's facts, offline. Pure: no I/O.
 *
 * cmd_audit.c gathers the facts (sysdns.h: which servers and from where; nl.h: the route and
 * interface each server's queries take, the links, the routes) and audit_analyze() turns them
 * into a verdict and findings from the shared catalogue (findings.h), with the step context
 * that fits this machine. Findings it can produce:
 *   DL-DNS-OUTSIDE-TUNNEL  a tunnel carries the default route, but a DNS server is reached
 *                          outside it (its route leaves by a physical interface);
 *   DL-IPV6-UNTUNNELLED    the tunnel carries IPv4, while IPv6 leaves by a physical interface;
 *   DL-ROUTE-OVERRIDE      a route more specific than the tunnel's pulls traffic (and in
 *                          particular a DNS server) outside it: TunnelVision (DHCP option 121),
 *                          TunnelCrack LocalNet;
 *   DL-NO-ENCRYPTION       DNS leaves the machine unencrypted (no DNS over TLS) -- low;
 *   DL-NO-TUNNEL           no VPN tunnel found: nothing to leak from (info).
 * Same verdict rule and exit codes as dnsleak test (verdict.h).
 */
#ifndef DL_AUDIT_H
#define DL_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "findings.h"
#include "nl.h"
#include "sysdns.h"
#include "verdict.h"

#define AUDIT_OVERRIDES_MAX 32

/* A DNS server and the way its queries leave. */
struct audit_server {
	struct sysdns_server srv;
	struct nl_route_info route;
	enum tunnel_kind tunnel; /* of the outgoing link; TUNNEL_NONE when physical */
	bool is_local;           /* loopback or this host's own address (a local stub/forwarder) */
};

/* How "the internet" is reached per family: the route to a documentation address. */
struct audit_family {
	bool has_route;
	struct nl_route_info route;
	enum tunnel_kind tunnel;
};

/* A route more specific than the tunnel's catch-all, leaving by a non-tunnel interface. */
struct audit_override {
	struct nl_route route;
	char ifname[IF_NAMESIZE];
	bool covers_dns_server; /* one of the DNS servers falls inside it */
};

struct audit_facts {
	const struct sysdns *dns;
	struct audit_server servers[SYSDNS_SERVERS_MAX];
	size_t n_servers;
	struct audit_family v4, v6;
	struct nl_link tunnels[NL_LINKS_MAX]; /* the tunnel links that are up */
	size_t n_tunnels;
	struct audit_override overrides[AUDIT_OVERRIDES_MAX];
	size_t n_overrides;
};

struct audit_result {
	struct verdict_out v;    /* verdict, reason, findings (ids + details) */
	struct step_context ctx; /* what fits this machine, for findings_select_platforms() */
};

void audit_analyze(const struct audit_facts *f, struct audit_result *out);

#endif
