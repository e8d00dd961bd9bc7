/* SPDX-License-Identifier: MIT */
/* The hash configuration flags that set and verify share, turned into a config. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"

void hashopt_init(struct hashopt *h)
{
	memset(h, 0, sizeof(*h));
	h->types = TUNVNET_HASH_TYPES_PLAIN; /* what the kernel series supports */
	memcpy(h->key, tunvnet_default_key(), TUNVNET_KEY_MAX);
	h->key_len = TUNVNET_KEY_MAX;
}

void hashopt_free(struct hashopt *h)
{
	free(h->table);
	h->table = NULL;
}

int hashopt_parse(struct hashopt *h, const char *cmd, int code, const char *arg)
{
	char err[160];

	switch (code) {
	case 0x100:
		h->report = true;
		break;
	case 0x101:
		h->rss = true;
		break;
	case 0x102:
		if (tunvnet_hash_types_parse(arg, &h->types))
			return usage_error(cmd, "%s", tunvnet_last_error());
		h->have_types = true;
		break;
	case 0x103:
		if (parse_key(arg, h->key, &h->key_len, err, sizeof(err)))
			return usage_error(cmd, "%s", err);
		h->have_key = true;
		h->key_random = key_is_random(arg);
		break;
	case 0x104:
		h->table_arg = (char *)arg;
		h->have_table = true;
		break;
	case 0x105:
		if (parse_uint(arg, 0, 0xffff, &h->unclassified))
			return usage_error(cmd, "--unclassified wants a queue number, not '%s'", arg);
		h->have_unclassified = true;
		break;
	case 0x106:
		return opt_queues(cmd, arg, &h->queues);
	case 0x107:
		return opt_vnet_hdr_sz(cmd, arg, &h->vnet_hdr_sz);
	case 0x108:
		if (tunvnet_backend_parse(arg, &h->backend))
			return usage_error(cmd, "--backend: %s", tunvnet_last_error());
		break;
	default:
		return usage_error(cmd, "bad option");
	}
	return EXIT_OK;
}

static bool pow2(size_t n)
{
	return n && !(n & (n - 1));
}

/* "round-robin:N" (or "rr:N"): N entries 0..N-1; else a comma list of queues. */
static int parse_table(struct hashopt *h, const char *cmd, const char *s)
{
	const char *p = strchr(s, ':');
	unsigned long n, v;
	size_t i, len;

	if (p && (strncasecmp(s, "round-robin", (size_t)(p - s)) == 0 ||
		  strncasecmp(s, "rr", (size_t)(p - s)) == 0)) {
		if (parse_uint(p + 1, 1, TUNVNET_TABLE_MAX, &n) || !pow2(n))
			return usage_error(cmd, "round-robin:N wants a power of two 1..65536, "
					   "not '%s'", p + 1);
		h->table = calloc(n, sizeof(*h->table));
		if (!h->table)
			return usage_error(cmd, "out of memory");
		for (i = 0; i < n; i++)
			h->table[i] = (uint16_t)i;
		h->cfg.table_len = n;
		return EXIT_OK;
	}
	len = 1;
	for (p = s; *p; p++)
		len += *p == ',';
	if (len > TUNVNET_TABLE_MAX || !pow2(len))
		return usage_error(cmd, "the table has %zu entries; it needs a power of two "
				   "(1, 2, 4, ... 65536)", len);
	h->table = calloc(len, sizeof(*h->table));
	if (!h->table)
		return usage_error(cmd, "out of memory");
	for (i = 0, p = s; i < len; i++) {
		char item[16];
		size_t l = strcspn(p, ",");

		if (l == 0 || l >= sizeof(item))
			return usage_error(cmd, "bad table entry %zu in '%s'", i, s);
		memcpy(item, p, l);
		item[l] = '\0';
		if (parse_uint(item, 0, 0xffff, &v))
			return usage_error(cmd, "table entry '%s' is not a queue number", item);
		h->table[i] = (uint16_t)v;
		p += l + (p[l] == ',');
	}
	h->cfg.table_len = len;
	return EXIT_OK;
}

