/* test_capture.c -- the frame decoder of dnsleak watch, on crafted frames, one at a time.
 *
 * capture_fixture.h writes DNS messages, UDP and TCP segments, IPv4 and IPv6 packets (options,
 * extension headers, fragments) and every link header cap_decode() knows. Each frame is decoded
 * from an exact-size heap copy, so ASan sees any read past its end. Every good frame is also
 * decoded at every shorter length: it may then say nothing or CAP_MALFORMED, or the same query,
 * never another one. TCP reassembly is in test_capture_tcp.c.
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

/* ---- link layers ------------------------------------------------------------------------ */

static void
test_link_types(void **state)
{
	static const struct {
		const char *desc;
		int dlt;
		uint16_t tag;
		int family;
	} cases[] = {
		{ "Ethernet v4", DLT_EN10MB, 0, 4 },
		{ "Ethernet v6", DLT_EN10MB, 0, 6 },
		{ "Ethernet 802.1Q v4", DLT_EN10MB, 0x8100, 4 },
		{ "Ethernet 802.1Q v6", DLT_EN10MB, 0x8100, 6 },
		{ "Ethernet 802.1ad v4", DLT_EN10MB, 0x88a8, 4 },
		{ "SLL v4", DLT_LINUX_SLL, 0, 4 },
		{ "SLL v6", DLT_LINUX_SLL, 0, 6 },
		{ "SLL2 v4", DLT_LINUX_SLL2, 0, 4 },
		{ "SLL2 v6", DLT_LINUX_SLL2, 0, 6 },
		{ "RAW v4", DLT_RAW, 0, 4 },
		{ "RAW v6", DLT_RAW, 0, 6 },
		{ "IPV4", DLT_IPV4, 0, 4 },
		{ "IPV6", DLT_IPV6, 0, 6 },
		{ "NULL v4", DLT_NULL, 0, 4 },
		{ "NULL v6", DLT_NULL, 0, 6 },
		{ "LOOP v4", DLT_LOOP, 0, 4 },
		{ "LOOP v6", DLT_LOOP, 0, 6 },
	};
	struct pktbuf m = query(0xbeef, DNS_FLAG_RD, 1, "www.example.com", DNS_TYPE_AAAA);
	struct pktbuf u = udp(40000, 53, m.b, m.n);
	struct cap_event e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pktbuf ip = cases[i].family == 6 ? ip6(UDP, &u) : ip4(UDP, &u);
		struct pktbuf f = linkx(cases[i].dlt, &ip, cases[i].tag);
		enum cap_kind k = decode(cases[i].dlt, &f, NULL, &e);
		EXPECT(cap_dlt_supported(cases[i].dlt), "%s: supported", cases[i].desc);
		EXPECT(is_query(&e, CAP_DNS, "www.example.com.", DNS_TYPE_AAAA),
		       "%s: kind %d qname %s", cases[i].desc, k, e.qname);
		EXPECT(e.id == 0xbeef && !e.is_tcp && e.src.port == 40000 && e.dst.port == 53,
		       "%s: id/ports", cases[i].desc);
		EXPECT(e.src.addr.family == cases[i].family &&
			       memcmp(e.dst.addr.a, cases[i].family == 6 ? v6_dst : v4_dst,
				      cases[i].family == 6 ? 16 : 4) == 0,
		       "%s: addresses", cases[i].desc);
	}

	/* The IP version must agree with the EtherType (and the DLT_IPV4/6 link type). */
	struct pktbuf ip4p = ip4(UDP, &u);
	struct pktbuf f = link(DLT_EN10MB, &ip4p);
	f.b[12] = 0x86;
	f.b[13] = 0xdd;
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "v4 packet as EtherType IPv6");
	f = link(DLT_IPV6, &ip4p);
	EXPECT(decode(DLT_IPV6, &f, NULL, &e) == CAP_NONE, "v4 packet under DLT_IPV6");
	f = link(DLT_EN10MB, &ip4p);
	f.b[12] = 0x08;
	f.b[13] = 0x06; /* ARP */
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "ARP");
	EXPECT(e.kind == CAP_NONE && e.qname[0] == '\0' && e.qtype == 0, "cleared event");
	f = link(DLT_RAW, &ip4p);
	f.b[0] = 0x55; /* version 5 */
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "IP version 5");
	/* A link type we do not decode. */
	f = link(DLT_RAW, &ip4p);
	EXPECT(!cap_dlt_supported(DLT_IEEE802_11), "802.11 not supported");
	EXPECT(decode(DLT_IEEE802_11, &f, NULL, &e) == CAP_NONE, "802.11: nothing");
	EXPECT(decode_n(DLT_EN10MB, NULL, 0, false, NULL, &e) == CAP_NONE, "empty frame");
	EXPECT_NONE();
}

