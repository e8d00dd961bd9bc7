/* SPDX-License-Identifier: MIT */
/*
 * The device handle. Its state has one owner per piece (the file named
 * beside it writes it; every other file reads through the accessors below).
 * Not installed.
 *
 * Threading (see tunvnet_dev_open(3), "THREADS"): the control calls run
 * on one thread at a time; each queue has at most one reading thread
 * (tunvnet_queue_read, tunvnet_queue_fill_hash) and one writing thread
 * (tunvnet_queue_write) at a time; any mix of the two runs concurrently.
 * So that the readers never see a half-made change:
 *   - queue slots never move (a fixed array); a slot is filled before the
 *     queue count that covers it is published (release/acquire);
 *   - what a reader needs to interpret bytes (header size, endianness,
 *     packet info, the report filler's configuration) is an immutable
 *     snapshot published by pointer; a reader announces the snapshot it
 *     uses in its queue's hazard slot, and the control thread frees a
 *     replaced snapshot only once no hazard slot names it;
 *   - a header layout change is bracketed by a sequence count, so a read
 *     that overlapped one knows its frame's layout is unknown.
 */
#ifndef TUNVNET_DEVICE_H
#define TUNVNET_DEVICE_H

#include <stdbool.h>

#include "internal.h"

#define TV_PI_LEN 4 /* struct tun_pi: 2 flags + 2 protocol */
/* Queues one handle holds: MAX_TAP_QUEUES of tun and tap (macvtap allows fewer). */
#define TV_IO_QUEUES 256

/* The vnet header sizes a device may use: a struct's size, at most 24. */
static inline bool tv_hdr_sz_known(size_t sz)
{
	return sz == TUNVNET_HDR_LEGACY_LEN || sz == TUNVNET_HDR_V1_LEN ||
	       sz == TUNVNET_HDR_HASH_LEN || sz == TUNVNET_HDR_TUNNEL_LEN;
}

/*
 * What the report filler needs (report.c builds it, embedding this first).
 * Snapshots share it: refs counts them, on the control thread only (readers
 * never touch it); release runs when the last one goes.
 */
struct tv_fill {
	unsigned int refs;
	void (*release)(struct tv_fill *f);
};

/* An immutable snapshot of what a reader needs to interpret bytes. */
struct tv_io {
	int hdr_sz;                 /* 0 without IFF_VNET_HDR, else the kernel's, <= 24 */
	enum tunvnet_endian endian; /* legacy-field endianness in force */
	bool pi;                    /* frames start with the 4-byte packet info */
	struct tv_fill *fill;       /* shared (refs); NULL: reports are the kernel's (or none) */
	struct tv_io *next_retired; /* control thread only */
};

struct tv_queue {
	int fd;
	bool adopted;           /* fd handed in by the caller */
	int io_err;             /* header.c alone, this queue's reader: deferred error */
	struct tv_io *hazard[2]; /* atomic: snapshot in use by the reader [0] / writer [1] */
};
#define TV_HAZ_RX 0
#define TV_HAZ_TX 1

struct tunvnet_dev {
	/* device.c, set while opening, constant after. */
	char name[16];              /* interface name (IFNAMSIZ) */
	enum tunvnet_kind kind;
	int ifindex;
	char node[64];              /* macvtap/ipvtap: /dev/tapN, to open more queues */
	bool created;               /* this handle's TUNSETIFF created the device */

	/* device.c, control thread; atomic (readers look at them). */
	uint32_t flags;             /* TUNVNET_DEV_* in force: tv_dev_flags() */
	unsigned int nq;            /* published queues: tv_dev_nq() */
	struct tv_io *io;           /* current snapshot: tv_io_get() / tv_dev_io() */
	unsigned int layout_seq;    /* odd while a header layout change is under way */
	struct tv_io *retired;      /* replaced snapshots a reader may still hold */
	/* ifctl.c: tunvnet_dev_max_frame's last answer (0 unknown), any
	 * thread, atomic; tv_dev_max_frame_cached/_forget. */
	size_t max_frame;

	struct tv_queue q[TV_IO_QUEUES];

