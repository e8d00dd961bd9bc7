/* SPDX-License-Identifier: MIT */
/*
 * automq's flow table keys a flow on its whole tuple: two flows that differ
 * in one field only (one address bit, the lowest or highest byte of an
 * address, one port, the direction, the protocol) are two flows, both
 * remembered; and a flow is the same flow whether the fast walk or the
 * full parser reads it (IPv4 options, an IPv6 hop-by-hop header).
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

/* The fast walk does not take extension headers; the parser does: one flow. */
static void ipv6_same_flow_on_both_paths(void **state)
{
	struct tunvnet_verifier *v = new_automq();
	struct tunvnet_verdict vd;
	uint8_t a[256], b[256];
	size_t alen = vh_frame(a, AF_INET6, "2001:db8::1", "2001:db8::2", 6, 1234, 80, 0);
	size_t blen = with_hop_by_hop(b, a, alen);

	(void)state;
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_TCPV6, 0x6a6a0001, a, alen, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_TCPV6, 0x6a6a0001, b, blen, &vd),
			 TUNVNET_VERDICT_MATCH);
	assert_int_equal(vh_check(v, 2, TUNVNET_REPORT_TCPV6, 0x6a6a0002, b, blen, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "same flow reported 0x6a6a0001"));
	assert_int_equal(vh_check(v, 3, TUNVNET_REPORT_TCPV6, 0x6a6a0002, a, alen, &vd),
			 TUNVNET_VERDICT_MISMATCH);
	assert_non_null(strstr(vd.why, "same flow reported 0x6a6a0002 on queue 2"));
	tunvnet_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_field_ipv4),
		cmocka_unit_test(one_field_ipv6),
		cmocka_unit_test(families_apart),
		cmocka_unit_test(ipv6_same_flow_on_both_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
