/* privdrop.c -- drop root for a named user (NSD/unwind order: bind first, then drop). */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
privdrop(const char *user, char *err, size_t err_len)
{
	struct passwd *pw = getpwnam(user);

	if (pw == NULL) {
		snprintf(err, err_len, "user `%s' not found", user);
		return DL_E_CONFIG;
	}
	/* glibc applies set*id to every thread of the process (nptl setxid broadcast). */
	if (setgroups(1, &pw->pw_gid) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		snprintf(err, err_len, "cannot become `%s': %s", user, strerror(errno));
		return -errno;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, err_len, "could regain root after dropping to `%s'", user);
		return DL_E_CONFIG;
	}
	return DL_E_OK;
}
