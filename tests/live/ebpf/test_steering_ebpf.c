/* SPDX-License-Identifier: MIT */
/*
 * Hashing next to a steering eBPF program (TUNSETSTEERINGEBPF), on a
 * kernel with the tun hashing series: a 3-queue tap, 20-byte LE header,
 * the series' selftest configuration (REPORT|RSS, types 0x3f, the
 * Microsoft key, table {3, 4}, unclassified 5: queues taken modulo 3).
 * Programs are socket filters "r0 = 2; exit" (always queue 2) and
 * "r0 = -1; exit" (TUN_STEERINGEBPF_FALLBACK), loaded with raw bpf().
 *
 * Generation A (v5): RSS and a program exclude each other with EBUSY in
 * both directions, REPORT alone is accepted, detaching lets RSS in.
 * Generation B (v12): no EBUSY; the program's queue wins, and the
 * fallback program gives RSS steering with the hash reported.
 *
 * Exits 77 without the feature (the host kernel), without CAP_NET_ADMIN,
 * or without bpf(). Run it in a test kernel with tests/vm/run-in-vm.sh.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>

#include "../expect_uapi.h"
#include "../oper_up.h"
#include "../selftest_packet.h"

#define NQ 3
#define BUF_SZ 65536

static struct tunvnet_dev *dev;
static enum tunvnet_uapi uapi;
static int tx = -1, prog_q2 = -1, prog_fallback = -1;
static uint8_t *buf;

/* A socket filter whose whole body is "r0 = ret; exit". */
static int load_prog(int32_t ret, char *log, size_t log_len)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uint64_t)(uintptr_t)"MIT";
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = (uint32_t)log_len;
	attr.log_level = 1;
	log[0] = '\0';
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

/* Attach prog (an fd, or -1 to detach) as the device's steering program. */
static int steer(int prog)
{
	return ioctl(tunvnet_dev_queue_fd(dev, 0), TUNSETSTEERINGEBPF, &prog) < 0 ? -errno : 0;
}

static const uint16_t selftest_table[2] = { 3, 4 };

/* The series' selftest configuration with the given REPORT/RSS flags. */
static int set_hash(uint32_t flags)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;

	c.flags = flags;
	c.types = TUNVNET_HASH_TYPES_PLAIN;
	/* The series next to a steering program is the subject: no routing around it. */
	c.backend = TUNVNET_BACKEND_KERNEL;
	if (flags & TUNVNET_HASH_RSS) {
		c.flags |= TUNVNET_HASH_QUEUE_WRAP; /* 3, 4 and 5 are taken modulo 3 */
		c.key = tunvnet_default_key();
		c.key_len = TUNVNET_KEY_MAX;
		c.table = selftest_table;
		c.table_len = 2;
		c.unclassified_queue = 5;
	}
	return tunvnet_dev_set_hash(dev, &c);
}

#define RSS_REPORT (TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS)
#define LOOPBACK 0 /* "proto" of an ETH_P_LOOPBACK frame below */

/* The L3 packet (what AF_PACKET SOCK_DGRAM sends after its own Ethernet header):
 * 172.17.0.0 -> 172.17.0.1 / ffff::ac11:0 -> ffff::ac11:1, ports 9 -> 9. */
static size_t packet(uint8_t *p, int v6, uint8_t proto, uint16_t *ethertype)
{
	if (proto == LOOPBACK) {
		memset(p, 0, 128);
		*ethertype = ETH_P_LOOPBACK;
		memcpy(p, "tunvnet loopback frame", 22);
		return 46;
	}
	*ethertype = v6 ? ETH_P_IPV6 : ETH_P_IP;
	return selftest_packet(p, v6, proto);
}

static void drain(void)
{
	struct tunvnet_pkt pkt = { .buf = buf, .cap = BUF_SZ };

	for (unsigned int q = 0; q < NQ; q++)
		while (tunvnet_queue_read(dev, q, &pkt, 1) > 0)
			;
}

/* Send one packet, find it on whichever queue it lands; returns the queue. */
static int send_and_read(int v6, uint8_t proto, struct tunvnet_pkt *pkt)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
	uint8_t p[128];
	uint16_t et;
	size_t len = packet(p, v6, proto, &et);

	sll.sll_ifindex = tunvnet_dev_ifindex(dev);
	sll.sll_protocol = htons(et);
	memset(sll.sll_addr, 0xff, ETH_ALEN);
	assert_int_equal(sendto(tx, p, len, 0, (struct sockaddr *)&sll, sizeof(sll)), (ssize_t)len);
	for (int tries = 0; tries < 20; tries++) {
		struct pollfd pfd[NQ];

		for (int q = 0; q < NQ; q++)
			pfd[q] = (struct pollfd){ .fd = tunvnet_dev_queue_fd(dev, (unsigned int)q),
						  .events = POLLIN };
		if (poll(pfd, NQ, 3000) <= 0)
			return -1;
		for (int q = 0; q < NQ; q++) {
			if (!(pfd[q].revents & POLLIN))
				continue;
			*pkt = (struct tunvnet_pkt){ .buf = buf, .cap = BUF_SZ };
			if (tunvnet_queue_read(dev, (unsigned int)q, pkt, 1) != 1)
				continue;
			/* ours: our ethertype and payload behind the tap's Ethernet header */
			if (pkt->len >= ETH_HLEN + len && buf[12] == et >> 8 &&
			    buf[13] == (et & 0xff) && memcmp(buf + ETH_HLEN, p, len) == 0)
				return q;
		}
	}
	return -1;
}

