/* tcp.c -- DNS over TCP (RFC 7766): length-prefixed, pipelined queries, idle timeout.
 *
 * One thread, one epoll set: listeners and connections. Each connection has a fixed read buffer
 * (a 2-byte length prefix is assembled across reads, NSD handle_tcp_reading()) and a fixed
 * write buffer; while a response waits to be written we stop reading, so a client that never
 * reads cannot make us buffer more than TCP_WBUF_MAX.
 */
#include "dnsio.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TCP_QUERY_MIN 17 /* header + root name + type + class */
#define TCP_EVENTS 64

struct tcp_conn {
	int fd;
	uint8_t local_family;
	struct dl_addr peer;
	uint16_t peer_port;
	uint64_t last_ms;
	bool closing; /* a bad frame arrived: send what was answered before it, then close */
	size_t rlen;
	size_t wlen, woff;
	struct tcp_conn *prev, *next; /* every open connection, for the idle sweep */
	uint8_t rbuf[2 + DNS_TCP_QUERY_MAX];
	uint8_t wbuf[TCP_WBUF_MAX];
};

struct tcp_state {
	int epfd;
	int lfds[CONFIG_LISTEN_MAX];
	uint8_t lfamily[CONFIG_LISTEN_MAX];
	size_t n_lfds;
	struct tcp_limits lim;
	size_t n_conns;
	struct tcp_conn *conns;
	uint8_t resp[DNS_TCP_MAX];
};

/* epoll data: listeners are tagged by index with the top bit set, connections by pointer. */
#define TAG_LISTENER (1ull << 63)
#define TAG_STOP (TAG_LISTENER | 0xffffu)

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
conn_close(struct tcp_state *s, struct tcp_conn *c)
{
	close(c->fd); /* also removes it from the epoll set */
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->n_conns--;
	free(c);
}

static void
conn_watch(struct tcp_state *s, struct tcp_conn *c)
{
	struct epoll_event ev = { .events = c->wlen > c->woff ? EPOLLOUT : EPOLLIN, .data.ptr = c };

	(void)epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Write what is pending. False when the connection failed and was closed. */
static bool
conn_flush(struct tcp_state *s, struct tcp_conn *c)
{
	while (c->woff < c->wlen) {
		ssize_t w = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			conn_close(s, c);
			return false;
		}
		c->woff += (size_t)w;
	}
	c->woff = c->wlen = 0;
	return true;
}

/* Answer every complete query in rbuf while responses fit in wbuf; a bad frame sets closing. */
static void
conn_process(struct dns_thread *t, struct tcp_state *s, struct tcp_conn *c)
{
	size_t off = 0;

	while (c->rlen - off >= 2) {
		size_t qlen = (size_t)c->rbuf[off] << 8 | c->rbuf[off + 1];
		if (qlen < TCP_QUERY_MIN || qlen > DNS_TCP_QUERY_MAX) {
			c->closing = true;
			c->rlen = 0;
			return;
		}
		if (c->rlen - off < 2 + qlen)
			break;
		struct answer_out out;
		struct answer_in in = {
			.query = c->rbuf + off + 2,
			.query_len = qlen,
			.peer = c->peer,
			.peer_port = c->peer_port,
			.local_family = c->local_family,
			.is_tcp = true,
			.now_us = dnsio_now_us(),
		};
		size_t room = sizeof(c->wbuf) - c->wlen;
		if (room < 2 + DNS_UDP_MAX && c->wlen > 0)
			break; /* let the pending responses drain first */
		answer_query(t->zone, &in, s->resp, room > 2 ? room - 2 : 0, &out);
		dns_thread_account(t, &out);
		off += 2 + qlen;
		if (out.resp_len == 0)
			continue;
		c->wbuf[c->wlen] = (uint8_t)(out.resp_len >> 8);
		c->wbuf[c->wlen + 1] = (uint8_t)out.resp_len;
		memcpy(c->wbuf + c->wlen + 2, s->resp, out.resp_len);
		c->wlen += 2 + out.resp_len;
		counter_add(&t->ctr.responses, 1);
	}
	memmove(c->rbuf, c->rbuf + off, c->rlen - off);
	c->rlen -= off;
}

/* After a flush: close a closing connection once its answers are out, else wait for more. */
static void
conn_settle(struct tcp_state *s, struct tcp_conn *c)
{
	if (c->closing && c->wlen == 0)
		conn_close(s, c);
	else
		conn_watch(s, c);
}

/* True when rbuf holds a whole frame (or a bad length) that conn_process has not handled. */
static bool
has_frame(const struct tcp_conn *c)
{
	if (c->rlen < 2)
		return false;
	size_t qlen = (size_t)c->rbuf[0] << 8 | c->rbuf[1];
	return c->rlen >= 2 + qlen || qlen < TCP_QUERY_MIN || qlen > DNS_TCP_QUERY_MAX;
}

/*
 * Answer, write, read, until the peer has nothing more for now or we must wait for it to
 * read: level-triggered epoll calls us again when either changes.
 */
static void
conn_serve(struct dns_thread *t, struct tcp_state *s, struct tcp_conn *c)
{
	for (;;) {
		conn_process(t, s, c);
		if (!conn_flush(s, c))
			return;
		if (c->wlen > 0 || c->closing)
			break;
		if (has_frame(c))
			continue; /* queries left over while wbuf was full */
		ssize_t r = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0) {
			conn_close(s, c);
			return;
		}
		c->rlen += (size_t)r;
		c->last_ms = now_ms();
	}
	conn_settle(s, c);
}

