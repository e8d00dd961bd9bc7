/* SPDX-License-Identifier: MIT */
/*
 * Report without RSS on tun.c devices (IFF_TUN and IFF_TAP): the value is
 * not predictable, but the posted code reports the chosen queue index;
 * that is flagged as the automq-value-is-queue deviation.
 */
#include "vhelp.h"

static struct tunvnet_verifier *new_automq(enum tunvnet_kind kind, uint32_t known)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT, 0x3f, 3, kind);

	o.cfg.key = NULL;
	o.cfg.table = NULL;
	o.known_deviations = known;
	if (kind == TUNVNET_KIND_TUN)
		o.l2 = TUNVNET_L2_IP;
	return vh_new(&o);
}

static size_t tun_frame(uint8_t *f, uint8_t proto, uint16_t sport)
{
	return vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, proto, sport, 80, 0) - 14;
}

static void value_is_queue_unlisted(void **state)
{
	struct tunvnet_verifier *v = new_automq(TUNVNET_KIND_TUN, 0);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = tun_frame(f, 6, 1000);

	(void)state;
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_TCPV4, 1, f + 14, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE);
	assert_false(vd.hash_checked);
	assert_int_equal(vd.expected_queue, -1);
	assert_int_equal(vd.expected_report, TUNVNET_REPORT_TCPV4);
	assert_non_null(strstr(vd.why, "deviation automq-value-is-queue (unlisted)"));
	assert_non_null(strstr(vd.why, "observed tcpv4 0x00000001 queue 1"));
	tunvnet_verifier_free(v);
}

static void value_is_queue_known(void **state)
{
	struct tunvnet_verifier *v = new_automq(TUNVNET_KIND_TUN,
						TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = tun_frame(f, 17, 1000);

	(void)state;
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_UDPV4, 2, f + 14, len, &vd),
			 TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE);
	assert_non_null(strstr(vd.why, "known deviation automq-value-is-queue"));
	/* Queue 0 reporting 0 is the same quirk. */
	len = tun_frame(f, 17, 2000);
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_UDPV4, 0, f + 14, len, &vd),
			 TUNVNET_VERDICT_KNOWN_DEVIATION);
	tunvnet_verifier_free(v);
}

static void real_hash_matches(void **state)
{
	struct tunvnet_verifier *v = new_automq(TUNVNET_KIND_TUN, 0);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = tun_frame(f, 6, 1000);

	(void)state;
	/* An skb L4 hash: any value, any queue, only the type is checked. */
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_TCPV4, 0x9abcdef0, f + 14, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vd.deviation, 0);
	assert_false(vd.hash_checked);
	assert_int_equal(vd.observed_hash, 0x9abcdef0);
	tunvnet_verifier_free(v);
}

static void wrong_type(void **state)
{
	struct tunvnet_verifier *v = new_automq(TUNVNET_KIND_TUN,
						TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = tun_frame(f, 6, 1000);

	(void)state;
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_IPV4, 1, f + 14, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "expected tcpv4 * queue *, observed ipv4 0x00000001 queue 1"));
	tunvnet_verifier_free(v);
}

static void iff_tap_is_tun_driver(void **state)
{
	/* IFF_TAP devices come from tun.c too: the kernel checks saw the queue index. */
	struct tunvnet_verifier *v = new_automq(TUNVNET_KIND_TAP, 0);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET6, VH_V6_SRC, VH_V6_DST, 17, 9, 9, 0);

	(void)state;
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_UDPV6, 1, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(value_is_queue_unlisted),
		cmocka_unit_test(value_is_queue_known),
		cmocka_unit_test(real_hash_matches),
		cmocka_unit_test(wrong_type),
		cmocka_unit_test(iff_tap_is_tun_driver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
