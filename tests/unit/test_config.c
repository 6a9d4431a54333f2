/* test_config.c -- dnsleakd configuration: keys, lines, files, defaults, round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char err[CONFIG_ERR_MAX];

static void
test_defaults(void **state)
{
	struct config c;
	char a[ADDR_STR_MAX];

	(void)state;
	config_init(&c);
	assert_int_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	assert_string_equal(c.zone_text, "leak.test");
	assert_int_equal(c.n_dns, 2);
	addr_fmt_endpoint(&c.dns[0], a);
	assert_string_equal(a, "127.0.0.1:5353");
	addr_fmt_endpoint(&c.dns[1], a);
	assert_string_equal(a, "[::1]:5353");
	assert_int_equal(c.n_http, 1);
	addr_fmt_endpoint(&c.http[0], a);
	assert_string_equal(a, "127.0.0.1:8053");
	assert_int_equal(c.zone.n_web_v4, 1);
	assert_int_equal(c.zone.n_web_v6, 1);
	assert_int_equal(c.zone.n_ns, 1);
	assert_memory_equal(c.zone.ns[0].label, "\3ns1", 4);
	assert_int_equal(c.zone.ns[0].n_v4, 1);
	assert_int_equal(c.zone.ns[0].n_v6, 1);
	assert_int_equal(c.store.max_obs_per_test, STORE_OBS_PER_TEST);
	assert_int_equal(c.store.ttl_s, TEST_TTL_S);
	assert_int_equal(c.zone.test_ttl_s, TEST_TTL_S);
	assert_string_equal(c.secret_file, "");
	assert_int_equal(c.n_stun, 2);
	addr_fmt_endpoint(&c.stun[0], a);
	assert_string_equal(a, "127.0.0.1:3478");
	addr_fmt_endpoint(&c.stun[1], a);
	assert_string_equal(a, "[::1]:3478");
	assert_false(c.stun_off);
	assert_int_equal(c.stun_rate, 20);
	assert_int_equal(c.stun_burst, 40);
	assert_false(c.store_redis);
	assert_false(c.redis.is_unix);
	assert_string_equal(c.redis.host, "127.0.0.1");
	assert_int_equal(c.redis.port, 6379);
	assert_string_equal(c.redis.prefix, "dnsleak:");
}

struct bad_case {
	const char *key;
	const char *value;
	const char *want; /* a part of the message */
};

