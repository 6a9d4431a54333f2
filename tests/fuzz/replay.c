/* replay.c -- run a fuzz target over corpus files without libFuzzer (Knot tests-fuzz/main.c).
 *
 * Arguments are files or directories (walked recursively in name order, dot files skipped).
 * Each file is read into a buffer of exactly its size, so ASan catches a read past the end,
 * and passed to LLVMFuzzerTestOneInput(). Output is TAP: "ok N - path" per file. A crash is
 * the sanitizer's report; the "# path" line on stderr just before it names the input.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int tests_run;
static int tests_failed;

static void
report(bool ok, const char *path, const char *why)
{
	tests_run++;
	if (ok) {
		printf("ok %d - %s\n", tests_run, path);
	} else {
		tests_failed++;
		printf("not ok %d - %s # %s\n", tests_run, path, why);
	}
	fflush(stdout);
}

static void
run_file(const char *path, size_t size)
{
	uint8_t *buf = malloc(size > 0 ? size : 1);
	FILE *f = NULL;

	if (buf == NULL) {
		report(false, path, "out of memory");
		goto out;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		report(false, path, strerror(errno));
		goto out;
	}
	if (size > 0 && fread(buf, 1, size, f) != size) {
		report(false, path, "short read");
		goto out;
	}
	fprintf(stderr, "# %s\n", path);
	LLVMFuzzerTestOneInput(buf, size);
	report(true, path, NULL);
out:
	if (f != NULL)
		fclose(f);
	free(buf);
}

static int
not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void
run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		report(false, path, strerror(errno));
		return;
	}
	if (S_ISREG(st.st_mode)) {
		run_file(path, (size_t)st.st_size);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		return;
	struct dirent **names = NULL;
	int n = scandir(path, &names, not_hidden, alphasort);
	if (n < 0) {
		report(false, path, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		size_t len = strlen(path) + 1 + strlen(names[i]->d_name) + 1;
		char *child = malloc(len);
		if (child == NULL) {
			report(false, path, "out of memory");
		} else {
			snprintf(child, len, "%s/%s", path, names[i]->d_name);
			run_path(child);
		}
		free(child);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char *argv[])
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s file-or-directory ...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		run_path(argv[i]);
	printf("1..%d\n", tests_run);
	return tests_failed == 0 ? 0 : 1;
}
