/* SPDX-License-Identifier: MIT */
/*
 * The ebpf backend reconfigured while traffic flows, on a 4-queue tap: a
 * sender thread keeps sending a mixed workload while the control thread
 * applies a new table and key every few milliseconds with
 * tunvnet_dev_set_hash. No frame may be lost (a frame the kernel dropped
 * because the reader fell behind, as under sanitizers in an emulated guest,
 * shows in the tap's tx_dropped and is accounted, not lost), and each must have been
 * steered by a configuration in force while it was in flight (the last one
 * applied before it was sent, or a later one) and carry the report of a
 * configuration in force between its sending and its reading. All
 * predictions come from the reference. Root; 77 without bpf().
 */
#include <pthread.h>

#include "backend_test.h"

#define NFRAMES 4000
#define NCFG 24

static struct fb frames[NFRAMES];
static int sent_epoch[NFRAMES]; /* configurations fully applied before it was sent */
static unsigned int got[NFRAMES];
static struct tunvnet_hash_cfg cfgs[NCFG];
static uint8_t keys[NCFG][40];
static uint16_t tables[NCFG][64];
static struct tunvnet_toeplitz *refs[NCFG];
static int epoch;          /* configurations applied so far (atomic) */
static int sender_done;
static unsigned int bad_q, bad_rep, noise, unsent;
static struct bt t;

/* The tap's own drop counter: frames the kernel refused at a full queue. */
static unsigned long tx_dropped(void)
{
	char path[96];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_dropped",
		 tunvnet_dev_name(t.dev));
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%lu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static void check(struct bt *bt, unsigned int q, const struct tunvnet_pkt *p, void *arg)
{
	int k = bt_find(frames, NFRAMES, p), e, lo, hi;
	int read_epoch = __atomic_load_n(&epoch, __ATOMIC_ACQUIRE);
	bool q_ok = false, rep_ok = false;

	(void)bt;
	(void)arg;
	if (k < 0) {
		noise++;
		return;
	}
	got[k]++;
	/* Steered by the configuration in force when sent, or one applied while in flight. */
	lo = sent_epoch[k] - 1;
	hi = read_epoch < NCFG ? read_epoch : NCFG - 1;
	for (e = lo; e <= hi; e++) {
		unsigned int wq, wr;
		uint32_t wh;

		bt_predict(&frames[k], t.l2, &cfgs[e], refs[e], &wq, &wr, &wh);
		q_ok |= wq == q;
		rep_ok |= wr == p->hdr.hash_report && wh == p->hdr.hash_value;
	}
	if (!q_ok && ++bad_q <= 5) {
		fprintf(stderr, "frame %d on queue %u: no configuration %d..%d puts it there\n", k,
			q, lo, hi);
		gen_dump(stderr, &frames[k]);
	}
	if (!rep_ok && ++bad_rep <= 5)
		fprintf(stderr, "frame %d: report %u hash %#x is none of configurations %d..%d's\n",
			k, p->hdr.hash_report, p->hdr.hash_value, lo, hi);
}

