/* verdict_text.c -- networks and addresses in the words of findings (verdict_text.h). */
#include "verdict_text.h"

#include <stdio.h>
#include <string.h>

static const char *
family_name(uint8_t family)
{
	switch (family) {
	case 4:
		return "IPv4";
	case 6:
		return "IPv6";
	}
	return "unknown family";
}

/* Bounded views of the caller's text fields, which may lack their NUL. */
static int
org_len(const struct net_info *n)
{
	return (int)strnlen(n->org, sizeof(n->org));
}

static int
country_len(const struct net_info *n)
{
	return (int)strnlen(n->country, sizeof(n->country) - 1);
}

static int
org_short_len(const struct net_info *n)
{
	int len = org_len(n);
	return len < ORG_SHORT ? len : ORG_SHORT;
}

/* "Example ISP (AS64496)" or "AS64496". n->asn is known (not 0). */
void
vtext_net(const struct net_info *n, char out[static LABEL_MAX])
{
	if (org_len(n) > 0)
		(void)snprintf(out, LABEL_MAX, "%.*s (AS%u)", org_short_len(n), n->org,
			       (unsigned)n->asn);
	else
		(void)snprintf(out, LABEL_MAX, "AS%u", (unsigned)n->asn);
}

/* "Example VPN, AS64497" or "AS64497": the exit network in parentheses. n->asn is known. */
void
vtext_net_inner(const struct net_info *n, char out[static LABEL_MAX])
{
	if (org_len(n) > 0)
		(void)snprintf(out, LABEL_MAX, "%.*s, AS%u", org_short_len(n), n->org,
			       (unsigned)n->asn);
	else
		(void)snprintf(out, LABEL_MAX, "AS%u", (unsigned)n->asn);
}

/* "198.51.100.54 (IPv4, AS64496 Example ISP, DE)" or "198.51.100.54 (IPv4, network unknown)". */
void
vtext_where(const struct dl_addr *a, const struct net_info *n, char out[static WHERE_MAX])
{
	char addr[ADDR_TEXT_MAX];
	const char *fam = family_name(a->family);
	const char *sep = country_len(n) > 0 ? ", " : "";

	addr_fmt(a, addr);
	if (n->asn == 0)
		(void)snprintf(out, WHERE_MAX, "%s (%s, network unknown%s%.*s)", addr, fam, sep,
			       country_len(n), n->country);
	else
		(void)snprintf(out, WHERE_MAX, "%s (%s, AS%u%s%.*s%s%.*s)", addr, fam,
			       (unsigned)n->asn, org_len(n) > 0 ? " " : "", org_len(n), n->org, sep,
			       country_len(n), n->country);
}

/* Who a reason sentence names: the first resolver's network (or address) and how many more. */
void
vtext_who(const struct verdict_resolver *r, size_t others, char out[static WHO_MAX])
{
	char who[LABEL_MAX];

	_Static_assert(LABEL_MAX >= ADDR_TEXT_MAX, "an address fits a label");
	if (r->net.asn != 0)
		vtext_net(&r->net, who);
	else
		addr_fmt(&r->addr, who);
	if (others == 0)
		(void)snprintf(out, WHO_MAX, "%s", who);
	else
		(void)snprintf(out, WHO_MAX, "%s and %zu other network%s", who, others,
			       others == 1 ? "" : "s");
}

void
vtext_detail_start(struct vtext_detail *d, char *buf, const char *lead)
{
	d->buf = buf;
	d->items = 0;
	d->omitted = 0;
	d->len = strnlen(lead, FINDING_DETAIL_MAX - 1 - DETAIL_TAIL_RESERVE);
	memcpy(d->buf, lead, d->len);
	d->buf[d->len] = '\0';
}

void
vtext_detail_add(struct vtext_detail *d, const char *item)
{
	size_t sep = d->items > 0 ? 2 : 0;
	size_t n = strlen(item);

	/* Once one item is left out, the later ones are too: the list keeps its order. */
	if (d->omitted > 0 || d->len + sep + n > FINDING_DETAIL_MAX - 1 - DETAIL_TAIL_RESERVE) {
		d->omitted++;
		return;
	}
	memcpy(d->buf + d->len, "; ", sep);
	memcpy(d->buf + d->len + sep, item, n);
	d->len += sep + n;
	d->buf[d->len] = '\0';
	d->items++;
}

void
vtext_detail_finish(struct vtext_detail *d)
{
	if (d->omitted == 0)
		return;
	/* The first item always fits (DETAIL_TAIL_RESERVE), so a separator precedes this. */
	(void)snprintf(d->buf + d->len, FINDING_DETAIL_MAX - d->len, "; and %zu more", d->omitted);
}

void
vtext_detail_add_where(struct vtext_detail *d, const struct dl_addr *a, const struct net_info *n)
{
	char where[WHERE_MAX];

	vtext_where(a, n, where);
	vtext_detail_add(d, where);
}
