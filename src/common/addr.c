/* addr.c -- IP address parsing and formatting (inet_pton/inet_ntop do the real work). */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum dl_err
addr_parse(const char *text, struct dl_addr *out)
{
	struct dl_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, a.a) == 1) {
		a.family = 4;
	} else if (inet_pton(AF_INET6, text, a.a) == 1) {
		a.family = 6;
	} else {
		return DL_E_FORMAT;
	}
	*out = a;
	return DL_E_OK;
}

static enum dl_err
parse_port(const char *s, uint16_t *port)
{
	char *end = NULL;

	if (*s < '0' || *s > '9')
		return DL_E_FORMAT;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535)
		return DL_E_FORMAT;
	*port = (uint16_t)v;
	return DL_E_OK;
}

enum dl_err
addr_parse_endpoint(const char *text, struct dl_endpoint *out)
{
	char host[64];
	const char *port;
	struct dl_endpoint e;

	memset(&e, 0, sizeof(e));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (close == NULL || close[1] != ':' || (size_t)(close - text - 1) >= sizeof(host))
			return DL_E_FORMAT;
		memcpy(host, text + 1, (size_t)(close - text - 1));
		host[close - text - 1] = '\0';
		if (addr_parse(host, &e.addr) != DL_E_OK || e.addr.family != 6)
			return DL_E_FORMAT;
		port = close + 2;
	} else {
		const char *colon = strrchr(text, ':');
		if (colon == NULL) {
			e.addr.family = 4;
			e.addr.a[0] = 127;
			e.addr.a[3] = 1;
			port = text;
		} else {
			if (strchr(text, ':') != colon || (size_t)(colon - text) >= sizeof(host))
				return DL_E_FORMAT; /* IPv6 without brackets */
			memcpy(host, text, (size_t)(colon - text));
			host[colon - text] = '\0';
			if (host[0] == '\0')
				e.addr.family = 4; /* ":53" is every IPv4 address */
			else if (addr_parse(host, &e.addr) != DL_E_OK)
				return DL_E_FORMAT;
			port = colon + 1;
		}
	}
	if (parse_port(port, &e.port) != DL_E_OK)
		return DL_E_FORMAT;
	*out = e;
	return DL_E_OK;
}

void
addr_fmt(const struct dl_addr *a, char out[static ADDR_TEXT_MAX])
{
	if (inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->a, out, ADDR_TEXT_MAX) == NULL)
		snprintf(out, ADDR_TEXT_MAX, "?");
}

void
addr_fmt_endpoint(const struct dl_endpoint *e, char out[static ADDR_STR_MAX])
{
	char a[ADDR_TEXT_MAX];

	addr_fmt(&e->addr, a);
	if (e->addr.family == 6)
		snprintf(out, ADDR_STR_MAX, "[%s]:%u", a, (unsigned)e->port);
	else
		snprintf(out, ADDR_STR_MAX, "%s:%u", a, (unsigned)e->port);
}

bool
addr_equal(const struct dl_addr *x, const struct dl_addr *y)
{
	size_t n = x->family == 6 ? 16 : 4;

	return x->family == y->family && memcmp(x->a, y->a, n) == 0;
}

bool
addr_is_any(const struct dl_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->a, zero, a->family == 6 ? 16 : 4) == 0;
}
