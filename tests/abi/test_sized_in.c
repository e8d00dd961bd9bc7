/* SPDX-License-Identifier: MIT */
/*
 * Options structs through the public functions, as callers built against
 * other versions of the header pass them (no privilege needed):
 * - an older caller's smaller struct works, the fields it lacks taking
 *   their defaults;
 * - a newer caller's larger struct works while its unknown tail is zero;
 * - with a non-zero byte there it is refused with -E2BIG (not ignored), and
 *   nothing happens.
 * tunvnet_dev_opts is covered the same way in tests/unit/device (opts).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <tunvnet/tunvnet.h>

#define END(T, m) (offsetof(struct T, m) + sizeof(((struct T *)0)->m))

static int failed;
#define CHECK(cond)                                                                \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "FAIL line %d: %s (last error: %s)\n", __LINE__, \
				#cond, tunvnet_last_error());                      \
			failed = 1;                                                \
		}                                                                  \
	} while (0)

/* A struct followed by what a newer header could have added. */
#define GROWN(T)                                                                   \
	struct {                                                                   \
		struct T s;                                                        \
		unsigned char future[16];                                          \
	}

static const uint16_t table[4] = { 0, 1, 2, 3 };

static void hash_cfg(void)
{
	GROWN(tunvnet_hash_cfg) g;
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;

	c.flags = TUNVNET_HASH_RSS;
	c.types = TUNVNET_HASH_TYPES_PLAIN;
	c.key = tunvnet_default_key();
	c.key_len = 40;
	c.table = table;
	c.table_len = 4;
	c.unclassified_queue = 2;
	CHECK(tunvnet_hash_cfg_validate(&c, NULL, 4, 0) == 0);
	CHECK(tunvnet_rss_queue(&c, 4, TUNVNET_REPORT_NONE, 0) == 2);

	/* 0.1 before backends: the struct ended at unclassified_queue. */
	c.sz = END(tunvnet_hash_cfg, unclassified_queue);
	c.backend = (enum tunvnet_backend)77; /* past its sz: never read */
	CHECK(tunvnet_hash_cfg_validate(&c, NULL, 4, 0) == 0);
	CHECK(tunvnet_rss_queue(&c, 4, TUNVNET_REPORT_NONE, 0) == 2);
	/* ... and the same bytes inside the caller's sz are read (and refused). */
	c.sz = sizeof(c);
	CHECK(tunvnet_hash_cfg_validate(&c, NULL, 4, 0) == -EINVAL);
	c.backend = TUNVNET_BACKEND_AUTO;

	/* Newer caller. */
	memset(&g, 0, sizeof(g));
	g.s = c;
	g.s.sz = sizeof(g);
	CHECK(tunvnet_hash_cfg_validate(&g.s, NULL, 4, 0) == 0);
	g.future[15] = 1;
	CHECK(tunvnet_hash_cfg_validate(&g.s, NULL, 4, 0) == -E2BIG);
	CHECK(strstr(tunvnet_last_error(), "tunvnet_hash_cfg") != NULL);
	CHECK(tunvnet_rss_queue(&g.s, 4, TUNVNET_REPORT_NONE, 0) < 0);

	/* caps given to validate is read by its size too. */
	GROWN(tunvnet_caps) k;
	memset(&k, 0, sizeof(k));
	k.s.sz = sizeof(k);
	k.s.uapi = TUNVNET_UAPI_B;
	k.s.flags = TUNVNET_CAP_RSS | TUNVNET_CAP_REPORT;
	k.s.types = TUNVNET_HASH_TYPES_PLAIN;
	k.s.max_key_len = 40;
	c.backend = TUNVNET_BACKEND_KERNEL;
	CHECK(tunvnet_hash_cfg_validate(&c, &k.s, 4, 0) == 0);
	k.future[0] = 1;
	CHECK(tunvnet_hash_cfg_validate(&c, &k.s, 4, 0) == -E2BIG);
}

static void verify_opts(void)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_verify_opts o = TUNVNET_VERIFY_OPTS_INIT;
	GROWN(tunvnet_verify_opts) g;
	struct tunvnet_verifier *v = NULL;

	c.flags = TUNVNET_HASH_RSS;
	c.types = TUNVNET_HASH_TYPES_PLAIN;
	c.key = tunvnet_default_key();
	c.key_len = 40;
	c.table = table;
	c.table_len = 4;
	o.cfg = &c;
	o.num_queues = 4;
	o.kind = TUNVNET_KIND_TAP;
	CHECK(tunvnet_verifier_new(&o, &v) == 0);
	tunvnet_verifier_free(v);

	/* Before backends: the struct ended at known_deviations. */
	o.sz = END(tunvnet_verify_opts, known_deviations);
	o.backend = (enum tunvnet_backend)77;
	v = NULL;
	CHECK(tunvnet_verifier_new(&o, &v) == 0 && v);
	tunvnet_verifier_free(v);
	o.sz = sizeof(o);
	CHECK(tunvnet_verifier_new(&o, &v) == -EINVAL);
	o.backend = TUNVNET_BACKEND_AUTO;

	memset(&g, 0, sizeof(g));
	g.s = o;
	g.s.sz = sizeof(g);
	v = NULL;
	CHECK(tunvnet_verifier_new(&g.s, &v) == 0 && v);
	tunvnet_verifier_free(v);
	g.future[3] = 9;
	v = (struct tunvnet_verifier *)1;
	CHECK(tunvnet_verifier_new(&g.s, &v) == -E2BIG && v == NULL);

	/* The configuration it points to follows the same rule. */
	GROWN(tunvnet_hash_cfg) gc;
	memset(&gc, 0, sizeof(gc));
	gc.s = c;
	gc.s.sz = sizeof(gc);
	o.cfg = &gc.s;
	CHECK(tunvnet_verifier_new(&o, &v) == 0);
	tunvnet_verifier_free(v);
	gc.future[8] = 1;
	CHECK(tunvnet_verifier_new(&o, &v) == -E2BIG);
}

static void vtap_opts(void)
{
	/* No such parent: every check of the options comes first. */
	const char *parent = "tvabi-noparent";
	struct tunvnet_vtap_opts o = TUNVNET_VTAP_OPTS_INIT;
	GROWN(tunvnet_vtap_opts) g;

	o.kind = TUNVNET_KIND_MACVTAP;
	CHECK(tunvnet_link_create_vtap("tvabi0", parent, &o) == -ENODEV);
	o.sz = END(tunvnet_vtap_opts, kind); /* a caller without mode */
	o.mode = (const char *)1;            /* past its sz: never read */
	CHECK(tunvnet_link_create_vtap("tvabi0", parent, &o) == -ENODEV);
	o.sz = sizeof(o);
	o.mode = NULL;

	memset(&g, 0, sizeof(g));
	g.s = o;
	g.s.sz = sizeof(g);
	CHECK(tunvnet_link_create_vtap("tvabi0", parent, &g.s) == -ENODEV);
	g.future[5] = 1;
	CHECK(tunvnet_link_create_vtap("tvabi0", parent, &g.s) == -E2BIG);
}

int main(void)
{
	hash_cfg();
	verify_opts();
	vtap_opts();
	return failed;
}
