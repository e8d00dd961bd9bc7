/* SPDX-License-Identifier: MIT */
/*
 * tunvnet_kernel_quirks_probe on the running kernel. Without the hashing
 * series: no quirk, and no scratch device made. With it (the test kernels,
 * where TUNVNET_EXPECT_UAPI is set): both bugs doc/kernel-findings.md
 * documents for v5 and v12 are found (short key for IPv6-only types, the
 * queue index as the automq hash), and the scratch tap is gone afterwards.
 * Root; 77 without CAP_NET_ADMIN on a kernel with the series.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunvnet/tunvnet.h"

static int scratch_devices(void)
{
	struct dirent *d;
	DIR *dir = opendir("/sys/class/net");
	int n = 0;

	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		n += strncmp(d->d_name, "tvquirk", 7) == 0;
	closedir(dir);
	return n;
}

int main(void)
{
	struct tunvnet_caps caps = { .sz = sizeof(caps) };
	const char *expect = getenv("TUNVNET_EXPECT_UAPI");
	uint32_t q = 0xffffffffu, again = 0;
	int err;

	err = tunvnet_kernel_quirks_probe(&q);
	if (tunvnet_caps_probe(-1, &caps) != 0) {
		if (err || q != 0 || scratch_devices()) {
			fprintf(stderr, "FAIL: no series: want 0 quirks and no device, got %d, %#x\n",
				err, q);
			return 1;
		}
		printf("no hashing series: 0 quirks, no scratch device\n");
		return 0;
	}
	if (err == -EPERM) {
		printf("skip: the probe needs CAP_NET_ADMIN: %s\n", tunvnet_last_error());
		return 77;
	}
	if (err) {
		fprintf(stderr, "FAIL: probe: %d %s\n", err, tunvnet_last_error());
		return 1;
	}
	printf("series %s: quirks %#x\n", tunvnet_uapi_name(caps.uapi), q);
	if (scratch_devices()) {
		fprintf(stderr, "FAIL: the scratch tap outlived the probe\n");
		return 1;
	}
	/* Cached: the same answer, no second device. */
	if (tunvnet_kernel_quirks_probe(&again) || again != q) {
		fprintf(stderr, "FAIL: second probe gave %#x\n", again);
		return 1;
	}
	if (expect && *expect &&
	    q != (TUNVNET_QUIRK_SHORT_KEY_IPV6 | TUNVNET_QUIRK_AUTOMQ_VALUE_IS_QUEUE)) {
		fprintf(stderr, "FAIL: the test kernels have both documented bugs, probe found %#x\n",
			q);
		return 1;
	}
	return 0;
}
