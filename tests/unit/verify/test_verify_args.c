/* SPDX-License-Identifier: MIT */
/* Argument rules of tunvnet_verifier_new / tunvnet_verify_packet, the deep
 * copy of key and table, and unparsable frames. */
#include "vhelp.h"

static void bad_arguments(void **state)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0x3f, 3,
					       TUNVNET_KIND_TAP);
	struct vh_vopts b;
	struct tunvnet_verifier *v = (void *)&o;
	struct tunvnet_verdict vd;
	struct tunvnet_hdr h = vh_hdr(0, 0);
	uint8_t f[64] = { 0 };

	(void)state;
	assert_int_equal(tunvnet_verifier_new(NULL, &v), -EINVAL);
	assert_int_equal(tunvnet_verifier_new(vh_real(&o), NULL), -EINVAL);

	b = o;
	b.num_queues = 0;
	assert_int_equal(tunvnet_verifier_new(vh_real(&b), &v), -EINVAL);
	assert_null(v);
	assert_non_null(strstr(tunvnet_last_error(), "num_queues"));
	b = o;
	b.cfg.key = NULL;
	assert_int_equal(tunvnet_verifier_new(vh_real(&b), &v), -EINVAL);
	b = o;
	b.cfg.key_len = 41;
	assert_int_equal(tunvnet_verifier_new(vh_real(&b), &v), -EINVAL);
	b = o;
	b.cfg.table_len = 3;
	assert_int_equal(tunvnet_verifier_new(vh_real(&b), &v), -EINVAL);
	b = o;
	b.cfg.flags = 8; /* 4 is TUNVNET_HASH_QUEUE_WRAP */
	assert_int_equal(tunvnet_verifier_new(vh_real(&b), &v), -EINVAL);
	b = o;
	b.cfg.types = 0x200;
	assert_int_equal(tunvnet_verifier_new(vh_real(&b), &v), -EINVAL);
	b = o;
	b.known_deviations = 1u << 7;
	assert_int_equal(tunvnet_verifier_new(vh_real(&b), &v), -EINVAL);
	b = o;
	b.cfg.flags = TUNVNET_HASH_REPORT;
	b.kind = TUNVNET_KIND_UNKNOWN;
	assert_int_equal(tunvnet_verifier_new(vh_real(&b), &v), -EINVAL);
	b = o;
	b.sz = 8;
	assert_int_not_equal(tunvnet_verifier_new(vh_real(&b), &v), 0);

	v = vh_new(&o);
	assert_int_equal(tunvnet_verify_packet(NULL, 0, &h, f, sizeof(f), &vd), -EINVAL);
	assert_int_equal(tunvnet_verify_packet(v, 0, &h, f, sizeof(f), NULL), -EINVAL);
	assert_int_equal(tunvnet_verify_packet(v, 0, &h, NULL, 10, &vd), -EINVAL);
	assert_int_equal(tunvnet_verify_packet(v, 3, &h, f, sizeof(f), &vd), -EINVAL);
	tunvnet_verifier_free(v);
	tunvnet_verifier_free(NULL);
}

static void deep_copy(void **state)
{
	uint8_t key[40];
	uint16_t table[2] = { 3, 4 };
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0x3f, 3,
					       TUNVNET_KIND_TAP);
	struct tunvnet_verifier *v;
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);

	(void)state;
	memcpy(key, tunvnet_default_key(), sizeof(key));
	o.cfg.key = key;
	o.cfg.table = table;
	v = vh_new(&o);
	memset(key, 0xee, sizeof(key));
	table[0] = 1;
	table[1] = 1;
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xfb63539a, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	tunvnet_verifier_free(v);
}

static void unparsable_is_none(void **state)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0x3f, 3,
					       TUNVNET_KIND_TAP);
	struct tunvnet_verifier *v = vh_new(&o);
	struct tunvnet_verdict vd;
	uint8_t junk[5] = { 1, 2, 3, 4, 5 };
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);

	(void)state;
	assert_int_equal(vh_check(v, 2, 0, 0, junk, sizeof(junk), &vd), TUNVNET_VERDICT_MATCH);
	assert_int_equal(vd.expected_report, TUNVNET_REPORT_NONE);
	assert_int_equal(vh_check(v, 2, 0, 0, NULL, 0, &vd), TUNVNET_VERDICT_MATCH);
	/* A truncated IPv4 header. */
	assert_int_equal(vh_check(v, 2, 0, 0, f, 20, &vd), TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 2, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(deep_copy),
		cmocka_unit_test(unparsable_is_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
