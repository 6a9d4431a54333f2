/* cmd_test.c -- dnsleak test: create a test, resolve its names, fetch the exits and the verdict.
 *
 * The I/O of one test, in order: POST a test to the server; resolve the probe names through the
 * system resolver (resolve.c); ask the server over IPv4 and over IPv6 by the v4-/v6- names so it
 * sees our exit addresses; GET the results until the count of queries stops growing, naming the
 * resolvers this machine is configured to use (sysdns.c) so that the server can recognise DNS
 * interception; print them (report.c). Everything that can be pure lives in probe.c, url.c,
 * api.c and report.c.
 */
#include "subcmd.h"

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cli.h"
#include "api.h"
#include "http_client.h"
#include "probe.h"
#include "report.h"
#include "resolve.h"
#include "sysdns.h"
#include "url.h"
#include "verdict.h"

#define TIMEOUT_DEFAULT_S 10
#define TIMEOUT_MAX_S 300
#define CONNECT_TIMEOUT_MAX_MS 5000
#define RESULTS_TRIES 5 /* GETs of the results at most, RESULTS_GAP_MS apart */
#define RESULTS_GAP_MS 250
#define MSG_MAX 1024

static const char usage_line[] =
    "usage: dnsleak test [-hj] [-s url] [-n count] [-e prefix|asn]... [-t seconds]\n";

static const char help_text[] =
    "\n"
    "Find out which DNS resolvers really see the names this machine looks up: ask a dnsleakd\n"
    "server for a test, resolve unique names under its zone through the system resolver (as\n"
    "any program here would), let the server see our IPv4 and IPv6 exit addresses, then show\n"
    "what the server saw and its verdict.\n"
    "\n"
    "options:\n"
    "  -s, --server URL     the dnsleakd server, http:// or https:// (default: $DNSLEAK_SERVER)\n"
    "  -n, --count N        probe names to resolve, 1..100 (default 12), plus about N/3 that\n"
    "                       only an IPv4 resolver and N/3 that only an IPv6 resolver can answer\n"
    "  -e, --expect P|ASN   a resolver you expect: an address, a prefix (198.51.100.0/24,\n"
    "                       2001:db8::/32) or an ASN (AS64496); repeatable. Any other resolver\n"
    "                       is then a leak\n"
    "  -t, --timeout S      seconds the resolver has to answer, and each request to the server,\n"
    "                       1..300 (default 10)\n"
    "  -j, --json           print one JSON document instead of the report\n"
    "  -h, --help           print this help\n"
    "\n"
    "output: the resolvers that asked the server for the names (address, IPv4/IPv6, queries,\n"
    "network and country when the server knows them, classification), the exit addresses the\n"
    "server saw over IPv4 and IPv6, the verdict and why, and the findings with next steps.\n"
    "Progress goes to stderr when it is a terminal; colour only on a terminal without NO_COLOR.\n"
    "With --json: one document, {\"verdict\", \"reason\", \"note\", \"server\", \"id\",\n"
    "\"zone\", \"resolvers\", \"exit\", \"findings\", \"probes\"}; {\"verdict\": null,\n"
    "\"error\"} when it could not test. The report shows the generic steps; `dnsleak audit'\n"
    "fits them to this machine's DNS manager and VPN. --json carries every platform's steps.\n"
    "\n"
    "The resolvers this machine is configured to use (resolv.conf's nameservers, or the\n"
    "upstreams of systemd-resolved behind its stub) go to the server with the results request\n"
    "when every one of them is a public address, so that it can tell whether the network\n"
    "answers DNS in their place (DL-DNS-HIJACK). A router or a local resolver among them may\n"
    "forward anywhere, so then none is sent.\n"
    "\n"
    "exit status:\n"
    "  0  PASS          only expected resolvers (or your own network's) saw the names\n"
    "  1  LEAK          a resolver of another network saw them\n"
    "  2  could not test: bad usage, no server, the server unreachable or its answer unusable\n"
    "  3  WARN or INCONCLUSIVE: a public resolver saw them, or there is not enough to decide\n"
    "     (for example no resolver asked at all)\n";

struct opts {
	const char *server;
	size_t count;
	bool is_json;
	const char *expects[TRUST_MAX];
	size_t n_expects;
	unsigned timeout_s;
};

/* Progress on stderr, one line rewritten in place; only on a terminal. */
struct progress {
	bool is_on;
	bool is_shown; /* a progress line is on the screen */
};

