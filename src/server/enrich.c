/* enrich.c -- ASN, organisation and country of an address from MMDB files (libmaxminddb). */
#include "enrich.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <maxminddb.h>

#define ENRICH_DBS 2

struct enrich {
	MMDB_s db[ENRICH_DBS]; /* db[0..n): the ASN database first when there is one */
	size_t n;
	int asn;     /* index into db of the one named by asn_db, -1 without */
	int country; /* likewise for country_db; may equal asn */
};

static const char *const path_asn[] = { "autonomous_system_number", NULL };
static const char *const path_org[] = { "autonomous_system_organization", NULL };
static const char *const path_country[] = { "country", "iso_code", NULL };
static const char *const path_reg_country[] = { "registered_country", "iso_code", NULL };

/*
 * One UTF-8 character at p (left > 0 bytes): its length and, in *cp, the code point, or -1
 * with length 1 for a byte that does not start a valid character. RFC 3629 4: no overlong
 * forms, no surrogates, nothing past U+10FFFF.
 */
static size_t
utf8_next(const uint8_t *p, size_t left, int32_t *cp)
{
	uint8_t b = p[0];
	uint8_t lo = 0x80, hi = 0xbf; /* bounds of the second byte */
	uint32_t c;
	size_t n;

	*cp = -1;
	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xc2 && b <= 0xdf) {
		n = 2;
		c = b & 0x1fu;
	} else if (b >= 0xe0 && b <= 0xef) {
		n = 3;
		c = b & 0x0fu;
		if (b == 0xe0)
			lo = 0xa0;
		else if (b == 0xed)
			hi = 0x9f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		n = 4;
		c = b & 0x07u;
		if (b == 0xf0)
			lo = 0x90;
		else if (b == 0xf4)
			hi = 0x8f;
	} else {
		return 1;
	}
	if (left < n)
		return 1;
	for (size_t i = 1; i < n; i++) {
		uint8_t x = p[i];

		if (x < (i == 1 ? lo : 0x80) || x > (i == 1 ? hi : 0xbf))
			return 1;
		c = c << 6 | (x & 0x3fu);
	}
	*cp = (int32_t)c;
	return n;
}

/*
 * Characters that would let a database entry break a line or reorder what a terminal or a
 * page shows around it (Trojan Source, CVE-2021-42574): they read as a space.
 */
static bool
is_blank(int32_t cp)
{
	return cp <= 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0xfeff;
}

