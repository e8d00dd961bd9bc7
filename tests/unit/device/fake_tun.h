/* SPDX-License-Identifier: MIT */
/*
 * A scripted /dev/net/tun for the device unit tests: open() of
 * /dev/net/tun and ioctl() are wrapped (-Wl,--wrap=open64,--wrap=ioctl), so
 * a test sees every call lib/device.c makes, in order, with its argument,
 * and can make any one of them fail with a chosen errno.
 */
#ifndef TUNVNET_TEST_FAKE_TUN_H
#define TUNVNET_TEST_FAKE_TUN_H

#include <stdbool.h>
#include <stdint.h>

#define FAKE_MAX_CALLS 128

struct fake_call {
	int fd;
	unsigned long req;
	unsigned long val;   /* the int behind the pointer, or the by-value argument */
	char name[16];       /* TUNSETIFF: the name asked for */
};

struct fake_tun {
	/* script */
	int open_errno;           /* open("/dev/net/tun") fails with this */
	unsigned long fail_req;   /* this request fails ... */
	int fail_errno;           /* ... with this errno ... */
	int fail_nth;             /* ... on its nth call (0: every call) */
	/* state the fake kernel keeps */
	unsigned short iff;       /* flags of the device, from the first TUNSETIFF */
	char name[16];            /* its name */
	int hdr_sz, le, be;
	char series;              /* 'B': the hashing series answers (types below); 0: no */
	uint32_t series_types;
	int steer_fd;             /* TUNSETSTEERINGEBPF: the program attached, -1 none */
	/* recorded */
	int opens;
	int ncalls;
	struct fake_call calls[FAKE_MAX_CALLS];
};

extern struct fake_tun fk;

/* Reset the script and the record (hdr_sz back to the kernel's 10). */
void fake_reset(void);
/* How many calls of req were made. */
int fake_count(unsigned long req);
/* The nth (from 0) call of req, or NULL. */
const struct fake_call *fake_nth(unsigned long req, int n);

#endif
