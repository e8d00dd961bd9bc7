/* SPDX-License-Identifier: MIT */
/*
 * The kernel series' selftest flows, shared by the live tests: the IP packet
 * 172.17.0.0 -> 172.17.0.1 (IPv6: ffff::ac11:0 -> ffff::ac11:1), ports
 * 9 -> 9, with a minimal TCP (proto 6) or 8-byte UDP/other header. With
 * the Microsoft key these hash to 0x6e45d952 / 0xfb63539a (IPv4) and
 * 0xd6eb560f / 0xc2b9f251 (IPv6).
 */
#ifndef TUNVNET_TEST_SELFTEST_PACKET_H
#define TUNVNET_TEST_SELFTEST_PACKET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The longest packet selftest_packet writes: IPv6 + TCP. */
#define SELFTEST_PACKET_MAX 60

/* Writes the packet at p (SELFTEST_PACKET_MAX bytes of room) and returns its
 * length. Only the packet's own bytes are written: the caller may have put
 * it behind a header in a buffer just big enough (it once zeroed 128 bytes
 * at offset 14 of a 128-byte frame). */
static size_t selftest_packet(uint8_t *p, int v6, uint8_t proto)
{
	size_t l4 = proto == 6 ? 20 : 8;
	uint8_t *th;

	memset(p, 0, (v6 ? 40 : 20) + l4);
	if (!v6) {
		p[0] = 0x45;
		p[3] = (uint8_t)(20 + l4);
		p[8] = 64;
		p[9] = proto;
		p[12] = 172, p[13] = 17;
		p[16] = 172, p[17] = 17, p[19] = 1;
		th = p + 20;
	} else {
		p[0] = 0x60;
		p[5] = (uint8_t)l4;
		p[6] = proto;
		p[7] = 64;
		p[8] = 0xff, p[9] = 0xff, p[20] = 0xac, p[21] = 0x11;
		p[24] = 0xff, p[25] = 0xff, p[36] = 0xac, p[37] = 0x11, p[39] = 1;
		th = p + 40;
	}
	th[1] = 9;
	th[3] = 9;
	if (proto == 6)
		th[12] = 5 << 4;
	return (size_t)(th + l4 - p);
}

#endif
