/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a guest's control-queue commands (virtio_net_rss_config and
 * virtio_net_hash_config) are guest-controlled bytes. Whatever they hold,
 * the parsers never over-read, and what they accept is self-consistent and
 * either passes tunvnet_hash_cfg_validate or is refused by it with -EINVAL.
 */
#include <errno.h>
#include <string.h>

#include <tunvnet/tunvnet.h>

#include "fuzz.h"

static void check_cfg(const struct tunvnet_hash_cfg *c, const struct tunvnet_virtio_storage *st)
{
	int err;

	FUZZ_CHECK(c->key_len <= TUNVNET_KEY_MAX);
	FUZZ_CHECK(!c->key || c->key == st->key);
	if (c->table) {
		FUZZ_CHECK(c->table == st->table);
		FUZZ_CHECK(c->table_len && c->table_len <= st->table_cap);
		FUZZ_CHECK((c->table_len & (c->table_len - 1)) == 0);
	}
	err = tunvnet_hash_cfg_validate(c, NULL, 8, 20);
	FUZZ_CHECK(err == 0 || err == -EINVAL);
	/* A valid configuration always predicts a queue below the count. */
	if (err == 0 && (c->flags & TUNVNET_HASH_RSS))
		FUZZ_CHECK(tunvnet_rss_queue(c, 8, TUNVNET_REPORT_TCPV4, 0x12345678u) < 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint16_t table[1024];
	struct tunvnet_virtio_storage st = { .table = table, .table_cap = 1024 };
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;
	int err;

	if (size < 1)
		return 0;
	/* The first byte picks the command and the report bit; the rest is the command. */
	if (data[0] & 1) {
		err = tunvnet_virtio_hash_config_parse(data + 1, size - 1, &c, &st);
		FUZZ_CHECK(err == 0 || err == -EMSGSIZE || err == -EINVAL);
		if (!err) {
			FUZZ_CHECK(!c.table && !(c.flags & TUNVNET_HASH_RSS));
			check_cfg(&c, &st);
		}
	} else {
		err = tunvnet_virtio_rss_config_parse(data + 1, size - 1, data[0] & 2, &c, &st);
		FUZZ_CHECK(err == 0 || err == -EMSGSIZE || err == -EINVAL || err == -ENOSPC);
		if (!err)
			check_cfg(&c, &st);
	}
	return 0;
}
