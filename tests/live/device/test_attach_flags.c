/* SPDX-License-Identifier: MIT */
/*
 * Attaching to an existing tun/tap keeps its feature flags (TUNSETIFF
 * would replace them, stripping a VMM's vnet header setting), asking for
 * one it lacks is refused, and tunvnet_dev_l2 says what its frames start
 * with. tunvnet_last_error is "" after calls that did not fail.
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

/* The device's own flags, as sysfs shows them (hex IFF_*). */
static unsigned int sysfs_flags(const char *name)
{
	char path[96];
	unsigned int f = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", name);
	fp = fopen(path, "re");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%x", &f), 1);
	fclose(fp);
	return f;
}

static void keeps_flags(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *vmm = NULL, *d = NULL;
	char name[IFNAMSIZ];

	(void)state;
	live_name(name, "af");
	live_track(name);
	/* The "VMM": a persistent multi-queue tap with a 20-byte header. */
	o.kind = TUNVNET_KIND_TAP;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_PERSIST;
	o.vnet_hdr_sz = 20;
	assert_int_equal(tunvnet_dev_open(name, &o, &vmm), 0);
	assert_true(sysfs_flags(name) & IFF_VNET_HDR);

	/* Attach asking for nothing: the device keeps IFF_VNET_HDR, the handle knows it. */
	o = (struct tunvnet_dev_opts)TUNVNET_DEV_OPTS_INIT;
	o.kind = TUNVNET_KIND_TAP;
	assert_int_equal(tunvnet_dev_open(name, &o, &d), 0);
	assert_string_equal(tunvnet_last_error(), "");
	assert_true(sysfs_flags(name) & IFF_VNET_HDR);
	assert_true(sysfs_flags(name) & IFF_MULTI_QUEUE);
	assert_true(tunvnet_dev_flags(d) & TUNVNET_DEV_VNET_HDR);
	assert_int_equal(tunvnet_dev_l2(d), TUNVNET_L2_ETH);
	tunvnet_dev_close(d);
	d = NULL;

	/* Asking for packet info it does not have would change it: refused, unchanged. */
	o.flags = TUNVNET_DEV_PI;
	assert_int_equal(tunvnet_dev_open(name, &o, &d), -EINVAL);
	assert_null(d);
	assert_non_null(strstr(tunvnet_last_error(), "without PI"));
	assert_true(sysfs_flags(name) & IFF_NO_PI);
	assert_true(sysfs_flags(name) & IFF_VNET_HDR);

	/* The wrong kind is refused by name. */
	o.flags = 0;
	o.kind = TUNVNET_KIND_TUN;
	assert_int_equal(tunvnet_dev_open(name, &o, &d), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "tap device"));

	/* A call that does not fail clears the message of one that did. */
	assert_string_equal(tunvnet_dev_name(vmm), name);
	assert_string_equal(tunvnet_last_error(), "");
	assert_int_equal(tunvnet_dev_queue_fd(vmm, 7), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "queue 7"));
	assert_int_equal(tunvnet_dev_num_queues(vmm), 1);
	assert_string_equal(tunvnet_last_error(), "");

	assert_int_equal(tunvnet_dev_set_persist(vmm, false), 0);
	tunvnet_dev_close(vmm);
}

static void l2_of_tun(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;
	char name[IFNAMSIZ];

	(void)state;
	live_name(name, "al");
	live_track(name);
	o.kind = TUNVNET_KIND_TUN;
	assert_int_equal(tunvnet_dev_open(name, &o, &d), 0);
	assert_int_equal(tunvnet_dev_l2(d), TUNVNET_L2_IP);
	tunvnet_dev_close(d);
	o.flags = TUNVNET_DEV_PI;
	assert_int_equal(tunvnet_dev_open(name, &o, &d), 0);
	assert_int_equal(tunvnet_dev_l2(d), TUNVNET_L2_IP_PI);
	tunvnet_dev_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_flags),
		cmocka_unit_test(l2_of_tun),
	};

	live_require_net_admin();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
