/* SPDX-License-Identifier: MIT */
/* Shared by the in-guest programs: results, links, injection. */
#ifndef TUNVNET_VM_COMMON_H
#define TUNVNET_VM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tunvnet/tunvnet.h"

/* Case results: each prints one line; totals decide the exit status. */
struct vm_tally {
	unsigned int pass, fail, known, info;
};
extern struct vm_tally vm_tally;

void vm_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* PASS / FAIL line: case, then expected and observed. */
bool vm_check(bool ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A known kernel deviation: counted apart, never a pass or a failure. */
void vm_known(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The probe's generation against TUNVNET_EXPECT_UAPI (set per test kernel by
 * the meson tests): a FAIL line and exit 1 when they disagree, so a probe
 * that wrongly says "no feature" cannot turn the suite into skips. */
void vm_require_uapi(enum tunvnet_uapi got);
/* 0 when nothing failed, 1 otherwise. */
int vm_exit_status(void);

/* Write a /proc/sys value; ignores errors (best effort). */
void vm_sysctl(const char *path, const char *value);

/* Links (rtnetlink through libnl, ioctl for flags). */
int vm_link_up(const char *name);
/* Wait (up to 5 s) for operstate "up": IFF_UP alone drops the first frames. */
int vm_wait_oper_up(const char *name);
int vm_ifindex(const char *name);
int vm_link_mac(const char *name, uint8_t mac[6]);
int vm_veth_add(const char *a, const char *b);
int vm_bridge_add(const char *name);
int vm_link_set_master(const char *name, const char *master);
int vm_link_del(const char *name);

/* An AF_PACKET socket bound to ifname; type SOCK_DGRAM or SOCK_RAW. */
int vm_pkt_socket(const char *ifname, int type);
/* Send: SOCK_DGRAM takes the L3 protocol (ETH_P_*), SOCK_RAW a whole frame. */
int vm_pkt_send(int fd, int ifindex, uint16_t proto, const void *buf, size_t len);

/* Hex dump into buf (for evidence lines). */
const char *vm_hex(const void *p, size_t len, char *buf, size_t cap);

/* Header as the kernel wrote it: rebuilt from the parsed fields. */
void vm_hdr_bytes(const struct tunvnet_hdr *h, uint8_t out[20]);

#endif
