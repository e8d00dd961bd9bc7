/* SPDX-License-Identifier: MIT */
/*
 * Capability probing and tunvnet_dev_set_hash against a scripted kernel:
 * ioctl is wrapped (-Wl,--wrap=ioctl), so each test decides which
 * generation answers and which errno a setter gives, and checks the exact
 * request and bytes the library sent.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>
#include "device.h"
#include "uapi.h"

/* The scripted kernel. */
static struct {
	char gen;         /* 'A', 'B' or 0: which probe answers */
	int probe_errno;  /* what the other probe(s) give */
	int hdr_sz;       /* TUNGETVNETHDRSZ answer */
	int set_errno;    /* 0: the setter succeeds */
	/* recorded */
	int probes, sets, set_fd;
	unsigned long set_req;
	uint8_t arg[512];
	size_t arg_len;
} k;

int __wrap_ioctl(int fd, unsigned long req, ...);

/* Read the setter's argument the way the kernel does, length by length. */
static size_t kernel_arg_len(unsigned long req, const uint8_t *p)
{
	uint16_t flags, mask;

	switch (req) {
	case TV_TUNSETVNETREPORTINGAUTOMQ:
		return 4;
	case TV_TUNSETVNETREPORTINGRSS:
	case TV_TUNSETVNETRSS:
		memcpy(&mask, p + 4, 2);
		return 8 + ((size_t)mask + 1) * 2 + 40;
	case TV_TUNSETVNETHASH:
		memcpy(&flags, p, 2);
		if (!(flags & TV_TUN_VNET_HASH_RSS))
			return 8;
		memcpy(&mask, p + 8, 2);
		return 12 + ((size_t)mask + 1) * 2 + 40;
	}
	return 0;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	switch (req) {
	case TV_TUNGETVNETHASHTYPES:
		k.probes++;
		if (k.gen == 'B') {
			*(uint32_t *)arg = 0x3f;
			return 0;
		}
		errno = k.probe_errno;
		return -1;
	case TV_TUNGETVNETHASHCAP:
		k.probes++;
		if (k.gen == 'A') {
			struct tv_tun_vnet_hash h = { .flags = 3, .types = 0x3f };

			memcpy(arg, &h, sizeof(h));
			return 0;
		}
		errno = k.probe_errno;
		return -1;
	case TV_TUNGETVNETHDRSZ:
		*(int *)arg = k.hdr_sz;
		return 0;
	case TV_TUNSETVNETHASH:
	case TV_TUNSETVNETREPORTINGAUTOMQ:
	case TV_TUNSETVNETREPORTINGRSS:
	case TV_TUNSETVNETRSS:
		k.sets++;
		k.set_fd = fd;
		k.set_req = req;
		k.arg_len = kernel_arg_len(req, arg);
		assert_true(k.arg_len <= sizeof(k.arg));
		memcpy(k.arg, arg, k.arg_len);
		if (k.set_errno) {
			errno = k.set_errno;
			return -1;
		}
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

static struct tunvnet_dev *fake_dev(unsigned int nq)
{
	struct tunvnet_dev *d = NULL;
	unsigned int i;

	assert_int_equal(tv_dev_alloc(&d), 0);
	strcpy(d->name, "tvfake0");
	d->kind = TUNVNET_KIND_TAP;
	/* KEEP_FDS with adopted queues: the made-up fds are never closed. */
	d->flags = TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_KEEP_FDS;
	for (i = 0; i < nq; i++)
		assert_int_equal(tv_dev_push(d, 100 + (int)i, true), (int)i);
	assert_int_equal(tv_dev_publish_layout(d, 20, TUNVNET_ENDIAN_LE, false), 0);
	return d;
}

static void free_dev(struct tunvnet_dev *d)
{
	tv_dev_free(d);
}

static int setup(void **state)
{
	(void)state;
	memset(&k, 0, sizeof(k));
	k.probe_errno = EINVAL;
	k.hdr_sz = 20;
	return 0;
}

static const uint16_t table2[2] = { 1, 0 };

static struct tunvnet_hash_cfg rss_cfg(uint32_t flags)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;

	c.flags = flags;
	c.types = 0x3f;
	c.key = tunvnet_default_key();
	c.key_len = 40;
	c.table = table2;
	c.table_len = 2;
	c.unclassified_queue = 1;
	return c;
}

static uint16_t ne16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static uint32_t ne32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void probe_b(void **state)
{
	struct tunvnet_caps c = { .sz = sizeof(c) };

	(void)state;
	k.gen = 'B';
	assert_int_equal(tunvnet_caps_probe(7, &c), 0);
	assert_int_equal(c.uapi, TUNVNET_UAPI_B);
	assert_int_equal(c.flags, TUNVNET_CAP_REPORT | TUNVNET_CAP_RSS);
	assert_int_equal(c.types, 0x3f);
	assert_int_equal(c.max_key_len, 40);
	assert_int_equal(c.sz, sizeof(c));
	assert_int_equal(k.probes, 1); /* A was not needed */
}

static void probe_a(void **state)
{
	struct tunvnet_caps c = { .sz = sizeof(c) };

	(void)state;
	k.gen = 'A';
	assert_int_equal(tunvnet_caps_probe(7, &c), 0);
	assert_int_equal(c.uapi, TUNVNET_UAPI_A);
	assert_int_equal(c.flags, TUNVNET_CAP_REPORT | TUNVNET_CAP_RSS);
	assert_int_equal(c.types, 0x3f);
	assert_int_equal(k.probes, 2);
}

static void probe_neither(void **state)
{
	static const int errs[] = { EINVAL, ENOTTY, EBADFD };
	struct tunvnet_caps c;
	struct utsname u;
	size_t i;

	(void)state;
	assert_int_equal(uname(&u), 0);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		memset(&c, 0x55, sizeof(c));
		c.sz = sizeof(c);
		k.probe_errno = errs[i];
		assert_int_equal(tunvnet_caps_probe(7, &c), -EOPNOTSUPP);
		assert_int_equal(c.uapi, TUNVNET_UAPI_NONE);
		assert_int_equal(c.types, 0);
		assert_non_null(strstr(tunvnet_last_error(),
				       "lacks the tun virtio-net hashing feature"));
		assert_non_null(strstr(tunvnet_last_error(), u.release));
	}
}

