/* SPDX-License-Identifier: MIT */
/* Sized public structs in and out (see opts.h for the rules). */
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "opts.h"

static int sz_ok(size_t sz, size_t min_sz, const char *type)
{
	if (sz < min_sz || sz < sizeof(size_t))
		return tv_err(-EINVAL, "struct %s: sz is %zu, less than the %zu bytes every "
				       "version has (set it with sizeof or the _INIT macro)",
			      type, sz, min_sz < sizeof(size_t) ? sizeof(size_t) : min_sz);
	if (sz > TV_OPTS_SZ_MAX)
		return tv_err(-EINVAL, "struct %s: sz is %zu, more than any version of it "
				       "(uninitialised? use the _INIT macro)", type, sz);
	return 0;
}

int tv_opts_in(void *dst, size_t dst_sz, const void *src, size_t min_sz, size_t known_sz,
	       const char *type)
{
	const uint8_t *s = src;
	size_t sz, i;
	int err;

	memset(dst, 0, dst_sz);
	if (!src)
		return 0;
	memcpy(&sz, src, sizeof(sz));
	err = sz_ok(sz, min_sz, type);
	if (err)
		return err;
	/*
	 * From the end of the last field we know: a newer caller's fields (even
	 * one that landed in what is tail padding to us) must all be zero.
	 */
	for (i = known_sz; i < sz; i++)
		if (s[i])
			return tv_err(-E2BIG, "struct %s: byte %zu is not zero, past the %zu "
					      "bytes this library (%s) knows: a field it does not "
					      "know, from a newer header, or padding left "
					      "uninitialised (use the _INIT macro or zero the struct)",
				      type, i, known_sz, TUNVNET_VERSION);
	memcpy(dst, src, sz < known_sz ? sz : known_sz);
	return 0;
}

int tv_opts_out_ok(const void *dst, size_t min_sz, const char *type)
{
	size_t sz;

	if (!dst)
		return tv_err(-EINVAL, "no struct %s given", type);
	memcpy(&sz, dst, sizeof(sz));
	return sz_ok(sz, min_sz, type);
}

int tv_opts_out_checked(void *dst, const void *src, size_t min_sz, size_t known_sz,
			const char *type)
{
	uint8_t *d = dst;
	size_t sz, n;
	int err;

	memcpy(&sz, dst, sizeof(sz));
	err = sz_ok(sz, min_sz, type);
	if (err)
		return err;
	n = sz < known_sz ? sz : known_sz;
	memcpy(d + sizeof(sz), (const uint8_t *)src + sizeof(sz), n - sizeof(sz));
	if (sz > n)
		memset(d + n, 0, sz - n);
	return 0;
}
