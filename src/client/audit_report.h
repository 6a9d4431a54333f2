/* audit_report.h -- the audit as the human report or as one JSON document. Pure.
 *
 * Findings are rendered from the compiled-in catalogue (findings.h) with the steps of the
 * platforms that fit this machine (findings_select_platforms), so `dnsleak audit` works with no
 * network and no server.
 */
#ifndef DL_AUDIT_REPORT_H
#define DL_AUDIT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "audit.h"

void audit_report_print(FILE *f, const struct audit_facts *facts, const struct audit_result *r,
			bool use_colour);

/* A new reference, NULL only when out of memory. */
json_t *audit_report_json(const struct audit_facts *facts, const struct audit_result *r);

/* Findings with their fitted steps, as text; shared with the combined `dnsleak` report. */
void audit_report_findings(FILE *f, const struct verdict_out *v, const struct step_context *ctx,
			   bool use_colour);

/* [{"id","severity","title","explain","detail","steps":[...],"platforms":{name:[...]}}] */
json_t *audit_report_findings_json(const struct verdict_out *v, const struct step_context *ctx);

#endif
