/* findings.c -- the catalogue: one static table, looked up by id. Pure data.
 *
 * Words are for a non-expert and stay modest: say what was seen and what it allows, not more.
 * Platform steps name only commands, options and settings that exist as written; where a step
 * depends on a version or a distribution it says so rather than guess. Lists that several
 * findings share (pointing DNS at the VPN, encrypting it, the browsers' DNS over HTTPS) are
 * written once below and referred to from each entry.
 */
#include "findings.h"

#include <string.h>

/* Send DNS to the VPN's resolver: DL-ISP-RESOLVER, DL-UNTRUSTED-RESOLVER, DL-DNS-OUTSIDE-TUNNEL. */
static const char *const resolved_vpn_dns[] = {
	"Give the tunnel's link the VPN's resolver: `resolvectl dns <tunnel> <vpn-dns>`.",
	"Send every name to that link: `resolvectl domain <tunnel> '~.'`.",
	"Stop the physical link from taking queries for other names: "
	"`resolvectl default-route <physical> false`.",
	"Check the result with `resolvectl status`; these settings last until the link goes down, "
	"so let the VPN client apply them on every connect.",
	NULL,
};

static const char *const nm_vpn_dns[] = {
	"Make the VPN's DNS servers the only ones used while it is up: `nmcli connection modify "
	"<vpn> ipv4.dns-priority -42 ipv6.dns-priority -42`, then reconnect the VPN.",
	"Or ignore the DNS servers the physical network hands out: `nmcli connection modify "
	"<physical-connection> ipv4.ignore-auto-dns yes ipv6.ignore-auto-dns yes`.",
	"Check which DNS servers each device uses: `nmcli device show`.",
	NULL,
};

static const char *const resolv_conf_vpn_dns[] = {
	"Point `nameserver` in /etc/resolv.conf at the VPN's resolver and remove the other "
	"`nameserver` lines while the VPN is up.",
	"Stop DHCP from rewriting the file: with dhclient, add `supersede domain-name-servers "
	"<vpn-dns>;` to /etc/dhcp/dhclient.conf (names then fail while the VPN is down).",
	"Or let the VPN client write the file on connect and restore it on disconnect (resolvconf, "
	"or the client's up and down scripts).",
	NULL,
};

static const char *const openvpn_vpn_dns[] = {
	"On the server, push the VPN's resolver: `push \"dhcp-option DNS <vpn-dns>\"`.",
	"On a Linux client nothing applies a pushed DNS server by itself: add `script-security 2` "
	"and `up` and `down` lines that run update-resolv-conf (plain resolv.conf) or "
	"update-systemd-resolved (systemd-resolved); their paths depend on the distribution.",
	"`block-outside-dns` works on Windows clients only; on Linux use the scripts above and a "
	"firewall.",
	NULL,
};

static const char *const wireguard_vpn_dns[] = {
	"Put the VPN's resolver in the [Interface] section: `DNS = <vpn-dns>`; wg-quick sets it "
	"on `up` (through resolvconf) and removes it on `down`.",
	"Make sure the resolver's address is inside the peer's `AllowedIPs` "
	"(`AllowedIPs = 0.0.0.0/0, ::/0` for a full tunnel), so its queries go through the "
	"tunnel.",
	NULL,
};

static const char *const windows_vpn_dns[] = {
	"Turn off Smart Multi-Homed Name Resolution, which sends queries to every adapter at once: "
	"Group Policy, Computer Configuration > Administrative Templates > Network > DNS Client > "
	"\"Turn off smart multi-homed name resolution\" > Enabled.",
	"Give the VPN adapter the lowest interface metric, so that its DNS server is asked first: "
	"`Set-NetIPInterface -InterfaceAlias <vpn-adapter> -InterfaceMetric 1`.",
	"With OpenVPN, add `block-outside-dns` to the client configuration: it blocks DNS to the "
	"other adapters while the VPN is up.",
	NULL,
};

