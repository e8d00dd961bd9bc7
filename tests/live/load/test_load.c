/* SPDX-License-Identifier: MIT */
/*
 * Load: a 4-queue tap, one reader thread per queue, a sender injecting
 * frames with AF_PACKET as fast as it can (sendmmsg, qdisc bypassed), and a
 * control thread changing the hash configuration (keys, types, tables,
 * report on and off) every few milliseconds underneath. At the end every
 * frame is accounted for:
 *   frames the kernel took (sendmmsg accepted them) + frames it refused
 *   (sendmmsg stopped on them: the tap dropped them, the qdisc being
 *   bypassed) == received + dropped by the kernel (the device's tx_dropped),
 * no frame comes back twice or with an id that was never sent, every frame
 * is byte for byte the one sent, and each one's queue, hash report and hash
 * value are what one of the configurations in force between its sending
 * and its reading gives (never a mix, never another queue's frame).
 *
 * The expectations are computed here from the frame's own fields with a
 * Toeplitz loop of this file (checked against the Microsoft vector first),
 * not with the library's reference.
 *
 * Needs a device that hashes: a kernel with the series (a test kernel: the
 * VM suite runs the live suite there, under ASan too) or a stock-kernel
 * backend of the library (the ebpf backend on the host). With the kernel
 * backend one configuration must explain queue, report and hash together.
 * The ebpf backend steers in the kernel but fills the report when the frame
 * is read, with the configuration in force then: queue and report are each
 * checked against the configurations of the window, not necessarily the
 * same one. Exits 77 when nothing hashes here (unless TUNVNET_EXPECT_UAPI
 * says the kernel has the series) or without CAP_NET_ADMIN.
 * The queues' rings are kept short (txqueuelen 64) so that readers falling
 * behind make the kernel drop: those drops must show in tx_dropped.
 * TUNVNET_LOAD_SECONDS: how long the sender runs (default 3).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tunvnet/tunvnet.h"
#include "../device/live.h"
#include "../expect_uapi.h"
#include "../oper_up.h"

#define NQ 4
#define BATCH 32
#define MAX_FRAMES (1u << 21)
#define FRAME_MAX 160
#define BUF_SZ 65600
#define MAGIC 0x54564c44u /* "TVLD" */

/* virtio-net hash types and reports (virtio spec 5.1.6.4.3, 5.1.6.4.1). */
#define T_IPV4 0x01u
#define T_TCPV4 0x02u
#define T_UDPV4 0x04u
#define T_ALL 0x3fu
#define R_NONE 0
#define R_IPV4 1
#define R_TCPV4 2
#define R_UDPV4 3

static const uint8_t key_ms[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};
static uint8_t key_b[40]; /* 0x01..0x28 */

struct cfgdef {
	const char *name;
	uint32_t flags, types;
	const uint8_t *key;
	uint16_t table[4];
	unsigned int table_len;
	uint16_t unclassified;
};

/* Each differs from the others in what it gives a frame: key, types, table. */
static const struct cfgdef cfgs[] = {
	{ "report+rss all ms [0,1,2,3]", TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, T_ALL, key_ms,
	  { 0, 1, 2, 3 }, 4, 0 },
	{ "report+rss ipv4 b [3,2,1,0]", TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, T_IPV4, key_b,
	  { 3, 2, 1, 0 }, 4, 1 },
	{ "rss all b [1,3]", TUNVNET_HASH_RSS, T_ALL, key_b, { 1, 3 }, 2, 2 },
	{ "report+rss udp ms [2,0]", TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, T_UDPV4, key_ms,
	  { 2, 0 }, 2, 3 },
};
#define NCFG (sizeof(cfgs) / sizeof(cfgs[0]))

static struct tunvnet_dev *dev;
static char ifname[IFNAMSIZ];
static atomic_uint epoch;          /* configuration n applies cfgs[n % NCFG] */
static atomic_bool stop_ctl, stop_rx;
static _Atomic uint32_t sent_n;    /* frames 0..sent_n-1 were handed to the kernel */
static uint32_t *sent_epoch;       /* epoch read before each frame was sent */
static _Atomic uint8_t *seen;      /* times each frame came back */
static atomic_ulong received, bad_id, dups, corrupt, misattributed, stray, read_err;
static atomic_ulong per_queue[NQ];
static unsigned long changes;
static bool fill_on_read; /* a backend that fills the report when read */

