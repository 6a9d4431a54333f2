/* dnswire.c -- DNS wire codec: query parser, name helpers, OPT writer. */
#include "dnswire.h"

#include <stdio.h>
#include <string.h>

enum dl_err
dnswire_parse_header(const uint8_t *pkt, size_t len, struct dns_header *h)
{
	struct rcur c = rcur_make(pkt, len);
	struct dns_header t;

	t.id = rcur_u16(&c);
	t.flags = rcur_u16(&c);
	t.qdcount = rcur_u16(&c);
	t.ancount = rcur_u16(&c);
	t.nscount = rcur_u16(&c);
	t.arcount = rcur_u16(&c);
	if (c.err)
		return DL_E_TRUNC;
	*h = t;
	return DL_E_OK;
}

/* Question names may not be compressed: nothing precedes them to point at (Knot pkt.c). */
static enum dl_err
read_qname(struct rcur *c, uint8_t out[DNS_NAME_MAX], size_t *outlen)
{
	size_t n = 0;

	for (;;) {
		const uint8_t *lp = rcur_take(c, 1);
		if (lp == NULL)
			return DL_E_TRUNC;
		uint8_t len = *lp;
		if ((len & 0xC0) == 0xC0)
			return DL_E_BADPTR;
		if (len & 0xC0) /* 0x40/0x80: a label > 63 or an obsolete label type */
			return DL_E_FORMAT;
		if (n + 1 + len > DNS_NAME_MAX)
			return DL_E_TOOLONG;
		out[n++] = len;
		if (len == 0)
			break;
		const uint8_t *label = rcur_take(c, len);
		if (label == NULL)
			return DL_E_TRUNC;
		memcpy(out + n, label, len);
		n += len;
	}
	*outlen = n;
	return DL_E_OK;
}

enum dl_err
dnswire_skip_name(struct rcur *c)
{
	const uint8_t *base = c->base;
	size_t msg_len = (size_t)(c->end - c->base);
	size_t p = rcur_offset(c);
	size_t limit = p; /* the next pointer must land strictly before this offset */
	size_t resume = 0;
	size_t total = 0;

	if (c->err)
		return DL_E_TRUNC;
	for (;;) {
		if (p >= msg_len)
			return DL_E_TRUNC;
		uint8_t b = base[p];
		if ((b & 0xC0) == 0xC0) {
			if (p + 1 >= msg_len)
				return DL_E_TRUNC;
			size_t target = (size_t)(b & 0x3F) << 8 | base[p + 1];
			/* tcpdump fqdn_print(): moving strictly backwards ends every chain. */
			if (target >= limit)
				return DL_E_BADPTR;
			if (resume == 0)
				resume = p + 2;
			limit = target;
			p = target;
			continue;
		}
		if (b & 0xC0)
			return DL_E_FORMAT;
		total += 1u + b;
		if (total > DNS_NAME_MAX)
			return DL_E_TOOLONG;
		if (b == 0) {
			p += 1;
			break;
		}
		p += 1u + b;
	}
	if (resume == 0)
		resume = p;
	if (resume > msg_len)
		return DL_E_TRUNC;
	c->pos = base + resume;
	return DL_E_OK;
}

/* RFC 7871 6: address octets are exactly ceil(source/8) and bits past the prefix are zero. */
static enum dl_err
parse_ecs(const uint8_t *p, uint16_t len, struct dns_ecs *ecs)
{
	struct rcur c = rcur_make(p, len);
	struct dns_ecs e;

	memset(&e, 0, sizeof(e));
	e.family = rcur_u16(&c);
	e.source_prefix = rcur_u8(&c);
	e.scope_prefix = rcur_u8(&c);
	if (c.err)
		return DL_E_BADECS;
	unsigned max_bits = e.family == 1 ? 32 : e.family == 2 ? 128 : 0;
	if (max_bits == 0 || e.source_prefix > max_bits)
		return DL_E_BADECS;
	size_t octets = (e.source_prefix + 7u) / 8u;
	if (rcur_left(&c) != octets)
		return DL_E_BADECS;
	const uint8_t *a = rcur_take(&c, octets);
	if (octets > 0) {
		memcpy(e.addr, a, octets);
		unsigned spare = (unsigned)(octets * 8 - e.source_prefix);
		if (spare > 0 && (e.addr[octets - 1] & ((1u << spare) - 1u)) != 0)
			return DL_E_BADECS;
	}
	*ecs = e;
	return DL_E_OK;
}

