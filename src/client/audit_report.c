/* audit_report.c -- text and JSON for dnsleak audit. */
#include "audit_report.h"

#include <string.h>

#include "report.h"

#define C_RESET "\033[0m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_GREEN "\033[32m"

static const char *
verdict_colour(enum verdict v)
{
	switch (v) {
	case VERDICT_PASS:
		return C_GREEN;
	case VERDICT_LEAK:
		return C_RED;
	default:
		return C_YELLOW;
	}
}

static void
paint(FILE *f, bool use_colour, const char *colour, const char *text)
{
	if (use_colour)
		fprintf(f, "%s%s%s", colour, text, C_RESET);
	else
		fputs(text, f);
}

static const char *
source_name(const struct audit_server *s)
{
	return s->srv.from_resolved ? "systemd-resolved" : "resolv.conf";
}

static void
print_dns(FILE *f, const struct sysdns *dns)
{
	fprintf(f, "DNS configuration\n");
	if (!dns->rc_readable) {
		fprintf(f, "  %s: not readable\n", dns->rc_path);
	} else {
		fprintf(f, "  %s%s%s: ", dns->rc_path, dns->rc_link_target[0] ? " -> " : "",
			dns->rc_link_target);
		if (dns->manager == RC_PLAIN || dns->manager == RC_UNKNOWN)
			fprintf(f, "a plain file (no manager recognised)");
		else
			fprintf(f, "managed by %s", rc_manager_name(dns->manager));
		fprintf(f, ", %zu nameserver%s%s\n", dns->rc.n_servers,
			dns->rc.n_servers == 1 ? "" : "s", dns->rc.rotate ? ", options rotate" : "");
	}
	if (dns->resolved_running)
		fprintf(f, "  systemd-resolved: running, DNS over TLS %s%s\n",
			dns->resolved_dot_mode[0] ? dns->resolved_dot_mode : "unknown",
			dns->uses_stub ? ", used through its stub" : ", not used by resolv.conf");
	else if (dns->uses_stub)
		fprintf(f, "  systemd-resolved: its stub is configured, but it did not answer\n");
	if (dns->note[0] != '\0')
		fprintf(f, "  note: %s\n", dns->note);
}

static void
print_way(FILE *f, const struct nl_route_info *r, enum tunnel_kind t)
{
	char gw[ADDR_TEXT_MAX];

	if (!r->found) {
		fprintf(f, "no route");
		return;
	}
	fprintf(f, "%s", r->ifname[0] ? r->ifname : "?");
	if (r->has_gateway) {
		addr_fmt(&r->gateway, gw);
		fprintf(f, " via %s", gw);
	}
	if (t != TUNNEL_NONE)
		fprintf(f, " (%s tunnel)", tunnel_kind_name(t));
}

static void
print_servers(FILE *f, const struct audit_facts *facts)
{
	char a[ADDR_TEXT_MAX];

	fprintf(f, "\nDNS servers in use, and the way their queries leave\n");
	if (facts->n_servers == 0) {
		fprintf(f, "  none\n");
		return;
	}
	for (size_t i = 0; i < facts->n_servers; i++) {
		const struct audit_server *s = &facts->servers[i];
		addr_fmt(&s->srv.addr, a);
		fprintf(f, "  %-40s %-16s ", a, source_name(s));
		if (s->is_local)
			fprintf(f, "this host (a local resolver)");
		else
			print_way(f, &s->route, s->tunnel);
		fprintf(f, "\n");
	}
}

static void
print_family(FILE *f, const char *label, const struct audit_family *fam)
{
	fprintf(f, "  %s  ", label);
	if (!fam->has_route || !fam->route.found) {
		fprintf(f, "no route (no connectivity)\n");
		return;
	}
	print_way(f, &fam->route, fam->tunnel);
	fprintf(f, "%s\n", fam->tunnel != TUNNEL_NONE ? ": through the tunnel" : ": outside any tunnel");
}

static void
print_coverage(FILE *f, const struct audit_facts *facts)
{
	fprintf(f, "\nTunnels and coverage\n");
	if (facts->n_tunnels == 0)
		fprintf(f, "  no tunnel interface is up\n");
	for (size_t i = 0; i < facts->n_tunnels; i++)
		fprintf(f, "  tunnel %s (%s)\n", facts->tunnels[i].name,
			tunnel_kind_name(nl_tunnel_kind(&facts->tunnels[i])));
	print_family(f, "IPv4", &facts->v4);
	print_family(f, "IPv6", &facts->v6);
	for (size_t i = 0; i < facts->n_overrides; i++) {
		const struct audit_override *o = &facts->overrides[i];
		char dst[ADDR_TEXT_MAX];
		addr_fmt(&o->route.dst, dst);
		fprintf(f, "  route %s/%u via %s pulls traffic outside the tunnel%s\n", dst,
			o->route.dst_len, o->ifname, o->covers_dns_server ? " (a DNS server too)" : "");
	}
}

/* The audit's findings in the form the shared renderer takes: words from the catalogue. */
static size_t
to_api_findings(const struct verdict_out *v, struct api_finding *out)
{
	size_t n = 0;

	for (size_t i = 0; i < v->n_findings; i++)
		if (report_finding_from_catalogue(&v->findings[i], &out[n]))
			n++;
	return n;
}

void
audit_report_findings(FILE *f, const struct verdict_out *v, const struct step_context *ctx,
		      bool use_colour)
{
	struct api_finding fds[VERDICT_FINDINGS_MAX];
	size_t n = to_api_findings(v, fds);

	report_print_findings(f, fds, n, ctx, use_colour);
}

json_t *
audit_report_findings_json(const struct verdict_out *v, const struct step_context *ctx)
{
	struct api_finding fds[VERDICT_FINDINGS_MAX];
	size_t n = to_api_findings(v, fds);

	return report_findings_json(fds, n, ctx);
}

