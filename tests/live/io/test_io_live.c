/* SPDX-License-Identifier: MIT */
/*
 * Packet IO on a real multi-queue tap (IFF_TAP|IFF_NO_PI|IFF_MULTI_QUEUE|
 * IFF_VNET_HDR, 2 queues, 20-byte LE header): frames sent into the tap
 * with AF_PACKET come back through tunvnet_queue_read on whichever queue
 * the kernel picked, and tunvnet_queue_write reaches an AF_PACKET socket.
 * Needs CAP_NET_ADMIN; exits 77 (skipped) without it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tunvnet/tunvnet.h"

#include "../oper_up.h"

#define NQ 2
#define BUF_SZ 65536 /* whatever max_frame says, with room to spare */

/* Our frames carry this source MAC prefix; anything else is kernel noise. */
static const uint8_t mark[5] = { 0x02, 0x74, 0x76, 0x69, 0x6f };

struct live {
	struct tunvnet_dev *dev;
	int ifindex;
	int tx;     /* AF_PACKET, sends into the tap */
	int rx;     /* AF_PACKET ETH_P_ALL, sees what the tap receives */
	size_t max_frame;
	uint8_t *bufs[8];
};

static struct live L;

static bool ours(const uint8_t *frame, size_t len)
{
	return len >= 14 && memcmp(frame + 6, mark, sizeof(mark)) == 0;
}

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void eth(uint8_t *f, uint8_t id, uint16_t type)
{
	static const uint8_t dst[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

	memcpy(f, dst, 6);
	memcpy(f + 6, mark, 5);
	f[11] = id;
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
}

/* Ethernet + IPv4 + UDP 10.77.0.1:sport -> 10.77.0.2:9, total frame len. */
static size_t udp4(uint8_t *f, size_t len, uint8_t id, uint16_t sport)
{
	uint8_t *ip = f + 14, *udp = ip + 20;

	memset(f, 0, len);
	eth(f, id, ETH_P_IP);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((len - 14) >> 8);
	ip[3] = (uint8_t)(len - 14);
	ip[8] = 64;
	ip[9] = 17;
	ip[12] = 10, ip[13] = 77, ip[14] = 0, ip[15] = 1;
	ip[16] = 10, ip[17] = 77, ip[18] = 0, ip[19] = 2;
	uint16_t c = ip_csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[3] = 9;
	udp[4] = (uint8_t)((len - 34) >> 8);
	udp[5] = (uint8_t)(len - 34);
	for (size_t i = 42; i < len; i++)
		f[i] = (uint8_t)(i * 13 + id);
	return len;
}

/* Ethernet + IPv6 + TCP SYN fd00::1:1000 -> fd00::2:80. */
static size_t tcp6(uint8_t *f, uint8_t id)
{
	size_t len = 14 + 40 + 20 + 16;
	uint8_t *ip = f + 14, *tcp = ip + 40;

	memset(f, 0, len);
	eth(f, id, ETH_P_IPV6);
	ip[0] = 0x60;
	ip[5] = 36;
	ip[6] = 6;
	ip[7] = 64;
	ip[8] = 0xfd, ip[23] = 1;
	ip[24] = 0xfd, ip[39] = 2;
	tcp[0] = 0x03, tcp[1] = 0xe8;
	tcp[3] = 80;
	tcp[12] = 5 << 4;
	tcp[13] = 0x02;
	for (size_t i = 74; i < len; i++)
		f[i] = (uint8_t)(i + id);
	return len;
}

static void inject(const uint8_t *f, size_t len)
{
	assert_int_equal(send(L.tx, f, len, 0), (ssize_t)len);
}

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Read packets from whichever queue has them until one of ours shows up
 * (skipping noise). Returns its queue, or -1 after timeout_ms.
 */
static int read_ours(struct tunvnet_pkt *pkt, int timeout_ms)
{
	long end = ms_now() + timeout_ms;
	struct pollfd pfd[NQ];

	for (;;) {
		long left = end - ms_now();

		if (left <= 0)
			return -1;
		for (int q = 0; q < NQ; q++)
			pfd[q] = (struct pollfd){ .fd = tunvnet_dev_queue_fd(L.dev, q),
						  .events = POLLIN };
		if (poll(pfd, NQ, (int)left) <= 0)
			continue;
		for (int q = 0; q < NQ; q++) {
			if (!(pfd[q].revents & POLLIN))
				continue;
			int r = tunvnet_queue_read(L.dev, (unsigned int)q, pkt, 1);
			if (r == -EAGAIN)
				continue;
			assert_int_equal(r, 1);
			if (ours(pkt->buf, pkt->len))
				return q;
			fprintf(stderr, "# skipped a %zu-byte frame of someone else\n", pkt->len);
		}
	}
}

/* Header of a frame sent on the tap itself: no GSO, no hash on this kernel. */
static void assert_plain_header(const struct tunvnet_hdr *h)
{
	assert_int_equal(h->flags & ~TUNVNET_HDR_F_DATA_VALID, 0);
	assert_int_equal(h->gso_type, 0);
	assert_int_equal(h->hdr_len, 0);
	assert_int_equal(h->gso_size, 0);
	assert_int_equal(h->csum_start, 0);
	assert_int_equal(h->csum_offset, 0);
	assert_int_equal(h->num_buffers, 0);
	assert_int_equal(h->hash_value, 0);
	assert_int_equal(h->hash_report, 0);
	assert_int_equal(h->padding, 0);
}

static void drain(void)
{
	struct tunvnet_pkt pkt = { .buf = L.bufs[7], .cap = BUF_SZ };

	for (int q = 0; q < NQ; q++)
		while (tunvnet_queue_read(L.dev, (unsigned int)q, &pkt, 1) > 0)
			;
}

static void test_frames_round_trip(void **state)
{
	uint8_t f[3][1514];
	size_t len[3];

	(void)state;
	len[0] = udp4(f[0], 60 + 42, 1, 1000);
	len[1] = tcp6(f[1], 2);
	len[2] = udp4(f[2], 1514, 3, 2000);
	for (int i = 0; i < 3; i++) {
		struct tunvnet_pkt pkt = { .buf = L.bufs[0], .cap = BUF_SZ };
		int q;

		inject(f[i], len[i]);
		q = read_ours(&pkt, 2000);
		assert_true(q >= 0);
		fprintf(stderr, "# frame %d (%zu bytes) on queue %d\n", i, len[i], q);
		assert_int_equal(pkt.len, len[i]);
		assert_memory_equal(pkt.buf, f[i], len[i]);
		assert_plain_header(&pkt.hdr);
	}
}

static void test_batch(void **state)
{
	struct tunvnet_pkt first = { .buf = L.bufs[0], .cap = BUF_SZ };
	struct tunvnet_pkt pkts[8];
	uint8_t f[5][200];
	int q, r, seen = 0;

	(void)state;
	/* one flow lands on one queue: find it with a first frame */
	udp4(f[0], 100, 10, 3333);
	inject(f[0], 100);
	q = read_ours(&first, 2000);
	assert_true(q >= 0);

	for (int i = 0; i < 5; i++) {
		udp4(f[i], 100 + 20 * (size_t)i, (uint8_t)(20 + i), 3333);
		inject(f[i], 100 + 20 * (size_t)i);
	}
	usleep(200 * 1000); /* let all five reach the queue */
	for (int i = 0; i < 8; i++) {
		pkts[i] = (struct tunvnet_pkt){ .buf = L.bufs[i], .cap = BUF_SZ };
		memset(pkts[i].reserved, 0xff, sizeof(pkts[i].reserved));
	}
	r = tunvnet_queue_read(L.dev, (unsigned int)q, pkts, 8);
	assert_true(r >= 5);
	for (int i = 0; i < r; i++) {
		/* Room for later fields: every read writes it as zero. */
		assert_int_equal(pkts[i].reserved[0] | pkts[i].reserved[1], 0);
		if (!ours(pkts[i].buf, pkts[i].len))
			continue;
		assert_int_equal(pkts[i].len, 100 + 20 * (size_t)seen);
		assert_memory_equal(pkts[i].buf, f[seen], pkts[i].len);
		assert_plain_header(&pkts[i].hdr);
		seen++;
	}
	assert_int_equal(seen, 5);
}

static void test_empty_nonblocking(void **state)
{
	struct tunvnet_pkt pkt = { .buf = L.bufs[0], .cap = BUF_SZ };

	(void)state;
	drain();
	for (int q = 0; q < NQ; q++)
		assert_int_equal(tunvnet_queue_read(L.dev, (unsigned int)q, &pkt, 1), -EAGAIN);
}

static void test_small_buffer_keeps_packet(void **state)
{
	uint8_t f[1514];
	struct tunvnet_pkt small = { .buf = L.bufs[1], .cap = L.max_frame - 1 };
	struct tunvnet_pkt pkt = { .buf = L.bufs[0], .cap = BUF_SZ };
	struct pollfd pfd[NQ];
	int q = -1;

	(void)state;
	drain();
	udp4(f, 1514, 40, 4444);
	inject(f, 1514);
	for (int i = 0; i < NQ; i++)
		pfd[i] = (struct pollfd){ .fd = tunvnet_dev_queue_fd(L.dev, i), .events = POLLIN };
	assert_true(poll(pfd, NQ, 2000) > 0);
	for (int i = 0; i < NQ; i++)
		if (pfd[i].revents & POLLIN)
			q = i;
	assert_true(q >= 0);
	assert_int_equal(tunvnet_queue_read(L.dev, (unsigned int)q, &small, 1), -EMSGSIZE);
	assert_true(strlen(tunvnet_last_error()) > 0);
	/* nothing was consumed */
	assert_int_equal(tunvnet_queue_read(L.dev, (unsigned int)q, &pkt, 1), 1);
	assert_true(ours(pkt.buf, pkt.len));
	assert_int_equal(pkt.len, 1514);
	assert_memory_equal(pkt.buf, f, 1514);
}

static void test_write_reaches_packet_socket(void **state)
{
	uint8_t f[300], got[2048];
	struct tunvnet_hdr h = { .flags = 0 };
	struct sockaddr_ll from;
	socklen_t fl;

	(void)state;
	for (unsigned int q = 0; q < NQ; q++) {
		udp4(f, sizeof(f), (uint8_t)(50 + q), 5555);
		assert_int_equal(tunvnet_queue_write(L.dev, q, q ? NULL : &h, f, sizeof(f)), 0);
		for (;;) {
			struct pollfd p = { .fd = L.rx, .events = POLLIN };
			ssize_t n;

			assert_int_equal(poll(&p, 1, 2000), 1);
			fl = sizeof(from);
			n = recvfrom(L.rx, got, sizeof(got), 0, (struct sockaddr *)&from, &fl);
			assert_true(n > 0);
			/* the tap's own output is seen here too: skip it */
			if (from.sll_pkttype == PACKET_OUTGOING || !ours(got, (size_t)n) ||
			    got[11] != 50 + q)
				continue;
			assert_int_equal(n, (ssize_t)sizeof(f));
			assert_memory_equal(got, f, sizeof(f));
			break;
		}
	}
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

static int group_setup(void **state)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	char path[128];
	int err;

	(void)state;
	for (int i = 0; i < 8; i++)
		if (!(L.bufs[i] = malloc(BUF_SZ)))
			return -1;
	/* the device is opened in main already */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 tunvnet_dev_name(L.dev));
	write_file(path, "1"); /* no router solicitations in our queues; best effort */
	err = tunvnet_dev_set_up(L.dev, true);
	if (err) {
		fprintf(stderr, "set_up: %s (%s)\n", tunvnet_strerror(err), tunvnet_last_error());
		return -1;
	}
	if (live_wait_oper_up(tunvnet_dev_name(L.dev), 5000))
		return -1;
	L.ifindex = tunvnet_dev_ifindex(L.dev);
	err = tunvnet_dev_max_frame(L.dev, &L.max_frame);
	if (err || L.max_frame < 1514 || L.max_frame > BUF_SZ) {
		fprintf(stderr, "max_frame: %d, %zu\n", err, L.max_frame);
		return -1;
	}

	L.tx = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: send only */
	L.rx = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (L.tx < 0 || L.rx < 0)
		return -1;
	sll.sll_ifindex = L.ifindex;
	if (bind(L.tx, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -1;
	sll.sll_protocol = htons(ETH_P_ALL);
	if (bind(L.rx, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -1;
	usleep(100 * 1000);
	drain();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	close(L.tx);
	close(L.rx);
	for (int i = 0; i < 8; i++)
		free(L.bufs[i]);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_round_trip),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_empty_nonblocking),
		cmocka_unit_test(test_small_buffer_keeps_packet),
		cmocka_unit_test(test_write_reaches_packet_socket),
	};
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	char name[IFNAMSIZ];
	int err, failed;

	snprintf(name, sizeof(name), "tvio%d", (int)(getpid() % 100000));
	o.kind = TUNVNET_KIND_TAP;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_NONBLOCK |
		  TUNVNET_DEV_EXCL;
	o.queues = NQ;
	o.vnet_hdr_sz = 20;
	o.endian = TUNVNET_ENDIAN_LE;
	err = tunvnet_dev_open(name, &o, &L.dev);
	if (err == -EPERM || err == -EACCES || err == -ENOENT || err == -ENODEV) {
		fprintf(stderr, "skip: cannot create a tap (%s: %s)\n", tunvnet_strerror(err),
			tunvnet_last_error());
		return 77;
	}
	if (err) {
		fprintf(stderr, "tunvnet_dev_open: %s (%s)\n", tunvnet_strerror(err),
			tunvnet_last_error());
		return 1;
	}
	failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
	/* not persistent: closing the last queue deletes the tap */
	tunvnet_dev_close(L.dev);
	return failed;
}
