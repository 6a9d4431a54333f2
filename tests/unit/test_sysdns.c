/* test_sysdns.c -- resolv.conf parsing (as glibc 2.36 reads it), manager recognition, and
 * discovery on temporary files: no D-Bus, a bus that never answers, and a private dbus-daemon
 * with a fake systemd-resolved (skipped when dbus-daemon is not installed). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "sysdns.h"

#include "expect.h"

/* ---- helpers ---- */

static char tmpdir[64];

static void render_add(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
render_add(char *buf, size_t cap, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, cap - used, fmt, ap);
	va_end(ap);
}

/*
 * One line that says everything the parser found, so a table row is one string:
 * "ns=[192.0.2.1 fe80::1%eth0 fe80::2%2#2] used=2", then only what is not the default:
 * drop=N, search=[a b] ('+' after it: truncated), opts=[...], timeout=N, attempts=N, bad=N,
 * crlf=N. A server shows %zone-text and #numeric-scope when it has them.
 */
static void
render(const struct resolv_conf *rc, char *buf, size_t cap)
{
	char a[ADDR_TEXT_MAX];

	buf[0] = '\0';
	render_add(buf, cap, "ns=[");
	for (size_t i = 0; i < rc->n_servers; i++) {
		addr_fmt(&rc->servers[i], a);
		render_add(buf, cap, "%s%s", i > 0 ? " " : "", a);
		if (rc->scope_name[i][0] != '\0')
			render_add(buf, cap, "%%%s", rc->scope_name[i]);
		if (rc->scope_id[i] != 0)
			render_add(buf, cap, "#%u", rc->scope_id[i]);
	}
	render_add(buf, cap, "] used=%zu", rc->n_used);
	if (rc->n_dropped > 0)
		render_add(buf, cap, " drop=%zu", rc->n_dropped);
	if (rc->n_search > 0 || rc->search_truncated) {
		render_add(buf, cap, " search=[");
		for (size_t i = 0; i < rc->n_search; i++)
			render_add(buf, cap, "%s%s", i > 0 ? " " : "", rc->search[i]);
		render_add(buf, cap, "]%s", rc->search_truncated ? "+" : "");
	}
	if (rc->rotate || rc->edns0 || rc->use_vc || rc->trust_ad) {
		render_add(buf, cap, " opts=[");
		const char *sep = "";
		if (rc->rotate) {
			render_add(buf, cap, "%srotate", sep);
			sep = " ";
		}
		if (rc->edns0) {
			render_add(buf, cap, "%sedns0", sep);
			sep = " ";
		}
		if (rc->use_vc) {
			render_add(buf, cap, "%suse-vc", sep);
			sep = " ";
		}
		if (rc->trust_ad)
			render_add(buf, cap, "%strust-ad", sep);
		render_add(buf, cap, "]");
	}
	if (rc->timeout_set)
		render_add(buf, cap, " timeout=%u", rc->timeout);
	if (rc->attempts_set)
		render_add(buf, cap, " attempts=%u", rc->attempts);
	if (rc->bad_lines > 0)
		render_add(buf, cap, " bad=%u", rc->bad_lines);
	if (rc->crlf_lines > 0)
		render_add(buf, cap, " crlf=%u", rc->crlf_lines);
}

