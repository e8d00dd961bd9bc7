/* SPDX-License-Identifier: MIT */
/*
 * automq's flow table keys a flow on its whole tuple: two flows that differ
 * in one field only (one address bit, the lowest or highest byte of an
 * address, one port, the direction, the protocol) are two flows, both
 * remembered (test_verify_flow_consistency: one flow on both paths).
 */
#include "vhelp.h"

struct flow {
	int af;
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
};

static struct tunvnet_verifier *new_automq(void)
{
	struct vh_vopts o = vh_opts(TUNVNET_HASH_REPORT, 0x3f, 4, TUNVNET_KIND_TAP);

	o.cfg.key = NULL;
	o.cfg.table = NULL;
	return vh_new(&o);
}

/* TCP and UDP over IPv4/IPv6 with types 0x3f: the 4-tuple reports. */
static unsigned int report_of(const struct flow *f)
{
	if (f->af == AF_INET)
		return f->proto == 6 ? TUNVNET_REPORT_TCPV4 : TUNVNET_REPORT_UDPV4;
	return f->proto == 6 ? TUNVNET_REPORT_TCPV6 : TUNVNET_REPORT_UDPV6;
}

static size_t frame_of(uint8_t *buf, const struct flow *f)
{
	return vh_frame(buf, f->af, f->src, f->dst, f->proto, f->sport, f->dport, 0);
}

/*
 * a seen with one value and queue, b with others: b must match (a flow of
 * its own, not a moved a); then both are remembered: a change of either is
 * caught.
 */
static void told_apart(const struct flow *a, const struct flow *b)
{
	struct tunvnet_verifier *v = new_automq();
	struct tunvnet_verdict vd;
	uint8_t fa[256], fb[256];
	size_t la = frame_of(fa, a), lb = frame_of(fb, b);

	assert_int_equal(vh_check(v, 0, report_of(a), 0x5a5a0001, fa, la, &vd), TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 1, report_of(b), 0x5a5a0002, fb, lb, &vd), TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 0, report_of(a), 0x5a5a0001, fa, la, &vd), TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 0, report_of(a), 0x5a5a0003, fa, la, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "same flow reported 0x5a5a0001 on queue 0"));
	assert_int_equal(vh_check(v, 1, report_of(b), 0x5a5a0004, fb, lb, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "same flow reported 0x5a5a0002 on queue 1"));
	tunvnet_verifier_free(v);
}

static void one_field_ipv4(void **state)
{
	static const struct flow base = { AF_INET, "10.1.2.3", "192.0.2.7", 6, 40000, 443 };
	static const struct flow other[] = {
		{ AF_INET, "10.1.2.4", "192.0.2.7", 6, 40000, 443 },   /* source, lowest byte */
		{ AF_INET, "11.1.2.3", "192.0.2.7", 6, 40000, 443 },   /* source, highest byte */
		{ AF_INET, "10.1.2.3", "192.0.2.6", 6, 40000, 443 },   /* destination, one bit */
		{ AF_INET, "10.1.2.3", "64.0.2.7", 6, 40000, 443 },    /* destination, top bits */
		{ AF_INET, "10.1.2.3", "192.0.2.7", 6, 40001, 443 },   /* source port */
		{ AF_INET, "10.1.2.3", "192.0.2.7", 6, 40000, 444 },   /* destination port */
		{ AF_INET, "10.1.2.3", "192.0.2.7", 6, 443, 40000 },   /* ports swapped */
		{ AF_INET, "192.0.2.7", "10.1.2.3", 6, 443, 40000 },   /* the reverse direction */
		{ AF_INET, "192.0.2.7", "10.1.2.3", 6, 40000, 443 },   /* addresses swapped */
		{ AF_INET, "10.1.2.3", "192.0.2.7", 17, 40000, 443 },  /* UDP, same ports */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		told_apart(&base, &other[i]);
}

static void one_field_ipv6(void **state)
{
	static const struct flow base = { AF_INET6, "2001:db8::1:2:3", "2001:db8:ff::7", 6, 40000, 443 };
	static const struct flow other[] = {
		{ AF_INET6, "2001:db8::1:2:2", "2001:db8:ff::7", 6, 40000, 443 },  /* last bit */
		{ AF_INET6, "3001:db8::1:2:3", "2001:db8:ff::7", 6, 40000, 443 },  /* first byte */
		{ AF_INET6, "2001:db8:0:1::1:2:3", "2001:db8:ff::7", 6, 40000, 443 }, /* middle */
		{ AF_INET6, "2001:db8::1:2:3", "2001:db8:ff::6", 6, 40000, 443 },  /* destination */
		{ AF_INET6, "2001:db8::1:2:3", "2001:db9:ff::7", 6, 40000, 443 },  /* its top */
		{ AF_INET6, "2001:db8::1:2:3", "2001:db8:ff::7", 6, 40001, 443 },  /* source port */
		{ AF_INET6, "2001:db8::1:2:3", "2001:db8:ff::7", 6, 40000, 80 },   /* destination port */
		{ AF_INET6, "2001:db8:ff::7", "2001:db8::1:2:3", 6, 443, 40000 },  /* reverse */
		{ AF_INET6, "2001:db8::1:2:3", "2001:db8:ff::7", 17, 40000, 443 }, /* UDP */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		told_apart(&base, &other[i]);
}

/* An IPv4 and an IPv6 flow whose bytes line up (v4-mapped addresses, same ports). */
static void families_apart(void **state)
{
	static const struct flow v4 = { AF_INET, "10.1.2.3", "192.0.2.7", 6, 40000, 443 };
	static const struct flow v6 = { AF_INET6, "::ffff:10.1.2.3", "::ffff:192.0.2.7", 6, 40000,
					443 };

	(void)state;
	told_apart(&v4, &v6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_field_ipv4),
		cmocka_unit_test(one_field_ipv6),
		cmocka_unit_test(families_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
