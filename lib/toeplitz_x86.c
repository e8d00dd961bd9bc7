/* SPDX-License-Identifier: MIT */
/*
 * Carry-less multiply and GFNI/AVX-512 Toeplitz paths (x86-64 only).
 *
 * The math. Number the input bits i = 0.. from the MSB of byte 0 and the key
 * bits k_0.. likewise; hash bit b (b = 0 is the MSB) is XOR_i in_i & k_{i+b}.
 * Reverse the bits of every input byte and load little-endian: bit t of the
 * word r is then input bit t. For a 4-byte chunk r_j (input bits 32j..32j+31)
 * and W_j = key bytes 4j..4j+7 read as a big-endian 64-bit number, bit s of
 * W_j is k_{32j+63-s}, so coefficient 63-b of the carry-less product
 * r_j * W_j is XOR_t in_{32j+t} & k_{32j+t+b}: bits 32..63 of the product are
 * chunk j's share of the hash, already in hash bit order. The hash is bits
 * 32..63 of XOR_j clmul(r_j, W_j): one 64x64 multiply per 4 input bytes, all
 * independent, no final bit reversal (the reversal moved to the input bytes,
 * where it is one pshufb pair, or one GF2P8AFFINEQB).
 *
 * The GFNI path takes 8-byte chunks R_j as they come out of one masked load
 * (no shuffling into lanes): its 96-bit key window V_j = key bytes 8j..8j+11
 * (big-endian) gives the hash at bits 64..95 of R_j * V_j, i.e. bits 64..95
 * of R_j * low64(V_j) XOR bits 0..31 of R_j * high32(V_j).
 */
#include "internal.h"
#include "toeplitz.h"

#if defined(__x86_64__) && defined(__GNUC__)

#include <immintrin.h>

#define TGT_CLMUL __attribute__((target("pclmul,sse4.1,ssse3")))
#define TGT_GFNI                                                                   \
	__attribute__((target("pclmul,sse4.1,ssse3,avx2,avx512f,avx512bw,avx512vl,gfni," \
			      "vpclmulqdq")))

/* ---- CLMUL: SSE4.1 + PCLMULQDQ ---- */

/* Reverse the bits of every byte: two nibble lookups. */
TGT_CLMUL static inline __m128i rev_bytes_ssse3(__m128i x)
{
	const __m128i lo_rev = _mm_setr_epi8(0x00, (char)0x80, 0x40, (char)0xc0, 0x20,
					     (char)0xa0, 0x60, (char)0xe0, 0x10, (char)0x90,
					     0x50, (char)0xd0, 0x30, (char)0xb0, 0x70,
					     (char)0xf0);
	const __m128i hi_rev = _mm_setr_epi8(0x0, 0x8, 0x4, 0xc, 0x2, 0xa, 0x6, 0xe, 0x1, 0x9,
					     0x5, 0xd, 0x3, 0xb, 0x7, 0xf);
	const __m128i m = _mm_set1_epi8(0x0f);

	return _mm_or_si128(_mm_shuffle_epi8(lo_rev, _mm_and_si128(x, m)),
			    _mm_shuffle_epi8(hi_rev, _mm_and_si128(_mm_srli_epi16(x, 4), m)));
}

/* Chunks 4q..4q+3 (the 16 reversed bytes x) against win[4q..4q+3]. */
TGT_CLMUL static inline __m128i clmul_block4(__m128i x, const uint64_t *w)
{
	const __m128i k01 = _mm_load_si128((const __m128i *)w);
	const __m128i k23 = _mm_load_si128((const __m128i *)(w + 2));
	const __m128i a = _mm_cvtepu32_epi64(x);                    /* r0, r1 */
	const __m128i b = _mm_cvtepu32_epi64(_mm_srli_si128(x, 8)); /* r2, r3 */

	return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(a, k01, 0x00),
					   _mm_clmulepi64_si128(a, k01, 0x11)),
			     _mm_xor_si128(_mm_clmulepi64_si128(b, k23, 0x00),
					   _mm_clmulepi64_si128(b, k23, 0x11)));
}

