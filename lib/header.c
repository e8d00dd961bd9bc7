/* SPDX-License-Identifier: MIT */
/*
 * The vnet header (struct virtio_net_hdr and its longer forms) and the
 * batched packet read/write on a queue fd.
 *
 * Layout, by offset (no kernel header: newer ones split hash_value):
 *   0 flags u8, 1 gso_type u8, 2 hdr_len, 4 gso_size, 6 csum_start,
 *   8 csum_offset, 10 num_buffers (12+)       -- __virtio16: queue endianness
 *   12 hash_value le32, 16 hash_report le16, 18 padding le16 (20+)
 *   20 outer_th_offset le16, 22 inner_nh_offset le16 (24, mainline 6.17+)
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backend.h"

static bool endian_ok(enum tunvnet_endian endian)
{
	return endian == TUNVNET_ENDIAN_NATIVE || endian == TUNVNET_ENDIAN_LE ||
	       endian == TUNVNET_ENDIAN_BE;
}

static uint16_t get_v16(const uint8_t *p, enum tunvnet_endian endian)
{
	uint16_t v;

	if (endian == TUNVNET_ENDIAN_LE)
		return tv_get_le16(p);
	if (endian == TUNVNET_ENDIAN_BE)
		return tv_get_be16(p);
	memcpy(&v, p, sizeof(v)); /* NATIVE: host order, p may be unaligned */
	return v;
}

static void put_v16(uint8_t *p, uint16_t v, enum tunvnet_endian endian)
{
	if (endian == TUNVNET_ENDIAN_LE)
		tv_put_le16(p, v);
	else if (endian == TUNVNET_ENDIAN_BE)
		tv_put_be16(p, v);
	else
		memcpy(p, &v, sizeof(v));
}

/*
 * The layout a header size carries: the longest known struct that fits.
 * The kernel accepts any TUNSETVNETHDRSZ >= 10 and zero-pads past the
 * struct it fills, so e.g. 16 holds a 12-byte header. 0 below 10.
 */
static size_t layout_of(size_t hdr_sz)
{
	if (hdr_sz >= TUNVNET_HDR_TUNNEL_LEN)
		return TUNVNET_HDR_TUNNEL_LEN;
	if (hdr_sz >= TUNVNET_HDR_HASH_LEN)
		return TUNVNET_HDR_HASH_LEN;
	if (hdr_sz >= TUNVNET_HDR_V1_LEN)
		return TUNVNET_HDR_V1_LEN;
	if (hdr_sz >= TUNVNET_HDR_LEGACY_LEN)
		return TUNVNET_HDR_LEGACY_LEN;
	return 0;
}

/* tunvnet_hdr_parse/build take a known endianness and only the sizes that name a struct. */
static int check_format(size_t hdr_sz, enum tunvnet_endian endian)
{
	if (!endian_ok(endian))
		return tv_err(-EINVAL, "unknown vnet header endianness %d", (int)endian);
	/* A buffer, not a device: a longer header parses as 24 and ignores the rest. */
	if (tv_hdr_sz_known(hdr_sz) || hdr_sz > TUNVNET_HDR_MAX_LEN)
		return 0;
	return tv_err(-EINVAL, "vnet header size %zu is not one of 10 (legacy), 12 (v1), "
			       "20 (v1_hash) or 24 and more (v1_hash_tunnel)", hdr_sz);
}

static void parse_layout(const uint8_t *p, size_t layout, enum tunvnet_endian endian,
			 struct tunvnet_hdr *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	if (layout < TUNVNET_HDR_LEGACY_LEN)
		return;
	hdr->flags = p[0];
	hdr->gso_type = p[1];
	hdr->hdr_len = get_v16(p + 2, endian);
	hdr->gso_size = get_v16(p + 4, endian);
	hdr->csum_start = get_v16(p + 6, endian);
	hdr->csum_offset = get_v16(p + 8, endian);
	if (layout >= TUNVNET_HDR_V1_LEN)
		hdr->num_buffers = get_v16(p + 10, endian);
	if (layout >= TUNVNET_HDR_HASH_LEN) {
		/* le32/le16 in the uAPI whatever TUNSETVNETLE/BE says */
		hdr->hash_value = tv_get_le32(p + 12);
		hdr->hash_report = tv_get_le16(p + 16);
		hdr->padding = tv_get_le16(p + 18);
	}
	if (layout >= TUNVNET_HDR_TUNNEL_LEN) {
		hdr->outer_th_offset = tv_get_le16(p + 20);
		hdr->inner_nh_offset = tv_get_le16(p + 22);
	}
}

