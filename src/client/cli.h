/* cli.h -- what the dnsleak subcommands share: option errors, JSON output, colour. */
#ifndef DL_CLI_H
#define DL_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * After getopt_long returned ':' (a missing value) or '?' (an unknown option), write its
 * message to msg (cap bytes) unless msg already holds the first error. Needs the opt string
 * to start with ':' so that missing values are told apart.
 */
void cli_opt_error(int ch, char *const argv[], char *msg, size_t cap);

/* Print doc on stdout as the one --json document (indented, ASCII) and release it. False when
 * doc is NULL (out of memory) -- nothing is printed then. */
bool cli_print_json(json_t *doc);

/* Colour on stdout: only on a terminal, and not when NO_COLOR is set to anything non-empty. */
bool cli_use_colour(void);

#endif