/* One 4-byte chunk (already reversed, in the low dword of x) against w. */
TGT_CLMUL static inline __m128i clmul_chunk(__m128i x, uint64_t w)
{
	return _mm_clmulepi64_si128(_mm_cvtepu32_epi64(x), _mm_cvtsi64_si128((long long)w),
				    0x00);
}

TGT_CLMUL static inline uint32_t hash_bits(__m128i acc)
{
	return (uint32_t)_mm_extract_epi32(acc, 1);
}

TGT_CLMUL static inline __m128i load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return _mm_cvtsi32_si128((int)v);
}

TGT_CLMUL static inline __m128i load64(const uint8_t *p)
{
	return _mm_loadl_epi64((const __m128i *)p);
}

TGT_CLMUL static inline __m128i load16(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)p);
}

/* 12 bytes: IPv4 with ports (in: the addresses). Three multiplies. */
TGT_CLMUL static inline uint32_t clmul_12p(const struct tunvnet_toeplitz *t, const uint8_t *in,
					   const uint8_t *ports)
{
	__m128i x = rev_bytes_ssse3(_mm_insert_epi32(load64(in), (int)tv_get_le32(ports), 2));
	const __m128i k01 = _mm_load_si128((const __m128i *)t->win);
	const __m128i a = _mm_cvtepu32_epi64(x);

	return hash_bits(_mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(a, k01, 0x00),
						     _mm_clmulepi64_si128(a, k01, 0x11)),
				       clmul_chunk(_mm_srli_si128(x, 8), t->win[2])));
}

TGT_CLMUL static inline uint32_t clmul_12(const struct tunvnet_toeplitz *t, const uint8_t *in)
{
	return clmul_12p(t, in, in + 8);
}

TGT_CLMUL static inline uint32_t clmul_8(const struct tunvnet_toeplitz *t, const uint8_t *in)
{
	__m128i a = _mm_cvtepu32_epi64(rev_bytes_ssse3(load64(in)));
	const __m128i k01 = _mm_load_si128((const __m128i *)t->win);

	return hash_bits(_mm_xor_si128(_mm_clmulepi64_si128(a, k01, 0x00),
				       _mm_clmulepi64_si128(a, k01, 0x11)));
}

TGT_CLMUL static inline uint32_t clmul_32(const struct tunvnet_toeplitz *t, const uint8_t *in)
{
	return hash_bits(_mm_xor_si128(clmul_block4(rev_bytes_ssse3(load16(in)), t->win),
				       clmul_block4(rev_bytes_ssse3(load16(in + 16)), t->win + 4)));
}

/* 36 bytes: IPv6 with ports (a: the addresses, p: the ports). Nine multiplies. */
TGT_CLMUL static inline uint32_t clmul_36p(const struct tunvnet_toeplitz *t, const uint8_t *a,
					   const uint8_t *p)
{
	__m128i acc = _mm_xor_si128(clmul_block4(rev_bytes_ssse3(load16(a)), t->win),
				    clmul_block4(rev_bytes_ssse3(load16(a + 16)), t->win + 4));

	return hash_bits(_mm_xor_si128(acc, clmul_chunk(rev_bytes_ssse3(load32(p)), t->win[8])));
}

TGT_CLMUL static inline uint32_t clmul_36(const struct tunvnet_toeplitz *t, const uint8_t *in)
{
	return clmul_36p(t, in, in + 32);
}

/* Other lengths: zero-pad on the stack (never read past len), then a fixed kernel. */
TGT_CLMUL static uint32_t clmul_any(const struct tunvnet_toeplitz *t, const uint8_t *in,
				    size_t len)
{
	uint8_t buf[48] __attribute__((aligned(16)));

	_mm_store_si128((__m128i *)buf, _mm_setzero_si128());
	_mm_store_si128((__m128i *)(buf + 16), _mm_setzero_si128());
	_mm_store_si128((__m128i *)(buf + 32), _mm_setzero_si128());
	memcpy(buf, in, len);
	if (len <= 12)
		return clmul_12(t, buf);
	return clmul_36(t, buf);
}

