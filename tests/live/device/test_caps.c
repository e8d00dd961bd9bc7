/* SPDX-License-Identifier: MIT */
/*
 * Capabilities and hash configuration on the running kernel. Without the
 * series (mainline, the host): the probe says NONE with -EOPNOTSUPP and a
 * clear message, and set_hash gives -EOPNOTSUPP, never -EINVAL. With it (a
 * test kernel): the probe names the generation and set_hash applies.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/utsname.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>
#include "live.h"
#include "../expect_uapi.h"

static char name[IFNAMSIZ];

static struct tunvnet_dev *open_tap(unsigned int queues, int hdr_sz)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;

	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR;
	o.queues = queues;
	o.vnet_hdr_sz = hdr_sz;
	o.endian = TUNVNET_ENDIAN_LE;
	live_track(name);
	assert_int_equal(tunvnet_dev_open(name, &o, &d), 0);
	return d;
}

static void probe(void **state)
{
	struct tunvnet_caps c = { .sz = sizeof(c) }, c2 = { .sz = sizeof(c2) };
	struct tunvnet_dev *d = open_tap(2, 20);
	struct utsname u;
	int r, r2;

	(void)state;
	assert_int_equal(uname(&u), 0);
	r = tunvnet_caps_probe(-1, &c);
	r2 = tunvnet_dev_caps(d, &c2);
	assert_int_equal(r, r2);
	assert_int_equal(c.uapi, c2.uapi);
	/* The generation the harness says this kernel speaks (issue 10). */
	if (live_check_uapi(c.uapi))
		fail_msg("probe disagrees with TUNVNET_EXPECT_UAPI");
	if (c.uapi == TUNVNET_UAPI_NONE) {
		assert_int_equal(r, -EOPNOTSUPP);
		assert_non_null(strstr(tunvnet_last_error(),
				       "lacks the tun virtio-net hashing feature"));
		assert_non_null(strstr(tunvnet_last_error(), u.release));
		assert_int_equal(c.types, 0);
	} else {
		assert_int_equal(r, 0);
		assert_true(c.flags & TUNVNET_CAP_REPORT);
		assert_int_equal(c.types, 0x3f);
		assert_int_equal(c.types, c2.types);
	}
	tunvnet_dev_close(d);
}

static void set_hash(void **state)
{
	static const uint16_t table[2] = { 1, 0 };
	struct tunvnet_caps c = { .sz = sizeof(c) };
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_hash_cfg got = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_dev *d = open_tap(2, 20);
	int r;

	(void)state;
	cfg.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	cfg.types = TUNVNET_HASH_TYPES_PLAIN;
	cfg.key = tunvnet_default_key();
	cfg.key_len = 40;
	cfg.table = table;
	cfg.table_len = 2;
	r = tunvnet_dev_set_hash(d, &cfg);
	tunvnet_dev_caps(d, &c);
	if (c.uapi == TUNVNET_UAPI_NONE) {
		/* Auto: the steering program where bpf() is allowed, else the reason. */
		if (r == 0) {
			assert_int_equal(tunvnet_dev_get_hash(d, &got), 0);
			assert_int_equal(got.backend, TUNVNET_BACKEND_EBPF);
		} else {
			assert_true(r == -EPERM || r == -EOPNOTSUPP);
			assert_non_null(strstr(tunvnet_last_error(), "RSS cannot be honoured"));
		}
		/* The series by name: not there. */
		cfg.backend = TUNVNET_BACKEND_KERNEL;
		assert_int_equal(tunvnet_dev_set_hash(d, &cfg), -EOPNOTSUPP);
		assert_non_null(strstr(tunvnet_last_error(), "lacks"));
		assert_int_equal(tunvnet_dev_clear_hash(d), 0);
	} else {
		assert_int_equal(r, 0);
		assert_int_equal(tunvnet_dev_get_hash(d, &got), 0);
		assert_int_equal(got.flags, cfg.flags);
		assert_int_equal(got.backend, TUNVNET_BACKEND_KERNEL);
		assert_int_equal(tunvnet_dev_clear_hash(d), 0);
	}
	tunvnet_dev_close(d);
}

static void report_needs_20(void **state)
{
	struct tunvnet_caps c = { .sz = sizeof(c) };
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_dev *d = open_tap(1, 12);

	(void)state;
	cfg.flags = TUNVNET_HASH_REPORT;
	cfg.types = TUNVNET_HASH_TYPES_PLAIN;
	/* Whichever backend reports (the kernel, or the library on read), 12 bytes hold no hash. */
	(void)c;
	assert_int_equal(tunvnet_dev_set_hash(d, &cfg), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "set the vnet header size to 20"));
	assert_int_equal(tunvnet_dev_set_vnet_hdr_sz(d, 20), 0);
	assert_int_equal(tunvnet_dev_set_hash(d, &cfg), 0);
	tunvnet_dev_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe),
		cmocka_unit_test(set_hash),
		cmocka_unit_test(report_needs_20),
	};

	live_require_net_admin();
	live_name(name, "c");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
