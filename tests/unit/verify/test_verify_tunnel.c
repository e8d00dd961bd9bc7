/* SPDX-License-Identifier: MIT */
/*
 * Tunnels (tunnel-inner): the kernel's flow dissector goes past a valid GRE
 * header (version 0: IPv4, IPv6, transparent Ethernet; version 1: PPTP),
 * IPIP and IPv6-in-IP, and hashes the inner packet; a GRE header it cannot
 * follow leaves report NONE. Routing-flagged GRE, other versions and
 * fragments stay with the outer packet. The numbers marked "kernel" were
 * observed on the test kernels (vm-workload, probe gre).
 */
#include "vhelp.h"

#define KNOWN_TUN TUNVNET_DEVIATION_TUNNEL_INNER

static const uint16_t table4[4] = { 0, 1, 2, 3 };

/* 10.3.3.3:1000 -> 10.4.4.4:2000 UDP with 8 bytes of payload. */
static const uint8_t inner_udp4[36] = { 0x45, 0, 0, 36, 0, 2, 0, 0, 64, 17, 0, 0,
					10, 3, 3, 3, 10, 4, 4, 4, 0x03, 0xe8, 0x07, 0xd0,
					0, 16, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
#define H_INNER 0xf9372127u /* kernel: udpv4 over the inner tuple */
#define H_OUTER 0x37e8bf0bu /* ipv4 over 10.1.1.1 -> 10.2.2.2 */

static struct tunvnet_verifier *new_v(uint32_t flags, uint32_t known)
{
	struct vh_vopts o = vh_opts(flags, 0x3f, 4, TUNVNET_KIND_TAP);

	o.cfg.table = table4;
	o.cfg.table_len = 4;
	o.cfg.unclassified_queue = 3;
	o.known_deviations = known;
	return vh_new(&o);
}

/* Ethernet + IPv4 10.1.1.1 -> 10.2.2.2 (proto, flags/fragment word) + payload. */
static size_t outer4(uint8_t *buf, uint8_t proto, uint16_t frag, const uint8_t *pl, size_t n)
{
	uint8_t *ip = buf + 14;

	memset(buf, 0, 14 + 20);
	memcpy(buf, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00", 14);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + n) >> 8);
	ip[3] = (uint8_t)(20 + n);
	ip[6] = (uint8_t)(frag >> 8);
	ip[7] = (uint8_t)frag;
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, "\x0a\x01\x01\x01\x0a\x02\x02\x02", 8);
	memcpy(ip + 20, pl, n);
	return 14 + 20 + n;
}

/* GRE header (flags, protocol, optional words), then the inner bytes. */
static size_t gre(uint8_t *pl, uint16_t flags, uint16_t proto, const uint8_t *in, size_t n)
{
	size_t o = 4;

	pl[0] = (uint8_t)(flags >> 8);
	pl[1] = (uint8_t)flags;
	pl[2] = (uint8_t)(proto >> 8);
	pl[3] = (uint8_t)proto;
	if (flags & 0x8000) { memset(pl + o, 0, 4); o += 4; }
	if (flags & 0x2000) { memcpy(pl + o, "\x00\x00\x12\x34", 4); o += 4; }
	if (flags & 0x1000) { memcpy(pl + o, "\x00\x00\x00\x07", 4); o += 4; }
	memcpy(pl + o, in, n);
	return o + n;
}

static void hashes_are_independent(void **state)
{
	static const uint8_t in_in[12] = { 10, 3, 3, 3, 10, 4, 4, 4, 0x03, 0xe8, 0x07, 0xd0 };
	static const uint8_t in_out[8] = { 10, 1, 1, 1, 10, 2, 2, 2 };

	(void)state;
	assert_int_equal(vh_toeplitz(tunvnet_default_key(), 40, in_in, 12), H_INNER);
	assert_int_equal(vh_toeplitz(tunvnet_default_key(), 40, in_out, 8), H_OUTER);
}

static void gre_valid(void **state)
{
	static const uint16_t flag_sets[] = { 0, 0x8000, 0x2000, 0x1000, 0xb000 };
	struct tunvnet_verifier *v = new_v(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, KNOWN_TUN);
	struct tunvnet_verifier *u = new_v(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, 0);
	struct tunvnet_verdict vd;
	uint8_t pl[128], f[256];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		len = outer4(f, 47, 0, pl, gre(pl, flag_sets[i], 0x0800, inner_udp4, 36));
		/* kernel: udpv4 over the inner tuple, queue table[0x27 & 3] = 3 */
		assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_UDPV4, H_INNER, f, len, &vd),
				 TUNVNET_VERDICT_KNOWN_DEVIATION);
		assert_int_equal(vd.deviation, TUNVNET_DEVIATION_TUNNEL_INNER);
		assert_true(vd.hash_checked);
		assert_int_equal(vd.expected_report, TUNVNET_REPORT_IPV4); /* the spec's */
		assert_int_equal(vd.expected_hash, H_OUTER);
		assert_non_null(strstr(vd.why, "known deviation tunnel-inner: gre 0x0800: inner udpv4"));
		/* A kernel that hashes the outer packet is right. */
		assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_IPV4, H_OUTER, f, len, &vd),
				 TUNVNET_VERDICT_MATCH);
		/* The inner hash on the wrong queue fits nothing. */
		assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_UDPV4, H_INNER, f, len, &vd),
				 TUNVNET_VERDICT_MISMATCH);
	}
	assert_int_equal(vh_check(u, 3, TUNVNET_REPORT_UDPV4, H_INNER, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_TUNNEL_INNER);
	assert_non_null(strstr(vd.why, "tunnel-inner (unlisted)"));

	/* Transparent Ethernet: an Ethernet header, then the same inner packet. */
	{
		uint8_t eth[14 + 36];

		memcpy(eth, "\x02\x00\x00\x00\x00\x03\x02\x00\x00\x00\x00\x04\x08\x00", 14);
		memcpy(eth + 14, inner_udp4, 36);
		len = outer4(f, 47, 0, pl, gre(pl, 0x2000, 0x6558, eth, sizeof(eth)));
		assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_UDPV4, H_INNER, f, len, &vd),
				 TUNVNET_VERDICT_KNOWN_DEVIATION);
	}
	/* PPTP (version 1, K, protocol 0x880b), PPP protocol 0x0021 = IPv4. */
	{
		uint8_t ppp[4 + 36] = { 0xff, 0x03, 0x00, 0x21 };

		memcpy(ppp + 4, inner_udp4, 36);
		len = outer4(f, 47, 0, pl, gre(pl, 0x2001, 0x880b, ppp, sizeof(ppp)));
		assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_UDPV4, H_INNER, f, len, &vd),
				 TUNVNET_VERDICT_KNOWN_DEVIATION);
		ppp[3] = 0x2b; /* IPX: not followed further, n_proto stays PPP */
		len = outer4(f, 47, 0, pl, gre(pl, 0x2001, 0x880b, ppp, sizeof(ppp)));
		assert_int_equal(vh_check(v, 3, 0, 0, f, len, &vd), TUNVNET_VERDICT_KNOWN_DEVIATION);
	}
	tunvnet_verifier_free(u);
	tunvnet_verifier_free(v);
}

