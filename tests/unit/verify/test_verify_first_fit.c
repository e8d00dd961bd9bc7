/* SPDX-License-Identifier: MIT */
/*
 * Explanations are not first-fit: each claims only frames its precondition
 * covers. The case seen on v5: macvtap, RSS alone, IPv6-only types (short
 * key), a tagged UDPv6 frame that landed on the unclassified queue because
 * the kernel's key put it there; vlan-af-packet must not take it.
 */
#include "vhelp.h"

#define TYPES_V6 (TUNVNET_HASH_TYPE_IPV6 | TUNVNET_HASH_TYPE_TCPV6 | TUNVNET_HASH_TYPE_UDPV6)

/* 4 queues, the unclassified one (3) also in the table. */
static const uint16_t table4[4] = { 0, 1, 2, 3 };

static struct vh_vopts opts(uint32_t flags, uint32_t types, enum tunvnet_kind kind,
				       uint32_t known)
{
	struct vh_vopts o = vh_opts(flags, types, 4, kind);

	o.cfg.table = table4;
	o.cfg.table_len = 4;
	o.cfg.unclassified_queue = 3;
	o.known_deviations = known;
	return o;
}

/* A tagged UDPv6 frame whose configured-key queue is not 3. */
static size_t tagged_udp6(uint8_t *f, struct tunvnet_verifier *probe)
{
	struct tunvnet_verdict vd;

	for (uint16_t port = 1; port < 200; port++) {
		size_t len = vh_frame(f, AF_INET6, VH_V6_SRC, VH_V6_DST, 17, port, 9, 1);

		vh_check(probe, 0, 0, 0, f, len, &vd); /* for expected_queue only */
		if (vd.expected_queue != 3)
			return len;
	}
	fail();
	return 0;
}

static void short_key_not_vlan(void **state)
{
	uint32_t both = TUNVNET_DEVIATION_SHORT_KEY_IPV6 | TUNVNET_DEVIATION_VLAN_AF_PACKET;
	struct vh_vopts o = opts(TUNVNET_HASH_RSS, TYPES_V6, TUNVNET_KIND_MACVTAP, both);
	struct tunvnet_verifier *probe = vh_new(&o), *v;
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = tagged_udp6(f, probe);

	(void)state;
	tunvnet_verifier_free(probe);
	/* macvtap: short key, whether or not vlan-af-packet is listed. */
	v = vh_new(&o);
	assert_int_equal(vh_check(v, 3, 0, 0, f, len, &vd), TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_SHORT_KEY_IPV6);
	tunvnet_verifier_free(v);
	o.known_deviations = TUNVNET_DEVIATION_SHORT_KEY_IPV6;
	v = vh_new(&o);
	assert_int_equal(vh_check(v, 3, 0, 0, f, len, &vd), TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_SHORT_KEY_IPV6);
	tunvnet_verifier_free(v);
	/* A tap too: the plain (short-key) expectation fits, so no explanation runs. */
	o = opts(TUNVNET_HASH_RSS, TYPES_V6, TUNVNET_KIND_TAP, TUNVNET_DEVIATION_SHORT_KEY_IPV6);
	v = vh_new(&o);
	assert_int_equal(vh_check(v, 3, 0, 0, f, len, &vd), TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_SHORT_KEY_IPV6);
	tunvnet_verifier_free(v);
}

static void vlan_only_on_a_taps_tagged_frames(void **state)
{
	uint32_t all = TUNVNET_DEVIATION_SHORT_KEY_IPV6 | TUNVNET_DEVIATION_VLAN_AF_PACKET;
	struct vh_vopts o =
		opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0x3f, TUNVNET_KIND_MACVTAP, all);
	struct tunvnet_verifier *v = vh_new(&o);
	struct tunvnet_verdict vd;
	uint8_t f[256];
	size_t len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 1);

	(void)state;
	/* NONE on the unclassified queue: macvtap never gets a tap's own frames. */
	assert_int_equal(vh_check(v, 3, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);
	tunvnet_verifier_free(v);
	/* On a tap it is that deviation; untagged, it is not. */
	o.kind = TUNVNET_KIND_TAP;
	v = vh_new(&o);
	assert_int_equal(vh_check(v, 3, 0, 0, f, len, &vd), TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_VLAN_AF_PACKET);
	len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);
	assert_int_equal(vh_check(v, 3, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);
	tunvnet_verifier_free(v);
	/* tun frames carry no tags at all. */
	o.kind = TUNVNET_KIND_TUN;
	o.l2 = TUNVNET_L2_IP;
	v = vh_new(&o);
	len = vh_frame(f, AF_INET, VH_V4_SRC, VH_V4_DST, 6, 9, 9, 0);
	assert_int_equal(vh_check(v, 3, 0, 0, f + 14, len - 14, &vd), TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(short_key_not_vlan),
		cmocka_unit_test(vlan_only_on_a_taps_tagged_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
