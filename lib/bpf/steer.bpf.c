// SPDX-License-Identifier: MIT
/*
 * RSS queue selection for tun/tap (TUNSETSTEERINGEBPF, a socket filter):
 * classify the frame by the virtio spec's rules (the library's `spec`
 * profile: lib/packet.c + lib/classify.c), Toeplitz-hash the chosen input
 * with per-byte tables, return table[hash & mask], or the unclassified
 * queue when no enabled type applies. The kernel takes the value modulo the
 * number of queues.
 *
 * Reading: the frame starts at skb->data (offset 0) on both paths we run
 * on: a tap's transmit path (Ethernet) or a tun's (IP), and under
 * BPF_PROG_TEST_RUN when the caller puts 14 throw-away bytes first (the
 * kernel pulls them). So skb->len is the frame length on both, which the
 * truncation rules need, and bpf_skb_load_bytes also reads non-linear
 * skbs. One load brings the first CHUNK bytes into a per-CPU scratch map
 * value (map memory allows variable offsets with CAP_BPF alone; the stack
 * would need CAP_PERFMON); fields past it are loaded one by one, which
 * only long VLAN stacks and extension chains need.
 *
 * Loops are bounded loops the verifier checks iteration by iteration, with
 * the walk's state kept in the scratch map between iterations (MERGE), so
 * each iteration is one state, not one per path through the previous ones.
 * No bpf_loop: kernels without a BPF JIT (the test kernels) refuse
 * callbacks. That bounds the one loop the spec leaves unbounded: the
 * options of a Destination Options header are scanned for a Home Address
 * for at most OPTS_MAX steps; a scan that needs more gives the frame no
 * hash (the `ebpf` profile in lib/classify.c, TUNVNET_FLOW_OPTS_LIMIT).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "proto.h"
#include "steer_abi.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* The device's framing (TV_STEER_L2_*), fixed before the program is loaded. */
const volatile __u32 tv_l2 = TV_STEER_L2_ETH;

/* Bytes read in one load from the start of the frame. */
#define CHUNK 128
/* Copies of what lies past the chunk: an IP header's fixed part, HAO, RT2, ports. */
#define A_HDR 128
#define A_HAO 168
#define A_RT2 184
#define A_PORTS 200
/* mem indices kept in the scratch map are masked with IDX_MASK (a no-op) for the verifier. */
#define IDX_MASK 0xff
#define MEM_SZ (256 + 40)

#define EXT_MAX 16   /* extension headers walked (lib/packet.c EXT_HDR_MAX) */
#define TAGS_MAX 255 /* VLAN tags skipped (lib/packet.c VLAN_TAGS_MAX) */
#define OPTS_MAX 16  /* option steps per Destination Options header (lib/packet.c OPTS_SCAN_MAX) */

/* Walk state flags. */
#define F_NOHASH (1u << 0) /* no hash: truncated chain, too many headers */
#define F_FRAG (1u << 1)   /* a fragment header (L4 not used) */
#define F_HAO (1u << 2)    /* a Home Address option was found */
#define F_RT2 (1u << 3)    /* a type 2 routing header was found */

struct scratch {
	__u32 len;   /* frame length */
	__u32 off;   /* where the walk is */
	__u32 proto; /* ethertype, then the IPv6 next header */
	__u32 count; /* VLAN tags / extension headers walked */
	__u32 flags; /* F_* */
	__u32 hao;   /* mem index of the Home Address */
	__u32 rt2;   /* mem index of the RT2 address */
	__u32 opt;   /* option scan: position, end */
	__u32 opt_end;
	__u32 n;     /* bytes of the frame in mem (the first load) */
	__u8 tmp[24]; /* the slow walk's one load per step */
	__u8 mem[MEM_SZ];
};

/*
 * Two configuration slots; tv_active points at the one in force. Sizes, not
 * BTF types: with a map-in-map in the object, clang 14 emits the value
 * struct as a forward declaration, whose size libbpf cannot tell.
 */
#define SLOT_MAP                                      \
	{                                             \
		__uint(type, BPF_MAP_TYPE_ARRAY);     \
		__uint(max_entries, 1);               \
		__uint(key_size, sizeof(__u32));      \
		__uint(value_size, sizeof(struct tv_steer_slot)); \
	}
struct SLOT_MAP tv_slot0 SEC(".maps");
struct SLOT_MAP tv_slot1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct SLOT_MAP);
} tv_active SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} tv_scratch SEC(".maps");

