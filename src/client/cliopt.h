/* cliopt.h -- what the subcommands share about getopt_long errors. */
#ifndef DL_CLIOPT_H
#define DL_CLIOPT_H

#include <stddef.h>

/*
 * After getopt_long returned ':' (a missing value) or '?' (an unknown option), write its
 * message to msg (cap bytes) unless msg already holds the first error. Needs the opt string
 * to start with ':' so that missing values are told apart.
 */
void cliopt_error(int ch, char *const argv[], char *msg, size_t cap);

#endif
