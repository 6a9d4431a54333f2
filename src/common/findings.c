/* findings.c -- the catalogue: one static table, looked up by id. Pure data.
 *
 * Words are for a non-expert and stay modest: say what was seen and what it allows, not more.
 * Steps are generic here; issue #4 adds per-platform ones.
 */
#include "findings.h"

#include <string.h>

static const struct finding_def catalogue[] = {
    /* What the verdict engine finds from a test (verdict.c). */
    {
	.id = FINDING_IPV6_DNS_LEAK,
	.severity = SEV_HIGH,
	.title = "IPv6 DNS goes outside the VPN",
	.explain = "Your IPv4 DNS queries stay with your VPN or your trusted resolvers, but the "
		   "ones sent over IPv6 reach a resolver on another network, which sees the "
		   "names you look up.",
	.steps = {
	    "Make the VPN carry IPv6 as well, with an IPv6 DNS server of its own, or disable "
	    "IPv6 on this device while the VPN is up.",
	    "Remove IPv6 DNS servers learned from your router (router advertisements, DHCPv6) "
	    "while the VPN is up.",
	    "Block DNS (port 53) outside the tunnel, over IPv4 and IPv6: `dnsleak fix` (coming).",
	    NULL,
	},
    },
    {
	.id = FINDING_ISP_RESOLVER,
	.severity = SEV_HIGH,
	.title = "DNS answered by another network",
	.explain = "Your DNS queries are answered by a resolver on a different network from the "
		   "one your traffic exits through, typically your ISP's, so that network sees "
		   "every name you look up.",
	.steps = {
	    "Set your VPN's DNS server as the only resolver while the VPN is up.",
	    "Turn on your VPN client's DNS leak protection or kill switch, if it has one.",
	    "Block DNS (port 53) outside the tunnel: `dnsleak fix` (coming).",
	    NULL,
	},
    },
    {
	.id = FINDING_UNTRUSTED_RESOLVER,
	.severity = SEV_HIGH,
	.title = "DNS reaches an untrusted resolver",
	.explain = "A resolver that is not on the trusted list (the resolvers your VPN or "
		   "organisation runs) handles your DNS queries and sees the names you look up.",
	.steps = {
	    "Set your VPN's DNS server as the only resolver.",
	    "Check that the VPN is connected and that its DNS setting is applied.",
	    "Block DNS (port 53) outside the tunnel: `dnsleak fix` (coming).",
	    "If this resolver is in fact yours, add it to the trusted list.",
	    NULL,
	},
    },
    {
	.id = FINDING_IPV6_UNTUNNELLED,
	.severity = SEV_HIGH,
	.title = "IPv6 traffic bypasses the VPN",
	.explain = "Your IPv6 traffic leaves through a different network than your IPv4 traffic, "
		   "typically because the VPN carries only IPv4, so sites reached over IPv6 see "
		   "your real address.",
	.steps = {
	    "Turn on IPv6 support in your VPN client, if it has it.",
	    "Otherwise disable IPv6 on this device while the VPN is up.",
	    "Check that the VPN's kill switch also blocks IPv6.",
	    NULL,
	},
    },
    {
	.id = FINDING_THIRD_PARTY_RESOLVER,
	.severity = SEV_MEDIUM,
	.title = "Third-party DNS resolver",
	.explain = "Your DNS queries go to a public DNS service, a third party rather than your "
		   "VPN or your own network, and that service sees the names you look up.",
	.steps = {
	    "If you use a VPN, set its DNS server as the only resolver.",
	    "If you chose this public resolver on purpose, use it over DNS over HTTPS or DNS "
	    "over TLS so that nobody on the way can read the queries.",
	    "Check your browser's secure DNS (DNS over HTTPS) setting: it may send names to its "
	    "own provider instead of your system's resolver.",
	    NULL,
	},
    },
    {
	.id = FINDING_ECS_EXPOSED,
	.severity = SEV_MEDIUM,
	.title = "Resolver shares your subnet",
	.explain = "A resolver passes part of your IP address (EDNS Client Subnet) to the DNS "
		   "servers of the sites you look up, telling them which network you are on.",
	.steps = {
	    "Use a resolver that does not send EDNS Client Subnet.",
	    "If you run the resolver yourself, turn EDNS Client Subnet off in its "
	    "configuration.",
	    NULL,
	},
    },
    {
	.id = FINDING_NO_DNS_SEEN,
	.severity = SEV_INFO,
	.inconclusive = true,
	.title = "No DNS query seen",
	.explain = "No query for the test names reached the test server: DNS may be blocked, or "
		   "the names were answered from somewhere that never asks.",
	.steps = {
	    "Run the test again, and check that this device can resolve names at all.",
	    "Look for a DNS filter, firewall or captive portal that blocks queries or answers "
	    "them itself.",
	    "Try another browser, or one with its secure DNS setting off, to see whether the "
	    "browser answers names on its own.",
	    NULL,
	},
    },
    {
	.id = FINDING_NO_NETWORK_DATA,
	.severity = SEV_INFO,
	.inconclusive = true,
	.title = "Resolver network unknown",
	.explain = "We could not tell which network some resolvers belong to, so we cannot say "
		   "whether they are your VPN's or your ISP's, and we do not guess.",
	.steps = {
	    "Look the addresses up yourself (whois) to see who runs them.",
	    "If you know your VPN's resolvers, give them as trusted so that they are matched by "
	    "address.",
	    "Run the test against a server that has network (ASN) data configured.",
	    NULL,
	},
    },
    {
	.id = FINDING_NO_IPV6,
	.severity = SEV_INFO,
	.title = "No IPv6 connectivity",
	.explain = "No IPv6 exit address was seen, so this device seems to have no working IPv6: "
		   "nothing leaks over IPv6 now, but it could on a network that offers it.",
	.steps = {
	    "If you expected IPv6, check your connection's IPv6 settings.",
	    "If you use a VPN, make sure it blocks or carries IPv6, so that a network with IPv6 "
	    "does not bypass it later.",
	    NULL,
	},
    },

    /* What the local audit finds (dnsleak audit, issue #4). */
    {
	.id = FINDING_DNS_OUTSIDE_TUNNEL,
	.severity = SEV_HIGH,
	.title = "DNS server reached outside the tunnel",
	.explain = "This device reaches its DNS server through a physical interface instead of "
		   "the VPN tunnel, so the queries travel outside the VPN where the local "
		   "network and your ISP can see them.",
	.steps = {
	    "Set your VPN's DNS server as the only resolver.",
	    "With systemd-resolved, send all names to the tunnel's link: "
	    "`resolvectl domain <tunnel> '~.'`.",
	    "Block DNS (port 53) outside the tunnel: `dnsleak fix` (coming).",
	    NULL,
	},
    },
    {
	.id = FINDING_DNS_HIJACK,
	.severity = SEV_HIGH,
	.title = "DNS is intercepted",
	.explain = "Something on the way answers DNS queries addressed to other servers (a "
		   "transparent DNS proxy), so it sees, and can change, every name you look up.",
	.steps = {
	    "Use DNS over HTTPS or DNS over TLS: a proxy on the way can neither read those "
	    "queries nor answer them in the server's name.",
	    "Check your router and security software for a DNS redirection or filtering "
	    "feature.",
	    "If a VPN is up, check that DNS traffic (port 53) goes into the tunnel.",
	    NULL,
	},
    },
    {
	.id = FINDING_NO_ENCRYPTION,
	.severity = SEV_LOW,
	.title = "DNS is not encrypted",
	.explain = "Your DNS queries are sent in plain text, so anyone on the way to the "
		   "resolver can read them.",
	.steps = {
	    "Turn on DNS over TLS with a resolver that supports it (systemd-resolved: "
	    "`DNSOverTLS=yes`).",
	    "Or turn on your browser's secure DNS (DNS over HTTPS) setting.",
	    "Behind a VPN this matters less, as long as the queries stay inside the tunnel.",
	    NULL,
	},
    },
    {
	.id = FINDING_ROUTE_OVERRIDE,
	.severity = SEV_HIGH,
	.title = "Routes pull traffic out of the tunnel",
	.explain = "Routes more specific than the VPN's (for example pushed by DHCP option 121, "
		   "the TunnelVision attack) send some traffic, DNS included if it matches, "
		   "outside the tunnel.",
	.steps = {
	    "Look for unexpected routes with `ip route` and remove those that bypass the "
	    "tunnel.",
	    "On untrusted networks, ignore routes pushed by DHCP, if your network manager "
	    "allows it.",
	    "Use a VPN client with a kill switch that blocks traffic outside the tunnel.",
	    NULL,
	},
    },
};

const struct finding_def *
findings_lookup(const char *id)
{
	if (id == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++) {
		if (strcmp(catalogue[i].id, id) == 0)
			return &catalogue[i];
	}
	return NULL;
}

const struct finding_def *
findings_all(size_t *n)
{
	*n = sizeof(catalogue) / sizeof(catalogue[0]);
	return catalogue;
}
