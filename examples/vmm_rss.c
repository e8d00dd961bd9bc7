/* SPDX-License-Identifier: MIT */
/*
 * What a VMM does for a guest that negotiated VIRTIO_NET_F_RSS and
 * VIRTIO_NET_F_HASH_REPORT: a multi-queue tap with a 20-byte header, RSS
 * over four queues, the hash in every header, and a receive loop that polls
 * every queue (one epoll set, non-blocking batch reads) as a VMM's I/O
 * thread does, so an idle queue never holds up the others. A VMM would copy
 * each header and frame into the guest's receive ring (reading into guest
 * memory itself, it calls tunvnet_queue_fill_hash() on each: on a stock
 * kernel the library fills the report); this one prints the report and the
 * queue the RSS table gives for it.
 *
 *   cc vmm_rss.c $(pkg-config --cflags --libs libtunvnet) -o vmm_rss
 *   ./vmm_rss tap0 [N]  (as root; ends after N packets, default 20, or 10 idle seconds)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <tunvnet/tunvnet.h>

#define QUEUES 4
#define BATCH 8

static uint8_t bufs[BATCH][65536 + 64]; /* >= tunvnet_dev_max_frame() */

static int die(const char *what, int err)
{
	fprintf(stderr, "%s: %s (%s)\n", what, tunvnet_strerror(err), tunvnet_last_error());
	return 1;
}

/* One batch from queue q (epoll is level-triggered: the rest comes next round). */
static int rx(struct tunvnet_dev *dev, unsigned int q, const struct tunvnet_hash_cfg *cfg)
{
	struct tunvnet_pkt pkts[BATCH];
	int n, i;

	for (i = 0; i < BATCH; i++)
		pkts[i] = (struct tunvnet_pkt){ .buf = bufs[i], .cap = sizeof(bufs[i]) };
	n = tunvnet_queue_read(dev, q, pkts, BATCH);
	if (n == -EAGAIN)
		return 0;
	if (n < 0)
		return die("read", n), n;
	for (i = 0; i < n; i++)
		printf("queue %u: %zu bytes, report %-6s hash 0x%08x, table says queue %d\n", q,
		       pkts[i].len, tunvnet_report_name(pkts[i].hdr.hash_report),
		       pkts[i].hdr.hash_value,
		       tunvnet_rss_queue(cfg, QUEUES, pkts[i].hdr.hash_report,
					 pkts[i].hdr.hash_value));
	return n;
}

int main(int argc, char **argv)
{
	struct tunvnet_dev_opts opts = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	uint16_t table[8] = { 0, 1, 2, 3, 0, 1, 2, 3 };
	struct tunvnet_dev *dev;
	int err, ep, seen = 0, want = argc > 2 ? atoi(argv[2]) : 20;

	opts.kind = TUNVNET_KIND_TAP;
	opts.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR;
	opts.queues = QUEUES;
	opts.vnet_hdr_sz = TUNVNET_HDR_HASH_LEN; /* room for hash_value and hash_report */
	opts.endian = TUNVNET_ENDIAN_LE;         /* virtio 1.0 */
	err = tunvnet_dev_open(argc > 1 ? argv[1] : "", &opts, &dev);
	if (err)
		return die("open", err);
	err = tunvnet_dev_set_nonblock(dev, true); /* never block on one queue */
	if (err)
		return die("nonblock", err);

	/* From the guest's VIRTIO_NET_CTRL_MQ_RSS_CONFIG: tunvnet_virtio_rss_config_parse(). */
	cfg.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	cfg.types = TUNVNET_HASH_TYPES_PLAIN;
	cfg.key = tunvnet_default_key();
	cfg.key_len = TUNVNET_KEY_MAX;
	cfg.table = table;
	cfg.table_len = 8;
	err = tunvnet_dev_set_hash(dev, &cfg); /* validated first, then applied */
	if (err)
		return die("set hash", err);
	err = tunvnet_dev_set_up(dev, true);
	if (err)
		return die("up", err);

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return perror("epoll_create1"), 1;
	for (unsigned int q = 0; q < QUEUES; q++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = q };

		if (epoll_ctl(ep, EPOLL_CTL_ADD, tunvnet_dev_queue_fd(dev, q), &ev))
			return perror("epoll_ctl"), 1;
	}
	tunvnet_dev_get_hash(dev, &cfg); /* cfg.backend: the one auto chose */
	printf("%s: RSS over %u queues by the %s backend; send it traffic\n", tunvnet_dev_name(dev),
	       QUEUES, tunvnet_backend_name(cfg.backend));

	while (seen < want) {
		struct epoll_event evs[QUEUES];
		int n = epoll_wait(ep, evs, QUEUES, 10000);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return perror("epoll_wait"), 1;
		if (n == 0) {
			printf("idle for 10 s\n");
			break;
		}
		for (int i = 0; i < n; i++) {
			int got = rx(dev, evs[i].data.u32, &cfg);

			if (got < 0)
				return 1;
			seen += got;
		}
	}
	tunvnet_dev_close(dev);
	return 0;
}
