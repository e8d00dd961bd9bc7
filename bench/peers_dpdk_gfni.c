/* SPDX-License-Identifier: MIT */
/*
 * DPDK's rte_thash_gfni. Built with -march=native after DPDK's -march=corei7
 * so that its GFNI/AVX-512 code (guarded by __GFNI__ && __AVX512F__) exists.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_thash.h>

#include "peers.h"

#ifdef RTE_THASH_GFNI_DEFINED

void *peer_dpdk_gfni_prepare(const uint8_t *key, size_t key_len, const char **why)
{
	uint64_t *m;

	/*
	 * Not rte_thash_gfni_supported(): Debian builds librte_hash for corei7,
	 * where it always says no. The inline code below is ours to run.
	 */
	if (!__builtin_cpu_supports("gfni") || !__builtin_cpu_supports("avx512f") ||
	    !__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx512vl") ||
	    !__builtin_cpu_supports("avx512vbmi")) {
		*why = "CPU without GFNI/AVX-512";
		return NULL;
	}
	/* One 8x8 matrix per key byte, prepared once, like our per-key setup. */
	m = aligned_alloc(64, 64 * sizeof(uint64_t));
	if (!m) {
		*why = "out of memory";
		return NULL;
	}
	memset(m, 0, 64 * sizeof(uint64_t));
	rte_thash_complete_matrix(m, key, (int)key_len);
	return m;
}

__attribute__((noinline)) uint32_t peer_dpdk_gfni(const void *ctx, const uint8_t *in, size_t len)
{
	return rte_thash_gfni(ctx, in, (int)len);
}

__attribute__((noinline)) void peer_dpdk_gfni_bulk(const void *ctx, uint8_t **tuples, size_t len,
						   size_t n, uint32_t *out)
{
	rte_thash_gfni_bulk(ctx, (int)len, tuples, out, (uint32_t)n);
}

#else

void *peer_dpdk_gfni_prepare(const uint8_t *key, size_t key_len, const char **why)
{
	(void)key;
	(void)key_len;
	*why = "DPDK built without GFNI support for this compiler target";
	return NULL;
}

uint32_t peer_dpdk_gfni(const void *ctx, const uint8_t *in, size_t len)
{
	(void)ctx;
	(void)in;
	(void)len;
	return 0;
}

void peer_dpdk_gfni_bulk(const void *ctx, uint8_t **tuples, size_t len, size_t n, uint32_t *out)
{
	(void)ctx;
	(void)tuples;
	(void)len;
	memset(out, 0, n * sizeof(*out));
}

#endif
