/* SPDX-License-Identifier: MIT */
/*
 * Structs that grow: every public struct whose first member is its size
 * (options the caller passes in, results the library writes out) is read
 * and written here, the libbpf way.
 *
 * - The library knows each struct up to its last field (TV_LAST_<type>
 *   below). A caller's struct may be older (smaller sz: the fields it lacks
 *   read as zero, or their documented default) or newer (larger sz: every
 *   byte past the last field this library knows must be zero, padding
 *   included, else -E2BIG; a field a newer header added would otherwise be
 *   ignored without a word).
 * - Results are written only as far as the caller's sz reaches; bytes the
 *   caller's struct has past what this library knows are zeroed ("unknown").
 *
 * Adding a field: append it last (before `size_t :0;`), make zero mean "as
 * before", leave no tail padding after it (pair a small field with a
 * reserved one: a compiler need not zero padding, and the library checks
 * those bytes), move TV_LAST_<type> to it, and regenerate the ABI baseline
 * (scripts/abi-baseline.sh). Tests: structs-can-grow (TV_LAST_* and the
 * _INIT macros against the header), opts-rule (the rule; no tail padding),
 * sized-in and sized-out (through the public functions).
 */
#ifndef TUNVNET_OPTS_H
#define TUNVNET_OPTS_H

#include <stddef.h>

#include "tunvnet/tunvnet.h"

#define tv_offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))

/* The last field this library version knows, per sized struct. */
#define TV_LAST_tunvnet_dev_opts group
#define TV_LAST_tunvnet_caps max_key_len
#define TV_LAST_tunvnet_hash_cfg backend
#define TV_LAST_tunvnet_verify_opts backend
#define TV_LAST_tunvnet_vtap_opts mode
#define TV_LAST_tunvnet_verify_stats unchecked

/* Every sized struct, for the layout test: X(type). */
#define TV_SIZED_STRUCTS(X)                                                    \
	X(tunvnet_dev_opts)                                                    \
	X(tunvnet_caps)                                                        \
	X(tunvnet_hash_cfg)                                                    \
	X(tunvnet_verify_opts)                                                 \
	X(tunvnet_vtap_opts)                                                   \
	X(tunvnet_verify_stats)

/* Bytes of struct type this library knows: up to the end of its last field. */
#define TV_KNOWN(type) tv_offsetofend(struct type, TV_LAST_##type)

/* Whether a caller's struct of size sz has field (wholly). */
#define TV_OPTS_HAS(sz, type, field) ((sz) >= tv_offsetofend(struct type, field))

/* No struct here comes near this: a larger sz is an uninitialised one. */
#define TV_OPTS_SZ_MAX 4096

/*
 * Copy a caller's struct src (NULL: none) into the library's own dst
 * (dst_sz bytes, zeroed first): min(its sz, known_sz) bytes, its sz kept in
 * dst's first member. -EINVAL when its sz is below min_sz (the fields every
 * caller has) or above TV_OPTS_SZ_MAX; -E2BIG when a byte past known_sz is
 * not zero. Errors name the struct (type) and the byte.
 */
int tv_opts_in(void *dst, size_t dst_sz, const void *src, size_t min_sz, size_t known_sz,
	       const char *type);
#define TV_OPTS_IN(dst, src, type, first_field)                                 \
	tv_opts_in((dst), sizeof(*(dst)), (src), tv_offsetofend(struct type, first_field), \
		   TV_KNOWN(type), #type)

/*
 * Write the library's result src out to a caller's struct dst, whose first
 * member says its size: the bytes both know (min(its sz, known_sz)), the
 * caller's sz left as set, its bytes past known_sz zeroed. -EINVAL when its
 * sz is below min_sz or above TV_OPTS_SZ_MAX (nothing written).
 */
int tv_opts_out_checked(void *dst, const void *src, size_t min_sz, size_t known_sz,
			const char *type);
#define TV_OPTS_OUT(dst, src, type, first_field)                                \
	tv_opts_out_checked((dst), (src), tv_offsetofend(struct type, first_field), \
			    TV_KNOWN(type), #type)
/* Only the check of TV_OPTS_OUT, for validating before acting. */
int tv_opts_out_ok(const void *dst, size_t min_sz, const char *type);
#define TV_OPTS_OUT_OK(dst, type, first_field)                                  \
	tv_opts_out_ok((dst), tv_offsetofend(struct type, first_field), #type)

#endif /* TUNVNET_OPTS_H */
