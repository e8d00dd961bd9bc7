/* SPDX-License-Identifier: MIT */
/*
 * tunvnet-bench: Toeplitz latency and throughput of our paths against a
 * textbook bit loop and DPDK's implementations, plus classify+hash per frame.
 *
 * single: a dependent chain (each hash picks the next input), so the figure
 *         is latency. bulk: 256 independent inputs per call, throughput.
 * Each figure is the minimum over several repetitions (the machine may be
 * shared); compare ratios within one run.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tunvnet/tunvnet.h>

#include "bench.h"
#include "peers.h"

#define POOL 512     /* single: inputs start at 4 * (h & 63) in here */
#define NBULK 256    /* bulk: inputs per call */
#define BSTRIDE 64   /* bulk: bytes between inputs */

enum kind { K_OURS, K_TEXTBOOK, K_SOFTRSS, K_SOFTRSS_BE, K_DPDK_GFNI };

struct peer {
	const char *name;
	enum kind kind;
	enum tunvnet_toeplitz_impl impl; /* K_OURS */
	struct tunvnet_toeplitz *t;
	void *ctx;
	const char *missing; /* why it is not measured */
};

struct row {
	const char *op, *impl, *mode, *frame;
	size_t len;
	double ns;
	unsigned long flows;  /* flow-set rows: how many flows the frames cycle through */
	const char *config;   /* verify rows: "rss" or "automq"; rx_loop rows: the hash setting */
	int verify;           /* rx_loop rows: 1 with tunvnet_verify_packet per frame, else 0 */
	unsigned int queues;  /* verify and rx_loop rows */
};

static struct row rows[256];
static size_t nrows;
static double target_ns = 1e6; /* per repetition */
static int reps = 25;
uint32_t sink;

static uint8_t key[64];
static uint8_t pool[POOL + 64] __attribute__((aligned(64)));
static uint32_t wpool[(POOL + 64) / 4]; /* pool as host-order words (softrss) */
static uint8_t bulkbuf[NBULK * BSTRIDE] __attribute__((aligned(64)));
static uint32_t wbulk[NBULK * BSTRIDE / 4];
static uint8_t *bulkptr[NBULK];
static uint32_t bulkout[NBULK];

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* The definition, one bit at a time (key padded to 48 bytes). */
__attribute__((noinline)) static uint32_t textbook(const uint8_t *k, const uint8_t *in, size_t len)
{
	uint64_t v = 0;
	uint32_t h = 0;
	size_t i;
	int b;

	for (i = 0; i < 8; i++)
		v = v << 8 | k[i];
	for (i = 0; i < len; i++) {
		for (b = 7; b >= 0; b--) {
			if (in[i] >> b & 1)
				h ^= (uint32_t)(v >> 32);
			v <<= 1;
		}
		v |= k[i + 8];
	}
	return h;
}

#define IDX(h) (((h) & 63u) * 4u)

/* Time iters hashes of a dependent chain. */
static double chain(const struct peer *p, size_t len, unsigned long iters)
{
	uint32_t h = 0;
	unsigned long i;
	double t0 = now_ns();

	switch (p->kind) {
	case K_OURS:
		for (i = 0; i < iters; i++)
			h = tunvnet_toeplitz_hash(p->t, pool + IDX(h), len);
		break;
	case K_TEXTBOOK:
		for (i = 0; i < iters; i++)
			h = textbook(key, pool + IDX(h), len);
		break;
#ifdef HAVE_DPDK
	case K_SOFTRSS:
		for (i = 0; i < iters; i++)
			h = peer_softrss(p->ctx, wpool + IDX(h) / 4, len);
		break;
	case K_SOFTRSS_BE:
		for (i = 0; i < iters; i++)
			h = peer_softrss_be(p->ctx, wpool + IDX(h) / 4, len);
		break;
	case K_DPDK_GFNI:
		for (i = 0; i < iters; i++)
			h = peer_dpdk_gfni(p->ctx, pool + IDX(h), len);
		break;
#endif
	default:
		break;
	}
	sink ^= h;
	return now_ns() - t0;
}

