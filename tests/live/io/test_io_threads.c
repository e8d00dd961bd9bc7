/* SPDX-License-Identifier: MIT */
/*
 * The threading contract of a device handle, on a real multi-queue tap:
 * one reader thread per queue (as a VMM runs them) while a control thread
 * adds queues, changes the vnet header size and endianness, and switches
 * hash reporting (user backend: the readers fill it) between two type sets
 * and off underneath. Every frame sent into the tap with AF_PACKET must
 * come back once, byte for byte, with a header that is all zero but for a
 * hash report of one of the configurations (reference-computed), or be
 * reported dropped with -ESTALE (it was read while the header layout
 * changed). Nothing is lost, nothing is shifted.
 *
 * Before the fixed queue slots and header snapshots, add_queue moved the
 * fd array under the readers (heap-use-after-free) and a read that raced
 * a size change returned the frame shifted with garbage header fields.
 * Built with -Db_sanitize=thread by scripts/test.sh as well.
 *
 * TUNVNET_STRESS_FRAMES sets the number of frames (default 20000).
 * Needs CAP_NET_ADMIN; exits 77 (skipped) without it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
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

#define MAX_Q 8
#define BATCH 8
#define BUF_SZ 65600 /* more than any tap frame without offloads */
#define WINDOW 128   /* frames in flight: under the tap's queue length */

static const uint8_t mark[5] = { 0x02, 0x74, 0x76, 0x74, 0x68 };

static struct tunvnet_dev *dev;
static unsigned int nframes = 20000;
static uint8_t tap_mac[6];        /* the kernel's own frames come from it */
static uint8_t *seen;             /* per seq: times received */
static unsigned long received, stale, bad, noise, reported;
static int stop_readers;
/* Changes the control thread has made: the sender paces itself by them, so
 * changes overlap the traffic however the two threads are scheduled. */
static unsigned long changes_made;
#define FRAMES_PER_CHANGE 250
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* The report configurations the control thread switches between (REPORT only, Microsoft key). */
static const uint32_t report_types[2] = { TUNVNET_HASH_TYPE_IPV4,
					  TUNVNET_HASH_TYPE_IPV4 | TUNVNET_HASH_TYPE_UDPV4 };
static struct tunvnet_toeplitz *ms;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static size_t frame_len(unsigned int seq)
{
	return 60 + (seq * 37u) % 1400;
}

/* Ethernet + IPv4 + UDP, ports spread over 64 flows, payload from seq. */
static size_t build(unsigned int seq, uint8_t *f)
{
	size_t len = frame_len(seq), i;

	memset(f, 0, 42);
	f[0] = 0x02; f[5] = 0x01;                 /* dst 02:00:00:00:00:01 */
	memcpy(f + 6, mark, sizeof(mark));
	f[11] = (uint8_t)seq;
	f[12] = 0x08;                             /* IPv4 */
	f[14] = 0x45;
	f[16] = (uint8_t)((len - 14) >> 8); f[17] = (uint8_t)(len - 14);
	f[22] = 64; f[23] = 17;                   /* ttl, UDP */
	f[26] = 10; f[29] = 1;                    /* 10.0.0.1 */
	f[30] = 10; f[33] = 2;                    /* 10.0.0.2 */
	f[34] = 0x03; f[35] = (uint8_t)(seq % 64); /* sport 768 + flow */
	f[36] = 0x07; f[37] = 0xd0;               /* dport 2000 */
	f[38] = (uint8_t)((len - 34) >> 8); f[39] = (uint8_t)(len - 34);
	f[42] = (uint8_t)(seq >> 24); f[43] = (uint8_t)(seq >> 16);
	f[44] = (uint8_t)(seq >> 8); f[45] = (uint8_t)seq;
	for (i = 46; i < len; i++)
		f[i] = (uint8_t)(seq * 131u + i * 7u);
	return len;
}

/* Zero but for a report off, or of one of the two configurations. */
static bool header_ok(const struct tunvnet_hdr *h, const uint8_t *f, size_t len)
{
	struct tunvnet_hdr rest = *h;
	static const struct tunvnet_hdr zero;
	struct tunvnet_class cls;
	unsigned int i;

	rest.hash_value = 0;
	rest.hash_report = 0;
	if (memcmp(&rest, &zero, sizeof(zero)) != 0)
		return false;
	if (!h->hash_report && !h->hash_value)
		return true;
	for (i = 0; i < 2; i++)
		if (tunvnet_classify_hash(f, len, TUNVNET_L2_ETH, report_types[i],
					  TUNVNET_PROFILE_SPEC, ms, &cls) == 0 &&
		    cls.report == h->hash_report && cls.hash == h->hash_value)
			return true;
	return false;
}

