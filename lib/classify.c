/* SPDX-License-Identifier: MIT */
/*
 * A parsed flow + enabled hash types + whose rules -> report type and the
 * exact Toeplitz input (source address, destination address, then source
 * port, destination port, all in network order).
 *
 * Three rule sets:
 *  - spec:  virtio 1.2+ 5.1.6.4.3 "Hash calculation for incoming packets".
 *  - linux: the tun series' virtio_net_hash_report()/virtio_net_hash_rss()
 *           over the kernel flow dissector (skb_flow_dissect_flow_keys with
 *           flags 0).
 *  - qemu:  QEMU's software RSS (virtio_net_get_hash_type() over
 *           eth_get_protocols()/eth_parse_ipv6_hdr()).
 */
#include "internal.h"
#include "proto.h"
#include "toeplitz.h"


struct l4_info {
	bool tcp, udp;      /* counts as TCP / UDP for the ladder */
	bool ports;         /* hash these port values */
	uint16_t sport, dport;
};

static inline __attribute__((always_inline)) void
emit_n(struct tunvnet_class *cls, unsigned int report, const uint8_t *src, const uint8_t *dst,
       size_t alen, const struct l4_info *l4, bool with_ports)
{
	cls->report = report;
	memcpy(cls->input, src, alen);
	memcpy(cls->input + alen, dst, alen);
	cls->input_len = (uint8_t)(2 * alen);
	if (with_ports) {
		/*
		 * The kernel hashes zero ports when it could not read them. One
		 * 4-byte store, so the hash's 4-byte load of it is forwarded.
		 */
		uint8_t ports[4] = { 0 };

		if (l4->ports) {
			tv_put_be16(ports, l4->sport);
			tv_put_be16(ports + 2, l4->dport);
		}
		memcpy(cls->input + 2 * alen, ports, 4);
		cls->input_len += 4;
	}
}

/*
 * A constant alen makes the copies fixed-size moves, and the hash's loads
 * (4 or 8 bytes) then lie within single stores and are forwarded.
 */
static void emit(struct tunvnet_class *cls, unsigned int report, const uint8_t *src,
		 const uint8_t *dst, size_t alen, const struct l4_info *l4, bool with_ports)
{
	if (alen == 4)
		emit_n(cls, report, src, dst, 4, l4, with_ports);
	else
		emit_n(cls, report, src, dst, 16, l4, with_ports);
}

/* The plain ladder: TCP > UDP > IP, per family. */
static void ladder(struct tunvnet_class *cls, bool v6, uint32_t types, const uint8_t *src,
		   const uint8_t *dst, const struct l4_info *l4)
{
	size_t alen = v6 ? 16 : 4;
	uint32_t t_tcp = v6 ? TUNVNET_HASH_TYPE_TCPV6 : TUNVNET_HASH_TYPE_TCPV4;
	uint32_t t_udp = v6 ? TUNVNET_HASH_TYPE_UDPV6 : TUNVNET_HASH_TYPE_UDPV4;
	uint32_t t_ip = v6 ? TUNVNET_HASH_TYPE_IPV6 : TUNVNET_HASH_TYPE_IPV4;

	if (l4->tcp && (types & t_tcp))
		emit(cls, v6 ? TUNVNET_REPORT_TCPV6 : TUNVNET_REPORT_TCPV4, src, dst, alen, l4, true);
	else if (l4->udp && (types & t_udp))
		emit(cls, v6 ? TUNVNET_REPORT_UDPV6 : TUNVNET_REPORT_UDPV4, src, dst, alen, l4, true);
	else if (types & t_ip)
		emit(cls, v6 ? TUNVNET_REPORT_IPV6 : TUNVNET_REPORT_IPV4, src, dst, alen, l4, false);
}

