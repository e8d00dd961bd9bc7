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
 * When the straightforward comparison fails, a table of explanations (known
 * behaviours of the posted series) is tried in order; the first whose
 * alternative expectation matches what was observed names the deviation.
 * The verdict is KNOWN_DEVIATION when the caller listed it, else MISMATCH.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#define TV_DEVIATIONS_ALL                                                                  \
	(TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE | TUNVNET_DEVIATION_SHORT_KEY_IPV6 |       \
	 TUNVNET_DEVIATION_VLAN_AF_PACKET)

/* Flows remembered for the automq consistency check: direct-mapped, so a
 * colliding flow evicts the older one, which is simply learned again. */
#define TV_FLOW_SLOTS 1024u
#define TV_FLOW_KEY_LEN 40

struct tv_flow_slot {
	uint8_t key[TV_FLOW_KEY_LEN];
	uint32_t value;
	uint16_t queue;
	bool used;
};

struct tunvnet_verifier {
	struct tunvnet_verify_opts o; /* o.cfg.key and o.cfg.table point at the copies below */
	uint8_t key[TUNVNET_KEY_MAX];
	uint16_t *table;
	struct tunvnet_toeplitz *tp; /* RSS only */
	struct tunvnet_verify_stats st;
	struct tv_flow_slot *flows;  /* automq only */
};

/* What one packet should look like in the header and on which queue. */
struct tv_expect {
	unsigned int report;
	uint32_t value;
	int queue;          /* -1: any queue */
	bool value_checked; /* false: the value cannot be predicted */
};

/* One packet under test. */
struct tv_pkt {
	struct tunvnet_flow flow;
	struct tunvnet_class cls; /* cls.hash: Toeplitz with the configured key (RSS) */
	unsigned int q;
	unsigned int obs_report;
	uint32_t obs_value;
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
 * hashes with whatever follows them in its buffer (modelled as zero).
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
		e.queue = tunvnet_rss_queue(cfg, n, report, hash);
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
			e.queue = tunvnet_automq_queue(p->obs_value, n);
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

/* ---- explanations of a failed comparison ---- */

struct tv_explanation {
	uint32_t deviation;
	/* Whether it can apply to p; if so fill the alternative expectation and a
	 * short note for the verdict line. */
	bool (*alt)(const struct tunvnet_verifier *v, const struct tv_pkt *p, struct tv_expect *e,
		    char *note, size_t note_len);
};

/*
 * The short key (see series_key_len): only when the kernel's key copy does
 * not cover this input. Key bytes past the copy are taken as zero; if the
 * kernel's buffer held something else the packet stays a plain mismatch.
 */
static bool alt_short_key(const struct tunvnet_verifier *v, const struct tv_pkt *p,
			  struct tv_expect *e, char *note, size_t note_len)
{
	uint8_t key[TUNVNET_KEY_MAX] = { 0 };
	size_t klen = series_key_len(v->o.cfg.types);
	uint32_t hash;

	if (!(v->o.cfg.flags & TUNVNET_HASH_RSS) || p->cls.report == TUNVNET_REPORT_NONE ||
	    klen >= (size_t)p->cls.input_len + 4 || klen >= v->o.cfg.key_len)
		return false;
	memcpy(key, v->key, klen);
	hash = tunvnet_toeplitz_ref(key, sizeof(key), p->cls.input, p->cls.input_len);
	*e = expect_for(v, p, p->cls.report, hash);
	snprintf(note, note_len, "kernel key %zu bytes for types %#x", klen, v->o.cfg.types);
	return true;
}

/*
 * A tagged frame injected with AF_PACKET on the tap itself reaches the
 * series with the VLAN protocol but the network header past the tags, so
 * it is classified NONE (uapi.md, "Injecting test traffic").
 */
static bool alt_vlan_af_packet(const struct tunvnet_verifier *v, const struct tv_pkt *p,
			       struct tv_expect *e, char *note, size_t note_len)
{
	if (!p->flow.vlan_tags || p->cls.report == TUNVNET_REPORT_NONE ||
	    p->obs_report != TUNVNET_REPORT_NONE)
		return false;
	*e = expect_for(v, p, TUNVNET_REPORT_NONE, 0);
	snprintf(note, note_len, "%u vlan tags misread", p->flow.vlan_tags);
	return true;
}

/* Tried in order; the first that explains the observation wins. */
static const struct tv_explanation explanations[] = {
	{ TUNVNET_DEVIATION_SHORT_KEY_IPV6, alt_short_key },
	{ TUNVNET_DEVIATION_VLAN_AF_PACKET, alt_vlan_af_packet },
};

/* Every deviation's name, for the verdict line. */
static const struct {
	uint32_t bit;
	const char *name;
} deviations[] = {
	{ TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE, "automq-value-is-queue" },
	{ TUNVNET_DEVIATION_SHORT_KEY_IPV6, "short-key-ipv6" },
	{ TUNVNET_DEVIATION_VLAN_AF_PACKET, "vlan-af-packet" },
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
 * The kernel's automq hash covers the whole flow (addresses, protocol,
 * ports) whatever the configured types, so the flow is keyed on the parsed
 * tuple, not on the Toeplitz input. Fragments carry no ports for it.
 */
static bool flow_key(const struct tunvnet_flow *f, uint8_t key[TV_FLOW_KEY_LEN])
{
	memset(key, 0, TV_FLOW_KEY_LEN);
	if (!(f->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6)))
		return false;
	tv_put_be16(key, f->ethertype);
	key[2] = f->l4_proto;
	key[3] = f->flags & TUNVNET_FLOW_IPV4 ? 4 : 6;
	memcpy(key + 4, f->src, 16);
	memcpy(key + 20, f->dst, 16);
	if ((f->flags & TUNVNET_FLOW_PORTS) && !(f->flags & TUNVNET_FLOW_FRAGMENT)) {
		tv_put_be16(key + 36, f->src_port);
		tv_put_be16(key + 38, f->dst_port);
	}
	return true;
}

