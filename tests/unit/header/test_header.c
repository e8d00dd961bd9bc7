/* SPDX-License-Identifier: MIT */
/* tunvnet_hdr_parse / tunvnet_hdr_build: exact bytes, sizes, endianness. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tunvnet/tunvnet.h"

static const enum tunvnet_endian endians[] = {
	TUNVNET_ENDIAN_LE, TUNVNET_ENDIAN_BE, TUNVNET_ENDIAN_NATIVE,
};

/* Every field distinct, so a swapped or misplaced byte shows. */
static const struct tunvnet_hdr sample = {
	.flags = 0x01,
	.gso_type = 0x04,
	.hdr_len = 0x0102,
	.gso_size = 0x0304,
	.csum_start = 0x0506,
	.csum_offset = 0x0708,
	.num_buffers = 0x090a,
	.hash_value = 0x11223344,
	.hash_report = 0x0005,
	.padding = 0xabcd,
	.outer_th_offset = 0x2122,
	.inner_nh_offset = 0x2324,
};

/* sample as 24 bytes with little-endian legacy fields (virtio 1.0). */
static const uint8_t sample_le[24] = {
	0x01, 0x04, 0x02, 0x01, 0x04, 0x03, 0x06, 0x05, 0x08, 0x07, 0x0a, 0x09,
	0x44, 0x33, 0x22, 0x11, 0x05, 0x00, 0xcd, 0xab, 0x22, 0x21, 0x24, 0x23,
};
/* Big-endian legacy fields; hash and tunnel fields stay little-endian. */
static const uint8_t sample_be[24] = {
	0x01, 0x04, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x44, 0x33, 0x22, 0x11, 0x05, 0x00, 0xcd, 0xab, 0x22, 0x21, 0x24, 0x23,
};

static const uint8_t *expected_bytes(enum tunvnet_endian e)
{
	if (e == TUNVNET_ENDIAN_BE)
		return sample_be;
	if (e == TUNVNET_ENDIAN_LE)
		return sample_le;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return sample_be;
#else
	return sample_le;
#endif
}

/* sample with the fields a size lacks cleared. */
static struct tunvnet_hdr sample_for(size_t sz)
{
	struct tunvnet_hdr h = sample;

	if (sz < 12)
		h.num_buffers = 0;
	if (sz < 20) {
		h.hash_value = 0;
		h.hash_report = 0;
		h.padding = 0;
	}
	if (sz < 24) {
		h.outer_th_offset = 0;
		h.inner_nh_offset = 0;
	}
	return h;
}

static void assert_hdr_equal(const struct tunvnet_hdr *a, const struct tunvnet_hdr *b)
{
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->gso_type, b->gso_type);
	assert_int_equal(a->hdr_len, b->hdr_len);
	assert_int_equal(a->gso_size, b->gso_size);
	assert_int_equal(a->csum_start, b->csum_start);
	assert_int_equal(a->csum_offset, b->csum_offset);
	assert_int_equal(a->num_buffers, b->num_buffers);
	assert_int_equal(a->hash_value, b->hash_value);
	assert_int_equal(a->hash_report, b->hash_report);
	assert_int_equal(a->padding, b->padding);
	assert_int_equal(a->outer_th_offset, b->outer_th_offset);
	assert_int_equal(a->inner_nh_offset, b->inner_nh_offset);
}

static const size_t sizes[] = { 10, 12, 20, 24 };

static void test_build_exact_bytes(void **state)
{
	(void)state;
	for (size_t e = 0; e < 3; e++) {
		for (size_t s = 0; s < 4; s++) {
			uint8_t buf[40];
			size_t sz = sizes[s];

			memset(buf, 0xee, sizeof(buf));
			assert_int_equal(tunvnet_hdr_build(&sample, sz, endians[e], buf, sz), 0);
			assert_memory_equal(buf, expected_bytes(endians[e]), sz);
			/* nothing written past hdr_sz */
			for (size_t i = sz; i < sizeof(buf); i++)
				assert_int_equal(buf[i], 0xee);
		}
	}
}

static void test_parse_exact_bytes(void **state)
{
	(void)state;
	for (size_t e = 0; e < 3; e++) {
		for (size_t s = 0; s < 4; s++) {
			struct tunvnet_hdr h, want = sample_for(sizes[s]);

			memset(&h, 0x5a, sizeof(h));
			/* the buffer holds all 24 bytes: a smaller size must not look past its own */
			assert_int_equal(tunvnet_hdr_parse(expected_bytes(endians[e]), 24, sizes[s],
							   endians[e], &h), 0);
			assert_hdr_equal(&h, &want);
		}
	}
}

