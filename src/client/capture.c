/* capture.c -- decode one captured frame into the DNS event it carries. Pure: no I/O, no clock.
 *
 * Every byte of the frame is read through struct rcur (STYLE R3). The layers hand each other a
 * struct l4: the captured bytes of the IP payload and its length on the wire, so a frame cut
 * by the snap length is told apart from a packet whose own lengths lie. DNS messages go to
 * dnswire_parse_query(); mDNS and LLMNR queries, which may carry several questions and
 * known answers, are judged by their first question only.
 *
 * TCP (RFC 7766: a 2-byte length, then the message) is reassembled per flow in a fixed table:
 * each flow keeps a window of CAP_FLOW_BUF bytes from base_seq on, with a byte map of what
 * has arrived, so segments may come in any order within the window; data behind base_seq is a
 * retransmission and ignored, which also keeps a retransmitted query from counting twice.
 */
#include "capture.h"

#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "cursor.h"
#include "dnswire.h"

enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_VLAN = 0x8100, /* 802.1Q */
	ETHERTYPE_QINQ = 0x88a8, /* 802.1ad outer tag: one tag is all we take */
};

enum {
	PROTO_HOPOPTS = 0,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	PROTO_ROUTING = 43,
	PROTO_FRAGMENT = 44,
	PROTO_AH = 51,
	PROTO_DSTOPTS = 60,
};

enum { PORT_DNS = 53, PORT_DOT = 853, PORT_MDNS = 5353, PORT_LLMNR = 5355 };

enum { TCP_SYN = 0x02, TCP_RST = 0x04, TCP_ACK = 0x10 };

#define IPV6_EXT_MAX 8 /* extension headers we walk before giving up */

/* What the IP layer hands to UDP and TCP. */
struct l4 {
	uint8_t proto;
	struct dl_addr src, dst;
	struct rcur c;    /* the captured bytes of the IP payload */
	size_t wire_len;  /* the IP payload's length on the wire: >= rcur_left(&c) */
	bool is_fragment; /* a first fragment: the payload goes on in other fragments */
};

struct flow {
	bool used;
	struct dl_endpoint src, dst;
	uint64_t last_ms;
	uint64_t tick;     /* orders flows seen in the same millisecond */
	uint32_t base_seq; /* sequence number of buf[0] */
	/* The segment being fed: borrowed from the frame of the last cap_decode. */
	const uint8_t *in;
	size_t in_len;
	uint32_t in_seq;
	/* Bytes of a segment the capture cut off: [lost_from, lost_end) will never arrive. */
	bool lost;
	uint32_t lost_from, lost_end;
	uint8_t buf[CAP_FLOW_BUF];
	uint8_t have[CAP_FLOW_BUF]; /* 1: buf[i] has arrived */
};

struct cap_flows {
	struct flow f[CAP_FLOWS_MAX];
	uint64_t tick;
	struct flow *last; /* the flow cap_flows_next() goes on with; NULL: none */
};

struct cap_flows *
cap_flows_new(void)
{
	return calloc(1, sizeof(struct cap_flows));
}

void
cap_flows_free(struct cap_flows *f)
{
	free(f);
}

size_t
cap_flows_count(const struct cap_flows *f)
{
	size_t n = 0;

	if (f == NULL)
		return 0;
	for (size_t i = 0; i < CAP_FLOWS_MAX; i++)
		n += f->f[i].used;
	return n;
}

const char *
cap_kind_name(enum cap_kind k)
{
	switch (k) {
	case CAP_NONE:
		return "none";
	case CAP_DNS:
		return "dns";
	case CAP_DOT:
		return "dot";
	case CAP_MDNS:
		return "mdns";
	case CAP_LLMNR:
		return "llmnr";
	case CAP_MALFORMED:
		return "malformed";
	}
	return "unknown";
}

static void
event_clear(struct cap_event *out)
{
	out->kind = CAP_NONE;
	memset(&out->src, 0, sizeof(out->src));
	memset(&out->dst, 0, sizeof(out->dst));
	out->is_tcp = false;
	out->qname[0] = '\0';
	out->qtype = 0;
	out->id = 0;
}

/* ---- DNS ------------------------------------------------------------------------------- */

/* The outcome of judging one DNS message. */
enum msg_class {
	MSG_QUERY,     /* a query: out has its name and type */
	MSG_RESPONSE,  /* QR=1: not ours to report */
	MSG_MORE,      /* cut short, nothing wrong so far: more bytes may yet make it */
	MSG_MALFORMED, /* will never decode */
};

