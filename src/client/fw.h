/* fw.h -- the firewall cure: nftables rules that let DNS leave only through the tunnel. Pure.
 *
 * fw_rules() turns what the audit found into one nftables ruleset (text in `nft -f` syntax) in
 * its own table, `inet dnsleak`, so applying and reverting it never touches another table:
 * DNS (UDP/TCP 53) and DNS over TLS (TCP 853) are accepted to loopback (a local stub) and out
 * through the tunnel interface, and rejected everywhere else; optionally IPv6 DNS (or all IPv6)
 * is blocked outside the tunnel when the tunnel does not carry IPv6. cmd_fix.c prints it, or
 * loads it atomically through libnftables. Golden files in tests/golden/fw/ pin the text.
 */
#ifndef DL_FW_H
#define DL_FW_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define FW_TABLE "dnsleak"     /* table inet dnsleak */
#define FW_TUNNELS_MAX 8
#define FW_RULESET_MAX 8192

enum fw_ipv6 {
	FW_IPV6_KEEP = 0,    /* IPv6 DNS follows the same rule as IPv4 (tunnel only) */
	FW_IPV6_BLOCK_DNS,   /* the tunnel carries no IPv6: reject IPv6 DNS everywhere but lo */
	FW_IPV6_BLOCK_ALL,   /* ... and all IPv6 traffic outside the tunnel (--block-ipv6 all) */
};

struct fw_opts {
	char tunnels[FW_TUNNELS_MAX][IF_NAMESIZE]; /* interfaces DNS may leave by */
	size_t n_tunnels;
	enum fw_ipv6 ipv6;
	bool allow_mdns; /* keep mDNS (5353) / LLMNR (5355) on the LAN working */
};

/*
 * Write the ruleset for opts into out (cap bytes, NUL-terminated). Interface names are checked
 * (1..15 chars of [A-Za-z0-9_.-], as the kernel allows and nft can quote; see fw_ifname_valid);
 * a name given twice is written once. The text is deterministic (golden files) and loads with
 * `nft -f`. DL_E_OK, DL_E_FORMAT for a bad name, no tunnel, more than FW_TUNNELS_MAX or an
 * ipv6 value outside the enum, DL_E_FULL if cap is too small; out is then "" (when cap > 0).
 */
DL_MUSTCHECK int fw_rules(const struct fw_opts *opts, char *out, size_t cap);

/* The commands that remove exactly our table ("delete table inet dnsleak"). */
const char *fw_revert_rules(void);

/*
 * What goes before the ruleset in the one buffer that applies it: create our table if it is
 * absent, then delete it, so that the ruleset which follows replaces any earlier copy in the
 * same transaction (atomic, and idempotent: applying twice leaves one table).
 */
const char *fw_replace_prelude(void);

/* An interface name fw_rules() accepts: 1..15 chars of [A-Za-z0-9_.-], not ".", ".." or "lo". */
bool fw_ifname_valid(const char *name);

/* "keep", "block-dns", "block-all"; "?" outside the enum. */
const char *fw_ipv6_name(enum fw_ipv6 v);

#endif
