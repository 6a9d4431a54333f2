/* sysdns.c -- which DNS servers this machine uses: resolv.conf parsed as glibc parses it (pure),
 * its manager recognised from header comments and symlink (pure), and the discovery that reads
 * the file and, for systemd-resolved, asks D-Bus (sysdns_resolved.c). */
#include "sysdns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cursor.h"

#define RC_DEFAULT_PATH "/etc/resolv.conf"
#define RES_MAXRETRANS 30 /* glibc resolv.h: the largest timeout: it keeps */
#define RES_MAXRETRY 5    /* glibc resolv.h: the largest attempts: it keeps */
#define NS_TOKEN_MAX 96   /* longest nameserver word we try: an IPv6 address and a zone */
#define TARGET_MAX 4096   /* PATH_MAX: a symlink target */

/* A run of bytes inside the caller's text: never NUL-terminated, never written. */
struct span {
	const char *p;
	size_t n;
};

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool
is_print(char ch)
{
	return ch > ' ' && ch < 0x7f;
}

static char
ascii_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* Copy a word into a fixed field, printable ASCII only, NUL-terminated. n < cap. */
static void
copy_printable(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = is_print(src[i]) ? src[i] : '?';
	dst[n] = '\0';
}

/*
 * The next line at the cursor, without its '\n'. glibc reads a line with getline() and then
 * works on it with C string functions, so a NUL ends the line's text early.
 */
static bool
next_line(struct rcur *c, struct span *line)
{
	size_t left = rcur_left(c);

	if (left == 0)
		return false;
	const uint8_t *nl = memchr(c->pos, '\n', left);
	size_t n = nl != NULL ? (size_t)(nl - c->pos) : left;
	const uint8_t *start = rcur_take(c, nl != NULL ? n + 1 : n);
	if (start == NULL)
		return false;
	const uint8_t *nul = memchr(start, '\0', n);
	line->p = (const char *)start;
	line->n = nul != NULL ? (size_t)(nul - start) : n;
	return true;
}

/* The next word of *rest, split at spaces and tabs only (glibc's separators). */
static bool
next_word(struct span *rest, struct span *word)
{
	size_t i = 0;

	while (i < rest->n && is_blank(rest->p[i]))
		i++;
	size_t start = i;
	while (i < rest->n && !is_blank(rest->p[i]))
		i++;
	word->p = rest->p + start;
	word->n = i - start;
	rest->p += i;
	rest->n -= i;
	return word->n > 0;
}

/* glibc's MATCH(): the keyword in column 1, then a space or a tab. */
static bool
keyword(const struct span *line, const char *kw, struct span *rest)
{
	size_t k = strlen(kw);

	if (line->n <= k || memcmp(line->p, kw, k) != 0 || !is_blank(line->p[k]))
		return false;
	rest->p = line->p + k;
	rest->n = line->n - k;
	return true;
}

static bool
has_prefix(const struct span *w, const char *prefix)
{
	size_t k = strlen(prefix);

	return w->n >= k && memcmp(w->p, prefix, k) == 0;
}

static void
count_bad(struct resolv_conf *rc)
{
	if (rc->bad_lines < UINT_MAX)
		rc->bad_lines++;
}

/* A number read the way res_setoptions() reads it (atoi), clamped like glibc; negative is 0. */
static unsigned
option_number(const char *p, size_t n, unsigned max)
{
	size_t i = 0;
	bool negative = false;
	unsigned v = 0;

	while (i < n && (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r')))
		i++;
	if (i < n && (p[i] == '+' || p[i] == '-'))
		negative = p[i++] == '-';
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		v = v * 10 + (unsigned)(p[i] - '0');
		if (v > max)
			v = max + 1; /* saturate: any larger value is clamped to max below */
	}
	if (negative)
		return 0;
	return v > max ? max : v;
}

/* "options a b c". No word: the line changes nothing. */
static bool
parse_options(struct span rest, struct resolv_conf *rc)
{
	static const char *const names[] = { "rotate", "edns0", "use-vc", "trust-ad" };
	bool *const flags[] = { &rc->rotate, &rc->edns0, &rc->use_vc, &rc->trust_ad };
	bool any = false;
	struct span w;

	while (next_word(&rest, &w)) {
		any = true;
		if (has_prefix(&w, "ndots:")) {
			continue;
		} else if (has_prefix(&w, "timeout:")) {
			rc->timeout = option_number(w.p + 8, w.n - 8, RES_MAXRETRANS);
			rc->timeout_set = true;
		} else if (has_prefix(&w, "attempts:")) {
			rc->attempts = option_number(w.p + 9, w.n - 9, RES_MAXRETRY);
			rc->attempts_set = true;
		} else {
			/* Like glibc, a prefix is enough ("rotatefoo" is rotate). */
			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
				if (has_prefix(&w, names[i])) {
					*flags[i] = true;
					break;
				}
			}
		}
	}
	return any;
}

