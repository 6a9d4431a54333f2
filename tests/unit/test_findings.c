/* test_findings.c -- the catalogue: ids, words, steps, lookup; steps per platform and the
 * choice of platforms for a machine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "findings.h"
#include "verdict.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Every id findings.h spells, with what verdict.h and the issues say of it. */
static const struct {
	const char *id;
	enum severity severity;
	bool inconclusive;
} known[] = {
    {FINDING_ISP_RESOLVER, SEV_HIGH, false},
    {FINDING_IPV6_DNS_LEAK, SEV_HIGH, false},
    {FINDING_UNTRUSTED_RESOLVER, SEV_HIGH, false},
    {FINDING_THIRD_PARTY_RESOLVER, SEV_MEDIUM, false},
    {FINDING_IPV6_UNTUNNELLED, SEV_HIGH, false},
    {FINDING_ECS_EXPOSED, SEV_MEDIUM, false},
    {FINDING_NO_DNS_SEEN, SEV_INFO, true},
    {FINDING_NO_NETWORK_DATA, SEV_INFO, true},
    {FINDING_NO_IPV6, SEV_INFO, false},
    {FINDING_DNS_OUTSIDE_TUNNEL, SEV_HIGH, false},
    {FINDING_DNS_HIJACK, SEV_HIGH, false},
    {FINDING_NO_ENCRYPTION, SEV_LOW, false},
    {FINDING_ROUTE_OVERRIDE, SEV_HIGH, false},
    {FINDING_NO_TUNNEL, SEV_INFO, false},
    {FINDING_WEBRTC_LEAK, SEV_HIGH, false},
    {FINDING_WEBRTC_LOCAL, SEV_LOW, false},
};

static bool
id_well_formed(const char *id)
{
	size_t n = strlen(id);

	if (n <= 3 || strncmp(id, "DL-", 3) != 0 || id[n - 1] == '-')
		return false;
	for (size_t i = 3; i < n; i++) {
		char c = id[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (c == '-' && id[i - 1] == '-')
			return false;
	}
	return true;
}

static void
test_id_form(void **state)
{
	(void)state;
	assert_true(id_well_formed("DL-ISP-RESOLVER"));
	assert_true(id_well_formed("DL-IPV6-DNS-LEAK"));
	assert_false(id_well_formed("DL-"));
	assert_false(id_well_formed("DL-isp"));
	assert_false(id_well_formed("XL-ISP"));
	assert_false(id_well_formed("DL-ISP-"));
	assert_false(id_well_formed("DL--ISP"));
	assert_false(id_well_formed("DL-ISP RESOLVER"));
}

static void
test_catalogue_entries(void **state)
{
	(void)state;
	size_t n = 0;
	const struct finding_def *all = findings_all(&n);

	assert_non_null(all);
	assert_int_equal(n, NELEM(known));
	for (size_t i = 0; i < n; i++) {
		const struct finding_def *d = &all[i];
		assert_non_null(d->id);
		if (!id_well_formed(d->id))
			fail_msg("bad id \"%s\"", d->id);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(all[j].id, d->id);
		assert_true(d->severity <= SEV_HIGH);
		/* "Cannot tell" must not also weigh as a leak or a warning. */
		if (d->inconclusive)
			assert_int_equal(d->severity, SEV_INFO);

		assert_non_null(d->title);
		assert_true(strlen(d->title) > 0 && strlen(d->title) <= 48);
		assert_int_not_equal(d->title[strlen(d->title) - 1], '.');

		assert_non_null(d->explain);
		size_t el = strlen(d->explain);
		assert_true(el > 20);
		assert_int_equal(d->explain[el - 1], '.');
		if (strstr(d->explain, ". ") != NULL) /* one sentence */
			fail_msg("%s: explain has more than one sentence", d->id);

		size_t steps = 0;
		while (steps < FINDING_STEPS_MAX && d->steps[steps] != NULL)
			steps++;
		if (steps < 2 || steps > 5)
			fail_msg("%s: %zu steps", d->id, steps);
		assert_true(steps < FINDING_STEPS_MAX); /* NULL-terminated */
		assert_null(d->steps[steps]);
		for (size_t k = 0; k < steps; k++) {
			size_t sl = strlen(d->steps[k]);
			assert_true(sl > 10);
			if (d->steps[k][sl - 1] != '.')
				fail_msg("%s: step %zu does not end a sentence", d->id, k);
		}
	}
}

static void
test_known_ids(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(known); i++) {
		const struct finding_def *d = findings_lookup(known[i].id);
		if (d == NULL)
			fail_msg("%s not in the catalogue", known[i].id);
		assert_string_equal(d->id, known[i].id);
		assert_int_equal(d->severity, known[i].severity);
		assert_int_equal(d->inconclusive, known[i].inconclusive);
		assert_string_equal(severity_name(d->severity),
				    known[i].severity == SEV_HIGH     ? "high"
				    : known[i].severity == SEV_MEDIUM ? "medium"
				    : known[i].severity == SEV_LOW    ? "low"
								      : "info");
	}
}

