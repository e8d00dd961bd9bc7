/* SPDX-License-Identifier: MIT */
/*
 * Capabilities and hash configuration: probe which uAPI generation of the
 * tun hashing series answers, validate a generation-neutral configuration,
 * encode it into the exact ioctl argument of generation A or B, apply it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "device.h"
#include "uapi.h"

#define TV_HASH_ON (TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS) /* what the kernel is told */

/* What hashcfg.c keeps per handle (device.h: dev->hash, this file's alone). */
struct tv_hash_state {
	/* The last hash configuration applied through this handle. */
	bool set;
	struct tunvnet_hash_cfg cfg;
	uint8_t key[TUNVNET_KEY_MAX];
	uint16_t *table;
	/* The probe: generation that answered, what it found, its result. */
	bool probed;
	struct tunvnet_caps caps;
	int caps_err;
};

static void hash_state_free(struct tv_hash_state *h)
{
	if (!h)
		return;
	free(h->table);
	free(h);
}

static struct tv_hash_state *hash_state(struct tunvnet_dev *dev)
{
	if (!dev->hash) {
		dev->hash = calloc(1, sizeof(*dev->hash));
		dev->hash_release = hash_state_free;
	}
	if (!dev->hash)
		tv_err(-ENOMEM, "out of memory");
	return dev->hash;
}
#define TV_HASH_FLAGS_ALL (TV_HASH_ON | TUNVNET_HASH_QUEUE_WRAP)

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
static int feature_missing(int err)
{
	char rel[128];

	return tv_err(err, "kernel %s lacks the tun virtio-net hashing feature (neither "
			   "TUNGETVNETHASHCAP nor TUNGETVNETHASHTYPES answers)",
		      kernel_release(rel, sizeof(rel)));
}

static int caps_check_arg(const struct tunvnet_caps *caps)
{
	if (!caps)
		return tv_err(-EINVAL, "no caps struct given");
	if (caps->sz < offsetof(struct tunvnet_caps, flags))
		return tv_err(-EINVAL, "caps->sz is %zu: set it to sizeof(struct tunvnet_caps)",
			      caps->sz);
	return 0;
}

/* Probe fd (which must be a tun or tap fd); fills c, returns 0 or -errno. */
static int probe_fd(int fd, struct tunvnet_caps *c)
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
		return feature_missing(-EOPNOTSUPP);
	return tv_err(-(probe_not_there(eb) ? ea : eb),
		      "probing the tun hashing uAPI on fd %d failed: TUNGETVNETHASHTYPES: %s, "
		      "TUNGETVNETHASHCAP: %s", fd, strerror(eb), strerror(ea));
}

TUNVNET_API int tunvnet_caps_probe(int fd, struct tunvnet_caps *caps)
{
	struct tunvnet_caps c;
	int err, own = -1;

	tv_err_clear();
	err = caps_check_arg(caps);
	if (err)
		return err;
	if (fd < 0) {
		/* Both generations answer on an fd that was never attached. */
		own = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		if (own < 0) {
			err = -errno;
			memset(&c, 0, sizeof(c));
			tv_opts_out(caps, &c, sizeof(c));
			return tv_err(err, "cannot open /dev/net/tun to probe: %s", strerror(-err));
		}
		fd = own;
	}
	err = probe_fd(fd, &c);
	if (own >= 0)
		close(own);
	tv_opts_out(caps, &c, sizeof(c));
	return err;
}

/* Probe once per handle; later calls reuse the answer (and its message). */
static int dev_probe(struct tunvnet_dev *dev)
{
	struct tv_hash_state *h = hash_state(dev);

	if (!h)
		return -ENOMEM;
	if (!h->probed) {
		if (!tv_dev_nq(dev))
			return tv_err(-EINVAL, "device handle has no queue to probe on");
		h->caps_err = probe_fd(tv_dev_fd(dev, 0), &h->caps);
		if (h->caps_err && h->caps_err != -EOPNOTSUPP)
			return h->caps_err; /* a transient failure: do not cache it */
		h->probed = true;
	} else if (h->caps_err) {
		return feature_missing(h->caps_err);
	}
	return h->caps_err;
}

