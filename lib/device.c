/* SPDX-License-Identifier: MIT */
/*
 * Devices and queues: tun/tap through /dev/net/tun, macvtap/ipvtap through
 * their /dev/tapN node, adopted fds, and the per-queue vnet header ioctls.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "device.h"
#include "uapi.h"
#include "vtap.h"

/* The flags only this library keeps: no kernel call reports them. */
#define TV_DEV_LIB_FLAGS (TUNVNET_DEV_NONBLOCK | TUNVNET_DEV_KEEP_FDS)

static const char *dname(const struct tunvnet_dev *dev)
{
	return dev && dev->name[0] ? dev->name : "(unnamed)";
}

/* One place that words errno in this feature's terms (device.h). */
int tv_ioctl_err(const char *name, const char *what, int e)
{
	switch (e) {
	case EBADFD:
	case ENOLINK: /* macvtap/ipvtap queues whose link is gone */
		return tv_err(-EBADFD, "device %s was deleted (%s gives %s); close this handle",
			      name, what, e == EBADFD ? "EBADFD" : "ENOLINK");
	case EPERM:
		return tv_err(-EPERM, "%s on %s: operation not permitted: needs CAP_NET_ADMIN",
			      what, name);
	default:
		return tv_err(-e, "%s on %s failed: %s", what, name, strerror(e));
	}
}


static void flags_store(struct tunvnet_dev *d, uint32_t f)
{
	__atomic_store_n(&d->flags, f, __ATOMIC_RELAXED);
}

int tv_dev_alloc(struct tunvnet_dev **dp)
{
	struct tunvnet_dev *d = calloc(1, sizeof(*d));

	if (!d)
		return tv_err(-ENOMEM, "out of memory");
	d->io = calloc(1, sizeof(*d->io));
	if (!d->io) {
		free(d);
		return tv_err(-ENOMEM, "out of memory");
	}
	*dp = d;
	return 0;
}

/* Fill the next slot, then publish the count that covers it (device.h). */
int tv_dev_push(struct tunvnet_dev *d, int fd, bool adopted)
{
	unsigned int n = d->nq;

	if (n >= TV_IO_QUEUES)
		return tv_err(-ENOSPC, "%s: a handle holds at most %d queues (the kernel's "
				       "limit for tun/tap)", dname(d), TV_IO_QUEUES);
	d->q[n].fd = fd;
	d->q[n].adopted = adopted;
	d->q[n].io_err = 0;
	__atomic_store_n(&d->nq, n + 1, __ATOMIC_RELEASE);
	return (int)n;
}

/* A queue this library opened: if it cannot be kept, nobody else will close it. */
static int dev_push_own(struct tunvnet_dev *d, int fd)
{
	int idx = tv_dev_push(d, fd, false);

	if (idx < 0)
		close(fd);
	return idx;
}

void tv_dev_free(struct tunvnet_dev *d)
{
	unsigned int i;

	if (!d)
		return;
	/* hashcfg.c's state first: it may detach a steering program through a queue. */
	if (d->hash)
		d->hash_release(d);
	for (i = 0; i < d->nq; i++)
		if (d->q[i].fd >= 0 &&
		    (!d->q[i].adopted || !(d->flags & TUNVNET_DEV_KEEP_FDS)))
			close(d->q[i].fd);
	tv_dev_snapshots_free(d);
	free(d);
}

static int set_nonblock_fd(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) < 0 ? -errno : 0;
}

/* TUNGETIFF flags -> TUNVNET_DEV_*, keeping the library-side bits. */
static uint32_t iff_to_flags(unsigned int iff, uint32_t keep)
{
	uint32_t f = keep & TV_DEV_LIB_FLAGS;

	if (iff & TV_IFF_MULTI_QUEUE)
		f |= TUNVNET_DEV_MULTI_QUEUE;
	if (iff & TV_IFF_VNET_HDR)
		f |= TUNVNET_DEV_VNET_HDR;
	if (iff & TV_IFF_PERSIST)
		f |= TUNVNET_DEV_PERSIST;
	if (!(iff & TV_IFF_NO_PI))
		f |= TUNVNET_DEV_PI;
	if (iff & TV_IFF_NAPI)
		f |= TUNVNET_DEV_NAPI;
	return f;
}

