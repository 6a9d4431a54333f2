/* cmd_check.c -- `dnsleak` with no subcommand: the audit, then the test when a server is known.
 *
 * The README's main command. The audit explains this machine offline; with a server (--server
 * or DNSLEAK_SERVER) the end-to-end test follows, its findings get the steps that fit what the
 * audit found, and the verdict is the worse of the two.
 */
#include "subcmd.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "audit_report.h"
#include "cli.h"
#include "sysdns.h"

#define ARGS_MAX 64

static const char usage_text[] =
	"usage: dnsleak [-hj] [-s url] [-n count] [-e prefix|asn]... [-t seconds]\n"
	"               [--resolv-conf FILE]\n"
	"       dnsleak <command> [options]   (dnsleak --help lists the commands)\n"
	"\n"
	"With no command: audit this machine (`dnsleak audit`), then, when a server is given\n"
	"with --server or DNSLEAK_SERVER, run the end-to-end test (`dnsleak test`) and print one\n"
	"combined verdict with next steps fitted to this machine. Options are those of\n"
	"`dnsleak test`, plus --resolv-conf for the audit.\n"
	"\n"
	"exit: 0 PASS, 1 LEAK, 2 could not test, 3 WARN or INCONCLUSIVE\n";

struct audit_state {
	struct sysdns dns;
	struct audit_facts facts;
	struct audit_result result;
};

static void
print_audit(void *arg, FILE *f, bool use_colour)
{
	struct audit_state *a = arg;

	fputs("Audit of this machine\n\n", f);
	audit_report_print(f, &a->facts, &a->result, use_colour);
}

static json_t *
audit_json(void *arg)
{
	struct audit_state *a = arg;

	return audit_report_json(&a->facts, &a->result);
}

static bool
is_flag(const char *arg, const char *s, const char *l)
{
	return strcmp(arg, s) == 0 || strcmp(arg, l) == 0;
}

int
cmd_check(int argc, char *argv[])
{
	static struct audit_state a;
	char *targv[ARGS_MAX + 2];
	int targc = 0;
	const char *resolv_conf = NULL;
	bool json = false, has_server = getenv("DNSLEAK_SERVER") != NULL;
	char err[512];

	targv[targc++] = (char *)"test";
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (is_flag(arg, "-h", "--help")) {
			fputs(usage_text, stdout);
			return EXIT_PASS;
		}
		if (strcmp(arg, "--resolv-conf") == 0 && i + 1 < argc) {
			resolv_conf = argv[++i];
			continue;
		}
		json |= is_flag(arg, "-j", "--json");
		has_server |= is_flag(arg, "-s", "--server") || strncmp(arg, "--server=", 9) == 0 ||
			      (strncmp(arg, "-s", 2) == 0 && arg[2] != '\0');
		if (targc == ARGS_MAX) {
			fprintf(stderr, "dnsleak: too many arguments\n");
			return EXIT_CANNOT_TEST;
		}
		targv[targc++] = argv[i];
	}
	targv[targc] = NULL;

	if (audit_run(resolv_conf, &a.dns, &a.facts, &a.result, err, sizeof(err)) != DL_E_OK) {
		fprintf(stderr, "dnsleak: audit: %s\n", err);
		return EXIT_CANNOT_TEST;
	}
	if (has_server) {
		struct test_extra x = {
			.ctx = &a.result.ctx,
			.audit_verdict = a.result.v.verdict,
			.audit_reason = a.result.v.reason,
			.print_audit = print_audit,
			.audit_json = audit_json,
			.arg = &a,
		};
		return cmd_test_with(targc, targv, &x);
	}
	if (targc > 1 && !(targc == 2 && json)) {
		fprintf(stderr, "dnsleak: test options need a server (--server URL or "
				"DNSLEAK_SERVER)\n%s",
			usage_text);
		return EXIT_CANNOT_TEST;
	}
	if (json) {
		json_t *doc = json_pack("{s:s, s:s, s:o, s:n}", "verdict",
					verdict_name(a.result.v.verdict), "reason",
					a.result.v.reason, "audit", audit_json(&a), "test");
		if (!cli_print_json(doc)) {
			fprintf(stderr, "dnsleak: out of memory\n");
			return EXIT_CANNOT_TEST;
		}
	} else {
		print_audit(&a, stdout, cli_use_colour());
		fputs("\nNo test server given: add --server URL (or set DNSLEAK_SERVER) to also test "
		      "end to end which resolvers really see your queries.\n",
		      stdout);
	}
	return verdict_exit_code(a.result.v.verdict);
}
