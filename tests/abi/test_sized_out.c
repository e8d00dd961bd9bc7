/* SPDX-License-Identifier: MIT */
/*
 * Results written into a caller's sized struct (tunvnet_verifier_stats,
 * the guest-command parsers' tunvnet_hash_cfg, tunvnet_caps_probe): only
 * as far as the caller's sz reaches, so an older caller's smaller struct is
 * not overrun; a newer caller's bytes past what this library knows come
 * back zero ("unknown"), its sz as it set it. A bad sz writes nothing.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <tunvnet/tunvnet.h>

#define END(T, m) (offsetof(struct T, m) + sizeof(((struct T *)0)->m))
#define CANARY 0xa5

static int failed;
#define CHECK(cond)                                                                \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "FAIL line %d: %s (last error: %s)\n", __LINE__, \
				#cond, tunvnet_last_error());                      \
			failed = 1;                                                \
		}                                                                  \
	} while (0)

static unsigned char buf[512] __attribute__((aligned(16)));

/* buf holds a struct of size sz, canaries everywhere else. */
static void *sized(size_t sz)
{
	memset(buf, CANARY, sizeof(buf));
	memcpy(buf, &sz, sizeof(sz));
	return buf;
}

static int all(size_t from, size_t to, int v)
{
	for (size_t i = from; i < to; i++)
		if (buf[i] != v)
			return 0;
	return 1;
}

static void stats(void)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_verify_opts o = TUNVNET_VERIFY_OPTS_INIT;
	struct tunvnet_verify_stats *st;
	struct tunvnet_verifier *v;
	struct tunvnet_verdict vd;
	uint8_t frame[60] = { 0 };
	size_t sz;

	c.flags = TUNVNET_HASH_REPORT;
	c.types = TUNVNET_HASH_TYPES_PLAIN;
	o.cfg = &c;
	o.num_queues = 1;
	o.kind = TUNVNET_KIND_TAP;
	CHECK(tunvnet_verifier_new(&o, &v) == 0);
	frame[12] = 0x08;
	frame[13] = 0x06; /* ARP */
	CHECK(tunvnet_verify_packet(v, 0, NULL, frame, sizeof(frame), &vd) == 0);
	CHECK(tunvnet_verify_packet(v, 0, NULL, frame, sizeof(frame), &vd) == 0);

	/* Today's size. */
	st = sized(sizeof(*st));
	CHECK(tunvnet_verifier_stats(v, st) == 0);
	CHECK(st->sz == sizeof(*st) && st->packets == 2 && st->unchecked == 2 && st->matches == 0);
	CHECK(all(sizeof(*st), sizeof(buf), CANARY));

	/* An older caller that knew only the packet count. */
	sz = END(tunvnet_verify_stats, packets);
	st = sized(sz);
	CHECK(tunvnet_verifier_stats(v, st) == 0 && st->packets == 2);
	CHECK(all(sz, sizeof(buf), CANARY));

	/* A newer caller: its unknown counters read 0. */
	sz = sizeof(*st) + 24;
	st = sized(sz);
	CHECK(tunvnet_verifier_stats(v, st) == 0 && st->sz == sz && st->unchecked == 2);
	CHECK(all(END(tunvnet_verify_stats, unchecked), sz, 0));
	CHECK(all(sz, sizeof(buf), CANARY));

	/* sz unset: refused, nothing written. */
	st = sized(0);
	CHECK(tunvnet_verifier_stats(v, st) == -EINVAL);
	CHECK(all(sizeof(size_t), sizeof(buf), CANARY));
	tunvnet_verifier_free(v);
}

static void virtio_cfg(void)
{
	/* virtio_net_hash_config: hash_types (le32), reserved (4 x le16),
	 * hash_key_length (u8), then the key. */
	uint8_t cmd[12 + 1 + 40] = { 0x3f, 0, 0, 0 };
	struct tunvnet_virtio_storage store = { 0 };
	struct tunvnet_hash_cfg *c;
	size_t sz;

	cmd[12] = 40;
	memcpy(cmd + 13, tunvnet_default_key(), 40);

	c = sized(sizeof(*c));
	CHECK(tunvnet_virtio_hash_config_parse(cmd, sizeof(cmd), c, &store) == 0);
	CHECK(c->flags == TUNVNET_HASH_REPORT && c->types == 0x3f && c->key_len == 40);
	CHECK(all(sizeof(*c), sizeof(buf), CANARY));

	/* A caller whose struct ends at types gets flags and types only. */
	sz = END(tunvnet_hash_cfg, types);
	c = sized(sz);
	CHECK(tunvnet_virtio_hash_config_parse(cmd, sizeof(cmd), c, &store) == 0);
	CHECK(c->flags == TUNVNET_HASH_REPORT && c->types == 0x3f);
	CHECK(all(sz, sizeof(buf), CANARY));

	sz = sizeof(*c) + 16;
	c = sized(sz);
	CHECK(tunvnet_virtio_hash_config_parse(cmd, sizeof(cmd), c, &store) == 0);
	CHECK(c->sz == sz && c->types == 0x3f && all(END(tunvnet_hash_cfg, backend), sz, 0));
	CHECK(all(sz, sizeof(buf), CANARY));

	/* An uninitialised cfg is refused, and a failed parse changes nothing. */
	c = sized(0);
	CHECK(tunvnet_virtio_hash_config_parse(cmd, sizeof(cmd), c, &store) == -EINVAL);
	c = sized(sizeof(*c));
	CHECK(tunvnet_virtio_hash_config_parse(cmd, 5, c, &store) == -EMSGSIZE);
	CHECK(all(sizeof(size_t), sizeof(buf), CANARY));
}

static void caps(void)
{
	struct tunvnet_caps *k;
	size_t sz = sizeof(*k) + 32;
	int rc;

	/* Whatever this kernel says (or if /dev/net/tun is missing), the
	 * struct is written by the same rule. */
	k = sized(sz);
	rc = tunvnet_caps_probe(-1, k);
	CHECK(k->sz == sz);
	CHECK(rc != 0 || k->uapi != TUNVNET_UAPI_NONE);
	CHECK(all(END(tunvnet_caps, max_key_len), sz, 0));
	CHECK(all(sz, sizeof(buf), CANARY));

	sz = END(tunvnet_caps, uapi);
	k = sized(sz);
	(void)tunvnet_caps_probe(-1, k);
	CHECK(all(sz, sizeof(buf), CANARY));

	k = sized(3);
	CHECK(tunvnet_caps_probe(-1, k) == -EINVAL);
	CHECK(all(sizeof(size_t), sizeof(buf), CANARY));
}

int main(void)
{
	stats();
	virtio_cfg();
	caps();
	return failed;
}
