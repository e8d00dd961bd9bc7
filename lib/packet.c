/* SPDX-License-Identifier: MIT */
/*
 * Untrusted packet bytes to struct tunvnet_flow.
 *
 * The parser is profile-neutral: it records what is there (and how far it
 * got) so classify.c can apply the spec's, the kernel series' or QEMU's
 * rules. Every read is checked against len; every loop is bounded by the
 * buffer or by a fixed count.
 */
#include "internal.h"
#include "proto.h"



#define IPV6_OPT_PAD1 0
#define IPV6_OPT_HOME_ADDR 0xc9

/*
 * The kernel's flow dissector walks at most 16 extension headers before it
 * gives up (MAX_FLOW_DISSECT_HDRS counts 15 re-entries after the first);
 * using the same bound keeps the linux profile exact.
 */
#define EXT_HDR_MAX 16
/* vlan_tags is a u8: a frame with more tags than this is not IP to us. */
#define VLAN_TAGS_MAX 255

/* Offsets are u16 in the flow: saturate rather than wrap. */
static uint16_t off16(size_t off)
{
	return off > UINT16_MAX ? UINT16_MAX : (uint16_t)off;
}

/* Ports and header completeness of a TCP/UDP header at off. */
static void parse_l4(const uint8_t *p, size_t len, size_t off, struct tunvnet_flow *flow)
{
	size_t min;

	flow->l4_off = off16(off);
	if (flow->l4_proto == TV_IPPROTO_TCP) {
		flow->flags |= TUNVNET_FLOW_TCP;
		min = TV_TCP_HLEN;
	} else if (flow->l4_proto == TV_IPPROTO_UDP) {
		flow->flags |= TUNVNET_FLOW_UDP;
		min = TV_UDP_HLEN;
	} else {
		return;
	}
	if (off > len || len - off < 4)
		return;
	flow->flags |= TUNVNET_FLOW_PORTS;
	flow->src_port = tv_get_be16(p + off);
	flow->dst_port = tv_get_be16(p + off + 2);
	if (len - off >= min)
		flow->flags |= TUNVNET_FLOW_L4_COMPLETE;
}

static void parse_ipv4(const uint8_t *p, size_t len, size_t off, struct tunvnet_flow *flow)
{
	size_t ihl;
	uint16_t frag;

	flow->l3_off = off16(off);
	if (len - off < TV_IPV4_HLEN) {
		flow->flags |= TUNVNET_FLOW_TRUNCATED;
		return;
	}
	ihl = (size_t)(p[off] & 0x0f) * 4;
	if (ihl < TV_IPV4_HLEN)
		return; /* malformed: not an IPv4 header anyone hashes */
	flow->flags |= TUNVNET_FLOW_IPV4;
	if ((p[off] >> 4) != 4)
		flow->flags |= TUNVNET_FLOW_VERSION_MISMATCH;
	if (ihl > TV_IPV4_HLEN)
		flow->flags |= TUNVNET_FLOW_IPV4_OPTIONS;
	memcpy(flow->src, p + off + 12, 4);
	memcpy(flow->dst, p + off + 16, 4);
	flow->l4_proto = p[off + 9];
	frag = tv_get_be16(p + off + 6);
	if (frag & 0x3fff) /* MF or a fragment offset */
		flow->flags |= TUNVNET_FLOW_FRAGMENT;
	if (ihl > len - off)
		flow->flags |= TUNVNET_FLOW_TRUNCATED; /* options cut short */
	if (frag & 0x1fff) {
		/* A later fragment: what follows is payload, not a header. */
		flow->l4_off = off16(off + ihl);
		return;
	}
	parse_l4(p, len, off + ihl, flow);
}

/* Look for a Home Address option in the options area [start, end). */
/*
 * Option steps a scan takes before the first Home Address is found, in the
 * steering eBPF program (lib/bpf/steer.bpf.c OPTS_MAX): the kernel's
 * verifier checks every iteration of its loops, so it cannot follow the
 * spec's unbounded scan. TUNVNET_FLOW_OPTS_LIMIT records a scan that
 * needed more (the ebpf profile gives such a frame no hash; the others
 * ignore the flag, and this scan goes on).
 */
