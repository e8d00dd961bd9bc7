/* SPDX-License-Identifier: MIT */
/*
 * tunvnet_classify_hash (with its fast path) against the slow, obvious
 * composition tunvnet_packet_parse + tunvnet_classify + tunvnet_toeplitz_ref:
 * every field of struct tunvnet_class must match (report, input_len, all
 * input bytes, hash), and so must the return value. Over every frame kind
 * pktbuild.h builds, under every L2 mode, every truncation (and trailing
 * padding), then random mutations; every profile, several type sets, every
 * Toeplitz path this CPU has and none. Each input sits in an exact-size heap
 * buffer so that a sanitizer or valgrind sees any over-read. Deterministic
 * seed; TUNVNET_TEST_SCALE (percent) shrinks the mutation run.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>

#include "pktbuild.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static const uint32_t type_sets[] = {
	TUNVNET_HASH_TYPES_ALL,
	TUNVNET_HASH_TYPES_PLAIN,
	TUNVNET_HASH_TYPE_IPV4 | TUNVNET_HASH_TYPE_IPV6,
	TUNVNET_HASH_TYPE_TCPV4 | TUNVNET_HASH_TYPE_TCPV6,
	TUNVNET_HASH_TYPE_UDPV4 | TUNVNET_HASH_TYPE_UDPV6 | TUNVNET_HASH_TYPE_IPV6,
	TUNVNET_HASH_TYPE_IP_EX | TUNVNET_HASH_TYPE_TCP_EX | TUNVNET_HASH_TYPE_UDP_EX,
	TUNVNET_HASH_TYPE_TCPV4 | TUNVNET_HASH_TYPE_UDPV6 | TUNVNET_HASH_TYPE_TCP_EX,
	TUNVNET_HASH_TYPE_TCPV6 | TUNVNET_HASH_TYPE_IP_EX,
	TUNVNET_HASH_TYPE_UDP_EX | TUNVNET_HASH_TYPE_IPV6 | TUNVNET_HASH_TYPE_IPV4,
	0,
};
#define NTYPES (sizeof(type_sets) / sizeof(type_sets[0]))

static const enum tunvnet_toeplitz_impl impls[] = {
	TUNVNET_TOEPLITZ_REF, TUNVNET_TOEPLITZ_TABLE, TUNVNET_TOEPLITZ_CLMUL,
	TUNVNET_TOEPLITZ_GFNI, TUNVNET_TOEPLITZ_AUTO,
};
#define NIMPL (sizeof(impls) / sizeof(impls[0]))

/* Two keys: a full random one and a short one (key bits past it count as zero). */
static uint8_t keys[2][40];
static const size_t key_lens[2] = { 40, 13 };
static struct tunvnet_toeplitz *handles[2][NIMPL];

static uint64_t rng = 0x6a09e667f3bcc909ull;