static uint32_t toeplitz(const uint8_t *key, size_t klen, const uint8_t *in, size_t n)
{
	uint32_t h = 0, v = (uint32_t)key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3];
	size_t bit = 32;

	for (size_t i = 0; i < n; i++)
		for (int b = 7; b >= 0; b--, bit++) {
			if (in[i] >> b & 1)
				h ^= v;
			v = v << 1 | (bit / 8 < klen ? (uint32_t)(key[bit / 8] >> (7 - bit % 8) & 1) : 0);
		}
	return h;
}

/* The flow of frame id: addresses, ports, protocol. */
struct flow {
	uint8_t src[4], dst[4];
	uint16_t sport, dport;
	uint8_t proto;
};

static void flow_of(uint32_t id, struct flow *f)
{
	uint32_t k = id % 509; /* a prime number of flows: every queue, every table slot */

	f->src[0] = 10, f->src[1] = 1, f->src[2] = (uint8_t)(k >> 8), f->src[3] = (uint8_t)k;
	f->dst[0] = 10, f->dst[1] = 2, f->dst[2] = (uint8_t)(k * 7 >> 8), f->dst[3] = (uint8_t)(k * 7);
	f->sport = (uint16_t)(1024 + k * 13);
	f->dport = (uint16_t)(80 + k % 17);
	f->proto = (k & 1) ? 17 : 6;
}

