/* SPDX-License-Identifier: MIT */
/* The device handle, shared by device.c, hashcfg.c and header.c. Not installed. */
#ifndef TUNVNET_DEVICE_H
#define TUNVNET_DEVICE_H

#include <stdbool.h>

#include "internal.h"

struct tunvnet_dev {
	char name[16];              /* interface name (IFNAMSIZ) */
	enum tunvnet_kind kind;
	int ifindex;
	uint32_t flags;             /* TUNVNET_DEV_* in force */
	int vnet_hdr_sz;            /* 0 without IFF_VNET_HDR, else what the kernel has */
	enum tunvnet_endian endian; /* legacy-field endianness in force */
	char node[64];              /* macvtap/ipvtap: /dev/tapN, to open more queues */

	unsigned int nq;            /* queues */
	unsigned int cap_q;         /* allocated slots */
	int *fds;                   /* one fd per queue */
	bool *adopted;              /* fd handed in by the caller */

	/* The last hash configuration applied through this handle. */
	bool hash_set;
	struct tunvnet_hash_cfg hash;
	uint8_t hash_key[TUNVNET_KEY_MAX];
	uint16_t *hash_table;
	enum tunvnet_uapi uapi;     /* generation that answered; NONE until probed */
	bool uapi_probed;
};

#endif /* TUNVNET_DEVICE_H */
