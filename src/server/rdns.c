/* rdns.c -- reverse names: a pure cache and name check, and worker threads around them. */
#include "rdns.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#define RDNS_HOST_MAX 1025 /* NI_MAXHOST: what getnameinfo may write */

enum { ENTRY_FREE = 0 };

struct rdns_entry {
	struct dl_addr addr;
	uint8_t state;      /* ENTRY_FREE, RDNS_PENDING or RDNS_KNOWN */
	uint32_t chain;     /* next entry in the bucket + 1, 0 for none */
	uint64_t expires_s; /* RDNS_KNOWN: the answer holds while now < expires_s */
	char name[RDNS_NAME_MAX];
};

/* ---- The name check. ---- */

static bool
is_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

bool
rdns_name_clean(const char *name, size_t len, char out[static RDNS_NAME_MAX])
{
	size_t label = 0;

	out[0] = '\0';
	if (len > 0 && name[len - 1] == '.')
		len--;
	/* RFC 1035 2.3.4: 255 wire octets are at most 253 characters of text. */
	if (len == 0 || len > RDNS_NAME_MAX - 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		/* RFC 952 / RFC 1123 2.1: letters, digits, hyphens; no hyphen first or last. */
		if (!is_ldh(c) || (c == '-' && label == 0) || ++label > 63)
			return false;
	}
	if (label == 0 || name[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[len] = '\0';
	return true;
}

/* ---- The cache. ---- */

static size_t
addr_len(const struct dl_addr *a)
{
	return a->family == 4 ? 4 : 16;
}

static size_t
bucket_of(const struct rdns_cache *c, const struct dl_addr *a)
{
	uint8_t buf[17];

	buf[0] = a->family;
	memcpy(buf + 1, a->a, addr_len(a));
	return (size_t)siphash24(c->key, buf, 1 + addr_len(a)) & (c->n_buckets - 1);
}

static bool
same(const struct dl_addr *x, const struct dl_addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, addr_len(x)) == 0;
}

/* The index of a's entry, or c->cap when it has none. */
static size_t
find(const struct rdns_cache *c, const struct dl_addr *a)
{
	for (uint32_t i = c->buckets[bucket_of(c, a)]; i != 0; i = c->entries[i - 1].chain) {
		if (same(&c->entries[i - 1].addr, a))
			return i - 1;
	}
	return c->cap;
}

static void
unlink_entry(struct rdns_cache *c, size_t idx)
{
	uint32_t *link = &c->buckets[bucket_of(c, &c->entries[idx].addr)];

	while (*link != 0) {
		if (*link - 1 == idx) {
			*link = c->entries[idx].chain;
			break;
		}
		link = &c->entries[*link - 1].chain;
	}
	c->entries[idx].state = ENTRY_FREE;
	c->entries[idx].chain = 0;
}

/* a's entry, or a new one in the oldest slot (evicting what was there). */
static struct rdns_entry *
entry_for(struct rdns_cache *c, const struct dl_addr *a)
{
	size_t idx = find(c, a);

	if (idx != c->cap)
		return &c->entries[idx];
	idx = c->next;
	c->next = (c->next + 1) % c->cap;
	if (c->entries[idx].state != ENTRY_FREE) {
		unlink_entry(c, idx);
		c->evicted++;
	}
	struct rdns_entry *e = &c->entries[idx];
	memset(e, 0, sizeof(*e));
	e->addr.family = a->family;
	memcpy(e->addr.a, a->a, addr_len(a));
	size_t b = bucket_of(c, a);
	e->chain = c->buckets[b];
	c->buckets[b] = (uint32_t)idx + 1;
	return e;
}

int
rdns_cache_init(struct rdns_cache *c, size_t cap, const uint8_t key[SIPHASH_KEY_LEN])
{
	memset(c, 0, sizeof(*c));
	if (cap == 0 || cap > RDNS_CACHE_MAX)
		return -EINVAL;
	size_t nb = 1;
	while (nb < cap)
		nb <<= 1;
	c->entries = calloc(cap, sizeof(*c->entries));
	c->buckets = calloc(nb, sizeof(*c->buckets));
	if (c->entries == NULL || c->buckets == NULL) {
		rdns_cache_fini(c);
		return -ENOMEM;
	}
	c->cap = cap;
	c->n_buckets = nb;
	memcpy(c->key, key, SIPHASH_KEY_LEN);
	return 0;
}

void
rdns_cache_fini(struct rdns_cache *c)
{
	free(c->entries);
	free(c->buckets);
	memset(c, 0, sizeof(*c));
}

enum rdns_state
rdns_cache_lookup(const struct rdns_cache *c, const struct dl_addr *a, uint64_t now_s,
		  char out[static RDNS_NAME_MAX])
{
	out[0] = '\0';
	size_t idx = find(c, a);
	if (idx == c->cap)
		return RDNS_MISS;
	const struct rdns_entry *e = &c->entries[idx];
	if (e->state == RDNS_PENDING)
		return RDNS_PENDING;
	if (now_s >= e->expires_s)
		return RDNS_MISS;
	memcpy(out, e->name, sizeof(e->name));
	return RDNS_KNOWN;
}

void
rdns_cache_set_pending(struct rdns_cache *c, const struct dl_addr *a, uint64_t now_s)
{
	struct rdns_entry *e = entry_for(c, a);

	e->state = RDNS_PENDING;
	e->expires_s = now_s;
	e->name[0] = '\0';
}

void
rdns_cache_set_answer(struct rdns_cache *c, const struct dl_addr *a, const char *name,
		      uint64_t expires_s)
{
	struct rdns_entry *e = entry_for(c, a);
	size_t n = strnlen(name, RDNS_NAME_MAX - 1);

	e->state = RDNS_KNOWN;
	e->expires_s = expires_s;
	memcpy(e->name, name, n);
	e->name[n] = '\0';
}

/* ---- The workers. ---- */

struct rdns_job {
	struct dl_addr addr;
	uint64_t now_s; /* when it was queued: the answer's TTL counts from there */
};

struct rdns {
	pthread_mutex_t lock; /* guards everything below but the thread list */
	pthread_cond_t wake;
	struct rdns_cache cache;
	struct rdns_job *queue; /* a ring of queue_cap jobs */
	size_t queue_cap;
	size_t queue_head;
	size_t queue_len;
	bool stop;
	unsigned ttl_s;
	unsigned negative_ttl_s;
	struct rdns_stats stats;
	pthread_t *threads;
	unsigned n_threads;
};

/* The system resolver's name for a, cleaned; "" when it has none. Blocks, maybe for seconds. */
static void
lookup(const struct dl_addr *a, char out[static RDNS_NAME_MAX])
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char host[RDNS_HOST_MAX];

	memset(&ss, 0, sizeof(ss));
	if (a->family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->a, 4);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a->a, 16);
		sl = sizeof(*sin6);
	}
	host[0] = '\0';
	if (getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), NULL, 0, NI_NAMEREQD) !=
	    0) {
		out[0] = '\0';
		return;
	}
	(void)rdns_name_clean(host, strnlen(host, sizeof(host)), out);
}

