/* SPDX-License-Identifier: MIT */
/*
 * The backends behind tunvnet_dev_set_hash, as hashcfg.c (which validates
 * and chooses) calls them. One file each: backend_kernel.c (the series),
 * backend_ebpf.c (our steering program), report.c (reports filled on read,
 * for ebpf and user). Not installed.
 */
#ifndef TUNVNET_BACKEND_H
#define TUNVNET_BACKEND_H

#include "device.h"

#define TV_HASH_ON (TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS) /* what a backend is told */

/* hashcfg.c: a caller's cfg (any size) into a full one; the rules no device needs. */
int tv_hash_cfg_in(struct tunvnet_hash_cfg *dst, const struct tunvnet_hash_cfg *cfg);
int tv_hash_validate_shape(const struct tunvnet_hash_cfg *c, unsigned int num_queues);

/* ---- backend_kernel.c ---- */
/* caps->sz is usable. */
int tv_caps_check_arg(const struct tunvnet_caps *caps);
/* Probe fd (a tun or tap fd): fills c; -EOPNOTSUPP (with the message) without the series. */
int tv_kernel_probe_fd(int fd, struct tunvnet_caps *c);
/* The message of a kernel without the series; returns err. */
int tv_kernel_missing(int err);
/* The exact ioctl argument of generation uapi for a validated c (tunvnet_hash_cfg_encode(3)). */
int tv_kernel_encode(enum tunvnet_uapi uapi, const struct tunvnet_hash_cfg *c,
		     unsigned long *request, uint8_t *buf, size_t buf_len);
/* Encode c for uapi and apply it on the device. */
int tv_kernel_apply(struct tunvnet_dev *dev, enum tunvnet_uapi uapi,
		    const struct tunvnet_hash_cfg *c);

/* ---- backend_ebpf.c: our steering program on a tun/tap ---- */
struct tv_ebpf;
/* Load the program for this device (tun/tap only): 0, or -errno naming why not. */
int tv_ebpf_load(const struct tunvnet_dev *dev, struct tv_ebpf **ep);
/* Configure it with c (validated, RSS on) and attach it (TUNSETSTEERINGEBPF). */
int tv_ebpf_apply(struct tunvnet_dev *dev, struct tv_ebpf *e, const struct tunvnet_hash_cfg *c);
/*
 * Detach whatever steering program the device has (TUNSETSTEERINGEBPF -1):
 * also one an earlier handle attached. 0 when there is none or the kernel
 * has no steering hook.
 */
int tv_ebpf_detach(struct tunvnet_dev *dev);
void tv_ebpf_free(struct tv_ebpf *e);

/* ---- report.c: reports filled on read ---- */
/*
 * The filler for c (REPORT on) on a device whose frames start as l2 says:
 * the reference classifier, the ebpf profile, Toeplitz over c's key (the
 * Microsoft key when c has none: REPORT without RSS carries no key).
 */
int tv_fill_new(const struct tunvnet_hash_cfg *c, enum tunvnet_l2 l2, struct tv_fill **fp);
/* Fill hash_value/hash_report of hdr (hdr_len >= 20) for frame. */
void tv_fill_hdr(const struct tv_fill *f, uint8_t *hdr, const void *frame, size_t len);

#endif /* TUNVNET_BACKEND_H */
