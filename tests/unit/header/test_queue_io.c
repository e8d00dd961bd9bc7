/* SPDX-License-Identifier: MIT */
/*
 * tunvnet_queue_read / tunvnet_queue_write against AF_UNIX SOCK_SEQPACKET
 * pairs standing in for queue fds: like tun, each read returns one packet,
 * and a packet longer than the iovecs is cut to their length with no
 * error. tunvnet_dev_max_frame is wrapped (-Wl,--wrap) so the tests set
 * the device's largest frame.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "device.h"

static size_t g_max_frame = 1514;
static int g_max_frame_calls;

/* Like the real one: answers, and leaves the answer in the handle's cache. */
int __wrap_tunvnet_dev_max_frame(struct tunvnet_dev *dev, size_t *len);
int __wrap_tunvnet_dev_max_frame(struct tunvnet_dev *dev, size_t *len)
{
	g_max_frame_calls++;
	*len = g_max_frame;
	dev->max_frame = g_max_frame;
	return 0;
}

struct fixture {
	struct tunvnet_dev *dev;
	int fds[2];  /* the "queue" ends the library uses */
	int peer[2]; /* the "kernel" ends the test writes and reads */
};

static void set_layout(struct fixture *f, int hdr_sz, enum tunvnet_endian e)
{
	tv_dev_publish_layout(f->dev, hdr_sz, e, tv_dev_flags(f->dev) & TUNVNET_DEV_PI);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int sv[2];

	if (!f)
		return -1;
	for (int q = 0; q < 2; q++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
			return -1;
		f->fds[q] = sv[0];
		f->peer[q] = sv[1];
	}
	if (tv_dev_alloc(&f->dev))
		return -1;
	strcpy(f->dev->name, "fake0");
	f->dev->kind = TUNVNET_KIND_TAP;
	f->dev->flags = TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_KEEP_FDS;
	for (int q = 0; q < 2; q++)
		tv_dev_push(f->dev, f->fds[q], true);
	set_layout(f, 20, TUNVNET_ENDIAN_LE);
	g_max_frame = 1514;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (int q = 0; q < 2; q++) {
		close(f->fds[q]);
		close(f->peer[q]);
	}
	tv_dev_free(f->dev);
	free(f);
	return 0;
}

static void set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	assert_true(fl >= 0);
	assert_int_equal(fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK), 0);
}

/* What the kernel would queue: header bytes then frame bytes. */
static void inject(int fd, const void *hdr, size_t hlen, const void *frame, size_t flen)
{
	uint8_t msg[4096];

	assert_true(hlen + flen <= sizeof(msg));
	memcpy(msg, hdr, hlen);
	memcpy(msg + hlen, frame, flen);
	assert_int_equal(send(fd, msg, hlen + flen, 0), (ssize_t)(hlen + flen));
}

static void fill_frame(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static const uint8_t hash_hdr[20] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				      0x00, 0x00, 0x00, 0x01, 0x00, 0x52, 0xd9,
				      0x45, 0x6e, 0x01, 0x00, 0x00, 0x00 };

static void test_read_one(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[100], buf[1514];
	struct tunvnet_pkt pkt = { .buf = buf, .cap = sizeof(buf) };

	fill_frame(frame, sizeof(frame), 1);
	inject(f->peer[0], hash_hdr, sizeof(hash_hdr), frame, sizeof(frame));
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), 1);
	assert_int_equal(pkt.len, sizeof(frame));
	assert_memory_equal(buf, frame, sizeof(frame));
	assert_int_equal(pkt.hdr.num_buffers, 1);
	assert_int_equal(pkt.hdr.hash_value, 0x6e45d952);
	assert_int_equal(pkt.hdr.hash_report, 1);
	assert_int_equal(pkt.hdr.flags, 0);
}