static void *
worker(void *arg)
{
	struct rdns *r = arg;
	char name[RDNS_NAME_MAX];

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (!r->stop && r->queue_len == 0)
			pthread_cond_wait(&r->wake, &r->lock);
		if (r->stop)
			break;
		struct rdns_job job = r->queue[r->queue_head];
		r->queue_head = (r->queue_head + 1) % r->queue_cap;
		r->queue_len--;
		pthread_mutex_unlock(&r->lock);

		lookup(&job.addr, name);

		pthread_mutex_lock(&r->lock);
		bool found = name[0] != '\0';
		uint64_t ttl = found ? r->ttl_s : r->negative_ttl_s;
		rdns_cache_set_answer(&r->cache, &job.addr, name, job.now_s + ttl);
		if (found)
			r->stats.found++;
		else
			r->stats.no_name++;
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void
stop_workers(struct rdns *r)
{
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_broadcast(&r->wake);
	pthread_mutex_unlock(&r->lock);
	for (unsigned i = 0; i < r->n_threads; i++)
		pthread_join(r->threads[i], NULL);
	r->n_threads = 0;
}

struct rdns *
rdns_new(const struct rdns_limits *lim, char *err, size_t err_len)
{
	uint8_t key[SIPHASH_KEY_LEN];
	struct rdns *r = NULL;
	sigset_t all, old;
	bool ok = false;
	int rc;

	if (lim->cache_entries == 0 || lim->cache_entries > RDNS_CACHE_MAX || lim->threads == 0 ||
	    lim->threads > RDNS_THREADS_MAX || lim->queue == 0 || lim->queue > RDNS_QUEUE_MAX ||
	    lim->ttl_s == 0 || lim->negative_ttl_s == 0) {
		snprintf(
		    err, err_len,
		    "rdns: limits out of range (cache 1..%u, threads 1..%u, queue 1..%u, TTLs > 0)",
		    RDNS_CACHE_MAX, RDNS_THREADS_MAX, RDNS_QUEUE_MAX);
		goto out;
	}
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
		snprintf(err, err_len, "rdns: getrandom: %s", strerror(errno));
		goto out;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		snprintf(err, err_len, "rdns: out of memory");
		goto out;
	}
	/* From here on rdns_free() can take r apart, however far this gets. */
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	r->queue = calloc(lim->queue, sizeof(*r->queue));
	r->threads = calloc(lim->threads, sizeof(*r->threads));
	if (r->queue == NULL || r->threads == NULL ||
	    rdns_cache_init(&r->cache, lim->cache_entries, key) != 0) {
		snprintf(err, err_len, "rdns: out of memory");
		goto out;
	}
	r->queue_cap = lim->queue;
	r->ttl_s = lim->ttl_s;
	r->negative_ttl_s = lim->negative_ttl_s;

	/* Workers take no signals: the daemon reads them with signalfd in its main loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < lim->threads; i++) {
		rc = pthread_create(&r->threads[i], NULL, worker, r);
		if (rc != 0) {
			snprintf(err, err_len, "rdns: pthread_create: %s", strerror(rc));
			break;
		}
		r->n_threads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	ok = r->n_threads == lim->threads;
out:
	if (!ok) {
		rdns_free(r);
		r = NULL;
	}
	return r;
}

bool
rdns_get(struct rdns *r, const struct dl_addr *a, uint64_t now_s, char out[static RDNS_NAME_MAX])
{
	out[0] = '\0';
	if (a->family != 4 && a->family != 6)
		return true;
	pthread_mutex_lock(&r->lock);
	enum rdns_state st = rdns_cache_lookup(&r->cache, a, now_s, out);
	if (st == RDNS_MISS) {
		if (r->queue_len == r->queue_cap) {
			r->stats.dropped++;
		} else {
			size_t tail = (r->queue_head + r->queue_len) % r->queue_cap;
			r->queue[tail].addr = *a;
			r->queue[tail].now_s = now_s;
			r->queue_len++;
			r->stats.queued++;
			rdns_cache_set_pending(&r->cache, a, now_s);
			pthread_cond_signal(&r->wake);
		}
	}
	pthread_mutex_unlock(&r->lock);
	return st == RDNS_KNOWN;
}

void
rdns_stats_get(struct rdns *r, struct rdns_stats *out)
{
	pthread_mutex_lock(&r->lock);
	*out = r->stats;
	out->evicted = r->cache.evicted;
	pthread_mutex_unlock(&r->lock);
}

void
rdns_free(struct rdns *r)
{
	if (r == NULL)
		return;
	stop_workers(r);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	rdns_cache_fini(&r->cache);
	free(r->queue);
	free(r->threads);
	free(r);
}
