/* cmd_watch.c -- dnsleak watch: capture DNS leaving this host outside the tunnel, live.
 *
 * The I/O only: choose the interfaces (the named ones, or every up interface that is neither a
 * tunnel nor loopback, from rtnetlink), open each with libpcap (a BPF filter for the DNS ports,
 * outgoing packets only, immediate mode), poll them all in one loop and hand every frame to
 * cap_decode() (capture.c, pure). Each query is printed as it is seen; at the end, a summary.
 * SIGINT/SIGTERM only set a flag and write to a self-pipe the loop polls. -r reads a pcap file
 * instead, for tests and for captures made elsewhere.
 *
 * Memory is fixed after start: the flow table, a bounded table of destinations, and libpcap's
 * ring of WATCH_PCAP_BUFFER bytes per interface.
 */
#include "subcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <pcap/pcap.h>

#include "cli.h"
#include "addr.h"
#include "capture.h"
#include "nl.h"
#include "results.h"
#include "verdict.h"

#define WATCH_IFACES_MAX 32            /* interfaces watched at once */
#define WATCH_DESTS_MAX 64             /* destinations counted one by one; the rest as "other" */
#define WATCH_DURATION_MAX (7 * 86400) /* --duration, seconds */
#define WATCH_PCAP_BUFFER (1 << 20)    /* libpcap ring per interface: only DNS passes the filter */
#define WATCH_NAME_MAX 64              /* interface name, or a file's base name with -r */
#define WATCH_BATCH 256                /* frames per pcap_dispatch() of a file */

#define FILTER_DNS "udp port 53 or tcp port 53 or tcp port 853"
#define FILTER_MDNS " or udp port 5353 or udp port 5355"

static const char usage_text[] =
    "usage: dnsleak watch [-hj] [-i iface]... [-d seconds] [--mdns] [--inbound] [-r file]\n"
    "\n"
    "Watch DNS leave this host outside the tunnel, as it happens: every DNS query (UDP or TCP,\n"
    "port 53) and every DNS-over-TLS connection (port 853) sent out of an interface that is not\n"
    "a tunnel is printed with its time, interface, source, destination, name and type. Stop\n"
    "with Ctrl-C or after --duration; a summary follows. Needs root or CAP_NET_RAW.\n"
    "\n"
    "  -i, --interface IFACE  watch IFACE (repeatable; default: every interface that is up\n"
    "                         and is neither a tunnel nor loopback). Queries on a tunnel you\n"
    "                         name are shown but are not leaks\n"
    "  -d, --duration S       stop after S seconds\n"
    "  -j, --json             one JSON object per line, and {\"summary\": ...} last\n"
    "      --mdns             also mDNS (5353) and LLMNR (5355) queries: they tell the local\n"
    "                         network the names this host looks up\n"
    "      --inbound          also queries arriving (on a router or a resolver); by default\n"
    "                         only those leaving this host\n"
    "  -r, --read FILE        decode a pcap file instead of capturing (no privileges needed)\n"
    "\n"
    "exit: 0 no DNS seen leaving outside the tunnel, 1 some was, 2 could not watch\n";

struct iface {
	char name[WATCH_NAME_MAX];
	bool is_tunnel;
	pcap_t *p;
	int fd;
	int dlt;
	uint64_t events;
};

struct dest {
	struct dl_addr addr;
	uint64_t n;
};

struct watch {
	bool json;
	bool want_mdns;
	bool inbound;
	unsigned long duration_s; /* 0: until a signal */
	const char *read_file;
	const char *names[WATCH_IFACES_MAX]; /* -i, in order */
	size_t n_names;

	struct cap_flows *flows;
	struct iface ifs[WATCH_IFACES_MAX];
	size_t n_ifs;
	struct iface *cur; /* the interface pcap_dispatch() is reading */