/* Writes exactly hdr_sz bytes: the layout's fields, zeros after them. */
static void build_layout(const struct tunvnet_hdr *hdr, size_t hdr_sz,
			 enum tunvnet_endian endian, uint8_t *p)
{
	size_t layout = layout_of(hdr_sz);

	memset(p, 0, hdr_sz);
	if (!hdr || layout < TUNVNET_HDR_LEGACY_LEN)
		return;
	p[0] = hdr->flags;
	p[1] = hdr->gso_type;
	put_v16(p + 2, hdr->hdr_len, endian);
	put_v16(p + 4, hdr->gso_size, endian);
	put_v16(p + 6, hdr->csum_start, endian);
	put_v16(p + 8, hdr->csum_offset, endian);
	if (layout >= TUNVNET_HDR_V1_LEN)
		put_v16(p + 10, hdr->num_buffers, endian);
	if (layout >= TUNVNET_HDR_HASH_LEN) {
		tv_put_le32(p + 12, hdr->hash_value);
		tv_put_le16(p + 16, hdr->hash_report);
		tv_put_le16(p + 18, hdr->padding);
	}
	if (layout >= TUNVNET_HDR_TUNNEL_LEN) {
		tv_put_le16(p + 20, hdr->outer_th_offset);
		tv_put_le16(p + 22, hdr->inner_nh_offset);
	}
}

TUNVNET_API int tunvnet_hdr_parse(const void *buf, size_t len, size_t hdr_sz,
				  enum tunvnet_endian endian, struct tunvnet_hdr *hdr)
{
	int err;

	tv_err_clear();
	if (!buf || !hdr)
		return tv_err(-EINVAL, "tunvnet_hdr_parse: buf and hdr must not be NULL");
	err = check_format(hdr_sz, endian);
	if (err)
		return err;
	if (len < hdr_sz)
		return tv_err(-EMSGSIZE, "%zu bytes cannot hold a %zu-byte vnet header", len,
			      hdr_sz);
	parse_layout(buf, layout_of(hdr_sz), endian, hdr);
	return 0;
}

TUNVNET_API int tunvnet_hdr_build(const struct tunvnet_hdr *hdr, size_t hdr_sz,
				  enum tunvnet_endian endian, void *buf, size_t len)
{
	int err;

	tv_err_clear();
	if (!buf)
		return tv_err(-EINVAL, "tunvnet_hdr_build: buf must not be NULL");
	err = check_format(hdr_sz, endian);
	if (err)
		return err;
	if (len < hdr_sz)
		return tv_err(-EMSGSIZE, "a %zu-byte vnet header does not fit in %zu bytes",
			      hdr_sz, len);
	build_layout(hdr, hdr_sz, endian, buf); /* hdr NULL: all zero */
	return 0;
}

/* ------------------------------------------------------------------ */
/* Packet IO                                                           */
/* ------------------------------------------------------------------ */

/* Every header fits: sizes are capped at TUNVNET_HDR_MAX_LEN. */
#define HDR_BUF TUNVNET_HDR_MAX_LEN

static int check_queue(struct tunvnet_dev *dev, unsigned int q, const char *fn)
{
	unsigned int nq;

	if (!dev)
		return tv_err(-EINVAL, "%s: dev must not be NULL", fn);
	nq = tv_dev_nq(dev);
	if (q >= nq || tv_dev_fd(dev, q) < 0)
		return tv_err(-EINVAL, "%s: queue %u does not exist (the device has %u)", fn, q, nq);
	return 0;
}

/*
 * Returns 1 if the read side has data now, 0 if not (or only an error
 * condition, which the next read reports), -errno if poll fails. With
 * wait, blocks until there is something to read or an error to report.
 */
static int ready(int fd, bool wait)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, wait ? -1 : 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r > 0 && (pfd.revents & (wait ? POLLIN | POLLERR | POLLHUP : POLLIN));
}

/* A failure met after packets were already handed back: kept for the next call on this queue. */
static void defer_error(struct tunvnet_dev *dev, unsigned int q, int err)
{
	dev->q[q].io_err = err;
}

static int deferred_error(struct tunvnet_dev *dev, unsigned int q)
{
	int err = dev->q[q].io_err;

	if (!err)
		return 0;
	dev->q[q].io_err = 0;
	if (err == -EMSGSIZE)
		return tv_err(err, "queue %u of %s: during the previous batch a frame longer "
				   "than its buffer was truncated by the kernel and dropped",
			      q, dev->name);
	if (err == -ESTALE)
		return tv_err(err, "queue %u of %s: during the previous batch the vnet header "
				   "layout changed under a read; that frame was dropped", q,
			      dev->name);
	return tv_err(err, "queue %u of %s: the previous batch stopped on: %s", q, dev->name,
		      strerror(-err));
}

