/* SPDX-License-Identifier: MIT */
/*
 * Verification: what the kernel reported for one packet against what the
 * configuration in force calls for.
 *
 * Three modes, after the configuration's flags:
 *   off (flags 0)   no report may appear (report NONE, value 0); any queue.
 *   RSS (+REPORT)   fully predictable: Toeplitz over the classified input,
 *                   queue from the table; the hash fields are 0 without REPORT.
 *   automq (REPORT) the value is the kernel's flow-dissector hash (or the
 *                   skb's L4 hash), which user space cannot recompute: only the
 *                   report type, the queue rule of the driver and per-flow
 *                   consistency are checked.
 *
 * RSS with types the series copies only 4 key bytes for (short key, see
 * series_key_len) is checked the same way but against the key the kernel
 * really holds: its first 4 bytes are the configured ones, the rest is
 * learned from the observed (input, hash) pairs (GF(2) elimination), and a
 * hash is checked exactly once the learned bits determine it.
 *
 * When that comparison fails, every explanation (a known behaviour of the
 * posted series) whose own precondition holds proposes how the kernel
 * classified the packet instead; one that fits names the deviation, a
 * listed one before an unlisted one. The verdict is KNOWN_DEVIATION when
 * the caller listed every deviation seen, else MISMATCH.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#define TV_DEVIATIONS_ALL                                                                  \
	(TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE | TUNVNET_DEVIATION_SHORT_KEY_IPV6 |       \
	 TUNVNET_DEVIATION_VLAN_AF_PACKET | TUNVNET_DEVIATION_TUNNEL_INNER)

/*
 * Flows remembered for the automq consistency check: a fixed table of
 * TV_FLOW_SLOTS (4096), direct-mapped, so memory is bounded whatever the
 * traffic: a flow whose slot another flow takes is forgotten and learned
 * again from its next packet (a change across that goes unseen). The key
 * is the outer flow, the inner one past a tunnel (zero if none), then the
 * tunnel header words the dissector's keys depend on.
 */
#define TV_FLOW_SLOTS 4096u /* a power of two; documented in tunvnet_verifier_new(3) */
#define TV_FLOW_HALF 5                      /* words of one flow: meta+ports, addresses */
#define TV_FLOW_WORDS (2 * TV_FLOW_HALF + 2) /* outer, inner, the tunnel's two words */

/* A slot holds a flow's 128-bit identity, not its key: 24 bytes, so the
 * table (96 KiB) stays in cache. Two flows sharing an identity would take
 * 2^64 flows to expect. */
struct tv_flow_slot {
	uint64_t id[2];
	uint32_t value;
	uint16_t queue;
	bool used;
};

/*
 * The short key's unknowns: key bits 32..319 (the bytes the kernel did not
 * copy). Bit k of the key enters hash bit j (from the MSB) for every set
 * input bit k - j, so a 36-byte input reaches key bit 318 at most.
 */
#define SK_COLS 288u
#define SK_WORDS ((SK_COLS + 63) / 64)

/* One linear equation over the unknown key bits: w . x = rhs. */
struct sk_row {
	uint64_t w[SK_WORDS];
	uint8_t rhs;
};

/* Reduced row echelon form: rows[c] is the equation whose lowest column is
 * c (set in pivots), and no other row has column c. At most SK_COLS rows. */
struct sk_solver {
	uint64_t pivots[SK_WORDS];
	unsigned int rank;
	uint64_t hashes; /* observations learned from */
	struct sk_row rows[SK_COLS];
};

/* RSS without REPORT under the short key: the queue each Toeplitz input
 * went to (direct-mapped like the flow slots). */
#define TV_INPUT_SLOTS 1024u

struct tv_input_slot {
	uint8_t in[TUNVNET_TOEPLITZ_INPUT_MAX];
	uint8_t len;
	uint16_t queue;
	bool used;
};

struct tunvnet_verifier {
	struct tunvnet_verify_opts o; /* o.cfg.key and o.cfg.table point at the copies below */
	uint8_t key[TUNVNET_KEY_MAX];
	uint16_t *table;
	uint16_t *qtab;              /* RSS: table[i] % num_queues, the queue per entry */
	uint32_t qmask;              /* table_len - 1 */
	uint16_t unclassified_q;     /* unclassified_queue % num_queues */
	bool rss_exact;              /* RSS with the full key: every field predictable */
	struct tunvnet_toeplitz *tp; /* RSS only */
	struct tunvnet_verify_stats st;
	struct tv_flow_slot *flows;  /* automq only */
	uint64_t flows_evicted;      /* flows forgotten for a newer one in their slot */
	size_t kernel_key_len;       /* < cfg.key_len: the short key is in force */
	struct sk_solver *sk, *sk_next; /* short key with REPORT: state, scratch */
	struct tv_input_slot *inputs;   /* short key without REPORT */
	uint64_t *reachable;            /* ... and the queues the table can give */
	uint8_t *tun_buf;            /* a tunnel's inner packet, behind a 4-byte pi */
	size_t tun_cap;
};

/* What one packet should look like in the header and on which queue. */
struct tv_expect {
	unsigned int report;
	uint32_t value;
	int queue;          /* -1: any queue */
	bool value_checked; /* false: the value cannot be predicted */
};

/* Past a tunnel header, what the flow dissector ends up on. */
struct tv_tunnel {
	bool reached;             /* the dissector reads a tunnel header */
	bool gre;                 /* ... a GRE one: gre_word holds its first 4 bytes */
	uint32_t gre_word;
	bool inner;               /* the kernel follows the tunnel: cls below */
	struct tunvnet_flow flow; /* the innermost packet (zero when NONE) */
	struct tunvnet_class cls; /* its classification; NONE when the dissection fails */
	uint32_t gre_key;         /* part of the kernel's flow keys */
	char what[48];
};

/* One packet under test. */
struct tv_pkt {
	struct tunvnet_flow flow; /* valid once have_flow (pkt_parse) */
	bool have_flow;
	struct tunvnet_class cls; /* cls.hash: Toeplitz with the configured key (RSS) */
	struct tv_tunnel tun;
	const uint8_t *frame;
	size_t len;
	unsigned int q;
	unsigned int obs_report;
	uint32_t obs_value;
};

/* How one classification of the packet fares against the observation. */
struct tv_outcome {
	struct tv_expect e; /* per the configured key */
	bool holds;
	bool short_key;     /* holds only with the kernel's short key */
	bool hash_checked;
	char note[96];
};

static bool is_automq(const struct tunvnet_verifier *v)
{
	return (v->o.cfg.flags & (TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS)) == TUNVNET_HASH_REPORT;
}

/* macvtap and ipvtap go through drivers/net/tap.c; tun and tap devices
 * (IFF_TUN / IFF_TAP) through drivers/net/tun.c, whose automq rule differs. */
static bool is_vtap(enum tunvnet_kind kind)
{
	return kind == TUNVNET_KIND_MACVTAP || kind == TUNVNET_KIND_IPVTAP;
}

