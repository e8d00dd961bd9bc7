/* SPDX-License-Identifier: MIT */
/* Published Toeplitz vectors (Microsoft RSS verification suite) on every path. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <tunvnet/tunvnet.h>

#include "../ms_vectors.h"

/* The kernel series' selftest pair (docker bridge addresses, ports 9 -> 9). */
static const struct ms_vec series_v4[] = {
	{ "172.17.0.0", "172.17.0.1", 9, 9, 0x6e45d952, 0xfb63539a },
};

/* Build the input: src, dst, then the ports in network order. */
static size_t build(int af, const struct ms_vec *v, uint8_t *buf)
{
	size_t alen = af == AF_INET ? 4 : 16;

	assert_int_equal(inet_pton(af, v->src, buf), 1);
	assert_int_equal(inet_pton(af, v->dst, buf + alen), 1);
	buf[2 * alen] = (uint8_t)(v->sport >> 8);
	buf[2 * alen + 1] = (uint8_t)v->sport;
	buf[2 * alen + 2] = (uint8_t)(v->dport >> 8);
	buf[2 * alen + 3] = (uint8_t)v->dport;
	return 2 * alen;
}

static void check_set(int af, const struct ms_vec *vs, size_t nv)
{
	const uint8_t *key = tunvnet_default_key();
	size_t i, k;

	for (i = 0; i < nv; i++) {
		uint8_t buf[40];
		size_t alen2 = build(af, &vs[i], buf);

		assert_int_equal(tunvnet_toeplitz_ref(key, 40, buf, alen2), vs[i].ip);
		assert_int_equal(tunvnet_toeplitz_ref(key, 40, buf, alen2 + 4), vs[i].tcp);
		for (k = 0; k < MS_COUNT(all_impls); k++) {
			struct tunvnet_toeplitz *t;
			uint32_t out[3] = { 0, 0, 0 };
			uint8_t bulk[3 * 40];

			if (!tunvnet_toeplitz_impl_available(all_impls[k]))
				continue;
			assert_int_equal(tunvnet_toeplitz_new(key, 40, all_impls[k], &t), 0);
			if (all_impls[k] != TUNVNET_TOEPLITZ_AUTO)
				assert_int_equal(tunvnet_toeplitz_impl_of(t), all_impls[k]);
			assert_int_equal(tunvnet_toeplitz_hash(t, buf, alen2), vs[i].ip);
			assert_int_equal(tunvnet_toeplitz_hash(t, buf, alen2 + 4), vs[i].tcp);
			/* Bulk: the same tuple three times, 40 bytes apart. */
			memcpy(bulk, buf, 40);
			memcpy(bulk + 40, buf, 40);
			memcpy(bulk + 80, buf, 40);
			tunvnet_toeplitz_hash_bulk(t, bulk, alen2 + 4, 40, 3, out);
			assert_int_equal(out[0], vs[i].tcp);
			assert_int_equal(out[1], vs[i].tcp);
			assert_int_equal(out[2], vs[i].tcp);
			tunvnet_toeplitz_free(t);
		}
	}
}

static void test_ipv4(void **state)
{
	(void)state;
	check_set(AF_INET, ms_vectors_v4, MS_COUNT(ms_vectors_v4));
	check_set(AF_INET, series_v4, MS_COUNT(series_v4));
}

static void test_ipv6(void **state)
{
	(void)state;
	check_set(AF_INET6, ms_vectors_v6, MS_COUNT(ms_vectors_v6));
}

/* A short key: bits past its end count as zero, on every path alike. */
static void test_short_key_zero_tail(void **state)
{
	const uint8_t *key = tunvnet_default_key();
	uint8_t padded[40] = { 0 }, in[36];
	size_t k, i;

	(void)state;
	memcpy(padded, key, 12);
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(0x9d * i + 7);
	assert_int_equal(tunvnet_toeplitz_ref(key, 12, in, 36),
			 tunvnet_toeplitz_ref(padded, 40, in, 36));
	for (k = 0; k < MS_COUNT(all_impls); k++) {
		struct tunvnet_toeplitz *t;

		if (!tunvnet_toeplitz_impl_available(all_impls[k]))
			continue;
		assert_int_equal(tunvnet_toeplitz_new(key, 12, all_impls[k], &t), 0);
		for (i = 0; i <= 36; i++)
			assert_int_equal(tunvnet_toeplitz_hash(t, in, i),
					 tunvnet_toeplitz_ref(padded, 40, in, i));
		/* len is capped at 36. */
		assert_int_equal(tunvnet_toeplitz_hash(t, in, 1000),
				 tunvnet_toeplitz_ref(padded, 40, in, 36));
		tunvnet_toeplitz_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_short_key_zero_tail),
	};
	size_t k;

	for (k = 0; k < MS_COUNT(all_impls); k++)
		printf("# %s: %s\n", tunvnet_toeplitz_impl_name(all_impls[k]),
		       tunvnet_toeplitz_impl_available(all_impls[k]) ? "available" : "not available");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
