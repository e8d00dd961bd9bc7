/* SPDX-License-Identifier: MIT */
/* RSS + report: the series' selftest frames verify as MATCH with its numbers. */
#include "vhelp.h"

struct rss_case {
	int family;
	uint8_t proto;
	unsigned int report;
	uint32_t hash;
	int queue;
};

static void selftest_frames_match(void **state)
{
	/* Values from the series' selftest (uapi.md): queue = table[value & 1] % 3. */
	static const struct rss_case cases[] = {
		{ AF_INET, 253, TUNVNET_REPORT_IPV4, 0x6e45d952, 0 },
		{ AF_INET, 6, TUNVNET_REPORT_TCPV4, 0xfb63539a, 0 },
		{ AF_INET, 17, TUNVNET_REPORT_UDPV4, 0xfb63539a, 0 },
		{ AF_INET6, 253, TUNVNET_REPORT_IPV6, 0xd6eb560f, 1 },
		{ AF_INET6, 6, TUNVNET_REPORT_TCPV6, 0xc2b9f251, 1 },
		{ AF_INET6, 17, TUNVNET_REPORT_UDPV6, 0xc2b9f251, 1 },
	};
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0x3f, 3,
					       TUNVNET_KIND_TAP);
	struct tunvnet_verifier *v = vh_new(&o);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rss_case *c = &cases[i];
		int v4 = c->family == AF_INET;

		len = vh_frame(f, c->family, v4 ? VH_V4_SRC : VH_V6_SRC, v4 ? VH_V4_DST : VH_V6_DST,
			       c->proto, 9, 9, 0);
		assert_int_equal(vh_check(v, (unsigned)c->queue, c->report, c->hash, f, len, &vd),
				 TUNVNET_VERDICT_MATCH);
		assert_int_equal(vd.expected_report, c->report);
		assert_int_equal(vd.expected_hash, c->hash);
		assert_int_equal(vd.expected_queue, c->queue);
		assert_int_equal(vd.observed_queue, c->queue);
		assert_true(vd.hash_checked);
		assert_int_equal(vd.deviation, 0);
	}
	/* ETH_P_LOOPBACK: no type applies, unclassified 5 % 3 = queue 2, nothing reported. */
	len = vh_frame_loopback(f);
	assert_int_equal(vh_check(v, 2, 0, 0, f, len, &vd), TUNVNET_VERDICT_MATCH);
	assert_int_equal(vd.expected_queue, 2);
	assert_int_equal(vd.expected_report, TUNVNET_REPORT_NONE);
	tunvnet_verifier_free(v);
}

static void tun_l2_ip_match(void **state)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0x3f, 3,
					       TUNVNET_KIND_TUN);
	struct tunvnet_verifier *v;
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len;

	(void)state;
	o.l2 = TUNVNET_L2_IP;
	v = vh_new(&o);
	len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);
	/* Skip the 14-byte Ethernet header: tun without packet info carries bare IP. */
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xfb63539a, f + 14, len - 14, &vd),
			 TUNVNET_VERDICT_MATCH);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(selftest_frames_match),
		cmocka_unit_test(tun_l2_ip_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
