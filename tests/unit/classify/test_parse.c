/* SPDX-License-Identifier: MIT */
/* tunvnet_packet_parse: what it records for each kind of frame. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>

#include "pktbuild.h"

static struct tunvnet_flow parse(const struct pb *b, enum tunvnet_l2 l2)
{
	struct tunvnet_flow f;

	assert_int_equal(tunvnet_packet_parse(b->buf, b->len, l2, &f), 0);
	return f;
}

static void test_eth_ipv4_tcp(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_flow f;
	uint8_t a[4];

	(void)state;
	pb_eth(&b, 0x0800);
	pb_ipv4(&b, "66.9.149.187", "161.142.100.80", 6);
	pb_tcp(&b, 2794, 1766);
	f = parse(&b, TUNVNET_L2_ETH);
	assert_int_equal(f.flags, TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_TCP | TUNVNET_FLOW_PORTS |
					  TUNVNET_FLOW_L4_COMPLETE);
	assert_int_equal(f.ethertype, 0x0800);
	assert_int_equal(f.vlan_tags, 0);
	assert_int_equal(f.l4_proto, 6);
	assert_int_equal(f.l3_off, 14);
	assert_int_equal(f.l4_off, 34);
	assert_int_equal(f.src_port, 2794);
	assert_int_equal(f.dst_port, 1766);
	pb_addr4("66.9.149.187", a);
	assert_memory_equal(f.src, a, 4);
	pb_addr4("161.142.100.80", a);
	assert_memory_equal(f.dst, a, 4);
}

static void test_vlan_tags(void **state)
{
	static const uint16_t tpids[][3] = {
		{ 0x8100, 0, 0 }, { 0x88a8, 0x8100, 0 }, { 0x9100, 0x88a8, 0x8100 },
	};
	int n;

	(void)state;
	for (n = 1; n <= 3; n++) {
		struct pb b = { .len = 0 };
		struct tunvnet_flow f;

		pb_eth_tags(&b, tpids[n - 1], n, 0x86dd);
		pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 17);
		pb_udp(&b, 53, 5353);
		f = parse(&b, TUNVNET_L2_ETH);
		assert_int_equal(f.vlan_tags, n);
		assert_int_equal(f.ethertype, 0x86dd);
		assert_int_equal(f.l3_off, 14 + 4 * n);
		assert_int_equal(f.l4_off, 14 + 4 * n + 40);
		assert_true(f.flags & TUNVNET_FLOW_IPV6);
		assert_true(f.flags & TUNVNET_FLOW_UDP);
		assert_true(f.flags & TUNVNET_FLOW_L4_COMPLETE);
		assert_int_equal(f.dst_port, 5353);
		assert_int_equal(!!(f.flags & TUNVNET_FLOW_VLAN_9100), n == 3);
	}
}

static void test_vlan_cut(void **state)
{
	static const uint16_t tpid[1] = { 0x8100 };
	struct pb b = { .len = 0 };
	struct tunvnet_flow f;

	(void)state;
	pb_eth_tags(&b, tpid, 1, 0x0800);
	/* Cut inside the tag. */
	assert_int_equal(tunvnet_packet_parse(b.buf, 16, TUNVNET_L2_ETH, &f), 0);
	assert_int_equal(f.flags, TUNVNET_FLOW_TRUNCATED);
	assert_int_equal(f.ethertype, 0x8100);
}

static void test_non_ip(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_flow f;

	(void)state;
	pb_eth(&b, 0x0060); /* ETH_P_LOOPBACK */
	pb_put(&b, NULL, 46);
	f = parse(&b, TUNVNET_L2_ETH);
	assert_int_equal(f.flags, 0);
	assert_int_equal(f.ethertype, 0x0060);
	assert_int_equal(tunvnet_packet_parse(b.buf, 13, TUNVNET_L2_ETH, &f), 0);
	assert_int_equal(f.flags, TUNVNET_FLOW_TRUNCATED);
}

