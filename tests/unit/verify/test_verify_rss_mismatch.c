/* SPDX-License-Identifier: MIT */
/* RSS + report: a wrong hash, queue or report type is a MISMATCH that says what. */
#include "vhelp.h"

static struct tunvnet_verifier *v;
static uint8_t f[256];
static size_t len;

static int setup(void **state)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0x3f, 3,
					       TUNVNET_KIND_TAP);

	(void)state;
	assert_int_equal(tunvnet_verifier_new(vh_real(&o), &v), 0);
	len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tunvnet_verifier_free(v);
	return 0;
}

static void wrong_hash(void **state)
{
	struct tunvnet_verdict vd;

	(void)state;
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xfb63539b, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.expected_hash, 0xfb63539a);
	assert_int_equal(vd.observed_hash, 0xfb63539b);
	assert_int_equal(vd.deviation, 0);
	assert_string_equal(vd.why, "tcpv4 172.17.0.0:9 -> 172.17.0.1:9: expected tcpv4 "
				    "0xfb63539a queue 0, observed tcpv4 0xfb63539b queue 0");
}

static void wrong_queue(void **state)
{
	struct tunvnet_verdict vd;

	(void)state;
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_TCPV4, 0xfb63539a, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.expected_queue, 0);
	assert_int_equal(vd.observed_queue, 1);
	assert_non_null(strstr(vd.why, "expected tcpv4 0xfb63539a queue 0, observed tcpv4 "
					"0xfb63539a queue 1"));
}

static void wrong_report(void **state)
{
	struct tunvnet_verdict vd;

	(void)state;
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_UDPV4, 0xfb63539a, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.expected_report, TUNVNET_REPORT_TCPV4);
	assert_int_equal(vd.observed_report, TUNVNET_REPORT_UDPV4);
	assert_non_null(strstr(vd.why, "observed udpv4 0xfb63539a queue 0"));
}

static void missing_report(void **state)
{
	struct tunvnet_verdict vd;

	(void)state;
	/* What a steering eBPF program or a 12-byte header would leave. */
	assert_int_equal(vh_check(v, 0, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "observed none 0x00000000 queue 0"));
}

static void ipv6_why(void **state)
{
	struct tunvnet_verdict vd;
	uint8_t g[256];
	size_t glen = vh_frame(g, AF_INET6, VH_V6_SRC, VH_V6_DST, 17, 9, 9, 0);

	(void)state;
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_UDPV6, 0xc2b9f251, g, glen, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_string_equal(vd.why, "udpv6 [ffff::ac11:0]:9 -> [ffff::ac11:1]:9: expected udpv6 "
				    "0xc2b9f251 queue 1, observed udpv6 0xc2b9f251 queue 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wrong_hash),     cmocka_unit_test(wrong_queue),
		cmocka_unit_test(wrong_report),   cmocka_unit_test(missing_report),
		cmocka_unit_test(ipv6_why),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
