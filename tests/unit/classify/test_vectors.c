/* SPDX-License-Identifier: MIT */
/*
 * Known values through tunvnet_classify_hash on real frames: Microsoft's
 * "Verifying the RSS Hash Calculation" tables (source -> destination) and
 * the tun series' own data-path test, with its queue choices.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>

#include "pktbuild.h"
#include "../ms_vectors.h"

static struct tunvnet_toeplitz *ms_key(enum tunvnet_toeplitz_impl impl)
{
	struct tunvnet_toeplitz *t = NULL;

	assert_int_equal(tunvnet_toeplitz_new(tunvnet_default_key(), TUNVNET_KEY_MAX, impl, &t), 0);
	return t;
}

static void check(const struct pb *b, enum tunvnet_l2 l2, uint32_t types,
		  enum tunvnet_profile prof, const struct tunvnet_toeplitz *t, unsigned int report,
		  uint32_t hash)
{
	struct tunvnet_class c;

	assert_int_equal(tunvnet_classify_hash(b->buf, b->len, l2, types, prof, t, &c), 0);
	assert_int_equal(c.report, report);
	assert_int_equal(c.hash, hash);
	/* The value is the reference Toeplitz of the exact input. */
	if (report)
		assert_int_equal(tunvnet_toeplitz_ref(tunvnet_default_key(), TUNVNET_KEY_MAX,
						      c.input, c.input_len),
				 hash);
}

static void test_microsoft_ipv4(void **state)
{
	size_t i, k;
	int p;

	(void)state;
	for (k = 0; k < MS_COUNT(all_impls); k++) {
		struct tunvnet_toeplitz *t;

		if (!tunvnet_toeplitz_impl_available(all_impls[k]))
			continue;
		t = ms_key(all_impls[k]);
		for (i = 0; i < MS_COUNT(ms_vectors_v4); i++) {
			struct pb eth = { .len = 0 }, ip = { .len = 0 };

			pb_eth(&eth, 0x0800);
			pb_ipv4(&eth, ms_vectors_v4[i].src, ms_vectors_v4[i].dst, 6);
			pb_tcp(&eth, ms_vectors_v4[i].sport, ms_vectors_v4[i].dport);
			pb_ipv4(&ip, ms_vectors_v4[i].src, ms_vectors_v4[i].dst, 6);
			pb_tcp(&ip, ms_vectors_v4[i].sport, ms_vectors_v4[i].dport);
			for (p = TUNVNET_PROFILE_SPEC; p <= TUNVNET_PROFILE_QEMU; p++) {
				check(&eth, TUNVNET_L2_ETH, TUNVNET_HASH_TYPES_ALL, p, t,
				      TUNVNET_REPORT_TCPV4, ms_vectors_v4[i].tcp);
				check(&eth, TUNVNET_L2_ETH, TUNVNET_HASH_TYPE_IPV4, p, t,
				      TUNVNET_REPORT_IPV4, ms_vectors_v4[i].ip);
				check(&ip, TUNVNET_L2_IP, TUNVNET_HASH_TYPES_ALL, p, t,
				      TUNVNET_REPORT_TCPV4, ms_vectors_v4[i].tcp);
				check(&ip, TUNVNET_L2_IP, TUNVNET_HASH_TYPE_IPV4 | TUNVNET_HASH_TYPE_UDPV4,
				      p, t, TUNVNET_REPORT_IPV4, ms_vectors_v4[i].ip);
			}
		}
		tunvnet_toeplitz_free(t);
	}
}

