/* test_capture_tcp.c -- TCP in the frame decoder of dnsleak watch: DNS over TCP reassembled
 * segment by segment through one flow table: whole, split in 2 and 3, out of order,
 * retransmitted, pipelined, larger than the window, cut by the snap length, more flows than the
 * table holds; and DoT connections seen by their SYN. Frames: capture_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture.h"
#include "dnswire.h"

#include "capture_fixture.h"
#include "expect.h"

/* ---- TCP ------------------------------------------------------------------------------- */

static void
test_tcp_whole(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct pktbuf m = simple_query("tcp.example", DNS_TYPE_A);
	struct pktbuf fr = framed(&m);
	struct events ev;
	struct cap_event e;
	struct pktbuf f;

	(void)state;
	assert_non_null(fl);
	/* The handshake: SYN opens the flow, SYN-ACK and pure ACKs say nothing. */
	f = tcp_frame(4, 41000, 53, 999, SYN, NULL, 0);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 0 && cap_flows_count(fl) == 1, "SYN: a flow, no event");
	f = tcp_frame(4, 53, 41000, 5000, SYN | ACK, NULL, 0);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 0 && cap_flows_count(fl) == 1, "SYN-ACK: nothing");
	f = tcp_frame(4, 41000, 53, 1000, PSH | ACK, fr.b, fr.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && is_query(&ev.e[0], CAP_DNS, "tcp.example.", DNS_TYPE_A) &&
		       ev.e[0].is_tcp && ev.e[0].src.port == 41000 && ev.e[0].dst.port == 53,
	       "one segment: one query (%zu)", ev.n);
	/* A retransmission of it is not a second query. */
	feed(fl, &f, &ev);
	EXPECT(ev.n == 0, "retransmission ignored (%zu)", ev.n);
	/* The answer comes from 53: ignored. */
	struct pktbuf ans = query(0x4242, DNS_FLAG_QR, 1, "tcp.example", DNS_TYPE_A);
	struct pktbuf ansf = framed(&ans);
	f = tcp_frame(4, 53, 41000, 5001, PSH | ACK, ansf.b, ansf.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 0, "answer ignored");
	/* A second query on the same connection, with FIN. */
	struct pktbuf m2 = simple_query("again.example", DNS_TYPE_AAAA);
	struct pktbuf fr2 = framed(&m2);
	f = tcp_frame(4, 41000, 53, 1000 + (uint32_t)fr.n, PSH | ACK | FIN, fr2.b, fr2.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && is_query(&ev.e[0], CAP_DNS, "again.example.", DNS_TYPE_AAAA),
	       "second query on the connection");
	/* RST forgets the flow. */
	f = tcp_frame(4, 41000, 53, 2000, RST, NULL, 0);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 0 && cap_flows_count(fl) == 0, "RST ends the flow");

	/* Without a SYN seen (the watch started mid-connection), a segment starts the flow. */
	f = tcp_frame(6, 41001, 53, 77, PSH | ACK, fr.b, fr.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && ev.e[0].src.addr.family == 6, "IPv6, no SYN seen");

	/* TCP Fast Open: the query rides on the SYN. */
	f = tcp_frame(4, 41002, 53, 5, SYN, fr.b, fr.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && is_query(&ev.e[0], CAP_DNS, "tcp.example.", DNS_TYPE_A),
	       "data on the SYN");

	/* No flow table: a whole query in a segment is still seen. */
	f = tcp_frame(4, 41003, 53, 5, PSH | ACK, fr.b, fr.n);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS, "no flows: whole query");
	EXPECT(!cap_flows_next(NULL, &e) && e.kind == CAP_NONE, "no flows: nothing next");

	/* A malformed message: a length of 5. */
	struct pktbuf junk = { .n = 0 };
	pbytes(&junk, "\x00\x05" "abcde", 7);
	f = tcp_frame(4, 41004, 53, 5, PSH | ACK, junk.b, junk.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && ev.e[0].kind == CAP_MALFORMED && ev.e[0].qname[0] == '\0',
	       "TCP: 5-byte message is malformed");
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_MALFORMED, "no flows: malformed");
	/* A bad question says so before the rest of the message arrives. */
	struct pktbuf badq = { .n = 0 };
	pbytes(&badq, "\x01\x00\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c", 16);
	f = tcp_frame(4, 41005, 53, 5, PSH | ACK, badq.b, badq.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && ev.e[0].kind == CAP_MALFORMED, "compressed question, early");
	/* A TCP header with a data offset below 5 words, or past the packet. */
	f = tcp_frame(4, 41006, 53, 5, PSH | ACK, fr.b, fr.n);
	f.b[14 + 20 + 12] = 0x40;
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_NONE, "data offset 4");
	f.b[14 + 20 + 12] = 0xf0;
	f.n = 14 + 20 + 40;
	f.b[14 + 3] = 20 + 40;
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_NONE, "data offset past the packet");
	cap_flows_free(fl);
	cap_flows_free(NULL);
	EXPECT_NONE();
}