TUNVNET_API int tunvnet_dev_caps(struct tunvnet_dev *dev, struct tunvnet_caps *caps)
{
	int err;

	tv_err_clear();
	if (!dev)
		return tv_err(-EINVAL, "no device handle");
	err = caps_check_arg(caps);
	if (err)
		return err;
	err = dev_probe(dev);
	if (err && (!dev->hash || !dev->hash->probed)) {
		struct tunvnet_caps none = { .sz = sizeof(none) };

		tv_opts_out(caps, &none, sizeof(none));
		return err;
	}
	tv_opts_out(caps, &dev->hash->caps, sizeof(dev->hash->caps));
	return err;
}

static bool is_pow2(size_t n)
{
	return n && !(n & (n - 1));
}

static const char *fmt_types(uint32_t types, char *buf, size_t len)
{
	if (tunvnet_hash_types_format(types & TUNVNET_HASH_TYPES_ALL, buf, len) < 0)
		snprintf(buf, len, "%#x", types);
	return buf;
}

/* Copy the caller's cfg (any size it was built with) into a full one. */
static int cfg_in(struct tunvnet_hash_cfg *dst, const struct tunvnet_hash_cfg *cfg)
{
	if (!cfg)
		return tv_err(-EINVAL, "no hash configuration given");
	return tv_opts_copy(dst, sizeof(*dst), cfg,
			    offsetof(struct tunvnet_hash_cfg, types) + sizeof(uint32_t));
}

/* The rules that need no kernel: shape of flags, types, key and table. */
static int validate_shape(const struct tunvnet_hash_cfg *c, unsigned int num_queues)
{
	size_t need, i;
	char tb[96];

	if (c->flags & ~TV_HASH_FLAGS_ALL)
		return tv_err(-EINVAL, "unknown hash flags %#x (known: REPORT 0x1, RSS 0x2, QUEUE_WRAP 0x4)",
			      c->flags & ~TV_HASH_FLAGS_ALL);
	if (c->types & ~TUNVNET_HASH_TYPES_ALL)
		return tv_err(-EINVAL, "hash types %#x have bits outside 0x1ff", c->types);
	if ((c->flags & TV_HASH_ON) && !c->types)
		/* Generation B would read types 0 as "switch everything off". */
		return tv_err(-EINVAL, "%s enabled with no hash types: nothing would be hashed "
				       "(use flags 0 to switch hashing off)",
			      c->flags & TUNVNET_HASH_RSS ? "RSS" : "REPORT");

	if (!(c->flags & TUNVNET_HASH_RSS)) {
		/* Refuse rather than ignore: a key or table here is a caller bug. */
		if (c->key || c->key_len)
			return tv_err(-EINVAL, "a key was given without TUNVNET_HASH_RSS "
					       "(only RSS uses the key)");
		if (c->table || c->table_len)
			return tv_err(-EINVAL, "an indirection table was given without "
					       "TUNVNET_HASH_RSS");
		if (c->unclassified_queue)
			return tv_err(-EINVAL, "unclassified_queue %u was given without "
					       "TUNVNET_HASH_RSS", c->unclassified_queue);
		return 0;
	}

	if (!c->key || !c->key_len)
		return tv_err(-EINVAL, "RSS needs a key (tunvnet_default_key() is the usual one)");
	if (c->key_len > TUNVNET_KEY_MAX)
		return tv_err(-EINVAL, "key is %zu bytes; at most %d are allowed", c->key_len,
			      TUNVNET_KEY_MAX);
	need = tunvnet_hash_key_len_for_types(c->types);
	if (c->key_len < need)
		return tv_err(-EINVAL, "key is %zu bytes; types %#x (%s) need %zu", c->key_len,
			      c->types, fmt_types(c->types, tb, sizeof(tb)), need);
	if (!c->table || !c->table_len)
		return tv_err(-EINVAL, "RSS needs an indirection table");
	if (!is_pow2(c->table_len) || c->table_len > TUNVNET_TABLE_MAX)
		return tv_err(-EINVAL, "indirection table has %zu entries; it must be a power "
				       "of two from 1 to %u", c->table_len, TUNVNET_TABLE_MAX);
	if (num_queues && !(c->flags & TUNVNET_HASH_QUEUE_WRAP)) {
		for (i = 0; i < c->table_len; i++)
			if (c->table[i] >= num_queues)
				return tv_err(-EINVAL, "indirection table entry %zu is queue %u, but "
						       "the device has %u queue%s (TUNVNET_HASH_QUEUE_WRAP "
						       "accepts it modulo the count)", i, c->table[i],
					      num_queues, num_queues == 1 ? "" : "s");
		if (c->unclassified_queue >= num_queues)
			return tv_err(-EINVAL, "unclassified_queue is %u, but the device has %u "
					       "queue%s (TUNVNET_HASH_QUEUE_WRAP accepts it "
					       "modulo the count)", c->unclassified_queue, num_queues,
				      num_queues == 1 ? "" : "s");
	}
	return 0;
}