/* The _EX ladder; returns false when no _EX rule applies. */
static bool ladder_ex(struct tunvnet_class *cls, uint32_t types, const struct tunvnet_flow *f,
		      const struct l4_info *l4)
{
	/* Home Address replaces the source, the RT2 address the destination. */
	const uint8_t *src = (f->flags & TUNVNET_FLOW_HOME_ADDR) ? f->home_addr : f->src;
	const uint8_t *dst = (f->flags & TUNVNET_FLOW_RT2) ? f->rt2_addr : f->dst;

	if (l4->tcp && (types & TUNVNET_HASH_TYPE_TCP_EX))
		emit(cls, TUNVNET_REPORT_TCPV6_EX, src, dst, 16, l4, true);
	else if (l4->udp && (types & TUNVNET_HASH_TYPE_UDP_EX))
		emit(cls, TUNVNET_REPORT_UDPV6_EX, src, dst, 16, l4, true);
	else if (types & TUNVNET_HASH_TYPE_IP_EX)
		emit(cls, TUNVNET_REPORT_IPV6_EX, src, dst, 16, l4, false);
	else
		return false;
	return true;
}

/* The walk stopped at an extension header it could not read. */
static bool chain_unreadable(const struct tunvnet_flow *f)
{
	uint8_t p = f->l4_proto;

	return (f->flags & TUNVNET_FLOW_TRUNCATED) && !(f->flags & TUNVNET_FLOW_EXT_LIMIT) &&
	       (p == TV_IPPROTO_HOPOPTS || p == TV_IPPROTO_ROUTING || p == TV_IPPROTO_FRAGMENT ||
		p == TV_IPPROTO_DSTOPTS || p == TV_IPPROTO_AH);
}

/* spec and qemu: TCP/UDP only with the whole minimal header, never on fragments. */
static void l4_complete(const struct tunvnet_flow *f, struct l4_info *l4)
{
	bool ok = (f->flags & TUNVNET_FLOW_L4_COMPLETE) && !(f->flags & TUNVNET_FLOW_FRAGMENT);

	l4->tcp = ok && (f->flags & TUNVNET_FLOW_TCP);
	l4->udp = ok && (f->flags & TUNVNET_FLOW_UDP);
	l4->ports = ok;
	l4->sport = f->src_port;
	l4->dport = f->dst_port;
}

static void classify_spec(const struct tunvnet_flow *f, uint32_t types, struct tunvnet_class *cls)
{
	struct l4_info l4;
	bool v6 = f->flags & TUNVNET_FLOW_IPV6;

	/*
	 * What the spec leaves open we settle as Microsoft's RSS rules do ("if
	 * the NIC cannot interpret the received data correctly, it must not
	 * compute the hash value"): a wrong version nibble, a chain we cannot
	 * walk or one longer than our bound -> no hash.
	 */
	if (f->flags & TUNVNET_FLOW_VERSION_MISMATCH)
		return;
	if (v6 && (chain_unreadable(f) || (f->flags & TUNVNET_FLOW_EXT_LIMIT)))
		return;
	l4_complete(f, &l4);
	/*
	 * 5.1.6.4.3.4 "IPv6 packets with extension header": TCP_EX, else UDP_EX,
	 * else IP_EX, "otherwise, skip IPv6 extension headers and calculate the
	 * hash as defined for IPv6 packets without extension header". The _EX
	 * types apply only to packets that carry extension headers; a packet
	 * without any follows 5.1.6.4.3.3, where only TCPv6/UDPv6/IPv6 count, so
	 * with only _EX types enabled it gets no hash (QEMU differs).
	 */
	if (v6 && (f->flags & TUNVNET_FLOW_EXT_HDRS) && ladder_ex(cls, types, f, &l4))
		return;
	ladder(cls, v6, types, f->src, f->dst, &l4);
}

