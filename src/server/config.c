/* config.c -- dnsleakd configuration: one table of keys shared by flags and the config file. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "stunwire.h"

#define DEFAULT_ZONE "leak.test"
#define DEFAULT_DNS_PORT 5353
#define DEFAULT_HTTP "127.0.0.1:8053"
#define DEFAULT_STUN_PORT 3478 /* RFC 8489 18.6 */
#define DEFAULT_REDIS_HOST "127.0.0.1"
#define DEFAULT_REDIS_PORT 6379
#define DEFAULT_REDIS_PREFIX "dnsleak:"
#define UNIX_PATH_MAX 108 /* sizeof(sockaddr_un.sun_path), with its NUL */

typedef int setter_fn(struct config *c, const char *value, char *err, size_t err_len);

struct config_key {
	const char *name;
	setter_fn *set;
	unsigned list_bit; /* non-zero: a repeatable key */
};

static int
fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return DL_E_CONFIG;
}

static int
parse_uint(const char *value, unsigned long long min, unsigned long long max,
	   unsigned long long *out)
{
	char *end = NULL;

	if (value[0] < '0' || value[0] > '9')
		return DL_E_CONFIG;
	errno = 0;
	unsigned long long v = strtoull(value, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return DL_E_CONFIG;
	*out = v;
	return DL_E_OK;
}

static int
set_zone(struct config *c, const char *value, char *err, size_t err_len)
{
	uint8_t wire[DNS_NAME_MAX];
	size_t len;

	if (dnswire_name_from_text(value, wire, &len) != DL_E_OK || len == 1)
		return fail(err, err_len, "not a domain name `%s'", value);
	snprintf(c->zone_text, sizeof(c->zone_text), "%s", value);
	size_t n = strlen(c->zone_text);
	if (n > 1 && c->zone_text[n - 1] == '.')
		c->zone_text[n - 1] = '\0';
	for (char *p = c->zone_text; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	memcpy(c->zone.apex, wire, len);
	c->zone.apex_len = len;
	return DL_E_OK;
}

static int
add_endpoint(struct dl_endpoint *list, size_t *n, const char *value, char *err, size_t err_len)
{
	struct dl_endpoint e;

	if (addr_parse_endpoint(value, &e) != DL_E_OK)
		return fail(err, err_len, "bad address `%s' (want ADDR:PORT or [V6]:PORT)", value);
	if (*n >= CONFIG_LISTEN_MAX)
		return fail(err, err_len, "more than %d addresses at `%s'", CONFIG_LISTEN_MAX, value);
	list[(*n)++] = e;
	return DL_E_OK;
}

static int
set_dns(struct config *c, const char *value, char *err, size_t err_len)
{
	return add_endpoint(c->dns, &c->n_dns, value, err, err_len);
}

static int
set_http(struct config *c, const char *value, char *err, size_t err_len)
{
	return add_endpoint(c->http, &c->n_http, value, err, err_len);
}

/*
 * `off', or an address to add. `off' empties the list and a later address starts a new one, so
 * the last word wins: `--stun off' after lib.sh-style defaults turns STUN off.
 */
static int
set_stun(struct config *c, const char *value, char *err, size_t err_len)
{
	if (strcmp(value, "off") == 0) {
		c->n_stun = 0;
		c->stun_off = true;
		return DL_E_OK;
	}
	struct dl_endpoint e;
	if (addr_parse_endpoint(value, &e) != DL_E_OK)
		return fail(err, err_len, "bad address `%s' (want ADDR:PORT, [V6]:PORT or off)",
			    value);
	c->stun_off = false;
	return add_endpoint(c->stun, &c->n_stun, value, err, err_len);
}

/* yes or no: look up the reverse names of the addresses in results (rdns.h). */
static int
set_rdns(struct config *c, const char *value, char *err, size_t err_len)
{
	if (strcmp(value, "yes") == 0)
		c->rdns = true;
	else if (strcmp(value, "no") == 0)
		c->rdns = false;
	else
		return fail(err, err_len, "`%s': want yes or no", value);
	return DL_E_OK;
}

/* memory or redis: where observations are kept (store.h). */
static int
set_store(struct config *c, const char *value, char *err, size_t err_len)
{
	if (strcmp(value, "memory") == 0)
		c->store_redis = false;
	else if (strcmp(value, "redis") == 0)
		c->store_redis = true;
	else
		return fail(err, err_len, "`%s': want memory or redis", value);
	return DL_E_OK;
}

/* A host name or IPv4 address for Redis: letters, digits, '.', '-', '_'. */
static bool
redis_host_ok(const char *h, size_t len)
{
	if (len == 0 || len >= STORE_REDIS_HOST_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = h[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_'))
			return false;
	}
	return true;
}

/* HOST:PORT, [V6]:PORT or unix:/PATH. */
static int
set_redis(struct config *c, const char *value, char *err, size_t err_len)
{
	struct store_redis_opts *o = &c->redis;
	const char *host = value, *colon;
	size_t hlen;
	unsigned long long port;

	if (strncmp(value, "unix:", 5) == 0) {
		const char *path = value + 5;
		if (path[0] != '/' || strlen(path) >= UNIX_PATH_MAX)
			return fail(err, err_len,
				    "`%s': want unix: and an absolute socket path under %d bytes",
				    value, UNIX_PATH_MAX);
		o->is_unix = true;
		snprintf(o->host, sizeof(o->host), "%s", path);
		o->port = 0;
		return DL_E_OK;
	}
	colon = strrchr(value, ':');
	if (colon == NULL || parse_uint(colon + 1, 1, 65535, &port) != DL_E_OK)
		goto bad;
	hlen = (size_t)(colon - value);
	if (hlen >= 2 && value[0] == '[' && value[hlen - 1] == ']') {
		/* An IPv6 literal: hiredis wants it without the brackets. */
		char lit[ADDR_TEXT_MAX];
		struct dl_addr a;
		host = value + 1;
		hlen -= 2;
		if (hlen >= sizeof(lit))
			goto bad;
		memcpy(lit, host, hlen);
		lit[hlen] = '\0';
		if (addr_parse(lit, &a) != DL_E_OK || a.family != 6)
			goto bad;
	} else if (!redis_host_ok(host, hlen)) {
		goto bad;
	}
	o->is_unix = false;
	memcpy(o->host, host, hlen);
	o->host[hlen] = '\0';
	o->port = (uint16_t)port;
	return DL_E_OK;
bad:
	return fail(err, err_len, "bad address `%s' (want HOST:PORT, [V6]:PORT or unix:/PATH)",
		    value);
}

/* The start of every key: printable, no space, and none of `{}' (the hash tag is ours) or `#'
 * (a comment in the file). */
static int
set_redis_prefix(struct config *c, const char *value, char *err, size_t err_len)
{
	size_t n = strlen(value);

	if (n == 0 || n >= sizeof(c->redis.prefix) || strpbrk(value, "{}#") != NULL)
		goto bad;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)value[i] <= ' ' || (unsigned char)value[i] >= 0x7f)
			goto bad;
	memcpy(c->redis.prefix, value, n + 1);
	return DL_E_OK;
bad:
	return fail(err, err_len,
		    "`%s': want 1 to %zu printable characters without spaces, `{', `}' or `#'",
		    value, sizeof(c->redis.prefix) - 1);
}

static int
add_addr(struct dl_addr *list4, size_t *n4, struct dl_addr *list6, size_t *n6, const char *value,
	 char *err, size_t err_len)
{
	struct dl_addr a;

	if (addr_parse(value, &a) != DL_E_OK)
		return fail(err, err_len, "bad IP address `%s'", value);
	struct dl_addr *list = a.family == 4 ? list4 : list6;
	size_t *n = a.family == 4 ? n4 : n6;
	for (size_t i = 0; i < *n; i++)
		if (addr_equal(&list[i], &a))
			return DL_E_OK;
	if (*n >= ZONE_ADDRS_MAX)
		return fail(err, err_len, "more than %d IPv%u addresses at `%s'", ZONE_ADDRS_MAX,
			    a.family, value);
	list[(*n)++] = a;
	return DL_E_OK;
}

static int
set_web_address(struct config *c, const char *value, char *err, size_t err_len)
{
	return add_addr(c->zone.web_v4, &c->zone.n_web_v4, c->zone.web_v6, &c->zone.n_web_v6, value,
			err, err_len);
}

static const char *const reserved_labels[] = { "ns4", "ns6", "ns-v4", "ns-v6", "whoami" };

/* NAME=IP: NAME is one label ("ns1") or that label under the zone ("ns1.leak.test"). */
static int
set_ns(struct config *c, const char *value, char *err, size_t err_len)
{
	const char *eq = strchr(value, '=');
	char name[DNS_NAME_TEXT_MAX];
	uint8_t wire[DNS_NAME_MAX];
	size_t len;

	if (eq == NULL || eq == value || (size_t)(eq - value) >= sizeof(name))
		return fail(err, err_len, "want NAME=IP, got `%s'", value);
	memcpy(name, value, (size_t)(eq - value));
	name[eq - value] = '\0';
	if (dnswire_name_from_text(name, wire, &len) != DL_E_OK || len == 1)
		return fail(err, err_len, "bad name server name `%s'", name);
	/* Names under the zone keep only their first label; checked against the zone at finish. */
	size_t llen = wire[0];
	char label[DNS_LABEL_MAX + 1];
	memcpy(label, wire + 1, llen);
	label[llen] = '\0';
	if (len > llen + 2) {
		const char *rest = name + llen + 1;
		if (strlen(rest) == 0 || (strcasecmp(rest, c->zone_text) != 0 &&
					  !(strncasecmp(rest, c->zone_text, strlen(c->zone_text)) == 0 &&
					    strcmp(rest + strlen(c->zone_text), ".") == 0)))
			return fail(err, err_len,
				    "name server `%s' must be one label directly under the zone %s "
				    "(set zone first)",
				    name, c->zone_text);
	}
	for (size_t i = 0; i < sizeof(reserved_labels) / sizeof(reserved_labels[0]); i++)
		if (strcmp(label, reserved_labels[i]) == 0)
			return fail(err, err_len, "`%s' is a name dnsleakd serves itself", label);
	struct zone_ns *ns = NULL;
	for (size_t i = 0; i < c->zone.n_ns; i++)
		if (c->zone.ns[i].label[0] == llen && memcmp(c->zone.ns[i].label + 1, label, llen) == 0)
			ns = &c->zone.ns[i];
	if (ns == NULL) {
		if (c->zone.n_ns >= ZONE_NS_MAX)
			return fail(err, err_len, "more than %d name servers at `%s'", ZONE_NS_MAX, value);
		ns = &c->zone.ns[c->zone.n_ns++];
		memset(ns, 0, sizeof(*ns));
		memcpy(ns->label, wire, llen + 1);
	}
	return add_addr(ns->v4, &ns->n_v4, ns->v6, &ns->n_v6, eq + 1, err, err_len);
}

static int
set_secret_file(struct config *c, const char *value, char *err, size_t err_len)
{
	if (strlen(value) >= sizeof(c->secret_file))
		return fail(err, err_len, "path too long");
	snprintf(c->secret_file, sizeof(c->secret_file), "%s", value);
	return DL_E_OK;
}

static int
set_user(struct config *c, const char *value, char *err, size_t err_len)
{
	if (strlen(value) >= sizeof(c->user))
		return fail(err, err_len, "user name too long");
	snprintf(c->user, sizeof(c->user), "%s", value);
	return DL_E_OK;
}

static int
set_path(char *dst, size_t cap, const char *value, char *err, size_t err_len)
{
	if (strlen(value) >= cap)
		return fail(err, err_len, "path too long");
	snprintf(dst, cap, "%s", value);
	return DL_E_OK;
}

static int
set_asn_db(struct config *c, const char *value, char *err, size_t err_len)
{
	return set_path(c->asn_db, sizeof(c->asn_db), value, err, err_len);
}

static int
set_country_db(struct config *c, const char *value, char *err, size_t err_len)
{
	return set_path(c->country_db, sizeof(c->country_db), value, err, err_len);
}

static int
set_trusted(struct config *c, const char *value, char *err, size_t err_len)
{
	struct trust_entry t;

	if (trust_parse(value, &t) != DL_E_OK)
		return fail(err, err_len,
			    "want an ASN (AS64496), a prefix (192.0.2.0/24) or an address, got `%s'",
			    value);
	if (c->n_trusted >= TRUST_MAX)
		return fail(err, err_len, "more than %d entries at `%s'", TRUST_MAX, value);
	c->trusted[c->n_trusted++] = t;
	return DL_E_OK;
}

/* A reverse proxy in front of the HTTP API whose X-Forwarded-For we believe (forwarded.h). */
static int
set_trusted_proxy(struct config *c, const char *value, char *err, size_t err_len)
{
	struct trust_entry t;

	if (trust_parse(value, &t) != DL_E_OK || t.is_asn)
		return fail(err, err_len, "want a prefix (192.0.2.0/24) or an address, got `%s'",
			    value);
	if (c->n_proxies >= FORWARDED_PROXIES_MAX)
		return fail(err, err_len, "more than %d entries at `%s'", FORWARDED_PROXIES_MAX,
			    value);
	c->proxies[c->n_proxies++] = t;
	return DL_E_OK;
}

static int
set_public_dns(struct config *c, const char *value, char *err, size_t err_len)
{
	struct trust_entry t;

	if (trust_parse(value, &t) != DL_E_OK || !t.is_asn)
		return fail(err, err_len, "want an ASN (AS64496 or 64496), got `%s'", value);
	for (size_t i = 0; i < c->n_public_dns; i++)
		if (c->public_dns[i] == t.asn)
			return DL_E_OK;
	if (c->n_public_dns >= PUBLIC_DNS_MAX)
		return fail(err, err_len, "more than %d ASNs at `%s'", PUBLIC_DNS_MAX, value);
	c->public_dns[c->n_public_dns++] = t.asn;
	return DL_E_OK;
}

#define UINT_SETTER(fn, field, min, max)                                                    \
	static int fn(struct config *c, const char *value, char *err, size_t err_len)      \
	{                                                                                   \
		unsigned long long v;                                                       \
		if (parse_uint(value, (min), (max), &v) != DL_E_OK)                         \
			return fail(err, err_len, "want a whole number from %llu to %llu, got `%s'", \
				    (unsigned long long)(min), (unsigned long long)(max), value); \
		c->field = v;                                                               \
		return DL_E_OK;                                                             \
	}

UINT_SETTER(set_threads, threads, 0, 256)
UINT_SETTER(set_test_ttl, store.ttl_s, 1, 86400)
UINT_SETTER(set_max_tests, store.max_tests, 1, 10000000)
UINT_SETTER(set_max_obs, store.max_obs_per_test, 1, 100000)
UINT_SETTER(set_store_bytes, store.max_bytes, 1048576, 1ull << 40)
UINT_SETTER(set_tcp_conns, tcp_max_connections, 1, 65536)
UINT_SETTER(set_tcp_idle, tcp_idle_ms, 100, 600000)
UINT_SETTER(set_http_conns, http_max_connections, 1, 65536)
UINT_SETTER(set_http_per_ip, http_per_ip, 1, 65536)
UINT_SETTER(set_node_id, zone.node_id, 0, 65535)
UINT_SETTER(set_stun_rate, stun_rate, 0, 1000000)
UINT_SETTER(set_stun_burst, stun_burst, 1, 1000000)

enum {
	LIST_DNS = 1u << 0,
	LIST_HTTP = 1u << 1,
	LIST_WEB = 1u << 2,
	LIST_NS = 1u << 3,
	LIST_TRUSTED = 1u << 4,
	LIST_PUBLIC_DNS = 1u << 5,
	LIST_STUN = 1u << 6,
	LIST_PROXIES = 1u << 7,
};

static const struct config_key keys[] = {
	{ "zone", set_zone, 0 },
	{ "dns", set_dns, LIST_DNS },
	{ "http", set_http, LIST_HTTP },
	{ "stun", set_stun, LIST_STUN },
	{ "stun_rate", set_stun_rate, 0 },
	{ "stun_burst", set_stun_burst, 0 },
	{ "rdns", set_rdns, 0 },
	{ "web_address", set_web_address, LIST_WEB },
	{ "ns", set_ns, LIST_NS },
	{ "secret_file", set_secret_file, 0 },
	{ "user", set_user, 0 },
	{ "threads", set_threads, 0 },
	{ "node_id", set_node_id, 0 },
	{ "test_ttl", set_test_ttl, 0 },
	{ "max_tests", set_max_tests, 0 },
	{ "max_observations_per_test", set_max_obs, 0 },
	{ "store_max_bytes", set_store_bytes, 0 },
	{ "store", set_store, 0 },
	{ "redis", set_redis, 0 },
	{ "redis_prefix", set_redis_prefix, 0 },
	{ "tcp_max_connections", set_tcp_conns, 0 },
	{ "tcp_idle_timeout_ms", set_tcp_idle, 0 },
	{ "http_max_connections", set_http_conns, 0 },
	{ "http_connections_per_ip", set_http_per_ip, 0 },
	{ "asn_db", set_asn_db, 0 },
	{ "country_db", set_country_db, 0 },
	{ "trusted_resolvers", set_trusted, LIST_TRUSTED },
	{ "public_dns", set_public_dns, LIST_PUBLIC_DNS },
	{ "trusted_proxies", set_trusted_proxy, LIST_PROXIES },
};

void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->store.max_tests = STORE_TESTS_MAX;
	c->store.max_obs_per_test = STORE_OBS_PER_TEST;
	c->store.max_bytes = STORE_BYTES_MAX;
	c->store.ttl_s = TEST_TTL_S;
	c->tcp_max_connections = TCP_CONN_MAX;
	c->tcp_idle_ms = TCP_IDLE_MS;
	c->http_max_connections = HTTP_CONN_MAX;
	c->http_per_ip = HTTP_CONN_PER_IP;
	c->stun_rate = STUN_RATE_DEFAULT;
	c->stun_burst = STUN_BURST_DEFAULT;
	c->rdns = true;
	c->verbosity = 1;
	snprintf(c->redis.host, sizeof(c->redis.host), "%s", DEFAULT_REDIS_HOST);
	c->redis.port = DEFAULT_REDIS_PORT;
	snprintf(c->redis.prefix, sizeof(c->redis.prefix), "%s", DEFAULT_REDIS_PREFIX);
	char ignored[8];
	if (set_zone(c, DEFAULT_ZONE, ignored, sizeof(ignored)) != DL_E_OK)
		abort(); /* the built-in default is a valid name */
}

