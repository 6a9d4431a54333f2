/* fuzz_webrtc.c -- libFuzzer target: one ICE candidate line, as a browser would POST it.
 *
 * The input is the candidate text, exactly its bytes (no NUL). A parsed candidate must satisfy
 * the header's promises (ranges, an address or an mDNS name, never both); it is then written back
 * in canonical form and parsed again, and the two parses must agree: what the parser accepts, it
 * understood completely. Violations abort().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webrtc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static bool
same_addr(const struct dl_addr *x, const struct dl_addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, sizeof(x->a)) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webrtc_candidate c, again;
	char line[WEBRTC_CAND_MAX + 1];
	char host[WEBRTC_MDNS_MAX];
	char raddr[ADDR_TEXT_MAX + 8];

	enum dl_err rc = webrtc_candidate_parse((const char *)data, size, &c);
	check(rc == DL_E_OK || rc == DL_E_FORMAT || rc == DL_E_TOOLONG);
	if (rc != DL_E_OK)
		return 0;

	check(size <= WEBRTC_CAND_MAX);
	check(c.type >= WEBRTC_HOST && c.type <= WEBRTC_RELAY);
	check(c.port != 0 && c.priority != 0 && c.component >= 1 && c.component <= 256);
	if (c.family == 0) {
		size_t n = strnlen(c.mdns, sizeof(c.mdns));
		check(n < sizeof(c.mdns) && n > 6 && strcmp(c.mdns + n - 6, ".local") == 0);
		for (size_t i = 0; i < n; i++)
			check(!(c.mdns[i] >= 'A' && c.mdns[i] <= 'Z'));
		memcpy(host, c.mdns, n + 1);
	} else {
		check((c.family == 4 || c.family == 6) && c.addr.family == c.family);
		check(c.mdns[0] == '\0');
		/* IPv4-mapped addresses come out as IPv4. */
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		check(c.family == 4 || memcmp(c.addr.a, mapped, sizeof(mapped)) != 0);
		addr_fmt(&c.addr, host);
	}
	raddr[0] = '\0';
	if (c.has_raddr) {
		static const uint8_t zero[16];
		check(c.raddr.family == 4 || c.raddr.family == 6);
		check(memcmp(c.raddr.a, zero, sizeof(zero)) != 0);
		memcpy(raddr, " raddr ", 7);
		addr_fmt(&c.raddr, raddr + 7);
	}

	int n = snprintf(line, sizeof(line), "candidate:1 %u %s %u %s %u typ %s%s rport %u",
			 c.component, c.tcp ? "tcp" : "udp", c.priority, host, c.port,
			 webrtc_cand_type_name(c.type), raddr, c.rport);
	check(n > 0 && (size_t)n < sizeof(line));
	check(webrtc_candidate_parse(line, (size_t)n, &again) == DL_E_OK);
	check(again.type == c.type && again.tcp == c.tcp && again.family == c.family);
	check(again.port == c.port && again.priority == c.priority);
	check(again.component == c.component && again.rport == c.rport);
	check(again.has_raddr == c.has_raddr);
	if (c.has_raddr)
		check(same_addr(&again.raddr, &c.raddr));
	if (c.family != 0)
		check(same_addr(&again.addr, &c.addr));
	else
		check(strcmp(again.mdns, c.mdns) == 0);
	return 0;
}
