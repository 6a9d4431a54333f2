/* fuzz_netlink.c -- libFuzzer target: the rtnetlink message parsers on raw bytes.
 *
 * The input is one netlink message. It goes to nl_parse_route() and nl_parse_link() as is, and
 * then once more each with the header patched (nlmsg_len = the input size, nlmsg_type = what
 * the parser wants), so mutations of the attributes are not all lost to a header that no longer
 * matches. The copy is exactly as large as the input, so ASan sees any read past it. Invariants
 * of an accepted message are checked cheaply and abort() on a violation.
 *
 * The seeds in tests/fuzz/corpus/netlink/ are real kernel replies (links, route dumps, route
 * lookups) from a network namespace with veth, tun, tap, bridge, vxlan, multipath and
 * IPv4-via-IPv6 routes.
 */
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static bool
addr_ok(const struct dl_addr *a)
{
	return a->family == 4 || a->family == 6;
}

static void
parse_route(const uint8_t *msg, size_t len)
{
	struct nl_route r;
	struct nl_route before;

	memset(&r, 0xa5, sizeof(r));
	before = r;
	int rc = nl_parse_route(msg, len, &r);
	if (rc != DL_E_OK) {
		check(rc == DL_E_TRUNC || rc == DL_E_FORMAT);
		check(memcmp(&r, &before, sizeof(r)) == 0);
		return;
	}
	check(r.family == 4 || r.family == 6);
	check(r.dst.family == r.family && r.dst_len <= (r.family == 4 ? 32 : 128));
	check(r.oif >= 0);
	check(!r.has_gateway || addr_ok(&r.gateway));
	check(!r.has_prefsrc || r.prefsrc.family == r.family);
	/* The message needs all of its nlmsg_len bytes: one fewer is never enough. */
	uint32_t nlmsg_len;
	memcpy(&nlmsg_len, msg, sizeof(nlmsg_len));
	check(nlmsg_len <= len && nl_parse_route(msg, nlmsg_len - 1, &r) != DL_E_OK);
}

static void
parse_link(const uint8_t *msg, size_t len)
{
	struct nl_link l;
	struct nl_link before;

	memset(&l, 0xa5, sizeof(l));
	before = l;
	int rc = nl_parse_link(msg, len, &l);
	if (rc != DL_E_OK) {
		check(rc == DL_E_TRUNC || rc == DL_E_FORMAT || rc == DL_E_TOOLONG);
		check(memcmp(&l, &before, sizeof(l)) == 0);
		return;
	}
	check(l.ifindex > 0);
	size_t n = strnlen(l.name, sizeof(l.name));
	check(n > 0 && n < sizeof(l.name));
	check(strnlen(l.kind, sizeof(l.kind)) < sizeof(l.kind));
	enum tunnel_kind k = nl_tunnel_kind(&l);
	check(k >= TUNNEL_NONE && k <= TUNNEL_BY_NAME);
	const char *name = tunnel_kind_name(k);
	check(name != NULL && strcmp(name, "unknown") != 0);
	uint32_t nlmsg_len;
	memcpy(&nlmsg_len, msg, sizeof(nlmsg_len));
	check(nlmsg_len <= len && nl_parse_link(msg, nlmsg_len - 1, &l) != DL_E_OK);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_route(data, size);
	parse_link(data, size);
	if (size < NLMSG_HDRLEN || size > UINT32_MAX)
		return 0;

	uint8_t *copy = malloc(size);
	check(copy != NULL);
	memcpy(copy, data, size);
	uint32_t len32 = (uint32_t)size;
	memcpy(copy + offsetof(struct nlmsghdr, nlmsg_len), &len32, sizeof(len32));
	uint16_t type = RTM_NEWROUTE;
	memcpy(copy + offsetof(struct nlmsghdr, nlmsg_type), &type, sizeof(type));
	parse_route(copy, size);
	type = RTM_NEWLINK;
	memcpy(copy + offsetof(struct nlmsghdr, nlmsg_type), &type, sizeof(type));
	parse_link(copy, size);
	free(copy);
	return 0;
}
