/* SPDX-License-Identifier: MIT */
/*
 * What the probe must find. A test that skips when the probe says "no
 * feature" passes by accident when the probe is wrong, so the VM harness
 * tells each test kernel's suite which generation that kernel speaks:
 * TUNVNET_EXPECT_UAPI = "A", "B" or "none" (unset: no expectation, as on a
 * host kernel nobody described). Shared by the live tests and tests/vm.
 */
#ifndef TUNVNET_TEST_EXPECT_UAPI_H
#define TUNVNET_TEST_EXPECT_UAPI_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tunvnet/tunvnet.h>

/* The expected generation's name, or NULL when none was given. */
static inline const char *live_expected_uapi(void)
{
	const char *e = getenv("TUNVNET_EXPECT_UAPI");

	return e && *e ? e : NULL;
}

/* 0 when the probe's answer agrees with the expectation (or there is none);
 * else prints both and returns -1: the test must fail, not skip. */
static inline int live_check_uapi(enum tunvnet_uapi got)
{
	const char *want = live_expected_uapi();

	if (!want || strcmp(want, tunvnet_uapi_name(got)) == 0)
		return 0;
	fprintf(stderr, "FAIL: the probe says uAPI generation '%s' (%s), but this kernel "
		"speaks '%s' (TUNVNET_EXPECT_UAPI)\n", tunvnet_uapi_name(got),
		tunvnet_last_error(), want);
	return -1;
}

/* The exit status of a test whose probe answered "no feature" (-EOPNOTSUPP;
 * not one that could not ask, as without the privilege to open
 * /dev/net/tun): 77 (skip) unless the kernel was expected to have one, then 1. */
static inline int live_no_feature_exit(void)
{
	return live_check_uapi(TUNVNET_UAPI_NONE) ? 1 : 77;
}

#endif
