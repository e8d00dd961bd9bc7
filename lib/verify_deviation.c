/* SPDX-License-Identifier: MIT */
/*
 * Known deviations of the posted series: each explanation says when it
 * applies and how the kernel classified the packet instead; the names are
 * what the verdict line and the CLI print.
 */
#include <stdio.h>

#include "verify.h"

/*
 * A tagged frame injected with AF_PACKET on a tap device itself reaches
 * the series with the VLAN protocol but the network header past the tags,
 * so it is classified NONE (uapi.md, "Injecting test traffic"). Only a
 * tap's own frames can: macvtap/ipvtap queues and tun carry none of them.
 */
static bool alt_vlan_af_packet(const struct tunvnet_verifier *v, const struct tv_pkt *p,
			       struct tunvnet_class *cls, char *note, size_t note_len)
{
	if (v->o.l2 != TUNVNET_L2_ETH || tv_is_vtap(v->o.kind) || !p->flow.vlan_tags ||
	    p->cls.report == TUNVNET_REPORT_NONE)
		return false;
	memset(cls, 0, sizeof(*cls));
	snprintf(note, note_len, "%u vlan tags misread", p->flow.vlan_tags);
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
