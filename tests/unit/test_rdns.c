/* test_rdns.c -- reverse names: the name check and the cache (pure), and rdns_get() for real.
 *
 * The live tests ask the system resolver, so they run only when DL_RDNS_LIVE=1: inside the
 * network namespace that tests/integration/rdns.sh builds, whose unbound serves the PTR records
 * below (keep the two files in step). Anywhere else they are skipped: they must not send DNS
 * queries to this machine's real resolver. (Not cmocka's skip(): tests/run.sh would count its
 * "not ok # SKIP" lines as failures.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rdns.h"

#include "expect.h"

static const uint8_t key[SIPHASH_KEY_LEN] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
};

static struct dl_addr
ip(const char *text)
{
	struct dl_addr a;

	assert_int_equal(addr_parse(text, &a), DL_E_OK);
	return a;
}

/* ---- The name check. ---- */

struct name_case {
	const char *in;
	const char *want; /* NULL: rejected */
};

static void
test_rdns_name_clean(void **state)
{
	(void)state;
	static const char l63[] = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123";
	char l64[80], n253[300], n254[300], n253dot[310];
	snprintf(l64, sizeof(l64), "%s4.example", l63);
	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters. */
	snprintf(n253, sizeof(n253), "%s.%s.%s.%.61s", l63, l63, l63, l63);
	snprintf(n254, sizeof(n254), "%s.%s.%s.%.62s", l63, l63, l63, l63);
	snprintf(n253dot, sizeof(n253dot), "%s.", n253);
	char l63name[80];
	snprintf(l63name, sizeof(l63name), "%s.example", l63);
	const struct name_case cases[] = {
		{ "dns.google.", "dns.google" },
		{ "dns.google", "dns.google" },
		{ "Resolver-1.ISP.Example.NET.", "resolver-1.isp.example.net" },
		{ "localhost", "localhost" },
		{ "1.2.0.192.example", "1.2.0.192.example" },
		{ "a", "a" },
		{ "x--y.example", "x--y.example" },
		{ l63name, l63name },
		{ n253, n253 },
		{ n253dot, n253 },
		{ l64, NULL },
		{ n254, NULL },
		{ "", NULL },
		{ ".", NULL },
		{ "..", NULL },
		{ "a..", NULL },
		{ "a..b", NULL },
		{ ".a", NULL },
		{ "-a.example", NULL },
		{ "a-.example", NULL },
		{ "a.-b", NULL },
		{ "a.b-", NULL },
		{ "bad_name.example", NULL },
		{ "_dmarc.example", NULL },
		{ "a b.example", NULL },
		{ "a/b.example", NULL },
		{ "*.example", NULL },
		{ "a.example\n", NULL },
		{ "host\xc3\xa9.example", NULL },
		{ "<script>.example", NULL },
		{ "a\\.b", NULL },
	};
	char out[RDNS_NAME_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct name_case *c = &cases[i];
		memset(out, 'Z', sizeof(out));
		bool ok = rdns_name_clean(c->in, strlen(c->in), out);
		EXPECT(ok == (c->want != NULL), "\"%s\": %d", c->in, ok);
		if (c->want != NULL)
			EXPECT(strcmp(out, c->want) == 0, "\"%s\": \"%s\"", c->in, out);
		else
			EXPECT(out[0] == '\0', "\"%s\": out not emptied", c->in);
	}
	/* The length counts, not a NUL: an embedded NUL is a bad byte, and len bounds the read. */
	EXPECT(!rdns_name_clean("ab\0cd", 5, out), "embedded NUL accepted");
	EXPECT(rdns_name_clean("abcdef", 3, out) && strcmp(out, "abc") == 0, "len ignored");
	EXPECT_NONE();
}

/* ---- The cache. ---- */

