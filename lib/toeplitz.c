/* SPDX-License-Identifier: MIT */
/*
 * Toeplitz hash: the reference bit loop, the portable byte-table path, and
 * the dispatch that picks a path once per handle (never per call).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "toeplitz.h"

/* The 32 key bits starting at bit pos (bit 0 = MSB of key byte 0); k is padded. */
static inline uint32_t key_window(const uint8_t *k, unsigned int pos)
{
	const uint8_t *p = k + pos / 8;
	uint64_t v = (uint64_t)tv_get_be32(p) << 32 | tv_get_be32(p + 4);

	return (uint32_t)((v << (pos % 8)) >> 32);
}

TUNVNET_API uint32_t tunvnet_toeplitz_ref(const uint8_t *key, size_t key_len, const void *in,
					  size_t len)
{
	uint8_t k[TV_TP_KEY_PAD] = { 0 };
	const uint8_t *p = in;
	uint32_t h = 0;
	size_t i;
	int b;

	tv_err_clear();
	if (!key || (!in && len))
		return 0;
	if (key_len > TUNVNET_KEY_MAX)
		key_len = TUNVNET_KEY_MAX;
	if (len > TUNVNET_TOEPLITZ_INPUT_MAX)
		len = TUNVNET_TOEPLITZ_INPUT_MAX;
	memcpy(k, key, key_len);
	/* The definition, bit by bit: a set input bit XORs in the current window. */
	for (i = 0; i < len; i++)
		for (b = 0; b < 8; b++)
			if (p[i] & (0x80u >> b))
				h ^= key_window(k, (unsigned int)(i * 8 + (size_t)b));
	return h;
}

static uint32_t ref_hash(const struct tunvnet_toeplitz *t, const uint8_t *in, size_t len)
{
	return tunvnet_toeplitz_ref(t->key, t->key_len, in, len);
}

static void generic_bulk(const struct tunvnet_toeplitz *t, const uint8_t *in, size_t len,
			 size_t stride, size_t n, uint32_t *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = t->hash(t, in + i * stride, len);
}

/* Paths without a split kernel: join the pieces, then the usual hash. */
static uint32_t generic_tuple(const struct tunvnet_toeplitz *t, const uint8_t *a, size_t alen,
			      const uint8_t *ports)
{
	uint8_t buf[TUNVNET_TOEPLITZ_INPUT_MAX];

	memcpy(buf, a, alen);
	memcpy(buf + alen, ports, 4);
	return t->hash(t, buf, alen + 4);
}

/* ---- byte table: one lookup per input byte, 36 KiB per key ---- */

static uint32_t table_hash(const struct tunvnet_toeplitz *t, const uint8_t *in, size_t len)
{
	uint32_t h0 = 0, h1 = 0;
	size_t i = 0;

	/* Two accumulators so consecutive loads are not chained through one XOR. */
	for (; i + 2 <= len; i += 2) {
		h0 ^= t->table[i][in[i]];
		h1 ^= t->table[i + 1][in[i + 1]];
	}
	if (i < len)
		h0 ^= t->table[i][in[i]];
	return h0 ^ h1;
}

/* Fixed lengths let the compiler fully unroll the common tuple sizes. */
#define TABLE_FIXED(N)                                                                  \
	static uint32_t table_hash_##N(const struct tunvnet_toeplitz *t, const uint8_t *in) \
	{                                                                               \
		uint32_t h0 = 0, h1 = 0, h2 = 0, h3 = 0;                                \
		size_t i;                                                               \
		for (i = 0; i < N; i += 4) {                                            \
			h0 ^= t->table[i][in[i]];                                       \
			h1 ^= t->table[i + 1][in[i + 1]];                               \
			h2 ^= t->table[i + 2][in[i + 2]];                               \
			h3 ^= t->table[i + 3][in[i + 3]];                               \
		}                                                                       \
		return (h0 ^ h1) ^ (h2 ^ h3);                                           \
	}
