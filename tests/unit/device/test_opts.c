/* SPDX-License-Identifier: MIT */
/*
 * tunvnet_dev_open's options are checked before any kernel call: bad
 * header sizes, unknown flags, kinds and endianness, and the size rule of
 * the options struct (too small: -EINVAL; larger with unknown non-zero
 * bytes: -E2BIG; larger with a zero tail, or older and shorter: fine).
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

/* Refused with err, and the kernel never heard of it. */
static void refused(const struct tunvnet_dev_opts *o, int err, const char *words)
{
	struct tunvnet_dev *d = (struct tunvnet_dev *)1;

	fake_reset();
	assert_int_equal(tunvnet_dev_open("tvud0", o, &d), err);
	assert_null(d);
	assert_int_equal(fk.opens, 0);
	assert_int_equal(fk.ncalls, 0);
	if (words)
		assert_non_null(strstr(tunvnet_last_error(), words));
}

static void accepted(const struct tunvnet_dev_opts *o)
{
	struct tunvnet_dev *d = NULL;

	fake_reset();
	assert_int_equal(tunvnet_dev_open("tvud0", o, &d), 0);
	assert_non_null(d);
	tunvnet_dev_close(d);
}

static void test_hdr_sz(void **state)
{
	static const int bad[] = { 8, 9, 11, 13, 16, 19, 21, 23, 25, 32, 1 << 30, -1, -20 };
	static const int good[] = { 10, 12, 20, 24 };
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.vnet_hdr_sz = bad[i];
		refused(&o, -EINVAL, "vnet header size");
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		o.vnet_hdr_sz = good[i];
		accepted(&o);
		assert_int_equal(fake_nth(TV_TUNSETVNETHDRSZ, 0)->val, good[i]);
	}
}

static void test_unknown_flags(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;

	(void)state;
	o.flags = TUNVNET_DEV_FLAGS_ALL + 1;
	refused(&o, -EINVAL, "unknown device flags");
	o.flags = 1u << 31 | TUNVNET_DEV_VNET_HDR;
	refused(&o, -EINVAL, "unknown device flags");
}

static void test_bad_enums_and_args(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d;

	(void)state;
	o.endian = (enum tunvnet_endian)3;
	refused(&o, -EINVAL, "endianness");
	o.endian = TUNVNET_ENDIAN_NATIVE;
	o.kind = TUNVNET_KIND_MACVTAP;
	refused(&o, -EINVAL, "tunvnet_dev_open_vtap");
	o.kind = (enum tunvnet_kind)42;
	refused(&o, -EINVAL, NULL);
	o.kind = TUNVNET_KIND_TAP;
	o.queues = 2; /* without MULTI_QUEUE */
	refused(&o, -EINVAL, "TUNVNET_DEV_MULTI_QUEUE");
	o.queues = 1;

	fake_reset();
	assert_int_equal(tunvnet_dev_open("tvud0", &o, NULL), -EINVAL);
	assert_int_equal(tunvnet_dev_open("a-name-of-16-chr", &o, &d), -EINVAL);
	assert_null(d);
	assert_int_equal(fk.opens, 0);
}

static void test_sz_too_small(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;

	(void)state;
	o.sz = 0;
	refused(&o, -EINVAL, "size");
	o.sz = sizeof(size_t);
	refused(&o, -EINVAL, "size");
	o.sz = offsetof(struct tunvnet_dev_opts, flags); /* no room for flags */
	refused(&o, -EINVAL, "size");
}

/* An older caller: the struct ends before owner/group, which then mean "leave". */
static void test_sz_older_caller(void **state)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;

	(void)state;
	o.sz = offsetof(struct tunvnet_dev_opts, owner);
	o.owner = 0; /* past the caller's struct: must not be read */
	o.group = 0;
	accepted(&o);
	assert_int_equal(fake_count(TV_TUNSETOWNER), 0);
	assert_int_equal(fake_count(TV_TUNSETGROUP), 0);

	/* the smallest struct: sz, kind and flags */
	o.sz = offsetof(struct tunvnet_dev_opts, queues);
	o.flags = TUNVNET_DEV_VNET_HDR;
	o.queues = 5;      /* unseen: 1 queue */
	o.vnet_hdr_sz = 7; /* unseen: not checked, not applied */
	accepted(&o);
	assert_int_equal(fake_count(TV_TUNSETIFF), 1);
	assert_int_equal(fake_nth(TV_TUNSETIFF, 0)->val, TV_IFF_TAP | TV_IFF_NO_PI | TV_IFF_VNET_HDR);
	assert_int_equal(fake_count(TV_TUNSETVNETHDRSZ), 0);
}

/* A newer caller: a larger struct is fine while its extra bytes are zero. */
static void test_sz_newer_caller(void **state)
{
	struct {
		struct tunvnet_dev_opts o;
		uint8_t future[24];
	} big;
	struct tunvnet_dev_opts defaults = TUNVNET_DEV_OPTS_INIT;

	(void)state;
	memset(&big, 0, sizeof(big));
	big.o = defaults;
	big.o.sz = sizeof(big);
	big.o.vnet_hdr_sz = 20;
	accepted(&big.o);
	assert_int_equal(fake_nth(TV_TUNSETVNETHDRSZ, 0)->val, 20);

	big.future[23] = 1;
	refused(&big.o, -E2BIG, "does not know");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_hdr_sz, setup),
		cmocka_unit_test_setup(test_unknown_flags, setup),
		cmocka_unit_test_setup(test_bad_enums_and_args, setup),
		cmocka_unit_test_setup(test_sz_too_small, setup),
		cmocka_unit_test_setup(test_sz_older_caller, setup),
		cmocka_unit_test_setup(test_sz_newer_caller, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
