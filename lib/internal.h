/* SPDX-License-Identifier: MIT */
/* Private helpers shared by the library's modules. Not installed. */
#ifndef TUNVNET_INTERNAL_H
#define TUNVNET_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "tunvnet/tunvnet.h"

#define TV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Record a detailed message for tunvnet_last_error() and return err (a
 * negative errno), so a failure reads: return tv_err(-EINVAL, "why", ...).
 */
int tv_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Forget the last message (called on entry of public functions that can fail). */
void tv_err_clear(void);

/*
 * An options struct whose first member is its size: accept any size the
 * caller was built with, treating members it does not have as zero.
 * Copies min(dst_sz, its sz) bytes into a zeroed dst (a NULL src leaves
 * it zeroed). -EINVAL when its sz is below min_sz; -E2BIG when the
 * caller's struct is larger than ours and its extra bytes are not zero.
 */
int tv_opts_copy(void *dst, size_t dst_sz, const void *src, size_t min_sz);
/*
 * The other way: copy our src (src_sz bytes) out into a caller's struct of
 * the size its first member says (at least that member), as far as both
 * go; that size stays as the caller set it.
 */
void tv_opts_out(void *dst, const void *src, size_t src_sz);

/* Unaligned, explicit-endian loads and stores: packet data is untrusted bytes. */
static inline uint16_t tv_get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint16_t tv_get_le16(const uint8_t *p) { return (uint16_t)(p[1] << 8 | p[0]); }
static inline uint32_t tv_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint32_t tv_get_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static inline void tv_put_be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static inline void tv_put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = v >> 8; }
static inline void tv_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void tv_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

#endif /* TUNVNET_INTERNAL_H */