static void classify_qemu(const struct tunvnet_flow *f, uint32_t types, struct tunvnet_class *cls)
{
	struct l4_info l4;
	bool v6 = f->flags & TUNVNET_FLOW_IPV6;

	/*
	 * eth_get_l2_hdr_length() skips one 0x8100 or 0x88a8 tag, or 0x88a8
	 * then 0x8100; deeper stacks leave a tag type as the L3 protocol. (Two
	 * 0x8100 tags are not told apart from 0x88a8+0x8100 here.)
	 */
	if ((f->flags & TUNVNET_FLOW_VLAN_9100) || f->vlan_tags > 2)
		return;
	/* eth_get_protocols() checks the IPv4 version nibble, not the IPv6 one. */
	if (!v6 && (f->flags & TUNVNET_FLOW_VERSION_MISMATCH))
		return;
	/* eth_parse_ipv6_hdr() fails when an extension header cannot be read. */
	if (v6 && (chain_unreadable(f) || (f->flags & TUNVNET_FLOW_EXT_LIMIT)))
		return;
	l4_complete(f, &l4);
	if (!v6) {
		ladder(cls, false, types, f->src, f->dst, &l4);
		return;
	}
	/*
	 * virtio_net_get_hash_type() for IPv6, whether or not the packet has
	 * extension headers (without any the value equals the plain one):
	 * TCP_EX, TCPv6 for TCP; UDP_EX, UDPv6 for UDP; then IP_EX, IPv6. So a
	 * TCP packet with TCPv6|IP_EX is TCPv6 here but IP_EX under the spec.
	 */
	if (l4.tcp && (types & TUNVNET_HASH_TYPE_TCP_EX))
		ladder_ex(cls, TUNVNET_HASH_TYPE_TCP_EX, f, &l4);
	else if (l4.tcp && (types & TUNVNET_HASH_TYPE_TCPV6))
		ladder(cls, true, TUNVNET_HASH_TYPE_TCPV6, f->src, f->dst, &l4);
	else if (l4.udp && (types & TUNVNET_HASH_TYPE_UDP_EX))
		ladder_ex(cls, TUNVNET_HASH_TYPE_UDP_EX, f, &l4);
	else if (l4.udp && (types & TUNVNET_HASH_TYPE_UDPV6))
		ladder(cls, true, TUNVNET_HASH_TYPE_UDPV6, f->src, f->dst, &l4);
	else if (types & TUNVNET_HASH_TYPE_IP_EX)
		ladder_ex(cls, TUNVNET_HASH_TYPE_IP_EX, f, &l4);
	else if (types & TUNVNET_HASH_TYPE_IPV6)
		ladder(cls, true, TUNVNET_HASH_TYPE_IPV6, f->src, f->dst, &l4);
}

static void classify_linux(const struct tunvnet_flow *f, uint32_t types, struct tunvnet_class *cls)
{
	struct l4_info l4 = { 0 };
	bool v6 = f->flags & TUNVNET_FLOW_IPV6;
	bool frag = f->flags & TUNVNET_FLOW_FRAGMENT;
	uint8_t proto = f->l4_proto;

	/*
	 * The dissector does not look at the version nibble: skb->protocol (the
	 * ethertype or pi.proto) decides. It does not walk AH: ip_proto stays 51
	 * and nothing behind it (not even a fragment header) counts.
	 */
	/* The dissector skips 802.1Q and 802.1ad tags only. */
	if (f->flags & TUNVNET_FLOW_VLAN_9100)
		return;
	if (v6 && (f->flags & TUNVNET_FLOW_AH)) {
		proto = TV_IPPROTO_AH;
		frag = false;
	} else if (v6 && chain_unreadable(f)) {
		/* __skb_header_pointer() failed on an extension header: out_bad. */
		return;
	}
	/*
	 * virtio_net_hash_report() follows ip_proto, complete header or not;
	 * the ports are __skb_flow_get_ports(): all 4 bytes or 0. Fragments
	 * (any, the first too: no FLOW_DISSECTOR_F_PARSE_1ST_FRAG) get no ports
	 * and the IP type.
	 */
	if (!frag) {
		l4.tcp = proto == TV_IPPROTO_TCP;
		l4.udp = proto == TV_IPPROTO_UDP;
		l4.ports = (l4.tcp || l4.udp) && (f->flags & TUNVNET_FLOW_PORTS);
		l4.sport = f->src_port;
		l4.dport = f->dst_port;
	}
	ladder(cls, v6, types & TUNVNET_HASH_TYPES_PLAIN, f->src, f->dst, &l4);
}

