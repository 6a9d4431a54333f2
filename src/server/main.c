/* main.c -- dnsleakd: options, config, sockets, threads, and the store loop (STYLE R14). */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "dnsio.h"
#include "enrich.h"
#include "http.h"
#include "log.h"
#include "privdrop.h"
#include "secret.h"
#include "store.h"
#include "stun.h"

#define DNSLEAK_VERSION "0.1.0"
#define DRAIN_MS 10     /* how often the store thread empties the rings */
#define DRAIN_BATCH 4096

struct server {
	struct config cfg;
	struct keys keys;
	struct store *store;
	struct dns_thread *udp;
	size_t n_udp;
	unsigned threads_per_address;
	_Atomic bool stopping;
	struct dns_thread *tcp;
	struct http_server *http;
	struct stun_server *stun;
	struct enrich *enrich;
	int stop_fd;
	uint64_t stored; /* observations handed to the store */
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: dnsleakd [-nvq] [-c file] [--zone ZONE] [--dns ADDR:PORT]... [--http ADDR:PORT]...\n"
		"                [--web-address IP]... [--ns NAME=IP]... [--secret-file FILE]\n"
		"                [--user USER] [--threads N] [--test-ttl S] [--node-id N] [--max-tests N]\n"
		"                [--max-observations-per-test N] [--store-max-bytes N]\n"
		"                [--tcp-max-connections N] [--tcp-idle-timeout-ms MS]\n"
		"                [--http-max-connections N] [--http-connections-per-ip N]\n"
		"                [--asn-db FILE] [--country-db FILE] [--trusted PREFIX|ASN]...\n"
		"                [--public-dns ASN]... [--stun ADDR:PORT|off]... [--stun-rate N]\n"
		"                [--stun-burst N] [--rdns yes|no] [--trusted-proxy PREFIX]...\n"
		"                [--store memory|redis] [--redis HOST:PORT|unix:PATH]\n"
		"                [--redis-prefix PREFIX]\n"
		"\n"
		"Authoritative DNS server and results API of a DNS leak test.\n"
		"With no options: zone leak.test on 127.0.0.1:5353 and [::1]:5353 (UDP+TCP),\n"
		"HTTP API on 127.0.0.1:8053, STUN on 127.0.0.1:3478 and [::1]:3478 (UDP),\n"
		"an ephemeral secret.\n"
		"\n"
		"  -c FILE   read `key = value' settings (same names as the flags, '-' as '_');\n"
		"            flags given too override the file, and replace its repeatable lists\n"
		"  -n        check the configuration, print it, exit\n"
		"  -v / -q   more / less logging\n"
		"  -h        this help; -V version\n"
		"See dnsleakd(8), dnsleakd.conf(5) and README.md.\n");
}

static unsigned
cpus_available(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	return 1;
}

/*
 * Every long flag is a config key with '-' for '_', except where key says otherwise (the issue
 * named the flag --trusted); getopt returns 1000 + the flag's index.
 */
static const struct {
	const char *flag;
	const char *key; /* NULL: the flag with '_' for '-' */
} long_keys[] = {
	{ "zone", NULL },
	{ "dns", NULL },
	{ "http", NULL },
	{ "web-address", NULL },
	{ "ns", NULL },
	{ "secret-file", NULL },
	{ "user", NULL },
	{ "threads", NULL },
	{ "node-id", NULL },
	{ "test-ttl", NULL },
	{ "max-tests", NULL },
	{ "max-observations-per-test", NULL },
	{ "store-max-bytes", NULL },
	{ "store", NULL },
	{ "redis", NULL },
	{ "redis-prefix", NULL },
	{ "tcp-max-connections", NULL },
	{ "tcp-idle-timeout-ms", NULL },
	{ "http-max-connections", NULL },
	{ "http-connections-per-ip", NULL },
	{ "asn-db", NULL },
	{ "country-db", NULL },
	{ "trusted", "trusted_resolvers" },
	{ "trusted-resolvers", NULL },
	{ "public-dns", NULL },
	{ "trusted-proxy", "trusted_proxies" },
	{ "trusted-proxies", NULL },
	{ "stun", NULL },
	{ "stun-rate", NULL },
	{ "stun-burst", NULL },
	{ "rdns", NULL },
};
#define N_LONG_KEYS (sizeof(long_keys) / sizeof(long_keys[0]))

