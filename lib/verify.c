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
 * verify_keysolve.c) is checked the same way but against the key the kernel
 * really holds: its first 4 bytes are the configured ones, the rest is
 * learned from the observed (input, hash) pairs (GF(2) elimination), and a
 * hash is checked exactly once the learned bits determine it.
 *
 * When that comparison fails, every explanation (a known behaviour of the
 * posted series) whose own precondition holds proposes how the kernel
 * classified the packet instead; one that fits names the deviation, a
 * listed one before an unlisted one. The verdict is KNOWN_DEVIATION when
 * the caller listed every deviation seen, else MISMATCH.
 *
 * All of that is the kernel backend's. Under the ebpf and user backends
 * the library's own filler wrote the report (spec profile) and, with ebpf
 * and RSS, our program steered: every field is predicted exactly and no
 * deviation excuses anything.
 *
 * Speed: a packet that matches takes tunvnet_verify_packet's line-rate
 * cases (classify_hash's fast walk, a precomputed queue per table entry,
 * the automq flow table) and formats no text; everything else goes to
 * verify_slow(), which may cost what it likes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "proto.h"
#include "verify.h"

/* The expectation for a packet the kernel classified as report with hash
 * (the Toeplitz value; ignored outside RSS). */
static struct tv_expect expect_for(const struct tunvnet_verifier *v, const struct tv_pkt *p,
				   unsigned int report, uint32_t hash)
{
	const struct tunvnet_hash_cfg *cfg = &v->cfg;
	unsigned int n = v->o.num_queues;
	struct tv_expect e = { .report = TUNVNET_REPORT_NONE, .queue = -1, .value_checked = true };

	if (!(cfg->flags & (TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS)))
		return e; /* off: no report, the queue is the kernel's business */
	if (v->userfill) {
		/* ebpf / user: the report filled on read is the reference's; the
		 * steering program (ebpf with RSS) picks the reference's queue. */
		if (v->predict_queue)
			e.queue = report == TUNVNET_REPORT_NONE ? v->unclassified_q
								: v->qtab[hash & v->qmask];
		if ((cfg->flags & TUNVNET_HASH_REPORT) && report != TUNVNET_REPORT_NONE) {
			e.report = report;
			e.value = hash;
		}
		return e;
	}
	if (cfg->flags & TUNVNET_HASH_RSS) {
		/* tunvnet_rss_queue, precomputed: no division or validation per packet */
		e.queue = report == TUNVNET_REPORT_NONE ? v->unclassified_q : v->qtab[hash & v->qmask];
		if ((cfg->flags & TUNVNET_HASH_REPORT) && report != TUNVNET_REPORT_NONE) {
			e.report = report;
			e.value = hash;
		}
		return e;
	}
	if (tv_is_vtap(v->o.kind)) {
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
	const struct tunvnet_hash_cfg *cfg = &v->cfg;
	uint32_t hash = 0;

	memset(o, 0, sizeof(*o));
	if (cls == &p->cls)
		hash = p->cls.hash; /* computed once, with the classification */
	else if (v->tp && cls->report != TUNVNET_REPORT_NONE)
		hash = tunvnet_toeplitz_hash(v->tp, cls->input, cls->input_len);
	o->e = expect_for(v, p, cls->report, hash);
	o->hash_checked = o->e.value_checked;
	if (!tv_short_key(v) || cls->report == TUNVNET_REPORT_NONE) {
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
		det = tv_sk_check(v, cls->input, cls->input_len, p->obs_value, false);
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
			tv_sk_check(v, cls->input, cls->input_len, p->obs_value, true);
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
		int before = tv_input_queue_check(v, cls, p->q, false);

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
		tv_input_queue_check(v, cls, p->q, true);
}

/* ---- choosing an explanation ---- */

/* Whether explanation i, as it fits p, names only deviations the caller listed. */
static bool pick_listed(struct tunvnet_verifier *v, const struct tv_pkt *p, int i)
{
	struct tunvnet_class alt;
	struct tv_outcome ao;
	char note[sizeof(ao.note)];
	uint32_t dev = tv_explanations[i].deviation;

	if (!tv_explanations[i].alt(v, p, &alt, note, sizeof(note)))
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

	for (size_t i = 0; i < tv_explanations_n; i++) {
		struct tunvnet_class alt;
		struct tv_outcome ao;
		char note[sizeof(ao.note)];

		if (tv_explanations[i].certain != certain ||
		    !tv_explanations[i].alt(v, p, &alt, note, sizeof(note)))
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
	struct tunvnet_hash_cfg c, *cfg = &c;
	struct tunvnet_verifier *v;
	bool rss, userfill;
	int err;

	tv_err_clear();
	if (!opts || !vp)
		return tv_err(-EINVAL, "verifier: no options or result pointer given");
	*vp = NULL;
	/* Validate everything before allocating anything. */
	err = TV_OPTS_IN(&o, opts, tunvnet_verify_opts, cfg);
	if (err)
		return err;
	if (!o.cfg)
		return tv_err(-EINVAL, "verifier: no hash configuration (opts->cfg is NULL)");
	err = TV_OPTS_IN(&c, o.cfg, tunvnet_hash_cfg, unclassified_queue);
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
	if ((unsigned int)o.profile > TUNVNET_PROFILE_EBPF)
		return tv_err(-EINVAL, "verifier: unknown profile %d", (int)o.profile);
	if ((unsigned int)o.kind > TUNVNET_KIND_IPVTAP)
		return tv_err(-EINVAL, "verifier: unknown kind %d", (int)o.kind);
	if ((unsigned int)o.backend > TUNVNET_BACKEND_USER)
		return tv_err(-EINVAL, "verifier: unknown backend %d", (int)o.backend);
	if (o.known_deviations & ~TV_DEVIATIONS_ALL)
		return tv_err(-EINVAL, "verifier: unknown deviation bits %#x", o.known_deviations);
	rss = cfg->flags & TUNVNET_HASH_RSS;
	userfill = o.backend == TUNVNET_BACKEND_EBPF || o.backend == TUNVNET_BACKEND_USER;
	/* The steering program and the filler follow the ebpf profile (spec within its bounds). */
	if (userfill && o.profile == TUNVNET_PROFILE_SPEC)
		o.profile = TUNVNET_PROFILE_EBPF;
	if (!userfill && (cfg->flags & (TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS)) == TUNVNET_HASH_REPORT &&
	    o.kind == TUNVNET_KIND_UNKNOWN)
		return tv_err(-EINVAL, "verifier: automatic queue selection needs the device kind "
				       "(tun/tap and macvtap/ipvtap pick queues differently)");
	if (rss) {
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
	v->o.cfg = &v->cfg;
	if (o.backend == TUNVNET_BACKEND_AUTO)
		v->o.backend = TUNVNET_BACKEND_KERNEL; /* what a verifier meant before backends */
	v->userfill = userfill;
	v->cfg = c;
	v->cfg.sz = sizeof(v->cfg);
	/* Deep copy: the caller's key and table may go away after this call. */
	if (rss) {
		memcpy(v->key, cfg->key, cfg->key_len);
		v->cfg.key = v->key;
		v->table = malloc(cfg->table_len * sizeof(*v->table));
		v->qtab = malloc(cfg->table_len * sizeof(*v->qtab));
		if (!v->table || !v->qtab) {
			tunvnet_verifier_free(v);
			return tv_err(-ENOMEM, "verifier: out of memory");
		}
		memcpy(v->table, cfg->table, cfg->table_len * sizeof(*v->table));
		v->cfg.table = v->table;
		for (size_t i = 0; i < cfg->table_len; i++)
			v->qtab[i] = (uint16_t)(v->table[i] % o.num_queues);
		v->qmask = (uint32_t)(cfg->table_len - 1);
		v->unclassified_q = (uint16_t)(cfg->unclassified_queue % o.num_queues);
		/* The user backend does not steer: its queue is the kernel's own. */
		v->predict_queue = o.backend != TUNVNET_BACKEND_USER;
	} else {
		v->cfg.key = NULL;
		v->cfg.key_len = 0;
		v->cfg.table = NULL;
		v->cfg.table_len = 0;
	}
	if (rss || (userfill && (cfg->flags & TUNVNET_HASH_REPORT))) {
		/* Reports filled on read without RSS use the Microsoft key, as the
		 * library's filler does (a kernel would use its own). */
		err = tunvnet_toeplitz_new(rss ? v->key : tunvnet_default_key(),
					   rss ? cfg->key_len : TUNVNET_KEY_MAX,
					   TUNVNET_TOEPLITZ_AUTO, &v->tp);
		if (err) {
			tunvnet_verifier_free(v);
			return err;
		}
	}
	/* Every field predictable: the fast path may decide a match alone. */
	v->exact = userfill || (rss && tv_series_key_len(cfg->types) >= cfg->key_len);
	/* The short key: the learned tail (with REPORT) or the queue per input
	 * (without) is what the verifier can hold the kernel to. */
	if (!userfill && rss && tv_series_key_len(cfg->types) < cfg->key_len) {
		v->kernel_key_len = tv_series_key_len(cfg->types);
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
	if (!userfill && tv_is_automq(v)) {
		v->flows = calloc(TV_FLOW_SLOTS, sizeof(*v->flows));
		if (!v->flows) {
			tunvnet_verifier_free(v);
			return tv_err(-ENOMEM, "verifier: out of memory");
		}
		v->flow_fast = true;
		v->vtap = tv_is_vtap(o.kind);
	}
	/* Lemire's fastmod: exact for every 32-bit value and divisor (1 gives 0). */
	v->nq_mod = UINT64_MAX / o.num_queues + 1;
	*vp = v;
	return 0;
}

TUNVNET_API int tunvnet_verifier_stats(const struct tunvnet_verifier *v,
				       struct tunvnet_verify_stats *stats)
{
	int err;

	tv_err_clear();
	err = TV_OPTS_OUT_OK(stats, tunvnet_verify_stats, packets);
	if (err)
		return err;
	if (!v) { /* no verifier has seen nothing */
		static const struct tunvnet_verify_stats none;

		return TV_OPTS_OUT(stats, &none, tunvnet_verify_stats, packets);
	}
	return TV_OPTS_OUT(stats, &v->st, tunvnet_verify_stats, packets);
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
void tv_pkt_parse(const struct tunvnet_verifier *v, struct tv_pkt *p)
{
	if (p->have_flow)
		return;
	p->have_flow = true;
	if (!p->frame || tunvnet_packet_parse(p->frame, p->len, v->o.l2, &p->flow) < 0)
		memset(&p->flow, 0, sizeof(p->flow));
}

/*
 * The slow path: the plain expectation failed, or a tunnel or the short key
 * is involved. Not first-fit. The tv_explanations the kernel follows whenever
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

	tv_pkt_parse(v, p);
	tv_vlan_af_packet_model(v, p);
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

		tv_explanations[pick].alt(v, p, &alt, note, note_len);
		outcome_for(v, p, &alt, true, o); /* learn from it */
		vd->deviation |= tv_explanations[pick].deviation;
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

/* automq: the flow p belongs to was seen with another value or queue. */
static int flow_moved(struct tunvnet_verifier *v, struct tv_pkt *p,
		      const struct tv_flow_slot *before, struct tunvnet_verdict *verdict)
{
	verdict->code = TUNVNET_VERDICT_MISMATCH;
	tv_pkt_parse(v, p);
	tv_set_why(verdict, p, "same flow reported 0x%08x on queue %u before, now 0x%08x on queue %u",
		   before->value, before->queue, p->obs_value, p->q);
	count(v, verdict->code);
	return 0;
}

/*
 * Everything but the line-rate cases: no header, tunnels, the short key,
 * mismatches and the explanations, automq on macvtap. Out of line so the
 * fast path keeps a small frame.
 */
static __attribute__((noinline)) int verify_slow(struct tunvnet_verifier *v, struct tv_pkt *p,
						  const struct tunvnet_hdr *hdr,
						  const struct tv_fast_info *fi, bool maybe_tunnel,
						  struct tunvnet_verdict *verdict)
{
	struct tv_outcome base, o;
	struct tv_flow_slot before;
	struct tv_expect plain;
	char exp_s[48], obs_s[48], note[2 * sizeof(o.note) + 2];
	uint32_t unknown;
	unsigned int q = p->q;
	bool ok;

	base.holds = false;
	base.note[0] = '\0';
	note[0] = '\0';
	if (!hdr) {
		/* No vnet header: nothing the kernel said to compare with. */
		verdict->code = TUNVNET_VERDICT_UNCHECKED;
		tv_pkt_parse(v, p);
		tv_set_why(verdict, p, "no vnet header to check");
		count(v, verdict->code);
		return 0;
	}
	p->obs_report = hdr->hash_report;
	p->obs_value = hdr->hash_value;
	verdict->observed_report = p->obs_report;
	verdict->observed_hash = p->obs_value;
	/* The reference the ebpf and user backends fill by follows no tunnel. */
	if (maybe_tunnel && !v->userfill) {
		tv_pkt_parse(v, p);
		if (tv_tunnel_reached(&p->flow))
			tv_tunnel_follow(v, p);
	}

	/* The straightforward expectation is what the verdict reports. */
	plain = expect_for(v, p, p->cls.report, p->cls.hash);
	verdict->expected_report = plain.report;
	verdict->expected_hash = plain.value_checked ? plain.value : 0;
	verdict->expected_queue = plain.queue;

	if (!p->tun.inner && !tv_short_key(v) && expect_holds(&plain, p)) {
		/* The line-rate case: what judge() decides here, without its detour. */
		ok = true;
		o.hash_checked = plain.value_checked;
	} else if (v->userfill) {
		/* Known deviations are the kernel series': none applies here. */
		ok = expect_holds(&plain, p);
		o.hash_checked = plain.value_checked;
	} else {
		ok = judge(v, p, verdict, &base, &o, note, sizeof(note));
	}
	verdict->hash_checked = ok ? o.hash_checked : plain.value_checked && !tv_short_key(v);

	if (!ok) {
		verdict->code = TUNVNET_VERDICT_MISMATCH;
		/* The user-fill path decides without the parsed flow; the line names it. */
		tv_pkt_parse(v, p);
		tv_describe_expect(&plain, exp_s, sizeof(exp_s));
		tv_describe_obs(p, obs_s, sizeof(obs_s));
		if (base.note[0])
			tv_set_why(verdict, p, "expected %s, observed %s: %s", exp_s, obs_s, base.note);
		else
			tv_set_why(verdict, p, "expected %s, observed %s", exp_s, obs_s);
		count(v, verdict->code);
		return 0;
	}

	/*
	 * tun.c's automq passes skb->l4_hash ? skb->hash : txq, and txq is by
	 * then the queue index: a value equal to the queue it arrived on is that.
	 */
	if (tv_is_automq(v) && !v->userfill && !tv_is_vtap(v->o.kind) && p->obs_value == q &&
	    (p->obs_report != TUNVNET_REPORT_NONE || p->obs_value != 0))
		verdict->deviation |= TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE;

	if (v->flows) {
		if (!tv_flow_consistent(v, p, fi, &before))
			return flow_moved(v, p, &before, verdict);
	}

	unknown = verdict->deviation & ~v->o.known_deviations;
	verdict->code = !verdict->deviation ? TUNVNET_VERDICT_MATCH
		      : unknown		   ? TUNVNET_VERDICT_MISMATCH
					   : TUNVNET_VERDICT_KNOWN_DEVIATION;
	if (verdict->code != TUNVNET_VERDICT_MATCH) {
		/* Text only for what is worth printing; a match is told by explain. */
		char names[96];

		tv_pkt_parse(v, p);
		tv_describe_expect(&plain, exp_s, sizeof(exp_s));
		tv_describe_obs(p, obs_s, sizeof(obs_s));
		tv_deviation_names(verdict->deviation, unknown, names, sizeof(names));
		if (verdict->deviation & TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE)
			snprintf(note + strlen(note), sizeof(note) - strlen(note), "%svalue is the queue",
				 note[0] ? ", " : "");
		tv_set_why(verdict, p, "%sdeviation %s: %s; observed %s, expected %s",
			unknown ? "" : "known ", names, note, obs_s, exp_s);
	}
	count(v, verdict->code);
	return 0;
}

/* expect_for of an exact verifier, inlined: report, hash and queue (-1: any). */
static inline __attribute__((always_inline)) int
exact_expect(const struct tunvnet_verifier *v, const struct tunvnet_class *cls,
	     unsigned int *report, uint32_t *hash)
{
	bool reported = (v->cfg.flags & TUNVNET_HASH_REPORT) && cls->report != TUNVNET_REPORT_NONE;

	*report = reported ? cls->report : TUNVNET_REPORT_NONE;
	*hash = reported ? cls->hash : 0;
	if (!v->predict_queue)
		return -1;
	return cls->report == TUNVNET_REPORT_NONE ? v->unclassified_q : v->qtab[cls->hash & v->qmask];
}

/* value % num_queues without a division (tap.c's taps[rxq % numvtaps]). */
static inline uint32_t queue_of(const struct tunvnet_verifier *v, uint32_t value)
{
	return (uint32_t)(((unsigned __int128)(v->nq_mod * value) * v->o.num_queues) >> 64);
}

/* A match's verdict, every field written once (the line-rate cases). */
static inline __attribute__((always_inline)) int
match(struct tunvnet_verifier *v, struct tunvnet_verdict *vd, unsigned int q,
      const struct tunvnet_hdr *hdr, unsigned int report, uint32_t hash, int queue,
      bool hash_checked)
{
	vd->code = TUNVNET_VERDICT_MATCH;
	vd->deviation = 0;
	vd->expected_report = report;
	vd->observed_report = hdr->hash_report;
	vd->expected_hash = hash;
	vd->observed_hash = hdr->hash_value;
	vd->expected_queue = queue;
	vd->observed_queue = (int)q;
	vd->hash_checked = hash_checked;
	vd->why[0] = '\0';
	memset(vd->reserved, 0, sizeof(vd->reserved)); /* room for later fields */
	v->st.packets++;
	v->st.matches++;
	return 0;
}

/* automq's line-rate case found the flow moved: the mismatch, out of line. */
static __attribute__((noinline)) int
flow_moved_fast(struct tunvnet_verifier *v, unsigned int q, const struct tunvnet_hdr *hdr,
		const void *frame, size_t len, const struct tv_flow_slot *before,
		struct tunvnet_verdict *verdict, unsigned int report, int queue, bool hash_checked)
{
	struct tv_pkt p;

	verdict->expected_report = report;
	verdict->expected_hash = 0;
	verdict->expected_queue = queue;
	verdict->observed_queue = (int)q;
	verdict->deviation = 0;
	verdict->hash_checked = hash_checked;
	memset(verdict->reserved, 0, sizeof(verdict->reserved));
	verdict->observed_report = hdr->hash_report;
	verdict->observed_hash = hdr->hash_value;
	p.q = q;
	p.frame = frame;
	p.len = len;
	p.have_flow = false;
	p.obs_report = hdr->hash_report;
	p.obs_value = hdr->hash_value;
	return flow_moved(v, &p, before, verdict);
}

/*
 * automq's line-rate case once the report and queue rule held: the flow
 * keeps its value and queue (a match), or it moved (a mismatch saying so).
 */
static inline __attribute__((always_inline)) int
flow_checked(struct tunvnet_verifier *v, unsigned int q, const struct tunvnet_hdr *hdr,
	     const void *frame, size_t len, const struct tv_fast_info *fi,
	     struct tunvnet_verdict *verdict, unsigned int report, int queue, bool hash_checked)
{
	struct tv_flow_slot before;

	if (tv_flow_consistent_fast(v, fi, q, hdr->hash_value, &before))
		return match(v, verdict, q, hdr, report, 0, queue, hash_checked);
	return flow_moved_fast(v, q, hdr, frame, len, &before, verdict, report, queue,
			       hash_checked);
}

TUNVNET_API int tunvnet_verify_packet(struct tunvnet_verifier *v, unsigned int q,
				      const struct tunvnet_hdr *hdr, const void *frame,
				      size_t len, struct tunvnet_verdict *verdict)
{
	/* Only what is read on every path is initialised: p is large. */
	struct tv_flow_slot before;
	struct tv_fast_info fi;
	struct tv_pkt p;
	bool maybe_tunnel = true, fast;

	tv_err_clear();
	if (!v || !verdict || (!frame && len))
		return tv_err(-EINVAL, "verify: NULL verifier, verdict or frame");
	if (q >= v->o.num_queues)
		return tv_err(-EINVAL, "verify: queue %u out of range (verifier has %u)", q,
			      v->o.num_queues);

	/*
	 * The line-rate case of automq: the value is the kernel's own flow
	 * hash, so no Toeplitz input is made; the walk gives the report type
	 * and the flow's words. On tun/tap the report type must be the class's
	 * (a value equal to the queue is a deviation: the general way); on
	 * macvtap/ipvtap a value picks the queue (value % queues), and a single
	 * queue or value 0 reports nothing. Then the flow must keep its value
	 * and queue. Tunnel protocols and anything else go the general way.
	 */
	if (v->flow_fast && hdr && frame &&
	    tv_classify_fast_report(frame, len, v->o.l2, v->cfg.types, v->o.profile, &fi) &&
	    fi.l4_proto != TV_IPPROTO_GRE && fi.l4_proto != TV_IPPROTO_IPIP &&
	    fi.l4_proto != TV_IPPROTO_IPV6) {
		if (!v->vtap) {
			if (hdr->hash_report == fi.report &&
			    !(hdr->hash_value == q && (hdr->hash_report != TUNVNET_REPORT_NONE || q != 0)))
				return flow_checked(v, q, hdr, frame, len, &fi, verdict, fi.report, -1, false);
		} else if (hdr->hash_value != 0 && v->o.num_queues > 1) {
			if (hdr->hash_report == fi.report && q == queue_of(v, hdr->hash_value))
				return flow_checked(v, q, hdr, frame, len, &fi, verdict, fi.report, (int)q,
						    false);
		} else if (hdr->hash_report == TUNVNET_REPORT_NONE && hdr->hash_value == 0) {
			return flow_checked(v, q, hdr, frame, len, &fi, verdict, TUNVNET_REPORT_NONE,
					    v->o.num_queues == 1 ? 0 : -1, true);
		}
	}

	/*
	 * Unparsable or non-IP bytes are a packet like any other: report NONE.
	 * The common shapes take classify_hash's fast walk; only a tunnel
	 * protocol there needs the parsed flow up front.
	 */
	fast = frame && tv_classify_fast(frame, len, v->o.l2, v->cfg.types, v->o.profile, v->tp,
					 &p.cls, &fi);
	if (fast) {
		maybe_tunnel = fi.l4_proto == TV_IPPROTO_GRE || fi.l4_proto == TV_IPPROTO_IPIP ||
			       fi.l4_proto == TV_IPPROTO_IPV6;
		if (hdr && v->exact && (v->userfill || !maybe_tunnel)) {
			/* The line-rate case: expect_for and expect_holds inlined. */
			unsigned int erep;
			uint32_t ehash;
			int eq = exact_expect(v, &p.cls, &erep, &ehash);

			if (hdr->hash_report == erep && hdr->hash_value == ehash &&
			    (eq < 0 || (int)q == eq))
				return match(v, verdict, q, hdr, erep, ehash, eq, true);
		}
	}

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
	memset(verdict->reserved, 0, sizeof(verdict->reserved)); /* room for later fields */
	p.q = q;
	p.frame = frame;
	p.len = frame ? len : 0;
	p.have_flow = false;
	p.afp = false;
	p.tun.reached = p.tun.gre = p.tun.inner = false;
	p.tun.gre_word = p.tun.gre_key = 0;
	if (!fast) {
		tv_pkt_parse(v, &p);
		if (tunvnet_classify(&p.flow, v->cfg.types, v->o.profile, &p.cls) < 0)
			memset(&p.cls, 0, sizeof(p.cls));
		if (v->tp && p.cls.report != TUNVNET_REPORT_NONE)
			p.cls.hash = tunvnet_toeplitz_hash(v->tp, p.cls.input, p.cls.input_len);
	}
	verdict->expected_report = p.cls.report;

	if (hdr) {
		p.obs_report = hdr->hash_report;
		p.obs_value = hdr->hash_value;
		verdict->observed_report = p.obs_report;
		verdict->observed_hash = p.obs_value;
		if (!fast && v->exact && v->userfill) {
			/* What the parser took, checked as the line-rate case does (under
			 * the kernel backend it may be a tunnel: verify_slow follows it). */
			int eq = exact_expect(v, &p.cls, &verdict->expected_report,
					      &verdict->expected_hash);

			verdict->expected_queue = eq;
			verdict->hash_checked = true;
			if (p.obs_report == verdict->expected_report && p.obs_value == verdict->expected_hash &&
			    (eq < 0 || (int)q == eq)) {
				v->st.packets++;
				v->st.matches++;
				return 0;
			}
		}
		if (v->flows && !maybe_tunnel && !tv_is_vtap(v->o.kind) && p.obs_report == p.cls.report &&
		    !(p.obs_value == q && (p.obs_report != TUNVNET_REPORT_NONE || p.obs_value != 0))) {
			/* automq on tun/tap for what the fast walk left to the parser
			 * (IPv4 options, IPv6 extension headers): the report type, then
			 * the flow keeps its value and queue (what the general path decides). */
			verdict->expected_report = p.cls.report;
			verdict->expected_queue = -1;
			if (!tv_flow_consistent(v, &p, &fi, &before))
				return flow_moved(v, &p, &before, verdict);
			v->st.packets++;
			v->st.matches++;
			return 0;
		}
	}
	return verify_slow(v, &p, hdr, &fi, maybe_tunnel, verdict);
}