static const char *const macos_vpn_dns[] = {
	"See which resolver each interface and domain uses: `scutil --dns`.",
	"Set the VPN's DNS server in the VPN app or profile, so that it is the default resolver "
	"while the VPN is connected.",
	"iCloud Private Relay, when it is on, resolves names for Safari itself, outside the VPN's "
	"resolver: choose one of the two (System Settings > Apple Account > iCloud > Private "
	"Relay).",
	NULL,
};

static const char *const firewall_dns[] = {
	"Allow DNS (port 53, UDP and TCP, IPv4 and IPv6) only through the tunnel and drop it on "
	"every other interface: `dnsleak fix` prints these nftables rules, and `--apply` loads them.",
	NULL,
};

/* DL-IPV6-DNS-LEAK: the IPv6 resolvers of the physical network. */
static const char *const resolved_v6_dns[] = {
	"Find the IPv6 DNS servers and the link that holds them: `resolvectl status`.",
	"Give the tunnel's link the VPN's resolvers, an IPv6 one too if the VPN has one: "
	"`resolvectl dns <tunnel> <vpn-dns>`.",
	"Send every name to the tunnel: `resolvectl domain <tunnel> '~.'` and "
	"`resolvectl default-route <physical> false`.",
	NULL,
};

static const char *const nm_v6_dns[] = {
	"Ignore the IPv6 DNS servers of the physical network (router advertisements, DHCPv6): "
	"`nmcli connection modify <physical-connection> ipv6.ignore-auto-dns yes`.",
	"Make the VPN's DNS servers the only ones used while it is up: `nmcli connection modify "
	"<vpn> ipv4.dns-priority -42 ipv6.dns-priority -42`.",
	"Or turn IPv6 off on the physical connection while the VPN is up: `nmcli connection "
	"modify <physical-connection> ipv6.method disabled`.",
	NULL,
};

static const char *const resolv_conf_v6_dns[] = {
	"Remove the IPv6 `nameserver` lines from /etc/resolv.conf while the VPN is up, or replace "
	"them with the VPN's IPv6 resolver.",
	"Find what writes them back (a DHCPv6 client, rdnssd for router advertisements) and stop "
	"it while the VPN is up.",
	NULL,
};

static const char *const openvpn_v6[] = {
	"Carry IPv6 in the tunnel: `server-ipv6 <prefix>` and `push \"redirect-gateway def1 "
	"ipv6\"` on the server (OpenVPN 2.4 or later).",
	"Push an IPv6 resolver as well, `push \"dhcp-option DNS6 <vpn-dns6>\"`, and check that the "
	"client's up script applies it.",
	NULL,
};

static const char *const wireguard_v6[] = {
	"Route IPv6 into the tunnel: `::/0` in the peer's `AllowedIPs`, and an IPv6 `Address` in "
	"[Interface] if the server carries IPv6.",
	"List the VPN's IPv6 resolver in `DNS =` as well, when it has one.",
	NULL,
};

static const char *const windows_v6_dns[] = {
	"Turn off Smart Multi-Homed Name Resolution: Group Policy, Computer Configuration > "
	"Administrative Templates > Network > DNS Client > \"Turn off smart multi-homed name "
	"resolution\" > Enabled.",
	"Give the VPN adapter the lowest IPv6 metric too: `Set-NetIPInterface -InterfaceAlias "
	"<vpn-adapter> -AddressFamily IPv6 -InterfaceMetric 1`.",
	"Or turn IPv6 off on the physical adapter while the VPN is up: "
	"`Disable-NetAdapterBinding -Name <adapter> -ComponentID ms_tcpip6`.",
	NULL,
};

static const char *const macos_v6[] = {
	"See which resolvers hold IPv6 addresses and for which interface: `scutil --dns`.",
	"If the VPN does not carry IPv6, turn IPv6 off on the Wi-Fi or Ethernet service while it "
	"is up: `networksetup -setv6off <service>`.",
	NULL,
};

