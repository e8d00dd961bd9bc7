/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for libFuzzer so the targets run as ordinary tests (and under
 * ASan/UBSan in CI): replay a corpus directory, then feed pseudo-random and
 * mutated inputs from a fixed seed, so every run sees the same inputs.
 *
 * usage: fuzz-<target> CORPUS_DIR [ITERATIONS]
 * env:   TUNVNET_FUZZ_ITERS, TUNVNET_FUZZ_SEED override the defaults.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define FUZZ_MAX_INPUT 600     /* what the mutations make */
#define FUZZ_MAX_SEED (1 << 20) /* what a corpus file may hold */
#define MAX_SEEDS 256

struct seed {
	uint8_t *data;
	size_t len;
};

static struct seed seeds[MAX_SEEDS];
static size_t n_seeds;
static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: small, deterministic, good enough to pick mutations. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

static int load_corpus(const char *dir)
{
	struct dirent **names;
	int n, i;

	/* Sorted, so the replay order (and the mutations after) is stable. */
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "cannot read corpus %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		char path[4096];
		FILE *f;
		uint8_t *buf;
		size_t len;

		if (names[i]->d_name[0] != '.' && n_seeds < MAX_SEEDS) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			f = fopen(path, "rb");
			if (f) {
				/* The whole file (a saved crash may be longer than what
				 * the mutations make): replayed exactly as found. */
				buf = malloc(FUZZ_MAX_SEED);
				if (!buf)
					abort();
				len = fread(buf, 1, FUZZ_MAX_SEED, f);
				fclose(f);
				seeds[n_seeds].data = realloc(buf, len ? len : 1);
				if (!seeds[n_seeds].data)
					abort();
				seeds[n_seeds].len = len;
				n_seeds++;
			}
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

/* Values that steer a parser: header types, lengths, boundaries. */
static const uint8_t interesting[] = {
	0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x08, 0x0f, 0x10, 0x11, 0x20, 0x2b, 0x2c, 0x33,
	0x3c, 0x40, 0x45, 0x46, 0x4f, 0x60, 0x7f, 0x80, 0x81, 0x86, 0x88, 0x91, 0xa8, 0xc9,
	0xdd, 0xfd, 0xfe, 0xff,
};

static size_t mutate(uint8_t *buf, size_t len)
{
	int n = 1 + (int)below(8);

	while (n--) {
		size_t at = below(len), cut, k;

		switch (below(7)) {
		case 0: /* flip a bit */
			if (len)
				buf[at] ^= (uint8_t)(1u << below(8));
			break;
		case 1: /* random byte */
			if (len)
				buf[at] = (uint8_t)rng();
			break;
		case 2: /* interesting byte */
			if (len)
				buf[at] = interesting[below(sizeof(interesting))];
			break;
		case 3: /* truncate */
			len = below(len + 1);
			break;
		case 4: /* grow with random bytes */
			k = below(64);
			if (len + k > FUZZ_MAX_INPUT)
				k = FUZZ_MAX_INPUT - len;
			for (cut = 0; cut < k; cut++)
				buf[len + cut] = (uint8_t)rng();
			len += k;
			break;
		case 5: /* duplicate a chunk (repeats headers, tags, options) */
			if (len) {
				size_t from = below(len), chunk = 1 + below(len - from);

				if (len + chunk <= FUZZ_MAX_INPUT) {
					memmove(buf + at + chunk, buf + at, len - at);
					memmove(buf + at, buf + (from >= at ? from + chunk : from),
					       chunk);
					len += chunk;
				}
			}
			break;
		default: /* delete a chunk */
			if (len) {
				cut = 1 + below(len - at);
				memmove(buf + at, buf + at + cut, len - at - cut);
				len -= cut;
			}
			break;
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	unsigned long iters = 200000, i;
	const char *env;
	uint8_t buf[FUZZ_MAX_INPUT + 64];
	size_t s;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR [ITERATIONS]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		iters = strtoul(argv[2], NULL, 0);
	if ((env = getenv("TUNVNET_FUZZ_ITERS")) && *env)
		iters = strtoul(env, NULL, 0);
	rng_state = 0x74756e766e6574ull; /* "tunvnet" */
	if ((env = getenv("TUNVNET_FUZZ_SEED")) && *env)
		rng_state = strtoull(env, NULL, 0) | 1;
	if (load_corpus(argv[1]))
		return 1;

	for (s = 0; s < n_seeds; s++) {
		/* Every prefix of every seed: truncation is where parsers go wrong. */
		size_t len;

		for (len = 0; len <= seeds[s].len; len++) {
			uint8_t *exact = malloc(len ? len : 1); /* exact size: ASan sees overreads */

			if (!exact)
				abort();
			memcpy(exact, seeds[s].data, len);
			LLVMFuzzerTestOneInput(exact, len);
			free(exact);
		}
	}
	for (i = 0; i < iters; i++) {
		size_t len;
		uint8_t *exact;

		if (!n_seeds || below(4) == 0) {
			len = below(FUZZ_MAX_INPUT / 4);
			for (s = 0; s < len; s++)
				buf[s] = (uint8_t)rng();
		} else {
			const struct seed *sd = &seeds[below(n_seeds)];
			size_t from = sd->len < FUZZ_MAX_INPUT ? sd->len : FUZZ_MAX_INPUT;

			memcpy(buf, sd->data, from);
			len = mutate(buf, from);
		}
		exact = malloc(len ? len : 1);
		if (!exact)
			abort();
		memcpy(exact, buf, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	printf("%s: %zu corpus files (every prefix) and %lu generated inputs, no failure\n",
	       argv[0], n_seeds, iters);
	for (s = 0; s < n_seeds; s++)
		free(seeds[s].data);
	return 0;
}
