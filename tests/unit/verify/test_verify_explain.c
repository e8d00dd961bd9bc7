/* SPDX-License-Identifier: MIT */
/*
 * Text only when wanted: a match carries every field but no text, a
 * mismatch and a known deviation carry their explanation, and
 * tunvnet_verdict_explain makes a line for any verdict. Values are the
 * series' selftest numbers (uapi.md), not computed here.
 */
#include "vhelp.h"

static struct tunvnet_verifier *rss_verifier(void)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0x3f, 3,
					       TUNVNET_KIND_TAP);

	return vh_new(&o);
}

/* Report only (automq) on a device of this kind, these deviations listed. */
static struct tunvnet_verifier *automq_verifier(enum tunvnet_kind kind, uint32_t known)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT, 0x3f, 4, kind);

	o.cfg.key = NULL;
	o.cfg.table = NULL;
	o.known_deviations = known;
	return vh_new(&o);
}

/* Room for later fields: written as zero on every verdict. */
static void reserved_zero(const struct tunvnet_verdict *vd)
{
	for (size_t i = 0; i < sizeof(vd->reserved) / sizeof(vd->reserved[0]); i++)
		assert_int_equal(vd->reserved[i], 0);
}

static void match_has_every_field(void **state)
{
	struct tunvnet_verifier *v = rss_verifier();
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET6, VH_V6_SRC, VH_V6_DST, 6, 9, 9, 0);

	(void)state;
	/* Poison: every field must be written, not left over. */
	memset(&vd, 0x5a, sizeof(vd));
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_TCPV6, 0xc2b9f251, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vd.deviation, 0);
	assert_int_equal(vd.expected_report, TUNVNET_REPORT_TCPV6);
	assert_int_equal(vd.observed_report, TUNVNET_REPORT_TCPV6);
	assert_int_equal(vd.expected_hash, 0xc2b9f251);
	assert_int_equal(vd.observed_hash, 0xc2b9f251);
	assert_int_equal(vd.expected_queue, 1); /* table[0xc2b9f251 & 1] % 3 = 4 % 3 */
	assert_int_equal(vd.observed_queue, 1);
	assert_true(vd.hash_checked);
	reserved_zero(&vd);
	assert_string_equal(vd.why, ""); /* no text made for a match */
	tunvnet_verifier_free(v);
}

/* Report only on a tap: the value cannot be predicted, the queue is any. */
static void check_automq_fields(const struct tunvnet_verdict *vd, unsigned int q, uint32_t value)
{
	assert_int_equal(vd->deviation, 0);
	assert_int_equal(vd->expected_report, TUNVNET_REPORT_TCPV4);
	assert_int_equal(vd->observed_report, TUNVNET_REPORT_TCPV4);
	assert_int_equal(vd->expected_hash, 0);
	assert_int_equal(vd->observed_hash, value);
	assert_int_equal(vd->expected_queue, -1);
	assert_int_equal(vd->observed_queue, (int)q);
	assert_false(vd->hash_checked);
	reserved_zero(vd);
}

/* The report-only line-rate case writes every field too, match or moved flow. */
static void automq_verdicts_have_every_field(void **state)
{
	struct tunvnet_verifier *v = automq_verifier(TUNVNET_KIND_TAP, 0);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);

	(void)state;
	memset(&vd, 0x5a, sizeof(vd));
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_TCPV4, 0x12345678, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	check_automq_fields(&vd, 2, 0x12345678);
	assert_string_equal(vd.why, "");
	memset(&vd, 0x5a, sizeof(vd));
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_TCPV4, 0x12345678, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	check_automq_fields(&vd, 3, 0x12345678);
	assert_string_equal(vd.why, "tcpv4 172.17.0.0:9 -> 172.17.0.1:9: same flow reported "
				    "0x12345678 on queue 2 before, now 0x12345678 on queue 3");
	tunvnet_verifier_free(v);
}

