/* findings.h -- the catalogue of findings: stable ids, severity, words, next steps. Pure data.
 *
 * One catalogue serves the server (GET /api/v1/tests/<id> and GET /api/v1/findings), the CLI and
 * the web page, which gets it from the API and never keeps a copy.
 * Ids are stable: DL-<AREA>-<WHAT>. Steps are short imperative sentences: generic ones that
 * hold anywhere, and per platform (systemd-resolved, NetworkManager, resolv.conf, OpenVPN,
 * WireGuard, Windows, macOS, browsers, the firewall) the concrete commands and settings.
 * Placeholders in angle brackets are the user's own names: <tunnel> (tun0, wg0), <physical>
 * (eth0, wlan0), <vpn-dns> (the VPN's resolver), <vpn> and <physical-connection> (connection
 * names). findings_select_platforms() picks the platforms that fit what the local audit found.
 */
#ifndef DL_FINDINGS_H
#define DL_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "verdict.h"

/*
 * The ids, spelled once. verdict_compute() emits the first nine, DL-DNS-HIJACK (when the
 * client says which resolvers it is configured to use) and the two DL-WEBRTC ones (when the web
 * page reported its WebRTC candidates); dnsleak audit the others.
 */
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
#define FINDING_NO_TUNNEL "DL-NO-TUNNEL"
#define FINDING_WEBRTC_LEAK "DL-WEBRTC-LEAK"
#define FINDING_WEBRTC_LOCAL "DL-WEBRTC-LOCAL"

/*
 * The platforms that have steps of their own. The order is the one the API and the catalogue
 * use; findings_select_platforms() gives the order to show them in.
 */
enum platform {
	PLATFORM_RESOLVED = 0,   /* systemd-resolved: resolvectl dns/domain ~./default-route */
	PLATFORM_NETWORKMANAGER, /* nmcli ... ipv4.dns-priority, ignore-auto-dns */
	PLATFORM_RESOLV_CONF,    /* a plain /etc/resolv.conf, rewritten by DHCP at most */
	PLATFORM_OPENVPN,        /* DNS push + update-resolv-conf / update-systemd-resolved */
	PLATFORM_WIREGUARD,      /* DNS = in the [Interface] section (wg-quick) */
	PLATFORM_WINDOWS,        /* Smart Multi-Homed Name Resolution, adapter metrics */
	PLATFORM_MACOS,          /* scoped resolvers, the VPN profile, Private Relay */
	PLATFORM_BROWSER,        /* the browser's own DoH setting */
	PLATFORM_FIREWALL,       /* block DNS outside the tunnel: dnsleak fix */
	PLATFORM_COUNT,
};

#define FINDING_PLATFORM_STEPS_MAX 6 /* a platform's steps, with their NULL terminator */

#define FINDING_STEPS_MAX 8

struct finding_def {
	const char *id;
	enum severity severity;
	const char *title;   /* a few words */
	const char *explain; /* one sentence a non-expert understands */
	const char *steps[FINDING_STEPS_MAX]; /* NULL-terminated when shorter */
	bool inconclusive; /* it means "cannot tell": makes the verdict INCONCLUSIVE (verdict.h) */
	/*
	 * Steps per platform: NULL (none) or a NULL-terminated list of at most
	 * FINDING_PLATFORM_STEPS_MAX - 1. Read them through findings_platform_steps().
	 */
	const char *const *platform_steps[PLATFORM_COUNT];
};

/* The entry for id (exact, case-sensitive), or NULL; NULL id gives NULL. */
const struct finding_def *findings_lookup(const char *id);

/* The whole catalogue, *n entries. */
const struct finding_def *findings_all(size_t *n);

/* What the audit knows about this machine; all false/unknown: show every platform's steps. */
struct step_context {
	bool known;          /* an audit ran on this machine */
	bool resolved;       /* DNS goes through systemd-resolved */
	bool networkmanager; /* NetworkManager manages DNS */
	bool resolv_conf;    /* a plain resolv.conf (neither of the above) */
	bool tunnel_tun;     /* the tunnel is a tun device (OpenVPN and most VPN apps) */
	bool tunnel_wireguard;
};

/*
 * "systemd-resolved", "NetworkManager", "resolv.conf", "OpenVPN", "WireGuard", "Windows",
 * "macOS", "browser", "firewall": the keys of "platforms" in the API. "?" outside the enum.
 */
const char *platform_name(enum platform p);

/* The inverse (exact); false for anything else, *out then untouched. */
bool platform_from_name(const char *name, enum platform *out);

/*
 * The steps of def for platform p: a NULL-terminated list (static), empty when def has none
 * for p, when def is NULL or when p is outside the enum. Never NULL.
 */
const char *const *findings_platform_steps(const struct finding_def *def, enum platform p);

/*
 * The platforms whose steps fit ctx, in the order to show them, into out (room for
 * PLATFORM_COUNT):
 *   1. the DNS manager: systemd-resolved when ctx->resolved, and NetworkManager as well when
 *      ctx->networkmanager (it configures resolved and undoes what resolvectl set by hand);
 *      NetworkManager alone; otherwise plain resolv.conf;
 *   2. the tunnel: OpenVPN when ctx->tunnel_tun, WireGuard when ctx->tunnel_wireguard;
 *   3. the browser (its own DNS over HTTPS bypasses all of the above), then the firewall.
 * Windows and macOS never fit a known context: the audit runs on Linux. ctx NULL or not
 * ctx->known: every platform, in enum order. Returns how many were written.
 */
size_t findings_select_platforms(const struct step_context *ctx, enum platform *out);

#endif