static void check_frame(unsigned int q, const struct tunvnet_pkt *p)
{
	static const struct tunvnet_hdr zero;
	uint8_t want[1600];
	const uint8_t *f = p->buf;
	unsigned int seq;

	if (p->len >= 14 && memcmp(f + 6, tap_mac, 6) == 0 &&
	    memcmp(&p->hdr, &zero, sizeof(zero)) == 0) {
		__atomic_add_fetch(&noise, 1, __ATOMIC_RELAXED); /* IPv6 MLD and the like */
		return;
	}
	seq = p->len < 46 ? 0 : (unsigned int)f[42] << 24 | (unsigned int)f[43] << 16 | (unsigned int)f[44] << 8 | f[45];
	if (p->len < 46 || memcmp(f + 6, mark, sizeof(mark)) != 0 ||
	    seq >= nframes || p->len != frame_len(seq) || build(seq, want) != p->len ||
	    memcmp(want, f, p->len) != 0 || !header_ok(&p->hdr, f, p->len)) {
		if (__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED) <= 5)
			fprintf(stderr, "queue %u: corrupted frame (len %zu, seq field %u, header "
				"flags %u gso %u hdr_len %u num_buffers %u hash %#x)\n", q, p->len,
				seq, p->hdr.flags, p->hdr.gso_type, p->hdr.hdr_len,
				p->hdr.num_buffers, p->hdr.hash_value);
		return;
	}
	if (p->hdr.hash_report)
		__atomic_add_fetch(&reported, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&lock);
	seen[seq]++;
	__atomic_add_fetch(&received, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lock);
}

static void *reader(void *arg)
{
	unsigned int q = (unsigned int)(uintptr_t)arg, i;
	struct tunvnet_pkt pkts[BATCH];
	struct pollfd pfd = { .fd = tunvnet_dev_queue_fd(dev, q), .events = POLLIN };
	int n, idle = 0;

	for (i = 0; i < BATCH; i++) {
		pkts[i].buf = malloc(BUF_SZ);
		pkts[i].cap = BUF_SZ;
		if (!pkts[i].buf)
			fail("out of memory");
	}
	for (;;) {
		if (poll(&pfd, 1, 10) == 0) {
			/* Stop only once the sender is done and the queue stays empty. */
			if (__atomic_load_n(&stop_readers, __ATOMIC_ACQUIRE) && ++idle > 5)
				break;
			continue;
		}
		idle = 0;
		n = tunvnet_queue_read(dev, q, pkts, BATCH);
		if (n == -EAGAIN)
			continue;
		if (n == -ESTALE) { /* one frame read across a layout change: dropped, said so */
			__atomic_add_fetch(&stale, 1, __ATOMIC_RELAXED);
			continue;
		}
		if (n < 0)
			fail("queue %u: tunvnet_queue_read: %d (%s)", q, n, tunvnet_last_error());
		for (i = 0; i < (unsigned int)n; i++)
			check_frame(q, &pkts[i]);
	}
	for (i = 0; i < BATCH; i++)
		free(pkts[i].buf);
	return NULL;
}

static pthread_t readers[MAX_Q];
static unsigned int nreaders;
static int sender_done;

static void start_reader(unsigned int q)
{
	if (pthread_create(&readers[nreaders], NULL, reader, (void *)(uintptr_t)q))
		fail("pthread_create");
	nreaders++;
}

/* The control thread: more queues, then header size and endianness changes. */
static void *control(void *arg)
{
	static const int sizes[] = { 20, 10, 24, 12 };
	unsigned long changes = 0;
	int q, err;

	(void)arg;
	while (!__atomic_load_n(&sender_done, __ATOMIC_ACQUIRE)) {
		if (tunvnet_dev_num_queues(dev) < MAX_Q && changes % 16 == 3) {
			q = tunvnet_dev_add_queue(dev);
			if (q < 0)
				fail("tunvnet_dev_add_queue: %d (%s)", q, tunvnet_last_error());
			start_reader((unsigned int)q);
		}
		err = tunvnet_dev_set_vnet_hdr_sz(dev, sizes[changes % 4]);
		if (err)
			fail("tunvnet_dev_set_vnet_hdr_sz: %d (%s)", err, tunvnet_last_error());
		/* Reports on (two type sets) or off, filled by the readers: user backend. */
		if (sizes[changes % 4] >= TUNVNET_HDR_HASH_LEN) {
			struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;

			c.flags = changes % 3 == 2 ? 0 : TUNVNET_HASH_REPORT;
			c.types = c.flags ? report_types[changes % 3] : 0;
			c.backend = TUNVNET_BACKEND_USER;
			err = tunvnet_dev_set_hash(dev, &c);
			if (err)
				fail("tunvnet_dev_set_hash: %d (%s)", err, tunvnet_last_error());
		}
		if (changes % 8 == 5) {
			err = tunvnet_dev_set_vnet_endian(dev, changes % 16 == 5 ? TUNVNET_ENDIAN_LE
										: TUNVNET_ENDIAN_NATIVE);
			if (err)
				fail("tunvnet_dev_set_vnet_endian: %d (%s)", err, tunvnet_last_error());
		}
		changes++;
		__atomic_store_n(&changes_made, changes, __ATOMIC_RELEASE);
		usleep(500);
	}
	printf("control: %lu header and report changes, %u queues\n", changes, tunvnet_dev_num_queues(dev));
	return NULL;
}