static int validate(const struct tunvnet_hash_cfg *c, const struct tunvnet_caps *caps,
		    unsigned int num_queues, int vnet_hdr_sz)
{
	char tb[96];
	int err;

	err = validate_shape(c, num_queues);
	if (err)
		return err;
	if (c->flags & TUNVNET_HASH_REPORT && vnet_hdr_sz > 0 &&
	    vnet_hdr_sz < TUNVNET_HDR_HASH_LEN)
		return tv_err(-EINVAL, "REPORT with a %d-byte vnet header: the kernel would "
				       "silently drop the hash: set the vnet header size to %d "
				       "first", vnet_hdr_sz, TUNVNET_HDR_HASH_LEN);
	if (!caps || !(c->flags & TV_HASH_ON))
		return 0;
	if (caps->uapi == TUNVNET_UAPI_NONE)
		return tv_err(-EOPNOTSUPP, "the kernel lacks the tun virtio-net hashing feature");
	if (c->flags & TUNVNET_HASH_REPORT && !(caps->flags & TUNVNET_CAP_REPORT))
		return tv_err(-EOPNOTSUPP, "the kernel does not offer hash reporting");
	if (c->flags & TUNVNET_HASH_RSS && !(caps->flags & TUNVNET_CAP_RSS))
		return tv_err(-EOPNOTSUPP, "the kernel does not offer RSS (series before v3?)");
	if (c->types & ~caps->types)
		return tv_err(-EOPNOTSUPP, "hash types %s are not supported by the kernel "
					   "(it supports %#x)",
			      fmt_types(c->types & ~caps->types, tb, sizeof(tb)), caps->types);
	return 0;
}

TUNVNET_API int tunvnet_hash_cfg_validate(const struct tunvnet_hash_cfg *cfg,
					  const struct tunvnet_caps *caps,
					  unsigned int num_queues, int vnet_hdr_sz)
{
	struct tunvnet_hash_cfg c;
	int err;

	tv_err_clear();
	err = cfg_in(&c, cfg);
	if (err)
		return err;
	return validate(&c, caps, num_queues, vnet_hdr_sz);
}

/*
 * The key is written padded to 40 bytes whatever the types. The series
 * reads virtio_net_hash_key_length(types) bytes, which tests the types
 * against VIRTIO_NET_HASH_REPORT_* values instead of the TYPE bits: 40 when
 * any of bits 0-2 is set, 4 otherwise. A corrected kernel would read up to
 * 40. The key comes last, so writing 40 covers every version and the kernel
 * never reads past our buffer.
 */