static void
clear_list(struct config *c, unsigned bit)
{
	if (bit == LIST_DNS)
		c->n_dns = 0;
	else if (bit == LIST_HTTP)
		c->n_http = 0;
	else if (bit == LIST_WEB)
		c->zone.n_web_v4 = c->zone.n_web_v6 = 0;
	else if (bit == LIST_NS)
		c->zone.n_ns = 0;
	else if (bit == LIST_TRUSTED)
		c->n_trusted = 0;
	else if (bit == LIST_PUBLIC_DNS)
		c->n_public_dns = 0;
	else if (bit == LIST_PROXIES)
		c->n_proxies = 0;
	else if (bit == LIST_STUN) {
		c->n_stun = 0;
		c->stun_off = false;
	}
}

int
config_set(struct config *c, const char *key, const char *value, enum config_origin origin,
	   char *err, size_t err_len)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].name, key) != 0)
			continue;
		if (origin == CONFIG_FROM_CLI && keys[i].list_bit != 0 &&
		    !(c->cli_lists & keys[i].list_bit)) {
			clear_list(c, keys[i].list_bit);
			c->cli_lists |= keys[i].list_bit;
		}
		char why[CONFIG_ERR_MAX];
		int rc = keys[i].set(c, value, why, sizeof(why));
		if (rc != DL_E_OK)
			return fail(err, err_len, "%s: %s", key, why);
		return DL_E_OK;
	}
	return fail(err, err_len, "unknown key `%s'", key);
}