static void probe_other_errors(void **state)
{
	struct tunvnet_caps c = { .sz = sizeof(c) };

	(void)state;
	k.probe_errno = EBADF;
	assert_int_equal(tunvnet_caps_probe(7, &c), -EBADF);
	k.probe_errno = EFAULT;
	assert_int_equal(tunvnet_caps_probe(7, &c), -EFAULT);
	c.sz = 0;
	assert_int_equal(tunvnet_caps_probe(7, &c), -EINVAL);
}

static void dev_caps_cached(void **state)
{
	struct tunvnet_dev *d = fake_dev(2);
	struct tunvnet_caps c = { .sz = sizeof(c) };

	(void)state;
	k.gen = 'B';
	assert_int_equal(tunvnet_dev_caps(d, &c), 0);
	assert_int_equal(tunvnet_dev_caps(d, &c), 0);
	assert_int_equal(c.uapi, TUNVNET_UAPI_B);
	assert_int_equal(k.probes, 1);
	free_dev(d);

	d = fake_dev(1);
	k.gen = 0;
	k.probes = 0;
	assert_int_equal(tunvnet_dev_caps(d, &c), -EOPNOTSUPP);
	assert_int_equal(c.uapi, TUNVNET_UAPI_NONE);
	assert_int_equal(tunvnet_dev_caps(d, &c), -EOPNOTSUPP);
	assert_non_null(strstr(tunvnet_last_error(), "lacks"));
	assert_int_equal(k.probes, 2); /* B and A once, then the cached answer */
	free_dev(d);
}

static void set_b_report_rss(void **state)
{
	struct tunvnet_dev *d = fake_dev(2);
	struct tunvnet_hash_cfg c = rss_cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS);
	struct tunvnet_hash_cfg got = TUNVNET_HASH_CFG_INIT;
	uint8_t key[40];

	(void)state;
	k.gen = 'B';
	assert_int_equal(tunvnet_dev_get_hash(d, &got), -ENOENT);
	memcpy(key, tunvnet_default_key(), 40);
	c.key = key;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_int_equal(k.sets, 1);
	assert_int_equal(k.set_fd, 100); /* queue 0 */
	assert_int_equal(k.set_req, 0x800854e6);
	assert_int_equal(k.arg_len, 52);
	assert_int_equal(ne32(k.arg), 0x3f);
	assert_int_equal(ne16(k.arg + 4), 1);
	assert_int_equal(ne16(k.arg + 6), 1);
	assert_int_equal(ne16(k.arg + 8), 1);
	assert_int_equal(ne16(k.arg + 10), 0);
	assert_memory_equal(k.arg + 12, key, 40);

	/* The handle keeps its own copy. */
	memset(key, 0, sizeof(key));
	assert_int_equal(tunvnet_dev_get_hash(d, &got), 0);
	assert_int_equal(got.flags, TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS);
	assert_int_equal(got.types, 0x3f);
	assert_int_equal(got.key_len, 40);
	assert_ptr_not_equal(got.key, key);
	assert_memory_equal(got.key, tunvnet_default_key(), 40);
	assert_int_equal(got.table_len, 2);
	assert_int_equal(got.table[0], 1);
	assert_int_equal(got.table[1], 0);
	assert_int_equal(got.unclassified_queue, 1);

	assert_int_equal(tunvnet_dev_clear_hash(d), 0);
	assert_int_equal(k.set_req, 0x800454e5);
	assert_int_equal(k.arg_len, 4);
	assert_int_equal(ne32(k.arg), 0);
	assert_int_equal(tunvnet_dev_get_hash(d, &got), 0);
	assert_int_equal(got.flags, 0);
	assert_null(got.key);
	free_dev(d);
}

