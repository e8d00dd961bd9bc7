/* SPDX-License-Identifier: MIT */
/*
 * What verification costs: tunvnet_verify_packet beside tunvnet_classify_hash
 * over the same flow sets (16, 1024, 100,000 flows; the frames cycle, so the
 * larger sets miss the caches in both loops alike), and a receive loop on a
 * live tap (tunvnet_queue_read in batches) with and without verification.
 * Only ratios mean anything: the machines differ and are shared.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define STRIDE 128u /* bytes between frames of a set */
#define NQ 4u
#define TABLE_LEN 128u

struct flowset {
	const char *frame;   /* "eth-ipv4-tcp" | "eth-ipv6-tcp" */
	unsigned long n;
	size_t len;          /* every frame of a set has this length */
	uint8_t *bytes;      /* n frames, STRIDE apart */
	struct tunvnet_hdr *hdr;
	unsigned int *q;
};

static uint16_t table[TABLE_LEN];
static const struct flowset *cur;
static const struct tunvnet_toeplitz *cur_t;
static enum tunvnet_profile cur_profile;
static struct tunvnet_verifier *cur_v;
static unsigned long bad; /* verdicts other than MATCH while timing */

/* Ethernet + IPv4 or IPv6 + TCP (20 bytes, ACK); flow i by its source address and port. */
size_t put_flow(uint8_t *f, bool v6, unsigned long i)
{
	static const uint8_t macs[12] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56,
					  0x52, 0x54, 0, 0xab, 0xcd, 0xef };
	uint16_t sport = (uint16_t)(1024 + i % 60000), dport = 443;
	size_t n = 14;

	memset(f, 0, STRIDE);
	memcpy(f, macs, 12);
	if (!v6) {
		f[12] = 0x08;
		f[14] = 0x45;
		f[17] = 40;
		f[22] = 64;
		f[23] = 6;
		f[26] = 10;
		f[27] = (uint8_t)(i >> 16);
		f[28] = (uint8_t)(i >> 8);
		f[29] = (uint8_t)i;
		memcpy(f + 30, "\xc0\x00\x02\x01", 4);
		n += 20;
	} else {
		f[12] = 0x86;
		f[13] = 0xdd;
		f[14] = 0x60;
		f[19] = 20;
		f[20] = 6;
		f[21] = 64;
		memcpy(f + 22, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0", 12);
		f[34] = (uint8_t)(i >> 24);
		f[35] = (uint8_t)(i >> 16);
		f[36] = (uint8_t)(i >> 8);
		f[37] = (uint8_t)i;
		memcpy(f + 38, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
		n += 40;
	}
	f[n] = (uint8_t)(sport >> 8);
	f[n + 1] = (uint8_t)sport;
	f[n + 2] = (uint8_t)(dport >> 8);
	f[n + 3] = (uint8_t)dport;
	f[n + 12] = 5 << 4;
	f[n + 13] = 0x10;
	return n + 20;
}

static uint32_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (uint32_t)x | 0x100u; /* never 0..255: not taken for a queue index */
}

/*
 * The headers the kernel would have written: for RSS what the reference
 * computes (this bench measures cost, the unit tests correctness), for
 * automq a fixed value per flow with its queue.
 */
static int build_set(struct flowset *s, bool v6, unsigned long n, const struct tunvnet_hash_cfg *cfg)
{
	s->frame = v6 ? "eth-ipv6-tcp" : "eth-ipv4-tcp";
	s->n = n;
	s->bytes = aligned_alloc(64, n * STRIDE);
	s->hdr = calloc(n, sizeof(*s->hdr));
	s->q = calloc(n, sizeof(*s->q));
	if (!s->bytes || !s->hdr || !s->q)
		return -ENOMEM;
	for (unsigned long i = 0; i < n; i++) {
		struct tunvnet_class cls;
		int err;

		s->len = put_flow(s->bytes + i * STRIDE, v6, i);
		err = tunvnet_classify_hash(s->bytes + i * STRIDE, s->len, TUNVNET_L2_ETH, cfg->types,
					    cur_profile, cur_t, &cls);
		if (err)
			return err;
		s->hdr[i].hash_report = (uint16_t)cls.report;
		if (cfg->flags & TUNVNET_HASH_RSS) {
			s->hdr[i].hash_value = cls.hash;
			s->q[i] = (unsigned int)tunvnet_rss_queue(cfg, NQ, cls.report, cls.hash);
		} else {
			s->hdr[i].hash_value = mix(i + 1);
			s->q[i] = s->hdr[i].hash_value % NQ;
		}
	}
	return 0;
}

