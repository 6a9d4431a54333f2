/* test_audit.c -- audit_analyze(): from hand-made facts to findings, verdict and step context. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "audit.h"

static struct sysdns dns;
static struct audit_facts facts;
static struct audit_result res;

static struct dl_addr
ip(const char *text)
{
	struct dl_addr a;

	assert_int_equal(addr_parse(text, &a), DL_E_OK);
	return a;
}

static struct nl_route_info
via(const char *ifname, int ifindex, const char *gateway)
{
	struct nl_route_info r;

	memset(&r, 0, sizeof(r));
	r.found = true;
	r.ifindex = ifindex;
	snprintf(r.ifname, sizeof(r.ifname), "%s", ifname);
	r.type = RTN_UNICAST;
	r.table = RT_TABLE_MAIN;
	if (gateway != NULL) {
		r.has_gateway = true;
		r.gateway = ip(gateway);
	}
	return r;
}

static void
add_server(const char *addr, struct nl_route_info route, enum tunnel_kind t, bool local)
{
	struct audit_server *s = &facts.servers[facts.n_servers++];

	memset(s, 0, sizeof(*s));
	s->srv.addr = ip(addr);
	s->srv.port = 53;
	s->route = route;
	s->tunnel = t;
	s->is_local = local;
}

static void
add_tunnel(const char *name, int ifindex, const char *kind)
{
	struct nl_link *l = &facts.tunnels[facts.n_tunnels++];

	memset(l, 0, sizeof(*l));
	l->ifindex = ifindex;
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
	l->up = true;
}

/* A machine on a LAN (eth0, gateway 198.18.1.1) with an OpenVPN-style tun0 tunnel. */
static int
setup(void **state)
{
	(void)state;
	memset(&dns, 0, sizeof(dns));
	memset(&facts, 0, sizeof(facts));
	memset(&res, 0, sizeof(res));
	snprintf(dns.rc_path, sizeof(dns.rc_path), "/etc/resolv.conf");
	dns.rc_readable = true;
	dns.manager = RC_PLAIN;
	facts.dns = &dns;
	add_tunnel("tun0", 5, "tun");
	facts.v4.has_route = true;
	facts.v4.route = via("tun0", 5, NULL);
	facts.v4.tunnel = TUNNEL_TUN;
	facts.v6.has_route = true;
	facts.v6.route = via("tun0", 5, NULL);
	facts.v6.tunnel = TUNNEL_TUN;
	return 0;
}

static bool
has(const char *id)
{
	for (size_t i = 0; i < res.v.n_findings; i++)
		if (strcmp(res.v.findings[i].id, id) == 0)
			return true;
	return false;
}

static const char *
detail(const char *id)
{
	for (size_t i = 0; i < res.v.n_findings; i++)
		if (strcmp(res.v.findings[i].id, id) == 0)
			return res.v.findings[i].detail;
	return NULL;
}

static void
test_clean_vpn(void **state)
{
	(void)state;
	add_server("198.51.100.53", via("tun0", 5, NULL), TUNNEL_TUN, false);
	audit_analyze(&facts, &res);
	assert_int_equal(res.v.verdict, VERDICT_PASS);
	assert_false(has(FINDING_DNS_OUTSIDE_TUNNEL));
	assert_false(has(FINDING_IPV6_UNTUNNELLED));
	/* Plain DNS is worth saying, never a leak by itself. */
	assert_true(has(FINDING_NO_ENCRYPTION));
	assert_non_null(strstr(res.v.reason, "through the VPN tunnel"));
	assert_true(res.ctx.known && res.ctx.resolv_conf && res.ctx.tunnel_tun);
	assert_false(res.ctx.resolved || res.ctx.networkmanager || res.ctx.tunnel_wireguard);
}

static void
test_dns_outside_tunnel(void **state)
{
	(void)state;
	add_server("198.18.1.1", via("eth0", 2, NULL), TUNNEL_NONE, false);
	add_server("198.51.100.53", via("tun0", 5, NULL), TUNNEL_TUN, false);
	audit_analyze(&facts, &res);
	assert_int_equal(res.v.verdict, VERDICT_LEAK);
	assert_true(has(FINDING_DNS_OUTSIDE_TUNNEL));
	assert_string_equal(detail(FINDING_DNS_OUTSIDE_TUNNEL), "198.18.1.1 (IPv4) leaves by eth0");
	assert_non_null(strstr(res.v.reason, "1 of your DNS servers is reached outside it"));
}

