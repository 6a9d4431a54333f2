/* enrich.h -- which network an address belongs to: ASN, organisation, country, from MMDB files.
 *
 * A thin wrapper over libmaxminddb. Two optional databases in the GeoLite2 / DB-IP layout: one
 * for the network (autonomous_system_number, autonomous_system_organization) and one for the
 * country (country.iso_code, else registered_country.iso_code). Each open database is asked for
 * every field, so one database that holds both serves for both. The files are memory-mapped
 * once at start-up and only read afterwards: enrich_lookup() is safe from any thread.
 *
 * Database contents are not trusted: an organisation comes out as valid UTF-8 without control
 * or bidirectional-override characters, at most NET_ORG_MAX - 1 bytes; a country is two ASCII
 * capital letters or nothing; an ASN is a non-zero 32-bit number or nothing.
 */
#ifndef DL_ENRICH_H
#define DL_ENRICH_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "err.h"
#include "verdict.h"

struct enrich;

/*
 * Open the databases at asn_path and country_path; NULL or "" leaves one out (both out: a
 * valid handle that knows nothing). The same path twice is opened once. On failure *out is
 * untouched, nothing stays open, and err names the key and the file: "asn_db /x.mmdb: No such
 * file or directory". Returns DL_E_OK, DL_E_CONFIG or DL_E_NOMEM.
 */
DL_MUSTCHECK int enrich_open(const char *asn_path, const char *country_path, struct enrich **out,
			     char *err, size_t err_len);

/* Close and free. NULL is a no-op. */
void enrich_close(struct enrich *e);

/* True when at least one database is open. NULL: false. */
bool enrich_has_data(const struct enrich *e);

#define ENRICH_TYPE_MAX 64

/*
 * The database_type ("GeoLite2-ASN", "DBIP-Country-Lite", ...) of the database opened for
 * asn_db (is_country false) or country_db, cleaned as enrich_clean_text does; "" without one.
 */
void enrich_db_type(const struct enrich *e, bool is_country, char out[static ENRICH_TYPE_MAX]);

/*
 * What the databases say about a. Fields they do not know stay empty (struct net_info). e may
 * be NULL (no databases). Never fails: a corrupt record reads as unknown.
 */
void enrich_lookup(const struct enrich *e, const struct dl_addr *a, struct net_info *out);

/*
 * Make len bytes of untrusted text safe to show and to put in JSON: invalid UTF-8 becomes '?',
 * control characters (C0, DEL, C1), line and paragraph separators and bidirectional controls
 * become spaces, runs of spaces fold into one, and the ends are trimmed. The result is cut at a
 * character boundary to fit cap bytes with its NUL (cap >= 1). Returns its length.
 */
size_t enrich_clean_text(const char *in, size_t len, char *out, size_t cap);

#endif
