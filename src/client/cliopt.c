/* cliopt.c -- getopt_long error messages, one wording for every subcommand. */
#include "cliopt.h"

#include <getopt.h>
#include <stdio.h>

void
cliopt_error(int ch, char *const argv[], char *msg, size_t cap)
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