static void
test_unroutable_server_counts_as_outside(void **state)
{
	(void)state;
	struct nl_route_info none;
	memset(&none, 0, sizeof(none));
	add_server("2001:db8:1::53", none, TUNNEL_NONE, false);
	audit_analyze(&facts, &res);
	assert_int_equal(res.v.verdict, VERDICT_LEAK);
	assert_string_equal(detail(FINDING_DNS_OUTSIDE_TUNNEL),
			    "2001:db8:1::53 (IPv6) leaves by no route");
}

static void
test_local_stub_is_not_a_leak(void **state)
{
	(void)state;
	dns.uses_stub = true;
	add_server("127.0.0.53", via("lo", 1, NULL), TUNNEL_NONE, true);
	audit_analyze(&facts, &res);
	assert_int_equal(res.v.verdict, VERDICT_PASS);
	assert_false(has(FINDING_DNS_OUTSIDE_TUNNEL));
	assert_true(has(FINDING_NO_ENCRYPTION));
}

static void
test_ipv6_untunnelled(void **state)
{
	(void)state;
	facts.v6.route = via("eth0", 2, "2001:db8:1:1::1");
	facts.v6.tunnel = TUNNEL_NONE;
	add_server("198.51.100.53", via("tun0", 5, NULL), TUNNEL_TUN, false);
	audit_analyze(&facts, &res);
	assert_int_equal(res.v.verdict, VERDICT_LEAK);
	assert_string_equal(detail(FINDING_IPV6_UNTUNNELLED),
			    "IPv4 leaves by tun0 (tun tunnel); IPv6 by eth0 via 2001:db8:1:1::1");
	assert_non_null(strstr(res.v.reason, "IPv4 only"));

	/* No IPv6 connectivity at all is not an IPv6 leak. */
	facts.v6.has_route = false;
	facts.v6.route.found = false;
	audit_analyze(&facts, &res);
	assert_false(has(FINDING_IPV6_UNTUNNELLED));
	assert_int_equal(res.v.verdict, VERDICT_PASS);
}

static void
test_route_override(void **state)
{
	(void)state;
	add_server("198.51.100.53", via("eth0", 2, "198.18.1.1"), TUNNEL_NONE, false);
	struct audit_override *o = &facts.overrides[facts.n_overrides++];
	memset(o, 0, sizeof(*o));
	o->route.family = 4;
	o->route.dst = ip("198.51.100.0");
	o->route.dst_len = 24;
	o->route.has_gateway = true;
	o->route.gateway = ip("198.18.1.1");
	o->covers_dns_server = true;
	snprintf(o->ifname, sizeof(o->ifname), "eth0");
	audit_analyze(&facts, &res);
	assert_int_equal(res.v.verdict, VERDICT_LEAK);
	assert_string_equal(detail(FINDING_ROUTE_OVERRIDE),
			    "198.51.100.0/24 via eth0 gateway 198.18.1.1, which covers a DNS server");
	assert_true(has(FINDING_DNS_OUTSIDE_TUNNEL));
}

static void
test_no_tunnel(void **state)
{
	(void)state;
	facts.n_tunnels = 0;
	facts.v4.route = via("eth0", 2, "198.18.1.1");
	facts.v4.tunnel = TUNNEL_NONE;
	facts.v6.route = via("eth0", 2, "2001:db8:1:1::1");
	facts.v6.tunnel = TUNNEL_NONE;
	add_server("198.18.1.1", via("eth0", 2, NULL), TUNNEL_NONE, false);
	/* Without a tunnel no route can pull traffic outside it. */
	struct audit_override *o = &facts.overrides[facts.n_overrides++];
	memset(o, 0, sizeof(*o));
	o->route.family = 4;
	o->route.dst = ip("198.51.100.0");
	o->route.dst_len = 24;
	audit_analyze(&facts, &res);
	assert_int_equal(res.v.verdict, VERDICT_PASS);
	assert_false(has(FINDING_DNS_OUTSIDE_TUNNEL));
	assert_false(has(FINDING_ROUTE_OVERRIDE));
	assert_non_null(strstr(res.v.reason, "No VPN tunnel is active"));
	assert_false(res.ctx.tunnel_tun);
}

