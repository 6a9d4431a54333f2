/* test_results.c -- the results JSON document: times, names, ECS text, grouping, fields,
 * networks, exits, the verdict and its findings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
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

/* Fills in what the caller of results_summarize() would (networks, classes); NULL: nothing. */
typedef void fill_fn(struct results_summary *sum);

/*
 * The document of obs[0..n) through the whole pipeline: summarize, fill, decide (v, or
 * verdict_compute() with no policy when v is NULL), shape.
 */
static json_t *
build_full(const struct observation *obs, size_t n, fill_fn *fill, const struct verdict_out *v)
{
	struct results_summary sum;
	struct verdict_out computed;
	json_t *doc = NULL;

	assert_int_equal(results_summarize(obs, n, &sum), DL_E_OK);
	if (v == NULL) {
		struct verdict_in vin = {
			.resolvers = sum.resolvers,
			.n_resolvers = sum.n_resolvers,
			.exit4 = sum.exit4,
			.exit6 = sum.exit6,
			.policy = NULL,
		};
		verdict_compute(&vin, &computed);
		v = &computed;
	}
	if (fill != NULL)
		fill(&sum);
	struct results_in in = {
		.id_text = ID_TEXT,
		.zone_text = "leak.test",
		.created_s = 1714564800,
		.expires_s = 1714565400,
		.obs = obs,
		.n = n,
		.sum = &sum,
		.verdict = v,
	};
	assert_int_equal(results_json(&in, &doc), DL_E_OK);
	assert_non_null(doc);
	results_summary_free(&sum);
	return doc;
}

