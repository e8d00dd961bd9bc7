/* SPDX-License-Identifier: MIT */
/* tunvnet_classify: one test per rule, per profile, on crafted frames. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>

#include "pktbuild.h"

#define SPEC TUNVNET_PROFILE_SPEC
#define LINUX TUNVNET_PROFILE_LINUX
#define QEMU TUNVNET_PROFILE_QEMU
#define ALL TUNVNET_HASH_TYPES_ALL
#define PLAIN TUNVNET_HASH_TYPES_PLAIN
#define EX (TUNVNET_HASH_TYPE_IP_EX | TUNVNET_HASH_TYPE_TCP_EX | TUNVNET_HASH_TYPE_UDP_EX)

static struct tunvnet_class cls_len(const struct pb *b, size_t len, enum tunvnet_l2 l2,
				    uint32_t types, enum tunvnet_profile prof)
{
	struct tunvnet_class c;

	assert_int_equal(tunvnet_classify_hash(b->buf, len, l2, types, prof, NULL, &c), 0);
	assert_int_equal(c.hash, 0); /* no Toeplitz given */
	return c;
}

static struct tunvnet_class cls(const struct pb *b, uint32_t types, enum tunvnet_profile prof)
{
	return cls_len(b, b->len, TUNVNET_L2_ETH, types, prof);
}

/* Expected Toeplitz input: v4 when alen == 4. */
static void expect(const struct tunvnet_class *c, unsigned int report, const char *src,
		   const char *dst, int sport, int dport)
{
	uint8_t in[36];
	size_t n;

	assert_int_equal(c->report, report);
	if (report == TUNVNET_REPORT_NONE) {
		assert_int_equal(c->input_len, 0);
		return;
	}
	if (strchr(src, ':')) {
		pb_addr6(src, in);
		pb_addr6(dst, in + 16);
		n = 32;
	} else {
		pb_addr4(src, in);
		pb_addr4(dst, in + 4);
		n = 8;
	}
	if (sport >= 0) {
		in[n] = (uint8_t)(sport >> 8);
		in[n + 1] = (uint8_t)sport;
		in[n + 2] = (uint8_t)(dport >> 8);
		in[n + 3] = (uint8_t)dport;
		n += 4;
	}
	assert_int_equal(c->input_len, n);
	assert_memory_equal(c->input, in, n);
}

static void v4_tcp(struct pb *b, uint8_t proto)
{
	b->len = 0;
	pb_eth(b, 0x0800);
	pb_ipv4(b, "10.1.2.3", "10.4.5.6", proto);
	if (proto == 17)
		pb_udp(b, 1111, 2222);
	else
		pb_tcp(b, 1111, 2222);
}

static void test_ipv4_ladder(void **state)
{
	struct pb b;
	int p;
	struct tunvnet_class c;

	(void)state;
	for (p = SPEC; p <= QEMU; p++) {
		v4_tcp(&b, 6);
		c = cls(&b, ALL, p);
		expect(&c, TUNVNET_REPORT_TCPV4, "10.1.2.3", "10.4.5.6", 1111, 2222);
		c = cls(&b, TUNVNET_HASH_TYPE_IPV4 | TUNVNET_HASH_TYPE_UDPV4, p);
		expect(&c, TUNVNET_REPORT_IPV4, "10.1.2.3", "10.4.5.6", -1, 0);
		c = cls(&b, TUNVNET_HASH_TYPE_UDPV4 | TUNVNET_HASH_TYPE_TCPV6, p);
		expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
		/* IPv6 types do not apply to IPv4. */
		c = cls(&b, TUNVNET_HASH_TYPE_IPV6 | EX, p);
		expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
		v4_tcp(&b, 17);
		c = cls(&b, ALL, p);
		expect(&c, TUNVNET_REPORT_UDPV4, "10.1.2.3", "10.4.5.6", 1111, 2222);
		c = cls(&b, TUNVNET_HASH_TYPE_TCPV4 | TUNVNET_HASH_TYPE_IPV4, p);
		expect(&c, TUNVNET_REPORT_IPV4, "10.1.2.3", "10.4.5.6", -1, 0);
		v4_tcp(&b, 253);
		c = cls(&b, ALL, p);
		expect(&c, TUNVNET_REPORT_IPV4, "10.1.2.3", "10.4.5.6", -1, 0);
		c = cls(&b, 0, p);
		expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
	}
}

