/* SPDX-License-Identifier: MIT */
/* The bench's peers in other translation units (DPDK needs its own flags). */
#ifndef TUNVNET_BENCH_PEERS_H
#define TUNVNET_BENCH_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every peer: prepare once per key (NULL and *why set when it cannot run),
 * then one out-of-line call per hash, as tunvnet_toeplitz_hash is one call.
 * softrss peers take the tuple as host-order 32-bit words, as DPDK callers
 * keep it; the bench converts the inputs once, outside the timing.
 */
void *peer_softrss_prepare(const uint8_t *key, size_t key_len, const char **why);
uint32_t peer_softrss(const void *ctx, const uint32_t *words, size_t len);
void *peer_softrss_be_prepare(const uint8_t *key, size_t key_len, const char **why);
uint32_t peer_softrss_be(const void *ctx, const uint32_t *words, size_t len);
void *peer_dpdk_gfni_prepare(const uint8_t *key, size_t key_len, const char **why);
uint32_t peer_dpdk_gfni(const void *ctx, const uint8_t *in, size_t len);
/* Bulk through rte_thash_gfni_bulk (an array of tuple pointers). */
void peer_dpdk_gfni_bulk(const void *ctx, uint8_t **tuples, size_t len, size_t n,
			 uint32_t *out);
void peer_free(void *ctx);

#endif
