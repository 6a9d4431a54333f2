/* test_store.c -- the memory store: order, caps, expiry and the exact drop counters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "testid.h"

#define T0 1700000000u	/* creation time of most test ids */
#define TTL 600u

static const uint8_t key[TESTID_KEY_LEN] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

static struct store_limits
limits(size_t max_tests, size_t max_obs, size_t max_bytes)
{
	return (struct store_limits){
		.max_tests = max_tests,
		.max_obs_per_test = max_obs,
		.max_bytes = max_bytes,
		.ttl_s = TTL,
	};
}

static struct store *
new_store(size_t max_tests, size_t max_obs, size_t max_bytes)
{
	struct store_limits lim = limits(max_tests, max_obs, max_bytes);
	struct store *s = store_memory_new(&lim);

	assert_non_null(s);
	return s;
}

/* Test number k, created at `created`: k only decides the random bytes, so ids differ. */
static void
make_id(uint32_t k, uint32_t created, uint8_t id[TESTID_LEN])
{
	uint8_t rnd[TESTID_RANDOM_LEN] = { 0 };

	memcpy(rnd, &k, sizeof(k));
	testid_make(key, created, rnd, id);
}

/* Observation number seq for id; seq goes into time_us and port so order can be checked. */
static struct observation
make_obs(const uint8_t id[TESTID_LEN], uint32_t seq)
{
	struct observation o = { 0 };

	memcpy(o.id, id, TESTID_LEN);
	o.time_us = 1000000ull * T0 + seq;
	o.port = (uint16_t)seq;
	o.family = 4;
	o.transport = OBS_UDP;
	o.name = OBS_PROBE;
	return o;
}

static void
put1(struct store *s, const uint8_t id[TESTID_LEN], uint32_t seq, uint64_t now_s)
{
	struct observation o = make_obs(id, seq);

	store_put(s, &o, 1, now_s);
}

/* Get id at now_s and check it holds exactly the observations seq first..first+n-1. */
static void
expect_seq(struct store *s, const uint8_t id[TESTID_LEN], uint64_t now_s, uint32_t first,
	   size_t n)
{
	struct observation *got = NULL;
	size_t ngot = 0;

	assert_int_equal(store_get(s, id, now_s, &got, &ngot), DL_E_OK);
	assert_int_equal(ngot, n);
	if (n == 0) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	for (size_t i = 0; i < n; i++) {
		struct observation want = make_obs(id, first + (uint32_t)i);
		assert_memory_equal(&got[i], &want, sizeof(want));
	}
	free(got);
}

static struct store_stats
stats(struct store *s)
{
	struct store_stats st;

	store_get_stats(s, &st);
	return st;
}

static void
test_round_trip(void **state)
{
	(void)state;
	struct store *s = new_store(16, 100, 1u << 20);
	uint8_t id[TESTID_LEN];
	struct observation batch[5];

	make_id(1, T0, id);
	for (uint32_t i = 0; i < 5; i++)
		batch[i] = make_obs(id, i);
	store_put(s, batch, 3, T0);
	store_put(s, batch + 3, 2, T0 + 1);
	store_put(s, batch, 0, T0 + 1);
	expect_seq(s, id, T0 + 2, 0, 5);

	struct store_stats st = stats(s);
	assert_int_equal(st.stored, 5);
	assert_int_equal(st.live_tests, 1);
	assert_true(st.bytes > 5 * sizeof(struct observation));
	store_free(s);
}

static void
test_interleaved(void **state)
{
	(void)state;
	struct store *s = new_store(16, 100, 1u << 20);
	uint8_t ids[3][TESTID_LEN];
	struct observation batch[3 * 20];
	size_t nb = 0;

	for (uint32_t k = 0; k < 3; k++)
		make_id(k, T0, ids[k]);
	/* One batch mixing all tests, round robin, crossing several array growths. */
	for (uint32_t i = 0; i < 20; i++) {
		for (uint32_t k = 0; k < 3; k++)
			batch[nb++] = make_obs(ids[k], 100 * k + i);
	}
	store_put(s, batch, nb, T0);
	for (uint32_t k = 0; k < 3; k++)
		expect_seq(s, ids[k], T0, 100 * k, 20);

	struct store_stats st = stats(s);
	assert_int_equal(st.stored, 60);
	assert_int_equal(st.live_tests, 3);
	store_free(s);
}