static void
test_rdns_cache_basic(void **state)
{
	(void)state;
	struct rdns_cache c;
	char out[RDNS_NAME_MAX];
	struct dl_addr a = ip("192.0.2.1"), b = ip("2001:db8::1");

	assert_int_equal(rdns_cache_init(&c, 0, key), -EINVAL);
	assert_int_equal(rdns_cache_init(&c, RDNS_CACHE_MAX + 1, key), -EINVAL);
	assert_int_equal(rdns_cache_init(&c, 16, key), 0);

	assert_int_equal(rdns_cache_lookup(&c, &a, 1000, out), RDNS_MISS);
	assert_string_equal(out, "");
	rdns_cache_set_pending(&c, &a, 1000);
	assert_int_equal(rdns_cache_lookup(&c, &a, 1000, out), RDNS_PENDING);
	/* Pending does not expire by itself: the worker's answer ends it. */
	assert_int_equal(rdns_cache_lookup(&c, &a, 999999, out), RDNS_PENDING);
	assert_int_equal(rdns_cache_lookup(&c, &b, 1000, out), RDNS_MISS);

	rdns_cache_set_answer(&c, &a, "host.example", 1000 + 3600);
	assert_int_equal(rdns_cache_lookup(&c, &a, 1001, out), RDNS_KNOWN);
	assert_string_equal(out, "host.example");
	assert_int_equal(rdns_cache_lookup(&c, &a, 1000 + 3599, out), RDNS_KNOWN);
	assert_int_equal(rdns_cache_lookup(&c, &a, 1000 + 3600, out), RDNS_MISS);
	assert_string_equal(out, "");

	/* A negative answer is known too, as "". */
	rdns_cache_set_answer(&c, &b, "", 1300);
	memset(out, 'Z', sizeof(out));
	assert_int_equal(rdns_cache_lookup(&c, &b, 1299, out), RDNS_KNOWN);
	assert_string_equal(out, "");
	assert_int_equal(rdns_cache_lookup(&c, &b, 1300, out), RDNS_MISS);

	/* Expired, then pending again, then a fresh answer: the same entry is reused. */
	rdns_cache_set_pending(&c, &b, 1300);
	assert_int_equal(rdns_cache_lookup(&c, &b, 1300, out), RDNS_PENDING);
	rdns_cache_set_answer(&c, &b, "v6.example", 1300 + 3600);
	assert_int_equal(rdns_cache_lookup(&c, &b, 1301, out), RDNS_KNOWN);
	assert_string_equal(out, "v6.example");
	assert_int_equal(c.evicted, 0);

	/* The same bytes in the other family are another address; IPv4 ignores bytes 4..15. */
	struct dl_addr v6same = { .family = 6, .a = { 192, 0, 2, 1 } };
	assert_int_equal(rdns_cache_lookup(&c, &v6same, 1001, out), RDNS_MISS);
	struct dl_addr a_junk = a;
	a_junk.a[9] = 0x42;
	assert_int_equal(rdns_cache_lookup(&c, &a_junk, 1001, out), RDNS_KNOWN);
	assert_string_equal(out, "host.example");

	/* A name longer than the slot is cut, never written past it. */
	char longname[400];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	rdns_cache_set_answer(&c, &a, longname, 5000);
	assert_int_equal(rdns_cache_lookup(&c, &a, 1001, out), RDNS_KNOWN);
	assert_int_equal(strlen(out), RDNS_NAME_MAX - 1);

	rdns_cache_fini(&c);
	rdns_cache_fini(&c); /* an empty cache: a no-op */
}

