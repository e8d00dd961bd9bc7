/* SPDX-License-Identifier: MIT */
/*
 * Random frames and configurations for the steering program's tests, and
 * the expectation from the library's reference (packet + classify in the
 * ebpf profile: the spec's, except no hash when a Home Address scan needs
 * more than 16 options; the bit-loop Toeplitz, tunvnet_rss_queue): nothing
 * of the program or its loader is used to compute what it must return.
 *
 * Frames: Ethernet with 0..3 tags (sometimes dozens, 255, 256) of
 * 0x8100/0x88a8/0x9100, or raw IP; IPv4 with options, bad IHL, fragments
 * (first and later); IPv6 with hop-by-hop, destination options (PadN,
 * Pad1, Home Address, odd lengths), routing (type 2 or others), fragment,
 * AH headers, short and long chains (past 16, and past the program's first
 * 128 bytes); TCP, UDP, others; non-IP; wrong version nibbles; truncated
 * anywhere; a byte flipped now and then.
 */
#ifndef TUNVNET_STEER_GEN_H
#define TUNVNET_STEER_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunvnet/tunvnet.h"

#define GEN_MAX 3600 /* BPF_PROG_TEST_RUN takes a page minus head/tailroom */

struct gen {
	uint64_t s; /* xorshift state */
};

static inline uint64_t gen_rnd(struct gen *g)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return g->s;
}

static inline unsigned int gen_below(struct gen *g, unsigned int n)
{
	return n ? (unsigned int)(gen_rnd(g) % n) : 0;
}

/* True with probability pct/100. */
static inline bool gen_pct(struct gen *g, unsigned int pct)
{
	return gen_below(g, 100) < pct;
}

struct fb {
	uint8_t b[GEN_MAX];
	size_t len;
};

static inline bool fb_room(const struct fb *f, size_t n)
{
	return f->len + n <= GEN_MAX;
}

static inline void fb_rand(struct gen *g, struct fb *f, size_t n)
{
	size_t i;

	for (i = 0; i < n && f->len < GEN_MAX; i++)
		f->b[f->len++] = (uint8_t)gen_rnd(g);
}

static inline void fb_u8(struct fb *f, unsigned int v)
{
	if (f->len < GEN_MAX)
		f->b[f->len++] = (uint8_t)v;
}

static inline void fb_be16(struct fb *f, unsigned int v)
{
	fb_u8(f, v >> 8);
	fb_u8(f, v);
}

static inline unsigned int gen_l4proto(struct gen *g)
{
	static const uint8_t others[] = { 1, 47, 58, 59, 4, 41, 132, 0, 43, 60 };
	unsigned int r = gen_below(g, 100);

	if (r < 42)
		return 6;
	if (r < 84)
		return 17;
	return others[gen_below(g, sizeof(others))];
}

static inline void gen_l4(struct gen *g, struct fb *f, unsigned int proto)
{
	if (proto == 6) {
		fb_rand(g, f, 12);
		fb_u8(f, 0x50);
		fb_rand(g, f, 7);
	} else if (proto == 17) {
		fb_rand(g, f, 8);
	} else {
		fb_rand(g, f, 8 + gen_below(g, 16));
	}
	fb_rand(g, f, gen_below(g, 3) ? gen_below(g, 24) : gen_below(g, 200));
}

static inline void gen_ipv4(struct gen *g, struct fb *f)
{
	unsigned int ihl = gen_pct(g, 70) ? 5 : gen_pct(g, 90) ? 6 + gen_below(g, 10) : gen_below(g, 5);
	unsigned int proto = gen_l4proto(g), frag, i;
	size_t at = f->len;

	fb_u8(f, (gen_pct(g, 97) ? 0x40 : gen_below(g, 16) << 4) | ihl);
	fb_rand(g, f, 5);
	switch (gen_below(g, 8)) {
	case 0: frag = 0x2000; break;                        /* MF: a first fragment */
	case 1: frag = 1 + gen_below(g, 0x1fff); break;      /* a later one */
	case 2: frag = 0x2000 | (1 + gen_below(g, 0x1fff)); break;
	case 3: frag = 0; break;
	default: frag = 0x4000; break;                       /* DF */
	}
	fb_be16(f, frag);
	fb_u8(f, 64);
	fb_u8(f, proto);
	fb_rand(g, f, 10); /* checksum, addresses */
	for (i = 20; i < ihl * 4; i++)
		fb_u8(f, gen_pct(g, 50) ? 1 : (unsigned int)gen_rnd(g));
	(void)at;
	gen_l4(g, f, proto);
}