/* Parse from a heap copy of exactly len bytes, so ASan sees any read past the end. */
static void
parse_exact(const char *text, size_t len, struct resolv_conf *rc)
{
	char *copy = malloc(len > 0 ? len : 1);

	assert_non_null(copy);
	memcpy(copy, text, len);
	sysdns_parse_resolv_conf(copy, len, rc);
	free(copy);
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
tmp_path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool
has_server(const struct sysdns *d, const char *addr, int ifindex, uint16_t port, bool from_resolved)
{
	char a[ADDR_TEXT_MAX];

	for (size_t i = 0; i < d->n_servers; i++) {
		addr_fmt(&d->servers[i].addr, a);
		if (strcmp(a, addr) == 0 && d->servers[i].ifindex == ifindex &&
		    d->servers[i].port == port && d->servers[i].from_resolved == from_resolved)
			return true;
	}
	return false;
}

static const char stub_text[] =
    "# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\n"
    "# Do not edit.\n"
    "#\n"
    "# This file might be symlinked as /etc/resolv.conf. If you're looking at\n"
    "# /etc/resolv.conf and seeing this text, you have followed the symlink.\n"
    "#\n"
    "# This is a dynamic resolv.conf file for connecting local clients to the\n"
    "# internal DNS stub resolver of systemd-resolved. This file lists all\n"
    "# configured search domains.\n"
    "#\n"
    "# Run \"resolvectl status\" to see details about the uplink DNS servers\n"
    "# currently in use.\n"
    "\n"
    "nameserver 127.0.0.53\n"
    "options edns0 trust-ad\n"
    "search .\n";

static const char uplink_text[] =
    "# This is /run/systemd/resolve/resolv.conf managed by man:systemd-resolved(8).\n"
    "# Do not edit.\n"
    "#\n"
    "# This is a dynamic resolv.conf file for connecting local clients directly to\n"
    "# all known uplink DNS servers. This file lists all configured search domains.\n"
    "\n"
    "nameserver 192.0.2.1\n"
    "search .\n";

static const char static_text[] =
    "# This is a static resolv.conf file for connecting local clients to\n"
    "# systemd-resolved via its DNS stub listener on 127.0.0.53.\n"
    "\n"
    "nameserver 127.0.0.53\n"
    "options edns0 trust-ad\n";

static const char old_resolved_stub[] =
    "# This file is managed by man:systemd-resolved(8). Do not edit.\n"
    "nameserver 127.0.0.53\n";

static const char old_resolved_uplink[] =
    "# This file is managed by systemd-resolved(8). Do not edit.\n"
    "nameserver 192.0.2.1\n";

static const char nm_text[] = "# Generated by NetworkManager\n"
			      "search lan\n"
			      "nameserver 192.168.1.1\n";

static const char debian_resolvconf[] =
    "# Dynamic resolv.conf(5) file for glibc resolver(3) generated by resolvconf(8)\n"
    "#     DO NOT EDIT THIS FILE BY HAND -- YOUR CHANGES WILL BE OVERWRITTEN\n"
    "# 127.0.0.53 is the systemd-resolved stub resolver.\n"
    "nameserver 127.0.0.53\n";

/* ---- the parser ---- */

struct parse_case {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *want;
};

static void
test_parse_table(void **state)
{
	(void)state;
#define NUL_MID "nameserver 192.0.2.1\0 junk\nnameserver 192.0.2.2\n"
#define NUL_FIRST "\0nameserver 192.0.2.1\nnameserver 192.0.2.2"
#define NUL_ADDR "nameserver 192.0\0.2.1\n"
	static const struct parse_case cases[] = {
		{ "empty", "", 0, "ns=[] used=0" },
		{ "comments", "# a\n; b\n#nameserver 192.0.2.9\n;nameserver 192.0.2.8\n", 0,
		  "ns=[] used=0" },
		{ "basic", "nameserver 192.0.2.1\nnameserver 2001:db8::53\n", 0,
		  "ns=[192.0.2.1 2001:db8::53] used=2" },
		{ "no final newline", "nameserver 192.0.2.1", 0, "ns=[192.0.2.1] used=1" },
		{ "rest of line ignored", "nameserver 192.0.2.1 192.0.2.2 # comment\n", 0,
		  "ns=[192.0.2.1] used=1" },
		{ "tabs", "nameserver\t192.0.2.1\t\nsearch\ta.example\t b.example\n", 0,
		  "ns=[192.0.2.1] used=1 search=[a.example b.example]" },
		{ "indented lines are ignored by glibc",
		  "  nameserver 192.0.2.1\n\tnameserver 192.0.2.2\n nameserver 192.0.2.3\n", 0,
		  "ns=[] used=0 bad=3" },
		{ "indented comments and blank lines", "   \n\t# c\n  ;x\n\n\n", 0,
		  "ns=[] used=0" },
		{ "'#' after column 1 is text", "search a # b\n", 0,
		  "ns=[] used=0 search=[a # b]" },
		{ "CRLF",
		  "nameserver 192.0.2.1\r\nnameserver 192.0.2.2 \r\nsearch a b\r\n"
		  "options rotate\r\n",
		  0, "ns=[192.0.2.2] used=1 search=[a b] opts=[rotate] bad=1 crlf=4" },
		{ "CR only", "\r\n#x\r\n", 0, "ns=[] used=0 crlf=2" },
		{ "keyword then CR", "nameserver\r\nsearch\r\n", 0, "ns=[] used=0 bad=2 crlf=2" },
		{ "NUL ends the line", NUL_MID, sizeof(NUL_MID) - 1,
		  "ns=[192.0.2.1 192.0.2.2] used=2" },
		{ "NUL first", NUL_FIRST, sizeof(NUL_FIRST) - 1, "ns=[192.0.2.2] used=1" },
		{ "NUL inside the address", NUL_ADDR, sizeof(NUL_ADDR) - 1,
		  "ns=[192.0.0.0] used=1" },
		{ "inet_aton forms", "nameserver 127.1\nnameserver 0x7f.0.0.2\nnameserver 010.1\n",
		  0, "ns=[127.0.0.1 127.0.0.2 8.0.0.1] used=3" },
		{ "glibc MAXNS",
		  "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
		  "nameserver 192.0.2.3\nnameserver 192.0.2.4\n",
		  0, "ns=[192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4] used=3" },
		{ "IPv6 zones",
		  "nameserver fe80::1%eth0\nnameserver fe80::2%2\n"
		  "nameserver 2001:db8::1%3\nnameserver fe80::3%\n",
		  0, "ns=[fe80::1%eth0 fe80::2%2#2 2001:db8::1%3#3 fe80::3] used=3" },
		{ "odd zones keep the server",
		  "nameserver fe80::1%averyveryverylongname\n"
		  "nameserver fe80::2%4294967296\n"
		  "nameserver fe80::3%4294967295\n"
		  "nameserver fe80::4%lo%x\n",
		  0,
		  "ns=[fe80::1 fe80::2%4294967296 fe80::3%4294967295#4294967295 fe80::4%lo%x] "
		  "used=3" },
		{ "mapped IPv6", "nameserver ::ffff:192.0.2.1\n", 0,
		  "ns=[::ffff:192.0.2.1] used=1" },
		{ "garbage",
		  "nameserver foo\nnameserver\nnameserver \nnameserver1.2.3.4\n"
		  "nameserver 192.0.2.1%eth0\nnameserver 256.1.1.1\nnameserver 1.2.3.4.5\n"
		  "nameserver [::1]\nlookup file bind\nNAMESERVER 192.0.2.1\n"
		  "nameserver 2001:db8::1::2\nnameserver 192.0.2.1/24\n",
		  0, "ns=[] used=0 bad=12" },
		{ "domain replaces search", "search a b\ndomain c d\n", 0,
		  "ns=[] used=0 search=[c]" },
		{ "search replaces domain", "domain c\nsearch a b\n", 0,
		  "ns=[] used=0 search=[a b]" },
		{ "empty search changes nothing",
		  "search a\nsearch\nsearch   \ndomain\ndomain \t\n", 0,
		  "ns=[] used=0 search=[a] bad=4" },
		{ "too many search domains", "search a b c d e f g h i j\n", 0,
		  "ns=[] used=0 search=[a b c d e f g h]+" },
		{ "later search clears truncation", "search a b c d e f g h i j\nsearch k\n", 0,
		  "ns=[] used=0 search=[k]" },
		{ "non-printable bytes", "search a\x1b[1mb \x80x\n", 0,
		  "ns=[] used=0 search=[a?[1mb ?x]" },
		{ "options",
		  "options rotate edns0 use-vc trust-ad timeout:3 attempts:4 ndots:2 what\n", 0,
		  "ns=[] used=0 opts=[rotate edns0 use-vc trust-ad] timeout=3 attempts=4" },
		{ "options clamped", "options timeout:99 attempts:9\n", 0,
		  "ns=[] used=0 timeout=30 attempts=5" },
		{ "options odd values", "options timeout:-3 attempts:x rotatefoo\n", 0,
		  "ns=[] used=0 opts=[rotate] timeout=0 attempts=0" },
		{ "options huge value", "options timeout:99999999999999999999999\n", 0,
		  "ns=[] used=0 timeout=30" },
		{ "options last wins", "options timeout:2\noptions timeout:7 attempts:0\n", 0,
		  "ns=[] used=0 timeout=7 attempts=0" },
		{ "options without words", "options\noptions \n", 0, "ns=[] used=0 bad=2" },
		{ "sortlist is known", "sortlist 130.155.160.0/255.255.240.0\n", 0,
		  "ns=[] used=0" },
		{ "stub file", stub_text, 0,
		  "ns=[127.0.0.53] used=1 search=[.] opts=[edns0 trust-ad]" },
	};
	char got[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct parse_case *c = &cases[i];
		struct resolv_conf rc;
		size_t len = c->len != 0 ? c->len : strlen(c->text);

		parse_exact(c->text, len, &rc);
		render(&rc, got, sizeof(got));
		EXPECT(strcmp(got, c->want) == 0, "%s:\n   got  %s\n   want %s", c->name, got,
		       c->want);
	}
	EXPECT_NONE();
}

static void
test_parse_limits(void **state)
{
	(void)state;
	struct resolv_conf rc;
	size_t cap = 200000;
	char *buf = malloc(cap);
	size_t n = 0;

	assert_non_null(buf);

	/* More nameservers than we store: the first SYSDNS_SERVERS_MAX kept, the rest counted. */
	for (int i = 1; i <= SYSDNS_SERVERS_MAX + 8; i++)
		n += (size_t)snprintf(buf + n, cap - n, "nameserver 10.0.0.%d\n", i);
	parse_exact(buf, n, &rc);
	EXPECT(rc.n_servers == SYSDNS_SERVERS_MAX, "stored %zu", rc.n_servers);
	EXPECT(rc.n_dropped == 8, "dropped %zu", rc.n_dropped);
	EXPECT(rc.n_used == SYSDNS_MAXNS, "used %zu", rc.n_used);
	EXPECT(rc.bad_lines == 0, "bad %u", rc.bad_lines);
	EXPECT(rc.servers[0].a[3] == 1 && rc.servers[SYSDNS_SERVERS_MAX - 1].a[3] == 32,
	       "kept the first ones");

	/* A very long garbage line, then a good one. */
	memset(buf, 'a', 100000);
	n = 100000;
	n += (size_t)snprintf(buf + n, cap - n, "\nnameserver 192.0.2.1\n");
	parse_exact(buf, n, &rc);
	EXPECT(rc.bad_lines == 1 && rc.n_servers == 1, "long garbage: bad %u ns %zu", rc.bad_lines,
	       rc.n_servers);

	/* A nameserver line made long by trailing blanks is still good, as in glibc. */
	n = (size_t)snprintf(buf, cap, "nameserver 192.0.2.1");
	memset(buf + n, ' ', 100000);
	n += 100000;
	n += (size_t)snprintf(buf + n, cap - n, "x\n");
	parse_exact(buf, n, &rc);
	EXPECT(rc.bad_lines == 0 && rc.n_servers == 1, "long blanks: bad %u ns %zu", rc.bad_lines,
	       rc.n_servers);

	/* An address word far too long, and a search domain too long to keep. */
	n = (size_t)snprintf(buf, cap, "nameserver ");
	memset(buf + n, 'f', 1000);
	n += 1000;
	n += (size_t)snprintf(buf + n, cap - n, "\nsearch ");
	memset(buf + n, 'x', 300);
	n += 300;
	n += (size_t)snprintf(buf + n, cap - n, " ok");
	parse_exact(buf, n, &rc);
	EXPECT(rc.bad_lines == 1 && rc.n_servers == 0, "long word: bad %u ns %zu", rc.bad_lines,
	       rc.n_servers);
	EXPECT(rc.n_search == 1 && strcmp(rc.search[0], "ok") == 0 && rc.search_truncated,
	       "long domain left out");

	/* A domain of exactly SYSDNS_DOMAIN_MAX - 1 bytes fits. */
	n = (size_t)snprintf(buf, cap, "domain ");
	memset(buf + n, 'y', SYSDNS_DOMAIN_MAX - 1);
	n += SYSDNS_DOMAIN_MAX - 1;
	parse_exact(buf, n, &rc);
	EXPECT(rc.n_search == 1 && strlen(rc.search[0]) == SYSDNS_DOMAIN_MAX - 1 &&
		   !rc.search_truncated,
	       "longest domain kept");

	free(buf);
	EXPECT_NONE();
}

/* R19: every prefix of a rich file parses without reading past its end. */
static void
test_parse_prefixes(void **state)
{
	(void)state;
	static const char text[] = "# Generated by NetworkManager\r\n"
				   "nameserver 192.0.2.1\n"
				   "nameserver fe80::1%eth0\n"
				   "nameserver 2001:db8::53%12\n"
				   "  nameserver 192.0.2.9\n"
				   "search a.example b.example\n"
				   "domain c.example\n"
				   "options rotate timeout:3 attempts:2 edns0\r\n"
				   "nameserver 192.0.2.2\0tail\n"
				   "sortlist 10.0.0.0\n"
				   "junk";
	struct resolv_conf full, rc;

	parse_exact(text, sizeof(text) - 1, &full);
	EXPECT(full.n_servers == 4, "full: %zu servers", full.n_servers);
	for (size_t n = 0; n < sizeof(text); n++) {
		parse_exact(text, n, &rc);
		EXPECT(rc.n_servers <= full.n_servers, "prefix %zu: %zu servers", n, rc.n_servers);
		EXPECT(rc.n_used <= SYSDNS_MAXNS && rc.n_search <= SYSDNS_SEARCH_MAX,
		       "prefix %zu: counts", n);
	}
	EXPECT_NONE();
}

static void
test_parse_resets_output(void **state)
{
	(void)state;
	struct resolv_conf rc, zero;

	memset(&zero, 0, sizeof(zero));
	memset(&rc, 0x5a, sizeof(rc));
	sysdns_parse_resolv_conf("", 0, &rc);
	assert_memory_equal(&rc, &zero, sizeof(rc));
	memset(&rc, 0x5a, sizeof(rc));
	sysdns_parse_resolv_conf(NULL, 0, &rc);
	assert_memory_equal(&rc, &zero, sizeof(rc));
}

/* ---- who manages resolv.conf ---- */

struct manager_case {
	const char *name;
	const char *text; /* NULL: the file could not be read */
	const char *link;
	enum rc_manager want;
};

static void
test_rc_manager(void **state)
{
	(void)state;
	static const struct manager_case cases[] = {
		{ "no file, no link", NULL, NULL, RC_UNKNOWN },
		{ "no file, odd link", NULL, "/mnt/elsewhere", RC_UNKNOWN },
		{ "empty", "", NULL, RC_PLAIN },
		{ "plain", "nameserver 192.0.2.1\n", NULL, RC_PLAIN },
		{ "NetworkManager", nm_text, NULL, RC_NETWORKMANAGER },
		{ "NetworkManager, lower case", "# generated by networkmanager\n", NULL,
		  RC_NETWORKMANAGER },
		{ "marker outside a comment",
		  "nameserver 192.0.2.1 # Generated by NetworkManager\n", NULL, RC_PLAIN },
		{ "indented comment", "   # Generated by NetworkManager\n", NULL,
		  RC_NETWORKMANAGER },
		{ "resolved stub header", stub_text, NULL, RC_RESOLVED_STUB },
		{ "resolved uplink header", uplink_text, NULL, RC_RESOLVED_UPLINK },
		{ "resolved static file", static_text, NULL, RC_RESOLVED_STUB },
		{ "old resolved, stub address", old_resolved_stub, NULL, RC_RESOLVED_STUB },
		{ "old resolved, real servers", old_resolved_uplink, NULL, RC_RESOLVED_UPLINK },
		{ "resolved, 127.0.0.54", "# systemd-resolved\nnameserver 127.0.0.54\n", NULL,
		  RC_RESOLVED_STUB },
		{ "Debian resolvconf (first marker wins)", debian_resolvconf, NULL, RC_RESOLVCONF },
		{ "openresolv", "# Generated by resolvconf\nnameserver 192.0.2.1\n", NULL,
		  RC_RESOLVCONF },
		{ "resolvconf warning only",
		  "#     DO NOT EDIT THIS FILE BY HAND -- YOUR CHANGES WILL BE OVERWRITTEN\n", NULL,
		  RC_RESOLVCONF },
		{ "link: stub", "nameserver 192.0.2.1\n", "../run/systemd/resolve/stub-resolv.conf",
		  RC_RESOLVED_STUB },
		{ "link: uplink", nm_text, "/run/systemd/resolve/resolv.conf", RC_RESOLVED_UPLINK },
		{ "link: static", NULL, "/usr/lib/systemd/resolv.conf", RC_RESOLVED_STUB },
		{ "link: NetworkManager", "", "/run/NetworkManager/resolv.conf",
		  RC_NETWORKMANAGER },
		{ "link: NetworkManager no-stub", "", "/run/NetworkManager/no-stub-resolv.conf",
		  RC_NETWORKMANAGER },
		{ "link: resolvconf", "", "/run/resolvconf/resolv.conf", RC_RESOLVCONF },
		{ "link: old resolvconf", "", "/etc/resolvconf/run/resolv.conf", RC_RESOLVCONF },
		{ "link: unknown, text decides", nm_text, "/etc/resolv.conf.vpn",
		  RC_NETWORKMANAGER },
		{ "link: dangling stub", NULL, "/run/systemd/resolve/stub-resolv.conf",
		  RC_RESOLVED_STUB },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct manager_case *c = &cases[i];
		size_t len = c->text != NULL ? strlen(c->text) : 0;
		enum rc_manager m = sysdns_rc_manager(c->text, len, c->link);
		EXPECT(m == c->want, "%s: got %s, want %s", c->name, rc_manager_name(m),
		       rc_manager_name(c->want));
	}

	/* Every prefix of a header, read from an exact-size copy. */
	for (size_t n = 0; n <= sizeof(stub_text) - 1; n++) {
		char *copy = malloc(n > 0 ? n : 1);
		assert_non_null(copy);
		memcpy(copy, stub_text, n);
		enum rc_manager m = sysdns_rc_manager(copy, n, NULL);
		EXPECT(m == RC_PLAIN || m == RC_RESOLVED_STUB || m == RC_RESOLVED_UPLINK,
		       "prefix %zu: %s", n, rc_manager_name(m));
		free(copy);
	}
	EXPECT_NONE();
}

static void
test_rc_manager_name(void **state)
{
	(void)state;
	assert_string_equal(rc_manager_name(RC_UNKNOWN), "unknown");
	assert_string_equal(rc_manager_name(RC_PLAIN), "none");
	assert_string_equal(rc_manager_name(RC_NETWORKMANAGER), "NetworkManager");
	assert_string_equal(rc_manager_name(RC_RESOLVED_STUB), "systemd-resolved (stub)");
	assert_string_equal(rc_manager_name(RC_RESOLVED_UPLINK), "systemd-resolved (uplink)");
	assert_string_equal(rc_manager_name(RC_RESOLVCONF), "resolvconf");
	assert_string_equal(rc_manager_name((enum rc_manager)99), "unknown");

	struct dl_addr a = { .family = 4, .a = { 127, 0, 0, 53 } };
	assert_true(sysdns_is_stub_addr(&a));
	a.a[3] = 54;
	assert_true(sysdns_is_stub_addr(&a));
	a.a[3] = 1;
	assert_false(sysdns_is_stub_addr(&a));
	a.family = 6;
	a.a[3] = 53;
	assert_false(sysdns_is_stub_addr(&a));
}

/* ---- discovery on files ---- */

static void
test_discover_plain(void **state)
{
	(void)state;
	static const char text[] =
	    "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
	    "nameserver 192.0.2.3\nnameserver 192.0.2.4\nsearch example.com\n";
	char path[128];
	struct sysdns d;

	tmp_path(path, sizeof(path), "plain.conf");
	write_file(path, text, sizeof(text) - 1);
	assert_int_equal(sysdns_discover(path, &d), DL_E_OK);
	EXPECT(d.rc_readable && !d.rc_truncated, "readable");
	EXPECT(strcmp(d.rc_path, path) == 0, "rc_path %s", d.rc_path);
	EXPECT(d.rc_link_target[0] == '\0', "not a link");
	EXPECT(d.manager == RC_PLAIN, "manager %s", rc_manager_name(d.manager));
	EXPECT(!d.uses_stub && !d.resolved_running, "no resolved");
	EXPECT(d.n_servers == 3, "servers %zu", d.n_servers);
	EXPECT(has_server(&d, "192.0.2.1", 0, 53, false) &&
		   has_server(&d, "192.0.2.3", 0, 53, false) &&
		   !has_server(&d, "192.0.2.4", 0, 53, false),
	       "the first 3 nameservers");
	EXPECT(d.rc.n_servers == 4 && d.rc.n_search == 1, "parsed");
	EXPECT(d.note[0] == '\0', "note \"%s\"", d.note);

	/* A NetworkManager file is not a reason to ask D-Bus either. */
	tmp_path(path, sizeof(path), "nm.conf");
	write_file(path, nm_text, sizeof(nm_text) - 1);
	assert_int_equal(sysdns_discover(path, &d), DL_E_OK);
	EXPECT(d.manager == RC_NETWORKMANAGER && d.n_servers == 1 && d.note[0] == '\0',
	       "NetworkManager: %s, %zu servers, note \"%s\"", rc_manager_name(d.manager),
	       d.n_servers, d.note);
	EXPECT_NONE();
}

static void
test_discover_link_zone(void **state)
{
	(void)state;
	static const char text[] = "nameserver fe80::1%lo\nnameserver fe80::2%1\n";
	char path[128];
	char lo[IF_NAMESIZE] = "";
	struct sysdns d;

	tmp_path(path, sizeof(path), "zone.conf");
	write_file(path, text, sizeof(text) - 1);
	assert_int_equal(sysdns_discover(path, &d), DL_E_OK);
	assert_int_equal(d.n_servers, 2);
	if (if_indextoname(1, lo) == NULL)
		skip();
	unsigned lo_index = if_nametoindex("lo");
	EXPECT(lo_index == 0 || (d.servers[0].ifindex == (int)lo_index &&
				 strcmp(d.servers[0].ifname, "lo") == 0),
	       "%%lo: ifindex %d ifname %s", d.servers[0].ifindex, d.servers[0].ifname);
	EXPECT(d.servers[1].ifindex == 1 && strcmp(d.servers[1].ifname, lo) == 0,
	       "%%1: ifindex %d ifname %s", d.servers[1].ifindex, d.servers[1].ifname);
	EXPECT_NONE();
}

static void
test_discover_missing(void **state)
{
	(void)state;
	char path[128], link[128];
	struct sysdns d;

	tmp_path(path, sizeof(path), "does-not-exist.conf");
	assert_int_equal(sysdns_discover(path, &d), DL_E_OK);
	EXPECT(!d.rc_readable && d.manager == RC_UNKNOWN, "unreadable, %s",
	       rc_manager_name(d.manager));
	EXPECT(d.n_servers == 1 && has_server(&d, "127.0.0.1", 0, 53, false),
	       "glibc's default server");
	EXPECT(strstr(d.note, "No such file") != NULL && strstr(d.note, "127.0.0.1") != NULL,
	       "note \"%s\"", d.note);

	/* A dangling link to resolved's stub file: resolved is not running. */
	tmp_path(link, sizeof(link), "dangling.conf");
	tmp_path(path, sizeof(path), "gone/stub-resolv.conf");
	assert_int_equal(symlink(path, link), 0);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/dnsleak-test-bus", 1);
	assert_int_equal(sysdns_discover(link, &d), DL_E_OK);
	unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
	EXPECT(!d.rc_readable && d.manager == RC_RESOLVED_STUB, "dangling: %s",
	       rc_manager_name(d.manager));
	EXPECT(strcmp(d.rc_link_target, path) == 0, "target %s", d.rc_link_target);
	EXPECT(!d.uses_stub && d.n_servers == 1 && has_server(&d, "127.0.0.1", 0, 53, false),
	       "glibc's default server");
	EXPECT(strstr(d.note, "dangling") != NULL && strstr(d.note, "D-Bus") != NULL, "note \"%s\"",
	       d.note);

	/* A directory, and a FIFO that must not block the open. */
	assert_int_equal(sysdns_discover(tmpdir, &d), DL_E_OK);
	EXPECT(!d.rc_readable && strstr(d.note, "not a regular file") != NULL,
	       "directory: note \"%s\"", d.note);
	tmp_path(path, sizeof(path), "fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(sysdns_discover(path, &d), DL_E_OK);
	EXPECT(!d.rc_readable && strstr(d.note, "not a regular file") != NULL, "fifo: note \"%s\"",
	       d.note);
	EXPECT_NONE();
}

static void
test_discover_big_file(void **state)
{
	(void)state;
	size_t n = SYSDNS_FILE_MAX + 4096;
	char *text = malloc(n);
	char path[128];
	struct sysdns d;

	assert_non_null(text);
	memset(text, '#', n);
	for (size_t i = 79; i < n; i += 80)
		text[i] = '\n';
	memcpy(text + 8, "\nnameserver 192.0.2.1\n", 22);
	memcpy(text + n - 22, "\nnameserver 192.0.2.2\n", 22);
	tmp_path(path, sizeof(path), "big.conf");
	write_file(path, text, n);
	free(text);
	assert_int_equal(sysdns_discover(path, &d), DL_E_OK);
	EXPECT(d.rc_readable && d.rc_truncated, "truncated");
	EXPECT(d.n_servers == 1 && has_server(&d, "192.0.2.1", 0, 53, false),
	       "only the start read: %zu servers", d.n_servers);
	EXPECT(strstr(d.note, "longer than") != NULL, "note \"%s\"", d.note);
	EXPECT_NONE();
}

/* tmpdir/run/systemd/resolve/stub-resolv.conf (text) and tmpdir/<name> -> it. */
static void
make_stub_link(const char *name, const char *text, char *link, size_t cap)
{
	char dir[128], file[160];

	tmp_path(dir, sizeof(dir), "run");
	(void)mkdir(dir, 0700);
	tmp_path(dir, sizeof(dir), "run/systemd");
	(void)mkdir(dir, 0700);
	tmp_path(dir, sizeof(dir), "run/systemd/resolve");
	(void)mkdir(dir, 0700);
	snprintf(file, sizeof(file), "%s/stub-resolv.conf", dir);
	write_file(file, text, strlen(text));
	tmp_path(link, cap, name);
	(void)unlink(link);
	assert_int_equal(symlink(file, link), 0);
}

static void
test_discover_stub_without_dbus(void **state)
{
	(void)state;
	char link[128];
	struct sysdns d;

	make_stub_link("stub.conf", stub_text, link, sizeof(link));
	setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/dnsleak-test-bus", 1);
	assert_int_equal(sysdns_discover(link, &d), DL_E_OK);
	unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
	EXPECT(d.rc_readable && d.manager == RC_RESOLVED_STUB, "manager %s",
	       rc_manager_name(d.manager));
	EXPECT(strstr(d.rc_link_target, "run/systemd/resolve/stub-resolv.conf") != NULL,
	       "target %s", d.rc_link_target);
	EXPECT(d.uses_stub && !d.resolved_running && d.n_links == 0, "stub, no resolved");
	EXPECT(d.n_servers == 1 && has_server(&d, "127.0.0.53", 0, 53, false),
	       "servers from resolv.conf");
	EXPECT(strstr(d.note, "no system D-Bus") != NULL &&
		   strstr(d.note, "upstream servers are unknown") != NULL,
	       "note \"%s\"", d.note);

	/* This machine's own bus, whatever it is: never fails, never hangs. */
	uint64_t t0 = now_ms();
	assert_int_equal(sysdns_discover(link, &d), DL_E_OK);
	uint64_t took = now_ms() - t0;
	EXPECT(took < SYSDNS_DBUS_TIMEOUT_MS + 1000, "took %llu ms", (unsigned long long)took);
	EXPECT(d.resolved_running || (d.n_servers == 1 && d.note[0] != '\0'),
	       "no resolved: note \"%s\"", d.note);
	EXPECT_NONE();
}

/* A bus socket that accepts connections and never says a word. */
static void
test_discover_hung_bus(void **state)
{
	(void)state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char link[128], addr[160];
	struct sysdns d;
	int fd;

	make_stub_link("stub-hung.conf", stub_text, link, sizeof(link));
	tmp_path(sa.sun_path, sizeof(sa.sun_path), "hung-bus");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	snprintf(addr, sizeof(addr), "unix:path=%s", sa.sun_path);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
	uint64_t t0 = now_ms();
	int rc = sysdns_discover(link, &d);
	uint64_t took = now_ms() - t0;
	unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
	close(fd);
	EXPECT(rc == DL_E_OK, "rc %d", rc);
	EXPECT(took < SYSDNS_DBUS_TIMEOUT_MS + 1000, "took %llu ms", (unsigned long long)took);
	EXPECT(!d.resolved_running && strstr(d.note, "did not answer") != NULL, "note \"%s\"",
	       d.note);
	EXPECT(d.n_servers == 1 && has_server(&d, "127.0.0.53", 0, 53, false), "servers");
	EXPECT_NONE();
}

/* ---- a private dbus-daemon and a fake systemd-resolved ---- */

enum fake_mode {
	FAKE_FULL,     /* DNSEx (preferred over DNS), a link with domains */
	FAKE_OLD,      /* only DNS; DNSEx of a wrong type must be skipped */
	FAKE_FALLBACK, /* no server configured: FallbackDNSEx */
};

static enum fake_mode fake_mode;

static int
append_server(sd_bus_message *reply, bool ex, int32_t ifindex, const char *text, uint16_t port,
	      const char *name)
{
	uint8_t a[16];
	int family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
	int r;

	if (inet_pton(family, text, a) != 1)
		return -EINVAL;
	r = sd_bus_message_open_container(reply, 'r', ex ? "iiayqs" : "iiay");
	if (r >= 0)
		r = sd_bus_message_append(reply, "ii", ifindex, family);
	if (r >= 0)
		r = sd_bus_message_append_array(reply, 'y', a, family == AF_INET ? 4 : 16);
	if (r >= 0 && ex)
		r = sd_bus_message_append(reply, "qs", port, name);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	return r;
}

/* A server entry whose address length does not fit its family: the reader must skip it. */
static int
append_odd(sd_bus_message *reply, bool ex)
{
	static const uint8_t a[16] = { 192, 0, 2, 98 };
	int r = sd_bus_message_open_container(reply, 'r', ex ? "iiayqs" : "iiay");

	if (r >= 0)
		r = sd_bus_message_append(reply, "ii", 1, AF_INET);
	if (r >= 0)
		r = sd_bus_message_append_array(reply, 'y', a, sizeof(a));
	if (r >= 0 && ex)
		r = sd_bus_message_append(reply, "qs", 0, "");
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	return r;
}

static int
fake_servers(sd_bus_message *reply, bool ex, bool fallback)
{
	int r = sd_bus_message_open_container(reply, 'a', ex ? "(iiayqs)" : "(iiay)");

	if (r < 0)
		return r;
	if (fallback && fake_mode == FAKE_FALLBACK) {
		r = append_server(reply, ex, 0, "192.0.2.111", 0, "");
	} else if (!fallback && fake_mode != FAKE_FALLBACK) {
		if (ex) {
			r = append_server(reply, ex, 0, "192.0.2.9", 853, "dns.example");
			if (r >= 0)
				r = append_server(reply, ex, 1, "192.0.2.53", 0, "");
			if (r >= 0)
				r = append_server(reply, ex, 1, "2001:db8::53", 5353,
						  "bad\x01name");
			if (r >= 0)
				r = append_odd(reply, ex);
		} else {
			r = append_server(reply, ex, 0, "192.0.2.10", 0, "");
			if (r >= 0)
				r = append_server(reply, ex, 1, "192.0.2.54", 0, "");
		}
	}
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

static int
get_dns(sd_bus *bus, const char *path, const char *iface, const char *prop, sd_bus_message *reply,
	void *userdata, sd_bus_error *err)
{
	(void)bus, (void)path, (void)iface, (void)userdata, (void)err;
	return fake_servers(reply, strstr(prop, "Ex") != NULL, strncmp(prop, "Fallback", 8) == 0);
}

/* A DNSEx of the wrong type: the reader must skip it and use DNS. */
static int
get_dns_ex_odd(sd_bus *bus, const char *path, const char *iface, const char *prop,
	       sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
	(void)bus, (void)path, (void)iface, (void)prop, (void)userdata, (void)err;
	return sd_bus_message_append(reply, "s", "not an array");
}

static int
get_string(sd_bus *bus, const char *path, const char *iface, const char *prop,
	   sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
	(void)bus, (void)path, (void)iface, (void)prop, (void)err;
	return sd_bus_message_append(reply, "s", (const char *)userdata);
}

static int
get_false(sd_bus *bus, const char *path, const char *iface, const char *prop, sd_bus_message *reply,
	  void *userdata, sd_bus_error *err)
{
	(void)bus, (void)path, (void)iface, (void)prop, (void)userdata, (void)err;
	return sd_bus_message_append(reply, "b", 0);
}

static int
get_manager_domains(sd_bus *bus, const char *path, const char *iface, const char *prop,
		    sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
	(void)bus, (void)path, (void)iface, (void)prop, (void)userdata, (void)err;
	return sd_bus_message_append(reply, "a(isb)", 2, 0, "global.example", 0, 1, "corp.example",
				     1);
}

static int
get_link_domains(sd_bus *bus, const char *path, const char *iface, const char *prop,
		 sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
	(void)bus, (void)path, (void)iface, (void)prop, (void)userdata, (void)err;
	return sd_bus_message_append(reply, "a(sb)", 3, "corp.example", 1, "lan", 0, ".", 1);
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("DNSOverTLS", "s", get_string, 0, 0),
	SD_BUS_PROPERTY("DNS", "a(iiay)", get_dns, 0, 0),
	SD_BUS_PROPERTY("DNSEx", "a(iiayqs)", get_dns, 0, 0),
	SD_BUS_PROPERTY("FallbackDNS", "a(iiay)", get_dns, 0, 0),
	SD_BUS_PROPERTY("FallbackDNSEx", "a(iiayqs)", get_dns, 0, 0),
	SD_BUS_PROPERTY("Domains", "a(isb)", get_manager_domains, 0, 0),
	SD_BUS_VTABLE_END
};

static const sd_bus_vtable old_manager_vtable[] = {
	SD_BUS_VTABLE_START(0), SD_BUS_PROPERTY("DNS", "a(iiay)", get_dns, 0, 0),
	SD_BUS_PROPERTY("DNSEx", "s", get_dns_ex_odd, 0, 0), SD_BUS_VTABLE_END
};

static const sd_bus_vtable link_vtable[] = {
	SD_BUS_VTABLE_START(0), SD_BUS_PROPERTY("DefaultRoute", "b", get_false, 0, 0),
	SD_BUS_PROPERTY("Domains", "a(sb)", get_link_domains, 0, 0),
	SD_BUS_PROPERTY("DNSOverTLS", "s", get_string, 0, 0), SD_BUS_VTABLE_END
};

/* The fake resolved, in a child: serve until killed. Says "ready" on fd once named. */
static void
fake_resolved(const char *address, int ready_fd)
{
	static char dot_global[] = "opportunistic", dot_link[] = "yes";
	sd_bus *bus = NULL;

	if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, address) < 0 ||
	    sd_bus_set_bus_client(bus, 1) < 0 || sd_bus_start(bus) < 0)
		_exit(1);
	const sd_bus_vtable *mv = fake_mode == FAKE_OLD ? old_manager_vtable : manager_vtable;
	if (sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/resolve1",
				     "org.freedesktop.resolve1.Manager", mv, dot_global) < 0)
		_exit(1);
	if (sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/resolve1/link/_31",
				     "org.freedesktop.resolve1.Link", link_vtable, dot_link) < 0)
		_exit(1);
	if (sd_bus_request_name(bus, "org.freedesktop.resolve1", 0) < 0)
		_exit(1);
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	for (;;) {
		int r = sd_bus_process(bus, NULL);
		if (r < 0)
			_exit(1);
		if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
			_exit(1);
	}
}

