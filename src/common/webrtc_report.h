/* webrtc_report.h -- the web page's WebRTC report: the ICE candidates the browser gathered.
 * Pure: no I/O, no clock.
 *
 * The page POSTs {"available": true, "candidates": ["candidate:...", ...]} (the
 * RTCIceCandidate.candidate strings) or {"available": false} (no RTCPeerConnection) to
 * /api/v1/tests/<id>/webrtc. The report is stored with the test's other observations, as
 * OBS_WEBRTC observations (observation.h): one marker (available, how many lines did not parse),
 * then one per distinct candidate (type, transport, address or mDNS, port). The mDNS names
 * themselves are not kept: random per browser session, they say nothing but "hidden".
 * verdict_compute() judges the candidates against the exit addresses (verdict.h).
 */
#ifndef DL_WEBRTC_REPORT_H
#define DL_WEBRTC_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "observation.h"
#include "verdict.h"

#define WEBRTC_REPORT_LINES_MAX 32 /* candidate strings in one report */
#define WEBRTC_REPORT_OBS_MAX (1 + VERDICT_CANDIDATES_MAX)

/*
 * Parse a report body into *out (reported set; duplicates merged; an empty string -- the end of
 * candidates -- skipped; a line that does not parse counted in skipped). DL_E_OK, or DL_E_FORMAT
 * with err saying what is wrong (not JSON, not an object, "available" missing or not a
 * boolean, "candidates" not an array of strings) or DL_E_FULL (more than
 * WEBRTC_REPORT_LINES_MAX lines). err is ASCII and never quotes the body.
 */
DL_MUSTCHECK enum dl_err webrtc_report_parse(const char *body, size_t len,
					     struct verdict_webrtc *out, char *err, size_t err_len);

/* The observations that store report w for test id: returns how many (<= WEBRTC_REPORT_OBS_MAX). */
size_t webrtc_report_observations(const struct verdict_webrtc *w, const uint8_t id[TESTID_LEN],
				  uint64_t now_us, uint16_t node,
				  struct observation out[static WEBRTC_REPORT_OBS_MAX]);

/* True when obs[0..n) holds a report already (one per test). */
bool webrtc_report_seen(const struct observation *obs, size_t n);

/* The report among obs[0..n) (the first marker and the candidates after it), nets empty. */
void webrtc_report_summarize(const struct observation *obs, size_t n, struct verdict_webrtc *out);

#endif