/* Force values through memory: paths that meet here are one state to the verifier. */
#define MERGE() asm volatile("" ::: "memory")

static __always_inline int is_vlan(__u32 t)
{
	return t == TV_ETH_P_8021Q || t == TV_ETH_P_8021AD || t == TV_ETH_P_QINQ1;
}

/* Hop-by-hop, routing, fragment, AH, destination options (lib/packet.c's set). */
static __always_inline int is_ext(__u32 nh)
{
	return nh == TV_IPPROTO_HOPOPTS || nh == TV_IPPROTO_ROUTING || nh == TV_IPPROTO_FRAGMENT ||
	       nh == TV_IPPROTO_AH || nh == TV_IPPROTO_DSTOPTS;
}

/*
 * The full walk, past what the inline paths take: one bpf_skb_load_bytes
 * per step into tmp and fixed offsets from there (a read that may come
 * from the first load or from a helper call would fork the verifier's
 * paths at every byte).
 */

/* One VLAN tag (lib/packet.c); 1: the walk is over. */
static __always_inline int vlan_step(struct __sk_buff *skb, struct scratch *s)
{
	__u32 off = s->off;

	if (!is_vlan(s->proto) || s->count >= TAGS_MAX)
		return 1;
	if (s->len - off < 4) { /* off <= len holds: each step checked it */
		s->flags |= F_NOHASH;
		return 1;
	}
	bpf_skb_load_bytes(skb, off + 2, s->tmp, 2);
	s->proto = (__u32)s->tmp[0] << 8 | s->tmp[1];
	s->off = off + 4;
	s->count++;
	return 0;
}

/* One option of a Destination Options header (lib/packet.c find_home_addr); 1: done. */
static __always_inline int opt_step(struct __sk_buff *skb, struct scratch *s)
{
	__u32 o = s->opt, end = s->opt_end, l;

	if (o >= end)
		return 1;
	bpf_skb_load_bytes(skb, o, s->tmp, end - o >= 2 ? 2 : 1);
	if (s->tmp[0] == 0) { /* Pad1 */
		s->opt = o + 1;
		return 0;
	}
	if (end - o < 2)
		return 1;
	l = s->tmp[1];
	if (l + 2 > end - o)
		return 1;
	if (s->tmp[0] == 0xc9 && l == 16) {
		bpf_skb_load_bytes(skb, o + 2, s->mem + A_HAO, 16);
		s->hao = A_HAO;
		s->flags |= F_HAO;
		return 1;
	}
	s->opt = o + 2 + l;
	return 0;
}

/* One IPv6 extension header (lib/packet.c parse_ipv6); 1: the walk is over. */
static __always_inline int ext_step(struct __sk_buff *skb, struct scratch *s)
{
	__u32 nh = s->proto, o = s->off, len = s->len, avail, hlen, b1, next;
	int k;

	if (!is_ext(nh))
		return 1;
	if (s->count == EXT_MAX) {
		s->flags |= F_NOHASH; /* longer than the walk bound */
		return 1;
	}
	s->count++;
	avail = o < len ? len - o : 0;
	if (avail < (nh == TV_IPPROTO_FRAGMENT ? 8u : 2u)) {
		s->flags |= F_NOHASH; /* a header we cannot read */
		return 1;
	}
	bpf_skb_load_bytes(skb, o, s->tmp, avail < 24 ? avail : 24);
	next = s->tmp[0];
	b1 = s->tmp[1];
	if (nh == TV_IPPROTO_FRAGMENT) {
		hlen = 8;
		s->flags |= F_FRAG;
		if (((__u32)s->tmp[2] << 8 | s->tmp[3]) & 0xfff8) {
			s->proto = next; /* a later fragment: no upper-layer header */
			return 1;
		}
	} else if (nh == TV_IPPROTO_AH) {
		hlen = (b1 + 2) * 4;
	} else {
		hlen = (b1 + 1) * 8;
		if (nh == TV_IPPROTO_ROUTING) {
			/* Type 2 (RFC 6275): length 2, type 2, one segment left. */
			if (avail >= 24 && b1 == 2 && !(s->flags & F_RT2) && s->tmp[2] == 2 &&
			    s->tmp[3] == 1) {
				__builtin_memcpy(s->mem + A_RT2, s->tmp + 8, 16);
				s->rt2 = A_RT2;
				s->flags |= F_RT2;
			}
		} else if (nh == TV_IPPROTO_DSTOPTS && !(s->flags & F_HAO)) {
			/* (Once one is found, no later scan can change anything.) */
			s->opt = o + 2;
			s->opt_end = hlen <= avail ? o + hlen : len;
			for (k = 0; k < OPTS_MAX; k++) {
				MERGE();
				if (opt_step(skb, s))
					break;
				/* (Decided in the loop, so k is dead after it: one state.) */
				if (k == OPTS_MAX - 1 && s->opt < s->opt_end)
					s->flags |= F_NOHASH; /* more options than the scan takes */
			}
			MERGE();
			if (s->flags & F_NOHASH)
				return 1;
		}
	}
	s->proto = next;
	s->off = o + hlen; /* may pass len: the next step checks */
	return 0;
}

