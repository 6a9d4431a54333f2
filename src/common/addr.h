/* addr.h -- IP addresses without sockets: a small value type, text forms, listen specs. Pure. */
#ifndef DL_ADDR_H
#define DL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define ADDR_STR_MAX 64  /* "[ffff:...:255.255.255.255]:65535" and a NUL, with room */
#define ADDR_TEXT_MAX 46 /* INET6_ADDRSTRLEN: an address alone */

/* An IPv4 or IPv6 address. IPv4 lives in the first 4 bytes of a. */
struct dl_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t a[16];
};

/* An address and a port: what --dns/--http take and what a peer is. */
struct dl_endpoint {
	struct dl_addr addr;
	uint16_t port;
};

/* Parse "192.0.2.1" or "2001:db8::1" (no zone ids). */
DL_MUSTCHECK enum dl_err addr_parse(const char *text, struct dl_addr *out);

/*
 * Parse "ADDR:PORT", "[V6]:PORT", ":PORT" (IPv4 any) or "PORT" (IPv4 loopback) -- the forms of
 * --dns and --http. A bare IPv6 address needs brackets so its port is unambiguous.
 */
DL_MUSTCHECK enum dl_err addr_parse_endpoint(const char *text, struct dl_endpoint *out);

/* "192.0.2.1" / "2001:db8::1". */
void addr_fmt(const struct dl_addr *a, char out[static ADDR_TEXT_MAX]);

/* "192.0.2.1:53" / "[2001:db8::1]:53". */
void addr_fmt_endpoint(const struct dl_endpoint *e, char out[static ADDR_STR_MAX]);

bool addr_equal(const struct dl_addr *x, const struct dl_addr *y);

/* The unspecified address of its family: 0.0.0.0 or ::, what a wildcard listener binds. */
bool addr_is_any(const struct dl_addr *a);

#endif
