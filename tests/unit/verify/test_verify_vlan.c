/* SPDX-License-Identifier: MIT */
/* A tagged frame: tags are skipped; reported NONE (AF_PACKET on the tap
 * itself) is the vlan-af-packet deviation when the unclassified queue fits. */
#include "vhelp.h"

static void vlan_frames(void **state)
{
	struct tunvnet_verify_opts o = vh_opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0x3f, 3,
					       TUNVNET_KIND_TAP);
	struct tunvnet_verifier *v = vh_new(&o), *k;
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 1);

	(void)state;
	/* Through a bridge: classified past the tag, same numbers as untagged. */
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xfb63539a, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	/* Misread: NONE on the unclassified queue 5 % 3 = 2. */
	assert_int_equal(vh_check(v, 2, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_VLAN_AF_PACKET);
	assert_non_null(strstr(vd.why, "deviation vlan-af-packet (unlisted)"));
	/* NONE on another queue is not that. */
	assert_int_equal(vh_check(v, 0, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);

	o.known_deviations = TUNVNET_DEVIATION_VLAN_AF_PACKET;
	k = vh_new(&o);
	assert_int_equal(vh_check(k, 2, 0, 0, f, len, &vd), TUNVNET_VERDICT_KNOWN_DEVIATION);
	/* Untagged frames get no such excuse. */
	len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);
	assert_int_equal(vh_check(k, 2, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);
	tunvnet_verifier_free(k);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(vlan_frames) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
