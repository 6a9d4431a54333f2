/* cmd_audit.c -- dnsleak audit: gather the machine's DNS and routing facts, then explain.
 *
 * The I/O only: sysdns_discover() for the servers, rtnetlink (nl.c) for the route each
 * server's queries take, the links, and the routes; audit_analyze() decides (pure) and
 * audit_report prints. Works offline, with no server.
 */
#include "subcmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "audit.h"
#include "audit_report.h"
#include "cli.h"
#include "nl.h"
#include "report.h"
#include "sysdns.h"
#include "verdict.h"

/* Documentation addresses: a route lookup to them is the route to "the internet" (RFC 5737,
 * RFC 3849). Nothing is sent; the kernel only answers which way a packet would go. */
#define PROBE_V4 "203.0.113.254"
#define PROBE_V6 "2001:db8:ffff::1"

static const char usage_text[] =
	"usage: dnsleak audit [-hj] [--resolv-conf FILE]\n"
	"\n"
	"Explain, offline, how this machine's DNS queries leave it: which DNS servers it uses and\n"
	"where that list comes from (resolv.conf, systemd-resolved), the route and interface each\n"
	"server's queries take, whether a VPN tunnel carries them, IPv4 and IPv6 coverage, routes\n"
	"that pull traffic outside the tunnel, and DNS encryption. Then the verdict and the next\n"
	"steps that fit this machine.\n"
	"\n"
	"  -j, --json              one JSON document\n"
	"      --resolv-conf FILE  read FILE instead of /etc/resolv.conf\n"
	"\n"
	"exit: 0 PASS, 1 LEAK, 2 could not audit, 3 WARN or INCONCLUSIVE\n";

static bool
is_loopback(const struct dl_addr *a)
{
	static const uint8_t v6_loop[16] = { [15] = 1 };

	return (a->family == 4 && a->a[0] == 127) ||
	       (a->family == 6 && memcmp(a->a, v6_loop, 16) == 0);
}

static bool
in_prefix(const struct dl_addr *a, const struct dl_addr *p, unsigned len)
{
	if (a->family != p->family)
		return false;
	for (unsigned i = 0; i < len / 8; i++)
		if (a->a[i] != p->a[i])
			return false;
	unsigned rest = len % 8;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8 - rest));
	return (a->a[len / 8] & mask) == (p->a[len / 8] & mask);
}

static enum tunnel_kind
link_tunnel(const struct nl_link *links, size_t n, int ifindex)
{
	for (size_t i = 0; i < n; i++)
		if (links[i].ifindex == ifindex)
			return nl_tunnel_kind(&links[i]);
	return TUNNEL_NONE;
}

static const char *
link_name(const struct nl_link *links, size_t n, int ifindex)
{
	for (size_t i = 0; i < n; i++)
		if (links[i].ifindex == ifindex)
			return links[i].name;
	return "";
}

static void
route_family(struct audit_family *fam, const char *probe, const struct nl_link *links,
	     size_t n_links)
{
	struct dl_addr dst;
	char err[256];

	memset(fam, 0, sizeof(*fam));
	if (addr_parse(probe, &dst) != DL_E_OK)
		return;
	if (nl_route_get(&dst, &fam->route, err, sizeof(err)) != DL_E_OK || !fam->route.found)
		return;
	fam->has_route = true;
	fam->tunnel = link_tunnel(links, n_links, fam->route.ifindex);
}

/*
 * Routes that pull traffic outside the tunnel: more specific than the tunnel's catch-all,
 * leaving by another interface, and either covering a DNS server or pushed by DHCP (option 121,
 * TunnelVision). Host routes to single addresses are how VPN clients reach their own server,
 * so those count only when they cover a DNS server; connected routes of private LANs not at all.
 */
