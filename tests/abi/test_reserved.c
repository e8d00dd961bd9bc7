/* SPDX-License-Identifier: MIT */
/*
 * Structs the library fills per packet or in arrays (tunvnet_flow,
 * tunvnet_class, tunvnet_verdict, tunvnet_link; tunvnet_pkt needs a device
 * and is checked in tests/live) carry reserved space instead of a size
 * member; it is only room for later fields if every version writes it as
 * zero. Each is handed in full of 0xff and must come back with reserved
 * zeroed, on every path that fills it (the classifier's fast walk and the
 * full parser alike).
 */
#include <stdio.h>
#include <string.h>

#include <tunvnet/tunvnet.h>

static int failed;

static void zeroed(const char *what, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i]) {
			fprintf(stderr, "FAIL: %s: reserved byte %zu is %#x, not 0\n", what, i, b[i]);
			failed = 1;
			return;
		}
}

/* Ethernet + IPv4 + TCP, hand-assembled; opts adds 4 option bytes (NOPs), which
 * sends tunvnet_classify_hash down the full parser instead of the fast walk. */
static size_t frame(unsigned char *f, int opts)
{
	static const unsigned char eth[14] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00 };
	size_t ihl = opts ? 24 : 20, n = 0;

	memcpy(f, eth, sizeof(eth));
	n = sizeof(eth);
	memset(f + n, 0, ihl + 20);
	f[n] = (unsigned char)(0x40 | ihl / 4);
	f[n + 3] = (unsigned char)(ihl + 20);
	f[n + 8] = 64;
	f[n + 9] = 6; /* TCP */
	memcpy(f + n + 12, (const unsigned char[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	if (opts)
		memset(f + n + 20, 1, 4);
	n += ihl;
	f[n + 1] = 80;  /* source port 80 */
	f[n + 3] = 123; /* destination port 123 */
	f[n + 12] = 5 << 4;
	return n + 20;
}

int main(void)
{
	struct tunvnet_toeplitz *t;
	struct tunvnet_flow flow;
	struct tunvnet_class cls;
	struct tunvnet_link link;
	unsigned char f[80];
	size_t len;
	int rc;

	rc = tunvnet_toeplitz_new(tunvnet_default_key(), 40, TUNVNET_TOEPLITZ_AUTO, &t);
	if (rc) {
		fprintf(stderr, "FAIL: toeplitz_new: %d\n", rc);
		return 1;
	}
	for (int opts = 0; opts <= 1; opts++) {
		char what[64];

		len = frame(f, opts);
		memset(&flow, 0xff, sizeof(flow));
		rc = tunvnet_packet_parse(f, len, TUNVNET_L2_ETH, &flow);
		if (rc || !(flow.flags & TUNVNET_FLOW_TCP)) {
			fprintf(stderr, "FAIL: packet_parse: %d flags %#x\n", rc, flow.flags);
			return 1;
		}
		snprintf(what, sizeof(what), "tunvnet_flow (%s)", opts ? "options" : "plain");
		zeroed(what, flow.reserved, sizeof(flow.reserved));

		memset(&cls, 0xff, sizeof(cls));
		rc = tunvnet_classify(&flow, TUNVNET_HASH_TYPES_ALL, TUNVNET_PROFILE_SPEC, &cls);
		if (rc || cls.report != TUNVNET_REPORT_TCPV4) {
			fprintf(stderr, "FAIL: classify: %d report %u\n", rc, cls.report);
			return 1;
		}
		zeroed("tunvnet_class (classify)", cls.reserved, sizeof(cls.reserved));

		memset(&cls, 0xff, sizeof(cls));
		rc = tunvnet_classify_hash(f, len, TUNVNET_L2_ETH, TUNVNET_HASH_TYPES_ALL,
					   TUNVNET_PROFILE_SPEC, t, &cls);
		if (rc || cls.report != TUNVNET_REPORT_TCPV4) {
			fprintf(stderr, "FAIL: classify_hash: %d report %u\n", rc, cls.report);
			return 1;
		}
		snprintf(what, sizeof(what), "tunvnet_class (classify_hash, %s)",
			 opts ? "full parser" : "fast walk");
		zeroed(what, cls.reserved, sizeof(cls.reserved));
	}
	/* A non-IP frame: nothing to classify, reserved still zero. */
	memset(f, 0, sizeof(f));
	f[12] = 0x08;
	f[13] = 0x06; /* ARP */
	memset(&cls, 0xff, sizeof(cls));
	if (tunvnet_classify_hash(f, 60, TUNVNET_L2_ETH, TUNVNET_HASH_TYPES_ALL,
				  TUNVNET_PROFILE_SPEC, t, &cls) == 0)
		zeroed("tunvnet_class (non-IP)", cls.reserved, sizeof(cls.reserved));
	tunvnet_toeplitz_free(t);

	/* Verdicts: a match, a mismatch, an unchecked frame. */
	{
		struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;
		struct tunvnet_verify_opts o = TUNVNET_VERIFY_OPTS_INIT;
		struct tunvnet_hdr hdr = { 0 };
		struct tunvnet_verifier *v;
		struct tunvnet_verdict vd;
		static const uint16_t table[1] = { 0 };

		c.flags = TUNVNET_HASH_RSS | TUNVNET_HASH_REPORT;
		c.types = TUNVNET_HASH_TYPES_PLAIN;
		c.key = tunvnet_default_key();
		c.key_len = 40;
		c.table = table;
		c.table_len = 1;
		o.cfg = &c;
		o.num_queues = 1;
		o.kind = TUNVNET_KIND_TAP;
		o.profile = TUNVNET_PROFILE_LINUX;
		if (tunvnet_verifier_new(&o, &v)) {
			fprintf(stderr, "FAIL: verifier_new: %s\n", tunvnet_last_error());
			return 1;
		}
		len = frame(f, 0);
		for (int i = 0; i < 3; i++) {
			memset(&vd, 0xff, sizeof(vd));
			hdr.hash_report = i == 0 ? TUNVNET_REPORT_TCPV4 : TUNVNET_REPORT_UDPV4;
			rc = tunvnet_verify_packet(v, 0, i == 2 ? NULL : &hdr, f, len, &vd);
			if (rc) {
				fprintf(stderr, "FAIL: verify_packet: %d %s\n", rc, tunvnet_last_error());
				return 1;
			}
			zeroed(tunvnet_verdict_name(vd.code), vd.reserved, sizeof(vd.reserved));
		}
		tunvnet_verifier_free(v);
	}

	/* Every network namespace has lo; reading it needs no privilege. */
	memset(&link, 0xff, sizeof(link));
	rc = tunvnet_link_get("lo", &link);
	if (rc) {
		fprintf(stderr, "SKIP: link_get(lo): %d %s\n", rc, tunvnet_last_error());
		return failed ? 1 : 77;
	}
	zeroed("tunvnet_link (link_get)", link.reserved, sizeof(link.reserved));
	return failed;
}