TGT_CLMUL static uint32_t clmul_hash(const struct tunvnet_toeplitz *t, const uint8_t *in,
				     size_t len)
{
	switch (len) {
	case 12: return clmul_12(t, in);
	case 36: return clmul_36(t, in);
	case 8: return clmul_8(t, in);
	case 32: return clmul_32(t, in);
	default: return clmul_any(t, in, len);
	}
}

TGT_CLMUL static uint32_t clmul_tuple(const struct tunvnet_toeplitz *t, const uint8_t *a,
				      size_t alen, const uint8_t *ports)
{
	return alen == 8 ? clmul_12p(t, a, ports) : clmul_36p(t, a, ports);
}

/* The loop inlines the fixed kernels, so independent hashes overlap freely. */
TGT_CLMUL static void clmul_bulk(const struct tunvnet_toeplitz *t, const uint8_t *in, size_t len,
				 size_t stride, size_t n, uint32_t *out)
{
	size_t i;

	switch (len) {
	case 12:
		for (i = 0; i < n; i++)
			out[i] = clmul_12(t, in + i * stride);
		break;
	case 36:
		for (i = 0; i < n; i++)
			out[i] = clmul_36(t, in + i * stride);
		break;
	case 8:
		for (i = 0; i < n; i++)
			out[i] = clmul_8(t, in + i * stride);
		break;
	case 32:
		for (i = 0; i < n; i++)
			out[i] = clmul_32(t, in + i * stride);
		break;
	default:
		for (i = 0; i < n; i++)
			out[i] = clmul_any(t, in + i * stride, len);
		break;
	}
}

/* ---- GFNI + AVX-512 (VPCLMULQDQ) ---- */

#define REV_MATRIX 0x8040201008040201ll /* GF2P8AFFINEQB: reverse bits of each byte */

/* Bits 64..95 of lo XOR bits 0..31 of hi, per 128-bit lane: move hi up 8 bytes. */
TGT_GFNI static inline __m128i gfni_fold(__m128i x, __m128i klo, __m128i khi)
{
	const __m128i lo = _mm_xor_si128(_mm_clmulepi64_si128(x, klo, 0x00),
					 _mm_clmulepi64_si128(x, klo, 0x11));
	const __m128i hi = _mm_xor_si128(_mm_clmulepi64_si128(x, khi, 0x00),
					 _mm_clmulepi64_si128(x, khi, 0x11));

	return _mm_xor_si128(lo, _mm_slli_si128(hi, 8));
}

TGT_GFNI static inline __m128i gfni_rev128(__m128i x)
{
	return _mm_gf2p8affine_epi64_epi8(x, _mm_set1_epi64x(REV_MATRIX), 0);
}

/* Up to 16 bytes: one lane, 8-byte chunks (any length, masked). */
TGT_GFNI static inline uint32_t gfni_16(const struct tunvnet_toeplitz *t, const uint8_t *in,
					__mmask16 m)
{
	const __m128i x = gfni_rev128(_mm_maskz_loadu_epi8(m, in));
	const __m128i r = gfni_fold(x, _mm_load_si128((const __m128i *)t->klo),
				    _mm_load_si128((const __m128i *)t->khi));

	return (uint32_t)_mm_extract_epi32(r, 2);
}

/*
 * Up to 12 bytes, the latency path: 4-byte chunks. r0 and r1 are zero-
 * extended into the two qwords; r2 is the high qword as loaded, since the
 * masked load left bytes 12..15 zero. Three multiplies, one XOR level less.
 */