/*
 * virtio_net_hash_key_length() as posted (v5 through v12) tests the type
 * mask against VIRTIO_NET_HASH_REPORT_* values (1..6) where it means the
 * VIRTIO_NET_RSS_HASH_TYPE_* bits. Any IPv4 type bit happens to yield 40;
 * types without one yield 4, so the kernel copies only 4 key bytes and
 * hashes with whatever its (kmalloc'd, not zeroed) buffer holds after them.
 */
static size_t series_key_len(uint32_t types)
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

static bool short_key(const struct tunvnet_verifier *v)
{
	return v->kernel_key_len != 0;
}

/* The expectation for a packet the kernel classified as report with hash
 * (the Toeplitz value; ignored outside RSS). */
static struct tv_expect expect_for(const struct tunvnet_verifier *v, const struct tv_pkt *p,
				   unsigned int report, uint32_t hash)
{
	const struct tunvnet_hash_cfg *cfg = &v->o.cfg;
	unsigned int n = v->o.num_queues;
	struct tv_expect e = { .report = TUNVNET_REPORT_NONE, .queue = -1, .value_checked = true };

	if (!(cfg->flags & (TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS)))
		return e; /* off: no report, the queue is the kernel's business */
	if (cfg->flags & TUNVNET_HASH_RSS) {
		/* tunvnet_rss_queue, precomputed: no division or validation per packet */
		e.queue = report == TUNVNET_REPORT_NONE ? v->unclassified_q : v->qtab[hash & v->qmask];
		if ((cfg->flags & TUNVNET_HASH_REPORT) && report != TUNVNET_REPORT_NONE) {
			e.report = report;
			e.value = hash;
		}
		return e;
	}
	if (is_vtap(v->o.kind)) {
		/* tap.c reports the flow hash rxq it picks taps[rxq % n] with; a
		 * single queue, or rxq 0, takes a path that reports nothing. */
		if (n == 1) {
			e.queue = 0;
		} else if (p->obs_value != 0) {
			e.report = report;
			e.value_checked = false;
			e.queue = (int)(p->obs_value % n); /* tunvnet_automq_queue */
		}
		return e;
	}
	/* tun.c: value and queue come from its flow table and siphash. */
	e.report = report;
	e.value_checked = false;
	return e;
}

static bool expect_holds(const struct tv_expect *e, const struct tv_pkt *p)
{
	return p->obs_report == e->report && (!e->value_checked || p->obs_value == e->value) &&
	       (e->queue < 0 || (unsigned int)e->queue == p->q);
}

