/* SPDX-License-Identifier: MIT */
/*
 * Guest control-queue commands to hash configurations. Layouts (virtio
 * spec, little-endian):
 *   virtio_net_rss_config:  le32 hash_types; le16 indirection_table_mask;
 *     le16 unclassified_queue; le16 indirection_table[mask + 1];
 *     le16 max_tx_vq; u8 hash_key_length; u8 hash_key_data[];
 *   virtio_net_hash_config: le32 hash_types; le16 reserved[4];
 *     u8 hash_key_length; u8 hash_key_data[];
 * The bytes come from a guest: every length is checked before it is used.
 */
#include "internal.h"

static int parse_key(const uint8_t *p, size_t left, struct tunvnet_hash_cfg *cfg,
		     struct tunvnet_virtio_storage *st)
{
	size_t key_len;

	if (left < 1)
		return tv_err(-EMSGSIZE, "command ends before hash_key_length");
	key_len = p[0];
	if (key_len > TUNVNET_KEY_MAX)
		return tv_err(-EINVAL, "hash_key_length %zu exceeds 40 bytes", key_len);
	if (left - 1 < key_len)
		return tv_err(-EMSGSIZE, "hash_key_length %zu but only %zu key bytes follow",
			      key_len, left - 1);
	memcpy(st->key, p + 1, key_len);
	cfg->key = key_len ? st->key : NULL;
	cfg->key_len = key_len;
	return 0;
}

/* The arguments, and the command's fixed part (min_len bytes of cmd) before any field is read. */
static int check_args(const void *buf, size_t len, size_t min_len, const char *cmd,
		      struct tunvnet_hash_cfg *cfg, struct tunvnet_virtio_storage *st)
{
	if (!buf || !cfg || !st)
		return tv_err(-EINVAL, "NULL argument");
	memset(cfg, 0, sizeof(*cfg));
	cfg->sz = sizeof(*cfg);
	if (len < min_len)
		return tv_err(-EMSGSIZE, "%s needs at least %zu bytes, got %zu", cmd, min_len, len);
	return 0;
}

static int rss_parse(const void *buf, size_t len, bool report, struct tunvnet_hash_cfg *cfg,
		     struct tunvnet_virtio_storage *st)
{
	const uint8_t *p = buf;
	size_t entries, i, off;
	uint32_t types;
	int err;

	err = check_args(buf, len, 8, "virtio_net_rss_config", cfg, st);
	if (err)
		return err;
	types = tv_get_le32(p);
	entries = (size_t)tv_get_le16(p + 4) + 1;
	/* The spec's mask is (length - 1); anything else cannot be a mask. */
	if (entries & (entries - 1))
		return tv_err(-EINVAL, "indirection_table_mask %#zx is not a power of two minus one",
			      entries - 1);
	if (entries > st->table_cap)
		return tv_err(-ENOSPC, "indirection table has %zu entries, storage holds %zu",
			      entries, st->table_cap);
	off = 8;
	if (len - off < entries * 2 + 2)
		return tv_err(-EMSGSIZE, "command ends inside the %zu-entry indirection table",
			      entries);
	for (i = 0; i < entries; i++)
		st->table[i] = tv_get_le16(p + off + 2 * i);
	off += entries * 2;
	st->max_tx_vq = tv_get_le16(p + off);
	off += 2;
	err = parse_key(p + off, len - off, cfg, st);
	if (err)
		return err;

	if (!types)
		return 0; /* the guest turned RSS off */
	cfg->flags = TUNVNET_HASH_RSS | (report ? TUNVNET_HASH_REPORT : 0);
	cfg->types = types;
	cfg->table = st->table;
	cfg->table_len = entries;
	cfg->unclassified_queue = tv_get_le16(p + 6);
	return 0;
}

static int hash_parse(const void *buf, size_t len, struct tunvnet_hash_cfg *cfg,
		      struct tunvnet_virtio_storage *st)
{
	const uint8_t *p = buf;
	uint32_t types;
	int err;

	err = check_args(buf, len, 12, "virtio_net_hash_config", cfg, st);
	if (err)
		return err;
	types = tv_get_le32(p);
	err = parse_key(p + 12, len - 12, cfg, st);
	if (err)
		return err;
	if (types) {
		cfg->flags = TUNVNET_HASH_REPORT;
		cfg->types = types;
	}
	return 0;
}

/*
 * The caller's cfg is a sized struct: parsed into a full one, then written
 * out as far as its sz reaches (an older caller's smaller cfg is not
 * overrun). On failure it is left as it was.
 */
TUNVNET_API int tunvnet_virtio_rss_config_parse(const void *buf, size_t len, bool report,
						struct tunvnet_hash_cfg *cfg,
						struct tunvnet_virtio_storage *st)
{
	struct tunvnet_hash_cfg c;
	int err;

	tv_err_clear();
	if (cfg && TV_OPTS_OUT_OK(cfg, tunvnet_hash_cfg, types))
		return -EINVAL;
	err = rss_parse(buf, len, report, cfg ? &c : NULL, st);
	return err ? err : TV_OPTS_OUT(cfg, &c, tunvnet_hash_cfg, types);
}

TUNVNET_API int tunvnet_virtio_hash_config_parse(const void *buf, size_t len,
						 struct tunvnet_hash_cfg *cfg,
						 struct tunvnet_virtio_storage *st)
{
	struct tunvnet_hash_cfg c;
	int err;

	tv_err_clear();
	if (cfg && TV_OPTS_OUT_OK(cfg, tunvnet_hash_cfg, types))
		return -EINVAL;
	err = hash_parse(buf, len, cfg ? &c : NULL, st);
	return err ? err : TV_OPTS_OUT(cfg, &c, tunvnet_hash_cfg, types);
}
