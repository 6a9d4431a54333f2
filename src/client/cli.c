/* cli.c -- what the dnsleak subcommands share: one wording, one JSON form, one colour rule. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void
cli_opt_error(int ch, char *const argv[], char *msg, size_t cap)
{
	if (msg[0] != '\0')
		return;
	if (ch == ':')
		snprintf(msg, cap, "%s needs a value", argv[optind - 1]);
	else if (optopt != 0)
		snprintf(msg, cap, "unknown option -%c", optopt);
	else
		snprintf(msg, cap, "unknown option %s", argv[optind - 1]);
}

bool
cli_print_json(json_t *doc)
{
	if (doc == NULL)
		return false;
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	json_decref(doc);
	return true;
}

bool
cli_use_colour(void)
{
	const char *no_color = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (no_color == NULL || no_color[0] == '\0');
}
