/* SPDX-License-Identifier: MIT */
/*
 * One version everywhere: the header's macros (generated version.h) and
 * tunvnet_version() of the shared library actually loaded both say the
 * project version meson passes as argv[1] (it is written only in
 * meson.build).
 */
#include <stdio.h>
#include <string.h>

#include <tunvnet/tunvnet.h>

static int failed;

static void same(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "FAIL: %s is \"%s\", the project version is \"%s\"\n", what, got,
			want);
		failed = 1;
	}
}

int main(int argc, char **argv)
{
	char parts[64];
	unsigned int maj, min, pat;
	char end;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PROJECT_VERSION\n", argv[0]);
		return 2;
	}
	same("TUNVNET_VERSION", TUNVNET_VERSION, argv[1]);
	snprintf(parts, sizeof(parts), "%d.%d.%d", TUNVNET_VERSION_MAJOR, TUNVNET_VERSION_MINOR,
		 TUNVNET_VERSION_PATCH);
	same("TUNVNET_VERSION_MAJOR.MINOR.PATCH", parts, argv[1]);
	same("tunvnet_version()", tunvnet_version(), argv[1]);
	/* The number orders versions: hand-computed from the project version. */
	if (sscanf(argv[1], "%u.%u.%u%c", &maj, &min, &pat, &end) != 3) {
		fprintf(stderr, "FAIL: project version \"%s\" is not MAJOR.MINOR.PATCH\n", argv[1]);
		return 1;
	}
	if (TUNVNET_VERSION_NUMBER != maj * 1000000L + min * 1000L + pat) {
		fprintf(stderr, "FAIL: TUNVNET_VERSION_NUMBER is %ld for %s\n",
			(long)TUNVNET_VERSION_NUMBER, argv[1]);
		failed = 1;
	}
#if TUNVNET_VERSION_NUMBER < TUNVNET_VERSION_ENCODE(0, 1, 0)
	fprintf(stderr, "FAIL: #if on TUNVNET_VERSION_NUMBER: older than 0.1.0\n");
	failed = 1;
#endif
	return failed;
}