/* The flags to hand TUNSETIFF so another queue attaches without changing the device. */
static short flags_to_iff(enum tunvnet_kind kind, uint32_t f)
{
	int iff = kind == TUNVNET_KIND_TUN ? TV_IFF_TUN : TV_IFF_TAP;

	if (!(f & TUNVNET_DEV_PI))
		iff |= TV_IFF_NO_PI;
	if (f & TUNVNET_DEV_MULTI_QUEUE)
		iff |= TV_IFF_MULTI_QUEUE;
	if (f & TUNVNET_DEV_VNET_HDR)
		iff |= TV_IFF_VNET_HDR;
	if (f & TUNVNET_DEV_NAPI)
		iff |= TV_IFF_NAPI;
	return (short)iff;
}

static int getiff(int fd, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	return ioctl(fd, TV_TUNGETIFF, ifr) < 0 ? -errno : 0;
}

static enum tunvnet_endian query_endian(int fd)
{
	int v = 0;

	if (ioctl(fd, TV_TUNGETVNETLE, &v) == 0 && v)
		return TUNVNET_ENDIAN_LE;
	v = 0;
	if (ioctl(fd, TV_TUNGETVNETBE, &v) == 0 && v)
		return TUNVNET_ENDIAN_BE;
	return TUNVNET_ENDIAN_NATIVE;
}

/* /sys/class/net/NAME/tun_flags: the device's IFF_* flags, as "0x1002". */
static int read_tun_flags(const char *name, unsigned int *flags)
{
	char path[96];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fscanf(f, "%x", flags);
	fclose(f);
	return n == 1 ? 0 : -EIO;
}

/*
 * A size another program set on a device we attach to or adopt: above 24
 * no struct is defined and every frame would cost as much as the size
 * (issue 9): refuse rather than change a setting its owner chose.
 */
static int check_kernel_hdr_sz(const struct tunvnet_dev *d, int sz)
{
	if (sz <= TUNVNET_HDR_MAX_LEN)
		return 0;
	return tv_err(-EINVAL, "%s uses a %d-byte vnet header; this library handles at most %d: "
			       "ask for a size (10, 12, 20 or 24) when opening or adopting it",
		      dname(d), sz, TUNVNET_HDR_MAX_LEN);
}

/*
 * Learn flags, header size and endianness from the kernel (queue 0). The
 * size is checked on the final refresh only: a size the caller asked for
 * is applied between the two.
 */
static int dev_refresh(struct tunvnet_dev *d, bool final)
{
	struct ifreq ifr;
	unsigned int iff, sf;
	uint32_t flags;
	int err, sz = 0;

	err = getiff(tv_dev_fd(d, 0), &ifr);
	if (err)
		return tv_ioctl_err(dname(d), "TUNGETIFF", -err);
	iff = (unsigned short)ifr.ifr_flags;
	if (d->kind == TUNVNET_KIND_TUN || d->kind == TUNVNET_KIND_TAP) {
		/*
		 * tun's TUNGETIFF adds IFF_NOFILTER (0x1000, the bit of IFF_NO_PI)
		 * whenever no socket filter is attached, so it cannot tell PI.
		 * sysfs tun_flags shows the device's own flags; without it keep
		 * what this handle knows about PI.
		 */
		if (read_tun_flags(d->name, &sf) == 0) {
			iff = sf;
		} else {
			iff &= ~(unsigned int)TV_IFF_NO_PI;
			if (!(d->flags & TUNVNET_DEV_PI))
				iff |= TV_IFF_NO_PI;
		}
	}
	flags = iff_to_flags(iff, tv_dev_flags(d));
	if (flags & TUNVNET_DEV_VNET_HDR) {
		if (ioctl(tv_dev_fd(d, 0), TV_TUNGETVNETHDRSZ, &sz) < 0)
			return tv_ioctl_err(dname(d), "TUNGETVNETHDRSZ", errno);
		err = final ? check_kernel_hdr_sz(d, sz) : 0;
		if (err)
			return err;
	}
	flags_store(d, flags);
	return tv_dev_publish_layout(d, sz, query_endian(tv_dev_fd(d, 0)),
				     flags & TUNVNET_DEV_PI);
}

static int hdr_sz_on(const struct tunvnet_dev *d, int fd, int sz)
{
	if (ioctl(fd, TV_TUNSETVNETHDRSZ, &sz) < 0) {
		if (errno == EINVAL)
			return tv_err(-EINVAL, "vnet header size %d refused by the kernel "
					       "(at least 10)", sz);
		return tv_ioctl_err(dname(d), "TUNSETVNETHDRSZ", errno);
	}
	return 0;
}