/* DL-IPV6-UNTUNNELLED: IPv6 traffic itself, not only DNS. */
static const char *const nm_v6_off[] = {
	"Turn IPv6 off on the physical connection while the VPN is up: `nmcli connection modify "
	"<physical-connection> ipv6.method disabled`, then reconnect it.",
	NULL,
};

static const char *const windows_v6_off[] = {
	"Turn IPv6 off on the physical adapter while the VPN is up: "
	"`Disable-NetAdapterBinding -Name <adapter> -ComponentID ms_tcpip6`.",
	NULL,
};

static const char *const firewall_v6[] = {
	"Drop IPv6 traffic that leaves outside the tunnel: `dnsleak fix --block-ipv6 all` prints "
	"the nftables rules, and `--apply` loads them.",
	NULL,
};

/* DL-THIRD-PARTY-RESOLVER: where the public resolver comes from. */
static const char *const resolved_public[] = {
	"See which link names the public resolver: `resolvectl status`; a link without DNS "
	"servers falls back to FallbackDNS= (public resolvers), which an empty `FallbackDNS=` in "
	"/etc/systemd/resolved.conf turns off.",
	"With a VPN, use its resolver: `resolvectl dns <tunnel> <vpn-dns>` and "
	"`resolvectl domain <tunnel> '~.'`.",
	"If you chose this resolver, encrypt the queries: `DNS=<ip>#<server-name>` and "
	"`DNSOverTLS=yes` in /etc/systemd/resolved.conf.",
	NULL,
};

static const char *const nm_public[] = {
	"See which connection sets the public resolver: `nmcli device show`, then `nmcli "
	"connection show <connection>` (ipv4.dns).",
	"With a VPN, make its DNS servers the only ones used: `nmcli connection modify <vpn> "
	"ipv4.dns-priority -42 ipv6.dns-priority -42`.",
	NULL,
};

static const char *const resolv_conf_public[] = {
	"Check the `nameserver` lines of /etc/resolv.conf: with a VPN, replace the public resolver "
	"with the VPN's while it is up.",
	NULL,
};

static const char *const openvpn_public[] = {
	"Check what the server pushes: `push \"dhcp-option DNS <vpn-dns>\"` should name the VPN's "
	"own resolver, not a public one.",
	NULL,
};

static const char *const wireguard_public[] = {
	"Check `DNS =` in the [Interface] section: many example configurations put a public "
	"resolver there instead of the VPN's.",
	NULL,
};

static const char *const windows_public[] = {
	"See each adapter's DNS servers: `Get-DnsClientServerAddress`; remove a public resolver "
	"set by hand on the physical adapter while the VPN is up.",
	NULL,
};

static const char *const macos_public[] = {
	"See which resolver each interface uses: `scutil --dns`; a DNS server set by hand on the "
	"Wi-Fi or Ethernet service (System Settings > Network) applies there.",
	NULL,
};

/* The browsers' own DNS over HTTPS. */
static const char *const browser_doh[] = {
	"Firefox: Settings > Privacy & Security > DNS over HTTPS; when on, Firefox sends names to "
	"the provider chosen there instead of the system's resolver.",
	"Chrome: Settings > Privacy and security > Security > Use secure DNS; the same choice, "
	"with the provider named there.",
	NULL,
};

/* DL-NO-ENCRYPTION and DL-DNS-HIJACK: encrypt DNS. */
static const char *const resolved_encrypt[] = {
	"Turn on DNS over TLS in /etc/systemd/resolved.conf: `DNS=<ip>#<server-name>` and "
	"`DNSOverTLS=yes` (the name lets resolved check the server's certificate), then "
	"`systemctl restart systemd-resolved`.",
	"Or for one link only: `resolvectl dnsovertls <link> yes`.",
	NULL,
};

static const char *const nm_encrypt[] = {
	"With systemd-resolved as NetworkManager's DNS backend: `nmcli connection modify "
	"<connection> connection.dns-over-tls yes` (NetworkManager 1.34 or later), then reconnect.",
	NULL,
};

