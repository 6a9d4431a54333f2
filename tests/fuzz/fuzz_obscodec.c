/* fuzz_obscodec.c -- libFuzzer target: one value read back from Redis (obscodec.h).
 *
 * The input is the stored value, exactly its bytes. A refused value leaves the output
 * untouched. An accepted one is canonical: it packs back to exactly the input (so the decoder
 * ignores no byte), its nonce is a C string within ZONE_NONCE_MAX, and every ranged field is
 * in its range. A violation is an abort().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "obscodec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct observation o, before;
	uint8_t again[OBSCODEC_LEN];

	memset(&o, 0xa5, sizeof(o));
	before = o;
	if (obscodec_decode(data, size, &o) != DL_E_OK) {
		check(memcmp(&o, &before, sizeof(o)) == 0);
		return 0;
	}
	check(size == OBSCODEC_LEN);
	check(memchr(o.nonce, '\0', sizeof(o.nonce)) != NULL);
	check(o.name >= OBS_PROBE && o.name <= OBS_CAND_RELAY);
	check(o.transport >= OBS_UDP && o.transport <= OBS_WEBRTC);
	check(o.family == 0 || o.family == 4 || o.family == 6);
	check(o.ecs_source_prefix <= (o.ecs_family == 6 ? 128 : o.ecs_family == 4 ? 32 : 0));
	obscodec_encode(&o, again);
	check(memcmp(again, data, OBSCODEC_LEN) == 0);
	return 0;
}
