/* test_sysdns_discover.c -- sysdns_discover() on temporary files: plain, NetworkManager, link
 * zones, missing, dangling, not regular, too big; then the D-Bus side: no bus, a bus that never
 * answers, and a private dbus-daemon with a fake systemd-resolved (skipped when dbus-daemon is
 * not installed). Parsing and manager recognition: test_sysdns.c.
 */
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
#include "sysdns_fixture.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_discover_plain),
		TEST(test_discover_link_zone),
		TEST(test_discover_missing),
		TEST(test_discover_big_file),
		TEST(test_discover_stub_without_dbus),
		TEST(test_discover_hung_bus),
		TEST(test_discover_fake_resolved),
	};

	return cmocka_run_group_tests_name("sysdns_discover", tests, group_setup, group_teardown);
}
