/* SPDX-License-Identifier: MIT */
/* The exact request numbers and argument bytes of both uAPI generations. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <linux/if_tun.h>

#include <tunvnet/tunvnet.h>
#include "uapi.h"

/* Our private copies agree with the system header where it has the call. */
_Static_assert(TV_TUNSETIFF == TUNSETIFF, "TUNSETIFF");
_Static_assert(TV_TUNGETIFF == TUNGETIFF, "TUNGETIFF");
_Static_assert(TV_TUNSETVNETHDRSZ == TUNSETVNETHDRSZ, "TUNSETVNETHDRSZ");
_Static_assert(TV_TUNSETSTEERINGEBPF == TUNSETSTEERINGEBPF, "TUNSETSTEERINGEBPF");
_Static_assert(TV_IFF_VNET_HDR == IFF_VNET_HDR, "IFF_VNET_HDR");
_Static_assert(TV_IFF_TUN_EXCL == IFF_TUN_EXCL, "IFF_TUN_EXCL");

static const uint16_t table2[2] = { 3, 4 };

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

static struct tunvnet_hash_cfg rss_cfg(uint32_t flags)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;

	c.flags = flags;
	c.types = 0x3f;
	c.key = tunvnet_default_key();
	c.key_len = 40;
	c.table = table2;
	c.table_len = 2;
	c.unclassified_queue = 5;
	return c;
}

static void a_report_rss(void **state)
{
	struct tunvnet_hash_cfg c = rss_cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS);
	uint8_t buf[128];
	unsigned long req = 0;
	int n;

	(void)state;
	n = tunvnet_hash_cfg_encode(TUNVNET_UAPI_A, &c, &req, NULL, 0);
	assert_int_equal(n, 8 + 4 + 4 + 40);
	assert_int_equal(req, 0x400854e5);
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_A, &c, &req, buf, sizeof(buf)), n);
	assert_int_equal(ne16(buf + 0), 0x3); /* flags REPORT|RSS */
	assert_int_equal(buf[2], 0);          /* pad */
	assert_int_equal(buf[3], 0);
	assert_int_equal(ne32(buf + 4), 0x3f); /* types */
	assert_int_equal(ne16(buf + 8), 1);    /* mask */
	assert_int_equal(ne16(buf + 10), 5);   /* unclassified */
	assert_int_equal(ne16(buf + 12), 3);   /* table */
	assert_int_equal(ne16(buf + 14), 4);
	assert_memory_equal(buf + 16, tunvnet_default_key(), 40);
	assert_int_equal(buf[56], 0xee); /* nothing written past the argument */
}

static void a_report_only(void **state)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;
	uint8_t buf[16];
	unsigned long req = 0;

	(void)state;
	c.flags = TUNVNET_HASH_REPORT;
	c.types = TUNVNET_HASH_TYPE_TCPV4 | TUNVNET_HASH_TYPE_UDPV6;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_A, &c, &req, buf, sizeof(buf)), 8);
	assert_int_equal(req, 0x400854e5);
	assert_int_equal(ne16(buf), 0x1);
	assert_int_equal(ne16(buf + 2), 0);
	assert_int_equal(ne32(buf + 4), 0x22);
	assert_int_equal(buf[8], 0xee);
}

static void a_rss_only_and_off(void **state)
{
	struct tunvnet_hash_cfg c = rss_cfg(TUNVNET_HASH_RSS);
	struct tunvnet_hash_cfg off = TUNVNET_HASH_CFG_INIT;
	uint8_t buf[128];
	unsigned long req = 0;

	(void)state;
	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_A, &c, &req, buf, sizeof(buf)), 56);
	assert_int_equal(ne16(buf), 0x2);
	assert_int_equal(ne16(buf + 8), 1);

	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_A, &off, &req, buf, sizeof(buf)), 8);
	assert_int_equal(req, 0x400854e5);
	assert_int_equal(ne16(buf), 0);
	assert_int_equal(ne32(buf + 4), 0);
}