static uint32_t fnv1a(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* Remember p's flow; false (with the earlier observation) when it changed. */
static bool flow_consistent(struct tunvnet_verifier *v, const struct tv_pkt *p,
			    struct tv_flow_slot *before)
{
	uint8_t key[TV_FLOW_KEY_LEN];
	struct tv_flow_slot *s;
	bool same;

	if (!v->flows || !flow_key(&p->flow, key))
		return true;
	s = &v->flows[fnv1a(key, sizeof(key)) % TV_FLOW_SLOTS];
	if (!s->used || memcmp(s->key, key, sizeof(key)) != 0) {
		memcpy(s->key, key, sizeof(key));
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

/* ---- the API ---- */

TUNVNET_API void tunvnet_verifier_free(struct tunvnet_verifier *v)
{
	if (!v)
		return;
	tunvnet_toeplitz_free(v->tp);
	free(v->table);
	free(v->flows);
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
		err = tunvnet_toeplitz_new(v->key, cfg->key_len, TUNVNET_TOEPLITZ_AUTO, &v->tp);
		if (err) {
			tunvnet_verifier_free(v);
			return err;
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

TUNVNET_API int tunvnet_verify_packet(struct tunvnet_verifier *v, unsigned int q,
				      const struct tunvnet_hdr *hdr, const void *frame,
				      size_t len, struct tunvnet_verdict *verdict)
{
	struct tv_expect plain, alt;
	struct tv_flow_slot before;
	struct tv_pkt p;
	char exp_s[48], obs_s[48], note[64] = "";
	uint32_t unknown;
	bool ok;
	size_t i;

	tv_err_clear();
	if (!v || !verdict || (!frame && len))
		return tv_err(-EINVAL, "verify: NULL verifier, verdict or frame");
	if (q >= v->o.num_queues)
		return tv_err(-EINVAL, "verify: queue %u out of range (verifier has %u)", q,
			      v->o.num_queues);

	memset(verdict, 0, sizeof(*verdict));
	memset(&p, 0, sizeof(p));
	p.q = q;
	verdict->observed_queue = (int)q;
	verdict->expected_queue = -1;

	/* Unparsable or non-IP bytes are a packet like any other: report NONE. */
	if (!frame || tunvnet_packet_parse(frame, len, v->o.l2, &p.flow) < 0)
		memset(&p.flow, 0, sizeof(p.flow));
	if (tunvnet_classify(&p.flow, v->o.cfg.types, v->o.profile, &p.cls) < 0)
		memset(&p.cls, 0, sizeof(p.cls));
	if (v->tp && p.cls.report != TUNVNET_REPORT_NONE)
		p.cls.hash = tunvnet_toeplitz_hash(v->tp, p.cls.input, p.cls.input_len);
	verdict->expected_report = p.cls.report;

	if (!hdr) {
		/* No vnet header: nothing the kernel said to compare with. */
		verdict->code = TUNVNET_VERDICT_UNCHECKED;
		set_why(verdict, &p, "no vnet header to check");
		count(v, verdict->code);
		return 0;
	}
	p.obs_report = hdr->hash_report;
	p.obs_value = hdr->hash_value;
	verdict->observed_report = p.obs_report;
	verdict->observed_hash = p.obs_value;

	plain = expect_for(v, &p, p.cls.report, p.cls.hash);
	verdict->expected_report = plain.report;
	verdict->expected_hash = plain.value_checked ? plain.value : 0;
	verdict->expected_queue = plain.queue;
	verdict->hash_checked = plain.value_checked;

	ok = expect_holds(&plain, &p);
	for (i = 0; !ok && i < TV_ARRAY_SIZE(explanations); i++) {
		if (explanations[i].alt(v, &p, &alt, note, sizeof(note)) && expect_holds(&alt, &p)) {
			verdict->deviation |= explanations[i].deviation;
			ok = true;
		}
	}

	describe_expect(&plain, exp_s, sizeof(exp_s));
	{
		struct tv_expect obs = { .report = p.obs_report, .value = p.obs_value,
					 .queue = (int)q, .value_checked = true };

		describe_expect(&obs, obs_s, sizeof(obs_s));
	}
	if (!ok) {
		verdict->code = TUNVNET_VERDICT_MISMATCH;
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

	if (is_automq(v) && !flow_consistent(v, &p, &before)) {
		verdict->code = TUNVNET_VERDICT_MISMATCH;
		set_why(verdict, &p, "same flow reported 0x%08x on queue %u before, now 0x%08x "
				     "on queue %u", before.value, before.queue, p.obs_value, q);
		count(v, verdict->code);
		return 0;
	}

	unknown = verdict->deviation & ~v->o.known_deviations;
	verdict->code = !verdict->deviation ? TUNVNET_VERDICT_MATCH
		      : unknown		   ? TUNVNET_VERDICT_MISMATCH
					   : TUNVNET_VERDICT_KNOWN_DEVIATION;
	if (verdict->code == TUNVNET_VERDICT_MATCH) {
		set_why(verdict, &p, "expected %s, observed %s", exp_s, obs_s);
	} else {
		char names[96];

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
