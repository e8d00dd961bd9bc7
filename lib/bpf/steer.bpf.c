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
 * Loops: VLAN tags (up to 255, as the parser), IPv6 extension headers (16)
 * and the options of a Destination Options header run through bpf_loop, so
 * the verifier checks each body once, whatever the count.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "steer_abi.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* The device's framing (TV_STEER_L2_*), fixed before the program is loaded. */
const volatile __u32 tv_l2 = TV_STEER_L2_ETH;

/* Bytes read in one load from the start of the frame. */
#define CHUNK 128
/* Copies of fields that lie past the chunk (addresses 32, HAO, RT2, ports). */
#define A_ADDR 128
#define A_HAO 160
#define A_RT2 176
#define A_PORTS 192
/* Indices into mem are masked with IDX_MASK; mem has room for 36 bytes past it. */
#define IDX_MASK 0xff
#define MEM_SZ (256 + 40)

#define EXT_MAX 16   /* extension headers walked (lib/packet.c EXT_HDR_MAX) */
#define TAGS_MAX 255 /* VLAN tags skipped (lib/packet.c VLAN_TAGS_MAX) */
#define OPTS_MAX 2048 /* options in one Destination Options header (<= 2046 bytes) */

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

/* What the bpf_loop callbacks get. */
struct walk {
	struct __sk_buff *skb;
	struct scratch *s;
};

/* Byte pos of the frame; the caller has checked pos < len. */
static __always_inline __u32 rd8(struct walk *w, __u32 pos)
{
	__u8 b = 0;

	if (pos < CHUNK)
		return w->s->mem[pos];
	bpf_skb_load_bytes(w->skb, pos, &b, 1);
	return b;
}

/* Big-endian 16 bits at pos; the caller has checked pos + 2 <= len. */
static __always_inline __u32 rd16(struct walk *w, __u32 pos)
{
	__u8 b[2] = { 0, 0 };

	if (pos < CHUNK - 1)
		return (__u32)w->s->mem[pos] << 8 | w->s->mem[pos + 1];
	bpf_skb_load_bytes(w->skb, pos, b, 2);
	return (__u32)b[0] << 8 | b[1];
}

/*
 * The mem index of sz bytes at pos (pos + sz <= len checked by the caller):
 * in the chunk, or copied to area.
 */
static __always_inline __u32 grab(struct walk *w, __u32 pos, __u32 sz, __u32 area)
{
	if (pos <= CHUNK - sz)
		return pos;
	bpf_skb_load_bytes(w->skb, pos, w->s->mem + area, sz);
	return area;
}