static void test_fragments_get_ip_type(void **state)
{
	static const uint16_t fields[] = { 0x2000, 0x2020, 0x0020 };
	size_t i;
	int p;

	(void)state;
	for (i = 0; i < 3; i++) {
		for (p = SPEC; p <= QEMU; p++) {
			struct pb b = { .len = 0 };
			struct tunvnet_class c;

			pb_eth(&b, 0x0800);
			pb_ipv4_full(&b, "10.1.2.3", "10.4.5.6", 6, fields[i], 5);
			pb_tcp(&b, 1, 2);
			c = cls(&b, ALL, p);
			expect(&c, TUNVNET_REPORT_IPV4, "10.1.2.3", "10.4.5.6", -1, 0);
			c = cls(&b, TUNVNET_HASH_TYPE_TCPV4, p);
			expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);

			b.len = 0;
			pb_eth(&b, 0x86dd);
			pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 44);
			pb_frag6(&b, 17, fields[i] == 0x2000 ? 0 : 4, fields[i] != 0x0020);
			pb_udp(&b, 1, 2);
			c = cls(&b, PLAIN, p);
			expect(&c, TUNVNET_REPORT_IPV6, "2001:db8::1", "2001:db8::2", -1, 0);
		}
	}
}

static void v6_plain(struct pb *b)
{
	b->len = 0;
	pb_eth(b, 0x86dd);
	pb_ipv6(b, "2001:db8::1", "2001:db8::2", 6);
	pb_tcp(b, 5000, 80);
}

static void test_ipv6_no_ext(void **state)
{
	struct pb b;
	struct tunvnet_class c;

	(void)state;
	v6_plain(&b);
	/* All types: spec and linux plain, QEMU prefers _EX. */
	c = cls(&b, ALL, SPEC);
	expect(&c, TUNVNET_REPORT_TCPV6, "2001:db8::1", "2001:db8::2", 5000, 80);
	c = cls(&b, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_TCPV6, "2001:db8::1", "2001:db8::2", 5000, 80);
	c = cls(&b, ALL, QEMU);
	expect(&c, TUNVNET_REPORT_TCPV6_EX, "2001:db8::1", "2001:db8::2", 5000, 80);
	/* Only _EX types: the spec's "without extension header" ladder has none. */
	c = cls(&b, EX, SPEC);
	expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
	c = cls(&b, EX, LINUX);
	expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
	c = cls(&b, EX, QEMU);
	expect(&c, TUNVNET_REPORT_TCPV6_EX, "2001:db8::1", "2001:db8::2", 5000, 80);
	c = cls(&b, TUNVNET_HASH_TYPE_IP_EX | TUNVNET_HASH_TYPE_TCPV6, QEMU);
	expect(&c, TUNVNET_REPORT_TCPV6, "2001:db8::1", "2001:db8::2", 5000, 80);
	c = cls(&b, TUNVNET_HASH_TYPE_IP_EX | TUNVNET_HASH_TYPE_UDPV6, QEMU);
	expect(&c, TUNVNET_REPORT_IPV6_EX, "2001:db8::1", "2001:db8::2", -1, 0);
}

static void v6_mobile(struct pb *b, uint8_t l4)
{
	b->len = 0;
	pb_eth(b, 0x86dd);
	pb_ipv6(b, "2001:db8::1", "2001:db8::2", 43);
	pb_rt(b, 60, 2, 1, "2001:db8::beef");
	pb_dstopts_hao(b, l4, "2001:db8::cafe");
	if (l4 == 6)
		pb_tcp(b, 5000, 80);
	else if (l4 == 17)
		pb_udp(b, 5000, 80);
	else
		pb_put(b, NULL, 8);
}

