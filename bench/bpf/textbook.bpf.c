// SPDX-License-Identifier: MIT
/*
 * The comparison for tunvnet-bench's steer rows: a steering program as the
 * ones in use today are written (our own code, for measuring only). It
 * loads each header with its own bpf_skb_load_bytes_relative call, gathers
 * the addresses and ports into a fixed 36-byte buffer (zero where unused),
 * and hashes all 288 bits of it one at a time with the key kept as 32
 * leading bits plus the next byte. Ethernet with at most one tag; IPv4;
 * IPv6 with up to 8 extension headers walked (their addresses not used).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct tb_cfg {
	__u32 table_len;
	__u8 key[40];
	__u16 table[128];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tb_cfg);
} tb_cfg SEC(".maps");

static __always_inline int load(struct __sk_buff *skb, __u32 off, void *to, __u32 len)
{
	return bpf_skb_load_bytes_relative(skb, off, to, len, BPF_HDR_START_MAC);
}

SEC("socket")
int textbook(struct __sk_buff *skb)
{
	__u8 t[36] = { 0 }, eth[14], ip[40], ext[2], ports[4];
	__u32 zero = 0, off = 14, proto, l4 = 0, h = 0, lead;
	struct tb_cfg *c = bpf_map_lookup_elem(&tb_cfg, &zero);
	int i, b, nh = -1;

	if (!c || !c->table_len)
		return 0;
	if (load(skb, 0, eth, 14))
		return 0;
	proto = (__u32)eth[12] << 8 | eth[13];
	if (proto == 0x8100 || proto == 0x88a8) {
		if (load(skb, 16, ext, 2))
			return 0;
		proto = (__u32)ext[0] << 8 | ext[1];
		off = 18;
	}
	if (proto == 0x0800) {
		if (load(skb, off, ip, 20))
			return 0;
		__builtin_memcpy(t, ip + 12, 8);
		if (!(((__u32)ip[6] << 8 | ip[7]) & 0x3fff)) {
			nh = ip[9];
			l4 = off + (ip[0] & 15) * 4;
		}
		if ((nh == 6 || nh == 17) && !load(skb, l4, ports, 4))
			__builtin_memcpy(t + 8, ports, 4);
	} else if (proto == 0x86dd) {
		if (load(skb, off, ip, 40))
			return 0;
		__builtin_memcpy(t, ip + 8, 32);
		nh = ip[6];
		l4 = off + 40;
		for (i = 0; i < 8; i++) {
			if (nh != 0 && nh != 43 && nh != 60 && nh != 51)
				break;
			if (load(skb, l4, ext, 2))
				return 0;
			l4 += nh == 51 ? (ext[1] + 2) * 4 : (ext[1] + 1) * 8;
			nh = ext[0];
		}
		if ((nh == 6 || nh == 17) && !load(skb, l4, ports, 4))
			__builtin_memcpy(t + 32, ports, 4);
	} else {
		return 0;
	}

	/* Bit by bit: a set input bit XORs in the 32 key bits in front of it. */
	lead = (__u32)c->key[0] << 24 | (__u32)c->key[1] << 16 | (__u32)c->key[2] << 8 | c->key[3];
	for (i = 0; i < 36; i++) {
		__u8 in = t[i], kb = c->key[i + 4];

		for (b = 7; b >= 0; b--) {
			if (in & (1u << b))
				h ^= lead;
			lead = lead << 1 | ((kb >> b) & 1);
		}
	}
	return c->table[(h % c->table_len) & 127];
}
