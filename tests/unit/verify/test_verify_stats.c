/* SPDX-License-Identifier: MIT */
/* Every call counts once, under its verdict. */
#include "vhelp.h"

static void counts(void **state)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0x3f, 3,
					       TUNVNET_KIND_TAP);
	struct tunvnet_verifier *v;
	struct tunvnet_verify_stats st = TUNVNET_VERIFY_STATS_INIT;
	struct tunvnet_verdict vd;
	uint8_t f[256], t[256];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);
	size_t tlen = vh_frame(t, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 2);

	(void)state;
	o.known_deviations = TUNVNET_DEVIATION_VLAN_AF_PACKET;
	v = vh_new(&o);
	tunvnet_verifier_stats(v, &st);
	assert_int_equal(st.packets, 0);

	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xfb63539a, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xfb63539a, t, tlen, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_TCPV4, 0xfb63539a, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vh_check(v, 2, 0, 0, t, tlen, &vd), TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_int_equal(tunvnet_verify_packet(v, 0, NULL, f, len, &vd), 0);
	assert_int_equal(vd.code, TUNVNET_VERDICT_UNCHECKED);
	/* A failing call counts nothing. */
	assert_int_equal(tunvnet_verify_packet(v, 3, NULL, f, len, &vd), -EINVAL);

	tunvnet_verifier_stats(v, &st);
	assert_int_equal(st.packets, 5);
	assert_int_equal(st.matches, 2);
	assert_int_equal(st.mismatches, 1);
	assert_int_equal(st.known_deviations, 1);
	assert_int_equal(st.unchecked, 1);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(counts) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