static void
test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(cap_kind_name(CAP_DNS), "dns");
	assert_string_equal(cap_kind_name(CAP_DOT), "dot");
	assert_string_equal(cap_kind_name(CAP_MDNS), "mdns");
	assert_string_equal(cap_kind_name(CAP_LLMNR), "llmnr");
	assert_string_equal(cap_kind_name(CAP_MALFORMED), "malformed");
	assert_string_equal(cap_kind_name(CAP_NONE), "none");
	assert_string_equal(cap_kind_name((enum cap_kind)42), "unknown");
}

/* ---- IPv4 ------------------------------------------------------------------------------- */

static void
test_ipv4(void **state)
{
	struct pktbuf m = simple_query("v4.example", DNS_TYPE_A);
	struct pktbuf u = udp(1053, 53, m.b, m.n);
	struct cap_event e;
	struct pktbuf ip, f;

	(void)state;
	ip = ip4x(UDP, &u, 7, 0);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_DNS, "IHL 7 (options)");
	EXPECT(strcmp(e.qname, "v4.example.") == 0, "IHL 7 name %s", e.qname);

	/* Ethernet pads short frames: bytes past the IP total length are not the packet's. */
	ip = ip4(UDP, &u);
	f = link(DLT_EN10MB, &ip);
	pzero(&f, 18);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS, "Ethernet padding ignored");

	ip = ip4x(UDP, &u, 4, 0);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "IHL 4");
	ip = ip4(UDP, &u);
	ip.b[2] = 0;
	ip.b[3] = 16; /* total length below the header */
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "total length < IHL");
	ip = ip4(UDP, &u);
	ip.b[9] = 1; /* ICMP */
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "ICMP");

	/* Fragments: the first (MF, offset 0) carries the UDP header and the question. */
	struct pktbuf big = big_query("fragmented.example", 1000);
	struct pktbuf bu = udp(1053, 53, big.b, big.n);
	struct pktbuf first = bu;
	first.n = 8 + 540;
	ip = ip4x(UDP, &first, 5, 0x2000);
	f = link(DLT_EN10MB, &ip);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS &&
		       strcmp(e.qname, "fragmented.example.") == 0,
	       "first fragment: the question");
	first.n = 8 + 20; /* a first fragment cut inside the question */
	ip = ip4x(UDP, &first, 5, 0x2000);
	f = link(DLT_EN10MB, &ip);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_MALFORMED, "first fragment, short");
	struct pktbuf rest = { .n = 0 };
	pbytes(&rest, bu.b + 552, bu.n - 552);
	ip = ip4x(UDP, &rest, 5, 552 / 8);
	f = link(DLT_EN10MB, &ip);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "later fragment skipped");
	/* A later fragment whose bytes happen to look like a query is still skipped. */
	ip = ip4x(UDP, &u, 5, 0x2000 | 100);
	f = link(DLT_EN10MB, &ip);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "lookalike later fragment");
	EXPECT_NONE();
}

/* ---- IPv6 extension headers ------------------------------------------------------------- */

