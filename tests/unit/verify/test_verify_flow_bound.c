/* SPDX-License-Identifier: MIT */
/*
 * Bounded per-flow state: automq remembers at most 4096 flows (the bound
 * tunvnet_verifier_new(3) documents). Driven with five times as many, the
 * verifier keeps matching, catches a change of the latest flow, and can
 * catch a change for no more flows than it remembers.
 */
#include <stdio.h>

#include "vhelp.h"

#define BOUND 4096u
#define FLOWS (5 * BOUND)

/* Flow i: its own source address and port. */
static size_t flow_frame(uint8_t *f, unsigned int i)
{
	char src[32];

	snprintf(src, sizeof(src), "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
	return vh_frame(f, AF_INET, src, "192.0.2.1", 6, (uint16_t)(1024 + i % 50000), 443, 0);
}

static void more_flows_than_the_bound(void **state)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT, 0x3f, 4, TUNVNET_KIND_TAP);
	struct tunvnet_verifier *v;
	struct tunvnet_verify_stats st = TUNVNET_VERIFY_STATS_INIT;
	struct tunvnet_verdict vd;
	uint8_t f[256];
	unsigned int i, caught = 0;
	size_t len;

	(void)state;
	o.cfg.key = NULL;
	o.cfg.table = NULL;
	v = vh_new(&o);
	/* Every flow seen once, then again unchanged: all match, however many. */
	for (int round = 0; round < 2; round++)
		for (i = 0; i < FLOWS; i++) {
			len = flow_frame(f, i);
			assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0x1000 + i, f, len, &vd),
					 TUNVNET_VERDICT_MATCH);
		}
	/* The latest flow is always remembered: its change is caught. */
	len = flow_frame(f, FLOWS - 1);
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xdead, f, len, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "same flow"));
	/*
	 * Every other flow changes, newest first (so a forgotten flow coming
	 * back does not push out one still to be asked about): at most the
	 * bound can be caught, the rest were forgotten; a working table
	 * catches most of that.
	 */
	for (i = FLOWS - 1; i-- > 0;) {
		len = flow_frame(f, i);
		if (vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0x80000000u + i, f, len, &vd) ==
		    TUNVNET_VERDICT_MISMATCH)
			caught++;
	}
	assert_true(caught <= BOUND);
	assert_true(caught >= BOUND / 2);
	tunvnet_verifier_stats(v, &st);
	assert_int_equal(st.packets, 2 * FLOWS + 1 + FLOWS - 1);
	assert_int_equal(st.mismatches, caught + 1);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(more_flows_than_the_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