/*
 * One packet. Returns 1 (read), 0 (nothing ready: EAGAIN), or -errno.
 * The kernel (tun_put_user / tap_put_user) always consumes the whole
 * packet and read() returns min(packet, iov length): a frame longer than
 * the buffer is cut short and the rest is gone, with nothing telling so.
 * A 1-byte iovec past the buffer makes that visible: if it gets filled,
 * the frame did not fit.
 *
 * The kernel writes the header in the size in force when it copies the
 * packet out, so the layout is taken just before the readv and the layout
 * sequence checked after it: a change in between (tunvnet_dev_set_vnet_hdr_sz
 * or _endian on the control thread) leaves the frame's layout unknown, and
 * it is dropped with -ESTALE rather than returned shifted.
 */
static int read_one(struct tunvnet_dev *dev, unsigned int q, int fd,
		    struct tunvnet_pkt *pkt)
{
	uint8_t *buf = pkt->buf, hbuf[HDR_BUF], spill;
	const struct tv_io *io;
	struct iovec iov[4];
	size_t want, got, hsz;
	unsigned int seq;
	ssize_t r;
	bool pi;
	int n = 0, e;

	while ((seq = tv_layout_seq(dev)) & 1)
		sched_yield(); /* a change is under way: a few ioctls long */
	io = tv_io_get(dev, q, TV_HAZ_RX);
	hsz = (size_t)io->hdr_sz;
	pi = io->pi;
	/* tun writes packet info first, then the vnet header, then the frame;
	 * packet info belongs to the frame (TUNVNET_L2_IP_PI). */
	if (pi)
		iov[n++] = (struct iovec){ buf, TV_PI_LEN };
	if (hsz) {
		/* Kernels before "tun: Pad virtio headers" skip the bytes past
		 * the struct they fill instead of zeroing them. */
		memset(hbuf, 0, hsz);
		iov[n++] = (struct iovec){ hbuf, hsz };
	}
	iov[n++] = (struct iovec){ buf + (pi ? TV_PI_LEN : 0), pkt->cap - (pi ? TV_PI_LEN : 0) };
	iov[n++] = (struct iovec){ &spill, 1 };
	want = hsz + pkt->cap;

	do
		r = readv(fd, iov, n);
	while (r < 0 && errno == EINTR);
	e = errno;
	if (r < 0) {
		tv_io_put(dev, q, TV_HAZ_RX);
		if (e == EAGAIN || e == EWOULDBLOCK)
			return 0;
		if (e == EBADFD || e == ENOLINK) /* the device was deleted */
			return tv_ioctl_err(dev->name, "read", e);
		return tv_err(-e, "read from queue %u of %s failed: %s", q, dev->name,
			      strerror(e));
	}
	if (tv_layout_seq(dev) != seq) {
		tv_io_put(dev, q, TV_HAZ_RX);
		pkt->len = 0;
		return tv_err(-ESTALE, "queue %u of %s: the vnet header size or endianness "
				       "changed while this frame was read; its layout is unknown "
				       "and it was dropped", q, dev->name);
	}
	got = (size_t)r;
	if (got > want) {
		tv_io_put(dev, q, TV_HAZ_RX);
		pkt->len = 0;
		/* The cached bound is stale (MTU raised?): ask again next time. */
		tv_dev_max_frame_forget(dev);
		return tv_err(-EMSGSIZE, "queue %u of %s: a frame longer than the %zu-byte buffer "
					 "was truncated by the kernel and dropped (the device's "
					 "largest frame grew: MTU, offloads?)",
			      q, dev->name, pkt->cap);
	}
	if (got < hsz + (pi ? TV_PI_LEN : 0) || got == hsz) {
		tv_io_put(dev, q, TV_HAZ_RX);
		pkt->len = 0;
		return tv_err(-EIO, "queue %u of %s: short read of %zd bytes (vnet header %zu%s)",
			      q, dev->name, r, hsz, pi ? " + packet info 4" : "");
	}
	pkt->len = got - hsz;
	memset(pkt->reserved, 0, sizeof(pkt->reserved)); /* room for later fields: zero now */
	/* ebpf and user backends: the hash fields are ours to fill. */
	if (io->fill && hsz >= TUNVNET_HDR_HASH_LEN)
		tv_fill_hdr(io->fill, hbuf, buf, pkt->len);
	parse_layout(hbuf, layout_of(hsz), io->endian, &pkt->hdr);
	tv_io_put(dev, q, TV_HAZ_RX);
	return 1;
}

TUNVNET_API int tunvnet_queue_read(struct tunvnet_dev *dev, unsigned int q,
				   struct tunvnet_pkt *pkts, unsigned int n)
{
	size_t max_frame = 0;
	unsigned int i, got = 0;
	bool nonblock, pi;
	int fd, err, fl;

