/* SPDX-License-Identifier: MIT */
/*
 * A build without clang, bpftool or libbpf (meson -Debpf=disabled): no
 * steering program, so the ebpf backend reports itself unavailable.
 */
#include "internal.h"
#include "steer_prog.h"

int tv_steer_open(struct tv_steer **sp, enum tunvnet_l2 l2)
{
	(void)l2;
	if (sp)
		*sp = NULL;
	return tv_err(-EOPNOTSUPP, "this libtunvnet was built without the steering eBPF "
				   "program (clang, bpftool or libbpf was missing)");
}

int tv_steer_configure(struct tv_steer *s, const struct tunvnet_hash_cfg *cfg)
{
	(void)s;
	(void)cfg;
	return tv_err(-EOPNOTSUPP, "built without the steering eBPF program");
}

int tv_steer_prog_fd(const struct tv_steer *s)
{
	(void)s;
	return tv_err(-EOPNOTSUPP, "built without the steering eBPF program");
}

void tv_steer_close(struct tv_steer *s)
{
	(void)s;
}
