/* SPDX-License-Identifier: MIT */
/* Hashing off: no report on any queue is a MATCH; a report is a MISMATCH;
 * no header at all is UNCHECKED. */
#include "vhelp.h"

static void hashing_off(void **state)
{
	struct vh_vopts o = vh_opts(0, 0x3f, 4, TUNVNET_KIND_TUN);
	struct tunvnet_verifier *v;
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len;
	unsigned int q;

	(void)state;
	o.cfg.key = NULL; /* not needed without RSS */
	o.cfg.table = NULL;
	v = vh_new(&o);
	len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 1000, 80, 0);
	for (q = 0; q < 4; q++) {
		assert_int_equal(vh_check(v, q, 0, 0, f, len, &vd), TUNVNET_VERDICT_MATCH);
		assert_int_equal(vd.expected_queue, -1);
		assert_int_equal(vd.expected_report, TUNVNET_REPORT_NONE);
	}
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0x1234, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "expected none 0x00000000 queue *, observed tcpv4 "
					"0x00001234 queue 0"));
	assert_int_equal(vh_check(v, 0, 0, 0x1234, f, len, &vd), TUNVNET_VERDICT_MISMATCH);

	assert_int_equal(tunvnet_verify_packet(v, 0, NULL, f, len, &vd), 0);
	assert_int_equal(vd.code, TUNVNET_VERDICT_UNCHECKED);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(hashing_off) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
