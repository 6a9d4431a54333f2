/* obscodec.h -- one observation as a fixed-size byte string: how the redis store keeps it.
 *
 * Pure (STYLE R2): no I/O, no clock. Every field is written on its own in network byte order,
 * never the struct's bytes, so nodes of other builds or compilers read the same thing. Layout
 * (OBSCODEC_LEN bytes, version 1):
 *
 *   off len  field
 *     0   1  version (1)
 *     1   8  time_us
 *     9  16  test id
 *    25   1  nonce length (0..ZONE_NONCE_MAX)
 *    26  20  nonce, zero-padded
 *    46   1  name        47 1 transport   48 1 family   49 1 flags
 *    50  16  addr
 *    66   2  port        68 2 qtype       70 2 edns_udp_size   72 2 node
 *    74   1  ecs_family  75 1 ecs_source_prefix
 *    76  16  ecs_addr                                             (92 bytes)
 *
 * The decoder trusts nothing: a value of another length or version, a nonce with a NUL or
 * padding that is not zero, or a field out of its range (name, transport, family, ECS family
 * and prefix) is refused, so whatever else can write to Redis cannot hand the results code an
 * observation the DNS side could never have made.
 */
#ifndef DL_OBSCODEC_H
#define DL_OBSCODEC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "observation.h"

#define OBSCODEC_VERSION 1
#define OBSCODEC_LEN 92

/* Write o into out[]. */
void obscodec_encode(const struct observation *o, uint8_t out[OBSCODEC_LEN]);

/* Read one observation; DL_E_FORMAT (o untouched) unless buf holds exactly one valid record. */
DL_MUSTCHECK int obscodec_decode(const uint8_t *buf, size_t len, struct observation *o);

#endif