static uint64_t next(void)
{
	/* xorshift64*: fixed seed, so a failure reproduces. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static unsigned int scale_pct(void)
{
	const char *s = getenv("TUNVNET_TEST_SCALE");

	if (s && *s)
		return (unsigned int)strtoul(s, NULL, 10);
	return SANITIZED ? 25 : 100;
}

/* ---- the frames ---- */

#define MAX_FRAMES 512

struct frame {
	struct pb b;
	enum tunvnet_l2 l2;
};

static struct frame *frames;
static int n_frames;

/* The L3 + L4 bodies: every header shape pktbuild.h can make. */
static void body(struct pb *b, int kind)
{
	switch (kind) {
	case 0: pb_ipv4(b, "66.9.149.187", "161.142.100.80", 6); pb_tcp(b, 2794, 1766); break;
	case 1: pb_ipv4(b, "10.0.0.1", "10.0.0.2", 17); pb_udp(b, 1, 2); break;
	case 2: pb_ipv4(b, "10.0.0.1", "10.0.0.2", 1); pb_put(b, NULL, 8); break; /* ICMP */
	case 3: pb_ipv4_full(b, "10.0.0.1", "10.0.0.2", 6, 0x4000, 9); pb_tcp(b, 1, 2); break;
	case 4: pb_ipv4_full(b, "10.0.0.1", "10.0.0.2", 17, 0x2000, 5); pb_udp(b, 1, 2); break;
	case 5: pb_ipv4_full(b, "10.0.0.1", "10.0.0.2", 6, 0x00b9, 5); pb_tcp(b, 1, 2); break;
	case 6: pb_ipv4_full(b, "10.0.0.1", "10.0.0.2", 6, 0, 15); pb_tcp(b, 1, 2); break;
	case 7: pb_ipv6(b, "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 6); pb_tcp(b, 2794, 1766); break;
	case 8: pb_ipv6(b, "2001:db8::1", "2001:db8::2", 17); pb_udp(b, 3, 4); break;
	case 9: pb_ipv6(b, "2001:db8::1", "2001:db8::2", 58); pb_put(b, NULL, 8); break;
	case 10: pb_ipv6(b, "2001:db8::1", "2001:db8::2", 59); break;
	case 11:
		pb_ipv6(b, "2001:db8::1", "2001:db8::2", 0);
		pb_opts6(b, 6, 0);
		pb_tcp(b, 1, 2);
		break;
	case 12:
		pb_ipv6(b, "2001:db8::1", "2001:db8::2", 60);
		pb_dstopts_hao(b, 6, "2001:db8::77");
		pb_tcp(b, 1, 2);
		break;
	case 13:
		pb_ipv6(b, "2001:db8::1", "2001:db8::2", 43);
		pb_rt(b, 17, 2, 1, "2001:db8::99");
		pb_udp(b, 1, 2);
		break;
	case 14:
		pb_ipv6(b, "2001:db8::1", "2001:db8::2", 43);
		pb_rt(b, 6, 0, 1, "2001:db8::99");
		pb_tcp(b, 1, 2);
		break;
	case 15:
		pb_ipv6(b, "2001:db8::1", "2001:db8::2", 44);
		pb_frag6(b, 6, 0, 1);
		pb_tcp(b, 1, 2);
		break;
	case 16:
		pb_ipv6(b, "2001:db8::1", "2001:db8::2", 44);
		pb_frag6(b, 17, 100, 0);
		pb_udp(b, 1, 2);
		break;
	case 17:
		pb_ipv6(b, "2001:db8::1", "2001:db8::2", 51);
		pb_ah(b, 6, 4);
		pb_tcp(b, 1, 2);
		break;
	case 18:
		pb_ipv6(b, "2001:db8::1", "2001:db8::2", 0);
		pb_opts6(b, 43, 1);
		pb_rt(b, 60, 2, 1, "2001:db8::99");
		pb_dstopts_hao(b, 44, "2001:db8::77");
		pb_frag6(b, 51, 0, 0);
		pb_ah(b, 17, 4);
		pb_udp(b, 3, 4);
		break;
	case 19: {
		int i;

		/* Longer than the walk bound. */
		pb_ipv6(b, "2001:db8::1", "2001:db8::2", 60);
		for (i = 0; i < 17; i++)
			pb_opts6(b, i == 16 ? 6 : 60, 0);
		pb_tcp(b, 1, 2);
		break;
	}
	default: /* not IP: ARP-sized junk */
		pb_put(b, NULL, 28);
		break;
	}
}
#define N_BODIES 21

/* An L2 framing: Ethernet with 0..3 tags of several types, tun without and with PI. */
static int head(struct pb *b, int kind, int v6)
{
	static const uint16_t t8100[] = { 0x8100 }, t88a8[] = { 0x88a8 }, t9100[] = { 0x9100 };
	static const uint16_t qinq[] = { 0x88a8, 0x8100 }, three[] = { 0x88a8, 0x8100, 0x8100 };
	uint16_t et = v6 ? 0x86dd : 0x0800;

	switch (kind) {
	case 0: pb_eth(b, et); return TUNVNET_L2_ETH;
	case 1: pb_eth_tags(b, t8100, 1, et); return TUNVNET_L2_ETH;
	case 2: pb_eth_tags(b, t88a8, 1, et); return TUNVNET_L2_ETH;
	case 3: pb_eth_tags(b, t9100, 1, et); return TUNVNET_L2_ETH;
	case 4: pb_eth_tags(b, qinq, 2, et); return TUNVNET_L2_ETH;
	case 5: pb_eth_tags(b, three, 3, et); return TUNVNET_L2_ETH;
	case 6: return TUNVNET_L2_IP;
	case 7: pb_pi(b, et); return TUNVNET_L2_IP_PI;
	case 8: pb_eth(b, v6 ? 0x0800 : 0x86dd); return TUNVNET_L2_ETH; /* mismatched */
	default: pb_pi(b, v6 ? 0x0800 : 0x86dd); return TUNVNET_L2_IP_PI; /* mismatched */
	}
}
#define N_HEADS 10

static void build_frames(void)
{
	int h, k;

	frames = calloc(MAX_FRAMES, sizeof(*frames));
	assert_non_null(frames);
	for (h = 0; h < N_HEADS; h++) {
		for (k = 0; k < N_BODIES; k++) {
			struct frame *f = &frames[n_frames++];

			assert_true(n_frames <= MAX_FRAMES);
			f->b.len = 0;
			f->l2 = (enum tunvnet_l2)head(&f->b, h, k >= 7 && k < 20);
			body(&f->b, k);
		}
	}
}

static void setup_handles(void)
{
	size_t k, i, j;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < 40; i++)
			keys[k][i] = (uint8_t)(next() >> 56);
		for (j = 0; j < NIMPL; j++) {
			handles[k][j] = NULL;
			if (tunvnet_toeplitz_impl_available(impls[j]))
				assert_int_equal(tunvnet_toeplitz_new(keys[k], key_lens[k], impls[j],
								      &handles[k][j]), 0);
		}
	}
}