void
audit_report_print(FILE *f, const struct audit_facts *facts, const struct audit_result *r,
		   bool use_colour)
{
	print_dns(f, facts->dns);
	print_servers(f, facts);
	print_coverage(f, facts);
	fprintf(f, "\nVerdict: ");
	paint(f, use_colour, verdict_colour(r->v.verdict), verdict_name(r->v.verdict));
	fprintf(f, "\n  %s\n", r->v.reason);
	audit_report_findings(f, &r->v, &r->ctx, use_colour);
}

static json_t *
addr_json(const struct dl_addr *a)
{
	char text[ADDR_TEXT_MAX];

	addr_fmt(a, text);
	return json_string(text);
}

static json_t *
way_json(const struct nl_route_info *r, enum tunnel_kind t)
{
	if (!r->found)
		return json_null();
	return json_pack("{s:s, s:o, s:o, s:b, s:o}", "interface", r->ifname,
			 "gateway", r->has_gateway ? addr_json(&r->gateway) : json_null(),
			 "source_address", r->has_prefsrc ? addr_json(&r->prefsrc) : json_null(),
			 "tunnel", t != TUNNEL_NONE,
			 "tunnel_kind", t != TUNNEL_NONE ? json_string(tunnel_kind_name(t)) : json_null());
}

static json_t *
dns_json(const struct sysdns *dns)
{
	json_t *ns = json_array(), *search = json_array(), *links = json_array();

	for (size_t i = 0; ns != NULL && i < dns->rc.n_servers; i++)
		json_array_append_new(ns, addr_json(&dns->rc.servers[i]));
	for (size_t i = 0; search != NULL && i < dns->rc.n_search; i++)
		json_array_append_new(search, json_string(dns->rc.search[i]));
	for (size_t i = 0; links != NULL && i < dns->n_links; i++) {
		const struct sysdns_link *l = &dns->links[i];
		json_array_append_new(links, json_pack("{s:s, s:b, s:s, s:s}", "interface", l->ifname,
						       "default_route", l->default_route,
						       "dns_over_tls", l->dot_mode, "domains",
						       l->domains));
	}
	return json_pack("{s:{s:s, s:o, s:s, s:b, s:o, s:o, s:b}, s:{s:b, s:b, s:o, s:o}, s:o}",
			 "resolv_conf", "path", dns->rc_path, "link_target",
			 dns->rc_link_target[0] ? json_string(dns->rc_link_target) : json_null(),
			 "manager", rc_manager_name(dns->manager), "readable", dns->rc_readable,
			 "nameservers", ns, "search", search, "rotate", dns->rc.rotate,
			 "resolved", "running", dns->resolved_running, "stub_used", dns->uses_stub,
			 "dns_over_tls",
			 dns->resolved_dot_mode[0] ? json_string(dns->resolved_dot_mode) : json_null(),
			 "links", links, "note",
			 dns->note[0] ? json_string(dns->note) : json_null());
}

static json_t *
family_json(const struct audit_family *fam)
{
	if (!fam->has_route || !fam->route.found)
		return json_null();
	return way_json(&fam->route, fam->tunnel);
}

json_t *
audit_report_json(const struct audit_facts *facts, const struct audit_result *r)
{
	json_t *servers = json_array(), *tunnels = json_array(), *overrides = json_array();

	for (size_t i = 0; servers != NULL && i < facts->n_servers; i++) {
		const struct audit_server *s = &facts->servers[i];
		json_t *way = s->is_local ? json_null() : way_json(&s->route, s->tunnel);
		json_t *o = json_pack("{s:o, s:i, s:s, s:b}", "address", addr_json(&s->srv.addr),
				      "port", (int)s->srv.port, "source", source_name(s), "local",
				      s->is_local);
		if (!json_is_object(way)) {
			/* A local resolver: its queries never leave by an interface of their own. */
			json_decref(way);
			way = json_pack("{s:n, s:n, s:n, s:b, s:n}", "interface", "gateway",
					"source_address", "tunnel", false, "tunnel_kind");
		}
		if (o != NULL && way != NULL)
			json_object_update(o, way);
		json_decref(way);
		json_array_append_new(servers, o);
	}
	for (size_t i = 0; tunnels != NULL && i < facts->n_tunnels; i++)
		json_array_append_new(tunnels,
				      json_pack("{s:s, s:s}", "interface", facts->tunnels[i].name,
						"kind",
						tunnel_kind_name(nl_tunnel_kind(&facts->tunnels[i]))));
	for (size_t i = 0; overrides != NULL && i < facts->n_overrides; i++) {
		const struct audit_override *o = &facts->overrides[i];
		char dst[ADDR_TEXT_MAX + 8], a[ADDR_TEXT_MAX];
		addr_fmt(&o->route.dst, a);
		snprintf(dst, sizeof(dst), "%s/%u", a, o->route.dst_len);
		json_array_append_new(
			overrides,
			json_pack("{s:s, s:s, s:o, s:b}", "destination", dst, "interface", o->ifname,
				  "gateway",
				  o->route.has_gateway ? addr_json(&o->route.gateway) : json_null(),
				  "covers_dns_server", o->covers_dns_server));
	}
	return json_pack("{s:s, s:s, s:o, s:{s:o, s:o}, s:o, s:o, s:o, s:o}", "verdict",
			 verdict_name(r->v.verdict), "reason", r->v.reason, "servers", servers,
			 "coverage", "ipv4", family_json(&facts->v4), "ipv6",
			 family_json(&facts->v6), "tunnels", tunnels, "overrides", overrides, "dns",
			 dns_json(facts->dns), "findings",
			 audit_report_findings_json(&r->v, &r->ctx));
}