/* Time iters calls hashing NBULK independent inputs each. */
static double bulk(const struct peer *p, size_t len, unsigned long iters)
{
	unsigned long i;
	size_t j;
	double t0 = now_ns();

	for (i = 0; i < iters; i++) {
		switch (p->kind) {
		case K_OURS:
			tunvnet_toeplitz_hash_bulk(p->t, bulkbuf, len, BSTRIDE, NBULK, bulkout);
			break;
		case K_TEXTBOOK:
			for (j = 0; j < NBULK; j++)
				bulkout[j] = textbook(key, bulkbuf + j * BSTRIDE, len);
			break;
#ifdef HAVE_DPDK
		case K_SOFTRSS:
			for (j = 0; j < NBULK; j++)
				bulkout[j] = peer_softrss(p->ctx, wbulk + j * BSTRIDE / 4, len);
			break;
		case K_SOFTRSS_BE:
			for (j = 0; j < NBULK; j++)
				bulkout[j] = peer_softrss_be(p->ctx, wbulk + j * BSTRIDE / 4, len);
			break;
		case K_DPDK_GFNI:
			peer_dpdk_gfni_bulk(p->ctx, bulkptr, len, NBULK, bulkout);
			break;
#endif
		default:
			break;
		}
		sink ^= bulkout[i % NBULK];
	}
	return now_ns() - t0;
}

/*
 * Minimum ns per op over reps repetitions of about target_ns each; fn
 * returns the total ns of iters calls, each of unit ops. Many short runs
 * and their minimum: a run that was preempted on a shared machine is lost.
 */
double measure(double (*fn)(const struct peer *, size_t, unsigned long), const struct peer *p,
	       size_t len, unsigned long unit)
{
	unsigned long iters = 64;
	double t, best = 1e300;
	int r;

	/* Calibrate: grow until one run takes a measurable while. */
	while ((t = fn(p, len, iters)) < target_ns / 16 && iters < (1ul << 40))
		iters *= 2;
	iters = (unsigned long)((double)iters * target_ns / (t > 1 ? t : 1));
	if (iters < 1)
		iters = 1;
	for (r = 0; r < reps; r++) {
		t = fn(p, len, iters) / ((double)iters * (double)unit);
		if (t < best)
			best = t;
	}
	return best;
}

void add_row(const char *op, const char *impl, size_t len, const char *mode, const char *frame,
	     double ns)
{
	if (nrows < sizeof(rows) / sizeof(rows[0]))
		rows[nrows++] = (struct row){ op, impl, mode, frame, len, ns, 0, NULL, -1, 0 };
}

/* The row just added gets the extra keys of flow-set and loop rows. */
void row_extra(unsigned long flows, const char *config, int verify, unsigned int queues)
{
	if (!nrows)
		return;
	rows[nrows - 1].flows = flows;
	rows[nrows - 1].config = config;
	rows[nrows - 1].verify = verify;
	rows[nrows - 1].queues = queues;
}

static uint32_t peer_hash_once(const struct peer *p, const uint8_t *in, const uint32_t *w,
			       size_t len)
{
	switch (p->kind) {
	case K_OURS: return tunvnet_toeplitz_hash(p->t, in, len);
	case K_TEXTBOOK: return textbook(key, in, len);
#ifdef HAVE_DPDK
	case K_SOFTRSS: return peer_softrss(p->ctx, w, len);
	case K_SOFTRSS_BE: return peer_softrss_be(p->ctx, w, len);
	case K_DPDK_GFNI: return peer_dpdk_gfni(p->ctx, in, len);
#endif
	default: (void)w; return 0;
	}
}

/* A peer that computes something else is not measured: check it first. */
static int check_peer(const struct peer *p, size_t len)
{
	size_t j;

	for (j = 0; j < 64; j++) {
		uint32_t want = tunvnet_toeplitz_ref(key, 40, pool + 4 * j, len);
		uint32_t got = peer_hash_once(p, pool + 4 * j, wpool + j, len);

		if (got != want) {
			fprintf(stderr, "tunvnet-bench: %s gives %08x, the reference %08x (len %zu)\n",
				p->name, got, want, len);
			return -1;
		}
	}
	memset(bulkout, 0, sizeof(bulkout));
	bulk(p, len, 1);
	for (j = 0; j < NBULK; j++) {
		if (bulkout[j] != tunvnet_toeplitz_ref(key, 40, bulkbuf + j * BSTRIDE, len)) {
			fprintf(stderr, "tunvnet-bench: %s bulk is wrong at %zu (len %zu)\n",
				p->name, j, len);
			return -1;
		}
	}
	return 0;
}

