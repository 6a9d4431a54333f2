/* test_results.c -- the results JSON document: times, names, ECS text, grouping and fields. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

#define ID_TEXT "aaaaaaaaaaaaaaaaaaaaaaaaaa"
#define T0 1714564800000000ull /* 2024-05-01T12:00:00Z in microseconds */

static struct observation
obs_make(const char *addr, uint16_t port, uint64_t time_us, uint16_t qtype)
{
	struct observation o;

	memset(&o, 0, sizeof(o));
	o.time_us = time_us;
	snprintf(o.nonce, sizeof(o.nonce), "abc123");
	o.name = OBS_PROBE;
	o.transport = OBS_UDP;
	if (inet_pton(AF_INET, addr, o.addr) == 1) {
		o.family = 4;
	} else {
		assert_int_equal(inet_pton(AF_INET6, addr, o.addr), 1);
		o.family = 6;
	}
	o.port = port;
	o.qtype = qtype;
	return o;
}

static json_t *
build(const struct observation *obs, size_t n)
{
	json_t *doc = NULL;

	assert_int_equal(results_json(ID_TEXT, "leak.test", 1714564800, 1714565400, obs, n, &doc),
			 DL_E_OK);
	assert_non_null(doc);
	return doc;
}

static const char *
str_at(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	assert_non_null(v);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

static json_int_t
int_at(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	assert_non_null(v);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static bool
bool_at(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	assert_non_null(v);
	assert_true(json_is_boolean(v));
	return json_is_true(v);
}

static void
assert_null_at(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	assert_non_null(v); /* present, and null */
	assert_true(json_is_null(v));
}

/* The array at key as one comma-joined string, to compare in one assertion. */
static void
assert_strings(const json_t *obj, const char *key, const char *want)
{
	const json_t *arr = json_object_get(obj, key);
	char got[256] = "";
	size_t len = 0;
	size_t i;
	const json_t *v;

	assert_non_null(arr);
	assert_true(json_is_array(arr));
	json_array_foreach (arr, i, v) {
		assert_true(json_is_string(v));
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", i > 0 ? "," : "",
					json_string_value(v));
		assert_true(len < sizeof(got));
	}
	assert_string_equal(got, want);
}

static void
test_time_text(void **state)
{
	char s[RESULTS_TIME_MAX];

	(void)state;
	results_time_text(0, false, s);
	assert_string_equal(s, "1970-01-01T00:00:00Z");
	results_time_text(0, true, s);
	assert_string_equal(s, "1970-01-01T00:00:00.000Z");
	results_time_text(T0 + 123999, true, s);
	assert_string_equal(s, "2024-05-01T12:00:00.123Z"); /* truncated, not rounded */
	results_time_text(T0 + 123999, false, s);
	assert_string_equal(s, "2024-05-01T12:00:00Z");
	results_time_text(951782400ull * 1000000 + 1000, true, s);
	assert_string_equal(s, "2000-02-29T00:00:00.001Z");
	results_time_text(UINT64_MAX, true, s);
	assert_string_equal(s, "9999-12-31T23:59:59.999Z");
	results_time_text(UINT64_MAX, false, s);
	assert_string_equal(s, "9999-12-31T23:59:59Z");
}

static void
test_qtype_name(void **state)
{
	static const struct {
		uint16_t type;
		const char *name;
	} cases[] = {
		{ 1, "A" },     { 2, "NS" },       { 5, "CNAME" },        { 6, "SOA" },
		{ 12, "PTR" },  { 15, "MX" },      { 16, "TXT" },         { 28, "AAAA" },
		{ 43, "DS" },   { 255, "ANY" },    { 0, "TYPE0" },        { 65, "TYPE65" },
		{ 41, "TYPE41" }, { 65535, "TYPE65535" },
	};
	char s[RESULTS_QTYPE_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_ptr_equal(results_qtype_name(cases[i].type, s), s);
		assert_string_equal(s, cases[i].name);
	}
}

static void
ecs_case(uint8_t family, const char *addr, uint8_t prefix, const char *want)
{
	struct observation o;
	char s[RESULTS_ECS_MAX];

	memset(&o, 0, sizeof(o));
	o.ecs_family = family;
	o.ecs_source_prefix = prefix;
	assert_int_equal(inet_pton(family == 4 ? AF_INET : AF_INET6, addr, o.ecs_addr), 1);
	results_ecs_text(&o, s);
	assert_string_equal(s, want);
}

static void
test_ecs_text(void **state)
{
	struct observation o;
	char s[RESULTS_ECS_MAX];

	(void)state;
	ecs_case(4, "198.51.100.77", 24, "198.51.100.0/24");
	ecs_case(4, "198.51.111.5", 20, "198.51.96.0/20");
	ecs_case(4, "198.51.100.77", 32, "198.51.100.77/32");
	ecs_case(4, "198.51.100.77", 40, "198.51.100.77/32"); /* past the family: full length */
	ecs_case(4, "198.51.100.77", 0, "0.0.0.0/0");
	ecs_case(6, "2001:db8:1234:5678::1", 56, "2001:db8:1234:5600::/56");
	ecs_case(6, "2001:db8:ffff::1", 33, "2001:db8:8000::/33");
	ecs_case(6, "2001:db8::1", 128, "2001:db8::1/128");
	ecs_case(6, "2001:db8::1", 200, "2001:db8::1/128");

	memset(&o, 0xff, sizeof(o));
	o.ecs_family = 0;
	results_ecs_text(&o, s);
	assert_string_equal(s, "");
	o.ecs_family = 5;
	results_ecs_text(&o, s);
	assert_string_equal(s, "");
}

static void
test_empty(void **state)
{
	json_t *doc;

	(void)state;
	doc = build(NULL, 0);
	assert_int_equal(json_object_size(doc), 7);
	assert_string_equal(str_at(doc, "id"), ID_TEXT);
	assert_string_equal(str_at(doc, "zone"), "leak.test");
	assert_string_equal(str_at(doc, "created"), "2024-05-01T12:00:00Z");
	assert_string_equal(str_at(doc, "expires"), "2024-05-01T12:10:00Z");
	assert_int_equal(int_at(doc, "total"), 0);
	assert_true(json_is_array(json_object_get(doc, "resolvers")));
	assert_int_equal(json_array_size(json_object_get(doc, "resolvers")), 0);
	assert_true(json_is_array(json_object_get(doc, "observations")));
	assert_int_equal(json_array_size(json_object_get(doc, "observations")), 0);
	json_decref(doc);
}

static void
test_observation_fields(void **state)
{
	struct observation o = obs_make("2001:db8::53", 41234, T0 + 5123456, DNS_TYPE_AAAA);
	json_t *doc;
	const json_t *j;

	(void)state;
	snprintf(o.nonce, sizeof(o.nonce), "x7k2");
	o.name = OBS_PROBE_NS6;
	o.transport = OBS_TCP;
	o.flags = OBS_F_EDNS | OBS_F_DO | OBS_F_COOKIE | OBS_F_CASE | OBS_F_RD | OBS_F_REFERRAL;
	o.edns_udp_size = 1232;
	o.node = 7;
	o.ecs_family = 6;
	o.ecs_source_prefix = 48;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:aa:bb::", o.ecs_addr), 1);

	doc = build(&o, 1);
	assert_int_equal(int_at(doc, "total"), 1);
	j = json_array_get(json_object_get(doc, "observations"), 0);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 16);
	assert_string_equal(str_at(j, "time"), "2024-05-01T12:00:05.123Z");
	assert_string_equal(str_at(j, "nonce"), "x7k2");
	assert_string_equal(str_at(j, "name"), "ns6");
	assert_string_equal(str_at(j, "resolver"), "2001:db8::53");
	assert_int_equal(int_at(j, "port"), 41234);
	assert_int_equal(int_at(j, "family"), 6);
	assert_string_equal(str_at(j, "transport"), "tcp");
	assert_string_equal(str_at(j, "qtype"), "AAAA");
	assert_int_equal(int_at(j, "edns_udp_size"), 1232);
	assert_true(bool_at(j, "dnssec_ok"));
	assert_true(bool_at(j, "cookie"));
	assert_true(bool_at(j, "case_randomized"));
	assert_true(bool_at(j, "recursion_desired"));
	assert_true(bool_at(j, "referral"));
	assert_string_equal(str_at(j, "ecs"), "2001:db8:aa::/48");
	assert_int_equal(int_at(j, "node"), 7);

	j = json_array_get(json_object_get(doc, "resolvers"), 0);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 13);
	assert_string_equal(str_at(j, "address"), "2001:db8::53");
	assert_int_equal(int_at(j, "family"), 6);
	assert_int_equal(int_at(j, "queries"), 1);
	assert_strings(j, "transports", "tcp");
	assert_strings(j, "qtypes", "AAAA");
	assert_strings(j, "names", "ns6");
	assert_string_equal(str_at(j, "ecs"), "2001:db8:aa::/48");
	assert_int_equal(int_at(j, "edns_udp_size"), 1232);
	assert_true(bool_at(j, "dnssec_ok"));
	assert_true(bool_at(j, "cookie"));
	assert_true(bool_at(j, "case_randomized"));
	assert_string_equal(str_at(j, "first_seen"), "2024-05-01T12:00:05.123Z");
	assert_string_equal(str_at(j, "last_seen"), "2024-05-01T12:00:05.123Z");
	json_decref(doc);
}

