/* SPDX-License-Identifier: MIT */
/* DPDK's portable Toeplitz (rte_softrss, rte_softrss_be), built with DPDK's own flags. */
#include <stdlib.h>
#include <string.h>

#include <rte_thash.h>

#include "peers.h"

void *peer_softrss_prepare(const uint8_t *key, size_t key_len, const char **why)
{
	uint8_t *k = calloc(1, 64);

	(void)why;
	if (k)
		memcpy(k, key, key_len);
	return k;
}

__attribute__((noinline)) uint32_t peer_softrss(const void *ctx, const uint32_t *words,
						size_t len)
{
	return rte_softrss((uint32_t *)words, (uint32_t)(len / 4), ctx);
}

void *peer_softrss_be_prepare(const uint8_t *key, size_t key_len, const char **why)
{
	uint32_t *k = calloc(1, 64), orig[16] = { 0 };

	(void)why;
	if (k) {
		memcpy(orig, key, key_len);
		rte_convert_rss_key(orig, k, 64);
	}
	return k;
}

__attribute__((noinline)) uint32_t peer_softrss_be(const void *ctx, const uint32_t *words,
						   size_t len)
{
	return rte_softrss_be((uint32_t *)words, (uint32_t)(len / 4), ctx);
}

void peer_free(void *ctx)
{
	free(ctx);
}