static void test_l2_ip_nibble(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_flow f;

	(void)state;
	pb_ipv6(&b, "::1", "::2", 6);
	pb_tcp(&b, 1, 2);
	f = parse(&b, TUNVNET_L2_IP);
	assert_true(f.flags & TUNVNET_FLOW_IPV6);
	assert_int_equal(f.ethertype, 0);
	assert_int_equal(f.l3_off, 0);
	assert_int_equal(f.l4_off, 40);
	b.buf[0] = 0x50; /* version 5: neither */
	f = parse(&b, TUNVNET_L2_IP);
	assert_false(f.flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6));
	assert_int_equal(tunvnet_packet_parse(b.buf, 0, TUNVNET_L2_IP, &f), 0);
	assert_int_equal(f.flags, TUNVNET_FLOW_TRUNCATED);
}

static void test_pi_follows_proto(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_flow f;

	(void)state;
	pb_pi(&b, 0x0800);
	pb_ipv4(&b, "10.0.0.1", "10.0.0.2", 17);
	pb_udp(&b, 1000, 2000);
	f = parse(&b, TUNVNET_L2_IP_PI);
	assert_int_equal(f.ethertype, 0x0800);
	assert_int_equal(f.l3_off, 4);
	assert_int_equal(f.l4_off, 24);
	assert_true(f.flags & TUNVNET_FLOW_UDP);
	assert_false(f.flags & TUNVNET_FLOW_VERSION_MISMATCH);
	/* The protocol decides; a disagreeing nibble is only noted. */
	b.buf[4] = 0x65;
	f = parse(&b, TUNVNET_L2_IP_PI);
	assert_true(f.flags & TUNVNET_FLOW_IPV4);
	assert_true(f.flags & TUNVNET_FLOW_VERSION_MISMATCH);
	assert_int_equal(tunvnet_packet_parse(b.buf, 3, TUNVNET_L2_IP_PI, &f), 0);
	assert_int_equal(f.flags, TUNVNET_FLOW_TRUNCATED);
}

static void test_ipv4_options_and_bad_ihl(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_flow f;

	(void)state;
	pb_eth(&b, 0x0800);
	pb_ipv4_full(&b, "1.1.1.1", "2.2.2.2", 6, 0, 15);
	pb_tcp(&b, 80, 8080);
	f = parse(&b, TUNVNET_L2_ETH);
	assert_true(f.flags & TUNVNET_FLOW_IPV4_OPTIONS);
	assert_true(f.flags & TUNVNET_FLOW_L4_COMPLETE);
	assert_int_equal(f.l4_off, 14 + 60);
	assert_int_equal(f.src_port, 80);
	/* Options cut short: IPv4 with addresses, truncated, no L4 bytes. */
	assert_int_equal(tunvnet_packet_parse(b.buf, 14 + 40, TUNVNET_L2_ETH, &f), 0);
	assert_int_equal(f.flags, TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV4_OPTIONS |
					  TUNVNET_FLOW_TRUNCATED | TUNVNET_FLOW_TCP);
	/* IHL below 5 is not IPv4. */
	b.buf[14] = 0x44;
	f = parse(&b, TUNVNET_L2_ETH);
	assert_false(f.flags & TUNVNET_FLOW_IPV4);
	/* Fewer than 20 bytes: truncated, not IPv4. */
	assert_int_equal(tunvnet_packet_parse(b.buf, 14 + 19, TUNVNET_L2_ETH, &f), 0);
	assert_int_equal(f.flags, TUNVNET_FLOW_TRUNCATED);
}

static void test_ipv4_fragments(void **state)
{
	struct { uint16_t field; bool frag, l4; } cases[] = {
		{ 0x4000, false, true }, /* DF only */
		{ 0x2000, true, true },  /* first fragment: MF */
		{ 0x2010, true, false }, /* middle */
		{ 0x0010, true, false }, /* last */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pb b = { .len = 0 };
		struct tunvnet_flow f;

		pb_eth(&b, 0x0800);
		pb_ipv4_full(&b, "1.1.1.1", "2.2.2.2", 17, cases[i].field, 5);
		pb_udp(&b, 7, 9);
		f = parse(&b, TUNVNET_L2_ETH);
		assert_int_equal(!!(f.flags & TUNVNET_FLOW_FRAGMENT), cases[i].frag);
		assert_int_equal(!!(f.flags & TUNVNET_FLOW_PORTS), cases[i].l4);
		assert_int_equal(!!(f.flags & TUNVNET_FLOW_UDP), cases[i].l4);
		assert_int_equal(f.l4_proto, 17);
	}
}

