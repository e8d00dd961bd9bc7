/* SPDX-License-Identifier: MIT */
/* What the bench's files share: timing, the row table. */
#ifndef TUNVNET_BENCH_H
#define TUNVNET_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tunvnet/tunvnet.h>

struct peer;

extern uint32_t sink; /* results land here so the compiler keeps the work */

double now_ns(void);
/* Minimum ns per op over the repetitions; fn(p, len, iters) times iters calls of unit ops. */
double measure(double (*fn)(const struct peer *, size_t, unsigned long), const struct peer *p,
	       size_t len, unsigned long unit);
void add_row(const char *op, const char *impl, size_t len, const char *mode, const char *frame,
	     double ns);
/* The row just added gets the extra keys of flow-set and loop rows. */
void row_extra(unsigned long flows, const char *config, int verify, unsigned int queues);
/* ns of the first row with these keys (flows 0: any), or 0. */
double row_ns(const char *op, const char *frame, unsigned long flows, const char *config,
	      int verify);

/* verify_rows.c: verify beside classify_hash over flow sets; the receive loop on a live tap. */
int bench_verify_rows(enum tunvnet_profile profile, bool quick);
void bench_rx_loop_rows(bool quick, const char **missing);
void bench_verify_ratios(void); /* text output: the ratios those rows give */
/* Ethernet + IPv4/IPv6 + TCP frame of flow i into f (128 bytes zeroed); its length. */
size_t put_flow(uint8_t *f, bool v6, unsigned long i);
int wait_oper_up(const char *name); /* the tap is up for AF_PACKET, or -ETIMEDOUT */
/* A multi-queue tap with the 20-byte header, non-blocking; NULL with *missing set. */
struct tunvnet_dev *bench_tap_open(unsigned int nq, const char **missing);

/*
 * tap_rows.c: a 4-queue tap fed by AF_PACKET, drained with tunvnet_queue_read:
 * frames/s with the steering program (ebpf backend, RSS) against none (rows
 * op "tap-rx"), and the read cost with reports filled against plain (rows op
 * "queue-read"); *missing says why not measured (no tap, no CAP_BPF).
 */
void bench_tap_rows(bool quick, const char **missing);
void bench_tap_ratios(void); /* text output: steer / none, fill / plain */

/*
 * steer_rows.c: the steering eBPF program, a textbook one and a floor by
 * BPF_PROG_TEST_RUN on one Ethernet frame (rows op "steer"); *missing says
 * why nothing was measured (no CAP_BPF, built without eBPF).
 */
int bench_steer_rows(const char *name, const uint8_t *frame, size_t len, bool quick,
		     const char **missing);
void bench_steer_ratios(void); /* text output: textbook / ours, ours / floor */

#endif
