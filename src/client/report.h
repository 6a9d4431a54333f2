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
	/* What the local audit found, to fit the steps to this machine; NULL: unknown. */
	const struct step_context *ctx;
};

/*
 * The human report: header, the configured resolvers the server compared with (when we sent
 * some), resolvers table, exit addresses, verdict and reason, findings (report_print_findings
 * with r->ctx).
 */
void report_print(FILE *f, const struct report *r, bool use_colour);

/*
 * The "Findings" section alone (nothing when n is 0): each finding's severity, id, title,
 * detail, explanation and generic steps, then its steps for each platform that
 * findings_select_platforms(ctx) picks, in that order ("With systemd-resolved:", ...). With ctx
 * NULL or not known only the generic steps are shown, and when some finding has steps per
 * platform a closing line says that `dnsleak audit` gives steps fitted to this machine.
 */
void report_print_findings(FILE *f, const struct api_finding *findings, size_t n,
			   const struct step_context *ctx, bool use_colour);

/*
 * A finding of a local verdict (dnsleak audit's verdict_out) as the API would send it, so that
 * report_print_findings() shows it: words and steps from the catalogue, detail from vf. out
 * points into the static catalogue and into vf, which must outlive it. False (out zeroed) when
 * the id is not in the catalogue.
 */
bool report_finding_from_catalogue(const struct verdict_finding *vf, struct api_finding *out);

/*
 * The JSON report: {"verdict", "reason", "note", "server", "id", "zone", "resolvers", "exit",
 * "findings", "probes"}. Each finding has "platforms": the steps of the
 * platforms findings_select_platforms(r->ctx) picks (every one the server sent when r->ctx is
 * NULL or unknown), keyed by platform_name() in that order. A new reference, NULL only when
 * out of memory.
 */
json_t *report_json(const struct report *r);

/* The findings as a JSON array, with the steps of the platforms that fit ctx (NULL: all).
 * A new reference, NULL only when out of memory. */
json_t *report_findings_json(const struct api_finding *findings, size_t n,
			     const struct step_context *ctx);

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