/* ---- classify + hash per frame ---- */

struct frame {
	const char *name;
	uint8_t bytes[8][256]; /* eight flows of the same shape */
	size_t len;
};

static size_t put_eth(uint8_t *f, uint16_t ethertype)
{
	static const uint8_t macs[12] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56,
					  0x52, 0x54, 0, 0xab, 0xcd, 0xef };

	memcpy(f, macs, 12);
	f[12] = (uint8_t)(ethertype >> 8);
	f[13] = (uint8_t)ethertype;
	return 14;
}

static size_t put_tcp(uint8_t *f, uint16_t sport, uint16_t dport)
{
	memset(f, 0, 20);
	f[0] = (uint8_t)(sport >> 8);
	f[1] = (uint8_t)sport;
	f[2] = (uint8_t)(dport >> 8);
	f[3] = (uint8_t)dport;
	f[12] = 5 << 4; /* data offset: 20 bytes */
	f[13] = 0x10;   /* ACK */
	return 20;
}

static size_t put_ipv6(uint8_t *f, uint8_t next, uint16_t payload)
{
	static const uint8_t src[16] = { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff,
					 0, 0, 0, 0, 0, 0, 0, 7 };
	static const uint8_t dst[16] = { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03,
					 0, 0, 0, 0, 0, 0, 0, 1 };

	memset(f, 0, 40);
	f[0] = 0x60;
	f[4] = (uint8_t)(payload >> 8);
	f[5] = (uint8_t)payload;
	f[6] = next;
	f[7] = 64;
	memcpy(f + 8, src, 16);
	memcpy(f + 24, dst, 16);
	return 40;
}