static int endian_on(const struct tunvnet_dev *d, int fd, enum tunvnet_endian e)
{
	int le = e == TUNVNET_ENDIAN_LE, be = e == TUNVNET_ENDIAN_BE;

	if (ioctl(fd, TV_TUNSETVNETLE, &le) < 0)
		return tv_ioctl_err(dname(d), "TUNSETVNETLE", errno);
	if (ioctl(fd, TV_TUNSETVNETBE, &be) < 0) {
		/* Without CONFIG_TUN_VNET_CROSS_LE there is no BE to clear. */
		if (errno == EINVAL && !be)
			return 0;
		if (errno == EINVAL)
			return tv_err(-EOPNOTSUPP, "big-endian vnet headers need a kernel built "
						   "with CONFIG_TUN_VNET_CROSS_LE");
		return tv_ioctl_err(dname(d), "TUNSETVNETBE", errno);
	}
	return 0;
}

/* Bring a new queue fd in line with the handle: nonblock, header size, endianness. */
static int queue_setup(struct tunvnet_dev *d, int fd, int hdr_sz, enum tunvnet_endian e)
{
	int err;

	if (tv_dev_flags(d) & TUNVNET_DEV_NONBLOCK) {
		err = set_nonblock_fd(fd, true);
		if (err)
			return tv_err(err, "O_NONBLOCK on a queue of %s: %s", dname(d),
				      strerror(-err));
	}
	if (hdr_sz > 0 && (tv_dev_flags(d) & TUNVNET_DEV_VNET_HDR)) {
		err = hdr_sz_on(d, fd, hdr_sz);
		if (err)
			return err;
	}
	if (e != TUNVNET_ENDIAN_NATIVE && (tv_dev_flags(d) & TUNVNET_DEV_VNET_HDR)) {
		err = endian_on(d, fd, e);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The last step of every open: bring each queue to the requested header size
 * and endianness, learn what the kernel then has in force, hand out d.
 */
static int dev_finish(struct tunvnet_dev *d, int hdr_sz, enum tunvnet_endian e,
		      struct tunvnet_dev **devp)
{
	unsigned int i;
	int err;

	for (i = 0; i < d->nq; i++) {
		err = queue_setup(d, tv_dev_fd(d, i), hdr_sz, e);
		if (err)
			return err;
	}
	err = dev_refresh(d, true);
	if (err)
		return err;
	d->ifindex = (int)if_nametoindex(d->name);
	*devp = d;
	return 0;
}

static int check_hdr_sz(int sz)
{
	if (sz >= 0 && tv_hdr_sz_known((size_t)sz))
		return 0;
	return tv_err(-EINVAL, "vnet header size %d is not one of 10, 12, 20 or 24 (the largest "
			       "header, TUNVNET_HDR_MAX_LEN)", sz);
}

static int opts_in(struct tunvnet_dev_opts *o, const struct tunvnet_dev_opts *opts)
{
	int err;

	if (!opts) {
		memset(o, 0, sizeof(*o));
		o->sz = sizeof(*o);
		o->owner = -1;
		o->group = -1;
		return 0;
	}
	err = TV_OPTS_IN(o, opts, tunvnet_dev_opts, flags);
	if (err)
		return err;
	/* The two fields whose default is not zero. */
	if (!TV_OPTS_HAS(o->sz, tunvnet_dev_opts, owner))
		o->owner = -1;
	if (!TV_OPTS_HAS(o->sz, tunvnet_dev_opts, group))
		o->group = -1;
	if (o->flags & ~TUNVNET_DEV_FLAGS_ALL)
		return tv_err(-EINVAL, "unknown device flags %#x", o->flags & ~TUNVNET_DEV_FLAGS_ALL);
	if (o->vnet_hdr_sz && check_hdr_sz(o->vnet_hdr_sz))
		return -EINVAL;
	if (o->endian > TUNVNET_ENDIAN_BE)
		return tv_err(-EINVAL, "unknown endianness %d", (int)o->endian);
	/* Asking for a header size or endianness implies wanting the header. */
	if (o->vnet_hdr_sz || o->endian != TUNVNET_ENDIAN_NATIVE)
		o->flags |= TUNVNET_DEV_VNET_HDR;
	if (!o->queues)
		o->queues = 1;
	return 0;
}

/* The feature flags TUNSETIFF sets: on an existing device it replaces them. */
#define TV_DEV_FEATURES (TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_PI | \
			 TUNVNET_DEV_NAPI)

/*
 * Attaching to an existing tun/tap: TUNSETIFF would replace its feature
 * flags with ours, so a VMM's vnet header setting, packet info or NAPI
 * would change under it. Attach with the flags it has; refuse to add one
 * it lacks (that would change it for every other user). Without sysfs
 * tun_flags the device cannot be asked, and the caller's flags are used.
 */
static int keep_features(const char *nm, struct tunvnet_dev_opts *o)
{
	uint32_t have, want = o->flags & TV_DEV_FEATURES;
	unsigned int iff;
	char list[96] = "";

	if (read_tun_flags(nm, &iff) != 0)
		return 0;
	have = iff_to_flags(iff, 0) & TV_DEV_FEATURES;
	if ((iff & TV_IFF_TUN) != (o->kind == TUNVNET_KIND_TUN ? TV_IFF_TUN : 0))
		return tv_err(-EINVAL, "%s exists as a %s device, not %s", nm,
			      iff & TV_IFF_TUN ? "tun" : "tap", tunvnet_kind_name(o->kind));
	if (!(want & ~have)) {
		o->flags |= have;
		return 0;
	}
	if (want & ~have & TUNVNET_DEV_MULTI_QUEUE)
		strcat(list, " MULTI_QUEUE");
	if (want & ~have & TUNVNET_DEV_VNET_HDR)
		strcat(list, " VNET_HDR");
	if (want & ~have & TUNVNET_DEV_PI)
		strcat(list, " PI");
	if (want & ~have & TUNVNET_DEV_NAPI)
		strcat(list, " NAPI");
	return tv_err(-EINVAL, "%s exists without%s: attaching would change it for its other "
			       "users (TUNSETIFF replaces a device's flags); open it without them, "
			       "or delete and re-create it", nm, list);
}

/* Open /dev/net/tun and attach to (or create) name; returns the fd. */
static int tun_attach(char name[IFNAMSIZ], short iff, bool excl)
{
	struct ifreq ifr;
	int fd, e;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT)
			return tv_err(-ENODEV, "/dev/net/tun is missing (tun module not loaded?)");
		if (e == EACCES || e == EPERM)
			return tv_err(-e, "cannot open /dev/net/tun: %s (needs CAP_NET_ADMIN or "
					  "access to the node)", strerror(e));
		return tv_err(-e, "cannot open /dev/net/tun: %s", strerror(e));
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, IFNAMSIZ);
	ifr.ifr_flags = (short)(iff | (excl ? TV_IFF_TUN_EXCL : 0));
	if (ioctl(fd, TV_TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(fd);
		switch (e) {
		case EBUSY:
			if (excl)
				return tv_err(-EEXIST, "device %s already exists (TUNVNET_DEV_EXCL)",
					      name);
			return tv_err(-EBUSY, "device %s is busy: a single-queue device already "
					      "has its queue attached", name);
		case EPERM:
			return tv_err(-EPERM, "creating or attaching tun/tap device %s needs "
					      "CAP_NET_ADMIN (or being its owner/group)",
				      name[0] ? name : "(new)");
		case EINVAL:
			return tv_err(-EINVAL, "TUNSETIFF on %s refused (EINVAL): it exists with "
					       "another type (tun/tap), multi-queue setting, or is "
					       "not a tun/tap device", name);
		default:
			return tv_err(-e, "TUNSETIFF on %s failed: %s", name[0] ? name : "(new)",
				      strerror(e));
		}
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	return fd;
}

TUNVNET_API int tunvnet_dev_open(const char *name, const struct tunvnet_dev_opts *opts,
				 struct tunvnet_dev **devp)
{
	struct tunvnet_dev_opts o;
	struct tunvnet_dev *d = NULL;
	char nm[IFNAMSIZ] = "";
	bool existed = false, persisted = false;
	unsigned int i;
	short iff;
	int err, fd;

	tv_err_clear();
	if (!devp)
		return tv_err(-EINVAL, "no place to return the handle");
	*devp = NULL;
	err = opts_in(&o, opts);
	if (err)
		return err;
	if (o.kind == TUNVNET_KIND_UNKNOWN)
		o.kind = TUNVNET_KIND_TAP;
	if (o.kind != TUNVNET_KIND_TUN && o.kind != TUNVNET_KIND_TAP)
		return tv_err(-EINVAL, "tunvnet_dev_open makes tun or tap devices; open a %s "
				       "with tunvnet_dev_open_vtap", tunvnet_kind_name(o.kind));
	if (o.queues > 1 && !(o.flags & TUNVNET_DEV_MULTI_QUEUE))
		return tv_err(-EINVAL, "%u queues need TUNVNET_DEV_MULTI_QUEUE", o.queues);
	if (name) {
		if (strlen(name) >= IFNAMSIZ)
			return tv_err(-EINVAL, "interface name '%s' is longer than %d characters",
				      name, IFNAMSIZ - 1);
		strcpy(nm, name);
	}
	/* Whether this call creates the device decides what we know of its offloads. */
	existed = nm[0] && !strchr(nm, '%') && if_nametoindex(nm) != 0;
	if (existed && !(o.flags & TUNVNET_DEV_EXCL)) {
		err = keep_features(nm, &o);
		if (err)
			return err;
	}

	err = tv_dev_alloc(&d);
	if (err)
		return err;
	d->kind = o.kind;
	/* PI too: without sysfs tun_flags, dev_refresh can learn it only from here. */
	d->flags = o.flags & (TV_DEV_LIB_FLAGS | TUNVNET_DEV_PI);
	iff = flags_to_iff(o.kind, o.flags);

	fd = tun_attach(nm, iff, o.flags & TUNVNET_DEV_EXCL);
	if (fd < 0) {
		tv_dev_free(d);
		return fd;
	}
	strcpy(d->name, nm);
	d->created = !existed;
	err = dev_push_own(d, fd);
	if (err < 0)
		goto fail;

	if (o.owner >= 0 && ioctl(fd, TV_TUNSETOWNER, (unsigned long)o.owner) < 0) {
		err = tv_ioctl_err(d->name, "TUNSETOWNER", errno);
		goto fail;
	}
	if (o.group >= 0 && ioctl(fd, TV_TUNSETGROUP, (unsigned long)o.group) < 0) {
		err = tv_ioctl_err(d->name, "TUNSETGROUP", errno);
		goto fail;
	}
	if (o.flags & TUNVNET_DEV_PERSIST) {
		if (ioctl(fd, TV_TUNSETPERSIST, 1UL) < 0) {
			err = tv_ioctl_err(d->name, "TUNSETPERSIST", errno);
			goto fail;
		}
		persisted = d->created;
	}
	for (i = 1; i < o.queues; i++) {
		fd = tun_attach(nm, iff, false);
		if (fd < 0) {
			err = fd;
			goto fail;
		}
		err = dev_push_own(d, fd);
		if (err < 0)
			goto fail;
	}
	d->flags |= o.flags & TUNVNET_DEV_VNET_HDR; /* so queue_setup applies the header */
	err = dev_finish(d, o.vnet_hdr_sz, o.endian, devp);
	if (err)
		goto fail;
	return 0;

fail:
	/* Do not leave behind a persistent device this call created. */
	if (persisted)
		ioctl(tv_dev_fd(d, 0), TV_TUNSETPERSIST, 0UL);
	tv_dev_free(d);
	return err;
}

TUNVNET_API int tunvnet_dev_open_vtap(const char *ifname, const struct tunvnet_dev_opts *opts,
				      struct tunvnet_dev **devp)
{
	struct tunvnet_dev_opts o;
	struct tunvnet_dev *d = NULL;
	enum tunvnet_kind kind;
	dev_t rdev;
	unsigned int i;
	int err, fd;

	tv_err_clear();
	if (!devp)
		return tv_err(-EINVAL, "no place to return the handle");
	*devp = NULL;
	if (!ifname || !ifname[0] || strlen(ifname) >= IFNAMSIZ || strchr(ifname, '/'))
		return tv_err(-EINVAL, "bad interface name");
	err = opts_in(&o, opts);
	if (err)
		return err;
	if (o.flags & (TUNVNET_DEV_PI | TUNVNET_DEV_PERSIST | TUNVNET_DEV_EXCL))
		return tv_err(-EINVAL, "macvtap/ipvtap queues have no packet info, persistence "
				       "or exclusive create (PI, PERSIST, EXCL)");
	if (o.owner >= 0 || o.group >= 0)
		return tv_err(-EINVAL, "owner/group apply to tun/tap only; set the /dev/tapN "
				       "node's ownership instead");
	err = tv_dev_alloc(&d);
	if (err)
		return err;
	err = tv_vtap_lookup(ifname, &kind, d->node, sizeof(d->node), &rdev);
	if (!err)
		err = tv_vtap_node(d->node, rdev);
	if (err) {
		tv_dev_free(d);
		return err;
	}
	strcpy(d->name, ifname);
	d->kind = kind;
	d->flags = o.flags & TV_DEV_LIB_FLAGS;
	for (i = 0; i < o.queues; i++) {
		fd = tv_vtap_open(d->node, d->name);
		if (fd < 0) {
			err = fd;
			goto fail;
		}
		err = dev_push_own(d, fd);
		if (err < 0)
			goto fail;
	}
	/* Every tap queue starts with IFF_VNET_HDR; the kernel's word is the truth. */
	err = dev_refresh(d, false);
	if (!err)
		err = dev_finish(d, o.vnet_hdr_sz, o.endian, devp);
	if (err)
		goto fail;
	return 0;
fail:
	tv_dev_free(d);
	return err;
}

TUNVNET_API int tunvnet_dev_adopt(int fd, const struct tunvnet_dev_opts *opts,
				  struct tunvnet_dev **devp)
{
	struct tunvnet_dev_opts o;
	struct tunvnet_dev *d = NULL;
	enum tunvnet_kind kind;
	struct ifreq ifr;
	struct stat st;
	char path[64], link[sizeof(d->node)];
	dev_t rdev;
	ssize_t n;
	int err;

	tv_err_clear();
	if (!devp)
		return tv_err(-EINVAL, "no place to return the handle");
	*devp = NULL;
	err = opts_in(&o, opts);
	if (err)
		return err;
	if (fstat(fd, &st) < 0)
		return tv_err(-errno, "fd %d: %s", fd, strerror(errno));
	if (!S_ISCHR(st.st_mode))
		return tv_err(-ENOTTY, "fd %d is not a tun/tap queue (not a character device)", fd);
	err = getiff(fd, &ifr);
	if (err == -EBADFD)
		return tv_err(-EBADFD, "fd %d: its device was deleted (or the fd was never "
				       "attached with TUNSETIFF)", fd);
	if (err == -ENOLINK)
		return tv_err(-EBADFD, "fd %d: its macvtap/ipvtap link was deleted", fd);
	if (err == -ENOTTY || err == -EINVAL)
		return tv_err(-ENOTTY, "fd %d is not a tun/tap queue (TUNGETIFF: %s)", fd,
			      strerror(-err));
	if (err)
		return tv_err(err, "TUNGETIFF on fd %d failed: %s", fd, strerror(-err));

	err = tv_dev_alloc(&d);
	if (err)
		return err;
	memcpy(d->name, ifr.ifr_name, IFNAMSIZ);
	d->name[IFNAMSIZ - 1] = '\0';
	if (major(st.st_rdev) == TV_TUN_MAJOR && minor(st.st_rdev) == TV_TUN_MINOR) {
		d->kind = ifr.ifr_flags & TV_IFF_TUN ? TUNVNET_KIND_TUN : TUNVNET_KIND_TAP;
	} else if (tv_vtap_lookup(d->name, &kind, d->node, sizeof(d->node), &rdev) == 0) {
		d->kind = kind;
	} else {
		/* No sysfs: a /dev/tapN queue all the same; macvtap is the common one. */
		tv_err_clear();
		d->kind = TUNVNET_KIND_MACVTAP;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			strcpy(d->node, link);
		}
	}
	d->flags = o.flags & TV_DEV_LIB_FLAGS;
	err = tv_dev_push(d, fd, true);
	if (err < 0)
		goto fail;
	err = dev_refresh(d, false);
	if (!err)
		err = dev_finish(d, o.vnet_hdr_sz, o.endian, devp);
	if (err)
		goto fail;
	return 0;
fail:
	d->flags |= TUNVNET_DEV_KEEP_FDS; /* never close the caller's fd on failure */
	tv_dev_free(d);
	return err;
}