static json_t *
build(const struct observation *obs, size_t n)
{
	return build_full(obs, n, NULL, NULL);
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
	assert_int_equal(json_object_size(doc), 14);
	assert_true(json_is_null(json_object_get(doc, "webrtc"))); /* no page report */
	assert_true(json_is_array(json_object_get(doc, "configured")));
	assert_int_equal(json_array_size(json_object_get(doc, "configured")), 0);
	assert_string_equal(str_at(doc, "id"), ID_TEXT);
	assert_string_equal(str_at(doc, "zone"), "leak.test");
	assert_string_equal(str_at(doc, "created"), "2024-05-01T12:00:00Z");
	assert_string_equal(str_at(doc, "expires"), "2024-05-01T12:10:00Z");
	assert_int_equal(int_at(doc, "total"), 0);
	assert_int_equal(int_at(doc, "http_total"), 0);
	assert_non_null(json_object_get(doc, "exit"));
	assert_int_equal(json_object_size(json_object_get(doc, "exit")), 2);
	assert_null_at(json_object_get(doc, "exit"), "ipv4");
	assert_null_at(json_object_get(doc, "exit"), "ipv6");
	/* Nothing seen: whatever the engine says, it is a name with a reason and findings. */
	enum verdict v;
	assert_int_equal(verdict_from_name(str_at(doc, "verdict"), &v), DL_E_OK);
	assert_true(strlen(str_at(doc, "reason")) > 0);
	assert_true(json_is_array(json_object_get(doc, "findings")));
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
	assert_int_equal(json_object_size(j), 19);
	assert_null_at(j, "ptr");
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

/* An HTTP observation: the client's exit address for the test. */
static struct observation
http_make(const char *addr, uint16_t port, uint64_t time_us)
{
	struct observation o = obs_make(addr, port, time_us, 0);

	o.transport = OBS_HTTP;
	o.name = o.family == 6 ? OBS_EXIT_V6 : OBS_EXIT_V4;
	snprintf(o.nonce, sizeof(o.nonce), "%s", o.family == 6 ? "v6" : "v4");
	return o;
}

static void
test_summarize(void **state)
{
	struct observation obs[8];
	struct results_summary sum;
	char a[ADDR_TEXT_MAX];

	(void)state;
	obs[0] = obs_make("192.0.2.1", 1, T0 + 3000000, DNS_TYPE_A);
	obs[1] = http_make("203.0.113.5", 40000, T0 + 1000000);
	obs[2] = obs_make("2001:db8::53", 2, T0 + 2000000, DNS_TYPE_AAAA);
	obs[2].ecs_family = 6;
	obs[2].ecs_source_prefix = 56;
	obs[3] = obs_make("192.0.2.1", 3, T0 + 4000000, DNS_TYPE_AAAA);
	obs[4] = http_make("203.0.113.9", 40001, T0 + 5000000); /* the latest IPv4 exit */
	obs[5] = http_make("203.0.113.7", 40002, T0 + 4000000); /* arrived later, seen earlier */
	obs[6] = http_make("2001:db8:1::2", 40003, T0 + 6000000);
	obs[7] = http_make("2001:db8:1::3", 40004, T0 + 6000000); /* same time: later arrival */

	assert_int_equal(results_summarize(obs, 8, &sum), DL_E_OK);
	assert_int_equal(sum.dns_total, 3);
	assert_int_equal(sum.http_total, 5);
	assert_int_equal(sum.n_resolvers, 2);
	addr_fmt(&sum.resolvers[0].addr, a);
	assert_string_equal(a, "2001:db8::53"); /* first seen, though it arrived second */
	assert_int_equal(sum.resolvers[0].queries, 1);
	assert_true(sum.resolvers[0].sent_ecs);
	addr_fmt(&sum.resolvers[1].addr, a);
	assert_string_equal(a, "192.0.2.1");
	assert_int_equal(sum.resolvers[1].queries, 2);
	assert_false(sum.resolvers[1].sent_ecs);
	assert_int_equal(sum.resolvers[1].net.asn, 0);
	assert_true(sum.exit4.present);
	addr_fmt(&sum.exit4.addr, a);
	assert_string_equal(a, "203.0.113.9");
	assert_true(sum.exit6.present);
	addr_fmt(&sum.exit6.addr, a);
	assert_string_equal(a, "2001:db8:1::3");
	results_summary_free(&sum);
	assert_null(sum.resolvers);
	results_summary_free(&sum); /* twice is harmless */

	assert_int_equal(results_summarize(NULL, 0, &sum), DL_E_OK);
	assert_int_equal(sum.n_resolvers, 0);
	assert_false(sum.exit4.present);
	assert_false(sum.exit6.present);
	results_summary_free(&sum);

	/* Only HTTP: exits but no resolver. */
	assert_int_equal(results_summarize(&obs[1], 1, &sum), DL_E_OK);
	assert_int_equal(sum.n_resolvers, 0);
	assert_true(sum.exit4.present);
	assert_false(sum.exit6.present);
	results_summary_free(&sum);
}

static void
test_http_observations(void **state)
{
	struct observation obs[3];
	json_t *doc;
	const json_t *j;
	const json_t *ex;

	(void)state;
	obs[0] = http_make("203.0.113.5", 40000, T0 + 1000000);
	obs[1] = obs_make("192.0.2.1", 1, T0 + 2000000, DNS_TYPE_A);
	obs[2] = http_make("2001:db8:1::2", 40001, T0 + 3000000);
	doc = build(obs, 3);
	assert_int_equal(int_at(doc, "total"), 1);
	assert_int_equal(int_at(doc, "http_total"), 2);
	assert_int_equal(json_array_size(json_object_get(doc, "resolvers")), 1);
	assert_string_equal(str_at(json_array_get(json_object_get(doc, "resolvers"), 0), "address"),
			    "192.0.2.1");

	ex = json_object_get(doc, "exit");
	j = json_object_get(ex, "ipv4");
	assert_true(json_is_object(j));
	assert_int_equal(json_object_size(j), 5);
	assert_string_equal(str_at(j, "address"), "203.0.113.5");
	assert_null_at(j, "asn");
	assert_null_at(j, "org");
	assert_null_at(j, "country");
	j = json_object_get(ex, "ipv6");
	assert_string_equal(str_at(j, "address"), "2001:db8:1::2");

	/* Every observation stays in the raw list, HTTP ones with their transport and no qtype. */
	j = json_array_get(json_object_get(doc, "observations"), 0);
	assert_int_equal(json_object_size(j), 16);
	assert_string_equal(str_at(j, "transport"), "http");
	assert_string_equal(str_at(j, "name"), "v4");
	assert_string_equal(str_at(j, "nonce"), "v4");
	assert_string_equal(str_at(j, "resolver"), "203.0.113.5");
	assert_int_equal(int_at(j, "port"), 40000);
	assert_null_at(j, "qtype");
	assert_null_at(j, "edns_udp_size");
	assert_null_at(j, "ecs");
	j = json_array_get(json_object_get(doc, "observations"), 1);
	assert_string_equal(str_at(j, "qtype"), "A");
	j = json_array_get(json_object_get(doc, "observations"), 2);
	assert_string_equal(str_at(j, "name"), "v6");
	assert_int_equal(int_at(j, "family"), 6);
	json_decref(doc);
}

static void
fill_networks(struct results_summary *sum)
{
	assert_int_equal(sum->n_resolvers, 4);
	sum->resolvers[0].net.asn = 64496;
	snprintf(sum->resolvers[0].net.org, NET_ORG_MAX, "Example ISP \xc3\xa9"); /* UTF-8 é */
	snprintf(sum->resolvers[0].net.country, 3, "DE");
	sum->resolvers[0].cls = RESOLVER_SAME_NETWORK;
	sum->resolvers[1].net.asn = 4294967295u;
	snprintf(sum->resolvers[1].net.org, NET_ORG_MAX, "Bad \xff\x01 bytes");
	snprintf(sum->resolvers[1].net.country, 3, "d1"); /* not a country: null */
	sum->resolvers[1].cls = RESOLVER_TRUSTED;
	sum->resolvers[2].cls = RESOLVER_UNKNOWN;
	sum->resolvers[3].net.asn = 13335;
	sum->resolvers[3].cls = RESOLVER_PUBLIC_DNS;
	sum->exit4.net.asn = 64496;
	snprintf(sum->exit4.net.org, NET_ORG_MAX, "Example ISP");
	snprintf(sum->exit4.net.country, 3, "DE");
}

static void
test_network_fields(void **state)
{
	struct observation obs[5];
	json_t *doc;
	const json_t *res;
	const json_t *j;

	(void)state;
	obs[0] = obs_make("192.0.2.1", 1, T0 + 1000, DNS_TYPE_A);
	obs[1] = obs_make("192.0.2.2", 2, T0 + 2000, DNS_TYPE_A);
	obs[2] = obs_make("2001:db8::3", 3, T0 + 3000, DNS_TYPE_A);
	obs[3] = obs_make("198.51.100.4", 4, T0 + 4000, DNS_TYPE_A);
	obs[4] = http_make("203.0.113.5", 40000, T0 + 5000);
	doc = build_full(obs, 5, fill_networks, NULL);
	res = json_object_get(doc, "resolvers");
	assert_int_equal(json_array_size(res), 4);

	j = json_array_get(res, 0);
	assert_int_equal(int_at(j, "asn"), 64496);
	assert_string_equal(str_at(j, "org"), "Example ISP \xc3\xa9");
	assert_string_equal(str_at(j, "country"), "DE");
	assert_false(bool_at(j, "trusted"));
	assert_string_equal(str_at(j, "classification"), "same-network");

	j = json_array_get(res, 1);
	assert_int_equal(int_at(j, "asn"), 4294967295);
	assert_string_equal(str_at(j, "org"), "Bad ?? bytes"); /* not UTF-8: printable ASCII */
	assert_null_at(j, "country");
	assert_true(bool_at(j, "trusted"));
	assert_string_equal(str_at(j, "classification"), "trusted");

	j = json_array_get(res, 2);
	assert_null_at(j, "asn");
	assert_null_at(j, "org");
	assert_null_at(j, "country");
	assert_false(bool_at(j, "trusted"));
	assert_string_equal(str_at(j, "classification"), "unknown");

	j = json_array_get(res, 3);
	assert_int_equal(int_at(j, "asn"), 13335);
	assert_null_at(j, "org");
	assert_string_equal(str_at(j, "classification"), "public-dns");

	j = json_object_get(json_object_get(doc, "exit"), "ipv4");
	assert_string_equal(str_at(j, "address"), "203.0.113.5");
	assert_int_equal(int_at(j, "asn"), 64496);
	assert_string_equal(str_at(j, "org"), "Example ISP");
	assert_string_equal(str_at(j, "country"), "DE");
	assert_null_at(json_object_get(doc, "exit"), "ipv6");
	json_decref(doc);
}

/* platforms is the JSON of def's steps per platform: one key per platform that has steps. */
static void
expect_platforms(const json_t *platforms, const struct finding_def *def)
{
	size_t with_steps = 0;

	assert_true(json_is_object(platforms));
	for (size_t p = 0; p < PLATFORM_COUNT; p++) {
		const char *const *steps = findings_platform_steps(def, (enum platform)p);
		const json_t *arr = json_object_get(platforms, platform_name((enum platform)p));
		size_t n = 0;

		if (steps[0] == NULL) {
			assert_null(arr);
			continue;
		}
		with_steps++;
		assert_true(json_is_array(arr));
		for (; steps[n] != NULL; n++)
			assert_string_equal(json_string_value(json_array_get(arr, n)), steps[n]);
		assert_int_equal(json_array_size(arr), n);
	}
	assert_int_equal(json_object_size(platforms), with_steps);
}

static void
test_verdict_fields(void **state)
{
	struct observation o = obs_make("192.0.2.1", 53, T0, DNS_TYPE_A);
	const struct finding_def *def = findings_lookup(FINDING_ISP_RESOLVER);
	struct verdict_out v;
	json_t *doc;
	const json_t *fs;
	const json_t *f;
	const json_t *steps;
	size_t n_steps = 0;

	(void)state;
	assert_non_null(def);
	memset(&v, 0, sizeof(v));
	v.verdict = VERDICT_LEAK;
	snprintf(v.reason, sizeof(v.reason), "Your DNS goes elsewhere.");
	v.findings[0].id = FINDING_ISP_RESOLVER;
	snprintf(v.findings[0].detail, sizeof(v.findings[0].detail), "192.0.2.1 (AS64496)");
	v.findings[1].id = "DL-NOT-IN-THE-CATALOGUE";
	snprintf(v.findings[1].detail, sizeof(v.findings[1].detail), "bad \xfe detail");
	v.n_findings = 2;

	doc = build_full(&o, 1, NULL, &v);
	assert_string_equal(str_at(doc, "verdict"), "LEAK");
	assert_string_equal(str_at(doc, "reason"), "Your DNS goes elsewhere.");
	fs = json_object_get(doc, "findings");
	assert_true(json_is_array(fs));
	assert_int_equal(json_array_size(fs), 2);

	f = json_array_get(fs, 0);
	assert_int_equal(json_object_size(f), 8);
	assert_string_equal(str_at(f, "id"), FINDING_ISP_RESOLVER);
	assert_false(bool_at(f, "inconclusive"));
	expect_platforms(json_object_get(f, "platforms"), def);
	assert_string_equal(str_at(f, "severity"), severity_name(def->severity));
	assert_string_equal(str_at(f, "title"), def->title);
	assert_string_equal(str_at(f, "explain"), def->explain);
	assert_string_equal(str_at(f, "detail"), "192.0.2.1 (AS64496)");
	steps = json_object_get(f, "steps");
	assert_true(json_is_array(steps));
	while (n_steps < FINDING_STEPS_MAX && def->steps[n_steps] != NULL) {
		assert_string_equal(json_string_value(json_array_get(steps, n_steps)),
				    def->steps[n_steps]);
		n_steps++;
	}
	assert_int_equal(json_array_size(steps), n_steps);

	/* An id the catalogue lacks still makes a well-typed entry. */
	f = json_array_get(fs, 1);
	assert_string_equal(str_at(f, "id"), "DL-NOT-IN-THE-CATALOGUE");
	assert_string_equal(str_at(f, "severity"), "info");
	assert_string_equal(str_at(f, "title"), "DL-NOT-IN-THE-CATALOGUE");
	assert_string_equal(str_at(f, "explain"), "");
	assert_string_equal(str_at(f, "detail"), "bad ? detail");
	assert_int_equal(json_array_size(json_object_get(f, "steps")), 0);
	assert_false(bool_at(f, "inconclusive"));
	assert_true(json_is_object(json_object_get(f, "platforms")));
	assert_int_equal(json_object_size(json_object_get(f, "platforms")), 0);
	json_decref(doc);

	/* A count past the array is clamped, not read past. */
	v.n_findings = VERDICT_FINDINGS_MAX + 5;
	for (size_t i = 0; i < VERDICT_FINDINGS_MAX; i++)
		v.findings[i].id = FINDING_ECS_EXPOSED;
	doc = build_full(&o, 1, NULL, &v);
	assert_int_equal(json_array_size(json_object_get(doc, "findings")), VERDICT_FINDINGS_MAX);
	json_decref(doc);
}

/* The summary and the observations must belong together; the inputs must all be there. */
static void
test_summary_mismatch(void **state)
{
	struct observation obs[2];
	struct results_summary sum;
	struct verdict_out v;
	json_t *doc = NULL;

	(void)state;
	memset(&v, 0, sizeof(v));
	obs[0] = obs_make("192.0.2.1", 1, T0, DNS_TYPE_A);
	obs[1] = obs_make("192.0.2.2", 2, T0 + 1, DNS_TYPE_A);
	assert_int_equal(results_summarize(obs, 1, &sum), DL_E_OK);
	struct results_in in = {
		.id_text = ID_TEXT, .zone_text = "leak.test", .obs = obs, .n = 2,
		.sum = &sum, .verdict = &v,
	};
	assert_int_equal(results_json(&in, &doc), DL_E_FORMAT); /* one resolver short */
	assert_null(doc);
	in.n = 1;
	obs[0] = obs_make("192.0.2.9", 1, T0, DNS_TYPE_A);
	assert_int_equal(results_json(&in, &doc), DL_E_FORMAT); /* another address */
	assert_null(doc);
	obs[0] = obs_make("192.0.2.1", 1, T0, DNS_TYPE_A);
	in.verdict = NULL;
	assert_int_equal(results_json(&in, &doc), DL_E_FORMAT);
	in.verdict = &v;
	in.sum = NULL;
	assert_int_equal(results_json(&in, &doc), DL_E_FORMAT);
	in.sum = &sum;
	assert_int_equal(results_json(&in, &doc), DL_E_OK);
	json_decref(doc);
	results_summary_free(&sum);
}

static void
test_bad_text_fails(void **state)
{
	struct results_summary sum;
	struct verdict_out v;
	json_t *doc = NULL;

	(void)state;
	memset(&v, 0, sizeof(v));
	assert_int_equal(results_summarize(NULL, 0, &sum), DL_E_OK);
	struct results_in in = {
		.id_text = ID_TEXT, .zone_text = "leak\xff.test", .sum = &sum, .verdict = &v,
	};
	assert_int_equal(results_json(&in, &doc), DL_E_NOMEM);
	assert_null(doc);
	results_summary_free(&sum);
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

/* The configured resolvers the client named, with their networks, as the verdict saw them. */
static void
test_configured(void **state)
{
	struct observation o = obs_make("192.0.2.1", 53, T0, DNS_TYPE_A);
	struct verdict_configured c[2];
	struct results_summary sum;
	struct verdict_out v;
	json_t *doc = NULL;
	const json_t *arr;
	const json_t *j;

	(void)state;
	memset(&v, 0, sizeof(v));
	memset(c, 0, sizeof(c));
	assert_int_equal(addr_parse("8.8.8.8", &c[0].addr), DL_E_OK);
	c[0].net.asn = 15169;
	snprintf(c[0].net.org, sizeof(c[0].net.org), "Google LLC");
	snprintf(c[0].net.country, sizeof(c[0].net.country), "US");
	assert_int_equal(addr_parse("2001:db8::53", &c[1].addr), DL_E_OK);
	assert_int_equal(results_summarize(&o, 1, &sum), DL_E_OK);
	struct results_in in = {
		.id_text = ID_TEXT, .zone_text = "leak.test", .obs = &o, .n = 1,
		.sum = &sum, .verdict = &v, .configured = c, .n_configured = 2,
	};
	assert_int_equal(results_json(&in, &doc), DL_E_OK);
	arr = json_object_get(doc, "configured");
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), 2);
	j = json_array_get(arr, 0);
	assert_int_equal(json_object_size(j), 6);
	assert_string_equal(str_at(j, "address"), "8.8.8.8");
	assert_int_equal(int_at(j, "family"), 4);
	assert_int_equal(int_at(j, "asn"), 15169);
	assert_string_equal(str_at(j, "org"), "Google LLC");
	assert_string_equal(str_at(j, "country"), "US");
	j = json_array_get(arr, 1);
	assert_string_equal(str_at(j, "address"), "2001:db8::53");
	assert_int_equal(int_at(j, "family"), 6);
	assert_null_at(j, "asn");
	assert_null_at(j, "org");
	assert_null_at(j, "country");
	json_decref(doc);

	/* A count without an array is an empty list. */
	in.configured = NULL;
	assert_int_equal(results_json(&in, &doc), DL_E_OK);
	assert_int_equal(json_array_size(json_object_get(doc, "configured")), 0);
	json_decref(doc);
	results_summary_free(&sum);
}

