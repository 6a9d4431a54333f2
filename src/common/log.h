/* log.h -- stderr logging with levels (the vocabulary of OpenBSD unwind's log.h).
 *
 * The level is tested before formatting, so a debug line on the hot path costs one branch.
 * Callers escape attacker bytes before they reach a log line (dnswire_name_to_text).
 */
#ifndef DL_LOG_H
#define DL_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_WARN = 0, LOG_LEVEL_INFO = 1, LOG_LEVEL_DEBUG = 2 };

extern int log_verbosity;

void log_init(const char *ident, int verbosity);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* + strerror(errno) */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
