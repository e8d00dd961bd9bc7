/* SPDX-License-Identifier: MIT */
/* Error text: errno values explained in terms of this feature. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

static __thread char last_error[256];

int tv_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err;
}

void tv_err_clear(void)
{
	last_error[0] = '\0';
}

TUNVNET_API const char *tunvnet_last_error(void)
{
	return last_error;
}

int tv_opts_copy(void *dst, size_t dst_sz, const void *src, size_t min_sz)
{
	const uint8_t *s = src;
	size_t sz, i;

	memset(dst, 0, dst_sz);
	if (!src)
		return 0;
	memcpy(&sz, src, sizeof(sz));
	if (sz < min_sz)
		return tv_err(-EINVAL, "options struct size %zu is smaller than the minimum %zu "
				       "(set .sz = sizeof(the struct))", sz, min_sz);
	/* A newer caller may pass a larger struct: fine if it uses none of it. */
	for (i = dst_sz; i < sz; i++)
		if (s[i])
			return tv_err(-E2BIG, "options struct has fields this library "
					      "version does not know (size %zu > %zu)", sz, dst_sz);
	memcpy(dst, src, sz < dst_sz ? sz : dst_sz);
	return 0;
}

void tv_opts_out(void *dst, const void *src, size_t src_sz)
{
	size_t sz;

	memcpy(&sz, dst, sizeof(sz));
	if (sz > src_sz)
		sz = src_sz;
	memcpy((char *)dst + sizeof(sz), (const char *)src + sizeof(sz), sz - sizeof(sz));
}

TUNVNET_API const char *tunvnet_version(void)
{
	return "0.1.0";
}

TUNVNET_API const char *tunvnet_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case EOPNOTSUPP:
		return "this kernel lacks the tun/tap virtio-net hashing feature "
		       "(TUNGETVNETHASHCAP / TUNGETVNETHASHTYPES; not in mainline Linux)";
	case EBADFD:
		return "the device behind this queue was deleted";
	case EBUSY:
		return "device busy: a steering eBPF program is attached "
		       "(kernels with series v5-v9 refuse RSS alongside it; detach it first)";
	case EPERM:
		return "operation not permitted: needs CAP_NET_ADMIN (run as root)";
	case EACCES:
		return "permission denied: the device node or device belongs to someone else";
	case ENODEV:
		return "no such device";
	case ENOENT:
		return "no such file, device or configuration";
	case EEXIST:
		return "the device already exists";
	case EINVAL:
		return "invalid argument";
	case EMSGSIZE:
		return "buffer too small for the largest frame the device can deliver";
	case EAGAIN:
		return "no packet ready on a non-blocking queue";
	case ENOSPC:
		return "output buffer too small";
	case E2BIG:
		return "options struct is newer than this library";
	case ENOMEM:
		return "out of memory";
	case ENOTTY:
		return "the fd is not a tun/tap queue";
	default:
		return strerror(err);
	}
}
