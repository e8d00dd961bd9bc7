/* SPDX-License-Identifier: MIT */
/*
 * How lib/device.c words kernel errors: EPERM names CAP_NET_ADMIN, EBADFD
 * says the device was deleted, EBUSY on an exclusive create is EEXIST;
 * and no queue fd is left open when tunvnet_dev_open fails.
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

/* Every fd the fake handed out for the device was closed again. */
static void assert_fds_closed(void)
{
	int i;

	for (i = 0; i < fk.ncalls; i++)
		if (fk.calls[i].req == TV_TUNSETIFF)
			assert_int_equal(fcntl(fk.calls[i].fd, F_GETFD), -1);
}

static int open_mq(unsigned int queues, uint32_t flags, struct tunvnet_dev **d)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;

	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | flags;
	o.queues = queues;
	*d = (struct tunvnet_dev *)&o; /* must be reset to NULL on failure */
	return tunvnet_dev_open("tvud0", &o, d);
}

static void test_eperm_names_cap_net_admin(void **state)
{
	struct tunvnet_dev *d;

	(void)state;
	fk.fail_req = TV_TUNSETIFF;
	fk.fail_errno = EPERM;
	assert_int_equal(open_mq(1, 0, &d), -EPERM);
	assert_null(d);
	assert_non_null(strstr(tunvnet_last_error(), "CAP_NET_ADMIN"));
	assert_non_null(strstr(tunvnet_last_error(), "tvud0"));
	assert_non_null(strstr(tunvnet_strerror(-EPERM), "CAP_NET_ADMIN"));
	assert_fds_closed();
}

static void test_open_eacces(void **state)
{
	struct tunvnet_dev *d;

	(void)state;
	fk.open_errno = EACCES;
	assert_int_equal(open_mq(1, 0, &d), -EACCES);
	assert_null(d);
	assert_non_null(strstr(tunvnet_last_error(), "/dev/net/tun"));
	assert_non_null(strstr(tunvnet_last_error(), "CAP_NET_ADMIN"));
	assert_int_equal(fk.ncalls, 0);
}

static void test_open_enoent_is_enodev(void **state)
{
	struct tunvnet_dev *d;

	(void)state;
	fk.open_errno = ENOENT;
	assert_int_equal(open_mq(1, 0, &d), -ENODEV);
	assert_non_null(strstr(tunvnet_last_error(), "/dev/net/tun"));
}

static void test_ebusy(void **state)
{
	struct tunvnet_dev *d;

	(void)state;
	fk.fail_req = TV_TUNSETIFF;
	fk.fail_errno = EBUSY;
	assert_int_equal(open_mq(1, TUNVNET_DEV_EXCL, &d), -EEXIST);
	assert_non_null(strstr(tunvnet_last_error(), "already exists"));
	assert_int_equal(open_mq(1, 0, &d), -EBUSY);
	assert_null(d);
	assert_fds_closed();
}

static void test_einval_other_type(void **state)
{
	struct tunvnet_dev *d;

	(void)state;
	fk.fail_req = TV_TUNSETIFF;
	fk.fail_errno = EINVAL;
	assert_int_equal(open_mq(1, 0, &d), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "TUNSETIFF"));
}

static void test_second_queue_fails_closes_all(void **state)
{
	struct tunvnet_dev *d;

	(void)state;
	fk.fail_req = TV_TUNSETIFF;
	fk.fail_errno = EPERM;
	fk.fail_nth = 3;
	assert_int_equal(open_mq(4, 0, &d), -EPERM);
	assert_null(d);
	assert_int_equal(fake_count(TV_TUNSETIFF), 3);
	assert_fds_closed();
}

