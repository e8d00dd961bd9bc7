/* SPDX-License-Identifier: MIT */
/*
 * The steering program's lifecycle on a persistent 4-queue tap, seen from
 * where frames land (a table that sends every flow to queue 3):
 *   set: all on 3; clear: spread again (detached);
 *   set, close the handle: a persistent device keeps steering (all on 3
 *   for a new handle); clear from that fresh handle: spread (detached).
 * And without CAP_BPF and CAP_SYS_ADMIN (dropped in a child that keeps
 * CAP_NET_ADMIN): RSS is refused with -EPERM naming the capability, and
 * the device is unchanged. Root; 77 without bpf().
 */
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "backend_test.h"

#define FLOWS 64

struct count {
	unsigned int per_q[NQ];
	unsigned int ours;
};

static void count(struct bt *t, unsigned int q, const struct tunvnet_pkt *p, void *arg)
{
	struct count *c = arg;
	const uint8_t *f = p->buf;

	(void)t;
	if (p->len == 60 && f[6] == 0x02 && f[7] == 0x6c && f[8] == 0x69) { /* "lif" source */
		c->per_q[q]++;
		c->ours++;
	}
}

/* FLOWS IPv4/UDP flows into the tap; where they land. */
static struct count send_flows(struct bt *t)
{
	struct count c = { { 0 }, 0 };
	struct fb f;
	unsigned int i;
	int idle = 0;

	for (i = 0; i < FLOWS; i++) {
		memset(f.b, 0, 60);
		f.len = 60;
		f.b[0] = 0x02; f.b[5] = 0x01;
		f.b[6] = 0x02; f.b[7] = 0x6c; f.b[8] = 0x69;
		f.b[12] = 0x08;
		f.b[14] = 0x45; f.b[17] = 46; f.b[22] = 64; f.b[23] = 17;
		f.b[26] = 10; f.b[29] = 1; f.b[30] = 10; f.b[33] = (uint8_t)(2 + i);
		f.b[34] = 0x30; f.b[35] = (uint8_t)i; f.b[37] = 53; f.b[39] = 26;
		if (!bt_send(t, &f)) {
			fprintf(stderr, "FAIL: send: %s\n", strerror(errno));
			exit(1);
		}
	}
	while (c.ours < FLOWS && idle < 10)
		if (bt_drain(t, 50, count, &c) == 0)
			idle++;
	if (c.ours != FLOWS) {
		fprintf(stderr, "FAIL: %u of %d frames came back\n", c.ours, FLOWS);
		exit(1);
	}
	return c;
}

static void expect_all_on_3(struct bt *t, const char *when)
{
	struct count c = send_flows(t);

	printf("%s: per queue %u %u %u %u\n", when, c.per_q[0], c.per_q[1], c.per_q[2],
	       c.per_q[3]);
	if (c.per_q[3] != FLOWS) {
		fprintf(stderr, "FAIL: %s: the program should steer every flow to queue 3\n", when);
		exit(1);
	}
}

static void expect_spread(struct bt *t, const char *when)
{
	struct count c = send_flows(t);

	printf("%s: per queue %u %u %u %u\n", when, c.per_q[0], c.per_q[1], c.per_q[2],
	       c.per_q[3]);
	if (c.per_q[3] == FLOWS) {
		fprintf(stderr, "FAIL: %s: every flow still on queue 3: the program is attached\n",
			when);
		exit(1);
	}
}

static const uint16_t all3[1] = { 3 };

static int set_all3(struct bt *t)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;

	c.flags = TUNVNET_HASH_RSS;
	c.types = TUNVNET_HASH_TYPES_ALL;
	c.key = tunvnet_default_key();
	c.key_len = 40;
	c.table = all3;
	c.table_len = 1;
	c.unclassified_queue = 3;
	c.backend = TUNVNET_BACKEND_EBPF;
	return tunvnet_dev_set_hash(t->dev, &c);
}

/* In a child: CAP_BPF and CAP_SYS_ADMIN gone, CAP_NET_ADMIN kept. */
static int no_bpf_child(struct bt *t)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	const int drop[] = { CAP_SYS_ADMIN, 39 /* CAP_BPF */ };
	struct tunvnet_dev *dev = NULL;
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	unsigned int i;
	int err;

	if (syscall(SYS_capget, &h, d))
		return 2;
	for (i = 0; i < 2; i++) {
		d[drop[i] / 32].effective &= ~(1u << (drop[i] % 32));
		d[drop[i] / 32].permitted &= ~(1u << (drop[i] % 32));
		d[drop[i] / 32].inheritable &= ~(1u << (drop[i] % 32));
	}
	if (syscall(SYS_capset, &h, d))
		return 2;
	o.kind = TUNVNET_KIND_TAP;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR;
	o.queues = NQ;
	if (tunvnet_dev_open(t->name, &o, &dev))
		return 3;
	{
		struct bt c = *t;

		c.dev = dev;
		err = set_all3(&c);
	}
	printf("without CAP_BPF: %d (%s)\n", err, tunvnet_last_error());
	fflush(stdout);
	if (err != -EPERM || !strstr(tunvnet_last_error(), "CAP_BPF"))
		return 1;
	tunvnet_dev_close(dev);
	return 0;
}

int main(void)
{
	struct tunvnet_caps caps = { .sz = sizeof(caps) };
	struct bt t;
	pid_t pid;
	int err, st;

	bt_open(&t, TUNVNET_KIND_TAP, "el", TUNVNET_DEV_PERSIST);
	(void)caps; /* set_all3 names the ebpf backend: with or without the series */
	err = set_all3(&t);
	if (err == -EPERM || err == -EOPNOTSUPP) {
		printf("skip: the ebpf backend cannot run here: %s\n", tunvnet_last_error());
		tunvnet_dev_set_persist(t.dev, false);
		bt_close(&t);
		return 77;
	}
	if (err)
		bt_fail("set");
	expect_all_on_3(&t, "after set");
	if (tunvnet_dev_clear_hash(t.dev))
		bt_fail("clear");
	expect_spread(&t, "after clear");

	/* Persistent: the program outlives the handle that attached it. */
	if (set_all3(&t))
		bt_fail("set");
	tunvnet_dev_close(t.dev);
	{
		struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;

		o.kind = TUNVNET_KIND_TAP;
		o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_NONBLOCK;
		o.queues = NQ;
		if (tunvnet_dev_open(t.name, &o, &t.dev))
			bt_fail("reopen");
		if (live_wait_oper_up(t.name, 3000))
			return 1;
	}
	expect_all_on_3(&t, "new handle on the persistent device");
	/* A fresh handle's clear detaches what the earlier one left. */
	if (tunvnet_dev_clear_hash(t.dev))
		bt_fail("clear from a fresh handle");
	expect_spread(&t, "after clear from the fresh handle");

	/* Without the capabilities: the clear error, nothing attached. */
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(no_bpf_child(&t));
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "FAIL: without CAP_BPF the set did not fail with the clear error "
			"(child status %d)\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		tunvnet_dev_set_persist(t.dev, false);
		return 1;
	}
	expect_spread(&t, "after the refused set");

	tunvnet_dev_set_persist(t.dev, false);
	bt_close(&t);
	return 0;
}