	uint64_t kinds[CAP_MALFORMED + 1];
	uint64_t leaks;
	struct dest dests[WATCH_DESTS_MAX];
	size_t n_dests;
	uint64_t dests_other;
	uint64_t dropped;
	bool failed; /* a capture broke off: exit 2 unless a leak was seen */
};

static volatile sig_atomic_t stop_requested;
static int stop_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	stop_requested = 1;
	if (stop_pipe[1] != -1)
		(void)!write(stop_pipe[1], "x", 1);
	errno = saved;
}

static bool
parse_seconds(const char *text, unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	if (text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > WATCH_DURATION_MAX)
		return false;
	*out = v;
	return true;
}

/* Print a failure: stderr always, and {"error": ...} on stdout with --json. Returns 2. */
static int __attribute__((format(printf, 2, 3)))
cannot_watch(const struct watch *w, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "dnsleak watch: %s\n", msg);
	if (w->json) {
		json_t *doc = json_pack("{s:s}", "error", msg);
		if (doc != NULL) {
			json_dumpf(doc, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
			fputc('\n', stdout);
			json_decref(doc);
		}
		fflush(stdout);
	}
	return EXIT_CANNOT_TEST;
}

/* Returns -1 to go on, or the exit code: 0 after --help, 2 after a usage error. */
static int
parse_opts(int argc, char *argv[], struct watch *w)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "mdns", no_argument, NULL, 'm' },
		{ "inbound", no_argument, NULL, 'I' },
		{ "read", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char msg[256] = "";
	int ch;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":i:d:jr:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			if (strlen(optarg) == 0 || strlen(optarg) >= IF_NAMESIZE) {
				if (msg[0] == '\0')
					snprintf(msg, sizeof(msg),
						 "--interface: `%s' is not an interface name",
						 optarg);
			} else if (w->n_names == WATCH_IFACES_MAX) {
				if (msg[0] == '\0')
					snprintf(msg, sizeof(msg), "--interface: at most %d",
						 WATCH_IFACES_MAX);
			} else {
				w->names[w->n_names++] = optarg;
			}
			break;
		case 'd':
			if (!parse_seconds(optarg, &w->duration_s) && msg[0] == '\0')
				snprintf(msg, sizeof(msg),
					 "--duration: `%s' is not a number of seconds from 1 to %d",
					 optarg, WATCH_DURATION_MAX);
			break;
		case 'j':
			w->json = true;
			break;
		case 'm':
			w->want_mdns = true;
			break;
		case 'I':
			w->inbound = true;
			break;
		case 'r':
			w->read_file = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_PASS;
		default: /* ':' a missing value, '?' an unknown option */
			cli_opt_error(ch, argv, msg, sizeof(msg));
			break;
		}
	}
	if (msg[0] == '\0' && optind < argc)
		snprintf(msg, sizeof(msg), "unexpected argument `%s'", argv[optind]);
	if (msg[0] == '\0' && w->read_file != NULL && w->n_names > 0)
		snprintf(msg, sizeof(msg), "--read and --interface exclude each other");
	if (msg[0] != '\0') {
		fprintf(stderr, "dnsleak watch: %s\n%s", msg, usage_text);
		return EXIT_CANNOT_TEST;
	}
	return -1;
}

/* ---- events and the summary ------------------------------------------------------------ */

static void
count_dest(struct watch *w, const struct dl_addr *a)
{
	for (size_t i = 0; i < w->n_dests; i++) {
		if (addr_equal(&w->dests[i].addr, a)) {
			w->dests[i].n++;
			return;
		}
	}
	if (w->n_dests == WATCH_DESTS_MAX) {
		w->dests_other++;
		return;
	}
	w->dests[w->n_dests].addr = *a;
	w->dests[w->n_dests].n = 1;
	w->n_dests++;
}