static void
test_ipv6_ext(void **state)
{
	struct pktbuf m = simple_query("v6.example", DNS_TYPE_AAAA);
	struct pktbuf u = udp(1053, 53, m.b, m.n);
	struct cap_event e;
	struct pktbuf ip, f;
	struct pktbuf padn = ext8(1, 4, 0, 0);
	struct pktbuf routing = ext8(0, 0, 0, 0); /* type 0, segments left 0 */
	struct pktbuf frag0 = ext8(0, 0, 0, 0);  /* offset 0, M 0: an atomic fragment */
	struct pktbuf frag_m = ext8(0, 1, 0, 0); /* offset 0, M 1 */
	struct pktbuf frag_l = ext8(0, 0x10, 0, 0); /* offset 2 (16 bytes) */
	struct pktbuf ah = { .n = 0 };

	(void)state;
	p8(&ah, 0);
	p8(&ah, 4); /* (4 + 2) * 4 = 24 bytes */
	pzero(&ah, 22);

	const struct pktbuf chain[] = { padn, routing, padn, ah, frag0 };
	const uint8_t types[] = { 0, 43, 60, 51, 44 };
	ip = ip6x(UDP, &u, types[0], chain, types, 5);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_DNS && strcmp(e.qname, "v6.example.") == 0,
	       "hop-by-hop, routing, dest-opts, AH, fragment: %s", e.qname);

	const uint8_t frag_type[] = { 44 };
	ip = ip6x(UDP, &u, 44, &frag_m, frag_type, 1);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_DNS, "first fragment with the question");
	ip = ip6x(UDP, &u, 44, &frag_l, frag_type, 1);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "later fragment skipped");

	/* More extension headers than we walk. */
	struct pktbuf many[10];
	uint8_t many_types[10];
	for (size_t i = 0; i < 10; i++) {
		many[i] = padn;
		many_types[i] = 60;
	}
	ip = ip6x(UDP, &u, 60, many, many_types, 10);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "10 extension headers");
	ip = ip6x(UDP, &u, 60, many, many_types, 8);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_DNS, "8 extension headers");

	/* An extension header longer than the payload. */
	struct pktbuf huge = ext8(1, 4, 0, 0);
	huge.b[1] = 200;
	const uint8_t dst_type[] = { 60 };
	ip = ip6x(UDP, &u, 60, &huge, dst_type, 1);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "extension header past the end");
	/* A payload length of 0 (jumbogram) and no next header. */
	ip = ip6(UDP, &u);
	ip.b[4] = ip.b[5] = 0;
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "payload length 0");
	ip = ip6(59, &u);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "no next header");
	EXPECT_NONE();
}

/* ---- UDP and the DNS judgement ---------------------------------------------------------- */

static void
test_udp(void **state)
{
	struct cap_event e;
	struct pktbuf m, f, u, ip;

	(void)state;
	m = simple_query("example.org", DNS_TYPE_TXT);
	f = udp_frame(4, 53000, 53, &m);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS, "query");
	EXPECT(e.id == 0x4242 && e.qtype == DNS_TYPE_TXT, "id, type");

	/* A response, from 53 or to 53: never reported. */
	struct pktbuf r = query(0x4242, DNS_FLAG_QR | DNS_FLAG_RD, 1, "example.org", DNS_TYPE_TXT);
	f = udp_frame(4, 53, 53000, &r);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "response ignored");
	f = udp_frame(6, 53, 53, &r);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "response 53 -> 53 ignored");
	/* A query between two servers, from port 53 to port 53. */
	f = udp_frame(6, 53, 53, &m);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS, "query 53 -> 53");
	/* A well-formed query from 53 to another port is not a query we report. */
	f = udp_frame(4, 53, 40000, &m);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE && e.qname[0] == '\0',
	       "query from 53 to elsewhere");
	/* Other ports are not ours. */
	f = udp_frame(4, 40000, 54, &m);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "port 54");
	f = udp_frame(4, 40000, 853, &m);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_NONE, "UDP 853 (DoQ is not DoT)");

	/* The name in presentation form, escaped. */
	struct pktbuf odd = { .n = 0 };
	p16(&odd, 1);
	p16(&odd, 0);
	p16(&odd, 1);
	pzero(&odd, 6);
	pbytes(&odd, "\x03" "a.b" "\x02" "\x00\"" "\x03" "c\\d" "\x00", 12);
	p16(&odd, DNS_TYPE_A);
	p16(&odd, DNS_CLASS_IN);
	f = udp_frame(4, 40000, 53, &odd);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS &&
		       strcmp(e.qname, "a\\.b.\\000\\\".c\\\\d.") == 0,
	       "escaped name: %s", e.qname);
	struct pktbuf root = simple_query("", DNS_TYPE_NS);
	f = udp_frame(4, 40000, 53, &root);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_DNS && strcmp(e.qname, ".") == 0,
	       "root: %s", e.qname);

	/* Malformed on port 53. */
	static const struct {
		const char *desc;
		const uint8_t *bytes;
		size_t len;
	} bad[] = {
		{ "5 bytes", (const uint8_t *)"\x12\x34\x01\x00\x00", 5 },
		{ "no question",
		  (const uint8_t *)"\x12\x34\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12 },
		{ "compressed question",
		  (const uint8_t *)"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
				   "\xc0\x0c\x00\x01\x00\x01",
		  18 },
		{ "question cut",
		  (const uint8_t *)"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
				   "\x03" "abc",
		  16 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pktbuf b = { .n = 0 };
		pbytes(&b, bad[i].bytes, bad[i].len);
		f = udp_frame(4, 40000, 53, &b);
		EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_MALFORMED, "%s", bad[i].desc);
		EXPECT(e.src.port == 40000 && e.dst.port == 53 && e.qname[0] == '\0',
		       "%s: endpoints, no name", bad[i].desc);
	}
	struct pktbuf two = query(1, 0, 2, "two.example", DNS_TYPE_A);
	f = udp_frame(4, 40000, 53, &two);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_MALFORMED, "two questions claimed");
	struct pktbuf trailing = simple_query("t.example", DNS_TYPE_A);
	p8(&trailing, 0);
	f = udp_frame(4, 40000, 53, &trailing);
	EXPECT(decode(DLT_EN10MB, &f, NULL, &e) == CAP_MALFORMED, "trailing byte");

	/* UDP lengths: below 8, beyond the packet, short of the packet (trailing bytes). */
	u = udp(40000, 53, m.b, m.n);
	u.b[4] = 0;
	u.b[5] = 7;
	ip = ip4(UDP, &u);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_MALFORMED, "UDP length 7");
	u = udp(40000, 53, m.b, m.n);
	u.b[5] = (uint8_t)(u.b[5] + 1);
	ip = ip4(UDP, &u);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_MALFORMED, "UDP length past the packet");
	u = udp(40000, 53, m.b, m.n);
	p32(&u, 0xdeadbeef);
	ip = ip6(UDP, &u);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_DNS, "bytes after the UDP length ignored");
	/* A UDP header cut short says nothing: the ports are not known. */
	u = udp(40000, 53, NULL, 0);
	u.n = 3;
	ip = ip4(UDP, &u);
	f = link(DLT_RAW, &ip);
	EXPECT(decode(DLT_RAW, &f, NULL, &e) == CAP_NONE, "3 bytes of UDP");
	/* A frame the capture cut in the additional section still shows its question. */
	struct pktbuf big = big_query("cut.example", 600);
	f = udp_frame(4, 40000, 53, &big);
	EXPECT(decode_n(DLT_EN10MB, f.b, 200, false, NULL, &e) == CAP_DNS &&
		       strcmp(e.qname, "cut.example.") == 0,
	       "snap length cut after the question");
	EXPECT(decode_n(DLT_EN10MB, f.b, 14 + 20 + 8 + 16, false, NULL, &e) == CAP_MALFORMED,
	       "snap length cut in the question");
	EXPECT_NONE();
}

