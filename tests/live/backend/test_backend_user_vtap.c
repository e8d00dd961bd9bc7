/* SPDX-License-Identifier: MIT */
/*
 * The user backend on a macvtap link (no steering hook there): RSS is
 * refused naming why, REPORT alone is applied with the user backend, and
 * every frame sent to the link (through a veth pair: AF_PACKET on the peer,
 * to the macvtap's MAC) is read back through tunvnet_queue_read with the
 * report and hash the reference computes (Microsoft key: REPORT carries no
 * key), and tunvnet_queue_fill_hash fills the same into a raw header.
 * Root; 77 without CAP_NET_ADMIN or macvtap.
 */
#include <sys/ioctl.h>

#include "backend_test.h"

#define NFRAMES 400

static struct fb frames[NFRAMES];
static unsigned int got[NFRAMES], bad, noise;
static struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
static struct tunvnet_toeplitz *ms;
static char parent[IFNAMSIZ], peer[IFNAMSIZ], vtap[IFNAMSIZ];

static void cleanup(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "ip link del %s >/dev/null 2>&1", parent);
	if (system(cmd)) {
		/* already gone */
	}
}

static void check(struct bt *t, unsigned int q, const struct tunvnet_pkt *p, void *arg)
{
	struct tunvnet_class cls;
	uint8_t raw[20] = { 0 };
	int i;

	(void)q;
	(void)arg;
	for (i = 0; i < NFRAMES; i++)
		if (frames[i].len == p->len && memcmp(frames[i].b, p->buf, p->len) == 0)
			break;
	if (i == NFRAMES) {
		noise++;
		return;
	}
	got[i]++;
	if (tunvnet_classify_hash(p->buf, p->len, TUNVNET_L2_ETH, cfg.types, TUNVNET_PROFILE_EBPF,
				  ms, &cls))
		cls.report = TUNVNET_REPORT_NONE;
	if (cls.report == TUNVNET_REPORT_NONE)
		cls.hash = 0;
	/* The same through the public filler, for a VMM reading the fd itself. */
	if (tunvnet_queue_fill_hash(t->dev, q, raw, sizeof(raw), p->buf, p->len))
		bt_fail("tunvnet_queue_fill_hash");
	if ((p->hdr.hash_report != cls.report || p->hdr.hash_value != cls.hash ||
	     (uint32_t)(raw[12] | raw[13] << 8 | raw[14] << 16 | (uint32_t)raw[15] << 24) !=
		     cls.hash ||
	     (unsigned int)(raw[16] | raw[17] << 8) != cls.report) &&
	    ++bad <= 5)
		fprintf(stderr, "frame %d: report %u hash %#x, reference %u %#x\n", i,
			p->hdr.hash_report, p->hdr.hash_value, cls.report, cls.hash);
}