TABLE_FIXED(8)
TABLE_FIXED(12)
TABLE_FIXED(32)
TABLE_FIXED(36)

static uint32_t table_hash_dispatch(const struct tunvnet_toeplitz *t, const uint8_t *in,
				    size_t len)
{
	switch (len) {
	case 12: return table_hash_12(t, in);
	case 36: return table_hash_36(t, in);
	case 8: return table_hash_8(t, in);
	case 32: return table_hash_32(t, in);
	default: return table_hash(t, in, len);
	}
}

static void table_bulk(const struct tunvnet_toeplitz *t, const uint8_t *in, size_t len,
		       size_t stride, size_t n, uint32_t *out)
{
	size_t k = 0, i;

	/* Four independent hashes in flight: throughput, not latency. */
	for (; k + 4 <= n; k += 4) {
		const uint8_t *a = in + k * stride, *b = a + stride, *c = b + stride,
			      *d = c + stride;
		uint32_t ha = 0, hb = 0, hc = 0, hd = 0;

		for (i = 0; i < len; i++) {
			ha ^= t->table[i][a[i]];
			hb ^= t->table[i][b[i]];
			hc ^= t->table[i][c[i]];
			hd ^= t->table[i][d[i]];
		}
		out[k] = ha;
		out[k + 1] = hb;
		out[k + 2] = hc;
		out[k + 3] = hd;
	}
	for (; k < n; k++)
		out[k] = table_hash(t, in + k * stride, len);
}

static void table_build(struct tunvnet_toeplitz *t)
{
	unsigned int i, b, bit;

	for (i = 0; i < TUNVNET_TOEPLITZ_INPUT_MAX; i++) {
		uint32_t *row = t->table[i];

		row[0] = 0;
		for (bit = 0; bit < 8; bit++)
			row[0x80u >> bit] = key_window(t->key, i * 8 + bit);
		/* Every other entry is the XOR of its lowest set bit and the rest. */
		for (b = 1; b < 256; b++)
			row[b] = row[b & -b] ^ row[b & (b - 1)];
	}
}

/* ---- availability and dispatch ---- */

/*
 * TUNVNET_TOEPLITZ_DISABLE="clmul,gfni" hides paths, so the portable
 * fallbacks and the -EOPNOTSUPP answer can be exercised on any CPU.
 */
static bool disabled_by_env(enum tunvnet_toeplitz_impl impl)
{
	const char *list = secure_getenv("TUNVNET_TOEPLITZ_DISABLE");
	const char *name = tunvnet_toeplitz_impl_name(impl);
	size_t nlen = strlen(name);

	while (list && *list) {
		size_t len = strcspn(list, ", ");

		if (len == nlen && strncasecmp(list, name, len) == 0)
			return true;
		list += len;
		list += strspn(list, ", ");
	}
	return false;
}

TUNVNET_API bool tunvnet_toeplitz_impl_available(enum tunvnet_toeplitz_impl impl)
{
	tv_err_clear();
	switch (impl) {
	case TUNVNET_TOEPLITZ_AUTO:
	case TUNVNET_TOEPLITZ_REF:
		return true;
	case TUNVNET_TOEPLITZ_TABLE:
		return !disabled_by_env(impl);
	case TUNVNET_TOEPLITZ_CLMUL:
	case TUNVNET_TOEPLITZ_GFNI:
		return !disabled_by_env(impl) && tv_toeplitz_x86_available(impl);
	default:
		return false;
	}
}

/* AUTO: fastest first, as measured by bench/tunvnet-bench. */
static enum tunvnet_toeplitz_impl resolve_auto(void)
{
	static const enum tunvnet_toeplitz_impl order[] = {
		TUNVNET_TOEPLITZ_GFNI, TUNVNET_TOEPLITZ_CLMUL, TUNVNET_TOEPLITZ_TABLE,
	};
	size_t i;