static void
print_json_event(const struct watch *w, const struct cap_event *e, uint64_t time_us)
{
	char t[RESULTS_TIME_MAX], src[ADDR_STR_MAX], dst[ADDR_STR_MAX], qt[RESULTS_QTYPE_MAX];
	bool has_name = e->kind != CAP_DOT;

	results_time_text(time_us, true, t);
	addr_fmt_endpoint(&e->src, src);
	addr_fmt_endpoint(&e->dst, dst);
	json_t *doc = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "time", t, "interface", w->cur->name,
	    "kind", cap_kind_name(e->kind), "src", src, "dst", dst, "transport",
	    e->is_tcp ? "tcp" : "udp", "qname", has_name ? json_string(e->qname) : json_null(),
	    "qtype", has_name ? json_string(results_qtype_name(e->qtype, qt)) : json_null());
	if (doc == NULL) {
		fprintf(stderr, "dnsleak watch: out of memory\n");
		return;
	}
	json_dumpf(doc, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	json_decref(doc);
}

static void
print_event(const struct watch *w, const struct cap_event *e, const struct timeval *ts)
{
	char src[ADDR_STR_MAX], dst[ADDR_STR_MAX], qt[RESULTS_QTYPE_MAX], clock[16];
	struct tm tm;
	time_t secs = ts->tv_sec;

	if (localtime_r(&secs, &tm) == NULL || strftime(clock, sizeof(clock), "%H:%M:%S", &tm) == 0)
		snprintf(clock, sizeof(clock), "--:--:--");
	addr_fmt_endpoint(&e->src, src);
	addr_fmt_endpoint(&e->dst, dst);
	printf("%s.%03ld %s %s/%s %s -> %s", clock, (long)(ts->tv_usec / 1000), w->cur->name,
	       cap_kind_name(e->kind), e->is_tcp ? "tcp" : "udp", src, dst);
	if (e->kind == CAP_DOT)
		printf(" (DNS over TLS: the name is encrypted)");
	else
		printf(" %s %s", e->qname, results_qtype_name(e->qtype, qt));
	if (w->cur->is_tunnel)
		printf(" (in the tunnel)");
	putchar('\n');
}

static void
on_event(struct watch *w, const struct cap_event *e, const struct timeval *ts)
{
	w->kinds[e->kind]++;
	if (e->kind == CAP_MALFORMED)
		return;
	w->cur->events++;
	if (!w->cur->is_tunnel)
		w->leaks++;
	count_dest(w, &e->dst.addr);
	uint64_t us = (uint64_t)ts->tv_sec * 1000000u + (uint64_t)ts->tv_usec;
	if (ts->tv_sec < 0)
		us = 0;
	if (w->json)
		print_json_event(w, e, us);
	else
		print_event(w, e, ts);
	fflush(stdout);
}

static void
on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct watch *w = (struct watch *)user;
	struct cap_event e;
	uint64_t now_ms =
	    h->ts.tv_sec < 0 ? 0 : (uint64_t)h->ts.tv_sec * 1000u + (uint64_t)h->ts.tv_usec / 1000u;

	cap_decode(w->cur->dlt, bytes, h->caplen, now_ms, w->want_mdns, w->flows, &e);
	if (e.kind == CAP_NONE)
		return;
	on_event(w, &e, &h->ts);
	while (cap_flows_next(w->flows, &e))
		on_event(w, &e, &h->ts);
}

static uint64_t
events_total(const struct watch *w)
{
	uint64_t n = 0;

	for (int k = CAP_DNS; k < CAP_MALFORMED; k++)
		n += w->kinds[k];
	return n;
}