static void
test_null_cases(void **state)
{
	struct observation o = obs_make("192.0.2.1", 53, T0, 99);
	json_t *doc;
	const json_t *j;

	(void)state;
	o.edns_udp_size = 4096; /* ignored: no OPT record */
	o.name = 0;
	o.transport = 9;
	o.nonce[1] = '\x01';
	o.nonce[2] = '"';
	doc = build(&o, 1);

	j = json_array_get(json_object_get(doc, "observations"), 0);
	assert_null_at(j, "edns_udp_size");
	assert_null_at(j, "ecs");
	assert_false(bool_at(j, "dnssec_ok"));
	assert_false(bool_at(j, "cookie"));
	assert_false(bool_at(j, "case_randomized"));
	assert_false(bool_at(j, "recursion_desired"));
	assert_false(bool_at(j, "referral"));
	assert_string_equal(str_at(j, "name"), "unknown");
	assert_string_equal(str_at(j, "transport"), "unknown");
	assert_string_equal(str_at(j, "qtype"), "TYPE99");
	assert_string_equal(str_at(j, "nonce"), "a?\"123");
	assert_int_equal(int_at(j, "family"), 4);

	j = json_array_get(json_object_get(doc, "resolvers"), 0);
	assert_null_at(j, "edns_udp_size");
	assert_null_at(j, "ecs");
	assert_false(bool_at(j, "dnssec_ok"));
	assert_false(bool_at(j, "cookie"));
	assert_false(bool_at(j, "case_randomized"));
	assert_strings(j, "transports", "");
	assert_strings(j, "names", "");
	assert_strings(j, "qtypes", "TYPE99");
	json_decref(doc);
}

