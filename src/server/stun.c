/* stun.c -- the STUN listener threads: recvmmsg, stun_answer(), the rate limit, sendmmsg. */
#include "stun.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dnsio.h"
#include "secret.h"
#include "stunwire.h"

#define STUN_BATCH 32

struct stun_worker {
	pthread_t thread;
	bool running;
	int fd;
	bool pktinfo; /* wildcard bind: answer from the address each request came to */
	const _Atomic bool *stopping;
	_Atomic uint64_t received;
	_Atomic uint64_t status[STUN_STATUS_COUNT]; /* per stun_status, answers counted when sent */
	_Atomic uint64_t send_failed;
	struct stun_ratelimit rl;
	struct mmsghdr rx[STUN_BATCH];
	struct mmsghdr tx[STUN_BATCH];
	struct iovec rx_iov[STUN_BATCH];
	struct iovec tx_iov[STUN_BATCH];
	struct sockaddr_storage from[STUN_BATCH];
	enum stun_status tx_status[STUN_BATCH];
	uint8_t rx_cmsg[STUN_BATCH][DNSIO_CMSG_SPACE];
	uint8_t tx_cmsg[STUN_BATCH][DNSIO_CMSG_SPACE];
	uint8_t rx_buf[STUN_BATCH][STUN_MSG_MAX];
	uint8_t tx_buf[STUN_BATCH][STUN_ANSWER_MAX];
};

struct stun_server {
	struct stun_worker **w;
	size_t n;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
prepare_rx(struct stun_worker *w, int n)
{
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &w->rx[i].msg_hdr;
		w->rx_iov[i].iov_base = w->rx_buf[i];
		w->rx_iov[i].iov_len = STUN_MSG_MAX;
		memset(h, 0, sizeof(*h));
		h->msg_name = &w->from[i];
		h->msg_namelen = sizeof(w->from[i]);
		h->msg_iov = &w->rx_iov[i];
		h->msg_iovlen = 1;
		h->msg_control = w->pktinfo ? w->rx_cmsg[i] : NULL;
		h->msg_controllen = w->pktinfo ? sizeof(w->rx_cmsg[i]) : 0;
	}
}

static void
serve_batch(struct stun_worker *w, int n)
{
	uint64_t now = now_ms();
	unsigned k = 0;

	counter_add(&w->received, (uint64_t)n);
	for (int i = 0; i < n; i++) {
		struct msghdr *rx = &w->rx[i].msg_hdr;
		struct dl_endpoint peer;
		enum stun_status st;
		size_t len = 0;
		dnsio_peer(&w->from[i], &peer.addr, &peer.port);
		if (rx->msg_flags & MSG_TRUNC)
			st = STUN_DROP_TOOBIG;
		else
			len = stun_answer(w->rx_buf[i], w->rx[i].msg_len, &peer, w->tx_buf[k],
					  STUN_ANSWER_MAX, &st);
		/* Only answers cost tokens: junk is dropped before it can drain a bucket. */
		if (len > 0 && !stun_ratelimit_allow(&w->rl, &peer.addr, now)) {
			st = STUN_DROP_RATE;
			len = 0;
		}
		if (len == 0) {
			counter_add(&w->status[st], 1);
			continue;
		}
		struct msghdr *tx = &w->tx[k].msg_hdr;
		w->tx_iov[k].iov_base = w->tx_buf[k];
		w->tx_iov[k].iov_len = len;
		memset(tx, 0, sizeof(*tx));
		tx->msg_name = &w->from[i];
		tx->msg_namelen = rx->msg_namelen;
		tx->msg_iov = &w->tx_iov[k];
		tx->msg_iovlen = 1;
		tx->msg_controllen = w->pktinfo ? dnsio_reply_pktinfo(rx, w->tx_cmsg[k]) : 0;
		tx->msg_control = tx->msg_controllen > 0 ? w->tx_cmsg[k] : NULL;
		w->tx_status[k] = st;
		k++;
	}
	unsigned sent = 0;
	while (sent < k) {
		int r = sendmmsg(w->fd, w->tx + sent, k - sent, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* A full send queue or an unreachable peer: drop this one, go on. */
			counter_add(&w->send_failed, 1);
			sent++;
			continue;
		}
		for (int i = 0; i < r; i++)
			counter_add(&w->status[w->tx_status[sent + (unsigned)i]], 1);
		sent += (unsigned)r;
	}
}

