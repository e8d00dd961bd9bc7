/* SPDX-License-Identifier: MIT */
/*
 * steer rows: the library's steering eBPF program (lib/bpf/steer.bpf.c)
 * against two programs written here for the comparison, all three run by
 * BPF_PROG_TEST_RUN on the same frames in the same run:
 *   textbook-ebpf  bit-by-bit Toeplitz over a fixed 36-byte buffer, each
 *                  header loaded on its own (how steering programs in use
 *                  today hash; bench/bpf/textbook.bpf.c);
 *   floor-ebpf     one load of the frame's first bytes, then return
 *                  (bench/bpf/floor.bpf.c).
 * The kernel times `repeat` runs of the program on one skb and reports the
 * mean; each figure is the best of several such calls.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#ifdef HAVE_EBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "floor.skel.h"
#include "steer_prog.h"
#include "textbook.skel.h"

/* The textbook program's map value (bench/bpf/textbook.bpf.c). */
struct tb_cfg {
	uint32_t table_len;
	uint8_t key[40];
	uint16_t table[128];
};

struct steer_progs {
	struct tv_steer *ours;
	struct textbook_bpf *tb;
	struct floor_bpf *fl;
	struct tunvnet_hash_cfg cfg;
	uint16_t table[128];
	bool ok;
	const char *missing;
};

static struct steer_progs P;

/* What the text output's ratios are made of: ours, textbook, floor per frame. */
static struct {
	const char *name;
	double ns[3];
} measured[3];
static size_t nmeasured;

/* Mean ns per run of prog over in (best of reps calls of repeat runs); 0 on failure. */
static double test_run_ns(int fd, const uint8_t *in, size_t len, unsigned int repeat,
			  int reps, uint32_t *retval)
{
	double best = 0;
	int r;

	for (r = 0; r < reps; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, o);

		o.data_in = in;
		o.data_size_in = (uint32_t)len;
		o.repeat = repeat;
		if (bpf_prog_test_run_opts(fd, &o))
			return 0;
		/* duration is the mean per run, in whole ns: time many runs so it means something. */
		if (r == 0 || o.duration < best)
			best = o.duration;
		*retval = o.retval;
	}
	return best > 0 ? best : 0.5;
}

static int steer_setup(void)
{
	uint32_t zero = 0;
	struct tb_cfg tc;
	unsigned int i;
	int err;

	err = tv_steer_open(&P.ours, TUNVNET_L2_ETH);
	if (err) {
		P.missing = err == -EPERM ? "loading eBPF needs CAP_BPF" : "the kernel refused it";
		return err;
	}
	for (i = 0; i < 128; i++)
		P.table[i] = (uint16_t)(i % 4);
	P.cfg = (struct tunvnet_hash_cfg)TUNVNET_HASH_CFG_INIT;
	P.cfg.flags = TUNVNET_HASH_RSS;
	P.cfg.types = TUNVNET_HASH_TYPES_ALL;
	P.cfg.key = tunvnet_default_key();
	P.cfg.key_len = 40;
	P.cfg.table = P.table;
	P.cfg.table_len = 128;
	err = tv_steer_configure(P.ours, &P.cfg);
	if (err) {
		P.missing = "configuring the program failed";
		return err;
	}
	P.tb = textbook_bpf__open_and_load();
	P.fl = floor_bpf__open_and_load();
	if (!P.tb || !P.fl) {
		P.missing = "the comparison programs did not load";
		return -EINVAL;
	}
	memset(&tc, 0, sizeof(tc));
	tc.table_len = 128;
	memcpy(tc.key, tunvnet_default_key(), 40);
	memcpy(tc.table, P.table, sizeof(P.table));
	if (bpf_map_update_elem(bpf_map__fd(P.tb->maps.tb_cfg), &zero, &tc, BPF_ANY)) {
		P.missing = "the textbook program's map could not be written";
		return -errno;
	}
	P.ok = true;
	return 0;
}

