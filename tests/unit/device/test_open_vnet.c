/* SPDX-License-Identifier: MIT */
/*
 * tunvnet_dev_open against a scripted /dev/net/tun: the vnet header size,
 * endianness, persistence, owner and group ioctls it sends, on which fds,
 * with which values; and the cleanup of a persistent device on failure.
 */
#include <errno.h>
#include <fcntl.h>
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

static void test_hdr_sz_every_queue(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;
	int i, sz = 0;

	(void)state;
	/* no VNET_HDR flag: asking for a size implies it */
	o.flags = TUNVNET_DEV_MULTI_QUEUE;
	o.queues = 3;
	o.vnet_hdr_sz = 20;
	assert_int_equal(tunvnet_dev_open("tvud0", &o, &d), 0);
	assert_true(fake_nth(TV_TUNSETIFF, 0)->val & TV_IFF_VNET_HDR);
	assert_int_equal(fake_count(TV_TUNSETVNETHDRSZ), 3);
	for (i = 0; i < 3; i++) {
		const struct fake_call *c = fake_nth(TV_TUNSETVNETHDRSZ, i);

		assert_int_equal(c->val, 20);
		assert_int_equal(c->fd, tunvnet_dev_queue_fd(d, (unsigned int)i));
	}
	assert_int_equal(tunvnet_dev_get_vnet_hdr_sz(d, &sz), 0);
	assert_int_equal(sz, 20);
	/* endianness left alone */
	assert_int_equal(fake_count(TV_TUNSETVNETLE), 0);
	assert_int_equal(fake_count(TV_TUNSETVNETBE), 0);
	tunvnet_dev_close(d);
}

/* A size another program set above 24 (issue 9: 1 GiB was accepted): refused, not changed. */
static void test_kernel_hdr_sz_too_big(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;
	int fd, sz = 0;

	(void)state;
	fk.hdr_sz = 1 << 30;
	o.flags = TUNVNET_DEV_VNET_HDR;
	assert_int_equal(tunvnet_dev_open("tvud0", &o, &d), -EINVAL);
	assert_null(d);
	assert_non_null(strstr(tunvnet_last_error(), "at most 24"));
	assert_int_equal(fake_count(TV_TUNSETVNETHDRSZ), 0);

	/* An adopted fd too; asking for a size of our own takes it over. */
	fd = open("/dev/net/tun", O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(tunvnet_dev_adopt(fd, NULL, &d), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "at most 24"));
	assert_int_equal(fake_count(TV_TUNSETVNETHDRSZ), 0);
	o.flags = 0;
	o.vnet_hdr_sz = 24;
	assert_int_equal(tunvnet_dev_adopt(fd, &o, &d), 0);
	assert_int_equal(tunvnet_dev_get_vnet_hdr_sz(d, &sz), 0);
	assert_int_equal(sz, 24);
	/* ... and one changed behind the handle's back is refused by the getter. */
	fk.hdr_sz = 4096;
	assert_int_equal(tunvnet_dev_get_vnet_hdr_sz(d, &sz), -EINVAL);
	assert_int_equal(tunvnet_dev_set_vnet_hdr_sz(d, 25), -EINVAL);
	assert_int_equal(tunvnet_dev_set_vnet_hdr_sz(d, 1 << 30), -EINVAL);
	tunvnet_dev_close(d);
}

static void test_le(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;
	enum tunvnet_endian e;
	int i;

	(void)state;
	o.flags = TUNVNET_DEV_MULTI_QUEUE;
	o.queues = 2;
	o.endian = TUNVNET_ENDIAN_LE;
	assert_int_equal(tunvnet_dev_open("tvud0", &o, &d), 0);
	assert_true(fake_nth(TV_TUNSETIFF, 0)->val & TV_IFF_VNET_HDR);
	assert_int_equal(fake_count(TV_TUNSETVNETLE), 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(fake_nth(TV_TUNSETVNETLE, i)->val, 1);
		assert_int_equal(fake_nth(TV_TUNSETVNETLE, i)->fd,
				 tunvnet_dev_queue_fd(d, (unsigned int)i));
		/* BE, if set at all, is cleared */
		if (fake_nth(TV_TUNSETVNETBE, i))
			assert_int_equal(fake_nth(TV_TUNSETVNETBE, i)->val, 0);
	}
	assert_int_equal(tunvnet_dev_get_vnet_endian(d, &e), 0);
	assert_int_equal(e, TUNVNET_ENDIAN_LE);
	tunvnet_dev_close(d);
}

static void test_be(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;
	enum tunvnet_endian e;

	(void)state;
	o.endian = TUNVNET_ENDIAN_BE;
	o.vnet_hdr_sz = 12;
	assert_int_equal(tunvnet_dev_open("tvud0", &o, &d), 0);
	assert_int_equal(fake_count(TV_TUNSETVNETBE), 1);
	assert_int_equal(fake_nth(TV_TUNSETVNETBE, 0)->val, 1);
	if (fake_nth(TV_TUNSETVNETLE, 0))
		assert_int_equal(fake_nth(TV_TUNSETVNETLE, 0)->val, 0);
	assert_int_equal(fake_nth(TV_TUNSETVNETHDRSZ, 0)->val, 12);
	assert_int_equal(tunvnet_dev_get_vnet_endian(d, &e), 0);
	assert_int_equal(e, TUNVNET_ENDIAN_BE);
	tunvnet_dev_close(d);
}