/*
 * Judge msg[0..len). complete: these are all the message's bytes; otherwise a query whose
 * question is here is still reported (the capture, not the sender, cut the rest). first_only:
 * mDNS/LLMNR, where several questions and known answers are normal: only the first question
 * is read, from a copy whose header claims one question and nothing else.
 */
static enum msg_class
judge_dns(const uint8_t *msg, size_t len, bool complete, bool first_only, struct cap_event *out)
{
	struct dns_header h;
	struct dns_query q;
	enum dl_err rc;

	if (dnswire_parse_header(msg, len, &h) != DL_E_OK)
		return complete ? MSG_MALFORMED : MSG_MORE;
	if (h.flags & DNS_FLAG_QR)
		return MSG_RESPONSE;
	if (first_only) {
		uint8_t first[DNS_HEADER_LEN + DNS_NAME_MAX + 4];
		size_t n = len < sizeof(first) ? len : sizeof(first);

		if (h.qdcount == 0)
			return MSG_MALFORMED;
		memcpy(first, msg, n);
		memset(first + 4, 0, 8);
		first[5] = 1;
		rc = dnswire_parse_query(first, n, &q);
		if (q.question_end == 0)
			return rc == DL_E_TRUNC && !complete ? MSG_MORE : MSG_MALFORMED;
	} else {
		rc = dnswire_parse_query(msg, len, &q);
		if (rc != DL_E_OK && (complete || q.question_end == 0))
			return rc == DL_E_TRUNC && !complete ? MSG_MORE : MSG_MALFORMED;
	}
	if (dnswire_name_to_text(q.qname, q.qname_len, out->qname, sizeof(out->qname)) < 0) {
		out->qname[0] = '\0'; /* cannot happen: 255 octets take at most 1021 bytes */
		return MSG_MALFORMED;
	}
	out->qtype = q.qtype;
	out->id = q.hdr.id;
	return MSG_QUERY;
}

/* ---- UDP ------------------------------------------------------------------------------- */

static enum cap_kind
decode_udp(struct l4 *l, bool want_mdns, struct cap_event *out)
{
	struct rcur *c = &l->c;
	uint16_t sport = rcur_u16(c);
	uint16_t dport = rcur_u16(c);
	uint16_t ulen = rcur_u16(c);
	(void)rcur_u16(c); /* checksum */
	enum cap_kind kind;
	bool first_only = false;

	if (c->err)
		return CAP_NONE;
	if (dport == PORT_DNS || sport == PORT_DNS) {
		kind = CAP_DNS;
	} else if (want_mdns && (dport == PORT_MDNS || sport == PORT_MDNS)) {
		kind = CAP_MDNS;
		first_only = true;
	} else if (want_mdns && (dport == PORT_LLMNR || sport == PORT_LLMNR)) {
		kind = CAP_LLMNR;
		first_only = true;
	} else {
		return CAP_NONE;
	}
	out->src.port = sport;
	out->dst.port = dport;
	/* A UDP length beyond the IP packet is a lie, unless the rest is in later fragments. */
	if (ulen < 8 || (!l->is_fragment && ulen > l->wire_len))
		return CAP_MALFORMED;
	size_t want = (size_t)ulen - 8;
	size_t have = rcur_left(c);
	bool complete = have >= want;
	size_t n = complete ? want : have;
	const uint8_t *msg = rcur_take(c, n);

	switch (judge_dns(msg, n, complete, first_only, out)) {
	case MSG_QUERY:
		break;
	case MSG_RESPONSE:
		return CAP_NONE;
	case MSG_MORE: /* the capture cut it before the question ended */
	case MSG_MALFORMED:
		return CAP_MALFORMED;
	}
	/* Queries go to the service port; one from it to elsewhere is not a query we report. */
	if (dport != (kind == CAP_DNS ? PORT_DNS : kind == CAP_MDNS ? PORT_MDNS : PORT_LLMNR)) {
		out->qname[0] = '\0';
		out->qtype = 0;
		return CAP_NONE;
	}
	return kind;
}

/* ---- TCP reassembly ------------------------------------------------------------------- */

static bool
same_endpoint(const struct dl_endpoint *a, const struct dl_endpoint *b)
{
	return a->port == b->port && addr_equal(&a->addr, &b->addr);
}

