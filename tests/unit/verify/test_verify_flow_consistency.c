/* SPDX-License-Identifier: MIT */
/* automq: one flow must keep its value and queue; different flows may differ. */
#include "vhelp.h"

static struct tunvnet_verifier *new_automq(uint32_t types)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT, types, 4, TUNVNET_KIND_TAP);

	o.cfg.key = NULL;
	o.cfg.table = NULL;
	return vh_new(&o);
}

static void same_flow_changes(void **state)
{
	struct tunvnet_verifier *v = new_automq(0x3f);
	struct tunvnet_verdict vd;
	uint8_t a[256], b[256];
	size_t alen = vh_frame(a, AF_INET, "10.0.0.1", "10.0.0.2", 6, 1234, 80, 0);
	size_t blen = vh_frame(b, AF_INET, "10.0.0.1", "10.0.0.2", 6, 1235, 80, 0);

	(void)state;
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xaaaa0000, a, alen, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xaaaa0000, a, alen, &vd),
			 TUNVNET_VERDICT_MATCH);
	/* Another flow, another value and queue: fine. */
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_TCPV4, 0xbbbb0000, b, blen, &vd),
			 TUNVNET_VERDICT_MATCH);
	/* Flow a with another value. */
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xaaaa0001, a, alen, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_string_equal(vd.why, "tcpv4 10.0.0.1:1234 -> 10.0.0.2:80: same flow reported "
				    "0xaaaa0000 on queue 0 before, now 0xaaaa0001 on queue 0");
	/* The change is reported once: the new value is what the flow has now. */
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_TCPV4, 0xaaaa0001, a, alen, &vd),
			 TUNVNET_VERDICT_MATCH);
	/* Flow b moving queue with the same value. */
	assert_int_equal(vh_check(v, 1, TUNVNET_REPORT_TCPV4, 0xbbbb0000, b, blen, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "on queue 3 before, now 0xbbbb0000 on queue 1"));
	tunvnet_verifier_free(v);
}

static void keyed_on_the_whole_tuple(void **state)
{
	/* With IPv4 only the Toeplitz input has no ports, but the kernel's own
	 * automq hash still sees them: two port pairs are two flows. */
	struct tunvnet_verifier *v = new_automq(TUNVNET_HASH_TYPE_IPV4);
	struct tunvnet_verdict vd;
	uint8_t a[256], b[256];
	size_t alen = vh_frame(a, AF_INET, "10.0.0.1", "10.0.0.2", 17, 5000, 53, 0);
	size_t blen = vh_frame(b, AF_INET, "10.0.0.1", "10.0.0.2", 17, 5001, 53, 0);

	(void)state;
	assert_int_equal(vh_check(v, 0, TUNVNET_REPORT_IPV4, 0x11111111, a, alen, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_IPV4, 0x22222222, b, blen, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_IPV4, 0x33333333, b, blen, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	tunvnet_verifier_free(v);
}

/* The frame of vh_frame with 4 bytes of IPv4 options (NOPs) after the header. */
static size_t with_options(uint8_t *out, const uint8_t *in, size_t len, unsigned int tags)
{
	size_t ip = 14 + 4 * tags;

	memcpy(out, in, ip + 20);
	memset(out + ip + 20, 1, 4); /* NOP x4 */
	memcpy(out + ip + 24, in + ip + 20, len - ip - 20);
	out[ip] = 0x46;
	out[ip + 3] = (uint8_t)(in[ip + 3] + 4);
	return len + 4;
}

/*
 * a read by the fast walk, b (the same flow) by the full parser: the
 * kernel's flow is the same, so a changed value across the two is caught,
 * and an unchanged one matches.
 */
static void same_flow_both_ways(unsigned int report, const uint8_t *a, size_t alen,
				const uint8_t *b, size_t blen)
{
	struct tunvnet_verifier *v = new_automq(0x3f);
	struct tunvnet_verdict vd;

	assert_int_equal(vh_check(v, 1, report, 0x12340001, a, alen, &vd), TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 1, report, 0x12340001, b, blen, &vd), TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 1, report, 0x12340002, b, blen, &vd), TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "same flow reported 0x12340001"));
	assert_int_equal(vh_check(v, 2, report, 0x12340002, a, alen, &vd), TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "same flow reported 0x12340002 on queue 1"));
	tunvnet_verifier_free(v);
}

/* IPv4 options: the fast walk leaves the frame to the parser. */
static void same_flow_on_both_paths(void **state)
{
	uint8_t a[256], b[256];
	size_t alen = vh_frame(a, AF_INET, "10.0.0.1", "10.0.0.2", 6, 1234, 80, 0);
	size_t blen = with_options(b, a, alen, 0);

	(void)state;
	same_flow_both_ways(TUNVNET_REPORT_TCPV4, a, alen, b, blen);
}

/* vh_frame's IPv6 frame with an 8-byte hop-by-hop header (PadN) before TCP. */
static size_t with_hop_by_hop(uint8_t *out, const uint8_t *in, size_t len)
{
	const size_t ip = 14, l4 = ip + 40;

	memcpy(out, in, l4);
	out[l4] = in[ip + 6]; /* next header: TCP */
	out[l4 + 1] = 0;      /* 8 bytes */
	out[l4 + 2] = 1;      /* PadN ... */
	out[l4 + 3] = 4;      /* ... of 4 bytes */
	memset(out + l4 + 4, 0, 4);
	memcpy(out + l4 + 8, in + l4, len - l4);
	out[ip + 6] = 0;      /* hop-by-hop */
	out[ip + 5] = (uint8_t)(in[ip + 5] + 8);
	return len + 8;
}

/* IPv6 extension headers: likewise. */
static void ipv6_same_flow_on_both_paths(void **state)
{
	uint8_t a[256], b[256];
	size_t alen = vh_frame(a, AF_INET6, "2001:db8::1", "2001:db8::2", 6, 1234, 80, 0);
	size_t blen = with_hop_by_hop(b, a, alen);

	(void)state;
	same_flow_both_ways(TUNVNET_REPORT_TCPV6, a, alen, b, blen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_flow_changes),
		cmocka_unit_test(keyed_on_the_whole_tuple),
		cmocka_unit_test(same_flow_on_both_paths),
		cmocka_unit_test(ipv6_same_flow_on_both_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
