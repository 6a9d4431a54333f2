/* webrtc.c -- ICE candidate parsing (RFC 8839 5.1): tokens split on single spaces, each checked. */
#include "webrtc.h"

#include <string.h>

/* A token: bytes between single spaces, never empty, never NUL-terminated. */
struct tok {
	const char *p;
	size_t len;
};

/* Splits s[0..len) on single spaces; a doubled, leading or trailing space is an error. */
struct toks {
	const char *pos;
	const char *end;
	bool err;
};

static bool
toks_next(struct toks *t, struct tok *out)
{
	if (t->err || t->pos >= t->end) {
		t->err = true;
		return false;
	}
	const char *sp = memchr(t->pos, ' ', (size_t)(t->end - t->pos));
	const char *stop = sp != NULL ? sp : t->end;
	if (stop == t->pos || (sp != NULL && sp + 1 == t->end)) {
		t->err = true;
		return false;
	}
	out->p = t->pos;
	out->len = (size_t)(stop - t->pos);
	t->pos = sp != NULL ? sp + 1 : t->end;
	return true;
}

static bool
toks_done(const struct toks *t)
{
	return !t->err && t->pos == t->end;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
	char l = lower(c);
	return is_digit(c) || (l >= 'a' && l <= 'z');
}

/* Case-insensitive equality with a lowercase literal (ABNF strings are case-insensitive). */
static bool
tok_is(const struct tok *t, const char *lit)
{
	size_t n = strlen(lit);

	if (t->len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (lower(t->p[i]) != lit[i])
			return false;
	}
	return true;
}