#define OPTS_SCAN_MAX 16

static void find_home_addr(const uint8_t *p, size_t start, size_t end,
			   struct tunvnet_flow *flow)
{
	bool counting = !(flow->flags & TUNVNET_FLOW_HOME_ADDR);
	unsigned int steps = 0;
	size_t o = start;

	/* Each step advances o by at least 1, so this ends within the header. */
	while (o < end) {
		size_t olen;

		if (counting && steps++ == OPTS_SCAN_MAX)
			flow->flags |= TUNVNET_FLOW_OPTS_LIMIT;

		if (p[o] == IPV6_OPT_PAD1) {
			o++;
			continue;
		}
		if (end - o < 2)
			return;
		olen = 2 + (size_t)p[o + 1];
		if (olen > end - o)
			return;
		if (p[o] == IPV6_OPT_HOME_ADDR && p[o + 1] == 16) {
			if (!(flow->flags & TUNVNET_FLOW_HOME_ADDR)) {
				memcpy(flow->home_addr, p + o + 2, 16);
				flow->flags |= TUNVNET_FLOW_HOME_ADDR;
			}
			return;
		}
		o += olen;
	}
}

static void parse_ipv6(const uint8_t *p, size_t len, size_t off, struct tunvnet_flow *flow)
{
	uint8_t nh;
	size_t o;
	int walked = 0;

	flow->l3_off = off16(off);
	if (len - off < TV_IPV6_HLEN) {
		flow->flags |= TUNVNET_FLOW_TRUNCATED;
		return;
	}
	flow->flags |= TUNVNET_FLOW_IPV6;
	if ((p[off] >> 4) != 6)
		flow->flags |= TUNVNET_FLOW_VERSION_MISMATCH;
	memcpy(flow->src, p + off + 8, 16);
	memcpy(flow->dst, p + off + 24, 16);
	nh = p[off + 6];
	o = off + TV_IPV6_HLEN;

	for (;;) {
		size_t hlen, avail;

		if (nh != TV_IPPROTO_HOPOPTS && nh != TV_IPPROTO_ROUTING && nh != TV_IPPROTO_FRAGMENT &&
		    nh != TV_IPPROTO_DSTOPTS && nh != TV_IPPROTO_AH)
			break;
		if (walked == EXT_HDR_MAX) {
			flow->flags |= TUNVNET_FLOW_EXT_LIMIT;
			flow->l4_proto = nh;
			return;
		}
		walked++;
		flow->flags |= TUNVNET_FLOW_EXT_HDRS;
		avail = o < len ? len - o : 0;
		/*
		 * Like the kernel's dissector, continuing needs only the next-header
		 * and length bytes (the whole 8 bytes of a fragment header); a body
		 * that runs past the end is noted but does not stop the walk.
		 */
		if (avail < (nh == TV_IPPROTO_FRAGMENT ? 8u : 2u)) {
			flow->flags |= TUNVNET_FLOW_TRUNCATED;
			flow->l4_proto = nh;
			return;
		}
		switch (nh) {
		case TV_IPPROTO_FRAGMENT:
			hlen = 8;
			flow->flags |= TUNVNET_FLOW_FRAGMENT;
			if (tv_get_be16(p + o + 2) & 0xfff8) {
				/* Later fragment: no upper-layer header here. */
				flow->l4_proto = p[o];
				flow->l4_off = off16(o + hlen);
				return;
			}
			break;
		case TV_IPPROTO_AH:
			/* AH counts 4-byte words, minus 2 (RFC 4302). */
			hlen = ((size_t)p[o + 1] + 2) * 4;
			flow->flags |= TUNVNET_FLOW_AH;
			break;
		case TV_IPPROTO_ROUTING:
			hlen = ((size_t)p[o + 1] + 1) * 8;
			/* Type 2 (RFC 6275): length 2, type 2, one segment left. */
			if (avail >= 24 && p[o + 1] == 2 && p[o + 2] == 2 && p[o + 3] == 1 &&
			    !(flow->flags & TUNVNET_FLOW_RT2)) {
				memcpy(flow->rt2_addr, p + o + 8, 16);
				flow->flags |= TUNVNET_FLOW_RT2;
			}
			break;
		case TV_IPPROTO_DSTOPTS:
			hlen = ((size_t)p[o + 1] + 1) * 8;
			find_home_addr(p, o + 2, hlen <= avail ? o + hlen : len, flow);
			break;
		default: /* hop-by-hop */
			hlen = ((size_t)p[o + 1] + 1) * 8;
			break;
		}
		if (hlen > avail)
			flow->flags |= TUNVNET_FLOW_TRUNCATED;
		nh = p[o];
		o += hlen; /* may pass len; the next read is checked */
	}
	flow->l4_proto = nh;
	parse_l4(p, len, o, flow);
}