/* Start the window again at seq. The pending segment, if any, stays to be placed. */
static void
flow_reset(struct flow *fl, uint32_t seq)
{
	fl->base_seq = seq;
	fl->lost = false;
	memset(fl->have, 0, sizeof(fl->have));
}

static struct flow *
flow_find(struct cap_flows *f, const struct dl_endpoint *src, const struct dl_endpoint *dst)
{
	for (size_t i = 0; i < CAP_FLOWS_MAX; i++) {
		struct flow *fl = &f->f[i];
		if (fl->used && same_endpoint(&fl->src, src) && same_endpoint(&fl->dst, dst))
			return fl;
	}
	return NULL;
}

/* A free slot, or the least recently seen flow's. */
static struct flow *
flow_new(struct cap_flows *f, const struct dl_endpoint *src, const struct dl_endpoint *dst,
	 uint32_t seq)
{
	struct flow *fl = NULL;

	for (size_t i = 0; i < CAP_FLOWS_MAX; i++) {
		struct flow *x = &f->f[i];
		if (!x->used) {
			fl = x;
			break;
		}
		if (fl == NULL || x->last_ms < fl->last_ms ||
		    (x->last_ms == fl->last_ms && x->tick < fl->tick))
			fl = x;
	}
	fl->used = true;
	fl->src = *src;
	fl->dst = *dst;
	fl->in_len = 0;
	flow_reset(fl, seq);
	return fl;
}

/* Bytes from base_seq on that have all arrived. */
static size_t
flow_contig(const struct flow *fl)
{
	const uint8_t *gap = memchr(fl->have, 0, CAP_FLOW_BUF);

	return gap == NULL ? CAP_FLOW_BUF : (size_t)(gap - fl->have);
}

/* Drop the first n bytes of the stream (n may run past what the window holds). */
static void
flow_consume(struct flow *fl, size_t n)
{
	if (n >= CAP_FLOW_BUF) {
		memset(fl->have, 0, CAP_FLOW_BUF);
	} else {
		memmove(fl->buf, fl->buf + n, CAP_FLOW_BUF - n);
		memmove(fl->have, fl->have + n, CAP_FLOW_BUF - n);
		memset(fl->have + CAP_FLOW_BUF - n, 0, n);
	}
	fl->base_seq += (uint32_t)n;
}

static void
input_skip(struct flow *fl, size_t n)
{
	fl->in += n;
	fl->in_len -= n;
	fl->in_seq += (uint32_t)n;
}

/*
 * Move what fits of the pending segment into the window. Data wholly behind the window is a
 * retransmission and dropped; data far behind (CAP_SEQ_BACK_MAX) or far ahead of it means we
 * lost track (a missed SYN, a capture drop): the window starts again at the segment.
 * Returns whether anything changed.
 */
static bool
flow_place(struct flow *fl)
{
	if (fl->in_len == 0)
		return false;
	int64_t off = (int32_t)(fl->in_seq - fl->base_seq);
	if (off < -(int64_t)CAP_SEQ_BACK_MAX) {
		flow_reset(fl, fl->in_seq);
		off = 0;
	}
	if (off < 0) {
		size_t back = (size_t)-off;
		input_skip(fl, back < fl->in_len ? back : fl->in_len);
		return true;
	}
	if ((uint64_t)off >= CAP_FLOW_BUF)
		return false;
	size_t room = CAP_FLOW_BUF - (size_t)off;
	size_t n = fl->in_len < room ? fl->in_len : room;
	memcpy(fl->buf + off, fl->in, n);
	memset(fl->have + off, 1, n);
	input_skip(fl, n);
	return true;
}

enum step { STEP_EVENT, STEP_PROGRESS, STEP_WAIT };

/*
 * Take the message at the head of the window if it can be judged now: it is all here, or it
 * will never be (larger than the window, or a part the capture cut off), in which case its
 * question, when here, is still reported.
 */