static void test_be_legacy_le_hash(void **state)
{
	struct tunvnet_hdr h;

	(void)state;
	/* BE bytes read as LE give swapped legacy fields but the same hash. */
	assert_int_equal(tunvnet_hdr_parse(sample_be, 24, 24, TUNVNET_ENDIAN_LE, &h), 0);
	assert_int_equal(h.hdr_len, 0x0201);
	assert_int_equal(h.num_buffers, 0x0a09);
	assert_int_equal(h.hash_value, 0x11223344);
	assert_int_equal(h.hash_report, 5);
	assert_int_equal(h.outer_th_offset, 0x2122);
	assert_int_equal(h.inner_nh_offset, 0x2324);

	assert_int_equal(tunvnet_hdr_parse(sample_be, 24, 20, TUNVNET_ENDIAN_BE, &h), 0);
	assert_int_equal(h.hdr_len, 0x0102);
	assert_int_equal(h.csum_offset, 0x0708);
	assert_int_equal(h.hash_value, 0x11223344);
	assert_int_equal(h.padding, 0xabcd);
}

/* Headers seen on the test kernels (shared/kernels/ READMEs). */
static void test_observed_v5(void **state)
{
	static const uint8_t v5[20] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					0x00, 0x00, 0x00, 0x01, 0x00, 0x52, 0xd9,
					0x45, 0x6e, 0x01, 0x00, 0x00, 0x00 };
	struct tunvnet_hdr h, want = { .num_buffers = 1, .hash_value = 0x6e45d952,
				       .hash_report = TUNVNET_REPORT_IPV4 };
	uint8_t out[20];

	(void)state;
	assert_int_equal(tunvnet_hdr_parse(v5, sizeof(v5), 20, TUNVNET_ENDIAN_LE, &h), 0);
	assert_hdr_equal(&h, &want);
	assert_int_equal(tunvnet_hdr_build(&h, 20, TUNVNET_ENDIAN_LE, out, sizeof(out)), 0);
	assert_memory_equal(out, v5, 20);
	/* hash fields are LE even on a BE queue; num_buffers then reads 0x0100 */
	assert_int_equal(tunvnet_hdr_parse(v5, sizeof(v5), 20, TUNVNET_ENDIAN_BE, &h), 0);
	assert_int_equal(h.num_buffers, 0x0100);
	assert_int_equal(h.hash_value, 0x6e45d952);
	assert_int_equal(h.hash_report, 1);
}

static void test_observed_v12(void **state)
{
	/* v12 leaves num_buffers 0; bridge path sets DATA_VALID on TCP */
	static const uint8_t tcp4[20] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					  0x00, 0x00, 0x00, 0x00, 0x00, 0x9a, 0x53,
					  0x63, 0xfb, 0x02, 0x00, 0x00, 0x00 };
	static const uint8_t udp6[20] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					  0x00, 0x00, 0x00, 0x00, 0x00, 0x51, 0xf2,
					  0xb9, 0xc2, 0x06, 0x00, 0x00, 0x00 };
	struct tunvnet_hdr h;

	(void)state;
	assert_int_equal(tunvnet_hdr_parse(tcp4, 20, 20, TUNVNET_ENDIAN_LE, &h), 0);
	assert_int_equal(h.flags, TUNVNET_HDR_F_DATA_VALID);
	assert_int_equal(h.num_buffers, 0);
	assert_int_equal(h.hash_value, 0xfb63539a);
	assert_int_equal(h.hash_report, TUNVNET_REPORT_TCPV4);

	assert_int_equal(tunvnet_hdr_parse(udp6, 20, 20, TUNVNET_ENDIAN_LE, &h), 0);
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.hash_value, 0xc2b9f251);
	assert_int_equal(h.hash_report, TUNVNET_REPORT_UDPV6);

	/* the same bytes through a 12-byte header: no hash */
	assert_int_equal(tunvnet_hdr_parse(tcp4, 20, 12, TUNVNET_ENDIAN_LE, &h), 0);
	assert_int_equal(h.flags, TUNVNET_HDR_F_DATA_VALID);
	assert_int_equal(h.hash_value, 0);
	assert_int_equal(h.hash_report, 0);
}

static void test_round_trip(void **state)
{
	(void)state;
	srand(12345);
	for (int iter = 0; iter < 2000; iter++) {
		struct tunvnet_hdr in, out;
		uint8_t raw[sizeof(in)], buf[24], again[24];
		size_t sz = sizes[iter % 4];
		enum tunvnet_endian e = endians[(iter / 4) % 3];

		for (size_t i = 0; i < sizeof(raw); i++)
			raw[i] = (uint8_t)rand();
		memcpy(&in, raw, sizeof(in));
		assert_int_equal(tunvnet_hdr_build(&in, sz, e, buf, sizeof(buf)), 0);
		assert_int_equal(tunvnet_hdr_parse(buf, sz, sz, e, &out), 0);
		/* fields the size carries survive, the others parse as zero */
		assert_int_equal(out.flags, in.flags);
		assert_int_equal(out.gso_type, in.gso_type);
		assert_int_equal(out.hdr_len, in.hdr_len);
		assert_int_equal(out.gso_size, in.gso_size);
		assert_int_equal(out.csum_start, in.csum_start);
		assert_int_equal(out.csum_offset, in.csum_offset);
		assert_int_equal(out.num_buffers, sz >= 12 ? in.num_buffers : 0);
		assert_int_equal(out.hash_value, sz >= 20 ? in.hash_value : 0);
		assert_int_equal(out.hash_report, sz >= 20 ? in.hash_report : 0);
		assert_int_equal(out.padding, sz >= 20 ? in.padding : 0);
		assert_int_equal(out.outer_th_offset, sz >= 24 ? in.outer_th_offset : 0);
		assert_int_equal(out.inner_nh_offset, sz >= 24 ? in.inner_nh_offset : 0);
		/* and bytes -> header -> bytes is the identity */
		assert_int_equal(tunvnet_hdr_build(&out, sz, e, again, sizeof(again)), 0);
		assert_memory_equal(again, buf, sz);
	}
}