TUNVNET_API void tunvnet_dev_close(struct tunvnet_dev *dev)
{
	tv_err_clear();
	tv_dev_free(dev);
}

TUNVNET_API int tunvnet_dev_add_queue(struct tunvnet_dev *dev)
{
	const struct tv_io *io;
	struct ifreq ifr;
	char nm[IFNAMSIZ];
	int fd, err;

	tv_err_clear();
	if (!dev)
		return tv_err(-EINVAL, "no device handle");
	io = tv_dev_io(dev);
	if (dev->nq >= TV_IO_QUEUES)
		return tv_err(-ENOSPC, "%s: a handle holds at most %d queues", dname(dev),
			      TV_IO_QUEUES);
	if (tv_kind_is_vtap(dev->kind)) {
		if (!dev->node[0])
			return tv_err(-EINVAL, "no /dev/tapN node known for %s", dname(dev));
		fd = tv_vtap_open(dev->node, dev->name);
	} else {
		if (!(tv_dev_flags(dev) & TUNVNET_DEV_MULTI_QUEUE))
			return tv_err(-EINVAL, "%s is not multi-queue (TUNVNET_DEV_MULTI_QUEUE)",
				      dname(dev));
		/* TUNSETIFF by name would create a new device if this one is gone. */
		err = dev->nq ? getiff(tv_dev_fd(dev, 0), &ifr) : -ENODEV;
		if (err)
			return tv_ioctl_err(dname(dev), "TUNGETIFF", -err);
		memcpy(nm, dev->name, IFNAMSIZ);
		fd = tun_attach(nm, flags_to_iff(dev->kind, tv_dev_flags(dev)), false);
	}
	if (fd < 0)
		return fd;
	err = queue_setup(dev, fd, io->hdr_sz, io->endian);
	if (err) {
		close(fd);
		return err;
	}
	return dev_push_own(dev, fd);
}

