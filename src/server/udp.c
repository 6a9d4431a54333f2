/* udp.c -- UDP DNS workers: one SO_REUSEPORT socket per address per thread, mmsg batches. */
#include "dnsio.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define CMSG_SPACE_MAX CMSG_SPACE(sizeof(struct in6_pktinfo))
#define SOCKET_BUF (4 * 1024 * 1024)

/* One worker's sockets and its preallocated batch buffers: nothing is allocated per packet. */
struct udp_worker {
	int epfd;
	int fds[CONFIG_LISTEN_MAX];
	uint8_t family[CONFIG_LISTEN_MAX];
	size_t n_fds;
	struct mmsghdr rx[DNS_BATCH];
	struct mmsghdr tx[DNS_BATCH];
	struct iovec rx_iov[DNS_BATCH];
	struct iovec tx_iov[DNS_BATCH];
	struct sockaddr_storage from[DNS_BATCH];
	uint8_t rx_cmsg[DNS_BATCH][CMSG_SPACE_MAX];
	uint8_t tx_cmsg[DNS_BATCH][CMSG_SPACE_MAX];
	uint8_t rx_buf[DNS_BATCH][DNS_UDP_QUERY_MAX];
	uint8_t tx_buf[DNS_BATCH][DNS_UDP_MAX];
};

static int
open_socket(const struct dl_endpoint *e, char *err, size_t err_len)
{
	struct sockaddr_storage ss;
	socklen_t sl = dnsio_sockaddr(e, &ss);
	int one = 1, buf = SOCKET_BUF;
	char where[ADDR_STR_MAX];
	int fd = socket(e->addr.family == 6 ? AF_INET6 : AF_INET,
			SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	addr_fmt_endpoint(e, where);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	/* A bigger receive queue absorbs bursts; FORCE works as root, plain as a fallback. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	/* Knot cmsg_handle_pktinfo(): reply from the address the query came to. */
	if (e->addr.family == 6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)
			goto fail;
	} else if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0) {
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	return fd;
fail:
	snprintf(err, err_len, "udp %s: %s", where, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Copy the query's destination address into the reply's source (pktinfo), if we got one. */
static socklen_t
reply_pktinfo(const struct msghdr *rx, uint8_t *out)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)rx); c != NULL;
	     c = CMSG_NXTHDR((struct msghdr *)rx, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo in;
			memcpy(&in, CMSG_DATA(c), sizeof(in));
			struct in_pktinfo pi = { .ipi_ifindex = 0, .ipi_spec_dst = in.ipi_addr };
			struct cmsghdr *o = (struct cmsghdr *)(void *)out;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			struct cmsghdr *o = (struct cmsghdr *)(void *)out;
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
	}
	return 0;
}