static void
test_grouping(void **state)
{
	struct observation obs[6];
	json_t *doc;
	const json_t *res;
	const json_t *ob;
	const json_t *j;

	(void)state;
	/* A: 192.0.2.1 from two ports, both transports, several names, EDNS size from its first. */
	obs[0] = obs_make("192.0.2.1", 1111, T0 + 1000000, DNS_TYPE_AAAA);
	obs[0].flags = OBS_F_EDNS;
	obs[0].edns_udp_size = 1232;
	obs[1] = obs_make("2001:db8::1", 2222, T0 + 2000000, DNS_TYPE_A);
	obs[1].name = OBS_EXIT_V6;
	obs[2] = obs_make("192.0.2.1", 3333, T0 + 3000000, DNS_TYPE_A);
	obs[2].transport = OBS_TCP;
	obs[2].name = OBS_PROBE_NS4;
	obs[2].flags = OBS_F_EDNS | OBS_F_DO;
	obs[2].edns_udp_size = 512;
	obs[2].ecs_family = 4;
	obs[2].ecs_source_prefix = 24;
	obs[2].ecs_addr[0] = 203;
	obs[2].ecs_addr[1] = 0;
	obs[2].ecs_addr[2] = 113;
	obs[2].ecs_addr[3] = 9;
	/* C: arrived after A and B but was seen before them (another DNS thread lagged). */
	obs[3] = obs_make("198.51.100.7", 4444, T0 + 500000, DNS_TYPE_TXT);
	/* A again, with junk past the IPv4 bytes that must not split it off, and an earlier time. */
	obs[4] = obs_make("192.0.2.1", 5555, T0 + 900000, DNS_TYPE_AAAA);
	obs[4].addr[10] = 0xff;
	obs[4].name = OBS_EXIT_V4;
	obs[4].flags = OBS_F_COOKIE | OBS_F_CASE;
	/* The IPv4-mapped form of A is another family: it is another resolver. */
	obs[5] = obs_make("::ffff:192.0.2.1", 6666, T0 + 4000000, DNS_TYPE_NS);

	doc = build(obs, 6);
	assert_int_equal(int_at(doc, "total"), 6);
	res = json_object_get(doc, "resolvers");
	assert_int_equal(json_array_size(res), 4);

	j = json_array_get(res, 0);
	assert_string_equal(str_at(j, "address"), "198.51.100.7");
	assert_int_equal(int_at(j, "queries"), 1);
	assert_strings(j, "qtypes", "TXT");

	j = json_array_get(res, 1);
	assert_string_equal(str_at(j, "address"), "192.0.2.1");
	assert_int_equal(int_at(j, "family"), 4);
	assert_int_equal(int_at(j, "queries"), 3);
	assert_strings(j, "transports", "udp,tcp");
	assert_strings(j, "qtypes", "A,AAAA");
	assert_strings(j, "names", "probe,ns4,v4");
	assert_string_equal(str_at(j, "ecs"), "203.0.113.0/24");
	assert_int_equal(int_at(j, "edns_udp_size"), 1232);
	assert_true(bool_at(j, "dnssec_ok"));
	assert_true(bool_at(j, "cookie"));
	assert_true(bool_at(j, "case_randomized"));
	assert_string_equal(str_at(j, "first_seen"), "2024-05-01T12:00:00.900Z");
	assert_string_equal(str_at(j, "last_seen"), "2024-05-01T12:00:03.000Z");

	j = json_array_get(res, 2);
	assert_string_equal(str_at(j, "address"), "2001:db8::1");
	assert_int_equal(int_at(j, "family"), 6);
	assert_int_equal(int_at(j, "queries"), 1);
	assert_strings(j, "names", "v6");
	assert_false(bool_at(j, "dnssec_ok"));

	j = json_array_get(res, 3);
	assert_string_equal(str_at(j, "address"), "::ffff:192.0.2.1");
	assert_int_equal(int_at(j, "family"), 6);

	/* Observations stay in arrival order. */
	ob = json_object_get(doc, "observations");
	assert_int_equal(json_array_size(ob), 6);
	static const int ports[] = { 1111, 2222, 3333, 4444, 5555, 6666 };
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(int_at(json_array_get(ob, i), "port"), ports[i]);
	assert_string_equal(str_at(json_array_get(ob, 4), "resolver"), "192.0.2.1");
	json_decref(doc);
}