static char *
trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
			 s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

int
config_line(struct config *c, const char *line, char *err, size_t err_len)
{
	char buf[CONFIG_LINE_MAX];

	if (strlen(line) >= sizeof(buf))
		return fail(err, err_len, "line longer than %d bytes", CONFIG_LINE_MAX - 1);
	snprintf(buf, sizeof(buf), "%s", line);
	char *hash = strchr(buf, '#');
	if (hash != NULL)
		*hash = '\0';
	char *s = trim(buf);
	if (*s == '\0')
		return DL_E_OK;
	char *eq = strchr(s, '=');
	if (eq == NULL)
		return fail(err, err_len, "want `key = value', got `%s'", s);
	*eq = '\0';
	char *key = trim(s);
	char *value = trim(eq + 1);
	if (*value == '\0')
		return fail(err, err_len, "%s: empty value", key);
	return config_set(c, key, value, CONFIG_FROM_FILE, err, err_len);
}

int
config_load_file(struct config *c, const char *path, char *err, size_t err_len)
{
	FILE *f = fopen(path, "r");
	char line[CONFIG_LINE_MAX + 2];
	char why[CONFIG_ERR_MAX];
	unsigned lineno = 0;
	int rc = DL_E_OK;

	if (f == NULL)
		return fail(err, err_len, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		size_t n = strlen(line);
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			rc = fail(err, err_len, "%s:%u: line longer than %d bytes", path, lineno,
				  CONFIG_LINE_MAX - 1);
			goto out;
		}
		if (config_line(c, line, why, sizeof(why)) != DL_E_OK) {
			rc = fail(err, err_len, "%s:%u: %s", path, lineno, why);
			goto out;
		}
	}
	if (ferror(f))
		rc = fail(err, err_len, "%s: read error", path);