static void
serve_batch(struct dns_thread *t, struct udp_worker *w, int fd, uint8_t family, int n)
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
			.local_family = family,
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
		tx->msg_controllen = reply_pktinfo(rx, w->tx_cmsg[k]);
		tx->msg_control = tx->msg_controllen > 0 ? w->tx_cmsg[k] : NULL;
		tx->msg_flags = 0;
		k++;
	}
	unsigned sent = 0;
	while (sent < k) {
		int r = sendmmsg(fd, w->tx + sent, k - sent, 0);
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
drain_socket(struct dns_thread *t, struct udp_worker *w, int fd, uint8_t family)
{
	for (;;) {
		for (int i = 0; i < DNS_BATCH; i++) {
			struct msghdr *h = &w->rx[i].msg_hdr;
			w->rx_iov[i].iov_base = w->rx_buf[i];
			w->rx_iov[i].iov_len = DNS_UDP_QUERY_MAX;
			h->msg_name = &w->from[i];
			h->msg_namelen = sizeof(w->from[i]);
			h->msg_iov = &w->rx_iov[i];
			h->msg_iovlen = 1;
			h->msg_control = w->rx_cmsg[i];
			h->msg_controllen = sizeof(w->rx_cmsg[i]);
			h->msg_flags = 0;
		}
		int n = recvmmsg(fd, w->rx, DNS_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		serve_batch(t, w, fd, family, n);
		if (n < DNS_BATCH)
			return;
	}
}

static void *
udp_worker_main(void *arg)
{
	struct dns_thread *t = arg;
	struct udp_worker *w = t->impl;
	struct epoll_event ev[CONFIG_LISTEN_MAX + 1];

	for (;;) {
		int n = epoll_wait(w->epfd, ev, CONFIG_LISTEN_MAX + 1, -1);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			size_t idx = ev[i].data.u64;
			if (idx == SIZE_MAX)
				return NULL; /* stop_fd: shutting down */
			drain_socket(t, w, w->fds[idx], w->family[idx]);
		}
	}
	return NULL;
}

static void
worker_close(struct dns_thread *t)
{
	struct udp_worker *w = t->impl;

	if (w == NULL)
		return;
	for (size_t i = 0; i < w->n_fds; i++)
		close(w->fds[i]);
	if (w->epfd >= 0)
		close(w->epfd);
	free(w);
	t->impl = NULL;
	obs_ring_fini(&t->ring);
}

static int
worker_open(struct dns_thread *t, const struct dl_endpoint *eps, size_t n_eps, char *err,
	    size_t err_len)
{
	struct udp_worker *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = EPOLLIN };

	if (w == NULL)
		return DL_E_NOMEM;
	t->impl = w;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0 || obs_ring_init(&t->ring, RING_SLOTS) != DL_E_OK) {
		snprintf(err, err_len, "udp: %s", strerror(errno));
		return DL_E_NOMEM;
	}
	ev.data.u64 = SIZE_MAX;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, t->stop_fd, &ev) < 0) {
		snprintf(err, err_len, "udp: epoll: %s", strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < n_eps; i++) {
		int fd = open_socket(&eps[i], err, err_len);
		if (fd < 0)
			return DL_E_CONFIG;
		w->fds[w->n_fds] = fd;
		w->family[w->n_fds] = eps[i].addr.family;
		ev.data.u64 = w->n_fds++;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			snprintf(err, err_len, "udp: epoll: %s", strerror(errno));
			return -errno;
		}
	}
	return DL_E_OK;
}

int
udp_start(const struct zone *z, const struct dl_endpoint *eps, size_t n_eps, unsigned n_threads,
	  int stop_fd, struct dns_thread **threads, char *err, size_t err_len)
{
	struct dns_thread *t = calloc(n_threads, sizeof(*t));
	unsigned started = 0;
	int rc = DL_E_OK;

	if (t == NULL)
		return DL_E_NOMEM;
	for (unsigned i = 0; i < n_threads; i++) {
		t[i].zone = z;
		t[i].stop_fd = stop_fd;
		rc = worker_open(&t[i], eps, n_eps, err, err_len);
		if (rc != DL_E_OK)
			goto out;
	}
	for (; started < n_threads; started++) {
		rc = -pthread_create(&t[started].thread, NULL, udp_worker_main, &t[started]);
		if (rc != 0) {
			snprintf(err, err_len, "udp: pthread_create: %s", strerror(-rc));
			goto out;
		}
	}
	*threads = t;
	return DL_E_OK;
out:
	/* Threads already running exit on stop_fd; the caller fires it on failure. */
	for (unsigned i = 0; i < started; i++)
		pthread_cancel(t[i].thread);
	for (unsigned i = 0; i < started; i++)
		pthread_join(t[i].thread, NULL);
	for (unsigned i = 0; i < n_threads; i++)
		worker_close(&t[i]);
	free(t);
	return rc;
}

void
udp_join(struct dns_thread *threads, unsigned n_threads)
{
	if (threads == NULL)
		return;
	for (unsigned i = 0; i < n_threads; i++)
		pthread_join(threads[i].thread, NULL);
	for (unsigned i = 0; i < n_threads; i++)
		worker_close(&threads[i]);
	free(threads);
}