static const char *const resolv_conf_encrypt[] = {
	"The system resolver (glibc) cannot encrypt DNS: run a local resolver that forwards over "
	"TLS (systemd-resolved, unbound, stubby) and point `nameserver` at it.",
	NULL,
};

static const char *const windows_encrypt[] = {
	"Windows 11: Settings > Network & internet > <adapter> > DNS server assignment > Edit, "
	"then turn on DNS over HTTPS for a resolver that offers it.",
	NULL,
};

static const char *const macos_encrypt[] = {
	"Install an encrypted DNS profile (DNS over HTTPS or TLS settings in a .mobileconfig file, "
	"which several public resolvers publish), then check it with `scutil --dns`.",
	NULL,
};

static const char *const openvpn_hijack[] = {
	"Keep DNS inside the tunnel: push the VPN's resolver (`push \"dhcp-option DNS "
	"<vpn-dns>\"`) and route it through the tunnel, where the local network cannot touch it.",
	NULL,
};

static const char *const wireguard_hijack[] = {
	"Keep DNS inside the tunnel: `DNS = <vpn-dns>` in [Interface], with that address inside "
	"the peer's `AllowedIPs`.",
	NULL,
};

/* DL-NO-DNS-SEEN: does this machine resolve names at all, and through what. */
static const char *const resolved_check[] = {
	"Check that names resolve: `resolvectl query example.com`; `resolvectl status` shows each "
	"link's DNS servers.",
	NULL,
};

static const char *const nm_check[] = {
	"Check the DNS servers of each device: `nmcli device show`.",
	NULL,
};

static const char *const resolv_conf_check[] = {
	"Check that /etc/resolv.conf has a working `nameserver` line: `getent hosts example.com`.",
	NULL,
};

static const char *const windows_check[] = {
	"Check that names resolve: `Resolve-DnsName example.com`; `Get-DnsClientServerAddress` "
	"lists each adapter's DNS servers.",
	NULL,
};

static const char *const macos_check[] = {
	"Check that names resolve: `dscacheutil -q host -a name example.com`; `scutil --dns` "
	"lists the resolvers.",
	NULL,
};

static const char *const browser_check[] = {
	"In a browser, turn its secure DNS off and test again: Firefox, Settings > Privacy & "
	"Security > DNS over HTTPS; Chrome, Settings > Privacy and security > Security > Use "
	"secure DNS.",
	NULL,
};

/*
 * DL-WEBRTC-LEAK: keep WebRTC to the proxied path, per browser. A system-wide VPN carries
 * WebRTC like everything else; a browser proxy or extension does not.
 */
static const char *const browser_webrtc[] = {
	"Firefox: open about:config and set media.peerconnection.ice.proxy_only_if_behind_proxy "
	"and media.peerconnection.ice.default_address_only to true, or "
	"media.peerconnection.enabled to false to turn WebRTC off.",
	"Chrome, Edge: install Google's WebRTC Network Limiter extension and choose \"Use my "
	"proxy server (if present)\"; managed devices: set the WebRtcIPHandling policy to "
	"disable_non_proxied_udp.",
	"Brave: Settings > Privacy and security > WebRTC IP handling policy > Disable "
	"non-proxied UDP.",
	"Safari: WebRTC follows the system's routes; use a system-wide VPN rather than a "
	"browser proxy.",
	"Any browser: test again after the change; the WebRTC result must show only your VPN's "
	"address.",
	NULL,
};

/* DL-WEBRTC-LEAK through a split tunnel: send UDP through the tunnel too. */
static const char *const openvpn_webrtc[] = {
	"Send all traffic through the tunnel, UDP included: `redirect-gateway def1 ipv6` in the "
	"client configuration, or pushed by the server.",
	NULL,
};

static const char *const wireguard_webrtc[] = {
	"Route everything through the tunnel: `AllowedIPs = 0.0.0.0/0, ::/0` in the [Peer] "
	"section.",
	NULL,
};