static pid_t
start_fake_resolved(const char *address)
{
	int p[2];
	char c = 0;

	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		fake_resolved(address, p[1]);
	}
	close(p[1]);
	struct pollfd pfd = { .fd = p[0], .events = POLLIN };
	if (pid < 0 || poll(&pfd, 1, 5000) != 1 || read(p[0], &c, 1) != 1) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		pid = -1;
	}
	close(p[0]);
	return pid;
}

static void
stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

static const char *const dbus_daemons[] = { "/usr/bin/dbus-daemon", "/bin/dbus-daemon" };

/* A private bus at sock; deny: nobody may call org.freedesktop.resolve1. 0: no dbus-daemon. */
static pid_t
start_dbus(const char *sock, const char *conf_path, bool deny)
{
	const char *exe = NULL;
	char conf[1024], arg[256];

	for (size_t i = 0; i < sizeof(dbus_daemons) / sizeof(dbus_daemons[0]); i++) {
		if (access(dbus_daemons[i], X_OK) == 0)
			exe = dbus_daemons[i];
	}
	if (exe == NULL)
		return 0;
	snprintf(
	    conf, sizeof(conf),
	    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
	    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
	    "<busconfig>\n"
	    "  <type>custom</type>\n"
	    "  <listen>unix:path=%s</listen>\n"
	    "  <auth>EXTERNAL</auth>\n"
	    "  <policy context=\"default\">\n"
	    "    <allow user=\"*\"/>\n"
	    "    <allow own=\"*\"/>\n"
	    "    <allow send_destination=\"*\"/>\n"
	    "    <allow receive_sender=\"*\"/>\n"
	    "    %s\n"
	    "  </policy>\n"
	    "</busconfig>\n",
	    sock, deny ? "<deny send_destination=\"org.freedesktop.resolve1\"/>" : "");
	write_file(conf_path, conf, strlen(conf));
	snprintf(arg, sizeof(arg), "--config-file=%s", conf_path);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execl(exe, "dbus-daemon", arg, "--nofork", "--nopidfile", (char *)NULL);
		_exit(127);
	}
	/* Ready once the socket accepts. */
	for (int i = 0; pid > 0 && i < 100; i++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		memcpy(sa.sun_path, sock, strnlen(sock, sizeof(sa.sun_path) - 1));
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool up = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		if (fd >= 0)
			close(fd);
		if (up)
			return pid;
		usleep(50000);
	}
	stop(pid);
	return -1;
}