static enum step
flow_take(struct flow *fl, struct cap_event *out, enum cap_kind *kind)
{
	size_t contig = flow_contig(fl);
	bool cut = false; /* the message can never be whole: judge what is here */

	if (fl->lost && (int32_t)(fl->lost_end - fl->base_seq) <= 0)
		fl->lost = false; /* the hole is behind us */
	if (fl->lost) {
		int64_t lost_at = (int32_t)(fl->lost_from - fl->base_seq);
		cut = lost_at <= (int64_t)contig;
		if (cut && contig < 2) {
			/* The length itself was cut off: start again after the hole. */
			flow_reset(fl, fl->lost_end);
			return STEP_PROGRESS;
		}
	}
	if (contig < 2)
		return STEP_WAIT;
	size_t total = 2 + (size_t)(fl->buf[0] << 8 | fl->buf[1]);
	bool complete = contig >= total;
	if (total > CAP_FLOW_BUF && contig == CAP_FLOW_BUF)
		cut = true;
	if (!complete && !cut) {
		/* A question that can no longer decode needs no more bytes to say so. */
		enum msg_class early = judge_dns(fl->buf + 2, contig - 2, false, false, out);
		if (early != MSG_MALFORMED || contig - 2 < DNS_HEADER_LEN)
			return STEP_WAIT;
	}
	enum msg_class v =
	    judge_dns(fl->buf + 2, (complete ? total : contig) - 2, complete, false, out);
	flow_consume(fl, total);
	if (fl->lost && (int32_t)(fl->lost_end - fl->base_seq) > 0 &&
	    (int32_t)(fl->lost_from - fl->base_seq) <= 0)
		flow_reset(fl, fl->lost_end); /* the next message began in the hole */
	else if (fl->lost && (int32_t)(fl->lost_end - fl->base_seq) <= 0)
		fl->lost = false;
	switch (v) {
	case MSG_QUERY:
		*kind = CAP_DNS;
		return STEP_EVENT;
	case MSG_RESPONSE:
		return STEP_PROGRESS;
	case MSG_MORE:
	case MSG_MALFORMED:
		break;
	}
	out->qname[0] = '\0';
	out->qtype = 0;
	*kind = CAP_MALFORMED;
	return STEP_EVENT;
}

/* The next event of the flow's pending segment, or CAP_NONE when it has none left. */
static enum cap_kind
flow_next(struct flow *fl, struct cap_event *out)
{
	enum cap_kind kind = CAP_NONE;

	out->src = fl->src;
	out->dst = fl->dst;
	out->is_tcp = true;
	/* Each turn consumes window bytes, places input bytes or clears a hole: it ends. */
	for (;;) {
		enum step s = flow_take(fl, out, &kind);
		if (s == STEP_EVENT)
			return kind;
		if (s == STEP_PROGRESS)
			continue;
		if (flow_place(fl))
			continue;
		if (fl->in_len > 0) {
			/* Blocked: the segment lies beyond a gap we would wait for in vain. */
			flow_reset(fl, fl->in_seq);
			continue;
		}
		return CAP_NONE;
	}
}

/* Without a flow table: the segment alone, from a message boundary, first message only. */
static enum cap_kind
tcp_alone(const uint8_t *data, size_t len, struct cap_event *out)
{
	if (len < 2)
		return CAP_NONE;
	size_t total = 2 + (size_t)(data[0] << 8 | data[1]);
	bool complete = len >= total;
	switch (judge_dns(data + 2, (complete ? total : len) - 2, complete, false, out)) {
	case MSG_QUERY:
		return CAP_DNS;
	case MSG_MALFORMED:
		return CAP_MALFORMED;
	case MSG_RESPONSE:
	case MSG_MORE:
		break;
	}
	return CAP_NONE;
}

