/* SPDX-License-Identifier: MIT */
/* The device handle, shared by device.c, hashcfg.c and header.c. Not installed. */
#ifndef TUNVNET_DEVICE_H
#define TUNVNET_DEVICE_H

#include <stdbool.h>

#include "internal.h"

#define TV_PI_LEN 4 /* struct tun_pi: 2 flags + 2 protocol */

/*
 * The vnet header sizes header.c can parse: a struct's size, or 24 and more
 * (the kernel would take any size from 10 on, but reads would then fail).
 */
static inline bool tv_hdr_sz_known(size_t sz)
{
	return sz == TUNVNET_HDR_LEGACY_LEN || sz == TUNVNET_HDR_V1_LEN ||
	       sz == TUNVNET_HDR_HASH_LEN || sz >= TUNVNET_HDR_TUNNEL_LEN;
}

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
	struct tunvnet_caps caps;   /* hashcfg.c: what the probe found (valid once uapi_probed) */
	int caps_err;               /* hashcfg.c: the probe's result, 0 or -errno */

	/* device.c: this handle's TUNSETIFF created the device (offloads are
	 * then known to be off; see tunvnet_dev_max_frame). */
	bool created;
	/* tunvnet_dev_max_frame's last answer, so reads need no syscalls to
	 * check buffers; 0 unknown. Readers of several queues share it, hence
	 * __atomic access. A read that finds a frame cut short clears it. */
	size_t max_frame;

	/* header.c: per queue (each written only by that queue's reader), a
	 * read error met mid-batch after packets were already returned; the
	 * next tunvnet_queue_read on that queue reports it. 256 is
	 * MAX_TAP_QUEUES of tun and tap. */
#define TV_IO_QUEUES 256
	int io_err[TV_IO_QUEUES];
};

/*
 * device.c: a failed ioctl (errno e) on device name, worded in this
 * feature's terms: EBADFD/ENOLINK as "deleted", EPERM as CAP_NET_ADMIN.
 */
int tv_ioctl_err(const char *name, const char *what, int e);

#endif /* TUNVNET_DEVICE_H */