static const char *const firewall_webrtc[] = {
	"A kill switch for UDP: `nft add rule inet filter output oifname != \"<tunnel>\" meta "
	"l4proto udp drop`, after a rule that accepts the VPN's own packets to its server.",
	NULL,
};

/* DL-WEBRTC-LOCAL: hide local addresses behind mDNS names again. */
static const char *const browser_webrtc_local[] = {
	"Chrome, Edge, Brave: chrome://flags (edge://flags, brave://flags) > \"Anonymize local "
	"IPs exposed by WebRTC\" > Enabled (the default); a site you allowed to use your camera "
	"or microphone sees local addresses anyway.",
	"Firefox: about:config > media.peerconnection.ice.obfuscate_host_addresses = true (the "
	"default).",
	NULL,
};

/* DL-NO-IPV6: keep a network with IPv6 from bypassing the VPN later. */
static const char *const wireguard_v6_later[] = {
	"Keep `::/0` in the peer's `AllowedIPs`, so that IPv6 goes into the tunnel on a network "
	"that offers it.",
	NULL,
};

static const char *const openvpn_v6_later[] = {
	"Route IPv6 into the tunnel as well (`push \"redirect-gateway def1 ipv6\"` with "
	"`server-ipv6` on the server), so that a network with IPv6 does not bypass it.",
	NULL,
};

/* DL-ROUTE-OVERRIDE: routes pushed by the local network. */
static const char *const nm_routes[] = {
	"On untrusted networks, ignore the routes DHCP pushes: `nmcli connection modify "
	"<physical-connection> ipv4.ignore-auto-routes yes ipv6.ignore-auto-routes yes`.",
	NULL,
};

static const char *const resolv_conf_routes[] = {
	"With dhclient (ifupdown), stop asking for classless static routes (DHCP option 121): "
	"remove `rfc3442-classless-static-routes` from the `request` line in "
	"/etc/dhcp/dhclient.conf.",
	NULL,
};

static const char *const firewall_routes[] = {
	"Drop traffic that leaves outside the tunnel (a kill switch), whatever the routes say: "
	"`dnsleak fix` prints nftables rules that do it for DNS, and `--apply` loads them.",
	NULL,
};

/* The lists of a finding that concerns where DNS goes, on every platform. */
/* clang-format off */
#define VPN_DNS_PLATFORMS                                       \
	{                                                       \
		[PLATFORM_RESOLVED] = resolved_vpn_dns,         \
		[PLATFORM_NETWORKMANAGER] = nm_vpn_dns,         \
		[PLATFORM_RESOLV_CONF] = resolv_conf_vpn_dns,   \
		[PLATFORM_OPENVPN] = openvpn_vpn_dns,           \
		[PLATFORM_WIREGUARD] = wireguard_vpn_dns,       \
		[PLATFORM_WINDOWS] = windows_vpn_dns,           \
		[PLATFORM_MACOS] = macos_vpn_dns,               \
		[PLATFORM_FIREWALL] = firewall_dns,             \
	}
