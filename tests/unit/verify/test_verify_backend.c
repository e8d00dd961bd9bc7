/* SPDX-License-Identifier: MIT */
/*
 * The verify options ABI (cfg by pointer, copied; TUNVNET_VERIFY_OPTS_INIT)
 * and the backends: ebpf predicts the queue and checks the report filled on
 * read (spec profile); user checks the report only; known kernel deviations
 * are the kernel backend's alone. Values: the series' selftest numbers
 * (uapi.md) and the textbook Toeplitz of vhelp.h, not the library's.
 */
#include "vhelp.h"

static struct tunvnet_verifier *backend_verifier(uint32_t flags, enum tunvnet_backend b,
						 enum tunvnet_kind kind)
{
	struct vh_vopts o = vh_opts(flags, 0x3f, 3, kind);

	o.profile = TUNVNET_PROFILE_SPEC;
	o.backend = b;
	o.known_deviations = TUNVNET_DEVIATION_VLAN_AF_PACKET | TUNVNET_DEVIATION_TUNNEL_INNER |
			     TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE;
	return vh_new(&o);
}

static void cfg_is_copied(void **state)
{
	struct tunvnet_verify_opts o = TUNVNET_VERIFY_OPTS_INIT;
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_verifier *v = NULL;
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);

	(void)state;
	assert_int_equal(o.sz, sizeof(struct tunvnet_verify_opts));
	o.num_queues = 3;
	o.kind = TUNVNET_KIND_TAP;
	o.profile = TUNVNET_PROFILE_LINUX;
	/* No configuration: refused, nothing made. */
	assert_int_equal(tunvnet_verifier_new(&o, &v), -EINVAL);
	assert_null(v);
	assert_non_null(strstr(tunvnet_last_error(), "cfg"));
	c.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	c.types = 0x3f;
	c.key = tunvnet_default_key();
	c.key_len = TUNVNET_KEY_MAX;
	c.table = vh_table;
	c.table_len = 2;
	c.unclassified_queue = 5;
	o.cfg = &c;
	/* Unknown backend: refused. */
	o.backend = (enum tunvnet_backend)4;
	assert_int_equal(tunvnet_verifier_new(&o, &v), -EINVAL);
	assert_null(v);
	o.backend = TUNVNET_BACKEND_AUTO; /* the kernel's rules, as before backends */
	assert_int_equal(tunvnet_verifier_new(&o, &v), 0);
	/* The caller's struct goes away (or changes): the verifier keeps its copy. */
	memset(&c, 0xa5, sizeof(c));
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xfb63539a, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	tunvnet_verifier_free(v);
}

static void ebpf_predicts_queue_and_report(void **state)
{
	struct tunvnet_verifier *v =
		backend_verifier(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, TUNVNET_BACKEND_EBPF,
				 TUNVNET_KIND_TAP);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET6, VH_V6_SRC, VH_V6_DST, 17, 9, 9, 0);

	(void)state;
	/* UDPv6 0xc2b9f251 -> table[1] % 3 = 1. */
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_UDPV6, 0xc2b9f251, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vd.expected_queue, 1);
	assert_true(vd.hash_checked);
	/* Another queue is a mismatch: the program must steer by the reference. */
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_UDPV6, 0xc2b9f251, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	/* Non-IP: NONE on the unclassified queue 5 % 3. */
	len = vh_frame_loopback(f);
	assert_int_equal(vh_check(v, 2, 0, 0, f, len, &vd), TUNVNET_VERDICT_MATCH);
	/* A tagged frame reported NONE is no known deviation here (the kernel
	 * series' misreading does not apply to our filler). */
	len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 1);
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xfb63539a, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 2, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);
	tunvnet_verifier_free(v);
}

static void ebpf_without_report(void **state)
{
	struct tunvnet_verifier *v = backend_verifier(TUNVNET_HASH_RSS, TUNVNET_BACKEND_EBPF,
						      TUNVNET_KIND_TAP);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);

	(void)state;
	/* Steered by TCPv4 0xfb63539a (queue 0); nothing filled. */
	assert_int_equal(vh_check(v, 0, 0, 0, f, len, &vd), TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 1, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xfb63539a, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	tunvnet_verifier_free(v);
}

static void user_checks_report_not_queue(void **state)
{
	struct tunvnet_verifier *v =
		backend_verifier(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, TUNVNET_BACKEND_USER,
				 TUNVNET_KIND_MACVTAP);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 17, 9, 9, 0);

	(void)state;
	/* Any queue: the kernel's own choice. */
	for (unsigned int q = 0; q < 3; q++) {
		assert_int_equal(vh_check(v, q, TUNVNET_REPORT_UDPV4, 0xfb63539a, f, len, &vd),
				 TUNVNET_VERDICT_MATCH);
		assert_int_equal(vd.expected_queue, -1);
	}
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_UDPV4, 0xfb63539b, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "expected udpv4 0xfb63539a queue *"));
	tunvnet_verifier_free(v);
}

static void user_report_only_uses_the_default_key(void **state)
{
	/* REPORT without RSS: no key given; the filler hashes with the Microsoft
	 * key, whatever the automq queue. The expectation here is the textbook
	 * Toeplitz of the TCPv4 input. */
	static const uint8_t in[12] = { 172, 17, 0, 0, 172, 17, 0, 1, 0, 9, 0, 9 };
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT, 0x3f, 4, TUNVNET_KIND_TUN);
	uint32_t h = vh_toeplitz(tunvnet_default_key(), 40, in, sizeof(in));
	struct tunvnet_verifier *v;
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);

	(void)state;
	o.cfg.key = NULL;
	o.cfg.key_len = 0;
	o.cfg.table = NULL;
	o.cfg.table_len = 0;
	o.profile = TUNVNET_PROFILE_SPEC;
	o.backend = TUNVNET_BACKEND_USER;
	o.known_deviations = TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE;
	v = vh_new(&o);
	assert_int_equal(h, 0xfb63539a); /* the selftest's TCPv4 value: same key, same input */
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_TCPV4, h, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_true(vd.hash_checked);
	/* The value being the queue index is a kernel bug, not excused here. */
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_TCPV4, 3, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cfg_is_copied),
		cmocka_unit_test(ebpf_predicts_queue_and_report),
		cmocka_unit_test(ebpf_without_report),
		cmocka_unit_test(user_checks_report_not_queue),
		cmocka_unit_test(user_report_only_uses_the_default_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
