/* SPDX-License-Identifier: MIT */
/*
 * The size rule every sized struct follows (lib/opts.c), on model structs:
 * a library that knows v1 = { sz; int a; } (16 bytes: 4 of them tail
 * padding) meets callers built against v0 (older), v2 (a field appended
 * past v1's size) and v1b (a field that landed in v1's tail padding, so
 * sizeof is unchanged). Bytes past the last known field must be zero,
 * whatever the caller's sz says: checking only past sizeof would take v1b's
 * field without a word.
 *
 * The model structs are zeroed with memset: a compiler need not zero tail
 * padding for an initialiser that names every field (gcc -O2 and clang -O0
 * leave stack garbage there), which is why no public sized struct may have
 * tail padding (checked below on the real ones).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct v0 { size_t sz; };
struct v1 { size_t sz; int a; };
struct v1b { size_t sz; int a; int c; };
struct v2 { size_t sz; int a; uint64_t b; };

#define KNOWN_V1 tv_offsetofend(struct v1, a)

static int failed;
#define CHECK(cond)                                                                \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "FAIL line %d: %s (%s)\n", __LINE__, #cond, \
				tunvnet_last_error());                             \
			failed = 1;                                                \
		}                                                                  \
	} while (0)

static int in(struct v1 *dst, const void *src)
{
	return tv_opts_in(dst, sizeof(*dst), src, sizeof(size_t), KNOWN_V1, "v1");
}

int main(void)
{
	struct v1 mine, out;
	unsigned char big[64];

	/* Older caller: what it lacks reads as zero. */
	struct v0 older = { .sz = sizeof(older) };
	memset(&mine, 0xff, sizeof(mine));
	CHECK(in(&mine, &older) == 0 && mine.a == 0 && mine.sz == sizeof(older));

	/* Same version. */
	struct v1 same;
	memset(&same, 0, sizeof(same));
	same.sz = sizeof(same);
	same.a = 7;
	CHECK(in(&mine, &same) == 0 && mine.a == 7);

	/* Newer caller, appended field unused (zero): accepted. */
	struct v2 newer;
	memset(&newer, 0, sizeof(newer));
	newer.sz = sizeof(newer);
	newer.a = 5;
	CHECK(in(&mine, &newer) == 0 && mine.a == 5);
	/* ... used: refused, not ignored. */
	newer.b = 1;
	CHECK(in(&mine, &newer) == -E2BIG);
	CHECK(strstr(tunvnet_last_error(), "struct v1") && strstr(tunvnet_last_error(), "byte 16"));

	/* Newer caller whose field sits in our tail padding (same sizeof). */
	struct v1b padded;
	memset(&padded, 0, sizeof(padded));
	padded.sz = sizeof(padded);
	padded.a = 3;
	CHECK(sizeof(struct v1b) == sizeof(struct v1));
	CHECK(in(&mine, &padded) == 0 && mine.a == 3);
	padded.c = 1;
	CHECK(in(&mine, &padded) == -E2BIG);
	CHECK(strstr(tunvnet_last_error(), "byte 12") != NULL);

	/* sz that no version has: below the minimum, or uninitialised-large
	 * (refused before a byte past the struct is read). */
	size_t tiny = 4;
	CHECK(tv_opts_in(&mine, sizeof(mine), &tiny, sizeof(size_t), KNOWN_V1, "v1") == -EINVAL);
	size_t huge = (size_t)1 << 40;
	CHECK(tv_opts_in(&mine, sizeof(mine), &huge, sizeof(size_t), KNOWN_V1, "v1") == -EINVAL);
	/* NULL: all defaults. */
	CHECK(in(&mine, NULL) == 0 && mine.a == 0);

	/* Out, to an older caller: only its bytes are written. */
	struct v1 res;
	memset(&res, 0, sizeof(res));
	res.sz = sizeof(res);
	res.a = 42;
	memset(big, 0xee, sizeof(big));
	memcpy(big, &(size_t){ sizeof(struct v0) }, sizeof(size_t));
	CHECK(tv_opts_out_checked(big, &res, sizeof(size_t), KNOWN_V1, "v1") == 0);
	CHECK(big[sizeof(size_t)] == 0xee); /* a is past its sz */
	/* Out, to a newer caller: what we know, its sz kept, the rest zeroed
	 * (v1's tail padding included: its field there reads as "unknown"). */
	memset(big, 0xee, sizeof(big));
	memcpy(big, &(size_t){ sizeof(struct v2) }, sizeof(size_t));
	CHECK(tv_opts_out_checked(big, &res, sizeof(size_t), KNOWN_V1, "v1") == 0);
	memcpy(&out, big, sizeof(out));
	CHECK(out.sz == sizeof(struct v2) && out.a == 42);
	for (size_t i = KNOWN_V1; i < sizeof(struct v2); i++)
		CHECK(big[i] == 0);
	CHECK(big[sizeof(struct v2)] == 0xee); /* nothing past its sz */
	/* Out with a bad sz writes nothing. */
	memset(big, 0xee, sizeof(big));
	memcpy(big, &tiny, sizeof(tiny));
	CHECK(tv_opts_out_checked(big, &res, sizeof(size_t), KNOWN_V1, "v1") == -EINVAL);
	CHECK(big[sizeof(size_t)] == 0xee);

	/*
	 * The public sized structs end exactly at their last field: a caller
	 * of the same version never sends padding bytes the library checks,
	 * however its compiler initialises them. A field that leaves tail
	 * padding needs a reserved member beside it.
	 */
#define NO_TAIL_PADDING(T)                                                         \
	if (TV_KNOWN(T) != sizeof(struct T)) {                                     \
		fprintf(stderr, "FAIL: struct " #T " has %zu bytes of tail padding "   \
				"after its last field\n", sizeof(struct T) - TV_KNOWN(T)); \
		failed = 1;                                                        \
	}
	TV_SIZED_STRUCTS(NO_TAIL_PADDING)
	return failed;
}