static void free_set(struct flowset *s)
{
	free(s->bytes);
	free(s->hdr);
	free(s->q);
	memset(s, 0, sizeof(*s));
}

static double cls_loop(const struct peer *p, size_t len, unsigned long iters)
{
	struct tunvnet_class cls;
	unsigned long i, k = 0;
	uint32_t h = 0;
	double t0 = now_ns();

	(void)p;
	for (i = 0; i < iters; i++) {
		tunvnet_classify_hash(cur->bytes + k * STRIDE, len, TUNVNET_L2_ETH,
				      TUNVNET_HASH_TYPES_ALL, cur_profile, cur_t, &cls);
		h ^= cls.hash;
		if (++k == cur->n)
			k = 0;
	}
	sink ^= h;
	return now_ns() - t0;
}

static double verify_loop(const struct peer *p, size_t len, unsigned long iters)
{
	struct tunvnet_verdict vd;
	unsigned long i, k = 0;
	double t0 = now_ns();

	(void)p;
	for (i = 0; i < iters; i++) {
		tunvnet_verify_packet(cur_v, cur->q[k], &cur->hdr[k], cur->bytes + k * STRIDE, len,
				      &vd);
		bad += vd.code != TUNVNET_VERDICT_MATCH;
		if (++k == cur->n)
			k = 0;
	}
	return now_ns() - t0;
}

static int new_verifier(const struct tunvnet_hash_cfg *cfg, enum tunvnet_kind kind,
			struct tunvnet_verifier **v)
{
	struct tunvnet_verify_opts o = TUNVNET_VERIFY_OPTS_INIT;

	o.cfg = cfg;
	o.backend = TUNVNET_BACKEND_KERNEL;
	o.num_queues = NQ;
	o.kind = kind;
	o.l2 = TUNVNET_L2_ETH;
	o.profile = cur_profile;
	return tunvnet_verifier_new(&o, v);
}

#define NCFG 3           /* rss, automq (report only) on a tap, and on a macvtap */
#define SLICE_NS 1e6     /* one timed slice of a loop */

static unsigned int slices = 60; /* per loop, taking turns (--quick: 10) */

/* Point the loops at a set (and its verifier). */
static void use_set(const struct flowset *s, struct tunvnet_verifier *v)
{
	cur = s;
	cur_v = v;
}

/* Iterations of fn that take about SLICE_NS. */
static unsigned long calibrate(double (*fn)(const struct peer *, size_t, unsigned long), size_t len)
{
	unsigned long iters = 64;
	double t;

	while ((t = fn(NULL, len, iters)) < SLICE_NS / 16 && iters < (1ul << 40))
		iters *= 2;
	iters = (unsigned long)((double)iters * SLICE_NS / (t > 1 ? t : 1));
	return iters ? iters : 1;
}

/*
 * One set: classify_hash over it and verify under each configuration. The
 * three loops take turns in slices of about 1 ms, the minimum of each kept:
 * load on this shared machine comes in bursts longer than a slice, and
 * taking turns this finely lets every loop find the quiet between them, so
 * no burst lands on one side of a ratio only.
 */
