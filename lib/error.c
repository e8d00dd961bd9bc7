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
	return TUNVNET_VERSION; /* generated from the project version */
}

/*
 * One errno has many causes here (EOPNOTSUPP: no kernel feature, no CPU
 * path, no big-endian headers, persist on a macvtap...), so these words stay
 * true for every one of them; tunvnet_last_error() names the actual cause.
 */
TUNVNET_API const char *tunvnet_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case EOPNOTSUPP:
		return "not supported by this kernel, device, build or CPU";
	case EBADFD:
		return "the device behind this queue was deleted";
	case EBUSY:
		return "device or resource busy";
	case EPERM:
		return "operation not permitted: a privilege is missing (such as CAP_NET_ADMIN)";
	case EACCES:
		return "permission denied";
	case ENODEV:
		return "no such device";
	case ENOENT:
		return "no such file, device or configuration";
	case EEXIST:
		return "already exists";
	case EINVAL:
		return "invalid argument";
	case EMSGSIZE:
		return "a buffer or message of the wrong size";
	case EAGAIN:
		return "try again: nothing ready yet (a non-blocking queue, or a link dump "
		       "interrupted by links changing)";
	case ENOSPC:
		return "output buffer too small";
	case E2BIG:
		return "argument too large";
	case ENOMEM:
		return "out of memory";
	case ENOTTY:
		return "not a tun/tap queue";
	default:
		return strerror(err);
	}
}
