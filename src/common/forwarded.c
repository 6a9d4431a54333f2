/* forwarded.c -- the client behind trusted reverse proxies (forwarded.h). */
#include "forwarded.h"

#include <string.h>

static bool
is_trusted(const struct trust_entry *proxies, size_t n, const struct dl_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (!proxies[i].is_asn && trust_matches(&proxies[i], a, 0))
			return true;
	return false;
}

/* IPv4-mapped IPv6 (::ffff:a.b.c.d) as the IPv4 address it stands for. */
static void
unmap(struct dl_addr *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (a->family == 6 && memcmp(a->a, prefix, sizeof(prefix)) == 0) {
		memmove(a->a, a->a + 12, 4);
		memset(a->a + 4, 0, 12);
		a->family = 4;
	}
}

/* One element s[0..len): "addr", "addr:port" (IPv4), "[addr]" or "[addr]:port". */
static bool
parse_element(const char *s, size_t len, struct dl_addr *out)
{
	char text[ADDR_TEXT_MAX];
	const char *end = s + len;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (s < end && *s == '[') {
		const char *close = memchr(s, ']', (size_t)(end - s));
		if (close == NULL)
			return false;
		if (close + 1 < end) { /* only ":port" may follow */
			if (close[1] != ':' || close + 2 == end)
				return false;
			for (const char *p = close + 2; p < end; p++)
				if (*p < '0' || *p > '9')
					return false;
		}
		s++;
		end = close;
	} else {
		const char *colon = memchr(s, ':', (size_t)(end - s));
		/* One colon: IPv4 with a port. More: a bare IPv6 address. */
		if (colon != NULL && memchr(colon + 1, ':', (size_t)(end - colon - 1)) == NULL) {
			for (const char *p = colon + 1; p < end; p++)
				if (*p < '0' || *p > '9')
					return false;
			if (colon + 1 == end)
				return false;
			end = colon;
		}
	}
	if (end <= s || (size_t)(end - s) >= sizeof(text))
		return false;
	memcpy(text, s, (size_t)(end - s));
	text[end - s] = '\0';
	if (addr_parse(text, out) != DL_E_OK)
		return false;
	unmap(out);
	return true;
}

bool
forwarded_client(const struct dl_addr *peer, const char *xff,
		 const struct trust_entry *proxies, size_t n_proxies,
		 struct dl_addr *client)
{
	struct dl_addr cur;
	const char *end;
	size_t hops = 0;

	*client = *peer;
	if (!is_trusted(proxies, n_proxies, peer))
		return true;
	if (xff == NULL || *xff == '\0')
		return false;
	end = xff + strlen(xff);
	for (;;) {
		const char *start = end;

		while (start > xff && start[-1] != ',')
			start--;
		if (++hops > FORWARDED_HOPS_MAX || !parse_element(start, (size_t)(end - start), &cur)) {
			*client = *peer;
			return false;
		}
		/* The first hop that is not ours is the client; all ours: the leftmost. */
		if (!is_trusted(proxies, n_proxies, &cur) || start == xff) {
			*client = cur;
			return true;
		}
		end = start - 1; /* the comma */
	}
}