static void test_microsoft_ipv6(void **state)
{
	size_t i, k;
	int p;

	(void)state;
	for (k = 0; k < MS_COUNT(all_impls); k++) {
		struct tunvnet_toeplitz *t;

		if (!tunvnet_toeplitz_impl_available(all_impls[k]))
			continue;
		t = ms_key(all_impls[k]);
		for (i = 0; i < MS_COUNT(ms_vectors_v6); i++) {
			struct pb eth = { .len = 0 }, pi = { .len = 0 }, ext = { .len = 0 };

			pb_eth(&eth, 0x86dd);
			pb_ipv6(&eth, ms_vectors_v6[i].src, ms_vectors_v6[i].dst, 6);
			pb_tcp(&eth, ms_vectors_v6[i].sport, ms_vectors_v6[i].dport);
			pb_pi(&pi, 0x86dd);
			pb_ipv6(&pi, ms_vectors_v6[i].src, ms_vectors_v6[i].dst, 6);
			pb_tcp(&pi, ms_vectors_v6[i].sport, ms_vectors_v6[i].dport);
			/* Extension headers without HAO/RT2: _EX value equals the plain one. */
			pb_eth(&ext, 0x86dd);
			pb_ipv6(&ext, ms_vectors_v6[i].src, ms_vectors_v6[i].dst, 0);
			pb_opts6(&ext, 6, 0);
			pb_tcp(&ext, ms_vectors_v6[i].sport, ms_vectors_v6[i].dport);
			for (p = TUNVNET_PROFILE_SPEC; p <= TUNVNET_PROFILE_QEMU; p++) {
				check(&eth, TUNVNET_L2_ETH, TUNVNET_HASH_TYPES_PLAIN, p, t,
				      TUNVNET_REPORT_TCPV6, ms_vectors_v6[i].tcp);
				check(&eth, TUNVNET_L2_ETH, TUNVNET_HASH_TYPE_IPV6, p, t,
				      TUNVNET_REPORT_IPV6, ms_vectors_v6[i].ip);
				check(&pi, TUNVNET_L2_IP_PI, TUNVNET_HASH_TYPES_PLAIN, p, t,
				      TUNVNET_REPORT_TCPV6, ms_vectors_v6[i].tcp);
				check(&ext, TUNVNET_L2_ETH, TUNVNET_HASH_TYPE_IPV6, p, t,
				      TUNVNET_REPORT_IPV6, ms_vectors_v6[i].ip);
			}
			check(&ext, TUNVNET_L2_ETH, TUNVNET_HASH_TYPES_ALL, TUNVNET_PROFILE_SPEC, t,
			      TUNVNET_REPORT_TCPV6_EX, ms_vectors_v6[i].tcp);
			check(&ext, TUNVNET_L2_ETH, TUNVNET_HASH_TYPE_IP_EX, TUNVNET_PROFILE_SPEC, t,
			      TUNVNET_REPORT_IPV6_EX, ms_vectors_v6[i].ip);
			check(&eth, TUNVNET_L2_ETH, TUNVNET_HASH_TYPES_ALL, TUNVNET_PROFILE_QEMU, t,
			      TUNVNET_REPORT_TCPV6_EX, ms_vectors_v6[i].tcp);
			check(&ext, TUNVNET_L2_ETH, TUNVNET_HASH_TYPES_ALL, TUNVNET_PROFILE_LINUX, t,
			      TUNVNET_REPORT_TCPV6, ms_vectors_v6[i].tcp);
		}
		tunvnet_toeplitz_free(t);
	}
}

/* The series' data-path test: 172.17.0.0 -> 172.17.0.1, ports 9 -> 9. */
static void series_frame(struct pb *b, int v6, uint8_t proto)
{
	b->len = 0;
	if (v6) {
		pb_eth(b, 0x86dd);
		pb_ipv6(b, "ffff::ac11:0", "ffff::ac11:1", proto);
	} else {
		pb_eth(b, 0x0800);
		pb_ipv4(b, "172.17.0.0", "172.17.0.1", proto);
	}
	if (proto == 6)
		pb_tcp(b, 9, 9);
	else if (proto == 17)
		pb_udp(b, 9, 9);
	else
		pb_put(b, "payload!", 8);
}

static void test_series_selftest(void **state)
{
	static const uint16_t table[2] = { 3, 4 };
	static const struct {
		int v6;
		uint8_t proto;
		unsigned int report;
		uint32_t hash;
		int queue;
	} want[] = {
		{ 0, 253, TUNVNET_REPORT_IPV4, 0x6e45d952, 0 },
		{ 0, 6, TUNVNET_REPORT_TCPV4, 0xfb63539a, 0 },
		{ 0, 17, TUNVNET_REPORT_UDPV4, 0xfb63539a, 0 },
		{ 1, 253, TUNVNET_REPORT_IPV6, 0xd6eb560f, 1 },
		{ 1, 6, TUNVNET_REPORT_TCPV6, 0xc2b9f251, 1 },
		{ 1, 17, TUNVNET_REPORT_UDPV6, 0xc2b9f251, 1 },
	};
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_toeplitz *t = ms_key(TUNVNET_TOEPLITZ_AUTO);
	struct tunvnet_class c;
	struct pb b = { .len = 0 };
	size_t i;

	(void)state;
	cfg.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	cfg.types = TUNVNET_HASH_TYPES_PLAIN;
	cfg.key = tunvnet_default_key();
	cfg.key_len = TUNVNET_KEY_MAX;
	cfg.table = table;
	cfg.table_len = 2;
	cfg.unclassified_queue = 5;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		series_frame(&b, want[i].v6, want[i].proto);
		check(&b, TUNVNET_L2_ETH, cfg.types, TUNVNET_PROFILE_LINUX, t, want[i].report,
		      want[i].hash);
		assert_int_equal(tunvnet_rss_queue(&cfg, 3, want[i].report, want[i].hash),
				 want[i].queue);
	}
	/* ETH_P_LOOPBACK: NONE, value 0, the unclassified queue 5 % 3. */
	b.len = 0;
	pb_eth(&b, 0x0060);
	pb_put(&b, NULL, 46);
	assert_int_equal(tunvnet_classify_hash(b.buf, b.len, TUNVNET_L2_ETH, cfg.types,
					       TUNVNET_PROFILE_LINUX, t, &c), 0);
	assert_int_equal(c.report, TUNVNET_REPORT_NONE);
	assert_int_equal(c.hash, 0);
	assert_int_equal(tunvnet_rss_queue(&cfg, 3, c.report, c.hash), 2);
	tunvnet_toeplitz_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_microsoft_ipv4),
		cmocka_unit_test(test_microsoft_ipv6),
		cmocka_unit_test(test_series_selftest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
