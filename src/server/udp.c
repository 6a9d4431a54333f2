/* udp.c -- UDP DNS workers: one thread per SO_REUSEPORT socket, blocking mmsg batches.
 *
 * Each worker owns exactly one socket and blocks in recvmmsg(MSG_WAITFORONE): one syscall
 * fetches whatever has queued up, and no epoll_wait sits between batches. A receive timeout
 * lets the worker notice shutdown. Sockets bound to one address need no IP_PKTINFO: the
 * kernel replies from that address; only wildcard binds pay for the control messages.
 */
#include "dnsio.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>


/* One worker's socket and its preallocated batch buffers: nothing is allocated per packet. */
struct udp_worker {
	int fd;
	uint8_t family;
	bool pktinfo; /* wildcard bind: answer from the address each query came to */
	struct mmsghdr rx[DNS_BATCH];
	struct mmsghdr tx[DNS_BATCH];
	struct iovec rx_iov[DNS_BATCH];
	struct iovec tx_iov[DNS_BATCH];
	struct sockaddr_storage from[DNS_BATCH];
	uint8_t rx_cmsg[DNS_BATCH][DNSIO_CMSG_SPACE];
	uint8_t tx_cmsg[DNS_BATCH][DNSIO_CMSG_SPACE];
	uint8_t rx_buf[DNS_BATCH][DNS_UDP_QUERY_MAX];
	uint8_t tx_buf[DNS_BATCH][DNS_UDP_MAX];
};

static void
serve_batch(struct dns_thread *t, struct udp_worker *w, int n)
{
	uint64_t now = dnsio_now_us();
	unsigned k = 0;

	for (int i = 0; i < n; i++) {
		struct msghdr *rx = &w->rx[i].msg_hdr;
		struct answer_out out;
		if (rx->msg_flags & MSG_TRUNC) { /* longer than any query: not worth an answer */
			counter_add(&t->ctr.queries, 1);
			counter_add(&t->ctr.dropped, 1);
			continue;
		}
		struct answer_in in = {
			.query = w->rx_buf[i],
			.query_len = w->rx[i].msg_len,
			.local_family = w->family,
			.is_tcp = false,
			.now_us = now,
		};
		dnsio_peer(&w->from[i], &in.peer, &in.peer_port);
		answer_query(t->zone, &in, w->tx_buf[k], DNS_UDP_MAX, &out);
		dns_thread_account(t, &out);
		if (out.resp_len == 0)
			continue;
		struct msghdr *tx = &w->tx[k].msg_hdr;
		w->tx_iov[k].iov_base = w->tx_buf[k];
		w->tx_iov[k].iov_len = out.resp_len;
		tx->msg_name = &w->from[i];
		tx->msg_namelen = rx->msg_namelen;
		tx->msg_iov = &w->tx_iov[k];
		tx->msg_iovlen = 1;
		tx->msg_controllen = w->pktinfo ? dnsio_reply_pktinfo(rx, w->tx_cmsg[k]) : 0;
		tx->msg_control = tx->msg_controllen > 0 ? w->tx_cmsg[k] : NULL;
		tx->msg_flags = 0;
		k++;
	}
	unsigned sent = 0;
	while (sent < k) {
		int r = sendmmsg(w->fd, w->tx + sent, k - sent, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* A full send queue or an unreachable peer: drop this one, go on. */
			counter_add(&t->ctr.dropped, 1);
			sent++;
			continue;
		}
		counter_add(&t->ctr.responses, (uint64_t)r);
		sent += (unsigned)r;
	}
}

static void
prepare_rx(struct udp_worker *w, int n)
{
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &w->rx[i].msg_hdr;
		w->rx_iov[i].iov_base = w->rx_buf[i];
		w->rx_iov[i].iov_len = DNS_UDP_QUERY_MAX;
		h->msg_name = &w->from[i];
		h->msg_namelen = sizeof(w->from[i]);
		h->msg_iov = &w->rx_iov[i];
		h->msg_iovlen = 1;
		h->msg_control = w->pktinfo ? w->rx_cmsg[i] : NULL;
		h->msg_controllen = w->pktinfo ? sizeof(w->rx_cmsg[i]) : 0;
		h->msg_flags = 0;
	}
}

static void *
udp_worker_main(void *arg)
{
	struct dns_thread *t = arg;
	struct udp_worker *w = t->impl;

	prepare_rx(w, DNS_BATCH);
	while (!atomic_load_explicit(t->stopping, memory_order_relaxed)) {
		int n = recvmmsg(w->fd, w->rx, DNS_BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue; /* the receive timeout (idle), EINTR, or a transient error */
		serve_batch(t, w, n);
		prepare_rx(w, n); /* the kernel rewrote lengths only in the slots it filled */
	}
	return NULL;
}

static void
worker_close(struct dns_thread *t)
{
	struct udp_worker *w = t->impl;

	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w);
	t->impl = NULL;
	obs_ring_fini(&t->ring);
}

static int
worker_open(struct dns_thread *t, const struct dl_endpoint *e, char *err, size_t err_len)
{
	struct udp_worker *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return DL_E_NOMEM;
	t->impl = w;
	w->fd = -1;
	if (obs_ring_init(&t->ring, RING_SLOTS) != DL_E_OK) {
		snprintf(err, err_len, "udp: out of memory");
		return DL_E_NOMEM;
	}
	w->fd = dnsio_udp_open(e, true, "udp", err, err_len);
	if (w->fd < 0)
		return DL_E_CONFIG;
	w->family = e->addr.family;
	w->pktinfo = addr_is_any(&e->addr);
	return DL_E_OK;
}

int
udp_start(const struct zone *z, const struct dl_endpoint *eps, size_t n_eps, unsigned per_ep,
	  const _Atomic bool *stopping, struct dns_thread **threads, size_t *n_threads, char *err,
	  size_t err_len)
{
	size_t n = n_eps * per_ep;
	struct dns_thread *t = calloc(n, sizeof(*t));
	size_t started = 0;
	int rc = DL_E_OK;

	if (t == NULL)
		return DL_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		t[i].zone = z;
		t[i].stopping = stopping;
		rc = worker_open(&t[i], &eps[i / per_ep], err, err_len);
		if (rc != DL_E_OK)
			goto out;
	}
	for (; started < n; started++) {
		rc = -pthread_create(&t[started].thread, NULL, udp_worker_main, &t[started]);
		if (rc != 0) {
			snprintf(err, err_len, "udp: pthread_create: %s", strerror(-rc));
			goto out;
		}
		(void)pthread_setname_np(t[started].thread, "dnsleakd-udp");
	}
	*threads = t;
	*n_threads = n;
	return DL_E_OK;
out:
	/* The caller sets *stopping on failure; the started workers see it within the timeout. */
	for (size_t i = 0; i < started; i++)
		pthread_cancel(t[i].thread);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i].thread, NULL);
	for (size_t i = 0; i < n; i++)
		worker_close(&t[i]);
	free(t);
	return rc;
}

void
udp_join(struct dns_thread *threads, size_t n_threads)
{
	if (threads == NULL)
		return;
	for (size_t i = 0; i < n_threads; i++)
		pthread_join(threads[i].thread, NULL);
	for (size_t i = 0; i < n_threads; i++)
		worker_close(&threads[i]);
	free(threads);
}