static void test_ipv6_ex_addresses(void **state)
{
	struct pb b;
	struct tunvnet_class c;

	(void)state;
	v6_mobile(&b, 6);
	c = cls(&b, ALL, SPEC);
	expect(&c, TUNVNET_REPORT_TCPV6_EX, "2001:db8::cafe", "2001:db8::beef", 5000, 80);
	c = cls(&b, ALL, QEMU);
	expect(&c, TUNVNET_REPORT_TCPV6_EX, "2001:db8::cafe", "2001:db8::beef", 5000, 80);
	/* The kernel never reports _EX: plain addresses. */
	c = cls(&b, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_TCPV6, "2001:db8::1", "2001:db8::2", 5000, 80);
	/* No _EX enabled: skip the headers, plain ladder, plain addresses. */
	c = cls(&b, PLAIN, SPEC);
	expect(&c, TUNVNET_REPORT_TCPV6, "2001:db8::1", "2001:db8::2", 5000, 80);
	c = cls(&b, TUNVNET_HASH_TYPE_IP_EX | TUNVNET_HASH_TYPE_TCPV6, SPEC);
	expect(&c, TUNVNET_REPORT_IPV6_EX, "2001:db8::cafe", "2001:db8::beef", -1, 0);

	v6_mobile(&b, 17);
	c = cls(&b, TUNVNET_HASH_TYPE_UDP_EX, SPEC);
	expect(&c, TUNVNET_REPORT_UDPV6_EX, "2001:db8::cafe", "2001:db8::beef", 5000, 80);
	c = cls(&b, TUNVNET_HASH_TYPE_TCP_EX | TUNVNET_HASH_TYPE_UDPV6, SPEC);
	expect(&c, TUNVNET_REPORT_UDPV6, "2001:db8::1", "2001:db8::2", 5000, 80);

	/* ICMPv6 with TCP_EX only: the _EX ladder falls through to the plain one. */
	v6_mobile(&b, 58);
	c = cls(&b, TUNVNET_HASH_TYPE_TCP_EX | TUNVNET_HASH_TYPE_IPV6, SPEC);
	expect(&c, TUNVNET_REPORT_IPV6, "2001:db8::1", "2001:db8::2", -1, 0);
	c = cls(&b, TUNVNET_HASH_TYPE_TCP_EX, SPEC);
	expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
}

static void test_ipv6_ex_only_one_address(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_class c;

	(void)state;
	/* Hop-by-hop only: has extension headers, neither address replaced. */
	pb_eth(&b, 0x86dd);
	pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 0);
	pb_opts6(&b, 17, 0);
	pb_udp(&b, 1, 2);
	c = cls(&b, ALL, SPEC);
	expect(&c, TUNVNET_REPORT_UDPV6_EX, "2001:db8::1", "2001:db8::2", 1, 2);
	c = cls(&b, EX, SPEC);
	expect(&c, TUNVNET_REPORT_UDPV6_EX, "2001:db8::1", "2001:db8::2", 1, 2);
	c = cls(&b, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_UDPV6, "2001:db8::1", "2001:db8::2", 1, 2);

	/* Home address only. */
	b.len = 0;
	pb_eth(&b, 0x86dd);
	pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 60);
	pb_dstopts_hao(&b, 59, "2001:db8::cafe");
	c = cls(&b, ALL, SPEC);
	expect(&c, TUNVNET_REPORT_IPV6_EX, "2001:db8::cafe", "2001:db8::2", -1, 0);
	c = cls(&b, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_IPV6, "2001:db8::1", "2001:db8::2", -1, 0);
}

static void test_truncated_l4(void **state)
{
	struct pb b;
	struct tunvnet_class c;
	int p;

	(void)state;
	v4_tcp(&b, 6);
	/* 10 of 20 TCP bytes: the kernel follows the protocol, ports included. */
	c = cls_len(&b, 14 + 20 + 10, TUNVNET_L2_ETH, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_TCPV4, "10.1.2.3", "10.4.5.6", 1111, 2222);
	for (p = SPEC; p <= QEMU; p += 2) {
		c = cls_len(&b, 14 + 20 + 10, TUNVNET_L2_ETH, ALL, p);
		expect(&c, TUNVNET_REPORT_IPV4, "10.1.2.3", "10.4.5.6", -1, 0);
	}
	/* 3 port bytes: __skb_flow_get_ports() gives all four or zero. */
	c = cls_len(&b, 14 + 20 + 3, TUNVNET_L2_ETH, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_TCPV4, "10.1.2.3", "10.4.5.6", 0, 0);
	c = cls_len(&b, 14 + 20, TUNVNET_L2_ETH, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_TCPV4, "10.1.2.3", "10.4.5.6", 0, 0);

	v4_tcp(&b, 17);
	c = cls_len(&b, 14 + 20 + 7, TUNVNET_L2_ETH, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_UDPV4, "10.1.2.3", "10.4.5.6", 1111, 2222);
	c = cls_len(&b, 14 + 20 + 7, TUNVNET_L2_ETH, ALL, SPEC);
	expect(&c, TUNVNET_REPORT_IPV4, "10.1.2.3", "10.4.5.6", -1, 0);

	/* IPv4 options cut short: addresses still there. */
	b.len = 0;
	pb_eth(&b, 0x0800);
	pb_ipv4_full(&b, "10.1.2.3", "10.4.5.6", 6, 0, 10);
	pb_tcp(&b, 1, 2);
	c = cls_len(&b, 14 + 30, TUNVNET_L2_ETH, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_TCPV4, "10.1.2.3", "10.4.5.6", 0, 0);
	c = cls_len(&b, 14 + 30, TUNVNET_L2_ETH, ALL, SPEC);
	expect(&c, TUNVNET_REPORT_IPV4, "10.1.2.3", "10.4.5.6", -1, 0);

	/* IPv6: truncated TCP after a plain header. */
	v6_plain(&b);
	c = cls_len(&b, 14 + 40 + 19, TUNVNET_L2_ETH, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_TCPV6, "2001:db8::1", "2001:db8::2", 5000, 80);
	c = cls_len(&b, 14 + 40 + 19, TUNVNET_L2_ETH, PLAIN, SPEC);
	expect(&c, TUNVNET_REPORT_IPV6, "2001:db8::1", "2001:db8::2", -1, 0);
	c = cls_len(&b, 14 + 40 + 19, TUNVNET_L2_ETH, ALL, QEMU);
	expect(&c, TUNVNET_REPORT_IPV6_EX, "2001:db8::1", "2001:db8::2", -1, 0);
}

