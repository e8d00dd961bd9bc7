/* SPDX-License-Identifier: MIT */
/*
 * Which backend tunvnet_dev_set_hash chooses, and what each leaves on the
 * device, against the scripted /dev/net/tun (fake_tun.h). The steering
 * program loader (steer_prog.h) and the quirk probe are scripted too
 * (-Wl,--wrap), so the answers do not depend on this host's bpf().
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>
#include "device.h"
#include "fake_tun.h"
#include "steer_prog.h"
#include "uapi.h"

#define PROG_FD 4242 /* what the scripted loader says its program's fd is */

static struct {
	int open_err;       /* tv_steer_open's answer */
	const char *why;    /* ... and its message */
	int opens, configures, closes;
	uint32_t quirks;
} sp;

struct tv_steer {
	int unused;
};
static struct tv_steer the_prog;

int __wrap_tv_steer_open(struct tv_steer **s, enum tunvnet_l2 l2);
int __wrap_tv_steer_open(struct tv_steer **s, enum tunvnet_l2 l2)
{
	(void)l2;
	sp.opens++;
	if (sp.open_err)
		return tv_err(sp.open_err, "%s", sp.why);
	*s = &the_prog;
	return 0;
}

int __wrap_tv_steer_configure(struct tv_steer *s, const struct tunvnet_hash_cfg *cfg);
int __wrap_tv_steer_configure(struct tv_steer *s, const struct tunvnet_hash_cfg *cfg)
{
	assert_ptr_equal(s, &the_prog);
	assert_true(cfg->flags & TUNVNET_HASH_RSS);
	sp.configures++;
	return 0;
}

int __wrap_tv_steer_prog_fd(const struct tv_steer *s);
int __wrap_tv_steer_prog_fd(const struct tv_steer *s)
{
	(void)s;
	return PROG_FD;
}

void __wrap_tv_steer_close(struct tv_steer *s);
void __wrap_tv_steer_close(struct tv_steer *s)
{
	if (s)
		sp.closes++;
}

int __wrap_tunvnet_kernel_quirks_probe(uint32_t *q);
int __wrap_tunvnet_kernel_quirks_probe(uint32_t *q)
{
	*q = sp.quirks;
	return 0;
}

static const uint16_t table4[4] = { 0, 1, 2, 3 };

static struct tunvnet_hash_cfg cfg(uint32_t flags, uint32_t types)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;

	c.flags = flags;
	c.types = types;
	if (flags & TUNVNET_HASH_RSS) {
		c.key = tunvnet_default_key();
		c.key_len = TUNVNET_KEY_MAX;
		c.table = table4;
		c.table_len = 4;
	}
	return c;
}

#define ALL6 0x3fu /* IPv4/v6 with TCP and UDP */

static int setup(void **state)
{
	(void)state;
	fake_reset();
	memset(&sp, 0, sizeof(sp));
	return 0;
}

/* A 4-queue tap with a 20-byte header on the scripted kernel. */
static struct tunvnet_dev *tap4(uint32_t extra)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;

	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | extra;
	o.queues = 4;
	o.vnet_hdr_sz = 20;
	assert_int_equal(tunvnet_dev_open("tvbk0", &o, &d), 0);
	return d;
}

static enum tunvnet_backend in_force(struct tunvnet_dev *d)
{
	struct tunvnet_hash_cfg g = TUNVNET_HASH_CFG_INIT;

	assert_int_equal(tunvnet_dev_get_hash(d, &g), 0);
	return g.backend;
}

static void names(void **state)
{
	static const char *const n[] = { "auto", "kernel", "ebpf", "user" };
	enum tunvnet_backend b;
	unsigned int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_string_equal(tunvnet_backend_name((enum tunvnet_backend)i), n[i]);
		assert_int_equal(tunvnet_backend_parse(n[i], &b), 0);
		assert_int_equal(b, i);
	}
	assert_int_equal(tunvnet_backend_parse("EBPF", &b), 0);
	assert_int_equal(b, TUNVNET_BACKEND_EBPF);
	assert_string_equal(tunvnet_backend_name((enum tunvnet_backend)9), "unknown");
	assert_int_equal(tunvnet_backend_parse("xdp", &b), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "auto, kernel, ebpf or user"));
}