static void *
worker_main(void *arg)
{
	struct stun_worker *w = arg;

	prepare_rx(w, STUN_BATCH);
	while (!atomic_load_explicit(w->stopping, memory_order_relaxed)) {
		int n = recvmmsg(w->fd, w->rx, STUN_BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue; /* the receive timeout (idle), EINTR, or a transient error */
		serve_batch(w, n);
		prepare_rx(w, n);
	}
	return NULL;
}

void
stun_join(struct stun_server *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct stun_worker *w = s->w[i];
		if (w == NULL)
			continue;
		if (w->running)
			pthread_join(w->thread, NULL);
		if (w->fd >= 0)
			close(w->fd);
		free(w);
	}
	free(s->w);
	free(s);
}

int
stun_start(const struct dl_endpoint *eps, size_t n_eps, uint32_t rate, uint32_t burst,
	   const _Atomic bool *stopping, struct stun_server **out, char *err, size_t err_len)
{
	struct stun_server *s = NULL;
	uint8_t key[SIPHASH_KEY_LEN];
	int rc = DL_E_OK;

	*out = NULL;
	if (n_eps == 0)
		return DL_E_OK;
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->w = calloc(n_eps, sizeof(*s->w))) == NULL) {
		rc = DL_E_NOMEM;
		snprintf(err, err_len, "stun: out of memory");
		goto out;
	}
	rc = secret_random(key, sizeof(key));
	if (rc < 0) {
		snprintf(err, err_len, "stun: getrandom: %s", strerror(-rc));
		goto out;
	}
	for (; s->n < n_eps; s->n++) {
		struct stun_worker *w = calloc(1, sizeof(*w));
		if (w == NULL) {
			rc = DL_E_NOMEM;
			snprintf(err, err_len, "stun: out of memory");
			goto out;
		}
		s->w[s->n] = w;
		w->stopping = stopping;
		stun_ratelimit_init(&w->rl, rate, burst, key);
		w->pktinfo = addr_is_any(&eps[s->n].addr);
		w->fd = dnsio_udp_open(&eps[s->n], false, "stun", err, err_len);
		if (w->fd < 0) {
			s->n++;
			rc = DL_E_CONFIG;
			goto out;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		rc = -pthread_create(&s->w[i]->thread, NULL, worker_main, s->w[i]);
		if (rc != 0) {
			snprintf(err, err_len, "stun: pthread_create: %s", strerror(-rc));
			goto out;
		}
		s->w[i]->running = true;
		(void)pthread_setname_np(s->w[i]->thread, "dnsleakd-stun");
	}
	*out = s;
	return DL_E_OK;
out:
	/* The caller sets *stopping on failure; threads already started see it within 100 ms. */
	if (s != NULL && s->w != NULL)
		for (size_t i = 0; i < s->n; i++)
			if (s->w[i] != NULL && s->w[i]->running)
				pthread_cancel(s->w[i]->thread);
	stun_join(s);
	return rc;
}

size_t
stun_metrics(struct stun_server *s, char *buf, size_t cap)
{
	uint64_t received = 0, send_failed = 0, status[STUN_STATUS_COUNT] = { 0 };
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		received += counter_get(&s->w[i]->received);
		send_failed += counter_get(&s->w[i]->send_failed);
		for (size_t k = 0; k < STUN_STATUS_COUNT; k++)
			status[k] += counter_get(&s->w[i]->status[k]);
	}
#define EMIT(...)                                                \
	do {                                                     \
		int m = snprintf(buf + n, cap - n, __VA_ARGS__); \
		if (m > 0 && (size_t)m < cap - n)                \
			n += (size_t)m;                          \
	} while (0)
	EMIT("# TYPE dnsleakd_stun_requests_total counter\n");
	EMIT("dnsleakd_stun_requests_total %llu\n", (unsigned long long)received);
	EMIT("# TYPE dnsleakd_stun_responses_total counter\n");
	EMIT("dnsleakd_stun_responses_total{type=\"success\"} %llu\n",
	     (unsigned long long)status[STUN_ANSWER_SUCCESS]);
	EMIT("dnsleakd_stun_responses_total{type=\"error\"} %llu\n",
	     (unsigned long long)status[STUN_ANSWER_UNKNOWN_ATTR]);
	EMIT("# TYPE dnsleakd_stun_dropped_total counter\n");
	for (size_t k = STUN_DROP_RUNT; k < STUN_STATUS_COUNT; k++)
		EMIT("dnsleakd_stun_dropped_total{reason=\"%s\"} %llu\n",
		     stun_status_name((enum stun_status)k), (unsigned long long)status[k]);
	EMIT("dnsleakd_stun_dropped_total{reason=\"send_failed\"} %llu\n",
	     (unsigned long long)send_failed);
#undef EMIT
	return n;
}
