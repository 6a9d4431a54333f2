/* capture.h -- decode one captured frame into the DNS event it carries, if any. Pure.
 *
 * dnsleak watch hands every frame libpcap gives it (link types EN10MB, LINUX_SLL, LINUX_SLL2,
 * RAW/IPV4/IPV6) to cap_decode(); it finds IPv4/IPv6, UDP or TCP, and reports: a DNS query on
 * port 53 (name in presentation form, escaped; type), a DoT connection attempt (TCP SYN to 853),
 * and, when asked, mDNS (5353) and LLMNR (5355) queries. TCP DNS messages split over segments
 * are reassembled per flow in a bounded table (struct cap_flows): old flows are evicted, and
 * every malformed or truncated frame is counted, never trusted.
 */
#ifndef DL_CAPTURE_H
#define DL_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "limits.h"

#define CAP_FLOWS_MAX 256 /* TCP flows with a partial DNS message, oldest evicted */
#define CAP_FLOW_BUF 1024 /* bytes kept per flow: a question fits in 300 */
#define CAP_SNAPLEN 1536  /* bytes captured per frame: a whole Ethernet frame with a tag */
#define CAP_SEQ_BACK_MAX (1u << 17) /* TCP data further behind a flow is a new stream */

enum cap_kind {
	CAP_NONE = 0,  /* nothing for us in this frame */
	CAP_DNS,       /* a DNS query to port 53 (UDP or TCP) */
	CAP_DOT,       /* a TCP SYN to port 853: DNS over TLS */
	CAP_MDNS,      /* a query to 5353 (only with want_mdns) */
	CAP_LLMNR,     /* a query to 5355 (only with want_mdns) */
	CAP_MALFORMED, /* a frame on a DNS port that did not decode */
};

struct cap_event {
	enum cap_kind kind;
	struct dl_endpoint src, dst;
	bool is_tcp;
	char qname[DNS_NAME_TEXT_MAX]; /* escaped presentation form; "" when none */
	uint16_t qtype;
	uint16_t id;
};

struct cap_flows; /* TCP reassembly state; opaque */

struct cap_flows *cap_flows_new(void);
void cap_flows_free(struct cap_flows *f);

/*
 * Decode one frame of link type dlt (DLT_* from pcap). now_ms orders flows for eviction.
 * flows may be NULL (no TCP reassembly: a query split over segments is then not seen, and
 * only the first of several queries in one segment is).
 *
 * len is what was captured: a frame cut short by the snap length still yields its query when
 * the question was captured (the IP length says the rest exists on the wire); a query cut in
 * its question is CAP_MALFORMED. Fragments other than the first are CAP_NONE. *out is always
 * written: kind CAP_NONE and qname "" when the frame carries nothing for us.
 */
void cap_decode(int dlt, const uint8_t *frame, size_t len, uint64_t now_ms, bool want_mdns,
		struct cap_flows *flows, struct cap_event *out);

/*
 * One TCP segment may complete several queries (RFC 7766 pipelining). After cap_decode, call
 * this until it returns false: each true is one more event (CAP_DNS or CAP_MALFORMED) from the
 * same segment. It reads the frame given to the last cap_decode, which must still be valid;
 * whatever is not drained before the next cap_decode is dropped. f may be NULL (false).
 */
bool cap_flows_next(struct cap_flows *f, struct cap_event *out);

/* TCP flows held now (at most CAP_FLOWS_MAX), for tests. */
size_t cap_flows_count(const struct cap_flows *f);

/* Whether cap_decode() knows link type dlt (anything else decodes to CAP_NONE). */
bool cap_dlt_supported(int dlt);

const char *cap_kind_name(enum cap_kind k); /* "dns", "dot", "mdns", "llmnr", "malformed" */

#endif
