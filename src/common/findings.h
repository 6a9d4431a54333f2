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

/*
 * Next steps per platform (issue #4). A finding's generic steps stay in finding_def.steps; the
 * catalogue adds steps per platform, and findings_select_steps() picks the ones that fit what
 * the local audit detected (resolved vs NetworkManager vs plain resolv.conf, the tunnel kind),
 * so the user reads one fitting list, not every platform's.
 */
enum platform {
	PLATFORM_RESOLVED = 0,  /* systemd-resolved: resolvectl dns/domain ~. */
	PLATFORM_NETWORKMANAGER, /* nmcli ... ipv4.dns-priority */
	PLATFORM_RESOLV_CONF,   /* a plain /etc/resolv.conf */
	PLATFORM_OPENVPN,       /* DNS push + update-resolv-conf / update-systemd-resolved */
	PLATFORM_WIREGUARD,     /* DNS = in the [Interface] section */
	PLATFORM_WINDOWS,       /* Smart Multi-Homed Name Resolution, adapter metrics */
	PLATFORM_MACOS,
	PLATFORM_BROWSER,       /* the browser's own DoH setting */
	PLATFORM_FIREWALL,      /* block DNS outside the tunnel: dnsleak fix */
	PLATFORM_COUNT,
};

/* What the audit knows about this machine; all false/unknown: show every platform's steps. */
struct step_context {
	bool known;          /* an audit ran on this machine */
	bool resolved;       /* DNS goes through systemd-resolved */
	bool networkmanager; /* NetworkManager manages DNS */
	bool resolv_conf;    /* a plain resolv.conf (neither of the above) */
	bool tunnel_tun;     /* the tunnel is a tun device (OpenVPN and most VPN apps) */
	bool tunnel_wireguard;
};

const char *platform_name(enum platform p); /* "systemd-resolved", "NetworkManager", ... */

#define FINDING_PLATFORM_STEPS_MAX 6

/* The steps of def for platform p (NULL-terminated, possibly empty). */
const char *const *findings_platform_steps(const struct finding_def *def, enum platform p);

/*
 * The platforms whose steps fit ctx, in the order to show them: the detected DNS manager, the
 * detected tunnel, then the firewall; without a known context every platform. Returns how many
 * were written to out (at most PLATFORM_COUNT).
 */
size_t findings_select_platforms(const struct step_context *ctx, enum platform *out);

#endif