static void
test_lookup(void **state)
{
	(void)state;
	size_t n = 0;
	const struct finding_def *all = findings_all(&n);

	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(findings_lookup(all[i].id), &all[i]);
	assert_null(findings_lookup("DL-NOPE"));
	assert_null(findings_lookup(""));
	assert_null(findings_lookup(NULL));
	assert_null(findings_lookup("dl-isp-resolver")); /* ids are exact */
	assert_null(findings_lookup("DL-ISP"));          /* no prefix match */
	assert_null(findings_lookup("DL-ISP-RESOLVERS"));
	assert_null(findings_lookup(" DL-ISP-RESOLVER"));
}

static void
test_platform_names(void **state)
{
	(void)state;
	static const char *const want[PLATFORM_COUNT] = {
	    "systemd-resolved", "NetworkManager", "resolv.conf", "OpenVPN", "WireGuard",
	    "Windows",          "macOS",          "browser",     "firewall",
	};

	for (size_t i = 0; i < PLATFORM_COUNT; i++) {
		enum platform back = (enum platform)99;
		assert_string_equal(platform_name((enum platform)i), want[i]);
		assert_true(platform_from_name(want[i], &back));
		assert_int_equal(back, i);
	}
	assert_string_equal(platform_name(PLATFORM_COUNT), "?");
	assert_string_equal(platform_name((enum platform)-1), "?");
	static const char *const bad[] = {"", "Systemd-resolved", "networkmanager", "?", "linux",
					  "resolv.conf ", NULL};
	for (size_t i = 0; i < NELEM(bad); i++) {
		enum platform p = (enum platform)99;
		assert_false(platform_from_name(bad[i], &p));
		assert_int_equal(p, 99);
	}
}