TUNVNET_API int tunvnet_dev_adopt_queue(struct tunvnet_dev *dev, int fd)
{
	struct ifreq ifr;
	int err;

	tv_err_clear();
	if (!dev)
		return tv_err(-EINVAL, "no device handle");
	if (dev->nq >= TV_IO_QUEUES)
		return tv_err(-ENOSPC, "%s: a handle holds at most %d queues", dname(dev),
			      TV_IO_QUEUES);
	err = getiff(fd, &ifr);
	if (err)
		return tv_ioctl_err(dname(dev), "TUNGETIFF on the adopted fd", -err);
	ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	if (strcmp(ifr.ifr_name, dev->name) != 0)
		return tv_err(-EINVAL, "fd %d is a queue of %s, not of %s", fd, ifr.ifr_name,
			      dev->name);
	err = queue_setup(dev, fd, tv_dev_io(dev)->hdr_sz, tv_dev_io(dev)->endian);
	if (err)
		return err;
	return tv_dev_push(dev, fd, true);
}

TUNVNET_API const char *tunvnet_dev_name(const struct tunvnet_dev *dev)
{
	tv_err_clear();
	return dev ? dev->name : "";
}

TUNVNET_API enum tunvnet_kind tunvnet_dev_kind(const struct tunvnet_dev *dev)
{
	tv_err_clear();
	return dev ? dev->kind : TUNVNET_KIND_UNKNOWN;
}

