/* SPDX-License-Identifier: MIT */
/*
 * macvtap (and ipvtap where the kernel has it) on a dummy parent, opened by
 * interface name: /dev/tapN found through sysfs, queues, header ioctls,
 * adoption, and what a deleted link gives.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>
#include "live.h"

static char parent[IFNAMSIZ], vtap[IFNAMSIZ];

/* A lower device: dummy where the kernel has it, else one end of a veth pair. */
static bool make_parent(void)
{
	if (if_nametoindex(parent))
		return true;
	if (live_sh("ip link add %s type dummy", parent) == 0)
		return true;
	return live_sh("ip link add %s type veth peer name %sx", parent, parent) == 0;
}

static bool make_links(const char *type)
{
	live_track(vtap);
	if (!make_parent())
		return false;
	return live_sh("ip link add %s link %s type %s", vtap, parent, type) == 0;
}

static void check_vtap(enum tunvnet_kind kind)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_caps c = { .sz = sizeof(c) };
	struct tunvnet_dev *d = NULL, *a = NULL;
	char node[32];
	struct stat st;
	size_t len;
	unsigned int q;
	int sz = 0, ifindex = (int)if_nametoindex(vtap);

	o.queues = 2;
	assert_int_equal(tunvnet_dev_open_vtap(vtap, &o, &d), 0);
	assert_int_equal(tunvnet_dev_kind(d), kind);
	assert_string_equal(tunvnet_dev_name(d), vtap);
	assert_int_equal(tunvnet_dev_ifindex(d), ifindex);
	assert_int_equal(tunvnet_dev_num_queues(d), 2);
	/* Tap queues start with a (10-byte) vnet header, no packet info. */
	assert_true(tunvnet_dev_flags(d) & TUNVNET_DEV_VNET_HDR);
	assert_false(tunvnet_dev_flags(d) & TUNVNET_DEV_PI);
	assert_int_equal(tunvnet_dev_get_vnet_hdr_sz(d, &sz), 0);
	assert_int_equal(sz, 10);
	snprintf(node, sizeof(node), "/dev/tap%d", ifindex);
	assert_int_equal(stat(node, &st), 0);
	assert_true(S_ISCHR(st.st_mode));

	/* Header size and endianness go to every queue (tap keeps them per queue). */
	assert_int_equal(tunvnet_dev_set_vnet_hdr_sz(d, 20), 0);
	assert_int_equal(tunvnet_dev_set_vnet_endian(d, TUNVNET_ENDIAN_LE), 0);
	assert_int_equal(tunvnet_dev_add_queue(d), 2);
	for (q = 0; q < 3; q++) {
		int v = 0;

		assert_int_equal(ioctl(tunvnet_dev_queue_fd(d, q), TUNGETVNETHDRSZ, &v), 0);
		assert_int_equal(v, 20);
		v = 0;
		assert_int_equal(ioctl(tunvnet_dev_queue_fd(d, q), TUNGETVNETLE, &v), 0);
		assert_int_equal(v, 1);
	}
	/* Offloads are on by default on these links: the 64 KiB bound. */
	assert_int_equal(tunvnet_dev_max_frame(d, &len), 0);
	assert_int_equal(len, 65536 + 14 + 8);
	assert_int_equal(tunvnet_dev_set_persist(d, true), -EOPNOTSUPP);

	/* Adoption recognises a /dev/tapN queue. */
	o = (struct tunvnet_dev_opts)TUNVNET_DEV_OPTS_INIT;
	o.flags = TUNVNET_DEV_KEEP_FDS;
	assert_int_equal(tunvnet_dev_adopt(tunvnet_dev_queue_fd(d, 1), &o, &a), 0);
	assert_int_equal(tunvnet_dev_kind(a), kind);
	assert_string_equal(tunvnet_dev_name(a), vtap);
	assert_int_equal(tunvnet_dev_add_queue(a), 1);
	tunvnet_dev_close(a);

	/* Caps answer on a tap fd as on tun: NONE on a kernel without the series. */
	if (tunvnet_dev_caps(d, &c) == -EOPNOTSUPP)
		assert_int_equal(c.uapi, TUNVNET_UAPI_NONE);
	else
		assert_int_equal(c.types, 0x3f);

	/* The link goes away under the open queues. */
	assert_int_equal(live_sh("ip link del %s", vtap), 0);
	assert_int_equal(tunvnet_dev_max_frame(d, &len), -EBADFD);
	assert_non_null(strstr(tunvnet_last_error(), "was deleted"));
	tunvnet_dev_close(d);
}

static void macvtap(void **state)
{
	(void)state;
	if (!make_links("macvtap"))
		skip();
	check_vtap(TUNVNET_KIND_MACVTAP);
}

static void ipvtap(void **state)
{
	(void)state;
	if (!make_links("ipvtap mode l2"))
		skip();
	check_vtap(TUNVNET_KIND_IPVTAP);
}

static void not_a_vtap(void **state)
{
	struct tunvnet_dev *d = NULL;

	(void)state;
	if (!make_parent())
		skip();
	assert_int_equal(tunvnet_dev_open_vtap(parent, NULL, &d), -ENODEV);
	assert_non_null(strstr(tunvnet_last_error(), "not a macvtap or ipvtap"));
	assert_int_equal(tunvnet_dev_open_vtap("tvnosuchlink0", NULL, &d), -ENODEV);
	assert_non_null(strstr(tunvnet_last_error(), "no interface"));
	assert_null(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(macvtap),
		cmocka_unit_test(ipvtap),
		cmocka_unit_test(not_a_vtap),
	};
	int r;

	live_require_net_admin();
	live_name(parent, "p");
	live_name(vtap, "v");
	live_track(parent);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	live_del_all();
	return r;
}
