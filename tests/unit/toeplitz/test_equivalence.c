/* SPDX-License-Identifier: MIT */
/*
 * Every Toeplitz path is bit-identical to the reference: random keys of
 * every length 1..40, random inputs of every length 0..36, single and bulk,
 * misaligned, and ending right before an unmapped page (no over-read).
 * Deterministic seed; TUNVNET_TEST_SCALE (percent) shrinks the run.
 *
 * A path this build or CPU lacks is left out, so a build that lost a path
 * would pass here unseen: TUNVNET_REQUIRE_IMPLS ("clmul,gfni", set by
 * scripts/test.sh from the CPU's flags) names the paths that must be there,
 * and the test fails when one is not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <tunvnet/tunvnet.h>

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static const enum tunvnet_toeplitz_impl impls[] = {
	TUNVNET_TOEPLITZ_REF, TUNVNET_TOEPLITZ_TABLE, TUNVNET_TOEPLITZ_CLMUL,
	TUNVNET_TOEPLITZ_GFNI, TUNVNET_TOEPLITZ_AUTO,
};
#define NIMPL (sizeof(impls) / sizeof(impls[0]))

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	/* xorshift64*: fixed seed, so a failure reproduces. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static void fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(next() >> 56);
	/* Sometimes all-ones or all-zeros: they reach every key bit or none. */
	if ((next() & 15) == 0)
		memset(p, (next() & 1) ? 0xff : 0, n);
}

static unsigned int scale_pct(void)
{
	const char *s = getenv("TUNVNET_TEST_SCALE");

	if (s && *s)
		return (unsigned int)strtoul(s, NULL, 10);
	return SANITIZED ? 25 : 100;
}

struct handles {
	struct tunvnet_toeplitz *t[NIMPL];
};

static void open_all(const uint8_t *key, size_t klen, struct handles *h)
{
	size_t k;

	for (k = 0; k < NIMPL; k++) {
		h->t[k] = NULL;
		if (tunvnet_toeplitz_impl_available(impls[k]))
			assert_int_equal(tunvnet_toeplitz_new(key, klen, impls[k], &h->t[k]), 0);
	}
}

static void close_all(struct handles *h)
{
	size_t k;

	for (k = 0; k < NIMPL; k++)
		tunvnet_toeplitz_free(h->t[k]);
}

static unsigned long checks;

static void check_one(const struct handles *h, const uint8_t *key, size_t klen,
		      const uint8_t *in, size_t len)
{
	uint32_t want = tunvnet_toeplitz_ref(key, klen, in, len), got;
	size_t k;

	for (k = 0; k < NIMPL; k++) {
		if (!h->t[k])
			continue;
		got = tunvnet_toeplitz_hash(h->t[k], in, len);
		if (got != want) {
			print_error("%s: key_len %zu len %zu: got %08x want %08x\n",
				    tunvnet_toeplitz_impl_name(impls[k]), klen, len, got, want);
			fail();
		}
		checks++;
	}
}

static void test_random_single(void **state)
{
	unsigned long keys = 3000ul * scale_pct() / 100 + 1, i;
	uint8_t key[40], in[64];
	struct handles h;
	size_t klen, len;
	int j;

	(void)state;
	checks = 0;
	for (i = 0; i < keys; i++) {
		klen = 1 + (size_t)(next() % 40);
		fill(key, klen);
		open_all(key, klen, &h);
		/* Every length at least once per key, then random ones. */
		for (len = 0; len <= 36; len++) {
			fill(in, len);
			check_one(&h, key, klen, in, len);
		}
		for (j = 0; j < 100; j++) {
			size_t off = (size_t)(next() % 16);

			len = (size_t)(next() % 37);
			fill(in + off, len);
			check_one(&h, key, klen, in + off, len);
		}
		close_all(&h);
	}
	printf("# %lu single-hash comparisons\n", checks);
}

