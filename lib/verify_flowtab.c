/* SPDX-License-Identifier: MIT */
/*
 * The automq flow table: the kernel's own flow hash cannot be recomputed,
 * so each flow must keep the value and queue it was first seen with.
 * Bounded: TV_FLOW_SLOTS flows, direct-mapped (verify.h).
 */
#include "verify.h"

#define TV_FLOW_HALF 5                      /* words of one flow: meta+ports, addresses */
#define TV_FLOW_WORDS (2 * TV_FLOW_HALF + 2) /* outer, inner, the tunnel's two words */

/*
 * One flow's words: ethertype, protocol, family and ports, then the
 * addresses as loaded from memory. The parsed flow and the fast walk both
 * come here, so they cannot differ; built in registers (no byte stores
 * read back as words). Returns how many words carry the flow (2 or 5).
 */
static unsigned int flow_words(uint64_t w[TV_FLOW_HALF], uint16_t ethertype, uint8_t proto,
			       bool v4, const uint8_t *src, const uint8_t *dst, uint32_t ports)
{
	w[0] = (uint64_t)ethertype << 48 | (uint64_t)proto << 40 | (uint64_t)(v4 ? 4 : 6) << 32 |
	       ports;
	if (v4) {
		uint32_t a, b;

		memcpy(&a, src, 4);
		memcpy(&b, dst, 4);
		w[1] = (uint64_t)a << 32 | b;
		w[2] = w[3] = w[4] = 0;
		return 2;
	}
	memcpy(&w[1], src, 8);
	memcpy(&w[2], src + 8, 8);
	memcpy(&w[3], dst, 8);
	memcpy(&w[4], dst + 8, 8);
	return 5;
}

/*
 * The kernel's automq hash covers the whole flow (addresses, protocol,
 * ports) whatever the configured types, so the flow is keyed on the parsed
 * tuple, not on the Toeplitz input. Fragments carry no ports for it.
 * 0 for a packet that is not IP.
 */
static unsigned int flow_key(const struct tunvnet_flow *f, uint64_t w[TV_FLOW_HALF])
{
	bool with_ports = (f->flags & TUNVNET_FLOW_PORTS) && !(f->flags & TUNVNET_FLOW_FRAGMENT);

	if (!(f->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6))) {
		memset(w, 0, TV_FLOW_HALF * sizeof(*w));
		return 0;
	}
	return flow_words(w, f->ethertype, f->l4_proto, f->flags & TUNVNET_FLOW_IPV4, f->src, f->dst,
			  with_ports ? (uint32_t)f->src_port << 16 | f->dst_port : 0);
}

/* The words of p's whole key (outer flow, inner flow past a tunnel, tunnel
 * words) that are not all zero: 0 when p is not IP. */
static unsigned int pkt_flow_key(const struct tv_pkt *p, const struct tv_fast_info *fi,
				 uint64_t w[TV_FLOW_WORDS])
{
	unsigned int n;

	if (!p->have_flow) /* the fast walk took it: plain IPv4/IPv6, no tunnel */
		n = flow_words(w, fi->ethertype, fi->l4_proto, fi->alen == 4, fi->addrs,
			       fi->addrs + fi->alen, fi->ports ? tv_get_be32(fi->ports) : 0);
	else
		n = flow_key(&p->flow, w);
	if (!n || !p->tun.reached)
		return n;
	/* Past a tunnel the dissector's keys hold the inner flow, the GRE key
	 * and, where it stops early, the GRE protocol: all of it is the flow. */
	if (!p->tun.inner || !flow_key(&p->tun.flow, w + TV_FLOW_HALF))
		memset(w + TV_FLOW_HALF, 0, TV_FLOW_HALF * sizeof(*w));
	w[2 * TV_FLOW_HALF] = 1ull << 63 | (uint64_t)p->tun.gre << 62 | p->tun.gre_word;
	w[2 * TV_FLOW_HALF + 1] = p->tun.gre_key;
	return TV_FLOW_WORDS;
}

/*
 * The flow's identity: NH over its words (each pair, offset by constants,
 * multiplied to 128 bits, the products added), so the multiplies of a
 * 5-word IPv6 key are three independent ones, not a chain of ten. Two
 * different keys of one length give the same sum with a chance of about
 * 2^-64. Both 64-bit values fold the whole sum (flows a few apart in one
 * word differ in the low half only, flows apart by 2^32 often in the high
 * half only): id[1] is kept, id[0] (the word count mixed in) picks the
 * slot and the tag.
 */