static void test_truncated_chain(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_class c;
	int p;

	(void)state;
	pb_eth(&b, 0x86dd);
	pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 0);
	pb_opts6(&b, 6, 1);
	pb_tcp(&b, 1, 2);
	/* An extension header that cannot be read: no hash anywhere. */
	for (p = SPEC; p <= QEMU; p++) {
		c = cls_len(&b, 14 + 41, TUNVNET_L2_ETH, ALL, p);
		expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
	}
	/* Its body cut: kernel goes on to TCP, with zero ports. */
	c = cls_len(&b, 14 + 50, TUNVNET_L2_ETH, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_TCPV6, "2001:db8::1", "2001:db8::2", 0, 0);
	c = cls_len(&b, 14 + 50, TUNVNET_L2_ETH, PLAIN, SPEC);
	expect(&c, TUNVNET_REPORT_IPV6, "2001:db8::1", "2001:db8::2", -1, 0);
	/* Fixed IPv6 header cut. */
	for (p = SPEC; p <= QEMU; p++) {
		c = cls_len(&b, 14 + 39, TUNVNET_L2_ETH, ALL, p);
		expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
	}
}

static void test_ah_stops_kernel(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_class c;

	(void)state;
	pb_eth(&b, 0x86dd);
	pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 51);
	pb_ah(&b, 6, 4);
	pb_tcp(&b, 1, 2);
	c = cls(&b, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_IPV6, "2001:db8::1", "2001:db8::2", -1, 0);
	c = cls(&b, PLAIN, SPEC);
	expect(&c, TUNVNET_REPORT_TCPV6, "2001:db8::1", "2001:db8::2", 1, 2);
	c = cls(&b, ALL, SPEC);
	expect(&c, TUNVNET_REPORT_TCPV6_EX, "2001:db8::1", "2001:db8::2", 1, 2);
}

static void test_ext_limit(void **state)
{
	int n;

	(void)state;
	for (n = 16; n <= 17; n++) {
		struct pb b = { .len = 0 };
		struct tunvnet_class c;
		int i;

		pb_eth(&b, 0x86dd);
		pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 0);
		for (i = 0; i < n; i++)
			pb_opts6(&b, i == n - 1 ? 6 : 60, 0);
		pb_tcp(&b, 1, 2);
		c = cls(&b, PLAIN, LINUX);
		if (n == 16)
			expect(&c, TUNVNET_REPORT_TCPV6, "2001:db8::1", "2001:db8::2", 1, 2);
		else
			expect(&c, TUNVNET_REPORT_IPV6, "2001:db8::1", "2001:db8::2", -1, 0);
		c = cls(&b, PLAIN, SPEC);
		if (n == 16)
			expect(&c, TUNVNET_REPORT_TCPV6, "2001:db8::1", "2001:db8::2", 1, 2);
		else
			expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
	}
}

