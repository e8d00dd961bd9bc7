/* SPDX-License-Identifier: MIT */
/* Test frame builder for the VM suite: Ethernet / IPv4 / IPv6 frames with
 * the shapes the workload needs, each carrying a unique id in a trailer. */
#ifndef TUNVNET_VM_FRAMES_H
#define TUNVNET_VM_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FR_MAX 1600
#define FR_ID_MAGIC 0x54564944u /* "TVID": trailer magic, then the be32 id */
#define FR_ID_LEN 8

enum fr_l3 { FR_NONIP = 0, FR_IPV4 = 4, FR_IPV6 = 6 };

/* IPv6 extension headers, in the order listed in spec.ext[]. */
enum fr_ext {
	FR_EXT_END = 0,
	FR_EXT_HOP,     /* Hop-by-Hop options (PadN) */
	FR_EXT_DST,     /* Destination Options (PadN) */
	FR_EXT_DST_HAO, /* Destination Options with a Home Address option */
	FR_EXT_RT2,     /* Routing header type 2 (one address) */
	FR_EXT_FRAG,    /* Fragment header: frag_off / more from the spec */
};

/* Tunnels: the outer packet's payload is a tunnel header and fr_spec.inner. */
enum fr_tun {
	FR_TUN_NONE = 0,
	FR_TUN_GRE,  /* protocol 47: gre_flags, gre_proto, key / seq, PPP for version 1 */
	FR_TUN_IPIP, /* protocol 4 (inner IPv4) or 41 (inner IPv6) */
};

struct fr_spec {
	enum fr_l3 l3;
	uint16_t ethertype;   /* non-IP frames */
	uint8_t proto;        /* final L4 protocol */
	uint8_t src[16], dst[16];
	uint8_t hao[16], rt2[16];
	uint16_t sport, dport;
	unsigned int v4_opt_len; /* IPv4 options bytes, multiple of 4, <= 40 */
	uint16_t frag_off;    /* in 8-byte units (IPv4 and the IPv6 fragment header) */
	bool more_frags;      /* MF */
	enum fr_ext ext[6];   /* IPv6 extension chain, FR_EXT_END-terminated */
	unsigned int l4_len;  /* bytes of L4 header actually present (0: full) */
	unsigned int vlan_tags; /* 0..2 (Ethernet only): 802.1ad outer, 802.1Q inner */
	uint16_t vlan_tag_id; /* inner tag's VLAN id (0: derived from id) */
	unsigned int pad;     /* extra payload bytes */
	uint32_t id;
	enum fr_tun tun;      /* sets proto (47, 4 or 41) */
	uint16_t gre_flags;   /* C 0x8000, K 0x2000, S 0x1000, A 0x0080, version 0..7 */
	uint16_t gre_proto;   /* 0: from the inner packet (0x6558 with inner_eth) */
	uint32_t gre_key;
	uint16_t ppp_proto;   /* version 1: a PPP header (ff 03, this) before the inner */
	bool inner_eth;       /* the inner packet has an Ethernet header */
	const struct fr_spec *inner; /* built with the same id trailer, which ends both */
};

/*
 * Build the frame: with eth, a 14-byte Ethernet header (dst, src MACs) and
 * tags first; else the bare IP packet (tun). The id trailer ends the IP
 * payload (non-IP: the frame). Returns the length.
 */
size_t fr_build(const struct fr_spec *s, bool eth, const uint8_t dmac[6], const uint8_t smac[6],
		uint8_t *buf, size_t cap);

/* Find the id trailer at the end of an IP payload or a frame; -1 if none. */
int64_t fr_find_id(const uint8_t *frame, size_t len);

/* The series' test addresses. */
void fr_series_v4(struct fr_spec *s, uint8_t proto);
void fr_series_v6(struct fr_spec *s, uint8_t proto);

/* Deterministic PRNG for flows. */
uint32_t fr_rand(uint64_t *state);

#endif
