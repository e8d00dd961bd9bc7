/* SPDX-License-Identifier: MIT */
/*
 * The short key: the series copies only 4 key bytes for some type sets and
 * hashes with whatever its buffer holds after them. The verifier learns
 * those bytes from the observed (input, hash) pairs by Gaussian elimination
 * over GF(2) (at most 288 equations: bounded whatever the traffic), and
 * without REPORT holds each Toeplitz input to one queue (a bounded table).
 */
#include "verify.h"

/*
 * virtio_net_hash_key_length() as posted (v5 through v12) tests the type
 * mask against VIRTIO_NET_HASH_REPORT_* values (1..6) where it means the
 * VIRTIO_NET_RSS_HASH_TYPE_* bits. Any IPv4 type bit happens to yield 40;
 * types without one yield 4, so the kernel copies only 4 key bytes and
 * hashes with whatever its (kmalloc'd, not zeroed) buffer holds after them.
 */
size_t tv_series_key_len(uint32_t types)
{
	size_t len = 0;

	if (types & 1u) /* VIRTIO_NET_HASH_REPORT_IPv4 */
		len = 8;
	if ((types & (2u | 3u)) && len < 12) /* REPORT_TCPv4 | REPORT_UDPv4 */
		len = 12;
	if ((types & 4u) && len < 32) /* REPORT_IPv6 */
		len = 32;
	if ((types & (5u | 6u)) && len < 36) /* REPORT_TCPv6 | REPORT_UDPv6 */
		len = 36;
	return len + 4;
}

static bool sk_bit(const uint64_t *w, unsigned int c)
{
	return w[c / 64] >> (c % 64) & 1;
}

static bool sk_zero(const struct sk_row *r)
{
	for (unsigned int k = 0; k < SK_WORDS; k++)
		if (r->w[k])
			return false;
	return true;
}

static void sk_xor(struct sk_row *r, const struct sk_row *s)
{
	for (unsigned int k = 0; k < SK_WORDS; k++)
		r->w[k] ^= s->w[k];
	r->rhs ^= s->rhs;
}

/* Eliminate every pivot column from r; rows hold no other pivot column,
 * so the pivots r has on entry are all there are to clear. */
static void sk_reduce(const struct sk_solver *s, struct sk_row *r)
{
	for (unsigned int k = 0; k < SK_WORDS; k++) {
		uint64_t m = r->w[k] & s->pivots[k];

		while (m) {
			unsigned int c = k * 64 + (unsigned int)__builtin_ctzll(m);

			m &= m - 1;
			sk_xor(r, &s->rows[c]);
		}
	}
}

/* Add one equation; false when it contradicts the ones already there. */
static bool sk_add(struct sk_solver *s, struct sk_row r)
{
	unsigned int c = 0, k;

	sk_reduce(s, &r);
	if (sk_zero(&r))
		return r.rhs == 0;
	for (k = 0; k < SK_WORDS; k++)
		if (r.w[k]) {
			c = k * 64 + (unsigned int)__builtin_ctzll(r.w[k]);
			break;
		}
	/* Keep the form reduced: clear column c from every other row. */
	for (k = 0; k < SK_WORDS; k++) {
		uint64_t m = s->pivots[k];

		while (m) {
			unsigned int o = k * 64 + (unsigned int)__builtin_ctzll(m);

			m &= m - 1;
			if (sk_bit(s->rows[o].w, c))
				sk_xor(&s->rows[o], &r);
		}
	}
	s->rows[c] = r;
	s->pivots[c / 64] |= 1ull << (c % 64);
	s->rank++;
	return true;
}

/*
 * The 32 equations one observation gives: hash bit j is the XOR of key
 * bits b + j over the set input bits b. Bits below 32 are the configured
 * key's and move to the right-hand side; the rest are unknowns.
 */
static void sk_equations(const uint8_t *key, const uint8_t *in, size_t len, uint32_t hash,
			 struct sk_row eq[32])
{
	memset(eq, 0, 32 * sizeof(*eq));
	for (unsigned int j = 0; j < 32; j++)
		eq[j].rhs = (uint8_t)(hash >> (31 - j) & 1);
	for (unsigned int b = 0; b < len * 8; b++) {
		if (!(in[b / 8] & (0x80 >> (b % 8))))
			continue;
		for (unsigned int j = 0; j < 32; j++) {
			unsigned int k = b + j;

			if (k < 32)
				eq[j].rhs ^= (uint8_t)(key[k / 8] >> (7 - k % 8) & 1);
			else if (k - 32 < SK_COLS)
				eq[j].w[(k - 32) / 64] ^= 1ull << ((k - 32) % 64);
		}
	}
}

/*
 * Whether hash fits the key learned so far for this input. Returns -1 on a
 * contradiction, else how many of the 32 hash bits the learned key already
 * determined (32: the hash was predicted exactly). With commit, the
 * observation is learned.
 */
int tv_sk_check(struct tunvnet_verifier *v, const uint8_t *in, size_t len, uint32_t hash,
		    bool commit)
{
	struct sk_row eq[32];
	int determined = 0;

	sk_equations(v->key, in, len, hash, eq);
	for (unsigned int j = 0; j < 32; j++) {
		struct sk_row r = eq[j];

		sk_reduce(v->sk, &r);
		if (sk_zero(&r)) {
			if (r.rhs)
				return -1;
			determined++;
		}
	}
	if (determined == 32) {
		if (commit)
			v->sk->hashes++;
		return 32;
	}
	/* The new equations may still contradict each other: add them to a copy. */
	*v->sk_next = *v->sk;
	for (unsigned int j = 0; j < 32; j++)
		if (!sk_add(v->sk_next, eq[j]))
			return -1;
	if (commit) {
		struct sk_solver *t = v->sk;

		v->sk = v->sk_next;
		v->sk_next = t;
		v->sk->hashes++;
	}
	return determined;
}

/* RSS alone: every packet with the same Toeplitz input on the same queue.
 * Returns the earlier queue when it differs, else -1. */
int tv_input_queue_check(struct tunvnet_verifier *v, const struct tunvnet_class *cls,
			     unsigned int q, bool commit)
{
	struct tv_input_slot *s;
	uint32_t h = 2166136261u;

	for (unsigned int i = 0; i < cls->input_len; i++)
		h = (h ^ cls->input[i]) * 16777619u;
	s = &v->inputs[(h ^ cls->input_len) % TV_INPUT_SLOTS];
	if (s->used && s->len == cls->input_len && !memcmp(s->in, cls->input, s->len)) {
		if (s->queue != q)
			return s->queue;
		return -1;
	}
	if (commit) {
		memcpy(s->in, cls->input, cls->input_len);
		s->len = cls->input_len;
		s->queue = (uint16_t)q;
		s->used = true;
	}
	return -1;
}