static void b_all_modes(void **state)
{
	struct tunvnet_hash_cfg both = rss_cfg(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS);
	struct tunvnet_hash_cfg rss = rss_cfg(TUNVNET_HASH_RSS);
	struct tunvnet_hash_cfg rep = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_hash_cfg off = TUNVNET_HASH_CFG_INIT;
	uint8_t buf[128];
	unsigned long req = 0;

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_B, &both, &req, buf, sizeof(buf)),
			 8 + 4 + 40);
	assert_int_equal(req, 0x800854e6); /* TUNSETVNETREPORTINGRSS */
	assert_int_equal(ne32(buf), 0x3f);
	assert_int_equal(ne16(buf + 4), 1);
	assert_int_equal(ne16(buf + 6), 5);
	assert_int_equal(ne16(buf + 8), 3);
	assert_int_equal(ne16(buf + 10), 4);
	assert_memory_equal(buf + 12, tunvnet_default_key(), 40);
	assert_int_equal(buf[52], 0xee);

	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_B, &rss, &req, buf, sizeof(buf)), 52);
	assert_int_equal(req, 0x800854e7); /* TUNSETVNETRSS */
	assert_int_equal(ne32(buf), 0x3f);

	rep.flags = TUNVNET_HASH_REPORT;
	rep.types = 0x3f;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_B, &rep, &req, buf, sizeof(buf)), 4);
	assert_int_equal(req, 0x800454e5); /* TUNSETVNETREPORTINGAUTOMQ */
	assert_int_equal(ne32(buf), 0x3f);
	assert_int_equal(buf[4], 0xee);

	off.types = 0x3f; /* flags 0 is off whatever the types say */
	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_B, &off, &req, buf, sizeof(buf)), 4);
	assert_int_equal(req, 0x800454e5);
	assert_int_equal(ne32(buf), 0);
}

static void short_key_is_padded(void **state)
{
	/* IPv4-only types need 12 key bytes; the kernel reads 40: zero-filled. */
	static const uint16_t table4[4] = { 0, 1, 2, 3 };
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;
	uint8_t buf[128], zero[28] = { 0 };
	unsigned long req = 0;

	(void)state;
	c.flags = TUNVNET_HASH_RSS;
	c.types = TUNVNET_HASH_TYPE_IPV4;
	c.key = tunvnet_default_key();
	c.key_len = 12;
	c.table = table4;
	c.table_len = 4;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_B, &c, &req, buf, sizeof(buf)),
			 8 + 8 + 40);
	assert_int_equal(ne16(buf + 4), 3); /* mask = len - 1 */
	assert_int_equal(ne16(buf + 8), 0);
	assert_int_equal(ne16(buf + 14), 3);
	assert_memory_equal(buf + 16, tunvnet_default_key(), 12);
	assert_memory_equal(buf + 28, zero, 28);
}

static void buffer_and_generation_errors(void **state)
{
	struct tunvnet_hash_cfg c = rss_cfg(TUNVNET_HASH_RSS);
	struct tunvnet_hash_cfg bad = rss_cfg(TUNVNET_HASH_RSS);
	uint8_t buf[64];
	unsigned long req = 0;

	(void)state;
	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_B, &c, &req, buf, 51), -ENOSPC);
	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_NONE, &c, &req, buf, sizeof(buf)),
			 -EINVAL);
	bad.table_len = 3;
	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_A, &bad, &req, buf, sizeof(buf)),
			 -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "power"));
	assert_int_equal(tunvnet_hash_cfg_encode(TUNVNET_UAPI_A, NULL, &req, buf, sizeof(buf)),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_report_rss),
		cmocka_unit_test(a_report_only),
		cmocka_unit_test(a_rss_only_and_off),
		cmocka_unit_test(b_all_modes),
		cmocka_unit_test(short_key_is_padded),
		cmocka_unit_test(buffer_and_generation_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