static void test_version_nibble(void **state)
{
	struct pb b;
	struct tunvnet_class c;

	(void)state;
	v4_tcp(&b, 6);
	b.buf[14] = 0x65; /* IPv4 ethertype, version 6 */
	c = cls(&b, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_TCPV4, "10.1.2.3", "10.4.5.6", 1111, 2222);
	c = cls(&b, ALL, SPEC);
	expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
	c = cls(&b, ALL, QEMU);
	expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);

	v6_plain(&b);
	b.buf[14] = 0x40; /* IPv6 ethertype, version 4 */
	c = cls(&b, PLAIN, LINUX);
	expect(&c, TUNVNET_REPORT_TCPV6, "2001:db8::1", "2001:db8::2", 5000, 80);
	c = cls(&b, PLAIN, QEMU); /* QEMU does not check IPv6's version */
	expect(&c, TUNVNET_REPORT_TCPV6, "2001:db8::1", "2001:db8::2", 5000, 80);
	c = cls(&b, PLAIN, SPEC);
	expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
}

static void test_vlan_and_pi_same_input(void **state)
{
	static const uint16_t tags[2] = { 0x88a8, 0x8100 };
	struct pb tagged = { .len = 0 }, pi = { .len = 0 }, raw = { .len = 0 };
	int p;

	(void)state;
	pb_eth_tags(&tagged, tags, 2, 0x0800);
	pb_ipv4(&tagged, "10.1.2.3", "10.4.5.6", 6);
	pb_tcp(&tagged, 1111, 2222);
	pb_pi(&pi, 0x0800);
	pb_ipv4(&pi, "10.1.2.3", "10.4.5.6", 6);
	pb_tcp(&pi, 1111, 2222);
	pb_ipv4(&raw, "10.1.2.3", "10.4.5.6", 6);
	pb_tcp(&raw, 1111, 2222);
	for (p = SPEC; p <= QEMU; p++) {
		struct tunvnet_class c;

		c = cls_len(&tagged, tagged.len, TUNVNET_L2_ETH, ALL, p);
		expect(&c, TUNVNET_REPORT_TCPV4, "10.1.2.3", "10.4.5.6", 1111, 2222);
		c = cls_len(&pi, pi.len, TUNVNET_L2_IP_PI, ALL, p);
		expect(&c, TUNVNET_REPORT_TCPV4, "10.1.2.3", "10.4.5.6", 1111, 2222);
		c = cls_len(&raw, raw.len, TUNVNET_L2_IP, ALL, p);
		expect(&c, TUNVNET_REPORT_TCPV4, "10.1.2.3", "10.4.5.6", 1111, 2222);
	}
}

