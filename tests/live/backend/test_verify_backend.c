/* SPDX-License-Identifier: MIT */
/*
 * The verifier against the stock-kernel backends end to end: a 4-queue
 * device (argv[1] "tap" or "tun") on a kernel without the hashing series,
 * a mixed workload sent into it, every frame read with tunvnet_queue_read
 * and checked by tunvnet_verify_packet with the backend in force
 * (tunvnet_dev_get_hash): ebpf (REPORT|RSS: queue predicted, filled report
 * checked) and user (REPORT only: report checked). Every frame must be a
 * match; and a verifier given another table must catch frames on queues
 * that table would not give (the queue is really checked). Needs root;
 * 77 without CAP_NET_ADMIN, without bpf(), or on a kernel with the series.
 */
#include "backend_test.h"

#define NFRAMES 600
#define BATCH 50

struct run {
	struct tunvnet_verifier *v, *wrong; /* wrong: same cfg, another table */
	unsigned int read, matched, caught;
};

static void check(struct bt *t, unsigned int q, const struct tunvnet_pkt *p, void *arg)
{
	struct run *r = arg;
	struct tunvnet_verdict vd;

	(void)t;
	r->read++;
	if (tunvnet_verify_packet(r->v, q, &p->hdr, p->buf, p->len, &vd))
		bt_fail("tunvnet_verify_packet");
	if (vd.code == TUNVNET_VERDICT_MATCH)
		r->matched++;
	else if (r->read - r->matched <= 5)
		fprintf(stderr, "NOT A MATCH on queue %u: %s: %s\n", q,
			tunvnet_verdict_name(vd.code), vd.why);
	if (r->wrong) {
		if (tunvnet_verify_packet(r->wrong, q, &p->hdr, p->buf, p->len, &vd))
			bt_fail("tunvnet_verify_packet");
		r->caught += vd.code == TUNVNET_VERDICT_MISMATCH;
	}
}

static void discard(struct bt *t, unsigned int q, const struct tunvnet_pkt *p, void *arg)
{
	(void)t;
	(void)q;
	(void)p;
	(void)arg;
}

static int run(struct bt *t, struct gen *g, uint32_t flags, enum tunvnet_backend want)
{
	static uint16_t table[128], other[128];
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT, in_force = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_verify_opts vo = TUNVNET_VERIFY_OPTS_INIT;
	struct run r = { 0 };
	static struct fb frames[BATCH];
	uint8_t key[40];
	int err, sent = 0;

	gen_cfg(g, &cfg, key, table, 128);
	cfg.flags = flags;
	cfg.types = TUNVNET_HASH_TYPES_ALL;
	cfg.key_len = 40;
	cfg.table_len = 128;
	for (unsigned int i = 0; i < 128; i++) {
		table[i] = (uint16_t)((i * 3 + i / 16) % NQ);
		other[i] = (uint16_t)((table[i] + 1) % NQ);
	}
	cfg.unclassified_queue = 2;
	if (!(flags & TUNVNET_HASH_RSS)) {
		/* Report only takes no key: the filler hashes with the Microsoft one. */
		cfg.key = NULL;
		cfg.key_len = 0;
		cfg.table = NULL;
		cfg.table_len = 0;
		cfg.unclassified_queue = 0;
	}
	cfg.backend = want;
	err = tunvnet_dev_set_hash(t->dev, &cfg);
	if (err == -EPERM || err == -EOPNOTSUPP) {
		printf("skip: the %s backend cannot run here: %s\n", tunvnet_backend_name(want),
		       tunvnet_last_error());
		exit(77);
	}
	if (err)
		bt_fail("tunvnet_dev_set_hash");
	if (tunvnet_dev_get_hash(t->dev, &in_force) || in_force.backend != want) {
		fprintf(stderr, "FAIL: backend in force %s, asked for %s\n",
			tunvnet_backend_name(in_force.backend), tunvnet_backend_name(want));
		exit(1);
	}
	/* What was queued before the configuration is not evidence. */
	while (bt_drain(t, 50, discard, NULL))
		;
	vo.cfg = &in_force;
	vo.num_queues = NQ;
	vo.kind = tunvnet_dev_kind(t->dev);
	vo.l2 = t->l2;
	vo.profile = TUNVNET_PROFILE_SPEC;
	vo.backend = in_force.backend;
	if (tunvnet_verifier_new(&vo, &r.v))
		bt_fail("tunvnet_verifier_new");
	if (flags & TUNVNET_HASH_RSS) {
		struct tunvnet_hash_cfg w = in_force;

		w.table = other;
		vo.cfg = &w;
		if (tunvnet_verifier_new(&vo, &r.wrong))
			bt_fail("tunvnet_verifier_new (other table)");
	}
	for (int from = 0; from < NFRAMES; from += BATCH) {
		for (int k = 0; k < BATCH; k++) {
			bt_gen(g, t->l2, &frames[k]);
			sent += bt_send(t, &frames[k]);
		}
		while (bt_drain(t, 100, check, &r))
			;
	}
	printf("%s, %s backend, flags %#x: %d sent, %u read, %u matched, %u caught by a "
	       "verifier with another table\n", tunvnet_kind_name(tunvnet_dev_kind(t->dev)),
	       tunvnet_backend_name(want), flags, sent, r.read, r.matched, r.caught);
	tunvnet_verifier_free(r.v);
	tunvnet_verifier_free(r.wrong);
	if (r.read < (unsigned int)sent * 9 / 10 || r.matched != r.read) {
		fprintf(stderr, "FAIL: %u of %u frames read are not a match (%d sent)\n",
			r.read - r.matched, r.read, sent);
		return 1;
	}
	/* Every frame's queue differs under the other table, except NONE ones
	 * (unclassified queue): most must be caught. */
	if ((flags & TUNVNET_HASH_RSS) && r.caught < r.read / 2) {
		fprintf(stderr, "FAIL: a verifier with another table caught only %u of %u\n",
			r.caught, r.read);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum tunvnet_kind kind = argc > 1 && strcmp(argv[1], "tun") == 0 ? TUNVNET_KIND_TUN
									  : TUNVNET_KIND_TAP;
	struct gen g = { .s = kind == TUNVNET_KIND_TUN ? 0x7665ull : 0x7666ull };
	struct tunvnet_caps caps = { .sz = sizeof(caps) };
	struct bt t;
	int rc;

	bt_open(&t, kind, kind == TUNVNET_KIND_TUN ? "vu" : "va", 0);
	if (tunvnet_caps_probe(-1, &caps) == 0) {
		printf("skip: this kernel has the hashing series (the VM suite verifies it)\n");
		bt_close(&t); /* a skip must not leak (LeakSanitizer would fail it) */
		return 77;
	}
	rc = run(&t, &g, TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS, TUNVNET_BACKEND_EBPF);
	if (!rc)
		rc = run(&t, &g, TUNVNET_HASH_REPORT, TUNVNET_BACKEND_USER);
	bt_close(&t);
	return rc;
}