static void set_a_rss_only_and_report(void **state)
{
	struct tunvnet_dev *d = fake_dev(2);
	struct tunvnet_hash_cfg c = rss_cfg(TUNVNET_HASH_RSS);
	struct tunvnet_hash_cfg rep = TUNVNET_HASH_CFG_INIT;

	(void)state;
	k.gen = 'A';
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_int_equal(k.set_req, 0x400854e5);
	assert_int_equal(k.arg_len, 56);
	assert_int_equal(ne16(k.arg), 0x2);
	assert_int_equal(ne32(k.arg + 4), 0x3f);
	assert_int_equal(ne16(k.arg + 8), 1);
	assert_int_equal(ne16(k.arg + 10), 1);
	assert_int_equal(ne16(k.arg + 12), 1);
	assert_int_equal(ne16(k.arg + 14), 0);
	assert_memory_equal(k.arg + 16, tunvnet_default_key(), 40);

	rep.flags = TUNVNET_HASH_REPORT;
	rep.types = TUNVNET_HASH_TYPE_TCPV4;
	assert_int_equal(tunvnet_dev_set_hash(d, &rep), 0);
	assert_int_equal(k.arg_len, 8);
	assert_int_equal(ne16(k.arg), 0x1);
	assert_int_equal(ne32(k.arg + 4), TUNVNET_HASH_TYPE_TCPV4);
	free_dev(d);
}

static void set_errno_mapping(void **state)
{
	struct tunvnet_dev *d = fake_dev(2);
	struct tunvnet_hash_cfg c = rss_cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS);
	struct tunvnet_hash_cfg got = TUNVNET_HASH_CFG_INIT;

	(void)state;
	k.gen = 'A';
	k.set_errno = EBADFD;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EBADFD);
	assert_non_null(strstr(tunvnet_last_error(), "deleted"));
	k.set_errno = EBUSY;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EBUSY);
	assert_non_null(strstr(tunvnet_last_error(), "eBPF"));
	k.set_errno = EINVAL;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "refused"));
	k.set_errno = ENOTTY;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EOPNOTSUPP);
	/* Nothing was applied, so nothing is remembered. */
	assert_int_equal(tunvnet_dev_get_hash(d, &got), -ENOENT);
	free_dev(d);
}

static void set_without_feature(void **state)
{
	struct tunvnet_dev *d = fake_dev(2);
	struct tunvnet_hash_cfg c = rss_cfg(TUNVNET_HASH_RSS);

	(void)state;
	k.gen = 0;
	k.probe_errno = EINVAL;
	/* The kernel backend asked for by name (auto would look further: test_backend.c). */
	c.backend = TUNVNET_BACKEND_KERNEL;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EOPNOTSUPP);
	assert_non_null(strstr(tunvnet_last_error(), "lacks"));
	/* Nothing is on in a kernel without the series: clearing succeeds, no hash ioctl. */
	assert_int_equal(tunvnet_dev_clear_hash(d), 0);
	assert_string_equal(tunvnet_last_error(), "");
	assert_int_equal(k.sets, 0);
	free_dev(d);
}

static void set_checks_device(void **state)
{
	static const uint16_t far[2] = { 0, 2 };
	struct tunvnet_dev *d = fake_dev(2);
	struct tunvnet_hash_cfg c = rss_cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS);

	(void)state;
	k.gen = 'B';
	/* The kernel's current header size counts, not the cached one. */
	k.hdr_sz = 12;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "set the vnet header size to 20"));
	k.hdr_sz = 20;
	c.table = far;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "2 queues"));
	/* REPORT on a queue without a vnet header at all. */
	c = rss_cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS);
	d->flags &= ~TUNVNET_DEV_VNET_HDR;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "VNET_HDR"));
	assert_int_equal(k.sets, 0);
	free_dev(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(probe_b, setup),
		cmocka_unit_test_setup(probe_a, setup),
		cmocka_unit_test_setup(probe_neither, setup),
		cmocka_unit_test_setup(probe_other_errors, setup),
		cmocka_unit_test_setup(dev_caps_cached, setup),
		cmocka_unit_test_setup(set_b_report_rss, setup),
		cmocka_unit_test_setup(set_a_rss_only_and_report, setup),
		cmocka_unit_test_setup(set_errno_mapping, setup),
		cmocka_unit_test_setup(set_without_feature, setup),
		cmocka_unit_test_setup(set_checks_device, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
