/* dnsio.h -- the DNS listeners: UDP worker threads and one TCP thread.
 *
 * DESIGN.md 7: each UDP worker thread owns one SO_REUSEPORT socket of one --dns address and
 * serves it with recvmmsg/sendmmsg batches; no lock and no allocation per packet. Every DNS thread
 * owns one observation ring (obsring.h) that the store thread drains, and its own counters, which
 * other threads read with relaxed loads for /metrics.
 */
#ifndef DL_DNSIO_H
#define DL_DNSIO_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "addr.h"
#include "answer.h"
#include "err.h"
#include "obsring.h"

#define DNS_UDP_QUERY_MAX 4096 /* longer datagrams are dropped: no query needs them */

/* Per-thread counters; written by the owner only, so relaxed atomics suffice. */
struct dns_counters {
	_Atomic uint64_t queries;   /* messages received */
	_Atomic uint64_t responses; /* responses sent */
	_Atomic uint64_t dropped;   /* no response: runts, QR=1, oversized, send failures */
	_Atomic uint64_t rcode[6];  /* responses by rcode 0..5 (NOERROR..REFUSED) */
	_Atomic uint64_t truncated; /* TC responses */
	_Atomic uint64_t observed;  /* observations pushed to the ring */
	_Atomic uint64_t bad_mac;   /* test names whose id failed the MAC: answered, not stored */
	_Atomic uint64_t expired;   /* test names with an expired id: answered, not stored */
	_Atomic uint64_t tcp_accepted;
	_Atomic uint64_t tcp_refused; /* connections over tcp_max_connections */
	_Atomic uint64_t tcp_timeouts;
};

static inline void
counter_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static inline uint64_t
counter_get(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* What every DNS thread shares with main: the zone, the stop signal, its ring and counters. */
struct dns_thread {
	pthread_t thread;
	const struct zone *zone;
	const _Atomic bool *stopping; /* set once, at shutdown (UDP workers poll it) */
	int stop_fd;                  /* eventfd made readable once, at shutdown (TCP) */
	struct obs_ring ring;
	struct dns_counters ctr;
	void *impl; /* udp.c / tcp.c state */
};

/* Account one answered query in the thread's counters and push its observation. */
void dns_thread_account(struct dns_thread *t, const struct answer_out *out);

/*
 * For each endpoint open per_ep SO_REUSEPORT UDP sockets, each served by its own worker thread.
 * *threads is a calloc'd array of *n_threads. On failure err names the address and nothing runs.
 */
DL_MUSTCHECK int udp_start(const struct zone *z, const struct dl_endpoint *eps, size_t n_eps,
			   unsigned per_ep, const _Atomic bool *stopping,
			   struct dns_thread **threads, size_t *n_threads, char *err,
			   size_t err_len);

/* Join the workers (after *stopping was set), close their sockets, free the array. */
void udp_join(struct dns_thread *threads, size_t n_threads);

struct tcp_limits {
	size_t max_connections;
	unsigned idle_ms;
};

/* Listen on every endpoint over TCP (RFC 7766) in one thread. */
DL_MUSTCHECK int tcp_start(const struct zone *z, const struct dl_endpoint *eps, size_t n_eps,
			   const struct tcp_limits *lim, int stop_fd, struct dns_thread **thread,
			   char *err, size_t err_len);

void tcp_join(struct dns_thread *thread);

/* Socket helpers shared by udp.c, tcp.c (and http.c may use them). */
struct sockaddr_storage;
socklen_t dnsio_sockaddr(const struct dl_endpoint *e, struct sockaddr_storage *ss);
void dnsio_peer(const struct sockaddr_storage *ss, struct dl_addr *a, uint16_t *port);
uint64_t dnsio_now_us(void);

/*
 * Wildcard binds (0.0.0.0, ::) must answer from the address each datagram came to (Knot
 * cmsg_handle_pktinfo()): dnsio_want_pktinfo() asks the kernel for it (0, or -1 with errno),
 * dnsio_reply_pktinfo() turns a received datagram's control data into the reply's, in out of
 * DNSIO_CMSG_SPACE bytes, and returns its length (0: none).
 */
#define DNSIO_CMSG_SPACE CMSG_SPACE(sizeof(struct in6_pktinfo))
int dnsio_want_pktinfo(int fd, uint8_t family);
socklen_t dnsio_reply_pktinfo(const struct msghdr *rx, uint8_t *out);

#define DNSIO_STOP_CHECK_MS 100 /* receive timeout: how soon an idle UDP thread sees shutdown */

/*
 * A bound UDP socket for e: IPv6 sockets v6-only, a receive timeout of DNSIO_STOP_CHECK_MS,
 * pktinfo on a wildcard address. shared: SO_REUSEPORT, so that several workers split one
 * address, and a large receive queue. Returns the descriptor, or -1 with err saying
 * "<what> <address>: <why>".
 */
int dnsio_udp_open(const struct dl_endpoint *e, bool shared, const char *what, char *err,
		   size_t err_len);

#endif