TGT_GFNI static inline uint32_t gfni_12(const struct tunvnet_toeplitz *t, const uint8_t *in,
					__mmask16 m)
{
	const __m128i x = gfni_rev128(_mm_maskz_loadu_epi8(m, in));
	const __m128i k01 = _mm_load_si128((const __m128i *)t->win);
	const __m128i k2 = _mm_loadl_epi64((const __m128i *)(t->win + 2));
	const __m128i a = _mm_cvtepu32_epi64(x);
	const __m128i p = _mm_xor_si128(_mm_clmulepi64_si128(a, k01, 0x00),
					_mm_clmulepi64_si128(a, k01, 0x11));

	return (uint32_t)_mm_extract_epi32(_mm_xor_si128(p, _mm_clmulepi64_si128(x, k2, 0x01)), 1);
}

/* 17..36 bytes: a 32-byte lane pair (raw32) plus the 4-byte tail chunk (rawtail). */
TGT_GFNI static inline uint32_t gfni_36core(const struct tunvnet_toeplitz *t, __m256i raw32,
					    __m128i rawtail)
{
	const __m256i rev = _mm256_set1_epi64x(REV_MATRIX);
	const __m256i x = _mm256_gf2p8affine_epi64_epi8(raw32, rev, 0);
	const __m256i klo = _mm256_load_si256((const __m256i *)t->klo);
	const __m256i khi = _mm256_load_si256((const __m256i *)t->khi);
	const __m256i lo = _mm256_xor_si256(_mm256_clmulepi64_epi128(x, klo, 0x00),
					    _mm256_clmulepi64_epi128(x, klo, 0x11));
	const __m256i hi = _mm256_xor_si256(_mm256_clmulepi64_epi128(x, khi, 0x00),
					    _mm256_clmulepi64_epi128(x, khi, 0x11));
	const __m256i r = _mm256_xor_si256(lo, _mm256_bslli_epi128(hi, 8));
	/* The tail (bytes 32..35) as a 4-byte chunk: hash at bits 32..63 of r8 * win[8]. */
	const __m128i tail = gfni_rev128(rawtail);
	const __m128i pt = _mm_clmulepi64_si128(tail, _mm_cvtsi64_si128((long long)t->win[8]),
						0x00);
	__m128i s = _mm_xor_si128(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));

	/* Line the tail's bits 32..63 up with the lanes' 64..95. */
	s = _mm_xor_si128(s, _mm_slli_si128(pt, 4));
	return (uint32_t)_mm_extract_epi32(s, 2);
}

TGT_GFNI static inline uint32_t gfni_36(const struct tunvnet_toeplitz *t, const uint8_t *in,
					__mmask32 m32, __mmask16 mtail)
{
	return gfni_36core(t, _mm256_maskz_loadu_epi8(m32, in),
			   _mm_maskz_loadu_epi8(mtail, in + 32));
}

/*
 * Exactly 12 bytes, the latency path: three 4-byte loads, each landing
 * zero-extended in its own register (so no shuffle), one reversal each,
 * three independent multiplies and a single three-way XOR.
 */
TGT_GFNI static inline uint32_t gfni_12p(const struct tunvnet_toeplitz *t, const uint8_t *in,
					 const uint8_t *ports)
{
	const __m128i r0 = gfni_rev128(_mm_cvtsi32_si128((int)tv_get_le32(in)));
	const __m128i r1 = gfni_rev128(_mm_cvtsi32_si128((int)tv_get_le32(in + 4)));
	const __m128i r2 = gfni_rev128(_mm_cvtsi32_si128((int)tv_get_le32(ports)));
	const __m128i k01 = _mm_load_si128((const __m128i *)t->win);
	const __m128i k2 = _mm_loadl_epi64((const __m128i *)(t->win + 2));
	const __m128i s = _mm_ternarylogic_epi64(_mm_clmulepi64_si128(r0, k01, 0x00),
						 _mm_clmulepi64_si128(r1, k01, 0x10),
						 _mm_clmulepi64_si128(r2, k2, 0x00), 0x96);

	return (uint32_t)_mm_extract_epi32(s, 1);
}