static int encode(enum tunvnet_uapi uapi, const struct tunvnet_hash_cfg *c,
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

TUNVNET_API int tunvnet_hash_cfg_encode(enum tunvnet_uapi uapi,
					const struct tunvnet_hash_cfg *cfg,
					unsigned long *request, void *buf, size_t buf_len)
{
	struct tunvnet_hash_cfg c;
	int err;

	tv_err_clear();
	err = cfg_in(&c, cfg);
	if (err)
		return err;
	err = validate_shape(&c, 0);
	if (err)
		return err;
	return encode(uapi, &c, request, buf, buf_len);
}

/* The smallest vnet header size over the handle's queues (tap keeps one per queue). */
static int dev_hdr_sz(struct tunvnet_dev *dev, int *szp)
{
	unsigned int q, nq = tv_dev_nq(dev);
	int min = 0, sz;

	if (!(tv_dev_flags(dev) & TUNVNET_DEV_VNET_HDR)) {
		*szp = 0;
		return 0;
	}
	for (q = 0; q < nq; q++) {
		if (ioctl(tv_dev_fd(dev, q), TV_TUNGETVNETHDRSZ, &sz) < 0) {
			if (errno == EBADFD)
				return tv_ioctl_err(dev->name, "TUNGETVNETHDRSZ", EBADFD);
			/* Unknown: let the handle's value stand. */
			*szp = tv_dev_io(dev)->hdr_sz;
			return 0;
		}
		if (!min || sz < min)
			min = sz;
	}
	*szp = min;
	return 0;
}

/*
 * Queues the device has: ours, or more if others attached some (a VMM may
 * hold the rest). tun keeps real_num_rx_queues equal to its attached queues,
 * and sysfs shows one rx-N directory per queue.
 */
static unsigned int dev_queue_bound(const struct tunvnet_dev *dev)
{
	char path[96];
	unsigned int n = 0, nq = tv_dev_nq(dev);
	struct dirent *d;
	DIR *dir;

	if ((dev->kind != TUNVNET_KIND_TUN && dev->kind != TUNVNET_KIND_TAP) || !dev->name[0])
		return nq;
	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", dev->name);
	dir = opendir(path);
	if (!dir)
		return nq;
	while ((d = readdir(dir)))
		if (strncmp(d->d_name, "rx-", 3) == 0)
			n++;
	closedir(dir);
	return n > nq ? n : nq;
}

static int store_cfg(struct tv_hash_state *h, const struct tunvnet_hash_cfg *c)
{
	uint16_t *table = NULL;

	if (c->flags & TUNVNET_HASH_RSS) {
		table = malloc(c->table_len * sizeof(*table));
		if (!table)
			return -ENOMEM;
		memcpy(table, c->table, c->table_len * sizeof(*table));
	}
	free(h->table);
	h->table = table;
	h->cfg = *c;
	h->cfg.sz = sizeof(h->cfg);
	memset(h->key, 0, sizeof(h->key));
	if (c->flags & TUNVNET_HASH_RSS) {
		memcpy(h->key, c->key, c->key_len);
		h->cfg.key = h->key;
		h->cfg.table = h->table;
	} else {
		h->cfg.key = NULL;
		h->cfg.table = NULL;
	}
	h->set = true;
	return 0;
}

TUNVNET_API int tunvnet_dev_set_hash(struct tunvnet_dev *dev, const struct tunvnet_hash_cfg *cfg)
{
	struct tunvnet_hash_cfg c;
	enum tunvnet_uapi uapi;
	unsigned long req;
	uint8_t *buf;
	int err, len, hsz = 0, e;

	tv_err_clear();
	if (!dev)
		return tv_err(-EINVAL, "no device handle");
	err = cfg_in(&c, cfg);
	if (err)
		return err;
	err = validate_shape(&c, 0);
	if (err)
		return err;
	err = dev_probe(dev);
	if (err)
		return err;
	if (c.flags & TUNVNET_HASH_REPORT && !(tv_dev_flags(dev) & TUNVNET_DEV_VNET_HDR))
		return tv_err(-EINVAL, "REPORT needs a vnet header on the queues "
				       "(TUNVNET_DEV_VNET_HDR / IFF_VNET_HDR)");
	err = dev_hdr_sz(dev, &hsz);
	if (err)
		return err;
	err = validate(&c, &dev->hash->caps, c.flags & TUNVNET_HASH_RSS ? dev_queue_bound(dev) : 0,
		       hsz);
	if (err)
		return err;

	uapi = dev->hash->caps.uapi;
	len = encode(uapi, &c, &req, NULL, 0);
	if (len < 0)
		return len;
	buf = malloc((size_t)len);
	if (!buf)
		return tv_err(-ENOMEM, "out of memory for a %d-byte ioctl argument", len);
	len = encode(uapi, &c, &req, buf, (size_t)len);
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
	err = store_cfg(dev->hash, &c);
	if (err)
		return tv_err(err, "configuration applied, but storing a copy failed: %s",
			      strerror(-err));
	return 0;
}

TUNVNET_API int tunvnet_dev_clear_hash(struct tunvnet_dev *dev)
{
	struct tunvnet_hash_cfg off = TUNVNET_HASH_CFG_INIT;

	return tunvnet_dev_set_hash(dev, &off);
}

TUNVNET_API int tunvnet_dev_get_hash(const struct tunvnet_dev *dev, struct tunvnet_hash_cfg *cfg)
{
	tv_err_clear();
	if (!dev || !cfg)
		return tv_err(-EINVAL, "no device handle or no cfg");
	if (cfg->sz < offsetof(struct tunvnet_hash_cfg, types))
		return tv_err(-EINVAL, "cfg->sz is %zu: set it to sizeof(struct tunvnet_hash_cfg)",
			      cfg->sz);
	if (!dev->hash || !dev->hash->set)
		return tv_err(-ENOENT, "this handle has applied no hash configuration");
	tv_opts_out(cfg, &dev->hash->cfg, sizeof(dev->hash->cfg));
	return 0;
}