/* Send fr[] over one connection cut at the given offsets, segments in the order given. */
static size_t
send_split(struct cap_flows *fl, uint16_t sport, uint32_t isn, const struct pktbuf *fr,
	   const size_t *cuts, size_t n_cuts, const size_t *order, struct events *all)
{
	size_t bounds[10];
	struct events ev;

	assert_true(n_cuts + 2 <= 10);
	bounds[0] = 0;
	for (size_t i = 0; i < n_cuts; i++)
		bounds[i + 1] = cuts[i];
	bounds[n_cuts + 1] = fr->n;
	all->n = 0;
	for (size_t k = 0; k < n_cuts + 1; k++) {
		size_t i = order != NULL ? order[k] : k;
		struct pktbuf f = tcp_frame(4, sport, 53, isn + (uint32_t)bounds[i], PSH | ACK,
					 fr->b + bounds[i], bounds[i + 1] - bounds[i]);
		feed(fl, &f, &ev);
		for (size_t j = 0; j < ev.n; j++)
			all->e[all->n++] = ev.e[j];
	}
	return all->n;
}

static void
test_tcp_split(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct pktbuf m = simple_query("split.example", DNS_TYPE_MX);
	struct pktbuf fr = framed(&m);
	struct events all;
	struct cap_event e;

	(void)state;
	assert_non_null(fl);
	/* Split in two at every possible place, SYN seen or not. */
	for (size_t cut = 1; cut < fr.n; cut++) {
		uint16_t port = (uint16_t)(42000 + cut);
		struct pktbuf syn = tcp_frame(4, port, 53, 99, SYN, NULL, 0);
		struct events ev;
		if (cut % 2 == 0)
			feed(fl, &syn, &ev);
		send_split(fl, port, 100, &fr, &cut, 1, NULL, &all);
		EXPECT(all.n == 1 && is_query(&all.e[0], CAP_DNS, "split.example.", DNS_TYPE_MX),
		       "split in 2 at %zu: %zu events", cut, all.n);
	}
	/* In three: the length alone, then part of the message, then the rest. */
	const size_t three[] = { 2, 9 };
	send_split(fl, 43000, 7, &fr, three, 2, NULL, &all);
	EXPECT(all.n == 1 && is_query(&all.e[0], CAP_DNS, "split.example.", DNS_TYPE_MX),
	       "split in 3 (2, 9)");
	const size_t three_b[] = { 1, 20 };
	send_split(fl, 43001, 0xfffffff0u, &fr, three_b, 2, NULL, &all);
	EXPECT(all.n == 1, "split in 3 across the sequence number wrap");
	/* Out of order: 2 before 1 (SYN seen, so the window knows where the stream starts). */
	struct pktbuf syn = tcp_frame(4, 43002, 53, 499, SYN, NULL, 0);
	struct events ev;
	feed(fl, &syn, &ev);
	const size_t order[] = { 1, 0 };
	const size_t cut = 10;
	send_split(fl, 43002, 500, &fr, &cut, 1, order, &all);
	EXPECT(all.n == 1 && is_query(&all.e[0], CAP_DNS, "split.example.", DNS_TYPE_MX),
	       "second segment first");
	feed(fl, &syn, &ev);
	const size_t order3[] = { 2, 0, 1 };
	send_split(fl, 43002, 500, &fr, three, 2, order3, &all);
	EXPECT(all.n == 1, "three segments, last first");

	/* Without a flow table a split query is not seen. */
	struct pktbuf first = tcp_frame(4, 43003, 53, 1, PSH | ACK, fr.b, 10);
	EXPECT(decode(DLT_EN10MB, &first, NULL, &e) == CAP_NONE, "no flows: split not seen");
	cap_flows_free(fl);
	EXPECT_NONE();
}

