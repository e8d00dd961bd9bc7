/* SPDX-License-Identifier: MIT */
/*
 * What a VMM does for a guest that negotiated VIRTIO_NET_F_RSS and
 * VIRTIO_NET_F_HASH_REPORT: a multi-queue tap with a 20-byte header, RSS
 * over four queues, the hash in every header. Then read a few packets and
 * print what the kernel reported next to what the reference predicts.
 *
 *   cc vmm_rss.c $(pkg-config --cflags --libs libtunvnet) -o vmm_rss
 *   ./vmm_rss tap0      (as root, on a kernel with the hashing series)
 */
#include <stdio.h>
#include <stdlib.h>
#include <tunvnet/tunvnet.h>

#define QUEUES 4

static int die(const char *what, int err)
{
	fprintf(stderr, "%s: %s (%s)\n", what, tunvnet_strerror(err), tunvnet_last_error());
	return 1;
}

int main(int argc, char **argv)
{
	struct tunvnet_dev_opts opts = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	uint16_t table[8] = { 0, 1, 2, 3, 0, 1, 2, 3 };
	struct tunvnet_toeplitz *t;
	struct tunvnet_dev *dev;
	static uint8_t frame[65536 + 64];
	int err;

	opts.kind = TUNVNET_KIND_TAP;
	opts.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR;
	opts.queues = QUEUES;
	opts.vnet_hdr_sz = TUNVNET_HDR_HASH_LEN; /* below 20 the kernel drops the hash */
	opts.endian = TUNVNET_ENDIAN_LE;         /* virtio 1.0 */
	err = tunvnet_dev_open(argc > 1 ? argv[1] : "", &opts, &dev);
	if (err)
		return die("open", err);

	cfg.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	cfg.types = TUNVNET_HASH_TYPES_PLAIN; /* the series supports no _EX type */
	cfg.key = tunvnet_default_key();
	cfg.key_len = TUNVNET_KEY_MAX;
	cfg.table = table;
	cfg.table_len = 8;
	cfg.unclassified_queue = 0;
	err = tunvnet_dev_set_hash(dev, &cfg); /* validated first; A or B, whichever answers */
	if (err)
		return die("set hash", err);
	tunvnet_dev_set_up(dev, true);
	printf("%s: RSS over %u queues; send it traffic\n", tunvnet_dev_name(dev), QUEUES);

	err = tunvnet_toeplitz_new(cfg.key, cfg.key_len, TUNVNET_TOEPLITZ_AUTO, &t);
	if (err)
		return die("toeplitz", err);
	for (int n = 0; n < 10;) {
		for (unsigned q = 0; q < QUEUES && n < 10; q++) {
			struct tunvnet_pkt pkt = { .buf = frame, .cap = sizeof(frame) };
			struct tunvnet_class cls;

			if (tunvnet_queue_read(dev, q, &pkt, 1) != 1)
				continue; /* opened non-blocking? then -EAGAIN here */
			tunvnet_classify_hash(pkt.buf, pkt.len, TUNVNET_L2_ETH, cfg.types,
					      TUNVNET_PROFILE_LINUX, t, &cls);
			printf("queue %u: kernel %-6s 0x%08x  reference %-6s 0x%08x  queue %d\n", q,
			       tunvnet_report_name(pkt.hdr.hash_report), pkt.hdr.hash_value,
			       tunvnet_report_name(cls.report), cls.hash,
			       tunvnet_rss_queue(&cfg, QUEUES, cls.report, cls.hash));
			n++;
		}
	}
	tunvnet_toeplitz_free(t);
	tunvnet_dev_close(dev);
	return 0;
}