out:
	fclose(f);
	return rc;
}

/* The verdict policy: the built-in public DNS operators, then public_dns, then trusted. */
static int
build_policy(struct config *c, char *err, size_t err_len)
{
	struct verdict_policy *p = &c->policy;

	verdict_policy_init(p);
	for (size_t i = 0; i < c->n_public_dns; i++) {
		bool known = false;
		for (size_t k = 0; k < p->n_public_dns && !known; k++)
			known = p->public_dns_asns[k] == c->public_dns[i];
		if (known)
			continue;
		if (p->n_public_dns >= PUBLIC_DNS_MAX)
			return fail(err, err_len,
				    "public_dns: more than %d ASNs together with the built-in ones",
				    PUBLIC_DNS_MAX);
		p->public_dns_asns[p->n_public_dns++] = c->public_dns[i];
	}
	memcpy(p->trusted, c->trusted, c->n_trusted * sizeof(c->trusted[0]));
	p->n_trusted = c->n_trusted;
	return DL_E_OK;
}

int
config_finish(struct config *c, char *err, size_t err_len)
{
	char why[CONFIG_ERR_MAX];

	if (c->n_dns == 0) {
		struct dl_endpoint v4 = { .addr = { .family = 4, .a = { 127, 0, 0, 1 } },
					  .port = DEFAULT_DNS_PORT };
		struct dl_endpoint v6 = { .addr = { .family = 6, .a = { [15] = 1 } },
					  .port = DEFAULT_DNS_PORT };
		c->dns[c->n_dns++] = v4;
		c->dns[c->n_dns++] = v6;
	}
	if (c->n_http == 0 && set_http(c, DEFAULT_HTTP, why, sizeof(why)) != DL_E_OK)
		return fail(err, err_len, "http: %s", why);
	if (c->n_stun == 0 && !c->stun_off) {
		struct dl_endpoint v4 = { .addr = { .family = 4, .a = { 127, 0, 0, 1 } },
					  .port = DEFAULT_STUN_PORT };
		struct dl_endpoint v6 = { .addr = { .family = 6, .a = { [15] = 1 } },
					  .port = DEFAULT_STUN_PORT };
		c->stun[c->n_stun++] = v4;
		c->stun[c->n_stun++] = v6;
	}
	if (c->zone.n_web_v4 + c->zone.n_web_v6 == 0) {
		if (set_web_address(c, "127.0.0.1", why, sizeof(why)) != DL_E_OK ||
		    set_web_address(c, "::1", why, sizeof(why)) != DL_E_OK)
			return fail(err, err_len, "web_address: %s", why);
	}
	if (c->zone.n_ns == 0) {
		if (set_ns(c, "ns1=127.0.0.1", why, sizeof(why)) != DL_E_OK ||
		    set_ns(c, "ns1=::1", why, sizeof(why)) != DL_E_OK)
			return fail(err, err_len, "ns: %s", why);
	}
	size_t n4 = 0, n6 = 0;
	for (size_t i = 0; i < c->zone.n_ns; i++) {
		n4 += c->zone.ns[i].n_v4;
		n6 += c->zone.ns[i].n_v6;
	}
	if (n4 > ZONE_ADDRS_MAX || n6 > ZONE_ADDRS_MAX)
		return fail(err, err_len, "ns: more than %d glue addresses of one family in all",
			    ZONE_ADDRS_MAX);
	if (c->zone.apex_len + 1 + DNS_LABEL_MAX + 4 + TESTID_TEXT_LEN > DNS_NAME_MAX)
		return fail(err, err_len, "zone: `%s' is too long for probe names under it",
			    c->zone_text);
	c->zone.test_ttl_s = c->store.ttl_s;
	return build_policy(c, err, err_len);
}

