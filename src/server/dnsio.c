/* dnsio.c -- what the UDP and TCP listeners share: accounting and socket address helpers. */
#include "dnsio.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

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
