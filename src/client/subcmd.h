/* subcmd.h -- the dnsleak subcommands main.c dispatches to (STYLE R15, wireguard-tools).
 *
 * Each takes the arguments from its own name on (argv[0] is "test") and returns the exit code
 * every subcommand shares (verdict.h): 0 PASS, 1 LEAK, 2 could not test, 3 WARN or INCONCLUSIVE.
 */
#ifndef DL_SUBCMD_H
#define DL_SUBCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "findings.h"
#include "verdict.h"

int cmd_test(int argc, char *argv[]);
int cmd_audit(int argc, char *argv[]);
int cmd_check(int argc, char *argv[]);
int cmd_watch(int argc, char *argv[]); /* exit 0 no leak seen, 1 leak seen, 2 could not watch */
int cmd_fix(int argc, char *argv[]); /* 0 printed, applied or reverted; 2 could not */

struct sysdns;
struct audit_facts;
struct audit_result;

/*
 * `dnsleak` with no subcommand runs the audit, then the test with this beside it: the test's
 * report shows the audit first, renders steps for the audit's step context, and the verdict
 * and exit code are the worse of the two.
 */
struct test_extra {
	const struct step_context *ctx;
	enum verdict audit_verdict;
	const char *audit_reason;
	void (*print_audit)(void *arg, FILE *f, bool use_colour);
	json_t *(*audit_json)(void *arg); /* a new reference */
	void *arg;
};

int cmd_test_with(int argc, char *argv[], const struct test_extra *extra);

/* Gather the facts and analyse them (cmd_audit.c); the combined `dnsleak` uses it too. */
int audit_run(const char *resolv_conf, struct sysdns *dns, struct audit_facts *facts,
	      struct audit_result *result, char *err, size_t err_len);

#endif