static void *sender(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < NFRAMES; i++) {
		sent_epoch[i] = __atomic_load_n(&epoch, __ATOMIC_ACQUIRE);
		if (!bt_send(&t, &frames[i])) {
			got[i] = 1; /* refused by AF_PACKET: nothing to receive */
			unsent++;
		}
		if (i % 64 == 63)
			usleep(2000); /* under the queues' length: a kernel drop is not the subject */
	}
	__atomic_store_n(&sender_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *reader(void *arg)
{
	int idle = 0;

	(void)arg;
	while (idle < 20) {
		if (bt_drain(&t, 50, check, NULL) == 0 &&
		    __atomic_load_n(&sender_done, __ATOMIC_ACQUIRE))
			idle++;
	}
	return NULL;
}

int main(void)
{
	struct gen g = { .s = 0x5eedf00dull };
	struct tunvnet_hash_cfg in_force = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_caps caps = { .sz = sizeof(caps) };
	bool series;
	unsigned int i, j, lost = 0, dup = 0;
	unsigned long dropped;
	pthread_t ts, tr;
	int err;

	bt_open(&t, TUNVNET_KIND_TAP, "er", 0);
	/* Without the series auto must choose ebpf; with it, ebpf is asked for by name. */
	series = tunvnet_caps_probe(-1, &caps) == 0;
	for (i = 0; i < NCFG; i++) {
		gen_cfg(&g, &cfgs[i], keys[i], tables[i], 64);
		cfgs[i].flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
		cfgs[i].types = i % 3 ? TUNVNET_HASH_TYPES_ALL : 0x3f;
		cfgs[i].key_len = 40;
		cfgs[i].table_len = 64;
		for (j = 0; j < 64; j++)
			tables[i][j] = (uint16_t)((j * (i + 1) + i) % NQ);
		cfgs[i].unclassified_queue = (uint16_t)(i % NQ);
		cfgs[i].backend = series ? TUNVNET_BACKEND_EBPF : TUNVNET_BACKEND_AUTO;
		if (tunvnet_toeplitz_new(keys[i], 40, TUNVNET_TOEPLITZ_REF, &refs[i]))
			bt_fail("toeplitz");
	}
	for (i = 0; i < NFRAMES; i++)
		do
			bt_gen(&g, t.l2, &frames[i]);
		while (i && frames[i].len == frames[i - 1].len &&
		       !memcmp(frames[i].b, frames[i - 1].b, frames[i].len));

	err = tunvnet_dev_set_hash(t.dev, &cfgs[0]);
	if (err == -EPERM || err == -EOPNOTSUPP) {
		printf("skip: the ebpf backend cannot run here: %s\n", tunvnet_last_error());
		bt_close(&t);
		return 77;
	}
	if (err)
		bt_fail("tunvnet_dev_set_hash");
	if (tunvnet_dev_get_hash(t.dev, &in_force) || in_force.backend != TUNVNET_BACKEND_EBPF) {
		fprintf(stderr, "FAIL: backend %s, not ebpf\n", tunvnet_backend_name(in_force.backend));
		return 1;
	}
	__atomic_store_n(&epoch, 1, __ATOMIC_RELEASE);
	dropped = tx_dropped();
	if (pthread_create(&tr, NULL, reader, NULL) || pthread_create(&ts, NULL, sender, NULL))
		return 1;
	/* The control thread: a new table and key while the frames flow. */
	for (i = 1; i < NCFG && !__atomic_load_n(&sender_done, __ATOMIC_ACQUIRE); i++) {
		usleep(4000);
		if (tunvnet_dev_set_hash(t.dev, &cfgs[i]))
			bt_fail("tunvnet_dev_set_hash (under traffic)");
		__atomic_store_n(&epoch, (int)i + 1, __ATOMIC_RELEASE);
	}
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	dropped = tx_dropped() - dropped;
	for (i = 0; i < NFRAMES; i++) {
		lost += got[i] == 0;
		dup += got[i] > 1;
	}
	printf("%d frames (%u refused by AF_PACKET) over %d configurations applied under "
	       "traffic: %u steered by none in force, %u reports of none in force, %u lost, "
	       "%u duplicated, %u not ours; the kernel dropped %lu at a full queue\n", NFRAMES,
	       unsent, epoch, bad_q, bad_rep, lost, dup, noise, dropped);
	bt_close(&t);
	for (i = 0; i < NCFG; i++)
		tunvnet_toeplitz_free(refs[i]);
	if (epoch < 4) {
		fprintf(stderr, "FAIL: only %d configurations applied while frames flowed\n", epoch);
		return 1;
	}
	if (lost > dropped)
		fprintf(stderr, "FAIL: %u frames lost, only %lu of them dropped by the kernel\n",
			lost, dropped);
	return bad_q || bad_rep || lost > dropped || dup ? 1 : 0;
}