static void test_large_sizes(void **state)
{
	uint8_t buf[64], junk[64];
	struct tunvnet_hdr h;

	(void)state;
	/* build: 24 bytes of content, zeros up to hdr_sz, nothing after */
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(tunvnet_hdr_build(&sample, 40, TUNVNET_ENDIAN_LE, buf, 41), 0);
	assert_memory_equal(buf, sample_le, 24);
	for (size_t i = 24; i < 40; i++)
		assert_int_equal(buf[i], 0);
	for (size_t i = 40; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xee);

	/* parse: the first 24, whatever follows */
	memset(junk, 0xff, sizeof(junk));
	memcpy(junk, sample_be, 24);
	assert_int_equal(tunvnet_hdr_parse(junk, sizeof(junk), 64, TUNVNET_ENDIAN_BE, &h), 0);
	assert_hdr_equal(&h, &sample);
}

static void test_zero_header(void **state)
{
	uint8_t buf[24];
	static const uint8_t zero[24];

	(void)state;
	memset(buf, 0x77, sizeof(buf));
	/* a NULL header builds zeros */
	assert_int_equal(tunvnet_hdr_build(NULL, 24, TUNVNET_ENDIAN_BE, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, zero, 24);
}

static void test_bad_sizes(void **state)
{
	static const size_t bad[] = { 0, 1, 9, 11, 13, 16, 19, 21, 22, 23 };
	uint8_t buf[64] = { 0 };
	struct tunvnet_hdr h;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tunvnet_hdr_parse(buf, sizeof(buf), bad[i], TUNVNET_ENDIAN_LE, &h),
				 -EINVAL);
		assert_true(strlen(tunvnet_last_error()) > 0);
		memset(buf, 0x33, sizeof(buf));
		assert_int_equal(tunvnet_hdr_build(&sample, bad[i], TUNVNET_ENDIAN_LE, buf,
						   sizeof(buf)), -EINVAL);
		assert_int_equal(buf[0], 0x33); /* untouched */
		memset(buf, 0, sizeof(buf));
	}
	/* a good call clears the message */
	assert_int_equal(tunvnet_hdr_parse(buf, 10, 10, TUNVNET_ENDIAN_LE, &h), 0);
	assert_string_equal(tunvnet_last_error(), "");
}

static void test_short_buffers(void **state)
{
	uint8_t buf[24];
	struct tunvnet_hdr h;

	(void)state;
	for (size_t s = 0; s < 4; s++) {
		assert_int_equal(tunvnet_hdr_parse(sample_le, sizes[s] - 1, sizes[s],
						   TUNVNET_ENDIAN_LE, &h), -EMSGSIZE);
		assert_true(strlen(tunvnet_last_error()) > 0);
		memset(buf, 0x44, sizeof(buf));
		assert_int_equal(tunvnet_hdr_build(&sample, sizes[s], TUNVNET_ENDIAN_LE, buf,
						   sizes[s] - 1), -EMSGSIZE);
		assert_int_equal(buf[0], 0x44);
	}
	assert_int_equal(tunvnet_hdr_parse(sample_le, 0, 10, TUNVNET_ENDIAN_LE, &h), -EMSGSIZE);
	assert_int_equal(tunvnet_hdr_parse(sample_le, 24, 30, TUNVNET_ENDIAN_LE, &h), -EMSGSIZE);
}

static void test_bad_args(void **state)
{
	uint8_t buf[24] = { 0 };
	struct tunvnet_hdr h;

	(void)state;
	assert_int_equal(tunvnet_hdr_parse(NULL, 24, 24, TUNVNET_ENDIAN_LE, &h), -EINVAL);
	assert_int_equal(tunvnet_hdr_parse(buf, 24, 24, TUNVNET_ENDIAN_LE, NULL), -EINVAL);
	assert_int_equal(tunvnet_hdr_build(&sample, 24, TUNVNET_ENDIAN_LE, NULL, 24), -EINVAL);
	assert_int_equal(tunvnet_hdr_parse(buf, 24, 24, (enum tunvnet_endian)3, &h), -EINVAL);
	assert_int_equal(tunvnet_hdr_build(&sample, 24, (enum tunvnet_endian)-1, buf, 24),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_exact_bytes),
		cmocka_unit_test(test_parse_exact_bytes),
		cmocka_unit_test(test_be_legacy_le_hash),
		cmocka_unit_test(test_observed_v5),
		cmocka_unit_test(test_observed_v12),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_large_sizes),
		cmocka_unit_test(test_zero_header),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_short_buffers),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