static int run_set(bool v6, unsigned long n, const struct tunvnet_hash_cfg *cfgs,
		   const enum tunvnet_kind *kinds, const char *const *names)
{
	struct flowset s[NCFG] = { 0 };
	struct tunvnet_verifier *v[NCFG] = { 0 };
	double best[1 + NCFG];
	int err = 0;

	for (size_t c = 0; c < NCFG && !err; c++) {
		/* The frames are the same in every set; the headers follow the configuration. */
		err = build_set(&s[c], v6, n, &cfgs[c]);
		if (!err)
			err = new_verifier(&cfgs[c], kinds[c], &v[c]);
		if (err) {
			fprintf(stderr, "tunvnet-bench: verify set: %s\n", tunvnet_last_error());
			break;
		}
		/* Once through: every frame must match, or the figure is of another path. */
		use_set(&s[c], v[c]);
		bad = 0;
		verify_loop(NULL, s[c].len, n);
		if (bad) {
			fprintf(stderr, "tunvnet-bench: verify %s %s: %lu of %lu frames do not match\n",
				s[c].frame, names[c], bad, n);
			err = -EPROTO;
		}
	}
	if (!err) {
		unsigned long iters[1 + NCFG];

		use_set(&s[0], NULL);
		iters[0] = calibrate(cls_loop, s[0].len);
		for (size_t c = 0; c < NCFG; c++) {
			use_set(&s[c], v[c]);
			iters[1 + c] = calibrate(verify_loop, s[c].len);
		}
		for (size_t i = 0; i < 1 + NCFG; i++)
			best[i] = 1e300;
		for (unsigned int r = 0; r < slices; r++) {
			double t;

			use_set(&s[0], NULL);
			t = cls_loop(NULL, s[0].len, iters[0]) / (double)iters[0];
			best[0] = t < best[0] ? t : best[0];
			for (size_t c = 0; c < NCFG; c++) {
				use_set(&s[c], v[c]);
				t = verify_loop(NULL, s[c].len, iters[1 + c]) / (double)iters[1 + c];
				best[1 + c] = t < best[1 + c] ? t : best[1 + c];
			}
		}
	}
	if (!err && bad) {
		fprintf(stderr, "tunvnet-bench: verify %s: %lu frames did not match while timed\n",
			s[0].frame, bad);
		err = -EPROTO;
	}
	if (!err) {
		add_row("classify_hash", "tunvnet-auto", s[0].len, "bulk", s[0].frame, best[0]);
		row_extra(n, NULL, -1, 0);
		for (size_t c = 0; c < NCFG; c++) {
			add_row("verify", "tunvnet", s[c].len, "bulk", s[c].frame, best[1 + c]);
			row_extra(n, names[c], -1, NQ);
		}
	}
	cur_v = NULL;
	for (size_t c = 0; c < NCFG; c++) {
		tunvnet_verifier_free(v[c]);
		free_set(&s[c]);
	}
	return err;
}

int bench_verify_rows(enum tunvnet_profile profile, bool quick)
{
	static const unsigned long counts[] = { 16, 1024, 100000 };
	static const char *const names[NCFG] = { "rss", "automq", "automq-vtap" };
	static const enum tunvnet_kind kinds[NCFG] = { TUNVNET_KIND_TAP, TUNVNET_KIND_TAP,
						       TUNVNET_KIND_MACVTAP };
	struct tunvnet_hash_cfg cfgs[NCFG] = { TUNVNET_HASH_CFG_INIT, TUNVNET_HASH_CFG_INIT,
					       TUNVNET_HASH_CFG_INIT };
	struct tunvnet_toeplitz *t = NULL;
	int err;

	cur_profile = profile;
	slices = quick ? 10 : 60;
	for (unsigned int i = 0; i < TABLE_LEN; i++)
		table[i] = (uint16_t)(i % NQ);
	/* The setting: report + RSS, 4 queues, a 128-entry table; and automq. */
	cfgs[0].flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	cfgs[0].types = TUNVNET_HASH_TYPES_ALL;
	cfgs[0].key = tunvnet_default_key();
	cfgs[0].key_len = TUNVNET_KEY_MAX;
	cfgs[0].table = table;
	cfgs[0].table_len = TABLE_LEN;
	cfgs[1].flags = TUNVNET_HASH_REPORT;
	cfgs[1].types = TUNVNET_HASH_TYPES_ALL;
	cfgs[2] = cfgs[1]; /* macvtap: the set's queue is value % 4, tap.c's rule */
	err = tunvnet_toeplitz_new(cfgs[0].key, cfgs[0].key_len, TUNVNET_TOEPLITZ_AUTO, &t);
	if (err)
		return err;
	cur_t = t;
	for (int v6 = 0; v6 < 2 && !err; v6++)
		for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]) && !err; i++)
			err = run_set(v6, counts[i], cfgs, kinds, names);
	tunvnet_toeplitz_free(t);
	cur_t = NULL; /* freed: the receive loop makes its own */
	return err;
}

/* ---- the receive loop on a live tap ---- */

static struct tunvnet_dev *rx_dev;
static struct tunvnet_verifier *rx_v;
static struct tunvnet_toeplitz *rx_t;
static struct tunvnet_pkt rx_pkts[32];
static unsigned long rx_frames;

