/* SPDX-License-Identifier: MIT */
/* tunvnet_rss_queue and tunvnet_automq_queue. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>

static void test_rss_table_lookup(void **state)
{
	static const uint16_t table[8] = { 0, 1, 2, 3, 4, 5, 6, 70 };
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	uint32_t h;

	(void)state;
	cfg.flags = TUNVNET_HASH_RSS;
	cfg.table = table;
	cfg.table_len = 8;
	cfg.unclassified_queue = 9;
	/* Low bits of the hash index the table; the entry is taken modulo n. */
	for (h = 0; h < 64; h++)
		assert_int_equal(tunvnet_rss_queue(&cfg, 4, TUNVNET_REPORT_TCPV4, h * 0x01010101u),
				 table[(h * 0x01010101u) & 7] % 4);
	assert_int_equal(tunvnet_rss_queue(&cfg, 100, TUNVNET_REPORT_IPV6, 0xfffffff7u), 70);
	assert_int_equal(tunvnet_rss_queue(&cfg, 100, TUNVNET_REPORT_IPV6, 0xffffffffu), 70);
	assert_int_equal(tunvnet_rss_queue(&cfg, 8, TUNVNET_REPORT_IPV6, 0xffffffffu), 6);
	/* NONE: the unclassified queue, also modulo n; the hash does not matter. */
	assert_int_equal(tunvnet_rss_queue(&cfg, 16, TUNVNET_REPORT_NONE, 7), 9);
	assert_int_equal(tunvnet_rss_queue(&cfg, 4, TUNVNET_REPORT_NONE, 7), 1);
}

static void test_rss_single_entry(void **state)
{
	static const uint16_t table[1] = { 2 };
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;

	(void)state;
	cfg.table = table;
	cfg.table_len = 1;
	assert_int_equal(tunvnet_rss_queue(&cfg, 3, TUNVNET_REPORT_UDPV4, 0xdeadbeef), 2);
	assert_int_equal(tunvnet_rss_queue(&cfg, 3, TUNVNET_REPORT_NONE, 0xdeadbeef), 0);
}

static void test_rss_errors(void **state)
{
	static const uint16_t table[3] = { 0, 1, 2 };
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;

	(void)state;
	cfg.table = table;
	cfg.table_len = 2;
	assert_int_equal(tunvnet_rss_queue(&cfg, 0, TUNVNET_REPORT_IPV4, 1), -EINVAL);
	assert_int_equal(tunvnet_rss_queue(NULL, 2, TUNVNET_REPORT_IPV4, 1), -EINVAL);
	cfg.table_len = 3;
	assert_int_equal(tunvnet_rss_queue(&cfg, 2, TUNVNET_REPORT_IPV4, 1), -EINVAL);
	assert_int_equal(tunvnet_rss_queue(&cfg, 2, TUNVNET_REPORT_NONE, 1), -EINVAL);
	cfg.table_len = 0;
	assert_int_equal(tunvnet_rss_queue(&cfg, 2, TUNVNET_REPORT_IPV4, 1), -EINVAL);
	cfg.table = NULL;
	cfg.table_len = 2;
	assert_int_equal(tunvnet_rss_queue(&cfg, 2, TUNVNET_REPORT_IPV4, 1), -EINVAL);
	cfg.table = table;
	cfg.sz = 4; /* smaller than the fields we read */
	assert_int_equal(tunvnet_rss_queue(&cfg, 2, TUNVNET_REPORT_IPV4, 1), -EINVAL);
}

static void test_automq(void **state)
{
	(void)state;
	assert_int_equal(tunvnet_automq_queue(0, 1), 0);
	assert_int_equal(tunvnet_automq_queue(10, 3), 1);
	assert_int_equal(tunvnet_automq_queue(0xffffffffu, 7), (int)(0xffffffffu % 7));
	assert_int_equal(tunvnet_automq_queue(0x80000000u, 65536), 0);
	assert_int_equal(tunvnet_automq_queue(5, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss_table_lookup),
		cmocka_unit_test(test_rss_single_entry),
		cmocka_unit_test(test_rss_errors),
		cmocka_unit_test(test_automq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