int bench_steer_rows(const char *name, const uint8_t *frame, size_t len, bool quick,
		     const char **missing)
{
	static bool tried;
	static uint8_t in[14 + 256];
	unsigned int repeat = quick ? 20000 : 1000000;
	int reps = quick ? 2 : 5;
	struct tunvnet_class cls;
	struct tunvnet_toeplitz *ref;
	uint32_t rv_ours, rv_tb, rv_fl;
	double ours, tb, fl;
	size_t i, k;
	int want;

	if (!tried) {
		tried = true;
		steer_setup();
	}
	if (!P.ok) {
		*missing = P.missing;
		return 0;
	}
	if (len > 256)
		return -EINVAL;
	/* Ours and the floor read from skb->data: 14 bytes in front for the kernel to pull. */
	memset(in, 0, 14);
	in[12] = 0x88;
	in[13] = 0xb5;
	memcpy(in + 14, frame, len);
	ours = test_run_ns(tv_steer_prog_fd(P.ours), in, len + 14, repeat, reps, &rv_ours);
	fl = test_run_ns(bpf_program__fd(P.fl->progs.floor_prog), in, len + 14, repeat, reps,
			 &rv_fl);
	/* The textbook one reads from the MAC header: the frame itself. */
	tb = test_run_ns(bpf_program__fd(P.tb->progs.textbook), frame, len, repeat / 8 + 1, reps,
			 &rv_tb);
	if (!ours || !fl || !tb) {
		*missing = "BPF_PROG_TEST_RUN failed";
		return -EINVAL;
	}
	/* Measured only if it steers as the reference says. */
	if (tunvnet_toeplitz_new(P.cfg.key, 40, TUNVNET_TOEPLITZ_REF, &ref))
		return -ENOMEM;
	tunvnet_classify_hash(frame, len, TUNVNET_L2_ETH, P.cfg.types, TUNVNET_PROFILE_EBPF, ref,
			      &cls);
	want = tunvnet_rss_queue(&P.cfg, 65536, cls.report, cls.hash);
	if ((int)rv_ours != want) {
		fprintf(stderr, "tunvnet-bench: the steering program gives %u on %s, the reference %d\n",
			rv_ours, name, want);
		tunvnet_toeplitz_free(ref);
		return -EINVAL;
	}
	/* The textbook one knows no _EX types: it is the plain types' answer. */
	tunvnet_classify_hash(frame, len, TUNVNET_L2_ETH, TUNVNET_HASH_TYPES_PLAIN,
			      TUNVNET_PROFILE_SPEC, ref, &cls);
	want = tunvnet_rss_queue(&P.cfg, 65536, cls.report, cls.hash);
	tunvnet_toeplitz_free(ref);
	if ((int)rv_tb != want) {
		fprintf(stderr, "tunvnet-bench: the textbook program gives %u on %s, the reference %d\n",
			rv_tb, name, want);
		return -EINVAL;
	}
	add_row("steer", "tunvnet-ebpf", len, "single", name, ours);
	add_row("steer", "textbook-ebpf", len, "single", name, tb);
	add_row("steer", "floor-ebpf", len, "single", name, fl);
	for (i = 0; i < nmeasured && strcmp(measured[i].name, name); i++)
		;
	if (i == nmeasured && nmeasured < 3)
		measured[nmeasured++] = (typeof(measured[0])){ name, { ours, tb, fl } };
	else if (i < nmeasured) /* measured again: keep the best of each */
		for (k = 0; k < 3; k++)
			if ((k == 0 ? ours : k == 1 ? tb : fl) < measured[i].ns[k])
				measured[i].ns[k] = k == 0 ? ours : k == 1 ? tb : fl;
	return 0;
}

void bench_steer_ratios(void)
{
	size_t i;

	if (!nmeasured)
		return;
	printf("steer (BPF_PROG_TEST_RUN, ns per frame): textbook / ours (target >= 4), "
	       "ours / floor (target <= 1.6)\n");
	for (i = 0; i < nmeasured; i++) {
		const double *m = measured[i].ns;

		printf("  %-17s ours %6.1f  textbook %6.1f  floor %6.1f   %5.2fx faster, "
		       "%4.2fx the floor\n",
		       measured[i].name, m[0], m[1], m[2], m[1] / m[0], m[0] / m[2]);
	}
	printf("\n");
}

#else /* !HAVE_EBPF */

int bench_steer_rows(const char *name, const uint8_t *frame, size_t len, bool quick,
		     const char **missing)
{
	(void)name, (void)frame, (void)len, (void)quick;
	*missing = "built without the steering eBPF program";
	return 0;
}

void bench_steer_ratios(void)
{
}

#endif