static void test_be_without_cross_le(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;

	(void)state;
	/* a kernel without CONFIG_TUN_VNET_CROSS_LE answers EINVAL to TUNSETVNETBE */
	fk.fail_req = TV_TUNSETVNETBE;
	fk.fail_errno = EINVAL;
	o.endian = TUNVNET_ENDIAN_BE;
	assert_int_equal(tunvnet_dev_open("tvud0", &o, &d), -EOPNOTSUPP);
	assert_null(d);
	assert_non_null(strstr(tunvnet_last_error(), "CONFIG_TUN_VNET_CROSS_LE"));
	/* ... but LE still works there: clearing BE is not an error */
	fake_reset();
	fk.fail_req = TV_TUNSETVNETBE;
	fk.fail_errno = EINVAL;
	o.endian = TUNVNET_ENDIAN_LE;
	assert_int_equal(tunvnet_dev_open("tvud0", &o, &d), 0);
	tunvnet_dev_close(d);
}

static void test_persist_owner_group(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;

	(void)state;
	o.flags = TUNVNET_DEV_PERSIST | TUNVNET_DEV_MULTI_QUEUE;
	o.queues = 2;
	o.owner = 1000;
	o.group = 100;
	assert_int_equal(tunvnet_dev_open("tvud0", &o, &d), 0);
	/* device-wide settings: once, on the first queue, by value */
	assert_int_equal(fake_count(TV_TUNSETPERSIST), 1);
	assert_int_equal(fake_nth(TV_TUNSETPERSIST, 0)->val, 1);
	assert_int_equal(fake_nth(TV_TUNSETPERSIST, 0)->fd, tunvnet_dev_queue_fd(d, 0));
	assert_int_equal(fake_count(TV_TUNSETOWNER), 1);
	assert_int_equal(fake_nth(TV_TUNSETOWNER, 0)->val, 1000);
	assert_int_equal(fake_count(TV_TUNSETGROUP), 1);
	assert_int_equal(fake_nth(TV_TUNSETGROUP, 0)->val, 100);
	assert_true(tunvnet_dev_flags(d) & TUNVNET_DEV_PERSIST);
	tunvnet_dev_close(d);
}

static void test_owner_zero_is_root(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;

	(void)state;
	/* 0 is a uid (root), only -1 means leave */
	o.owner = 0;
	assert_int_equal(tunvnet_dev_open("tvud0", &o, &d), 0);
	assert_int_equal(fake_count(TV_TUNSETOWNER), 1);
	assert_int_equal(fake_nth(TV_TUNSETOWNER, 0)->val, 0);
	assert_int_equal(fake_count(TV_TUNSETGROUP), 0);
	tunvnet_dev_close(d);
}

static void test_persist_undone_on_failure(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;
	const struct fake_call *c;

	(void)state;
	o.flags = TUNVNET_DEV_PERSIST | TUNVNET_DEV_MULTI_QUEUE;
	o.queues = 2;
	o.vnet_hdr_sz = 20;
	fk.fail_req = TV_TUNSETVNETHDRSZ;
	fk.fail_errno = EIO;
	fk.fail_nth = 2;
	assert_int_equal(tunvnet_dev_open("tvud0", &o, &d), -EIO);
	assert_null(d);
	/* the device this call made persistent is made non-persistent again */
	assert_int_equal(fake_count(TV_TUNSETPERSIST), 2);
	c = fake_nth(TV_TUNSETPERSIST, 1);
	assert_int_equal(c->val, 0);
	assert_ptr_equal(c, &fk.calls[fk.ncalls - 1]);
}

static void test_set_hdr_sz_after_open(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;
	int n;

	(void)state;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR;
	o.queues = 2;
	assert_int_equal(tunvnet_dev_open("tvud0", &o, &d), 0);
	assert_int_equal(tunvnet_dev_set_vnet_hdr_sz(d, 24), 0);
	assert_int_equal(fake_count(TV_TUNSETVNETHDRSZ), 2);
	assert_int_equal(fake_nth(TV_TUNSETVNETHDRSZ, 1)->val, 24);
	/* sizes the header parser cannot read are refused without asking the kernel */
	n = fk.ncalls;
	assert_int_equal(tunvnet_dev_set_vnet_hdr_sz(d, 11), -EINVAL);
	assert_int_equal(tunvnet_dev_set_vnet_hdr_sz(d, 8), -EINVAL);
	assert_int_equal(fk.ncalls, n);
	tunvnet_dev_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_hdr_sz_every_queue, setup),
		cmocka_unit_test_setup(test_kernel_hdr_sz_too_big, setup),
		cmocka_unit_test_setup(test_le, setup),
		cmocka_unit_test_setup(test_be, setup),
		cmocka_unit_test_setup(test_be_without_cross_le, setup),
		cmocka_unit_test_setup(test_persist_owner_group, setup),
		cmocka_unit_test_setup(test_owner_zero_is_root, setup),
		cmocka_unit_test_setup(test_persist_undone_on_failure, setup),
		cmocka_unit_test_setup(test_set_hdr_sz_after_open, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
