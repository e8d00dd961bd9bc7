/* SPDX-License-Identifier: MIT */
/*
 * Known deviations of the posted series: each explanation says when it
 * applies and how the kernel classified the packet instead; the names are
 * what the verdict line and the CLI print.
 */
#include <stdio.h>

#include "proto.h"
#include "verify.h"

/*
 * A tagged frame sent with AF_PACKET on a tap device itself reaches the
 * series with skb->protocol the outer VLAN type but the network header
 * already past every tag (packet_parse_headers()), so the flow dissector
 * reads the first 4 bytes after the tags as one more VLAN header: their
 * last two bytes become the protocol, and it goes on from there. A tagged
 * IPv4 frame gets its total length as the protocol (NONE, uapi.md
 * "Injecting test traffic"); a tagged ARP frame gets its protocol type
 * 0x0800 and is hashed as IPv4 read from its sender/target fields. So the
 * kernel sees the Ethernet frame that has one tag (those 4 bytes) and the
 * payload after them: built here and classified with the linux profile.
 * Only a tap's own frames can: macvtap/ipvtap queues and tun carry none.
 * Not modelled: a 0x9100 tag (not a VLAN type to the kernel), more tags
 * than vlan_get_protocol_and_depth() walks, or a tunnel in what follows.
 */
#define TV_AFP_MAX_TAGS 8 /* VLAN_MAX_DEPTH */

void tv_vlan_af_packet_model(struct tunvnet_verifier *v, struct tv_pkt *p)
{
	const struct tunvnet_flow *f = &p->flow;
	size_t off = TV_ETH_HLEN + (size_t)f->vlan_tags * TV_VLAN_HLEN, n;
	struct tunvnet_flow sf;
	uint8_t *b;

	p->afp = false;
	if (v->o.l2 != TUNVNET_L2_ETH || tv_is_vtap(v->o.kind) || !f->vlan_tags ||
	    f->vlan_tags > TV_AFP_MAX_TAGS || (f->flags & TUNVNET_FLOW_VLAN_9100) ||
	    off > p->len)
		return;
	n = TV_ETH_HLEN + (p->len - off);
	b = tv_scratch(v, n);
	if (!b)
		return;
	memcpy(b, p->frame, 12); /* the addresses */
	tv_put_be16(b + 12, TV_ETH_P_8021Q);
	memcpy(b + TV_ETH_HLEN, p->frame + off, p->len - off);
	if (tunvnet_packet_parse(b, n, TUNVNET_L2_ETH, &sf) < 0 || tv_tunnel_reached(&sf))
		return;
	if (tunvnet_classify(&sf, v->cfg.types, TUNVNET_PROFILE_LINUX, &p->afp_cls) < 0)
		return;
	p->afp = true;
}

static bool alt_vlan_af_packet(const struct tunvnet_verifier *v, const struct tv_pkt *p,
			       struct tunvnet_class *cls, char *note, size_t note_len)
{
	(void)v;
	/* The same classification either way is no deviation. */
	if (!p->afp ||
	    (p->afp_cls.report == p->cls.report && p->afp_cls.input_len == p->cls.input_len &&
	     !memcmp(p->afp_cls.input, p->cls.input, p->cls.input_len)))
		return false;
	*cls = p->afp_cls;
	snprintf(note, note_len, "%u vlan tags misread, as %s", p->flow.vlan_tags,
		 cls->report ? tunvnet_report_name(cls->report) : "not hashed");
	return true;
}

/*
 * The series dissects without FLOW_DISSECTOR_F_STOP_AT_ENCAP: past a GRE
 * (v0, or PPTP), IPIP or IPv6-in-IP header it hashes the inner packet, and
 * a GRE header it cannot follow leaves report NONE. The spec wants the
 * outer addresses.
 */
static bool alt_tunnel_inner(const struct tunvnet_verifier *v, const struct tv_pkt *p,
			     struct tunvnet_class *cls, char *note, size_t note_len)
{
	(void)v;
	/* An inner classification equal to the outer one is no deviation. */
	if (!p->tun.inner ||
	    (p->tun.cls.report == p->cls.report && p->tun.cls.input_len == p->cls.input_len &&
	     !memcmp(p->tun.cls.input, p->cls.input, p->cls.input_len)))
		return false;
	*cls = p->tun.cls;
	snprintf(note, note_len, "%s: inner %s", p->tun.what,
		 p->tun.cls.report ? tunvnet_report_name(p->tun.cls.report) : "not hashed");
	return true;
}

const struct tv_explanation tv_explanations[] = {
	{ TUNVNET_DEVIATION_TUNNEL_INNER, true, alt_tunnel_inner },
	{ TUNVNET_DEVIATION_VLAN_AF_PACKET, false, alt_vlan_af_packet },
};
const size_t tv_explanations_n = TV_ARRAY_SIZE(tv_explanations);

/* Every deviation's name, for the verdict line and the CLI. */
static const struct {
	uint32_t bit;
	const char *name;
} deviations[] = {
	{ TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE, "automq-value-is-queue" },
	{ TUNVNET_DEVIATION_SHORT_KEY_IPV6, "short-key-ipv6" },
	{ TUNVNET_DEVIATION_VLAN_AF_PACKET, "vlan-af-packet" },
	{ TUNVNET_DEVIATION_TUNNEL_INNER, "tunnel-inner" },
};

TUNVNET_API const char *tunvnet_deviation_name(uint32_t bit)
{
	for (size_t i = 0; i < TV_ARRAY_SIZE(deviations); i++)
		if (deviations[i].bit == bit)
			return deviations[i].name;
	return "unknown";
}