/* The array grows by doubling and the accounting follows its capacity exactly. */
static void
test_growth_accounting(void **state)
{
	(void)state;
	struct store *s = new_store(16, 1000, 1u << 24);
	uint8_t id[TESTID_LEN];
	uint64_t prev = 0;
	size_t growths = 0;

	make_id(1, T0, id);
	for (uint32_t i = 0; i < 1000; i++) {
		put1(s, id, i, T0);
		uint64_t b = stats(s).bytes;
		if (i > 0 && b != prev) {
			/* Growth happens only when full, and adds whole observations. */
			assert_true(b > prev);
			assert_int_equal((b - prev) % sizeof(struct observation), 0);
			growths++;
		}
		prev = b;
	}
	/* 8 -> 16 -> ... -> 512 -> 1000 (clamped to the cap). */
	assert_int_equal(growths, 7);
	expect_seq(s, id, T0, 0, 1000);
	store_free(s);
}

static void
test_per_test_cap(void **state)
{
	(void)state;
	struct store *s = new_store(16, 10, 1u << 20);
	uint8_t a[TESTID_LEN], b[TESTID_LEN];

	make_id(1, T0, a);
	make_id(2, T0, b);
	for (uint32_t i = 0; i < 25; i++)
		put1(s, a, i, T0);
	/* The first max_obs_per_test are kept; a full test does not affect others. */
	expect_seq(s, a, T0, 0, 10);
	put1(s, b, 0, T0);
	expect_seq(s, b, T0, 0, 1);

	struct store_stats st = stats(s);
	assert_int_equal(st.stored, 11);
	assert_int_equal(st.dropped_test_full, 15);
	assert_int_equal(st.dropped_tests_max, 0);
	assert_int_equal(st.dropped_bytes, 0);
	store_free(s);
}

static void
test_zero_obs_cap(void **state)
{
	(void)state;
	struct store *s = new_store(16, 0, 1u << 20);
	uint8_t a[TESTID_LEN];

	make_id(1, T0, a);
	put1(s, a, 0, T0);
	expect_seq(s, a, T0, 0, 0);

	struct store_stats st = stats(s);
	assert_int_equal(st.dropped_test_full, 1);
	assert_int_equal(st.live_tests, 0);
	assert_int_equal(st.bytes, 0);
	store_free(s);
}

static void
test_max_tests(void **state)
{
	(void)state;
	struct store *s = new_store(3, 100, 1u << 20);
	uint8_t ids[5][TESTID_LEN];

	/* Tests 0..2 made at T0, 3 and 4 later so that only the first three expire below. */
	for (uint32_t k = 0; k < 5; k++)
		make_id(k, k < 3 ? T0 : T0 + 100, ids[k]);
	for (uint32_t k = 0; k < 3; k++)
		put1(s, ids[k], k, T0 + 100);
	put1(s, ids[3], 3, T0 + 100);
	put1(s, ids[3], 4, T0 + 100);
	expect_seq(s, ids[3], T0 + 100, 0, 0);
	/* Tests already live still take observations. */
	put1(s, ids[0], 5, T0 + 100);

	struct store_stats st = stats(s);
	assert_int_equal(st.live_tests, 3);
	assert_int_equal(st.dropped_tests_max, 2);
	assert_int_equal(st.stored, 4);

	/* Expiry frees slots for new tests. */
	store_expire(s, T0 + TTL + 1);
	put1(s, ids[3], 6, T0 + TTL + 1);
	put1(s, ids[4], 7, T0 + TTL + 1);
	expect_seq(s, ids[3], T0 + TTL + 1, 6, 1);
	expect_seq(s, ids[4], T0 + TTL + 1, 7, 1);
	st = stats(s);
	assert_int_equal(st.live_tests, 2);
	assert_int_equal(st.tests_expired, 3);
	assert_int_equal(st.dropped_tests_max, 2);
	store_free(s);
}