static void test_vlan_stacks(void **state)
{
	static const uint16_t old[1] = { 0x9100 }, three[3] = { 0x88a8, 0x8100, 0x8100 };
	struct pb b = { .len = 0 };
	struct tunvnet_class c;

	(void)state;
	/* 0x9100: the spec profile skips it, the kernel and QEMU do not. */
	pb_eth_tags(&b, old, 1, 0x0800);
	pb_ipv4(&b, "10.1.2.3", "10.4.5.6", 17);
	pb_udp(&b, 1, 2);
	c = cls(&b, ALL, SPEC);
	expect(&c, TUNVNET_REPORT_UDPV4, "10.1.2.3", "10.4.5.6", 1, 2);
	c = cls(&b, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
	c = cls(&b, ALL, QEMU);
	expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
	/* Three tags: the dissector loops, QEMU looks at two at most. */
	b.len = 0;
	pb_eth_tags(&b, three, 3, 0x0800);
	pb_ipv4(&b, "10.1.2.3", "10.4.5.6", 17);
	pb_udp(&b, 1, 2);
	c = cls(&b, ALL, SPEC);
	expect(&c, TUNVNET_REPORT_UDPV4, "10.1.2.3", "10.4.5.6", 1, 2);
	c = cls(&b, ALL, LINUX);
	expect(&c, TUNVNET_REPORT_UDPV4, "10.1.2.3", "10.4.5.6", 1, 2);
	c = cls(&b, ALL, QEMU);
	expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
}

/* Destination options: pad Pad1 bytes, a Home Address, Pad1 to 40 bytes; then TCP. */
static void v6_hao_after_pads(struct pb *b, unsigned int pad)
{
	uint8_t h[40], a[16];

	b->len = 0;
	pb_eth(b, 0x86dd);
	pb_ipv6(b, "2001:db8::1", "2001:db8::2", 60);
	memset(h, 0, sizeof(h));
	h[0] = 6;
	h[1] = 4; /* 40 bytes */
	h[2 + pad] = 0xc9;
	h[3 + pad] = 16;
	pb_addr6("2001:db8::cafe", a);
	memcpy(h + 4 + pad, a, 16);
	pb_put(b, h, sizeof(h));
	pb_tcp(b, 5000, 80);
}

/*
 * The ebpf profile: the spec's, except that a Home Address scan needing
 * more than 16 option steps gives no hash (the steering program's bound).
 */
static void test_ebpf_opts_limit(void **state)
{
	struct tunvnet_class c;
	struct tunvnet_flow f;
	struct pb b;

	(void)state;
	/* The Home Address is the 16th step: found in the bound, as the spec. */
	v6_hao_after_pads(&b, 15);
	assert_int_equal(tunvnet_packet_parse(b.buf, b.len, TUNVNET_L2_ETH, &f), 0);
	assert_false(f.flags & TUNVNET_FLOW_OPTS_LIMIT);
	c = cls(&b, ALL, TUNVNET_PROFILE_EBPF);
	expect(&c, TUNVNET_REPORT_TCPV6_EX, "2001:db8::cafe", "2001:db8::2", 5000, 80);
	/* The 17th: past the bound, no hash; the spec still finds it. */
	v6_hao_after_pads(&b, 16);
	assert_int_equal(tunvnet_packet_parse(b.buf, b.len, TUNVNET_L2_ETH, &f), 0);
	assert_true(f.flags & TUNVNET_FLOW_OPTS_LIMIT);
	c = cls(&b, ALL, TUNVNET_PROFILE_EBPF);
	expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
	c = cls(&b, PLAIN, TUNVNET_PROFILE_EBPF);
	expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
	c = cls(&b, ALL, SPEC);
	expect(&c, TUNVNET_REPORT_TCPV6_EX, "2001:db8::cafe", "2001:db8::2", 5000, 80);
	assert_string_equal(tunvnet_profile_name(TUNVNET_PROFILE_EBPF), "ebpf");
}

static void test_non_ip_and_errors(void **state)
{
	struct pb b = { .len = 0 };
	struct tunvnet_class c;
	struct tunvnet_flow f;
	int p;

	(void)state;
	pb_eth(&b, 0x0060);
	pb_put(&b, NULL, 50);
	for (p = SPEC; p <= TUNVNET_PROFILE_EBPF; p++) {
		c = cls(&b, ALL, p);
		expect(&c, TUNVNET_REPORT_NONE, NULL, NULL, 0, 0);
	}
	memset(&f, 0, sizeof(f));
	f.flags = TUNVNET_FLOW_IPV4;
	assert_int_equal(tunvnet_classify(&f, 0x200, SPEC, &c), -EINVAL);
	assert_int_equal(tunvnet_classify(&f, ALL, (enum tunvnet_profile)4, &c), -EINVAL);
	f.flags = 0;
	assert_int_equal(tunvnet_classify(&f, ALL, (enum tunvnet_profile)4, &c), -EINVAL);
	assert_int_equal(tunvnet_classify(NULL, ALL, SPEC, &c), -EINVAL);
	assert_int_equal(tunvnet_classify(&f, ALL, SPEC, NULL), -EINVAL);
	assert_int_equal(tunvnet_classify_hash(b.buf, b.len, TUNVNET_L2_ETH, ALL, SPEC, NULL, NULL),
			 -EINVAL);
	assert_int_equal(tunvnet_classify_hash(b.buf, b.len, (enum tunvnet_l2)9, ALL, SPEC, NULL, &c),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_ladder),
		cmocka_unit_test(test_fragments_get_ip_type),
		cmocka_unit_test(test_ipv6_no_ext),
		cmocka_unit_test(test_ipv6_ex_addresses),
		cmocka_unit_test(test_ipv6_ex_only_one_address),
		cmocka_unit_test(test_truncated_l4),
		cmocka_unit_test(test_truncated_chain),
		cmocka_unit_test(test_ah_stops_kernel),
		cmocka_unit_test(test_ext_limit),
		cmocka_unit_test(test_version_nibble),
		cmocka_unit_test(test_vlan_and_pi_same_input),
		cmocka_unit_test(test_vlan_stacks),
		cmocka_unit_test(test_ebpf_opts_limit),
		cmocka_unit_test(test_non_ip_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