static void gre_invalid(void **state)
{
	struct tunvnet_verifier *v = new_v(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, KNOWN_TUN);
	static const uint8_t bogus[8] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7 };
	struct tunvnet_verdict vd;
	uint8_t pl[128], f[256];
	size_t len;

	(void)state;
	/* kernel: flags C|K, version 1, protocol 0xa2a3: NONE on the unclassified queue */
	len = outer4(f, 47, 0, bogus, 8);
	assert_int_equal(vh_check(v, 3, 0, 0, f, len, &vd), TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_TUNNEL_INNER);
	assert_non_null(strstr(vd.why, "gre v1 protocol 0xa2a3: inner not hashed"));
	assert_int_equal(vh_check(v, 0, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);
	/* Version 0 with a protocol the dissector does not know. */
	len = outer4(f, 47, 0, pl, gre(pl, 0, 0x88b5, inner_udp4, 36));
	assert_int_equal(vh_check(v, 3, 0, 0, f, len, &vd), TUNVNET_VERDICT_KNOWN_DEVIATION);
	/* A key flag with the key cut off; a header shorter than 4 bytes. */
	len = outer4(f, 47, 0, (const uint8_t *)"\x20\x00\x08\x00\x00\x00", 6);
	assert_int_equal(vh_check(v, 3, 0, 0, f, len, &vd), TUNVNET_VERDICT_KNOWN_DEVIATION);
	len = outer4(f, 47, 0, (const uint8_t *)"\x00\x00", 2);
	assert_int_equal(vh_check(v, 3, 0, 0, f, len, &vd), TUNVNET_VERDICT_KNOWN_DEVIATION);
	/* Valid GRE, inner IPv4 header cut short. */
	len = outer4(f, 47, 0, pl, gre(pl, 0, 0x0800, inner_udp4, 12));
	assert_int_equal(vh_check(v, 3, 0, 0, f, len, &vd), TUNVNET_VERDICT_KNOWN_DEVIATION);
	tunvnet_verifier_free(v);
}

