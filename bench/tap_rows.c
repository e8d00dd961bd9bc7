/* SPDX-License-Identifier: MIT */
/*
 * What the ebpf and user backends cost on the receive path of a live 4-queue
 * tap, fed by an AF_PACKET socket on the tap itself (its transmit path runs
 * the steering program, as a guest-bound frame's would):
 *  - tap-rx: frames/s, send + drain, with our steering program attached
 *    (ebpf backend, RSS over 4 queues, no report) against no hash
 *    configuration (the kernel's own queue choice);
 *  - queue-read: ns per frame of tunvnet_queue_read (batches of 32) with
 *    reports filled on read (user backend, REPORT) against none.
 * All configurations take turns on identical bursts in the same run; each
 * figure is the best round. Only the ratios mean anything.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define NQ 4u
#define TABLE_LEN 128u
#define NFLOWS 1024u
#define STRIDE 128u
#define BURST 2000u /* below the 4096-frame ring of one queue: nothing dropped */

enum { C_NONE, C_STEER, C_FILL, NC };

static struct tunvnet_dev *dev;
static uint16_t table[TABLE_LEN];
static struct tunvnet_pkt pkts[32];
static uint8_t bufs[32][2048];
static uint8_t *frames;
static size_t flen;
static double fps[NC], read_ns[NC];

static int apply(int c)
{
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;

	if (c == C_NONE)
		return tunvnet_dev_clear_hash(dev);
	cfg.types = TUNVNET_HASH_TYPES_ALL;
	if (c == C_STEER) {
		cfg.flags = TUNVNET_HASH_RSS;
		cfg.backend = TUNVNET_BACKEND_EBPF;
		cfg.key = tunvnet_default_key();
		cfg.key_len = TUNVNET_KEY_MAX;
		cfg.table = table;
		cfg.table_len = TABLE_LEN;
	} else {
		cfg.flags = TUNVNET_HASH_REPORT;
		cfg.backend = TUNVNET_BACKEND_USER;
	}
	return tunvnet_dev_set_hash(dev, &cfg);
}

/* Drain every queue; frames read, *bad counts reports that contradict config c. */
static unsigned long drain(int c, unsigned long *bad)
{
	unsigned long got = 0;

	for (unsigned int q = 0; q < NQ; q++) {
		int n;

		while ((n = tunvnet_queue_read(dev, q, pkts, 32)) > 0) {
			got += (unsigned long)n;
			for (int i = 0; i < n; i++)
				*bad += (pkts[i].hdr.hash_report != TUNVNET_REPORT_NONE) !=
					(c == C_FILL);
		}
	}
	return got;
}

static void send_burst(int sock, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (send(sock, frames + (i % NFLOWS) * STRIDE, flen, 0) < 0)
			break;
}

/*
 * Once, untimed: every flow through the steering program lands on the queue
 * the reference predicts, or the tap-rx figure is not of our program.
 */
static unsigned long check_steering(int sock)
{
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_toeplitz *t = NULL;
	unsigned long wrong = 0, got = 0;

	cfg.flags = TUNVNET_HASH_RSS;
	cfg.types = TUNVNET_HASH_TYPES_ALL;
	cfg.key = tunvnet_default_key();
	cfg.key_len = TUNVNET_KEY_MAX;
	cfg.table = table;
	cfg.table_len = TABLE_LEN;
	if (apply(C_STEER) || tunvnet_toeplitz_new(cfg.key, cfg.key_len, TUNVNET_TOEPLITZ_AUTO, &t))
		return NFLOWS;
	send_burst(sock, NFLOWS);
	for (unsigned int q = 0; q < NQ; q++) {
		int n;

		while ((n = tunvnet_queue_read(dev, q, pkts, 32)) > 0)
			for (int i = 0; i < n; i++) {
				struct tunvnet_class cls;

				got++;
				if (tunvnet_classify_hash(pkts[i].buf, pkts[i].len, TUNVNET_L2_ETH,
							  cfg.types, TUNVNET_PROFILE_EBPF, t, &cls) ||
				    tunvnet_rss_queue(&cfg, NQ, cls.report, cls.hash) != (int)q)
					wrong++;
			}
	}
	tunvnet_toeplitz_free(t);
	return wrong + (got < NFLOWS ? NFLOWS - got : 0);
}