TUNVNET_API enum tunvnet_l2 tunvnet_dev_l2(const struct tunvnet_dev *dev)
{
	tv_err_clear();
	return dev ? tv_dev_l2(dev) : TUNVNET_L2_ETH; /* tap, macvtap, ipvtap */
}

TUNVNET_API int tunvnet_dev_ifindex(const struct tunvnet_dev *dev)
{
	tv_err_clear();
	return dev ? dev->ifindex : -EINVAL;
}

TUNVNET_API unsigned int tunvnet_dev_num_queues(const struct tunvnet_dev *dev)
{
	tv_err_clear();
	return dev ? tv_dev_nq(dev) : 0;
}

TUNVNET_API int tunvnet_dev_queue_fd(const struct tunvnet_dev *dev, unsigned int q)
{
	tv_err_clear();
	if (!dev)
		return tv_err(-EINVAL, "no device handle");
	if (q >= tv_dev_nq(dev))
		return tv_err(-EINVAL, "queue %u does not exist (%s has %u)", q, dev->name,
			      tv_dev_nq(dev));
	return tv_dev_fd(dev, q);
}

TUNVNET_API uint32_t tunvnet_dev_flags(const struct tunvnet_dev *dev)
{
	tv_err_clear();
	return dev ? tv_dev_flags(dev) : 0;
}