/*
 * Toeplitz: h ^= key[row + k][m[k]] for each input byte: 5 instructions
 * (load the byte, times 4, plus the row's base, load, xor). Written in asm
 * because clang hoists every byte load first, runs out of the 10 BPF
 * registers and spills, and adds a register copy per byte.
 */
#define TP_STEP(k)                                                              \
	asm volatile("%[t] = *(u8 *)(%[m] + %[mk])\n\t"                         \
		     "%[t] <<= 2\n\t"                                           \
		     "%[t] += %[tb]\n\t"                                        \
		     "%[t] = *(u32 *)(%[t] + %[tk])\n\t"                        \
		     "%[h] ^= %[t]"                                             \
		     : [h] "+r"(h), [t] "=&r"(t)                                \
		     : [m] "r"(m), [tb] "r"(tb), [mk] "i"(k), [tk] "i"((k) * 1024))

/* n (4 or 16) bytes at m, key rows from row on. */
static __always_inline __u32 tp(const struct tv_steer_slot *c, const __u8 *m, const int row,
				const int n, __u64 h)
{
	const __u32 *tb = c->key[row];
	__u64 t;

	TP_STEP(0);
	TP_STEP(1);
	TP_STEP(2);
	TP_STEP(3);
	if (n == 16) {
		TP_STEP(4);
		TP_STEP(5);
		TP_STEP(6);
		TP_STEP(7);
		TP_STEP(8);
		TP_STEP(9);
		TP_STEP(10);
		TP_STEP(11);
		TP_STEP(12);
		TP_STEP(13);
		TP_STEP(14);
		TP_STEP(15);
	}
	return (__u32)h;
}

#define T_IPV4 (1u << 0)
#define T_TCPV4 (1u << 1)
#define T_UDPV4 (1u << 2)
#define T_IPV6 (1u << 3)
#define T_TCPV6 (1u << 4)
#define T_UDPV6 (1u << 5)
#define T_IP_EX (1u << 6)
#define T_TCP_EX (1u << 7)
#define T_UDP_EX (1u << 8)



#define FAST_EXT 4  /* extension headers the inline walk takes */
#define FAST_OPTS 4 /* options per Destination Options header it scans */

/*
 * The common chains without a call per header: up to FAST_EXT headers,
 * each whole inside the first load, options found within FAST_OPTS steps.
 * Same rules as ext_step/opt_step for what it takes (no header here is cut
 * short, so none of their truncation cases arise); anything else returns
 * 0 and the caller walks the chain again with those. State lives in the
 * scratch map between headers, so the verifier sees one state per header,
 * not one per path through the previous ones.
 */