void bench_tap_rows(bool quick, const char **missing)
{
	static const char *const tap_impl[NC] = { "kernel-default", "ebpf-steer", NULL };
	static const char *const read_impl[NC] = { "plain", NULL, "fill" };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ifreq ifr;
	size_t max_frame = 0;
	unsigned long bad = 0, wrong;
	int sock = -1, rounds = quick ? 3 : 60;

	*missing = NULL;
	for (int c = 0; c < NC; c++)
		fps[c] = read_ns[c] = 0;
	dev = bench_tap_open(NQ, missing);
	if (!dev)
		return;
	frames = aligned_alloc(64, NFLOWS * STRIDE);
	sock = socket(AF_PACKET, SOCK_RAW, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tunvnet_dev_name(dev));
	ifr.ifr_qlen = 4096;
	if (!frames || sock < 0 || ioctl(sock, SIOCSIFTXQLEN, &ifr) ||
	    tunvnet_dev_set_up(dev, true) || wait_oper_up(tunvnet_dev_name(dev)) ||
	    tunvnet_dev_max_frame(dev, &max_frame) || max_frame > sizeof(bufs[0])) {
		*missing = "cannot bring the tap up for AF_PACKET";
		goto out;
	}
	sll.sll_ifindex = tunvnet_dev_ifindex(dev);
	sll.sll_protocol = htons(ETH_P_ALL);
	if (bind(sock, (struct sockaddr *)&sll, sizeof(sll))) {
		*missing = "cannot bind AF_PACKET to the tap";
		goto out;
	}
	for (unsigned int i = 0; i < NFLOWS; i++)
		flen = put_flow(frames + i * STRIDE, false, i);
	for (unsigned int i = 0; i < TABLE_LEN; i++)
		table[i] = (uint16_t)(i % NQ);
	for (unsigned int i = 0; i < 32; i++)
		pkts[i] = (struct tunvnet_pkt){ .buf = bufs[i], .cap = sizeof(bufs[i]) };
	for (int c = 0; c < NC; c++)
		if (apply(c)) {
			static char why[160];

			snprintf(why, sizeof(why), "%s: %s", c == C_STEER ? "ebpf backend" :
				 c == C_FILL ? "user backend" : "clear", tunvnet_last_error());
			*missing = why;
			goto out;
		}
	drain(C_FILL, &bad); /* the kernel's own frames (IPv6 MLD, router solicitation) */
	wrong = check_steering(sock);
	if (wrong) {
		fprintf(stderr, "tunvnet-bench: tap-rx: %lu of %u frames not on the predicted "
			"queue\n", wrong, NFLOWS);
		*missing = "the steering program did not steer as predicted";
		goto out;
	}
	/* Rotate the order so that no configuration always runs first. */
	bad = 0;
	for (int r = 0; r < rounds * NC; r++) {
		int c = (r + r / NC) % NC;
		unsigned long got;
		double t0, t1, t2;

		if (apply(c)) {
			*missing = "reconfiguring the tap failed";
			goto out;
		}
		drain(c, &(unsigned long){ 0 });
		t0 = now_ns();
		send_burst(sock, BURST);
		t1 = now_ns();
		got = drain(c, &bad);
		t2 = now_ns();
		if (got < BURST)
			continue; /* lost frames: not a round of the same work */
		if ((double)got * 1e9 / (t2 - t0) > fps[c])
			fps[c] = (double)got * 1e9 / (t2 - t0);
		if (!read_ns[c] || (t2 - t1) / (double)got < read_ns[c])
			read_ns[c] = (t2 - t1) / (double)got;
	}
	if (bad)
		fprintf(stderr, "tunvnet-bench: tap rows: %lu frames with a report against the "
			"configuration\n", bad);
	if (!fps[C_NONE] || !fps[C_STEER] || !read_ns[C_FILL]) {
		*missing = "the tap delivered too few frames";
		goto out;
	}
	for (int c = 0; c < NC; c++) {
		if (tap_impl[c]) {
			add_row("tap-rx", tap_impl[c], flen, "batch32", "eth-ipv4-tcp", 1e9 / fps[c]);
			row_extra(NFLOWS, NULL, -1, NQ);
		}
		if (read_impl[c]) {
			add_row("queue-read", read_impl[c], flen, "batch32", "eth-ipv4-tcp",
				read_ns[c]);
			row_extra(NFLOWS, NULL, -1, NQ);
		}
	}
out:
	if (sock >= 0)
		close(sock);
	free(frames);
	frames = NULL;
	tunvnet_dev_close(dev);
	dev = NULL;
	if (*missing)
		fps[C_NONE] = fps[C_STEER] = read_ns[C_NONE] = read_ns[C_FILL] = 0;
}

void bench_tap_ratios(void)
{
	if (fps[C_NONE] > 0 && fps[C_STEER] > 0)
		printf("tap frames/s (4 queues, send + drain) with steering program / kernel's own "
		       "choice: %.3f (target >= 0.90)\n", fps[C_STEER] / fps[C_NONE]);
	if (read_ns[C_NONE] > 0 && read_ns[C_FILL] > 0)
		printf("tunvnet_queue_read (batches of 32, 20-byte header) reports filled / plain: "
		       "%.3fx (target <= 1.05x)\n", read_ns[C_FILL] / read_ns[C_NONE]);
}
