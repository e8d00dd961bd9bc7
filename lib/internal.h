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

/* Sized public structs (a leading sz) in and out: see opts.h. */
#include "opts.h"

/*
 * classify.c: tunvnet_classify_hash's fast walk (plain IPv4 without options
 * or fragments, IPv6 without extension headers, at most one 802.1Q/802.1ad
 * tag) for callers that go on to need a little of the flow. False when the
 * packet needs the full parser; its answer then is the definition. Valid
 * arguments only (types within 0x1ff, a known profile, pkt non-NULL).
 */
struct tv_fast_info {
	uint8_t l4_proto;       /* the IP protocol / next header */
	uint8_t vlan_tags;      /* 0 or 1 */
	uint16_t ethertype;     /* as tunvnet_flow.ethertype (0 for L2_IP) */
	uint8_t alen;           /* 4 or 16 */
	const uint8_t *addrs;   /* source then destination address, in the packet */
	const uint8_t *ports;   /* TCP/UDP: the 4 port bytes, in the packet; else NULL */
	unsigned int report;    /* the class's report (tv_classify_fast_report only) */
};
bool tv_classify_fast(const void *pkt, size_t len, enum tunvnet_l2 l2, uint32_t types,
		      enum tunvnet_profile profile, const struct tunvnet_toeplitz *t,
		      struct tunvnet_class *cls, struct tv_fast_info *info);
/* The same walk stopping at the report type (info->report): no class, no hash. */
bool tv_classify_fast_report(const void *pkt, size_t len, enum tunvnet_l2 l2, uint32_t types,
			     enum tunvnet_profile profile, struct tv_fast_info *info);

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