size_t
enrich_clean_text(const char *in, size_t len, char *out, size_t cap)
{
	const uint8_t *p = (const uint8_t *)in;
	bool pending_space = false;
	size_t o = 0;

	if (cap == 0)
		return 0;
	while (len > 0) {
		int32_t cp;
		size_t n = utf8_next(p, len, &cp);
		const uint8_t *src = p;

		p += n;
		len -= n;
		if (cp >= 0 && is_blank(cp)) {
			pending_space = o > 0; /* leading blanks go */
			continue;
		}
		if (cp < 0) {
			src = (const uint8_t *)"?";
			n = 1;
		}
		if (o + (pending_space ? 1 : 0) + n >= cap)
			break; /* cut before a character that does not fit whole */
		if (pending_space)
			out[o++] = ' ';
		pending_space = false;
		memcpy(out + o, src, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}

static void
db_name_error(char *err, size_t err_len, const char *key, const char *path, const char *why)
{
	snprintf(err, err_len, "%s %s: %s", key, path, why);
}

/* Open path into e->db[e->n]; err names key and path on failure. */
static int
open_db(struct enrich *e, const char *key, const char *path, char *err, size_t err_len)
{
	int fd;
	int rc;

	/* MMDB_open says only "error opening"; open(2) first says why, for the operator. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		db_name_error(err, err_len, key, path, strerror(errno));
		return DL_E_CONFIG;
	}
	close(fd);
	rc = MMDB_open(path, MMDB_MODE_MMAP, &e->db[e->n]);
	if (rc != MMDB_SUCCESS) {
		db_name_error(err, err_len, key, path, MMDB_strerror(rc));
		return rc == MMDB_OUT_OF_MEMORY_ERROR ? DL_E_NOMEM : DL_E_CONFIG;
	}
	e->n++;
	return DL_E_OK;
}

int
enrich_open(const char *asn_path, const char *country_path, struct enrich **out, char *err,
	    size_t err_len)
{
	struct enrich *e = calloc(1, sizeof(*e));
	int rc;

	if (e == NULL) {
		snprintf(err, err_len, "enrich: %s", dl_strerror(DL_E_NOMEM));
		return DL_E_NOMEM;
	}
	e->asn = -1;
	e->country = -1;
	if (asn_path != NULL && asn_path[0] != '\0') {
		rc = open_db(e, "asn_db", asn_path, err, err_len);
		if (rc != DL_E_OK)
			goto fail;
		e->asn = 0;
	}
	if (country_path != NULL && country_path[0] != '\0') {
		if (e->asn == 0 && strcmp(asn_path, country_path) == 0) {
			e->country = 0;
		} else {
			rc = open_db(e, "country_db", country_path, err, err_len);
			if (rc != DL_E_OK)
				goto fail;
			e->country = (int)e->n - 1;
		}
	}
	*out = e;
	return DL_E_OK;
fail:
	enrich_close(e);
	return rc;
}

void
enrich_close(struct enrich *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->n; i++)
		MMDB_close(&e->db[i]);
	free(e);
}

bool
enrich_has_data(const struct enrich *e)
{
	return e != NULL && e->n > 0;
}

void
enrich_db_type(const struct enrich *e, bool is_country, char out[static ENRICH_TYPE_MAX])
{
	int idx = e == NULL ? -1 : is_country ? e->country : e->asn;
	const char *t = idx < 0 ? NULL : e->db[idx].metadata.database_type;

	out[0] = '\0';
	if (t != NULL)
		enrich_clean_text(t, strlen(t), out, ENRICH_TYPE_MAX);
}

/* The value at path in entry, when it is there and of some type. */
static bool
value_at(const MMDB_entry_s *entry, const char *const *path, MMDB_entry_data_s *d)
{
	MMDB_entry_s start = *entry; /* MMDB_aget_value wants a mutable start; keep ours intact */

	memset(d, 0, sizeof(*d));
	return MMDB_aget_value(&start, d, path) == MMDB_SUCCESS && d->has_data;
}

static uint32_t
asn_of(const MMDB_entry_s *entry)
{
	MMDB_entry_data_s d;

	if (!value_at(entry, path_asn, &d))
		return 0;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16:
		return d.uint16;
	case MMDB_DATA_TYPE_UINT32:
		return d.uint32;
	case MMDB_DATA_TYPE_UINT64:
		return d.uint64 <= UINT32_MAX ? (uint32_t)d.uint64 : 0;
	case MMDB_DATA_TYPE_INT32:
		return d.int32 > 0 ? (uint32_t)d.int32 : 0;
	default:
		return 0;
	}
}

static void
org_of(const MMDB_entry_s *entry, char out[static NET_ORG_MAX])
{
	MMDB_entry_data_s d;

	out[0] = '\0';
	if (value_at(entry, path_org, &d) && d.type == MMDB_DATA_TYPE_UTF8_STRING)
		enrich_clean_text(d.utf8_string, d.data_size, out, NET_ORG_MAX);
}

/* ISO 3166-1 alpha-2: two ASCII letters, upper-cased; anything else is no country. */
static bool
country_at(const MMDB_entry_s *entry, const char *const *path, char out[static 3])
{
	MMDB_entry_data_s d;

	if (!value_at(entry, path, &d) || d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2)
		return false;
	for (size_t i = 0; i < 2; i++) {
		char ch = d.utf8_string[i];

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch < 'A' || ch > 'Z')
			return false;
		out[i] = ch;
	}
	out[2] = '\0';
	return true;
}

/* Fill what out does not know yet from db's record for sa. */
static void
lookup_one(const MMDB_s *db, const struct sockaddr *sa, struct net_info *out)
{
	MMDB_lookup_result_s res;
	int mmdb_err = MMDB_SUCCESS;

	/* An IPv6 address in an IPv4-only database is an error here, and simply unknown to us. */
	res = MMDB_lookup_sockaddr(db, sa, &mmdb_err);
	if (mmdb_err != MMDB_SUCCESS || !res.found_entry)
		return;
	if (out->asn == 0) {
		out->asn = asn_of(&res.entry);
		if (out->asn != 0)
			org_of(&res.entry, out->org);
	}
	if (out->country[0] == '\0' && !country_at(&res.entry, path_country, out->country))
		(void)country_at(&res.entry, path_reg_country, out->country);
}

void
enrich_lookup(const struct enrich *e, const struct dl_addr *a, struct net_info *out)
{
	struct sockaddr_storage ss;

	memset(out, 0, sizeof(*out));
	if (e == NULL || e->n == 0)
		return;
	memset(&ss, 0, sizeof(ss));
	if (a->family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->a, 4);
	} else if (a->family == 6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a->a, 16);
	} else {
		return;
	}
	for (size_t i = 0; i < e->n; i++)
		lookup_one(&e->db[i], (const struct sockaddr *)&ss, out);
}