/* Every step of every platform: a sentence, of a sane length, with its quotes closed. */
static void
test_platform_steps_form(void **state)
{
	(void)state;
	size_t n = 0;
	const struct finding_def *all = findings_all(&n);

	for (size_t i = 0; i < n; i++) {
		size_t platforms = 0;

		for (size_t p = 0; p < PLATFORM_COUNT; p++) {
			enum platform pl = (enum platform)p;
			const char *const *steps = findings_platform_steps(&all[i], pl);
			size_t k = 0;

			assert_non_null(steps);
			for (; steps[k] != NULL; k++) {
				const char *st = steps[k];
				size_t len = strlen(st), ticks = 0, quotes = 0;

				if (len < 20 || len > 320 || st[len - 1] != '.')
					fail_msg("%s/%s step %zu: \"%s\"", all[i].id,
						 platform_name(pl), k, st);
				for (const char *c = st; *c != '\0'; c++) {
					ticks += *c == '`';
					quotes += *c == '"';
					if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
						fail_msg("%s: non-ASCII in a step", all[i].id);
				}
				if (ticks % 2 != 0 || quotes % 2 != 0)
					fail_msg("%s/%s step %zu: unbalanced ` or \"", all[i].id,
						 platform_name(pl), k);
			}
			if (k > FINDING_PLATFORM_STEPS_MAX - 1)
				fail_msg("%s/%s: %zu steps", all[i].id,
					 platform_name(pl), k);
			platforms += k > 0;
		}
		/* Every leak-weight finding says what to do on some platform. */
		if (all[i].severity == SEV_HIGH && platforms < 3)
			fail_msg("%s: steps for %zu platforms only", all[i].id, platforms);
	}

	/* Out of range, or no entry: an empty list, never NULL. */
	assert_null(findings_platform_steps(NULL, PLATFORM_RESOLVED)[0]);
	assert_null(findings_platform_steps(&all[0], PLATFORM_COUNT)[0]);
	assert_null(findings_platform_steps(&all[0], (enum platform)-1)[0]);
	assert_null(findings_platform_steps(findings_lookup(FINDING_NO_NETWORK_DATA),
					    PLATFORM_RESOLVED)[0]);
}

/* Some step of id for platform p contains text. */
static bool
has_step(const char *id, enum platform p, const char *text)
{
	const char *const *steps = findings_platform_steps(findings_lookup(id), p);

	for (size_t k = 0; steps[k] != NULL; k++) {
		if (strstr(steps[k], text) != NULL)
			return true;
	}
	return false;
}

#define EXPECT_STEP(id, p, text) \
	do { \
		if (!has_step((id), (p), (text))) \
			fail_msg("%s/%s lacks \"%s\"", (id), platform_name(p), (text)); \
	} while (0)

