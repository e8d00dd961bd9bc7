/* SPDX-License-Identifier: MIT */
/* Guest virtio_net_rss_config / virtio_net_hash_config to tunvnet_hash_cfg. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>

/* Build a guest RSS command as a driver would put it on the control queue. */
static size_t build_rss(uint8_t *b, uint32_t types, uint16_t mask, uint16_t unclassified,
			const uint16_t *table, uint16_t max_tx_vq, const uint8_t *key, uint8_t key_len)
{
	size_t off = 0;

	b[off++] = (uint8_t)types; b[off++] = (uint8_t)(types >> 8);
	b[off++] = (uint8_t)(types >> 16); b[off++] = (uint8_t)(types >> 24);
	b[off++] = (uint8_t)mask; b[off++] = (uint8_t)(mask >> 8);
	b[off++] = (uint8_t)unclassified; b[off++] = (uint8_t)(unclassified >> 8);
	for (unsigned i = 0; i <= mask; i++) {
		b[off++] = (uint8_t)table[i];
		b[off++] = (uint8_t)(table[i] >> 8);
	}
	b[off++] = (uint8_t)max_tx_vq; b[off++] = (uint8_t)(max_tx_vq >> 8);
	b[off++] = key_len;
	memcpy(b + off, key, key_len);
	return off + key_len;
}

static void rss_round_trip(void **state)
{
	uint16_t table[4] = { 3, 0x102, 1, 0 }, storage[8];
	struct tunvnet_virtio_storage st = { .table = storage, .table_cap = 8 };
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	uint8_t buf[256];
	size_t len;

	(void)state;
	len = build_rss(buf, 0x3f, 3, 5, table, 4, tunvnet_default_key(), 40);
	assert_int_equal(len, 8 + 8 + 2 + 1 + 40);
	assert_int_equal(tunvnet_virtio_rss_config_parse(buf, len, true, &cfg, &st), 0);
	assert_int_equal(cfg.sz, sizeof(cfg));
	assert_int_equal(cfg.flags, TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS);
	assert_int_equal(cfg.types, 0x3f);
	assert_int_equal(cfg.table_len, 4);
	assert_ptr_equal(cfg.table, storage);
	assert_memory_equal(cfg.table, table, sizeof(table)); /* little-endian decoded */
	assert_int_equal(cfg.unclassified_queue, 5);
	assert_int_equal(st.max_tx_vq, 4);
	assert_int_equal(cfg.key_len, 40);
	assert_memory_equal(cfg.key, tunvnet_default_key(), 40);

	/* Without VIRTIO_NET_F_HASH_REPORT the guest gets RSS only. */
	assert_int_equal(tunvnet_virtio_rss_config_parse(buf, len, false, &cfg, &st), 0);
	assert_int_equal(cfg.flags, TUNVNET_HASH_RSS);
}

static void rss_types_zero_is_off(void **state)
{
	uint16_t table[1] = { 0 }, storage[1];
	struct tunvnet_virtio_storage st = { .table = storage, .table_cap = 1 };
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	uint8_t buf[64];
	size_t len = build_rss(buf, 0, 0, 0, table, 1, tunvnet_default_key(), 0);

	(void)state;
	assert_int_equal(tunvnet_virtio_rss_config_parse(buf, len, true, &cfg, &st), 0);
	assert_int_equal(cfg.flags, 0);
	assert_null(cfg.table);
}

static void rss_rejects(void **state)
{
	uint16_t table[8] = { 0 }, storage[4];
	struct tunvnet_virtio_storage st = { .table = storage, .table_cap = 4 };
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	uint8_t buf[256], key[41] = { 0 };
	size_t len;

	(void)state;
	/* Mask 2 means three entries: not a power of two. */
	len = build_rss(buf, 0x3f, 2, 0, table, 1, key, 40);
	assert_int_equal(tunvnet_virtio_rss_config_parse(buf, len, true, &cfg, &st), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "power of two"));
	/* Eight entries do not fit the caller's four. */
	len = build_rss(buf, 0x3f, 7, 0, table, 1, key, 40);
	assert_int_equal(tunvnet_virtio_rss_config_parse(buf, len, true, &cfg, &st), -ENOSPC);
	/* A key over 40 bytes. */
	len = build_rss(buf, 0x3f, 1, 0, table, 1, key, 41);
	assert_int_equal(tunvnet_virtio_rss_config_parse(buf, len, true, &cfg, &st), -EINVAL);
	/* Every truncation of a valid command is refused, never over-read. */
	len = build_rss(buf, 0x3f, 3, 0, table, 1, key, 40);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = test_malloc(cut ? cut : 1);

		memcpy(copy, buf, cut);
		assert_int_equal(tunvnet_virtio_rss_config_parse(copy, cut, true, &cfg, &st),
				 -EMSGSIZE);
		test_free(copy);
	}
	assert_int_equal(tunvnet_virtio_rss_config_parse(NULL, len, true, &cfg, &st), -EINVAL);
}

static void hash_config(void **state)
{
	struct tunvnet_virtio_storage st = { 0 };
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT;
	uint8_t buf[64] = { 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4 };

	(void)state;
	assert_int_equal(tunvnet_virtio_hash_config_parse(buf, 17, &cfg, &st), 0);
	assert_int_equal(cfg.flags, TUNVNET_HASH_REPORT);
	assert_int_equal(cfg.types, 0x12);
	assert_int_equal(cfg.key_len, 4);
	assert_memory_equal(cfg.key, "\x01\x02\x03\x04", 4);
	assert_null(cfg.table);
	/* Short of the declared key, and short of the fixed part. */
	assert_int_equal(tunvnet_virtio_hash_config_parse(buf, 16, &cfg, &st), -EMSGSIZE);
	assert_int_equal(tunvnet_virtio_hash_config_parse(buf, 11, &cfg, &st), -EMSGSIZE);
	buf[0] = 0;
	assert_int_equal(tunvnet_virtio_hash_config_parse(buf, 17, &cfg, &st), 0);
	assert_int_equal(cfg.flags, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rss_round_trip),
		cmocka_unit_test(rss_types_zero_is_off),
		cmocka_unit_test(rss_rejects),
		cmocka_unit_test(hash_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
