/* SPDX-License-Identifier: MIT */
/*
 * Bounded per-flow state (the bounds tunvnet_verifier_new(3) documents):
 * automq remembers at most 4096 flows, RSS without REPORT under the short
 * key the queue of at most 1024 Toeplitz inputs. Driven with five times as
 * many, the verifier keeps accepting, catches a change of the latest one,
 * and can catch a change for no more than it remembers.
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
	print_message("automq: %u of %u changed flows caught (bound %u)\n", caught, FLOWS - 1, BOUND);
	assert_true(caught <= BOUND);
	assert_true(caught >= BOUND / 2);
	tunvnet_verifier_stats(v, &st);
	assert_int_equal(st.packets, 2 * FLOWS + 1 + FLOWS - 1);
	assert_int_equal(st.mismatches, caught + 1);
	tunvnet_verifier_free(v);
}

#define INPUT_BOUND 1024u
#define INPUTS (5 * INPUT_BOUND)

/* Input i: its own IPv6 source address. */
static size_t input_frame(uint8_t *f, unsigned int i)
{
	char src[64];

	snprintf(src, sizeof(src), "2001:db8::%x:%x", (i >> 16) & 0xffff, i & 0xffff);
	return vh_frame(f, AF_INET6, src, "2001:db8::1", 17, 5353, 53, 0);
}

static void more_inputs_than_the_bound(void **state)
{
	/* IPv6-only types: the series' 4-byte key, so without REPORT only "one
	 * queue per input, a queue the table gives" can be held ({3,4} % 3). */
	struct vh_vopts o = vh_opts(TUNVNET_HASH_RSS, TUNVNET_HASH_TYPE_IPV6 |
					    TUNVNET_HASH_TYPE_TCPV6 | TUNVNET_HASH_TYPE_UDPV6,
				    3, TUNVNET_KIND_TAP);
	struct tunvnet_verifier *v;
	struct tunvnet_verdict vd;
	uint8_t f[256];
	unsigned int i, caught = 0;
	size_t len;

	(void)state;
	o.known_deviations = TUNVNET_DEVIATION_SHORT_KEY_IPV6;
	v = vh_new(&o);
	for (i = 0; i < INPUTS; i++) {
		len = input_frame(f, i);
		assert_int_not_equal(vh_check(v, 0, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);
	}
	len = input_frame(f, INPUTS - 1);
	assert_int_equal(vh_check(v, 1, 0, 0, f, len, &vd), TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "the same Toeplitz input went to queue 0 before"));
	for (i = INPUTS - 1; i-- > 0;) {
		len = input_frame(f, i);
		caught += vh_check(v, 1, 0, 0, f, len, &vd) == TUNVNET_VERDICT_MISMATCH;
	}
	print_message("short key: %u of %u moved inputs caught (bound %u)\n", caught, INPUTS - 1,
		      INPUT_BOUND);
	assert_true(caught <= INPUT_BOUND);
	assert_true(caught >= INPUT_BOUND / 2);
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(more_flows_than_the_bound),
		cmocka_unit_test(more_inputs_than_the_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