static void gre_outer(void **state)
{
	struct tunvnet_verifier *v = new_v(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, KNOWN_TUN);
	struct tunvnet_verdict vd;
	uint8_t pl[128], f[256];
	size_t len;

	(void)state;
	/* Routing present, version 2, version 1 with the outer family's protocol,
	 * and any fragment: the outer addresses (IPv4, queue 3). */
	len = outer4(f, 47, 0, pl, gre(pl, 0x4000, 0x0800, inner_udp4, 36));
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_IPV4, H_OUTER, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_UDPV4, H_INNER, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_int_equal(vd.deviation, 0);
	len = outer4(f, 47, 0, pl, gre(pl, 0x0002, 0x0800, inner_udp4, 36));
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_IPV4, H_OUTER, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	len = outer4(f, 47, 0, pl, gre(pl, 0x0001, 0x0800, inner_udp4, 36));
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_IPV4, H_OUTER, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	len = outer4(f, 47, 0x2000, pl, gre(pl, 0, 0x0800, inner_udp4, 36));
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_IPV4, H_OUTER, f, len, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_UDPV4, H_INNER, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	tunvnet_verifier_free(v);
}

static void ipip(void **state)
{
	struct tunvnet_verifier *v = new_v(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, KNOWN_TUN);
	struct tunvnet_verdict vd;
	uint8_t f[256], in6[256];
	size_t len, n6;

	(void)state;
	/* IPIP (4): the inner tuple, as for GRE. */
	len = outer4(f, 4, 0, inner_udp4, 36);
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_UDPV4, H_INNER, f, len, &vd),
			 TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_non_null(strstr(vd.why, "ipip: inner udpv4"));
	/* IPv6 in IPv4 (41): the series' TCPv6 numbers, 0xc2b9f251 on table[1]. */
	n6 = vh_frame(in6, AF_INET6, VH_V6_SRC, VH_V6_DST, 6, 9, 9, 0) - 14;
	memmove(in6, in6 + 14, n6);
	len = outer4(f, 41, 0, in6, n6);
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_TCPV6, 0xc2b9f251, f, len, &vd),
			 TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_int_equal(vd.deviation, TUNVNET_DEVIATION_TUNNEL_INNER);
	/* The dissector follows the protocol number, not the version nibble. */
	in6[0] = 0x40;
	len = outer4(f, 41, 0, in6, n6);
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_TCPV6, 0xc2b9f251, f, len, &vd),
			 TUNVNET_VERDICT_KNOWN_DEVIATION);
	/* IPIP inside GRE: followed twice. */
	{
		uint8_t pl[128], two[64];

		memcpy(two, inner_udp4, 20);
		two[9] = 4;
		two[3] = 56;
		memcpy(two + 20, inner_udp4, 36);
		len = outer4(f, 47, 0, pl, gre(pl, 0, 0x0800, two, 56));
		assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_UDPV4, H_INNER, f, len, &vd),
				 TUNVNET_VERDICT_KNOWN_DEVIATION);
		assert_non_null(strstr(vd.why, "gre 0x0800 > ipip"));
	}
	tunvnet_verifier_free(v);
}

static void automq_inner_flows(void **state)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT, 0x3f, 4, TUNVNET_KIND_TUN);
	struct tunvnet_verifier *v;
	struct tunvnet_verdict vd;
	uint8_t pl[128], f[256], in2[36];
	size_t len;

	(void)state;
	o.known_deviations = KNOWN_TUN;
	v = vh_new(&o);
	/* Report type of the inner packet; value unpredictable. */
	len = outer4(f, 47, 0, pl, gre(pl, 0, 0x0800, inner_udp4, 36));
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_UDPV4, 0x1234, f, len, &vd),
			 TUNVNET_VERDICT_KNOWN_DEVIATION);
	assert_false(vd.hash_checked);
	/* Same outer flow, another inner flow: a flow of its own. */
	memcpy(in2, inner_udp4, 36);
	in2[21] = 0x09;
	len = outer4(f, 47, 0, pl, gre(pl, 0, 0x0800, in2, 36));
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_UDPV4, 0x5678, f, len, &vd),
			 TUNVNET_VERDICT_KNOWN_DEVIATION);
	/* Same again, another GRE key: the key is in the dissector's flow too. */
	len = outer4(f, 47, 0, pl, gre(pl, 0x2000, 0x0800, in2, 36));
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_UDPV4, 0x9abc, f, len, &vd),
			 TUNVNET_VERDICT_KNOWN_DEVIATION);
	/* The first flow moving is still caught. */
	len = outer4(f, 47, 0, pl, gre(pl, 0, 0x0800, inner_udp4, 36));
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_UDPV4, 0x4321, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "same flow"));
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hashes_are_independent),
		cmocka_unit_test(gre_valid),
		cmocka_unit_test(gre_invalid),
		cmocka_unit_test(gre_outer),
		cmocka_unit_test(ipip),
		cmocka_unit_test(automq_inner_flows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
