/* resolve.h -- the probe names through the system resolver, all at once, by a deadline.
 *
 * glibc's getaddrinfo_a with AF_UNSPEC asks for A and AAAA exactly as any program here would, so
 * the names take the path of this machine's other lookups (nsswitch, resolv.conf, a local stub,
 * a VPN's DNS). At the deadline what is left is cancelled; a request glibc cannot cancel goes on
 * in glibc's thread and uses our request records until it ends, so they are static and
 * resolve_probes() runs once per process.
 */
#ifndef DL_RESOLVE_H
#define DL_RESOLVE_H

#include <stddef.h>

#include "err.h"
#include "probe.h"

struct resolve_stats {
	size_t sent;      /* names asked for */
	size_t resolved;  /* answered with at least one address */
	size_t failed;    /* answered with an error (NXDOMAIN, SERVFAIL, no address...) */
	size_t timed_out; /* no answer by the deadline */
	int first_error;  /* the EAI_* code of the first failure; 0 when none failed */
};

/* Called about every 100 ms and at the end with the names finished so far. */
typedef void resolve_progress_fn(size_t done, size_t total, void *arg);

/*
 * Resolve p[0..n) (n <= PROBE_NAMES_MAX) within timeout_ms and count the outcomes in *out.
 * progress may be NULL. Returns 0, or the EAI_* code (gai_strerror) getaddrinfo_a refused the
 * batch with; EAI_SYSTEM with errno EBUSY on a second call, EINVAL for a bad n.
 */
DL_MUSTCHECK int resolve_probes(const struct probe *p, size_t n, unsigned timeout_ms,
				resolve_progress_fn *progress, void *arg,
				struct resolve_stats *out);

#endif
