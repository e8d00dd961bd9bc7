/* SPDX-License-Identifier: MIT */
/*
 * The kernel backend: the tun hashing series. Probe which uAPI generation
 * answers, encode a generation-neutral configuration into the exact ioctl
 * argument of generation A or B, apply it.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "backend.h"
#include "uapi.h"

static const char *kernel_release(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) < 0)
		snprintf(buf, len, "(unknown)");
	else
		snprintf(buf, len, "%s", u.release);
	return buf;
}

/*
 * An errno from a probe that means "this kernel has no such ioctl": tun
 * answers EINVAL (or EBADFD on an fd not yet attached, since it checks for
 * a device before the default case), tap ENOTTY or EINVAL. A kernel with
 * the series answers both probes before TUNSETIFF and after deletion.
 */
static bool probe_not_there(int e)
{
	return e == EINVAL || e == ENOTTY || e == EBADFD || e == EOPNOTSUPP;
}

/* What a probe on a kernel without the series says, the first time and when cached. */
int tv_kernel_missing(int err)
{
	char rel[128];

	return tv_err(err, "kernel %s lacks the tun virtio-net hashing feature (neither "
			   "TUNGETVNETHASHCAP nor TUNGETVNETHASHTYPES answers)",
		      kernel_release(rel, sizeof(rel)));
}

int tv_caps_check_arg(const struct tunvnet_caps *caps)
{
	return TV_OPTS_OUT_OK(caps, tunvnet_caps, uapi);
}

/* Probe fd (which must be a tun or tap fd); fills c, returns 0 or -errno. */
int tv_kernel_probe_fd(int fd, struct tunvnet_caps *c)
{
	uint32_t types = 0;
	struct tv_tun_vnet_hash cap;
	int eb, ea;

	memset(c, 0, sizeof(*c));
	c->sz = sizeof(*c);
	c->uapi = TUNVNET_UAPI_NONE;

	/* B first: the last posted version, and a u32 is all it writes. */
	if (ioctl(fd, TV_TUNGETVNETHASHTYPES, &types) == 0) {
		c->uapi = TUNVNET_UAPI_B;
		c->flags = TUNVNET_CAP_REPORT | TUNVNET_CAP_RSS;
		c->types = types & TUNVNET_HASH_TYPES_ALL;
		c->max_key_len = TUNVNET_KEY_MAX;
		return 0;
	}
	eb = errno;
	memset(&cap, 0, sizeof(cap));
	if (ioctl(fd, TV_TUNGETVNETHASHCAP, &cap) == 0) {
		c->uapi = TUNVNET_UAPI_A;
		c->flags = (cap.flags & TV_TUN_VNET_HASH_REPORT ? TUNVNET_CAP_REPORT : 0) |
			   (cap.flags & TV_TUN_VNET_HASH_RSS ? TUNVNET_CAP_RSS : 0);
		c->types = cap.types & TUNVNET_HASH_TYPES_ALL;
		c->max_key_len = TUNVNET_KEY_MAX;
		return 0;
	}
	ea = errno;
	if (eb == EBADF || ea == EBADF)
		return tv_err(-EBADF, "fd %d is not an open file descriptor", fd);
	if (probe_not_there(eb) && probe_not_there(ea))
		return tv_kernel_missing(-EOPNOTSUPP);
	return tv_err(-(probe_not_there(eb) ? ea : eb),
		      "probing the tun hashing uAPI on fd %d failed: TUNGETVNETHASHTYPES: %s, "
		      "TUNGETVNETHASHCAP: %s", fd, strerror(eb), strerror(ea));
}

TUNVNET_API int tunvnet_caps_probe(int fd, struct tunvnet_caps *caps)
{
	struct tunvnet_caps c;
	int err, own = -1;

	tv_err_clear();
	err = tv_caps_check_arg(caps);
	if (err)
		return err;
	if (fd < 0) {
		/* Both generations answer on an fd that was never attached. */
		own = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		if (own < 0) {
			err = -errno;
			memset(&c, 0, sizeof(c));
			(void)TV_OPTS_OUT(caps, &c, tunvnet_caps, uapi); /* sz checked above */
			return tv_err(err, "cannot open /dev/net/tun to probe: %s", strerror(-err));
		}
		fd = own;
	}
	err = tv_kernel_probe_fd(fd, &c);
	if (own >= 0)
		close(own);
	(void)TV_OPTS_OUT(caps, &c, tunvnet_caps, uapi); /* sz checked above */
	return err;
}

/*
 * The key is written padded to 40 bytes whatever the types. The series
 * reads virtio_net_hash_key_length(types) bytes, which tests the types
 * against VIRTIO_NET_HASH_REPORT_* values instead of the TYPE bits: 40 when
 * any of bits 0-2 is set, 4 otherwise. A corrected kernel would read up to
 * 40. The key comes last, so writing 40 covers every version and the kernel
 * never reads past our buffer.
 */
