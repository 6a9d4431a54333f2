/* store_redis.c -- observations in Redis, so several dnsleakd nodes share each test.
 *
 * Nodes with the same secret (so the same test ids and tokens) and their own node_id point at
 * one Redis: the DNS probes of a test may reach node A while its page asks node B for results.
 *
 * Layout. One Redis list per test, key PREFIX{<test id text>} (default prefix "dnsleak:", the
 * braces a Redis Cluster hash tag; e.g. "dnsleak:{aaaqm2b...}"). Each element is one
 * observation packed by obscodec.c (92 bytes, fixed byte order, version byte), in arrival
 * order per node. The key carries EXPIREAT created + ttl_s + 1 (set when the list is created),
 * so Redis forgets a test by itself the second after the memory store would (store_expire()
 * has nothing to do here).
 *
 * Writes. A put groups its observations by test (arrival order kept within a test) and sends
 * them in one EVALSHA of a small Lua script (more only past CALL_KEYS tests or CALL_VALUES
 * observations), pipelined: one round trip per drained batch. For each test the script keeps
 * the list at most max_obs_per_test long (it appends, then trims what went past the cap) and
 * returns how many it stored; a script runs alone, so nodes writing the same test at once can
 * never take it past the cap. The rest counts as dropped_test_full.
 * One script call for many tests rather than one per test: measured, the per-call overhead in
 * Redis was the bottleneck (bench: ~1 observation per test per drained batch). The price is
 * that a call spans keys of many hash slots, so Redis Cluster is not supported (the braces
 * in the key would let a cluster mode group calls by slot).
 *
 * Reads. LRANGE of the first max_obs_per_test elements. Each element is decoded defensively:
 * another length, a bad field or another test's id is skipped and counted (skipped_bad).
 *
 * Connections. Puts come from the store thread and, for exit and WebRTC observations, from
 * HTTP threads; gets from HTTP threads. Puts use one connection and gets another, each behind
 * its own mutex, so a slow results request never holds up the drained batches. Connect and
 * every command time out after timeout_ms (500 ms). When Redis fails, the connection is
 * dropped and retried no sooner than a backoff (100 ms doubling to 5 s); meanwhile puts are
 * dropped at once and counted (dropped_backend) and gets return STORE_E_UNAVAILABLE, so
 * neither the store thread nor an HTTP thread waits on a dead Redis more than once per retry.
 * Losing and regaining Redis is logged once each; failed retries at most once a minute.
 * DNS threads never touch Redis: they hand observations to the store thread through rings.
 */
#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "obscodec.h"
#include "store_int.h"
#include "testid.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define RETRY_LOG_MS 60000 /* failed reconnects: at most one log line a minute */
#define PUT_CHUNK 500      /* values per key and call: well under Lua's unpack() limit */
#define CALL_KEYS 512      /* tests per EVALSHA */
#define CALL_VALUES 4096   /* observations per EVALSHA: a script blocks Redis while it runs */
#define KEY_MAX (STORE_REDIS_PREFIX_MAX + TESTID_TEXT_LEN + 3)
#define SHA_LEN 40

/*
 * One call stores the observations of many tests. KEYS: the tests' lists. ARGV[1]: the cap;
 * then per key its EXPIREAT time, a count m and m packed observations. Each list gets as many
 * as fit under the cap, atomically (a script runs alone): RPUSH all m, then LTRIM what went
 * past the cap, which costs one command per test in the common case instead of an LLEN first.
 * EXPIREAT is set when the push created the list. Returns per key how many it stored, or -1
 * when the key holds something other than a list (pcall: one stray key does not stop the
 * others).
 */