/* ---- the short key: learning the kernel's key from its hashes ---- */

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
static int sk_check(struct tunvnet_verifier *v, const uint8_t *in, size_t len, uint32_t hash,
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
static int input_queue_check(struct tunvnet_verifier *v, const struct tunvnet_class *cls,
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

/* ---- one classification against the observation ---- */

/*
 * Does the observation fit the kernel having classified the packet as cls?
 * Straight comparison, except under the short key: there the report type
 * is exact, the queue must follow from the observed hash (or, without
 * REPORT, be the same for the same input), and the hash must fit the key
 * learned so far. commit: learn from it (only if it holds).
 */
static void outcome_for(struct tunvnet_verifier *v, const struct tv_pkt *p,
			const struct tunvnet_class *cls, bool commit, struct tv_outcome *o)
{
	const struct tunvnet_hash_cfg *cfg = &v->o.cfg;
	uint32_t hash = 0;

	memset(o, 0, sizeof(*o));
	if (cls == &p->cls)
		hash = p->cls.hash; /* computed once, with the classification */
	else if (v->tp && cls->report != TUNVNET_REPORT_NONE)
		hash = tunvnet_toeplitz_hash(v->tp, cls->input, cls->input_len);
	o->e = expect_for(v, p, cls->report, hash);
	o->hash_checked = o->e.value_checked;
	if (!short_key(v) || cls->report == TUNVNET_REPORT_NONE) {
		o->holds = expect_holds(&o->e, p);
		return;
	}
	o->hash_checked = false;
	if (cfg->flags & TUNVNET_HASH_REPORT) {
		int qh = v->qtab[p->obs_value & v->qmask]; /* cls->report is not NONE here */
		int det;

		if (p->obs_report != cls->report) {
			snprintf(o->note, sizeof(o->note), "report type differs");
			return;
		}
		if (qh != (int)p->q) {
			snprintf(o->note, sizeof(o->note),
				 "queue %u, but the observed hash gives queue %d", p->q, qh);
			return;
		}
		det = sk_check(v, cls->input, cls->input_len, p->obs_value, false);
		if (det < 0) {
			snprintf(o->note, sizeof(o->note),
				 "hash contradicts the %zu-byte kernel key learned from %llu hashes",
				 v->kernel_key_len, (unsigned long long)v->sk->hashes);
			return;
		}
		o->holds = true;
		o->short_key = p->obs_value != hash;
		o->hash_checked = det == 32 || !o->short_key;
		snprintf(o->note, sizeof(o->note),
			 "kernel key %zu bytes for types %#x, %s (%u of %u tail bits learned)",
			 v->kernel_key_len, cfg->types,
			 det == 32 ? "hash predicted" : "hash learned", v->sk->rank, SK_COLS);
		if (commit)
			sk_check(v, cls->input, cls->input_len, p->obs_value, true);
		return;
	}
	/* RSS alone: the hash fields stay 0; only the queue is visible. */
	if (p->obs_report != TUNVNET_REPORT_NONE || p->obs_value != 0) {
		snprintf(o->note, sizeof(o->note), "hash fields set without REPORT");
		return;
	}
	if (p->q >= 65536 || !(v->reachable[p->q / 64] >> (p->q % 64) & 1)) {
		snprintf(o->note, sizeof(o->note), "no table entry gives queue %u", p->q);
		return;
	}
	{
		int before = input_queue_check(v, cls, p->q, false);

		if (before >= 0) {
			snprintf(o->note, sizeof(o->note),
				 "the same Toeplitz input went to queue %d before", before);
			return;
		}
	}
	o->holds = true;
	o->short_key = o->e.queue != (int)p->q;
	snprintf(o->note, sizeof(o->note),
		 "kernel key %zu bytes for types %#x, queue consistent per input",
		 v->kernel_key_len, cfg->types);
	if (commit)
		input_queue_check(v, cls, p->q, true);
}

/* ---- tunnels: where the kernel's flow dissector goes past GRE / IPIP ---- */

#define IPPROTO_IPIP_ 4
#define IPPROTO_IPV6_ 41
#define IPPROTO_GRE_ 47
#define GRE_CSUM 0x8000u
#define GRE_ROUTING 0x4000u
#define GRE_KEY 0x2000u
#define GRE_SEQ 0x1000u
#define GRE_ACK 0x0080u /* version 1 (PPTP) only */
#define GRE_VERSION 0x0007u
#define GRE_PROTO_PPP 0x880bu
#define ETH_P_TEB_ 0x6558u
#define ETH_P_IP_ 0x0800u
#define ETH_P_IPV6_ 0x86ddu
/* Nested tunnels followed; the dissector's own bound is 15 headers in all. */
#define TV_TUNNEL_DEPTH 4

/*
 * Whether the dissector reaches the protocol field of f at all: not on
 * fragments (no FLOW_DISSECTOR_F_PARSE_1ST_FRAG), not past IPv6 AH (it
 * stops there), not behind a 0x9100 tag.
 */
static bool tunnel_reached(const struct tunvnet_flow *f)
{
	if (!(f->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6)) ||
	    (f->flags & (TUNVNET_FLOW_FRAGMENT | TUNVNET_FLOW_VLAN_9100)) ||
	    ((f->flags & TUNVNET_FLOW_IPV6) && (f->flags & TUNVNET_FLOW_AH)))
		return false;
	return f->l4_proto == IPPROTO_GRE_ || f->l4_proto == IPPROTO_IPIP_ ||
	       f->l4_proto == IPPROTO_IPV6_;
}

enum tv_step {
	STEP_PLAIN,      /* the dissector stops at the outer header: no deviation */
	STEP_INNER_IP,   /* an IPv4/IPv6 packet (proto) follows at off */
	STEP_INNER_ETH,  /* an Ethernet frame follows at off (GRE 0x6558) */
	STEP_NONE,       /* the dissection fails or ends on a non-IP protocol */
	STEP_UNMODELLED, /* the kernel goes on into something not modelled here */
};

/*
 * One tunnel header at f->l4_off of p[0..len), as __skb_flow_dissect_gre()
 * and the IPIP / IPv6 cases of __skb_flow_dissect_ipproto() read it.
 */
static enum tv_step tunnel_step(const uint8_t *p, size_t len, const struct tunvnet_flow *f,
				uint16_t *proto, size_t *off, uint32_t *gre_key, char *what,
				size_t what_len)
{
	size_t o = f->l4_off, hl = 4, avail;
	uint16_t flags, gp, ver;

	if (f->l4_proto != IPPROTO_GRE_) {
		*proto = f->l4_proto == IPPROTO_IPIP_ ? ETH_P_IP_ : ETH_P_IPV6_;
		*off = o;
		snprintf(what, what_len, "%s", f->l4_proto == IPPROTO_IPIP_ ? "ipip" : "ipv6-in-ip");
		return STEP_INNER_IP;
	}
	avail = o < len ? len - o : 0;
	if (avail < 4) {
		snprintf(what, what_len, "gre header cut short");
		return STEP_NONE;
	}
	flags = tv_get_be16(p + o);
	gp = tv_get_be16(p + o + 2);
	ver = flags & GRE_VERSION;
	/* Only GRE without routing, version 0 or 1, is looked into. */
	if ((flags & GRE_ROUTING) || ver > 1)
		return STEP_PLAIN;
	if (ver == 1 && !(gp == GRE_PROTO_PPP && (flags & GRE_KEY))) {
		/*
		 * Not PPTP: the dissector stops, but has already taken the GRE
		 * protocol field as the packet's protocol. The outer family's own
		 * number changes nothing; another IP one would hash the outer
		 * addresses as the other family (not modelled); the rest is NONE.
		 */
		uint16_t outer = (f->flags & TUNVNET_FLOW_IPV4) ? ETH_P_IP_ : ETH_P_IPV6_;

		if (gp == outer)
			return STEP_PLAIN;
		if (gp == ETH_P_IP_ || gp == ETH_P_IPV6_)
			return STEP_UNMODELLED;
		snprintf(what, what_len, "gre v1 protocol 0x%04x", gp);
		return STEP_NONE;
	}
	if (flags & GRE_CSUM)
		hl += 4;
	if (flags & GRE_KEY) {
		if (avail < hl + 4) {
			snprintf(what, what_len, "gre key cut short");
			return STEP_NONE;
		}
		*gre_key = tv_get_be32(p + o + hl);
		hl += 4;
	}
	if (flags & GRE_SEQ)
		hl += 4;
	if (ver == 1) {
		uint16_t ppp;

		if (flags & GRE_ACK)
			hl += 4;
		if (avail < hl + 4) {
			snprintf(what, what_len, "pptp header cut short");
			return STEP_NONE;
		}
		ppp = tv_get_be16(p + o + hl + 2);
		hl += 4;
		snprintf(what, what_len, "pptp 0x%04x", ppp);
		if (ppp != 0x0021 && ppp != 0x0057)
			return STEP_NONE;
		*proto = ppp == 0x0021 ? ETH_P_IP_ : ETH_P_IPV6_;
		*off = o + hl;
		return STEP_INNER_IP;
	}
	snprintf(what, what_len, "gre 0x%04x", gp);
	*off = o + hl; /* may pass len: the inner packet is then empty */
	if (gp == ETH_P_TEB_)
		return STEP_INNER_ETH;
	if (gp == ETH_P_IP_ || gp == ETH_P_IPV6_) {
		*proto = gp;
		return STEP_INNER_IP;
	}
	/* Protocols the dissector goes on into (VLAN, PPPoE, batman, NSH). */
	if (gp == 0x8100 || gp == 0x88a8 || gp == 0x8864 || gp == 0x4305 || gp == 0x894f)
		return STEP_UNMODELLED;
	return STEP_NONE; /* MPLS, ARP, ...: n_proto not IP; unknown: out_bad */
}

/* Room for an inner packet behind a 4-byte pi header. */
static uint8_t *tun_room(struct tunvnet_verifier *v, size_t n)
{
	if (n > v->tun_cap) {
		uint8_t *b = realloc(v->tun_buf, n);

		if (!b)
			return NULL;
		v->tun_buf = b;
		v->tun_cap = n;
	}
	return v->tun_buf;
}

/*
 * Follow the tunnels of p the way the dissector does and classify the
 * innermost packet with the linux profile. Leaves p->tun.inner false when
 * there is no tunnel it follows (or one not modelled).
 */
static void tunnel_follow(struct tunvnet_verifier *v, struct tv_pkt *p)
{
	struct tv_tunnel *t = &p->tun;
	struct tunvnet_flow f = p->flow;
	const uint8_t *buf = p->frame;
	size_t len = p->len, n = 0;

	memset(t, 0, sizeof(*t));
	t->reached = true;
	/* Flags and protocol decide where the dissector stops, and what it
	 * takes as the protocol: part of the automq flow (flow_key). */
	if (f.l4_proto == IPPROTO_GRE_ && f.l4_off < len && len - f.l4_off >= 4) {
		t->gre = true;
		t->gre_word = tv_get_be32(buf + f.l4_off);
	}
	for (int depth = 0; depth < TV_TUNNEL_DEPTH && tunnel_reached(&f); depth++) {
		char what[32] = "";
		uint16_t proto = 0;
		size_t off = 0, inner;
		enum tv_step st = tunnel_step(buf, len, &f, &proto, &off, &t->gre_key, what,
					      sizeof(what));
		uint8_t *room;

		if (st == STEP_PLAIN)
			break;
		if (st == STEP_UNMODELLED)
			return;
		n += (size_t)snprintf(t->what + n, n < sizeof(t->what) ? sizeof(t->what) - n : 0,
				      "%s%s", n ? " > " : "", what);
		if (n >= sizeof(t->what))
			n = sizeof(t->what) - 1;
		t->inner = true;
		memset(&f, 0, sizeof(f));
		if (st == STEP_NONE)
			break;
		inner = off < len ? len - off : 0;
		/* The inner packet, behind a pi header carrying the protocol the
		 * dissector goes on with (it ignores the version nibble too). An
		 * earlier inner packet is a suffix of tun_buf: memmove. */
		/* A nested inner packet is shorter than the one it sits in, so
		 * the buffer it is read from never moves here. */
		room = buf != p->frame && inner + 4 > v->tun_cap ? NULL : tun_room(v, inner + 4);
		if (!room) {
			t->inner = false;
			return;
		}
		memmove(room + 4, buf + off, inner);
		if (st == STEP_INNER_ETH) {
			buf = room + 4;
			len = inner;
			if (tunvnet_packet_parse(buf, len, TUNVNET_L2_ETH, &f) < 0)
				memset(&f, 0, sizeof(f));
		} else {
			room[0] = room[1] = 0;
			tv_put_be16(room + 2, proto);
			buf = room;
			len = inner + 4;
			if (tunvnet_packet_parse(buf, len, TUNVNET_L2_IP_PI, &f) < 0)
				memset(&f, 0, sizeof(f));
		}
	}
	if (!t->inner)
		return;
	if (tunnel_reached(&f)) {
		t->inner = false; /* nested deeper than followed here */
		return;
	}
	t->flow = f;
	if (tunvnet_classify(&f, v->o.cfg.types, TUNVNET_PROFILE_LINUX, &t->cls) < 0)
		memset(&t->cls, 0, sizeof(t->cls));
}

/* ---- explanations of a failed comparison ---- */

struct tv_explanation {
	uint32_t deviation;
	/* The kernel always acts so when the precondition holds: tried before
	 * the plain expectation, whose weaker checks (automq, short key without
	 * REPORT) could otherwise accept the packet and learn from it wrongly. */
	bool certain;
	/* Whether its precondition holds for p; if so, how the kernel classified
	 * the packet instead, and a short note for the verdict line. */
	bool (*alt)(const struct tunvnet_verifier *v, const struct tv_pkt *p,
		    struct tunvnet_class *cls, char *note, size_t note_len);
};

/*
 * A tagged frame injected with AF_PACKET on a tap device itself reaches
 * the series with the VLAN protocol but the network header past the tags,
 * so it is classified NONE (uapi.md, "Injecting test traffic"). Only a
 * tap's own frames can: macvtap/ipvtap queues and tun carry none of them.
 */
static bool alt_vlan_af_packet(const struct tunvnet_verifier *v, const struct tv_pkt *p,
			       struct tunvnet_class *cls, char *note, size_t note_len)
{
	if (v->o.l2 != TUNVNET_L2_ETH || is_vtap(v->o.kind) || !p->flow.vlan_tags ||
	    p->cls.report == TUNVNET_REPORT_NONE)
		return false;
	memset(cls, 0, sizeof(*cls));
	snprintf(note, note_len, "%u vlan tags misread", p->flow.vlan_tags);
	return true;
}

/*
 * The series dissects without FLOW_DISSECTOR_F_STOP_AT_ENCAP: past a GRE
 * (v0, or PPTP), IPIP or IPv6-in-IP header it hashes the inner packet, and
 * a GRE header it cannot follow leaves report NONE. The spec wants the
 * outer addresses.
 */
static bool alt_tunnel_inner(const struct tunvnet_verifier *v, const struct tv_pkt *p,
			     struct tunvnet_class *cls, char *note, size_t note_len)
{
	(void)v;
	/* An inner classification equal to the outer one is no deviation. */
	if (!p->tun.inner ||
	    (p->tun.cls.report == p->cls.report && p->tun.cls.input_len == p->cls.input_len &&
	     !memcmp(p->tun.cls.input, p->cls.input, p->cls.input_len)))
		return false;
	*cls = p->tun.cls;
	snprintf(note, note_len, "%s: inner %s", p->tun.what,
		 p->tun.cls.report ? tunvnet_report_name(p->tun.cls.report) : "not hashed");
	return true;
}

static const struct tv_explanation explanations[] = {
	{ TUNVNET_DEVIATION_TUNNEL_INNER, true, alt_tunnel_inner },
	{ TUNVNET_DEVIATION_VLAN_AF_PACKET, false, alt_vlan_af_packet },
};

/* Every deviation's name, for the verdict line. */
static const struct {
	uint32_t bit;
	const char *name;
} deviations[] = {
	{ TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE, "automq-value-is-queue" },
	{ TUNVNET_DEVIATION_SHORT_KEY_IPV6, "short-key-ipv6" },
	{ TUNVNET_DEVIATION_VLAN_AF_PACKET, "vlan-af-packet" },
	{ TUNVNET_DEVIATION_TUNNEL_INNER, "tunnel-inner" },
};

/* "a + b (unlisted)": the ones the caller did not list are marked. */
static void deviation_names(uint32_t dev, uint32_t unlisted, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < TV_ARRAY_SIZE(deviations) && n < len; i++) {
		if (!(dev & deviations[i].bit))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s%s", n ? " + " : "", deviations[i].name,
				      unlisted & deviations[i].bit ? " (unlisted)" : "");
	}
}

