/* SPDX-License-Identifier: MIT */
/*
 * Private: the RSS steering eBPF program (lib/bpf/steer.bpf.c) and its
 * configuration maps. backend_ebpf.c attaches tv_steer_prog_fd() with
 * TUNSETSTEERINGEBPF; this file only loads and configures.
 *
 * The program returns table[hash & (table_len - 1)] for a classified frame
 * and the unclassified queue otherwise; the kernel takes that modulo the
 * number of queues, so it equals tunvnet_rss_queue() over
 * tunvnet_classify_hash(frame, l2, cfg->types, TUNVNET_PROFILE_EBPF,
 * toeplitz(cfg->key)) of the frame as a queue read returns it.
 *
 * Threads: tv_steer_configure() may be called from any thread while the
 * program runs (it serialises itself); open and close must not race with
 * anything else on the same handle.
 */
#ifndef TUNVNET_STEER_PROG_H
#define TUNVNET_STEER_PROG_H

#include "tunvnet/tunvnet.h"

/*
 * The largest indirection table the program holds: all a guest can name
 * (indirection_table_mask is a le16), which is also TUNVNET_TABLE_MAX.
 */
#define TV_STEER_TABLE_MAX 65536u

struct tv_steer; /* one loaded program + its maps */

/*
 * Load a program for a device whose frames start as l2 says: TUNVNET_L2_ETH
 * (tap), TUNVNET_L2_IP (tun with IFF_NO_PI: IP by version nibble) or
 * TUNVNET_L2_IP_PI (tun with packet info: the program follows skb->protocol,
 * which is what the kernel writes into pi.proto). Until the first
 * tv_steer_configure() the program returns 0.
 * -EPERM without CAP_BPF (or CAP_SYS_ADMIN), -EOPNOTSUPP without bpf() or
 * without a feature the program needs, -EINVAL when the verifier refuses it;
 * tunvnet_last_error() says which.
 */
int tv_steer_open(struct tv_steer **sp, enum tunvnet_l2 l2);

/*
 * Apply a configuration with TUNVNET_HASH_RSS (types, key, table,
 * unclassified queue; REPORT and QUEUE_WRAP are ignored here). Writes the
 * inactive slot, then flips the active slot; returns after every program
 * run that could still see the old slot has finished (an RCU grace period),
 * so a frame is steered by the old or the new configuration, never a mix,
 * and every frame sent after the return uses the new one.
 * -EINVAL for a configuration the program cannot hold (no RSS, a table not
 * a power of two or longer than TV_STEER_TABLE_MAX, a bad key).
 */
int tv_steer_configure(struct tv_steer *s, const struct tunvnet_hash_cfg *cfg);

/*
 * The program's fd for TUNSETSTEERINGEBPF. It reads the frame from
 * skb->data (the Ethernet header on a tap's transmit path, the IP header
 * on a tun's). BPF_PROG_TEST_RUN pulls 14 bytes as an Ethernet header
 * before a socket filter runs, so there give it 14 bytes of any header
 * first and the frame after them (for TUNVNET_L2_IP_PI, their ethertype
 * becomes skb->protocol: use the packet-info protocol, >= 0x0600).
 */
int tv_steer_prog_fd(const struct tv_steer *s);

/* Unload (a device it is attached to keeps its own reference). NULL: no-op. */
void tv_steer_close(struct tv_steer *s);

#endif /* TUNVNET_STEER_PROG_H */