/* Send, and expect it on queue with this hash value and report. */
static void expect(int v6, uint8_t proto, int queue, uint32_t hash, unsigned int report)
{
	struct tunvnet_pkt pkt;
	int q = send_and_read(v6, proto, &pkt);

	fprintf(stderr, "# %s proto %u: queue %d, hash 0x%08x, report %u (want %d, 0x%08x, %u)\n",
		proto == LOOPBACK ? "loopback" : v6 ? "IPv6" : "IPv4", proto, q,
		pkt.hdr.hash_value, pkt.hdr.hash_report, queue, hash, report);
	assert_int_equal(q, queue);
	assert_int_equal(pkt.hdr.hash_value, hash);
	assert_int_equal(pkt.hdr.hash_report, report);
}

/* Every test starts with no program and hashing off. */
static int reset(void **state)
{
	(void)state;
	if (steer(-1) || tunvnet_dev_clear_hash(dev))
		return -1;
	drain();
	return 0;
}

/* ---- generation A (v5) ---- */

static void test_a_rss_refused_while_attached(void **state)
{
	struct tunvnet_hash_cfg got = TUNVNET_HASH_CFG_INIT;

	(void)state;
	assert_int_equal(steer(prog_q2), 0);
	assert_int_equal(set_hash(RSS_REPORT), -EBUSY);
	fprintf(stderr, "# %s\n", tunvnet_last_error());
	assert_non_null(strstr(tunvnet_last_error(), "steering eBPF program"));
	/* (tunvnet_strerror(-EBUSY) is generic since issue 9 item 12: the detail names it.) */
	assert_int_equal(set_hash(TUNVNET_HASH_RSS), -EBUSY);
	assert_non_null(strstr(tunvnet_last_error(), "steering eBPF program"));
	/* a refused configuration is not recorded as applied */
	assert_int_equal(tunvnet_dev_get_hash(dev, &got), 0);
	assert_int_equal(got.flags & (TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS), 0);
	/* the program still steers */
	expect(0, 6, 2, 0, 0);
}

static void test_a_report_only_accepted(void **state)
{
	(void)state;
	assert_int_equal(steer(prog_q2), 0);
	assert_int_equal(set_hash(TUNVNET_HASH_REPORT), 0);
	/* v5 then runs only the program: its queue, nothing reported */
	expect(0, 6, 2, 0, 0);
	expect(1, 17, 2, 0, 0);
}

static void test_a_attach_refused_while_rss(void **state)
{
	(void)state;
	assert_int_equal(set_hash(RSS_REPORT), 0);
	assert_int_equal(steer(prog_q2), -EBUSY);
	assert_int_equal(set_hash(TUNVNET_HASH_RSS), 0);
	assert_int_equal(steer(prog_q2), -EBUSY);
	/* detaching (nothing attached) is always allowed */
	assert_int_equal(steer(-1), 0);
	/* and the refused attach left RSS in force */
	assert_int_equal(set_hash(RSS_REPORT), 0);
	assert_int_equal(steer(prog_q2), -EBUSY);
	expect(0, 6, 0, 0xfb63539a, TUNVNET_REPORT_TCPV4);
}

static void test_a_detach_then_rss(void **state)
{
	(void)state;
	assert_int_equal(steer(prog_q2), 0);
	assert_int_equal(set_hash(RSS_REPORT), -EBUSY);
	assert_int_equal(steer(-1), 0);
	assert_int_equal(set_hash(RSS_REPORT), 0);
	expect(0, 6, 0, 0xfb63539a, TUNVNET_REPORT_TCPV4);
	expect(1, 17, 1, 0xc2b9f251, TUNVNET_REPORT_UDPV6);
	expect(0, LOOPBACK, 2, 0, TUNVNET_REPORT_NONE);
}

/* ---- generation B (v12) ---- */

static void test_b_no_ebusy(void **state)
{
	(void)state;
	assert_int_equal(set_hash(RSS_REPORT), 0);
	assert_int_equal(steer(prog_q2), 0);
	assert_int_equal(set_hash(RSS_REPORT), 0);
	assert_int_equal(set_hash(TUNVNET_HASH_RSS), 0);
	assert_int_equal(set_hash(TUNVNET_HASH_REPORT), 0);
	assert_int_equal(steer(prog_fallback), 0);
	assert_int_equal(set_hash(RSS_REPORT), 0);
}

