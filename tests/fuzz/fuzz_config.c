/* fuzz_config.c -- the config parser over arbitrary files: every line, then finish and print. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c; /* large: keep it off the fuzzer's stack */
	char err[CONFIG_ERR_MAX];
	char line[CONFIG_LINE_MAX + 16];
	size_t start = 0;

	config_init(&c);
	while (start < size) {
		size_t end = start;
		while (end < size && data[end] != '\n')
			end++;
		size_t n = end - start;
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, data + start, n);
		line[n] = '\0'; /* an embedded NUL ends the line early, as fgets would see it */
		if (config_line(&c, line, err, sizeof(err)) != DL_E_OK && strlen(err) == 0)
			__builtin_trap(); /* every failure must say why */
		start = end + 1;
	}
	if (config_finish(&c, err, sizeof(err)) == DL_E_OK) {
		FILE *f = fopen("/dev/null", "w");
		if (f != NULL) {
			config_print(&c, f);
			fclose(f);
		}
	}
	return 0;
}