static void test_deleted_during_open(void **state)
{
	struct tunvnet_dev *d;

	(void)state;
	/* the device vanishes between TUNSETIFF and the refresh */
	fk.fail_req = TV_TUNGETIFF;
	fk.fail_errno = EBADFD;
	assert_int_equal(open_mq(2, 0, &d), -EBADFD);
	assert_null(d);
	assert_non_null(strstr(tunvnet_last_error(), "deleted"));
	assert_non_null(strstr(tunvnet_strerror(-EBADFD), "deleted"));
	assert_fds_closed();
}

static void test_eperm_owner(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;

	(void)state;
	fk.fail_req = TV_TUNSETOWNER;
	fk.fail_errno = EPERM;
	o.owner = 1000;
	assert_int_equal(tunvnet_dev_open("tvud0", &o, &d), -EPERM);
	assert_null(d);
	assert_non_null(strstr(tunvnet_last_error(), "TUNSETOWNER"));
	assert_non_null(strstr(tunvnet_last_error(), "CAP_NET_ADMIN"));
	assert_fds_closed();
}

static void test_after_open(void **state)
{
	struct tunvnet_dev *d;
	enum tunvnet_endian e;
	int sz;

	(void)state;
	assert_int_equal(open_mq(2, 0, &d), 0);

	fk.fail_req = TV_TUNSETPERSIST;
	fk.fail_errno = EPERM;
	assert_int_equal(tunvnet_dev_set_persist(d, true), -EPERM);
	assert_non_null(strstr(tunvnet_last_error(), "CAP_NET_ADMIN"));
	assert_false(tunvnet_dev_flags(d) & TUNVNET_DEV_PERSIST);

	/* the device was deleted under the handle: every vnet ioctl gives EBADFD */
	fk.fail_errno = EBADFD;
	fk.fail_req = TV_TUNSETVNETHDRSZ;
	assert_int_equal(tunvnet_dev_set_vnet_hdr_sz(d, 20), -EBADFD);
	assert_non_null(strstr(tunvnet_last_error(), "deleted"));
	fk.fail_req = TV_TUNGETVNETHDRSZ;
	assert_int_equal(tunvnet_dev_get_vnet_hdr_sz(d, &sz), -EBADFD);
	assert_non_null(strstr(tunvnet_last_error(), "deleted"));
	fk.fail_req = TV_TUNSETVNETLE;
	assert_int_equal(tunvnet_dev_set_vnet_endian(d, TUNVNET_ENDIAN_LE), -EBADFD);
	assert_non_null(strstr(tunvnet_last_error(), "deleted"));
	fk.fail_req = TV_TUNGETVNETLE;
	assert_int_equal(tunvnet_dev_get_vnet_endian(d, &e), -EBADFD);
	assert_non_null(strstr(tunvnet_last_error(), "deleted"));
	fk.fail_req = TV_TUNSETPERSIST;
	assert_int_equal(tunvnet_dev_set_persist(d, false), -EBADFD);
	/* add_queue checks the device first: TUNSETIFF by name would make a new one */
	fk.fail_req = TV_TUNGETIFF;
	assert_int_equal(tunvnet_dev_add_queue(d), -EBADFD);
	assert_non_null(strstr(tunvnet_last_error(), "deleted"));
	assert_int_equal(fake_count(TV_TUNSETIFF), 2);
	/* a success clears the message */
	fk.fail_req = 0;
	assert_int_equal(tunvnet_dev_get_vnet_hdr_sz(d, &sz), 0);
	assert_string_equal(tunvnet_last_error(), "");
	tunvnet_dev_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_eperm_names_cap_net_admin, setup),
		cmocka_unit_test_setup(test_open_eacces, setup),
		cmocka_unit_test_setup(test_open_enoent_is_enodev, setup),
		cmocka_unit_test_setup(test_ebusy, setup),
		cmocka_unit_test_setup(test_einval_other_type, setup),
		cmocka_unit_test_setup(test_second_queue_fails_closes_all, setup),
		cmocka_unit_test_setup(test_deleted_during_open, setup),
		cmocka_unit_test_setup(test_eperm_owner, setup),
		cmocka_unit_test_setup(test_after_open, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
