/* SPDX-License-Identifier: MIT */
/* A tagged frame: tags are skipped; reported NONE (AF_PACKET on the tap
 * itself) is the vlan-af-packet deviation when the unclassified queue fits. */
#include "vhelp.h"

static void vlan_frames(void **state)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0x3f, 3,
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

/* An ARP reply 10.0.0.1 is-at 02:00:00:00:00:02 to 02:00:00:00:00:01 (10.0.0.2),
 * behind tags 802.1Q tags; padded to the 60-byte minimum (+ the tags). */
static size_t arp_frame(uint8_t *f, unsigned int tags)
{
	static const uint8_t arp[28] = {
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x02,  /* Ethernet, IPv4, reply */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02,        /* sender hardware address */
		10, 0, 0, 1,                               /* sender protocol address */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,        /* target hardware address */
		10, 0, 0, 2,                               /* target protocol address */
	};
	size_t off = 12;

	memset(f, 0, 128);
	memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	for (unsigned int i = 0; i < tags; i++, off += 4) {
		f[off] = 0x81;
		f[off + 3] = (uint8_t)(10 + i);
	}
	f[off] = 0x08;
	f[off + 1] = 0x06;
	memcpy(f + off + 2, arp, sizeof(arp));
	return 60 + 4 * tags;
}

/*
 * Issue 9 item 15: a tagged ARP frame sent with AF_PACKET on the tap came
 * back ipv4. The kernel reads the 4 ARP bytes after the tags (hardware
 * type, protocol type 0x0800) as one more tag, then an "IPv4 header" from
 * the 5th ARP byte on: IHL 6 (hlen), fragment bits from sender MAC bytes
 * 2-3 (0), protocol from its byte 5 (2: not TCP/UDP), source address from
 * ARP bytes 16-19 (00 01 02 00), destination from 20-23 (00 00 00 01).
 */
static void vlan_arp_hashed(void **state)
{
	static const uint8_t in[8] = { 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0x3f, 3,
					       TUNVNET_KIND_TAP);
	uint32_t h = vh_toeplitz(tunvnet_default_key(), 40, in, sizeof(in));
	unsigned int q = vh_table[h & 1] % 3;
	struct tunvnet_verifier *v = vh_new(&o), *k;
	struct tunvnet_verdict vd;
	uint8_t f[128];
	size_t len = arp_frame(f, 1);

	(void)state;
	/* Through a bridge: non-IP, NONE on the unclassified queue 5 % 3. */
	assert_int_equal(vh_check(v, 2, 0, 0, f, len, &vd), TUNVNET_VERDICT_MATCH);
	/* On the tap itself: the kernel's misreading, hashed as IPv4. */
	assert_int_equal(vh_check(v, q, TUNVNET_REPORT_IPV4, h, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_VLAN_AF_PACKET);
	assert_non_null(strstr(vd.why, "deviation vlan-af-packet (unlisted)"));
	/* Another value is not that. */
	assert_int_equal(vh_check(v, q, TUNVNET_REPORT_IPV4, h ^ 1, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);

	o.known_deviations = TUNVNET_DEVIATION_VLAN_AF_PACKET;
	k = vh_new(&o);
	assert_int_equal(vh_check(k, q, TUNVNET_REPORT_IPV4, h, f, len, &vd),
			 TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_non_null(strstr(vd.why, "as ipv4"));
	/* Two tags: the same misreading past both. */
	len = arp_frame(f, 2);
	assert_int_equal(vh_check(k, q, TUNVNET_REPORT_IPV4, h, f, len, &vd),
			 TUNVNET_VERDICT_KNOWN_DEVIATION);
	/* Untagged ARP gets no such excuse. */
	len = arp_frame(f, 0);
	assert_int_equal(vh_check(k, q, TUNVNET_REPORT_IPV4, h, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);
	tunvnet_verifier_free(k);
	/* Nor does a macvtap queue (no AF_PACKET frames of the tap's own). */
	o.kind = TUNVNET_KIND_MACVTAP;
	k = vh_new(&o);
	len = arp_frame(f, 1);
	assert_int_equal(vh_check(k, q, TUNVNET_REPORT_IPV4, h, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);
	tunvnet_verifier_free(k);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(vlan_frames),
					    cmocka_unit_test(vlan_arp_hashed) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