static void test_ipv4_l4_partial(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_flow f;
	size_t cut;

	(void)state;
	pb_eth(&b, 0x0800);
	pb_ipv4(&b, "1.1.1.1", "2.2.2.2", 6);
	pb_tcp(&b, 1234, 80);
	for (cut = 34; cut <= b.len; cut++) {
		assert_int_equal(tunvnet_packet_parse(b.buf, cut, TUNVNET_L2_ETH, &f), 0);
		assert_true(f.flags & TUNVNET_FLOW_TCP);
		assert_int_equal(!!(f.flags & TUNVNET_FLOW_PORTS), cut >= 38);
		assert_int_equal(!!(f.flags & TUNVNET_FLOW_L4_COMPLETE), cut >= 54);
		assert_false(f.flags & TUNVNET_FLOW_TRUNCATED); /* L3 is whole */
	}
}

static void test_ipv6_ext_chain(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_flow f;
	uint8_t a[16];

	(void)state;
	pb_eth(&b, 0x86dd);
	pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 0);
	pb_opts6(&b, 43, 0);                                     /* hop-by-hop, 8 */
	pb_rt(&b, 60, 2, 1, "2001:db8::99");                     /* RT2, 24 */
	pb_dstopts_hao(&b, 44, "2001:db8::77");                  /* HAO, 24 */
	pb_frag6(&b, 51, 0, 0);                                  /* atomic fragment, 8 */
	pb_ah(&b, 6, 4);                                         /* AH, 24 */
	pb_tcp(&b, 4000, 443);
	f = parse(&b, TUNVNET_L2_ETH);
	assert_int_equal(f.flags, TUNVNET_FLOW_IPV6 | TUNVNET_FLOW_EXT_HDRS | TUNVNET_FLOW_RT2 |
					  TUNVNET_FLOW_HOME_ADDR | TUNVNET_FLOW_FRAGMENT |
					  TUNVNET_FLOW_AH | TUNVNET_FLOW_TCP | TUNVNET_FLOW_PORTS |
					  TUNVNET_FLOW_L4_COMPLETE);
	assert_int_equal(f.l4_off, 14 + 40 + 8 + 24 + 24 + 8 + 24);
	pb_addr6("2001:db8::99", a);
	assert_memory_equal(f.rt2_addr, a, 16);
	pb_addr6("2001:db8::77", a);
	assert_memory_equal(f.home_addr, a, 16);
	pb_addr6("2001:db8::1", a);
	assert_memory_equal(f.src, a, 16);
	assert_int_equal(f.src_port, 4000);
}

static void test_ipv6_rt_not_type2(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_flow f;

	(void)state;
	pb_eth(&b, 0x86dd);
	pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 43);
	pb_rt(&b, 43, 0, 1, "2001:db8::99"); /* type 0 */
	pb_rt(&b, 17, 2, 0, "2001:db8::98"); /* type 2, no segment left */
	pb_udp(&b, 1, 2);
	f = parse(&b, TUNVNET_L2_ETH);
	assert_false(f.flags & TUNVNET_FLOW_RT2);
	assert_true(f.flags & TUNVNET_FLOW_EXT_HDRS);
	assert_true(f.flags & TUNVNET_FLOW_L4_COMPLETE);
}

static void test_ipv6_later_fragment(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_flow f;

	(void)state;
	pb_eth(&b, 0x86dd);
	pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 44);
	pb_frag6(&b, 6, 185, 1);
	pb_tcp(&b, 1, 2); /* looks like TCP but is payload */
	f = parse(&b, TUNVNET_L2_ETH);
	assert_int_equal(f.flags, TUNVNET_FLOW_IPV6 | TUNVNET_FLOW_EXT_HDRS | TUNVNET_FLOW_FRAGMENT);
	assert_int_equal(f.l4_proto, 6);
}

