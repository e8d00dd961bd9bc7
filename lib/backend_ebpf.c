/* SPDX-License-Identifier: MIT */
/*
 * The ebpf backend: our steering program (steer_prog.c loads and
 * configures it) attached to a tun/tap with TUNSETSTEERINGEBPF, so the
 * kernel puts each frame on the queue tunvnet_rss_queue predicts. Reports
 * are filled on read (report.c).
 */
#include <stdlib.h>
#include <sys/ioctl.h>

#include "backend.h"
#include "steer_prog.h"
#include "uapi.h"

struct tv_ebpf {
	struct tv_steer *steer;
};

int tv_ebpf_load(const struct tunvnet_dev *dev, struct tv_ebpf **ep)
{
	struct tv_ebpf *e;
	int err;

	if (tv_kind_is_vtap(dev->kind))
		return tv_err(-EOPNOTSUPP, "%s is a %s link: it has no steering hook "
					   "(TUNSETSTEERINGEBPF is tun/tap only)", dev->name,
			      tunvnet_kind_name(dev->kind));
	e = calloc(1, sizeof(*e));
	if (!e)
		return tv_err(-ENOMEM, "out of memory");
	/* Its message names why (CAP_BPF, the verifier, a build without it). */
	err = tv_steer_open(&e->steer, tv_dev_l2(dev));
	if (err) {
		free(e);
		return err;
	}
	*ep = e;
	return 0;
}

static int steering(struct tunvnet_dev *dev, int fd, const char *what)
{
	int e;

	if (ioctl(tv_dev_fd(dev, 0), TV_TUNSETSTEERINGEBPF, &fd) == 0)
		return 0;
	e = errno;
	if (e == EBADFD)
		return tv_ioctl_err(dev->name, what, e);
	if (e == EPERM)
		return tv_err(-EPERM, "%s on %s: not permitted", what, dev->name);
	return tv_err(-e, "%s on %s failed: %s", what, dev->name, strerror(e));
}

int tv_ebpf_apply(struct tunvnet_dev *dev, struct tv_ebpf *e, const struct tunvnet_hash_cfg *c)
{
	int err, fd;

	/* Configure first: attached, the program steers by the new slot at once. */
	err = tv_steer_configure(e->steer, c);
	if (err)
		return err;
	fd = tv_steer_prog_fd(e->steer);
	if (fd < 0)
		return fd;
	return steering(dev, fd, "attaching the steering program (TUNSETSTEERINGEBPF)");
}

int tv_ebpf_detach(struct tunvnet_dev *dev)
{
	int fd = -1;

	if (tv_kind_is_vtap(dev->kind))
		return 0;
	if (ioctl(tv_dev_fd(dev, 0), TV_TUNSETSTEERINGEBPF, &fd) == 0)
		return 0;
	/* A kernel without the hook (before 4.16) has nothing attached either. */
	if (errno == EINVAL || errno == ENOTTY)
		return 0;
	return steering(dev, -1, "detaching the steering program (TUNSETSTEERINGEBPF -1)");
}

void tv_ebpf_free(struct tv_ebpf *e)
{
	if (!e)
		return;
	tv_steer_close(e->steer);
	free(e);
}
