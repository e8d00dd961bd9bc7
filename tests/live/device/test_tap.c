/* SPDX-License-Identifier: MIT */
/*
 * A real multi-queue tap on the running kernel: queues, header size and
 * endianness, adding and adopting queues, persistence, EXCL, max frame.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>
#include "live.h"

static char name[IFNAMSIZ];

static struct tunvnet_dev *open_tap4(void)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;

	o.kind = TUNVNET_KIND_TAP;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR;
	o.queues = 4;
	o.vnet_hdr_sz = 20;
	o.endian = TUNVNET_ENDIAN_LE;
	live_track(name);
	assert_int_equal(tunvnet_dev_open(name, &o, &d), 0);
	assert_non_null(d);
	return d;
}

static void four_queues(void **state)
{
	struct tunvnet_dev *d = open_tap4();
	enum tunvnet_endian e = TUNVNET_ENDIAN_NATIVE;
	unsigned int q;
	int sz = 0, fd;

	(void)state;
	assert_string_equal(tunvnet_dev_name(d), name);
	assert_int_equal(tunvnet_dev_kind(d), TUNVNET_KIND_TAP);
	assert_int_equal(tunvnet_dev_ifindex(d), (int)if_nametoindex(name));
	assert_int_equal(tunvnet_dev_num_queues(d), 4);
	assert_true(tunvnet_dev_flags(d) & TUNVNET_DEV_MULTI_QUEUE);
	assert_true(tunvnet_dev_flags(d) & TUNVNET_DEV_VNET_HDR);
	assert_false(tunvnet_dev_flags(d) & TUNVNET_DEV_PI);
	assert_int_equal(tunvnet_dev_get_vnet_hdr_sz(d, &sz), 0);
	assert_int_equal(sz, 20);
	assert_int_equal(tunvnet_dev_get_vnet_endian(d, &e), 0);
	assert_int_equal(e, TUNVNET_ENDIAN_LE);
	/* Every queue fd is a distinct open queue of the same device. */
	for (q = 0; q < 4; q++) {
		int hsz = 0;

		fd = tunvnet_dev_queue_fd(d, q);
		assert_true(fd >= 0);
		assert_int_equal(ioctl(fd, TUNGETVNETHDRSZ, &hsz), 0);
		assert_int_equal(hsz, 20);
	}
	assert_int_equal(tunvnet_dev_queue_fd(d, 4), -EINVAL);

	assert_int_equal(tunvnet_dev_set_vnet_hdr_sz(d, 12), 0);
	assert_int_equal(tunvnet_dev_get_vnet_hdr_sz(d, &sz), 0);
	assert_int_equal(sz, 12);
	assert_int_equal(tunvnet_dev_set_vnet_hdr_sz(d, 8), -EINVAL);
	assert_int_equal(tunvnet_dev_set_vnet_endian(d, TUNVNET_ENDIAN_NATIVE), 0);
	assert_int_equal(tunvnet_dev_get_vnet_endian(d, &e), 0);
	assert_int_equal(e, TUNVNET_ENDIAN_NATIVE);
	tunvnet_dev_close(d);
	/* Not persistent: the last close removes it. */
	assert_int_equal(if_nametoindex(name), 0);
}

static void add_and_adopt_queue(void **state)
{
	struct tunvnet_dev *d = open_tap4();
	struct tunvnet_dev *other = NULL;
	struct ifreq ifr;
	int fd, idx, sz = 0;

	(void)state;
	idx = tunvnet_dev_add_queue(d);
	assert_int_equal(idx, 4);
	assert_int_equal(tunvnet_dev_num_queues(d), 5);
	/* The new queue got the handle's header size. */
	assert_int_equal(ioctl(tunvnet_dev_queue_fd(d, 4), TUNGETVNETHDRSZ, &sz), 0);
	assert_int_equal(sz, 20);

	/* A queue fd opened by someone else (a VMM) joins the handle. */
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR;
	assert_int_equal(ioctl(fd, TUNSETIFF, &ifr), 0);
	idx = tunvnet_dev_adopt_queue(d, fd);
	assert_int_equal(idx, 5);
	assert_int_equal(tunvnet_dev_queue_fd(d, 5), fd);

	/* Adopting it alone learns name, kind and flags from the kernel. */
	{
		struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;

		o.flags = TUNVNET_DEV_KEEP_FDS;
		assert_int_equal(tunvnet_dev_adopt(fd, &o, &other), 0);
		assert_string_equal(tunvnet_dev_name(other), name);
		assert_int_equal(tunvnet_dev_kind(other), TUNVNET_KIND_TAP);
		assert_true(tunvnet_dev_flags(other) & TUNVNET_DEV_MULTI_QUEUE);
		assert_int_equal(tunvnet_dev_get_vnet_hdr_sz(other, &sz), 0);
		assert_int_equal(sz, 20);
		tunvnet_dev_close(other);
		/* KEEP_FDS: still open */
		assert_true(fcntl(fd, F_GETFD) >= 0);
	}
	/* An fd of another device is refused. */
	{
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

		assert_int_equal(tunvnet_dev_adopt_queue(d, nul), -ENOTTY);
		close(nul);
	}
	tunvnet_dev_close(d); /* closes the adopted fd too (no KEEP_FDS) */
	assert_true(fcntl(fd, F_GETFD) < 0);
	assert_int_equal(if_nametoindex(name), 0);
}