/* ---- mDNS and LLMNR --------------------------------------------------------------------- */

static void
test_mdns(void **state)
{
	struct cap_event e;
	struct pktbuf f;

	(void)state;
	/* Two questions, the second compressed, and a known answer: the first is reported. */
	struct pktbuf m = { .n = 0 };
	p16(&m, 0);
	p16(&m, 0);
	p16(&m, 2);
	p16(&m, 1);
	p16(&m, 0);
	p16(&m, 0);
	pname(&m, "_ipp._tcp.local");
	p16(&m, DNS_TYPE_PTR);
	p16(&m, 0x8001); /* QU bit */
	p8(&m, 8);
	pbytes(&m, "_printer", 8);
	p16(&m, 0xc000 | 17); /* -> _tcp.local */
	p16(&m, DNS_TYPE_PTR);
	p16(&m, 1);
	p16(&m, 0xc00c);
	p16(&m, DNS_TYPE_PTR);
	p16(&m, 1);
	p32(&m, 4500);
	p16(&m, 2);
	p16(&m, 0xc00c);

	f = udp_frame(4, 5353, 5353, &m);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, false, NULL, &e) == CAP_NONE, "mDNS off");
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_MDNS &&
		       strcmp(e.qname, "_ipp._tcp.local.") == 0 && e.qtype == DNS_TYPE_PTR,
	       "mDNS on: %s", e.qname);
	f = udp_frame(6, 40000, 5353, &m);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_MDNS, "legacy unicast mDNS");
	/* A response (QR=1) and an announcement are not queries. */
	struct pktbuf r = m;
	r.b[2] = 0x84;
	f = udp_frame(4, 5353, 5353, &r);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_NONE, "mDNS response");
	struct pktbuf none = m;
	none.b[5] = 0;
	f = udp_frame(4, 5353, 5353, &none);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_MALFORMED,
	       "mDNS query with no question");
	struct pktbuf cut = m;
	cut.n = 20;
	f = udp_frame(4, 5353, 5353, &cut);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_MALFORMED,
	       "mDNS query cut in its question");

	struct pktbuf l = query(7, 0, 1, "fileserver", DNS_TYPE_A);
	f = udp_frame(4, 50000, 5355, &l);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, false, NULL, &e) == CAP_NONE, "LLMNR off");
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_LLMNR &&
		       strcmp(e.qname, "fileserver.") == 0,
	       "LLMNR on");
	struct pktbuf lr = l;
	lr.b[2] = 0x80;
	f = udp_frame(4, 5355, 50000, &lr);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_NONE, "LLMNR response");
	/* DNS on 53 is the same with or without --mdns. */
	struct pktbuf d = simple_query("x.example", DNS_TYPE_A);
	f = udp_frame(4, 5353, 53, &d);
	EXPECT(decode_n(DLT_EN10MB, f.b, f.n, true, NULL, &e) == CAP_DNS, "5353 -> 53 is DNS");
	EXPECT_NONE();
}

