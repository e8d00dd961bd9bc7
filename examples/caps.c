/* SPDX-License-Identifier: MIT */
/*
 * Ask the running kernel what it supports. Needs no device and no privilege.
 *
 *   cc caps.c $(pkg-config --cflags --libs libtunvnet) -o caps && ./caps
 */
#include <stdio.h>
#include <tunvnet/tunvnet.h>

int main(void)
{
	struct tunvnet_caps caps = TUNVNET_CAPS_INIT;
	char types[128];
	int err;

	err = tunvnet_caps_probe(-1, &caps);
	if (err) {
		/* -EOPNOTSUPP on every mainline kernel: the series is not merged. */
		fprintf(stderr, "no hashing: %s\n  %s\n", tunvnet_strerror(err),
			tunvnet_last_error());
		return 1;
	}
	tunvnet_hash_types_format(caps.types, types, sizeof(types));
	printf("uAPI generation %s: report %s, rss %s, types %s\n", tunvnet_uapi_name(caps.uapi),
	       caps.flags & TUNVNET_CAP_REPORT ? "yes" : "no",
	       caps.flags & TUNVNET_CAP_RSS ? "yes" : "no", types);
	return 0;
}
