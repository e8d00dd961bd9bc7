/* SPDX-License-Identifier: MIT */
/* Report without RSS on macvtap/ipvtap (tap.c): queue = value % queues; a
 * single queue reports nothing. */
#include "vhelp.h"

static struct tunvnet_verifier *new_vtap(enum tunvnet_kind kind, unsigned int queues)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT, 0x3f, queues, kind);

	o.cfg.key = NULL;
	o.cfg.table = NULL;
	return vh_new(&o);
}

static void queue_is_value_mod_n(void **state)
{
	struct tunvnet_verifier *v = new_vtap(TUNVNET_KIND_MACVTAP, 4);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);
	uint32_t value = 0x12345677;
	int q = tunvnet_automq_queue(value, 4);

	(void)state;
	assert_int_equal(q, 3);
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_TCPV4, value, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vd.expected_queue, 3);
	assert_false(vd.hash_checked);
	/* The same value on another queue breaks taps[rxq % numvtaps]. */
	len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 10, 9, 0);
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_TCPV4, value, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.expected_queue, 3);
	assert_non_null(strstr(vd.why, "expected tcpv4 * queue 3, observed tcpv4 0x12345677 queue 1"));
	/* The value equal to the queue is no deviation on tap.c: 2 % 4 == 2. */
	len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 11, 9, 0);
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_TCPV4, 2, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vd.deviation, 0);
	tunvnet_verifier_free(v);
}

static void ipvtap_same_rule(void **state)
{
	struct tunvnet_verifier *v = new_vtap(TUNVNET_KIND_IPVTAP, 3);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET6, VH_V6_SRC, VH_V6_DST, 17, 9, 9, 0);

	(void)state;
	assert_int_equal(vh_check(v, 0x100 % 3, TUNVNET_REPORT_UDPV6, 0x100, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	tunvnet_verifier_free(v);
}

/* value % queues for values near 2^32 and a queue count that is no power of two. */
static void queue_of_large_values(void **state)
{
	static const struct {
		uint32_t value;
		unsigned int q; /* value % 7, by hand */
	} cases[] = {
		{ 0xffffffff, 3 }, /* 4294967295 = 7 * 613566756 + 3 */
		{ 0x80000000, 2 }, /* 2147483648 = 7 * 306783378 + 2 */
		{ 0xfffffff9, 4 }, /* 4294967289 = 7 * 613566755 + 4 */
		{ 0x00000007, 0 },
	};
	struct tunvnet_verifier *v = new_vtap(TUNVNET_KIND_MACVTAP, 7);
	struct tunvnet_verdict vd;
	uint8_t f[256];

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* A flow each, so no case sees another's value. */
		size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, (uint16_t)(100 + i), 9, 0);

		assert_int_equal(vh_check(v, (cases[i].q + 1) % 7, TUNVNET_REPORT_TCPV4, cases[i].value,
					  f, len, &vd),
				 TUNVNET_VERDICT_MISMATCH);
		assert_int_equal(vd.expected_queue, (int)cases[i].q);
		assert_int_equal(vh_check(v, cases[i].q, TUNVNET_REPORT_TCPV4, cases[i].value, f, len,
					  &vd),
				 TUNVNET_VERDICT_MATCH);
		assert_int_equal(vd.expected_queue, (int)cases[i].q);
	}
	tunvnet_verifier_free(v);
}

/* A flow keeps its value on macvtap too: a new value (and so queue) for it is caught. */
static void flow_changes_value(void **state)
{
	struct tunvnet_verifier *v = new_vtap(TUNVNET_KIND_MACVTAP, 4);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET6, VH_V6_SRC, VH_V6_DST, 6, 9, 9, 0);

	(void)state;
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_TCPV6, 0x11, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_TCPV6, 0x11, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_TCPV6, 0x12, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "same flow reported 0x00000011 on queue 1 before, now "
				       "0x00000012 on queue 2"));
	assert_int_equal(vd.expected_queue, 2);
	assert_int_equal(vd.expected_report, TUNVNET_REPORT_TCPV6);
	assert_false(vd.hash_checked);
	tunvnet_verifier_free(v);
}

static void single_queue_reports_nothing(void **state)
{
	struct tunvnet_verifier *v = new_vtap(TUNVNET_KIND_MACVTAP, 1);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);

	(void)state;
	assert_int_equal(vh_check(v, 0, 0, 0, f, len, &vd), TUNVNET_VERDICT_MATCH);
	assert_int_equal(vd.expected_report, TUNVNET_REPORT_NONE);
	assert_true(vd.hash_checked);
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0x77, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(queue_is_value_mod_n),
		cmocka_unit_test(ipvtap_same_rule),
		cmocka_unit_test(queue_of_large_values),
		cmocka_unit_test(flow_changes_value),
		cmocka_unit_test(single_queue_reports_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