static void
print_json_summary(const struct watch *w)
{
	json_t *kinds = json_object();
	json_t *dests = json_object();
	json_t *ifs = json_object();
	json_t *doc = NULL;
	char a[ADDR_TEXT_MAX];
	int bad = kinds == NULL || dests == NULL || ifs == NULL;

	for (int k = CAP_DNS; k < CAP_MALFORMED && !bad; k++)
		bad |= json_object_set_new(kinds, cap_kind_name((enum cap_kind)k),
					   json_integer((json_int_t)w->kinds[k]));
	for (size_t i = 0; i < w->n_dests && !bad; i++) {
		addr_fmt(&w->dests[i].addr, a);
		bad |= json_object_set_new(dests, a, json_integer((json_int_t)w->dests[i].n));
	}
	for (size_t i = 0; i < w->n_ifs && !bad; i++)
		bad |= json_object_set_new(ifs, w->ifs[i].name,
					   json_integer((json_int_t)w->ifs[i].events));
	if (!bad)
		doc = json_pack("{s:{s:I, s:I, s:O, s:O, s:I, s:O, s:I, s:I}}", "summary", "leaks",
				(json_int_t)w->leaks, "events", (json_int_t)events_total(w),
				"kinds", kinds, "destinations", dests, "destinations_other",
				(json_int_t)w->dests_other, "interfaces", ifs, "malformed",
				(json_int_t)w->kinds[CAP_MALFORMED], "dropped",
				(json_int_t)w->dropped);
	if (doc == NULL) {
		fprintf(stderr, "dnsleak watch: out of memory\n");
	} else {
		json_dumpf(doc, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
		fputc('\n', stdout);
	}
	json_decref(doc);
	json_decref(kinds);
	json_decref(dests);
	json_decref(ifs);
}

static void
print_summary(const struct watch *w)
{
	char a[ADDR_TEXT_MAX];
	uint64_t total = events_total(w);
	const char *sep = "";

	printf("\n%llu quer%s seen", (unsigned long long)total, total == 1 ? "y" : "ies");
	for (int k = CAP_DNS; k < CAP_MALFORMED; k++) {
		if (w->kinds[k] == 0)
			continue;
		printf("%s %s %llu", sep[0] == '\0' ? ":" : ",", cap_kind_name((enum cap_kind)k),
		       (unsigned long long)w->kinds[k]);
		sep = ",";
	}
	putchar('\n');
	if (w->n_dests > 0) {
		printf("destinations:");
		for (size_t i = 0; i < w->n_dests; i++) {
			addr_fmt(&w->dests[i].addr, a);
			printf("%s %s %llu", i == 0 ? "" : ",", a,
			       (unsigned long long)w->dests[i].n);
		}
		if (w->dests_other > 0)
			printf(", others %llu", (unsigned long long)w->dests_other);
		putchar('\n');
	}
	printf("interfaces:");
	for (size_t i = 0; i < w->n_ifs; i++)
		printf("%s %s %llu%s", i == 0 ? "" : ",", w->ifs[i].name,
		       (unsigned long long)w->ifs[i].events,
		       w->ifs[i].is_tunnel ? " (tunnel)" : "");
	putchar('\n');
	printf("malformed: %llu, dropped by the capture: %llu\n",
	       (unsigned long long)w->kinds[CAP_MALFORMED], (unsigned long long)w->dropped);
	if (w->leaks > 0)
		printf("LEAK: %llu DNS quer%s left outside the tunnel\n",
		       (unsigned long long)w->leaks, w->leaks == 1 ? "y" : "ies");
	else
		printf("PASS: no DNS seen leaving outside the tunnel\n");
}

/* ---- capture --------------------------------------------------------------------------- */

static bool
is_loopback(const struct nl_link *l)
{
	return l->arphrd == ARPHRD_LOOPBACK || strcmp(l->name, "lo") == 0;
}

/* Fill w->ifs[] with the names of the interfaces to watch and whether each is a tunnel. */
static int
choose_interfaces(struct watch *w)
{
	static struct nl_link links[NL_LINKS_MAX];
	size_t n = 0;
	char err[256] = "";
	int rc = nl_links(links, NL_LINKS_MAX, &n, err, sizeof(err));

	if (rc < 0 && rc != DL_E_FULL) {
		if (w->n_names == 0)
			return cannot_watch(w, "cannot list the interfaces: %s", err);
		n = 0; /* named interfaces: we only lose the tunnel marks */
	}
	if (w->n_names > 0) {
		for (size_t i = 0; i < w->n_names; i++) {
			bool dup = false;
			for (size_t j = 0; j < w->n_ifs; j++)
				dup |= strcmp(w->ifs[j].name, w->names[i]) == 0;
			if (dup)
				continue;
			struct iface *f = &w->ifs[w->n_ifs++];
			snprintf(f->name, sizeof(f->name), "%s", w->names[i]);
			for (size_t j = 0; j < n; j++)
				if (strcmp(links[j].name, f->name) == 0)
					f->is_tunnel = nl_tunnel_kind(&links[j]) != TUNNEL_NONE;
		}
		return -1;
	}
	for (size_t j = 0; j < n && w->n_ifs < WATCH_IFACES_MAX; j++) {
		if (!links[j].up || is_loopback(&links[j]) ||
		    nl_tunnel_kind(&links[j]) != TUNNEL_NONE)
			continue;
		snprintf(w->ifs[w->n_ifs++].name, WATCH_NAME_MAX, "%s", links[j].name);
	}
	if (w->n_ifs == 0)
		return cannot_watch(w, "no interface to watch: every one that is up is a tunnel or "
				       "loopback (name one with -i)");
	return -1;
}

/*
 * Open one interface. Returns 0, 1 (skipped: the interface cannot be watched and was not
 * named), or the exit code after printing why.
 */
static int
open_live(struct watch *w, struct iface *f, const char *filter)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	bool named = w->n_names > 0;
	int rc;

	f->p = pcap_create(f->name, errbuf);
	if (f->p == NULL)
		return cannot_watch(w, "%s: %s", f->name, errbuf);
	if (pcap_set_snaplen(f->p, CAP_SNAPLEN) != 0 || pcap_set_promisc(f->p, 0) != 0 ||
	    pcap_set_immediate_mode(f->p, 1) != 0 ||
	    pcap_set_buffer_size(f->p, WATCH_PCAP_BUFFER) != 0 || pcap_set_timeout(f->p, 100) != 0)
		return cannot_watch(w, "%s: cannot set up the capture", f->name);
	rc = pcap_activate(f->p);
	if (rc == PCAP_ERROR_PERM_DENIED || (rc == PCAP_ERROR && geteuid() != 0 &&
					     strstr(pcap_geterr(f->p), "not permitted") != NULL))
		return cannot_watch(w, "capturing on %s needs root or CAP_NET_RAW (try sudo)",
				    f->name);
	if (rc == PCAP_ERROR_NO_SUCH_DEVICE && named)
		return cannot_watch(w, "%s: no such interface", f->name);
	if (rc < 0) {
		/* One of the interfaces we chose (it may have gone since): the others go on. */
		if (!named) {
			fprintf(stderr, "dnsleak watch: %s skipped: %s\n", f->name,
				pcap_geterr(f->p));
			return 1;
		}
		return cannot_watch(w, "%s: %s", f->name, pcap_geterr(f->p));
	}
	f->dlt = pcap_datalink(f->p);
	if (!cap_dlt_supported(f->dlt)) {
		const char *dl = pcap_datalink_val_to_name(f->dlt);
		if (!named) {
			fprintf(stderr, "dnsleak watch: %s skipped: link type %s is not decoded\n",
				f->name, dl != NULL ? dl : "?");
			return 1;
		}
		return cannot_watch(w, "%s: link type %s is not decoded", f->name,
				    dl != NULL ? dl : "?");
	}
	if (!w->inbound && pcap_setdirection(f->p, PCAP_D_OUT) != 0)
		fprintf(stderr,
			"dnsleak watch: %s: cannot keep to outgoing packets (%s); watching "
			"both ways\n",
			f->name, pcap_geterr(f->p));
	if (pcap_compile(f->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
		return cannot_watch(w, "%s: filter: %s", f->name, pcap_geterr(f->p));
	rc = pcap_setfilter(f->p, &prog);
	pcap_freecode(&prog);
	if (rc != 0)
		return cannot_watch(w, "%s: filter: %s", f->name, pcap_geterr(f->p));
	if (pcap_setnonblock(f->p, 1, errbuf) != 0)
		return cannot_watch(w, "%s: %s", f->name, errbuf);
	f->fd = pcap_get_selectable_fd(f->p);
	if (f->fd < 0)
		return cannot_watch(w, "%s: no descriptor to poll", f->name);
	return 0;
}

static int
open_all(struct watch *w)
{
	char filter[128];
	size_t kept = 0;

	snprintf(filter, sizeof(filter), "%s%s", FILTER_DNS, w->want_mdns ? FILTER_MDNS : "");
	for (size_t i = 0; i < w->n_ifs; i++) {
		int rc = open_live(w, &w->ifs[i], filter);
		if (rc == 1) {
			pcap_close(w->ifs[i].p);
			w->ifs[i].p = NULL;
			continue;
		}
		if (rc != 0)
			return rc;
		if (kept != i) {
			w->ifs[kept] = w->ifs[i];
			w->ifs[i].p = NULL;
		}
		kept++;
	}
	for (size_t i = kept; i < w->n_ifs; i++)
		memset(&w->ifs[i], 0, sizeof(w->ifs[i]));
	w->n_ifs = kept;
	if (kept == 0)
		return cannot_watch(w, "no interface could be watched");
	return -1;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Read what each interface has; false when one of them broke off. */
static bool
drain(struct watch *w, const struct pollfd *pfd, bool all)
{
	bool ok = true;

	for (size_t i = 0; i < w->n_ifs; i++) {
		struct iface *f = &w->ifs[i];
		if (f->p == NULL || (!all && pfd[i + 1].revents == 0))
			continue;
		w->cur = f;
		if (pcap_dispatch(f->p, -1, on_frame, (u_char *)w) == PCAP_ERROR) {
			fprintf(stderr, "dnsleak watch: %s: %s\n", f->name, pcap_geterr(f->p));
			ok = false;
		}
	}
	return ok;
}

static void
capture_loop(struct watch *w)
{
	struct pollfd pfd[WATCH_IFACES_MAX + 1];
	uint64_t deadline = w->duration_s > 0 ? mono_ms() + w->duration_s * 1000u : 0;

	pfd[0] = (struct pollfd){ .fd = stop_pipe[0], .events = POLLIN };
	for (size_t i = 0; i < w->n_ifs; i++)
		pfd[i + 1] = (struct pollfd){ .fd = w->ifs[i].fd, .events = POLLIN };
	while (!stop_requested) {
		int timeout = -1;
		if (deadline != 0) {
			uint64_t now = mono_ms();
			if (now >= deadline)
				break;
			timeout = (int)(deadline - now);
		}
		/* Some platforms cannot wake poll() for a packet: libpcap then asks for a timeout.
		 */
		for (size_t i = 0; i < w->n_ifs; i++) {
			const struct timeval *tv = pcap_get_required_select_timeout(w->ifs[i].p);
			if (tv == NULL)
				continue;
			int ms = (int)(tv->tv_sec * 1000 + tv->tv_usec / 1000);
			if (timeout < 0 || ms < timeout)
				timeout = ms;
		}
		int n = poll(pfd, w->n_ifs + 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "dnsleak watch: poll: %s\n", strerror(errno));
			w->failed = true;
			break;
		}
		if (!drain(w, pfd, timeout >= 0 && n == 0)) {
			w->failed = true;
			break;
		}
	}
	/* What arrived while we were deciding to stop still counts. */
	if (!w->failed)
		(void)drain(w, pfd, true);
	for (size_t i = 0; i < w->n_ifs; i++) {
		struct pcap_stat st;
		if (pcap_stats(w->ifs[i].p, &st) == 0)
			w->dropped += (uint64_t)st.ps_drop + st.ps_ifdrop;
	}
}

static int
read_file(struct watch *w)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct iface *f = &w->ifs[0];
	const char *base = strrchr(w->read_file, '/');

	snprintf(f->name, sizeof(f->name), "%s", base != NULL ? base + 1 : w->read_file);
	w->n_ifs = 1;
	f->p = pcap_open_offline(w->read_file, errbuf);
	if (f->p == NULL)
		return cannot_watch(w, "%s", errbuf);
	f->dlt = pcap_datalink(f->p);
	if (!cap_dlt_supported(f->dlt)) {
		const char *dl = pcap_datalink_val_to_name(f->dlt);
		return cannot_watch(w, "%s: link type %s is not decoded", w->read_file,
				    dl != NULL ? dl : "?");
	}
	w->cur = f;
	for (;;) {
		int n = pcap_dispatch(f->p, WATCH_BATCH, on_frame, (u_char *)w);
		if (n == 0 || stop_requested)
			break;
		if (n < 0) {
			fprintf(stderr, "dnsleak watch: %s: %s\n", w->read_file, pcap_geterr(f->p));
			w->failed = true;
			break;
		}
	}
	return -1;
}

static int
signals_setup(struct sigaction old[2])
{
	struct sigaction sa;

	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, &old[0]) != 0 || sigaction(SIGTERM, &sa, &old[1]) != 0)
		return -errno;
	return 0;
}