static __always_inline int fast_ext(struct scratch *s)
{
	const __u8 *m = s->mem;
	int i, k;

	for (i = 0; i < FAST_EXT; i++) {
		__u32 nh, o, n, next, b1, hlen, p, end, t, l;

		MERGE();
		nh = s->proto;
		o = s->off;
		n = s->n;
		if (!is_ext(nh))
			return 1;
		if (o > CHUNK - 8 || o + 8 > n)
			return 0;
		next = m[o];
		b1 = m[o + 1];
		if (nh == TV_IPPROTO_FRAGMENT) {
			hlen = 8;
			s->flags |= F_FRAG;
			if (((__u32)m[o + 2] << 8 | m[o + 3]) & 0xfff8) {
				s->count++;
				s->proto = next; /* a later fragment: no upper-layer header */
				return 1;
			}
		} else if (nh == TV_IPPROTO_AH) {
			hlen = (b1 + 2) * 4;
		} else {
			hlen = (b1 + 1) * 8;
		}
		if (o + hlen > n)
			return 0; /* cut short, or past the first load */
		if (nh == TV_IPPROTO_ROUTING && b1 == 2 && !(s->flags & F_RT2) && m[o + 2] == 2 && m[o + 3] == 1) {
			s->rt2 = o + 8;
			s->flags |= F_RT2;
		} else if (nh == TV_IPPROTO_DSTOPTS) {
			end = o + hlen;
			p = o + 2;
			for (k = 0; k < FAST_OPTS; k++) {
				MERGE();
				if (p >= end)
					break;
				p &= CHUNK - 1; /* (p < end <= n <= CHUNK: for the verifier) */
				t = m[p];
				if (t == 0) { /* Pad1 */
					p++;
					continue;
				}
				if (end - p < 2)
					break;
				l = m[p + 1];
				if (l + 2 > end - p)
					break;
				if (t == 0xc9 && l == 16) {
					if (!(s->flags & F_HAO)) {
						s->hao = p + 2;
						s->flags |= F_HAO;
					}
					break;
				}
				p += l + 2;
			}
			if (k == FAST_OPTS && p < end)
				return 0; /* more options than the fast scan takes */
		}
		s->count++;
		s->proto = next;
		s->off = o + hlen;
	}
	MERGE();
	return !is_ext(s->proto); /* a longer chain: the full walk */
}

/*
 * The fixed part of an IP header at off (len - off >= sz checked by the
 * caller): in the chunk, or loaded into A_HDR.
 */
static __always_inline const __u8 *ip_hdr(struct __sk_buff *skb, __u8 *m, __u32 off, __u32 sz)
{
	if (off <= CHUNK - sz)
		return m + off;
	bpf_skb_load_bytes(skb, off, m + A_HDR, sz);
	return m + A_HDR;
}

/* 4 port bytes at l4 (in the frame: checked by the caller). */
static __always_inline const __u8 *ports_at(struct __sk_buff *skb, __u8 *m, __u32 l4)
{
	if (l4 <= CHUNK - 4)
		return m + l4;
	bpf_skb_load_bytes(skb, l4, m + A_PORTS, 4);
	return m + A_PORTS;
}

static __always_inline int steer_ipv4(struct __sk_buff *skb, struct scratch *s,
				      const struct tv_steer_slot *c, __u32 off, __u32 *hash)
{
	__u32 len = s->len, ihl, frag, l4, types = c->types;
	const __u8 *h;
	int tcp, udp, ports;

	if (len - off < 20)
		return 0; /* not an IPv4 header anyone hashes */
	h = ip_hdr(skb, s->mem, off, 20);
	ihl = (h[0] & 15) * 4;
	if (ihl < 20)
		return 0;
	if (tv_l2 != TV_STEER_L2_IP && (h[0] >> 4) != 4)
		return 0; /* version nibble disagrees with the ethertype */
	frag = ((__u32)h[6] << 8 | h[7]) & 0x3fff; /* MF or an offset */
	l4 = off + ihl;
	/* The whole minimal header, and never on a fragment. */
	tcp = h[9] == TV_IPPROTO_TCP && !frag && l4 <= len && len - l4 >= 20;
	udp = h[9] == TV_IPPROTO_UDP && !frag && l4 <= len && len - l4 >= 8;
	if ((tcp && (types & T_TCPV4)) || (udp && (types & T_UDPV4)))
		ports = 1;
	else if (types & T_IPV4)
		ports = 0;
	else
		return 0;
	*hash = tp(c, h + 16, 4, 4, tp(c, h + 12, 0, 4, 0));
	if (ports)
		*hash = tp(c, ports_at(skb, s->mem, l4), 8, 4, *hash);
	return 1;
}