/* GET /api/v1/findings: the whole catalogue, in order, each entry with its platforms. */
static void
test_findings_doc(void **state)
{
	size_t n = 0;
	const struct finding_def *all = findings_all(&n);
	json_t *doc = NULL;
	const json_t *arr;
	char *text;

	(void)state;
	assert_int_equal(results_findings_json(&doc), DL_E_OK);
	assert_non_null(doc);
	assert_int_equal(json_object_size(doc), 1);
	arr = json_object_get(doc, "findings");
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), n);
	for (size_t i = 0; i < n; i++) {
		const json_t *f = json_array_get(arr, i);
		const json_t *steps = json_object_get(f, "steps");
		size_t k = 0;

		assert_int_equal(json_object_size(f), 7); /* no detail: that is per test */
		assert_string_equal(str_at(f, "id"), all[i].id);
		assert_string_equal(str_at(f, "severity"), severity_name(all[i].severity));
		assert_int_equal(bool_at(f, "inconclusive"), all[i].inconclusive);
		assert_string_equal(str_at(f, "title"), all[i].title);
		assert_string_equal(str_at(f, "explain"), all[i].explain);
		for (; k < FINDING_STEPS_MAX && all[i].steps[k] != NULL; k++)
			assert_string_equal(json_string_value(json_array_get(steps, k)),
					    all[i].steps[k]);
		assert_int_equal(json_array_size(steps), k);
		expect_platforms(json_object_get(f, "platforms"), &all[i]);
	}
	/* It serialises, and the platform keys are the API's names. */
	text = json_dumps(doc, JSON_COMPACT);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"platforms\":{\"systemd-resolved\":[\"Give the tunnel"));
	assert_non_null(strstr(text, "\"browser\":[\"Firefox: Settings"));
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
		cmocka_unit_test(test_summarize),
		cmocka_unit_test(test_http_observations),
		cmocka_unit_test(test_network_fields),
		cmocka_unit_test(test_verdict_fields),
		cmocka_unit_test(test_summary_mismatch),
		cmocka_unit_test(test_bad_text_fails),
		cmocka_unit_test(test_serializes),
		cmocka_unit_test(test_configured),
		cmocka_unit_test(test_findings_doc),
	};

	return cmocka_run_group_tests_name("results", tests, NULL, NULL);
}