static size_t build(uint32_t id, uint8_t *p)
{
	struct flow f;
	size_t l4 = 0, pay = 12 + id % 64, ip_len, i;
	uint32_t sum = 0;

	flow_of(id, &f);
	memset(p, 0, FRAME_MAX);
	memset(p, 0xff, 6);                      /* broadcast */
	p[6] = 0x02, p[7] = 0x4c, p[11] = 0x01;  /* locally administered source */
	p[12] = 0x08, p[13] = 0x00;
	l4 = f.proto == 6 ? 20 : 8;
	ip_len = 20 + l4 + pay;
	p[14] = 0x45;
	p[16] = (uint8_t)(ip_len >> 8), p[17] = (uint8_t)ip_len;
	p[18] = (uint8_t)(id >> 8), p[19] = (uint8_t)id;
	p[20] = 0x40;                            /* DF: never a fragment */
	p[22] = 64, p[23] = f.proto;
	memcpy(p + 26, f.src, 4);
	memcpy(p + 30, f.dst, 4);
	for (i = 14; i < 34; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[24] = (uint8_t)(~sum >> 8), p[25] = (uint8_t)~sum;
	p[34] = (uint8_t)(f.sport >> 8), p[35] = (uint8_t)f.sport;
	p[36] = (uint8_t)(f.dport >> 8), p[37] = (uint8_t)f.dport;
	if (f.proto == 6) {
		p[46] = 5 << 4, p[47] = 0x10;    /* data offset 5, ACK */
		p[48] = 0xff, p[49] = 0xff;
	} else {
		p[38] = (uint8_t)((8 + pay) >> 8), p[39] = (uint8_t)(8 + pay);
	}
	uint8_t *d = p + 34 + l4;
	d[0] = MAGIC >> 24, d[1] = MAGIC >> 16 & 0xff, d[2] = MAGIC >> 8 & 0xff, d[3] = MAGIC & 0xff;
	d[4] = (uint8_t)(id >> 24), d[5] = (uint8_t)(id >> 16), d[6] = (uint8_t)(id >> 8),
	d[7] = (uint8_t)id;
	for (i = 8; i < pay; i++)
		d[i] = (uint8_t)(id * 31 + i * 7);
	return 34 + l4 + pay;
}

/* What configuration c gives frame id: report, hash, queue (-1: unchecked). */
static void expect(const struct cfgdef *c, uint32_t id, unsigned int *report, uint32_t *hash,
		   int *queue)
{
	struct flow f;
	uint8_t in[12];
	uint32_t h = 0;
	unsigned int r = R_NONE;

	flow_of(id, &f);
	memcpy(in, f.src, 4);
	memcpy(in + 4, f.dst, 4);
	in[8] = (uint8_t)(f.sport >> 8), in[9] = (uint8_t)f.sport;
	in[10] = (uint8_t)(f.dport >> 8), in[11] = (uint8_t)f.dport;
	if ((f.proto == 6 && (c->types & T_TCPV4)) || (f.proto == 17 && (c->types & T_UDPV4))) {
		r = f.proto == 6 ? R_TCPV4 : R_UDPV4;
		h = toeplitz(c->key, 40, in, 12);
	} else if (c->types & T_IPV4) {
		r = R_IPV4;
		h = toeplitz(c->key, 40, in, 8);
	}
	*queue = r == R_NONE ? c->unclassified : c->table[h % c->table_len];
	/* Without REPORT the header carries no hash. */
	*report = (c->flags & TUNVNET_HASH_REPORT) ? r : R_NONE;
	*hash = (c->flags & TUNVNET_HASH_REPORT) && r != R_NONE ? h : 0;
}

static int apply(unsigned int n)
{
	const struct cfgdef *c = &cfgs[n % NCFG];
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;

	cfg.flags = c->flags;
	cfg.types = c->types;
	cfg.key = c->key;
	cfg.key_len = 40;
	cfg.table = c->table;
	cfg.table_len = c->table_len;
	cfg.unclassified_queue = c->unclassified;
	return tunvnet_dev_set_hash(dev, &cfg);
}

static void *control(void *arg)
{
	struct timespec ts = { 0, 0 };
	unsigned int n = 0;

	(void)arg;
	while (!atomic_load(&stop_ctl)) {
		/* The epoch moves first: a frame sent after reading epoch e was
		 * classified by configuration e - 1 or a later one. */
		atomic_store(&epoch, ++n);
		if (apply(n)) {
			fprintf(stderr, "set_hash (%s): %s\n", cfgs[n % NCFG].name,
				tunvnet_last_error());
			atomic_fetch_add(&misattributed, 1000000);
			break;
		}
		changes++;
		ts.tv_nsec = (long)(2 + n % 7) * 1000000; /* 2..8 ms */
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void check(unsigned int q, const struct tunvnet_pkt *pkt, unsigned int e_read)
{
	const uint8_t *p = pkt->buf;
	uint8_t want[FRAME_MAX];
	size_t l4, len;
	uint32_t id;

	if (pkt->len < 34 || p[12] != 0x08 || p[13] != 0x00 || p[6] != 0x02 || p[7] != 0x4c) {
		atomic_fetch_add(&stray, 1); /* not ours: the kernel's own traffic */
		return;
	}
	l4 = p[23] == 6 ? 20 : 8;
	if (pkt->len < 34 + l4 + 8 ||
	    ((uint32_t)p[34 + l4] << 24 | p[35 + l4] << 16 | p[36 + l4] << 8 | p[37 + l4]) != MAGIC) {
		atomic_fetch_add(&stray, 1);
		return;
	}
	id = (uint32_t)p[38 + l4] << 24 | p[39 + l4] << 16 | p[40 + l4] << 8 | p[41 + l4];
	if (id >= atomic_load(&sent_n)) {
		if (atomic_fetch_add(&bad_id, 1) < 5)
			fprintf(stderr, "q%u: frame id %u was never sent\n", q, id);
		return;
	}
	if (atomic_fetch_add(&seen[id], 1) != 0) {
		if (atomic_fetch_add(&dups, 1) < 5)
			fprintf(stderr, "q%u: frame %u came back twice\n", q, id);
		return;
	}
	len = build(id, want);
	if (pkt->len != len || memcmp(p, want, len) != 0 || pkt->hdr.gso_type != 0) {
		if (atomic_fetch_add(&corrupt, 1) < 5)
			fprintf(stderr, "q%u: frame %u corrupted (%zu bytes, want %zu)\n", q, id,
				pkt->len, len);
		return;
	}
	/* One configuration in force between sending and reading explains it
	 * (with a backend that fills on read: one explains the queue, one the
	 * report and hash). */
	unsigned int from = sent_epoch[id] ? sent_epoch[id] - 1 : 0, e;
	bool queue_ok = false, report_ok = false;
	for (e = from; e <= e_read && e - from < NCFG; e++) {
		unsigned int report;
		uint32_t hash;
		int queue;
		bool qok, rok;

		expect(&cfgs[e % NCFG], id, &report, &hash, &queue);
		qok = queue < 0 || (unsigned int)queue == q;
		rok = pkt->hdr.hash_report == report && pkt->hdr.hash_value == hash;
		if (qok && rok)
			break;
		queue_ok |= qok;
		report_ok |= rok;
	}
	if ((e > e_read || e - from >= NCFG) && !(fill_on_read && queue_ok && report_ok)) {
		if (atomic_fetch_add(&misattributed, 1) < 5) {
			fprintf(stderr, "q%u: frame %u (flow %u) report %u hash %#x explained by no "
				"configuration of epochs %u..%u:", q, id, id % 509,
				pkt->hdr.hash_report, pkt->hdr.hash_value, from, e_read);
			for (e = from; e <= e_read && e - from < NCFG; e++) {
				unsigned int report;
				uint32_t hash;
				int queue;

				expect(&cfgs[e % NCFG], id, &report, &hash, &queue);
				fprintf(stderr, " [%s: q%d report %u hash %#x]", cfgs[e % NCFG].name,
					queue, report, hash);
			}
			fprintf(stderr, "\n");
		}
		return;
	}
	atomic_fetch_add(&per_queue[q], 1);
	atomic_fetch_add(&received, 1);
}

static void *reader(void *arg)
{
	unsigned int q = (unsigned int)(uintptr_t)arg;
	struct tunvnet_pkt pkts[BATCH];
	struct pollfd pfd = { .fd = tunvnet_dev_queue_fd(dev, q), .events = POLLIN };
	uint8_t *bufs = malloc((size_t)BATCH * BUF_SZ);

	if (!bufs)
		return NULL;
	for (;;) {
		int n;

		for (unsigned int i = 0; i < BATCH; i++)
			pkts[i] = (struct tunvnet_pkt){ .buf = bufs + (size_t)i * BUF_SZ, .cap = BUF_SZ };
		n = tunvnet_queue_read(dev, q, pkts, BATCH);
		if (n == -EAGAIN) {
			if (atomic_load(&stop_rx))
				break;
			poll(&pfd, 1, 20);
			continue;
		}
		if (n < 0) {
			if (atomic_fetch_add(&read_err, 1) < 5)
				fprintf(stderr, "q%u: read: %s (%s)\n", q, tunvnet_strerror(n),
					tunvnet_last_error());
			continue;
		}
		unsigned int e_read = atomic_load(&epoch);
		for (int i = 0; i < n; i++)
			check(q, &pkts[i], e_read);
	}
	free(bufs);
	return NULL;
}

static unsigned long tx_dropped(void)
{
	char path[96];
	unsigned long v = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_dropped", ifname);
	fp = fopen(path, "r");
	if (!fp || fscanf(fp, "%lu", &v) != 1)
		v = 0;
	if (fp)
		fclose(fp);
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	static uint8_t frames[BATCH][FRAME_MAX];
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_caps caps = { .sz = sizeof(caps) };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	pthread_t rx[NQ], ctl;
	const char *env = getenv("TUNVNET_LOAD_SECONDS");
	double secs = env && *env ? atof(env) : 3, t0, t_end, rate;
	unsigned long drop0, dropped, last, refused = 0;
	uint8_t vec_in[12] = { 66, 9, 149, 187, 161, 142, 100, 80, 0x0a, 0xea, 0x06, 0xe6 };
	int tx, err, one = 1, failed = 0;

	/* The Toeplitz loop above, against the Microsoft RSS verification suite
	 * (66.9.149.187:2794 -> 161.142.100.80:1766, TCPv4 0x51ccc178). */
	if (toeplitz(key_ms, 40, vec_in, 12) != 0x51ccc178u) {
		fprintf(stderr, "the test's own Toeplitz is wrong\n");
		return 1;
	}
	for (int i = 0; i < 40; i++)
		key_b[i] = (uint8_t)(i + 1);

	live_require_net_admin();
	err = tunvnet_caps_probe(-1, &caps);
	if (err && err != -EOPNOTSUPP) {
		fprintf(stderr, "skip: cannot probe (%s)\n", tunvnet_last_error());
		return 77;
	}
	if (live_check_uapi(caps.uapi))
		return 1;

	live_name(ifname, "ld");
	o.kind = TUNVNET_KIND_TAP;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_NONBLOCK |
		  TUNVNET_DEV_EXCL;
	o.queues = NQ;
	o.vnet_hdr_sz = 20;
	o.endian = TUNVNET_ENDIAN_LE;
	live_track(ifname);
	err = tunvnet_dev_open(ifname, &o, &dev);
	if (err) {
		fprintf(stderr, "open: %s\n", tunvnet_last_error());
		return err == -EPERM || err == -EACCES ? 77 : 1;
	}
	{
		char path[96];
		FILE *fp;

		/* No router solicitations or MLD reports among the frames. */
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
		fp = fopen(path, "w");
		if (fp) {
			fputs("1", fp);
			fclose(fp);
		}
	}
	/* A short ring per queue (the tap's txqueuelen): readers that fall
	 * behind make the kernel drop, so the drop accounting is exercised too. */
	if (live_sh("ip link set %s txqueuelen 64", ifname) != 0)
		fprintf(stderr, "note: txqueuelen unchanged\n");
	err = apply(0);
	if (err == -EOPNOTSUPP || err == -EPERM) {
		/* Neither the series nor a stock-kernel backend (no bpf() here). */
		fprintf(stderr, "skip: nothing hashes here (%s)\n", tunvnet_last_error());
		return caps.uapi == TUNVNET_UAPI_NONE ? live_no_feature_exit() : 1;
	}
	if (err) {
		fprintf(stderr, "set_hash: %s\n", tunvnet_last_error());
		return 1;
	}
	{
		struct tunvnet_hash_cfg got = TUNVNET_HASH_CFG_INIT;

		if (tunvnet_dev_get_hash(dev, &got)) {
			fprintf(stderr, "get_hash: %s\n", tunvnet_last_error());
			return 1;
		}
		fill_on_read = got.backend != TUNVNET_BACKEND_KERNEL;
		printf("load: backend %s, uAPI %s\n", tunvnet_backend_name(got.backend),
		       tunvnet_uapi_name(caps.uapi));
		/* The series is there: the kernel must be the one hashing. */
		if (caps.uapi != TUNVNET_UAPI_NONE && fill_on_read) {
			printf("load: FAIL: the kernel has the series but backend %s was chosen\n",
			       tunvnet_backend_name(got.backend));
			return 1;
		}
	}
	if (tunvnet_dev_set_up(dev, true) || live_wait_oper_up(ifname, 5000))
		return 1;

	sent_epoch = calloc(MAX_FRAMES, sizeof(*sent_epoch));
	seen = calloc(MAX_FRAMES, sizeof(*seen));
	tx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* protocol 0: send only */
	sll.sll_ifindex = tunvnet_dev_ifindex(dev);
	if (!sent_epoch || !seen || tx < 0 ||
	    bind(tx, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("setup");
		return 1;
	}
	/* Straight to the driver: a drop is then the tap's, in tx_dropped. */
	if (setsockopt(tx, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0)
		fprintf(stderr, "note: no PACKET_QDISC_BYPASS (%s)\n", strerror(errno));

	drop0 = tx_dropped();
	for (unsigned int q = 0; q < NQ; q++)
		pthread_create(&rx[q], NULL, reader, (void *)(uintptr_t)q);
	pthread_create(&ctl, NULL, control, NULL);

	t0 = now();
	t_end = t0 + secs;
	while (now() < t_end && atomic_load(&sent_n) + BATCH <= MAX_FRAMES) {
		uint32_t base = atomic_load(&sent_n);
		unsigned int e = atomic_load(&epoch);
		int n;

		for (unsigned int i = 0; i < BATCH; i++) {
			iov[i].iov_base = frames[i];
			iov[i].iov_len = build(base + i, frames[i]);
			msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
			sent_epoch[base + i] = e;
		}
		/* The ids become valid before the frames can arrive. */
		atomic_store(&sent_n, base + BATCH);
		n = sendmmsg(tx, msgs, BATCH, 0);
		if (n < BATCH) {
			unsigned int ok = n < 0 ? 0 : (unsigned int)n;

			/* sendmmsg stops at the first frame that fails: with the qdisc
			 * bypassed that is the tap dropping it (a full ring), which it
			 * counts in tx_dropped. It must not come back (marked: a
			 * sighting is a duplicate). The frames after it were never
			 * tried: the next batch takes their ids. */
			if (n < 0 && errno != ENOBUFS) {
				perror("sendmmsg");
				failed = 1;
				break;
			}
			refused++;
			atomic_store(&seen[base + ok], 100);
			atomic_store(&sent_n, base + ok + 1);
		}
	}
	double t_sent = now();
	uint32_t total = atomic_load(&sent_n);
	atomic_store(&stop_ctl, true);
	pthread_join(ctl, NULL);

	/* Drain: until every frame is received or counted dropped, or nothing
	 * has moved for a second. */
	last = (unsigned long)-1;
	for (double idle = now();;) {
		unsigned long got = atomic_load(&received) + atomic_load(&misattributed) +
				    atomic_load(&corrupt);
		dropped = tx_dropped() - drop0;
		if (got + dropped >= total)
			break;
		if (got != last) {
			last = got;
			idle = now();
		} else if (now() - idle > 1.0) {
			break;
		}
		usleep(10000);
	}
	atomic_store(&stop_rx, true);
	for (unsigned int q = 0; q < NQ; q++)
		pthread_join(rx[q], NULL);
	dropped = tx_dropped() - drop0;

	unsigned long rcv = atomic_load(&received), mis = atomic_load(&misattributed);
	unsigned long cor = atomic_load(&corrupt), lost;
	unsigned long handed = total - refused; /* accepted by sendmmsg */
	unsigned long seen_by_kernel = handed + refused;

	lost = seen_by_kernel > rcv + mis + cor + dropped ? seen_by_kernel - rcv - mis - cor - dropped : 0;
	rate = (double)handed / (t_sent - t0);
	printf("load: %u queues, %.1f s, %lu frames accepted by the kernel (%.0f/s) and %lu "
	       "refused (dropped at send), %lu configuration changes\n",
	       NQ, t_sent - t0, handed, rate, refused, changes);
	printf("load: received %lu (q0 %lu, q1 %lu, q2 %lu, q3 %lu), dropped by the kernel %lu, "
	       "unaccounted %lu, duplicates %lu, unknown ids %lu, corrupted %lu, misattributed %lu, "
	       "read errors %lu, stray %lu\n",
	       rcv, atomic_load(&per_queue[0]), atomic_load(&per_queue[1]),
	       atomic_load(&per_queue[2]), atomic_load(&per_queue[3]), dropped, lost,
	       atomic_load(&dups), atomic_load(&bad_id), cor, mis, atomic_load(&read_err),
	       atomic_load(&stray));
	if (rcv + mis + cor + dropped > seen_by_kernel) {
		/* More drops than frames missing: someone else's traffic, or a frame
		 * counted dropped and delivered. Either way not accounted exactly. */
		printf("load: FAIL: received + dropped (%lu) exceeds the frames the kernel saw (%lu)\n",
		       rcv + mis + cor + dropped, seen_by_kernel);
		failed = 1;
	}
	if (lost || atomic_load(&dups) || atomic_load(&bad_id) || cor || mis ||
	    atomic_load(&read_err))
		failed = 1;
	if (changes < 10 || rcv < 1000) {
		printf("load: FAIL: too little happened to prove anything (%lu changes, %lu frames)\n",
		       changes, rcv);
		failed = 1;
	}
	for (unsigned int q = 0; q < NQ; q++)
		if (atomic_load(&per_queue[q]) == 0) {
			printf("load: FAIL: queue %u received nothing\n", q);
			failed = 1;
		}
	close(tx);
	tunvnet_dev_close(dev);
	return failed;
}
