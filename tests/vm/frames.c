// SPDX-License-Identifier: MIT
#include "frames.h"

#include <arpa/inet.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* L4 header (full or cut to l4_len), then pad bytes, then the id trailer. */
static size_t put_l4(const struct fr_spec *s, uint8_t *p, bool first_frag)
{
	size_t n = 0;

	if (first_frag && (s->proto == 6 || s->proto == 17 || s->proto == 132)) {
		uint8_t h[20] = { 0 };
		size_t full = s->proto == 6 ? 20 : s->proto == 17 ? 8 : 12; /* SCTP common header */

		put16(h, s->sport);
		put16(h + 2, s->dport);
		if (s->proto == 6) {
			put32(h + 4, s->id);
			h[12] = 5 << 4;
			h[13] = 0x10; /* ACK */
			put16(h + 14, 512);
		}
		if (s->l4_len && s->l4_len < full)
			full = s->l4_len;
		memcpy(p, h, full);
		n = full;
	}
	for (unsigned int i = 0; i < s->pad; i++)
		p[n++] = (uint8_t)(0xa0 + i);
	put32(p + n, FR_ID_MAGIC);
	put32(p + n + 4, s->id);
	n += FR_ID_LEN;
	/* UDP: length only; checksums stay 0 (nobody on the path checks them). */
	if (first_frag && s->proto == 17 && (!s->l4_len || s->l4_len >= 8))
		put16(p + 4, (uint16_t)n);
	return n;
}

size_t fr_build(const struct fr_spec *s, bool eth, const uint8_t dmac[6], const uint8_t smac[6],
		uint8_t *buf, size_t cap);

/* The outer payload: a tunnel header and the inner packet, or put_l4. */
static size_t put_payload(const struct fr_spec *s, uint8_t *p, bool first_frag)
{
	static const uint8_t imac[6] = { 0x02, 0, 0, 0, 0x7e, 0x01 };
	size_t n = 0;

	if (!s->tun || !s->inner || !first_frag)
		return put_l4(s, p, first_frag);
	if (s->tun == FR_TUN_GRE) {
		uint16_t gp = s->gre_proto ? s->gre_proto : s->inner_eth ? 0x6558
						: s->inner->l3 == FR_IPV6 ? 0x86dd : 0x0800;

		put16(p, s->gre_flags);
		put16(p + 2, gp);
		n = 4;
		if (s->gre_flags & 0x8000) { /* checksum (left 0) + reserved */
			memset(p + n, 0, 4);
			n += 4;
		}
		if (s->gre_flags & 0x2000) {
			put32(p + n, s->gre_key);
			n += 4;
		}
		if (s->gre_flags & 0x1000) {
			put32(p + n, s->id);
			n += 4;
		}
		if ((s->gre_flags & 7) == 1) {
			if (s->gre_flags & 0x0080) {
				put32(p + n, s->id - 1);
				n += 4;
			}
			p[n] = 0xff;
			p[n + 1] = 0x03;
			put16(p + n + 2, s->ppp_proto);
			n += 4;
		}
	}
	return n + fr_build(s->inner, s->inner_eth, imac, imac, p + n, FR_MAX);
}

static size_t put_ext(const struct fr_spec *s, uint8_t *p, unsigned int i, uint8_t next)
{
	switch (s->ext[i]) {
	case FR_EXT_HOP:
	case FR_EXT_DST:
		p[0] = next; p[1] = 0;
		p[2] = 1; p[3] = 4; /* PadN over the 4 spare bytes */
		memset(p + 4, 0, 4);
		return 8;
	case FR_EXT_DST_HAO:
		/* HAO wants 8n+6 alignment: PadN(4) first, then the 18-byte option */
		p[0] = next; p[1] = 2;
		p[2] = 1; p[3] = 2; p[4] = 0; p[5] = 0;
		p[6] = 0xc9; p[7] = 16;
		memcpy(p + 8, s->hao, 16);
		return 24;
	case FR_EXT_RT2:
		p[0] = next; p[1] = 2; p[2] = 2; p[3] = 1; /* type 2, segments left 1 */
		memset(p + 4, 0, 4);
		memcpy(p + 8, s->rt2, 16);
		return 24;
	case FR_EXT_FRAG:
		p[0] = next; p[1] = 0;
		put16(p + 2, (uint16_t)(s->frag_off << 3 | (s->more_frags ? 1 : 0)));
		put32(p + 4, 0x1000 + s->id);
		return 8;
	default:
		return 0;
	}
}

/* The IP protocol the outer header carries. */
static uint8_t fr_proto(const struct fr_spec *s)
{
	if (s->tun == FR_TUN_GRE)
		return 47;
	if (s->tun == FR_TUN_IPIP && s->inner)
		return s->inner->l3 == FR_IPV6 ? 41 : 4;
	return s->proto;
}