/* The series answers: auto takes the kernel, nothing is attached. */
static void auto_kernel(void **state)
{
	struct tunvnet_dev *d;
	struct tunvnet_hash_cfg c = cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, ALL6);

	(void)state;
	fk.series = 'B';
	fk.series_types = 0x1ff;
	d = tap4(0);
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_int_equal(in_force(d), TUNVNET_BACKEND_KERNEL);
	assert_int_equal(fake_count(TV_TUNSETVNETREPORTINGRSS), 1);
	assert_int_equal(fake_count(TV_TUNSETSTEERINGEBPF), 0);
	assert_int_equal(sp.opens, 0);
	tunvnet_dev_close(d);
}

/* No series: RSS goes to our program (configured, then attached), reports are filled. */
static void auto_ebpf(void **state)
{
	struct tunvnet_dev *d;
	struct tunvnet_hash_cfg c = cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, ALL6);

	(void)state;
	d = tap4(0);
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_string_equal(tunvnet_last_error(), "");
	assert_int_equal(in_force(d), TUNVNET_BACKEND_EBPF);
	assert_int_equal(sp.configures, 1);
	assert_int_equal(fake_count(TV_TUNSETSTEERINGEBPF), 1);
	assert_int_equal(fk.steer_fd, PROG_FD);
	assert_non_null(tv_dev_io(d)->fill);
	/* A new table while attached: configured again, attached still. */
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_int_equal(sp.configures, 2);
	assert_int_equal(sp.opens, 1); /* loaded once per handle */
	/* clear detaches and stops filling */
	assert_int_equal(tunvnet_dev_clear_hash(d), 0);
	assert_int_equal(fk.steer_fd, -1);
	assert_null(tv_dev_io(d)->fill);
	tunvnet_dev_close(d);
	assert_int_equal(sp.closes, 1);
}

/* Close detaches what this handle attached, unless the device persists. */
static void close_detaches(void **state)
{
	struct tunvnet_dev *d;
	struct tunvnet_hash_cfg c = cfg(TUNVNET_HASH_RSS, ALL6);

	(void)state;
	d = tap4(0);
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_int_equal(fk.steer_fd, PROG_FD);
	tunvnet_dev_close(d);
	assert_int_equal(fk.steer_fd, -1);

	fake_reset();
	d = tap4(TUNVNET_DEV_PERSIST);
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	tunvnet_dev_close(d);
	assert_int_equal(fk.steer_fd, PROG_FD); /* kept until cleared */
	/* A fresh handle's clear detaches what the earlier one left. */
	d = tap4(TUNVNET_DEV_PERSIST);
	assert_int_equal(tunvnet_dev_clear_hash(d), 0);
	assert_int_equal(fk.steer_fd, -1);
	tunvnet_dev_close(d);
}

/* No permission for bpf(): RSS is refused naming why, nothing changes; REPORT alone is user. */
static void no_bpf(void **state)
{
	struct tunvnet_dev *d;
	struct tunvnet_hash_cfg c = cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, ALL6);
	int calls;

	(void)state;
	sp.open_err = -EPERM;
	sp.why = "loading a BPF program needs CAP_BPF (or CAP_SYS_ADMIN)";
	d = tap4(0);
	calls = fk.ncalls;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EPERM);
	assert_non_null(strstr(tunvnet_last_error(), "RSS cannot be honoured"));
	assert_non_null(strstr(tunvnet_last_error(), "CAP_BPF"));
	assert_int_equal(fake_count(TV_TUNSETSTEERINGEBPF), 0);
	assert_int_equal(tunvnet_dev_get_hash(d, &c), -ENOENT);
	(void)calls;
	assert_int_equal(tunvnet_dev_backend_check(d, TUNVNET_BACKEND_EBPF, TUNVNET_HASH_RSS),
			 -EPERM);
	assert_non_null(strstr(tunvnet_last_error(), "CAP_BPF"));

	c = cfg(TUNVNET_HASH_REPORT, ALL6);
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_int_equal(in_force(d), TUNVNET_BACKEND_USER);
	assert_non_null(tv_dev_io(d)->fill);
	tunvnet_dev_close(d);
}