static void test_random_bulk(void **state)
{
	unsigned long rounds = 3000ul * scale_pct() / 100 + 1, i;
	static uint8_t buf[80 * 70];
	uint32_t want[80], got[80];
	uint8_t key[40];
	struct handles h;
	size_t klen, len, stride, n, m, k;

	(void)state;
	checks = 0;
	for (i = 0; i < rounds; i++) {
		klen = 1 + (size_t)(next() % 40);
		fill(key, klen);
		open_all(key, klen, &h);
		len = (size_t)(next() % 37);
		stride = len + (size_t)(next() % 32);
		if (next() & 1)
			stride = len; /* packed */
		n = (size_t)(next() % 70);
		fill(buf, n * stride + 1);
		for (m = 0; m < n; m++)
			want[m] = tunvnet_toeplitz_ref(key, klen, buf + 1 + m * stride, len);
		for (k = 0; k < NIMPL; k++) {
			if (!h.t[k])
				continue;
			got[n] = 0x5a5a5a5a; /* must stay untouched */
			tunvnet_toeplitz_hash_bulk(h.t[k], buf + 1, len, stride, n, got);
			assert_int_equal(got[n], 0x5a5a5a5a);
			for (m = 0; m < n; m++) {
				if (got[m] != want[m]) {
					print_error("%s bulk: key_len %zu len %zu stride %zu n %zu "
						    "[%zu]: got %08x want %08x\n",
						    tunvnet_toeplitz_impl_name(impls[k]), klen, len,
						    stride, n, m, got[m], want[m]);
					fail();
				}
				checks++;
			}
		}
		close_all(&h);
	}
	printf("# %lu bulk-hash comparisons\n", checks);
}

/* Inputs that end exactly at an unmapped page: a wide load past len faults. */
static void test_page_edge(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *map, *end, key[40];
	struct handles h;
	uint32_t out[4];
	size_t len, k;

	(void)state;
	map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + pg, (size_t)pg, PROT_NONE), 0);
	end = map + pg;
	fill(key, 40);
	open_all(key, 40, &h);
	for (len = 0; len <= 36; len++) {
		fill(end - 4 * len, 4 * len);
		check_one(&h, key, 40, end - len, len);
		for (k = 0; k < NIMPL; k++) {
			size_t m;

			if (!h.t[k])
				continue;
			/* Four packed inputs, the last one ending at the page edge. */
			tunvnet_toeplitz_hash_bulk(h.t[k], end - 4 * len, len, len, 4, out);
			for (m = 0; m < 4; m++)
				assert_int_equal(out[m], tunvnet_toeplitz_ref(key, 40,
									      end - (4 - m) * len, len));
		}
	}
	close_all(&h);
	munmap(map, (size_t)pg * 2);
}

/* Every path TUNVNET_REQUIRE_IMPLS names is available (and is a known name). */
static void test_required_paths(void **state)
{
	const char *env = getenv("TUNVNET_REQUIRE_IMPLS");
	char list[128], *save = NULL, *name;

	(void)state;
	if (!env || !*env) {
		printf("# TUNVNET_REQUIRE_IMPLS unset: no path is required\n");
		return;
	}
	snprintf(list, sizeof(list), "%s", env);
	for (name = strtok_r(list, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
		size_t k;

		for (k = 0; k < NIMPL; k++)
			if (strcmp(name, tunvnet_toeplitz_impl_name(impls[k])) == 0)
				break;
		if (k == NIMPL)
			fail_msg("TUNVNET_REQUIRE_IMPLS names '%s', not a Toeplitz path", name);
		if (!tunvnet_toeplitz_impl_available(impls[k]))
			fail_msg("TUNVNET_REQUIRE_IMPLS requires the %s path (the CPU has what it "
				 "needs) but this build does not offer it", name);
		printf("# required path %s: available\n", name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_paths),
		cmocka_unit_test(test_random_single),
		cmocka_unit_test(test_random_bulk),
		cmocka_unit_test(test_page_edge),
	};
	size_t k;

	for (k = 0; k < NIMPL; k++)
		printf("# %s: %s\n", tunvnet_toeplitz_impl_name(impls[k]),
		       tunvnet_toeplitz_impl_available(impls[k]) ? "available" : "not available");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
