/* config.h -- dnsleakd's configuration: defaults, `key = value` file lines, flags, validation.
 *
 * A streaming line parser (wireguard-tools config.c): config_init(), then config_set() per flag
 * or config_line() per file line, then config_finish(). Flags and file keys are the same words
 * (--web-address is web_address; --trusted is trusted_resolvers). A repeatable key given on
 * the command line replaces the file's list instead of adding to it. Every error names the key
 * and value, and for a file the path and line:
 * "dnsleakd.conf:12: dns: bad address `1.2.3:70000'".
 */
#ifndef DL_CONFIG_H
#define DL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "answer.h"
#include "err.h"
#include "forwarded.h"
#include "limits.h"
#include "store.h"
#include "verdict.h"

#define CONFIG_PATH_MAX 4096
#define CONFIG_ERR_MAX 512

enum config_origin { CONFIG_FROM_FILE, CONFIG_FROM_CLI };

struct config {
	char zone_text[DNS_NAME_TEXT_MAX];
	struct dl_endpoint dns[CONFIG_LISTEN_MAX];
	size_t n_dns;
	struct dl_endpoint http[CONFIG_LISTEN_MAX];
	size_t n_http;
	struct dl_endpoint stun[CONFIG_LISTEN_MAX]; /* STUN responder (stun.h); empty when off */
	size_t n_stun;
	bool stun_off;       /* `stun = off': no STUN responder at all */
	unsigned stun_rate;  /* STUN answers per second per source network; 0: no limit */
	unsigned stun_burst; /* STUN answers in a burst per source network */
	bool rdns;           /* look up reverse names for results (rdns.h) */
	char secret_file[CONFIG_PATH_MAX]; /* empty: an ephemeral secret */
	char user[64];                     /* empty: keep the user we started as */
	unsigned threads;                  /* UDP workers; 0: one per CPU we may run on */
	struct store_limits store;
	bool store_redis;             /* `store = redis': observations in Redis (store_redis.c) */
	struct store_redis_opts redis; /* `redis', `redis_prefix' */
	size_t tcp_max_connections;
	unsigned tcp_idle_ms;
	size_t http_max_connections;
	size_t http_per_ip;
	int verbosity;
	struct zone zone; /* apex, ns, web addresses, ttl, node id; id_key filled in by main */
	char asn_db[CONFIG_PATH_MAX];     /* MMDB with the ASN and organisation; empty: none */
	char country_db[CONFIG_PATH_MAX]; /* MMDB with the country; empty: none */
	struct trust_entry trusted[TRUST_MAX]; /* trusted_resolvers: prefixes and ASNs */
	size_t n_trusted;
	uint32_t public_dns[PUBLIC_DNS_MAX]; /* ASNs added to the built-in public DNS operators */
	struct trust_entry proxies[FORWARDED_PROXIES_MAX]; /* trusted_proxies (forwarded.h) */
	size_t n_proxies;
	size_t n_public_dns;
	struct verdict_policy policy; /* built by config_finish: built-ins + public_dns + trusted */
	unsigned cli_lists; /* which repeatable keys the command line has restarted */
};

void config_init(struct config *c);

/* Apply one setting. err gets "key: why `value'" on failure. */
DL_MUSTCHECK int config_set(struct config *c, const char *key, const char *value,
			    enum config_origin origin, char *err, size_t err_len);

/* One config file line (comment, blank or `key = value'). err as config_set, without place. */
DL_MUSTCHECK int config_line(struct config *c, const char *line, char *err, size_t err_len);

/* Read a whole file; errors are prefixed "path:line: ". */
DL_MUSTCHECK int config_load_file(struct config *c, const char *path, char *err,
				  size_t err_len);

/* Fill unset lists with the defaults, check the whole, build c->zone and c->policy. */
DL_MUSTCHECK int config_finish(struct config *c, char *err, size_t err_len);

/* The effective configuration in file syntax (dnsleakd -n). */
void config_print(const struct config *c, FILE *f);

#endif