static void
print_addrs(FILE *f, const char *key, const char *prefix, const struct dl_addr *a, size_t n)
{
	char text[ADDR_TEXT_MAX];

	for (size_t i = 0; i < n; i++) {
		addr_fmt(&a[i], text);
		fprintf(f, "%s = %s%s\n", key, prefix, text);
	}
}

/* "AS64496" or "192.0.2.0/24": what trust_parse reads back to the same entry. */
static void
print_trust(FILE *f, const char *key, const struct trust_entry *t)
{
	char text[ADDR_TEXT_MAX];

	if (t->is_asn) {
		fprintf(f, "%s = AS%" PRIu32 "\n", key, t->asn);
		return;
	}
	addr_fmt(&t->prefix, text);
	fprintf(f, "%s = %s/%u\n", key, text, (unsigned)t->prefix_len);
}

/* A path, or a comment that says what leaving it out means. */
static void
print_path(FILE *f, const char *key, const char *path, const char *unset)
{
	if (path[0] != '\0')
		fprintf(f, "%s = %s\n", key, path);
	else
		fprintf(f, "# %s not set: %s\n", key, unset);
}

void
config_print(const struct config *c, FILE *f)
{
	char text[ADDR_STR_MAX];

	fprintf(f, "zone = %s\n", c->zone_text);
	for (size_t i = 0; i < c->n_dns; i++) {
		addr_fmt_endpoint(&c->dns[i], text);
		fprintf(f, "dns = %s\n", text);
	}
	for (size_t i = 0; i < c->n_http; i++) {
		addr_fmt_endpoint(&c->http[i], text);
		fprintf(f, "http = %s\n", text);
	}
	if (c->stun_off)
		fprintf(f, "stun = off\n");
	for (size_t i = 0; i < c->n_stun; i++) {
		addr_fmt_endpoint(&c->stun[i], text);
		fprintf(f, "stun = %s\n", text);
	}
	fprintf(f, "stun_rate = %u\n", c->stun_rate);
	fprintf(f, "stun_burst = %u\n", c->stun_burst);
	fprintf(f, "rdns = %s\n", c->rdns ? "yes" : "no");
	print_addrs(f, "web_address", "", c->zone.web_v4, c->zone.n_web_v4);
	print_addrs(f, "web_address", "", c->zone.web_v6, c->zone.n_web_v6);
	for (size_t i = 0; i < c->zone.n_ns; i++) {
		const struct zone_ns *ns = &c->zone.ns[i];
		char prefix[DNS_LABEL_MAX + 2];
		snprintf(prefix, sizeof(prefix), "%.*s=", ns->label[0], (const char *)ns->label + 1);
		print_addrs(f, "ns", prefix, ns->v4, ns->n_v4);
		print_addrs(f, "ns", prefix, ns->v6, ns->n_v6);
	}
	if (c->secret_file[0] != '\0')
		fprintf(f, "secret_file = %s\n", c->secret_file);
	else
		fprintf(f, "# secret_file not set: an ephemeral secret\n");
	if (c->user[0] != '\0')
		fprintf(f, "user = %s\n", c->user);
	fprintf(f, "threads = %u\n", c->threads);
	fprintf(f, "node_id = %u\n", c->zone.node_id);
	fprintf(f, "test_ttl = %u\n", c->store.ttl_s);
	fprintf(f, "max_tests = %zu\n", c->store.max_tests);
	fprintf(f, "max_observations_per_test = %zu\n", c->store.max_obs_per_test);
	fprintf(f, "store_max_bytes = %zu\n", c->store.max_bytes);
	fprintf(f, "store = %s\n", c->store_redis ? "redis" : "memory");
	if (c->redis.is_unix)
		fprintf(f, "redis = unix:%s\n", c->redis.host);
	else if (strchr(c->redis.host, ':') != NULL)
		fprintf(f, "redis = [%s]:%u\n", c->redis.host, c->redis.port);
	else
		fprintf(f, "redis = %s:%u\n", c->redis.host, c->redis.port);
	fprintf(f, "redis_prefix = %s\n", c->redis.prefix);
	fprintf(f, "tcp_max_connections = %zu\n", c->tcp_max_connections);
	fprintf(f, "tcp_idle_timeout_ms = %u\n", c->tcp_idle_ms);
	fprintf(f, "http_max_connections = %zu\n", c->http_max_connections);
	fprintf(f, "http_connections_per_ip = %zu\n", c->http_per_ip);
	print_path(f, "asn_db", c->asn_db, "no ASN or organisation for addresses");
	print_path(f, "country_db", c->country_db, "no country for addresses");
	for (size_t i = 0; i < c->n_trusted; i++)
		print_trust(f, "trusted_resolvers", &c->trusted[i]);
	for (size_t i = 0; i < c->n_public_dns; i++)
		fprintf(f, "public_dns = AS%" PRIu32 "\n", c->public_dns[i]);
	for (size_t i = 0; i < c->n_proxies; i++)
		print_trust(f, "trusted_proxies", &c->proxies[i]);

	/* The built-in list is not a setting; show it so an operator sees the whole policy. */
	struct verdict_policy builtin;
	verdict_policy_init(&builtin);
	fprintf(f, "# public DNS operators built in:");
	for (size_t i = 0; i < builtin.n_public_dns; i++)
		fprintf(f, " AS%" PRIu32, builtin.public_dns_asns[i]);
	fprintf(f, "\n");
}