static void parse_l3(const uint8_t *p, size_t len, size_t off, uint16_t proto,
		     struct tunvnet_flow *flow)
{
	if (proto == TV_ETH_P_IP)
		parse_ipv4(p, len, off, flow);
	else if (proto == TV_ETH_P_IPV6)
		parse_ipv6(p, len, off, flow);
	else
		flow->l3_off = off16(off);
}

TUNVNET_API int tunvnet_packet_parse(const void *pkt, size_t len, enum tunvnet_l2 l2,
				     struct tunvnet_flow *flow)
{
	const uint8_t *p = pkt;
	uint16_t proto;
	size_t off;

	tv_err_clear();
	if (!flow || (!pkt && len))
		return tv_err(-EINVAL, "packet_parse: no %s", flow ? "packet" : "flow");
	memset(flow, 0, sizeof(*flow));

	switch (l2) {
	case TUNVNET_L2_ETH:
		if (len < TV_ETH_HLEN) {
			flow->flags |= TUNVNET_FLOW_TRUNCATED;
			return 0;
		}
		proto = tv_get_be16(p + 12);
		off = TV_ETH_HLEN;
		/* Tags are 4 bytes each: the buffer bounds this loop. */
		while ((proto == TV_ETH_P_8021Q || proto == TV_ETH_P_8021AD || proto == TV_ETH_P_QINQ1) &&
		       flow->vlan_tags < VLAN_TAGS_MAX) {
			if (len - off < 4) {
				flow->flags |= TUNVNET_FLOW_TRUNCATED;
				flow->ethertype = proto;
				return 0;
			}
			if (proto == TV_ETH_P_QINQ1)
				flow->flags |= TUNVNET_FLOW_VLAN_9100;
			proto = tv_get_be16(p + off + 2);
			off += 4;
			flow->vlan_tags++;
		}
		flow->ethertype = proto;
		parse_l3(p, len, off, proto, flow);
		return 0;
	case TUNVNET_L2_IP:
		/* Without packet info tun itself goes by the version nibble. */
		if (len < 1) {
			flow->flags |= TUNVNET_FLOW_TRUNCATED;
			return 0;
		}
		if ((p[0] >> 4) == 4)
			parse_ipv4(p, len, 0, flow);
		else if ((p[0] >> 4) == 6)
			parse_ipv6(p, len, 0, flow);
		return 0;
	case TUNVNET_L2_IP_PI:
		if (len < 4) {
			flow->flags |= TUNVNET_FLOW_TRUNCATED;
			return 0;
		}
		/* The kernel sets skb->protocol from pi.proto: follow it, not the nibble. */
		proto = tv_get_be16(p + 2);
		flow->ethertype = proto;
		parse_l3(p, len, 4, proto, flow);
		return 0;
	default:
		return tv_err(-EINVAL, "packet_parse: unknown l2 mode %d", (int)l2);
	}
}