static void test_b_program_wins(void **state)
{
	(void)state;
	assert_int_equal(set_hash(RSS_REPORT), 0);
	assert_int_equal(steer(prog_q2), 0);
	/* RSS would pick 0 and 1; the program says 2, and nothing is reported */
	expect(0, 6, 2, 0, 0);
	expect(1, 17, 2, 0, 0);
}

static void test_b_fallback_is_rss(void **state)
{
	(void)state;
	assert_int_equal(set_hash(RSS_REPORT), 0);
	assert_int_equal(steer(prog_fallback), 0);
	expect(0, 253, 0, 0x6e45d952, TUNVNET_REPORT_IPV4);
	expect(0, 6, 0, 0xfb63539a, TUNVNET_REPORT_TCPV4);
	expect(0, 17, 0, 0xfb63539a, TUNVNET_REPORT_UDPV4);
	expect(1, 253, 1, 0xd6eb560f, TUNVNET_REPORT_IPV6);
	expect(1, 6, 1, 0xc2b9f251, TUNVNET_REPORT_TCPV6);
	expect(1, 17, 1, 0xc2b9f251, TUNVNET_REPORT_UDPV6);
	expect(0, LOOPBACK, 2, 0, TUNVNET_REPORT_NONE);
}

static void test_b_detach_gives_rss_back(void **state)
{
	(void)state;
	assert_int_equal(steer(prog_q2), 0);
	assert_int_equal(set_hash(RSS_REPORT), 0);
	expect(1, 17, 2, 0, 0);
	assert_int_equal(steer(-1), 0);
	expect(1, 17, 1, 0xc2b9f251, TUNVNET_REPORT_UDPV6);
}

int main(void)
{
	const struct CMUnitTest tests_a[] = {
		cmocka_unit_test_setup(test_a_rss_refused_while_attached, reset),
		cmocka_unit_test_setup(test_a_report_only_accepted, reset),
		cmocka_unit_test_setup(test_a_attach_refused_while_rss, reset),
		cmocka_unit_test_setup(test_a_detach_then_rss, reset),
	};
	const struct CMUnitTest tests_b[] = {
		cmocka_unit_test_setup(test_b_no_ebusy, reset),
		cmocka_unit_test_setup(test_b_program_wins, reset),
		cmocka_unit_test_setup(test_b_fallback_is_rss, reset),
		cmocka_unit_test_setup(test_b_detach_gives_rss_back, reset),
	};
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_caps caps = { .sz = sizeof(caps) };
	char name[16], log[4096];
	int err, failed;

	err = tunvnet_caps_probe(-1, &caps);
	if (err) {
		fprintf(stderr, "skip: %s (%s)\n", err == -EOPNOTSUPP ? "no tun hashing feature "
			"here" : "cannot probe", tunvnet_last_error());
		/* Only a probe that answered may contradict the harness. */
		return err == -EOPNOTSUPP ? live_no_feature_exit() : 77;
	}
	if (live_check_uapi(caps.uapi))
		return 1;
	uapi = caps.uapi;
	snprintf(name, sizeof(name), "tveb%d", (int)(getpid() % 100000));
	o.kind = TUNVNET_KIND_TAP;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_NONBLOCK |
		  TUNVNET_DEV_EXCL;
	o.queues = NQ;
	o.vnet_hdr_sz = TUNVNET_HDR_HASH_LEN;
	o.endian = TUNVNET_ENDIAN_LE;
	err = tunvnet_dev_open(name, &o, &dev);
	if (err == -EPERM || err == -EACCES) {
		fprintf(stderr, "skip: %s\n", tunvnet_last_error());
		return 77;
	}
	if (err || tunvnet_dev_set_up(dev, true) || live_wait_oper_up(name, 5000)) {
		fprintf(stderr, "setup: %s\n", tunvnet_last_error());
		return 1;
	}
	prog_q2 = load_prog(2, log, sizeof(log));
	if (prog_q2 == -ENOSYS || prog_q2 == -EPERM) {
		fprintf(stderr, "skip: cannot load a socket filter with bpf(): %s\n",
			strerror(-prog_q2));
		tunvnet_dev_close(dev);
		return 77;
	}
	prog_fallback = load_prog(-1, log, sizeof(log));
	tx = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	buf = malloc(BUF_SZ);
	if (prog_q2 < 0 || prog_fallback < 0 || tx < 0 || !buf) {
		fprintf(stderr, "setup: bpf %d/%d (%s), socket %d\n", prog_q2, prog_fallback, log,
			tx);
		tunvnet_dev_close(dev);
		return 1;
	}
	usleep(100 * 1000);
	fprintf(stderr, "# generation %s\n", tunvnet_uapi_name(uapi));
	if (uapi == TUNVNET_UAPI_A)
		failed = cmocka_run_group_tests_name("steering-ebpf-A", tests_a, NULL, NULL);
	else
		failed = cmocka_run_group_tests_name("steering-ebpf-B", tests_b, NULL, NULL);
	steer(-1);
	close(tx);
	close(prog_q2);
	close(prog_fallback);
	free(buf);
	tunvnet_dev_close(dev);
	return failed;
}