int main(void)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_hash_cfg in_force = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_caps caps = { .sz = sizeof(caps) };
	bool series;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	static const uint16_t table[4] = { 0, 1, 2, 3 };
	struct gen g = { .s = 0x4d5654ull };
	struct ifreq ifr;
	uint8_t mac[6];
	unsigned int i, lost = 0, reports = 0;
	char cmd[160];
	struct bt t = { 0 };
	int err, idle;

	snprintf(parent, sizeof(parent), "tvup%d", (int)getpid() % 100000);
	snprintf(peer, sizeof(peer), "%.12sx", parent);
	snprintf(vtap, sizeof(vtap), "tvuv%d", (int)getpid() % 100000);
	atexit(cleanup);
	snprintf(cmd, sizeof(cmd), "ip link add %s type veth peer name %s >/dev/null 2>&1", parent,
		 peer);
	if (system(cmd)) {
		printf("skip: cannot create a veth pair (needs CAP_NET_ADMIN and veth)\n");
		return 77;
	}
	snprintf(cmd, sizeof(cmd), "ip link add %s link %s type macvtap mode bridge >/dev/null 2>&1",
		 vtap, parent);
	if (system(cmd)) {
		printf("skip: cannot create a macvtap link here\n");
		return 77;
	}
	snprintf(cmd, sizeof(cmd), "ip link set %s up && ip link set %s up && ip link set %s up",
		 parent, peer, vtap);
	if (system(cmd))
		return 1;
	o.queues = NQ;
	o.vnet_hdr_sz = TUNVNET_HDR_HASH_LEN;
	o.flags = TUNVNET_DEV_NONBLOCK;
	if (tunvnet_dev_open_vtap(vtap, &o, &t.dev))
		bt_fail("tunvnet_dev_open_vtap");
	t.l2 = tunvnet_dev_l2(t.dev);
	t.pkt.cap = RBUF;
	t.pkt.buf = malloc(RBUF);
	if (live_wait_oper_up(vtap, 3000) || live_wait_oper_up(peer, 3000))
		return 1;

	/* RSS: our steering program has no hook on a macvtap (nor, without the series, auto). */
	series = tunvnet_caps_probe(-1, &caps) == 0;
	cfg.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	cfg.types = TUNVNET_HASH_TYPES_PLAIN;
	cfg.key = tunvnet_default_key();
	cfg.key_len = 40;
	cfg.table = table;
	cfg.table_len = 4;
	for (i = 0; i < (series ? 1u : 2u); i++) {
		cfg.backend = i ? TUNVNET_BACKEND_AUTO : TUNVNET_BACKEND_EBPF;
		err = tunvnet_dev_set_hash(t.dev, &cfg);
		if (err != -EOPNOTSUPP || !strstr(tunvnet_last_error(), "no steering hook")) {
			fprintf(stderr, "FAIL: RSS on macvtap (backend %s) gave %d (%s)\n",
				tunvnet_backend_name(cfg.backend), err, tunvnet_last_error());
			return 1;
		}
	}
	/* REPORT alone: the user backend (auto's choice without the series). */
	cfg = (struct tunvnet_hash_cfg)TUNVNET_HASH_CFG_INIT;
	cfg.flags = TUNVNET_HASH_REPORT;
	cfg.types = TUNVNET_HASH_TYPES_ALL;
	cfg.backend = series ? TUNVNET_BACKEND_USER : TUNVNET_BACKEND_AUTO;
	if (tunvnet_dev_set_hash(t.dev, &cfg))
		bt_fail("tunvnet_dev_set_hash (REPORT)");
	if (tunvnet_dev_get_hash(t.dev, &in_force) || in_force.backend != TUNVNET_BACKEND_USER) {
		fprintf(stderr, "FAIL: backend %s, not user\n", tunvnet_backend_name(in_force.backend));
		return 1;
	}
	if (tunvnet_toeplitz_new(tunvnet_default_key(), 40, TUNVNET_TOEPLITZ_REF, &ms))
		bt_fail("toeplitz");

	/* Frames to the macvtap's MAC, sent into the peer: they arrive on the parent. */
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", vtap);
	t.tx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (t.tx < 0 || ioctl(t.tx, SIOCGIFHWADDR, &ifr) < 0)
		return 1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_ifindex = (int)if_nametoindex(peer);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, mac, 6);
	for (i = 0; i < NFRAMES; i++) {
		/* At least Ethernet's 60: the receive path drops shorter tagged runts. */
		do
			bt_gen(&g, TUNVNET_L2_ETH, &frames[i]);
		while (frames[i].len < 60);
		memcpy(frames[i].b, mac, 6);
		frames[i].b[6] = 0x02; /* a unicast source: the bridge takes it */
		frames[i].b[11] = (uint8_t)i;
		frames[i].b[10] = (uint8_t)(i >> 8);
		if (sendto(t.tx, frames[i].b, frames[i].len, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) != (ssize_t)frames[i].len)
			got[i] = 1; /* refused: not expected back */
		if (i % 50 == 49)
			for (idle = 0; idle < 3;)
				if (bt_drain(&t, 50, check, NULL) == 0)
					idle++;
	}
	for (idle = 0; idle < 10;)
		if (bt_drain(&t, 50, check, NULL) == 0)
			idle++;
	for (i = 0; i < NFRAMES; i++)
		if (got[i] == 0 && ++lost <= 5) {
			fprintf(stderr, "lost frame %u:\n", i);
			gen_dump(stderr, &frames[i]);
		}
	for (i = 0; i < NFRAMES; i++)
		reports += got[i] == 1;
	printf("macvtap, user backend: %d frames, %u with a wrong report, %u lost, %u not ours\n",
	       NFRAMES, bad, lost, noise);
	tunvnet_toeplitz_free(ms);
	close(t.tx);
	free(t.pkt.buf);
	tunvnet_dev_close(t.dev);
	(void)reports;
	return bad || lost ? 1 : 0;
}
