/* limits.h -- every bound on untrusted input and on memory, in one place.
 *
 * Defaults that an operator can change in the config are marked "default"; the rest are hard
 * limits of the wire formats or of our fixed buffers.
 */
#ifndef DL_LIMITS_H
#define DL_LIMITS_H

#define DNS_NAME_MAX 255       /* RFC 1035 2.3.4, wire octets including the root */
#define DNS_LABEL_MAX 63       /* RFC 1035 2.3.4 */
#define DNS_LABELS_MAX 128     /* a 255-octet name holds at most 127 labels + root */
#define DNS_NAME_TEXT_MAX 1024 /* presentation form: every octet may become \DDD */
#define DNS_UDP_MIN 512        /* RFC 1035 payload without EDNS */
#define DNS_UDP_MAX 1232       /* EDNS payload we advertise and honour (DNS flag day 2020) */
#define DNS_TCP_MAX 65535      /* RFC 1035 4.2.2 length prefix */
#define DNS_TCP_QUERY_MAX 4096 /* longest query we read on TCP; a question is < 300 bytes */
#define DNS_RR_MAX 64          /* records we parse in the answer/authority/additional sections */
#define DNS_BATCH 64           /* recvmmsg/sendmmsg batch per UDP worker */

#define ZONE_NS_MAX 8     /* --ns names */
#define ZONE_ADDRS_MAX 8  /* addresses per family for one name (glue, web front) */
#define ZONE_NONCE_MAX 20 /* probe nonce characters */

#define CONFIG_LISTEN_MAX 16 /* --dns and --http addresses each */
#define CONFIG_LINE_MAX 1024 /* config file line */

#define TCP_CONN_MAX 256   /* default: simultaneous DNS TCP connections */
#define TCP_IDLE_MS 10000  /* default: RFC 7766 6.2.3 idle timeout */
#define TCP_WBUF_MAX 16384 /* pending response bytes per TCP connection */

#define RING_SLOTS 65536        /* observations queued per DNS thread before the store drains */
#define STORE_TESTS_MAX 65536   /* default: live tests */
#define STORE_OBS_PER_TEST 1000 /* default: observations kept per test (DESIGN.md 4) */
#define STORE_BYTES_MAX (256u * 1024 * 1024) /* default: memory for all observations */
#define TEST_TTL_S 600                       /* default: a test lives 10 minutes */

#define HTTP_CONN_MAX 512   /* default: simultaneous HTTP connections */
#define HTTP_CONN_PER_IP 32 /* default: HTTP connections per client address */
#define HTTP_TIMEOUT_S 10   /* idle HTTP connection timeout */
#define HTTP_CONN_MEM 32768 /* libmicrohttpd memory per connection (request + headers) */
#define HTTP_BODY_MAX 16384 /* a request body: the page's WebRTC report (32 candidates) */

#endif
