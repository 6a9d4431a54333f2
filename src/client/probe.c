/* probe.c -- probe names: nonce, id, zone. */
#include "probe.h"

#include <stdio.h>
#include <string.h>

size_t
probe_per_family(size_t count)
{
	return (count + 2) / 3;
}

size_t
probe_total(size_t count)
{
	return count + 2 * probe_per_family(count);
}

static bool
is_label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

bool
probe_zone_ok(const char *zone)
{
	size_t len = strlen(zone);
	size_t label = 0;

	if (len == 0 || len > PROBE_ZONE_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (zone[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (is_label_char(zone[i]) && label < DNS_LABEL_MAX) {
			label++;
		} else {
			return false;
		}
	}
	return label > 0;
}

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

_Static_assert(PROBE_NAMES_MAX <= 32 * 32, "two base32 characters number every name");

enum dl_err
probe_make(const char *id_text, const char *zone, size_t count, const uint8_t *random,
	   size_t random_len, struct probe *out, size_t cap)
{
	static const char *const suffix[] = {
		[PROBE_AT_ZONE] = "",
		[PROBE_AT_NS4] = "ns4.",
		[PROBE_AT_NS6] = "ns6.",
	};
	uint8_t id[TESTID_LEN];
	size_t per = probe_per_family(count);
	size_t total = probe_total(count);

	if (count < 1 || count > PROBE_COUNT_MAX || !probe_zone_ok(zone) ||
	    testid_from_text(id_text, strlen(id_text), id) != DL_E_OK)
		return DL_E_FORMAT;
	if (cap < total || random_len / PROBE_RANDOM_PER_NAME < total)
		return DL_E_FULL;
	for (size_t i = 0; i < total; i++) {
		char nonce[PROBE_NONCE_LEN + 1];
		enum probe_where where = i < count         ? PROBE_AT_ZONE
					 : i < count + per ? PROBE_AT_NS4
							   : PROBE_AT_NS6;

		/* 8 random characters, then two of the index: unique for up to 1024 names. */
		base32_encode(random + i * PROBE_RANDOM_PER_NAME, PROBE_RANDOM_PER_NAME, nonce);
		nonce[8] = b32[(i >> 5) & 31u];
		nonce[9] = b32[i & 31u];
		nonce[10] = '\0';
		out[i].where = where;
		/* Cannot truncate: PROBE_NAME_MAX counts the longest nonce, id, suffix and zone. */
		snprintf(out[i].name, sizeof(out[i].name), "%s-%.*s.%s%s", nonce, TESTID_TEXT_LEN,
			 id_text, suffix[where], zone);
		for (char *c = out[i].name; *c != '\0' && *c != '.'; c++) {
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		}
	}
	return DL_E_OK;
}
