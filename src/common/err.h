/* err.h -- error codes shared by daemon and CLI.
 *
 * Project codes start at -1000 so they never collide with the -errno values that syscall
 * wrappers return: one `if (rc < 0)` handles both and dl_strerror() prints either.
 */
#ifndef DL_ERR_H
#define DL_ERR_H

#define DL_ERRORS(X)                                               \
	X(OK, 0, "success")                                        \
	X(NOMEM, -1000, "out of memory")                           \
	X(TRUNC, -1001, "message truncated")                       \
	X(BADPTR, -1002, "compression pointer not allowed here")   \
	X(TOOLONG, -1003, "name or field too long")                \
	X(FORMAT, -1004, "malformed message")                      \
	X(QDCOUNT, -1005, "query must carry exactly one question") \
	X(BADOPT, -1006, "malformed EDNS OPT record")              \
	X(BADECS, -1007, "malformed EDNS client subnet option")    \
	X(TRAILING, -1008, "trailing bytes after the message")     \
	X(CONFIG, -1009, "bad configuration")                      \
	X(BADID, -1010, "malformed test id")                       \
	X(FULL, -1011, "limit reached")

enum dl_err {
#define X(name, val, msg) DL_E_##name = (val),
	DL_ERRORS(X)
#undef X
};

#define DL_MUSTCHECK __attribute__((warn_unused_result))

/* Our message for codes <= -1000, strerror(-e) for a negative errno. Never NULL. */
const char *dl_strerror(int e);

#endif