/* 1..max_digits decimal digits (leading zeros allowed, as 1*5DIGIT allows) within [lo, hi]. */
static bool
tok_uint(const struct tok *t, size_t max_digits, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v = 0;

	if (t->len == 0 || t->len > max_digits)
		return false;
	for (size_t i = 0; i < t->len; i++) {
		if (!is_digit(t->p[i]))
			return false;
		v = v * 10 + (uint64_t)(t->p[i] - '0'); /* at most 10 digits: no overflow */
	}
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static enum dl_err
parse_port(const struct tok *t, bool allow_zero, uint16_t *out)
{
	uint64_t v;

	if (!tok_uint(t, 5, allow_zero ? 0 : 1, 65535, &v))
		return DL_E_FORMAT;
	*out = (uint16_t)v;
	return DL_E_OK;
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes the IPv4 address it carries. */
static void
unmap(struct dl_addr *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (a->family != 6 || memcmp(a->a, prefix, sizeof(prefix)) != 0)
		return;
	uint8_t v4[4];
	memcpy(v4, a->a + 12, 4);
	memset(a->a, 0, sizeof(a->a));
	memcpy(a->a, v4, 4);
	a->family = 4;
}

/* An IP literal: only the characters of one, so inet_pton never sees a zone id or junk. */
static bool
parse_ip(const struct tok *t, struct dl_addr *out)
{
	char buf[ADDR_TEXT_MAX];

	if (t->len >= sizeof(buf))
		return false;
	for (size_t i = 0; i < t->len; i++) {
		char c = lower(t->p[i]);
		if (!is_digit(c) && !(c >= 'a' && c <= 'f') && c != '.' && c != ':')
			return false;
	}
	memcpy(buf, t->p, t->len);
	buf[t->len] = '\0';
	if (addr_parse(buf, out) != DL_E_OK)
		return false;
	unmap(out);
	return true;
}

/* "<label>.local": one LDH label (no hyphen at either end), lowercased into out. */
static bool
parse_mdns(const struct tok *t, char out[static WEBRTC_MDNS_MAX])
{
	static const char suffix[] = ".local";
	const size_t slen = sizeof(suffix) - 1;

	if (t->len <= slen || t->len - slen > WEBRTC_MDNS_LABEL_MAX)
		return false;
	size_t llen = t->len - slen;
	struct tok sfx = { t->p + llen, slen };
	if (!tok_is(&sfx, suffix))
		return false;
	if (t->p[0] == '-' || t->p[llen - 1] == '-')
		return false;
	for (size_t i = 0; i < llen; i++) {
		if (!is_alnum(t->p[i]) && t->p[i] != '-')
			return false;
	}
	for (size_t i = 0; i < t->len; i++)
		out[i] = lower(t->p[i]);
	out[t->len] = '\0';
	return true;
}

/* RFC 8839 5.1: foundation = 1*32ice-char, ice-char = ALPHA / DIGIT / "+" / "/". */
static enum dl_err
check_foundation(const char *p, size_t len)
{
	if (len == 0)
		return DL_E_FORMAT;
	if (len > WEBRTC_FOUNDATION_MAX)
		return DL_E_TOOLONG;
	for (size_t i = 0; i < len; i++) {
		if (!is_alnum(p[i]) && p[i] != '+' && p[i] != '/')
			return DL_E_FORMAT;
	}
	return DL_E_OK;
}

static bool
parse_type(const struct tok *t, enum webrtc_cand_type *out)
{
	static const struct {
		const char *name;
		enum webrtc_cand_type type;
	} types[] = {
		{ "host", WEBRTC_HOST },
		{ "srflx", WEBRTC_SRFLX },
		{ "prflx", WEBRTC_PRFLX },
		{ "relay", WEBRTC_RELAY },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (tok_is(t, types[i].name)) {
			*out = types[i].type;
			return true;
		}
	}
	return false;
}

/* Extension names are RFC 4566 tokens; values are byte-strings, here printable ASCII. */
static bool
is_token_char(char c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`{|}~", c) != NULL);
}

static enum dl_err
check_extension(const struct tok *name, const struct tok *value, bool tcp)
{
	if (name->len > WEBRTC_TOKEN_MAX || value->len > WEBRTC_TOKEN_MAX)
		return DL_E_TOOLONG;
	for (size_t i = 0; i < name->len; i++) {
		if (!is_token_char(name->p[i]))
			return DL_E_FORMAT;
	}
	/* The names of the fixed part cannot come again as extensions. */
	if (tok_is(name, "typ") || tok_is(name, "raddr") || tok_is(name, "rport"))
		return DL_E_FORMAT;
	/* RFC 6544 4.5: tcptype belongs to TCP candidates and is one of three words. */
	if (tok_is(name, "tcptype")) {
		if (!tcp)
			return DL_E_FORMAT;
		if (!tok_is(value, "active") && !tok_is(value, "passive") && !tok_is(value, "so"))
			return DL_E_FORMAT;
	}
	return DL_E_OK;
}

enum dl_err
webrtc_candidate_parse(const char *s, size_t len, struct webrtc_candidate *out)
{
	static const char prefix[] = "candidate:";
	struct webrtc_candidate c;
	struct tok t;
	uint64_t v;
	enum dl_err rc;

	if (len > WEBRTC_CAND_MAX)
		return DL_E_TOOLONG;
	/* Printable ASCII and spaces only: no NUL, CR/LF, tabs or other bytes a log could eat. */
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)s[i];
		if (b < 0x20 || b > 0x7e)
			return DL_E_FORMAT;
	}
	if (len >= 2 && s[0] == 'a' && s[1] == '=') {
		s += 2;
		len -= 2;
	}

	memset(&c, 0, sizeof(c));
	struct toks ts = { s, s + len, false };

	/* "candidate:" and the foundation share the first token. */
	if (!toks_next(&ts, &t))
		return DL_E_FORMAT;
	struct tok head = { t.p, t.len < sizeof(prefix) - 1 ? t.len : sizeof(prefix) - 1 };
	if (!tok_is(&head, prefix))
		return DL_E_FORMAT;
	rc = check_foundation(t.p + head.len, t.len - head.len);
	if (rc != DL_E_OK)
		return rc;

	/* RFC 8839 5.1: component-id = 1*3DIGIT, and RFC 8445 5.1.1.1 says 1 to 256. */
	if (!toks_next(&ts, &t) || !tok_uint(&t, 3, 1, 256, &v))
		return DL_E_FORMAT;
	c.component = (uint16_t)v;

	if (!toks_next(&ts, &t))
		return DL_E_FORMAT;
	if (tok_is(&t, "tcp"))
		c.tcp = true;
	else if (!tok_is(&t, "udp"))
		return DL_E_FORMAT;

	if (!toks_next(&ts, &t) || !tok_uint(&t, 10, 1, UINT32_MAX, &v))
		return DL_E_FORMAT;
	c.priority = (uint32_t)v;

	if (!toks_next(&ts, &t))
		return DL_E_FORMAT;
	if (parse_ip(&t, &c.addr))
		c.family = c.addr.family;
	else if (!parse_mdns(&t, c.mdns))
		return t.len >= WEBRTC_MDNS_MAX ? DL_E_TOOLONG : DL_E_FORMAT;

	if (!toks_next(&ts, &t) || parse_port(&t, false, &c.port) != DL_E_OK)
		return DL_E_FORMAT;

	if (!toks_next(&ts, &t) || !tok_is(&t, "typ"))
		return DL_E_FORMAT;
	if (!toks_next(&ts, &t) || !parse_type(&t, &c.type))
		return DL_E_FORMAT;

	bool seen_raddr = false;
	bool seen_rport = false;
	while (!toks_done(&ts)) {
		struct tok name, value;
		if (!toks_next(&ts, &name) || !toks_next(&ts, &value))
			return DL_E_FORMAT;
		if (tok_is(&name, "raddr") && !seen_raddr && !seen_rport) {
			/* A browser hiding its addresses may put its mDNS name or 0.0.0.0 here. */
			struct dl_addr ra;
			char mdns[WEBRTC_MDNS_MAX];
			if (parse_ip(&value, &ra)) {
				c.has_raddr = !addr_is_any(&ra);
				if (c.has_raddr)
					c.raddr = ra;
			} else if (!parse_mdns(&value, mdns)) {
				return DL_E_FORMAT;
			}
			seen_raddr = true;
			continue;
		}
		if (tok_is(&name, "rport") && !seen_rport) {
			if (parse_port(&value, true, &c.rport) != DL_E_OK)
				return DL_E_FORMAT;
			seen_rport = true;
			continue;
		}
		rc = check_extension(&name, &value, c.tcp);
		if (rc != DL_E_OK)
			return rc;
		/* Extensions come last: raddr and rport after one are out of order. */
		seen_raddr = seen_rport = true;
	}
	if (ts.err)
		return DL_E_FORMAT;
	*out = c;
	return DL_E_OK;
}

const char *
webrtc_cand_type_name(enum webrtc_cand_type t)
{
	switch (t) {
	case WEBRTC_HOST:
		return "host";
	case WEBRTC_SRFLX:
		return "srflx";
	case WEBRTC_PRFLX:
		return "prflx";
	case WEBRTC_RELAY:
		return "relay";
	}
	return "unknown";
}