/* ---- per-flow consistency (automq) ---- */

/*
 * One flow's words: ethertype, protocol, family and ports, then the
 * addresses as loaded from memory. The parsed flow and the fast walk both
 * come here, so they cannot differ; built in registers (no byte stores
 * read back as words). Returns how many words carry the flow (2 or 5).
 */
static unsigned int flow_words(uint64_t w[TV_FLOW_HALF], uint16_t ethertype, uint8_t proto,
			       bool v4, const uint8_t *src, const uint8_t *dst, uint32_t ports)
{
	w[0] = (uint64_t)ethertype << 48 | (uint64_t)proto << 40 | (uint64_t)(v4 ? 4 : 6) << 32 |
	       ports;
	if (v4) {
		uint32_t a, b;

		memcpy(&a, src, 4);
		memcpy(&b, dst, 4);
		w[1] = (uint64_t)a << 32 | b;
		w[2] = w[3] = w[4] = 0;
		return 2;
	}
	memcpy(&w[1], src, 8);
	memcpy(&w[2], src + 8, 8);
	memcpy(&w[3], dst, 8);
	memcpy(&w[4], dst + 8, 8);
	return 5;
}

/*
 * The kernel's automq hash covers the whole flow (addresses, protocol,
 * ports) whatever the configured types, so the flow is keyed on the parsed
 * tuple, not on the Toeplitz input. Fragments carry no ports for it.
 * 0 for a packet that is not IP.
 */