	tv_err_clear();
	err = check_queue(dev, q, "tunvnet_queue_read");
	if (err)
		return err;
	if (!pkts || n == 0 || n > INT_MAX)
		return tv_err(-EINVAL, "tunvnet_queue_read: need 1 to INT_MAX packets, got %u%s",
			      n, pkts ? "" : " (pkts NULL)");

	/* A failure met mid-batch last time: report it before reading on. */
	err = deferred_error(dev, q);
	if (err)
		return err;

	/* Check every buffer before anything is read, so none is cut short.
	 * The bound is cached: asking the kernel costs two syscalls a call. */
	max_frame = tv_dev_max_frame_cached(dev);
	if (!max_frame) {
		err = tunvnet_dev_max_frame(dev, &max_frame);
		if (err)
			return err;
	}
	pi = tv_dev_flags(dev) & TUNVNET_DEV_PI; /* fixed at creation */
	for (i = 0; i < n; i++) {
		if (!pkts[i].buf)
			return tv_err(-EINVAL, "tunvnet_queue_read: packet %u has no buffer", i);
		if (pkts[i].cap < max_frame)
			return tv_err(-EMSGSIZE, "packet %u: buffer of %zu bytes is smaller than "
						 "the largest frame %s can return (%zu bytes)",
				      i, pkts[i].cap, dev->name, max_frame);
		if (pi && pkts[i].cap < TV_PI_LEN)
			return tv_err(-EMSGSIZE, "packet %u: buffer of %zu bytes cannot hold "
						 "the 4-byte packet info", i, pkts[i].cap);
	}

	fd = tv_dev_fd(dev, q);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return tv_err(-errno, "queue %u of %s: fcntl(F_GETFL): %s", q, dev->name,
			      strerror(errno));
	nonblock = fl & O_NONBLOCK;

	for (i = 0; i < n; i++) {
		/*
		 * Only the first read may block, and it waits in poll, not in
		 * readv: the layout is then taken when the frame is there, so a
		 * header change while the queue is idle costs no frame.
		 */
		if (!nonblock) {
			err = ready(fd, i == 0);
			if (err < 0 && got == 0)
				return tv_err(err, "queue %u of %s: poll: %s", q, dev->name,
					      strerror(-err));
			if (err <= 0)
				break;
		}
		err = read_one(dev, q, fd, &pkts[i]);
		if (err == 0)
			break;
		if (err < 0) {
			if (got == 0)
				return err;
			/* Hand back what was read; the next call reports this. */
			defer_error(dev, q, err);
			break;
		}
		got++;
	}
	if (got == 0)
		return tv_err(-EAGAIN, "queue %u of %s has no packet waiting", q, dev->name);
	return (int)got;
}

TUNVNET_API int tunvnet_queue_write(struct tunvnet_dev *dev, unsigned int q,
				    const struct tunvnet_hdr *hdr, const void *frame, size_t len)
{
	uint8_t hbuf[HDR_BUF];
	const uint8_t *f = frame;
	const struct tv_io *io;
	struct iovec iov[3];
	size_t hsz, total;
	bool pi;
	ssize_t r;
	int n = 0, err;

	tv_err_clear();
	err = check_queue(dev, q, "tunvnet_queue_write");
	if (err)
		return err;
	if (!frame || len == 0)
		return tv_err(-EINVAL, "tunvnet_queue_write: empty frame");
	pi = tv_dev_flags(dev) & TUNVNET_DEV_PI;
	if (pi && len < TV_PI_LEN)
		return tv_err(-EINVAL, "frame of %zu bytes lacks the 4-byte packet info "
				       "this device expects first", len);

	while (tv_layout_seq(dev) & 1)
		sched_yield();
	io = tv_io_get(dev, q, TV_HAZ_TX);
	hsz = (size_t)io->hdr_sz;
	if (pi)
		iov[n++] = (struct iovec){ (void *)f, TV_PI_LEN };
	if (hsz) {
		build_layout(hdr, hsz, io->endian, hbuf);
		iov[n++] = (struct iovec){ hbuf, hsz };
	}
	tv_io_put(dev, q, TV_HAZ_TX);
	iov[n++] = (struct iovec){ (void *)(f + (pi ? TV_PI_LEN : 0)), len - (pi ? TV_PI_LEN : 0) };
	total = hsz + len;

	do
		r = writev(tv_dev_fd(dev, q), iov, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return tv_err(-errno, "write of a %zu-byte frame to queue %u of %s failed: %s",
			      len, q, dev->name, strerror(errno));
	if ((size_t)r != total)
		return tv_err(-EIO, "short write to queue %u of %s: %zd of %zu bytes", q,
			      dev->name, r, total);
	return 0;
}
