/* fuzz_stun.c -- libFuzzer target: the STUN request parser and answer builder on raw bytes.
 *
 * Each input is one datagram. It is answered as if from an IPv4, an IPv6 and an IPv4-mapped
 * source, and with a small output buffer whose size comes from the input. Every answer must
 * parse as a valid Binding response with the request's transaction id; a success must be the
 * minimal one and carry the source; an error must be a 420 no larger than the request (the size
 * rule); no answer is ever written past the buffer. The input is also fed to the response
 * parser. A violation is an abort().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stunwire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static struct dl_endpoint
endpoint(const char *text, uint16_t port)
{
	struct dl_endpoint e = { .port = port };

	check(addr_parse(text, &e.addr) == DL_E_OK);
	return e;
}

static void
check_answer(const uint8_t *data, size_t size, const struct dl_endpoint *peer,
	     const struct dl_endpoint *seen_as, size_t cap)
{
	uint8_t out[STUN_ANSWER_MAX + 16];
	struct stun_request rq;
	struct stun_response r;
	enum stun_status st;

	memset(out, 0xA5, sizeof(out));
	size_t n = stun_answer(data, size, peer, out, cap, &st);
	enum stun_status parsed = stun_parse_request(data, size, &rq);
	check(n <= cap);
	for (size_t i = cap; i < sizeof(out); i++)
		check(out[i] == 0xA5);
	check(st != STUN_DROP_RATE && (unsigned)st < STUN_STATUS_COUNT);
	if (n == 0) {
		check(st != STUN_ANSWER_SUCCESS && st != STUN_ANSWER_UNKNOWN_ATTR);
		check(st == parsed ||
		      (st == STUN_DROP_SIZE &&
		       (parsed == STUN_ANSWER_SUCCESS || parsed == STUN_ANSWER_UNKNOWN_ATTR)));
		/* Only a small buffer may silence a good request. */
		check(parsed != STUN_ANSWER_SUCCESS || cap < STUN_ANSWER_MAX);
		return;
	}
	check(st == parsed);
	check(stun_parse_response(out, n, &r) == DL_E_OK);
	check(memcmp(r.txid, data + 8, STUN_TXID_LEN) == 0);
	check(r.has_fingerprint == rq.has_fingerprint);
	if (st == STUN_ANSWER_SUCCESS) {
		size_t minimal =
		    20 + 4 + (seen_as->addr.family == 4 ? 8 : 20) + (rq.has_fingerprint ? 8 : 0);
		check(n == minimal && r.type == STUN_BINDING_SUCCESS && r.has_mapped);
		check(r.mapped.port == seen_as->port && addr_equal(&r.mapped.addr, &seen_as->addr));
	} else {
		check(n <= size); /* the size rule: errors never amplify */
		check(r.type == STUN_BINDING_ERROR && r.error_code == 420);
		check(r.n_unknown >= 1 && r.n_unknown <= rq.n_unknown);
		for (size_t i = 0; i < r.n_unknown; i++)
			check(r.unknown[i] == rq.unknown[i] && rq.unknown[i] < 0x8000);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dl_endpoint v4 = endpoint("192.0.2.1", 54321);
	struct dl_endpoint v6 = endpoint("2001:db8::1", 3478);
	struct dl_endpoint mapped = endpoint("::ffff:192.0.2.1", 54321);
	struct stun_response r;

	check_answer(data, size, &v4, &v4, STUN_ANSWER_MAX);
	check_answer(data, size, &v6, &v6, STUN_ANSWER_MAX);
	check_answer(data, size, &mapped, &v4, STUN_ANSWER_MAX);
	check_answer(data, size, &v6, &v6, size > 0 ? data[size - 1] % STUN_ANSWER_MAX : 0);
	if (stun_parse_response(data, size, &r) == DL_E_OK)
		check(r.type == STUN_BINDING_SUCCESS ? r.has_mapped : r.error_code != 0);
	return 0;
}