static void
test_tcp_pipelined(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct pktbuf names[3] = { simple_query("one.example", DNS_TYPE_A),
				simple_query("two.example", DNS_TYPE_AAAA),
				simple_query("three.example", DNS_TYPE_TXT) };
	struct pktbuf stream = { .n = 0 };
	struct events all;

	(void)state;
	assert_non_null(fl);
	for (size_t i = 0; i < 3; i++) {
		struct pktbuf fr = framed(&names[i]);
		pbytes(&stream, fr.b, fr.n);
	}
	send_split(fl, 44000, 1, &stream, NULL, 0, NULL, &all);
	EXPECT(all.n == 3 && is_query(&all.e[0], CAP_DNS, "one.example.", DNS_TYPE_A) &&
		       is_query(&all.e[1], CAP_DNS, "two.example.", DNS_TYPE_AAAA) &&
		       is_query(&all.e[2], CAP_DNS, "three.example.", DNS_TYPE_TXT),
	       "three queries in one segment: %zu", all.n);
	/* Cut inside the second message: one, then two and three. */
	const size_t cut = 40;
	send_split(fl, 44001, 1, &stream, &cut, 1, NULL, &all);
	EXPECT(all.n == 3 && strcmp(all.e[1].qname, "two.example.") == 0, "pipelined and split");

	/* Not draining cap_flows_next() drops the rest of that segment, safely. */
	struct pktbuf f = tcp_frame(4, 44002, 53, 1, PSH | ACK, stream.b, stream.n);
	struct cap_event e;
	uint8_t *copy = malloc(f.n);
	assert_non_null(copy);
	memcpy(copy, f.b, f.n);
	cap_decode(DLT_EN10MB, copy, f.n, clock_ms++, false, fl, &e);
	free(copy);
	EXPECT(e.kind == CAP_DNS, "first of three");
	struct pktbuf m = simple_query("next.example", DNS_TYPE_A);
	f = udp_frame(4, 40000, 53, &m);
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_DNS && !cap_flows_next(fl, &e),
	       "an undrained segment is dropped");
	cap_flows_free(fl);
	EXPECT_NONE();
}

