/* SPDX-License-Identifier: MIT */
/*
 * A tiny frame builder for the classify tests: append headers in order,
 * each call returning the offset it wrote at. Addresses are text
 * ("10.0.0.1", "ffff::1"); numbers are host order and written big-endian.
 */
#ifndef PKTBUILD_H
#define PKTBUILD_H

#include <arpa/inet.h>
#include <assert.h>
#include <stdint.h>
#include <string.h>

#define PB_MAX 4096

struct pb {
	uint8_t buf[PB_MAX];
	size_t len;
};

static inline size_t pb_put(struct pb *b, const void *p, size_t n)
{
	size_t at = b->len;

	assert(b->len + n <= PB_MAX);
	if (p)
		memcpy(b->buf + b->len, p, n);
	else
		memset(b->buf + b->len, 0, n);
	b->len += n;
	return at;
}

static inline size_t pb_u8(struct pb *b, uint8_t v) { return pb_put(b, &v, 1); }
static inline size_t pb_be16(struct pb *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return pb_put(b, x, 2);
}

static inline void pb_addr4(const char *s, uint8_t out[4]) { assert(inet_pton(AF_INET, s, out) == 1); }
static inline void pb_addr6(const char *s, uint8_t out[16]) { assert(inet_pton(AF_INET6, s, out) == 1); }

/* Ethernet with ntags tags (tpids[i] as the tag type), then ethertype. */
static inline size_t pb_eth_tags(struct pb *b, const uint16_t *tpids, int ntags, uint16_t type)
{
	static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2 };
	size_t at = pb_put(b, macs, 12);
	int i;

	for (i = 0; i < ntags; i++) {
		pb_be16(b, tpids[i]);
		pb_be16(b, (uint16_t)(100 + i)); /* TCI: VLAN id */
	}
	pb_be16(b, type);
	return at;
}
static inline size_t pb_eth(struct pb *b, uint16_t type) { return pb_eth_tags(b, NULL, 0, type); }

/* tun packet information: flags, protocol. */
static inline size_t pb_pi(struct pb *b, uint16_t proto)
{
	size_t at = pb_be16(b, 0);

	pb_be16(b, proto);
	return at;
}

/* IPv4 with ihl 32-bit words (5: no options; options are NOPs). */
static inline size_t pb_ipv4_full(struct pb *b, const char *src, const char *dst, uint8_t proto,
				  uint16_t frag_field, unsigned int ihl)
{
	uint8_t h[60];
	unsigned int i;

	memset(h, 0, sizeof(h));
	h[0] = (uint8_t)(0x40 | ihl);
	h[2] = 0;
	h[3] = 60;
	h[6] = (uint8_t)(frag_field >> 8);
	h[7] = (uint8_t)frag_field;
	h[8] = 64;
	h[9] = proto;
	pb_addr4(src, h + 12);
	pb_addr4(dst, h + 16);
	for (i = 20; i < ihl * 4; i++)
		h[i] = 1; /* NOP */
	return pb_put(b, h, ihl * 4);
}
static inline size_t pb_ipv4(struct pb *b, const char *src, const char *dst, uint8_t proto)
{
	return pb_ipv4_full(b, src, dst, proto, 0x4000 /* DF */, 5);
}

static inline size_t pb_ipv6(struct pb *b, const char *src, const char *dst, uint8_t nexthdr)
{
	uint8_t h[40];

	memset(h, 0, sizeof(h));
	h[0] = 0x60;
	h[5] = 40;
	h[6] = nexthdr;
	h[7] = 64;
	pb_addr6(src, h + 8);
	pb_addr6(dst, h + 24);
	return pb_put(b, h, 40);
}

/* Hop-by-hop (0) or destination options (60): (len8 + 1) * 8 bytes of PadN. */
static inline size_t pb_opts6(struct pb *b, uint8_t next, uint8_t len8)
{
	size_t n = ((size_t)len8 + 1) * 8, at = pb_u8(b, next);

	pb_u8(b, len8);
	pb_u8(b, 1); /* PadN */
	pb_u8(b, (uint8_t)(n - 4));
	pb_put(b, NULL, n - 4);
	return at;
}

/* Destination options with a Home Address option (24 bytes). */
static inline size_t pb_dstopts_hao(struct pb *b, uint8_t next, const char *home)
{
	uint8_t h[24];

	memset(h, 0, sizeof(h));
	h[0] = next;
	h[1] = 2;
	h[2] = 1; /* PadN, 2 bytes total, to align the option */
	h[3] = 0;
	h[4] = 0xc9;
	h[5] = 16;
	pb_addr6(home, h + 6);
	/* h[22..23]: Pad1 Pad1 */
	return pb_put(b, h, 24);
}

/* Routing header type rtype with one address (24 bytes). */
static inline size_t pb_rt(struct pb *b, uint8_t next, uint8_t rtype, uint8_t segleft,
			   const char *addr)
{
	uint8_t h[24];

	memset(h, 0, sizeof(h));
	h[0] = next;
	h[1] = 2;
	h[2] = rtype;
	h[3] = segleft;
	pb_addr6(addr, h + 8);
	return pb_put(b, h, 24);
}

static inline size_t pb_frag6(struct pb *b, uint8_t next, uint16_t offset8, int more)
{
	uint8_t h[8];

	memset(h, 0, sizeof(h));
	h[0] = next;
	h[2] = (uint8_t)(offset8 >> 5);
	h[3] = (uint8_t)((offset8 << 3) | (more ? 1 : 0));
	h[7] = 42;
	return pb_put(b, h, 8);
}

/* AH: (len4 + 2) * 4 bytes. */
static inline size_t pb_ah(struct pb *b, uint8_t next, uint8_t len4)
{
	size_t n = ((size_t)len4 + 2) * 4, at = pb_u8(b, next);

	pb_u8(b, len4);
	pb_put(b, NULL, n - 2);
	return at;
}

static inline size_t pb_tcp(struct pb *b, uint16_t sport, uint16_t dport)
{
	uint8_t h[20];

	memset(h, 0, sizeof(h));
	h[0] = (uint8_t)(sport >> 8);
	h[1] = (uint8_t)sport;
	h[2] = (uint8_t)(dport >> 8);
	h[3] = (uint8_t)dport;
	h[12] = 0x50;
	h[13] = 0x02; /* SYN */
	return pb_put(b, h, 20);
}

static inline size_t pb_udp(struct pb *b, uint16_t sport, uint16_t dport)
{
	uint8_t h[8];

	memset(h, 0, sizeof(h));
	h[0] = (uint8_t)(sport >> 8);
	h[1] = (uint8_t)sport;
	h[2] = (uint8_t)(dport >> 8);
	h[3] = (uint8_t)dport;
	h[5] = 8;
	return pb_put(b, h, 8);
}

#endif /* PKTBUILD_H */