static void
test_bad_values(void **state)
{
	static const struct bad_case cases[] = {
		{ "zone", "a..b", "not a domain name" },
		{ "zone", ".", "not a domain name" },
		{ "zone", "bad_char!.test", "not a domain name" },
		{ "dns", "1.2.3.4:70000", "bad address `1.2.3.4:70000'" },
		{ "dns", "::1:53", "bad address" },
		{ "dns", "localhost:53", "bad address" },
		{ "http", "127.0.0.1:0", "bad address" },
		{ "web_address", "300.1.1.1", "bad IP address" },
		{ "ns", "ns1", "want NAME=IP" },
		{ "ns", "=1.2.3.4", "want NAME=IP" },
		{ "ns", "ns4=192.0.2.1", "serves itself" },
		{ "ns", "whoami=192.0.2.1", "serves itself" },
		{ "ns", "ns1.example.com=192.0.2.1", "directly under the zone" },
		{ "ns", "ns1=not-an-ip", "bad IP address" },
		{ "threads", "-1", "whole number" },
		{ "threads", "9999", "whole number" },
		{ "test_ttl", "0", "whole number" },
		{ "test_ttl", "10s", "whole number" },
		{ "max_tests", "", "whole number" },
		{ "store_max_bytes", "1000", "whole number" },
		{ "node_id", "65536", "whole number" },
		{ "trusted_resolvers", "garbage", "want an ASN" },
		{ "trusted_resolvers", "AS0", "`AS0'" },
		{ "trusted_resolvers", "192.0.2.1/24", "prefix" },
		{ "trusted_resolvers", "2001:db8::/129", "`2001:db8::/129'" },
		{ "public_dns", "192.0.2.0/24", "want an ASN" },
		{ "public_dns", "ASX", "want an ASN" },
		{ "stun", "bogus", "bad address `bogus' (want ADDR:PORT, [V6]:PORT or off)" },
		{ "stun", "127.0.0.1:0", "bad address" },
		{ "stun", "OFF", "bad address" },
		{ "stun_rate", "-1", "whole number" },
		{ "stun_rate", "1000001", "whole number" },
		{ "stun_burst", "0", "whole number" },
		{ "store", "Memory", "store: `Memory': want memory or redis" },
		{ "store", "redis-cluster", "want memory or redis" },
		{ "redis", "localhost", "redis: bad address `localhost' (want HOST:PORT" },
		{ "redis", "localhost:0", "bad address `localhost:0'" },
		{ "redis", "localhost:65536", "bad address" },
		{ "redis", ":6379", "bad address" },
		{ "redis", "::1:6379", "bad address" },  /* IPv6 needs brackets */
		{ "redis", "[::1:6379", "bad address" },
		{ "redis", "[192.0.2.1]:6379", "bad address" },
		{ "redis", "[zz::1]:6379", "bad address" },
		{ "redis", "bad host:6379", "bad address" },
		{ "redis", "host/x:6379", "bad address" },
		{ "redis", "unix:", "absolute socket path" },
		{ "redis", "unix:relative.sock", "`unix:relative.sock': want unix: and an absolute" },
		{ "redis_prefix", "a b", "redis_prefix: `a b': want 1 to 63 printable" },
		{ "redis_prefix", "x{y}", "want 1 to 63" },
		{ "redis_prefix", "\tx", "want 1 to 63" },
		{ "redis_prefix", "",  "want 1 to 63" },
		{ "redis_prefix", "0123456789012345678901234567890123456789012345678901234567890123",
		  "want 1 to 63" },
		{ "trusted", "AS1", "unknown key `trusted'" }, /* the flag's name, not a key */
		{ "nonsense", "1", "unknown key `nonsense'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		config_init(&c);
		int rc = config_set(&c, cases[i].key, cases[i].value, CONFIG_FROM_FILE, err,
				    sizeof(err));
		if (rc == DL_E_OK || strstr(err, cases[i].want) == NULL)
			fail_msg("%s = %s: rc %d, message `%s'", cases[i].key, cases[i].value, rc,
				 err);
	}
}

static void
test_lines(void **state)
{
	struct config c;

	(void)state;
	config_init(&c);
	assert_int_equal(config_line(&c, "", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&c, "   # only a comment", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&c, "\tzone =  Leak.Example.COM.  # trailing\r\n", err,
				     sizeof(err)),
			 DL_E_OK);
	assert_string_equal(c.zone_text, "leak.example.com");
	assert_int_equal(config_line(&c, "ns = ns2.leak.example.com=192.0.2.2", err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(c.zone.n_ns, 1);
	assert_memory_equal(c.zone.ns[0].label, "\3ns2", 4);
	assert_int_not_equal(config_line(&c, "zone leak.test", err, sizeof(err)), DL_E_OK);
	assert_non_null(strstr(err, "key = value"));
	assert_int_not_equal(config_line(&c, "zone =", err, sizeof(err)), DL_E_OK);
	assert_non_null(strstr(err, "empty value"));

	char long_line[CONFIG_LINE_MAX + 10];
	memset(long_line, 'a', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	assert_int_not_equal(config_line(&c, long_line, err, sizeof(err)), DL_E_OK);
}

static void
test_repeatable_and_caps(void **state)
{
	struct config c;
	char value[32];

	(void)state;
	config_init(&c);
	for (int i = 0; i < CONFIG_LISTEN_MAX; i++) {
		snprintf(value, sizeof(value), "127.0.0.1:%d", 1000 + i);
		assert_int_equal(config_set(&c, "dns", value, CONFIG_FROM_FILE, err, sizeof(err)),
				 DL_E_OK);
	}
	assert_int_not_equal(config_set(&c, "dns", "127.0.0.1:9", CONFIG_FROM_FILE, err,
					sizeof(err)),
			     DL_E_OK);
	assert_non_null(strstr(err, "more than"));

	/* The same address twice is one address. */
	assert_int_equal(config_set(&c, "web_address", "192.0.2.1", CONFIG_FROM_FILE, err,
				    sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_set(&c, "web_address", "192.0.2.1", CONFIG_FROM_FILE, err,
				    sizeof(err)),
			 DL_E_OK);
	assert_int_equal(c.zone.n_web_v4, 1);
	for (int i = 2; i <= ZONE_ADDRS_MAX; i++) {
		snprintf(value, sizeof(value), "192.0.2.%d", i);
		assert_int_equal(config_set(&c, "web_address", value, CONFIG_FROM_FILE, err,
					    sizeof(err)),
				 DL_E_OK);
	}
	assert_int_not_equal(config_set(&c, "web_address", "192.0.2.99", CONFIG_FROM_FILE, err,
					sizeof(err)),
			     DL_E_OK);
	/* IPv6 has its own budget. */
	assert_int_equal(config_set(&c, "web_address", "2001:db8::1", CONFIG_FROM_FILE, err,
				    sizeof(err)),
			 DL_E_OK);

	/* Glue for ns-v4 is every name server's IPv4: at most ZONE_ADDRS_MAX in all. */
	config_init(&c);
	for (int i = 0; i < ZONE_NS_MAX; i++) {
		snprintf(value, sizeof(value), "n%d=192.0.2.%d", i, i + 1);
		assert_int_equal(config_set(&c, "ns", value, CONFIG_FROM_FILE, err, sizeof(err)),
				 DL_E_OK);
	}
	assert_int_not_equal(config_set(&c, "ns", "one-too-many=192.0.2.99", CONFIG_FROM_FILE, err,
					sizeof(err)),
			     DL_E_OK);
	assert_int_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	config_init(&c);
	assert_int_equal(config_set(&c, "ns", "a=192.0.2.1", CONFIG_FROM_FILE, err, sizeof(err)),
			 DL_E_OK);
	for (int i = 2; i <= ZONE_ADDRS_MAX + 1; i++) {
		snprintf(value, sizeof(value), "b=192.0.2.%d", i);
		assert_int_equal(config_set(&c, "ns", value, CONFIG_FROM_FILE, err, sizeof(err)),
				 DL_E_OK);
	}
	assert_int_not_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	assert_non_null(strstr(err, "glue"));
}

static void
test_cli_replaces_file_lists(void **state)
{
	struct config c;

	(void)state;
	config_init(&c);
	assert_int_equal(config_line(&c, "dns = 127.0.0.1:1053", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&c, "dns = [::1]:1053", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&c, "threads = 3", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_set(&c, "dns", "127.0.0.2:2053", CONFIG_FROM_CLI, err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_set(&c, "dns", "127.0.0.3:2053", CONFIG_FROM_CLI, err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_set(&c, "threads", "4", CONFIG_FROM_CLI, err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	assert_int_equal(c.n_dns, 2);
	assert_int_equal(c.dns[0].addr.a[3], 2);
	assert_int_equal(c.dns[1].addr.a[3], 3);
	assert_int_equal(c.threads, 4);
}

/* `stun = off' empties the list, a later address starts a new one; the command line restarts. */
static void
test_stun_off_and_on(void **state)
{
	struct config c;
	char a[ADDR_STR_MAX];

	(void)state;
	config_init(&c);
	assert_int_equal(config_line(&c, "stun = off", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	assert_int_equal(c.n_stun, 0);
	assert_true(c.stun_off);

	config_init(&c);
	assert_int_equal(config_line(&c, "stun = off", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_set(&c, "stun", "192.0.2.1:3478", CONFIG_FROM_CLI, err,
				    sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	assert_int_equal(c.n_stun, 1);
	assert_false(c.stun_off);
	addr_fmt_endpoint(&c.stun[0], a);
	assert_string_equal(a, "192.0.2.1:3478");

	/* What lib.sh does: its own addresses, then the test's `--stun off'. */
	config_init(&c);
	assert_int_equal(config_set(&c, "stun", "127.0.0.1:3479", CONFIG_FROM_CLI, err,
				    sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_set(&c, "stun", "off", CONFIG_FROM_CLI, err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	assert_int_equal(c.n_stun, 0);
	assert_true(c.stun_off);

	config_init(&c);
	assert_int_equal(config_line(&c, "stun = [2001:db8::1]:3478", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&c, "stun = 192.0.2.1:19302", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&c, "stun_rate = 0", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&c, "stun_burst = 5", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	assert_int_equal(c.n_stun, 2);
	addr_fmt_endpoint(&c.stun[0], a);
	assert_string_equal(a, "[2001:db8::1]:3478");
	assert_int_equal(c.stun_rate, 0);
	assert_int_equal(c.stun_burst, 5);

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	config_init(&c);
	assert_int_equal(config_line(&c, "stun = off", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	config_print(&c, f);
	fclose(f);
	assert_non_null(strstr(text, "\nstun = off\nstun_rate = 20\nstun_burst = 40\n"));
	free(text);
}

static void
test_trust_and_public_dns(void **state)
{
	struct config c;
	struct verdict_policy builtin;
	char value[32];

	(void)state;
	verdict_policy_init(&builtin);
	assert_true(builtin.n_public_dns < PUBLIC_DNS_MAX);

	config_init(&c);
	assert_int_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	assert_int_equal(c.n_trusted, 0);
	assert_int_equal(c.policy.n_trusted, 0);
	assert_int_equal(c.policy.n_public_dns, builtin.n_public_dns); /* the built-ins alone */
	assert_string_equal(c.asn_db, "");
	assert_string_equal(c.country_db, "");

	config_init(&c);
	assert_int_equal(config_line(&c, "trusted_resolvers = AS64496", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&c, "trusted_resolvers = 198.51.100.0/24", err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_line(&c, "trusted_resolvers = 2001:db8::53", err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_line(&c, "public_dns = as64500", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&c, "public_dns = 64500", err, sizeof(err)), DL_E_OK);
	snprintf(value, sizeof(value), "%" PRIu32, builtin.public_dns_asns[0]);
	assert_int_equal(config_set(&c, "public_dns", value, CONFIG_FROM_FILE, err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_line(&c, "asn_db = /var/lib/GeoLite2-ASN.mmdb", err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	assert_string_equal(c.asn_db, "/var/lib/GeoLite2-ASN.mmdb");
	assert_int_equal(c.n_trusted, 3);
	assert_true(c.trusted[0].is_asn);
	assert_int_equal(c.trusted[0].asn, 64496);
	assert_false(c.trusted[1].is_asn);
	assert_int_equal(c.trusted[1].prefix_len, 24);
	assert_int_equal(c.trusted[2].prefix_len, 128);
	assert_int_equal(c.n_public_dns, 2); /* 64500 once, and the built-in one */
	/* The policy: the built-ins, then what the operator added that they lack, then trust. */
	assert_int_equal(c.policy.n_public_dns, builtin.n_public_dns + 1);
	assert_int_equal(c.policy.public_dns_asns[builtin.n_public_dns], 64500);
	assert_int_equal(c.policy.n_trusted, 3);
	assert_memory_equal(c.policy.trusted, c.trusted, 3 * sizeof(c.trusted[0]));

	/* Caps: TRUST_MAX trusted entries; public DNS ASNs up to what the built-ins leave. */
	config_init(&c);
	for (int i = 0; i < TRUST_MAX; i++) {
		snprintf(value, sizeof(value), "AS%d", 64496 + i);
		assert_int_equal(config_set(&c, "trusted_resolvers", value, CONFIG_FROM_FILE, err,
					    sizeof(err)),
				 DL_E_OK);
	}
	assert_int_not_equal(config_set(&c, "trusted_resolvers", "AS1", CONFIG_FROM_FILE, err,
					sizeof(err)),
			     DL_E_OK);
	assert_non_null(strstr(err, "more than"));
	for (int i = 0; i < PUBLIC_DNS_MAX; i++) {
		snprintf(value, sizeof(value), "AS%lld", 4200000000LL + i);
		assert_int_equal(config_set(&c, "public_dns", value, CONFIG_FROM_FILE, err,
					    sizeof(err)),
				 DL_E_OK);
	}
	assert_int_not_equal(config_set(&c, "public_dns", "AS1", CONFIG_FROM_FILE, err,
					sizeof(err)),
			     DL_E_OK);
	assert_int_not_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	assert_non_null(strstr(err, "built-in"));

	/* On the command line the lists restart, as every repeatable key's do. */
	config_init(&c);
	assert_int_equal(config_line(&c, "trusted_resolvers = AS1", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&c, "public_dns = AS2", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_set(&c, "trusted_resolvers", "AS3", CONFIG_FROM_CLI, err,
				    sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_set(&c, "public_dns", "AS4", CONFIG_FROM_CLI, err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
	assert_int_equal(c.n_trusted, 1);
	assert_int_equal(c.trusted[0].asn, 3);
	assert_int_equal(c.n_public_dns, 1);
	assert_int_equal(c.public_dns[0], 4);

	char long_path[CONFIG_PATH_MAX + 1];
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	assert_int_not_equal(config_set(&c, "country_db", long_path, CONFIG_FROM_FILE, err,
					sizeof(err)),
			     DL_E_OK);
	assert_non_null(strstr(err, "too long"));
}

static char *
write_temp(const char *text)
{
	static char path[] = "/tmp/dnsleak-config-XXXXXX";
	strcpy(path, "/tmp/dnsleak-config-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_file_errors_name_the_line(void **state)
{
	struct config c;
	char want[256];

	(void)state;
	config_init(&c);
	char *path = write_temp("# dnsleakd\nzone = leak.example.org\n\ndns = 192.0.2.1:53\n"
				"bogus = 1\n");
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), DL_E_CONFIG);
	snprintf(want, sizeof(want), "%s:5: unknown key `bogus'", path);
	assert_string_equal(err, want);
	unlink(path);

	config_init(&c);
	path = write_temp("zone = leak.test\ntcp_idle_timeout_ms = fast\n");
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), DL_E_CONFIG);
	snprintf(want, sizeof(want), "%s:2: tcp_idle_timeout_ms: ", path);
	assert_memory_equal(err, want, strlen(want));
	assert_non_null(strstr(err, "`fast'"));
	unlink(path);

	config_init(&c);
	assert_int_equal(config_load_file(&c, "/nonexistent/dnsleakd.conf", err, sizeof(err)),
			 DL_E_CONFIG);
	assert_non_null(strstr(err, "No such file"));
}

/* The Redis store's keys: every accepted form, and the last one given wins. */
static void
test_redis_keys(void **state)
{
	struct config c;
	char path[200];

	(void)state;
	config_init(&c);
	assert_int_equal(config_line(&c, "store = redis", err, sizeof(err)), DL_E_OK);
	assert_true(c.store_redis);
	assert_int_equal(config_line(&c, "redis = redis.example.net:6380", err, sizeof(err)),
			 DL_E_OK);
	assert_false(c.redis.is_unix);
	assert_string_equal(c.redis.host, "redis.example.net");
	assert_int_equal(c.redis.port, 6380);
	assert_int_equal(config_line(&c, "redis = [2001:db8::6]:7000", err, sizeof(err)), DL_E_OK);
	assert_string_equal(c.redis.host, "2001:db8::6");
	assert_int_equal(c.redis.port, 7000);
	assert_int_equal(config_line(&c, "redis = 192.0.2.6:1", err, sizeof(err)), DL_E_OK);
	assert_string_equal(c.redis.host, "192.0.2.6");
	assert_int_equal(c.redis.port, 1);
	assert_int_equal(config_line(&c, "redis = unix:/run/redis/redis.sock", err, sizeof(err)),
			 DL_E_OK);
	assert_true(c.redis.is_unix);
	assert_string_equal(c.redis.host, "/run/redis/redis.sock");
	/* sun_path holds 108 bytes with the NUL: 107 characters fit, 108 do not. */
	memset(path, 'p', sizeof(path));
	memcpy(path, "unix:/", 6);
	path[5 + 107] = '\0';
	assert_int_equal(config_set(&c, "redis", path, CONFIG_FROM_CLI, err, sizeof(err)), DL_E_OK);
	path[5 + 107] = 'p';
	path[5 + 108] = '\0';
	assert_int_equal(config_set(&c, "redis", path, CONFIG_FROM_CLI, err, sizeof(err)),
			 DL_E_CONFIG);
	/* A refused value leaves the previous one. */
	assert_int_equal(strlen(c.redis.host), 107);
	assert_int_equal(config_line(&c, "redis_prefix = dl:prod:", err, sizeof(err)), DL_E_OK);
	assert_string_equal(c.redis.prefix, "dl:prod:");
	assert_int_equal(config_line(&c, "store = memory", err, sizeof(err)), DL_E_OK);
	assert_false(c.store_redis);
	assert_int_equal(config_finish(&c, err, sizeof(err)), DL_E_OK);
}

/* What -n prints is a config file that reads back to the same configuration. */
static void
test_print_round_trip(void **state)
{
	struct config a, b;
	char *first = NULL, *second = NULL;
	size_t first_len = 0, second_len = 0;

	(void)state;
	config_init(&a);
	assert_int_equal(config_line(&a, "zone = leak.example.net", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&a, "dns = [2001:db8::53]:53", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&a, "ns = a=192.0.2.53", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&a, "ns = a=2001:db8::53", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&a, "ns = b=198.51.100.53", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&a, "secret_file = /var/lib/dnsleakd/secret", err,
				     sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_line(&a, "user = nobody", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&a, "max_observations_per_test = 77", err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_line(&a, "asn_db = /var/lib/dnsleakd/asn.mmdb", err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_line(&a, "trusted_resolvers = as64496", err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_line(&a, "trusted_resolvers = 2001:db8::/32", err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_line(&a, "trusted_resolvers = 192.0.2.53", err, sizeof(err)),
			 DL_E_OK);
	assert_int_equal(config_line(&a, "public_dns = 64511", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&a, "stun = 192.0.2.1:3478", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&a, "stun_rate = 7", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&a, "store = redis", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&a, "redis = [2001:db8::6]:6380", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_line(&a, "redis_prefix = dl:a:", err, sizeof(err)), DL_E_OK);
	assert_int_equal(config_finish(&a, err, sizeof(err)), DL_E_OK);
	FILE *f = open_memstream(&first, &first_len);
	config_print(&a, f);
	fclose(f);

	config_init(&b);
	char *line = first;
	for (char *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		if (config_line(&b, line, err, sizeof(err)) != DL_E_OK)
			fail_msg("line `%s': %s", line, err);
		*nl = '\n';
	}
	assert_int_equal(config_finish(&b, err, sizeof(err)), DL_E_OK);
	f = open_memstream(&second, &second_len);
	config_print(&b, f);
	fclose(f);
	assert_string_equal(first, second);
	assert_non_null(strstr(first, "ns = a=2001:db8::53\n"));
	assert_non_null(strstr(first, "max_observations_per_test = 77\n"));
	assert_non_null(strstr(first, "asn_db = /var/lib/dnsleakd/asn.mmdb\n"));
	assert_non_null(strstr(first, "# country_db not set"));
	assert_non_null(strstr(first, "trusted_resolvers = AS64496\n"));
	assert_non_null(strstr(first, "trusted_resolvers = 2001:db8::/32\n"));
	assert_non_null(strstr(first, "trusted_resolvers = 192.0.2.53/32\n"));
	assert_non_null(strstr(first, "public_dns = AS64511\n"));
	assert_non_null(strstr(first, "\nstun = 192.0.2.1:3478\nstun_rate = 7\nstun_burst = 40\n"));
	assert_non_null(strstr(first, "# public DNS operators built in: AS"));
	assert_non_null(strstr(first, "\nstore = redis\nredis = [2001:db8::6]:6380\n"
				      "redis_prefix = dl:a:\n"));
	assert_true(b.store_redis);
	assert_int_equal(b.n_trusted, 3);
	assert_int_equal(b.n_public_dns, 1);
	free(first);
	free(second);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_repeatable_and_caps),
		cmocka_unit_test(test_cli_replaces_file_lists),
		cmocka_unit_test(test_stun_off_and_on),
		cmocka_unit_test(test_trust_and_public_dns),
		cmocka_unit_test(test_file_errors_name_the_line),
		cmocka_unit_test(test_redis_keys),
		cmocka_unit_test(test_print_round_trip),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
