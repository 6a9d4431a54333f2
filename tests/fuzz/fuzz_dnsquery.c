/* fuzz_dnsquery.c -- libFuzzer target: the query parser and the zone logic on raw bytes.
 *
 * The input is one DNS query. It goes through dnswire_parse_query() and then answer_query()
 * three times: over UDP with the full buffer, over TCP, and over UDP with a small buffer that
 * forces truncation. The lowest bits of the query id pick the families (so the ns4/ns6
 * referral paths are reached) and the small buffer's size. Invariants are checked cheaply and
 * abort() on a violation.
 *
 * The zone and clock match tests/fuzz/corpus/dnsquery/: key 10..1f, now 1700000000 s, so the
 * seed probes carry ids whose MAC verifies and the observation path is covered.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"

#define FUZZ_NOW_US (1700000000ull * 1000000u)
#define SMALL_BUF 600

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct zone zone;
static uint8_t *udp_buf;   /* exactly DNS_UDP_MAX: ASan sees a write past the cap */
static uint8_t *tcp_buf;   /* exactly DNS_TCP_MAX */
static uint8_t *small_buf; /* SMALL_BUF, the tail past the cap checked by hand */

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
set_addr(struct dl_addr *a, const char *text)
{
	check(addr_parse(text, a) == DL_E_OK);
}

static void
setup(void)
{
	static const uint8_t key[TESTID_KEY_LEN] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	                                            0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

	check(dnswire_name_from_text("leak.test", zone.apex, &zone.apex_len) == DL_E_OK);
	zone.n_ns = 2;
	memcpy(zone.ns[0].label, "\3ns1", 4);
	memcpy(zone.ns[1].label, "\3ns2", 4);
	set_addr(&zone.ns[0].v4[0], "192.0.2.53");
	set_addr(&zone.ns[0].v6[0], "2001:db8::53");
	zone.ns[0].n_v4 = zone.ns[0].n_v6 = 1;
	set_addr(&zone.ns[1].v4[0], "198.51.100.53");
	set_addr(&zone.ns[1].v4[1], "198.51.100.54");
	zone.ns[1].n_v4 = 2;
	set_addr(&zone.web_v4[0], "192.0.2.80");
	set_addr(&zone.web_v6[0], "2001:db8::80");
	set_addr(&zone.web_v6[1], "2001:db8::81");
	zone.n_web_v4 = 1;
	zone.n_web_v6 = 2;
	zone.serial = 2024010101u;
	zone.test_ttl_s = 600;
	zone.node_id = 1;
	memcpy(zone.id_key, key, sizeof(key));
	udp_buf = malloc(DNS_UDP_MAX);
	tcp_buf = malloc(DNS_TCP_MAX);
	small_buf = malloc(SMALL_BUF);
	check(udp_buf != NULL && tcp_buf != NULL && small_buf != NULL);
}

/* What holds for every response, whatever the query. */
static void
check_response(const uint8_t *q, size_t qlen, const struct dns_query *pq, enum dl_err rc,
               const uint8_t *resp, size_t cap, size_t limit, const struct answer_out *out)
{
	size_t len = out->resp_len;

	check(len <= cap && len <= limit);
	if (qlen < DNS_HEADER_LEN || (q[2] & 0x80)) {
		check(len == 0 && !out->observed);
		return;
	}
	check(!out->observed || (rc == DL_E_OK && !out->bad_mac && !out->expired));
	/*
	 * Silence is only for runts and answers: when the smallest reply (header, the question
	 * when it parsed, our OPT when the query had one) fits in the buffer, there is a reply.
	 */
	size_t need = pq->question_end ? pq->question_end : DNS_HEADER_LEN;
	if (rc == DL_E_OK && pq->has_edns)
		need += 11 + (pq->has_ecs ? 8 + (pq->ecs.source_prefix + 7u) / 8u : 0);
	check(len > 0 || cap < need);
	if (len == 0)
		return;
	struct dns_header h;
	check(dnswire_parse_header(resp, len, &h) == DL_E_OK);
	check(h.id == (uint16_t)(q[0] << 8 | q[1]));
	check((h.flags & DNS_FLAG_QR) != 0);
	check(h.qdcount <= 1);
	check(((h.flags & DNS_FLAG_TC) != 0) == out->truncated);
	if (h.flags & DNS_FLAG_TC)
		check(h.ancount == 0 && h.nscount == 0 && h.arcount <= 1);
	/* A good query always gets its question back, byte for byte. */
	if (rc == DL_E_OK) {
		check(h.qdcount == 1 && len >= pq->question_end);
		check(memcmp(resp + DNS_HEADER_LEN, pq->qname, pq->qname_len) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct dns_query q;
	struct answer_out out;
	struct answer_in in;

	if (!ready) {
		setup();
		ready = true;
	}

	enum dl_err rc = dnswire_parse_query(data, size, &q);
	if (rc == DL_E_OK) {
		char text[DNS_NAME_TEXT_MAX];
		int n = dnswire_name_to_text(q.qname, q.qname_len, text, sizeof(text));
		check(n > 0 && (size_t)n == strlen(text));
		check(q.question_end <= size && q.qname_len <= DNS_NAME_MAX);
	}

	uint8_t sel = size > 1 ? data[1] : 0;
	memset(&in, 0, sizeof(in));
	in.query = data;
	in.query_len = size;
	set_addr(&in.peer, (sel & 2) ? "2001:db8::1" : "192.0.2.1");
	in.peer_port = 5353;
	in.local_family = (sel & 1) ? 6 : 4;
	in.now_us = FUZZ_NOW_US;

	/* UDP: 512 without EDNS, at most what we advertise with it. */
	size_t udp_limit = rc == DL_E_OK && q.has_edns ? DNS_UDP_MAX : DNS_UDP_MIN;
	if (rc != DL_E_OK)
		udp_limit = DNS_UDP_MAX; /* FORMERR echoes at most a question: checked by cap */
	answer_query(&zone, &in, udp_buf, DNS_UDP_MAX, &out);
	check_response(data, size, &q, rc, udp_buf, DNS_UDP_MAX, udp_limit, &out);

	in.is_tcp = true;
	answer_query(&zone, &in, tcp_buf, DNS_TCP_MAX, &out);
	check_response(data, size, &q, rc, tcp_buf, DNS_TCP_MAX, DNS_TCP_MAX, &out);

	/* A small buffer: TC or silence, never a write past the cap. */
	size_t cap = DNS_HEADER_LEN + (sel >> 2) * 2u;
	memset(small_buf, 0xA5, SMALL_BUF);
	in.is_tcp = false;
	answer_query(&zone, &in, small_buf, cap, &out);
	check_response(data, size, &q, rc, small_buf, cap, cap, &out);
	for (size_t i = cap; i < SMALL_BUF; i++)
		check(small_buf[i] == 0xA5);
	return 0;
}
