/* SPDX-License-Identifier: MIT */
/*
 * Protocol facts the library's packet code shares (not installed): one
 * place for ethertypes, IP protocol numbers and header lengths, so
 * packet.c, classify.c, verify*.c and device.c cannot disagree. Values
 * from IEEE 802.1Q, IANA's registries and RFC 791 / 8200 / 793 / 768.
 */
#ifndef TUNVNET_PROTO_H
#define TUNVNET_PROTO_H

/* Ethertypes */
#define TV_ETH_P_IP 0x0800u
#define TV_ETH_P_ARP 0x0806u
#define TV_ETH_P_TEB 0x6558u    /* transparent Ethernet bridging (GRE) */
#define TV_ETH_P_8021Q 0x8100u
#define TV_ETH_P_IPV6 0x86ddu
#define TV_ETH_P_PPP_SES 0x8864u
#define TV_ETH_P_8021AD 0x88a8u
#define TV_ETH_P_QINQ1 0x9100u  /* pre-standard Q-in-Q */

/* IP protocol numbers / IPv6 next headers */
#define TV_IPPROTO_HOPOPTS 0
#define TV_IPPROTO_IPIP 4
#define TV_IPPROTO_TCP 6
#define TV_IPPROTO_UDP 17
#define TV_IPPROTO_IPV6 41
#define TV_IPPROTO_ROUTING 43
#define TV_IPPROTO_FRAGMENT 44
#define TV_IPPROTO_GRE 47
#define TV_IPPROTO_AH 51
#define TV_IPPROTO_DSTOPTS 60

/* Header lengths (bytes) */
#define TV_ETH_HLEN 14
#define TV_VLAN_HLEN 4
#define TV_IPV4_HLEN 20 /* without options */
#define TV_IPV6_HLEN 40
#define TV_TCP_HLEN 20  /* without options */
#define TV_UDP_HLEN 8

#endif /* TUNVNET_PROTO_H */