static void free_handles(void)
{
	size_t k, j;

	for (k = 0; k < 2; k++)
		for (j = 0; j < NIMPL; j++)
			tunvnet_toeplitz_free(handles[k][j]);
}

static unsigned long n_cases, n_hashed;

static void fail_case(const uint8_t *p, size_t len, enum tunvnet_l2 l2, uint32_t types,
		      int prof, const char *impl, const char *what)
{
	size_t i;

	fprintf(stderr, "mismatch (%s): l2 %d types %#x profile %d impl %s len %zu:", what,
		(int)l2, types, prof, impl, len);
	for (i = 0; i < len && i < 160; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "\n");
	fail();
}

/* One packet, one L2 mode, one profile, one type set: every path against the slow composition. */
static void check(const uint8_t *p, size_t len, enum tunvnet_l2 l2, uint32_t types, int prof)
{
	struct tunvnet_flow f;
	struct tunvnet_class want, got;
	int err_want, k;
	size_t j;

	n_cases++;
	memset(&want, 0, sizeof(want));
	err_want = tunvnet_packet_parse(p, len, l2, &f);
	if (!err_want)
		err_want = tunvnet_classify(&f, types, (enum tunvnet_profile)prof, &want);

	/* No handle: hash stays 0. */
	memset(&got, 0xa5, sizeof(got));
	if (tunvnet_classify_hash(p, len, l2, types, (enum tunvnet_profile)prof, NULL, &got) !=
	    err_want)
		fail_case(p, len, l2, types, prof, "none", "return value");
	if (err_want)
		return;
	if (got.report != want.report || got.input_len != want.input_len ||
	    memcmp(got.input, want.input, sizeof(got.input)) || got.hash != 0)
		fail_case(p, len, l2, types, prof, "none", "class");
	if (want.report)
		n_hashed++;

	for (k = 0; k < 2; k++) {
		uint32_t hash = want.report ? tunvnet_toeplitz_ref(keys[k], key_lens[k], want.input,
								   want.input_len)
					    : 0;

		for (j = 0; j < NIMPL; j++) {
			if (!handles[k][j])
				continue;
			memset(&got, 0x5a, sizeof(got));
			if (tunvnet_classify_hash(p, len, l2, types, (enum tunvnet_profile)prof,
						  handles[k][j], &got) != 0)
				fail_case(p, len, l2, types, prof,
					  tunvnet_toeplitz_impl_name(impls[j]), "return value");
			if (got.report != want.report || got.input_len != want.input_len ||
			    memcmp(got.input, want.input, sizeof(got.input)) || got.hash != hash)
				fail_case(p, len, l2, types, prof,
					  tunvnet_toeplitz_impl_name(impls[j]), "class");
		}
	}
}

/* buf copied into an exact-size heap block, so reading past len is caught. */
static void check_all(const uint8_t *buf, size_t len, enum tunvnet_l2 l2)
{
	uint8_t *copy = malloc(len ? len : 1);
	size_t t;
	int prof;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	for (prof = TUNVNET_PROFILE_SPEC; prof <= TUNVNET_PROFILE_QEMU; prof++)
		for (t = 0; t < NTYPES; t++)
			check(copy, len, l2, type_sets[t], prof);
	free(copy);
}