static unsigned int flow_key(const struct tunvnet_flow *f, uint64_t w[TV_FLOW_HALF])
{
	bool with_ports = (f->flags & TUNVNET_FLOW_PORTS) && !(f->flags & TUNVNET_FLOW_FRAGMENT);

	if (!(f->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6))) {
		memset(w, 0, TV_FLOW_HALF * sizeof(*w));
		return 0;
	}
	return flow_words(w, f->ethertype, f->l4_proto, f->flags & TUNVNET_FLOW_IPV4, f->src, f->dst,
			  with_ports ? (uint32_t)f->src_port << 16 | f->dst_port : 0);
}

/* The words of p's whole key (outer flow, inner flow past a tunnel, tunnel
 * words) that are not all zero: 0 when p is not IP. */
static unsigned int pkt_flow_key(const struct tv_pkt *p, const struct tv_fast_info *fi,
				 uint64_t w[TV_FLOW_WORDS])
{
	unsigned int n;

	if (!p->have_flow) /* the fast walk took it: plain IPv4/IPv6, no tunnel */
		n = flow_words(w, fi->ethertype, fi->l4_proto, fi->alen == 4, fi->addrs,
			       fi->addrs + fi->alen, fi->ports ? tv_get_be32(fi->ports) : 0);
	else
		n = flow_key(&p->flow, w);
	if (!n || !p->tun.reached)
		return n;
	/* Past a tunnel the dissector's keys hold the inner flow, the GRE key
	 * and, where it stops early, the GRE protocol: all of it is the flow. */
	if (!p->tun.inner || !flow_key(&p->tun.flow, w + TV_FLOW_HALF))
		memset(w + TV_FLOW_HALF, 0, TV_FLOW_HALF * sizeof(*w));
	w[2 * TV_FLOW_HALF] = 1ull << 63 | (uint64_t)p->tun.gre << 62 | p->tun.gre_word;
	w[2 * TV_FLOW_HALF + 1] = p->tun.gre_key;
	return TV_FLOW_WORDS;
}

/*
 * The flow's 128-bit identity: two independent multiply-mix lanes over its
 * words. The word count is part of the input (a tunnel's key is longer).
 */
static void flow_id(const uint64_t *w, unsigned int n, uint64_t id[2])
{
	uint64_t a = 0x9e3779b97f4a7c15ull ^ n, b = 0xc2b2ae3d27d4eb4full ^ n;

	for (unsigned int i = 0; i < n; i++) {
		a = (a ^ w[i]) * 0xff51afd7ed558ccdull;
		a ^= a >> 29;
		b = (b ^ w[i]) * 0xc4ceb9fe1a85ec53ull;
		b ^= b >> 31;
	}
	a = (a ^ (a >> 32)) * 0x94d049bb133111ebull;
	b = (b ^ (b >> 33)) * 0xbf58476d1ce4e5b9ull;
	id[0] = a ^ (a >> 31);
	id[1] = b ^ (b >> 29);
}

/* Remember p's flow; false (with the earlier observation) when it changed. */
static bool flow_consistent(struct tunvnet_verifier *v, const struct tv_pkt *p,
			    const struct tv_fast_info *fi, struct tv_flow_slot *before)
{
	uint64_t w[TV_FLOW_WORDS], id[2];
	struct tv_flow_slot *s;
	unsigned int n;
	bool same;

	if (!v->flows || !(n = pkt_flow_key(p, fi, w)))
		return true;
	flow_id(w, n, id);
	s = &v->flows[id[0] & (TV_FLOW_SLOTS - 1)];
	if (!s->used || s->id[0] != id[0] || s->id[1] != id[1]) {
		/* New, or its slot held another flow, which is forgotten (the bound). */
		if (s->used)
			v->flows_evicted++;
		s->id[0] = id[0];
		s->id[1] = id[1];
		s->used = true;
		s->value = p->obs_value;
		s->queue = (uint16_t)p->q;
		return true;
	}
	same = s->value == p->obs_value && s->queue == p->q;
	*before = *s;
	/* Keep the latest, so a flow that moved is reported once, not forever. */
	s->value = p->obs_value;
	s->queue = (uint16_t)p->q;
	return same;
}

/* ---- the verdict line ---- */

static void describe_flow(const struct tunvnet_flow *f, bool brief, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	const char *l4 = f->flags & TUNVNET_FLOW_TCP ? "tcp" : f->flags & TUNVNET_FLOW_UDP ? "udp" : "ip";
	bool v4 = f->flags & TUNVNET_FLOW_IPV4;
	int af = v4 ? AF_INET : AF_INET6;
	size_t n;

	if (!(f->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6))) {
		if (f->ethertype)
			snprintf(buf, len, "non-ip ethertype 0x%04x", f->ethertype);
		else
			snprintf(buf, len, "non-ip frame");
		return;
	}
	if (brief || !inet_ntop(af, f->src, s, sizeof(s)) || !inet_ntop(af, f->dst, d, sizeof(d))) {
		snprintf(buf, len, "%sv%c", l4, v4 ? '4' : '6');
		return;
	}
	if ((f->flags & TUNVNET_FLOW_PORTS) && (f->flags & (TUNVNET_FLOW_TCP | TUNVNET_FLOW_UDP)))
		snprintf(buf, len, v4 ? "%sv4 %s:%u -> %s:%u" : "%sv6 [%s]:%u -> [%s]:%u", l4, s,
			 f->src_port, d, f->dst_port);
	else
		snprintf(buf, len, "%sv%c %s -> %s", l4, v4 ? '4' : '6', s, d);
	n = strlen(buf);
	if (!(f->flags & (TUNVNET_FLOW_TCP | TUNVNET_FLOW_UDP)) && n < len)
		snprintf(buf + n, len - n, " proto %u", f->l4_proto);
	n = strlen(buf);
	if ((f->flags & TUNVNET_FLOW_FRAGMENT) && n < len)
		snprintf(buf + n, len - n, " frag");
}

static void describe_expect(const struct tv_expect *e, char *buf, size_t len)
{
	char val[16], q[16];

	if (e->value_checked)
		snprintf(val, sizeof(val), "0x%08x", e->value);
	else
		snprintf(val, sizeof(val), "*");
	if (e->queue >= 0)
		snprintf(q, sizeof(q), "%d", e->queue);
	else
		snprintf(q, sizeof(q), "*");
	snprintf(buf, len, "%s %s queue %s", tunvnet_report_name(e->report), val, q);
}