static void
add_search(struct resolv_conf *rc, const struct span *w)
{
	if (rc->n_search == SYSDNS_SEARCH_MAX || w->n >= SYSDNS_DOMAIN_MAX) {
		rc->search_truncated = true;
		return;
	}
	copy_printable(rc->search[rc->n_search], SYSDNS_DOMAIN_MAX, w->p, w->n);
	rc->n_search++;
}

/* "search a b c" or "domain a": both replace the list. No word: the line changes nothing. */
static bool
parse_search(struct span rest, bool only_first, struct resolv_conf *rc)
{
	struct span probe = rest;
	struct span w;

	if (!next_word(&probe, &w))
		return false;
	rc->n_search = 0;
	rc->search_truncated = false;
	while (next_word(&rest, &w)) {
		add_search(rc, &w);
		if (only_first)
			break;
	}
	return true;
}

/* glibc's __inet6_scopeid_pton() numeric branch: a decimal number that fits in 32 bits. */
static bool
zone_number(const char *z, uint32_t *out)
{
	uint64_t v = 0;

	if (*z < '0' || *z > '9')
		return false;
	for (; *z != '\0'; z++) {
		if (*z < '0' || *z > '9')
			return false;
		v = v * 10 + (uint64_t)(*z - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/*
 * "nameserver ADDR[%zone] [ignored...]". IPv4 goes through inet_aton() as in glibc
 * (__inet_aton_exact: the whole word, so a trailing '\r' fails); otherwise IPv6 with the zone cut
 * off. A zone never makes the line bad: glibc keeps the server with scope 0 when the zone is
 * neither an interface nor a number.
 */
static bool
parse_nameserver(struct span rest, struct resolv_conf *rc)
{
	char tok[NS_TOKEN_MAX];
	struct dl_addr a;
	uint32_t scope = 0;
	char zname[IF_NAMESIZE] = "";
	struct span w;
	struct in_addr in4;

	if (!next_word(&rest, &w) || w.n >= sizeof(tok))
		return false;
	memcpy(tok, w.p, w.n);
	tok[w.n] = '\0';
	memset(&a, 0, sizeof(a));
	/* inet_aton() accepts trailing white space; limiting the characters keeps it exact. */
	if (strspn(tok, "0123456789abcdefABCDEFxX.") == w.n && inet_aton(tok, &in4) != 0) {
		a.family = 4;
		memcpy(a.a, &in4, 4);
	} else {
		char *pct = strchr(tok, '%');
		if (pct != NULL)
			*pct = '\0';
		if (inet_pton(AF_INET6, tok, a.a) != 1)
			return false;
		a.family = 6;
		if (pct != NULL) {
			const char *zone = pct + 1;
			size_t zn = strlen(zone);
			if (!zone_number(zone, &scope))
				scope = 0;
			bool printable = true;
			for (size_t i = 0; i < zn; i++)
				printable = printable && is_print(zone[i]);
			if (zn > 0 && zn < IF_NAMESIZE && printable)
				memcpy(zname, zone, zn + 1);
		}
	}
	if (rc->n_servers == SYSDNS_SERVERS_MAX) {
		rc->n_dropped++;
		return true;
	}
	rc->servers[rc->n_servers] = a;
	rc->scope_id[rc->n_servers] = scope;
	memcpy(rc->scope_name[rc->n_servers], zname, sizeof(zname));
	rc->n_servers++;
	return true;
}

/* An indented line: glibc matches keywords in column 1 only, so it ignores the line. */
static bool
indented_is_harmless(const struct span *line)
{
	size_t i = 0;

	while (i < line->n && (is_blank(line->p[i]) || line->p[i] == '\r'))
		i++;
	return i == line->n || line->p[i] == '#' || line->p[i] == ';';
}

void
sysdns_parse_resolv_conf(const char *text, size_t len, struct resolv_conf *out)
{
	struct rcur c = rcur_make((const uint8_t *)text, text != NULL ? len : 0);
	struct span line;

	memset(out, 0, sizeof(*out));
	while (next_line(&c, &line)) {
		struct span rest;
		bool ok = true;

		if (line.n == 0)
			continue;
		/* Values other than an address are read without the '\r' of a CRLF line. */
		struct span trimmed = line;
		if (line.p[line.n - 1] == '\r') {
			trimmed.n--;
			if (out->crlf_lines < UINT_MAX)
				out->crlf_lines++;
		}
		if (line.p[0] == '#' || line.p[0] == ';')
			continue;
		if (is_blank(line.p[0]) || line.p[0] == '\r') {
			ok = indented_is_harmless(&line);
		} else if (keyword(&line, "nameserver", &rest)) {
			ok = parse_nameserver(rest, out);
		} else if (keyword(&trimmed, "search", &rest)) {
			ok = parse_search(rest, false, out);
		} else if (keyword(&trimmed, "domain", &rest)) {
			ok = parse_search(rest, true, out);
		} else if (keyword(&trimmed, "options", &rest)) {
			ok = parse_options(rest, out);
		} else if (keyword(&trimmed, "sortlist", &rest)) {
			/* Known to glibc; it orders answers, not servers. */
		} else {
			ok = false;
		}
		if (!ok)
			count_bad(out);
	}
	out->n_used = out->n_servers < SYSDNS_MAXNS ? out->n_servers : SYSDNS_MAXNS;
}

/* ASCII case-insensitive search for needle inside the span. */
static bool
span_has(const struct span *s, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; k <= s->n && i <= s->n - k; i++) {
		size_t j = 0;
		while (j < k && ascii_lower(s->p[i + j]) == needle[j])
			j++;
		if (j == k)
			return true;
	}
	return false;
}

static bool
is_comment(const struct span *line)
{
	size_t i = 0;

	while (i < line->n && is_blank(line->p[i]))
		i++;
	return i < line->n && (line->p[i] == '#' || line->p[i] == ';');
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static enum rc_manager
manager_from_link(const char *target)
{
	/* NetworkManager first: /run/NetworkManager/no-stub-resolv.conf ends like resolved's. */
	if (strstr(target, "/NetworkManager/") != NULL)
		return RC_NETWORKMANAGER;
	if (ends_with(target, "stub-resolv.conf"))
		return RC_RESOLVED_STUB;
	if (strstr(target, "systemd/resolve/resolv.conf") != NULL)
		return RC_RESOLVED_UPLINK;
	if (ends_with(target, "systemd/resolv.conf")) /* /usr/lib/systemd/resolv.conf, static */
		return RC_RESOLVED_STUB;
	if (strstr(target, "resolvconf/") != NULL) /* /run/resolvconf/, /etc/resolvconf/run/ */
		return RC_RESOLVCONF;
	return RC_UNKNOWN;
}

/* Which of resolved's files: the headers of systemd 239..257 name it; older ones do not, and
 * then the stub address decides. */
static enum rc_manager
resolved_variant(const char *text, size_t len)
{
	struct rcur c = rcur_make((const uint8_t *)text, len);
	struct span line;
	bool stub_file = false, uplink_file = false, stub_words = false, uplink_words = false;

	while (next_line(&c, &line)) {
		if (!is_comment(&line))
			continue;
		stub_file = stub_file || span_has(&line, "stub-resolv.conf");
		uplink_file = uplink_file || span_has(&line, "/run/systemd/resolve/resolv.conf");
		stub_words = stub_words || span_has(&line, "stub resolver") ||
			     span_has(&line, "stub listener");
		uplink_words = uplink_words || span_has(&line, "uplink dns servers");
	}
	if (stub_file)
		return RC_RESOLVED_STUB;
	if (uplink_file)
		return RC_RESOLVED_UPLINK;
	if (stub_words) /* the stub header also mentions "the uplink DNS servers" */
		return RC_RESOLVED_STUB;
	if (uplink_words)
		return RC_RESOLVED_UPLINK;

	struct resolv_conf rc;
	sysdns_parse_resolv_conf(text, len, &rc);
	for (size_t i = 0; i < rc.n_used; i++) {
		if (sysdns_is_stub_addr(&rc.servers[i]))
			return RC_RESOLVED_STUB;
	}
	return RC_RESOLVED_UPLINK;
}

enum rc_manager
sysdns_rc_manager(const char *text, size_t len, const char *link_target)
{
	if (link_target != NULL && link_target[0] != '\0') {
		enum rc_manager m = manager_from_link(link_target);
		if (m != RC_UNKNOWN)
			return m;
	}
	if (text == NULL)
		return RC_UNKNOWN;

	struct rcur c = rcur_make((const uint8_t *)text, len);
	struct span line;
	/* The first marker wins: Ubuntu's resolvconf head names systemd-resolved further down. */
	while (next_line(&c, &line)) {
		if (!is_comment(&line))
			continue;
		if (span_has(&line, "generated by networkmanager"))
			return RC_NETWORKMANAGER;
		if (span_has(&line, "generated by resolvconf") ||
		    span_has(&line,
			     "do not edit this file by hand -- your changes will be overwritten"))
			return RC_RESOLVCONF;
		if (span_has(&line, "systemd-resolved"))
			return resolved_variant(text, len);
	}
	return RC_PLAIN;
}

const char *
rc_manager_name(enum rc_manager m)
{
	switch (m) {
	case RC_PLAIN:
		return "none";
	case RC_NETWORKMANAGER:
		return "NetworkManager";
	case RC_RESOLVED_STUB:
		return "systemd-resolved (stub)";
	case RC_RESOLVED_UPLINK:
		return "systemd-resolved (uplink)";
	case RC_RESOLVCONF:
		return "resolvconf";
	case RC_UNKNOWN:
		break;
	}
	return "unknown";
}

bool
sysdns_is_stub_addr(const struct dl_addr *a)
{
	return a->family == 4 && a->a[0] == 127 && a->a[1] == 0 && a->a[2] == 0 &&
	       (a->a[3] == 53 || a->a[3] == 54);
}

/* ---- discovery (I/O) ---- */

/* Copy a C string, cut to fit. */
static void
copy_cut(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void note_add(struct sysdns *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note_add(struct sysdns *out, const char *fmt, ...)
{
	size_t used = strlen(out->note);
	va_list ap;

	if (used > 0 && used + 2 < sizeof(out->note)) {
		memcpy(out->note + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= sizeof(out->note))
		return;
	va_start(ap, fmt);
	vsnprintf(out->note + used, sizeof(out->note) - used, fmt, ap);
	va_end(ap);
}

/*
 * Read at most SYSDNS_FILE_MAX bytes of a regular file. O_NONBLOCK: a FIFO planted at the path
 * must not hang us. Returns 0 or -errno; *buf is malloc'd (caller frees) on success.
 */
static int
read_bounded(const char *path, char **buf, size_t *len, bool *truncated)
{
	char *b = NULL;
	size_t n = 0;
	struct stat st;
	int fd;
	int rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		goto out;
	}
	b = malloc(SYSDNS_FILE_MAX + 1);
	if (b == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	/* One byte more than we keep tells a long file from one of exactly the limit. */
	while (n < SYSDNS_FILE_MAX + 1) {
		ssize_t r = read(fd, b + n, SYSDNS_FILE_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*truncated = n > SYSDNS_FILE_MAX;
	*len = n > SYSDNS_FILE_MAX ? SYSDNS_FILE_MAX : n;
	*buf = b;
	b = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(b);
	return rc;
}

static void
add_server(struct sysdns *out, const struct dl_addr *a, int ifindex, const char *ifname)
{
	if (out->n_servers == SYSDNS_SERVERS_MAX)
		return;
	struct sysdns_server *s = &out->servers[out->n_servers++];
	memset(s, 0, sizeof(*s));
	s->addr = *a;
	s->port = 53;
	s->ifindex = ifindex;
	copy_cut(s->ifname, sizeof(s->ifname), ifname);
}

static bool
zone_by_name(const struct dl_addr *a)
{
	/* glibc looks the zone up as an interface name only for these (__inet6_scopeid_pton). */
	bool ll = a->a[0] == 0xfe && (a->a[1] & 0xc0) == 0x80;
	bool mc_local = a->a[0] == 0xff && ((a->a[1] & 0x0f) == 1 || (a->a[1] & 0x0f) == 2);

	return a->family == 6 && (ll || mc_local);
}

/* resolv.conf's nameservers glibc queries, with their zones resolved to interfaces. */
static void
servers_from_rc(struct sysdns *out, bool skip_stub)
{
	for (size_t i = 0; i < out->rc.n_used; i++) {
		const struct dl_addr *a = &out->rc.servers[i];
		const char *zname = out->rc.scope_name[i];
		unsigned scope = out->rc.scope_id[i];
		char ifname[IF_NAMESIZE] = "";

		if (skip_stub && sysdns_is_stub_addr(a))
			continue;
		if (zname[0] != '\0' && zone_by_name(a)) {
			unsigned idx = if_nametoindex(zname);
			if (idx != 0)
				scope = idx;
		}
		if (scope != 0 && if_indextoname(scope, ifname) == NULL)
			copy_cut(ifname, sizeof(ifname), zname);
		add_server(out, a, scope > INT_MAX ? 0 : (int)scope, ifname);
	}
}

int
sysdns_discover(const char *resolv_conf_path, struct sysdns *out)
{
	const char *path = resolv_conf_path != NULL ? resolv_conf_path : RC_DEFAULT_PATH;
	char target[TARGET_MAX];
	char why[160] = "";
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	copy_cut(out->rc_path, sizeof(out->rc_path), path);

	ssize_t tn = readlink(path, target, sizeof(target) - 1);
	const char *recognise = NULL;
	if (tn > 0) {
		target[tn] = '\0';
		copy_cut(out->rc_link_target, sizeof(out->rc_link_target), target);
		/* The final file names the manager best; a dangling link still has its text. */
		char *real = realpath(path, NULL);
		if (real != NULL)
			copy_cut(target, sizeof(target), real);
		free(real);
		recognise = target;
	}

	rc = read_bounded(path, &text, &len, &out->rc_truncated);
	if (rc == 0) {
		out->rc_readable = true;
		sysdns_parse_resolv_conf(text, len, &out->rc);
		if (out->rc_truncated)
			note_add(out, "%s is longer than %d bytes: only the start was read", path,
				 SYSDNS_FILE_MAX);
	} else if (rc == -EINVAL) {
		note_add(out, "%s is not a regular file", path);
	} else if (tn > 0 && rc == -ENOENT) {
		note_add(out, "%s is a dangling symlink to %s", path, out->rc_link_target);
	} else {
		note_add(out, "%s: %s", path, strerror(-rc));
	}
	out->manager = sysdns_rc_manager(text, len, recognise);

	for (size_t i = 0; i < out->rc.n_used; i++)
		out->uses_stub = out->uses_stub || sysdns_is_stub_addr(&out->rc.servers[i]);

	bool ask_resolved = out->uses_stub || out->manager == RC_RESOLVED_STUB ||
			    out->manager == RC_RESOLVED_UPLINK;
	bool resolved_ok = false;
	if (ask_resolved) {
		rc = sysdns__resolved_query(out, SYSDNS_DBUS_TIMEOUT_MS, why, sizeof(why));
		resolved_ok = rc == 0;
		if (why[0] != '\0')
			note_add(out, "%s", why);
	}

	if (out->uses_stub && resolved_ok) {
		/* resolved's upstreams are in servers; glibc turns to resolv.conf's other
		 * nameservers when the stub fails. */
		servers_from_rc(out, true);
		if (out->n_servers == 0)
			note_add(out, "systemd-resolved knows no DNS server");
		goto out;
	}
	out->n_servers = 0;
	out->resolved_fallback = false;
	if (out->rc.n_used == 0) {
		/* res_init(): no nameserver line (or no file) means the local host. */
		struct dl_addr lo = { .family = 4, .a = { 127, 0, 0, 1 } };
		add_server(out, &lo, 0, "");
		note_add(out, "no usable nameserver in %s: glibc queries 127.0.0.1", path);
		goto out;
	}
	servers_from_rc(out, false);
	if (out->uses_stub)
		note_add(out, "resolv.conf points at the systemd-resolved stub, whose upstream "
			      "servers are unknown");
out:
	free(text);
	return DL_E_OK;
}
