/* verdict_text.h -- the words of findings: networks and addresses in sentences and details.
 * Pure; shared by verdict.c's rules. Not for other modules.
 */
#ifndef DL_VERDICT_TEXT_H
#define DL_VERDICT_TEXT_H

#include <stddef.h>

#include "addr.h"
#include "verdict.h"

/*
 * Room kept at the end of a detail for "; and N more" (31 with a 20-digit N). The longest lead
 * (46) and the longest item (176: a 45-character address, its family, a 10-digit ASN, a 95-byte
 * org, a country) fit in what is left, so the first item is never left out.
 */
#define DETAIL_TAIL_RESERVE 32
/*
 * Reason sentences name networks with their organisation cut to ORG_SHORT characters, so that
 * every sentence fits VERDICT_REASON_MAX whole; details name them in full.
 */
#define ORG_SHORT 48
#define LABEL_MAX 64  /* ORG_SHORT + " (AS4294967295)" + NUL */
#define WHO_MAX 112   /* LABEL_MAX + " and <size_t> other resolvers" */
#define WHERE_MAX 192 /* address, family, ASN, a full org and a country */

/* "Example ISP (AS64496)" or "AS64496". n->asn is known (not 0). */
void vtext_net(const struct net_info *n, char out[static LABEL_MAX]);

/* "Example VPN, AS64497" or "AS64497": the exit network in parentheses. n->asn is known. */
void vtext_net_inner(const struct net_info *n, char out[static LABEL_MAX]);

/* "198.51.100.54 (IPv4, AS64496 Example ISP, DE)" or "198.51.100.54 (IPv4, network unknown)". */
void vtext_where(const struct dl_addr *a, const struct net_info *n, char out[static WHERE_MAX]);

/* Who a reason sentence names: the first resolver's network (or address) and how many more. */
void vtext_who(const struct verdict_resolver *r, size_t others, char out[static WHO_MAX]);

/* A finding's detail: a lead, then items separated by "; ", then "; and N more" if full. */
struct vtext_detail {
	char *buf;
	size_t len;
	size_t items;
	size_t omitted;
};

/* Start the detail in buf (FINDING_DETAIL_MAX bytes) with lead. */
void vtext_detail_start(struct vtext_detail *d, char *buf, const char *lead);
/* Add one item; once one did not fit, the later ones are counted, not written. */
void vtext_detail_add(struct vtext_detail *d, const char *item);
void vtext_detail_add_where(struct vtext_detail *d, const struct dl_addr *a,
			    const struct net_info *n);
/* "; and N more" when items were left out. */
void vtext_detail_finish(struct vtext_detail *d);

#endif