static const char put_script[] =
    "local cap = tonumber(ARGV[1])\n"
    "local a = 2\n"
    "local out = {}\n"
    "for i = 1, #KEYS do\n"
    "  local m = tonumber(ARGV[a + 1])\n"
    "  local len = redis.pcall('RPUSH', KEYS[i], unpack(ARGV, a + 2, a + 1 + m))\n"
    "  if type(len) ~= 'number' then\n"
    "    out[i] = -1\n"
    "  else\n"
    "    local before = len - m\n"
    "    local keep = math.max(before, cap)\n"
    "    if len > keep then redis.call('LTRIM', KEYS[i], 0, keep - 1) end\n"
    "    if before == 0 then redis.call('EXPIREAT', KEYS[i], ARGV[a]) end\n"
    "    out[i] = math.max(0, math.min(m, cap - before))\n"
    "  end\n"
    "  a = a + 2 + m\n"
    "end\n"
    "return out\n";

struct conn {
	pthread_mutex_t lock;
	redisContext *c; /* NULL: down; retry at retry_at_ms */
	uint64_t retry_at_ms;
	unsigned backoff_ms;
	uint64_t last_log_ms; /* of a failed retry */
	bool was_up;          /* to log the loss and the return once each */
	const char *what;     /* "writes" or "reads", for the log */
};

/* The observations of one test in one call, by index into the put's order[]. */
struct group {
	size_t first; /* into order[] */
	size_t n;
};

/* One EVALSHA: groups [g0, g0 + ng). */
struct call {
	size_t g0;
	size_t ng;
};

