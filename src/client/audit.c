/* audit.c -- from the machine's DNS and routing facts to findings and a verdict. Pure. */
#include "audit.h"

#include <stdio.h>
#include <string.h>

#define WAY_MAX 96 /* "ifname via <IPv6 address> (wireguard tunnel)" */
#define ITEM_MAX (2 * WAY_MAX + 64)

static struct verdict_finding *
find_finding(struct verdict_out *v, const char *id)
{
	for (size_t i = 0; i < v->n_findings; i++)
		if (strcmp(v->findings[i].id, id) == 0)
			return &v->findings[i];
	return NULL;
}

/* A finding under construction: its detail lists items ("a; b; c"), bounded. */
static struct verdict_finding *
add_finding(struct verdict_out *v, const char *id)
{
	struct verdict_finding *f = find_finding(v, id);

	if (f != NULL)
		return f;
	if (v->n_findings == VERDICT_FINDINGS_MAX)
		return NULL;
	f = &v->findings[v->n_findings++];
	f->id = id;
	f->detail[0] = '\0';
	return f;
}

static void
add_item(struct verdict_finding *f, const char *item)
{
	if (f == NULL)
		return; /* the findings are full */
	size_t len = strlen(f->detail);
	if (len + 2 + strlen(item) >= sizeof(f->detail))
		return; /* the detail is a summary: what does not fit is left out */
	snprintf(f->detail + len, sizeof(f->detail) - len, "%s%s", len > 0 ? "; " : "", item);
}

static void
fmt_way(const struct nl_route_info *r, enum tunnel_kind t, char *out, size_t cap)
{
	char gw[ADDR_TEXT_MAX] = "";

	if (!r->found) {
		snprintf(out, cap, "no route");
		return;
	}
	if (r->has_gateway)
		addr_fmt(&r->gateway, gw);
	snprintf(out, cap, "%s%s%s%s%s%s", r->ifname[0] != '\0' ? r->ifname : "?",
		 r->has_gateway ? " via " : "", gw, t != TUNNEL_NONE ? " (" : "",
		 t != TUNNEL_NONE ? tunnel_kind_name(t) : "", t != TUNNEL_NONE ? " tunnel)" : "");
}

static bool
family_tunnelled(const struct audit_family *fam)
{
	return fam->has_route && fam->route.found && fam->tunnel != TUNNEL_NONE;
}

static void
step_context(const struct audit_facts *f, struct step_context *ctx)
{
	const struct sysdns *dns = f->dns;

	memset(ctx, 0, sizeof(*ctx));
	ctx->known = true;
	ctx->resolved = dns != NULL && dns->uses_stub && dns->resolved_running;
	ctx->networkmanager = dns != NULL && !ctx->resolved && dns->manager == RC_NETWORKMANAGER;
	ctx->resolv_conf = !ctx->resolved && !ctx->networkmanager;
	for (size_t i = 0; i < f->n_tunnels; i++) {
		enum tunnel_kind k = nl_tunnel_kind(&f->tunnels[i]);
		ctx->tunnel_tun |= k == TUNNEL_TUN || k == TUNNEL_TAP;
		ctx->tunnel_wireguard |= k == TUNNEL_WIREGUARD;
	}
}

/* DNS over TLS is on only when systemd-resolved enforces it ("yes"); opportunistic falls back. */
static bool
dns_encrypted(const struct sysdns *dns)
{
	if (dns == NULL || !dns->uses_stub || !dns->resolved_running)
		return false;
	if (strcmp(dns->resolved_dot_mode, "yes") == 0)
		return true;
	if (dns->n_links == 0)
		return false;
	for (size_t i = 0; i < dns->n_links; i++)
		if (dns->links[i].default_route && strcmp(dns->links[i].dot_mode, "yes") != 0)
			return false;
	return true;
}

