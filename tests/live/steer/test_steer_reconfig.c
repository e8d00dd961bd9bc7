/* SPDX-License-Identifier: MIT */
/*
 * Reconfiguring under traffic: while one thread runs frames through the
 * program (BPF_PROG_TEST_RUN), the main thread switches between two
 * configurations X and Y again and again. Every answer must be X's or Y's
 * for that frame (their tables name disjoint queue ranges and their keys
 * differ, so a frame steered by half of each shows as neither), both must
 * be seen, and right after tv_steer_configure() returns the new one is in
 * force. Needs CAP_BPF; exits 77 without.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "steer_test.h"

#define NFRAMES 256
#define SWITCHES 60

static struct fb frames[NFRAMES];
static int want[2][NFRAMES];
static atomic_bool stop;
static int prog_fd;
static unsigned long seen[2], runs, bad;

static void *runner(void *arg)
{
	unsigned int i = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		long got = steer_run(prog_fd, &frames[i], TUNVNET_L2_ETH);

		runs++;
		if (got == want[0][i])
			seen[0]++;
		else if (got == want[1][i])
			seen[1]++;
		else if (++bad <= 5)
			fprintf(stderr, "MIX: frame %u got %ld, X says %d, Y says %d\n", i, got,
				want[0][i], want[1][i]);
		i = (i + 1) % NFRAMES;
	}
	return NULL;
}

int main(void)
{
	static uint16_t tables[2][128];
	struct gen g = { .s = 0x5eed5eed1234ull };
	struct tunvnet_hash_cfg cfg[2];
	struct tunvnet_toeplitz *ref;
	uint8_t keys[2][40];
	unsigned int i, k, differ = 0, after_bad = 0;
	struct tv_steer *s;
	pthread_t th;

	s = steer_open_or_skip(TUNVNET_L2_ETH);
	prog_fd = tv_steer_prog_fd(s);
	for (k = 0; k < 2; k++) {
		gen_cfg(&g, &cfg[k], keys[k], tables[k], 128);
		cfg[k].types = TUNVNET_HASH_TYPES_ALL;
		cfg[k].key_len = 40;
		cfg[k].table_len = 128;
		for (i = 0; i < 128; i++)
			tables[k][i] = (uint16_t)(1000 * k + gen_below(&g, 1000));
		cfg[k].unclassified_queue = (uint16_t)(2000 + k);
	}
	for (i = 0; i < NFRAMES; i++)
		do
			gen_frame(&g, TUNVNET_L2_ETH, &frames[i]);
		while (!steer_runnable(&frames[i], TUNVNET_L2_ETH));
	for (k = 0; k < 2; k++) {
		if (tunvnet_toeplitz_new(keys[k], 40, TUNVNET_TOEPLITZ_REF, &ref))
			return 1;
		for (i = 0; i < NFRAMES; i++) {
			struct tunvnet_class cls;

			want[k][i] = gen_expect(&frames[i], TUNVNET_L2_ETH, &cfg[k], ref, &cls);
		}
		tunvnet_toeplitz_free(ref);
	}
	for (i = 0; i < NFRAMES; i++)
		differ += want[0][i] != want[1][i];

	if (tv_steer_configure(s, &cfg[0])) {
		fprintf(stderr, "FAIL: configure: %s\n", tunvnet_last_error());
		return 1;
	}
	if (pthread_create(&th, NULL, runner, NULL))
		return 1;
	for (k = 1; k <= SWITCHES; k++) {
		const unsigned int now = k % 2;

		if (tv_steer_configure(s, &cfg[now])) {
			fprintf(stderr, "FAIL: configure: %s\n", tunvnet_last_error());
			return 1;
		}
		/* Returned: the new configuration steers every frame from now on. */
		for (i = k % 8; i < NFRAMES; i += 8)
			if (steer_run(prog_fd, &frames[i], TUNVNET_L2_ETH) != want[now][i])
				after_bad++;
	}
	atomic_store(&stop, true);
	pthread_join(th, NULL);
	tv_steer_close(s);

	printf("%u switches, %lu runs under them: %lu by X, %lu by Y, %lu by neither; "
	       "%u answers right after a switch not by the new one (frames that differ: %u)\n",
	       SWITCHES, runs, seen[0], seen[1], bad, after_bad, differ);
	if (differ < NFRAMES / 2) {
		fprintf(stderr, "FAIL: X and Y agree on too many frames to tell them apart\n");
		return 1;
	}
	if (!seen[0] || !seen[1]) {
		fprintf(stderr, "FAIL: the runner did not see both configurations\n");
		return 1;
	}
	return bad || after_bad ? 1 : 0;
}