/* The oldest inserted entry goes first, whatever was looked up since. */
static void
test_rdns_cache_evict(void **state)
{
	(void)state;
	struct rdns_cache c;
	char out[RDNS_NAME_MAX];
	struct dl_addr a[5];
	char name[32];

	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "192.0.2.%d", i + 1);
		a[i] = ip(name);
	}
	assert_int_equal(rdns_cache_init(&c, 3, key), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "h%d.example", i);
		rdns_cache_set_answer(&c, &a[i], name, 100);
	}
	assert_int_equal(rdns_cache_lookup(&c, &a[0], 1, out), RDNS_KNOWN);
	rdns_cache_set_pending(&c, &a[3], 1);
	assert_int_equal(c.evicted, 1);
	assert_int_equal(rdns_cache_lookup(&c, &a[0], 1, out), RDNS_MISS);
	assert_int_equal(rdns_cache_lookup(&c, &a[1], 1, out), RDNS_KNOWN);
	assert_string_equal(out, "h1.example");
	assert_int_equal(rdns_cache_lookup(&c, &a[2], 1, out), RDNS_KNOWN);
	assert_int_equal(rdns_cache_lookup(&c, &a[3], 1, out), RDNS_PENDING);

	/* A pending entry evicted before its answer came: the answer is stored anew. */
	rdns_cache_set_answer(&c, &a[4], "h4.example", 100); /* evicts a[1] */
	rdns_cache_set_answer(&c, &a[0], "h0.example", 100); /* evicts a[2] */
	rdns_cache_set_answer(&c, &a[1], "h1.example", 100); /* evicts a[3], pending */
	assert_int_equal(rdns_cache_lookup(&c, &a[3], 1, out), RDNS_MISS);
	rdns_cache_set_answer(&c, &a[3], "h3.example", 100); /* evicts a[4] */
	assert_int_equal(rdns_cache_lookup(&c, &a[3], 1, out), RDNS_KNOWN);
	assert_string_equal(out, "h3.example");
	assert_int_equal(rdns_cache_lookup(&c, &a[4], 1, out), RDNS_MISS);
	assert_int_equal(rdns_cache_lookup(&c, &a[0], 1, out), RDNS_KNOWN);
	assert_int_equal(c.evicted, 5);
	rdns_cache_fini(&c);
}

/* Many addresses through a full cache: every chain stays consistent. */
static void
test_rdns_cache_many(void **state)
{
	(void)state;
	enum { CAP = 1000, N = 2500 };
	struct rdns_cache c;
	char out[RDNS_NAME_MAX], want[32];

	assert_int_equal(rdns_cache_init(&c, CAP, key), 0);
	for (int i = 0; i < N; i++) {
		struct dl_addr a = { .family = (uint8_t)(i % 2 ? 6 : 4) };
		a.a[0] = 10;
		a.a[2] = (uint8_t)(i >> 8);
		a.a[3] = (uint8_t)i;
		snprintf(want, sizeof(want), "n%d.example", i);
		rdns_cache_set_pending(&c, &a, 0);
		rdns_cache_set_answer(&c, &a, want, 10);
	}
	for (int i = 0; i < N; i++) {
		struct dl_addr a = { .family = (uint8_t)(i % 2 ? 6 : 4) };
		a.a[0] = 10;
		a.a[2] = (uint8_t)(i >> 8);
		a.a[3] = (uint8_t)i;
		snprintf(want, sizeof(want), "n%d.example", i);
		enum rdns_state st = rdns_cache_lookup(&c, &a, 5, out);
		if (i < N - CAP) {
			EXPECT(st == RDNS_MISS, "%d: state %d", i, st);
		} else {
			EXPECT(st == RDNS_KNOWN, "%d: state %d", i, st);
			EXPECT(strcmp(out, want) == 0, "%d: %s", i, out);
		}
	}
	EXPECT(c.evicted == N - CAP, "evicted %llu", (unsigned long long)c.evicted);
	rdns_cache_fini(&c);
	EXPECT_NONE();
}

/* ---- struct rdns without lookups: limits and a clean start and stop. ---- */