void
audit_analyze(const struct audit_facts *f, struct audit_result *out)
{
	struct verdict_out *v = &out->v;
	char way[WAY_MAX], item[ITEM_MAX], addr[ADDR_TEXT_MAX];
	bool tunnel4 = family_tunnelled(&f->v4), tunnel6 = family_tunnelled(&f->v6);
	bool tunnel_default = tunnel4 || tunnel6;
	size_t outside = 0;

	memset(v, 0, sizeof(*v));
	step_context(f, &out->ctx);

	/* Queries to a server whose route avoids the tunnel leave in clear beside the VPN. */
	for (size_t i = 0; i < f->n_servers && tunnel_default; i++) {
		const struct audit_server *s = &f->servers[i];
		if (s->is_local || (s->route.found && s->tunnel != TUNNEL_NONE))
			continue;
		addr_fmt(&s->srv.addr, addr);
		fmt_way(&s->route, s->tunnel, way, sizeof(way));
		snprintf(item, sizeof(item), "%s (IPv%u) leaves by %s", addr, s->srv.addr.family, way);
		add_item(add_finding(v, FINDING_DNS_OUTSIDE_TUNNEL), item);
		outside++;
	}

	if (tunnel4 && f->v6.has_route && f->v6.route.found && !tunnel6) {
		char way4[WAY_MAX];
		fmt_way(&f->v4.route, f->v4.tunnel, way4, sizeof(way4));
		fmt_way(&f->v6.route, f->v6.tunnel, way, sizeof(way));
		snprintf(item, sizeof(item), "IPv4 leaves by %s; IPv6 by %s", way4, way);
		add_item(add_finding(v, FINDING_IPV6_UNTUNNELLED), item);
	}

	for (size_t i = 0; i < f->n_overrides && tunnel_default; i++) {
		const struct audit_override *o = &f->overrides[i];
		char gw[ADDR_TEXT_MAX] = "";
		addr_fmt(&o->route.dst, addr);
		if (o->route.has_gateway)
			addr_fmt(&o->route.gateway, gw);
		snprintf(item, sizeof(item), "%s/%u via %s%s%s%s", addr, o->route.dst_len,
			 o->ifname[0] != '\0' ? o->ifname : "?", gw[0] != '\0' ? " gateway " : "", gw,
			 o->covers_dns_server ? ", which covers a DNS server" : "");
		add_item(add_finding(v, FINDING_ROUTE_OVERRIDE), item);
	}

	bool any_remote = false;
	for (size_t i = 0; i < f->n_servers; i++)
		any_remote |= !f->servers[i].is_local;
	if ((any_remote || (f->dns != NULL && f->dns->uses_stub)) && !dns_encrypted(f->dns)) {
		snprintf(item, sizeof(item), "%s",
			 f->dns != NULL && f->dns->resolved_running
				 ? "systemd-resolved does not enforce DNS over TLS"
				 : "plain DNS on port 53: anyone on the path can read the names");
		add_item(add_finding(v, FINDING_NO_ENCRYPTION), item);
	}

	enum verdict worst = VERDICT_PASS;
	for (size_t i = 0; i < v->n_findings; i++) {
		enum verdict w = verdict_of_finding(v->findings[i].id);
		if (w > worst)
			worst = w;
	}
	v->verdict = worst;

	if (f->n_servers == 0)
		snprintf(v->reason, sizeof(v->reason), "%s",
			 "No DNS server is configured on this machine.");
	else if (outside > 0)
		snprintf(v->reason, sizeof(v->reason),
			 "A VPN tunnel carries your traffic, but %zu of your DNS servers %s reached "
			 "outside it, so your ISP's network sees the names you look up.",
			 outside, outside == 1 ? "is" : "are");
	else if (find_finding(v, FINDING_IPV6_UNTUNNELLED) != NULL)
		snprintf(v->reason, sizeof(v->reason), "%s",
			 "Your VPN tunnel carries IPv4 only: IPv6 traffic, DNS included, goes around "
			 "it.");
	else if (worst == VERDICT_LEAK)
		snprintf(v->reason, sizeof(v->reason), "%s",
			 "A route more specific than the VPN's pulls traffic outside the tunnel.");
	else if (!tunnel_default && f->n_tunnels == 0)
		snprintf(v->reason, sizeof(v->reason), "%s",
			 "No VPN tunnel is active: DNS goes to the servers configured here, as "
			 "intended; `dnsleak test` shows which resolvers really see your queries.");
	else if (!tunnel_default)
		snprintf(v->reason, sizeof(v->reason), "%s",
			 "A tunnel is up but carries no default route: only some traffic uses it.");
	else
		snprintf(v->reason, sizeof(v->reason), "%s",
			 "Your DNS servers are reached through the VPN tunnel, for IPv4 and IPv6.");
}