static void
signals_restore(const struct sigaction old[2])
{
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	for (int i = 0; i < 2; i++) {
		if (stop_pipe[i] != -1)
			close(stop_pipe[i]);
		stop_pipe[i] = -1;
	}
}

int
cmd_watch(int argc, char *argv[])
{
	static struct watch w;
	struct sigaction old[2];
	int rc;

	memset(&w, 0, sizeof(w));
	stop_requested = 0;
	rc = parse_opts(argc, argv, &w);
	if (rc >= 0)
		return rc;
	memset(old, 0, sizeof(old));
	if (signals_setup(old) < 0) {
		rc = cannot_watch(&w, "cannot handle signals: %s", strerror(errno));
		goto out;
	}
	w.flows = cap_flows_new();
	if (w.flows == NULL) {
		rc = cannot_watch(&w, "out of memory");
		goto out;
	}
	if (w.read_file != NULL) {
		rc = read_file(&w);
	} else {
		rc = choose_interfaces(&w);
		if (rc < 0)
			rc = open_all(&w);
		if (rc < 0) {
			/* stderr, also with --json: scripts wait for this line to start sending. */
			fprintf(stderr, "dnsleak watch: watching");
			for (size_t i = 0; i < w.n_ifs; i++)
				fprintf(stderr, "%s %s", i == 0 ? "" : ",", w.ifs[i].name);
			if (w.duration_s > 0)
				fprintf(stderr, " for %lu s", w.duration_s);
			fprintf(stderr, " (Ctrl-C to stop)\n");
		}
		if (rc < 0)
			capture_loop(&w);
	}
	if (rc >= 0)
		goto out;
	if (w.json)
		print_json_summary(&w);
	else
		print_summary(&w);
	fflush(stdout);
	rc = w.leaks > 0 ? EXIT_LEAK : w.failed ? EXIT_CANNOT_TEST : EXIT_PASS;
out:
	for (size_t i = 0; i < WATCH_IFACES_MAX; i++) {
		if (w.ifs[i].p != NULL)
			pcap_close(w.ifs[i].p);
		w.ifs[i].p = NULL;
	}
	cap_flows_free(w.flows);
	w.flows = NULL;
	signals_restore(old);
	return rc;
}