static void build_frames(struct frame *fr)
{
	int v;

	fr[0].name = "eth-ipv4-tcp";
	fr[1].name = "eth-ipv6-tcp";
	fr[2].name = "eth-ipv6-ext-tcp";
	for (v = 0; v < 8; v++) {
		uint16_t sport = (uint16_t)(2794 + 97 * v);
		uint8_t *f = fr[0].bytes[v];
		size_t n = put_eth(f, 0x0800);

		/* IPv4/TCP: 66.9.149.187 -> 161.142.100.80, no options. */
		memset(f + n, 0, 20);
		f[n] = 0x45;
		f[n + 3] = 40;
		f[n + 8] = 64;
		f[n + 9] = 6;
		memcpy(f + n + 12, "\x42\x09\x95\xbb\xa1\x8e\x64\x50", 8);
		n += 20;
		n += put_tcp(f + n, sport, 1766);
		fr[0].len = n;

		f = fr[1].bytes[v];
		n = put_eth(f, 0x86dd);
		n += put_ipv6(f + n, 6, 20);
		n += put_tcp(f + n, sport, 1766);
		fr[1].len = n;

		/* Hop-by-hop, Destination Options with a Home Address, Type 2 Routing. */
		f = fr[2].bytes[v];
		n = put_eth(f, 0x86dd);
		n += put_ipv6(f + n, 0, 8 + 24 + 24 + 20);
		memset(f + n, 0, 8);
		f[n] = 60; /* hop-by-hop: next is destination options, PadN fills it */
		f[n + 2] = 1;
		f[n + 3] = 4;
		n += 8;
		memset(f + n, 0, 24);
		f[n] = 43; /* next: routing */
		f[n + 1] = 2;
		f[n + 2] = 1; /* PadN, 2 bytes of padding: the option lands at 8n+6 */
		f[n + 3] = 2;
		f[n + 6] = 0xc9; /* Home Address */
		f[n + 7] = 16;
		memcpy(f + n + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x42", 16);
		n += 24;
		memset(f + n, 0, 24);
		f[n] = 6; /* next: TCP */
		f[n + 1] = 2;
		f[n + 2] = 2; /* type 2 */
		f[n + 3] = 1; /* segments left */
		memcpy(f + n + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x99", 16);
		n += 24;
		n += put_tcp(f + n, sport, 1766);
		fr[2].len = n;
	}
}

static const struct frame *cur_frame;
static const struct tunvnet_toeplitz *cls_t;
static enum tunvnet_profile cls_profile = TUNVNET_PROFILE_SPEC;

static double cls_chain(const struct peer *p, size_t len, unsigned long iters)
{
	struct tunvnet_class cls;
	uint32_t h = 0;
	unsigned long i;
	double t0 = now_ns();

	(void)p;
	for (i = 0; i < iters; i++) {
		tunvnet_classify_hash(cur_frame->bytes[h & 7], len, TUNVNET_L2_ETH,
				      TUNVNET_HASH_TYPES_ALL, cls_profile, cls_t, &cls);
		h = cls.hash;
	}
	sink ^= h;
	return now_ns() - t0;
}

static double cls_bulk(const struct peer *p, size_t len, unsigned long iters)
{
	struct tunvnet_class cls;
	unsigned long i;
	uint32_t h = 0;
	double t0 = now_ns();

	(void)p;
	for (i = 0; i < iters; i++) {
		tunvnet_classify_hash(cur_frame->bytes[i & 7], len, TUNVNET_L2_ETH,
				      TUNVNET_HASH_TYPES_ALL, cls_profile, cls_t, &cls);
		h ^= cls.hash;
	}
	sink ^= h;
	return now_ns() - t0;
}

static double find(const char *op, const char *impl, size_t len, const char *mode,
		   const char *frame)
{
	size_t i;

	for (i = 0; i < nrows; i++)
		if (!strcmp(rows[i].op, op) && !strcmp(rows[i].impl, impl) && rows[i].len == len &&
		    !strcmp(rows[i].mode, mode) &&
		    (!frame || (rows[i].frame && !strcmp(rows[i].frame, frame))))
			return rows[i].ns;
	return 0;
}

double row_ns(const char *op, const char *frame, unsigned long flows, const char *config,
	      int verify)
{
	for (size_t i = 0; i < nrows; i++)
		if (!strcmp(rows[i].op, op) && rows[i].frame && !strcmp(rows[i].frame, frame) &&
		    (!flows || rows[i].flows == flows) &&
		    (!config || (rows[i].config && !strcmp(rows[i].config, config))) &&
		    (verify < 0 || rows[i].verify == verify))
			return rows[i].ns;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: tunvnet-bench [--quick] [--json] [--profile spec|linux|qemu]\n"
		   "  --quick  a ~1 s smoke run (fewer, shorter repetitions)\n"
		   "  --json   one JSON array of {op, impl, len, mode, ns_per_op} rows\n");
}

int main(int argc, char **argv)
{
	static const size_t lens[] = { 12, 36 };
	struct peer peers[] = {
		{ "tunvnet-auto", K_OURS, TUNVNET_TOEPLITZ_AUTO, NULL, NULL, NULL },
		{ "tunvnet-ref", K_OURS, TUNVNET_TOEPLITZ_REF, NULL, NULL, NULL },
		{ "tunvnet-table", K_OURS, TUNVNET_TOEPLITZ_TABLE, NULL, NULL, NULL },
		{ "tunvnet-clmul", K_OURS, TUNVNET_TOEPLITZ_CLMUL, NULL, NULL, NULL },
		{ "tunvnet-gfni", K_OURS, TUNVNET_TOEPLITZ_GFNI, NULL, NULL, NULL },
		{ "textbook", K_TEXTBOOK, 0, NULL, NULL, NULL },
		{ "dpdk-softrss", K_SOFTRSS, 0, NULL, NULL, NULL },
		{ "dpdk-softrss-be", K_SOFTRSS_BE, 0, NULL, NULL, NULL },
		{ "dpdk-gfni", K_DPDK_GFNI, 0, NULL, NULL, NULL },
	};
	const size_t npeers = sizeof(peers) / sizeof(peers[0]);
	static struct frame frames[3];
	bool json = false, quick = false;
	struct tunvnet_toeplitz *auto_t = NULL;
	const char *rx_missing = NULL, *steer_missing = NULL, *tap_missing = NULL;
	size_t i, j, l;
	int err, a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json")) {
			json = true;
		} else if (!strcmp(argv[a], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[a], "--profile") && a + 1 < argc) {
			if (tunvnet_profile_parse(argv[++a], &cls_profile)) {
				usage(stderr);
				return 2;
			}
		} else if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (quick) {
		target_ns = 2e5;
		reps = 5;
	}

	memcpy(key, tunvnet_default_key(), 40);
	for (i = 0; i < sizeof(pool); i++)
		pool[i] = (uint8_t)(rnd() >> 56);
	for (i = 0; i < sizeof(bulkbuf); i++)
		bulkbuf[i] = (uint8_t)(rnd() >> 56);
	/* softrss wants host-order words, as DPDK callers build them. */
	for (i = 0; i < sizeof(wpool) / 4; i++)
		wpool[i] = (uint32_t)pool[4 * i] << 24 | (uint32_t)pool[4 * i + 1] << 16 |
			   (uint32_t)pool[4 * i + 2] << 8 | pool[4 * i + 3];
	for (i = 0; i < sizeof(wbulk) / 4; i++)
		wbulk[i] = (uint32_t)bulkbuf[4 * i] << 24 | (uint32_t)bulkbuf[4 * i + 1] << 16 |
			   (uint32_t)bulkbuf[4 * i + 2] << 8 | bulkbuf[4 * i + 3];
	for (i = 0; i < NBULK; i++)
		bulkptr[i] = bulkbuf + i * BSTRIDE;

	for (i = 0; i < npeers; i++) {
		struct peer *p = &peers[i];
		const char *why = NULL;

		switch (p->kind) {
		case K_OURS:
			err = tunvnet_toeplitz_new(key, 40, p->impl, &p->t);
			if (err == -EOPNOTSUPP)
				p->missing = "CPU or build without this path";
			else if (err)
				p->missing = "tunvnet_toeplitz_new failed";
			break;
		case K_TEXTBOOK:
			break;
#ifdef HAVE_DPDK
		case K_SOFTRSS:
			p->ctx = peer_softrss_prepare(key, 40, &why);
			break;
		case K_SOFTRSS_BE:
			p->ctx = peer_softrss_be_prepare(key, 40, &why);
			break;
		case K_DPDK_GFNI:
			p->ctx = peer_dpdk_gfni_prepare(key, 40, &why);
			break;
#else
		default:
			why = "not built with DPDK (pkg-config libdpdk not found)";
			break;
#endif
		}
		if (why)
			p->missing = why;
		else if (p->kind != K_OURS && p->kind != K_TEXTBOOK && !p->ctx)
			p->missing = "preparation failed";
	}
	auto_t = peers[0].t;
	if (!auto_t) {
		fprintf(stderr, "tunvnet-bench: no Toeplitz handle: %s\n", tunvnet_last_error());
		return 1;
	}

	for (i = 0; i < npeers; i++) {
		if (peers[i].missing)
			continue;
		for (l = 0; l < 2; l++) {
			if (check_peer(&peers[i], lens[l]))
				return 1;
			add_row("toeplitz", peers[i].name, lens[l], "single", NULL,
				measure(chain, &peers[i], lens[l], 1));
			add_row("toeplitz", peers[i].name, lens[l], "bulk", NULL,
				measure(bulk, &peers[i], lens[l], NBULK));
		}
	}

	build_frames(frames);
	cls_t = auto_t;
	for (j = 0; j < 3; j++) {
		struct tunvnet_class cls;

		cur_frame = &frames[j];
		err = tunvnet_classify_hash(frames[j].bytes[0], frames[j].len, TUNVNET_L2_ETH,
					    TUNVNET_HASH_TYPES_ALL, cls_profile, auto_t, &cls);
		if (err || cls.report == TUNVNET_REPORT_NONE ||
		    cls.hash != tunvnet_toeplitz_ref(key, 40, cls.input, cls.input_len)) {
			fprintf(stderr, "tunvnet-bench: classify_hash on %s: err %d report %s\n",
				frames[j].name, err, tunvnet_report_name(err ? 0 : cls.report));
			return 1;
		}
		add_row("classify_hash", "tunvnet-auto", frames[j].len, "single", frames[j].name,
			measure(cls_chain, NULL, frames[j].len, 1));
		add_row("classify_hash", "tunvnet-auto", frames[j].len, "bulk", frames[j].name,
			measure(cls_bulk, NULL, frames[j].len, 1));
	}

	for (j = 0; j < 3; j++) {
		err = bench_steer_rows(frames[j].name, frames[j].bytes[0], frames[j].len, quick,
				       &steer_missing);
		if (err) {
			fprintf(stderr, "tunvnet-bench: steer rows: %d\n", err);
			return 1;
		}
	}

	err = bench_verify_rows(cls_profile, quick);
	if (err) {
		fprintf(stderr, "tunvnet-bench: verify rows: %d\n", err);
		return 1;
	}
	bench_rx_loop_rows(quick, &rx_missing);
	bench_tap_rows(quick, &tap_missing);

	if (json) {
		printf("[");
		for (i = 0; i < nrows; i++) {
			printf("%s\n {\"op\": \"%s\", \"impl\": \"%s\", \"len\": %zu, \"mode\": \"%s\", "
			       "\"ns_per_op\": %.3f",
			       i ? "," : "", rows[i].op, rows[i].impl, rows[i].len, rows[i].mode,
			       rows[i].ns);
			if (rows[i].frame)
				printf(", \"frame\": \"%s\"", rows[i].frame);
			if (rows[i].flows)
				printf(", \"flows\": %lu", rows[i].flows);
			if (rows[i].config)
				printf(", \"config\": \"%s\"", rows[i].config);
			if (rows[i].verify >= 0)
				printf(", \"verify\": %s", rows[i].verify ? "true" : "false");
			if (rows[i].queues)
				printf(", \"queues\": %u", rows[i].queues);
			if (!strcmp(rows[i].op, "tap-rx"))
				printf(", \"frames_per_s\": %.0f", 1e9 / rows[i].ns);
			printf("}");
		}
		printf("\n]\n");
		for (i = 0; i < npeers; i++)
			if (peers[i].missing)
				fprintf(stderr, "tunvnet-bench: %s not measured: %s\n", peers[i].name,
					peers[i].missing);
		if (rx_missing)
			fprintf(stderr, "tunvnet-bench: rx_loop not measured: %s\n", rx_missing);
		if (steer_missing)
			fprintf(stderr, "tunvnet-bench: steer not measured: %s\n", steer_missing);
		if (tap_missing)
			fprintf(stderr, "tunvnet-bench: tap-rx, queue-read not measured: %s\n",
				tap_missing);
	} else {
		printf("tunvnet-bench: libtunvnet %s linked statically (no PLT), auto = %s, "
		       "classify profile %s\n",
		       tunvnet_version(),
		       tunvnet_toeplitz_impl_name(tunvnet_toeplitz_impl_of(auto_t)),
		       tunvnet_profile_name(cls_profile));
		printf("single = dependent chain (latency), bulk = %d independent inputs per call; "
		       "min of %d runs\n\n",
		       NBULK, reps);
		printf("%-14s %-17s %-17s %4s %-7s %-22s %10s %12s\n", "op", "impl", "frame", "len",
		       "mode", "flows/config", "ns/op", "vs auto");
		for (i = 0; i < nrows; i++) {
			double base = find(rows[i].op, "tunvnet-auto", rows[i].len, rows[i].mode,
					   rows[i].frame);

			char extra[64] = "-";

			if (rows[i].flows || rows[i].config)
				snprintf(extra, sizeof(extra), "%lu %s%s", rows[i].flows,
					 rows[i].config ? rows[i].config : "",
					 rows[i].verify > 0 ? " +verify" : "");
			printf("%-14s %-17s %-17s %4zu %-7s %-22s %10.2f", rows[i].op, rows[i].impl,
			       rows[i].frame ? rows[i].frame : "-", rows[i].len, rows[i].mode, extra,
			       rows[i].ns);
			if (base > 0 && strcmp(rows[i].impl, "tunvnet-auto") && !rows[i].flows)
				printf(" %11.2fx", rows[i].ns / base);
			printf("\n");
		}
		printf("\n");
		for (i = 0; i < npeers; i++)
			if (peers[i].missing)
				printf("not measured: %s (%s)\n", peers[i].name, peers[i].missing);
		if (rx_missing)
			printf("not measured: rx_loop (%s)\n", rx_missing);
		if (steer_missing)
			printf("not measured: steer (%s)\n", steer_missing);
		if (tap_missing)
			printf("not measured: tap-rx, queue-read (%s)\n", tap_missing);
		printf("\n");
		bench_verify_ratios();
		bench_steer_ratios();
		bench_tap_ratios();
	}

	for (i = 0; i < npeers; i++) {
		if (peers[i].kind == K_OURS)
			tunvnet_toeplitz_free(peers[i].t);
#ifdef HAVE_DPDK
		else if (peers[i].ctx)
			peer_free(peers[i].ctx);
#endif
	}
	return sink == 0x12345678 ? 3 : 0; /* keep sink alive */
}