static void test_ipv6_ext_limit(void **state)
{
	int n;

	(void)state;
	for (n = 15; n <= 18; n++) {
		struct pb b = { .len = 0 };
		struct tunvnet_flow f;
		int i;

		pb_eth(&b, 0x86dd);
		pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 60);
		for (i = 0; i < n; i++)
			pb_opts6(&b, i == n - 1 ? 6 : 60, 0);
		pb_tcp(&b, 1, 2);
		f = parse(&b, TUNVNET_L2_ETH);
		if (n <= 16) {
			assert_false(f.flags & TUNVNET_FLOW_EXT_LIMIT);
			assert_true(f.flags & TUNVNET_FLOW_L4_COMPLETE);
			assert_int_equal(f.l4_proto, 6);
		} else {
			assert_true(f.flags & TUNVNET_FLOW_EXT_LIMIT);
			assert_false(f.flags & TUNVNET_FLOW_TCP);
			assert_int_equal(f.l4_proto, 60);
		}
	}
}

static void test_ipv6_truncated_chain(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_flow f;

	(void)state;
	pb_eth(&b, 0x86dd);
	pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 0);
	pb_opts6(&b, 6, 1); /* 16 bytes */
	pb_tcp(&b, 1, 2);
	/* Header unreadable: walk stops at it. */
	assert_int_equal(tunvnet_packet_parse(b.buf, 14 + 41, TUNVNET_L2_ETH, &f), 0);
	assert_true(f.flags & TUNVNET_FLOW_TRUNCATED);
	assert_int_equal(f.l4_proto, 0);
	/* Body cut: the next header is known, its bytes are not there. */
	assert_int_equal(tunvnet_packet_parse(b.buf, 14 + 50, TUNVNET_L2_ETH, &f), 0);
	assert_true(f.flags & TUNVNET_FLOW_TRUNCATED);
	assert_true(f.flags & TUNVNET_FLOW_TCP);
	assert_int_equal(f.l4_proto, 6);
	assert_false(f.flags & TUNVNET_FLOW_PORTS);
	/* Fixed header cut. */
	assert_int_equal(tunvnet_packet_parse(b.buf, 14 + 39, TUNVNET_L2_ETH, &f), 0);
	assert_int_equal(f.flags, TUNVNET_FLOW_TRUNCATED);
}

static void test_bad_args(void **state)
{
	struct tunvnet_flow f;
	uint8_t x[1] = { 0 };

	(void)state;
	assert_int_equal(tunvnet_packet_parse(x, 1, TUNVNET_L2_ETH, NULL), -EINVAL);
	assert_int_equal(tunvnet_packet_parse(NULL, 10, TUNVNET_L2_ETH, &f), -EINVAL);
	assert_int_equal(tunvnet_packet_parse(x, 1, (enum tunvnet_l2)7, &f), -EINVAL);
	assert_int_equal(tunvnet_packet_parse(NULL, 0, TUNVNET_L2_ETH, &f), 0);
	assert_int_equal(f.flags, TUNVNET_FLOW_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_ipv4_tcp),
		cmocka_unit_test(test_vlan_tags),
		cmocka_unit_test(test_vlan_cut),
		cmocka_unit_test(test_non_ip),
		cmocka_unit_test(test_l2_ip_nibble),
		cmocka_unit_test(test_pi_follows_proto),
		cmocka_unit_test(test_ipv4_options_and_bad_ihl),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv4_l4_partial),
		cmocka_unit_test(test_ipv6_ext_chain),
		cmocka_unit_test(test_ipv6_rt_not_type2),
		cmocka_unit_test(test_ipv6_later_fragment),
		cmocka_unit_test(test_ipv6_ext_limit),
		cmocka_unit_test(test_ipv6_truncated_chain),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
