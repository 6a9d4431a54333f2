/* privdrop.h -- give up root after binding: the daemon never needs it again. */
#ifndef DL_PRIVDROP_H
#define DL_PRIVDROP_H

#include <stddef.h>

#include "err.h"

/*
 * Switch every thread to user's uid, gid and groups (setgroups + setresgid + setresuid), then
 * check that root cannot be regained. On failure err says why; the caller must exit.
 */
DL_MUSTCHECK int privdrop(const char *user, char *err, size_t err_len);

#endif
