/* report.h -- a test's outcome as the human report or as one JSON document. Pure.
 *
 * The caller brings the stream and decides about colour (a TTY, NO_COLOR unset). Every string
 * from the server is untrusted: the text report escapes control characters, C1 controls and
 * bidirectional overrides (report_escape) so a server cannot move the cursor, recolour the
 * terminal or reorder what is shown; the JSON report is written by jansson, which escapes them.
 */
#ifndef DL_REPORT_H
#define DL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "api.h"

#define REPORT_NOTE_MAX 256

/* What happened to the probe names on this machine. */
struct report_probes {
	size_t sent;
	size_t resolved;
	size_t failed;
	size_t timed_out;
	const char *first_error; /* why the first failed one failed (gai_strerror), or NULL */
};

struct report {
	const char *server; /* the server's base URL */
	const struct api_results *res;
	struct report_probes probes;
	unsigned timeout_s;        /* how long the probes had */
	const char *exit_error[2]; /* why our IPv4 [0] / IPv6 [1] request to the server failed */
};

/* The human report: header, resolvers table, exit addresses, verdict and reason, findings. */
void report_print(FILE *f, const struct report *r, bool use_colour);

/*
 * The JSON report: {"verdict", "reason", "note", "server", "id", "zone", "resolvers", "exit",
 * "findings", "probes"}. A new reference, NULL only when out of memory.
 */
json_t *report_json(const struct report *r);

/* {"verdict": null, "error": message}. NULL only when out of memory. */
json_t *report_error_json(const char *message);

/*
 * A sentence on the probes worth saying next to the verdict, in out ("" when there is none):
 * that the resolver never answered within the timeout, that no name resolved, or that some timed
 * out. Returns true when there is one.
 */
bool report_note(const struct report *r, char out[static REPORT_NOTE_MAX]);

/*
 * Copy text into out (cap > 0 bytes, always NUL-terminated) with bytes below 0x20, DEL and
 * invalid UTF-8 as \xHH, and C1 controls and bidirectional formatting characters as \uHHHH.
 * What does not fit is cut at a character boundary. Returns out.
 */
const char *report_escape(const char *text, char *out, size_t cap);

#endif
