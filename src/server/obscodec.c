/* obscodec.c -- observation <-> fixed-size bytes (obscodec.h has the layout). */
#include "obscodec.h"

#include <stdbool.h>
#include <string.h>

#include "cursor.h"

static void
wcur_u64(struct wcur *w, uint64_t v)
{
	wcur_u32(w, (uint32_t)(v >> 32));
	wcur_u32(w, (uint32_t)v);
}

void
obscodec_encode(const struct observation *o, uint8_t out[OBSCODEC_LEN])
{
	struct wcur w = wcur_make(out, OBSCODEC_LEN);
	uint8_t nonce[ZONE_NONCE_MAX] = { 0 };
	size_t nlen = strnlen(o->nonce, ZONE_NONCE_MAX);

	memcpy(nonce, o->nonce, nlen);
	wcur_u8(&w, OBSCODEC_VERSION);
	wcur_u64(&w, o->time_us);
	wcur_bytes(&w, o->id, TESTID_LEN);
	wcur_u8(&w, (uint8_t)nlen);
	wcur_bytes(&w, nonce, sizeof(nonce));
	wcur_u8(&w, o->name);
	wcur_u8(&w, o->transport);
	wcur_u8(&w, o->family);
	wcur_u8(&w, o->flags);
	wcur_bytes(&w, o->addr, sizeof(o->addr));
	wcur_u16(&w, o->port);
	wcur_u16(&w, o->qtype);
	wcur_u16(&w, o->edns_udp_size);
	wcur_u16(&w, o->node);
	wcur_u8(&w, o->ecs_family);
	wcur_u8(&w, o->ecs_source_prefix);
	wcur_bytes(&w, o->ecs_addr, sizeof(o->ecs_addr));
}

static uint64_t
rcur_u64(struct rcur *c)
{
	uint64_t hi = rcur_u32(c);

	return hi << 32 | rcur_u32(c);
}

static void
rcur_copy(struct rcur *c, void *dst, size_t n)
{
	const uint8_t *p = rcur_take(c, n);

	if (p != NULL)
		memcpy(dst, p, n);
}

/* Family 0 (none: WebRTC mDNS or the marker), 4 or 6. */
static bool
family_ok(uint8_t f)
{
	return f == 0 || f == 4 || f == 6;
}

int
obscodec_decode(const uint8_t *buf, size_t len, struct observation *out)
{
	struct rcur c = rcur_make(buf, len);
	struct observation o;
	uint8_t nonce[ZONE_NONCE_MAX];

	if (len != OBSCODEC_LEN || rcur_u8(&c) != OBSCODEC_VERSION)
		return DL_E_FORMAT;
	memset(&o, 0, sizeof(o));
	o.time_us = rcur_u64(&c);
	rcur_copy(&c, o.id, TESTID_LEN);
	uint8_t nlen = rcur_u8(&c);
	rcur_copy(&c, nonce, sizeof(nonce));
	o.name = rcur_u8(&c);
	o.transport = rcur_u8(&c);
	o.family = rcur_u8(&c);
	o.flags = rcur_u8(&c);
	rcur_copy(&c, o.addr, sizeof(o.addr));
	o.port = rcur_u16(&c);
	o.qtype = rcur_u16(&c);
	o.edns_udp_size = rcur_u16(&c);
	o.node = rcur_u16(&c);
	o.ecs_family = rcur_u8(&c);
	o.ecs_source_prefix = rcur_u8(&c);
	rcur_copy(&c, o.ecs_addr, sizeof(o.ecs_addr));
	if (c.err || rcur_left(&c) != 0)
		return DL_E_FORMAT;

	if (nlen > ZONE_NONCE_MAX || memchr(nonce, '\0', nlen) != NULL)
		return DL_E_FORMAT;
	for (size_t i = nlen; i < sizeof(nonce); i++)
		if (nonce[i] != 0)
			return DL_E_FORMAT;
	memcpy(o.nonce, nonce, nlen);
	o.nonce[nlen] = '\0';

	if (o.name < OBS_PROBE || o.name > OBS_CAND_RELAY)
		return DL_E_FORMAT;
	if (o.transport < OBS_UDP || o.transport > OBS_WEBRTC)
		return DL_E_FORMAT;
	if (!family_ok(o.family) || !family_ok(o.ecs_family))
		return DL_E_FORMAT;
	if (o.ecs_source_prefix > (o.ecs_family == 6 ? 128 : o.ecs_family == 4 ? 32 : 0))
		return DL_E_FORMAT;
	*out = o;
	return DL_E_OK;
}