/* Two 4-byte chunks (8 bytes at p), zero-extended into the two qwords, reversed. */
TGT_GFNI static inline __m128i gfni_pair(const uint8_t *p)
{
	return gfni_rev128(_mm_cvtepu32_epi64(_mm_loadl_epi64((const __m128i *)p)));
}

/*
 * Exactly 36 bytes, the latency path: nine 4-byte chunks in five registers,
 * nine multiplies against win[0..8] (no lane crossing, no byte shifts), two
 * levels of three-way XOR.
 */
TGT_GFNI static inline uint32_t gfni_36p(const struct tunvnet_toeplitz *t, const uint8_t *in,
					 const uint8_t *ports)
{
	const __m128i x0 = gfni_pair(in), x1 = gfni_pair(in + 8), x2 = gfni_pair(in + 16),
		      x3 = gfni_pair(in + 24);
	const __m128i x4 = gfni_rev128(_mm_cvtsi32_si128((int)tv_get_le32(ports)));
	const __m128i k0 = _mm_load_si128((const __m128i *)t->win);
	const __m128i k1 = _mm_load_si128((const __m128i *)(t->win + 2));
	const __m128i k2 = _mm_load_si128((const __m128i *)(t->win + 4));
	const __m128i k3 = _mm_load_si128((const __m128i *)(t->win + 6));
	const __m128i k4 = _mm_loadl_epi64((const __m128i *)(t->win + 8));
	const __m128i s0 = _mm_ternarylogic_epi64(_mm_clmulepi64_si128(x0, k0, 0x00),
						  _mm_clmulepi64_si128(x0, k0, 0x11),
						  _mm_clmulepi64_si128(x1, k1, 0x00), 0x96);
	const __m128i s1 = _mm_ternarylogic_epi64(_mm_clmulepi64_si128(x1, k1, 0x11),
						  _mm_clmulepi64_si128(x2, k2, 0x00),
						  _mm_clmulepi64_si128(x2, k2, 0x11), 0x96);
	const __m128i s2 = _mm_ternarylogic_epi64(_mm_clmulepi64_si128(x3, k3, 0x00),
						  _mm_clmulepi64_si128(x3, k3, 0x11),
						  _mm_clmulepi64_si128(x4, k4, 0x00), 0x96);

	return (uint32_t)_mm_extract_epi32(_mm_ternarylogic_epi64(s0, s1, s2, 0x96), 1);
}

TGT_GFNI static inline uint32_t gfni_12x(const struct tunvnet_toeplitz *t, const uint8_t *in)
{
	return gfni_12p(t, in, in + 8);
}

TGT_GFNI static inline __mmask64 len_mask(size_t len)
{
	return len >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << len) - 1;
}

TGT_GFNI static uint32_t gfni_hash(const struct tunvnet_toeplitz *t, const uint8_t *in,
				   size_t len)
{
	__mmask64 m = len_mask(len);

	if (len == 12)
		return gfni_12x(t, in);
	if (len == 36)
		return gfni_36p(t, in, in + 32);
	if (len <= 12)
		return gfni_12(t, in, (__mmask16)m);
	if (len <= 16)
		return gfni_16(t, in, (__mmask16)m);
	return gfni_36(t, in, (__mmask32)m, (__mmask16)(m >> 32));
}

TGT_GFNI static uint32_t gfni_tuple(const struct tunvnet_toeplitz *t, const uint8_t *a,
				    size_t alen, const uint8_t *ports)
{
	return alen == 8 ? gfni_12p(t, a, ports) : gfni_36p(t, a, ports);
}

/*
 * Bulk, up to 16 bytes: four inputs, one per 128-bit lane, so every
 * instruction works on four hashes at once.
 */
