/* SPDX-License-Identifier: MIT */
/*
 * The ebpf backend end to end on the host kernel: a 4-queue tap (argv[1]
 * "tap") or tun ("tun"), tunvnet_dev_set_hash with REPORT|RSS on a kernel
 * without the hashing series (auto must choose ebpf), then a mixed workload
 * (IPv4/IPv6, TCP/UDP/other, IPv4 options and fragments, IPv6 extension
 * headers, VLAN tags, non-IP, truncated) sent into the device: every frame
 * must come back once, on the queue tunvnet_rss_queue predicts over the
 * reference hash, carrying the predicted report and hash. 0 mismatches,
 * 0 lost. Needs root; 77 without CAP_NET_ADMIN or when bpf() is not allowed.
 */
#include "backend_test.h"

#define NFRAMES 3000
#define BATCH 100

static struct fb frames[NFRAMES];
static unsigned int want_q[NFRAMES], want_rep[NFRAMES], got[NFRAMES];
static uint32_t want_hash[NFRAMES];
static unsigned int wrong_q, wrong_rep, noise, per_q[NQ];

static void check(struct bt *t, unsigned int q, const struct tunvnet_pkt *p, void *arg)
{
	int k = bt_find(frames, NFRAMES, p);

	(void)t;
	(void)arg;
	if (k < 0) {
		noise++;
		return;
	}
	got[k]++;
	per_q[q]++;
	if (q != want_q[k] && ++wrong_q <= 5) {
		fprintf(stderr, "WRONG QUEUE: frame %d on %u, predicted %u:\n", k, q, want_q[k]);
		gen_dump(stderr, &frames[k]);
	}
	if ((p->hdr.hash_report != want_rep[k] || p->hdr.hash_value != want_hash[k]) &&
	    ++wrong_rep <= 5) {
		fprintf(stderr, "WRONG REPORT: frame %d: report %u hash %#x, predicted %u %#x:\n", k,
			p->hdr.hash_report, p->hdr.hash_value, want_rep[k], want_hash[k]);
		gen_dump(stderr, &frames[k]);
	}
}

int main(int argc, char **argv)
{
	enum tunvnet_kind kind = argc > 1 && strcmp(argv[1], "tun") == 0 ? TUNVNET_KIND_TUN
									  : TUNVNET_KIND_TAP;
	struct tunvnet_hash_cfg cfg = TUNVNET_HASH_CFG_INIT, got_cfg = TUNVNET_HASH_CFG_INIT;
	struct gen g = { .s = kind == TUNVNET_KIND_TUN ? 0x7475ull : 0x7461ull };
	struct tunvnet_toeplitz *ref;
	struct tunvnet_caps caps = { .sz = sizeof(caps) };
	bool series;
	static uint16_t table[128];
	unsigned int i, lost = 0, dup = 0, unsent = 0;
	uint8_t key[40];
	struct bt t;
	int err, from;

	bt_open(&t, kind, kind == TUNVNET_KIND_TUN ? "eu" : "ea", 0);
	/* Without the series auto must choose ebpf; with it, ebpf is asked for by name. */
	series = tunvnet_caps_probe(-1, &caps) == 0;
	gen_cfg(&g, &cfg, key, table, 128);
	cfg.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	cfg.types = TUNVNET_HASH_TYPES_ALL;
	cfg.key_len = 40;
	/* Every queue reachable, in a scrambled order. */
	cfg.table_len = 128;
	for (i = 0; i < cfg.table_len; i++)
		table[i] = (uint16_t)((i * 5 + i / 8) % NQ);
	cfg.unclassified_queue = 3;
	cfg.backend = series ? TUNVNET_BACKEND_EBPF : TUNVNET_BACKEND_AUTO;
	err = tunvnet_dev_set_hash(t.dev, &cfg);
	if (err == -EPERM || err == -EOPNOTSUPP) {
		printf("skip: the ebpf backend cannot run here: %s\n", tunvnet_last_error());
		bt_close(&t);
		return 77;
	}
	if (err)
		bt_fail("tunvnet_dev_set_hash");
	if (tunvnet_dev_get_hash(t.dev, &got_cfg) || got_cfg.backend != TUNVNET_BACKEND_EBPF) {
		fprintf(stderr, "FAIL: backend %s in force, not ebpf\n",
			tunvnet_backend_name(got_cfg.backend));
		return 1;
	}
	if (tunvnet_toeplitz_new(key, 40, TUNVNET_TOEPLITZ_REF, &ref))
		bt_fail("toeplitz");

	for (i = 0; i < NFRAMES; i++) {
		bool dupe;

		do {
			unsigned int j;

			bt_gen(&g, t.l2, &frames[i]);
			dupe = false;
			for (j = 0; j < i && !dupe; j++)
				dupe = frames[j].len == frames[i].len &&
				       memcmp(frames[j].b, frames[i].b, frames[i].len) == 0;
		} while (dupe);
		bt_predict(&frames[i], t.l2, &cfg, ref, &want_q[i], &want_rep[i], &want_hash[i]);
	}
	tunvnet_toeplitz_free(ref);

	for (from = 0; from < NFRAMES; from += BATCH) {
		int idle = 0, k;

		for (k = from; k < from + BATCH; k++)
			if (!bt_send(&t, &frames[k])) {
				got[k] = 1; /* the kernel refused it: nothing to receive */
				unsent++;
			}
		while (idle < 10) {
			if (bt_drain(&t, 100, check, NULL) == 0)
				idle++;
			for (k = from; k < from + BATCH && got[k]; k++)
				;
			if (k == from + BATCH)
				break;
		}
	}
	for (i = 0; i < NFRAMES; i++) {
		lost += got[i] == 0;
		dup += got[i] > 1;
	}
	printf("%s, ebpf backend: %d frames (%u refused by AF_PACKET), per queue %u %u %u %u; "
	       "%u on the wrong queue, %u with the wrong report, %u lost, %u duplicated, %u not "
	       "ours\n", tunvnet_kind_name(kind), NFRAMES, unsent, per_q[0], per_q[1], per_q[2],
	       per_q[3], wrong_q, wrong_rep, lost, dup, noise);
	bt_close(&t);
	for (i = 0; i < NQ; i++)
		if (!per_q[i]) {
			fprintf(stderr, "FAIL: queue %u got nothing: the mix did not spread\n", i);
			return 1;
		}
	if (unsent > NFRAMES / 10) {
		fprintf(stderr, "FAIL: %u frames refused by AF_PACKET: the test sent too little\n",
			unsent);
		return 1;
	}
	return wrong_q || wrong_rep || lost || dup ? 1 : 0;
}
