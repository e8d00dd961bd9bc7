/* SPDX-License-Identifier: MIT */
/* RSS without report: the queue is checked and the hash fields must stay zero. */
#include "vhelp.h"

static void rss_only(void **state)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_RSS, 0x3f, 3, TUNVNET_KIND_TAP);
	struct tunvnet_verifier *v = vh_new(&o);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len;

	(void)state;
	len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 253, 0, 0, 0);
	assert_int_equal(vh_check(v, 0, 0, 0, f, len, &vd), TUNVNET_VERDICT_MATCH);
	assert_int_equal(vd.expected_report, TUNVNET_REPORT_NONE);
	assert_int_equal(vd.expected_hash, 0);
	assert_int_equal(vd.expected_queue, 0);
	assert_true(vd.hash_checked);

	len = vh_frame(f, AF_INET6, VH_V6_SRC, VH_V6_DST, 253, 0, 0, 0);
	assert_int_equal(vh_check(v, 1, 0, 0, f, len, &vd), TUNVNET_VERDICT_MATCH);
	/* RSS steered right but a hash was reported although REPORT is off. */
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_IPV6, 0xd6eb560f, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "expected none 0x00000000 queue 1"));
	/* And the wrong queue. */
	assert_int_equal(vh_check(v, 0, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);

	len = vh_frame_loopback(f);
	assert_int_equal(vh_check(v, 2, 0, 0, f, len, &vd), TUNVNET_VERDICT_MATCH);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(rss_only) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