__attribute__((format(printf, 2, 3))) static void
progress_say(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->is_on)
		return;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	p->is_shown = true;
}

static void
progress_done(struct progress *p)
{
	if (!p->is_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->is_shown = false;
}

struct run {
	struct opts o;
	const struct test_extra *extra; /* the combined `dnsleak`: the audit beside the test */
	struct progress progress;
	char *base; /* the server's base URL */
	struct api_created created;
	struct probe probes[PROBE_NAMES_MAX];
	struct resolve_stats stats;
	struct httpc_req exits[2];
	char *exit_url[2];
	char *results_url;
	struct api_results res;
};

/* Print why we could not test, on stderr and with --json as the JSON document; returns 2. */
__attribute__((format(printf, 2, 3))) static int
cannot_test(struct run *r, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	progress_done(&r->progress);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "dnsleak test: %s\n", msg);
	if (r->o.is_json)
		(void)cli_print_json(report_error_json(msg));
	return EXIT_CANNOT_TEST;
}

/* A whole decimal number in lo..hi. */
static bool
parse_number(const char *text, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	if (text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* Returns -1 to go on, or the exit code: 0 after --help, 2 after a usage error. */
static int
parse_opts(int argc, char *argv[], struct run *r)
{
	struct opts *o = &r->o;
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "expect", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char msg[MSG_MAX] = "";
	unsigned long v = 0;
	int c;

	*o = (struct opts){ .count = PROBE_COUNT_DEFAULT, .timeout_s = TIMEOUT_DEFAULT_S };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:n:e:t:jh", longopts, NULL)) != -1) {
		struct trust_entry t;

		switch (c) {
		case 's':
			o->server = optarg;
			break;
		case 'n':
			if (!parse_number(optarg, 1, PROBE_COUNT_MAX, &v) && msg[0] == '\0')
				snprintf(msg, sizeof(msg),
					 "--count: `%s' is not a number from 1 to %d", optarg,
					 PROBE_COUNT_MAX);
			o->count = v;
			break;
		case 't':
			if (!parse_number(optarg, 1, TIMEOUT_MAX_S, &v) && msg[0] == '\0')
				snprintf(msg, sizeof(msg),
					 "--timeout: `%s' is not a number of seconds from 1 to %d",
					 optarg, TIMEOUT_MAX_S);
			o->timeout_s = (unsigned)v;
			break;
		case 'e':
			if (o->n_expects == TRUST_MAX) {
				if (msg[0] == '\0')
					snprintf(msg, sizeof(msg), "--expect: at most %d",
						 TRUST_MAX);
			} else if (strlen(optarg) > URL_EXPECT_MAX ||
				   trust_parse(optarg, &t) != DL_E_OK) {
				if (msg[0] == '\0')
					snprintf(msg, sizeof(msg),
						 "--expect: `%s' is not an address, a prefix or an "
						 "ASN",
						 optarg);
			} else {
				o->expects[o->n_expects++] = optarg;
			}
			break;
		case 'j':
			o->is_json = true;
			break;
		case 'h':
			fputs(usage_line, stdout);
			fputs(help_text, stdout);
			return 0;
		default: /* ':' a missing value, '?' an unknown option */
			cli_opt_error(c, argv, msg, sizeof(msg));
			break;
		}
	}
	if (msg[0] == '\0' && optind < argc)
		snprintf(msg, sizeof(msg), "unexpected argument `%s'", argv[optind]);
	if (msg[0] != '\0') {
		int rc = cannot_test(r, "%s", msg);
		fputs(usage_line, stderr);
		fputs("Try `dnsleak test --help'.\n", stderr);
		return rc;
	}
	if (o->server == NULL) {
		const char *env = getenv("DNSLEAK_SERVER");
		if (env != NULL && env[0] != '\0')
			o->server = env;
	}
	if (o->server == NULL)
		return cannot_test(r, "no server: use --server URL or DNSLEAK_SERVER");
	return -1;
}

static void
on_resolve_progress(size_t done, size_t total, void *arg)
{
	progress_say(arg, "resolving probe names: %zu of %zu answered", done, total);
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
init_req(struct httpc_req *rq, const char *url, const struct opts *o)
{
	unsigned ms = o->timeout_s * 1000;

	memset(rq, 0, sizeof(*rq));
	rq->url = url;
	rq->timeout_ms = ms;
	rq->connect_timeout_ms = ms < CONNECT_TIMEOUT_MAX_MS ? ms : CONNECT_TIMEOUT_MAX_MS;
}

/*
 * The JSON answer of a finished request that must have status want, in *doc (a new reference).
 * Otherwise false, with why in msg: no answer, another status, not JSON.
 */
static bool
answer_json(const struct httpc_req *rq, long want, json_t **doc, char msg[static MSG_MAX])
{
	char esc[HTTPC_ERROR_MAX * 4];
	json_error_t jerr;
	const char *text;

	*doc = NULL;
	if (rq->status == 0) {
		snprintf(msg, MSG_MAX, "%s", report_escape(rq->error, esc, sizeof(esc)));
		return false;
	}
	*doc = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (rq->status != want) {
		text = *doc != NULL ? api_error_text(*doc) : NULL;
		if (rq->status >= 300 && rq->status < 400 && rq->location[0] != '\0')
			snprintf(msg, MSG_MAX,
				 "the server answered HTTP %ld, redirecting to %s: "
				 "use that URL as --server",
				 rq->status, report_escape(rq->location, esc, sizeof(esc)));
		else if (text != NULL)
			snprintf(msg, MSG_MAX, "the server answered HTTP %ld: %s", rq->status,
				 report_escape(text, esc, sizeof(esc)));
		else
			snprintf(msg, MSG_MAX, "the server answered HTTP %ld, not %ld", rq->status,
				 want);
		json_decref(*doc);
		*doc = NULL;
		return false;
	}
	if (*doc == NULL) {
		char near[sizeof(jerr.text) * 4]; /* jansson quotes the body near the error */

		snprintf(msg, MSG_MAX, "the server's answer is not JSON (%s%s%s: %s)",
			 rq->content_type[0] != '\0' ? "Content-Type " : "",
			 report_escape(rq->content_type, esc, sizeof(esc)),
			 rq->content_type[0] != '\0' ? ", JSON error" : "JSON error",
			 report_escape(jerr.text, near, sizeof(near)));
		return false;
	}
	return true;
}

static bool
fill_random(uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

static int
create_test(struct run *r)
{
	char msg[MSG_MAX], err[API_ERR_MAX];
	struct httpc_req rq;
	char *url = NULL;
	json_t *doc = NULL;
	int rc = EXIT_CANNOT_TEST;

	if (asprintf(&url, "%s/api/v1/tests", r->base) < 0)
		return cannot_test(r, "out of memory");
	init_req(&rq, url, &r->o);
	rq.is_post = true;
	progress_say(&r->progress, "creating a test at %s", r->base);
	if (httpc_perform(&rq, 1) != DL_E_OK) {
		rc = cannot_test(r, "could not set up an HTTP request (out of memory)");
		goto out;
	}
	if (!answer_json(&rq, 201, &doc, msg)) {
		rc = cannot_test(r, "could not create a test at %s: %s", r->base, msg);
		goto out;
	}
	if (api_parse_created(doc, &r->created, err) != DL_E_OK) {
		rc = cannot_test(r, "could not create a test at %s: unusable answer: %s", r->base,
				 err);
		goto out;
	}
	rc = -1;
out:
	json_decref(doc);
	httpc_req_clear(&rq);
	free(url);
	return rc;
}

static int
resolve_names(struct run *r)
{
	uint8_t random[PROBE_NAMES_MAX * PROBE_RANDOM_PER_NAME];
	size_t n = probe_total(r->o.count);
	int rc;

	if (!fill_random(random, sizeof(random)))
		return cannot_test(r, "getrandom: %s", strerror(errno));
	if (probe_make(r->created.id, r->created.zone, r->o.count, random, sizeof(random),
		       r->probes, PROBE_NAMES_MAX) != DL_E_OK)
		return cannot_test(r, "could not build probe names under `%s'", r->created.zone);
	rc = resolve_probes(r->probes, n, r->o.timeout_s * 1000, on_resolve_progress, &r->progress,
			    &r->stats);
	if (rc != 0) {
		return cannot_test(r, "could not start the lookups: %s",
				   rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	}
	return -1;
}

/* Let the server see our exit addresses: one request by IPv4, one by IPv6, in parallel. */
static void
show_exits(struct run *r)
{
	static const char *const prefix[2] = { "v4", "v6" };
	char host[sizeof(r->created.id) + sizeof(r->created.zone) + 4];
	size_t n = 0;

	/* When no name resolved, v4-/v6- would not either: skip the wait. */
	if (r->stats.resolved == 0)
		return;
	for (size_t i = 0; i < 2; i++) {
		snprintf(host, sizeof(host), "%s-%s.%s", prefix[i], r->created.id, r->created.zone);
		if (url_with_host(r->base, host, "/api/v1/whoami", &r->exit_url[i]) != DL_E_OK)
			return; /* the base URL parsed before: only out of memory ends here */
		init_req(&r->exits[i], r->exit_url[i], &r->o);
		r->exits[i].family = i == 0 ? HTTPC_V4 : HTTPC_V6;
		n++;
	}
	progress_say(&r->progress, "asking the server for our exit addresses");
	if (httpc_perform(r->exits, n) != DL_E_OK) {
		/* Nothing went out: say so in the report rather than give up the test. */
		snprintf(r->exits[0].error, HTTPC_ERROR_MAX, "out of memory");
		snprintf(r->exits[1].error, HTTPC_ERROR_MAX, "out of memory");
	}
}

/*
 * The resolvers this machine is configured to use, into out (room for max), for the server's
 * interception check (verdict.h, DL-DNS-HIJACK): what sysdns_discover() finds. All of them or
 * none: a resolver that is not public (a home router, a local stub) may forward anywhere, so
 * with one among them the server could conclude nothing, and a list cut short could make it
 * conclude wrongly. None either when more than max differ or when discovery fails. Returns
 * how many were written.
 */
static size_t
configured_resolvers(struct dl_addr *out, size_t max)
{
	struct sysdns *sd = calloc(1, sizeof(*sd)); /* tens of KiB */
	size_t n = 0;

	if (sd == NULL || sysdns_discover(NULL, sd) != DL_E_OK)
		goto out;
	for (size_t i = 0; i < sd->n_servers && i < SYSDNS_SERVERS_MAX; i++) {
		const struct dl_addr *a = &sd->servers[i].addr;
		bool is_dup = false;

		for (size_t j = 0; j < n && !is_dup; j++)
			is_dup = addr_equal(&out[j], a);
		if (is_dup)
			continue;
		if (!verdict_addr_is_public(a) || n == max) {
			n = 0;
			goto out;
		}
		out[n++] = *a;
	}
out:
	free(sd);
	return n;
}

/* The results URL: url_results() and one configured= argument per configured resolver. */
static enum dl_err
results_url(const struct run *r, char **out)
{
	struct dl_addr cfg[VERDICT_CONFIGURED_MAX];
	size_t n = configured_resolvers(cfg, VERDICT_CONFIGURED_MAX);
	char *url = NULL;
	enum dl_err e;

	e = url_results(r->base, r->created.id, r->o.expects, r->o.n_expects, &url);
	for (size_t i = 0; e == DL_E_OK && i < n; i++) {
		char text[ADDR_TEXT_MAX]; /* digits, hex, '.', ':': nothing to percent-encode */
		char *longer = NULL;

		addr_fmt(&cfg[i], text);
		if (asprintf(&longer, "%s%cconfigured=%s", url, strchr(url, '?') ? '&' : '?',
			     text) < 0) {
			e = DL_E_NOMEM;
			break;
		}
		free(url);
		url = longer;
	}
	if (e != DL_E_OK) {
		free(url);
		return e;
	}
	*out = url;
	return DL_E_OK;
}

static int
fetch_results(struct run *r)
{
	char msg[MSG_MAX], err[API_ERR_MAX];
	struct httpc_req rq;
	uint64_t last_total = 0;
	int rc = EXIT_CANNOT_TEST;

	progress_say(&r->progress, "reading this machine's DNS configuration");
	if (results_url(r, &r->results_url) != DL_E_OK)
		return cannot_test(r, "out of memory");
	init_req(&rq, r->results_url, &r->o);
	rq.bearer = r->created.token;
	/* The server stores within ~10 ms, but a slow resolver may still be asking: read again
	 * until the number of queries stops growing. */
	for (int i = 0; i < RESULTS_TRIES; i++) {
		json_t *doc = NULL;
		enum dl_err e;

		if (i > 0)
			sleep_ms(RESULTS_GAP_MS);
		progress_say(&r->progress, "reading the results (%d)", i + 1);
		if (httpc_perform(&rq, 1) != DL_E_OK) {
			rc = cannot_test(r, "could not set up an HTTP request (out of memory)");
			goto out;
		}
		if (!answer_json(&rq, 200, &doc, msg)) {
			rc = cannot_test(r, "could not read the results from %s: %s", r->base, msg);
			goto out;
		}
		api_results_free(&r->res);
		e = api_parse_results(doc, &r->res, err);
		json_decref(doc);
		if (e != DL_E_OK) {
			rc = cannot_test(r, "the results from %s are unusable: %s", r->base, err);
			goto out;
		}
		if (strcasecmp(r->res.id, r->created.id) != 0 ||
		    strcmp(r->res.zone, r->created.zone) != 0) {
			rc = cannot_test(r, "the server answered with the results of another "
					    "test");
			goto out;
		}
		if (i > 0 && r->res.total == last_total)
			break;
		last_total = r->res.total;
	}
	rc = -1;
out:
	httpc_req_clear(&rq);
	return rc;
}

static int
print_report(struct run *r)
{
	int gai = r->stats.first_error;
	struct report rep = {
		.server = r->base,
		.res = &r->res,
		.probes = {
			.sent = r->stats.sent,
			.resolved = r->stats.resolved,
			.failed = r->stats.failed,
			.timed_out = r->stats.timed_out,
			.first_error = gai != 0 ? gai_strerror(gai) : NULL,
		},
		.timeout_s = r->o.timeout_s,
	};
	const struct test_extra *x = r->extra;
	bool colour = cli_use_colour();
	enum verdict v = r->res.verdict;

	for (size_t i = 0; i < 2; i++) {
		if (r->exit_url[i] != NULL && r->exits[i].status == 0)
			rep.exit_error[i] = r->exits[i].error;
	}
	if (x != NULL) {
		rep.ctx = x->ctx;
		if (x->audit_verdict > v)
			v = x->audit_verdict;
	}
	progress_done(&r->progress);
	if (r->o.is_json) {
		json_t *doc = report_json(&rep);
		if (doc != NULL && x != NULL) {
			/* One document: the combined verdict, then what each half found. */
			const char *reason = x->audit_verdict > r->res.verdict ? x->audit_reason
									       : r->res.reason;
			doc = json_pack("{s:s, s:s, s:o, s:o}", "verdict", verdict_name(v), "reason",
					reason != NULL ? reason : "", "audit", x->audit_json(x->arg),
					"test", doc);
		}
		if (!cli_print_json(doc))
			return cannot_test(r, "out of memory");
	} else {
		if (x != NULL) {
			x->print_audit(x->arg, stdout, colour);
			fputs("\n\nEnd-to-end test\n\n", stdout);
		}
		report_print(stdout, &rep, colour);
		if (x != NULL)
			fprintf(stdout, "\nCombined verdict (audit and test): %s\n", verdict_name(v));
	}
	if (fflush(stdout) != 0)
		return EXIT_CANNOT_TEST;
	return verdict_exit_code(v);
}

int
cmd_test(int argc, char *argv[])
{
	return cmd_test_with(argc, argv, NULL);
}

int
cmd_test_with(int argc, char *argv[], const struct test_extra *extra)
{
	struct run *r = calloc(1, sizeof(*r));
	bool has_curl = false;
	const char *why = NULL;
	char msg[MSG_MAX];
	int rc;

	if (r == NULL) {
		fprintf(stderr, "dnsleak test: out of memory\n");
		return EXIT_CANNOT_TEST;
	}
	r->extra = extra;
	rc = parse_opts(argc, argv, r);
	if (rc >= 0)
		goto out;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		rc = cannot_test(r, "could not initialise libcurl");
		goto out;
	}
	has_curl = true;
	switch (url_server_base(r->o.server, &r->base, &why)) {
	case DL_E_OK:
		break;
	case DL_E_NOMEM:
		rc = cannot_test(r, "out of memory");
		goto out;
	default:
		rc = cannot_test(r, "bad server URL `%s': %s",
				 report_escape(r->o.server, msg, sizeof(msg)), why);
		goto out;
	}
	r->progress.is_on = isatty(STDERR_FILENO);

	rc = create_test(r);
	if (rc < 0)
		rc = resolve_names(r);
	if (rc < 0) {
		show_exits(r);
		rc = fetch_results(r);
	}
	if (rc < 0)
		rc = print_report(r);
out:
	progress_done(&r->progress);
	for (size_t i = 0; i < 2; i++) {
		httpc_req_clear(&r->exits[i]);
		free(r->exit_url[i]);
	}
	free(r->results_url);
	free(r->base);
	api_results_free(&r->res);
	if (has_curl)
		curl_global_cleanup();
	free(r);
	return rc;
}