static enum dl_err
parse_opt(struct rcur *c, uint16_t udp_size, uint32_t ttl, uint16_t rdlen, struct dns_query *q)
{
	const uint8_t *rdata = rcur_take(c, rdlen);

	if (rdata == NULL)
		return DL_E_TRUNC;
	q->has_edns = true;
	q->edns_udp_size = udp_size;
	q->edns_version = (uint8_t)(ttl >> 16);
	q->edns_do = (ttl & 0x8000u) != 0;

	struct rcur o = rcur_make(rdata, rdlen);
	while (rcur_left(&o) > 0) {
		uint16_t code = rcur_u16(&o);
		uint16_t len = rcur_u16(&o);
		const uint8_t *val = rcur_take(&o, len);
		if (o.err)
			return DL_E_BADOPT;
		if (code == DNS_EDNS_OPT_ECS) {
			if (q->has_ecs)
				return DL_E_BADECS;
			enum dl_err rc = parse_ecs(val, len, &q->ecs);
			if (rc != DL_E_OK)
				return rc;
			q->has_ecs = true;
		} else if (code == DNS_EDNS_OPT_COOKIE) {
			/* RFC 7873 5.2.2: a client cookie of 8 octets, plus 8 to 32 of server
			 * cookie. */
			if (len != 8 && (len < 16 || len > 40))
				return DL_E_BADOPT;
			q->has_cookie = true;
		}
	}
	return DL_E_OK;
}

enum dl_err
dnswire_parse_query(const uint8_t *pkt, size_t len, struct dns_query *q)
{
	struct rcur c = rcur_make(pkt, len);
	enum dl_err rc;

	memset(q, 0, offsetof(struct dns_query, qname));
	q->qname_len = 0;
	q->question_end = 0;
	q->qtype = q->qclass = 0;
	q->has_edns = q->edns_do = q->has_ecs = q->has_cookie = false;
	q->edns_version = 0;
	q->edns_udp_size = 0;

	rc = dnswire_parse_header(pkt, len, &q->hdr);
	if (rc != DL_E_OK)
		return rc;
	(void)rcur_take(&c, DNS_HEADER_LEN);
	if (q->hdr.qdcount != 1)
		return DL_E_QDCOUNT;

	size_t qlen;
	rc = read_qname(&c, q->qname, &qlen);
	if (rc != DL_E_OK)
		return rc;
	uint16_t qtype = rcur_u16(&c);
	uint16_t qclass = rcur_u16(&c);
	if (c.err)
		return DL_E_TRUNC;
	q->qname_len = qlen;
	dnswire_name_lower(q->qname, qlen, q->qname_lower);
	q->qtype = qtype;
	q->qclass = qclass;
	q->question_end = rcur_offset(&c);

	size_t nrr = (size_t)q->hdr.ancount + q->hdr.nscount + q->hdr.arcount;
	if (nrr > DNS_RR_MAX)
		return DL_E_FORMAT;
	for (size_t i = 0; i < nrr; i++) {
		size_t name_at = rcur_offset(&c);
		rc = dnswire_skip_name(&c);
		if (rc != DL_E_OK)
			return rc;
		uint16_t type = rcur_u16(&c);
		uint16_t klass = rcur_u16(&c);
		uint32_t ttl = rcur_u32(&c);
		uint16_t rdlen = rcur_u16(&c);
		if (c.err)
			return DL_E_TRUNC;
		if (type != DNS_TYPE_OPT) {
			if (rcur_take(&c, rdlen) == NULL)
				return DL_E_TRUNC;
			continue;
		}
		/* RFC 6891 6.1.1: one OPT, owner the root, in the additional section only. */
		bool in_additional = i >= (size_t)q->hdr.ancount + q->hdr.nscount;
		if (q->has_edns || !in_additional || pkt[name_at] != 0)
			return DL_E_BADOPT;
		rc = parse_opt(&c, klass, ttl, rdlen, q);
		if (rc != DL_E_OK)
			return rc;
	}
	if (rcur_left(&c) != 0)
		return DL_E_TRAILING;
	return DL_E_OK;
}