static void persist_and_excl(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = open_tap4(), *d2 = NULL;

	(void)state;
	assert_int_equal(tunvnet_dev_set_persist(d, true), 0);
	assert_true(tunvnet_dev_flags(d) & TUNVNET_DEV_PERSIST);
	tunvnet_dev_close(d);
	assert_true(if_nametoindex(name) != 0); /* survived the close */

	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_EXCL;
	assert_int_equal(tunvnet_dev_open(name, &o, &d2), -EEXIST);
	assert_null(d2);
	assert_non_null(strstr(tunvnet_last_error(), "already exists"));

	/* Reattach without EXCL, see the persist flag, clear it. */
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR;
	assert_int_equal(tunvnet_dev_open(name, &o, &d2), 0);
	assert_true(tunvnet_dev_flags(d2) & TUNVNET_DEV_PERSIST);
	assert_int_equal(tunvnet_dev_set_persist(d2, false), 0);
	assert_false(tunvnet_dev_flags(d2) & TUNVNET_DEV_PERSIST);
	tunvnet_dev_close(d2);
	assert_int_equal(if_nametoindex(name), 0);
}

static void options_refused(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;

	(void)state;
	o.queues = 2; /* without MULTI_QUEUE */
	assert_int_equal(tunvnet_dev_open(name, &o, &d), -EINVAL);
	o = (struct tunvnet_dev_opts)TUNVNET_DEV_OPTS_INIT;
	o.flags = 0x100;
	assert_int_equal(tunvnet_dev_open(name, &o, &d), -EINVAL);
	o = (struct tunvnet_dev_opts)TUNVNET_DEV_OPTS_INIT;
	o.kind = TUNVNET_KIND_MACVTAP;
	assert_int_equal(tunvnet_dev_open(name, &o, &d), -EINVAL);
	assert_null(d);
	assert_int_equal(if_nametoindex(name), 0);
}

static void tun_pi_nonblock_up_frame(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;
	char buf[64];
	size_t len = 0;
	int fl;

	(void)state;
	o.kind = TUNVNET_KIND_TUN;
	o.flags = TUNVNET_DEV_PI | TUNVNET_DEV_NONBLOCK;
	live_track(name);
	assert_int_equal(tunvnet_dev_open(name, &o, &d), 0);
	assert_int_equal(tunvnet_dev_kind(d), TUNVNET_KIND_TUN);
	assert_true(tunvnet_dev_flags(d) & TUNVNET_DEV_PI);
	assert_false(tunvnet_dev_flags(d) & TUNVNET_DEV_VNET_HDR);
	fl = fcntl(tunvnet_dev_queue_fd(d, 0), F_GETFL);
	assert_true(fl & O_NONBLOCK);
	assert_int_equal(read(tunvnet_dev_queue_fd(d, 0), buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(tunvnet_dev_set_nonblock(d, false), 0);
	assert_false(fcntl(tunvnet_dev_queue_fd(d, 0), F_GETFL) & O_NONBLOCK);
	/* Created here, no offloads: MTU 1500 + 4 bytes of packet info. */
	assert_int_equal(tunvnet_dev_max_frame(d, &len), 0);
	assert_int_equal(len, 1504);
	assert_int_equal(tunvnet_dev_set_up(d, true), 0);
	assert_int_equal(live_sh("ip link show %s up | grep -q UP", name), 0);
	assert_int_equal(tunvnet_dev_set_up(d, false), 0);
	tunvnet_dev_close(d);
}

static void tap_frame_sizes(void **state)
{
	struct tunvnet_dev *d = open_tap4(), *a = NULL;
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	size_t len = 0;

	(void)state;
	assert_int_equal(tunvnet_dev_max_frame(d, &len), 0);
	assert_int_equal(len, 1500 + 14 + 8);
	assert_int_equal(live_sh("ip link set %s mtu 9000", name), 0);
	assert_int_equal(tunvnet_dev_max_frame(d, &len), 0);
	assert_int_equal(len, 9000 + 14 + 8);
	/* An adopted fd may have GSO offloads on: assume the 64 KiB limit. */
	o.flags = TUNVNET_DEV_KEEP_FDS;
	assert_int_equal(tunvnet_dev_adopt(tunvnet_dev_queue_fd(d, 0), &o, &a), 0);
	assert_int_equal(tunvnet_dev_max_frame(a, &len), 0);
	assert_int_equal(len, 65536 + 14 + 8);
	tunvnet_dev_close(a);
	tunvnet_dev_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(four_queues),
		cmocka_unit_test(add_and_adopt_queue),
		cmocka_unit_test(persist_and_excl),
		cmocka_unit_test(options_refused),
		cmocka_unit_test(tun_pi_nonblock_up_frame),
		cmocka_unit_test(tap_frame_sizes),
	};

	live_require_net_admin();
	live_name(name, "t");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