static enum cap_kind
decode_tcp(struct l4 *l, uint64_t now_ms, struct cap_flows *flows, struct cap_event *out)
{
	struct rcur *c = &l->c;
	uint16_t sport = rcur_u16(c);
	uint16_t dport = rcur_u16(c);
	uint32_t seq = rcur_u32(c);
	(void)rcur_u32(c); /* ack */
	uint16_t off_flags = rcur_u16(c);
	(void)rcur_take(c, 6); /* window, checksum, urgent pointer */
	size_t hlen = (size_t)(off_flags >> 12) * 4;
	unsigned flags = off_flags & 0x1ffu;

	if (c->err || hlen < 20 || hlen > l->wire_len || rcur_take(c, hlen - 20) == NULL)
		return CAP_NONE;
	if (dport != PORT_DNS && dport != PORT_DOT)
		return CAP_NONE;
	out->src.port = sport;
	out->dst.port = dport;
	out->is_tcp = true;
	if (dport == PORT_DOT)
		return (flags & (TCP_SYN | TCP_ACK)) == TCP_SYN ? CAP_DOT : CAP_NONE;
	/* Segments in fragments are rare enough (TCP sets DF) not to reassemble twice over. */
	if (l->is_fragment)
		return CAP_NONE;
	size_t wire = l->wire_len - hlen;
	size_t have = rcur_left(c);
	const uint8_t *data = rcur_take(c, have);

	if (flows == NULL)
		return (flags & (TCP_SYN | TCP_RST)) ? CAP_NONE : tcp_alone(data, have, out);

	struct flow *fl = flow_find(flows, &out->src, &out->dst);
	if (flags & TCP_RST) {
		if (fl != NULL)
			fl->used = false;
		return CAP_NONE;
	}
	if (flags & TCP_SYN) {
		if (flags & TCP_ACK)
			return CAP_NONE;
		seq += 1; /* data on a SYN (TCP Fast Open) follows the SYN's own number */
		if (fl == NULL)
			fl = flow_new(flows, &out->src, &out->dst, seq);
		else
			flow_reset(fl, seq);
	}
	if (fl == NULL && wire == 0)
		return CAP_NONE;
	if (fl == NULL)
		fl = flow_new(flows, &out->src, &out->dst, seq);
	/* A FIN's data is fed like any other, and the flow stays: a retransmission of the last
	 * segment must still be recognised as one. */
	fl->last_ms = now_ms;
	fl->tick = ++flows->tick;
	fl->in = data;
	fl->in_len = have;
	fl->in_seq = seq;
	if (have < wire) {
		fl->lost = true;
		fl->lost_from = seq + (uint32_t)have;
		fl->lost_end = seq + (uint32_t)wire;
	}
	flows->last = fl;
	return flow_next(fl, out);
}

bool
cap_flows_next(struct cap_flows *f, struct cap_event *out)
{
	if (f == NULL || f->last == NULL) {
		event_clear(out);
		return false;
	}
	event_clear(out);
	out->kind = flow_next(f->last, out);
	if (out->kind == CAP_NONE) {
		f->last = NULL;
		event_clear(out);
		return false;
	}
	return true;
}

/* ---- IP -------------------------------------------------------------------------------- */

static bool
ipv4(struct rcur *c, struct l4 *l)
{
	uint8_t vihl = rcur_u8(c);
	(void)rcur_u8(c); /* TOS */
	uint16_t total = rcur_u16(c);
	(void)rcur_u16(c); /* id */
	uint16_t frag = rcur_u16(c);
	(void)rcur_u8(c); /* TTL */
	l->proto = rcur_u8(c);
	(void)rcur_u16(c); /* checksum */
	const uint8_t *src = rcur_take(c, 4);
	const uint8_t *dst = rcur_take(c, 4);
	size_t ihl = (size_t)(vihl & 0xf) * 4;

	if (c->err || vihl >> 4 != 4 || ihl < 20 || total < ihl)
		return false;
	if (rcur_take(c, ihl - 20) == NULL)
		return false;
	/* RFC 791: only the first fragment (offset 0) carries the transport header. */
	if ((frag & 0x1fff) != 0)
		return false;
	l->is_fragment = (frag & 0x2000) != 0;
	l->src.family = l->dst.family = 4;
	memcpy(l->src.a, src, 4);
	memcpy(l->dst.a, dst, 4);
	l->wire_len = (size_t)total - ihl;
	size_t have = rcur_left(c);
	l->c = rcur_make(c->pos, have < l->wire_len ? have : l->wire_len); /* drop link padding */
	return true;
}