static void
test_tcp_big_and_cut(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct events all;

	(void)state;
	assert_non_null(fl);
	/* A query larger than the window: its question is reported once, the next one too. */
	struct pktbuf big = big_query("big.example", 3000);
	struct pktbuf m = simple_query("after.example", DNS_TYPE_A);
	struct pktbuf stream = framed(&big);
	struct pktbuf fr = framed(&m);
	pbytes(&stream, fr.b, fr.n);
	const size_t cuts[] = { 700, 1400, 2100, 2800 };
	send_split(fl, 45000, 10, &stream, cuts, 4, NULL, &all);
	EXPECT(all.n == 2 && is_query(&all.e[0], CAP_DNS, "big.example.", DNS_TYPE_A) &&
		       is_query(&all.e[1], CAP_DNS, "after.example.", DNS_TYPE_A),
	       "bigger than the window: %zu events", all.n);
	/* The same in one segment. */
	send_split(fl, 45001, 10, &stream, NULL, 0, NULL, &all);
	EXPECT(all.n == 2 && strcmp(all.e[1].qname, "after.example.") == 0,
	       "bigger than the window, one segment: %zu", all.n);

	/* The capture cut a segment (snap length): the question is there, then one is not. */
	struct pktbuf two = framed(&m);
	struct pktbuf m2 = simple_query("third.example", DNS_TYPE_A);
	struct pktbuf fr2 = framed(&m2);
	struct pktbuf seg = framed(&big);
	struct events ev;
	struct cap_event e;
	struct pktbuf f = tcp_frame(4, 45002, 53, 1, PSH | ACK, seg.b, seg.n);
	uint8_t *copy = malloc(200);
	assert_non_null(copy);
	memcpy(copy, f.b, 200);
	cap_decode(DLT_EN10MB, copy, 200, clock_ms++, false, fl, &e);
	EXPECT(is_query(&e, CAP_DNS, "big.example.", DNS_TYPE_A), "cut segment: the question");
	EXPECT(!cap_flows_next(fl, &e), "cut segment: nothing more");
	free(copy);
	/* The stream goes on after the hole. */
	f = tcp_frame(4, 45002, 53, 1 + (uint32_t)seg.n, PSH | ACK, two.b, two.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && strcmp(ev.e[0].qname, "after.example.") == 0, "after the hole: %zu",
	       ev.n);
	/* Cut inside the question: malformed, and the next segment decodes. */
	f = tcp_frame(4, 45002, 53, 1 + (uint32_t)(seg.n + two.n), PSH | ACK, fr2.b, fr2.n);
	copy = malloc(f.n - 10);
	assert_non_null(copy);
	memcpy(copy, f.b, f.n - 10);
	cap_decode(DLT_EN10MB, copy, f.n - 10, clock_ms++, false, fl, &e);
	EXPECT(e.kind == CAP_MALFORMED, "cut in the question: malformed (%d)", e.kind);
	while (cap_flows_next(fl, &e))
		EXPECT(false, "nothing more after the cut");
	free(copy);
	f = tcp_frame(4, 45002, 53, 1 + (uint32_t)(seg.n + two.n + fr2.n), PSH | ACK, two.b,
		      two.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && strcmp(ev.e[0].qname, "after.example.") == 0, "and after that");

	/* Lost track: a segment far ahead of a gap starts the window again. */
	f = tcp_frame(4, 45003, 53, 1, PSH | ACK, fr.b, 5);
	feed(fl, &f, &ev);
	f = tcp_frame(4, 45003, 53, 100000, PSH | ACK, fr.b, fr.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && strcmp(ev.e[0].qname, "after.example.") == 0, "resynchronised");
	/* Far behind: a new stream on the same ports. */
	f = tcp_frame(4, 45003, 53, 100000 - 500000, PSH | ACK, fr.b, fr.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1, "far behind is a new stream");
	cap_flows_free(fl);
	EXPECT_NONE();
}

/* A snap length that cuts a segment of four pipelined queries inside the second: the first is
 * seen, the second is malformed, the third and fourth began in the lost bytes and are gone,
 * and the stream goes on after them. A response sent to port 53 in a stream is skipped. */
static void
test_tcp_hole(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct pktbuf q[4] = { simple_query("q1.example", DNS_TYPE_A),
			    simple_query("q2-a-longer-name.example", DNS_TYPE_A),
			    simple_query("q3.example", DNS_TYPE_A),
			    simple_query("q4.example", DNS_TYPE_A) };
	struct pktbuf stream = { .n = 0 };
	struct events ev;
	struct cap_event e;

	(void)state;
	assert_non_null(fl);
	for (size_t i = 0; i < 4; i++) {
		struct pktbuf fr = framed(&q[i]);
		pbytes(&stream, fr.b, fr.n);
	}
	struct pktbuf f = tcp_frame(4, 47000, 53, 1, PSH | ACK, stream.b, stream.n);
	size_t cut = 14 + 20 + 32 + 2 + q[0].n + 2 + 20; /* in the second question */
	uint8_t *copy = malloc(cut);
	assert_non_null(copy);
	memcpy(copy, f.b, cut);
	cap_decode(DLT_EN10MB, copy, cut, clock_ms++, false, fl, &e);
	EXPECT(is_query(&e, CAP_DNS, "q1.example.", DNS_TYPE_A), "first query before the cut");
	EXPECT(cap_flows_next(fl, &e) && e.kind == CAP_MALFORMED, "second, cut: malformed");
	EXPECT(!cap_flows_next(fl, &e), "third and fourth: lost with the bytes");
	free(copy);
	struct pktbuf m = simple_query("q5.example", DNS_TYPE_A);
	struct pktbuf r = query(9, DNS_FLAG_QR, 1, "notify.example", DNS_TYPE_SOA);
	struct pktbuf more = framed(&r);
	struct pktbuf fr = framed(&m);
	pbytes(&more, fr.b, fr.n);
	f = tcp_frame(4, 47000, 53, 1 + (uint32_t)stream.n, PSH | ACK, more.b, more.n);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 1 && strcmp(ev.e[0].qname, "q5.example.") == 0,
	       "after the hole, past a response: %zu", ev.n);
	/* A pure ACK to 53 of a flow we do not know opens none. */
	f = tcp_frame(4, 47001, 53, 1, ACK, NULL, 0);
	size_t before = cap_flows_count(fl);
	feed(fl, &f, &ev);
	EXPECT(ev.n == 0 && cap_flows_count(fl) == before, "pure ACK: no flow");
	cap_flows_free(fl);
	EXPECT_NONE();
}

