/* SPDX-License-Identifier: MIT */
/*
 * Shared by the verifier tests: frame builders, the series' own selftest
 * configuration (3 queues, mask 1, table {3, 4}, unclassified 5, the
 * Microsoft key, types 0x3f) and a bit-loop Toeplitz kept apart from the
 * library's so expectations do not lean only on the code under test.
 */
#ifndef TV_TEST_VHELP_H
#define TV_TEST_VHELP_H

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>

/* The selftest addresses: 172.17.0.0 -> 172.17.0.1, ffff::ac11:0 -> ffff::ac11:1. */
#define VH_V4_SRC "172.17.0.0"
#define VH_V4_DST "172.17.0.1"
#define VH_V6_SRC "ffff::ac11:0"
#define VH_V6_DST "ffff::ac11:1"

static const uint16_t vh_table[2] = { 3, 4 };

/*
 * The tests' view of the verifier options: the configuration by value
 * beside the other fields, so a test edits o.cfg.key like any field;
 * vh_real() makes the library's struct, which points at it.
 */
struct vh_vopts {
	size_t sz;
	struct tunvnet_hash_cfg cfg;
	unsigned int num_queues;
	enum tunvnet_kind kind;
	enum tunvnet_l2 l2;
	enum tunvnet_profile profile;
	uint32_t known_deviations;
	enum tunvnet_backend backend;
	struct tunvnet_verify_opts real;
};

static inline const struct tunvnet_verify_opts *vh_real(struct vh_vopts *o)
{
	struct tunvnet_verify_opts r = TUNVNET_VERIFY_OPTS_INIT;

	r.sz = o->sz;
	r.cfg = &o->cfg;
	r.num_queues = o->num_queues;
	r.kind = o->kind;
	r.l2 = o->l2;
	r.profile = o->profile;
	r.known_deviations = o->known_deviations;
	r.backend = o->backend;
	o->real = r;
	return &o->real;
}

static inline struct vh_vopts vh_opts(uint32_t flags, uint32_t types, unsigned int queues,
				      enum tunvnet_kind kind)
{
	struct vh_vopts o = { .sz = sizeof(struct tunvnet_verify_opts) };

	o.cfg.sz = sizeof(o.cfg);
	o.cfg.flags = flags;
	o.cfg.types = types;
	o.cfg.key = tunvnet_default_key();
	o.cfg.key_len = TUNVNET_KEY_MAX;
	o.cfg.table = vh_table;
	o.cfg.table_len = 2;
	o.cfg.unclassified_queue = 5;
	o.num_queues = queues;
	o.kind = kind;
	o.l2 = TUNVNET_L2_ETH;
	o.profile = TUNVNET_PROFILE_LINUX;
	return o;
}

static inline struct tunvnet_verifier *vh_new(struct vh_vopts *o)
{
	struct tunvnet_verifier *v = NULL;

	assert_int_equal(tunvnet_verifier_new(vh_real(o), &v), 0);
	assert_non_null(v);
	return v;
}

/* Ethernet (+ vlan tags) + IPv4/IPv6 + a TCP (20) or UDP (8) header or 8 bytes
 * of payload for other protocols. Returns the frame length. */
static inline size_t vh_frame(uint8_t *buf, int family, const char *src, const char *dst,
			      uint8_t proto, uint16_t sport, uint16_t dport, unsigned int tags)
{
	size_t off = 12, l4len = proto == 6 ? 20 : proto == 17 ? 8 : 8;
	unsigned int i;

	memset(buf, 0, 256);
	memcpy(buf, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	for (i = 0; i < tags; i++) {
		buf[off] = 0x81;
		buf[off + 1] = 0x00;
		buf[off + 3] = (uint8_t)(10 + i);
		off += 4;
	}
	if (family == AF_INET) {
		uint8_t *ip = buf + off + 2;

		buf[off] = 0x08;
		buf[off + 1] = 0x00;
		ip[0] = 0x45;
		ip[2] = 0;
		ip[3] = (uint8_t)(20 + l4len);
		ip[8] = 64;
		ip[9] = proto;
		assert_int_equal(inet_pton(AF_INET, src, ip + 12), 1);
		assert_int_equal(inet_pton(AF_INET, dst, ip + 16), 1);
		off += 2 + 20;
	} else {
		uint8_t *ip = buf + off + 2;

		buf[off] = 0x86;
		buf[off + 1] = 0xdd;
		ip[0] = 0x60;
		ip[5] = (uint8_t)l4len;
		ip[6] = proto;
		ip[7] = 64;
		assert_int_equal(inet_pton(AF_INET6, src, ip + 8), 1);
		assert_int_equal(inet_pton(AF_INET6, dst, ip + 24), 1);
		off += 2 + 40;
	}
	buf[off] = (uint8_t)(sport >> 8);
	buf[off + 1] = (uint8_t)sport;
	buf[off + 2] = (uint8_t)(dport >> 8);
	buf[off + 3] = (uint8_t)dport;
	if (proto == 6)
		buf[off + 12] = 0x50; /* data offset 5 */
	else if (proto == 17)
		buf[off + 5] = 8; /* UDP length */
	return off + l4len;
}

/* An ETH_P_LOOPBACK frame: classified NONE. */
static inline size_t vh_frame_loopback(uint8_t *buf)
{
	memset(buf, 0, 64);
	memcpy(buf, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x90\x00", 14);
	return 60;
}

/* The textbook Toeplitz: key bits past key_len count as zero. */
static inline uint32_t vh_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *in,
				   size_t len)
{
	uint32_t h = 0;
	size_t bit;

	for (bit = 0; bit < len * 8; bit++) {
		uint32_t window = 0;
		size_t k;

		if (!(in[bit / 8] & (0x80 >> (bit % 8))))
			continue;
		for (k = 0; k < 32; k++) {
			size_t kb = bit + k;

			window <<= 1;
			if (kb / 8 < key_len && (key[kb / 8] & (0x80 >> (kb % 8))))
				window |= 1;
		}
		h ^= window;
	}
	return h;
}

static inline struct tunvnet_hdr vh_hdr(unsigned int report, uint32_t value)
{
	struct tunvnet_hdr h;

	memset(&h, 0, sizeof(h));
	h.hash_report = (uint16_t)report;
	h.hash_value = value;
	return h;
}

/* Verify one packet; return the verdict code after checking the call succeeded. */
static inline enum tunvnet_verdict_code vh_check(struct tunvnet_verifier *v, unsigned int q,
						  unsigned int report, uint32_t value,
						  const uint8_t *frame, size_t len,
						  struct tunvnet_verdict *vd)
{
	struct tunvnet_hdr h = vh_hdr(report, value);

	assert_int_equal(tunvnet_verify_packet(v, q, &h, frame, len, vd), 0);
	return vd->code;
}

#endif