static void
test_rdns_new_limits(void **state)
{
	(void)state;
	char err[256];
	struct rdns_limits bad[] = {
		RDNS_LIMITS_DEFAULT, RDNS_LIMITS_DEFAULT, RDNS_LIMITS_DEFAULT, RDNS_LIMITS_DEFAULT,
		RDNS_LIMITS_DEFAULT, RDNS_LIMITS_DEFAULT, RDNS_LIMITS_DEFAULT,
	};
	bad[0].cache_entries = 0;
	bad[1].threads = 0;
	bad[2].threads = RDNS_THREADS_MAX + 1;
	bad[3].queue = 0;
	bad[4].ttl_s = 0;
	bad[5].negative_ttl_s = 0;
	bad[6].cache_entries = RDNS_CACHE_MAX + 1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		struct rdns *r = rdns_new(&bad[i], err, sizeof(err));
		EXPECT(r == NULL, "limits %zu accepted", i);
		EXPECT(strstr(err, "out of range") != NULL, "limits %zu: \"%s\"", i, err);
		rdns_free(r);
	}

	struct rdns_limits lim = RDNS_LIMITS_DEFAULT;
	assert_int_equal(lim.cache_entries, 4096);
	assert_int_equal(lim.threads, 2);
	assert_int_equal(lim.ttl_s, 3600);
	assert_int_equal(lim.negative_ttl_s, 300);
	assert_int_equal(lim.queue, 256);
	struct rdns *r = rdns_new(&lim, err, sizeof(err));
	assert_non_null(r);
	/* Not an address: known to have no name, and nothing is queued. */
	struct dl_addr none = { 0 };
	char out[RDNS_NAME_MAX] = "junk";
	assert_true(rdns_get(r, &none, 1, out));
	assert_string_equal(out, "");
	struct rdns_stats st;
	rdns_stats_get(r, &st);
	assert_int_equal(st.queued, 0);
	rdns_free(r);
	rdns_free(NULL);
	EXPECT_NONE();
}

/* ---- Live: the system resolver in rdns.sh's namespace. ---- */

static bool
live(void)
{
	const char *v = getenv("DL_RDNS_LIVE");
	return v != NULL && strcmp(v, "1") == 0;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Ask until known (at most ~5 s); the answer's name in out. */
static bool
wait_known(struct rdns *r, const char *addr, uint64_t now, char out[static RDNS_NAME_MAX])
{
	struct dl_addr a = ip(addr);

	for (int i = 0; i < 250; i++) {
		if (rdns_get(r, &a, now, out))
			return true;
		sleep_ms(20);
	}
	return false;
}

/* Known names, no PTR, garbage PTRs; each first pending, then known; TTLs from the caller. */
static void
test_rdns_live_names(void **state)
{
	(void)state;
	assert_true(live());
	struct rdns_limits lim = RDNS_LIMITS_DEFAULT;
	char err[256], out[RDNS_NAME_MAX];
	struct rdns_stats st;
	struct rdns *r = rdns_new(&lim, err, sizeof(err));
	assert_non_null(r);
	const uint64_t now = 1000;

	/* Pending first, and asking again does not queue it twice. */
	struct dl_addr a10 = ip("192.0.2.10");
	EXPECT(!rdns_get(r, &a10, now, out), "192.0.2.10 known at once");
	EXPECT(out[0] == '\0', "pending with a name");
	(void)rdns_get(r, &a10, now, out);
	(void)rdns_get(r, &a10, now, out);
	rdns_stats_get(r, &st);
	EXPECT(st.queued == 1, "192.0.2.10 queued %llu times", (unsigned long long)st.queued);
	EXPECT(wait_known(r, "192.0.2.10", now, out), "192.0.2.10 never known");
	EXPECT(strcmp(out, "host10.example.test") == 0, "192.0.2.10: \"%s\"", out);

	static const struct {
		const char *addr;
		const char *want;
	} cases[] = {
		{ "2001:db8::10", "host-v6.example.test" }, /* PTR in upper case, lowercased */
		{ "192.0.2.11", "a-very-long-label-0123456789.example.test" },
		{ "192.0.2.20", "" },   /* no PTR record */
		{ "2001:db8::20", "" }, /* no PTR record */
		{ "192.0.2.30", "" },   /* PTR bad_name.example.test. */
		{ "192.0.2.31", "" },   /* PTR with a space and a slash */
		{ "192.0.2.32", "" },   /* PTR with a non-ASCII byte */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'Z', sizeof(out));
		bool known = wait_known(r, cases[i].addr, now, out);
		EXPECT(known, "%s never known", cases[i].addr);
		EXPECT(known && strcmp(out, cases[i].want) == 0, "%s: \"%.60s\", want \"%s\"",
		       cases[i].addr, out, cases[i].want);
	}
	rdns_stats_get(r, &st);
	EXPECT(st.found == 3 && st.no_name == 5 && st.dropped == 0,
	       "found %llu no_name %llu dropped %llu", (unsigned long long)st.found,
	       (unsigned long long)st.no_name, (unsigned long long)st.dropped);

	/* After the negative TTL "no name" is asked again; the name still holds. */
	struct dl_addr a20 = ip("192.0.2.20");
	EXPECT(rdns_get(r, &a20, now + 299, out), "negative answer gone before its TTL");
	EXPECT(!rdns_get(r, &a20, now + 300, out), "negative answer kept past its TTL");
	EXPECT(rdns_get(r, &a10, now + 3599, out) && strcmp(out, "host10.example.test") == 0,
	       "name gone before its TTL");
	EXPECT(!rdns_get(r, &a10, now + 3600, out), "name kept past its TTL");
	EXPECT(wait_known(r, "192.0.2.10", now + 3600, out) &&
		   strcmp(out, "host10.example.test") == 0,
	       "192.0.2.10 not found again: \"%s\"", out);
	rdns_stats_get(r, &st);
	EXPECT(st.queued == 10, "queued %llu", (unsigned long long)st.queued);
	rdns_free(r);
	EXPECT_NONE();
}