TUNVNET_API int tunvnet_dev_set_persist(struct tunvnet_dev *dev, bool persist)
{
	tv_err_clear();
	if (!dev || !dev->nq)
		return tv_err(-EINVAL, "no device handle");
	if (tv_kind_is_vtap(dev->kind))
		return tv_err(-EOPNOTSUPP, "%s is a %s link: it stays until deleted "
					   "(tunvnet_link_delete); persistence is a tun/tap setting",
			      dev->name, tunvnet_kind_name(dev->kind));
	if (ioctl(tv_dev_fd(dev, 0), TV_TUNSETPERSIST, persist ? 1UL : 0UL) < 0)
		return tv_ioctl_err(dev->name, "TUNSETPERSIST", errno);
	flags_store(dev, persist ? tv_dev_flags(dev) | TUNVNET_DEV_PERSIST
				 : tv_dev_flags(dev) & ~TUNVNET_DEV_PERSIST);
	return 0;
}

TUNVNET_API int tunvnet_dev_set_nonblock(struct tunvnet_dev *dev, bool nonblock)
{
	unsigned int q;
	int err;

	tv_err_clear();
	if (!dev)
		return tv_err(-EINVAL, "no device handle");
	for (q = 0; q < dev->nq; q++) {
		err = set_nonblock_fd(tv_dev_fd(dev, q), nonblock);
		if (err)
			return tv_err(err, "O_NONBLOCK on queue %u of %s: %s", q, dev->name,
				      strerror(-err));
	}
	flags_store(dev, nonblock ? tv_dev_flags(dev) | TUNVNET_DEV_NONBLOCK
				  : tv_dev_flags(dev) & ~TUNVNET_DEV_NONBLOCK);
	return 0;
}