static __always_inline int steer_ipv6(struct __sk_buff *skb, struct scratch *s,
				      const struct tv_steer_slot *c, __u32 off, __u32 *hash)
{
	__u32 len = s->len, o, nh, flags, types = c->types;
	const __u8 *h, *src, *dst;
	int tcp, udp, ports, ex = 0, i;

	if (len - off < 40)
		return 0;
	h = ip_hdr(skb, s->mem, off, 40);
	if (tv_l2 != TV_STEER_L2_IP && (h[0] >> 4) != 6)
		return 0;
	nh = h[6];
	s->proto = nh;
	s->off = off + 40;
	s->count = 0;
	s->flags = 0;
	if (is_ext(nh) && !fast_ext(s)) {
		/* From the start again, every rule, any length. */
		s->proto = nh;
		s->off = off + 40;
		s->count = 0;
		s->flags = 0;
		for (i = 0; i <= EXT_MAX; i++) {
			MERGE();
			if (ext_step(skb, s))
				break;
		}
	}
	MERGE();
	flags = s->flags;
	if (flags & F_NOHASH)
		return 0;
	o = s->off;
	nh = s->proto;
	tcp = nh == TV_IPPROTO_TCP && !(flags & F_FRAG) && o <= len && len - o >= 20;
	udp = nh == TV_IPPROTO_UDP && !(flags & F_FRAG) && o <= len && len - o >= 8;

	/*
	 * 5.1.6.4.3.4: with extension headers TCP_EX, UDP_EX, IP_EX first,
	 * otherwise as a packet without them.
	 */
	if (s->count && ((tcp && (types & T_TCP_EX)) || (udp && (types & T_UDP_EX)))) {
		ports = 1;
		ex = 1;
	} else if (s->count && (types & T_IP_EX)) {
		ports = 0;
		ex = 1;
	} else if ((tcp && (types & T_TCPV6)) || (udp && (types & T_UDPV6))) {
		ports = 1;
	} else if (types & T_IPV6) {
		ports = 0;
	} else {
		return 0;
	}

	src = h + 8;
	dst = h + 24;
	if (ex && (flags & F_HAO))
		src = s->mem + (s->hao & IDX_MASK); /* the Home Address replaces the source */
	if (ex && (flags & F_RT2))
		dst = s->mem + (s->rt2 & IDX_MASK); /* the RT2 address the destination */
	*hash = tp(c, dst, 16, 16, tp(c, src, 0, 16, 0));
	if (ports)
		*hash = tp(c, ports_at(skb, s->mem, o), 32, 4, *hash);
	return 1;
}

SEC("socket")
int tv_steer(struct __sk_buff *skb)
{
	const struct tv_steer_slot *c;
	struct scratch *s;
	__u32 zero = 0, len, n, off = 0, proto, hash = 0;
	void *slot;
	__u8 *m;
	int ok = 0, i;

	slot = bpf_map_lookup_elem(&tv_active, &zero);
	if (!slot)
		return 0; /* not configured yet */
	c = bpf_map_lookup_elem(slot, &zero);
	if (!c)
		return 0;
	s = bpf_map_lookup_elem(&tv_scratch, &zero);
	if (!s)
		return c->unclassified;
	m = s->mem;
	len = skb->len;
	s->len = len;
	n = len < CHUNK ? len : CHUNK;
	s->n = n;
	if (n == 0 || bpf_skb_load_bytes(skb, 0, m, n))
		return c->unclassified;

	if (tv_l2 == TV_STEER_L2_ETH) {
		if (len < TV_ETH_HLEN)
			return c->unclassified;
		proto = (__u32)m[12] << 8 | m[13];
		off = TV_ETH_HLEN;
		if (is_vlan(proto)) {
			/*
			 * A tag the device took out of the frame counts too: the
			 * reader gets it back in the frame. Two tags inline, more
			 * through the loop.
			 */
			s->proto = proto;
			s->off = off;
			s->count = skb->vlan_present ? 1 : 0;
			s->flags = 0;
			for (i = 0; i < TAGS_MAX; i++) {
				MERGE();
				if (vlan_step(skb, s))
					break;
			}
			MERGE();
			if (s->flags & F_NOHASH)
				return c->unclassified;
			proto = s->proto;
			off = s->off;
		}
		if (proto == TV_ETH_P_IP)
			ok = steer_ipv4(skb, s, c, off, &hash);
		else if (proto == TV_ETH_P_IPV6)
			ok = steer_ipv6(skb, s, c, off, &hash);
	} else {
		if (tv_l2 == TV_STEER_L2_IP)
			proto = m[0] >> 4 == 4 ? TV_ETH_P_IP : m[0] >> 4 == 6 ? TV_ETH_P_IPV6 : 0;
		else
			proto = bpf_ntohs(skb->protocol);
		if (proto == TV_ETH_P_IP)
			ok = steer_ipv4(skb, s, c, 0, &hash);
		else if (proto == TV_ETH_P_IPV6)
			ok = steer_ipv6(skb, s, c, 0, &hash);
	}
	if (!ok)
		return c->unclassified;
	return c->table[hash & c->mask & (TV_STEER_TABLE_LEN - 1)];
}
