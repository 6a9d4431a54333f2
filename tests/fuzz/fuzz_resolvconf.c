/* fuzz_resolvconf.c -- resolv.conf parsing and manager recognition over arbitrary bytes. The
 * first byte picks a symlink target (none, a known one, or one made of the input), the whole
 * input is the file; every invariant of struct resolv_conf is checked. */
#include <stdint.h>
#include <string.h>

#include "sysdns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		__builtin_trap(); /* not terminated */
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= ' ' || s[i] >= 0x7f)
			__builtin_trap(); /* fields are printable ASCII */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const targets[] = {
		NULL,
		"/run/systemd/resolve/stub-resolv.conf",
		"/run/NetworkManager/resolv.conf",
		"",
	};
	static struct resolv_conf rc;
	char link[64];
	const char *text = (const char *)data;

	sysdns_parse_resolv_conf(text, size, &rc);
	if (rc.n_servers > SYSDNS_SERVERS_MAX || rc.n_search > SYSDNS_SEARCH_MAX)
		__builtin_trap();
	if (rc.n_used != (rc.n_servers < SYSDNS_MAXNS ? rc.n_servers : SYSDNS_MAXNS))
		__builtin_trap();
	if (rc.n_dropped > 0 && rc.n_servers != SYSDNS_SERVERS_MAX)
		__builtin_trap();
	if (rc.timeout > 30 || rc.attempts > 5 || rc.bad_lines > size || rc.crlf_lines > size)
		__builtin_trap();
	for (size_t i = 0; i < rc.n_servers; i++) {
		if (rc.servers[i].family != 4 && rc.servers[i].family != 6)
			__builtin_trap();
		check_text(rc.scope_name[i], sizeof(rc.scope_name[i]));
	}
	for (size_t i = 0; i < rc.n_search; i++)
		check_text(rc.search[i], sizeof(rc.search[i]));

	const char *target = NULL;
	if (size > 0) {
		target = targets[data[0] % 4];
		if (target != NULL && target[0] == '\0') {
			size_t n = size - 1 < sizeof(link) - 1 ? size - 1 : sizeof(link) - 1;
			memcpy(link, data + 1, n);
			link[n] = '\0';
			target = link;
		}
	}
	enum rc_manager m = sysdns_rc_manager(text, size, target);
	if (m > RC_RESOLVCONF || rc_manager_name(m) == NULL)
		__builtin_trap();
	if (sysdns_rc_manager(NULL, 0, target) == RC_PLAIN)
		__builtin_trap(); /* no text is never "plain" */
	return 0;
}