static void test_batch_nonblocking(void **state)
{
	struct fixture *f = *state;
	uint8_t frames[3][200], bufs[8][1514];
	struct tunvnet_pkt pkts[8];
	uint8_t hdr[20] = { 0 };

	set_nonblock(f->fds[1], true);
	for (int i = 0; i < 3; i++) {
		fill_frame(frames[i], 60 + 50 * i, (uint8_t)(10 * i));
		hdr[0] = (uint8_t)i; /* flags: tells the packets apart */
		inject(f->peer[1], hdr, 20, frames[i], 60 + 50 * i);
	}
	for (int i = 0; i < 8; i++)
		pkts[i] = (struct tunvnet_pkt){ .buf = bufs[i], .cap = sizeof(bufs[i]) };
	assert_int_equal(tunvnet_queue_read(f->dev, 1, pkts, 8), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pkts[i].len, 60 + 50 * i);
		assert_int_equal(pkts[i].hdr.flags, i);
		assert_memory_equal(bufs[i], frames[i], pkts[i].len);
	}
	/* drained: -EAGAIN, and queue 0 was never touched */
	assert_int_equal(tunvnet_queue_read(f->dev, 1, pkts, 8), -EAGAIN);
	set_nonblock(f->fds[0], true);
	assert_int_equal(tunvnet_queue_read(f->dev, 0, pkts, 1), -EAGAIN);
}

static void test_batch_blocking(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[64], bufs[4][1514];
	struct tunvnet_pkt pkts[4];
	uint8_t hdr[20] = { 0 };

	fill_frame(frame, sizeof(frame), 3);
	inject(f->peer[0], hdr, 20, frame, sizeof(frame));
	inject(f->peer[0], hdr, 20, frame, sizeof(frame));
	for (int i = 0; i < 4; i++)
		pkts[i] = (struct tunvnet_pkt){ .buf = bufs[i], .cap = sizeof(bufs[i]) };
	/* blocking fd: the batch stops when nothing more is ready, it does not wait */
	assert_int_equal(tunvnet_queue_read(f->dev, 0, pkts, 4), 2);
	assert_int_equal(pkts[1].len, sizeof(frame));
}

static void *late_writer(void *arg)
{
	struct fixture *f = arg;
	uint8_t hdr[20] = { 0 }, frame[42];

	usleep(100 * 1000);
	fill_frame(frame, sizeof(frame), 9);
	inject(f->peer[0], hdr, 20, frame, sizeof(frame));
	return NULL;
}

static void test_blocking_first_waits(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[1514];
	struct tunvnet_pkt pkt = { .buf = buf, .cap = sizeof(buf) };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, late_writer, f), 0);
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), 1);
	assert_int_equal(pkt.len, 42);
	pthread_join(t, NULL);
}

static void test_small_buffer_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[300], small[1513], big[1514];
	struct tunvnet_pkt pkts[2] = {
		{ .buf = big, .cap = sizeof(big) },
		{ .buf = small, .cap = sizeof(small) },
	};

	fill_frame(frame, sizeof(frame), 5);
	inject(f->peer[0], hash_hdr, 20, frame, sizeof(frame));
	/* the second buffer is one byte short: nothing at all is read */
	assert_int_equal(tunvnet_queue_read(f->dev, 0, pkts, 2), -EMSGSIZE);
	assert_non_null(strstr(tunvnet_last_error(), "1513"));
	assert_non_null(strstr(tunvnet_last_error(), "1514"));
	assert_int_equal(tunvnet_queue_read(f->dev, 0, pkts, 1), 1);
	assert_int_equal(pkts[0].len, sizeof(frame));
	assert_memory_equal(big, frame, sizeof(frame));
}

static void test_truncation_first(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[200], buf[100];
	struct tunvnet_pkt pkt = { .buf = buf, .cap = sizeof(buf) };

	/* the device claims 100 but the kernel queues 200: must not pass silently */
	g_max_frame = 100;
	fill_frame(frame, sizeof(frame), 7);
	inject(f->peer[0], hash_hdr, 20, frame, sizeof(frame));
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), -EMSGSIZE);
	assert_non_null(strstr(tunvnet_last_error(), "truncated"));

	/* exactly cap bytes is fine: not a truncation */
	inject(f->peer[0], hash_hdr, 20, frame, 100);
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), 1);
	assert_int_equal(pkt.len, 100);
	assert_memory_equal(buf, frame, 100);
}