TUNVNET_API int tunvnet_classify(const struct tunvnet_flow *flow, uint32_t types,
				 enum tunvnet_profile profile, struct tunvnet_class *cls)
{
	tv_err_clear();
	if (!flow || !cls)
		return tv_err(-EINVAL, "classify: no %s", flow ? "class" : "flow");
	if (types & ~TUNVNET_HASH_TYPES_ALL)
		return tv_err(-EINVAL, "hash type mask %#x has bits outside 0x1ff", types);
	memset(cls, 0, sizeof(*cls));
	if (!(flow->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6)))
		return profile <= TUNVNET_PROFILE_EBPF
			       ? 0
			       : tv_err(-EINVAL, "unknown profile %d", (int)profile);
	switch (profile) {
	case TUNVNET_PROFILE_SPEC:
		classify_spec(flow, types, cls);
		return 0;
	case TUNVNET_PROFILE_LINUX:
		classify_linux(flow, types, cls);
		return 0;
	case TUNVNET_PROFILE_QEMU:
		classify_qemu(flow, types, cls);
		return 0;
	case TUNVNET_PROFILE_EBPF:
		/*
		 * The steering program's verifier-checked loops scan at most 16
		 * options for a Home Address (lib/bpf/steer.bpf.c): a frame that
		 * needs more gets no hash there; everything else is the spec's.
		 */
		if (!(flow->flags & TUNVNET_FLOW_OPTS_LIMIT))
			classify_spec(flow, types, cls);
		return 0;
	}
	return tv_err(-EINVAL, "unknown profile %d", (int)profile);
}

/* ---- the fast path ---- */

enum fast_l4 { FAST_OTHER, FAST_TCP, FAST_UDP };

/*
 * The report for an IP packet with nothing the profiles disagree on: no
 * options, not a fragment, no extension headers, at most one 802.1Q/802.1ad
 * tag, a matching version nibble, and a complete TCP/UDP header if any.
 * Then spec, linux and qemu differ only in QEMU's _EX types for IPv6.
 */
static unsigned int fast_report(bool v6, enum fast_l4 l4, uint32_t types,
				enum tunvnet_profile profile)
{
	if (!v6) {
		if (l4 == FAST_TCP && (types & TUNVNET_HASH_TYPE_TCPV4))
			return TUNVNET_REPORT_TCPV4;
		if (l4 == FAST_UDP && (types & TUNVNET_HASH_TYPE_UDPV4))
			return TUNVNET_REPORT_UDPV4;
		return (types & TUNVNET_HASH_TYPE_IPV4) ? TUNVNET_REPORT_IPV4 : TUNVNET_REPORT_NONE;
	}
	if (profile == TUNVNET_PROFILE_QEMU) {
		if (l4 == FAST_TCP && (types & TUNVNET_HASH_TYPE_TCP_EX))
			return TUNVNET_REPORT_TCPV6_EX;
		if (l4 == FAST_TCP && (types & TUNVNET_HASH_TYPE_TCPV6))
			return TUNVNET_REPORT_TCPV6;
		if (l4 == FAST_UDP && (types & TUNVNET_HASH_TYPE_UDP_EX))
			return TUNVNET_REPORT_UDPV6_EX;
		if (l4 == FAST_UDP && (types & TUNVNET_HASH_TYPE_UDPV6))
			return TUNVNET_REPORT_UDPV6;
		if (types & TUNVNET_HASH_TYPE_IP_EX)
			return TUNVNET_REPORT_IPV6_EX;
	} else {
		if (l4 == FAST_TCP && (types & TUNVNET_HASH_TYPE_TCPV6))
			return TUNVNET_REPORT_TCPV6;
		if (l4 == FAST_UDP && (types & TUNVNET_HASH_TYPE_UDPV6))
			return TUNVNET_REPORT_UDPV6;
	}
	return (types & TUNVNET_HASH_TYPE_IPV6) ? TUNVNET_REPORT_IPV6 : TUNVNET_REPORT_NONE;
}

