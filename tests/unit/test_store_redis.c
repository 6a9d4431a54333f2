/* test_store_redis.c -- the redis store's record codec (obscodec.c): layout, round trip, and
 * every way a stored value can be wrong. The store itself runs against a real Redis in
 * tests/integration/redis.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "obscodec.h"

/* Every field different from zero and from each other, so a swapped field shows. */
static struct observation
sample(void)
{
	struct observation o;

	memset(&o, 0, sizeof(o));
	o.time_us = 0x0102030405060708ull;
	for (size_t i = 0; i < TESTID_LEN; i++)
		o.id[i] = (uint8_t)(0x10 + i);
	strcpy(o.nonce, "abcdefghij0123456789"); /* ZONE_NONCE_MAX characters */
	o.name = OBS_PROBE_NS6;
	o.transport = OBS_TCP;
	o.family = 6;
	o.flags = OBS_F_EDNS | OBS_F_DO | OBS_F_CASE;
	for (size_t i = 0; i < 16; i++)
		o.addr[i] = (uint8_t)(0x20 + i);
	o.port = 0x3132;
	o.qtype = 0x3334;
	o.edns_udp_size = 0x3536;
	o.node = 0x3738;
	o.ecs_family = 6;
	o.ecs_source_prefix = 56;
	for (size_t i = 0; i < 16; i++)
		o.ecs_addr[i] = (uint8_t)(0x40 + i);
	return o;
}

static void
assert_same(const struct observation *a, const struct observation *b)
{
	assert_true(a->time_us == b->time_us);
	assert_memory_equal(a->id, b->id, TESTID_LEN);
	assert_string_equal(a->nonce, b->nonce);
	assert_int_equal(a->name, b->name);
	assert_int_equal(a->transport, b->transport);
	assert_int_equal(a->family, b->family);
	assert_int_equal(a->flags, b->flags);
	assert_memory_equal(a->addr, b->addr, 16);
	assert_int_equal(a->port, b->port);
	assert_int_equal(a->qtype, b->qtype);
	assert_int_equal(a->edns_udp_size, b->edns_udp_size);
	assert_int_equal(a->node, b->node);
	assert_int_equal(a->ecs_family, b->ecs_family);
	assert_int_equal(a->ecs_source_prefix, b->ecs_source_prefix);
	assert_memory_equal(a->ecs_addr, b->ecs_addr, 16);
}