struct store_redis {
	struct store_limits lim;
	struct store_redis_opts o;
	char sha[SHA_LEN + 1];
	struct conn put;
	struct conn get;
	pthread_mutex_t stats_lock;
	struct store_stats st;
	/* Scratch of the put connection (under put.lock), grown as batches need. */
	size_t cap;
	size_t *order;
	uint8_t *packed;
	const char **argv;
	size_t *argvlen;
	char (*keys)[KEY_MAX];
	char (*nums)[2][24]; /* per group: EXPIREAT time, count */
	struct group *groups;
	struct call *calls;
	uint64_t refused_log_ms; /* under put.lock */
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct timeval
timeout_tv(const struct store_redis *r)
{
	unsigned ms = r->o.timeout_ms != 0 ? r->o.timeout_ms : STORE_REDIS_TIMEOUT_MS;

	return (struct timeval){ .tv_sec = ms / 1000, .tv_usec = (long)(ms % 1000) * 1000 };
}

static void
stat_add(struct store_redis *r, uint64_t *field, uint64_t n)
{
	pthread_mutex_lock(&r->stats_lock);
	*field += n;
	pthread_mutex_unlock(&r->stats_lock);
}

static void
where(const struct store_redis *r, char *buf, size_t len)
{
	if (r->o.is_unix)
		snprintf(buf, len, "unix:%s", r->o.host);
	else
		snprintf(buf, len, "%s:%u", r->o.host, r->o.port);
}

/* A reply we expect: not NULL, not an error. why gets the reason otherwise. */
static bool
reply_ok(const redisContext *c, const redisReply *rep, char *why, size_t len)
{
	if (rep == NULL) {
		snprintf(why, len, "%s", c->errstr[0] != '\0' ? c->errstr : "no reply");
		return false;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		snprintf(why, len, "%s", rep->str);
		return false;
	}
	return true;
}

/* Connect, check the server answers, load the script. NULL with why filled on failure. */
static redisContext *
dial(struct store_redis *r, char *why, size_t len)
{
	struct timeval tv = timeout_tv(r);
	redisContext *c;
	redisReply *rep = NULL;

	if (r->o.is_unix)
		c = redisConnectUnixWithTimeout(r->o.host, tv);
	else
		c = redisConnectWithTimeout(r->o.host, r->o.port, tv);
	if (c == NULL) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	if (c->err != 0) {
		snprintf(why, len, "%s", c->errstr);
		goto fail;
	}
	if (redisSetTimeout(c, tv) != REDIS_OK) {
		snprintf(why, len, "cannot set the timeout: %s", c->errstr);
		goto fail;
	}
	rep = redisCommand(c, "SCRIPT LOAD %s", put_script);
	if (!reply_ok(c, rep, why, len))
		goto fail;
	if (rep->type != REDIS_REPLY_STRING || rep->len != SHA_LEN) {
		snprintf(why, len, "SCRIPT LOAD: unexpected reply");
		goto fail;
	}
	/* r->sha is computed once at start and only read after: both connections use it. */
	if (memcmp(r->sha, rep->str, SHA_LEN) != 0) {
		snprintf(why, len, "SCRIPT LOAD: the server names the script differently");
		goto fail;
	}
	freeReplyObject(rep);
	return c;
fail:
	if (rep != NULL)
		freeReplyObject(rep);
	redisFree(c);
	return NULL;
}

/*
 * The connection to use now, or NULL while Redis is down (a reconnect is tried once the backoff
 * has passed). Called with k->lock held.
 */
static redisContext *
conn_get(struct store_redis *r, struct conn *k)
{
	char why[256];
	char at[STORE_REDIS_HOST_MAX + 16];
	uint64_t now = mono_ms();

	if (k->c != NULL)
		return k->c;
	if (now < k->retry_at_ms)
		return NULL;
	k->c = dial(r, why, sizeof(why));
	if (k->c != NULL) {
		k->backoff_ms = 0;
		if (!k->was_up) {
			where(r, at, sizeof(at));
			log_info("redis %s: connected (%s)", at, k->what);
		}
		k->was_up = true;
		return k->c;
	}
	k->backoff_ms = k->backoff_ms == 0 ? BACKOFF_MIN_MS : k->backoff_ms * 2;
	if (k->backoff_ms > BACKOFF_MAX_MS)
		k->backoff_ms = BACKOFF_MAX_MS;
	k->retry_at_ms = now + k->backoff_ms;
	if (k->last_log_ms == 0 || now - k->last_log_ms >= RETRY_LOG_MS) {
		where(r, at, sizeof(at));
		log_warnx("redis %s: cannot connect (%s): %s; retrying", at, k->what, why);
		k->last_log_ms = now;
	}
	return NULL;
}

/* The connection failed mid-command: drop it (a pipeline cannot be resynchronised). */
static void
conn_lost(struct store_redis *r, struct conn *k, const char *why)
{
	char at[STORE_REDIS_HOST_MAX + 16];
	char reason[256];

	snprintf(reason, sizeof(reason), "%s", why); /* it may be the context's errstr */
	if (k->c != NULL)
		redisFree(k->c);
	k->c = NULL;
	k->backoff_ms = BACKOFF_MIN_MS;
	k->retry_at_ms = mono_ms() + BACKOFF_MIN_MS;
	k->last_log_ms = mono_ms();
	if (k->was_up) {
		where(r, at, sizeof(at));
		log_warnx("redis %s: lost (%s): %s; %s", at, k->what, reason,
			  k->what[0] == 'w' ? "dropping observations until it is back"
					    : "results requests fail until it is back");
	}
	k->was_up = false;
}

static int
conn_init(struct conn *k, const char *what)
{
	memset(k, 0, sizeof(*k));
	k->what = what;
	return pthread_mutex_init(&k->lock, NULL) == 0 ? 0 : -1;
}

static void
conn_fini(struct conn *k)
{
	if (k->c != NULL)
		redisFree(k->c);
	pthread_mutex_destroy(&k->lock);
}

static void
make_key(const struct store_redis *r, const uint8_t id[TESTID_LEN], char key[KEY_MAX])
{
	char text[TESTID_TEXT_LEN + 1];

	testid_to_text(id, text);
	snprintf(key, KEY_MAX, "%s{%s}", r->o.prefix, text);
}

/* The inclusive bound of store_memory.c: a test lives through second created + ttl_s. */
static uint64_t
expiry(const struct store_redis *r, const uint8_t id[TESTID_LEN])
{
	return (uint64_t)testid_created(id) + r->lim.ttl_s;
}

struct store_redis *
store__redis_new(const struct store_limits *lim, const struct store_redis_opts *o, char *err,
		 size_t err_len)
{
	struct store_redis *r = calloc(1, sizeof(*r));
	char why[256];
	char at[STORE_REDIS_HOST_MAX + 16];

	if (r == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	r->lim = *lim;
	r->o = *o;
	/* EVALSHA names the script by the SHA-1 of its text (Redis's SCRIPT LOAD says the same). */
	{
		static const char hex[] = "0123456789abcdef";
		uint8_t md[SHA_DIGEST_LENGTH];

		_Static_assert(SHA_LEN == 2 * SHA_DIGEST_LENGTH, "hex SHA-1");
		SHA1((const unsigned char *)put_script, strlen(put_script), md);
		for (size_t i = 0; i < sizeof(md); i++) {
			r->sha[2 * i] = hex[md[i] >> 4];
			r->sha[2 * i + 1] = hex[md[i] & 15];
		}
		r->sha[SHA_LEN] = '\0';
	}
	if (conn_init(&r->put, "writes") != 0 || conn_init(&r->get, "reads") != 0 ||
	    pthread_mutex_init(&r->stats_lock, NULL) != 0) {
		snprintf(err, err_len, "out of resources");
		free(r);
		return NULL;
	}
	where(r, at, sizeof(at));
	/* Both connections now: an unreachable Redis is an error the operator sees at start. */
	r->put.c = dial(r, why, sizeof(why));
	if (r->put.c != NULL)
		r->get.c = dial(r, why, sizeof(why));
	if (r->get.c == NULL) {
		snprintf(err, err_len, "redis %s: %s", at, why);
		store__redis_free(r);
		return NULL;
	}
	r->put.was_up = r->get.was_up = true;
	log_info("redis %s: connected, keys %s{<test id>}", at, r->o.prefix);
	return r;
}

void
store__redis_free(struct store_redis *r)
{
	if (r == NULL)
		return;
	conn_fini(&r->put);
	conn_fini(&r->get);
	pthread_mutex_destroy(&r->stats_lock);
	free(r->order);
	free(r->packed);
	free(r->argv);
	free(r->argvlen);
	free(r->keys);
	free(r->nums);
	free(r->groups);
	free(r->calls);
	free(r);
}

/* Room for n observations in the put scratch; false when out of memory. */
static bool
scratch_reserve(struct store_redis *r, size_t n)
{
	if (n <= r->cap)
		return true;
	if (n > SIZE_MAX / 2 / OBSCODEC_LEN)
		return false;
	size_t cap = r->cap != 0 ? r->cap : 64;
	while (cap < n)
		cap *= 2;
	/* One EVALSHA at a time is built in argv: 4 fixed arguments, then per key its name, two
	 * numbers and its values. */
	size_t nargv = 4 + 3 * CALL_KEYS + CALL_VALUES;
	size_t *order = realloc(r->order, cap * sizeof(*order));
	if (order != NULL)
		r->order = order;
	uint8_t *packed = realloc(r->packed, cap * OBSCODEC_LEN);
	if (packed != NULL)
		r->packed = packed;
	const char **argv = realloc(r->argv, nargv * sizeof(*argv));
	if (argv != NULL)
		r->argv = argv;
	size_t *argvlen = realloc(r->argvlen, nargv * sizeof(*argvlen));
	if (argvlen != NULL)
		r->argvlen = argvlen;
	char(*keys)[KEY_MAX] = realloc(r->keys, cap * sizeof(*keys));
	if (keys != NULL)
		r->keys = keys;
	char(*nums)[2][24] = realloc(r->nums, cap * sizeof(*nums));
	if (nums != NULL)
		r->nums = nums;
	struct group *groups = realloc(r->groups, cap * sizeof(*groups));
	if (groups != NULL)
		r->groups = groups;
	struct call *calls = realloc(r->calls, cap * sizeof(*calls));
	if (calls != NULL)
		r->calls = calls;
	if (order == NULL || packed == NULL || argv == NULL || argvlen == NULL || keys == NULL ||
	    nums == NULL || groups == NULL || calls == NULL)
		return false;
	r->cap = cap;
	return true;
}

/* By test id, then by position: a stable grouping that keeps arrival order within a test. */
static int
by_test(const void *a, const void *b, void *arg)
{
	const struct observation *obs = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = memcmp(obs[i].id, obs[j].id, TESTID_LEN);

	if (c != 0)
		return c;
	return i < j ? -1 : i > j;
}

/*
 * Group the live observations of obs[] by test into r->groups (chunks of at most PUT_CHUNK).
 * Returns the number of groups; *expired counts those past their test's expiry.
 */
static size_t
group_batch(struct store_redis *r, const struct observation *obs, size_t n, uint64_t now_s,
	    size_t *expired)
{
	size_t live = 0, ng = 0;

	*expired = 0;
	for (size_t i = 0; i < n; i++) {
		if (expiry(r, obs[i].id) < now_s)
			(*expired)++;
		else
			r->order[live++] = i;
	}
	qsort_r(r->order, live, sizeof(*r->order), by_test, (void *)obs);
	for (size_t i = 0; i < live; i++) {
		struct group *g = ng > 0 ? &r->groups[ng - 1] : NULL;
		if (g == NULL || g->n == PUT_CHUNK ||
		    memcmp(obs[r->order[g->first]].id, obs[r->order[i]].id, TESTID_LEN) != 0) {
			g = &r->groups[ng++];
			g->first = i;
			g->n = 0;
		}
		g->n++;
	}
	return ng;
}

/* Cut groups [0, ng) into calls of at most CALL_KEYS tests and CALL_VALUES observations. */
static size_t
plan_calls(struct store_redis *r, size_t ng)
{
	size_t nc = 0, keys = 0, values = 0;

	for (size_t gi = 0; gi < ng; gi++) {
		const struct group *g = &r->groups[gi];
		if (nc == 0 || keys == CALL_KEYS || values + g->n > CALL_VALUES) {
			r->calls[nc++] = (struct call){ .g0 = gi, .ng = 0 };
			keys = values = 0;
		}
		r->calls[nc - 1].ng++;
		keys++;
		values += g->n;
	}
	return nc;
}

/* Append the EVALSHA of call ci to the pipeline of c. */
static int
append_call(struct store_redis *r, redisContext *c, const struct observation *obs, size_t ci)
{
	const struct call *call = &r->calls[ci];
	const char **argv = r->argv;
	size_t *argvlen = r->argvlen;
	char nkeys[24], cap[24];
	size_t k = 0;

	snprintf(nkeys, sizeof(nkeys), "%zu", call->ng);
	snprintf(cap, sizeof(cap), "%zu", r->lim.max_obs_per_test);
	argv[k] = "EVALSHA", argvlen[k++] = 7;
	argv[k] = r->sha, argvlen[k++] = SHA_LEN;
	argv[k] = nkeys, argvlen[k++] = strlen(nkeys);
	for (size_t gi = call->g0; gi < call->g0 + call->ng; gi++) {
		make_key(r, obs[r->order[r->groups[gi].first]].id, r->keys[gi]);
		argv[k] = r->keys[gi], argvlen[k++] = strlen(r->keys[gi]);
	}
	argv[k] = cap, argvlen[k++] = strlen(cap);
	for (size_t gi = call->g0; gi < call->g0 + call->ng; gi++) {
		const struct group *g = &r->groups[gi];
		snprintf(r->nums[gi][0], sizeof(r->nums[gi][0]), "%llu",
			 (unsigned long long)expiry(r, obs[r->order[g->first]].id) + 1);
		snprintf(r->nums[gi][1], sizeof(r->nums[gi][1]), "%zu", g->n);
		argv[k] = r->nums[gi][0], argvlen[k++] = strlen(r->nums[gi][0]);
		argv[k] = r->nums[gi][1], argvlen[k++] = strlen(r->nums[gi][1]);
		for (size_t i = 0; i < g->n; i++) {
			argv[k] = (const char *)r->packed + (g->first + i) * OBSCODEC_LEN;
			argvlen[k++] = OBSCODEC_LEN;
		}
	}
	/* hiredis copies the arguments into its output buffer, so argv[] is reused at once. */
	return redisAppendCommandArgv(c, (int)k, argv, argvlen);
}

/* The values of calls [ci, nc), lost with the connection. */
static uint64_t
calls_values(const struct store_redis *r, size_t ci, size_t nc)
{
	uint64_t n = 0;

	for (; ci < nc; ci++)
		for (size_t gi = r->calls[ci].g0; gi < r->calls[ci].g0 + r->calls[ci].ng; gi++)
			n += r->groups[gi].n;
	return n;
}

/*
 * Send calls [0, nc) pipelined and read the replies into *stored, *full and *lost (a call
 * refused with NOSCRIPT also sets *noscript). Returns false when the connection failed: the
 * calls without a reply are then lost, though Redis may have stored some of them.
 */
static bool
send_calls(struct store_redis *r, redisContext *c, const struct observation *obs, size_t nc,
	   uint64_t *stored, uint64_t *full, uint64_t *lost, bool *noscript, char *why, size_t wlen)
{
	size_t sent = 0;

	while (sent < nc && append_call(r, c, obs, sent) == REDIS_OK)
		sent++;
	for (size_t ci = 0; ci < nc; ci++) {
		const struct call *call = &r->calls[ci];
		redisReply *rep = NULL;
		if (ci >= sent || redisGetReply(c, (void **)&rep) != REDIS_OK || rep == NULL) {
			snprintf(why, wlen, "%s", c->errstr[0] != '\0' ? c->errstr : "no reply");
			*lost += calls_values(r, ci, nc);
			return false;
		}
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != call->ng) {
			/* NOSCRIPT, OOM under maxmemory, ...: the whole call is lost. */
			*lost += calls_values(r, ci, ci + 1);
			if (rep->type == REDIS_REPLY_ERROR) {
				snprintf(why, wlen, "%s", rep->str);
				*noscript = *noscript || strncmp(rep->str, "NOSCRIPT", 8) == 0;
			} else {
				snprintf(why, wlen, "unexpected reply type %d", rep->type);
			}
			freeReplyObject(rep);
			continue;
		}
		for (size_t i = 0; i < call->ng; i++) {
			const struct group *g = &r->groups[call->g0 + i];
			const redisReply *e = rep->element[i];
			if (e->type == REDIS_REPLY_INTEGER && e->integer >= 0 &&
			    (unsigned long long)e->integer <= g->n) {
				*stored += (uint64_t)e->integer;
				*full += g->n - (size_t)e->integer;
			} else {
				*lost += g->n;
				snprintf(why, wlen, "WRONGTYPE: %s is not a list",
					 r->keys[call->g0 + i]);
			}
		}
		freeReplyObject(rep);
	}
	return true;
}

/* Redis refused writes (an error reply, not a lost connection): say so, at most once a minute. */
static void
log_refused(struct store_redis *r, const char *why)
{
	uint64_t now = mono_ms();

	if (r->refused_log_ms != 0 && now - r->refused_log_ms < RETRY_LOG_MS)
		return;
	r->refused_log_ms = now;
	log_warnx("redis: observations refused: %s", why);
}

void
store__redis_put(struct store_redis *r, const struct observation *obs, size_t n, uint64_t now_s)
{
	uint64_t stored = 0, full = 0, lost = 0;
	size_t expired = 0, ng;
	bool noscript = false;
	char why[256] = "";

	if (n == 0)
		return;
	pthread_mutex_lock(&r->put.lock);
	if (!scratch_reserve(r, n)) {
		lost = n;
		log_refused(r, "out of memory");
		goto out;
	}
	ng = group_batch(r, obs, n, now_s, &expired);
	if (ng == 0)
		goto out;
	redisContext *c = conn_get(r, &r->put);
	if (c == NULL) {
		lost = n - expired; /* down: dropped at once, nothing waits */
		goto out;
	}
	for (size_t i = 0; i < n - expired; i++)
		obscodec_encode(&obs[r->order[i]], r->packed + i * OBSCODEC_LEN);
	size_t nc = plan_calls(r, ng);
	if (!send_calls(r, c, obs, nc, &stored, &full, &lost, &noscript, why, sizeof(why))) {
		conn_lost(r, &r->put, why);
		goto out;
	}
	if (lost > 0)
		log_refused(r, why);
	if (noscript) {
		/* Someone flushed the scripts: load ours again for the next batch. */
		redisReply *rep = redisCommand(c, "SCRIPT LOAD %s", put_script);
		if (rep == NULL)
			conn_lost(r, &r->put, c->errstr);
		else
			freeReplyObject(rep);
	}
out:
	pthread_mutex_unlock(&r->put.lock);
	pthread_mutex_lock(&r->stats_lock);
	r->st.stored += stored;
	r->st.dropped_test_full += full;
	r->st.dropped_expired += expired;
	r->st.dropped_backend += lost;
	pthread_mutex_unlock(&r->stats_lock);
}

int
store__redis_get(struct store_redis *r, const uint8_t id[TESTID_LEN], uint64_t now_s,
		 struct observation **out, size_t *n)
{
	struct observation *obs = NULL;
	redisReply *rep = NULL;
	char key[KEY_MAX];
	char why[256];
	size_t count = 0, bad = 0;
	int rc = DL_E_OK;