	/* hashcfg.c, control thread: the configuration applied, the probe;
	 * hash_release (set by hashcfg.c) frees it with the handle. */
	struct tv_hash_state *hash;
	void (*hash_release)(struct tunvnet_dev *d);
};

static inline bool tv_kind_is_vtap(enum tunvnet_kind k)
{
	return k == TUNVNET_KIND_MACVTAP || k == TUNVNET_KIND_IPVTAP;
}

/* ---- device.c: accessors; snapshot.c: the snapshot protocol ---- */

static inline uint32_t tv_dev_flags(const struct tunvnet_dev *d)
{
	return __atomic_load_n(&d->flags, __ATOMIC_RELAXED);
}

static inline unsigned int tv_dev_nq(const struct tunvnet_dev *d)
{
	return __atomic_load_n(&d->nq, __ATOMIC_ACQUIRE);
}

/* Queue q's fd; q < tv_dev_nq() (the slot was filled before the count covered it). */
static inline int tv_dev_fd(const struct tunvnet_dev *d, unsigned int q)
{
	return d->q[q].fd;
}

/* What the device's frames start with (tunvnet_dev_l2 without touching the error text). */
static inline enum tunvnet_l2 tv_dev_l2(const struct tunvnet_dev *d)
{
	if (d->kind == TUNVNET_KIND_TUN)
		return tv_dev_flags(d) & TUNVNET_DEV_PI ? TUNVNET_L2_IP_PI : TUNVNET_L2_IP;
	return TUNVNET_L2_ETH;
}

/* Control thread: the snapshot in force (it is the only writer, so no hazard). */
static inline const struct tv_io *tv_dev_io(const struct tunvnet_dev *d)
{
	return __atomic_load_n(&d->io, __ATOMIC_ACQUIRE);
}

/* Reader/writer of queue q (slot TV_HAZ_*): take and drop the snapshot. */
const struct tv_io *tv_io_get(struct tunvnet_dev *d, unsigned int q, int slot);
static inline void tv_io_put(struct tunvnet_dev *d, unsigned int q, int slot)
{
	__atomic_store_n(&d->q[q].hazard[slot], NULL, __ATOMIC_RELEASE);
}

/* The layout sequence: a read that saw it change, or odd, overlapped a change. */
static inline unsigned int tv_layout_seq(const struct tunvnet_dev *d)
{
	return __atomic_load_n(&d->layout_seq, __ATOMIC_SEQ_CST);
}

/*
 * Control thread: publish a new snapshot equal to the current one but for
 * the fill configuration (its refs start at 0; the snapshots take theirs;
 * NULL for none). Frees what no reader holds any more.
 */
int tv_dev_publish_fill(struct tunvnet_dev *d, struct tv_fill *fill);

/* Control thread: bracket a header layout change (the sequence is odd while under way). */
void tv_layout_change_begin(struct tunvnet_dev *d);
void tv_layout_change_end(struct tunvnet_dev *d);

/* tv_dev_free: free the snapshot in force and the retired ones. */
void tv_dev_snapshots_free(struct tunvnet_dev *d);

/*
 * Tests and adopters inside the library: an empty handle, a queue pushed
 * into it, and the layout published (header size, endianness, packet info).
 */
int tv_dev_alloc(struct tunvnet_dev **dp);
int tv_dev_push(struct tunvnet_dev *d, int fd, bool adopted);
int tv_dev_publish_layout(struct tunvnet_dev *d, int hdr_sz, enum tunvnet_endian e, bool pi);
void tv_dev_free(struct tunvnet_dev *d);

/*
 * device.c: a failed ioctl (errno e) on device name, worded in this
 * feature's terms: EBADFD/ENOLINK as "deleted", EPERM as CAP_NET_ADMIN.
 */
int tv_ioctl_err(const char *name, const char *what, int e);

/* ifctl.c: the cached largest frame (0 unknown); forget it after a truncation. */
size_t tv_dev_max_frame_cached(const struct tunvnet_dev *dev);
void tv_dev_max_frame_forget(struct tunvnet_dev *dev);


#endif /* TUNVNET_DEVICE_H */
