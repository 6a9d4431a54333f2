/* err.c -- the message table behind dl_strerror(). */
#include "err.h"

#include <string.h>

const char *
dl_strerror(int e)
{
	switch (e) {
#define X(name, val, msg) \
	case DL_E_##name: \
		return msg;
		DL_ERRORS(X)
#undef X
	}
	if (e < 0 && e > -1000)
		return strerror(-e);
	return "unknown error";
}
