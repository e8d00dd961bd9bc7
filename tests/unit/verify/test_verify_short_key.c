/* SPDX-License-Identifier: MIT */
/*
 * The short-key explanation: virtio_net_hash_key_length() as posted tests
 * the types against report values, so IPv6-only types give a 4-byte key.
 * A hash made with the first 4 key bytes (the rest zero) is recognised.
 */
#include "vhelp.h"

#define TYPES_V6 (TUNVNET_HASH_TYPE_IPV6 | TUNVNET_HASH_TYPE_TCPV6 | TUNVNET_HASH_TYPE_UDPV6)

static uint8_t f[256];
static size_t len;
static uint32_t short_hash;
static unsigned int short_queue;

static int setup(void **state)
{
	uint8_t in[36];

	(void)state;
	len = vh_frame(f, AF_INET6, VH_V6_SRC, VH_V6_DST, 6, 9, 9, 0);
	/* The TCPv6 input: source, destination, ports, independent of the library. */
	assert_int_equal(inet_pton(AF_INET6, VH_V6_SRC, in), 1);
	assert_int_equal(inet_pton(AF_INET6, VH_V6_DST, in + 16), 1);
	memcpy(in + 32, "\x00\x09\x00\x09", 4);
	assert_int_equal(vh_toeplitz(tunvnet_default_key(), 40, in, 36), 0xc2b9f251);
	short_hash = vh_toeplitz(tunvnet_default_key(), 4, in, 36);
	assert_int_not_equal(short_hash, 0xc2b9f251);
	short_queue = vh_table[short_hash & 1] % 3;
	return 0;
}

static struct tunvnet_verifier *new_rss(uint32_t types, uint32_t known)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, types, 3,
					       TUNVNET_KIND_TAP);

	o.known_deviations = known;
	return vh_new(&o);
}

static void full_key_matches(void **state)
{
	struct tunvnet_verifier *v = new_rss(TYPES_V6, 0);
	struct tunvnet_verdict vd;

	(void)state;
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_TCPV6, 0xc2b9f251, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	tunvnet_verifier_free(v);
}

static void short_key_unlisted(void **state)
{
	struct tunvnet_verifier *v = new_rss(TYPES_V6, 0);
	struct tunvnet_verdict vd;

	(void)state;
	assert_int_equal(vh_check(v, short_queue, TUNVNET_REPORT_TCPV6, short_hash, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_SHORT_KEY_IPV6);
	/* The verdict keeps the straightforward expectation. */
	assert_int_equal(vd.expected_hash, 0xc2b9f251);
	assert_non_null(strstr(vd.why, "deviation short-key-ipv6 (unlisted)"));
	assert_non_null(strstr(vd.why, "kernel key 4 bytes"));
	tunvnet_verifier_free(v);
}

static void short_key_known(void **state)
{
	struct tunvnet_verifier *v = new_rss(TYPES_V6, TUNVNET_DEVIATION_SHORT_KEY_IPV6);
	struct tunvnet_verdict vd;

	(void)state;
	assert_int_equal(vh_check(v, short_queue, TUNVNET_REPORT_TCPV6, short_hash, f, len, &vd),
			 TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_SHORT_KEY_IPV6);
	assert_non_null(strstr(vd.why, "known deviation short-key-ipv6"));
	/* The short hash on the wrong queue is explained by nothing. */
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_TCPV6, short_hash, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);
	/* Neither is an arbitrary value. */
	assert_int_equal(vh_check(v, short_queue, TUNVNET_REPORT_TCPV6, short_hash ^ 0x10, f, len,
				  &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);
	tunvnet_verifier_free(v);
}

static void not_with_ipv4_types(void **state)
{
	/* Any IPv4 type bit makes the posted formula give 40 bytes: no excuse. */
	struct tunvnet_verifier *v = new_rss(0x3f, TUNVNET_DEVIATION_SHORT_KEY_IPV6);
	struct tunvnet_verdict vd;

	(void)state;
	assert_int_equal(vh_check(v, short_queue, TUNVNET_REPORT_TCPV6, short_hash, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_key_matches),
		cmocka_unit_test(short_key_unlisted),
		cmocka_unit_test(short_key_known),
		cmocka_unit_test(not_with_ipv4_types),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
