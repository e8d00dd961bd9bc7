/* SPDX-License-Identifier: MIT */
/*
 * Load the steering program (lib/bpf/steer.bpf.c, embedded as a libbpf
 * skeleton) and configure it through two slots: the inactive slot's map is
 * written whole, then the one-entry map-in-map tv_active is pointed at it.
 * The kernel waits for an RCU grace period when a map-in-map entry changes
 * (maybe_wait_bpf_programs), so when the flip returns no program run can
 * still be reading the old slot, and the next configure may overwrite it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/capability.h>

#include "internal.h"
#include "steer_prog.h"
#include "bpf/steer_abi.h"
#include "steer.skel.h"

struct tv_steer {
	struct tv_steer_bpf *skel;
	pthread_mutex_t lock; /* one configure at a time */
	int cur;              /* slot in force: 0, 1, or -1 before the first configure */
};

_Static_assert(TV_STEER_TABLE_MAX == TV_STEER_TABLE_LEN, "table sizes agree");
_Static_assert(TV_STEER_KEY_ROWS == TUNVNET_TOEPLITZ_INPUT_MAX, "one key row per input byte");
_Static_assert(TV_STEER_L2_ETH == TUNVNET_L2_ETH && TV_STEER_L2_IP == TUNVNET_L2_IP &&
		       TV_STEER_L2_IP_PI == TUNVNET_L2_IP_PI,
	       "l2 values agree");

#define TV_CAP_BPF 39 /* (older linux/capability.h lack it) */

/*
 * bpf_capable(): CAP_BPF or CAP_SYS_ADMIN in the effective set. Without
 * either, some kernels still load an unprivileged socket filter, but not
 * this one (bounded loops and map-in-map are for CAP_BPF): say so up front
 * rather than pass on a verifier complaint.
 */
static bool bpf_capable_now(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(__NR_capget, &h, d) != 0)
		return true; /* cannot tell: let the kernel decide */
	return (d[0].effective & (1u << CAP_SYS_ADMIN)) ||
	       (d[TV_CAP_BPF / 32].effective & (1u << (TV_CAP_BPF % 32)));
}

/*
 * Ask the kernel for the permission first, with a two-instruction socket
 * filter of our own: libbpf would print its own complaint to stderr, and
 * the message here can name what is missing.
 */
static int probe_bpf(void)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int fd, e;

	if (!bpf_capable_now())
		return tv_err(-EPERM, "loading the steering eBPF program needs CAP_BPF (or "
				      "CAP_SYS_ADMIN), which this process does not have");
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uint64_t)(uintptr_t)"Dual MIT/GPL";
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	e = errno;
	if (e == EPERM || e == EACCES)
		return tv_err(-EPERM, "loading the steering eBPF program needs CAP_BPF (or "
				      "CAP_SYS_ADMIN); see also kernel.unprivileged_bpf_disabled");
	if (e == ENOSYS)
		return tv_err(-EOPNOTSUPP, "the kernel has no bpf() system call "
					   "(CONFIG_BPF_SYSCALL is off)");
	return tv_err(-e, "the kernel refused even a trivial socket filter: %s", strerror(e));
}

/* The last non-empty line of a verifier log: usually the reason. */
static const char *log_tail(char *log)
{
	char *end = log + strlen(log), *p;

	while (end > log && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	p = strrchr(log, '\n');
	return p ? p + 1 : log;
}

int tv_steer_open(struct tv_steer **sp, enum tunvnet_l2 l2)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct tv_steer *s;
	char *log;
	int err;

	if (!sp)
		return tv_err(-EINVAL, "steer_open: nowhere to store the handle");
	*sp = NULL;
	if (l2 != TUNVNET_L2_ETH && l2 != TUNVNET_L2_IP && l2 != TUNVNET_L2_IP_PI)
		return tv_err(-EINVAL, "steer_open: unknown l2 mode %d", (int)l2);
	err = probe_bpf();
	if (err)
		return err;

	s = calloc(1, sizeof(*s));
	log = calloc(1, 1 << 16);
	if (!s || !log) {
		free(s);
		free(log);
		return tv_err(-ENOMEM, "out of memory for the steering program");
	}
	/* Our own log buffer: libbpf then keeps the verifier's words to itself. */
	oo.kernel_log_buf = log;
	oo.kernel_log_size = 1 << 16;
	s->skel = tv_steer_bpf__open_opts(&oo);
	if (!s->skel) {
		err = -errno;
		free(log);
		free(s);
		return tv_err(err ? err : -EINVAL, "cannot open the embedded steering program: %s",
			      strerror(err ? -err : EINVAL));
	}
	s->skel->rodata->tv_l2 = (__u32)l2;
	bpf_program__set_log_buf(s->skel->progs.tv_steer, log, 1 << 16);
	err = tv_steer_bpf__load(s->skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			err = tv_err(-EPERM, "loading the steering eBPF program needs CAP_BPF "
					     "(or CAP_SYS_ADMIN)");
		else if (log[0])
			err = tv_err(-EINVAL, "the kernel's verifier refused the steering program: %s",
				     log_tail(log));
		else
			/* 524 is the kernel's ENOTSUPP, which user space has no name for. */
			err = tv_err(err == -E2BIG || err == -524 || err == -EOPNOTSUPP ||
						     err == -EINVAL
					     ? -EOPNOTSUPP
					     : err,
				     "the kernel cannot load the steering program (a BPF feature it "
				     "needs is missing: bounded loops, map-in-map?): %s",
				     strerror(-err));
		tv_steer_bpf__destroy(s->skel);
		free(log);
		free(s);
		return err;
	}
	free(log);
	pthread_mutex_init(&s->lock, NULL);
	s->cur = -1;
	*sp = s;
	return 0;
}