/* Drain every queue in batches of 32; returns the ns it took. */
static double drain(bool verify)
{
	struct tunvnet_verdict vd;
	double t0 = now_ns();

	for (unsigned int q = 0; q < NQ; q++) {
		int n;

		while ((n = tunvnet_queue_read(rx_dev, q, rx_pkts, 32)) > 0) {
			rx_frames += (unsigned long)n;
			if (!verify)
				continue;
			for (int i = 0; i < n; i++) {
				tunvnet_verify_packet(rx_v, q, &rx_pkts[i].hdr, rx_pkts[i].buf,
						      rx_pkts[i].len, &vd);
				bad += vd.code != TUNVNET_VERDICT_MATCH;
			}
		}
	}
	return now_ns() - t0;
}

struct tunvnet_dev *bench_tap_open(unsigned int nq, const char **missing)
{
	struct tunvnet_dev_opts dopts = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *dev;

	if (access("/dev/net/tun", R_OK | W_OK)) {
		*missing = "no /dev/net/tun";
		return NULL;
	}
	dopts.kind = TUNVNET_KIND_TAP;
	dopts.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_NONBLOCK;
	dopts.queues = nq;
	dopts.vnet_hdr_sz = TUNVNET_HDR_HASH_LEN;
	if (tunvnet_dev_open(NULL, &dopts, &dev)) {
		*missing = "cannot create a tap (needs CAP_NET_ADMIN)";
		return NULL;
	}
	return dev;
}

