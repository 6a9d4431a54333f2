/* fw.c -- the nftables ruleset of dnsleak fix, as text. Pure: no I/O (cmd_fix.c loads it). */
#include "fw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FW_PRELUDE "table inet " FW_TABLE "\ndelete table inet " FW_TABLE "\n"

/* Appends to a caller's buffer; the first append that does not fit sets full for good. */
struct sbuf {
	char *p;
	size_t cap;
	size_t len;
	bool full;
};

static void put(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->full)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->full = true;
		return;
	}
	b->len += (size_t)n;
}

const char *
fw_revert_rules(void)
{
	return "delete table inet " FW_TABLE "\n";
}

const char *
fw_replace_prelude(void)
{
	return FW_PRELUDE;
}

const char *
fw_ipv6_name(enum fw_ipv6 v)
{
	switch (v) {
	case FW_IPV6_KEEP:
		return "keep";
	case FW_IPV6_BLOCK_DNS:
		return "block-dns";
	case FW_IPV6_BLOCK_ALL:
		return "block-all";
	}
	return "?";
}

bool
fw_ifname_valid(const char *name)
{
	size_t n = strnlen(name, IF_NAMESIZE);

	/* The kernel refuses "." and ".." (dev_valid_name); "lo" is where the stub is, not a
	 * tunnel. */
	if (n == 0 || n >= IF_NAMESIZE || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strcmp(name, "lo") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
		if (!ok)
			return false;
	}
	return true;
}

/* The distinct tunnel names of opts, in the order given; false if one is bad or none is left. */
static bool
distinct_tunnels(const struct fw_opts *opts, const char *names[static FW_TUNNELS_MAX], size_t *n)
{
	*n = 0;
	if (opts->n_tunnels == 0 || opts->n_tunnels > FW_TUNNELS_MAX)
		return false;
	for (size_t i = 0; i < opts->n_tunnels; i++) {
		const char *t = opts->tunnels[i];
		/* A name that fills its slot has no NUL: fw_ifname_valid reads at most IF_NAMESIZE.
		 */
		if (!fw_ifname_valid(t))
			return false;
		bool seen = false;
		for (size_t k = 0; k < *n; k++)
			seen |= strcmp(names[k], t) == 0;
		if (!seen)
			names[(*n)++] = t;
	}
	return *n > 0;
}

/* `"tun0"` for one interface, `{ "tun0", "wg0" }` (an anonymous set) for several; lo last. */
static void
put_ifnames(struct sbuf *b, const char *const *names, size_t n, bool with_lo)
{
	size_t total = n + (with_lo ? 1 : 0);

	if (total > 1)
		put(b, "{ ");
	for (size_t i = 0; i < n; i++)
		put(b, "%s\"%s\"", i > 0 ? ", " : "", names[i]);
	if (with_lo)
		put(b, "%s\"lo\"", n > 0 ? ", " : "");
	if (total > 1)
		put(b, " }");
}

int
fw_rules(const struct fw_opts *opts, char *out, size_t cap)
{
	const char *names[FW_TUNNELS_MAX];
	struct sbuf b = { .p = out, .cap = cap };
	size_t n = 0;

	if (cap > 0)
		out[0] = '\0';
	if (!distinct_tunnels(opts, names, &n))
		return DL_E_FORMAT;
	if (opts->ipv6 != FW_IPV6_KEEP && opts->ipv6 != FW_IPV6_BLOCK_DNS &&
	    opts->ipv6 != FW_IPV6_BLOCK_ALL)
		return DL_E_FORMAT;
	if (cap == 0)
		return DL_E_FULL;

	put(&b, "# dnsleak fix: DNS may leave this host only through the tunnel (");
	for (size_t i = 0; i < n; i++)
		put(&b, "%s%s", i > 0 ? ", " : "", names[i]);
	put(&b,
	    ").\n"
	    "# The table is dnsleak's own: `dnsleak fix --revert` (nft delete table inet %s)\n"
	    "# removes it and nothing else. `dnsleak fix --apply` loads it, replacing an earlier\n"
	    "# copy in one transaction.\n",
	    FW_TABLE);
	put(&b, "table inet %s {\n", FW_TABLE);
	put(&b,
	    "\t# Queries this host sends. Traffic it forwards for others (a router, containers\n"
	    "\t# with a network namespace of their own) would need a forward chain as well.\n");
	put(&b, "\tchain output {\n"
		"\t\ttype filter hook output priority 0; policy accept;\n\n");

	put(&b,
	    "\t\t# A resolver on this host (the systemd-resolved stub, dnsmasq, unbound) is asked\n"
	    "\t\t# over loopback; its own queries upstream meet the rules below.\n"
	    "\t\toifname \"lo\" udp dport 53 accept\n"
	    "\t\toifname \"lo\" tcp dport { 53, 853 } accept\n");

	if (opts->allow_mdns)
		put(&b, "\n\t\t# --allow-mdns: mDNS (5353) and LLMNR (5355) to the LAN's multicast "
			"groups\n"
			"\t\t# keep working (only --block-ipv6 all would refuse them otherwise).\n"
			"\t\tip daddr 224.0.0.251 udp dport 5353 accept\n"
			"\t\tip6 daddr ff02::fb udp dport 5353 accept\n"
			"\t\tip daddr 224.0.0.252 udp dport 5355 accept\n"
			"\t\tip6 daddr ff02::1:3 udp dport 5355 accept\n");

	if (opts->ipv6 != FW_IPV6_KEEP)
		put(&b,
		    "\n\t\t# IPv6 DNS goes to loopback only: the tunnel carries no IPv6, so it "
		    "could\n"
		    "\t\t# only leave outside it.\n"
		    "\t\tmeta nfproto ipv6 udp dport 53 counter reject with icmpx "
		    "admin-prohibited\n"
		    "\t\tmeta nfproto ipv6 tcp dport { 53, 853 } counter reject with tcp reset\n");

	put(&b, "\n\t\t# DNS (53) and DNS over TLS (853) through the tunnel.\n\t\toifname ");
	put_ifnames(&b, names, n, false);
	put(&b, " udp dport 53 accept\n\t\toifname ");
	put_ifnames(&b, names, n, false);
	put(&b, " tcp dport { 53, 853 } accept\n");

	if (opts->ipv6 == FW_IPV6_BLOCK_ALL) {
		put(&b,
		    "\n\t\t# --block-ipv6 all: no IPv6 at all outside the tunnel, since it would\n"
		    "\t\t# bypass the VPN (TCP gets a reset, the rest an ICMPv6 error).\n"
		    "\t\tmeta nfproto ipv6 oifname != ");
		put_ifnames(&b, names, n, true);
		put(&b, " meta l4proto tcp counter reject with tcp reset\n"
			"\t\tmeta nfproto ipv6 oifname != ");
		put_ifnames(&b, names, n, true);
		put(&b, " counter reject with icmpx admin-prohibited\n");
	}

	put(&b,
	    "\n\t\t# Any other DNS query would leave outside the tunnel: refuse it with an ICMP\n"
	    "\t\t# error or a TCP reset, so that the resolver gives up at once instead of "
	    "waiting.\n"
	    "\t\tudp dport 53 counter reject with icmpx admin-prohibited\n"
	    "\t\ttcp dport { 53, 853 } counter reject with tcp reset\n"
	    "\t}\n"
	    "}\n");
	if (b.full) {
		out[0] = '\0';
		return DL_E_FULL;
	}
	return DL_E_OK;
}