/* Reads ask for the device's largest frame once, and again after a truncation. */
static void test_max_frame_cached(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[200], buf[100], small[50];
	struct tunvnet_pkt pkt = { .buf = buf, .cap = sizeof(buf) };
	struct tunvnet_pkt tiny = { .buf = small, .cap = sizeof(small) };

	g_max_frame = 100;
	g_max_frame_calls = 0;
	set_nonblock(f->fds[0], true);
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), -EAGAIN);
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), -EAGAIN);
	assert_int_equal(g_max_frame_calls, 1);
	/* The cached bound still refuses a small buffer before reading. */
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &tiny, 1), -EMSGSIZE);
	assert_int_equal(g_max_frame_calls, 1);
	/* A frame cut short means the bound grew: the next read asks again. */
	fill_frame(frame, sizeof(frame), 3);
	inject(f->peer[0], hash_hdr, 20, frame, sizeof(frame));
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), -EMSGSIZE);
	assert_int_equal(f->dev->max_frame, 0);
	g_max_frame = 200;
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), -EMSGSIZE);
	assert_int_equal(g_max_frame_calls, 2);
	assert_non_null(strstr(tunvnet_last_error(), "200 bytes"));
}

static void test_truncation_mid_batch(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[200], bufs[4][100];
	struct tunvnet_pkt pkts[4];

	g_max_frame = 100;
	set_nonblock(f->fds[0], true);
	fill_frame(frame, sizeof(frame), 11);
	inject(f->peer[0], hash_hdr, 20, frame, 50);
	inject(f->peer[0], hash_hdr, 20, frame, 200); /* too long */
	inject(f->peer[0], hash_hdr, 20, frame, 60);
	for (int i = 0; i < 4; i++)
		pkts[i] = (struct tunvnet_pkt){ .buf = bufs[i], .cap = sizeof(bufs[i]) };
	/* the good packet comes back; the loss is reported by the next call */
	assert_int_equal(tunvnet_queue_read(f->dev, 0, pkts, 4), 1);
	assert_int_equal(pkts[0].len, 50);
	/* another queue does not inherit it */
	set_nonblock(f->fds[1], true);
	assert_int_equal(tunvnet_queue_read(f->dev, 1, pkts, 4), -EAGAIN);
	assert_int_equal(tunvnet_queue_read(f->dev, 0, pkts, 4), -EMSGSIZE);
	assert_non_null(strstr(tunvnet_last_error(), "truncated"));
	/* reported once; then reading goes on */
	assert_int_equal(tunvnet_queue_read(f->dev, 0, pkts, 4), 1);
	assert_int_equal(pkts[0].len, 60);
	assert_memory_equal(bufs[0], frame, 60);
}

static void test_short_read(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[1514];
	struct tunvnet_pkt pkt = { .buf = buf, .cap = sizeof(buf) };

	/* fewer bytes than the 20-byte header */
	assert_int_equal(send(f->peer[0], hash_hdr, 7, 0), 7);
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), -EIO);
	assert_true(strlen(tunvnet_last_error()) > 0);
}

static void test_no_vnet_hdr(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[80], buf[1514];
	struct tunvnet_pkt pkt = { .buf = buf, .cap = sizeof(buf) };

	set_layout(f, 0, tv_dev_io(f->dev)->endian);
	f->dev->flags &= ~TUNVNET_DEV_VNET_HDR;
	fill_frame(frame, sizeof(frame), 13);
	inject(f->peer[0], "", 0, frame, sizeof(frame));
	memset(&pkt.hdr, 0xff, sizeof(pkt.hdr));
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), 1);
	assert_int_equal(pkt.len, sizeof(frame));
	assert_memory_equal(buf, frame, sizeof(frame));
	assert_int_equal(pkt.hdr.flags, 0);
	assert_int_equal(pkt.hdr.hash_value, 0);
	assert_int_equal(pkt.hdr.inner_nh_offset, 0);
}

