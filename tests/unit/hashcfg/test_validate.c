/* SPDX-License-Identifier: MIT */
/* tunvnet_hash_cfg_validate: one check per rule, plus the boundaries. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>

static const uint16_t table2[2] = { 0, 1 };
static uint8_t key41[41];

static struct tunvnet_hash_cfg good(void)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;

	c.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	c.types = TUNVNET_HASH_TYPES_PLAIN;
	c.key = tunvnet_default_key();
	c.key_len = 40;
	c.table = table2;
	c.table_len = 2;
	return c;
}

static const struct tunvnet_caps series_caps = {
	.sz = sizeof(struct tunvnet_caps),
	.uapi = TUNVNET_UAPI_B,
	.flags = TUNVNET_CAP_REPORT | TUNVNET_CAP_RSS,
	.types = 0x3f,
	.max_key_len = 40,
};

#define expect_err(cfgp, caps, nq, hsz, err, word)                                     \
	do {                                                                           \
		assert_int_equal(tunvnet_hash_cfg_validate(cfgp, caps, nq, hsz), err); \
		assert_non_null(strstr(tunvnet_last_error(), word));                   \
	} while (0)

static void accepts_good(void **state)
{
	struct tunvnet_hash_cfg c = good();
	struct tunvnet_hash_cfg off = TUNVNET_HASH_CFG_INIT;

	(void)state;
	assert_int_equal(tunvnet_hash_cfg_validate(&c, &series_caps, 2, 20), 0);
	assert_int_equal(tunvnet_hash_cfg_validate(&c, NULL, 0, 0), 0);
	assert_int_equal(tunvnet_hash_cfg_validate(&off, &series_caps, 1, 10), 0);
}

static void flags_and_types(void **state)
{
	struct tunvnet_hash_cfg c = good();

	(void)state;
	c.flags |= 0x8;
	expect_err(&c, NULL, 0, 0, -EINVAL, "unknown hash flags");
	c = good();
	c.types = 0x200;
	expect_err(&c, NULL, 0, 0, -EINVAL, "0x1ff");
	c = good();
	c.types = 0;
	expect_err(&c, NULL, 0, 0, -EINVAL, "no hash types");
	/* _EX types are valid virtio but the series does not offer them. */
	c = good();
	c.types = 0x3f | TUNVNET_HASH_TYPE_TCP_EX;
	assert_int_equal(tunvnet_hash_cfg_validate(&c, NULL, 0, 0), 0);
	expect_err(&c, &series_caps, 0, 0, -EOPNOTSUPP, "tcp_ex");
}

static void caps_rules(void **state)
{
	struct tunvnet_hash_cfg c = good();
	struct tunvnet_caps none = { .sz = sizeof(none), .uapi = TUNVNET_UAPI_NONE };
	struct tunvnet_caps report_only = series_caps;

	(void)state;
	expect_err(&c, &none, 0, 0, -EOPNOTSUPP, "lacks");
	report_only.flags = TUNVNET_CAP_REPORT;
	expect_err(&c, &report_only, 0, 0, -EOPNOTSUPP, "RSS");
}

static void key_rules(void **state)
{
	struct tunvnet_hash_cfg c = good();

	(void)state;
	c.key = NULL;
	c.key_len = 0;
	expect_err(&c, NULL, 0, 0, -EINVAL, "needs a key");
	c = good();
	c.key = key41;
	c.key_len = 41;
	expect_err(&c, NULL, 0, 0, -EINVAL, "at most 40");
	/* 16 bytes cover TCPv4 but not the IPv6 types. */
	c = good();
	c.key_len = 16;
	expect_err(&c, NULL, 0, 0, -EINVAL, "need 40");
	c.types = TUNVNET_HASH_TYPE_IPV4 | TUNVNET_HASH_TYPE_TCPV4;
	assert_int_equal(tunvnet_hash_cfg_validate(&c, NULL, 0, 0), 0);
	c.key_len = 15;
	expect_err(&c, NULL, 0, 0, -EINVAL, "need 16");
}

