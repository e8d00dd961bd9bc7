// SPDX-License-Identifier: MIT
/*
 * The floor for tunvnet-bench's steer rows: what every steering program
 * pays before it decides anything: one load of the frame's headers (all of
 * a bench frame, up to 192 bytes) into the stack, then return.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("socket")
int floor_prog(struct __sk_buff *skb)
{
	__u8 buf[192];
	__u32 n = skb->len < sizeof(buf) ? skb->len : sizeof(buf);

	if (n == 0 || bpf_skb_load_bytes(skb, 0, buf, n))
		return 0;
	return buf[0] & 3;
}