/* Forcing: user does not steer, kernel needs the series; refusals change nothing. */
static void forced(void **state)
{
	struct tunvnet_dev *d;
	struct tunvnet_hash_cfg c = cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, ALL6);

	(void)state;
	d = tap4(0);
	c.backend = TUNVNET_BACKEND_USER;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EOPNOTSUPP);
	assert_non_null(strstr(tunvnet_last_error(), "does not steer"));
	c.backend = TUNVNET_BACKEND_KERNEL;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EOPNOTSUPP);
	assert_non_null(strstr(tunvnet_last_error(), "lacks"));
	c.backend = (enum tunvnet_backend)7;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "unknown backend"));
	assert_int_equal(fake_count(TV_TUNSETSTEERINGEBPF), 0);
	assert_int_equal(sp.opens, 0);
	c.backend = TUNVNET_BACKEND_EBPF;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_int_equal(in_force(d), TUNVNET_BACKEND_EBPF);
	/* ... and from ebpf to user: the program goes. */
	c = cfg(TUNVNET_HASH_REPORT, ALL6);
	c.backend = TUNVNET_BACKEND_USER;
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_int_equal(fk.steer_fd, -1);
	tunvnet_dev_close(d);
}

/* macvtap: no steering hook. */
static void vtap(void **state)
{
	struct tunvnet_dev *d = NULL;
	struct tunvnet_hash_cfg c = cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, ALL6);
	int fd = open("/dev/null", O_RDWR);

	(void)state;
	assert_int_equal(tv_dev_alloc(&d), 0);
	strcpy(d->name, "tvmv0");
	d->kind = TUNVNET_KIND_MACVTAP;
	d->flags = TUNVNET_DEV_VNET_HDR;
	assert_int_equal(tv_dev_push(d, fd, false), 0);
	fk.hdr_sz = 20;
	assert_int_equal(tv_dev_publish_layout(d, 20, TUNVNET_ENDIAN_NATIVE, false), 0);
	assert_int_equal(tunvnet_dev_set_hash(d, &c), -EOPNOTSUPP);
	assert_non_null(strstr(tunvnet_last_error(), "no steering hook"));
	assert_int_equal(tunvnet_dev_backend_check(d, TUNVNET_BACKEND_EBPF, TUNVNET_HASH_RSS),
			 -EOPNOTSUPP);
	assert_int_equal(tunvnet_dev_backend_check(d, TUNVNET_BACKEND_USER, TUNVNET_HASH_REPORT), 0);
	assert_string_equal(tunvnet_last_error(), "");
	c = cfg(TUNVNET_HASH_REPORT, ALL6);
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_int_equal(in_force(d), TUNVNET_BACKEND_USER);
	assert_int_equal(fake_count(TV_TUNSETSTEERINGEBPF), 0);
	tv_dev_free(d);
}

/* Known kernel bugs route auto elsewhere. */
static void quirks_route(void **state)
{
	struct tunvnet_dev *d;
	struct tunvnet_hash_cfg c = cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS,
					TUNVNET_HASH_TYPE_IPV6 | TUNVNET_HASH_TYPE_TCPV6);

	(void)state;
	fk.series = 'B';
	fk.series_types = 0x1ff;
	sp.quirks = TUNVNET_QUIRK_SHORT_KEY_IPV6 | TUNVNET_QUIRK_AUTOMQ_VALUE_IS_QUEUE;
	d = tap4(0);
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_int_equal(in_force(d), TUNVNET_BACKEND_EBPF);
	/* IPv4 in the set: the short key is not hit, the kernel is right. */
	c = cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, ALL6);
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_int_equal(in_force(d), TUNVNET_BACKEND_KERNEL);
	assert_int_equal(fk.steer_fd, -1);
	/* REPORT alone is automq mode: user fills it instead. */
	c = cfg(TUNVNET_HASH_REPORT, ALL6);
	assert_int_equal(tunvnet_dev_set_hash(d, &c), 0);
	assert_int_equal(in_force(d), TUNVNET_BACKEND_USER);
	tunvnet_dev_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test_setup(auto_kernel, setup),
		cmocka_unit_test_setup(auto_ebpf, setup),
		cmocka_unit_test_setup(close_detaches, setup),
		cmocka_unit_test_setup(no_bpf, setup),
		cmocka_unit_test_setup(forced, setup),
		cmocka_unit_test_setup(vtap, setup),
		cmocka_unit_test_setup(quirks_route, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