TGT_GFNI static void gfni_bulk16(const struct tunvnet_toeplitz *t, const uint8_t *in,
				 size_t len, size_t stride, size_t n, uint32_t *out)
{
	const __mmask16 m = (__mmask16)len_mask(len);
	const __m512i rev = _mm512_set1_epi64(REV_MATRIX);
	const __m512i klo = _mm512_broadcast_i32x4(_mm_load_si128((const __m128i *)t->klo));
	const __m512i khi = _mm512_broadcast_i32x4(_mm_load_si128((const __m128i *)t->khi));
	/* Dword 2 of every lane, gathered into the low four dwords. */
	const __m512i pick = _mm512_setr_epi32(2, 6, 10, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		const uint8_t *p = in + i * stride;
		__m512i x = _mm512_castsi128_si512(_mm_maskz_loadu_epi8(m, p));
		__m512i lo, hi, r;

		x = _mm512_inserti32x4(x, _mm_maskz_loadu_epi8(m, p + stride), 1);
		x = _mm512_inserti32x4(x, _mm_maskz_loadu_epi8(m, p + 2 * stride), 2);
		x = _mm512_inserti32x4(x, _mm_maskz_loadu_epi8(m, p + 3 * stride), 3);
		x = _mm512_gf2p8affine_epi64_epi8(x, rev, 0);
		lo = _mm512_xor_si512(_mm512_clmulepi64_epi128(x, klo, 0x00),
				      _mm512_clmulepi64_epi128(x, klo, 0x11));
		hi = _mm512_xor_si512(_mm512_clmulepi64_epi128(x, khi, 0x00),
				      _mm512_clmulepi64_epi128(x, khi, 0x11));
		r = _mm512_xor_si512(lo, _mm512_bslli_epi128(hi, 8));
		_mm_storeu_si128((__m128i *)(out + i),
				 _mm512_castsi512_si128(_mm512_permutexvar_epi32(pick, r)));
	}
	for (; i < n; i++)
		out[i] = gfni_16(t, in + i * stride, m);
}

TGT_GFNI static void gfni_bulk(const struct tunvnet_toeplitz *t, const uint8_t *in, size_t len,
			       size_t stride, size_t n, uint32_t *out)
{
	__mmask64 m = len_mask(len);
	size_t i;

	if (len <= 16) {
		gfni_bulk16(t, in, len, stride, n, out);
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = gfni_36(t, in + i * stride, (__mmask32)m, (__mmask16)(m >> 32));
}

bool tv_toeplitz_x86_available(enum tunvnet_toeplitz_impl impl)
{
	__builtin_cpu_init();
	switch (impl) {
	case TUNVNET_TOEPLITZ_CLMUL:
		return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1") &&
		       __builtin_cpu_supports("ssse3");
	case TUNVNET_TOEPLITZ_GFNI:
		/* libgcc checks that the OS saves the AVX-512 state too. */
		return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("gfni") &&
		       __builtin_cpu_supports("vpclmulqdq") &&
		       __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vl");
	default:
		return false;
	}
}

void tv_toeplitz_x86_setup(struct tunvnet_toeplitz *t, enum tunvnet_toeplitz_impl impl)
{
	size_t j;

	for (j = 0; j < 5; j++) {
		t->klo[j] = t->win[2 * j + 1];
		t->khi[j] = t->win[2 * j] >> 32;
	}
	if (impl == TUNVNET_TOEPLITZ_GFNI) {
		t->hash = gfni_hash;
		t->bulk = gfni_bulk;
		t->tuple = gfni_tuple;
	} else {
		t->hash = clmul_hash;
		t->bulk = clmul_bulk;
		t->tuple = clmul_tuple;
	}
}

#else /* !x86-64 */

bool tv_toeplitz_x86_available(enum tunvnet_toeplitz_impl impl)
{
	(void)impl;
	return false;
}

void tv_toeplitz_x86_setup(struct tunvnet_toeplitz *t, enum tunvnet_toeplitz_impl impl)
{
	(void)t;
	(void)impl;
}

#endif