/* TCP needs its 20-byte minimal header, UDP 8 bytes; anything else nothing. */
static bool fast_l4_kind(uint8_t proto, size_t avail, enum fast_l4 *l4)
{
	if (proto == TV_IPPROTO_TCP) {
		*l4 = FAST_TCP;
		return avail >= TV_TCP_HLEN;
	}
	if (proto == TV_IPPROTO_UDP) {
		*l4 = FAST_UDP;
		return avail >= TV_UDP_HLEN;
	}
	*l4 = FAST_OTHER;
	return true;
}

/* Inlined with a constant alen, so the copies are a few fixed-size moves. */
static inline __attribute__((always_inline)) void
fast_emit(struct tunvnet_class *cls, unsigned int report, const uint8_t *addrs, size_t alen,
	  const uint8_t *ports, const struct tunvnet_toeplitz *t)
{
	memset(cls, 0, sizeof(*cls));
	cls->report = report;
	if (report == TUNVNET_REPORT_NONE)
		return;
	memcpy(cls->input, addrs, alen);
	/* The address-only reports; all others are 4-tuples. */
	if (report == TUNVNET_REPORT_IPV4 || report == TUNVNET_REPORT_IPV6 ||
	    report == TUNVNET_REPORT_IPV6_EX) {
		cls->input_len = (uint8_t)alen;
		if (t)
			cls->hash = t->hash(t, addrs, alen);
		return;
	}
	memcpy(cls->input + alen, ports, 4);
	cls->input_len = (uint8_t)(alen + 4);
	if (t)
		cls->hash = tv_toeplitz_tuple(t, addrs, alen, ports);
}

/*
 * The common case read straight from the packet: no struct tunvnet_flow,
 * and the hash reads the addresses and ports in place. Returns false for
 * anything else, which the full parser then takes (its answer is the
 * definition: tests/unit/classify/test_fastpath_equiv.c holds us to it).
 */
static inline __attribute__((always_inline)) bool
classify_fast(const uint8_t *p, size_t len, enum tunvnet_l2 l2, uint32_t types,
	      enum tunvnet_profile profile, const struct tunvnet_toeplitz *t,
	      struct tunvnet_class *cls, struct tv_fast_info *info, bool report_only)
{
	const uint8_t *addrs, *ports;
	enum fast_l4 l4;
	size_t off;
	uint16_t proto;
	bool v6;

