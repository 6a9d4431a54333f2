/* sysdns_resolved.c -- systemd-resolved's upstream servers and per-link state, over D-Bus (sd-bus).
 *
 * One Properties.GetAll on org.freedesktop.resolve1.Manager (DNSEx/DNS: global and per-link
 * servers with their ifindex; FallbackDNSEx/FallbackDNS; DNSOverTLS; Domains), then one GetAll
 * per link that has servers or domains (DefaultRoute, Domains, DNSOverTLS). Everything runs
 * against one deadline, and resolved is never auto-started: an audit must not change the
 * system it looks at. Replies are untrusted: each property's type is checked before it is
 * read, and text is copied as printable ASCII.
 */
#include "sysdns.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <time.h>

#define RESOLVE1 "org.freedesktop.resolve1"
#define RESOLVE1_PATH "/org/freedesktop/resolve1"

struct server_list {
	struct sysdns_server s[SYSDNS_SERVERS_MAX];
	size_t n;
	size_t dropped;
	bool ex; /* read from the ...Ex property: port and server name are known */
};

/* What the Manager object says. */
struct manager_view {
	struct server_list dns;
	struct server_list fallback;
	char dot_mode[16];
	int links[SYSDNS_LINKS_MAX]; /* ifindexes that have servers or domains */
	size_t n_links;
	size_t links_dropped;
};

typedef int prop_fn(sd_bus_message *m, const char *name, const char *sig, void *userdata);

