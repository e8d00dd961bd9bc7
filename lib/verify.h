/* SPDX-License-Identifier: MIT */
/*
 * The verifier's private parts, shared by its files (not installed):
 *   verify.c           expectations, the choice of explanation, verdicts, the API
 *   verify_keysolve.c  the short key: learning the kernel's key bytes (GF(2))
 *   verify_tunnel.c    the model of the kernel's dissection past GRE / IPIP
 *   verify_flowtab.c   the automq flow table (bounded)
 *   verify_deviation.c the known deviations: explanations and names
 *   verify_text.c      the verdict line (only made when wanted)
 */
#ifndef TUNVNET_VERIFY_H
#define TUNVNET_VERIFY_H

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

/*
 * A slot holds a flow's identity, not its key: 16 bytes, so the table
 * (64 KiB) stays in cache. Of the two 64-bit folds of the flow's 128-bit
 * NH sum (verify_flowtab.c), one picks the slot and gives a 16-bit tag
 * (never 0: 0 marks a free slot), the other is kept whole: two flows are
 * confused only if their sums agree (a chance of about 2^-64) or 91 bits
 * of the two folds do.
 */
struct tv_flow_slot {
	uint64_t id;
	uint32_t value;
	uint16_t queue;
	uint16_t tag; /* 0: free */
};
_Static_assert(sizeof(struct tv_flow_slot) == 16, "a flow slot is 16 bytes");

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
	struct tunvnet_verify_opts o; /* o.cfg points at cfg; o.backend never AUTO */
	struct tunvnet_hash_cfg cfg;  /* cfg.key and cfg.table point at the copies below */
	bool userfill;                /* ebpf / user: reports filled on read by the reference */
	bool predict_queue;           /* RSS steered by the kernel series or our program */
	uint8_t key[TUNVNET_KEY_MAX];
	uint16_t *table;
	uint16_t *qtab;              /* RSS: table[i] % num_queues, the queue per entry */
	uint32_t qmask;              /* table_len - 1 */
	uint16_t unclassified_q;     /* unclassified_queue % num_queues */
	bool exact;                  /* every field predictable (no short key, no automq) */
	bool flow_fast;              /* automq (kernel backend): the flow table's line-rate case */
	bool vtap;                   /* ... on macvtap/ipvtap: the queue follows the value */
	uint64_t nq_mod;             /* x % num_queues as a multiply (queue_of) */
	struct tunvnet_toeplitz *tp; /* RSS only */
	struct tunvnet_verify_stats st;
	struct tv_flow_slot *flows;  /* automq only */
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
	bool afp;                 /* afp_cls holds the vlan-af-packet model (judge() only) */
	struct tunvnet_class afp_cls;
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

static inline bool tv_is_automq(const struct tunvnet_verifier *v)
{
	return (v->cfg.flags & (TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS)) == TUNVNET_HASH_REPORT;
}

/* macvtap and ipvtap go through drivers/net/tap.c; tun and tap devices
 * (IFF_TUN / IFF_TAP) through drivers/net/tun.c, whose automq rule differs. */
static inline bool tv_is_vtap(enum tunvnet_kind kind)
{
	return kind == TUNVNET_KIND_MACVTAP || kind == TUNVNET_KIND_IPVTAP;
}

/* The series' short key is in force (see tv_series_key_len). */
static inline bool tv_short_key(const struct tunvnet_verifier *v)
{
	return v->kernel_key_len != 0;
}

/* verify.c */
void tv_pkt_parse(const struct tunvnet_verifier *v, struct tv_pkt *p);

/* verify_keysolve.c */
size_t tv_series_key_len(uint32_t types);
int tv_sk_check(struct tunvnet_verifier *v, const uint8_t *in, size_t len, uint32_t hash,
		bool commit);
int tv_input_queue_check(struct tunvnet_verifier *v, const struct tunvnet_class *cls,
			 unsigned int q, bool commit);

/* verify_tunnel.c */
bool tv_tunnel_reached(const struct tunvnet_flow *f);
void tv_tunnel_follow(struct tunvnet_verifier *v, struct tv_pkt *p);
/* The verifier's scratch buffer of at least n bytes (NULL: out of memory);
 * what it held before is gone. */
uint8_t *tv_scratch(struct tunvnet_verifier *v, size_t n);

/* verify_flowtab.c */
bool tv_flow_consistent(struct tunvnet_verifier *v, const struct tv_pkt *p,
			const struct tv_fast_info *fi, struct tv_flow_slot *before);
bool tv_flow_consistent_fast(struct tunvnet_verifier *v, const struct tv_fast_info *fi,
			     unsigned int q, uint32_t value, struct tv_flow_slot *before);

/* verify_deviation.c: the explanations, tried as judge() in verify.c says */
extern const struct tv_explanation tv_explanations[];
extern const size_t tv_explanations_n;
void tv_vlan_af_packet_model(struct tunvnet_verifier *v, struct tv_pkt *p);

/* verify_text.c */
void tv_describe_expect(const struct tv_expect *e, char *buf, size_t len);
void tv_describe_obs(const struct tv_pkt *p, char *buf, size_t len);
void tv_set_why(struct tunvnet_verdict *vd, const struct tv_pkt *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tv_deviation_names(uint32_t dev, uint32_t unlisted, char *buf, size_t len);

#endif /* TUNVNET_VERIFY_H */