static void
parse_args(int argc, char *argv[], struct config *cfg, bool *check_only)
{
	struct option opts[N_LONG_KEYS + 4];
	char err[CONFIG_ERR_MAX];
	const char *file = NULL;
	int verbosity = 1;
	int ch;

	for (size_t i = 0; i < N_LONG_KEYS; i++)
		opts[i] = (struct option){ long_keys[i].flag, required_argument, NULL, 1000 + (int)i };
	opts[N_LONG_KEYS] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[N_LONG_KEYS + 1] = (struct option){ "version", no_argument, NULL, 'V' };
	opts[N_LONG_KEYS + 2] = (struct option){ "config", required_argument, NULL, 'c' };
	opts[N_LONG_KEYS + 3] = (struct option){ NULL, 0, NULL, 0 };

	/* First pass: the file, so that flags override it whatever their order. */
	while ((ch = getopt_long(argc, argv, "c:nvqhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'n':
			*check_only = true;
			break;
		case 'v':
			verbosity++;
			break;
		case 'q':
			verbosity = 0;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("dnsleakd %s\n", DNSLEAK_VERSION);
			exit(0);
		case '?':
			usage(stderr);
			exit(2);
		default:
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dnsleakd: unexpected argument `%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
	if (file != NULL && config_load_file(cfg, file, err, sizeof(err)) != DL_E_OK) {
		fprintf(stderr, "dnsleakd: %s\n", err);
		exit(2);
	}
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:nvqhV", opts, NULL)) != -1) {
		if (ch < 1000)
			continue;
		char key[64];
		const char *flag = long_keys[ch - 1000].flag;
		snprintf(key, sizeof(key), "%s",
			 long_keys[ch - 1000].key != NULL ? long_keys[ch - 1000].key : flag);
		for (char *p = key; *p != '\0'; p++)
			if (*p == '-')
				*p = '_';
		if (config_set(cfg, key, optarg, CONFIG_FROM_CLI, err, sizeof(err)) != DL_E_OK) {
			fprintf(stderr, "dnsleakd: --%s: %s\n", flag, err);
			exit(2);
		}
	}
	if (config_finish(cfg, err, sizeof(err)) != DL_E_OK) {
		fprintf(stderr, "dnsleakd: %s\n", err);
		exit(2);
	}
	cfg->verbosity = verbosity;
}

static size_t
metrics_text(void *arg, char *buf, size_t cap)
{
	struct server *s = arg;
	struct dns_counters sum;
	uint64_t ring_dropped = 0;
	size_t n = 0;

	memset(&sum, 0, sizeof(sum));
	for (size_t i = 0; i <= s->n_udp; i++) {
		struct dns_thread *t = i < s->n_udp ? &s->udp[i] : s->tcp;
		_Atomic uint64_t *src = (_Atomic uint64_t *)&t->ctr;
		_Atomic uint64_t *dst = (_Atomic uint64_t *)&sum;
		for (size_t k = 0; k < sizeof(sum) / sizeof(uint64_t); k++)
			dst[k] += counter_get(&src[k]);
		ring_dropped += atomic_load_explicit(&t->ring.dropped, memory_order_relaxed);
	}
	static const char *const rcodes[] = { "noerror", "formerr", "servfail",
					      "nxdomain", "notimp", "refused" };
#define EMIT(...)                                                          \
	do {                                                               \
		int w = snprintf(buf + n, cap - n, __VA_ARGS__);           \
		if (w > 0 && (size_t)w < cap - n)                          \
			n += (size_t)w;                                    \
	} while (0)
	EMIT("# TYPE dnsleakd_dns_queries_total counter\n");
	EMIT("dnsleakd_dns_queries_total %llu\n", (unsigned long long)sum.queries);
	EMIT("dnsleakd_dns_responses_total %llu\n", (unsigned long long)sum.responses);
	EMIT("dnsleakd_dns_dropped_total %llu\n", (unsigned long long)sum.dropped);
	for (int i = 0; i < 6; i++)
		EMIT("dnsleakd_dns_rcode_total{rcode=\"%s\"} %llu\n", rcodes[i],
		     (unsigned long long)sum.rcode[i]);
	EMIT("dnsleakd_dns_truncated_total %llu\n", (unsigned long long)sum.truncated);
	EMIT("dnsleakd_observations_total %llu\n", (unsigned long long)sum.observed);
	EMIT("dnsleakd_observations_ring_dropped_total %llu\n", (unsigned long long)ring_dropped);
	EMIT("dnsleakd_test_names_bad_mac_total %llu\n", (unsigned long long)sum.bad_mac);
	EMIT("dnsleakd_test_names_expired_total %llu\n", (unsigned long long)sum.expired);
	EMIT("dnsleakd_tcp_accepted_total %llu\n", (unsigned long long)sum.tcp_accepted);
	EMIT("dnsleakd_tcp_refused_total %llu\n", (unsigned long long)sum.tcp_refused);
	EMIT("dnsleakd_tcp_timeouts_total %llu\n", (unsigned long long)sum.tcp_timeouts);
#undef EMIT
	n += stun_metrics(s->stun, buf + n, cap - n);
	return n;
}

/* Move everything the DNS threads observed into the store. Returns how many. */
static size_t
drain_rings(struct server *s, struct observation *batch)
{
	size_t total = 0;
	uint64_t now_s = (uint64_t)time(NULL);

	for (size_t i = 0; i <= s->n_udp; i++) {
		struct obs_ring *r = i < s->n_udp ? &s->udp[i].ring : &s->tcp->ring;
		size_t n;
		while ((n = obs_ring_pop(r, batch, DRAIN_BATCH)) > 0) {
			store_put(s->store, batch, n, now_s);
			total += n;
		}
	}
	s->stored += total;
	return total;
}

static int
event_loop(struct server *s)
{
	sigset_t mask;
	struct observation *batch = malloc(DRAIN_BATCH * sizeof(*batch));
	int sfd = -1, tfd = -1, epfd = -1;
	int rc = 1;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (batch == NULL || sfd < 0 || tfd < 0 || epfd < 0) {
		log_warn("event loop");
		goto out;
	}
	struct itimerspec its = { .it_interval = { 0, DRAIN_MS * 1000000L },
				  .it_value = { 0, DRAIN_MS * 1000000L } };
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = sfd };
	if (timerfd_settime(tfd, 0, &its, NULL) < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev) < 0) {
		log_warn("event loop");
		goto out;
	}
	ev.data.fd = tfd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev) < 0) {
		log_warn("event loop");
		goto out;
	}
	time_t last_expire = time(NULL);
	for (;;) {
		struct epoll_event got[2];
		int n = epoll_wait(epfd, got, 2, -1);
		if (n < 0 && errno != EINTR) {
			log_warn("epoll_wait");
			goto out;
		}
		for (int i = 0; i < n; i++) {
			if (got[i].data.fd == sfd) {
				struct signalfd_siginfo si;
				if (read(sfd, &si, sizeof(si)) == sizeof(si))
					log_info("signal %u: shutting down", si.ssi_signo);
				rc = 0;
				goto out;
			}
			uint64_t ticks;
			if (read(tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
				log_warn("timerfd");
			drain_rings(s, batch);
			time_t now = time(NULL);
			if (now != last_expire) {
				store_expire(s->store, (uint64_t)now);
				last_expire = now;
			}
		}
	}
out:
	/*
	 * HTTP first: /metrics reads the DNS and STUN threads' counters, which their joins free.
	 * Then the DNS threads; the memory store dies with the process, so no final drain.
	 */
	http_stop(s->http);
	s->http = NULL;
	atomic_store(&s->stopping, true);
	{
		uint64_t one = 1;
		if (write(s->stop_fd, &one, sizeof(one)) < 0)
			log_warn("stop");
	}
	udp_join(s->udp, s->n_udp);
	s->udp = NULL;
	s->n_udp = 0;
	stun_join(s->stun);
	s->stun = NULL;
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	if (epfd >= 0)
		close(epfd);
	free(batch);
	return rc;
}

/* What the verdicts can know: an operator without databases should hear why all are vague. */
static void
log_enrich(const struct server *s)
{
	const struct config *c = &s->cfg;
	char type[ENRICH_TYPE_MAX];

	if (!enrich_has_data(s->enrich)) {
		log_info("no asn_db or country_db: resolvers have no network, so verdicts are "
			 "INCONCLUSIVE unless trusted_resolvers lists them by prefix");
		return;
	}
	if (c->asn_db[0] != '\0') {
		enrich_db_type(s->enrich, false, type);
		log_info("asn_db %s (%s)", c->asn_db, type);
	}
	if (c->country_db[0] != '\0') {
		enrich_db_type(s->enrich, true, type);
		log_info("country_db %s (%s)", c->country_db, type);
	}
}

int
main(int argc, char *argv[])
{
	static struct server srv;
	struct server *s = &srv;
	bool check_only = false;
	char err[CONFIG_ERR_MAX];
	sigset_t mask;
	int rc = 1;

	config_init(&s->cfg);
	parse_args(argc, argv, &s->cfg, &check_only);
	log_init("dnsleakd", s->cfg.verbosity);
	/* Part of checking the configuration: a database that will not open is a bad setting. */
	if (enrich_open(s->cfg.asn_db, s->cfg.country_db, &s->enrich, err, sizeof(err)) != DL_E_OK) {
		fprintf(stderr, "dnsleakd: %s\n", err);
		return 2;
	}
	if (check_only) {
		config_print(&s->cfg, stdout);
		enrich_close(s->enrich);
		return 0;
	}
	log_enrich(s);
	if (secret_load(s->cfg.secret_file, &s->keys, err, sizeof(err)) < 0)
		fatalx("secret: %s", err);
	if (s->cfg.secret_file[0] == '\0')
		log_info("no secret_file: using an ephemeral secret (test ids die with this process)");
	memcpy(s->cfg.zone.id_key, s->keys.id_key, sizeof(s->cfg.zone.id_key));
	s->cfg.zone.serial = (uint32_t)time(NULL);

	if (s->cfg.store_redis) {
		/* Redis unreachable at start is a setting to fix, not an outage to ride out. */
		s->store = store_redis_new(&s->cfg.store, &s->cfg.redis, err, sizeof(err));
		if (s->store == NULL) {
			fprintf(stderr, "dnsleakd: store = redis: %s\n", err);
			enrich_close(s->enrich);
			return 2;
		}
	} else {
		s->store = store_memory_new(&s->cfg.store);
		if (s->store == NULL)
			fatalx("out of memory for the store");
	}

	/* Threads inherit this mask, so only the signalfd in the main loop sees the signals. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->stop_fd < 0)
		fatal("eventfd");
	s->threads_per_address = s->cfg.threads != 0 ? s->cfg.threads : cpus_available();
	struct tcp_limits tl = { .max_connections = s->cfg.tcp_max_connections,
				 .idle_ms = s->cfg.tcp_idle_ms };
	if (tcp_start(&s->cfg.zone, s->cfg.dns, s->cfg.n_dns, &tl, s->stop_fd, &s->tcp, err,
		      sizeof(err)) != DL_E_OK)
		fatalx("%s", err);
	if (udp_start(&s->cfg.zone, s->cfg.dns, s->cfg.n_dns, s->threads_per_address, &s->stopping,
		      &s->udp, &s->n_udp, err, sizeof(err)) != DL_E_OK)
		fatalx("%s", err);
	if (stun_start(s->cfg.stun, s->cfg.n_stun, s->cfg.stun_rate, s->cfg.stun_burst,
		       &s->stopping, &s->stun, err, sizeof(err)) != DL_E_OK)
		fatalx("%s", err);

	struct http_deps deps = {
		.store = s->store,
		.keys = &s->keys,
		.zone_text = s->cfg.zone_text,
		.test_ttl_s = s->cfg.store.ttl_s,
		.max_connections = s->cfg.http_max_connections,
		.per_ip = s->cfg.http_per_ip,
		.metrics = metrics_text,
		.metrics_arg = s,
		.enrich = s->enrich,
		.policy = &s->cfg.policy,
		.node_id = s->cfg.zone.node_id,
		.proxies = s->cfg.proxies,
		.n_proxies = s->cfg.n_proxies,
	};
	deps.n_stun_urls = http_stun_urls(s->cfg.stun, s->cfg.n_stun, s->cfg.zone.web_v4,
					  s->cfg.zone.n_web_v4, s->cfg.zone.web_v6,
					  s->cfg.zone.n_web_v6, deps.stun_urls);
	if (s->cfg.rdns) {
		struct rdns_limits lim = RDNS_LIMITS_DEFAULT;
		deps.rdns = rdns_new(&lim, err, sizeof(err));
		if (deps.rdns == NULL)
			fatalx("rdns: %s", err);
	}
	if (http_start(s->cfg.http, s->cfg.n_http, &deps, &s->http, err, sizeof(err)) != DL_E_OK)
		fatalx("%s", err);

	if (s->cfg.user[0] != '\0' && privdrop(s->cfg.user, err, sizeof(err)) != DL_E_OK)
		fatalx("%s", err);

	char dns_list[CONFIG_LISTEN_MAX * ADDR_STR_MAX] = "";
	char http_list[CONFIG_LISTEN_MAX * ADDR_STR_MAX] = "";
	for (size_t i = 0; i < s->cfg.n_dns; i++) {
		char a[ADDR_STR_MAX];
		addr_fmt_endpoint(&s->cfg.dns[i], a);
		strncat(dns_list, i ? " " : "", sizeof(dns_list) - strlen(dns_list) - 1);
		strncat(dns_list, a, sizeof(dns_list) - strlen(dns_list) - 1);
	}
	for (size_t i = 0; i < s->cfg.n_http; i++) {
		char a[ADDR_STR_MAX];
		addr_fmt_endpoint(&s->cfg.http[i], a);
		strncat(http_list, i ? " " : "", sizeof(http_list) - strlen(http_list) - 1);
		strncat(http_list, a, sizeof(http_list) - strlen(http_list) - 1);
	}
	log_info("zone %s: dns %s (udp: %u threads each; tcp), http %s", s->cfg.zone_text,
		 dns_list, s->threads_per_address, http_list);
	for (size_t i = 0; i < s->cfg.n_stun; i++) {
		char a[ADDR_STR_MAX];
		addr_fmt_endpoint(&s->cfg.stun[i], a);
		log_info("stun %s (%u answers/s per source, burst %u)", a, s->cfg.stun_rate,
			 s->cfg.stun_burst);
	}

	rc = event_loop(s); /* stops the HTTP server before the threads it reads */
	rdns_free(deps.rdns); /* after the HTTP threads, its only users */
	tcp_join(s->tcp);
	log_info("stopped; %llu observations stored", (unsigned long long)s->stored);
	store_free(s->store);
	enrich_close(s->enrich);
	close(s->stop_fd);
	return rc;
}