static void
test_discover_fake_resolved(void **state)
{
	(void)state;
	char sock[128], conf[128], addr[160], link[128], lo[IF_NAMESIZE] = "";
	pid_t bus_pid, fake = -1;
	struct sysdns d;

	tmp_path(sock, sizeof(sock), "bus");
	tmp_path(conf, sizeof(conf), "bus.conf");
	bus_pid = start_dbus(sock, conf, false);
	if (bus_pid == 0)
		skip(); /* no dbus-daemon on this machine */
	assert_true(bus_pid > 0);
	snprintf(addr, sizeof(addr), "unix:path=%s", sock);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
	if (if_indextoname(1, lo) == NULL)
		lo[0] = '\0';
	make_stub_link("stub-fake.conf", stub_text, link, sizeof(link));

	/* A bus without resolved. */
	EXPECT(sysdns_discover(link, &d) == DL_E_OK, "discover");
	EXPECT(!d.resolved_running && strstr(d.note, "not running") != NULL, "note \"%s\"", d.note);
	EXPECT(d.n_servers == 1 && has_server(&d, "127.0.0.53", 0, 53, false), "stub only");

	/* resolved with DNSEx, a link, DNS over TLS; resolv.conf also names 192.0.2.200. */
	fake_mode = FAKE_FULL;
	fake = start_fake_resolved(addr);
	EXPECT(fake > 0, "fake resolved started");
	make_stub_link("stub-fake.conf", "nameserver 127.0.0.53\nnameserver 192.0.2.200\n", link,
		       sizeof(link));
	EXPECT(sysdns_discover(link, &d) == DL_E_OK, "discover");
	EXPECT(d.resolved_running && d.uses_stub, "resolved answered; note \"%s\"", d.note);
	EXPECT(strcmp(d.resolved_dot_mode, "opportunistic") == 0, "DoT %s", d.resolved_dot_mode);
	EXPECT(!d.resolved_fallback, "not fallback");
	EXPECT(d.n_servers == 4, "servers %zu", d.n_servers);
	EXPECT(has_server(&d, "192.0.2.9", 0, 853, true), "global, DoT port");
	EXPECT(has_server(&d, "192.0.2.53", 1, 53, true), "link 1");
	EXPECT(has_server(&d, "2001:db8::53", 1, 5353, true), "link 1, IPv6");
	EXPECT(has_server(&d, "192.0.2.200", 0, 53, false), "resolv.conf's other nameserver");
	EXPECT(!has_server(&d, "192.0.2.10", 0, 53, true), "DNSEx preferred over DNS");
	for (size_t i = 0; i < d.n_servers; i++) {
		const struct sysdns_server *s = &d.servers[i];
		if (s->ifindex == 1)
			EXPECT(strcmp(s->ifname, lo) == 0, "ifname %s", s->ifname);
		if (s->port == 853)
			EXPECT(strcmp(s->server_name, "dns.example") == 0, "name %s",
			       s->server_name);
		if (s->port == 5353)
			EXPECT(strcmp(s->server_name, "bad?name") == 0, "name %s", s->server_name);
	}
	EXPECT(d.n_links == 1, "links %zu", d.n_links);
	if (d.n_links == 1) {
		const struct sysdns_link *l = &d.links[0];
		EXPECT(l->ifindex == 1 && strcmp(l->ifname, lo) == 0, "link %d %s", l->ifindex,
		       l->ifname);
		EXPECT(l->default_route, "~. makes it a default route");
		EXPECT(strcmp(l->dot_mode, "yes") == 0, "link DoT %s", l->dot_mode);
		EXPECT(strcmp(l->domains, "~corp.example lan ~.") == 0, "domains \"%s\"",
		       l->domains);
	}
	EXPECT(d.note[0] == '\0', "note \"%s\"", d.note);

	/* The same resolved behind an uplink file: servers come from resolv.conf. */
	tmp_path(link, sizeof(link), "uplink.conf");
	write_file(link, uplink_text, sizeof(uplink_text) - 1);
	EXPECT(sysdns_discover(link, &d) == DL_E_OK, "discover");
	EXPECT(d.manager == RC_RESOLVED_UPLINK && d.resolved_running && !d.uses_stub, "uplink: %s",
	       rc_manager_name(d.manager));
	EXPECT(d.n_servers == 1 && has_server(&d, "192.0.2.1", 0, 53, false), "uplink servers");
	stop(fake);

	/* An older resolved: DNS only, and a DNSEx of the wrong type. */
	fake_mode = FAKE_OLD;
	fake = start_fake_resolved(addr);
	EXPECT(fake > 0, "fake resolved started");
	make_stub_link("stub-fake.conf", stub_text, link, sizeof(link));
	EXPECT(sysdns_discover(link, &d) == DL_E_OK, "discover");
	EXPECT(d.resolved_running && d.n_servers == 2, "old: %zu servers, note \"%s\"", d.n_servers,
	       d.note);
	EXPECT(has_server(&d, "192.0.2.10", 0, 53, true) &&
		   has_server(&d, "192.0.2.54", 1, 53, true),
	       "old: DNS property");
	EXPECT(d.resolved_dot_mode[0] == '\0', "old: no DoT property");
	stop(fake);

	/* Nothing configured: resolved uses FallbackDNS. */
	fake_mode = FAKE_FALLBACK;
	fake = start_fake_resolved(addr);
	EXPECT(fake > 0, "fake resolved started");
	EXPECT(sysdns_discover(link, &d) == DL_E_OK, "discover");
	EXPECT(d.resolved_running && d.resolved_fallback && d.n_servers == 1 &&
		   has_server(&d, "192.0.2.111", 0, 53, true),
	       "fallback: %zu servers", d.n_servers);
	stop(fake);
	stop(bus_pid);

	/* A bus whose policy keeps us away from resolved. */
	tmp_path(sock, sizeof(sock), "bus-deny");
	bus_pid = start_dbus(sock, conf, true);
	EXPECT(bus_pid > 0, "second dbus-daemon");
	snprintf(addr, sizeof(addr), "unix:path=%s", sock);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
	fake_mode = FAKE_FULL;
	fake = start_fake_resolved(addr);
	EXPECT(fake > 0, "fake resolved started");
	EXPECT(sysdns_discover(link, &d) == DL_E_OK, "discover");
	EXPECT(!d.resolved_running && strstr(d.note, "permission denied") != NULL,
	       "denied: note \"%s\"", d.note);
	EXPECT(d.n_servers == 1 && has_server(&d, "127.0.0.53", 0, 53, false), "denied: stub");
	stop(fake);
	stop(bus_pid);

	unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
	EXPECT_NONE();
}

/* ---- fixtures ---- */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int
group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_sysdns.XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_parse_table),
		TEST(test_parse_limits),
		TEST(test_parse_prefixes),
		TEST(test_parse_resets_output),
		TEST(test_rc_manager),
		TEST(test_rc_manager_name),
		TEST(test_discover_plain),
		TEST(test_discover_link_zone),
		TEST(test_discover_missing),
		TEST(test_discover_big_file),
		TEST(test_discover_stub_without_dbus),
		TEST(test_discover_hung_bus),
		TEST(test_discover_fake_resolved),
	};

	return cmocka_run_group_tests_name("sysdns", tests, group_setup, group_teardown);
}
