/* resolve.c -- getaddrinfo_a over the probe names, polled until the deadline, then gai_cancel.
 *
 * We poll gai_error() every POLL_MS instead of sleeping in gai_suspend(): glibc (2.36) sets a
 * request's result before it takes its lock to wake the waiters, so a gai_suspend() that times
 * out in that window returns without unlinking its on-stack wait record, and the worker thread
 * then follows a dangling pointer (seen as a crash in __gai_notify under load).
 */
#include "resolve.h"

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#define PROGRESS_MS 100
#define POLL_MS 10

/* Static: see resolve.h. Only the first call of a process touches them. */
static char names[PROBE_NAMES_MAX][PROBE_NAME_MAX];
static struct addrinfo hints;
static struct gaicb cbs[PROBE_NAMES_MAX];
static struct gaicb *batch[PROBE_NAMES_MAX];
static bool used;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long long ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Count a finished request (rc from gai_error) once; false when it is still running. */
static bool
account(int rc, struct resolve_stats *out)
{
	if (rc == EAI_INPROGRESS)
		return false;
	if (rc == 0) {
		out->resolved++;
	} else {
		out->failed++;
		if (out->first_error == 0)
			out->first_error = rc;
	}
	return true;
}

int
resolve_probes(const struct probe *p, size_t n, unsigned timeout_ms, resolve_progress_fn *progress,
	       void *arg, struct resolve_stats *out)
{
	bool done[PROBE_NAMES_MAX];
	size_t n_done = 0;
	long long deadline, next_progress = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (used) {
		errno = EBUSY;
		return EAI_SYSTEM;
	}
	if (n == 0 || n > PROBE_NAMES_MAX) {
		errno = EINVAL;
		return EAI_SYSTEM;
	}
	used = true;
	hints.ai_family = AF_UNSPEC;     /* A and AAAA, like a browser */
	hints.ai_socktype = SOCK_STREAM; /* one result per address, not one per socket type */
	for (size_t i = 0; i < n; i++) {
		memcpy(names[i], p[i].name, sizeof(names[i]));
		names[i][PROBE_NAME_MAX - 1] = '\0';
		cbs[i] = (struct gaicb){ .ar_name = names[i], .ar_request = &hints };
		batch[i] = &cbs[i];
		done[i] = false;
	}
	deadline = now_ms() + timeout_ms;
	rc = getaddrinfo_a(GAI_NOWAIT, batch, (int)n, NULL);
	if (rc != 0)
		return rc; /* some may run on: the records are static */
	out->sent = n;

	for (;;) {
		long long now = now_ms();

		for (size_t i = 0; i < n; i++) {
			if (!done[i] && account(gai_error(&cbs[i]), out)) {
				done[i] = true;
				n_done++;
			}
		}
		if (progress != NULL && (n_done == n || now >= next_progress)) {
			progress(n_done, n, arg);
			next_progress = now + PROGRESS_MS;
		}
		if (n_done == n || now >= deadline)
			break;
		sleep_ms(deadline - now < POLL_MS ? deadline - now : POLL_MS);
	}

	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		rc = gai_cancel(&cbs[i]);
		/* It may have finished between the last look and the cancel: then it counts. */
		if (rc == EAI_ALLDONE && account(gai_error(&cbs[i]), out)) {
			done[i] = true;
			continue;
		}
		out->timed_out++;
	}
	for (size_t i = 0; i < n; i++) {
		if (done[i] && cbs[i].ar_result != NULL) {
			freeaddrinfo(cbs[i].ar_result);
			cbs[i].ar_result = NULL;
		}
	}
	return 0;
}