/* The 32 key bits from bit pos on (bit 0: the MSB of key byte 0), zero past the key. */
static uint32_t key_window(const uint8_t *k, unsigned int pos)
{
	const uint8_t *p = k + pos / 8;
	uint64_t v = (uint64_t)tv_get_be32(p) << 32 | tv_get_be32(p + 4);

	return (uint32_t)((v << (pos % 8)) >> 32);
}

/* key[i][b] = Toeplitz hash of byte b at input position i. */
static void key_tables(const uint8_t *key, size_t key_len, struct tv_steer_slot *slot)
{
	uint8_t k[TV_STEER_KEY_ROWS + 12] = { 0 };
	unsigned int i, b, bit;

	memcpy(k, key, key_len);
	for (i = 0; i < TV_STEER_KEY_ROWS; i++) {
		uint32_t w[8];

		for (bit = 0; bit < 8; bit++)
			w[bit] = key_window(k, i * 8 + bit);
		/* Each entry is one lower entry XOR the window of its lowest set bit. */
		slot->key[i][0] = 0;
		for (b = 1; b < 256; b++) {
			unsigned int low = (unsigned int)__builtin_ctz(b);

			slot->key[i][b] = slot->key[i][b & (b - 1)] ^ w[7 - low];
		}
	}
}

int tv_steer_configure(struct tv_steer *s, const struct tunvnet_hash_cfg *cfg)
{
	struct tv_steer_slot *slot;
	int next, slot_fd, err;
	uint32_t zero = 0;
	size_t i;

	if (!s || !cfg)
		return tv_err(-EINVAL, "steer_configure: no %s", s ? "configuration" : "handle");
	if (!(cfg->flags & TUNVNET_HASH_RSS))
		return tv_err(-EINVAL, "the steering program needs an RSS configuration");
	if (cfg->types & ~TUNVNET_HASH_TYPES_ALL)
		return tv_err(-EINVAL, "hash types %#x have bits outside 0x1ff", cfg->types);
	if (!cfg->key || !cfg->key_len || cfg->key_len > TUNVNET_KEY_MAX)
		return tv_err(-EINVAL, "RSS key of %zu bytes: 1 to %d are allowed", cfg->key_len,
			      TUNVNET_KEY_MAX);
	if (!cfg->table || !cfg->table_len || (cfg->table_len & (cfg->table_len - 1)) ||
	    cfg->table_len > TV_STEER_TABLE_MAX)
		return tv_err(-EINVAL, "the ebpf backend holds an indirection table of a power of "
				       "two from 1 to %u entries (the most a guest can send); "
				       "got %zu", TV_STEER_TABLE_MAX, cfg->table_len);

	slot = calloc(1, sizeof(*slot));
	if (!slot)
		return tv_err(-ENOMEM, "out of memory for a steering configuration");
	slot->types = cfg->types;
	slot->mask = (uint32_t)cfg->table_len - 1;
	slot->unclassified = cfg->unclassified_queue;
	/* Only the key bytes the 36-byte input can reach matter (40 at most: 36 + 4). */
	key_tables(cfg->key, cfg->key_len < TV_STEER_KEY_ROWS + 4 ? cfg->key_len
								  : TV_STEER_KEY_ROWS + 4,
		   slot);
	for (i = 0; i < cfg->table_len; i++)
		slot->table[i] = cfg->table[i];

	pthread_mutex_lock(&s->lock);
	next = s->cur == 0 ? 1 : 0;
	slot_fd = bpf_map__fd(next ? s->skel->maps.tv_slot1 : s->skel->maps.tv_slot0);
	/* No program reads this slot: the flip that retired it waited for them. */
	err = bpf_map_update_elem(slot_fd, &zero, slot, BPF_ANY);
	if (!err)
		err = bpf_map_update_elem(bpf_map__fd(s->skel->maps.tv_active), &zero, &slot_fd,
					  BPF_ANY);
	if (err)
		err = tv_err(-errno, "cannot write the steering configuration: %s", strerror(errno));
	else
		s->cur = next;
	pthread_mutex_unlock(&s->lock);
	free(slot);
	return err;
}

int tv_steer_prog_fd(const struct tv_steer *s)
{
	if (!s)
		return tv_err(-EINVAL, "steer_prog_fd: no handle");
	return bpf_program__fd(s->skel->progs.tv_steer);
}

void tv_steer_close(struct tv_steer *s)
{
	if (!s)
		return;
	tv_steer_bpf__destroy(s->skel);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
