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
 * The flow's identity: two independent multiply-mix lanes over its words
 * (id[0] picks the slot and the tag, id[1] is kept). The word count is
 * part of the input (a tunnel's key is longer).
 */
static inline __attribute__((always_inline)) void flow_id(const uint64_t *w, unsigned int n,
							   uint64_t id[2])
{
	uint64_t a = 0x9e3779b97f4a7c15ull ^ n, b = 0xc2b2ae3d27d4eb4full ^ n;

	for (unsigned int i = 0; i < n; i++) {
		a = (a ^ w[i]) * 0xff51afd7ed558ccdull;
		a ^= a >> 29;
		b = (b ^ w[i]) * 0xc4ceb9fe1a85ec53ull;
		b ^= b >> 31;
	}
	a = (a ^ (a >> 32)) * 0x94d049bb133111ebull;
	b = (b ^ (b >> 33)) * 0xbf58476d1ce4e5b9ull;
	id[0] = a ^ (a >> 31);
	id[1] = b ^ (b >> 29);
}

/* Remember p's flow; false (with the earlier observation) when it changed. */
bool tv_flow_consistent(struct tunvnet_verifier *v, const struct tv_pkt *p,
			    const struct tv_fast_info *fi, struct tv_flow_slot *before)
{
	uint64_t w[TV_FLOW_WORDS], id[2];
	struct tv_flow_slot *s;
	uint16_t tag;
	unsigned int n;
	bool same;

	if (!v->flows || !(n = pkt_flow_key(p, fi, w)))
		return true;
	/* Constant counts: the loop unrolls and the words stay in registers. */
	if (n == 2)
		flow_id(w, 2, id);
	else if (n == TV_FLOW_HALF)
		flow_id(w, TV_FLOW_HALF, id);
	else
		flow_id(w, TV_FLOW_WORDS, id);
	s = &v->flows[id[0] & (TV_FLOW_SLOTS - 1)];
	tag = (uint16_t)(id[0] >> 48) | 1;
	if (s->tag != tag || s->id != id[1]) {
		/* New, or its slot held another flow, which is forgotten (the bound). */
		s->id = id[1];
		s->tag = tag;
		s->value = p->obs_value;
		s->queue = (uint16_t)p->q;
		return true;
	}
	same = s->value == p->obs_value && s->queue == p->q;
	*before = *s;
	/* Keep the latest, so a flow that moved is reported once, not forever. */
	s->value = p->obs_value;
	s->queue = (uint16_t)p->q;
	return same;
}