static void test_every_truncation(void **state)
{
	uint8_t buf[PB_MAX + 16];
	int i;
	size_t len;

	(void)state;
	for (i = 0; i < n_frames; i++) {
		const struct frame *fr = &frames[i];

		memset(buf, 0, sizeof(buf));
		memcpy(buf, fr->b.buf, fr->b.len);
		/* Every prefix, and a few bytes of trailing padding. */
		for (len = 0; len <= fr->b.len + 8; len++)
			check_all(buf, len, fr->l2);
	}
	/* The fast path took these: the comparison is not all slow path against itself. */
	assert_true(n_hashed > 1000);
}

/* Every L2 mode over every frame, even the ones it was not built for. */
static void test_wrong_l2(void **state)
{
	int i, l2;

	(void)state;
	for (i = 0; i < n_frames; i++)
		for (l2 = TUNVNET_L2_ETH; l2 <= TUNVNET_L2_IP_PI + 1; l2++)
			check_all(frames[i].b.buf, frames[i].b.len, (enum tunvnet_l2)l2);
}

/* Arguments outside the domain: both give the same error. */
static void test_bad_args(void **state)
{
	const struct frame *fr = &frames[0];
	struct tunvnet_class c;

	(void)state;
	check(fr->b.buf, fr->b.len, fr->l2, 0x200, TUNVNET_PROFILE_SPEC);
	check(fr->b.buf, fr->b.len, fr->l2, TUNVNET_HASH_TYPES_ALL, 3);
	check(fr->b.buf, fr->b.len, fr->l2, TUNVNET_HASH_TYPES_ALL, -1);
	check(NULL, 0, TUNVNET_L2_ETH, TUNVNET_HASH_TYPES_ALL, TUNVNET_PROFILE_SPEC);
	assert_int_equal(tunvnet_classify_hash(NULL, 10, TUNVNET_L2_ETH, TUNVNET_HASH_TYPES_ALL,
					       TUNVNET_PROFILE_SPEC, NULL, &c), -EINVAL);
	assert_int_equal(tunvnet_classify_hash(fr->b.buf, fr->b.len, fr->l2, TUNVNET_HASH_TYPES_ALL,
					       TUNVNET_PROFILE_SPEC, NULL, NULL), -EINVAL);
}

/* Values that steer the parsers, so mutations land on decisions, not just data. */
static uint8_t interesting(void)
{
	static const uint8_t v[] = { 0x45, 0x46, 0x4f, 0x44, 0x60, 0x65, 0x40, 0x08, 0x00, 0x86,
				     0xdd, 0x81, 0x88, 0xa8, 0x91, 6, 17, 0, 43, 44, 51, 60, 59,
				     58, 0x20, 0x3f, 0x1f, 0xff, 0xc9, 16, 2, 1 };

	return v[next() % sizeof(v)];
}

static void test_mutations(void **state)
{
	uint8_t buf[PB_MAX + 16];
	unsigned long n = 200000ul * scale_pct() / 100, c;

	(void)state;
	for (c = 0; c < n; c++) {
		const struct frame *fr = &frames[next() % (uint64_t)n_frames];
		enum tunvnet_l2 l2 = fr->l2;
		size_t len = fr->b.len, i, nmut = 1 + next() % 4;
		uint8_t *copy;
		uint32_t types;
		int prof;

		memset(buf, 0, sizeof(buf));
		memcpy(buf, fr->b.buf, fr->b.len);
		for (i = 0; i < nmut; i++) {
			/* Mostly in the headers, where the decisions are. */
			size_t at = next() % (len < 80 ? len : 80);

			if (!len)
				break;
			switch (next() % 3) {
			case 0: buf[at] = (uint8_t)(next() >> 56); break;
			case 1: buf[at] = interesting(); break;
			default: buf[at] ^= (uint8_t)(1u << (next() % 8)); break;
			}
		}
		switch (next() % 4) {
		case 0: len = next() % (len + 9); break; /* cut or pad */
		case 1: len += next() % 9; break;
		default: break;
		}
		if ((next() & 15) == 0)
			l2 = (enum tunvnet_l2)(next() % 3);
		types = (next() & 1) ? type_sets[next() % NTYPES]
				     : (uint32_t)(next() & TUNVNET_HASH_TYPES_ALL);
		prof = (int)(next() % 3);
		copy = malloc(len ? len : 1);
		assert_non_null(copy);
		memcpy(copy, buf, len);
		check(copy, len, l2, types, prof);
		free(copy);
	}
}

static int setup(void **state)
{
	(void)state;
	build_frames();
	setup_handles();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free_handles();
	free(frames);
	printf("# %lu cases compared, %lu with a hash\n", n_cases, n_hashed);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_wrong_l2),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