/* clang-format on */

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
	    "Block DNS (port 53) outside the tunnel, over IPv4 and IPv6: `dnsleak fix`.",
	    NULL,
	},
	.platform_steps = {
	    [PLATFORM_RESOLVED] = resolved_v6_dns,
	    [PLATFORM_NETWORKMANAGER] = nm_v6_dns,
	    [PLATFORM_RESOLV_CONF] = resolv_conf_v6_dns,
	    [PLATFORM_OPENVPN] = openvpn_v6,
	    [PLATFORM_WIREGUARD] = wireguard_v6,
	    [PLATFORM_WINDOWS] = windows_v6_dns,
	    [PLATFORM_MACOS] = macos_v6,
	    [PLATFORM_FIREWALL] = firewall_dns,
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
	    "Block DNS (port 53) outside the tunnel: `dnsleak fix`.",
	    NULL,
	},
	.platform_steps = VPN_DNS_PLATFORMS,
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
	    "Block DNS (port 53) outside the tunnel: `dnsleak fix`.",
	    "If this resolver is in fact yours, add it to the trusted list.",
	    NULL,
	},
	.platform_steps = VPN_DNS_PLATFORMS,
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
	.platform_steps = {
	    [PLATFORM_NETWORKMANAGER] = nm_v6_off,
	    [PLATFORM_OPENVPN] = openvpn_v6,
	    [PLATFORM_WIREGUARD] = wireguard_v6,
	    [PLATFORM_WINDOWS] = windows_v6_off,
	    [PLATFORM_MACOS] = macos_v6,
	    [PLATFORM_FIREWALL] = firewall_v6,
	},
    },
    {
	.id = FINDING_WEBRTC_LEAK,
	.severity = SEV_HIGH,
	.title = "WebRTC reveals another address",
	.explain = "Your browser's WebRTC, which video calls use, reaches the internet outside your "
		   "VPN or proxy: any web page can ask it for that address, your real one, without "
		   "asking you.",
	.steps = {
	    "Use a system-wide VPN instead of a browser proxy or proxy extension: it carries "
	    "WebRTC too.",
	    "Otherwise limit WebRTC in your browser to the proxy, or turn it off.",
	    "Make sure the VPN's kill switch blocks UDP outside the tunnel.",
	    NULL,
	},
	.platform_steps = {
	    [PLATFORM_OPENVPN] = openvpn_webrtc,
	    [PLATFORM_WIREGUARD] = wireguard_webrtc,
	    [PLATFORM_BROWSER] = browser_webrtc,
	    [PLATFORM_FIREWALL] = firewall_webrtc,
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
	.platform_steps = {
	    [PLATFORM_RESOLVED] = resolved_public,
	    [PLATFORM_NETWORKMANAGER] = nm_public,
	    [PLATFORM_RESOLV_CONF] = resolv_conf_public,
	    [PLATFORM_OPENVPN] = openvpn_public,
	    [PLATFORM_WIREGUARD] = wireguard_public,
	    [PLATFORM_WINDOWS] = windows_public,
	    [PLATFORM_MACOS] = macos_public,
	    [PLATFORM_BROWSER] = browser_doh,
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
	.platform_steps = {
	    [PLATFORM_RESOLVED] = resolved_check,
	    [PLATFORM_NETWORKMANAGER] = nm_check,
	    [PLATFORM_RESOLV_CONF] = resolv_conf_check,
	    [PLATFORM_WINDOWS] = windows_check,
	    [PLATFORM_MACOS] = macos_check,
	    [PLATFORM_BROWSER] = browser_check,
	},
    },
    {
	.id = FINDING_WEBRTC_LOCAL,
	.severity = SEV_LOW,
	.title = "WebRTC shows your local address",
	.explain = "Your browser gives web pages your device's address on the local network "
		   "through WebRTC instead of hiding it behind a random name; it helps sites "
		   "recognise your device.",
	.steps = {
	    "Turn your browser's WebRTC local address protection back on.",
	    "Give camera and microphone access only to sites you trust: with it, a site sees "
	    "your local addresses too.",
	    NULL,
	},
	.platform_steps = {
	    [PLATFORM_BROWSER] = browser_webrtc_local,
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
	.platform_steps = {
	    [PLATFORM_OPENVPN] = openvpn_v6_later,
	    [PLATFORM_WIREGUARD] = wireguard_v6_later,
	    [PLATFORM_FIREWALL] = firewall_v6,
	},
    },

    /* What the local audit finds (dnsleak audit), and DL-DNS-HIJACK (verdict.c). */
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
	    "Block DNS (port 53) outside the tunnel: `dnsleak fix`.",
	    NULL,
	},
	.platform_steps = VPN_DNS_PLATFORMS,
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
	.platform_steps = {
	    [PLATFORM_RESOLVED] = resolved_encrypt,
	    [PLATFORM_NETWORKMANAGER] = nm_encrypt,
	    [PLATFORM_RESOLV_CONF] = resolv_conf_encrypt,
	    [PLATFORM_OPENVPN] = openvpn_hijack,
	    [PLATFORM_WIREGUARD] = wireguard_hijack,
	    [PLATFORM_WINDOWS] = windows_encrypt,
	    [PLATFORM_MACOS] = macos_encrypt,
	    [PLATFORM_BROWSER] = browser_doh,
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
	.platform_steps = {
	    [PLATFORM_RESOLVED] = resolved_encrypt,
	    [PLATFORM_NETWORKMANAGER] = nm_encrypt,
	    [PLATFORM_RESOLV_CONF] = resolv_conf_encrypt,
	    [PLATFORM_WINDOWS] = windows_encrypt,
	    [PLATFORM_MACOS] = macos_encrypt,
	    [PLATFORM_BROWSER] = browser_doh,
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
	.platform_steps = {
	    [PLATFORM_NETWORKMANAGER] = nm_routes,
	    [PLATFORM_RESOLV_CONF] = resolv_conf_routes,
	    [PLATFORM_FIREWALL] = firewall_routes,
	},
    },
    {
	.id = FINDING_NO_TUNNEL,
	.severity = SEV_INFO,
	.title = "No VPN tunnel found",
	.explain = "No VPN tunnel interface is up on this device, so your DNS queries go wherever "
		   "your network sends them and there is no tunnel for them to leak from.",
	.steps = {
	    "If you expected a VPN, check that it is connected.",
	    "If your VPN works without a tunnel interface (a proxy or a browser extension), check "
	    "it with `dnsleak test` instead.",
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

static const char *const platform_names[PLATFORM_COUNT] = {
	[PLATFORM_RESOLVED] = "systemd-resolved",
	[PLATFORM_NETWORKMANAGER] = "NetworkManager",
	[PLATFORM_RESOLV_CONF] = "resolv.conf",
	[PLATFORM_OPENVPN] = "OpenVPN",
	[PLATFORM_WIREGUARD] = "WireGuard",
	[PLATFORM_WINDOWS] = "Windows",
	[PLATFORM_MACOS] = "macOS",
	[PLATFORM_BROWSER] = "browser",
	[PLATFORM_FIREWALL] = "firewall",
};

const char *
platform_name(enum platform p)
{
	if ((unsigned)p >= PLATFORM_COUNT)
		return "?";
	return platform_names[p];
}

bool
platform_from_name(const char *name, enum platform *out)
{
	if (name == NULL)
		return false;
	for (size_t i = 0; i < PLATFORM_COUNT; i++) {
		if (strcmp(name, platform_names[i]) == 0) {
			*out = (enum platform)i;
			return true;
		}
	}
	return false;
}

const char *const *
findings_platform_steps(const struct finding_def *def, enum platform p)
{
	static const char *const none[] = { NULL };

	if (def == NULL || (unsigned)p >= PLATFORM_COUNT || def->platform_steps[p] == NULL)
		return none;
	return def->platform_steps[p];
}

size_t
findings_select_platforms(const struct step_context *ctx, enum platform *out)
{
	size_t n = 0;

	if (ctx == NULL || !ctx->known) {
		for (size_t i = 0; i < PLATFORM_COUNT; i++)
			out[n++] = (enum platform)i;
		return n;
	}
	if (ctx->resolved)
		out[n++] = PLATFORM_RESOLVED;
	/* NetworkManager in front of resolved rewrites resolved's per-link settings. */
	if (ctx->networkmanager)
		out[n++] = PLATFORM_NETWORKMANAGER;
	if (!ctx->resolved && !ctx->networkmanager)
		out[n++] = PLATFORM_RESOLV_CONF;
	if (ctx->tunnel_tun)
		out[n++] = PLATFORM_OPENVPN;
	if (ctx->tunnel_wireguard)
		out[n++] = PLATFORM_WIREGUARD;
	out[n++] = PLATFORM_BROWSER;
	out[n++] = PLATFORM_FIREWALL;
	return n;
}