static __always_inline int is_vlan(__u32 t)
{
	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

/* Hop-by-hop, routing, fragment, AH, destination options (lib/packet.c's set). */
static __always_inline int is_ext(__u32 nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60;
}

static long vlan_step(__u32 i, void *ctx)
{
	struct walk *w = ctx;
	struct scratch *s = w->s;
	__u32 off = s->off;

	if (!is_vlan(s->proto))
		return 1;
	if (s->len - off < 4) { /* off <= len holds: each step checked it */
		s->flags |= F_NOHASH;
		return 1;
	}
	s->proto = rd16(w, off + 2);
	s->off = off + 4;
	return 0;
}

/* One option of a Destination Options header (lib/packet.c find_home_addr). */
static long opt_step(__u32 i, void *ctx)
{
	struct walk *w = ctx;
	struct scratch *s = w->s;
	__u32 o = s->opt, end = s->opt_end, t, l;

	if (o >= end)
		return 1;
	t = rd8(w, o);
	if (t == 0) { /* Pad1 */
		s->opt = o + 1;
		return 0;
	}
	if (end - o < 2)
		return 1;
	l = rd8(w, o + 1);
	if (l + 2 > end - o)
		return 1;
	if (t == 0xc9 && l == 16) {
		if (!(s->flags & F_HAO)) {
			s->hao = grab(w, o + 2, 16, A_HAO);
			s->flags |= F_HAO;
		}
		return 1;
	}
	s->opt = o + 2 + l;
	return 0;
}

/* One IPv6 extension header (lib/packet.c parse_ipv6). */
static long ext_step(__u32 i, void *ctx)
{
	struct walk *w = ctx;
	struct scratch *s = w->s;
	__u32 nh = s->proto, o = s->off, len = s->len, avail, hlen, b1, next;

	if (!is_ext(nh))
		return 1;
	if (s->count == EXT_MAX) {
		s->flags |= F_NOHASH; /* longer than the walk bound */
		return 1;
	}
	s->count++;
	avail = o < len ? len - o : 0;
	if (avail < (nh == 44 ? 8u : 2u)) {
		s->flags |= F_NOHASH; /* a header we cannot read */
		return 1;
	}
	next = rd8(w, o);
	b1 = rd8(w, o + 1);
	if (nh == 44) {
		hlen = 8;
		s->flags |= F_FRAG;
		if (rd16(w, o + 2) & 0xfff8) {
			s->proto = next; /* a later fragment: no upper-layer header */
			return 1;
		}
	} else if (nh == 51) {
		hlen = (b1 + 2) * 4;
	} else {
		hlen = (b1 + 1) * 8;
		if (nh == 43) {
			/* Type 2 (RFC 6275): length 2, type 2, one segment left. */
			if (avail >= 24 && b1 == 2 && !(s->flags & F_RT2) && rd8(w, o + 2) == 2 &&
			    rd8(w, o + 3) == 1) {
				s->rt2 = grab(w, o + 8, 16, A_RT2);
				s->flags |= F_RT2;
			}
		} else if (nh == 60) {
			s->opt = o + 2;
			s->opt_end = hlen <= avail ? o + hlen : len;
			bpf_loop(OPTS_MAX, opt_step, w, 0);
		}
	}
	s->proto = next;
	s->off = o + hlen; /* may pass len: the next step checks */
	return 0;
}

/* Toeplitz over n bytes at mem[idx], key rows from row on. */
#define TP_BYTE(k) c->key[row + (k)][m[k]]
static __always_inline __u32 tp4(const struct tv_steer_slot *c, const __u8 *m, const int row)
{
	return (TP_BYTE(0) ^ TP_BYTE(1)) ^ (TP_BYTE(2) ^ TP_BYTE(3));
}

static __always_inline __u32 tp16(const struct tv_steer_slot *c, const __u8 *m, const int row)
{
	return (tp4(c, m, row) ^ tp4(c, m + 4, row + 4)) ^
	       (tp4(c, m + 8, row + 8) ^ tp4(c, m + 12, row + 12));
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

/* What to hash. */
enum { H_NONE, H_ADDR, H_PORTS };

static __always_inline int steer_ipv4(struct walk *w, const struct tv_steer_slot *c, __u32 off,
				      __u32 *hash)
{
	struct scratch *s = w->s;
	__u32 len = s->len, b0, ihl, proto, frag, l4, a, types = c->types;
	int tcp, udp, what;

	if (len - off < 20)
		return 0; /* not an IPv4 header anyone hashes */
	b0 = rd8(w, off);
	ihl = (b0 & 15) * 4;
	if (ihl < 20)
		return 0;
	if (tv_l2 != TV_STEER_L2_IP && (b0 >> 4) != 4)
		return 0; /* version nibble disagrees with the ethertype */
	proto = rd8(w, off + 9);
	frag = rd16(w, off + 6) & 0x3fff; /* MF or an offset */
	l4 = off + ihl;
	/* The whole minimal header, and never on a fragment. */
	tcp = proto == 6 && !frag && l4 <= len && len - l4 >= 20;
	udp = proto == 17 && !frag && l4 <= len && len - l4 >= 8;
	if (tcp && (types & T_TCPV4))
		what = H_PORTS;
	else if (udp && (types & T_UDPV4))
		what = H_PORTS;
	else if (types & T_IPV4)
		what = H_ADDR;
	else
		return 0;

	a = grab(w, off + 12, 8, A_ADDR) & IDX_MASK;
	*hash = tp4(c, s->mem + a, 0) ^ tp4(c, s->mem + a + 4, 4);
	if (what == H_PORTS) {
		a = grab(w, l4, 4, A_PORTS) & IDX_MASK;
		*hash ^= tp4(c, s->mem + a, 8);
	}
	return 1;
}

static __always_inline int steer_ipv6(struct walk *w, const struct tv_steer_slot *c, __u32 off,
				      __u32 *hash)
{
	struct scratch *s = w->s;
	__u32 len = s->len, b0, o, nh, a, src, dst, types = c->types;
	int tcp, udp, what, ex = 0;

	if (len - off < 40)
		return 0;
	b0 = rd8(w, off);
	if (tv_l2 != TV_STEER_L2_IP && (b0 >> 4) != 6)
		return 0;
	s->proto = rd8(w, off + 6);
	s->off = off + 40;
	s->count = 0;
	s->flags = 0;
	if (is_ext(s->proto))
		bpf_loop(EXT_MAX + 1, ext_step, w, 0);
	if (s->flags & F_NOHASH)
		return 0;
	o = s->off;
	nh = s->proto;
	tcp = nh == 6 && !(s->flags & F_FRAG) && o <= len && len - o >= 20;
	udp = nh == 17 && !(s->flags & F_FRAG) && o <= len && len - o >= 8;

	/*
	 * 5.1.6.4.3.4: with extension headers TCP_EX, UDP_EX, IP_EX first,
	 * otherwise as a packet without them.
	 */
	if (s->count && tcp && (types & T_TCP_EX)) {
		what = H_PORTS;
		ex = 1;
	} else if (s->count && udp && (types & T_UDP_EX)) {
		what = H_PORTS;
		ex = 1;
	} else if (s->count && (types & T_IP_EX)) {
		what = H_ADDR;
		ex = 1;
	} else if (tcp && (types & T_TCPV6)) {
		what = H_PORTS;
	} else if (udp && (types & T_UDPV6)) {
		what = H_PORTS;
	} else if (types & T_IPV6) {
		what = H_ADDR;
	} else {
		return 0;
	}

	a = grab(w, off + 8, 32, A_ADDR);
	src = a;
	dst = a + 16;
	if (ex && (s->flags & F_HAO))
		src = s->hao; /* the Home Address replaces the source */
	if (ex && (s->flags & F_RT2))
		dst = s->rt2; /* the RT2 address the destination */
	src &= IDX_MASK;
	dst &= IDX_MASK;
	*hash = tp16(c, s->mem + src, 0) ^ tp16(c, s->mem + dst, 16);
	if (what == H_PORTS) {
		a = grab(w, o, 4, A_PORTS) & IDX_MASK;
		*hash ^= tp4(c, s->mem + a, 32);
	}
	return 1;
}

SEC("socket")
int tv_steer(struct __sk_buff *skb)
{
	struct walk w = { .skb = skb };
	const struct tv_steer_slot *c;
	struct scratch *s;
	__u32 zero = 0, len, n, off = 0, proto, hash = 0;
	void *slot;
	int ok = 0;

	slot = bpf_map_lookup_elem(&tv_active, &zero);
	if (!slot)
		return 0; /* not configured yet */
	c = bpf_map_lookup_elem(slot, &zero);
	if (!c)
		return 0;
	s = bpf_map_lookup_elem(&tv_scratch, &zero);
	if (!s)
		return c->unclassified;
	w.s = s;
	len = skb->len;
	s->len = len;
	n = len < CHUNK ? len : CHUNK;
	if (n == 0 || bpf_skb_load_bytes(skb, 0, s->mem, n))
		return c->unclassified;

	if (tv_l2 == TV_STEER_L2_ETH) {
		if (len < 14)
			return c->unclassified;
		proto = rd16(&w, 12);
		off = 14;
		if (is_vlan(proto)) {
			/* A tag the device took out of the frame is counted too:
			 * the reader gets it back in the frame. */
			s->proto = proto;
			s->off = off;
			s->flags = 0;
			bpf_loop(TAGS_MAX - (skb->vlan_present ? 1 : 0), vlan_step, &w, 0);
			if (s->flags & F_NOHASH)
				return c->unclassified;
			proto = s->proto;
			off = s->off;
		}
		if (proto == 0x0800)
			ok = steer_ipv4(&w, c, off, &hash);
		else if (proto == 0x86dd)
			ok = steer_ipv6(&w, c, off, &hash);
	} else {
		if (tv_l2 == TV_STEER_L2_IP)
			proto = rd8(&w, 0) >> 4 == 4 ? 0x0800 : rd8(&w, 0) >> 4 == 6 ? 0x86dd : 0;
		else
			proto = bpf_ntohs(skb->protocol);
		if (proto == 0x0800)
			ok = steer_ipv4(&w, c, 0, &hash);
		else if (proto == 0x86dd)
			ok = steer_ipv6(&w, c, 0, &hash);
	}
	if (!ok)
		return c->unclassified;
	return c->table[hash & c->mask & (TV_STEER_TABLE_LEN - 1)];
}