/*
 * A resolver that does not answer (rdns.sh routes 198.51.100.0/24's reverse zone to a server
 * that drops every query): with one worker and a queue of one, the first address occupies the
 * worker, the second waits, the third is dropped -- and rdns_get never blocks meanwhile.
 */
static void
test_rdns_live_slow(void **state)
{
	(void)state;
	assert_true(live());
	struct rdns_limits lim = RDNS_LIMITS_DEFAULT;
	lim.threads = 1;
	lim.queue = 1;
	char err[256], out[RDNS_NAME_MAX];
	struct rdns_stats st;
	struct rdns *r = rdns_new(&lim, err, sizeof(err));
	assert_non_null(r);
	struct dl_addr s1 = ip("198.51.100.1"), s2 = ip("198.51.100.2"), s3 = ip("198.51.100.3");

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT(!rdns_get(r, &s1, 1, out), "198.51.100.1 known at once");
	sleep_ms(200); /* the worker takes it off the queue and waits for the resolver */
	EXPECT(!rdns_get(r, &s2, 1, out), "198.51.100.2 known at once");
	EXPECT(!rdns_get(r, &s3, 1, out), "198.51.100.3 known at once");
	EXPECT(!rdns_get(r, &s1, 1, out), "198.51.100.1 known");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double calls_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	rdns_stats_get(r, &st);
	EXPECT(st.queued == 2 && st.dropped == 1, "queued %llu dropped %llu",
	       (unsigned long long)st.queued, (unsigned long long)st.dropped);
	EXPECT(calls_s < 0.5, "rdns_get blocked: %.3f s for four calls and a 0.2 s sleep", calls_s);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rdns_free(r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double free_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("# rdns_free with a lookup in flight took %.2f s\n", free_s);
	EXPECT_NONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_rdns_name_clean),  TEST(test_rdns_cache_basic),
		TEST(test_rdns_cache_evict), TEST(test_rdns_cache_many),
		TEST(test_rdns_new_limits),
	};
	const struct CMUnitTest live_tests[] = {
		TEST(test_rdns_live_names),
		TEST(test_rdns_live_slow),
	};

	/* In rdns.sh's namespace only the live tests run; the pure ones run under tests/run.sh. */
	if (live())
		return cmocka_run_group_tests_name("rdns-live", live_tests, NULL, NULL);
	return cmocka_run_group_tests_name("rdns", tests, NULL, NULL);
}