/* A destination options (or hop-by-hop) header of 8 * (len8 + 1) bytes. */
static inline void gen_opts6(struct gen *g, struct fb *f, unsigned int next, bool hao)
{
	unsigned int len8 = gen_pct(g, 80) ? gen_below(g, 4) : gen_below(g, 40);
	size_t start = f->len, end;

	if (hao && len8 < 2)
		len8 = 2 + gen_below(g, 3);
	end = start + 8 * ((size_t)len8 + 1);
	if (end > GEN_MAX)
		return;
	fb_u8(f, next);
	fb_u8(f, len8);
	/* Options until the end: Pad1, PadN, random ones, maybe a Home Address. */
	while (f->len < end) {
		size_t left = end - f->len;
		unsigned int r = gen_below(g, 10);

		if (hao && left >= 18 && (r < 4 || left < 24)) {
			fb_u8(f, 0xc9);
			fb_u8(f, gen_pct(g, 92) ? 16 : gen_below(g, 20));
			fb_rand(g, f, 16);
			hao = gen_pct(g, 20); /* sometimes a second one */
		} else if (hao && left >= 2 && left < 18 && r < 3) {
			/* A Home Address that would run past the header's end: not one. */
			fb_u8(f, 0xc9);
			fb_u8(f, 16);
			fb_rand(g, f, left - 2);
		} else if (r < 3 || left < 2) {
			fb_u8(f, 0);
		} else {
			unsigned int l = gen_below(g, left - 1 < 12 ? (unsigned int)left - 1 : 12);

			fb_u8(f, r < 7 ? 1 : (unsigned int)gen_rnd(g));
			fb_u8(f, gen_pct(g, 95) ? l : (unsigned int)gen_rnd(g));
			fb_rand(g, f, l);
		}
	}
	f->len = end < f->len ? end : f->len;
}

static inline void gen_ipv6(struct gen *g, struct fb *f)
{
	unsigned int next[24], n, i, proto = gen_l4proto(g);
	bool hao_done = false;

	/* The chain: none mostly, a few, or more than the program walks. */
	n = gen_pct(g, 45) ? 0 : gen_pct(g, 85) ? 1 + gen_below(g, 4) : 10 + gen_below(g, 10);
	for (i = 0; i < n; i++) {
		static const uint8_t ext[] = { 0, 60, 60, 43, 43, 44, 51 };

		next[i] = ext[gen_below(g, sizeof(ext))];
	}
	next[n] = proto;

	fb_u8(f, gen_pct(g, 97) ? 0x60 : gen_below(g, 16) << 4);
	fb_rand(g, f, 3);
	fb_rand(g, f, 2); /* payload length: nobody reads it */
	fb_u8(f, next[0]);
	fb_u8(f, 64);
	fb_rand(g, f, 32);
	for (i = 0; i < n && f->len < GEN_MAX - 64; i++) {
		unsigned int nh = next[i + 1];

		switch (next[i]) {
		case 0:
			gen_opts6(g, f, nh, false);
			break;
		case 60:
			gen_opts6(g, f, nh, !hao_done && gen_pct(g, 70));
			hao_done = true;
			break;
		case 43:
			fb_u8(f, nh);
			if (gen_pct(g, 75)) { /* type 2: len 2, type 2, segments left 1 */
				fb_u8(f, gen_pct(g, 95) ? 2 : gen_below(g, 4));
				fb_u8(f, gen_pct(g, 95) ? 2 : gen_below(g, 4));
				fb_u8(f, gen_pct(g, 95) ? 1 : gen_below(g, 3));
				fb_rand(g, f, 4 + 16);
			} else {
				unsigned int len8 = gen_below(g, 6);

				fb_u8(f, len8);
				fb_u8(f, gen_below(g, 5));
				fb_rand(g, f, 8 * ((size_t)len8 + 1) - 3);
			}
			break;
		case 44:
			fb_u8(f, nh);
			fb_u8(f, 0);
			fb_be16(f, gen_pct(g, 50) ? 1 /* M, offset 0 */ : (1 + gen_below(g, 0x1fff)) << 3);
			fb_rand(g, f, 4);
			break;
		default: { /* AH: (len + 2) * 4 bytes */
			unsigned int l = gen_below(g, 8);

			fb_u8(f, nh);
			fb_u8(f, l);
			fb_rand(g, f, ((size_t)l + 2) * 4 - 2);
			break;
		}
		}
	}
	gen_l4(g, f, proto);
}