	*out = NULL;
	*n = 0;
	if (expiry(r, id) < now_s)
		return DL_E_OK;
	make_key(r, id, key);
	pthread_mutex_lock(&r->get.lock);
	redisContext *c = conn_get(r, &r->get);
	if (c == NULL) {
		rc = STORE_E_UNAVAILABLE;
		goto out;
	}
	/* At most the cap: a list grown past it by other writers costs us no more than that. */
	rep = redisCommand(c, "LRANGE %s 0 %lld", key, (long long)r->lim.max_obs_per_test - 1);
	if (rep == NULL) {
		conn_lost(r, &r->get, c->errstr[0] != '\0' ? c->errstr : "no reply");
		rc = STORE_E_UNAVAILABLE;
		goto out;
	}
	if (rep->type == REDIS_REPLY_ERROR || rep->type != REDIS_REPLY_ARRAY) {
		/* WRONGTYPE: something else sits at the key. Not ours: no observations. */
		snprintf(why, sizeof(why), "%s",
			 rep->type == REDIS_REPLY_ERROR ? rep->str : "not a list");
		log_warnx("redis: LRANGE %s: %s", key, why);
		bad = 1;
		goto out;
	}
	if (rep->elements > 0) {
		obs = malloc(rep->elements * sizeof(*obs));
		if (obs == NULL) {
			rc = DL_E_NOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < rep->elements; i++) {
		const redisReply *e = rep->element[i];
		if (e->type != REDIS_REPLY_STRING ||
		    obscodec_decode((const uint8_t *)e->str, e->len, &obs[count]) != DL_E_OK ||
		    memcmp(obs[count].id, id, TESTID_LEN) != 0) {
			bad++;
			continue;
		}
		count++;
	}
out:
	pthread_mutex_unlock(&r->get.lock);
	if (rep != NULL)
		freeReplyObject(rep);
	if (bad > 0)
		stat_add(r, &r->st.skipped_bad, bad);
	if (rc != DL_E_OK || count == 0) {
		free(obs);
		return rc;
	}
	*out = obs;
	*n = count;
	return DL_E_OK;
}

void
store__redis_get_stats(struct store_redis *r, struct store_stats *st)
{
	pthread_mutex_lock(&r->stats_lock);
	*st = r->st;
	pthread_mutex_unlock(&r->stats_lock);
}