static void match_explained_on_demand(void **state)
{
	static const char want[] = "match: expected tcpv4 0xfb63539a queue 0, observed tcpv4 "
				   "0xfb63539a queue 0";
	struct tunvnet_verifier *v = rss_verifier();
	struct tunvnet_verdict vd;
	uint8_t f[256];
	char line[200], small[8];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);

	(void)state;
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xfb63539a, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(tunvnet_verdict_explain(&vd, line, sizeof(line)), (int)strlen(want));
	assert_string_equal(line, want);
	/* snprintf's contract: the length without a buffer, a cut line with a small one. */
	assert_int_equal(tunvnet_verdict_explain(&vd, NULL, 0), (int)strlen(want));
	assert_int_equal(tunvnet_verdict_explain(&vd, small, sizeof(small)), (int)strlen(want));
	assert_string_equal(small, "match: ");
	assert_int_equal(tunvnet_verdict_explain(NULL, line, sizeof(line)), -EINVAL);
	assert_int_equal(tunvnet_verdict_explain(&vd, NULL, 4), -EINVAL);
	tunvnet_verifier_free(v);
}

static void mismatch_keeps_its_explanation(void **state)
{
	static const char why[] = "tcpv4 172.17.0.0:9 -> 172.17.0.1:9: expected tcpv4 0xfb63539a "
				  "queue 0, observed tcpv4 0xfb63539b queue 2";
	struct tunvnet_verifier *v = rss_verifier();
	struct tunvnet_verdict vd;
	uint8_t f[256];
	char line[200];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);

	(void)state;
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_TCPV4, 0xfb63539b, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_string_equal(vd.why, why);
	assert_int_equal(vd.expected_hash, 0xfb63539a);
	assert_int_equal(vd.observed_hash, 0xfb63539b);
	assert_int_equal(vd.expected_queue, 0);
	assert_int_equal(vd.observed_queue, 2);
	assert_int_equal(tunvnet_verdict_explain(&vd, line, sizeof(line)),
			 (int)(strlen("mismatch: ") + strlen(why)));
	assert_string_equal(line + strlen("mismatch: "), why);
	/* A match right after leaves no stale text behind. */
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xfb63539a, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_string_equal(vd.why, "");
	tunvnet_verifier_free(v);
}

static void known_deviation_keeps_its_explanation(void **state)
{
	/* automq on tun: the value is the queue index (1 on queue 1). */
	struct tunvnet_verifier *v = automq_verifier(TUNVNET_KIND_TUN,
						     TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	char line[200];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);

	(void)state;
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_TCPV4, 1, f, len, &vd),
			 TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE);
	assert_non_null(strstr(vd.why, "known deviation automq-value-is-queue"));
	assert_true(tunvnet_verdict_explain(&vd, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, "known-deviation: tcpv4 172.17.0.0:9 -> 172.17.0.1:9"));
	tunvnet_verifier_free(v);
}

static void deviation_names(void **state)
{
	(void)state;
	assert_string_equal(tunvnet_deviation_name(TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE),
			    "automq-value-is-queue");
	assert_string_equal(tunvnet_deviation_name(TUNVNET_DEVIATION_SHORT_KEY_IPV6),
			    "short-key-ipv6");
	assert_string_equal(tunvnet_deviation_name(TUNVNET_DEVIATION_VLAN_AF_PACKET),
			    "vlan-af-packet");
	assert_string_equal(tunvnet_deviation_name(TUNVNET_DEVIATION_TUNNEL_INNER), "tunnel-inner");
	/* Not exactly one known bit. */
	assert_string_equal(tunvnet_deviation_name(0), "unknown");
	assert_string_equal(tunvnet_deviation_name(TUNVNET_DEVIATION_TUNNEL_INNER |
						   TUNVNET_DEVIATION_VLAN_AF_PACKET), "unknown");
	assert_string_equal(tunvnet_deviation_name(1u << 31), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(match_has_every_field),
		cmocka_unit_test(automq_verdicts_have_every_field),
		cmocka_unit_test(match_explained_on_demand),
		cmocka_unit_test(mismatch_keeps_its_explanation),
		cmocka_unit_test(known_deviation_keeps_its_explanation),
		cmocka_unit_test(deviation_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