static inline __attribute__((always_inline)) void flow_id(const uint64_t *w, unsigned int n,
							   uint64_t id[2])
{
	static const uint64_t k[TV_FLOW_WORDS + 1] = {
		0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full, 0x165667b19e3779f9ull,
		0xd6e8feb86659fd93ull, 0xa0761d6478bd642full, 0xe7037ed1a0b428dbull,
		0x8ebc6af09c88c6e3ull, 0x589965cc75374cc3ull, 0x1d8e4e27c47d124full,
		0xbf58476d1ce4e5b9ull, 0x94d049bb133111ebull, 0xff51afd7ed558ccdull,
		0xc4ceb9fe1a85ec53ull,
	};
	unsigned __int128 acc = 0;
	uint64_t lo, hi, m;
	unsigned int i;

	for (i = 0; i + 1 < n; i += 2)
		acc += (unsigned __int128)(w[i] + k[i]) * (w[i + 1] + k[i + 1]);
	if (i < n) /* an odd count: the last word pairs with the count */
		acc += (unsigned __int128)(w[i] + k[i]) * (n + k[i + 1]);
	lo = (uint64_t)acc;
	hi = (uint64_t)(acc >> 64);
	m = (lo ^ (hi >> 32 | hi << 32) ^ n) * 0xff51afd7ed558ccdull;
	id[0] = m ^ (m >> 32);
	id[1] = hi ^ lo * 0xc4ceb9fe1a85ec53ull;
}

/*
 * Look the flow up and remember this packet's value and queue: false (with
 * the earlier observation) when the flow was there with another value or
 * queue. The slot is written whatever it held (new flow, same flow, moved
 * flow, or another flow forgotten: the bound), so nothing branches on
 * which until the verdict: flows that evict each other cost no
 * mispredicted branch.
 */
static inline __attribute__((always_inline)) bool slot_check(struct tunvnet_verifier *v,
							      const uint64_t id[2], uint32_t value,
							      unsigned int q, struct tv_flow_slot *before)
{
	struct tv_flow_slot *s = &v->flows[id[0] & (TV_FLOW_SLOTS - 1)];
	struct tv_flow_slot old = *s, now = {
		.id = id[1], .value = value, .queue = (uint16_t)q,
		.tag = (uint16_t)(id[0] >> 48) | 1,
	};
	/* Which flow held the slot (id, tag), and what it did (value, queue). */
	uint64_t other = (old.id ^ now.id) | (uint64_t)(old.tag ^ now.tag);
	uint64_t changed = (uint64_t)(old.value ^ now.value) | (uint64_t)(old.queue ^ now.queue);

	*s = now;
	/* A mask, not &&: the compiler would branch on the flow being there. */
	if (__builtin_expect((changed & -(uint64_t)(other == 0)) != 0, 0)) {
		*before = old;
		return false;
	}
	return true;
}

/* Remember p's flow; false (with the earlier observation) when it changed. */
bool tv_flow_consistent(struct tunvnet_verifier *v, const struct tv_pkt *p,
			const struct tv_fast_info *fi, struct tv_flow_slot *before)
{
	uint64_t w[TV_FLOW_WORDS], id[2];
	unsigned int n;

	if (!v->flows || !(n = pkt_flow_key(p, fi, w)))
		return true;
	/* Constant counts: the loop unrolls and the words stay in registers. */
	if (n == 2)
		flow_id(w, 2, id);
	else if (n == TV_FLOW_HALF)
		flow_id(w, TV_FLOW_HALF, id);
	else
		flow_id(w, TV_FLOW_WORDS, id);
	return slot_check(v, id, p->obs_value, p->q, before);
}

/*
 * The same for a packet the fast walk took (plain IPv4/IPv6, no tunnel:
 * fi with its report): the words straight from the packet, the same words
 * tv_flow_consistent makes of it.
 */
bool tv_flow_consistent_fast(struct tunvnet_verifier *v, const struct tv_fast_info *fi,
			     unsigned int q, uint32_t value, struct tv_flow_slot *before)
{
	uint64_t w[TV_FLOW_HALF], id[2];
	uint32_t ports = fi->ports ? tv_get_be32(fi->ports) : 0;

	if (fi->alen == 4) {
		flow_words(w, fi->ethertype, fi->l4_proto, true, fi->addrs, fi->addrs + 4, ports);
		flow_id(w, 2, id);
	} else {
		flow_words(w, fi->ethertype, fi->l4_proto, false, fi->addrs, fi->addrs + 16, ports);
		flow_id(w, TV_FLOW_HALF, id);
	}
	return slot_check(v, id, value, q, before);
}
