/* fuzz_capture.c -- libFuzzer target: cap_decode() on arbitrary frames, TCP state kept.
 *
 * Input: one byte choosing the link type (low 3 bits: EN10MB, LINUX_SLL, LINUX_SLL2, RAW,
 * IPV4, IPV6, NULL, LOOP) and --mdns (bit 7), then frames, each a big-endian 16-bit length
 * and that many bytes (the last one takes what is left). Several frames in one input let the
 * fuzzer build TCP conversations; the flow table lives across inputs, as it lives across
 * frames in dnsleak watch, so eviction and stale flows are reached too. Each frame is copied
 * to a buffer of exactly its size (ASan sees a read past it), decoded with the table and
 * without, and every event must hold: a known kind, a NUL-terminated printable name ending in
 * '.' for queries, nothing for CAP_NONE and CAP_DOT, the ports that kind implies.
 *
 * The seeds in tests/fuzz/corpus/capture/ are the frames of the captures in tests/pcap/, written by
 * tests/pcap/make-pcaps.sh.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[8] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP,
};

static struct cap_flows *flows; /* for the whole run, like dnsleak watch's */
static uint64_t now_ms;

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
check_event(const struct cap_event *e, bool want_mdns)
{
	size_t n = strnlen(e->qname, sizeof(e->qname));

	check(n < sizeof(e->qname));
	switch (e->kind) {
	case CAP_NONE:
		check(n == 0 && e->qtype == 0);
		return;
	case CAP_DOT:
		check(n == 0 && e->is_tcp && e->dst.port == 853);
		break;
	case CAP_MALFORMED:
		check(n == 0);
		break;
	case CAP_DNS:
		check(e->dst.port == 53);
		break;
	case CAP_MDNS:
		check(want_mdns && !e->is_tcp && e->dst.port == 5353);
		break;
	case CAP_LLMNR:
		check(want_mdns && !e->is_tcp && e->dst.port == 5355);
		break;
	default:
		check(false);
	}
	check(e->src.addr.family == 4 || e->src.addr.family == 6);
	check(e->dst.addr.family == e->src.addr.family);
	if (e->kind == CAP_DNS || e->kind == CAP_MDNS || e->kind == CAP_LLMNR) {
		/* Presentation form: printable ASCII, escaped, ending with the root's dot. */
		check(n > 0 && e->qname[n - 1] == '.');
		for (size_t i = 0; i < n; i++)
			check(e->qname[i] > 0x20 && e->qname[i] < 0x7f);
	}
}

static void
decode_frame(int dlt, const uint8_t *frame, size_t len, bool want_mdns)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	struct cap_event e;

	check(copy != NULL);
	if (len > 0)
		memcpy(copy, frame, len);
	cap_decode(dlt, copy, len, now_ms++, want_mdns, flows, &e);
	check_event(&e, want_mdns);
	/* A segment holds at most 65535 bytes, so a few thousand messages at the very most. */
	for (size_t i = 0; cap_flows_next(flows, &e); i++) {
		check(i < 65536 && (e.kind == CAP_DNS || e.kind == CAP_MALFORMED));
		check_event(&e, want_mdns);
	}
	check_event(&e, want_mdns); /* cleared at the end */
	cap_decode(dlt, copy, len, now_ms, want_mdns, NULL, &e);
	check_event(&e, want_mdns);
	check(!cap_flows_next(NULL, &e));
	check(cap_flows_count(flows) <= CAP_FLOWS_MAX);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (flows == NULL) {
		flows = cap_flows_new();
		check(flows != NULL);
	}
	int dlt = dlts[data[0] & 7];
	bool want_mdns = (data[0] & 0x80) != 0;
	size_t pos = 1;

	/* The whole input as one frame first: mutations of the framing still reach the decoder. */
	decode_frame(dlt, data + 1, size - 1, want_mdns);
	while (pos + 2 <= size) {
		size_t len = (size_t)data[pos] << 8 | data[pos + 1];
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		decode_frame(dlt, data + pos, len, want_mdns);
		pos += len;
	}
	return 0;
}
