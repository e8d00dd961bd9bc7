/* SPDX-License-Identifier: MIT */
/*
 * A model of the kernel's flow dissection past tunnel headers: the series
 * dissects without FLOW_DISSECTOR_F_STOP_AT_ENCAP, so it hashes the inner
 * packet of GRE (v0, PPTP), IPIP and IPv6-in-IP, or reports NONE where the
 * GRE header cannot be followed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "proto.h"
#include "verify.h"

#define GRE_CSUM 0x8000u
#define GRE_ROUTING 0x4000u
#define GRE_KEY 0x2000u
#define GRE_SEQ 0x1000u
#define GRE_ACK 0x0080u /* version 1 (PPTP) only */
#define GRE_VERSION 0x0007u
#define GRE_PROTO_PPP 0x880bu
/* Nested tunnels followed; the dissector's own bound is 15 headers in all. */
#define TV_TUNNEL_DEPTH 4

/*
 * Whether the dissector reaches the protocol field of f at all: not on
 * fragments (no FLOW_DISSECTOR_F_PARSE_1ST_FRAG), not past IPv6 AH (it
 * stops there), not behind a 0x9100 tag.
 */
bool tv_tunnel_reached(const struct tunvnet_flow *f)
{
	if (!(f->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6)) ||
	    (f->flags & (TUNVNET_FLOW_FRAGMENT | TUNVNET_FLOW_VLAN_9100)) ||
	    ((f->flags & TUNVNET_FLOW_IPV6) && (f->flags & TUNVNET_FLOW_AH)))
		return false;
	return f->l4_proto == TV_IPPROTO_GRE || f->l4_proto == TV_IPPROTO_IPIP ||
	       f->l4_proto == TV_IPPROTO_IPV6;
}

enum tv_step {
	STEP_PLAIN,      /* the dissector stops at the outer header: no deviation */
	STEP_INNER_IP,   /* an IPv4/IPv6 packet (proto) follows at off */
	STEP_INNER_ETH,  /* an Ethernet frame follows at off (GRE 0x6558) */
	STEP_NONE,       /* the dissection fails or ends on a non-IP protocol */
	STEP_UNMODELLED, /* the kernel goes on into something not modelled here */
};

/*
 * One tunnel header at f->l4_off of p[0..len), as __skb_flow_dissect_gre()
 * and the IPIP / IPv6 cases of __skb_flow_dissect_ipproto() read it.
 */
static enum tv_step tunnel_step(const uint8_t *p, size_t len, const struct tunvnet_flow *f,
				uint16_t *proto, size_t *off, uint32_t *gre_key, char *what,
				size_t what_len)
{
	size_t o = f->l4_off, hl = 4, avail;
	uint16_t flags, gp, ver;

	if (f->l4_proto != TV_IPPROTO_GRE) {
		*proto = f->l4_proto == TV_IPPROTO_IPIP ? TV_ETH_P_IP : TV_ETH_P_IPV6;
		*off = o;
		snprintf(what, what_len, "%s", f->l4_proto == TV_IPPROTO_IPIP ? "ipip" : "ipv6-in-ip");
		return STEP_INNER_IP;
	}
	avail = o < len ? len - o : 0;
	if (avail < 4) {
		snprintf(what, what_len, "gre header cut short");
		return STEP_NONE;
	}
	flags = tv_get_be16(p + o);
	gp = tv_get_be16(p + o + 2);
	ver = flags & GRE_VERSION;
	/* Only GRE without routing, version 0 or 1, is looked into. */
	if ((flags & GRE_ROUTING) || ver > 1)
		return STEP_PLAIN;
	if (ver == 1 && !(gp == GRE_PROTO_PPP && (flags & GRE_KEY))) {
		/*
		 * Not PPTP: the dissector stops, but has already taken the GRE
		 * protocol field as the packet's protocol. The outer family's own
		 * number changes nothing; another IP one would hash the outer
		 * addresses as the other family (not modelled); the rest is NONE.
		 */
		uint16_t outer = (f->flags & TUNVNET_FLOW_IPV4) ? TV_ETH_P_IP : TV_ETH_P_IPV6;

		if (gp == outer)
			return STEP_PLAIN;
		if (gp == TV_ETH_P_IP || gp == TV_ETH_P_IPV6)
			return STEP_UNMODELLED;
		snprintf(what, what_len, "gre v1 protocol 0x%04x", gp);
		return STEP_NONE;
	}
	if (flags & GRE_CSUM)
		hl += 4;
	if (flags & GRE_KEY) {
		if (avail < hl + 4) {
			snprintf(what, what_len, "gre key cut short");
			return STEP_NONE;
		}
		*gre_key = tv_get_be32(p + o + hl);
		hl += 4;
	}
	if (flags & GRE_SEQ)
		hl += 4;
	if (ver == 1) {
		uint16_t ppp;

		if (flags & GRE_ACK)
			hl += 4;
		if (avail < hl + 4) {
			snprintf(what, what_len, "pptp header cut short");
			return STEP_NONE;
		}
		ppp = tv_get_be16(p + o + hl + 2);
		hl += 4;
		snprintf(what, what_len, "pptp 0x%04x", ppp);
		if (ppp != 0x0021 && ppp != 0x0057)
			return STEP_NONE;
		*proto = ppp == 0x0021 ? TV_ETH_P_IP : TV_ETH_P_IPV6;
		*off = o + hl;
		return STEP_INNER_IP;
	}
	snprintf(what, what_len, "gre 0x%04x", gp);
	*off = o + hl; /* may pass len: the inner packet is then empty */
	if (gp == TV_ETH_P_TEB)
		return STEP_INNER_ETH;
	if (gp == TV_ETH_P_IP || gp == TV_ETH_P_IPV6) {
		*proto = gp;
		return STEP_INNER_IP;
	}
	/* Protocols the dissector goes on into (VLAN, PPPoE, batman, NSH). */
	if (gp == TV_ETH_P_8021Q || gp == TV_ETH_P_8021AD || gp == TV_ETH_P_PPP_SES || gp == 0x4305 || gp == 0x894f)
		return STEP_UNMODELLED;
	return STEP_NONE; /* MPLS, ARP, ...: n_proto not IP; unknown: out_bad */
}