int wait_oper_up(const char *name)
{
	char path[64], st[16] = "";

	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", name);
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(path, "r");

		if (f) {
			if (!fgets(st, sizeof(st), f))
				st[0] = '\0';
			fclose(f);
		}
		/* tun reports no operstate of its own: "unknown" once the carrier is on */
		if (!strncmp(st, "up", 2) || !strncmp(st, "unknown", 7))
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

void bench_rx_loop_rows(bool quick, const char **missing)
{
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	struct flowset s = { 0 };
	struct tunvnet_verify_opts vo = TUNVNET_VERIFY_OPTS_INIT;
	const char *config = "off";
	double best[2] = { 1e300, 1e300 };
	struct ifreq ifr;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	static uint8_t bufs[32][2048];
	size_t max_frame = 0;
	int sock = -1, rounds = quick ? 4 : 30;
	const unsigned int burst = 2000;

	*missing = NULL;
	rx_dev = bench_tap_open(NQ, missing);
	if (!rx_dev)
		return;
	sock = socket(AF_PACKET, SOCK_RAW, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tunvnet_dev_name(rx_dev));
	ifr.ifr_qlen = 4096; /* each queue's ring holds a whole burst */
	if (sock < 0 || ioctl(sock, SIOCSIFTXQLEN, &ifr) || tunvnet_dev_set_up(rx_dev, true) ||
	    wait_oper_up(tunvnet_dev_name(rx_dev)) || tunvnet_dev_max_frame(rx_dev, &max_frame) ||
	    max_frame > sizeof(bufs[0])) {
		*missing = "cannot bring the tap up for AF_PACKET";
		goto out;
	}
	for (unsigned int i = 0; i < TABLE_LEN; i++)
		table[i] = (uint16_t)(i % NQ);
	/* Hashing where some backend gives it on this kernel; else the loop verifies "off". */
	cfg.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	cfg.types = TUNVNET_HASH_TYPES_PLAIN;
	cfg.key = tunvnet_default_key();
	cfg.key_len = TUNVNET_KEY_MAX;
	cfg.table = table;
	cfg.table_len = TABLE_LEN;
	vo.profile = TUNVNET_PROFILE_LINUX;
	vo.backend = TUNVNET_BACKEND_KERNEL;
	if (tunvnet_dev_set_hash(rx_dev, &cfg) == 0) {
		struct tunvnet_hash_cfg in_force = TUNVNET_HASH_CFG_INIT;

		/* Verify by the rules of the backend auto chose (ebpf on a stock
		 * kernel: the library fills reports on read, spec profile). */
		if (tunvnet_dev_get_hash(rx_dev, &in_force) == 0 &&
		    in_force.backend != TUNVNET_BACKEND_AUTO)
			vo.backend = in_force.backend;
		if (vo.backend != TUNVNET_BACKEND_KERNEL)
			vo.profile = TUNVNET_PROFILE_SPEC;
		config = vo.backend == TUNVNET_BACKEND_KERNEL ? "report+rss kernel"
			 : vo.backend == TUNVNET_BACKEND_EBPF ? "report+rss ebpf"
							      : "report+rss user";
	} else {
		cfg = (struct tunvnet_hash_cfg)TUNVNET_HASH_CFG_INIT;
	}
	vo.cfg = &cfg;
	vo.num_queues = NQ;
	vo.kind = TUNVNET_KIND_TAP;
	vo.l2 = TUNVNET_L2_ETH;
	cur_profile = vo.profile;
	if (tunvnet_toeplitz_new(tunvnet_default_key(), TUNVNET_KEY_MAX, TUNVNET_TOEPLITZ_AUTO,
				 &rx_t)) {
		*missing = "no Toeplitz handle";
		goto out;
	}
	cur_t = rx_t;
	if (tunvnet_verifier_new(&vo, &rx_v) || build_set(&s, false, 1024, &cfg)) {
		*missing = "verifier setup failed";
		goto out;
	}
	for (unsigned int i = 0; i < 32; i++)
		rx_pkts[i] = (struct tunvnet_pkt){ .buf = bufs[i], .cap = sizeof(bufs[i]) };
	sll.sll_ifindex = tunvnet_dev_ifindex(rx_dev);
	sll.sll_protocol = htons(ETH_P_ALL);
	if (bind(sock, (struct sockaddr *)&sll, sizeof(sll))) {
		*missing = "cannot bind AF_PACKET to the tap";
		goto out;
	}
	drain(false); /* the kernel's own frames (IPv6 MLD, router solicitation) */
	bad = 0;
	/* Alternate the two loops over identical bursts; the minimum per frame of each. */
	for (int r = 0; r < 2 * rounds; r++) {
		bool verify = r & 1;
		double t;

		for (unsigned int i = 0; i < burst; i++)
			if (send(sock, s.bytes + (i % s.n) * STRIDE, s.len, 0) < 0)
				break;
		rx_frames = 0;
		t = drain(verify);
		if (rx_frames >= burst / 2 && t / (double)rx_frames < best[verify])
			best[verify] = t / (double)rx_frames;
	}
	if (best[0] > 1e299 || best[1] > 1e299) {
		*missing = "the tap delivered too few frames";
		goto out;
	}
	if (bad)
		fprintf(stderr, "tunvnet-bench: rx loop: %lu frames did not verify as match\n", bad);
	for (int verify = 0; verify < 2; verify++) {
		add_row("rx_loop", "tunvnet", s.len, "batch32", s.frame, best[verify]);
		row_extra(1024, config, verify, NQ);
	}
out:
	if (sock >= 0)
		close(sock);
	tunvnet_verifier_free(rx_v);
	rx_v = NULL;
	cur_t = NULL;
	tunvnet_toeplitz_free(rx_t);
	rx_t = NULL;
	free_set(&s);
	tunvnet_dev_close(rx_dev);
	rx_dev = NULL;
}

void bench_verify_ratios(void)
{
	static const char *const frames[] = { "eth-ipv4-tcp", "eth-ipv6-tcp" };
	static const unsigned long counts[] = { 16, 1024, 100000 };
	double with, without;

	printf("verify / classify_hash of the same frames (4 queues; rss: report + RSS, 128-entry "
	       "table; automq: report only, the per-flow table, on a tap and a macvtap):\n");
	for (size_t f = 0; f < 2; f++)
		for (size_t i = 0; i < 3; i++) {
			double base = row_ns("classify_hash", frames[f], counts[i], NULL, -1);
			double rss = row_ns("verify", frames[f], counts[i], "rss", -1);
			double amq = row_ns("verify", frames[f], counts[i], "automq", -1);
			double vtap = row_ns("verify", frames[f], counts[i], "automq-vtap", -1);

			if (base > 0 && rss > 0 && amq > 0 && vtap > 0)
				printf("  %-13s %6lu flows: rss %.2fx, automq %.2fx, automq-vtap %.2fx\n",
				       frames[f], counts[i], rss / base, amq / base, vtap / base);
		}
	with = row_ns("rx_loop", "eth-ipv4-tcp", 0, NULL, 1);
	without = row_ns("rx_loop", "eth-ipv4-tcp", 0, NULL, 0);
	if (with > 0 && without > 0)
		printf("receive loop (tunvnet_queue_read, batches of 32) with / without verify: "
		       "%.3fx\n", with / without);
}
