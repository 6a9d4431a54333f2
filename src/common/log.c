/* log.c -- stderr logging. One fprintf per line so threads do not interleave inside a line. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int log_verbosity = LOG_LEVEL_INFO;
static const char *log_ident = "dnsleak";

void
log_init(const char *ident, int verbosity)
{
	log_ident = ident;
	log_verbosity = verbosity;
}

static void
vlog(const char *prefix, int saved_errno, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (saved_errno != 0)
		fprintf(stderr, "%s: %s%s: %s\n", log_ident, prefix, msg, strerror(saved_errno));
	else
		fprintf(stderr, "%s: %s%s\n", log_ident, prefix, msg);
}

void
log_warn(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("", e, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	vlog("", 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	vlog("debug: ", 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal: ", e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal: ", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