static void
test_tunnel_without_default(void **state)
{
	(void)state;
	facts.v4.route = via("eth0", 2, "198.18.1.1");
	facts.v4.tunnel = TUNNEL_NONE;
	facts.v6.route = via("eth0", 2, "2001:db8:1:1::1");
	facts.v6.tunnel = TUNNEL_NONE;
	add_server("198.18.1.1", via("eth0", 2, NULL), TUNNEL_NONE, false);
	audit_analyze(&facts, &res);
	assert_int_equal(res.v.verdict, VERDICT_PASS);
	assert_non_null(strstr(res.v.reason, "carries no default route"));
}

static void
test_no_servers(void **state)
{
	(void)state;
	audit_analyze(&facts, &res);
	assert_string_equal(res.v.reason, "No DNS server is configured on this machine.");
	assert_false(has(FINDING_NO_ENCRYPTION));
}

static void
test_context_and_encryption(void **state)
{
	(void)state;
	facts.n_tunnels = 0;
	add_tunnel("wg0", 7, "wireguard");
	dns.uses_stub = true;
	dns.resolved_running = true;
	snprintf(dns.resolved_dot_mode, sizeof(dns.resolved_dot_mode), "yes");
	add_server("198.51.100.53", via("wg0", 7, NULL), TUNNEL_WIREGUARD, false);
	facts.servers[0].srv.from_resolved = true;
	audit_analyze(&facts, &res);
	assert_true(res.ctx.resolved && res.ctx.tunnel_wireguard);
	assert_false(res.ctx.networkmanager || res.ctx.resolv_conf || res.ctx.tunnel_tun);
	assert_false(has(FINDING_NO_ENCRYPTION));

	/* Opportunistic DoT falls back to clear text: not encrypted. */
	snprintf(dns.resolved_dot_mode, sizeof(dns.resolved_dot_mode), "opportunistic");
	audit_analyze(&facts, &res);
	assert_true(has(FINDING_NO_ENCRYPTION));
	assert_string_equal(detail(FINDING_NO_ENCRYPTION),
			    "systemd-resolved does not enforce DNS over TLS");

	/* NetworkManager writing resolv.conf, no resolved. */
	dns.uses_stub = false;
	dns.resolved_running = false;
	dns.manager = RC_NETWORKMANAGER;
	audit_analyze(&facts, &res);
	assert_true(res.ctx.networkmanager && !res.ctx.resolved && !res.ctx.resolv_conf);
}

static void
test_detail_is_bounded(void **state)
{
	(void)state;
	for (int i = 0; i < SYSDNS_SERVERS_MAX; i++) {
		char a[64];
		snprintf(a, sizeof(a), "2001:db8:aaaa:bbbb:cccc:dddd:eeee:%x", i + 1);
		add_server(a, via("eth0", 2, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"), TUNNEL_NONE,
			   false);
	}
	audit_analyze(&facts, &res);
	const char *d = detail(FINDING_DNS_OUTSIDE_TUNNEL);
	assert_non_null(d);
	assert_true(strlen(d) < FINDING_DETAIL_MAX);
	assert_non_null(strstr(res.v.reason, "32 of your DNS servers are"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_clean_vpn, setup),
		cmocka_unit_test_setup(test_dns_outside_tunnel, setup),
		cmocka_unit_test_setup(test_unroutable_server_counts_as_outside, setup),
		cmocka_unit_test_setup(test_local_stub_is_not_a_leak, setup),
		cmocka_unit_test_setup(test_ipv6_untunnelled, setup),
		cmocka_unit_test_setup(test_route_override, setup),
		cmocka_unit_test_setup(test_no_tunnel, setup),
		cmocka_unit_test_setup(test_tunnel_without_default, setup),
		cmocka_unit_test_setup(test_no_servers, setup),
		cmocka_unit_test_setup(test_context_and_encryption, setup),
		cmocka_unit_test_setup(test_detail_is_bounded, setup),
	};
	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
