/* SPDX-License-Identifier: MIT */
/*
 * Writes the seed corpus (tests/fuzz/corpus/) from crafted frames; run by
 * hand after changing it: gen-corpus tests/fuzz/corpus. Not a test.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../unit/classify/pktbuild.h"

static void put(const char *dir, const char *name, const void *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

static void frames(const char *dir)
{
	static const uint16_t qinq[2] = { 0x88a8, 0x8100 }, old[1] = { 0x9100 };
	struct pb b;
	int i;

#define SEED(name) put(dir, name, b.buf, b.len), b.len = 0
	b.len = 0;
	pb_eth(&b, 0x0800); pb_ipv4(&b, "66.9.149.187", "161.142.100.80", 6); pb_tcp(&b, 2794, 1766);
	SEED("eth-ipv4-tcp");
	pb_eth(&b, 0x0800); pb_ipv4_full(&b, "10.0.0.1", "10.0.0.2", 17, 0, 8); pb_udp(&b, 53, 53);
	SEED("eth-ipv4-options-udp");
	pb_eth_tags(&b, qinq, 2, 0x0800); pb_ipv4_full(&b, "10.0.0.1", "10.0.0.2", 6, 0x2000, 5);
	pb_tcp(&b, 1, 2);
	SEED("eth-qinq-ipv4-first-fragment");
	pb_eth(&b, 0x0800); pb_ipv4_full(&b, "10.0.0.1", "10.0.0.2", 17, 0x00b9, 5); pb_udp(&b, 1, 2);
	SEED("eth-ipv4-later-fragment");
	pb_eth(&b, 0x0800); pb_ipv4_full(&b, "10.0.0.1", "10.0.0.2", 6, 0, 15); pb_tcp(&b, 1, 2);
	SEED("eth-ipv4-ihl15-tcp");
	pb_eth(&b, 0x86dd); pb_ipv6(&b, "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 6);
	pb_tcp(&b, 2794, 1766);
	SEED("eth-ipv6-tcp");
	pb_eth(&b, 0x86dd); pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 0); pb_opts6(&b, 43, 0);
	pb_rt(&b, 60, 2, 1, "2001:db8::99"); pb_dstopts_hao(&b, 44, "2001:db8::77");
	pb_frag6(&b, 51, 0, 0); pb_ah(&b, 17, 4); pb_udp(&b, 3, 4);
	SEED("eth-ipv6-ext-chain-udp");
	pb_eth_tags(&b, old, 1, 0x86dd); pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 44);
	pb_frag6(&b, 6, 100, 1); pb_tcp(&b, 1, 2);
	SEED("eth-9100-ipv6-later-fragment");
	pb_eth(&b, 0x86dd); pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 60);
	for (i = 0; i < 17; i++)
		pb_opts6(&b, i == 16 ? 6 : 60, 0);
	pb_tcp(&b, 1, 2);
	SEED("eth-ipv6-17-ext-headers");
	pb_eth(&b, 0x0060); pb_put(&b, NULL, 46);
	SEED("eth-loopback");
	pb_pi(&b, 0x86dd); pb_ipv6(&b, "2001:db8::1", "2001:db8::2", 60);
	pb_dstopts_hao(&b, 6, "2001:db8::cafe"); pb_tcp(&b, 1, 2);
	SEED("pi-ipv6-hao-tcp");
	pb_pi(&b, 0x0800); pb_ipv4(&b, "172.17.0.0", "172.17.0.1", 17); pb_udp(&b, 9, 9);
	SEED("pi-ipv4-udp");
	pb_ipv4(&b, "172.17.0.0", "172.17.0.1", 6); pb_tcp(&b, 9, 9);
	SEED("ip-ipv4-tcp");
	pb_ipv6(&b, "ffff::ac11:0", "ffff::ac11:1", 0); pb_opts6(&b, 17, 1); pb_udp(&b, 9, 9);
	SEED("ip-ipv6-hop-udp");
#undef SEED
}

static void headers(const char *dir)
{
	uint8_t h[24];
	size_t i;

	for (i = 0; i < sizeof(h); i++)
		h[i] = (uint8_t)(0x11 * (i + 1));
	put(dir, "hdr-10", h, 10);
	put(dir, "hdr-12", h, 12);
	put(dir, "hdr-20", h, 20);
	put(dir, "hdr-24", h, 24);
	memset(h, 0, sizeof(h));
	h[0] = 1; /* NEEDS_CSUM */
	h[1] = 3; /* GSO_UDP_L4 */
	h[12] = 0x52; h[13] = 0xd9; h[14] = 0x45; h[15] = 0x6e; /* 0x6e45d952 LE */
	h[16] = 1;
	put(dir, "hdr-20-hash", h, 20);
}

int main(int argc, char **argv)
{
	char dir[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_ROOT\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/packet", argv[1]);
	frames(dir);
	snprintf(dir, sizeof(dir), "%s/hdr", argv[1]);
	headers(dir);
	return 0;
}