static void wait_oper_up(const char *name)
{
	char path[96], buf[16] = "";
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", name);
	for (i = 0; i < 500; i++) {
		f = fopen(path, "re");
		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = '\0';
			fclose(f);
		}
		if (strncmp(buf, "up", 2) == 0 || strncmp(buf, "unknown", 7) == 0)
			return;
		usleep(10000);
	}
	fail("%s did not come up (operstate %s)", name, buf);
}

int main(void)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	pthread_t ctl;
	char name[IFNAMSIZ];
	uint8_t f[1600];
	unsigned int seq, i, lost = 0, dup = 0;
	const char *env = getenv("TUNVNET_STRESS_FRAMES");
	int tx, err;

	live_require_net_admin();
	if (tunvnet_toeplitz_new(tunvnet_default_key(), TUNVNET_KEY_MAX, TUNVNET_TOEPLITZ_REF, &ms))
		fail("tunvnet_toeplitz_new: %s", tunvnet_last_error());
	if (env && atoi(env) > 0)
		nframes = (unsigned int)atoi(env);
	seen = calloc(nframes, 1);
	if (!seen)
		fail("out of memory");

	live_name(name, "thr");
	live_track(name);
	o.kind = TUNVNET_KIND_TAP;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_NONBLOCK;
	o.queues = 2;
	o.vnet_hdr_sz = 12;
	err = tunvnet_dev_open(name, &o, &dev);
	if (err)
		fail("tunvnet_dev_open: %d (%s)", err, tunvnet_last_error());
	if (live_sh("ip link set %s up", name) != 0)
		fail("ip link set %s up", name);
	wait_oper_up(name);
	/* IPv6 autoconfiguration would add frames of its own; they are told apart anyway. */
	live_sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1", name);

	tx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (tx < 0)
		fail("AF_PACKET socket: %s", strerror(errno));
	{
		struct ifreq ifr = { 0 };

		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		if (ioctl(tx, SIOCGIFHWADDR, &ifr) < 0)
			fail("SIOCGIFHWADDR: %s", strerror(errno));
		memcpy(tap_mac, ifr.ifr_hwaddr.sa_data, 6);
	}
	sll.sll_ifindex = tunvnet_dev_ifindex(dev);
	sll.sll_halen = ETH_ALEN;
	if (bind(tx, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		fail("bind: %s", strerror(errno));

	for (i = 0; i < tunvnet_dev_num_queues(dev); i++)
		start_reader(i);
	if (pthread_create(&ctl, NULL, control, NULL))
		fail("pthread_create");

	for (seq = 0; seq < nframes; seq++) {
		size_t len = build(seq, f);

		/* On a loaded machine the sender once finished all its frames before
		 * the control thread's first change: nothing was then tested. */
		for (i = 0; seq % FRAMES_PER_CHANGE == 0 &&
			    __atomic_load_n(&changes_made, __ATOMIC_ACQUIRE) < seq / FRAMES_PER_CHANGE;
		     i++) {
			if (i == 50000)
				fail("the control thread made no change in 5 s");
			usleep(100);
		}

		/* Keep under the tap's queue length: a kernel drop is not what is tested. */
		for (i = 0; i < 2000; i++) {
			unsigned long done = __atomic_load_n(&received, __ATOMIC_RELAXED) +
					     __atomic_load_n(&stale, __ATOMIC_RELAXED) +
					     __atomic_load_n(&bad, __ATOMIC_RELAXED);

			if (seq < done + WINDOW)
				break;
			usleep(100);
		}
		while (send(tx, f, len, 0) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN)
				fail("send: %s", strerror(errno));
			usleep(100);
		}
	}
	__atomic_store_n(&sender_done, 1, __ATOMIC_RELEASE);
	pthread_join(ctl, NULL);
	__atomic_store_n(&stop_readers, 1, __ATOMIC_RELEASE);
	for (i = 0; i < nreaders; i++)
		pthread_join(readers[i], NULL);

	for (seq = 0; seq < nframes; seq++) {
		if (seen[seq] == 0)
			lost++;
		else if (seen[seq] > 1)
			dup++;
	}
	printf("%u frames sent on %u queues: %lu received byte-exact (%lu with a filled report), "
	       "%lu dropped as read across a header change (-ESTALE), %lu corrupted, %u "
	       "duplicated, %lu kernel frames ignored\n", nframes, nreaders, received, reported,
	       stale, bad, dup, noise);
	if (!reported)
		fail("no frame carried a filled report: the filler was not exercised");
	if (bad || dup)
		fail("%lu corrupted, %u duplicated frames", bad, dup);
	/*
	 * Not received: dropped with -ESTALE, or lost. A dropped frame may also
	 * have been one of the kernel's own (IPv6 MLD), so at most as many lost.
	 */
	if (lost > stale)
		fail("%u frames not received, but only %lu reported dropped", lost, stale);
	if (stale > nframes / 100)
		fail("%lu of %u frames dropped across header changes: too many", stale, nframes);
	tunvnet_dev_close(dev);
	close(tx);
	free(seen);
	return 0;
}
