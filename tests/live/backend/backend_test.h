/* SPDX-License-Identifier: MIT */
/*
 * Shared by the backend tests: a 4-queue tap or tun with a 20-byte header,
 * frames sent into it with AF_PACKET, every queue drained through
 * tunvnet_queue_read, each frame found again by its bytes and checked
 * against the reference's prediction (queue and report).
 */
#ifndef TUNVNET_BACKEND_TEST_H
#define TUNVNET_BACKEND_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../steer/steer_gen.h"
#include "../oper_up.h"

#define NQ 4
#define RBUF 65600

struct bt {
	struct tunvnet_dev *dev;
	enum tunvnet_l2 l2;
	int tx;
	char name[IFNAMSIZ];
	struct tunvnet_pkt pkt;
};

static inline void bt_fail(const char *what)
{
	fprintf(stderr, "FAIL: %s: %s\n", what, tunvnet_last_error());
	exit(1);
}

/* A 4-queue non-blocking device of kind (tap or tun), up, with a sender. */
static inline void bt_open(struct bt *t, enum tunvnet_kind kind, const char *tag, uint32_t extra)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	char cmd[160];
	int err;

	snprintf(t->name, sizeof(t->name), "tv%s%d", tag, (int)getpid() % 100000);
	o.kind = kind;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_NONBLOCK | extra;
	o.queues = NQ;
	o.vnet_hdr_sz = TUNVNET_HDR_HASH_LEN;
	err = tunvnet_dev_open(t->name, &o, &t->dev);
	if (err == -EPERM || err == -EACCES || err == -ENOENT || err == -ENODEV) {
		printf("skip: cannot create a %s here: %s\n", tunvnet_kind_name(kind),
		       tunvnet_last_error());
		exit(77);
	}
	if (err)
		bt_fail("tunvnet_dev_open");
	t->l2 = tunvnet_dev_l2(t->dev);
	/* The host's own IPv6 (MLD, router solicitations) stays out of the count. */
	snprintf(cmd, sizeof(cmd), "sysctl -qw net.ipv6.conf.%s.disable_ipv6=1 >/dev/null 2>&1",
		 t->name);
	if (system(cmd)) {
		/* best effort: unmatched frames are counted apart anyway */
	}
	if (tunvnet_dev_set_up(t->dev, true))
		bt_fail("tunvnet_dev_set_up");
	if (live_wait_oper_up(t->name, 3000))
		exit(1);
	t->tx = socket(AF_PACKET, (kind == TUNVNET_KIND_TUN ? SOCK_DGRAM : SOCK_RAW) | SOCK_CLOEXEC,
		       0);
	if (t->tx < 0) {
		fprintf(stderr, "FAIL: AF_PACKET: %s\n", strerror(errno));
		exit(1);
	}
	sll.sll_ifindex = tunvnet_dev_ifindex(t->dev);
	if (bind(t->tx, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, "FAIL: bind: %s\n", strerror(errno));
		exit(1);
	}
	t->pkt.cap = RBUF;
	t->pkt.buf = malloc(RBUF);
	if (!t->pkt.buf)
		exit(1);
}

static inline void bt_close(struct bt *t)
{
	close(t->tx);
	free(t->pkt.buf);
	tunvnet_dev_close(t->dev);
}

/* Which of frames[0..n) a packet read back is (by its bytes), or -1. */
static inline int bt_find(const struct fb *frames, int n, const struct tunvnet_pkt *p)
{
	int i;

	for (i = 0; i < n; i++)
		if (frames[i].len == p->len && memcmp(frames[i].b, p->buf, p->len) == 0)
			return i;
	return -1;
}

/* Send one frame into the device; false if the kernel would not take it. */
static inline bool bt_send(struct bt *t, const struct fb *f)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	ssize_t n;

	sll.sll_ifindex = tunvnet_dev_ifindex(t->dev);
	if (t->l2 == TUNVNET_L2_ETH) {
		sll.sll_halen = 6;
		memcpy(sll.sll_addr, f->b, 6);
	} else {
		/* tun: the protocol is what the stack would set from the IP version. */
		unsigned int v = f->len ? f->b[0] >> 4 : 0;

		sll.sll_protocol = htons(v == 4 ? ETH_P_IP : v == 6 ? ETH_P_IPV6 : 0x88b5);
	}
	do
		n = sendto(t->tx, f->b, f->len, 0, (struct sockaddr *)&sll, sizeof(sll));
	while (n < 0 && errno == ENOBUFS);
	return n == (ssize_t)f->len;
}

/* A frame of the mixed workload that AF_PACKET accepts: a link header, at most the MTU. */
static inline void bt_gen(struct gen *g, enum tunvnet_l2 l2, struct fb *f)
{
	do
		gen_frame(g, l2, f);
	while (f->len < (l2 == TUNVNET_L2_ETH ? 14u : 20u) || f->len > 1500 ||
	       (l2 == TUNVNET_L2_ETH && (f->b[0] & 1))); /* unicast dst: no bridge games */
}

/*
 * Read whatever is waiting on any queue: calls cb(t, q, pkt) per frame;
 * returns the number read, waiting up to ms for the first one.
 */
static inline int bt_drain(struct bt *t, int ms,
			   void (*cb)(struct bt *t, unsigned int q, const struct tunvnet_pkt *p,
				      void *arg),
			   void *arg)
{
	struct pollfd pfd[NQ];
	unsigned int q;
	int n = 0, r;

	for (q = 0; q < NQ; q++)
		pfd[q] = (struct pollfd){ .fd = tunvnet_dev_queue_fd(t->dev, q), .events = POLLIN };
	if (poll(pfd, NQ, ms) <= 0)
		return 0;
	for (q = 0; q < NQ; q++) {
		while ((r = tunvnet_queue_read(t->dev, q, &t->pkt, 1)) == 1) {
			cb(t, q, &t->pkt, arg);
			n++;
		}
		if (r != -EAGAIN)
			bt_fail("tunvnet_queue_read");
	}
	return n;
}

/* What the reference says for frame f under cfg: queue, report, hash (no program involved;
 * the ebpf profile, which the program and the filler follow). */
static inline void bt_predict(const struct fb *f, enum tunvnet_l2 l2,
			      const struct tunvnet_hash_cfg *cfg, const struct tunvnet_toeplitz *ref,
			      unsigned int *q, unsigned int *report, uint32_t *hash)
{
	struct tunvnet_class cls;

	if (tunvnet_classify_hash(f->b, f->len, l2, cfg->types, TUNVNET_PROFILE_EBPF, ref, &cls)) {
		cls.report = TUNVNET_REPORT_NONE;
		cls.hash = 0;
	}
	*report = cls.report;
	*hash = cls.report == TUNVNET_REPORT_NONE ? 0 : cls.hash;
	*q = (unsigned int)tunvnet_rss_queue(cfg, NQ, cls.report, cls.hash);
}

#endif
