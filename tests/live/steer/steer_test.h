/* SPDX-License-Identifier: MIT */
/* Shared by the steering program's tests: skip without bpf(), run one frame. */
#ifndef TUNVNET_STEER_TEST_H
#define TUNVNET_STEER_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <bpf/bpf.h>

#include "steer_gen.h"
#include "steer_prog.h"

/* Open the program or exit: 77 (skipped, with the reason) when not allowed here. */
static inline struct tv_steer *steer_open_or_skip(enum tunvnet_l2 l2)
{
	struct tv_steer *s = NULL;
	int err = tv_steer_open(&s, l2);

	if (err == -EPERM || err == -EOPNOTSUPP) {
		printf("skip: cannot load the steering program here: %s\n", tunvnet_last_error());
		exit(77);
	}
	if (err) {
		fprintf(stderr, "FAIL: tv_steer_open(l2 %d): %d %s\n", (int)l2, err,
			tunvnet_last_error());
		exit(1);
	}
	return s;
}

/* The program's return value for frame f (BPF_PROG_TEST_RUN), or -errno. */
static inline long steer_run(int prog_fd, const struct fb *f, enum tunvnet_l2 l2)
{
	static __thread uint8_t in[GEN_MAX + 14];
	LIBBPF_OPTS(bpf_test_run_opts, o);
	int err;

	o.data_in = in;
	o.data_size_in = (uint32_t)gen_test_input(f, l2, in);
	o.repeat = 1;
	err = bpf_prog_test_run_opts(prog_fd, &o);
	return err ? err : (long)o.retval;
}

/*
 * Whether BPF_PROG_TEST_RUN takes frame f: with skb->protocol IPv4 or IPv6
 * it wants the whole fixed IP header (20 or 40 bytes), so a tun frame with
 * packet info cut inside it cannot be run (the reference gives it no hash
 * anyway: too short to be IP).
 */
static inline bool steer_runnable(const struct fb *f, enum tunvnet_l2 l2)
{
	unsigned int proto;

	if (l2 != TUNVNET_L2_IP_PI)
		return true;
	if (f->len < 4)
		return false; /* a tun always writes its 4 bytes of packet info */
	proto = (unsigned int)(f->b[2] << 8 | f->b[3]);
	return !((proto == 0x0800 && f->len < 4 + 20) || (proto == 0x86dd && f->len < 4 + 40));
}

/*
 * How many frames: TUNVNET_STEER_FRAMES in the environment, else dflt, or
 * an eighth of it without a BPF JIT (the test kernels run the interpreter
 * under emulation, where the whole in-guest suite has a time budget).
 */
static inline unsigned int steer_frames(unsigned int dflt)
{
	const char *e = getenv("TUNVNET_STEER_FRAMES");
	FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	int jit = 0;

	if (e && atoi(e) > 0)
		return (unsigned int)atoi(e);
	if (f) {
		if (fscanf(f, "%d", &jit) != 1)
			jit = 0;
		fclose(f);
	}
	return jit ? dflt : dflt / 8;
}

#endif /* TUNVNET_STEER_TEST_H */
