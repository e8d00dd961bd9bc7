/* SPDX-License-Identifier: MIT */
/*
 * A device deleted while this process keeps its queue fd: every vnet
 * ioctl gives -EBADFD with a message saying the device was deleted; the
 * capability query still answers as before.
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

#define expect_deleted(call)                                                  \
	do {                                                                  \
		assert_int_equal(call, -EBADFD);                              \
		assert_non_null(strstr(tunvnet_last_error(), "was deleted")); \
	} while (0)

static void deleted_tap(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_caps before = { .sz = sizeof(before) }, after = { .sz = sizeof(after) };
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_dev *d = NULL, *a = NULL;
	enum tunvnet_endian e;
	size_t len;
	int sz, rb, ra;

	(void)state;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR;
	o.queues = 2;
	o.vnet_hdr_sz = 20;
	live_track(name);
	assert_int_equal(tunvnet_dev_open(name, &o, &d), 0);
	rb = tunvnet_caps_probe(tunvnet_dev_queue_fd(d, 0), &before);

	/* Delete the link under the open fds (rtnetlink, as ip(8) does). */
	assert_int_equal(live_sh("ip link del %s", name), 0);
	assert_int_equal(if_nametoindex(name), 0);

	expect_deleted(tunvnet_dev_get_vnet_hdr_sz(d, &sz));
	expect_deleted(tunvnet_dev_set_vnet_hdr_sz(d, 12));
	expect_deleted(tunvnet_dev_set_vnet_endian(d, TUNVNET_ENDIAN_LE));
	expect_deleted(tunvnet_dev_get_vnet_endian(d, &e));
	expect_deleted(tunvnet_dev_set_persist(d, true));
	expect_deleted(tunvnet_dev_max_frame(d, &len));
	expect_deleted(tunvnet_dev_set_up(d, true));
	expect_deleted(tunvnet_dev_add_queue(d));
	assert_int_equal(if_nametoindex(name), 0); /* no new device made by name */
	expect_deleted(tunvnet_dev_adopt(tunvnet_dev_queue_fd(d, 1), NULL, &a));
	assert_null(a);

	/* The capability query is not tied to the device. */
	ra = tunvnet_caps_probe(tunvnet_dev_queue_fd(d, 0), &after);
	assert_int_equal(ra, rb);
	assert_int_equal(after.uapi, before.uapi);
	cfg.flags = TUNVNET_HASH_REPORT;
	cfg.types = TUNVNET_HASH_TYPES_PLAIN;
	/* With the series or without (then the user backend would fill reports). */
	expect_deleted(tunvnet_dev_set_hash(d, &cfg));
	tunvnet_dev_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deleted_tap),
	};

	live_require_net_admin();
	live_name(name, "d");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