static void table_rules(void **state)
{
	static const uint16_t t3[3] = { 0, 1, 0 };
	static const uint16_t t1[1] = { 0 };
	static const uint16_t t4[4] = { 0, 1, 2, 3 };
	struct tunvnet_hash_cfg c = good();

	(void)state;
	c.table = NULL;
	c.table_len = 0;
	expect_err(&c, NULL, 0, 0, -EINVAL, "indirection table");
	c = good();
	c.table = t3;
	c.table_len = 3;
	expect_err(&c, NULL, 0, 0, -EINVAL, "power of two");
	c.table = t1;
	c.table_len = 1;
	assert_int_equal(tunvnet_hash_cfg_validate(&c, NULL, 1, 0), 0);
	c.table_len = TUNVNET_TABLE_MAX * 2;
	expect_err(&c, NULL, 0, 0, -EINVAL, "power of two");
	/* Entries must name a queue the device has. */
	c = good();
	c.table = t4;
	c.table_len = 4;
	assert_int_equal(tunvnet_hash_cfg_validate(&c, NULL, 4, 0), 0);
	assert_int_equal(tunvnet_hash_cfg_validate(&c, NULL, 0, 0), 0); /* unknown: no bound */
	expect_err(&c, NULL, 3, 0, -EINVAL, "entry 3 is queue 3");
	c = good();
	c.unclassified_queue = 2;
	expect_err(&c, NULL, 2, 0, -EINVAL, "unclassified_queue");
	assert_int_equal(tunvnet_hash_cfg_validate(&c, NULL, 3, 0), 0);
}

/* The series' selftest: table {3,4}, unclassified 5 on 3 queues, taken modulo. */
static void queue_wrap(void **state)
{
	static const uint16_t t34[2] = { 3, 4 };
	struct tunvnet_hash_cfg c = good();

	(void)state;
	c.table = t34;
	c.unclassified_queue = 5;
	expect_err(&c, &series_caps, 3, 20, -EINVAL, "QUEUE_WRAP");
	c.flags |= TUNVNET_HASH_QUEUE_WRAP;
	assert_int_equal(tunvnet_hash_cfg_validate(&c, &series_caps, 3, 20), 0);
	/* Wrap alone switches nothing on, so it needs no types, key or table. */
	c = (struct tunvnet_hash_cfg)TUNVNET_HASH_CFG_INIT;
	c.flags = TUNVNET_HASH_QUEUE_WRAP;
	assert_int_equal(tunvnet_hash_cfg_validate(&c, &series_caps, 3, 20), 0);
}

static void without_rss(void **state)
{
	struct tunvnet_hash_cfg c = good();

	(void)state;
	c.flags = TUNVNET_HASH_REPORT;
	c.table = NULL;
	c.table_len = 0;
	expect_err(&c, NULL, 0, 0, -EINVAL, "key was given without");
	c = good();
	c.flags = TUNVNET_HASH_REPORT;
	c.key = NULL;
	c.key_len = 0;
	expect_err(&c, NULL, 0, 0, -EINVAL, "table was given without");
	c.table = NULL;
	c.table_len = 0;
	c.unclassified_queue = 1;
	expect_err(&c, NULL, 0, 0, -EINVAL, "unclassified_queue 1");
	c.unclassified_queue = 0;
	assert_int_equal(tunvnet_hash_cfg_validate(&c, &series_caps, 0, 20), 0);
}

static void header_size(void **state)
{
	struct tunvnet_hash_cfg c = good();

	(void)state;
	expect_err(&c, NULL, 0, 12, -EINVAL, "silently drop the hash");
	assert_int_equal(tunvnet_hash_cfg_validate(&c, NULL, 0, 20), 0);
	assert_int_equal(tunvnet_hash_cfg_validate(&c, NULL, 0, 24), 0);
	assert_int_equal(tunvnet_hash_cfg_validate(&c, NULL, 0, 0), 0); /* unknown */
	/* RSS alone needs no hash room in the header. */
	c.flags = TUNVNET_HASH_RSS;
	assert_int_equal(tunvnet_hash_cfg_validate(&c, NULL, 0, 12), 0);
}

static void options_size(void **state)
{
	struct tunvnet_hash_cfg c = good();

	(void)state;
	assert_int_equal(tunvnet_hash_cfg_validate(NULL, NULL, 0, 0), -EINVAL);
	c.sz = 2;
	assert_int_equal(tunvnet_hash_cfg_validate(&c, NULL, 0, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_good),
		cmocka_unit_test(flags_and_types),
		cmocka_unit_test(caps_rules),
		cmocka_unit_test(key_rules),
		cmocka_unit_test(table_rules),
		cmocka_unit_test(queue_wrap),
		cmocka_unit_test(without_rss),
		cmocka_unit_test(header_size),
		cmocka_unit_test(options_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