/* The concrete steps issue #4 asks for, where they belong. */
static void
test_platform_steps_content(void **state)
{
	(void)state;
	static const char *const vpn_dns[] = {FINDING_ISP_RESOLVER, FINDING_UNTRUSTED_RESOLVER,
					      FINDING_DNS_OUTSIDE_TUNNEL};

	for (size_t i = 0; i < NELEM(vpn_dns); i++) {
		const char *id = vpn_dns[i];
		EXPECT_STEP(id, PLATFORM_RESOLVED, "`resolvectl dns <tunnel> <vpn-dns>`");
		EXPECT_STEP(id, PLATFORM_RESOLVED, "`resolvectl domain <tunnel> '~.'`");
		EXPECT_STEP(id, PLATFORM_RESOLVED, "`resolvectl default-route <physical> false`");
		EXPECT_STEP(id, PLATFORM_NETWORKMANAGER,
			    "`nmcli connection modify <vpn> ipv4.dns-priority -42 "
			    "ipv6.dns-priority -42`");
		EXPECT_STEP(id, PLATFORM_NETWORKMANAGER, "ipv4.ignore-auto-dns yes");
		EXPECT_STEP(id, PLATFORM_RESOLV_CONF, "`nameserver`");
		EXPECT_STEP(id, PLATFORM_RESOLV_CONF, "Stop DHCP from rewriting");
		EXPECT_STEP(id, PLATFORM_OPENVPN, "`push \"dhcp-option DNS <vpn-dns>\"`");
		EXPECT_STEP(id, PLATFORM_OPENVPN, "`script-security 2`");
		EXPECT_STEP(id, PLATFORM_OPENVPN, "update-resolv-conf");
		EXPECT_STEP(id, PLATFORM_OPENVPN, "update-systemd-resolved");
		EXPECT_STEP(id, PLATFORM_OPENVPN,
			    "`block-outside-dns` works on Windows clients only");
		EXPECT_STEP(id, PLATFORM_WIREGUARD, "`DNS = <vpn-dns>`");
		EXPECT_STEP(id, PLATFORM_WIREGUARD, "::/0");
		EXPECT_STEP(id, PLATFORM_WINDOWS, "Turn off smart multi-homed name resolution");
		EXPECT_STEP(id, PLATFORM_WINDOWS, "-InterfaceMetric");
		EXPECT_STEP(id, PLATFORM_WINDOWS, "`block-outside-dns`");
		EXPECT_STEP(id, PLATFORM_MACOS, "`scutil --dns`");
		EXPECT_STEP(id, PLATFORM_MACOS, "Private Relay");
		EXPECT_STEP(id, PLATFORM_FIREWALL, "`dnsleak fix`");
		EXPECT_STEP(id, PLATFORM_FIREWALL, "nftables");
	}
	EXPECT_STEP(FINDING_IPV6_DNS_LEAK, PLATFORM_NETWORKMANAGER, "ipv6.ignore-auto-dns yes");
	EXPECT_STEP(FINDING_IPV6_DNS_LEAK, PLATFORM_WIREGUARD, "::/0");
	EXPECT_STEP(FINDING_IPV6_DNS_LEAK, PLATFORM_OPENVPN, "redirect-gateway def1 ipv6");
	EXPECT_STEP(FINDING_IPV6_UNTUNNELLED, PLATFORM_WIREGUARD, "`::/0`");
	EXPECT_STEP(FINDING_IPV6_UNTUNNELLED, PLATFORM_NETWORKMANAGER, "ipv6.method disabled");
	EXPECT_STEP(FINDING_THIRD_PARTY_RESOLVER, PLATFORM_BROWSER,
		    "Firefox: Settings > Privacy & Security > DNS over HTTPS");
	EXPECT_STEP(FINDING_THIRD_PARTY_RESOLVER, PLATFORM_BROWSER,
		    "Chrome: Settings > Privacy and security > Security > Use secure DNS");
	EXPECT_STEP(FINDING_THIRD_PARTY_RESOLVER, PLATFORM_RESOLVED, "FallbackDNS=");
	EXPECT_STEP(FINDING_DNS_HIJACK, PLATFORM_BROWSER, "DNS over HTTPS");
	EXPECT_STEP(FINDING_DNS_HIJACK, PLATFORM_RESOLVED, "`DNSOverTLS=yes`");
	EXPECT_STEP(FINDING_NO_ENCRYPTION, PLATFORM_RESOLVED, "`resolvectl dnsovertls <link> yes`");
	EXPECT_STEP(FINDING_ROUTE_OVERRIDE, PLATFORM_NETWORKMANAGER, "ipv4.ignore-auto-routes yes");
	EXPECT_STEP(FINDING_ROUTE_OVERRIDE, PLATFORM_RESOLV_CONF,
		    "rfc3442-classless-static-routes");
	/* block-outside-dns is never offered as a Linux step. */
	size_t n = 0;
	const struct finding_def *all = findings_all(&n);
	for (size_t i = 0; i < n; i++) {
		static const enum platform linux_only[] = {
		    PLATFORM_RESOLVED, PLATFORM_NETWORKMANAGER, PLATFORM_RESOLV_CONF,
		    PLATFORM_WIREGUARD};
		for (size_t p = 0; p < NELEM(linux_only); p++) {
			if (has_step(all[i].id, linux_only[p], "block-outside-dns"))
				fail_msg("%s/%s offers block-outside-dns", all[i].id,
					 platform_name(linux_only[p]));
		}
	}
}

static void
expect_selection(const struct step_context *ctx, const enum platform *want, size_t n_want)
{
	enum platform out[PLATFORM_COUNT + 4];
	size_t n;

	memset(out, 0x5a, sizeof(out));
	n = findings_select_platforms(ctx, out);
	assert_true(n <= PLATFORM_COUNT);
	for (size_t i = 0; i < n && i < n_want; i++) {
		if (out[i] != want[i])
			fail_msg("position %zu: %s, want %s", i, platform_name(out[i]),
				 platform_name(want[i]));
	}
	assert_int_equal(n, n_want);
	assert_int_equal((int)out[n], 0x5a5a5a5a); /* nothing written past the count */
}

