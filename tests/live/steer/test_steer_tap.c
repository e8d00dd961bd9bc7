/* SPDX-License-Identifier: MIT */
/*
 * The program attached to a real 4-queue tap (TUNSETSTEERINGEBPF, no other
 * library code in between): frames sent into the tap with AF_PACKET go
 * through the tap's transmit path, where the kernel runs the program to
 * pick the queue; each must come out of the queue the reference predicts
 * (tunvnet_rss_queue with 4 queues over the ebpf profile), unchanged, none
 * lost. Checks that the
 * device path reads the same bytes as BPF_PROG_TEST_RUN. Needs CAP_BPF and
 * CAP_NET_ADMIN; exits 77 without. (The ebpf backend's own end-to-end tests
 * live in tests/live/ebpf.)
 */
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "steer_test.h"

#define NQ 4
#define NFRAMES 600
#define BATCH 100

static struct fb frames[NFRAMES];
static int want[NFRAMES];
static bool got[NFRAMES];

/* Which sent frame this is (frames are unique: random addresses), or -1. */
static int find(const uint8_t *p, size_t len, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		if (!got[i] && frames[i].len == len && memcmp(frames[i].b, p, len) == 0)
			return i;
	return -1;
}

int main(void)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	static uint16_t table[256];
	static uint8_t buf[65536];
	struct gen g = { .s = 0xfeedbeef77ull };
	struct tunvnet_hash_cfg cfg;
	struct tunvnet_toeplitz *ref;
	struct sockaddr_ll sll;
	struct tunvnet_dev *dev;
	unsigned int per_q[NQ] = { 0 }, wrong = 0, lost = 0, noise = 0, q;
	int i, err, pfd, tx, from;
	uint8_t key[40];
	char name[IFNAMSIZ];
	struct tv_steer *s;

	s = steer_open_or_skip(TUNVNET_L2_ETH);
	snprintf(name, sizeof(name), "tvst%d", (int)getpid() % 100000);
	o.kind = TUNVNET_KIND_TAP;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_NONBLOCK;
	o.queues = NQ;
	err = tunvnet_dev_open(name, &o, &dev);
	if (err == -EPERM || err == -EACCES || err == -ENOENT) {
		printf("skip: cannot create a tap here: %s\n", tunvnet_last_error());
		return 77;
	}
	if (err) {
		fprintf(stderr, "FAIL: tunvnet_dev_open: %s\n", tunvnet_last_error());
		return 1;
	}

	gen_cfg(&g, &cfg, key, table, 256);
	cfg.types = TUNVNET_HASH_TYPES_ALL;
	cfg.key_len = 40;
	cfg.unclassified_queue = 3;
	if (tv_steer_configure(s, &cfg) ||
	    tunvnet_toeplitz_new(key, 40, TUNVNET_TOEPLITZ_REF, &ref)) {
		fprintf(stderr, "FAIL: configure: %s\n", tunvnet_last_error());
		return 1;
	}
	pfd = tv_steer_prog_fd(s);
	if (ioctl(tunvnet_dev_queue_fd(dev, 0), TUNSETSTEERINGEBPF, &pfd) < 0) {
		fprintf(stderr, "FAIL: TUNSETSTEERINGEBPF: %s\n", strerror(errno));
		return 1;
	}
	if (tunvnet_dev_set_up(dev, true)) {
		fprintf(stderr, "FAIL: up: %s\n", tunvnet_last_error());
		return 1;
	}
	/* AF_PACKET refuses less than a link header and more than the MTU allows. */
	for (i = 0; i < NFRAMES; i++) {
		struct tunvnet_class cls;

		do
			gen_frame(&g, TUNVNET_L2_ETH, &frames[i]);
		while (frames[i].len < 14 || frames[i].len > 1514);
		want[i] = tunvnet_rss_queue(&cfg, NQ, 0, 0);
		if (tunvnet_classify_hash(frames[i].b, frames[i].len, TUNVNET_L2_ETH, cfg.types,
					  TUNVNET_PROFILE_EBPF, ref, &cls) == 0)
			want[i] = tunvnet_rss_queue(&cfg, NQ, cls.report, cls.hash);
	}
	tunvnet_toeplitz_free(ref);

	tx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (tx < 0) {
		fprintf(stderr, "FAIL: AF_PACKET: %s\n", strerror(errno));
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = tunvnet_dev_ifindex(dev);
	sll.sll_halen = 6;
	for (from = 0; from < NFRAMES; from += BATCH) {
		int to = from + BATCH, idle = 0;

		for (i = from; i < to; i++) {
			memcpy(sll.sll_addr, frames[i].b, 6);
			if (sendto(tx, frames[i].b, frames[i].len, 0, (struct sockaddr *)&sll,
				   sizeof(sll)) != (ssize_t)frames[i].len) {
				fprintf(stderr, "FAIL: send frame %d (%zu bytes): %s\n", i,
					frames[i].len, strerror(errno));
				return 1;
			}
		}
		/* Drain every queue until all of this batch are in, or 1 s of nothing. */
		while (idle < 10) {
			bool any = false;

			for (q = 0; q < NQ; q++) {
				ssize_t n;

				while ((n = read(tunvnet_dev_queue_fd(dev, q), buf, sizeof(buf))) > 0) {
					int k = find(buf, (size_t)n, from, to);

					any = true;
					if (k < 0) {
						noise++; /* the host's own frames (IPv6 ND, ...) */
						continue;
					}
					got[k] = true;
					per_q[q]++;
					if ((int)q != want[k] && ++wrong <= 5) {
						fprintf(stderr, "WRONG QUEUE: frame %d on %u, predicted %d:\n",
							k, q, want[k]);
						gen_dump(stderr, &frames[k]);
					}
				}
			}
			for (i = from; i < to && got[i]; i++)
				;
			if (i == to)
				break;
			if (!any) {
				struct pollfd p = { .fd = tunvnet_dev_queue_fd(dev, 0), .events = POLLIN };

				poll(&p, 1, 100);
				idle++;
			}
		}
	}
	for (i = 0; i < NFRAMES; i++)
		lost += !got[i];
	pfd = -1;
	ioctl(tunvnet_dev_queue_fd(dev, 0), TUNSETSTEERINGEBPF, &pfd);
	close(tx);
	tunvnet_dev_close(dev);
	tv_steer_close(s);

	printf("%d frames: per queue %u %u %u %u; %u on the wrong queue, %u lost, %u not ours\n",
	       NFRAMES, per_q[0], per_q[1], per_q[2], per_q[3], wrong, lost, noise);
	for (q = 0; q < NQ; q++)
		if (!per_q[q]) {
			fprintf(stderr, "FAIL: queue %u got nothing: the mix did not spread\n", q);
			return 1;
		}
	return wrong || lost ? 1 : 0;
}