/* ---- every truncation ------------------------------------------------------------------- */

static void
test_truncations(void **state)
{
	struct pktbuf m = big_query("trunc.example", 80);
	struct pktbuf m6 = simple_query("trunc6.example", DNS_TYPE_AAAA);
	struct pktbuf fr = framed(&m);
	struct pktbuf u = udp(40000, 53, m.b, m.n);
	struct pktbuf u6 = udp(40000, 53, m6.b, m6.n);
	struct pktbuf t = tcp(40000, 53, 1, PSH | ACK, fr.b, fr.n);
	struct pktbuf syn = tcp(40000, 853, 1, SYN, NULL, 0);
	struct pktbuf padn = ext8(1, 4, 0, 0);
	const uint8_t dst_type[] = { 60 };
	struct pktbuf mdns = query(0, 0, 1, "host.local", DNS_TYPE_A);
	struct pktbuf um = udp(5353, 5353, mdns.b, mdns.n);
	struct pktbuf ips[] = {
		ip4(UDP, &u), ip6(UDP, &u6), ip4(TCP, &t), ip6(TCP, &t), ip4(TCP, &syn),
		ip6x(UDP, &u6, 60, &padn, dst_type, 1), ip4(UDP, &um),
	};
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL };
	size_t frames = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		for (size_t d = 0; d < sizeof(dlts) / sizeof(dlts[0]); d++) {
			for (uint16_t tag = 0; tag <= (dlts[d] == DLT_EN10MB ? 1 : 0); tag++) {
				struct pktbuf f = linkx(dlts[d], &ips[i], tag ? 0x8100 : 0);
				struct cap_event good;
				struct cap_event e;
				struct cap_flows *fl = cap_flows_new();

				assert_non_null(fl);
				decode_n(dlts[d], f.b, f.n, true, fl, &good);
				EXPECT(good.kind != CAP_NONE && good.kind != CAP_MALFORMED,
				       "frame %zu/%d whole: %d", i, dlts[d], good.kind);
				for (size_t n = 0; n < f.n; n++) {
					/* A fresh table each time: no state carried over. */
					struct cap_flows *tf = cap_flows_new();
					assert_non_null(tf);
					enum cap_kind k = decode_n(dlts[d], f.b, n, true, tf, &e);
					bool fine = k == CAP_NONE || k == CAP_MALFORMED ||
						    (k == good.kind &&
						     strcmp(e.qname, good.qname) == 0 &&
						     e.qtype == good.qtype);
					EXPECT(fine, "frame %zu/%d cut at %zu: kind %d name %s", i,
					       dlts[d], n, k, e.qname);
					EXPECT(k != CAP_NONE || e.qname[0] == '\0',
					       "frame %zu cut at %zu: cleared", i, n);
					while (cap_flows_next(tf, &e))
						EXPECT(false, "frame %zu cut at %zu: more", i, n);
					cap_flows_free(tf);
				}
				cap_flows_free(fl);
				frames++;
			}
		}
	}
	EXPECT(frames == 42, "frames %zu", frames);
	EXPECT_NONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_link_types),
		TEST(test_kind_names),
		TEST(test_ipv4),
		TEST(test_ipv6_ext),
		TEST(test_udp),
		TEST(test_mdns),
		TEST(test_truncations),
	};

	return cmocka_run_group_tests_name("capture", tests, NULL, NULL);
}