static void
test_flow_eviction(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct pktbuf m = simple_query("evict.example", DNS_TYPE_A);
	struct pktbuf fr = framed(&m);
	struct events ev;

	(void)state;
	assert_non_null(fl);
	/* More flows with half a message than the table holds. */
	for (size_t i = 0; i < CAP_FLOWS_MAX + 10; i++) {
		struct pktbuf f = tcp_frame(4, (uint16_t)(10000 + i), 53, 1, PSH | ACK, fr.b, 10);
		feed(fl, &f, &ev);
		EXPECT(ev.n == 0, "half a message %zu", i);
	}
	EXPECT(cap_flows_count(fl) == CAP_FLOWS_MAX, "table full: %zu", cap_flows_count(fl));
	/* The newest completes; the oldest was evicted, its tail is no query. */
	struct pktbuf tail = tcp_frame(4, (uint16_t)(10000 + CAP_FLOWS_MAX + 9), 53, 11, PSH | ACK,
				    fr.b + 10, fr.n - 10);
	feed(fl, &tail, &ev);
	EXPECT(ev.n == 1 && strcmp(ev.e[0].qname, "evict.example.") == 0, "newest completes");
	tail = tcp_frame(4, 10000, 53, 11, PSH | ACK, fr.b + 10, fr.n - 10);
	feed(fl, &tail, &ev);
	EXPECT(ev.n == 0 || ev.e[0].kind == CAP_MALFORMED, "evicted flow: no query");
	EXPECT(cap_flows_count(fl) == CAP_FLOWS_MAX, "still full");
	cap_flows_free(fl);
	EXPECT_NONE();
}

static void
test_dot(void **state)
{
	struct cap_flows *fl = cap_flows_new();
	struct cap_event e;
	struct pktbuf f;

	(void)state;
	assert_non_null(fl);
	f = tcp_frame(4, 46000, 853, 1, SYN, NULL, 0);
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_DOT && e.is_tcp && e.dst.port == 853 &&
		       e.qname[0] == '\0',
	       "SYN to 853");
	f = tcp_frame(6, 46000, 853, 1, SYN, NULL, 0);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DOT, "IPv6 SYN to 853, no flows");
	f = tcp_frame(4, 853, 46000, 1, SYN | ACK, NULL, 0);
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_NONE, "SYN-ACK from 853");
	f = tcp_frame(4, 46000, 853, 1, SYN | ACK, NULL, 0);
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_NONE, "SYN-ACK to 853");
	f = tcp_frame(4, 46000, 853, 2, PSH | ACK, (const uint8_t *)"\x16\x03\x01", 3);
	EXPECT(decode(DLT_EN10MB, &f, fl, &e) == CAP_NONE, "TLS data to 853");
	EXPECT(cap_flows_count(fl) == 0, "DoT keeps no flow");
	cap_flows_free(fl);
	EXPECT_NONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_tcp_whole),
		TEST(test_tcp_split),
		TEST(test_tcp_pipelined),
		TEST(test_tcp_big_and_cut),
		TEST(test_tcp_hole),
		TEST(test_flow_eviction),
		TEST(test_dot),
	};

	return cmocka_run_group_tests_name("capture_tcp", tests, NULL, NULL);
}
