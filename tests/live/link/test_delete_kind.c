/* SPDX-License-Identifier: MIT */
/*
 * tunvnet_link_delete refuses links that are not tun, tap, macvtap or
 * ipvtap (issue 9 item 7: it deleted a veth and said "deleted"): a veth (and
 * a dummy where the kernel has one) survives with -EMEDIUMTYPE and a message
 * naming its kind; lo survives too; a tap is still deleted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>
#include "../device/live.h"

static char veth[IFNAMSIZ], peer[IFNAMSIZ], dummy[IFNAMSIZ], tap[IFNAMSIZ];

static void refused(const char *name, const char *kind)
{
	unsigned int idx = if_nametoindex(name);

	assert_true(idx != 0);
	assert_int_equal(tunvnet_link_delete(name), -EMEDIUMTYPE);
	if (!strstr(tunvnet_last_error(), kind) || !strstr(tunvnet_last_error(), "not deleted"))
		fail_msg("message for %s: '%s' (want its kind %s, 'not deleted')", name,
			 tunvnet_last_error(), kind);
	/* Still there, the same link. */
	assert_int_equal(if_nametoindex(name), idx);
}

static void test_veth_survives(void **state)
{
	(void)state;
	live_track(veth);
	if (live_sh("ip link add %s type veth peer name %s", veth, peer) != 0)
		skip();
	refused(veth, "veth");
	refused(peer, "veth");
}

static void test_dummy_survives(void **state)
{
	(void)state;
	live_track(dummy);
	if (live_sh("ip link add %s type dummy", dummy) != 0)
		skip(); /* no dummy driver here: the veth case covers the rule */
	refused(dummy, "dummy");
}

/* (The kernel refuses to delete lo anyway: safe to try even on broken code.) */
static void test_lo_survives(void **state)
{
	(void)state;
	refused("lo", "none");
}

static void test_missing(void **state)
{
	(void)state;
	assert_int_equal(tunvnet_link_delete("tvnosuchlink0"), -ENODEV);
	assert_int_equal(tunvnet_link_delete(""), -EINVAL);
}

static void test_tap_deleted(void **state)
{
	(void)state;
	live_track(tap);
	assert_int_equal(live_sh("ip tuntap add dev %s mode tap", tap), 0);
	assert_int_equal(tunvnet_link_delete(tap), 0);
	assert_string_equal(tunvnet_last_error(), "");
	assert_int_equal(if_nametoindex(tap), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_veth_survives),
		cmocka_unit_test(test_dummy_survives),
		cmocka_unit_test(test_lo_survives),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_tap_deleted),
	};

	live_require_net_admin();
	if (live_sh("ip -V") != 0) {
		fprintf(stderr, "skip: no ip(8)\n");
		return 77;
	}
	live_name(veth, "dv");
	live_name(peer, "dp");
	live_name(dummy, "dd");
	live_name(tap, "dt");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