/* "<flow>: <detail>"; the flow shrinks to its type when the line is too long. */
__attribute__((format(printf, 3, 4))) static void set_why(struct tunvnet_verdict *vd,
							  const struct tv_pkt *p, const char *fmt, ...)
{
	char detail[sizeof(vd->why)], flow[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	describe_flow(&p->flow, false, flow, sizeof(flow));
	n = snprintf(vd->why, sizeof(vd->why), "%s: %s", flow, detail);
	if (n >= (int)sizeof(vd->why)) {
		describe_flow(&p->flow, true, flow, sizeof(flow));
		/* Still too long: the detail is cut, which is all that can be done. */
		if (snprintf(vd->why, sizeof(vd->why), "%s: %s", flow, detail) >= (int)sizeof(vd->why))
			vd->why[sizeof(vd->why) - 2] = '~';
	}
}

/* ---- choosing an explanation ---- */

/* Whether explanation i, as it fits p, names only deviations the caller listed. */
static bool pick_listed(struct tunvnet_verifier *v, const struct tv_pkt *p, int i)
{
	struct tunvnet_class alt;
	struct tv_outcome ao;
	char note[sizeof(ao.note)];
	uint32_t dev = explanations[i].deviation;

	if (!explanations[i].alt(v, p, &alt, note, sizeof(note)))
		return false;
	outcome_for(v, p, &alt, false, &ao);
	if (ao.short_key)
		dev |= TUNVNET_DEVIATION_SHORT_KEY_IPV6;
	return !(dev & ~v->o.known_deviations);
}

/* The explanation of the round (certain or not) that fits p best, or -1. */
static int explain(struct tunvnet_verifier *v, const struct tv_pkt *p, bool certain)
{
	int pick = -1;

	for (size_t i = 0; i < TV_ARRAY_SIZE(explanations); i++) {
		struct tunvnet_class alt;
		struct tv_outcome ao;
		char note[sizeof(ao.note)];

		if (explanations[i].certain != certain ||
		    !explanations[i].alt(v, p, &alt, note, sizeof(note)))
			continue;
		outcome_for(v, p, &alt, false, &ao);
		if (!ao.holds)
			continue;
		if (pick_listed(v, p, (int)i))
			return (int)i;
		if (pick < 0)
			pick = (int)i;
	}
	return pick;
}

/* ---- the API ---- */

TUNVNET_API void tunvnet_verifier_free(struct tunvnet_verifier *v)
{
	if (!v)
		return;
	tunvnet_toeplitz_free(v->tp);
	free(v->table);
	free(v->qtab);
	free(v->flows);
	free(v->sk);
	free(v->sk_next);
	free(v->inputs);
	free(v->reachable);
	free(v->tun_buf);
	free(v);
}

TUNVNET_API int tunvnet_verifier_new(const struct tunvnet_verify_opts *opts,
				     struct tunvnet_verifier **vp)
{
	struct tunvnet_verify_opts o;
	struct tunvnet_verifier *v;
	struct tunvnet_hash_cfg *cfg = &o.cfg;
	int err;

	tv_err_clear();
	if (!opts || !vp)
		return tv_err(-EINVAL, "verifier: no options or result pointer given");
	*vp = NULL;
	err = tv_opts_copy(&o, sizeof(o), opts, sizeof(o));
	if (err)
		return err;
	if (!o.num_queues)
		return tv_err(-EINVAL, "verifier: num_queues must be at least 1");
	if (cfg->flags & ~(TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS | TUNVNET_HASH_QUEUE_WRAP))
		return tv_err(-EINVAL, "verifier: unknown hash flags %#x", cfg->flags);
	if (cfg->types & ~TUNVNET_HASH_TYPES_ALL)
		return tv_err(-EINVAL, "verifier: hash types %#x have bits outside 0x1ff",
			      cfg->types);
	if ((unsigned int)o.l2 > TUNVNET_L2_IP_PI)
		return tv_err(-EINVAL, "verifier: unknown l2 %d", (int)o.l2);
	if ((unsigned int)o.profile > TUNVNET_PROFILE_QEMU)
		return tv_err(-EINVAL, "verifier: unknown profile %d", (int)o.profile);
	if ((unsigned int)o.kind > TUNVNET_KIND_IPVTAP)
		return tv_err(-EINVAL, "verifier: unknown kind %d", (int)o.kind);
	if (o.known_deviations & ~TV_DEVIATIONS_ALL)
		return tv_err(-EINVAL, "verifier: unknown deviation bits %#x", o.known_deviations);
	if ((cfg->flags & (TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS)) == TUNVNET_HASH_REPORT &&
	    o.kind == TUNVNET_KIND_UNKNOWN)
		return tv_err(-EINVAL, "verifier: automatic queue selection needs the device kind "
				       "(tun/tap and macvtap/ipvtap pick queues differently)");
	if (cfg->flags & TUNVNET_HASH_RSS) {
		if (!cfg->key || !cfg->key_len || cfg->key_len > TUNVNET_KEY_MAX)
			return tv_err(-EINVAL, "verifier: RSS needs a key of 1..40 bytes (got %zu)",
				      cfg->key ? cfg->key_len : 0);
		if (!cfg->table || !cfg->table_len || cfg->table_len > TUNVNET_TABLE_MAX ||
		    (cfg->table_len & (cfg->table_len - 1)))
			return tv_err(-EINVAL, "verifier: RSS needs an indirection table whose "
					       "length is a power of two up to 65536 (got %zu)",
				      cfg->table ? cfg->table_len : 0);
	}

	v = calloc(1, sizeof(*v));
	if (!v)
		return tv_err(-ENOMEM, "verifier: out of memory");
	v->o = o;
	v->o.sz = sizeof(v->o);
	v->o.cfg.sz = sizeof(v->o.cfg);
	/* Deep copy: the caller's key and table may go away after this call. */
	if (cfg->flags & TUNVNET_HASH_RSS) {
		memcpy(v->key, cfg->key, cfg->key_len);
		v->o.cfg.key = v->key;
		v->table = malloc(cfg->table_len * sizeof(*v->table));
		if (!v->table) {
			tunvnet_verifier_free(v);
			return tv_err(-ENOMEM, "verifier: out of memory");
		}
		memcpy(v->table, cfg->table, cfg->table_len * sizeof(*v->table));
		v->o.cfg.table = v->table;
		v->qtab = malloc(cfg->table_len * sizeof(*v->qtab));
		if (!v->qtab) {
			tunvnet_verifier_free(v);
			return tv_err(-ENOMEM, "verifier: out of memory");
		}
		for (size_t i = 0; i < cfg->table_len; i++)
			v->qtab[i] = (uint16_t)(v->table[i] % o.num_queues);
		v->qmask = (uint32_t)(cfg->table_len - 1);
		v->unclassified_q = (uint16_t)(cfg->unclassified_queue % o.num_queues);
		v->rss_exact = series_key_len(cfg->types) >= cfg->key_len;
		err = tunvnet_toeplitz_new(v->key, cfg->key_len, TUNVNET_TOEPLITZ_AUTO, &v->tp);
		if (err) {
			tunvnet_verifier_free(v);
			return err;
		}
		/* The short key: the learned tail (with REPORT) or the queue per
		 * input (without) is what the verifier can hold the kernel to. */
		if (series_key_len(cfg->types) < cfg->key_len) {
			v->kernel_key_len = series_key_len(cfg->types);
			if (cfg->flags & TUNVNET_HASH_REPORT) {
				v->sk = calloc(1, sizeof(*v->sk));
				v->sk_next = calloc(1, sizeof(*v->sk_next));
			} else {
				/* Table entries are u16: no queue past 65535 is reachable. */
				size_t nq = o.num_queues < 65536 ? o.num_queues : 65536;

				v->inputs = calloc(TV_INPUT_SLOTS, sizeof(*v->inputs));
				v->reachable = calloc((nq + 63) / 64, sizeof(uint64_t));
				for (size_t i = 0; v->reachable && i < cfg->table_len; i++) {
					unsigned int rq = v->table[i] % o.num_queues;

					v->reachable[rq / 64] |= 1ull << (rq % 64);
				}
			}
			if ((cfg->flags & TUNVNET_HASH_REPORT) ? !v->sk || !v->sk_next
							      : !v->inputs || !v->reachable) {
				tunvnet_verifier_free(v);
				return tv_err(-ENOMEM, "verifier: out of memory");
			}
		}
	} else {
		v->o.cfg.key = NULL;
		v->o.cfg.key_len = 0;
		v->o.cfg.table = NULL;
		v->o.cfg.table_len = 0;
	}
	if (is_automq(v)) {
		v->flows = calloc(TV_FLOW_SLOTS, sizeof(*v->flows));
		if (!v->flows) {
			tunvnet_verifier_free(v);
			return tv_err(-ENOMEM, "verifier: out of memory");
		}
	}
	*vp = v;
	return 0;
}

TUNVNET_API void tunvnet_verifier_stats(const struct tunvnet_verifier *v,
					struct tunvnet_verify_stats *stats)
{
	if (!stats)
		return;
	if (!v) {
		memset(stats, 0, sizeof(*stats));
		return;
	}
	*stats = v->st;
}

static void count(struct tunvnet_verifier *v, enum tunvnet_verdict_code code)
{
	v->st.packets++;
	switch (code) {
	case TUNVNET_VERDICT_MATCH: v->st.matches++; break;
	case TUNVNET_VERDICT_KNOWN_DEVIATION: v->st.known_deviations++; break;
	case TUNVNET_VERDICT_MISMATCH: v->st.mismatches++; break;
	case TUNVNET_VERDICT_UNCHECKED: v->st.unchecked++; break;
	}
}

/* The parsed flow, made on first need: the fast path classifies without it. */
static void pkt_parse(const struct tunvnet_verifier *v, struct tv_pkt *p)
{
	if (p->have_flow)
		return;
	p->have_flow = true;
	if (!p->frame || tunvnet_packet_parse(p->frame, p->len, v->o.l2, &p->flow) < 0)
		memset(&p->flow, 0, sizeof(p->flow));
}

/* "<report> <value> queue <q>" of an expectation (or the observation). */
static void describe_obs(const struct tv_pkt *p, char *buf, size_t len)
{
	struct tv_expect obs = { .report = p->obs_report, .value = p->obs_value,
				 .queue = (int)p->q, .value_checked = true };

	describe_expect(&obs, buf, len);
}

/*
 * The slow path: the plain expectation failed, or a tunnel or the short key
 * is involved. Not first-fit. The explanations the kernel follows whenever
 * their precondition holds (tunnels) come first; then the plain
 * expectation; then the others. Of those that fit in a round, the first one
 * the caller listed wins (else the first, which then makes a MISMATCH
 * naming it). The winner alone is learned from. Returns whether something
 * fits; *o is how it fares, note its explanation.
 */
static bool judge(struct tunvnet_verifier *v, struct tv_pkt *p, struct tunvnet_verdict *vd,
		  struct tv_outcome *base, struct tv_outcome *o, char *note, size_t note_len)
{
	int pick;
	bool ok = false;

	pkt_parse(v, p);
	pick = explain(v, p, true);
	if (pick >= 0 && !pick_listed(v, p, pick)) {
		/* An unlisted certain one loses to a plain expectation that fits too. */
		outcome_for(v, p, &p->cls, false, base);
		if (base->holds)
			pick = -1;
	}
	if (pick < 0) {
		outcome_for(v, p, &p->cls, true, base);
		*o = *base;
		ok = base->holds;
		if (!ok)
			pick = explain(v, p, false);
	}
	if (pick >= 0) {
		struct tunvnet_class alt;

		explanations[pick].alt(v, p, &alt, note, note_len);
		outcome_for(v, p, &alt, true, o); /* learn from it */
		vd->deviation |= explanations[pick].deviation;
		ok = true;
	}
	if (ok && o->short_key) {
		char expl[sizeof(o->note)];

		vd->deviation |= TUNVNET_DEVIATION_SHORT_KEY_IPV6;
		memcpy(expl, note, sizeof(expl));
		snprintf(note, note_len, "%s%s%s", expl, expl[0] ? "; " : "", o->note);
	}
	return ok;
}

TUNVNET_API int tunvnet_verify_packet(struct tunvnet_verifier *v, unsigned int q,
				      const struct tunvnet_hdr *hdr, const void *frame,
				      size_t len, struct tunvnet_verdict *verdict)
{
	/* Only what is read on every path is initialised: these are large. */
	struct tv_outcome base, o;
	struct tv_flow_slot before;
	struct tv_fast_info fi;
	struct tv_expect plain;
	struct tv_pkt p;
	char exp_s[48], obs_s[48], note[2 * sizeof(o.note) + 2];
	uint32_t unknown;
	bool ok, maybe_tunnel = true;

	tv_err_clear();
	if (!v || !verdict || (!frame && len))
		return tv_err(-EINVAL, "verify: NULL verifier, verdict or frame");
	if (q >= v->o.num_queues)
		return tv_err(-EINVAL, "verify: queue %u out of range (verifier has %u)", q,
			      v->o.num_queues);

	/* Every field is set here or below: no memset of the whole line per packet. */
	verdict->code = TUNVNET_VERDICT_MATCH;
	verdict->deviation = 0;
	verdict->observed_report = 0;
	verdict->observed_hash = 0;
	verdict->expected_hash = 0;
	verdict->observed_queue = (int)q;
	verdict->expected_queue = -1;
	verdict->hash_checked = false;
	verdict->why[0] = '\0';
	p.q = q;
	p.frame = frame;
	p.len = frame ? len : 0;
	p.have_flow = false;
	p.tun.reached = p.tun.gre = p.tun.inner = false;
	p.tun.gre_word = p.tun.gre_key = 0;
	base.holds = false;
	base.note[0] = '\0';
	note[0] = '\0';

	/*
	 * Unparsable or non-IP bytes are a packet like any other: report NONE.
	 * The common shapes take classify_hash's fast walk; only a tunnel
	 * protocol there needs the parsed flow up front.
	 */
	if (frame && tv_classify_fast(frame, len, v->o.l2, v->o.cfg.types, v->o.profile, v->tp,
				      &p.cls, &fi)) {
		maybe_tunnel = fi.l4_proto == IPPROTO_GRE_ || fi.l4_proto == IPPROTO_IPIP_ ||
			       fi.l4_proto == IPPROTO_IPV6_;
	} else {
		pkt_parse(v, &p);
		if (tunvnet_classify(&p.flow, v->o.cfg.types, v->o.profile, &p.cls) < 0)
			memset(&p.cls, 0, sizeof(p.cls));
		if (v->tp && p.cls.report != TUNVNET_REPORT_NONE)
			p.cls.hash = tunvnet_toeplitz_hash(v->tp, p.cls.input, p.cls.input_len);
	}
	verdict->expected_report = p.cls.report;

	if (!hdr) {
		/* No vnet header: nothing the kernel said to compare with. */
		verdict->code = TUNVNET_VERDICT_UNCHECKED;
		pkt_parse(v, &p);
		set_why(verdict, &p, "no vnet header to check");
		count(v, verdict->code);
		return 0;
	}
	p.obs_report = hdr->hash_report;
	p.obs_value = hdr->hash_value;
	verdict->observed_report = p.obs_report;
	verdict->observed_hash = p.obs_value;
	if (v->rss_exact && !maybe_tunnel) {
		/* The line-rate case, RSS: expect_for and expect_holds inlined. */
		unsigned int rep = p.cls.report;
		bool reported = (v->o.cfg.flags & TUNVNET_HASH_REPORT) && rep != TUNVNET_REPORT_NONE;
		int eq = rep == TUNVNET_REPORT_NONE ? v->unclassified_q : v->qtab[p.cls.hash & v->qmask];

		verdict->expected_report = reported ? rep : TUNVNET_REPORT_NONE;
		verdict->expected_hash = reported ? p.cls.hash : 0;
		verdict->expected_queue = eq;
		verdict->hash_checked = true;
		if (p.obs_report == verdict->expected_report && p.obs_value == verdict->expected_hash &&
		    (int)q == eq) {
			v->st.packets++;
			v->st.matches++;
			return 0;
		}
	}
	if (maybe_tunnel) {
		pkt_parse(v, &p);
		if (tunnel_reached(&p.flow))
			tunnel_follow(v, &p);
	}

	/* The straightforward expectation is what the verdict reports. */
	plain = expect_for(v, &p, p.cls.report, p.cls.hash);
	verdict->expected_report = plain.report;
	verdict->expected_hash = plain.value_checked ? plain.value : 0;
	verdict->expected_queue = plain.queue;

	if (!p.tun.inner && !short_key(v) && expect_holds(&plain, &p)) {
		/* The line-rate case: what judge() decides here, without its detour. */
		ok = true;
		o.hash_checked = plain.value_checked;
	} else {
		ok = judge(v, &p, verdict, &base, &o, note, sizeof(note));
	}
	verdict->hash_checked = ok ? o.hash_checked : plain.value_checked && !short_key(v);

	if (!ok) {
		verdict->code = TUNVNET_VERDICT_MISMATCH;
		describe_expect(&plain, exp_s, sizeof(exp_s));
		describe_obs(&p, obs_s, sizeof(obs_s));
		if (base.note[0])
			set_why(verdict, &p, "expected %s, observed %s: %s", exp_s, obs_s, base.note);
		else
			set_why(verdict, &p, "expected %s, observed %s", exp_s, obs_s);
		count(v, verdict->code);
		return 0;
	}

	/*
	 * tun.c's automq passes skb->l4_hash ? skb->hash : txq, and txq is by
	 * then the queue index: a value equal to the queue it arrived on is that.
	 */
	if (is_automq(v) && !is_vtap(v->o.kind) && p.obs_value == q &&
	    (p.obs_report != TUNVNET_REPORT_NONE || p.obs_value != 0))
		verdict->deviation |= TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE;

	if (is_automq(v)) {
		if (!flow_consistent(v, &p, &fi, &before)) {
			verdict->code = TUNVNET_VERDICT_MISMATCH;
			pkt_parse(v, &p);
			set_why(verdict, &p,
				"same flow reported 0x%08x on queue %u before, now 0x%08x on queue %u",
				before.value, before.queue, p.obs_value, q);
			count(v, verdict->code);
			return 0;
		}
	}

	unknown = verdict->deviation & ~v->o.known_deviations;
	verdict->code = !verdict->deviation ? TUNVNET_VERDICT_MATCH
		      : unknown		   ? TUNVNET_VERDICT_MISMATCH
					   : TUNVNET_VERDICT_KNOWN_DEVIATION;
	if (verdict->code != TUNVNET_VERDICT_MATCH) {
		/* Text only for what is worth printing; a match is told by explain. */
		char names[96];

		pkt_parse(v, &p);
		describe_expect(&plain, exp_s, sizeof(exp_s));
		describe_obs(&p, obs_s, sizeof(obs_s));
		deviation_names(verdict->deviation, unknown, names, sizeof(names));
		if (verdict->deviation & TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE)
			snprintf(note + strlen(note), sizeof(note) - strlen(note), "%svalue is the queue",
				 note[0] ? ", " : "");
		set_why(verdict, &p, "%sdeviation %s: %s; observed %s, expected %s",
			unknown ? "" : "known ", names, note, obs_s, exp_s);
	}
	count(v, verdict->code);
	return 0;
}

TUNVNET_API int tunvnet_verdict_explain(const struct tunvnet_verdict *vd, char *buf, size_t len)
{
	struct tv_expect e, obs;
	char exp_s[48], obs_s[48];
	int n;

	tv_err_clear();
	if (!vd || (!buf && len))
		return tv_err(-EINVAL, "verdict_explain: no verdict, or no buffer for %zu bytes", len);
	if (vd->why[0] || vd->code != TUNVNET_VERDICT_MATCH) {
		n = snprintf(buf, len, "%s: %s", tunvnet_verdict_name(vd->code), vd->why);
	} else {
		/* A match: the fields say it all. */
		e = (struct tv_expect){ .report = vd->expected_report, .value = vd->expected_hash,
					.queue = vd->expected_queue, .value_checked = vd->hash_checked };
		obs = (struct tv_expect){ .report = vd->observed_report, .value = vd->observed_hash,
					  .queue = vd->observed_queue, .value_checked = true };
		describe_expect(&e, exp_s, sizeof(exp_s));
		describe_expect(&obs, obs_s, sizeof(obs_s));
		n = snprintf(buf, len, "match: expected %s, observed %s", exp_s, obs_s);
	}
	return n < 0 ? tv_err(-EINVAL, "verdict_explain: formatting failed") : n;
}
