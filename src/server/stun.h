/* stun.h -- dnsleakd's STUN responder: one UDP listener thread per --stun address.
 *
 * The protocol is stunwire.h's; this is only the I/O around it (STYLE R2). Each thread owns one
 * socket, blocks in recvmmsg with a receive timeout to notice shutdown (as udp.c), answers with
 * sendmmsg, and keeps its own token buckets (stun_ratelimit: per listening address, so an IPv4
 * source and an IPv6 source never share one) and its own counters. Nothing is allocated per
 * packet and nothing is logged per packet: /metrics has the counts.
 */
#ifndef DL_STUN_H
#define DL_STUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "err.h"

struct stun_server;

/*
 * Open a socket per endpoint (a wildcard one answers from the address each request came to)
 * and start a thread on each. rate answers per second and burst per source network
 * (0: no limit). With n_eps 0, *out is NULL and nothing runs. On failure err names the address
 * and nothing runs.
 */
DL_MUSTCHECK int stun_start(const struct dl_endpoint *eps, size_t n_eps, uint32_t rate,
			    uint32_t burst, const _Atomic bool *stopping, struct stun_server **out,
			    char *err, size_t err_len);

/* Join the threads (after *stopping was set; they see it within 100 ms), close, free. NULL ok. */
void stun_join(struct stun_server *s);

/*
 * Append the Prometheus counters to buf[0..cap) (requests, responses by type, drops by
 * reason) and return how many bytes; nothing when s is NULL. Safe while the threads run.
 */
size_t stun_metrics(struct stun_server *s, char *buf, size_t cap);

#endif