/*
 * A header layout change (size or endianness) on every queue, bracketed so
 * that a read overlapping it knows (device.h); then the new snapshot.
 */
TUNVNET_API int tunvnet_dev_set_vnet_hdr_sz(struct tunvnet_dev *dev, int sz)
{
	const struct tv_io *io;
	unsigned int q;
	int err = 0;

	tv_err_clear();
	if (!dev || !dev->nq)
		return tv_err(-EINVAL, "no device handle");
	if (!(tv_dev_flags(dev) & TUNVNET_DEV_VNET_HDR))
		return tv_err(-EINVAL, "the queues of %s carry no vnet header (IFF_VNET_HDR is "
				       "off); open with TUNVNET_DEV_VNET_HDR", dev->name);
	if (check_hdr_sz(sz))
		return -EINVAL;
	io = tv_dev_io(dev);
	if (io->hdr_sz == sz) {
		/* No layout change for readers, but the kernel still answers:
		 * a deleted device must say so, not succeed. */
		for (q = 0; q < dev->nq && !err; q++)
			err = hdr_sz_on(dev, tv_dev_fd(dev, q), sz);
		return err;
	}
	tv_layout_change_begin(dev);
	/* tun keeps one size per device, macvtap one per queue: set it everywhere. */
	for (q = 0; q < dev->nq && !err; q++)
		err = hdr_sz_on(dev, tv_dev_fd(dev, q), sz);
	if (!err)
		err = tv_dev_publish_layout(dev, sz, io->endian, io->pi);
	tv_layout_change_end(dev);
	return err;
}

TUNVNET_API int tunvnet_dev_get_vnet_hdr_sz(struct tunvnet_dev *dev, int *sz)
{
	const struct tv_io *io;
	int v = 0, err;

	tv_err_clear();
	if (!dev || !dev->nq || !sz)
		return tv_err(-EINVAL, "no device handle or no output");
	if (ioctl(tv_dev_fd(dev, 0), TV_TUNGETVNETHDRSZ, &v) < 0)
		return tv_ioctl_err(dev->name, "TUNGETVNETHDRSZ", errno);
	/* Without IFF_VNET_HDR the kernel keeps a size but puts no header on packets. */
	if (!(tv_dev_flags(dev) & TUNVNET_DEV_VNET_HDR))
		v = 0;
	io = tv_dev_io(dev);
	if (v != io->hdr_sz) {
		/* Changed behind this handle's back (another program). */
		err = check_kernel_hdr_sz(dev, v);
		if (!err)
			err = tv_dev_publish_layout(dev, v, io->endian, io->pi);
		if (err)
			return err;
	}
	*sz = v;
	return 0;
}

TUNVNET_API int tunvnet_dev_set_vnet_endian(struct tunvnet_dev *dev, enum tunvnet_endian endian)
{
	const struct tv_io *io;
	unsigned int q;
	bool change;
	int err = 0;

	tv_err_clear();
	if (!dev || !dev->nq)
		return tv_err(-EINVAL, "no device handle");
	if (endian > TUNVNET_ENDIAN_BE)
		return tv_err(-EINVAL, "unknown endianness %d", (int)endian);
	io = tv_dev_io(dev);
	change = io->endian != endian; /* as for the size: only a change is bracketed */
	if (change)
		tv_layout_change_begin(dev);
	for (q = 0; q < dev->nq && !err; q++)
		err = endian_on(dev, tv_dev_fd(dev, q), endian);
	if (!err && change)
		err = tv_dev_publish_layout(dev, io->hdr_sz, endian, io->pi);
	if (change)
		tv_layout_change_end(dev);
	return err;
}

TUNVNET_API int tunvnet_dev_get_vnet_endian(struct tunvnet_dev *dev, enum tunvnet_endian *endian)
{
	const struct tv_io *io;
	enum tunvnet_endian e;
	int v = 0, err;

	tv_err_clear();
	if (!dev || !dev->nq || !endian)
		return tv_err(-EINVAL, "no device handle or no output");
	/* TUNGETVNETLE fails only when the device is gone or the fd is not a queue. */
	if (ioctl(tv_dev_fd(dev, 0), TV_TUNGETVNETLE, &v) < 0)
		return tv_ioctl_err(dev->name, "TUNGETVNETLE", errno);
	e = query_endian(tv_dev_fd(dev, 0));
	io = tv_dev_io(dev);
	if (e != io->endian) {
		err = tv_dev_publish_layout(dev, io->hdr_sz, e, io->pi);
		if (err)
			return err;
	}
	*endian = e;
	return 0;
}
