/* SPDX-License-Identifier: MIT */
/*
 * The reference alone: no device, no kernel feature. Classify a frame and
 * compute the hash and the RSS queue a device must report for it.
 *
 *   cc hash_offline.c $(pkg-config --cflags --libs libtunvnet) -o hash_offline
 */
#include <stdio.h>
#include <tunvnet/tunvnet.h>

/* Ethernet + IPv4 + TCP: 66.9.149.187:2794 -> 161.142.100.80:1766 (Microsoft's vector). */
static const uint8_t frame[] = {
	0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,             /* Ethernet */
	0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 66, 9, 149, 187, 161, 142, 100, 80,
	0x0a, 0xea, 0x06, 0xe6, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
};

int main(void)
{
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	uint16_t table[4] = { 0, 1, 2, 3 };
	struct tunvnet_toeplitz *t;
	struct tunvnet_class cls;
	int err;

	cfg.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	cfg.types = TUNVNET_HASH_TYPES_PLAIN;
	cfg.key = tunvnet_default_key();
	cfg.key_len = TUNVNET_KEY_MAX;
	cfg.table = table;
	cfg.table_len = 4;

	/* Pay the per-key precomputation once; hash many packets with it. */
	err = tunvnet_toeplitz_new(cfg.key, cfg.key_len, TUNVNET_TOEPLITZ_AUTO, &t);
	if (err)
		return 1;
	err = tunvnet_classify_hash(frame, sizeof(frame), TUNVNET_L2_ETH, cfg.types,
				    TUNVNET_PROFILE_SPEC, t, &cls);
	if (err)
		return 1;
	printf("report %s, hash 0x%08x (Microsoft: 0x51ccc178), queue %d of 4, via %s\n",
	       tunvnet_report_name(cls.report), cls.hash,
	       tunvnet_rss_queue(&cfg, 4, cls.report, cls.hash),
	       tunvnet_toeplitz_impl_name(tunvnet_toeplitz_impl_of(t)));
	tunvnet_toeplitz_free(t);
	return cls.hash == 0x51ccc178 ? 0 : 1;
}