int hashopt_build(struct hashopt *h, const char *cmd, unsigned int num_queues)
{
	struct tunvnet_hash_cfg *cfg = &h->cfg;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->sz = sizeof(*cfg);
	if (!h->report && !h->rss)
		return usage_error(cmd, "nothing to apply: give --report and/or --rss "
				   "(use 'clear' to switch hashing off)");
	if (!h->rss && (h->have_key || h->have_table || h->have_unclassified))
		return usage_error(cmd, "--key, --table and --unclassified need --rss");
	if (h->report && h->vnet_hdr_sz && h->vnet_hdr_sz < TUNVNET_HDR_HASH_LEN)
		return usage_error(cmd, "--report needs a vnet header of 20 or 24 bytes to carry "
				   "the hash, not --vnet-hdr-size %d", h->vnet_hdr_sz);
	cfg->flags = (h->report ? TUNVNET_HASH_REPORT : 0) | (h->rss ? TUNVNET_HASH_RSS : 0);
	cfg->types = h->types;
	cfg->backend = h->backend;
	if (h->rss) {
		rc = check_key_len(cmd, h->key_len, h->types);
		if (rc)
			return rc;
		cfg->key = h->key;
		cfg->key_len = h->key_len;
		cfg->unclassified_queue = (uint16_t)h->unclassified;
		free(h->table);
		h->table = NULL;
		if (h->table_arg) {
			rc = parse_table(h, cmd, h->table_arg);
			if (rc)
				return rc;
		} else {
			/* One entry per queue, rounded up to a power of two, spread evenly. */
			size_t n = 1, i, q = num_queues ? num_queues : 1;

			while (n < q)
				n <<= 1;
			h->table = calloc(n, sizeof(*h->table));
			if (!h->table)
				return usage_error(cmd, "out of memory");
			for (i = 0; i < n; i++)
				h->table[i] = (uint16_t)(i % q);
			cfg->table_len = n;
		}
		cfg->table = h->table;
		/* The bounds in the tool's words (the library's name its flags). */
		if (num_queues) {
			size_t i;

			for (i = 0; i < cfg->table_len; i++)
				if (cfg->table[i] >= num_queues)
					return usage_error(cmd, "--table names queue %u, but %s "
							   "%u queue%s (0..%u)", cfg->table[i],
							   h->qsrc ? h->qsrc : "the device has",
							   num_queues, num_queues == 1 ? "" : "s",
							   num_queues - 1);
			if (cfg->unclassified_queue >= num_queues)
				return usage_error(cmd, "--unclassified %u is not a queue%s: %s "
						   "%u queue%s (0..%u)", cfg->unclassified_queue,
						   h->qsrc ? "" : " of the device",
						   h->qsrc ? h->qsrc : "it has", num_queues,
						   num_queues == 1 ? "" : "s", num_queues - 1);
		}
	}
	/* The size of the header is checked when the device's is known. */
	rc = tunvnet_hash_cfg_validate(cfg, NULL, num_queues, 0);
	if (rc)
		return lib_error(cmd, "invalid hash configuration", rc, true);
	return EXIT_OK;
}

int hashopt_check_link(const struct hashopt *h, const char *cmd, const struct tunvnet_link *link)
{
	bool tunlike = link->kind == TUNVNET_KIND_TUN || link->kind == TUNVNET_KIND_TAP;

	if (tunlike && !(link->dev_flags & TUNVNET_DEV_VNET_HDR) && (h->report || h->vnet_hdr_sz)) {
		return ctl_fail(cmd, EXIT_CHECK,
				"delete it and create it again without --no-vnet-hdr",
				"%s '%s' has no vnet header (created with --no-vnet-hdr), so it "
				"cannot carry a hash report or set its size",
				tunvnet_kind_name(link->kind), esc(link->name));
	}
	return EXIT_OK;
}

unsigned int hashopt_queue_count(const struct hashopt *h, const struct tunvnet_link *link)
{
	if (h->queues)
		return (unsigned int)h->queues;
	if (link->kind != TUNVNET_KIND_TUN && link->kind != TUNVNET_KIND_TAP)
		return 0; /* a macvtap's open queues cannot be counted from outside */
	if (link->num_queues)
		return link->num_queues;
	return (link->dev_flags & TUNVNET_DEV_MULTI_QUEUE) ? 0 : 1;
}

void hashopt_describe(const struct tunvnet_hash_cfg *cfg, FILE *f)
{
	char types[128], key[KEY_STRING_MAX];
	size_t i;

	tunvnet_hash_types_format(cfg->types, types, sizeof(types));
	fprintf(f, "report %s, rss %s, types %s",
		(cfg->flags & TUNVNET_HASH_REPORT) ? "on" : "off",
		(cfg->flags & TUNVNET_HASH_RSS) ? "on" : "off", types);
	if (cfg->flags & TUNVNET_HASH_RSS) {
		key_string(cfg->key, cfg->key_len, key, sizeof(key));
		fprintf(f, ", key %s, unclassified queue %u, table [", key, cfg->unclassified_queue);
		for (i = 0; i < cfg->table_len && i < 16; i++)
			fprintf(f, "%s%u", i ? "," : "", cfg->table[i]);
		fprintf(f, "%s] (%zu entries)", cfg->table_len > 16 ? ",..." : "", cfg->table_len);
	}
	fputc('\n', f);
}