/* The documented layout, byte by byte: network order, nothing of the struct's padding. */
static void
test_layout(void **state)
{
	struct observation o = sample();
	uint8_t b[OBSCODEC_LEN];

	(void)state;
	memset(b, 0xee, sizeof(b));
	obscodec_encode(&o, b);
	assert_int_equal(b[0], OBSCODEC_VERSION);
	static const uint8_t t[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	assert_memory_equal(b + 1, t, 8);
	assert_memory_equal(b + 9, o.id, TESTID_LEN);
	assert_int_equal(b[25], 20);
	assert_memory_equal(b + 26, "abcdefghij0123456789", 20);
	assert_int_equal(b[46], OBS_PROBE_NS6);
	assert_int_equal(b[47], OBS_TCP);
	assert_int_equal(b[48], 6);
	assert_int_equal(b[49], OBS_F_EDNS | OBS_F_DO | OBS_F_CASE);
	assert_memory_equal(b + 50, o.addr, 16);
	static const uint8_t u16s[8] = { 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38 };
	assert_memory_equal(b + 66, u16s, 8);
	assert_int_equal(b[74], 6);
	assert_int_equal(b[75], 56);
	assert_memory_equal(b + 76, o.ecs_addr, 16);

	/* A short nonce is zero-padded: the same observation always packs to the same bytes. */
	strcpy(o.nonce, "p1");
	obscodec_encode(&o, b);
	assert_int_equal(b[25], 2);
	static const uint8_t pad[18] = { 0 };
	assert_memory_equal(b + 28, pad, sizeof(pad));
}

static void
test_round_trip(void **state)
{
	struct observation o = sample(), got;
	uint8_t b[OBSCODEC_LEN];

	(void)state;
	obscodec_encode(&o, b);
	assert_int_equal(obscodec_decode(b, sizeof(b), &got), DL_E_OK);
	assert_same(&o, &got);

	/* The extremes of each field and the other observation kinds. */
	memset(&o, 0, sizeof(o));
	o.time_us = UINT64_MAX;
	o.name = OBS_WEBRTC_REPORT;
	o.transport = OBS_WEBRTC;
	o.family = 0;
	o.port = 65535;
	o.node = 65535;
	o.qtype = 65535;
	o.edns_udp_size = 65535;
	obscodec_encode(&o, b);
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(obscodec_decode(b, sizeof(b), &got), DL_E_OK);
	assert_same(&o, &got);
	assert_string_equal(got.nonce, "");

	o = sample();
	o.name = OBS_EXIT_V4;
	o.transport = OBS_HTTP;
	o.family = 4;
	o.ecs_family = 4;
	o.ecs_source_prefix = 32;
	strcpy(o.nonce, "v4");
	obscodec_encode(&o, b);
	assert_int_equal(obscodec_decode(b, sizeof(b), &got), DL_E_OK);
	assert_same(&o, &got);
}

/* Each field on its own reaches the decoded observation (no field is dropped or shared). */
static void
test_every_field(void **state)
{
	struct observation base = sample();
	uint8_t b0[OBSCODEC_LEN], b[OBSCODEC_LEN];

	(void)state;
	obscodec_encode(&base, b0);
	for (int f = 0; f < 15; f++) {
		struct observation o = base, got;
		switch (f) {
		case 0:
			o.time_us ^= 1ull << 63;
			break;
		case 1:
			o.id[TESTID_LEN - 1] ^= 0xff;
			break;
		case 2:
			strcpy(o.nonce, "zz9");
			break;
		case 3:
			o.name = OBS_CAND_RELAY;
			break;
		case 4:
			o.transport = OBS_UDP;
			break;
		case 5:
			o.family = 4;
			break;
		case 6:
			o.flags = 0xff;
			break;
		case 7:
			o.addr[15] ^= 0xff;
			break;
		case 8:
			o.port ^= 0x8000;
			break;
		case 9:
			o.qtype = 28;
			break;
		case 10:
			o.edns_udp_size = 512;
			break;
		case 11:
			o.node = 1;
			break;
		case 12:
			o.ecs_family = 0, o.ecs_source_prefix = 0;
			break;
		case 13:
			o.ecs_source_prefix = 128;
			break;
		default:
			o.ecs_addr[0] ^= 0xff;
			break;
		}
		obscodec_encode(&o, b);
		assert_memory_not_equal(b, b0, OBSCODEC_LEN);
		assert_int_equal(obscodec_decode(b, sizeof(b), &got), DL_E_OK);
		assert_same(&o, &got);
	}
}

/* Only exactly one record of exactly OBSCODEC_LEN bytes; the output is left alone otherwise. */
static void
test_wrong_sizes(void **state)
{
	struct observation o = sample(), got, untouched;
	uint8_t b[OBSCODEC_LEN * 2 + 1];

	(void)state;
	obscodec_encode(&o, b);
	obscodec_encode(&o, b + OBSCODEC_LEN);
	b[OBSCODEC_LEN * 2] = 0;
	memset(&got, 0x5a, sizeof(got));
	untouched = got;
	static const size_t sizes[] = {
		0, 1, 25, OBSCODEC_LEN - 1, OBSCODEC_LEN + 1, OBSCODEC_LEN * 2, OBSCODEC_LEN * 2 + 1
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* An exact-size heap copy: ASan catches any read past the end. */
		uint8_t *copy = malloc(sizes[i] > 0 ? sizes[i] : 1);
		assert_non_null(copy);
		memcpy(copy, b, sizes[i]);
		assert_int_equal(obscodec_decode(copy, sizes[i], &got), DL_E_FORMAT);
		assert_memory_equal(&got, &untouched, sizeof(got));
		free(copy);
	}
	uint8_t *copy = malloc(OBSCODEC_LEN);
	assert_non_null(copy);
	memcpy(copy, b, OBSCODEC_LEN);
	assert_int_equal(obscodec_decode(copy, OBSCODEC_LEN, &got), DL_E_OK);
	free(copy);
}

/* Values no dnsleakd writes: refused, so planted bytes never reach the results code. */
static void
test_bad_fields(void **state)
{
	static const struct {
		size_t off;
		uint8_t val;
	} cases[] = {
		{ 0, 0 }, /* version */
		{ 0, 2 },
		{ 25, ZONE_NONCE_MAX + 1 }, /* nonce length */
		{ 25, 255 },
		{ 26, 0 }, /* a NUL inside the nonce */
		{ 46, 0 }, /* name */
		{ 46, OBS_CAND_RELAY + 1 },
		{ 47, 0 }, /* transport */
		{ 47, OBS_WEBRTC + 1 },
		{ 48, 5 }, /* family */
		{ 48, 255 },
		{ 74, 1 },   /* ECS family */
		{ 75, 129 }, /* ECS prefix longer than IPv6 */
	};
	struct observation o = sample(), got;
	uint8_t b0[OBSCODEC_LEN], b[OBSCODEC_LEN];

	(void)state;
	obscodec_encode(&o, b0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(b, b0, sizeof(b));
		b[cases[i].off] = cases[i].val;
		if (obscodec_decode(b, sizeof(b), &got) != DL_E_FORMAT)
			fail_msg("byte %zu = %u accepted", cases[i].off, cases[i].val);
	}

	/* A short nonce must be followed by zeros only. */
	strcpy(o.nonce, "p1");
	obscodec_encode(&o, b);
	b[26 + 5] = 'x';
	assert_int_equal(obscodec_decode(b, sizeof(b), &got), DL_E_FORMAT);

	/* An IPv4 ECS prefix is at most 32; without ECS the prefix is 0. */
	o = sample();
	o.ecs_family = 4;
	o.ecs_source_prefix = 33;
	obscodec_encode(&o, b);
	assert_int_equal(obscodec_decode(b, sizeof(b), &got), DL_E_FORMAT);
	o.ecs_family = 0;
	o.ecs_source_prefix = 1;
	obscodec_encode(&o, b);
	assert_int_equal(obscodec_decode(b, sizeof(b), &got), DL_E_FORMAT);
}

/*
 * Random bytes of the right length: the decoder either refuses them or accepts a record that
 * packs back to exactly the same bytes (one encoding per observation, nothing ignored).
 */
static void
test_random_canonical(void **state)
{
	uint8_t b[OBSCODEC_LEN], again[OBSCODEC_LEN];
	struct observation got;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned accepted = 0;

	(void)state;
	for (int round = 0; round < 200000; round++) {
		for (size_t i = 0; i < sizeof(b); i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			b[i] = (uint8_t)x;
		}
		/* Steer half of the rounds to plausible headers so acceptance is exercised too. */
		if (round & 1) {
			b[0] = OBSCODEC_VERSION;
			b[25] = b[25] % (ZONE_NONCE_MAX + 1);
			for (size_t i = 0; i < ZONE_NONCE_MAX; i++)
				b[26 + i] = i < b[25] ? (uint8_t)('a' + b[26 + i] % 26) : 0;
			b[46] = (uint8_t)(1 + b[46] % OBS_CAND_RELAY);
			b[47] = (uint8_t)(1 + b[47] % OBS_WEBRTC);
			b[48] = (uint8_t)(b[48] % 3 == 0 ? 0 : b[48] % 3 == 1 ? 4 : 6);
			b[74] = (uint8_t)(b[74] % 3 == 0 ? 0 : b[74] % 3 == 1 ? 4 : 6);
			b[75] = (uint8_t)(b[74] == 0 ? 0 : b[75] % 33);
		}
		if (obscodec_decode(b, sizeof(b), &got) != DL_E_OK)
			continue;
		accepted++;
		obscodec_encode(&got, again);
		assert_memory_equal(b, again, sizeof(b));
	}
	assert_true(accepted > 50000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),      cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_field), cmocka_unit_test(test_wrong_sizes),
		cmocka_unit_test(test_bad_fields),  cmocka_unit_test(test_random_canonical),
	};
	return cmocka_run_group_tests_name("store_redis", tests, NULL, NULL);
}
