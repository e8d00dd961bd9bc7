/* SPDX-License-Identifier: MIT */
/*
 * Hash configuration: validate a generation-neutral configuration (in one
 * place, for every backend), choose the backend that can honour it
 * (kernel, ebpf or user: see tunvnet_dev_set_hash(3)), apply it through
 * that backend, remember what is in force.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "backend.h"
#include "uapi.h"

/* What hashcfg.c keeps per handle (device.h: dev->hash, this file's alone). */
struct tv_hash_state {
	/* The last hash configuration applied through this handle (backend in force). */
	bool set;
	struct tunvnet_hash_cfg cfg;
	uint8_t key[TUNVNET_KEY_MAX];
	uint16_t *table;
	/* The series' probe: generation that answered, what it found, its result. */
	bool probed;
	struct tunvnet_caps caps;
	int caps_err;
	/* The steering program, loaded once (backend_ebpf.c's), and whether this
	 * handle attached it. */
	struct tv_ebpf *ebpf;
	bool ebpf_attached;
};

/* With the handle: a program this handle attached goes unless the device persists. */
static void hash_state_free(struct tunvnet_dev *dev)
{
	struct tv_hash_state *h = dev->hash;

	if (!h)
		return;
	if (h->ebpf_attached && !(tv_dev_flags(dev) & TUNVNET_DEV_PERSIST))
		tv_ebpf_detach(dev);
	tv_ebpf_free(h->ebpf);
	free(h->table);
	free(h);
	dev->hash = NULL;
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

/* Probe once per handle; later calls reuse the answer (and its message). */
static int dev_probe(struct tunvnet_dev *dev)
{
	struct tv_hash_state *h = hash_state(dev);

	if (!h)
		return -ENOMEM;
	if (!h->probed) {
		if (!tv_dev_nq(dev))
			return tv_err(-EINVAL, "device handle has no queue to probe on");
		h->caps_err = tv_kernel_probe_fd(tv_dev_fd(dev, 0), &h->caps);
		if (h->caps_err && h->caps_err != -EOPNOTSUPP)
			return h->caps_err; /* a transient failure: do not cache it */
		h->probed = true;
	} else if (h->caps_err) {
		return tv_kernel_missing(h->caps_err);
	}
	return h->caps_err;
}

TUNVNET_API int tunvnet_dev_caps(struct tunvnet_dev *dev, struct tunvnet_caps *caps)
{
	int err;

	tv_err_clear();
	if (!dev)
		return tv_err(-EINVAL, "no device handle");
	err = tv_caps_check_arg(caps);
	if (err)
		return err;
	err = dev_probe(dev);
	if (err && (!dev->hash || !dev->hash->probed)) {
		struct tunvnet_caps none = { .sz = sizeof(none) };

		(void)TV_OPTS_OUT(caps, &none, tunvnet_caps, uapi); /* sz checked above */
		return err;
	}
	(void)TV_OPTS_OUT(caps, &dev->hash->caps, tunvnet_caps, uapi);
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
int tv_hash_cfg_in(struct tunvnet_hash_cfg *dst, const struct tunvnet_hash_cfg *cfg)
{
	if (!cfg)
		return tv_err(-EINVAL, "no hash configuration given");
	return TV_OPTS_IN(dst, cfg, tunvnet_hash_cfg, types);
}

/* The rules that need no kernel: shape of flags, types, key and table, backend. */
int tv_hash_validate_shape(const struct tunvnet_hash_cfg *c, unsigned int num_queues)
{
	size_t need, i;
	char tb[96];

	if (c->flags & ~TV_HASH_FLAGS_ALL)
		return tv_err(-EINVAL, "unknown hash flags %#x (known: REPORT 0x1, RSS 0x2, QUEUE_WRAP 0x4)",
			      c->flags & ~TV_HASH_FLAGS_ALL);
	if (c->types & ~TUNVNET_HASH_TYPES_ALL)
		return tv_err(-EINVAL, "hash types %#x have bits outside 0x1ff", c->types);
	if ((unsigned int)c->backend > TUNVNET_BACKEND_USER)
		return tv_err(-EINVAL, "unknown backend %u (auto 0, kernel 1, ebpf 2, user 3)",
			      (unsigned int)c->backend);
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

	err = tv_hash_validate_shape(c, num_queues);
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
	struct tunvnet_caps k;
	int err;

	tv_err_clear();
	err = tv_hash_cfg_in(&c, cfg);
	if (err)
		return err;
	if (caps) { /* a sized struct too, read as far as its sz */
		err = TV_OPTS_IN(&k, caps, tunvnet_caps, types);
		if (err)
			return err;
		caps = &k;
	}
	/* The series' capabilities bound what the kernel backend does only. */
	if (c.backend == TUNVNET_BACKEND_EBPF || c.backend == TUNVNET_BACKEND_USER)
		caps = NULL;
	return validate(&c, caps, num_queues, vnet_hdr_sz);
}

TUNVNET_API int tunvnet_hash_cfg_encode(enum tunvnet_uapi uapi,
					const struct tunvnet_hash_cfg *cfg,
					unsigned long *request, void *buf, size_t buf_len)
{
	struct tunvnet_hash_cfg c;
	int err;

	tv_err_clear();
	err = tv_hash_cfg_in(&c, cfg);
	if (err)
		return err;
	err = tv_hash_validate_shape(&c, 0);
	if (err)
		return err;
	return tv_kernel_encode(uapi, &c, request, buf, buf_len);
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

/* ---- backends: which can honour what, and the choice ---- */

static bool series_answers(struct tunvnet_dev *dev)
{
	return dev_probe(dev) == 0;
}

/* The series, as this kernel offers it. */
static int kernel_ok(struct tunvnet_dev *dev, uint32_t flags)
{
	const struct tunvnet_caps *caps;
	int err = dev_probe(dev);

	if (err)
		return err;
	caps = &dev->hash->caps;
	if (flags & TUNVNET_HASH_REPORT && !(caps->flags & TUNVNET_CAP_REPORT))
		return tv_err(-EOPNOTSUPP, "the kernel's hashing series does not offer hash "
					   "reporting");
	if (flags & TUNVNET_HASH_RSS && !(caps->flags & TUNVNET_CAP_RSS))
		return tv_err(-EOPNOTSUPP, "the kernel's hashing series does not offer RSS "
					   "(series before v3?)");
	return 0;
}

/* Our steering program: tun/tap only, loaded once per handle. */
static int ebpf_ok(struct tunvnet_dev *dev)
{
	struct tv_hash_state *h = dev->hash;

	if (h->ebpf)
		return 0;
	return tv_ebpf_load(dev, &h->ebpf);
}

static int user_ok(struct tunvnet_dev *dev, uint32_t flags)
{
	if (flags & TUNVNET_HASH_RSS)
		return tv_err(-EOPNOTSUPP, "the user backend does not steer: RSS on %s needs the "
					   "kernel or the ebpf backend", dev->name);
	return 0;
}

static int backend_ok(struct tunvnet_dev *dev, enum tunvnet_backend b, uint32_t flags)
{
	switch (b) {
	case TUNVNET_BACKEND_KERNEL:
		return kernel_ok(dev, flags);
	case TUNVNET_BACKEND_EBPF:
		return ebpf_ok(dev);
	case TUNVNET_BACKEND_USER:
		return user_ok(dev, flags);
	default:
		return tv_err(-EINVAL, "unknown backend %u", (unsigned int)b);
	}
}

/*
 * A configuration the series' known bugs would get wrong (probed once per
 * process): IPv6-only types hashed with a short key, and the queue index
 * reported as the hash in automq mode (REPORT without RSS).
 */
static bool hits_quirk(const struct tunvnet_dev *dev, const struct tunvnet_hash_cfg *c)
{
	const uint32_t v4 = TUNVNET_HASH_TYPE_IPV4 | TUNVNET_HASH_TYPE_TCPV4 |
			    TUNVNET_HASH_TYPE_UDPV4;
	bool rss = c->flags & TUNVNET_HASH_RSS;
	uint32_t q = 0;

	if (!(c->flags & TV_HASH_ON) || tunvnet_kernel_quirks_probe(&q) < 0)
		return false;
	/* The key is read short only by the RSS ioctl, for types without an IPv4 bit. */
	if (q & TUNVNET_QUIRK_SHORT_KEY_IPV6 && rss && c->types && !(c->types & v4))
		return true;
	/* tun.c's automatic queue selection; macvtap's (tap.c) reports a real flow hash. */
	return q & TUNVNET_QUIRK_AUTOMQ_VALUE_IS_QUEUE && !rss && !tv_kind_is_vtap(dev->kind);
}

/*
 * AUTO: the kernel where the series answers (unless a known bug would hit
 * this configuration), else ebpf for RSS, else user. RSS nobody can honour
 * is refused with the reason the ebpf backend gave.
 */
static int choose(struct tunvnet_dev *dev, const struct tunvnet_hash_cfg *c,
		  enum tunvnet_backend *bp)
{
	uint32_t on = c->flags & TV_HASH_ON;
	char why[200];
	int err;

	if (c->backend != TUNVNET_BACKEND_AUTO) {
		err = on ? backend_ok(dev, c->backend, on) : 0;
		if (!err)
			*bp = c->backend;
		return err;
	}
	if (!on) {
		*bp = series_answers(dev) ? TUNVNET_BACKEND_KERNEL : TUNVNET_BACKEND_USER;
		return 0;
	}
	if (kernel_ok(dev, on) == 0) {
		*bp = TUNVNET_BACKEND_KERNEL;
		if (!hits_quirk(dev, c))
			return 0;
		/* Routed around a kernel bug where another backend gets it right. */
		if (!(on & TUNVNET_HASH_RSS))
			*bp = TUNVNET_BACKEND_USER;
		else if (tv_dev_flags(dev) & TUNVNET_DEV_VNET_HDR && ebpf_ok(dev) == 0)
			*bp = TUNVNET_BACKEND_EBPF;
		tv_err_clear();
		return 0;
	}
	if (!(on & TUNVNET_HASH_RSS)) {
		*bp = TUNVNET_BACKEND_USER;
		tv_err_clear();
		return 0;
	}
	err = ebpf_ok(dev);
	if (!err) {
		*bp = TUNVNET_BACKEND_EBPF;
		return 0;
	}
	snprintf(why, sizeof(why), "%s", tunvnet_last_error());
	return tv_err(err, "RSS cannot be honoured on %s: the kernel lacks the hashing series "
			   "and %s", dev->name, why);
}

/* Switch the kernel's hashing off (where the series answers). */
static int kernel_off(struct tunvnet_dev *dev)
{
	struct tunvnet_hash_cfg off = TUNVNET_HASH_CFG_INIT;

	return tv_kernel_apply(dev, dev->hash->caps.uapi, &off);
}

/*
 * Act on a validated configuration with backend b: what the others had in
 * force is switched off first, then b applies it. The filler is built
 * before anything changes, so a failure to build it changes nothing.
 */
static int apply(struct tunvnet_dev *dev, const struct tunvnet_hash_cfg *c,
		 enum tunvnet_backend b)
{
	struct tv_hash_state *h = dev->hash;
	struct tv_fill *fill = NULL;
	bool on = c->flags & TV_HASH_ON, tuntap = !tv_kind_is_vtap(dev->kind);
	int err;

	if (on && b != TUNVNET_BACKEND_KERNEL && c->flags & TUNVNET_HASH_REPORT) {
		err = tv_fill_new(c, tv_dev_l2(dev), &fill);
		if (err)
			return err;
	}
	/* Steering programs: off unless ebpf steers; clear also takes off what
	 * an earlier handle left on the device. */
	if (tuntap && (b != TUNVNET_BACKEND_EBPF || !(c->flags & TUNVNET_HASH_RSS)) &&
	    (h->ebpf_attached || !on)) {
		err = tv_ebpf_detach(dev);
		if (err)
			goto fail;
		h->ebpf_attached = false;
	}
	if (b == TUNVNET_BACKEND_KERNEL) {
		err = tv_kernel_apply(dev, h->caps.uapi, c);
		if (err)
			goto fail;
	} else if (series_answers(dev)) {
		tv_err_clear();
		err = kernel_off(dev);
		if (err)
			goto fail;
	} else {
		tv_err_clear(); /* the probe's "lacks the series" is no failure here */
	}
	if (b == TUNVNET_BACKEND_EBPF && c->flags & TUNVNET_HASH_RSS) {
		err = tv_ebpf_apply(dev, h->ebpf, c);
		if (err)
			goto fail;
		h->ebpf_attached = true;
	}
	/* Readers fill (or stop filling) from the next frame on. */
	return tv_dev_publish_fill(dev, fill);
fail:
	if (fill)
		fill->release(fill);
	return err;
}

TUNVNET_API int tunvnet_dev_set_hash(struct tunvnet_dev *dev, const struct tunvnet_hash_cfg *cfg)
{
	struct tunvnet_hash_cfg c;
	enum tunvnet_backend b = TUNVNET_BACKEND_AUTO;
	int err, hsz = 0;

	tv_err_clear();
	if (!dev || !tv_dev_nq(dev))
		return tv_err(-EINVAL, "no device handle");
	err = tv_hash_cfg_in(&c, cfg);
	if (err)
		return err;
	err = tv_hash_validate_shape(&c, 0);
	if (err)
		return err;
	if (!hash_state(dev))
		return -ENOMEM;
	if (c.flags & TUNVNET_HASH_REPORT && !(tv_dev_flags(dev) & TUNVNET_DEV_VNET_HDR))
		return tv_err(-EINVAL, "REPORT needs a vnet header on the queues "
				       "(TUNVNET_DEV_VNET_HDR / IFF_VNET_HDR)");
	err = dev_hdr_sz(dev, &hsz);
	if (err)
		return err;
	err = choose(dev, &c, &b);
	if (err)
		return err;
	err = validate(&c, b == TUNVNET_BACKEND_KERNEL ? &dev->hash->caps : NULL,
		       c.flags & TUNVNET_HASH_RSS ? dev_queue_bound(dev) : 0, hsz);
	if (err)
		return err;

	err = apply(dev, &c, b);
	if (err)
		return err;
	c.backend = b;
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

TUNVNET_API int tunvnet_dev_backend_check(struct tunvnet_dev *dev, enum tunvnet_backend backend,
					  uint32_t hash_flags)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;
	enum tunvnet_backend b;

	tv_err_clear();
	if (!dev || !tv_dev_nq(dev))
		return tv_err(-EINVAL, "no device handle");
	if (hash_flags & ~TV_HASH_ON)
		return tv_err(-EINVAL, "hash flags %#x: only REPORT 0x1 and RSS 0x2 are asked about",
			      hash_flags);
	if ((unsigned int)backend > TUNVNET_BACKEND_USER)
		return tv_err(-EINVAL, "unknown backend %u", (unsigned int)backend);
	if (!hash_state(dev))
		return -ENOMEM;
	c.flags = hash_flags;
	c.backend = backend;
	if (backend != TUNVNET_BACKEND_AUTO)
		return backend_ok(dev, backend, hash_flags);
	return choose(dev, &c, &b);
}

TUNVNET_API int tunvnet_dev_get_hash(const struct tunvnet_dev *dev, struct tunvnet_hash_cfg *cfg)
{
	tv_err_clear();
	if (!dev || !cfg)
		return tv_err(-EINVAL, "no device handle or no cfg");
	if (TV_OPTS_OUT_OK(cfg, tunvnet_hash_cfg, types))
		return -EINVAL;
	if (!dev->hash || !dev->hash->set)
		return tv_err(-ENOENT, "this handle has applied no hash configuration");
	return TV_OPTS_OUT(cfg, &dev->hash->cfg, tunvnet_hash_cfg, types);
}