static void
find_overrides(struct audit_facts *f, const struct nl_route *routes, size_t n,
	       const struct nl_link *links, size_t n_links)
{
	for (size_t i = 0; i < n && f->n_overrides < AUDIT_OVERRIDES_MAX; i++) {
		const struct nl_route *r = &routes[i];
		const struct audit_family *fam = r->family == 6 ? &f->v6 : &f->v4;
		if (r->dst_len == 0 || r->type != RTN_UNICAST || !fam->has_route ||
		    fam->tunnel == TUNNEL_NONE || r->oif == fam->route.ifindex ||
		    link_tunnel(links, n_links, r->oif) != TUNNEL_NONE)
			continue;
		if (r->table != RT_TABLE_MAIN && r->table != fam->route.table)
			continue;
		bool covers = false;
		for (size_t s = 0; s < f->n_servers; s++)
			covers |= in_prefix(&f->servers[s].srv.addr, &r->dst, r->dst_len);
		bool host = r->dst_len == (r->family == 6 ? 128 : 32);
		if (!covers && (host || r->protocol != RTPROT_DHCP))
			continue;
		/*
		 * The LAN's own connected route reaching the home router is the ordinary case,
		 * reported as DNS outside the tunnel; a connected route over public addresses is
		 * TunnelCrack's LocalNet, and that is an override.
		 */
		if (!r->has_gateway && r->protocol == RTPROT_KERNEL && !verdict_addr_is_public(&r->dst))
			continue;
		struct audit_override *o = &f->overrides[f->n_overrides++];
		o->route = *r;
		o->covers_dns_server = covers;
		snprintf(o->ifname, sizeof(o->ifname), "%s", link_name(links, n_links, r->oif));
	}
}

/* Gather every fact audit_analyze() needs. DL_E_OK, or an error message in err. */
static int
gather(const char *resolv_conf, struct sysdns *dns, struct audit_facts *f, char *err,
       size_t err_len)
{
	static struct nl_link links[NL_LINKS_MAX];
	static struct nl_route routes[NL_ROUTES_MAX];
	size_t n_links = 0, n_routes = 0;
	int rc;

	memset(f, 0, sizeof(*f));
	f->dns = dns;
	rc = sysdns_discover(resolv_conf, dns);
	if (rc != DL_E_OK) {
		snprintf(err, err_len, "reading the DNS configuration: %s", dl_strerror(rc));
		return rc;
	}
	rc = nl_links(links, NL_LINKS_MAX, &n_links, err, err_len);
	if (rc != DL_E_OK)
		return rc;
	for (size_t i = 0; i < n_links; i++)
		if (links[i].up && nl_tunnel_kind(&links[i]) != TUNNEL_NONE &&
		    f->n_tunnels < NL_LINKS_MAX)
			f->tunnels[f->n_tunnels++] = links[i];
	for (size_t i = 0; i < dns->n_servers && f->n_servers < SYSDNS_SERVERS_MAX; i++) {
		struct audit_server *s = &f->servers[f->n_servers++];
		char why[256];
		s->srv = dns->servers[i];
		if (nl_route_get(&s->srv.addr, &s->route, why, sizeof(why)) != DL_E_OK)
			s->route.found = false; /* reported as "no route" */
		s->is_local = is_loopback(&s->srv.addr) || (s->route.found && s->route.type == RTN_LOCAL);
		s->tunnel = s->route.found ? link_tunnel(links, n_links, s->route.ifindex)
					   : TUNNEL_NONE;
	}
	route_family(&f->v4, PROBE_V4, links, n_links);
	route_family(&f->v6, PROBE_V6, links, n_links);
	for (uint8_t fam = 4; fam <= 6; fam += 2) {
		if (nl_routes(fam, routes, NL_ROUTES_MAX, &n_routes, err, err_len) == DL_E_OK)
			find_overrides(f, routes, n_routes, links, n_links);
	}
	err[0] = '\0';
	return DL_E_OK;
}

int
audit_run(const char *resolv_conf, struct sysdns *dns, struct audit_facts *facts,
	  struct audit_result *result, char *err, size_t err_len)
{
	int rc = gather(resolv_conf, dns, facts, err, err_len);

	if (rc != DL_E_OK)
		return rc;
	audit_analyze(facts, result);
	return DL_E_OK;
}

int
cmd_audit(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "resolv-conf", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sysdns dns;
	static struct audit_facts facts;
	static struct audit_result result;
	const char *resolv_conf = NULL;
	bool json = false;
	char err[512];
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'r':
			resolv_conf = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_PASS;
		default:
			fputs(usage_text, stderr);
			return EXIT_CANNOT_TEST;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dnsleak audit: unexpected argument `%s'\n%s", argv[optind],
			usage_text);
		return EXIT_CANNOT_TEST;
	}
	if (audit_run(resolv_conf, &dns, &facts, &result, err, sizeof(err)) != DL_E_OK) {
		fprintf(stderr, "dnsleak audit: %s\n", err);
		if (json)
			(void)cli_print_json(report_error_json(err));
		return EXIT_CANNOT_TEST;
	}
	if (json) {
		if (!cli_print_json(audit_report_json(&facts, &result))) {
			fprintf(stderr, "dnsleak audit: out of memory\n");
			return EXIT_CANNOT_TEST;
		}
	} else {
		audit_report_print(stdout, &facts, &result, cli_use_colour());
	}
	return verdict_exit_code(result.v.verdict);
}
