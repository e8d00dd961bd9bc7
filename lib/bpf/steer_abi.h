/* SPDX-License-Identifier: MIT */
/*
 * Private: what the steering program (steer.bpf.c) and its loader
 * (steer_prog.c) agree on. Included by both, so only fixed-size types.
 */
#ifndef TUNVNET_STEER_ABI_H
#define TUNVNET_STEER_ABI_H

#include <linux/types.h>

/* Toeplitz input bytes: IPv6 source, destination, ports. */
#define TV_STEER_KEY_ROWS 36
/* Entries the slot's table holds: a le16 mask + 1. */
#define TV_STEER_TABLE_LEN 65536

/* enum tunvnet_l2 values, as the program's l2 constant. */
#define TV_STEER_L2_ETH 0
#define TV_STEER_L2_IP 1
#define TV_STEER_L2_IP_PI 2

/*
 * One configuration slot (the value of a one-entry array map). The loader
 * fills a slot no program can be reading, then points the active map at it.
 */
struct tv_steer_slot {
	__u32 types;        /* TUNVNET_HASH_TYPE_* */
	__u32 mask;         /* table length - 1 */
	__u32 unclassified; /* queue for REPORT_NONE */
	__u32 pad;
	/* key[i][b]: the Toeplitz hash of byte b at input position i (computed once per key). */
	__u32 key[TV_STEER_KEY_ROWS][256];
	__u16 table[TV_STEER_TABLE_LEN];
};

#endif /* TUNVNET_STEER_ABI_H */
