/* findings.h -- the catalogue of findings: stable ids, severity, words, next steps. Pure data.
 *
 * One catalogue serves the server (GET /api/v1/tests/<id> and, later, GET /api/v1/findings),
 * the CLI and the web page, which gets it from the API and never keeps a copy.
 * Ids are stable: DL-<AREA>-<WHAT>. Steps are short imperative sentences; issue #4 adds steps
 * per platform (systemd-resolved, NetworkManager, resolv.conf, OpenVPN, WireGuard, Windows,
 * macOS, browsers) and their selection from what the local audit found.
 */
#ifndef DL_FINDINGS_H
#define DL_FINDINGS_H

#include <stddef.h>

#include "verdict.h"

#define FINDING_STEPS_MAX 8

struct finding_def {
	const char *id;
	enum severity severity;
	const char *title;   /* a few words */
	const char *explain; /* one sentence a non-expert understands */
	const char *steps[FINDING_STEPS_MAX]; /* NULL-terminated when shorter */
};

/* The entry for id, or NULL. */
const struct finding_def *findings_lookup(const char *id);

/* The whole catalogue, *n entries. */
const struct finding_def *findings_all(size_t *n);

#endif