static void
test_max_bytes(void **state)
{
	(void)state;
	uint8_t a[TESTID_LEN], b[TESTID_LEN];

	make_id(1, T0, a);
	make_id(2, T0 + 10, b);

	/* What one fresh test costs: entry plus its first array. */
	struct store *s = new_store(16, 1000, 1u << 20);
	put1(s, a, 0, T0);
	uint64_t one = stats(s).bytes;
	store_free(s);
	assert_true(one > sizeof(struct observation));

	s = new_store(16, 1000, (size_t)one);
	for (uint32_t i = 0; i < 100; i++)
		put1(s, a, i, T0);
	struct store_stats st = stats(s);
	/* The first array filled up; its growth would pass max_bytes. */
	assert_true(st.stored >= 1 && st.stored < 100);
	assert_int_equal(st.dropped_bytes, 100 - st.stored);
	assert_int_equal(st.bytes, one);
	expect_seq(s, a, T0, 0, (size_t)st.stored);
	uint64_t kept = st.stored;

	/* A new test does not fit either, and does not take a test slot. */
	put1(s, b, 0, T0);
	st = stats(s);
	assert_int_equal(st.dropped_bytes, 100 - kept + 1);
	assert_int_equal(st.live_tests, 1);
	expect_seq(s, b, T0, 0, 0);

	/* Expiring a gives its bytes back. */
	store_expire(s, T0 + TTL + 1);
	assert_int_equal(stats(s).bytes, 0);
	put1(s, b, 0, T0 + TTL + 1);
	expect_seq(s, b, T0 + TTL + 1, 0, 1);
	assert_int_equal(stats(s).bytes, one);

	/* Not even room for an entry. */
	store_free(s);
	s = new_store(16, 1000, 1);
	put1(s, a, 0, T0);
	st = stats(s);
	assert_int_equal(st.dropped_bytes, 1);
	assert_int_equal(st.live_tests, 0);
	assert_int_equal(st.bytes, 0);
	store_free(s);
}

static void
test_expire(void **state)
{
	(void)state;
	struct store *s = new_store(16, 100, 1u << 20);
	uint8_t old[TESTID_LEN], young[TESTID_LEN];

	make_id(1, T0, old);
	make_id(2, T0 + 100, young);
	put1(s, old, 0, T0 + 100);
	put1(s, old, 1, T0 + 100);
	put1(s, young, 2, T0 + 100);

	/* created + ttl is still alive; one second later it is not. */
	store_expire(s, T0 + TTL);
	assert_int_equal(stats(s).live_tests, 2);
	expect_seq(s, old, T0 + TTL, 0, 2);
	/* Expired by the clock even before store_expire() removes it. */
	expect_seq(s, old, T0 + TTL + 1, 0, 0);

	store_expire(s, T0 + TTL + 1);
	struct store_stats st = stats(s);
	assert_int_equal(st.live_tests, 1);
	assert_int_equal(st.tests_expired, 1);
	expect_seq(s, old, T0 + TTL + 1, 0, 0);
	expect_seq(s, young, T0 + TTL + 1, 2, 1);

	store_expire(s, T0 + 100 + TTL + 1);
	st = stats(s);
	assert_int_equal(st.live_tests, 0);
	assert_int_equal(st.tests_expired, 2);
	assert_int_equal(st.bytes, 0);
	expect_seq(s, young, T0 + 100 + TTL + 1, 0, 0);
	store_free(s);
}

static void
test_put_expired(void **state)
{
	(void)state;
	struct store *s = new_store(16, 100, 1u << 20);
	uint8_t id[TESTID_LEN];

	make_id(1, T0, id);
	put1(s, id, 0, T0 + TTL + 1);
	put1(s, id, 1, T0 + TTL);
	/* The entry lingers until store_expire(); a late put must not add to it. */
	put1(s, id, 2, T0 + TTL + 1);

	struct store_stats st = stats(s);
	assert_int_equal(st.dropped_expired, 2);
	assert_int_equal(st.stored, 1);
	assert_int_equal(st.live_tests, 1);
	expect_seq(s, id, T0 + TTL, 1, 1);
	store_free(s);
}

static void
test_get_unknown(void **state)
{
	(void)state;
	struct store *s = new_store(16, 100, 1u << 20);
	uint8_t id[TESTID_LEN], other[TESTID_LEN];
	struct observation dummy;
	struct observation *got = &dummy;
	size_t n = 99;

	make_id(1, T0, id);
	make_id(2, T0, other);
	assert_int_equal(store_get(s, id, T0, &got, &n), DL_E_OK);
	assert_null(got);
	assert_int_equal(n, 0);

	put1(s, other, 0, T0);
	got = &dummy;
	n = 99;
	assert_int_equal(store_get(s, id, T0, &got, &n), DL_E_OK);
	assert_null(got);
	assert_int_equal(n, 0);
	store_free(s);
}