static bool
ipv6(struct rcur *c, struct l4 *l)
{
	uint32_t vtcfl = rcur_u32(c);
	uint16_t plen = rcur_u16(c);
	uint8_t next = rcur_u8(c);
	(void)rcur_u8(c); /* hop limit */
	const uint8_t *src = rcur_take(c, 16);
	const uint8_t *dst = rcur_take(c, 16);

	/* A payload length of 0 is a jumbogram (RFC 2675): not DNS. */
	if (c->err || vtcfl >> 28 != 6 || plen == 0)
		return false;
	size_t have = rcur_left(c);
	struct rcur p = rcur_make(c->pos, have < plen ? have : plen);
	l->is_fragment = false;
	/* RFC 8200 4: walk the extension headers, each bounded by what was captured. */
	for (int i = 0;; i++) {
		if (i > IPV6_EXT_MAX)
			return false;
		if (next == PROTO_HOPOPTS || next == PROTO_ROUTING || next == PROTO_DSTOPTS) {
			uint8_t nh = rcur_u8(&p);
			size_t len = ((size_t)rcur_u8(&p) + 1) * 8;
			(void)rcur_take(&p, len - 2);
			next = nh;
		} else if (next == PROTO_FRAGMENT) {
			uint8_t nh = rcur_u8(&p);
			(void)rcur_u8(&p);
			uint16_t off_m = rcur_u16(&p);
			(void)rcur_u32(&p); /* identification */
			if ((off_m & 0xfff8) != 0)
				return false;
			l->is_fragment = (off_m & 1) != 0;
			next = nh;
		} else if (next == PROTO_AH) {
			uint8_t nh = rcur_u8(&p);
			size_t len = ((size_t)rcur_u8(&p) + 2) * 4; /* RFC 4302 2.2 */
			(void)rcur_take(&p, len - 2);
			next = nh;
		} else {
			break;
		}
		if (p.err)
			return false;
	}
	size_t ext = rcur_offset(&p);
	if (ext > plen)
		return false;
	l->proto = next;
	l->src.family = l->dst.family = 6;
	memcpy(l->src.a, src, 16);
	memcpy(l->dst.a, dst, 16);
	l->wire_len = (size_t)plen - ext;
	l->c = rcur_make(p.pos, rcur_left(&p));
	return true;
}

/* ---- link layers ---------------------------------------------------------------------- */

enum { NET_NONE = 0, NET_V4 = 4, NET_V6 = 6, NET_ANY };

static int
from_ethertype(uint16_t t)
{
	return t == ETHERTYPE_IPV4 ? NET_V4 : t == ETHERTYPE_IPV6 ? NET_V6 : NET_NONE;
}

/* Step over the link header; say which network layer follows (NET_ANY: by its version). */
static int
link_layer(int dlt, struct rcur *c)
{
	uint16_t type;

	switch (dlt) {
	case DLT_EN10MB:
		(void)rcur_take(c, 12); /* destination, source */
		type = rcur_u16(c);
		if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) {
			(void)rcur_u16(c); /* tag control */
			type = rcur_u16(c);
		}
		return c->err ? NET_NONE : from_ethertype(type);
	case DLT_LINUX_SLL:
		/* packet type, ARPHRD type, address length, 8 address bytes, protocol */
		(void)rcur_take(c, 14);
		type = rcur_u16(c);
		return c->err ? NET_NONE : from_ethertype(type);
	case DLT_LINUX_SLL2:
		/* protocol, reserved, ifindex, ARPHRD type, packet type, address length, address */
		type = rcur_u16(c);
		(void)rcur_take(c, 18);
		return c->err ? NET_NONE : from_ethertype(type);
	case DLT_NULL:
	case DLT_LOOP:
		/* The address family, in the capturing host's byte order (NULL) or big-endian
		 * (LOOP), and its values differ between systems: the IP version says it all. */
		(void)rcur_take(c, 4);
		return c->err ? NET_NONE : NET_ANY;
	case DLT_RAW:
		return NET_ANY;
	case DLT_IPV4:
		return NET_V4;
	case DLT_IPV6:
		return NET_V6;
	default:
		return NET_NONE;
	}
}

bool
cap_dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return true;
	default:
		return false;
	}
}

void
cap_decode(int dlt, const uint8_t *frame, size_t len, uint64_t now_ms, bool want_mdns,
	   struct cap_flows *flows, struct cap_event *out)
{
	struct rcur c = rcur_make(frame, len);
	struct l4 l;
	enum cap_kind kind = CAP_NONE;
	bool ok = false;

	event_clear(out);
	if (flows != NULL && flows->last != NULL) {
		/* The caller did not drain the last segment; its bytes are gone with its frame. */
		flows->last->in_len = 0;
		flows->last = NULL;
	}
	memset(&l, 0, sizeof(l));
	int net = link_layer(dlt, &c);
	if (net == NET_ANY && rcur_left(&c) > 0)
		net = c.pos[0] >> 4;
	if (net == NET_V4)
		ok = ipv4(&c, &l);
	else if (net == NET_V6)
		ok = ipv6(&c, &l);
	if (!ok)
		return;
	out->src.addr = l.src;
	out->dst.addr = l.dst;
	if (l.proto == PROTO_UDP)
		kind = decode_udp(&l, want_mdns, out);
	else if (l.proto == PROTO_TCP)
		kind = decode_tcp(&l, now_ms, flows, out);
	if (kind == CAP_NONE) {
		event_clear(out);
		return;
	}
	out->kind = kind;
}