size_t
dnswire_name_labels(const uint8_t *name, size_t len)
{
	size_t n = 0;

	for (size_t p = 0; p < len && name[p] != 0; p += 1u + name[p])
		n++;
	return n;
}

bool
dnswire_name_is_under(const uint8_t *name, size_t len, const uint8_t *suffix, size_t suffix_len)
{
	if (suffix_len > len)
		return false;
	/* The suffix must start on a label boundary of name. */
	size_t p = 0;
	while (len - p > suffix_len)
		p += 1u + name[p];
	return len - p == suffix_len && memcmp(name + p, suffix, suffix_len) == 0;
}

void
dnswire_name_lower(const uint8_t *name, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t b = name[i];
		out[i] = (b >= 'A' && b <= 'Z') ? (uint8_t)(b + 32) : b;
	}
}

static bool
is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_';
}

enum dl_err
dnswire_name_from_text(const char *text, uint8_t out[DNS_NAME_MAX], size_t *out_len)
{
	uint8_t tmp[DNS_NAME_MAX];
	size_t n = 0;
	const char *s = text;

	if (strcmp(text, ".") == 0) {
		out[0] = 0;
		*out_len = 1;
		return DL_E_OK;
	}
	while (*s != '\0') {
		size_t l = 0;
		while (s[l] != '\0' && s[l] != '.') {
			if (!is_name_char(s[l]))
				return DL_E_FORMAT;
			l++;
		}
		if (l == 0)
			return DL_E_FORMAT; /* empty label: "a..b" or a leading dot */
		if (l > DNS_LABEL_MAX)
			return DL_E_TOOLONG;
		if (n + 1 + l + 1 > DNS_NAME_MAX)
			return DL_E_TOOLONG;
		tmp[n++] = (uint8_t)l;
		for (size_t i = 0; i < l; i++) {
			char ch = s[i];
			tmp[n++] = (uint8_t)((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch);
		}
		s += l;
		if (*s == '.')
			s++;
	}
	if (n == 0)
		return DL_E_FORMAT;
	tmp[n++] = 0;
	memcpy(out, tmp, n);
	*out_len = n;
	return DL_E_OK;
}

int
dnswire_name_to_text(const uint8_t *name, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	size_t p = 0;

	if (cap == 0)
		return -1;
	if (len == 0 || name[0] == 0) {
		if (cap < 2)
			return -1;
		out[0] = '.';
		out[1] = '\0';
		return 1;
	}
	while (p < len && name[p] != 0) {
		uint8_t l = name[p++];
		if (p + l > len)
			return -1;
		for (uint8_t i = 0; i < l; i++) {
			uint8_t b = name[p + i];
			char esc[5];
			size_t elen;
			if (b == '.' || b == '\\' || b == '"') {
				esc[0] = '\\';
				esc[1] = (char)b;
				elen = 2;
			} else if (b < 0x21 || b > 0x7e) {
				snprintf(esc, sizeof(esc), "\\%03u", b);
				elen = 4;
			} else {
				esc[0] = (char)b;
				elen = 1;
			}
			if (o + elen + 1 >= cap)
				return -1;
			memcpy(out + o, esc, elen);
			o += elen;
		}
		p += l;
		if (o + 2 > cap)
			return -1;
		out[o++] = '.';
	}
	out[o] = '\0';
	return (int)o;
}

void
dnswire_write_opt(struct wcur *w, uint16_t udp_size, uint8_t ext_rcode, bool dnssec_ok,
		  const struct dns_ecs *ecs)
{
	wcur_u8(w, 0); /* root owner */
	wcur_u16(w, DNS_TYPE_OPT);
	wcur_u16(w, udp_size);
	wcur_u32(w, (uint32_t)ext_rcode << 24 | (dnssec_ok ? 0x8000u : 0));
	if (ecs == NULL) {
		wcur_u16(w, 0);
		return;
	}
	size_t octets = (ecs->source_prefix + 7u) / 8u;
	wcur_u16(w, (uint16_t)(4 + 4 + octets));
	wcur_u16(w, DNS_EDNS_OPT_ECS);
	wcur_u16(w, (uint16_t)(4 + octets));
	wcur_u16(w, ecs->family);
	wcur_u8(w, ecs->source_prefix);
	wcur_u8(w, 0); /* scope 0: our answer is the same for every client subnet */
	wcur_bytes(w, ecs->addr, octets);
}