int tv_kernel_encode(enum tunvnet_uapi uapi, const struct tunvnet_hash_cfg *c,
		  unsigned long *request, uint8_t *buf, size_t buf_len)
{
	unsigned long req;
	size_t len, off, i, tl = c->table_len;
	bool rss = c->flags & TUNVNET_HASH_RSS;

	if (uapi == TUNVNET_UAPI_A) {
		req = TV_TUNSETVNETHASH;
		len = sizeof(struct tv_tun_vnet_hash);
		if (rss)
			len += sizeof(struct tv_tun_vnet_hash_rss) + tl * 2 + TV_KEY_WRITE_LEN;
	} else if (uapi == TUNVNET_UAPI_B) {
		if (rss) {
			req = c->flags & TUNVNET_HASH_REPORT ? TV_TUNSETVNETREPORTINGRSS
							     : TV_TUNSETVNETRSS;
			len = sizeof(struct tv_tun_vnet_rss) + tl * 2 + TV_KEY_WRITE_LEN;
		} else {
			/* REPORT only, or off: AUTOMQ, where types 0 switches all off. */
			req = TV_TUNSETVNETREPORTINGAUTOMQ;
			len = sizeof(uint32_t);
		}
	} else {
		return tv_err(-EINVAL, "cannot encode for uAPI generation %d (A or B only)",
			      (int)uapi);
	}
	if (request)
		*request = req;
	if (!buf_len)
		return (int)len;
	if (!buf)
		return tv_err(-EINVAL, "no output buffer");
	if (buf_len < len)
		return tv_err(-ENOSPC, "argument needs %zu bytes; buffer has %zu", len, buf_len);

	memset(buf, 0, len);
	if (uapi == TUNVNET_UAPI_A) {
		struct tv_tun_vnet_hash h = { 0 };

		/* Native-endian structs, as the kernel copies them. */
		h.flags = (uint16_t)((c->flags & TUNVNET_HASH_REPORT ? TV_TUN_VNET_HASH_REPORT : 0) |
				     (rss ? TV_TUN_VNET_HASH_RSS : 0));
		h.types = c->flags & TV_HASH_ON ? c->types : 0;
		memcpy(buf, &h, sizeof(h));
		off = sizeof(h);
		if (rss) {
			struct tv_tun_vnet_hash_rss r = {
				.indirection_table_mask = (uint16_t)(tl - 1),
				.unclassified_queue = c->unclassified_queue,
			};

			memcpy(buf + off, &r, sizeof(r));
			off += sizeof(r);
		}
	} else if (rss) {
		struct tv_tun_vnet_rss r = {
			.hash_types = c->types,
			.indirection_table_mask = (uint16_t)(tl - 1),
			.unclassified_queue = c->unclassified_queue,
		};

		memcpy(buf, &r, sizeof(r));
		off = sizeof(r);
	} else {
		uint32_t t = c->flags & TV_HASH_ON ? c->types : 0;

		memcpy(buf, &t, sizeof(t));
		off = sizeof(t);
	}
	if (rss) {
		for (i = 0; i < tl; i++) {
			uint16_t e = c->table[i];

			memcpy(buf + off, &e, 2);
			off += 2;
		}
		memcpy(buf + off, c->key, c->key_len);
		off += TV_KEY_WRITE_LEN;
	}
	return (int)off;
}


/* Encode for uapi and apply with one ioctl on queue 0 (it configures the whole device). */
int tv_kernel_apply(struct tunvnet_dev *dev, enum tunvnet_uapi uapi,
		    const struct tunvnet_hash_cfg *c)
{
	unsigned long req;
	uint8_t *buf;
	int err, len, e;

	len = tv_kernel_encode(uapi, c, &req, NULL, 0);
	if (len < 0)
		return len;
	buf = malloc((size_t)len);
	if (!buf)
		return tv_err(-ENOMEM, "out of memory for a %d-byte ioctl argument", len);
	len = tv_kernel_encode(uapi, c, &req, buf, (size_t)len);
	if (len < 0) {
		free(buf);
		return len;
	}
	/* One call on any queue configures the whole device. */
	err = ioctl(tv_dev_fd(dev, 0), req, buf);
	e = errno;
	free(buf);
	if (err < 0) {
		switch (e) {
		case EBADFD:
			return tv_ioctl_err(dev->name, "the hash ioctl", EBADFD);
		case EBUSY:
			return tv_err(-EBUSY, "device %s has a steering eBPF program attached: "
					      "generation A kernels (series v5-v9) refuse RSS "
					      "alongside it; detach it (TUNSETSTEERINGEBPF -1) first",
				      dev->name);
		case ENOTTY:
			return tv_err(-EOPNOTSUPP, "the kernel does not know the %s hash ioctl "
						   "%#lx on %s", tunvnet_uapi_name(uapi),
				      req, dev->name);
		case EINVAL:
			return tv_err(-EINVAL, "kernel refused the hash configuration on %s "
					       "(EINVAL from ioctl %#lx, generation %s)",
				      dev->name, req, tunvnet_uapi_name(uapi));
		case EPERM:
			return tv_err(-EPERM, "setting the hash configuration on %s needs "
					      "CAP_NET_ADMIN", dev->name);
		default:
			return tv_err(-e, "hash ioctl %#lx on %s failed: %s", req, dev->name,
				      strerror(e));
		}
	}
	return 0;
}