static void
test_same_time_keeps_arrival_order(void **state)
{
	struct observation obs[3];
	json_t *doc;
	const json_t *res;

	(void)state;
	obs[0] = obs_make("192.0.2.9", 1, T0, DNS_TYPE_A);
	obs[1] = obs_make("192.0.2.3", 2, T0, DNS_TYPE_A);
	obs[2] = obs_make("192.0.2.6", 3, T0, DNS_TYPE_A);
	doc = build(obs, 3);
	res = json_object_get(doc, "resolvers");
	assert_string_equal(str_at(json_array_get(res, 0), "address"), "192.0.2.9");
	assert_string_equal(str_at(json_array_get(res, 1), "address"), "192.0.2.3");
	assert_string_equal(str_at(json_array_get(res, 2), "address"), "192.0.2.6");
	json_decref(doc);
}

static void
test_bad_text_fails(void **state)
{
	json_t *doc = NULL;

	(void)state;
	assert_int_equal(results_json(ID_TEXT, "leak\xff.test", 0, 0, NULL, 0, &doc), DL_E_NOMEM);
	assert_null(doc);
}

static void
test_serializes(void **state)
{
	struct observation o = obs_make("192.0.2.1", 53, T0, DNS_TYPE_A);
	json_t *doc;
	char *text;

	(void)state;
	doc = build(&o, 1);
	text = json_dumps(doc, JSON_COMPACT);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"resolvers\":[{\"address\":\"192.0.2.1\""));
	free(text);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_text),
		cmocka_unit_test(test_qtype_name),
		cmocka_unit_test(test_ecs_text),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_observation_fields),
		cmocka_unit_test(test_null_cases),
		cmocka_unit_test(test_grouping),
		cmocka_unit_test(test_same_time_keeps_arrival_order),
		cmocka_unit_test(test_bad_text_fails),
		cmocka_unit_test(test_serializes),
	};

	return cmocka_run_group_tests_name("results", tests, NULL, NULL);
}