#define EXPECT_SELECTION(ctx, ...)                                                           \
	expect_selection((ctx), (const enum platform[]){__VA_ARGS__},                        \
			 sizeof((const enum platform[]){__VA_ARGS__}) / sizeof(enum platform))

static void
test_select_platforms(void **state)
{
	(void)state;
	struct step_context ctx;

	/* Unknown: every platform, in the API's order. */
	EXPECT_SELECTION(NULL, PLATFORM_RESOLVED, PLATFORM_NETWORKMANAGER, PLATFORM_RESOLV_CONF,
			 PLATFORM_OPENVPN, PLATFORM_WIREGUARD, PLATFORM_WINDOWS, PLATFORM_MACOS,
			 PLATFORM_BROWSER, PLATFORM_FIREWALL);
	memset(&ctx, 0, sizeof(ctx));
	ctx.resolved = true; /* facts without an audit do not count */
	ctx.tunnel_tun = true;
	EXPECT_SELECTION(&ctx, PLATFORM_RESOLVED, PLATFORM_NETWORKMANAGER, PLATFORM_RESOLV_CONF,
			 PLATFORM_OPENVPN, PLATFORM_WIREGUARD, PLATFORM_WINDOWS, PLATFORM_MACOS,
			 PLATFORM_BROWSER, PLATFORM_FIREWALL);

	/* resolved with an OpenVPN tunnel. */
	ctx.known = true;
	EXPECT_SELECTION(&ctx, PLATFORM_RESOLVED, PLATFORM_OPENVPN, PLATFORM_BROWSER,
			 PLATFORM_FIREWALL);
	/* NetworkManager in front of resolved: both, resolved first. */
	ctx.networkmanager = true;
	ctx.tunnel_wireguard = true;
	EXPECT_SELECTION(&ctx, PLATFORM_RESOLVED, PLATFORM_NETWORKMANAGER, PLATFORM_OPENVPN,
			 PLATFORM_WIREGUARD, PLATFORM_BROWSER, PLATFORM_FIREWALL);
	/* NetworkManager alone, WireGuard. */
	memset(&ctx, 0, sizeof(ctx));
	ctx.known = true;
	ctx.networkmanager = true;
	ctx.tunnel_wireguard = true;
	EXPECT_SELECTION(&ctx, PLATFORM_NETWORKMANAGER, PLATFORM_WIREGUARD, PLATFORM_BROWSER,
			 PLATFORM_FIREWALL);
	/* A plain resolv.conf, no tunnel. */
	memset(&ctx, 0, sizeof(ctx));
	ctx.known = true;
	ctx.resolv_conf = true;
	EXPECT_SELECTION(&ctx, PLATFORM_RESOLV_CONF, PLATFORM_BROWSER, PLATFORM_FIREWALL);
	/* An audit that recognised no manager: resolv.conf is what glibc reads anyway. */
	ctx.resolv_conf = false;
	EXPECT_SELECTION(&ctx, PLATFORM_RESOLV_CONF, PLATFORM_BROWSER, PLATFORM_FIREWALL);
	/* resolv_conf set next to resolved (a stale flag): the manager wins. */
	ctx.resolv_conf = true;
	ctx.resolved = true;
	EXPECT_SELECTION(&ctx, PLATFORM_RESOLVED, PLATFORM_BROWSER, PLATFORM_FIREWALL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_form),
	    cmocka_unit_test(test_catalogue_entries),
	    cmocka_unit_test(test_known_ids),
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_platform_names),
	    cmocka_unit_test(test_platform_steps_form),
	    cmocka_unit_test(test_platform_steps_content),
	    cmocka_unit_test(test_select_platforms),
	};

	return cmocka_run_group_tests_name("findings", tests, NULL, NULL);
}