static void test_packet_info(void **state)
{
	struct fixture *f = *state;
	/* tun order: packet info, vnet header, frame */
	uint8_t msg[4 + 12 + 40], buf[1504], back[sizeof(msg)];
	struct tunvnet_pkt pkt = { .buf = buf, .cap = sizeof(buf) };
	struct tunvnet_hdr h = { .flags = TUNVNET_HDR_F_NEEDS_CSUM, .csum_start = 20,
				 .csum_offset = 16 };

	f->dev->kind = TUNVNET_KIND_TUN;
	f->dev->flags |= TUNVNET_DEV_PI;
	set_layout(f, 12, tv_dev_io(f->dev)->endian);
	g_max_frame = 1504;
	msg[0] = 0;
	msg[1] = 0;
	msg[2] = 0x86; /* ETH_P_IPV6 */
	msg[3] = 0xdd;
	memset(msg + 4, 0, 12);
	msg[4] = TUNVNET_HDR_F_NEEDS_CSUM;
	msg[4 + 6] = 20;
	msg[4 + 8] = 16;
	fill_frame(msg + 16, 40, 17);
	assert_int_equal(send(f->peer[0], msg, sizeof(msg), 0), (ssize_t)sizeof(msg));
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), 1);
	/* the frame keeps its packet info in front (TUNVNET_L2_IP_PI) */
	assert_int_equal(pkt.len, 44);
	assert_memory_equal(buf, msg, 4);
	assert_memory_equal(buf + 4, msg + 16, 40);
	assert_int_equal(pkt.hdr.flags, TUNVNET_HDR_F_NEEDS_CSUM);
	assert_int_equal(pkt.hdr.csum_start, 20);
	assert_int_equal(pkt.hdr.csum_offset, 16);

	/* and writing puts the header back between packet info and frame */
	assert_int_equal(tunvnet_queue_write(f->dev, 0, &h, buf, pkt.len), 0);
	assert_int_equal(recv(f->peer[0], back, sizeof(back), 0), (ssize_t)sizeof(msg));
	assert_memory_equal(back, msg, sizeof(msg));
	assert_int_equal(tunvnet_queue_write(f->dev, 0, &h, buf, 3), -EINVAL);
}

static void test_odd_header_size(void **state)
{
	struct fixture *f = *state;
	uint8_t msg[16 + 30], buf[1514];
	struct tunvnet_pkt pkt = { .buf = buf, .cap = sizeof(buf) };

	/* TUNSETVNETHDRSZ 16: the kernel fills 12 and pads; parse as 12 */
	set_layout(f, 16, tv_dev_io(f->dev)->endian);
	memset(msg, 0, sizeof(msg));
	msg[0] = TUNVNET_HDR_F_DATA_VALID;
	msg[10] = 1;
	memset(msg + 12, 0xaa, 4); /* must not become a hash */
	fill_frame(msg + 16, 30, 19);
	assert_int_equal(send(f->peer[0], msg, sizeof(msg), 0), (ssize_t)sizeof(msg));
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), 1);
	assert_int_equal(pkt.len, 30);
	assert_int_equal(pkt.hdr.flags, TUNVNET_HDR_F_DATA_VALID);
	assert_int_equal(pkt.hdr.num_buffers, 1);
	assert_int_equal(pkt.hdr.hash_value, 0);
	assert_memory_equal(buf, msg + 16, 30);
}