static void
accept_all(struct dns_thread *t, struct tcp_state *s, size_t idx)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(s->lfds[idx], (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (s->n_conns >= s->lim.max_connections) {
			counter_add(&t->ctr.tcp_refused, 1);
			close(fd);
			continue;
		}
		struct tcp_conn *c = malloc(sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->local_family = s->lfamily[idx];
		dnsio_peer(&ss, &c->peer, &c->peer_port);
		c->last_ms = now_ms();
		c->closing = false;
		c->rlen = c->wlen = c->woff = 0;
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->prev = NULL;
		c->next = s->conns;
		if (s->conns != NULL)
			s->conns->prev = c;
		s->conns = c;
		s->n_conns++;
		counter_add(&t->ctr.tcp_accepted, 1);
	}
}

static void
sweep_idle(struct dns_thread *t, struct tcp_state *s)
{
	uint64_t now = now_ms();
	struct tcp_conn *c = s->conns;

	while (c != NULL) {
		struct tcp_conn *next = c->next;
		if (now - c->last_ms >= s->lim.idle_ms) {
			counter_add(&t->ctr.tcp_timeouts, 1);
			conn_close(s, c);
		}
		c = next;
	}
}

static void *
tcp_main(void *arg)
{
	struct dns_thread *t = arg;
	struct tcp_state *s = t->impl;
	struct epoll_event ev[TCP_EVENTS];
	int tick = (int)(s->lim.idle_ms / 4 > 0 ? s->lim.idle_ms / 4 : 1);
	uint64_t last_sweep = now_ms();

	for (;;) {
		int n = epoll_wait(s->epfd, ev, TCP_EVENTS, tick);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			uint64_t tag = ev[i].data.u64;
			if (tag == TAG_STOP)
				return NULL;
			if (tag & TAG_LISTENER) {
				accept_all(t, s, (size_t)(tag & ~TAG_LISTENER));
				continue;
			}
			struct tcp_conn *c = ev[i].data.ptr;
			if (ev[i].events & (EPOLLERR | EPOLLHUP) && !(ev[i].events & EPOLLIN))
				conn_close(s, c);
			else
				conn_serve(t, s, c);
		}
		if (now_ms() - last_sweep >= (uint64_t)tick) {
			sweep_idle(t, s);
			last_sweep = now_ms();
		}
	}
	return NULL;
}

static int
open_listener(const struct dl_endpoint *e, char *err, size_t err_len)
{
	struct sockaddr_storage ss;
	socklen_t sl = dnsio_sockaddr(e, &ss);
	int one = 1;
	char where[ADDR_STR_MAX];
	int fd = socket(e->addr.family == 6 ? AF_INET6 : AF_INET,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	addr_fmt_endpoint(e, where);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	if (e->addr.family == 6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 128) < 0)
		goto fail;
	return fd;
fail:
	snprintf(err, err_len, "tcp %s: %s", where, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static void
state_free(struct dns_thread *t)
{
	struct tcp_state *s = t->impl;

	if (s == NULL)
		return;
	while (s->conns != NULL)
		conn_close(s, s->conns);
	for (size_t i = 0; i < s->n_lfds; i++)
		close(s->lfds[i]);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s);
	obs_ring_fini(&t->ring);
	free(t);
}

int
tcp_start(const struct zone *z, const struct dl_endpoint *eps, size_t n_eps,
	  const struct tcp_limits *lim, int stop_fd, struct dns_thread **thread, char *err,
	  size_t err_len)
{
	struct dns_thread *t = calloc(1, sizeof(*t));
	struct tcp_state *s = calloc(1, sizeof(*s));
	struct epoll_event ev = { .events = EPOLLIN };
	int rc = DL_E_OK;

	if (t == NULL || s == NULL) {
		free(t);
		free(s);
		return DL_E_NOMEM;
	}
	t->zone = z;
	t->stop_fd = stop_fd;
	t->impl = s;
	s->lim = *lim;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0 || obs_ring_init(&t->ring, RING_SLOTS) != DL_E_OK) {
		snprintf(err, err_len, "tcp: %s", strerror(errno));
		rc = DL_E_NOMEM;
		goto out;
	}
	ev.data.u64 = TAG_STOP;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, stop_fd, &ev) < 0) {
		rc = -errno;
		snprintf(err, err_len, "tcp: epoll: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n_eps; i++) {
		int fd = open_listener(&eps[i], err, err_len);
		if (fd < 0) {
			rc = DL_E_CONFIG;
			goto out;
		}
		s->lfds[s->n_lfds] = fd;
		s->lfamily[s->n_lfds] = eps[i].addr.family;
		ev.data.u64 = TAG_LISTENER | s->n_lfds++;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			rc = -errno;
			snprintf(err, err_len, "tcp: epoll: %s", strerror(errno));
			goto out;
		}
	}
	rc = -pthread_create(&t->thread, NULL, tcp_main, t);
	if (rc != 0) {
		snprintf(err, err_len, "tcp: pthread_create: %s", strerror(-rc));
		goto out;
	}
	(void)pthread_setname_np(t->thread, "dnsleakd-tcp");
	*thread = t;
	return DL_E_OK;
out:
	state_free(t);
	return rc;
}

void
tcp_join(struct dns_thread *t)
{
	if (t == NULL)
		return;
	pthread_join(t->thread, NULL);
	state_free(t);
}
