/* SPDX-License-Identifier: MIT */
/*
 * Our own copies of the tun/tap ioctl uAPI: the classic calls and both
 * generations of the (unmerged) virtio-net hashing series. System headers
 * may lack the series or carry only one generation, so nothing here comes
 * from <linux/if_tun.h>; every number is checked against the values the
 * series and the kernel publish.
 */
#ifndef TUNVNET_UAPI_H
#define TUNVNET_UAPI_H

#include <stdint.h>
#include <sys/ioctl.h>

/* TUNSETIFF flags (ifr_flags). */
#define TV_IFF_TUN 0x0001
#define TV_IFF_TAP 0x0002
#define TV_IFF_NAPI 0x0010
#define TV_IFF_NAPI_FRAGS 0x0020
#define TV_IFF_NO_CARRIER 0x0040
#define TV_IFF_MULTI_QUEUE 0x0100
#define TV_IFF_ATTACH_QUEUE 0x0200
#define TV_IFF_DETACH_QUEUE 0x0400
#define TV_IFF_PERSIST 0x0800
#define TV_IFF_NO_PI 0x1000
#define TV_IFF_ONE_QUEUE 0x2000
#define TV_IFF_VNET_HDR 0x4000
#define TV_IFF_TUN_EXCL 0x8000

/* Classic tun ioctls. */
#define TV_TUNSETIFF _IOW('T', 202, int)
#define TV_TUNSETPERSIST _IOW('T', 203, int)
#define TV_TUNSETOWNER _IOW('T', 204, int)
#define TV_TUNSETGROUP _IOW('T', 206, int)
#define TV_TUNGETFEATURES _IOR('T', 207, unsigned int)
#define TV_TUNSETOFFLOAD _IOW('T', 208, unsigned int)
#define TV_TUNGETIFF _IOR('T', 210, unsigned int)
#define TV_TUNGETVNETHDRSZ _IOR('T', 215, int)
#define TV_TUNSETVNETHDRSZ _IOW('T', 216, int)
#define TV_TUNSETQUEUE _IOW('T', 217, int)
#define TV_TUNSETVNETLE _IOW('T', 220, int)
#define TV_TUNGETVNETLE _IOR('T', 221, int)
#define TV_TUNSETVNETBE _IOW('T', 222, int)
#define TV_TUNGETVNETBE _IOR('T', 223, int)
#define TV_TUNSETSTEERINGEBPF _IOR('T', 224, int)

_Static_assert(TV_TUNSETIFF == 0x400454ca, "TUNSETIFF");
_Static_assert(TV_TUNSETPERSIST == 0x400454cb, "TUNSETPERSIST");
_Static_assert(TV_TUNSETOWNER == 0x400454cc, "TUNSETOWNER");
_Static_assert(TV_TUNSETGROUP == 0x400454ce, "TUNSETGROUP");
_Static_assert(TV_TUNGETFEATURES == 0x800454cf, "TUNGETFEATURES");
_Static_assert(TV_TUNSETOFFLOAD == 0x400454d0, "TUNSETOFFLOAD");
_Static_assert(TV_TUNGETIFF == 0x800454d2, "TUNGETIFF");
_Static_assert(TV_TUNGETVNETHDRSZ == 0x800454d7, "TUNGETVNETHDRSZ");
_Static_assert(TV_TUNSETVNETHDRSZ == 0x400454d8, "TUNSETVNETHDRSZ");
_Static_assert(TV_TUNSETQUEUE == 0x400454d9, "TUNSETQUEUE");
_Static_assert(TV_TUNSETVNETLE == 0x400454dc, "TUNSETVNETLE");
_Static_assert(TV_TUNGETVNETLE == 0x800454dd, "TUNGETVNETLE");
_Static_assert(TV_TUNSETVNETBE == 0x400454de, "TUNSETVNETBE");
_Static_assert(TV_TUNGETVNETBE == 0x800454df, "TUNGETVNETBE");
_Static_assert(TV_TUNSETSTEERINGEBPF == 0x800454e0, "TUNSETSTEERINGEBPF");

/* ---- Generation A: series v3..v11 ---- */

/* The fixed head of TUNGETVNETHASHCAP / TUNSETVNETHASH (native endian). */
struct tv_tun_vnet_hash {
	uint16_t flags;
	uint8_t pad[2];
	uint32_t types;
};
/* Follows the head when flags has TV_TUN_VNET_HASH_RSS; then u16 table[mask + 1], then the key. */
struct tv_tun_vnet_hash_rss {
	uint16_t indirection_table_mask;
	uint16_t unclassified_queue;
};
#define TV_TUN_VNET_HASH_REPORT 0x0001
#define TV_TUN_VNET_HASH_RSS 0x0002

#define TV_TUNGETVNETHASHCAP _IOR('T', 228, struct tv_tun_vnet_hash)
#define TV_TUNSETVNETHASH _IOW('T', 229, struct tv_tun_vnet_hash)

_Static_assert(sizeof(struct tv_tun_vnet_hash) == 8, "struct tun_vnet_hash is 8 bytes");
_Static_assert(sizeof(struct tv_tun_vnet_hash_rss) == 4, "struct tun_vnet_hash_rss is 4 bytes");
_Static_assert(TV_TUNGETVNETHASHCAP == 0x800854e4, "TUNGETVNETHASHCAP");
_Static_assert(TV_TUNSETVNETHASH == 0x400854e5, "TUNSETVNETHASH");

/* ---- Generation B: series v12 ---- */

/* Head of TUNSETVNETREPORTINGRSS / TUNSETVNETRSS; then u16 table[mask + 1], then the key. */
struct tv_tun_vnet_rss {
	uint32_t hash_types;
	uint16_t indirection_table_mask;
	uint16_t unclassified_queue;
};

/* v12 declares the setters with _IOR although they read from user space. */
#define TV_TUNGETVNETHASHTYPES _IOR('T', 228, uint32_t)
#define TV_TUNSETVNETREPORTINGAUTOMQ _IOR('T', 229, uint32_t)
#define TV_TUNSETVNETREPORTINGRSS _IOR('T', 230, struct tv_tun_vnet_rss)
#define TV_TUNSETVNETRSS _IOR('T', 231, struct tv_tun_vnet_rss)

_Static_assert(sizeof(struct tv_tun_vnet_rss) == 8, "struct tun_vnet_rss is 8 bytes");
_Static_assert(TV_TUNGETVNETHASHTYPES == 0x800454e4, "TUNGETVNETHASHTYPES");
_Static_assert(TV_TUNSETVNETREPORTINGAUTOMQ == 0x800454e5, "TUNSETVNETREPORTINGAUTOMQ");
_Static_assert(TV_TUNSETVNETREPORTINGRSS == 0x800854e6, "TUNSETVNETREPORTINGRSS");
_Static_assert(TV_TUNSETVNETRSS == 0x800854e7, "TUNSETVNETRSS");

/* Both generations use the same size field, so A's and B's numbers never collide. */
_Static_assert(TV_TUNGETVNETHASHCAP != TV_TUNGETVNETHASHTYPES, "A and B probes differ");

/* tun's own char device: /dev/net/tun is misc 10:200. */
#define TV_TUN_MAJOR 10
#define TV_TUN_MINOR 200

/* Bytes of key the encoders always write (the key is last, so the kernel
 * ignores anything past what it reads; see hashcfg.c). */
#define TV_KEY_WRITE_LEN 40

#endif /* TUNVNET_UAPI_H */