static void test_write(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[120], back[256];
	struct tunvnet_hdr h = { .flags = TUNVNET_HDR_F_NEEDS_CSUM, .hdr_len = 0x0102,
				 .csum_start = 34, .csum_offset = 6, .hash_value = 0x11223344,
				 .hash_report = 3 };
	static const uint8_t zero[24];

	fill_frame(frame, sizeof(frame), 23);
	assert_int_equal(tunvnet_queue_write(f->dev, 1, &h, frame, sizeof(frame)), 0);
	assert_int_equal(recv(f->peer[1], back, sizeof(back), 0), 20 + (ssize_t)sizeof(frame));
	static const uint8_t want_le[20] = { 0x01, 0x00, 0x02, 0x01, 0x00, 0x00, 0x22,
					     0x00, 0x06, 0x00, 0x00, 0x00, 0x44, 0x33,
					     0x22, 0x11, 0x03, 0x00, 0x00, 0x00 };
	assert_memory_equal(back, want_le, 20);
	assert_memory_equal(back + 20, frame, sizeof(frame));

	/* big-endian queue, 24-byte header */
	set_layout(f, 24, TUNVNET_ENDIAN_BE);
	assert_int_equal(tunvnet_queue_write(f->dev, 1, &h, frame, sizeof(frame)), 0);
	assert_int_equal(recv(f->peer[1], back, sizeof(back), 0), 24 + (ssize_t)sizeof(frame));
	assert_int_equal(back[2], 0x01);
	assert_int_equal(back[3], 0x02);
	assert_int_equal(back[7], 34);
	assert_int_equal(back[12], 0x44); /* hash stays little-endian */
	assert_memory_equal(back + 20, zero, 4);
	assert_memory_equal(back + 24, frame, sizeof(frame));

	/* NULL header: zeros */
	assert_int_equal(tunvnet_queue_write(f->dev, 1, NULL, frame, 14), 0);
	assert_int_equal(recv(f->peer[1], back, sizeof(back), 0), 24 + 14);
	assert_memory_equal(back, zero, 24);

	/* no vnet header: the frame alone */
	set_layout(f, 0, tv_dev_io(f->dev)->endian);
	assert_int_equal(tunvnet_queue_write(f->dev, 1, &h, frame, sizeof(frame)), 0);
	assert_int_equal(recv(f->peer[1], back, sizeof(back), 0), (ssize_t)sizeof(frame));
	assert_memory_equal(back, frame, sizeof(frame));
}

static void test_write_errors(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[60] = { 0 };

	assert_int_equal(tunvnet_queue_write(f->dev, 2, NULL, frame, sizeof(frame)), -EINVAL);
	assert_int_equal(tunvnet_queue_write(NULL, 0, NULL, frame, sizeof(frame)), -EINVAL);
	assert_int_equal(tunvnet_queue_write(f->dev, 0, NULL, NULL, 10), -EINVAL);
	assert_int_equal(tunvnet_queue_write(f->dev, 0, NULL, frame, 0), -EINVAL);
	/* the peer is gone: the kernel's error comes back with a message */
	close(f->peer[0]);
	f->peer[0] = open("/dev/null", O_RDONLY);
	assert_int_equal(tunvnet_queue_write(f->dev, 0, NULL, frame, sizeof(frame)), -EPIPE);
	assert_non_null(strstr(tunvnet_last_error(), "queue 0"));
}

static void test_read_bad_args(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[1514];
	struct tunvnet_pkt pkt = { .buf = buf, .cap = sizeof(buf) };

	assert_int_equal(tunvnet_queue_read(f->dev, 2, &pkt, 1), -EINVAL);
	assert_int_equal(tunvnet_queue_read(NULL, 0, &pkt, 1), -EINVAL);
	assert_int_equal(tunvnet_queue_read(f->dev, 0, NULL, 1), -EINVAL);
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 0), -EINVAL);
	pkt.buf = NULL;
	assert_int_equal(tunvnet_queue_read(f->dev, 0, &pkt, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_nonblocking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_blocking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocking_first_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_buffer_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation_mid_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_vnet_hdr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_packet_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_header_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_frame_cached, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN); /* a socket with no peer raises it; tun does not */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
