/* SPDX-License-Identifier: MIT */
/*
 * Microsoft's "Verifying the RSS Hash Calculation" vectors (key:
 * tunvnet_default_key()), written source -> destination, the Toeplitz input
 * order (Microsoft's own table prints the destination first). Shared by the
 * Toeplitz and classifier tests so the facts stand in one place.
 */
#ifndef TUNVNET_TEST_MS_VECTORS_H
#define TUNVNET_TEST_MS_VECTORS_H

#include <stdint.h>

#include <tunvnet/tunvnet.h>

struct ms_vec {
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t ip;  /* addresses only */
	uint32_t tcp; /* addresses and ports */
};

static const struct ms_vec ms_vectors_v4[] = {
	{ "66.9.149.187", "161.142.100.80", 2794, 1766, 0x323e8fc2, 0x51ccc178 },
	{ "199.92.111.2", "65.69.140.83", 14230, 4739, 0xd718262a, 0xc626b0ea },
	{ "24.19.198.95", "12.22.207.184", 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
	{ "38.27.205.30", "209.142.163.6", 48228, 2217, 0x82989176, 0xafc7327f },
	{ "153.39.163.191", "202.188.127.2", 44251, 1303, 0x5d1809c5, 0x10e828a2 },
};

static const struct ms_vec ms_vectors_v6[] = {
	{ "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766, 0x2cc18cd5, 0x40207d3d },
	{ "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739, 0x0f0c461c, 0xdde51bbf },
	{ "3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf", 44251, 38024,
	  0x4b61e985, 0x02d1feef },
};

/* Every Toeplitz path; a test skips those this CPU lacks. */
static const enum tunvnet_toeplitz_impl all_impls[] = {
	TUNVNET_TOEPLITZ_AUTO, TUNVNET_TOEPLITZ_REF, TUNVNET_TOEPLITZ_TABLE,
	TUNVNET_TOEPLITZ_CLMUL, TUNVNET_TOEPLITZ_GFNI,
};

#define MS_COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif
