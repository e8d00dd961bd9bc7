/* SPDX-License-Identifier: MIT */
/*
 * tunvnet_dev_open against a scripted /dev/net/tun: the TUNSETIFF flags
 * and names it sends for each option, one TUNSETIFF per queue.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>
#include "fake_tun.h"
#include "uapi.h"

static int setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

static struct tunvnet_dev *open_ok(const char *name, const struct tunvnet_dev_opts *o)
{
	struct tunvnet_dev *d = NULL;

	assert_int_equal(tunvnet_dev_open(name, o, &d), 0);
	assert_non_null(d);
	return d;
}

static void test_mq_vnet_tap(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d;
	const unsigned int want = TV_IFF_TAP | TV_IFF_NO_PI | TV_IFF_MULTI_QUEUE | TV_IFF_VNET_HDR;
	int i;

	(void)state;
	o.kind = TUNVNET_KIND_TAP;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR;
	o.queues = 3;
	d = open_ok("tvud0", &o);
	assert_int_equal(fk.opens, 3);
	assert_int_equal(fake_count(TV_TUNSETIFF), 3);
	for (i = 0; i < 3; i++) {
		const struct fake_call *c = fake_nth(TV_TUNSETIFF, i);

		assert_int_equal(c->val, want);
		assert_string_equal(c->name, "tvud0");
		/* each queue is its own fd */
		assert_int_equal(c->fd, tunvnet_dev_queue_fd(d, (unsigned int)i));
	}
	assert_string_equal(tunvnet_dev_name(d), "tvud0");
	assert_int_equal(tunvnet_dev_kind(d), TUNVNET_KIND_TAP);
	assert_int_equal(tunvnet_dev_num_queues(d), 3);
	assert_int_equal(tunvnet_dev_flags(d) & (TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR |
						 TUNVNET_DEV_PI),
			 TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR);
	tunvnet_dev_close(d);
}

static void test_excl_first_queue_only(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d;

	(void)state;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_EXCL;
	o.queues = 2;
	d = open_ok("tvud0", &o);
	/* the first TUNSETIFF creates exclusively; later queues attach to it */
	assert_int_equal(fake_nth(TV_TUNSETIFF, 0)->val,
			 TV_IFF_TAP | TV_IFF_NO_PI | TV_IFF_MULTI_QUEUE | TV_IFF_TUN_EXCL);
	assert_int_equal(fake_nth(TV_TUNSETIFF, 1)->val,
			 TV_IFF_TAP | TV_IFF_NO_PI | TV_IFF_MULTI_QUEUE);
	tunvnet_dev_close(d);
}

static void test_pi_keeps_no_pi_off(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d;

	(void)state;
	o.flags = TUNVNET_DEV_PI;
	d = open_ok("tvud0", &o);
	assert_int_equal(fake_nth(TV_TUNSETIFF, 0)->val, TV_IFF_TAP);
	assert_true(tunvnet_dev_flags(d) & TUNVNET_DEV_PI);
	tunvnet_dev_close(d);
}

static void test_napi(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d;

	(void)state;
	o.flags = TUNVNET_DEV_NAPI;
	d = open_ok("tvud0", &o);
	assert_int_equal(fake_nth(TV_TUNSETIFF, 0)->val, TV_IFF_TAP | TV_IFF_NO_PI | TV_IFF_NAPI);
	assert_true(tunvnet_dev_flags(d) & TUNVNET_DEV_NAPI);
	tunvnet_dev_close(d);
}

static void test_tun_kind(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d;

	(void)state;
	o.kind = TUNVNET_KIND_TUN;
	o.flags = TUNVNET_DEV_VNET_HDR;
	d = open_ok("tvud0", &o);
	assert_int_equal(fake_nth(TV_TUNSETIFF, 0)->val, TV_IFF_TUN | TV_IFF_NO_PI | TV_IFF_VNET_HDR);
	assert_int_equal(tunvnet_dev_kind(d), TUNVNET_KIND_TUN);
	tunvnet_dev_close(d);
}

static void test_defaults_and_kernel_name(void **state)
{
	struct tunvnet_dev *d;

	(void)state;
	/* NULL opts: one plain tap queue; NULL name: the kernel picks it */
	d = open_ok(NULL, NULL);
	assert_int_equal(fake_count(TV_TUNSETIFF), 1);
	assert_int_equal(fake_nth(TV_TUNSETIFF, 0)->val, TV_IFF_TAP | TV_IFF_NO_PI);
	assert_string_equal(fake_nth(TV_TUNSETIFF, 0)->name, "");
	assert_string_equal(tunvnet_dev_name(d), "tvfake0");
	assert_int_equal(tunvnet_dev_num_queues(d), 1);
	/* nothing asked, nothing set */
	assert_int_equal(fake_count(TV_TUNSETVNETHDRSZ), 0);
	assert_int_equal(fake_count(TV_TUNSETVNETLE), 0);
	assert_int_equal(fake_count(TV_TUNSETVNETBE), 0);
	assert_int_equal(fake_count(TV_TUNSETPERSIST), 0);
	assert_int_equal(fake_count(TV_TUNSETOWNER), 0);
	assert_int_equal(fake_count(TV_TUNSETGROUP), 0);
	tunvnet_dev_close(d);
}

static void test_add_queue_same_flags(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d;

	(void)state;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_EXCL;
	o.vnet_hdr_sz = 20;
	d = open_ok("tvud0", &o);
	assert_int_equal(tunvnet_dev_add_queue(d), 1);
	/* attaches by name with the device's flags, no EXCL, and gets the header size */
	assert_int_equal(fake_nth(TV_TUNSETIFF, 1)->val,
			 TV_IFF_TAP | TV_IFF_NO_PI | TV_IFF_MULTI_QUEUE | TV_IFF_VNET_HDR);
	assert_string_equal(fake_nth(TV_TUNSETIFF, 1)->name, "tvud0");
	assert_int_equal(fake_count(TV_TUNSETVNETHDRSZ), 2);
	assert_int_equal(fake_nth(TV_TUNSETVNETHDRSZ, 1)->fd, tunvnet_dev_queue_fd(d, 1));
	tunvnet_dev_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mq_vnet_tap, setup),
		cmocka_unit_test_setup(test_excl_first_queue_only, setup),
		cmocka_unit_test_setup(test_pi_keeps_no_pi_off, setup),
		cmocka_unit_test_setup(test_napi, setup),
		cmocka_unit_test_setup(test_tun_kind, setup),
		cmocka_unit_test_setup(test_defaults_and_kernel_name, setup),
		cmocka_unit_test_setup(test_add_queue_same_flags, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
