/* SPDX-License-Identifier: MIT */
/*
 * Every prefix of every kind of frame, in an exact-size heap buffer (so a
 * sanitizer or valgrind sees any overread), under every profile: parsing
 * succeeds and the classification is self-consistent.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>

#include "pktbuild.h"

static const uint32_t type_sets[] = {
	TUNVNET_HASH_TYPES_ALL, TUNVNET_HASH_TYPES_PLAIN,
	TUNVNET_HASH_TYPE_IPV4 | TUNVNET_HASH_TYPE_IPV6,
	TUNVNET_HASH_TYPE_IP_EX | TUNVNET_HASH_TYPE_TCP_EX | TUNVNET_HASH_TYPE_UDP_EX,
	TUNVNET_HASH_TYPE_TCPV4 | TUNVNET_HASH_TYPE_UDPV6 | TUNVNET_HASH_TYPE_TCP_EX, 0,
};

static unsigned int expected_len(unsigned int report)
{
	static const unsigned int lens[] = { 0, 8, 12, 12, 32, 36, 36, 32, 36, 36 };

	return lens[report];
}

static int n_frames;
static struct pb frames[16];
static enum tunvnet_l2 frame_l2[16];

static struct pb *add(enum tunvnet_l2 l2)
{
	frames[n_frames].len = 0;
	frame_l2[n_frames] = l2;
	return &frames[n_frames++];
}

static void build_frames(void)
{
	static const uint16_t tags[2] = { 0x88a8, 0x8100 };
	struct pb *b;

	b = add(TUNVNET_L2_ETH);
	pb_eth(b, 0x0800);
	pb_ipv4(b, "10.0.0.1", "10.0.0.2", 6);
	pb_tcp(b, 1, 2);
	b = add(TUNVNET_L2_ETH);
	pb_eth_tags(b, tags, 2, 0x0800);
	pb_ipv4_full(b, "10.0.0.1", "10.0.0.2", 17, 0, 9);
	pb_udp(b, 1, 2);
	b = add(TUNVNET_L2_IP);
	pb_ipv4_full(b, "10.0.0.1", "10.0.0.2", 17, 0x2000, 5);
	pb_udp(b, 1, 2);
	b = add(TUNVNET_L2_ETH);
	pb_eth(b, 0x86dd);
	pb_ipv6(b, "2001:db8::1", "2001:db8::2", 6);
	pb_tcp(b, 1, 2);
	b = add(TUNVNET_L2_ETH);
	pb_eth(b, 0x86dd);
	pb_ipv6(b, "2001:db8::1", "2001:db8::2", 0);
	pb_opts6(b, 43, 1);
	pb_rt(b, 60, 2, 1, "2001:db8::99");
	pb_dstopts_hao(b, 44, "2001:db8::77");
	pb_frag6(b, 51, 0, 0);
	pb_ah(b, 17, 4);
	pb_udp(b, 3, 4);
	b = add(TUNVNET_L2_IP_PI);
	pb_pi(b, 0x86dd);
	pb_ipv6(b, "2001:db8::1", "2001:db8::2", 60);
	pb_dstopts_hao(b, 6, "2001:db8::77");
	pb_tcp(b, 1, 2);
	b = add(TUNVNET_L2_IP_PI);
	pb_pi(b, 0x0800);
	pb_ipv4(b, "10.0.0.1", "10.0.0.2", 6);
	pb_tcp(b, 1, 2);
}

static void check_one(const uint8_t *p, size_t len, enum tunvnet_l2 l2, uint32_t types,
		      enum tunvnet_profile prof, const struct tunvnet_class *full)
{
	struct tunvnet_flow f;
	struct tunvnet_class c;

	assert_int_equal(tunvnet_packet_parse(p, len, l2, &f), 0);
	assert_true(f.l3_off <= len || (f.flags & TUNVNET_FLOW_TRUNCATED));
	if (f.flags & TUNVNET_FLOW_PORTS)
		assert_true((size_t)f.l4_off + 4 <= len);
	if (f.flags & TUNVNET_FLOW_L4_COMPLETE)
		assert_true(f.flags & TUNVNET_FLOW_PORTS);
	assert_int_equal(tunvnet_classify_hash(p, len, l2, types, prof, NULL, &c), 0);
	assert_true(c.report <= TUNVNET_REPORT_MAX);
	assert_int_equal(c.input_len, expected_len(c.report));
	if (c.report) {
		/* Only enabled types are reported. */
		assert_true(types & (1u << (c.report - 1)));
		/* A flow with no IP layer never hashes. */
		assert_true(f.flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6));
	}
	if (prof == TUNVNET_PROFILE_LINUX)
		assert_true(c.report <= TUNVNET_REPORT_UDPV6);
	if (prof != TUNVNET_PROFILE_LINUX &&
	    (c.report == TUNVNET_REPORT_TCPV4 || c.report == TUNVNET_REPORT_TCPV6 ||
	     c.report == TUNVNET_REPORT_TCPV6_EX))
		assert_true((size_t)f.l4_off + 20 <= len);
	if (full) {
		assert_int_equal(c.report, full->report);
		assert_memory_equal(c.input, full->input, c.input_len);
	}
}

static void test_every_prefix(void **state)
{
	int i, prof;
	size_t t, len;

	(void)state;
	build_frames();
	for (i = 0; i < n_frames; i++) {
		for (prof = TUNVNET_PROFILE_SPEC; prof <= TUNVNET_PROFILE_QEMU; prof++) {
			for (t = 0; t < sizeof(type_sets) / sizeof(type_sets[0]); t++) {
				struct tunvnet_class full;

				assert_int_equal(tunvnet_classify_hash(frames[i].buf, frames[i].len,
								       frame_l2[i], type_sets[t], prof,
								       NULL, &full), 0);
				for (len = 0; len <= frames[i].len + 8; len++) {
					uint8_t *copy = malloc(len ? len : 1);
					size_t have = len < frames[i].len ? len : frames[i].len;

					assert_non_null(copy);
					memcpy(copy, frames[i].buf, have);
					memset(copy + have, 0, len - have);
					/* Trailing bytes (padding) change nothing. */
					check_one(copy, len, frame_l2[i], type_sets[t], prof,
						  len >= frames[i].len ? &full : NULL);
					free(copy);
				}
			}
		}
	}
}

/* The full frames classify as something: the prefixes above are not vacuous. */
static void test_full_frames_hash(void **state)
{
	int i, prof;

	(void)state;
	if (!n_frames)
		build_frames();
	for (i = 0; i < n_frames; i++) {
		for (prof = TUNVNET_PROFILE_SPEC; prof <= TUNVNET_PROFILE_QEMU; prof++) {
			struct tunvnet_class c;

			assert_int_equal(tunvnet_classify_hash(frames[i].buf, frames[i].len,
							       frame_l2[i], TUNVNET_HASH_TYPES_ALL,
							       prof, NULL, &c), 0);
			assert_int_not_equal(c.report, TUNVNET_REPORT_NONE);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_full_frames_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
