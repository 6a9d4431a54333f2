/* subcmd.h -- the dnsleak subcommands main.c dispatches to (STYLE R15, wireguard-tools).
 *
 * Each takes the arguments from its own name on (argv[0] is "test") and returns the exit code
 * every subcommand shares (verdict.h): 0 PASS, 1 LEAK, 2 could not test, 3 WARN or INCONCLUSIVE.
 */
#ifndef DL_SUBCMD_H
#define DL_SUBCMD_H

int cmd_test(int argc, char *argv[]);

#endif