static void set_why(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

static void
copy_printable(char *dst, size_t cap, const char *src)
{
	size_t i = 0;

	for (; src[i] != '\0' && i + 1 < cap; i++)
		dst[i] = src[i] > ' ' && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

static uint64_t
now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * sd_bus_call() would wait for the authentication handshake with sd-bus's own timeout (90 s);
 * a bus that accepts and then says nothing must cost us no more than our deadline.
 */
static int
wait_ready(sd_bus *bus, uint64_t deadline)
{
	for (;;) {
		int r = sd_bus_is_ready(bus);
		if (r != 0)
			return r < 0 ? r : 0;
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return r;
		if (r > 0)
			continue;
		uint64_t now = now_usec();
		if (now >= deadline)
			return -ETIMEDOUT;
		r = sd_bus_wait(bus, deadline - now);
		if (r < 0)
			return r;
	}
}

/* Properties.GetAll(iface) on path, without auto-starting the service. */
static int
get_all(sd_bus *bus, const char *path, const char *iface, uint64_t deadline, sd_bus_error *err,
	sd_bus_message **reply)
{
	sd_bus_message *m = NULL;
	uint64_t now = now_usec();
	int r;

	if (now >= deadline) {
		r = -ETIMEDOUT;
		goto out;
	}
	r = sd_bus_message_new_method_call(bus, &m, RESOLVE1, path,
					   "org.freedesktop.DBus.Properties", "GetAll");
	if (r < 0)
		goto out;
	r = sd_bus_message_append(m, "s", iface);
	if (r < 0)
		goto out;
	r = sd_bus_message_set_auto_start(m, 0);
	if (r < 0)
		goto out;
	r = sd_bus_call(bus, m, deadline - now, err, reply);
out:
	sd_bus_message_unref(m);
	return r;
}

/* Walk an a{sv} reply; fn reads the variant (returns 1) or leaves it to be skipped (0). */
static int
walk_props(sd_bus_message *m, prop_fn *fn, void *userdata)
{
	int r = sd_bus_message_enter_container(m, 'a', "{sv}");

	if (r < 0)
		return r;
	for (;;) {
		const char *name = NULL;
		const char *sig = NULL;
		char type = 0;

		r = sd_bus_message_enter_container(m, 'e', "sv");
		if (r <= 0)
			break;
		r = sd_bus_message_read(m, "s", &name);
		if (r < 0)
			return r;
		r = sd_bus_message_peek_type(m, &type, &sig);
		if (r < 0)
			return r;
		r = type == 'v' && sig != NULL ? fn(m, name, sig, userdata) : 0;
		if (r == 0)
			r = sd_bus_message_skip(m, "v");
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static void
store_server(struct server_list *l, int32_t ifindex, int32_t family, const void *addr, size_t alen,
	     uint16_t port, const char *name)
{
	struct sysdns_server s;

	memset(&s, 0, sizeof(s));
	if (family == AF_INET && alen == 4) {
		s.addr.family = 4;
	} else if (family == AF_INET6 && alen == 16) {
		s.addr.family = 6;
	} else {
		return;
	}
	if (l->n == SYSDNS_SERVERS_MAX) {
		l->dropped++;
		return;
	}
	memcpy(s.addr.a, addr, alen);
	s.port = port != 0 ? port : 53;
	s.ifindex = ifindex > 0 ? ifindex : 0;
	if (s.ifindex > 0 && if_indextoname((unsigned)s.ifindex, s.ifname) == NULL)
		s.ifname[0] = '\0';
	s.from_resolved = true;
	copy_printable(s.server_name, sizeof(s.server_name), name);
	l->s[l->n++] = s;
}

/* a(iiay) or a(iiayqs), already inside the variant. Replaces the list. */
static int
read_servers(sd_bus_message *m, bool ex, struct server_list *l)
{
	int r = sd_bus_message_enter_container(m, 'a', ex ? "(iiayqs)" : "(iiay)");

	if (r < 0)
		return r;
	l->n = 0;
	l->dropped = 0;
	l->ex = ex;
	for (;;) {
		int32_t ifindex = 0, family = 0;
		const void *addr = NULL;
		size_t alen = 0;
		uint16_t port = 0;
		const char *name = "";

		r = sd_bus_message_enter_container(m, 'r', ex ? "iiayqs" : "iiay");
		if (r <= 0)
			break;
		r = sd_bus_message_read(m, "ii", &ifindex, &family);
		if (r >= 0)
			r = sd_bus_message_read_array(m, 'y', &addr, &alen);
		if (r >= 0 && ex)
			r = sd_bus_message_read(m, "qs", &port, &name);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
		store_server(l, ifindex, family, addr, alen, port, name);
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static void
add_link(struct manager_view *v, int ifindex)
{
	if (ifindex <= 0)
		return;
	for (size_t i = 0; i < v->n_links; i++) {
		if (v->links[i] == ifindex)
			return;
	}
	if (v->n_links == SYSDNS_LINKS_MAX) {
		v->links_dropped++;
		return;
	}
	v->links[v->n_links++] = ifindex;
}

/* Manager.Domains a(isb): only which links have domains matters here. */
static int
read_manager_domains(sd_bus_message *m, struct manager_view *v)
{
	int r = sd_bus_message_enter_container(m, 'a', "(isb)");

	if (r < 0)
		return r;
	for (;;) {
		int32_t ifindex = 0;
		const char *domain = NULL;
		int route_only = 0;

		r = sd_bus_message_read(m, "(isb)", &ifindex, &domain, &route_only);
		if (r <= 0)
			break;
		add_link(v, ifindex);
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static int
read_string(sd_bus_message *m, char *dst, size_t cap)
{
	const char *s = NULL;
	int r = sd_bus_message_read(m, "s", &s);

	if (r < 0)
		return r;
	copy_printable(dst, cap, s);
	return 0;
}

/* Enter the variant only if it holds what we expect; 0 leaves it to be skipped. */
static int
open_variant(sd_bus_message *m, const char *sig, const char *want)
{
	if (strcmp(sig, want) != 0)
		return 0;
	int r = sd_bus_message_enter_container(m, 'v', want);
	return r < 0 ? r : 1;
}

/* After reading a variant's content (r: how that went): leave it, 1 = consumed. */
static int
close_variant(sd_bus_message *m, int r)
{
	if (r < 0)
		return r;
	r = sd_bus_message_exit_container(m);
	return r < 0 ? r : 1;
}

static int
manager_prop(sd_bus_message *m, const char *name, const char *sig, void *userdata)
{
	struct manager_view *v = userdata;
	struct server_list *l = NULL;
	bool ex = strcmp(name, "DNSEx") == 0 || strcmp(name, "FallbackDNSEx") == 0;
	int r;

	if (strcmp(name, "DNS") == 0 || strcmp(name, "DNSEx") == 0)
		l = &v->dns;
	else if (strcmp(name, "FallbackDNS") == 0 || strcmp(name, "FallbackDNSEx") == 0)
		l = &v->fallback;

	if (l != NULL) {
		/* The Ex form also says port and DoT name: the plain one never replaces it. */
		if (!ex && l->ex)
			return 0;
		r = open_variant(m, sig, ex ? "a(iiayqs)" : "a(iiay)");
		if (r <= 0)
			return r;
		return close_variant(m, read_servers(m, ex, l));
	}
	if (strcmp(name, "DNSOverTLS") == 0) {
		r = open_variant(m, sig, "s");
		if (r <= 0)
			return r;
		return close_variant(m, read_string(m, v->dot_mode, sizeof(v->dot_mode)));
	}
	if (strcmp(name, "Domains") == 0) {
		r = open_variant(m, sig, "a(isb)");
		if (r <= 0)
			return r;
		return close_variant(m, read_manager_domains(m, v));
	}
	return 0;
}

/* Link.Domains a(sb) as "~corp.example lan", route-only domains marked with '~'. */
static int
read_link_domains(sd_bus_message *m, struct sysdns_link *l)
{
	size_t used = 0;
	int r = sd_bus_message_enter_container(m, 'a', "(sb)");

	if (r < 0)
		return r;
	for (;;) {
		const char *domain = NULL;
		int route_only = 0;
		char word[SYSDNS_DOMAIN_MAX];

		r = sd_bus_message_read(m, "(sb)", &domain, &route_only);
		if (r <= 0)
			break;
		copy_printable(word, sizeof(word), domain);
		if (route_only && strcmp(word, ".") == 0)
			l->default_route = true;
		/* A domain that does not fit whole is left out, never cut. */
		int n = snprintf(l->domains + used, sizeof(l->domains) - used, "%s%s%s",
				 used > 0 ? " " : "", route_only ? "~" : "", word);
		if (n > 0 && (size_t)n < sizeof(l->domains) - used)
			used += (size_t)n;
		else
			l->domains[used] = '\0';
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static int
link_prop(sd_bus_message *m, const char *name, const char *sig, void *userdata)
{
	struct sysdns_link *l = userdata;
	int r;

	if (strcmp(name, "DefaultRoute") == 0) {
		int b = 0;
		r = open_variant(m, sig, "b");
		if (r <= 0)
			return r;
		r = sd_bus_message_read(m, "b", &b);
		if (b)
			l->default_route = true;
		return close_variant(m, r);
	}
	if (strcmp(name, "Domains") == 0) {
		r = open_variant(m, sig, "a(sb)");
		if (r <= 0)
			return r;
		return close_variant(m, read_link_domains(m, l));
	}
	if (strcmp(name, "DNSOverTLS") == 0) {
		r = open_variant(m, sig, "s");
		if (r <= 0)
			return r;
		return close_variant(m, read_string(m, l->dot_mode, sizeof(l->dot_mode)));
	}
	return 0;
}

static int
query_link(sd_bus *bus, int ifindex, uint64_t deadline, struct sysdns_link *l, sd_bus_error *err)
{
	sd_bus_message *reply = NULL;
	char *path = NULL;
	char id[16];
	int r;

	memset(l, 0, sizeof(*l));
	l->ifindex = ifindex;
	if (if_indextoname((unsigned)ifindex, l->ifname) == NULL)
		l->ifname[0] = '\0';
	snprintf(id, sizeof(id), "%d", ifindex);
	r = sd_bus_path_encode(RESOLVE1_PATH "/link", id, &path);
	if (r < 0)
		goto out;
	r = get_all(bus, path, RESOLVE1 ".Link", deadline, err, &reply);
	if (r < 0)
		goto out;
	r = walk_props(reply, link_prop, l);
out:
	sd_bus_message_unref(reply);
	free(path);
	return r;
}

static bool
err_is(const sd_bus_error *e, const char *name)
{
	return sd_bus_error_has_name(e, name) != 0;
}

/* Why a call to resolved failed, in the report's words. */
static void
explain_call(int r, const sd_bus_error *e, unsigned timeout_ms, char *why, size_t len)
{
	if (err_is(e, SD_BUS_ERROR_SERVICE_UNKNOWN) || err_is(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
		set_why(why, len, "systemd-resolved is not running (no %s on the system D-Bus)",
			RESOLVE1);
	} else if (err_is(e, SD_BUS_ERROR_ACCESS_DENIED) || r == -EACCES || r == -EPERM) {
		set_why(why, len, "permission denied reading systemd-resolved's state over D-Bus");
	} else if (err_is(e, SD_BUS_ERROR_NO_REPLY) || err_is(e, SD_BUS_ERROR_TIMEOUT) ||
		   r == -ETIMEDOUT) {
		set_why(why, len, "systemd-resolved did not answer on D-Bus within %u ms",
			timeout_ms);
	} else if (err_is(e, SD_BUS_ERROR_UNKNOWN_OBJECT) ||
		   err_is(e, SD_BUS_ERROR_UNKNOWN_INTERFACE) ||
		   err_is(e, SD_BUS_ERROR_UNKNOWN_METHOD)) {
		set_why(why, len, "%s on D-Bus is not the systemd-resolved we know", RESOLVE1);
	} else {
		char name[96];
		copy_printable(name, sizeof(name), e->name != NULL ? e->name : strerror(-r));
		set_why(why, len, "asking systemd-resolved over D-Bus failed: %s", name);
	}
}

int
sysdns__resolved_query(struct sysdns *out, unsigned timeout_ms, char *why, size_t why_len)
{
	uint64_t deadline = now_usec() + (uint64_t)timeout_ms * 1000u;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	struct manager_view *v = NULL;
	sd_bus *bus = NULL;
	int r;

	why[0] = '\0';
	out->n_links = 0;
	out->resolved_running = false;
	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		r = -ENOMEM;
		set_why(why, why_len, "systemd-resolved not asked: out of memory");
		goto out;
	}
	r = sd_bus_open_system(&bus);
	if (r < 0) {
		if (r == -EACCES || r == -EPERM)
			set_why(why, why_len, "permission denied on the system D-Bus");
		else
			set_why(why, why_len, "no system D-Bus (%s)", strerror(-r));
		goto out;
	}
	r = wait_ready(bus, deadline);
	if (r < 0) {
		if (r == -ETIMEDOUT)
			set_why(why, why_len, "the system D-Bus did not answer within %u ms",
				timeout_ms);
		else
			set_why(why, why_len, "the system D-Bus refused us (%s)", strerror(-r));
		goto out;
	}
	r = get_all(bus, RESOLVE1_PATH, RESOLVE1 ".Manager", deadline, &err, &reply);
	if (r < 0) {
		explain_call(r, &err, timeout_ms, why, why_len);
		goto out;
	}
	r = walk_props(reply, manager_prop, v);
	if (r < 0) {
		set_why(why, why_len, "systemd-resolved's answer on D-Bus is malformed (%s)",
			strerror(-r));
		goto out;
	}

	out->resolved_running = true;
	copy_printable(out->resolved_dot_mode, sizeof(out->resolved_dot_mode), v->dot_mode);
	/* resolved turns to FallbackDNS only when no link and no global setting names a server. */
	const struct server_list *src = v->dns.n > 0 ? &v->dns : &v->fallback;
	out->resolved_fallback = v->dns.n == 0 && v->fallback.n > 0;
	memcpy(out->servers, src->s, src->n * sizeof(src->s[0]));
	out->n_servers = src->n;
	for (size_t i = 0; i < v->dns.n; i++)
		add_link(v, v->dns.s[i].ifindex);

	/* A link that vanished meanwhile is left out; a timeout ends the walk. */
	for (size_t i = 0; i < v->n_links; i++) {
		sd_bus_error_free(&err);
		r = query_link(bus, v->links[i], deadline, &out->links[out->n_links], &err);
		if (r >= 0)
			out->n_links++;
		else if (r == -ETIMEDOUT || err_is(&err, SD_BUS_ERROR_NO_REPLY))
			break;
	}
	size_t unread = v->n_links - out->n_links + v->links_dropped;
	if (src->dropped > 0 || unread > 0)
		set_why(why, why_len, "systemd-resolved: %zu servers and %zu links left out",
			src->dropped, unread);
	r = 0;
out:
	sd_bus_error_free(&err);
	sd_bus_message_unref(reply);
	sd_bus_close_unref(bus);
	free(v);
	if (r < 0) {
		out->resolved_running = false;
		out->n_links = 0;
	}
	return r;
}