	for (i = 0; i < TV_ARRAY_SIZE(order); i++)
		if (tunvnet_toeplitz_impl_available(order[i]))
			return order[i];
	return TUNVNET_TOEPLITZ_REF;
}

TUNVNET_API int tunvnet_toeplitz_new(const uint8_t *key, size_t key_len,
				     enum tunvnet_toeplitz_impl impl,
				     struct tunvnet_toeplitz **tp)
{
	struct tunvnet_toeplitz *t;
	size_t sz, j;

	tv_err_clear();
	if (!tp)
		return tv_err(-EINVAL, "no place to store the Toeplitz handle");
	*tp = NULL;
	if (!key)
		return tv_err(-EINVAL, "no Toeplitz key given");
	if (key_len == 0 || key_len > TUNVNET_KEY_MAX)
		return tv_err(-EINVAL, "Toeplitz key is %zu bytes; it must be 1..%d", key_len,
			      TUNVNET_KEY_MAX);
	if ((unsigned int)impl > TUNVNET_TOEPLITZ_GFNI)
		return tv_err(-EINVAL, "unknown Toeplitz implementation %d", (int)impl);
	if (impl == TUNVNET_TOEPLITZ_AUTO)
		impl = resolve_auto();
	else if (!tunvnet_toeplitz_impl_available(impl))
		return tv_err(-EOPNOTSUPP, "Toeplitz path '%s' is not available on this CPU or build",
			      tunvnet_toeplitz_impl_name(impl));

	sz = sizeof(*t);
	if (impl == TUNVNET_TOEPLITZ_TABLE)
		sz += TUNVNET_TOEPLITZ_INPUT_MAX * sizeof(t->table[0]);
	sz = (sz + 63) & ~(size_t)63; /* aligned_alloc wants a multiple of the alignment */
	t = aligned_alloc(64, sz);
	if (!t)
		return tv_err(-ENOMEM, "out of memory for a Toeplitz handle");
	memset(t, 0, sizeof(*t));
	t->impl = impl;
	t->key_len = key_len;
	memcpy(t->key, key, key_len);
	for (j = 0; j < TV_TP_NWIN; j++)
		t->win[j] = (uint64_t)tv_get_be32(t->key + 4 * j) << 32 |
			    tv_get_be32(t->key + 4 * j + 4);
	t->bulk = generic_bulk;
	t->tuple = generic_tuple;
	switch (impl) {
	case TUNVNET_TOEPLITZ_TABLE:
		table_build(t);
		t->hash = table_hash_dispatch;
		t->bulk = table_bulk;
		break;
	case TUNVNET_TOEPLITZ_CLMUL:
	case TUNVNET_TOEPLITZ_GFNI:
		tv_toeplitz_x86_setup(t, impl);
		break;
	default:
		t->hash = ref_hash;
		break;
	}
	*tp = t;
	return 0;
}

TUNVNET_API void tunvnet_toeplitz_free(struct tunvnet_toeplitz *t)
{
	free(t);
}

TUNVNET_API enum tunvnet_toeplitz_impl tunvnet_toeplitz_impl_of(const struct tunvnet_toeplitz *t)
{
	return t ? t->impl : TUNVNET_TOEPLITZ_AUTO;
}

TUNVNET_API uint32_t tunvnet_toeplitz_hash(const struct tunvnet_toeplitz *t, const void *in,
					   size_t len)
{
	if (len > TUNVNET_TOEPLITZ_INPUT_MAX)
		len = TUNVNET_TOEPLITZ_INPUT_MAX;
	return t->hash(t, in, len);
}

TUNVNET_API void tunvnet_toeplitz_hash_bulk(const struct tunvnet_toeplitz *t, const void *in,
					    size_t len, size_t stride, size_t n, uint32_t *out)
{
	if (len > TUNVNET_TOEPLITZ_INPUT_MAX)
		len = TUNVNET_TOEPLITZ_INPUT_MAX;
	t->bulk(t, in, len, stride, n, out);
}
