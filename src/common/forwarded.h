/* forwarded.h -- the client behind a reverse proxy: X-Forwarded-For, read only when the TCP peer
 * is a proxy the operator trusts. Pure.
 *
 * Behind a TLS-terminating proxy every HTTP request comes from the proxy, so without this the exit
 * address recorded for v4-<id>/v6-<id> (and /api/v1/whoami) would be the proxy's. Each proxy
 * appends the address it got the request from, so the header is only as trustworthy as the proxy
 * that wrote its right end: the list is read from the right, trusted proxies are skipped, and the
 * first address that is not a trusted proxy is the client (what nginx's real_ip_recursive and
 * HAProxy do). Anything a client wrote to the left of that is ignored.
 */
#ifndef DL_FORWARDED_H
#define DL_FORWARDED_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "verdict.h"

#define FORWARDED_PROXIES_MAX 16 /* trusted_proxies entries */
#define FORWARDED_HOPS_MAX 32    /* addresses read from one header, from the right */

/*
 * The client of a request whose TCP peer is peer and whose X-Forwarded-For header is xff (NULL
 * when absent), given the trusted proxies (prefix entries; ASN entries never match here).
 * A peer that is not a trusted proxy is the client, whatever the header says. Otherwise the
 * header is read from the right: each element an IPv4 or IPv6 address, optionally with a port
 * ("192.0.2.1:4711", "[2001:db8::1]:4711") or in brackets, spaces around commas allowed; the
 * first that is not a trusted proxy is the client; if all are, the leftmost. False (and *client
 * = peer) when a trusted proxy sent no header, an empty or malformed element is met before the
 * client, or more than FORWARDED_HOPS_MAX elements would have to be read: the proxy is what
 * we know then. IPv4-mapped IPv6 addresses count as IPv4.
 */
bool forwarded_client(const struct dl_addr *peer, const char *xff,
		      const struct trust_entry *proxies, size_t n_proxies,
		      struct dl_addr *client);

#endif
