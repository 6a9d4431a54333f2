/* mkqueries.c -- a dnsperf data file of unique, validly signed probe names for the benchmark.
 *
 * usage: mkqueries -k SECRET_FILE [-t TESTS] [-n NAMES_PER_TEST] [-z ZONE] [-o FILE] [-a FILE]
 *
 * Makes TESTS test ids (created now, MAC'd with the id key derived from the secret, exactly as
 * dnsleakd does) and writes TESTS x NAMES_PER_TEST lines `<nonce>-<id>.ZONE A|AAAA`. Every name
 * is unique (no cache could answer it); the nonce is the line's index within its test in hex, and
 * the query type alternates A / AAAA. Lines go round-robin over the tests, so the store sees
 * every test grow at once, as it would with many concurrent users. Keep NAMES_PER_TEST at or
 * below dnsleakd's max_observations_per_test (1000 by default) so that every query can be stored.
 * The secret file is created (as dnsleakd would) when it does not exist. -a writes `<id> <token>'
 * per test, the read token of GET /api/v1/tests/<id>, so the run can check what was stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "secret.h"
#include "testid.h"

static void
usage(void)
{
	fprintf(stderr, "usage: mkqueries -k SECRET_FILE [-t TESTS] [-n NAMES_PER_TEST] "
			"[-z ZONE] [-o FILE] [-a FILE]\n");
	exit(2);
}

static unsigned long
number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || v > max)
		usage();
	return v;
}

int
main(int argc, char *argv[])
{
	const char *secret_path = NULL, *zone = "leak.test", *out_path = NULL;
	const char *auth_path = NULL;
	FILE *auth = NULL;
	unsigned long tests = 2000, per_test = 500;
	struct keys keys;
	char err[256];
	int ch, rc = 1;

	while ((ch = getopt(argc, argv, "k:t:n:z:o:a:")) != -1) {
		switch (ch) {
		case 'k':
			secret_path = optarg;
			break;
		case 't':
			tests = number(optarg, 1000000);
			break;
		case 'n':
			per_test = number(optarg, 100000);
			break;
		case 'z':
			zone = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'a':
			auth_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (secret_path == NULL || optind != argc)
		usage();
	if (secret_load(secret_path, &keys, err, sizeof(err)) < 0) {
		fprintf(stderr, "mkqueries: %s\n", err);
		return 1;
	}

	char(*ids)[TESTID_TEXT_LEN + 1] = calloc(tests, sizeof(*ids));
	uint8_t(*rnd)[TESTID_RANDOM_LEN] = calloc(tests, sizeof(*rnd));
	FILE *f = out_path != NULL ? fopen(out_path, "w") : stdout;
	if (ids == NULL || rnd == NULL || f == NULL) {
		fprintf(stderr, "mkqueries: %s: %s\n", out_path != NULL ? out_path : "memory",
			strerror(errno));
		goto out;
	}
	size_t need = tests * sizeof(*rnd), got = 0;
	while (got < need) {
		ssize_t r = getrandom((uint8_t *)rnd + got, need - got, 0);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "mkqueries: getrandom: %s\n", strerror(errno));
			goto out;
		}
		got += r > 0 ? (size_t)r : 0;
	}
	if (auth_path != NULL && (auth = fopen(auth_path, "w")) == NULL) {
		fprintf(stderr, "mkqueries: %s: %s\n", auth_path, strerror(errno));
		goto out;
	}
	uint32_t now = (uint32_t)time(NULL);
	for (unsigned long i = 0; i < tests; i++) {
		uint8_t id[TESTID_LEN];
		char token[TOKEN_TEXT_LEN + 1];
		testid_make(keys.id_key, now, rnd[i], id);
		testid_to_text(id, ids[i]);
		if (auth != NULL) {
			testid_token(keys.token_key, id, token);
			fprintf(auth, "%s %s\n", ids[i], token);
		}
	}
	if (auth != NULL && fclose(auth) != 0) {
		auth = NULL;
		fprintf(stderr, "mkqueries: %s: %s\n", auth_path, strerror(errno));
		goto out;
	}
	auth = NULL;
	/* Round-robin over the tests; the random part makes the ids, hence the names, distinct. */
	for (unsigned long n = 0; n < per_test; n++)
		for (unsigned long i = 0; i < tests; i++)
			fprintf(f, "%lx-%s.%s %s\n", n, ids[i], zone, (n + i) % 2 ? "AAAA" : "A");
	if (fflush(f) != 0 || ferror(f)) {
		fprintf(stderr, "mkqueries: write: %s\n", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (auth != NULL)
		fclose(auth);
	if (f != NULL && f != stdout)
		fclose(f);
	free(ids);
	free(rnd);
	return rc;
}
