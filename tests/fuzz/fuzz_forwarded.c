/* fuzz_forwarded.c -- X-Forwarded-For from a trusted proxy: any bytes, never a crash; the client
 * is the peer when the answer is false, and never a trusted proxy unless every hop was one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forwarded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trust_entry proxies[2];
	static bool ready;
	struct dl_addr peer, client;
	char *xff = malloc(size + 1);

	if (xff == NULL)
		return 0;
	if (!ready) {
		if (trust_parse("192.0.2.0/24", &proxies[0]) != DL_E_OK ||
		    trust_parse("2001:db8::/32", &proxies[1]) != DL_E_OK)
			__builtin_trap();
		ready = true;
	}
	memcpy(xff, data, size);
	xff[size] = '\0';
	if (addr_parse("192.0.2.1", &peer) != DL_E_OK)
		__builtin_trap();
	if (!forwarded_client(&peer, xff, proxies, 2, &client) && !addr_equal(&client, &peer))
		__builtin_trap();
	if (client.family != 4 && client.family != 6)
		__builtin_trap();
	free(xff);
	return 0;
}