static uint8_t ext_proto(enum fr_ext e)
{
	switch (e) {
	case FR_EXT_HOP: return 0;
	case FR_EXT_DST: case FR_EXT_DST_HAO: return 60;
	case FR_EXT_RT2: return 43;
	case FR_EXT_FRAG: return 44;
	default: return 59;
	}
}

size_t fr_build(const struct fr_spec *s, bool eth, const uint8_t dmac[6], const uint8_t smac[6],
		uint8_t *buf, size_t cap)
{
	uint8_t *p = buf;
	uint16_t et;

	(void)cap; /* FR_MAX covers every shape built here */
	et = s->l3 == FR_IPV4 ? 0x0800 : s->l3 == FR_IPV6 ? 0x86dd : s->ethertype;
	if (eth) {
		memcpy(p, dmac, 6);
		memcpy(p + 6, smac, 6);
		p += 12;
		if (s->vlan_tags >= 2) {
			put16(p, 0x88a8); put16(p + 2, 100); p += 4;
		}
		if (s->vlan_tags >= 1) {
			put16(p, 0x8100);
			put16(p + 2, s->vlan_tag_id ? s->vlan_tag_id : (uint16_t)(200 + (s->id & 0xff)));
			p += 4;
		}
		put16(p, et);
		p += 2;
	}
	if (s->l3 == FR_IPV4) {
		size_t ihl = 20 + s->v4_opt_len;
		bool first = s->frag_off == 0;
		size_t l4 = put_payload(s, p + ihl, first);

		memset(p, 0, ihl);
		p[0] = (uint8_t)(0x40 | ihl / 4);
		put16(p + 2, (uint16_t)(ihl + l4));
		put16(p + 4, (uint16_t)s->id);
		put16(p + 6, (uint16_t)((s->more_frags ? 0x2000 : 0) | s->frag_off));
		p[8] = 64;
		p[9] = fr_proto(s);
		memcpy(p + 12, s->src, 4);
		memcpy(p + 16, s->dst, 4);
		if (s->v4_opt_len) {
			/* NOPs, then End of options: ignored by every receiver */
			memset(p + 20, 1, s->v4_opt_len);
			p[ihl - 1] = 0;
		}
		put16(p + 10, csum(p, ihl, 0));
		p += ihl + l4;
	} else if (s->l3 == FR_IPV6) {
		uint8_t *ip = p, *q = p + 40;
		bool first = true;
		unsigned int n = 0;

		while (n < 6 && s->ext[n] != FR_EXT_END)
			n++;
		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[6] = n ? ext_proto(s->ext[0]) : fr_proto(s);
		ip[7] = 64;
		memcpy(ip + 8, s->src, 16);
		memcpy(ip + 24, s->dst, 16);
		for (unsigned int i = 0; i < n; i++) {
			uint8_t next = i + 1 < n ? ext_proto(s->ext[i + 1]) : fr_proto(s);

			if (s->ext[i] == FR_EXT_FRAG && s->frag_off)
				first = false;
			q += put_ext(s, q, i, next);
		}
		q += put_payload(s, q, first);
		put16(ip + 4, (uint16_t)(q - ip - 40));
		p = q;
	} else {
		for (unsigned int i = 0; i < 30 + s->pad; i++)
			*p++ = (uint8_t)i;
		put32(p, FR_ID_MAGIC);
		put32(p + 4, s->id);
		p += FR_ID_LEN;
	}
	return (size_t)(p - buf);
}

int64_t fr_find_id(const uint8_t *f, size_t len)
{
	/* The trailer ends the IP payload; Ethernet may add padding after it,
	 * so look backwards a little. */
	for (size_t end = len; end >= FR_ID_LEN && end + 64 >= len; end--) {
		const uint8_t *t = f + end - FR_ID_LEN;

		if ((uint32_t)(t[0] << 24 | t[1] << 16 | t[2] << 8 | t[3]) == FR_ID_MAGIC)
			return (int64_t)((uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 |
					 (uint32_t)t[6] << 8 | t[7]);
	}
	return -1;
}

void fr_series_v4(struct fr_spec *s, uint8_t proto)
{
	memset(s, 0, sizeof(*s));
	s->l3 = FR_IPV4;
	s->proto = proto;
	inet_pton(AF_INET, "172.17.0.0", s->src);
	inet_pton(AF_INET, "172.17.0.1", s->dst);
	s->sport = 9;
	s->dport = 9;
}

void fr_series_v6(struct fr_spec *s, uint8_t proto)
{
	memset(s, 0, sizeof(*s));
	s->l3 = FR_IPV6;
	s->proto = proto;
	inet_pton(AF_INET6, "ffff::ac11:0", s->src);
	inet_pton(AF_INET6, "ffff::ac11:1", s->dst);
	s->sport = 9;
	s->dport = 9;
}

uint32_t fr_rand(uint64_t *st)
{
	/* splitmix64 */
	uint64_t z = (*st += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}
