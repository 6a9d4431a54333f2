/* dnsio.c -- what the UDP and TCP listeners share: accounting and socket address helpers. */
#include "dnsio.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define UDP_SOCKET_BUF (4 * 1024 * 1024) /* receive queue of a shared (DNS) socket */

void
dns_thread_account(struct dns_thread *t, const struct answer_out *out)
{
	counter_add(&t->ctr.queries, 1);
	if (out->resp_len == 0) {
		counter_add(&t->ctr.dropped, 1);
	} else if (out->rcode < 6) {
		counter_add(&t->ctr.rcode[out->rcode], 1);
	}
	if (out->truncated)
		counter_add(&t->ctr.truncated, 1);
	if (out->bad_mac)
		counter_add(&t->ctr.bad_mac, 1);
	if (out->expired)
		counter_add(&t->ctr.expired, 1);
	if (out->observed && obs_ring_push(&t->ring, &out->obs))
		counter_add(&t->ctr.observed, 1);
}

socklen_t
dnsio_sockaddr(const struct dl_endpoint *e, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (e->addr.family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(e->port);
		memcpy(&s6->sin6_addr, e->addr.a, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(e->port);
	memcpy(&s4->sin_addr, e->addr.a, 4);
	return sizeof(*s4);
}

void
dnsio_peer(const struct sockaddr_storage *ss, struct dl_addr *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		a->family = 6;
		memcpy(a->a, &s6->sin6_addr, 16);
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		a->family = 4;
		memcpy(a->a, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	}
}

uint64_t
dnsio_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int
dnsio_want_pktinfo(int fd, uint8_t family)
{
	int one = 1;

	if (family == 6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
}

/* Copy the query's destination address into the reply's source (pktinfo), if we got one. */
socklen_t
dnsio_reply_pktinfo(const struct msghdr *rx, uint8_t *out)
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

int
dnsio_udp_open(const struct dl_endpoint *e, bool shared, const char *what, char *err,
	       size_t err_len)
{
	struct sockaddr_storage ss;
	socklen_t sl = dnsio_sockaddr(e, &ss);
	int one = 1, buf = UDP_SOCKET_BUF;
	struct timeval tv = { .tv_sec = 0, .tv_usec = DNSIO_STOP_CHECK_MS * 1000 };
	char where[ADDR_STR_MAX];
	int fd = socket(e->addr.family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	addr_fmt_endpoint(e, where);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		goto fail;
	/*
	 * Without SO_REUSEPORT a second daemon on the same port fails instead of stealing half
	 * the packets. A bigger receive queue absorbs bursts; FORCE works as root, plain as a
	 * fallback.
	 */
	if (shared && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	if (shared && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (e->addr.family == 6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	if (addr_is_any(&e->addr) && dnsio_want_pktinfo(fd, e->addr.family) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	return fd;
fail:
	snprintf(err, err_len, "%s %s: %s", what, where, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}