	switch (l2) {
	case TUNVNET_L2_ETH:
		if (len < TV_ETH_HLEN + TV_IPV4_HLEN)
			return false;
		proto = tv_get_be16(p + 12);
		off = TV_ETH_HLEN;
		/* One 802.1Q or 802.1ad tag: every profile skips it alike. */
		if (proto == TV_ETH_P_8021Q || proto == TV_ETH_P_8021AD) {
			proto = tv_get_be16(p + TV_ETH_HLEN + 2);
			off = TV_ETH_HLEN + TV_VLAN_HLEN;
		}
		break;
	case TUNVNET_L2_IP:
		if (len < TV_IPV4_HLEN)
			return false;
		proto = (p[0] >> 4) == 4 ? TV_ETH_P_IP : TV_ETH_P_IPV6;
		off = 0;
		break;
	case TUNVNET_L2_IP_PI:
		if (len < 4 + TV_IPV4_HLEN)
			return false;
		proto = tv_get_be16(p + 2);
		off = 4;
		break;
	default:
		return false;
	}
	if (proto == TV_ETH_P_IP) {
		/* Version 4, no options; neither MF nor a fragment offset. */
		if (len - off < TV_IPV4_HLEN || p[off] != 0x45 || (tv_get_be16(p + off + 6) & 0x3fff))
			return false;
		if (!fast_l4_kind(p[off + 9], len - off - TV_IPV4_HLEN, &l4))
			return false;
		v6 = false;
		addrs = p + off + 12;
		ports = p + off + TV_IPV4_HLEN;
	} else if (proto == TV_ETH_P_IPV6) {
		uint8_t nh;

		if (len - off < TV_IPV6_HLEN || (p[off] >> 4) != 6)
			return false;
		nh = p[off + 6];
		/* The parser's extension headers: hop-by-hop, routing, fragment, AH, dstopts. */
		if (nh == TV_IPPROTO_HOPOPTS || nh == TV_IPPROTO_ROUTING || nh == TV_IPPROTO_FRAGMENT ||
		    nh == TV_IPPROTO_AH || nh == TV_IPPROTO_DSTOPTS)
			return false;
		if (!fast_l4_kind(nh, len - off - TV_IPV6_HLEN, &l4))
			return false;
		v6 = true;
		addrs = p + off + 8;
		ports = p + off + TV_IPV6_HLEN;
	} else {
		return false;
	}

	if (info) {
		info->l4_proto = v6 ? p[off + 6] : p[off + 9];
		info->vlan_tags = off == TV_ETH_HLEN + TV_VLAN_HLEN;
		info->ethertype = l2 == TUNVNET_L2_IP ? 0 : proto; /* as the parser has it */
		info->alen = v6 ? 16 : 4;
		info->addrs = addrs;
		info->ports = l4 == FAST_OTHER ? NULL : ports;
	}
	if (report_only) { /* no Toeplitz input wanted (automq's check): info only */
		info->report = fast_report(v6, l4, types, profile);
		return true;
	}
	if (v6)
		fast_emit(cls, fast_report(true, l4, types, profile), addrs, 32, ports, t);
	else
		fast_emit(cls, fast_report(false, l4, types, profile), addrs, 8, ports, t);
	return true;
}

TUNVNET_API int tunvnet_classify_hash(const void *pkt, size_t len, enum tunvnet_l2 l2,
				      uint32_t types, enum tunvnet_profile profile,
				      const struct tunvnet_toeplitz *t, struct tunvnet_class *cls)
{
	struct tunvnet_flow flow;
	int err;

	tv_err_clear();
	if (!cls)
		return tv_err(-EINVAL, "classify_hash: no class");
	if (pkt && !(types & ~TUNVNET_HASH_TYPES_ALL) && (unsigned int)profile <= TUNVNET_PROFILE_EBPF &&
	    classify_fast(pkt, len, l2, types, profile, t, cls, NULL, false))
		return 0;
	err = tunvnet_packet_parse(pkt, len, l2, &flow);
	if (err)
		return err;
	err = tunvnet_classify(&flow, types, profile, cls);
	if (err)
		return err;
	if (t && cls->report != TUNVNET_REPORT_NONE)
		cls->hash = tunvnet_toeplitz_hash(t, cls->input, cls->input_len);
	return 0;
}

bool tv_classify_fast(const void *pkt, size_t len, enum tunvnet_l2 l2, uint32_t types,
		      enum tunvnet_profile profile, const struct tunvnet_toeplitz *t,
		      struct tunvnet_class *cls, struct tv_fast_info *info)
{
	return classify_fast(pkt, len, l2, types, profile, t, cls, info, false);
}

bool tv_classify_fast_report(const void *pkt, size_t len, enum tunvnet_l2 l2, uint32_t types,
			     enum tunvnet_profile profile, struct tv_fast_info *info)
{
	return classify_fast(pkt, len, l2, types, profile, NULL, NULL, info, true);
}
