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

struct vec {
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t ip, ip_ports;
};

/* Microsoft's tables, written source -> destination (the input order). */
static const struct vec v4[] = {
	{ "66.9.149.187", "161.142.100.80", 2794, 1766, 0x323e8fc2, 0x51ccc178 },
	{ "199.92.111.2", "65.69.140.83", 14230, 4739, 0xd718262a, 0xc626b0ea },
	{ "24.19.198.95", "12.22.207.184", 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
	{ "38.27.205.30", "209.142.163.6", 48228, 2217, 0x82989176, 0xafc7327f },
	{ "153.39.163.191", "202.188.127.2", 44251, 1303, 0x5d1809c5, 0x10e828a2 },
	/* Our own: the docker bridge pair, checked against the kernel series. */
	{ "172.17.0.0", "172.17.0.1", 9, 9, 0x6e45d952, 0xfb63539a },
};

static const struct vec v6[] = {
	{ "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766, 0x2cc18cd5, 0x40207d3d },
	{ "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739, 0x0f0c461c, 0xdde51bbf },
	{ "3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf", 44251, 38024,
	  0x4b61e985, 0x02d1feef },
};

static const enum tunvnet_toeplitz_impl impls[] = {
	TUNVNET_TOEPLITZ_AUTO, TUNVNET_TOEPLITZ_REF, TUNVNET_TOEPLITZ_TABLE,
	TUNVNET_TOEPLITZ_CLMUL, TUNVNET_TOEPLITZ_GFNI,
};

/* Build the input: src, dst, then the ports in network order. */
static size_t build(int af, const struct vec *v, uint8_t *buf)
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

static void check_set(int af, const struct vec *vs, size_t nv)
{
	const uint8_t *key = tunvnet_default_key();
	size_t i, k;

	for (i = 0; i < nv; i++) {
		uint8_t buf[40];
		size_t alen2 = build(af, &vs[i], buf);

		assert_int_equal(tunvnet_toeplitz_ref(key, 40, buf, alen2), vs[i].ip);
		assert_int_equal(tunvnet_toeplitz_ref(key, 40, buf, alen2 + 4), vs[i].ip_ports);
		for (k = 0; k < sizeof(impls) / sizeof(impls[0]); k++) {
			struct tunvnet_toeplitz *t;
			uint32_t out[3] = { 0, 0, 0 };
			uint8_t bulk[3 * 40];

			if (!tunvnet_toeplitz_impl_available(impls[k]))
				continue;
			assert_int_equal(tunvnet_toeplitz_new(key, 40, impls[k], &t), 0);
			if (impls[k] != TUNVNET_TOEPLITZ_AUTO)
				assert_int_equal(tunvnet_toeplitz_impl_of(t), impls[k]);
			assert_int_equal(tunvnet_toeplitz_hash(t, buf, alen2), vs[i].ip);
			assert_int_equal(tunvnet_toeplitz_hash(t, buf, alen2 + 4), vs[i].ip_ports);
			/* Bulk: the same tuple three times, 40 bytes apart. */
			memcpy(bulk, buf, 40);
			memcpy(bulk + 40, buf, 40);
			memcpy(bulk + 80, buf, 40);
			tunvnet_toeplitz_hash_bulk(t, bulk, alen2 + 4, 40, 3, out);
			assert_int_equal(out[0], vs[i].ip_ports);
			assert_int_equal(out[1], vs[i].ip_ports);
			assert_int_equal(out[2], vs[i].ip_ports);
			tunvnet_toeplitz_free(t);
		}
	}
}

static void test_ipv4(void **state)
{
	(void)state;
	check_set(AF_INET, v4, sizeof(v4) / sizeof(v4[0]));
}

static void test_ipv6(void **state)
{
	(void)state;
	check_set(AF_INET6, v6, sizeof(v6) / sizeof(v6[0]));
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
	for (k = 0; k < sizeof(impls) / sizeof(impls[0]); k++) {
		struct tunvnet_toeplitz *t;

		if (!tunvnet_toeplitz_impl_available(impls[k]))
			continue;
		assert_int_equal(tunvnet_toeplitz_new(key, 12, impls[k], &t), 0);
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

	for (k = 0; k < sizeof(impls) / sizeof(impls[0]); k++)
		printf("# %s: %s\n", tunvnet_toeplitz_impl_name(impls[k]),
		       tunvnet_toeplitz_impl_available(impls[k]) ? "available" : "not available");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