/* Every counter, after a mix of every kind of drop. */
static void
test_stats_exact(void **state)
{
	(void)state;
	struct store *s = new_store(2, 3, 1u << 20);
	uint8_t a[TESTID_LEN], b[TESTID_LEN], c[TESTID_LEN], late[TESTID_LEN];
	struct observation batch[12];
	size_t n = 0;

	make_id(1, T0, a);
	make_id(2, T0 + 50, b);
	make_id(3, T0, c);
	make_id(4, T0 - TTL - 1, late);
	for (uint32_t i = 0; i < 5; i++)
		batch[n++] = make_obs(a, i);	/* 3 stored, 2 test full */
	batch[n++] = make_obs(b, 10);		/* stored */
	batch[n++] = make_obs(c, 20);		/* tests max */
	batch[n++] = make_obs(late, 30);	/* expired */
	batch[n++] = make_obs(c, 21);		/* tests max */
	batch[n++] = make_obs(b, 11);		/* stored */
	store_put(s, batch, n, T0);

	struct store_stats st = stats(s);
	assert_int_equal(st.stored, 5);
	assert_int_equal(st.dropped_test_full, 2);
	assert_int_equal(st.dropped_tests_max, 2);
	assert_int_equal(st.dropped_bytes, 0);
	assert_int_equal(st.dropped_expired, 1);
	assert_int_equal(st.tests_expired, 0);
	assert_int_equal(st.live_tests, 2);
	assert_true(st.bytes > 0);

	store_expire(s, T0 + TTL + 1);
	st = stats(s);
	assert_int_equal(st.tests_expired, 1);
	assert_int_equal(st.live_tests, 1);
	expect_seq(s, b, T0 + TTL + 1, 10, 2);
	store_free(s);
}

/* Many tests share buckets; removing some from the middle of chains must keep the rest. */
static void
test_many_tests_chains(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct store *s = new_store(N, 10, 1u << 26);
	uint8_t id[TESTID_LEN];

	for (uint32_t k = 0; k < N; k++) {
		make_id(k, k % 2 ? T0 + 100 : T0, id);
		put1(s, id, k, T0 + 100);
		put1(s, id, k + 1, T0 + 100);
	}
	assert_int_equal(stats(s).live_tests, N);
	store_expire(s, T0 + TTL + 1);
	assert_int_equal(stats(s).live_tests, N / 2);
	assert_int_equal(stats(s).tests_expired, N / 2);
	for (uint32_t k = 0; k < N; k++) {
		make_id(k, k % 2 ? T0 + 100 : T0, id);
		expect_seq(s, id, T0 + 100, k, k % 2 ? 2 : 0);
	}
	/* store_free() releases whatever is still live (ASan checks for leaks). */
	store_free(s);
}

struct reader_arg {
	struct store *s;
	uint8_t id[TESTID_LEN];
};

static void *
reader(void *p)
{
	struct reader_arg *ra = p;

	for (int i = 0; i < 2000; i++) {
		struct observation *got = NULL;
		size_t n = 0;
		if (store_get(ra->s, ra->id, T0, &got, &n) != DL_E_OK)
			return p;
		/* Arrival order is seq order, whatever the reader catches mid-way. */
		for (size_t j = 0; j < n; j++) {
			if ((size_t)got[j].port != j) {
				free(got);
				return p;
			}
		}
		free(got);
	}
	return NULL;
}

/* A putting thread and a getting thread: ASan/UBSan must stay quiet, order must hold. */
static void
test_threads(void **state)
{
	(void)state;
	struct store *s = new_store(16, 1000, 1u << 24);
	struct reader_arg ra = { .s = s };
	pthread_t t;
	void *res = &ra;

	make_id(1, T0, ra.id);
	assert_int_equal(pthread_create(&t, NULL, reader, &ra), 0);
	for (uint32_t i = 0; i < 1000; i++)
		put1(s, ra.id, i, T0);
	assert_int_equal(pthread_join(t, &res), 0);
	assert_null(res);
	expect_seq(s, ra.id, T0, 0, 1000);
	store_free(s);
}

static void
test_free_null(void **state)
{
	(void)state;
	store_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_growth_accounting),
		cmocka_unit_test(test_per_test_cap),
		cmocka_unit_test(test_zero_obs_cap),
		cmocka_unit_test(test_max_tests),
		cmocka_unit_test(test_max_bytes),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_put_expired),
		cmocka_unit_test(test_get_unknown),
		cmocka_unit_test(test_stats_exact),
		cmocka_unit_test(test_many_tests_chains),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
