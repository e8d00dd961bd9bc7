/* SPDX-License-Identifier: MIT */
/* Private: the Toeplitz handle, shared by the portable and the x86 paths. */
#ifndef TUNVNET_TOEPLITZ_H
#define TUNVNET_TOEPLITZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tunvnet/tunvnet.h"

/* Key bytes kept, zero-padded so that every window read stays in bounds. */
#define TV_TP_KEY_PAD 64
/* Big-endian 64-bit key windows at every 4 bytes (4-byte input chunks). */
#define TV_TP_NWIN 12

typedef uint32_t (*tv_tp_hash_fn)(const struct tunvnet_toeplitz *t, const uint8_t *in,
				  size_t len);
typedef void (*tv_tp_bulk_fn)(const struct tunvnet_toeplitz *t, const uint8_t *in, size_t len,
			      size_t stride, size_t n, uint32_t *out);
/* The hash of a[0..alen) then ports[0..4): alen is 8 or 32 (IPv4 or IPv6 addresses). */
typedef uint32_t (*tv_tp_tuple_fn)(const struct tunvnet_toeplitz *t, const uint8_t *a,
				   size_t alen, const uint8_t *ports);

struct tunvnet_toeplitz {
	/* Hot fields first: the call path reads the pointer and the windows. */
	tv_tp_hash_fn hash;
	tv_tp_bulk_fn bulk;
	/* A 4-tuple read in place from a packet (addresses and ports are apart there). */
	tv_tp_tuple_fn tuple;
	enum tunvnet_toeplitz_impl impl;
	size_t key_len;
	/* win[j] = key bits 32j..32j+63 as a big-endian number (zero past the key). */
	uint64_t win[TV_TP_NWIN] __attribute__((aligned(64)));
	/*
	 * GFNI path, 8-byte input chunks j: klo[j] = win[2j+1], khi[j] = win[2j] >> 32
	 * (the 96-bit key window of chunk j, split for two 64x64 products).
	 */
	uint64_t klo[8] __attribute__((aligned(64)));
	uint64_t khi[8] __attribute__((aligned(64)));
	uint8_t key[TV_TP_KEY_PAD] __attribute__((aligned(64)));
	/* TABLE only (allocated behind the struct): table[i][b] = hash of byte b at i. */
	uint32_t table[][256] __attribute__((aligned(64)));
};

/* x86 paths (toeplitz_x86.c); stubs that report "unavailable" elsewhere. */
bool tv_toeplitz_x86_available(enum tunvnet_toeplitz_impl impl);
/* Install the hash and bulk functions of impl (CLMUL or GFNI) into t. */
void tv_toeplitz_x86_setup(struct tunvnet_toeplitz *t, enum tunvnet_toeplitz_impl impl);

/*
 * The classify fast path: hash the addresses and the ports where they lie in
 * the packet, so nothing is stored and reloaded (a wide load over narrow
 * fresh stores misses store forwarding and stalls).
 */
static inline uint32_t tv_toeplitz_tuple(const struct tunvnet_toeplitz *t, const uint8_t *a,
					 size_t alen, const uint8_t *ports)
{
	return t->tuple(t, a, alen, ports);
}

#endif /* TUNVNET_TOEPLITZ_H */