/* Room for an inner packet behind a 4-byte pi header (or another rebuilt packet). */
uint8_t *tv_scratch(struct tunvnet_verifier *v, size_t n)
{
	if (n > v->tun_cap) {
		uint8_t *b = realloc(v->tun_buf, n);

		if (!b)
			return NULL;
		v->tun_buf = b;
		v->tun_cap = n;
	}
	return v->tun_buf;
}

/*
 * Follow the tunnels of p the way the dissector does and classify the
 * innermost packet with the linux profile. Leaves p->tun.inner false when
 * there is no tunnel it follows (or one not modelled).
 */
void tv_tunnel_follow(struct tunvnet_verifier *v, struct tv_pkt *p)
{
	struct tv_tunnel *t = &p->tun;
	struct tunvnet_flow f = p->flow;
	const uint8_t *buf = p->frame;
	size_t len = p->len, n = 0;

	memset(t, 0, sizeof(*t));
	t->reached = true;
	/* Flags and protocol decide where the dissector stops, and what it
	 * takes as the protocol: part of the automq flow (flow_key). */
	if (f.l4_proto == TV_IPPROTO_GRE && f.l4_off < len && len - f.l4_off >= 4) {
		t->gre = true;
		t->gre_word = tv_get_be32(buf + f.l4_off);
	}
	for (int depth = 0; depth < TV_TUNNEL_DEPTH && tv_tunnel_reached(&f); depth++) {
		char what[32] = "";
		uint16_t proto = 0;
		size_t off = 0, inner;
		enum tv_step st = tunnel_step(buf, len, &f, &proto, &off, &t->gre_key, what,
					      sizeof(what));
		uint8_t *room;

		if (st == STEP_PLAIN)
			break;
		if (st == STEP_UNMODELLED)
			return;
		n += (size_t)snprintf(t->what + n, n < sizeof(t->what) ? sizeof(t->what) - n : 0,
				      "%s%s", n ? " > " : "", what);
		if (n >= sizeof(t->what))
			n = sizeof(t->what) - 1;
		t->inner = true;
		memset(&f, 0, sizeof(f));
		if (st == STEP_NONE)
			break;
		inner = off < len ? len - off : 0;
		/* The inner packet, behind a pi header carrying the protocol the
		 * dissector goes on with (it ignores the version nibble too). An
		 * earlier inner packet is a suffix of tun_buf: memmove. */
		/* A nested inner packet is shorter than the one it sits in, so
		 * the buffer it is read from never moves here. */
		room = buf != p->frame && inner + 4 > v->tun_cap ? NULL : tv_scratch(v, inner + 4);
		if (!room) {
			t->inner = false;
			return;
		}
		memmove(room + 4, buf + off, inner);
		if (st == STEP_INNER_ETH) {
			buf = room + 4;
			len = inner;
			if (tunvnet_packet_parse(buf, len, TUNVNET_L2_ETH, &f) < 0)
				memset(&f, 0, sizeof(f));
		} else {
			room[0] = room[1] = 0;
			tv_put_be16(room + 2, proto);
			buf = room;
			len = inner + 4;
			if (tunvnet_packet_parse(buf, len, TUNVNET_L2_IP_PI, &f) < 0)
				memset(&f, 0, sizeof(f));
		}
	}
	if (!t->inner)
		return;
	if (tv_tunnel_reached(&f)) {
		t->inner = false; /* nested deeper than followed here */
		return;
	}
	t->flow = f;
	if (tunvnet_classify(&f, v->cfg.types, TUNVNET_PROFILE_LINUX, &t->cls) < 0)
		memset(&t->cls, 0, sizeof(t->cls));
}