/* One frame as the device's reader gets it: l2 says how it starts. */
static inline void gen_frame(struct gen *g, enum tunvnet_l2 l2, struct fb *f)
{
	unsigned int r = gen_below(g, 100), v6 = r >= 46 && r < 92, other = r >= 92;

	f->len = 0;
	if (l2 == TUNVNET_L2_ETH) {
		static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x9100 };
		unsigned int tags = 0, i, t = gen_below(g, 100);

		if (t >= 60)
			tags = t < 80 ? 1 : t < 90 ? 2 : t < 96 ? 3 : t < 98 ? 20 + gen_below(g, 40)
							     : 254 + gen_below(g, 3);
		fb_rand(g, f, 12);
		for (i = 0; i < tags; i++) {
			fb_be16(f, tpids[gen_below(g, gen_pct(g, 90) ? 2 : 3)]);
			fb_rand(g, f, 2);
		}
		fb_be16(f, other ? (gen_pct(g, 50) ? 0x0806 : (unsigned int)gen_rnd(g) & 0xffff)
				 : v6 ? 0x86dd : 0x0800);
	} else if (l2 == TUNVNET_L2_IP_PI) {
		fb_be16(f, 0);
		fb_be16(f, other ? 0x0806 + gen_below(g, 0x1000) : v6 ? 0x86dd : 0x0800);
	}
	if (other && l2 == TUNVNET_L2_IP) {
		fb_u8(f, gen_below(g, 16) << 4);
		fb_rand(g, f, gen_below(g, 80));
	} else if (other) {
		fb_rand(g, f, gen_below(g, 80));
	} else if (v6) {
		gen_ipv6(g, f);
	} else {
		gen_ipv4(g, f);
	}
	/* A byte flipped now and then, then maybe cut anywhere. */
	if (f->len > 4 && gen_pct(g, 8)) {
		/* (Not in packet info: the test run's skb->protocol must stay an ethertype.) */
		size_t lo = l2 == TUNVNET_L2_IP_PI ? 4 : 0, span = f->len - lo;

		f->b[lo + gen_below(g, span < 160 ? (unsigned int)span : 160)] ^=
			(uint8_t)(1 + gen_below(g, 255));
	}
	if (gen_pct(g, 25))
		f->len = gen_below(g, (unsigned int)f->len + 1);
}

/* A random RSS configuration; key and table point into the caller's arrays. */
static inline void gen_cfg(struct gen *g, struct tunvnet_hash_cfg *cfg, uint8_t key[40],
			   uint16_t *table, unsigned int table_max)
{
	unsigned int i, log2max = 0, tl;
	size_t need;

	memset(cfg, 0, sizeof(*cfg));
	cfg->sz = sizeof(*cfg);
	cfg->flags = TUNVNET_HASH_RSS | TUNVNET_HASH_QUEUE_WRAP;
	do {
		cfg->types = gen_pct(g, 30) ? TUNVNET_HASH_TYPES_ALL
					    : (uint32_t)gen_rnd(g) & TUNVNET_HASH_TYPES_ALL;
	} while (!cfg->types);
	for (i = 0; i < 40; i++)
		key[i] = (uint8_t)gen_rnd(g);
	need = tunvnet_hash_key_len_for_types(cfg->types);
	cfg->key = key;
	cfg->key_len = need + gen_below(g, 40 - (unsigned int)need + 1);
	while ((2u << log2max) <= table_max)
		log2max++;
	tl = 1u << (gen_pct(g, 80) ? gen_below(g, 8 < log2max ? 8 : log2max + 1)
				   : gen_below(g, log2max + 1));
	for (i = 0; i < tl; i++)
		table[i] = (uint16_t)(gen_pct(g, 80) ? gen_below(g, 16) : gen_rnd(g));
	cfg->table = table;
	cfg->table_len = tl;
	cfg->unclassified_queue = (uint16_t)(gen_pct(g, 50) ? gen_below(g, 16) : gen_rnd(g));
}

/*
 * What the program must return for frame f: the queue index before the
 * kernel's modulo (table entries and the unclassified queue are u16, so
 * 65536 queues leave them as they are). -1 on a library error.
 */
static inline int gen_expect(const struct fb *f, enum tunvnet_l2 l2,
			     const struct tunvnet_hash_cfg *cfg, const struct tunvnet_toeplitz *ref,
			     struct tunvnet_class *cls)
{
	if (tunvnet_classify_hash(f->b, f->len, l2, cfg->types, TUNVNET_PROFILE_EBPF, ref, cls))
		return -1;
	return tunvnet_rss_queue(cfg, 65536, cls->report, cls->hash);
}

/*
 * The bytes BPF_PROG_TEST_RUN gets for frame f: 14 bytes it pulls as an
 * Ethernet header (whose type becomes skb->protocol: the packet-info
 * protocol for IP_PI), then the frame as skb->data (without packet info).
 */
static inline size_t gen_test_input(const struct fb *f, enum tunvnet_l2 l2, uint8_t *out)
{
	size_t skip = 0;
	unsigned int proto = 0x88b5; /* local experimental */

	memset(out, 0, 12);
	out[0] = 0x02;
	if (l2 == TUNVNET_L2_IP_PI) {
		/* The kernel writes skb->protocol as pi.proto; < 0x600 is not an ethertype. */
		proto = f->len >= 4 ? (unsigned int)(f->b[2] << 8 | f->b[3]) : 0x0800;
		skip = f->len >= 4 ? 4 : f->len;
	}
	out[12] = (uint8_t)(proto >> 8);
	out[13] = (uint8_t)proto;
	memcpy(out + 14, f->b + skip, f->len - skip);
	return 14 + f->len - skip;
}

static inline void gen_dump(FILE *o, const struct fb *f)
{
	size_t i;

	for (i = 0; i < f->len; i++)
		fprintf(o, "%02x%s", f->b[i], (i % 32 == 31) ? "\n" : "");
	fprintf(o, "\n");
}

#endif /* TUNVNET_STEER_GEN_H */
