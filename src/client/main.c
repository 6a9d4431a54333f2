/* main.c -- dnsleak, the client: table-driven subcommands (wireguard-tools wg.c). */
#include <stdio.h>
#include <string.h>

#include "subcmd.h"
#include "verdict.h"

#define DNSLEAK_VERSION "0.1.0"

struct subcmd {
	const char *name;
	int (*run)(int argc, char *argv[]); /* NULL until it is built */
	const char *summary;
	const char *arrives; /* the work item that builds it; NULL once it is built */
};

static const struct subcmd subcmds[] = {
	{ "test", cmd_test, "ask the leak server which resolvers saw our names", NULL },
	{ "audit", cmd_audit, "explain, offline, how DNS leaves this machine and why it leaks", NULL },
	{ "watch", cmd_watch, "watch DNS leaving this host outside the tunnel (root)", NULL },
	{ "fix", cmd_fix, "print or apply the cure: next steps and nftables rules", NULL },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: dnsleak [-hj] [-s url] [options of test]   audit, then test with a server\n"
		   "       dnsleak <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		fprintf(f, "  %-6s %s%s%s%s\n", subcmds[i].name, subcmds[i].summary,
			subcmds[i].arrives ? " (not built yet: " : "",
			subcmds[i].arrives ? subcmds[i].arrives : "",
			subcmds[i].arrives ? ")" : "");
	fprintf(f, "\n`dnsleak <command> --help' describes a command.\n"
		   "Exit codes: 0 PASS, 1 LEAK, 2 could not test, 3 WARN or INCONCLUSIVE.\n");
}

int
main(int argc, char *argv[])
{
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return EXIT_PASS;
	}
	/* No command, or options first: the audit, then the test when a server is known. */
	if (argc < 2 || argv[1][0] == '-') {
		if (argc < 2 || (strcmp(argv[1], "-V") != 0 && strcmp(argv[1], "--version") != 0))
			return cmd_check(argc, argv);
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("dnsleak %s\n", DNSLEAK_VERSION);
		return EXIT_PASS;
	}
	for (size_t i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++) {
		if (strcmp(argv[1], subcmds[i].name) != 0)
			continue;
		if (subcmds[i].run != NULL)
			return subcmds[i].run(argc - 1, argv + 1);
		fprintf(stderr, "dnsleak: `%s' is not built yet (%s); nothing was tested\n",
			subcmds[i].name, subcmds[i].arrives);
		return EXIT_CANNOT_TEST;
	}
	fprintf(stderr, "dnsleak: unknown command `%s'\n", argv[1]);
	usage(stderr);
	return EXIT_CANNOT_TEST;
}
