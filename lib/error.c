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
