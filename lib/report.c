/* SPDX-License-Identifier: MIT */
/*
 * Hash reports filled in user space (the ebpf and user backends): a stock
 * kernel writes a 12-byte header and zero-fills the rest of a 20-byte one;
 * the hash fields are computed here with the reference (the ebpf profile:
 * the spec's rules within the steering program's bounds; Toeplitz over the
 * configured key), exactly what the steering program steers by. The filler is shared by the device's snapshots (device.h).
 */
#include <stdlib.h>

#include "backend.h"

struct tv_fill_cfg {
	struct tv_fill base; /* first: device.c sees only this */
	uint32_t types;
	enum tunvnet_l2 l2;
	struct tunvnet_toeplitz *tp;
};

static void fill_release(struct tv_fill *f)
{
	struct tv_fill_cfg *fc = (struct tv_fill_cfg *)f;

	tunvnet_toeplitz_free(fc->tp);
	free(fc);
}

int tv_fill_new(const struct tunvnet_hash_cfg *c, enum tunvnet_l2 l2, struct tv_fill **fp)
{
	struct tv_fill_cfg *fc = calloc(1, sizeof(*fc));
	bool rss = c->flags & TUNVNET_HASH_RSS;
	int err;

	if (!fc)
		return tv_err(-ENOMEM, "out of memory");
	fc->base.release = fill_release;
	fc->types = c->types;
	fc->l2 = l2;
	/* REPORT without RSS carries no key: the Microsoft key, as a kernel would use its own. */
	err = tunvnet_toeplitz_new(rss ? c->key : tunvnet_default_key(),
				   rss ? c->key_len : TUNVNET_KEY_MAX, TUNVNET_TOEPLITZ_AUTO,
				   &fc->tp);
	if (err) {
		free(fc);
		return err;
	}
	*fp = &fc->base;
	return 0;
}

void tv_fill_hdr(const struct tv_fill *f, uint8_t *hdr, const void *frame, size_t len)
{
	const struct tv_fill_cfg *fc = (const struct tv_fill_cfg *)f;
	struct tunvnet_class cls;

	if (tunvnet_classify_hash(frame, len, fc->l2, fc->types, TUNVNET_PROFILE_EBPF, fc->tp,
				  &cls) != 0 ||
	    cls.report == TUNVNET_REPORT_NONE) {
		cls.hash = 0;
		cls.report = TUNVNET_REPORT_NONE;
	}
	/* Little-endian whatever the header's legacy endianness (virtio 1.x). */
	tv_put_le32(hdr + 12, cls.hash);
	tv_put_le16(hdr + 16, (uint16_t)cls.report);
}

TUNVNET_API int tunvnet_queue_fill_hash(struct tunvnet_dev *dev, unsigned int q, void *hdr,
					size_t hdr_len, const void *frame, size_t len)
{
	const struct tv_io *io;

	tv_err_clear();
	if (!dev || !hdr || (!frame && len))
		return tv_err(-EINVAL, "tunvnet_queue_fill_hash: dev, hdr and frame must not be NULL");
	if (q >= tv_dev_nq(dev))
		return tv_err(-EINVAL, "tunvnet_queue_fill_hash: queue %u does not exist (the "
				       "device has %u)", q, tv_dev_nq(dev));
	if (hdr_len < TUNVNET_HDR_HASH_LEN)
		return 0; /* no hash fields to fill */
	io = tv_io_get(dev, q, TV_HAZ_RX);
	if (io->fill)
		tv_fill_hdr(io->fill, hdr, frame, len);
	tv_io_put(dev, q, TV_HAZ_RX);
	return 0;
}
