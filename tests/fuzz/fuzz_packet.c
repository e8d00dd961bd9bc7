/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: tunvnet_packet_parse + tunvnet_classify(_hash) on untrusted
 * bytes, every L2 mode, every profile, several type sets, with the
 * invariants a caller relies on checked on every input.
 */
#include <string.h>

#include <tunvnet/tunvnet.h>

#include "fuzz.h"

static const uint32_t type_sets[] = {
	TUNVNET_HASH_TYPES_ALL,
	TUNVNET_HASH_TYPES_PLAIN,
	TUNVNET_HASH_TYPE_IPV4 | TUNVNET_HASH_TYPE_IPV6 | TUNVNET_HASH_TYPE_IP_EX,
	TUNVNET_HASH_TYPE_TCP_EX | TUNVNET_HASH_TYPE_UDP_EX | TUNVNET_HASH_TYPE_TCPV4,
	TUNVNET_HASH_TYPE_UDPV4 | TUNVNET_HASH_TYPE_UDPV6,
};

static unsigned int input_len_of(unsigned int report)
{
	static const unsigned int lens[] = { 0, 8, 12, 12, 32, 36, 36, 32, 36, 36 };

	return lens[report];
}

static const struct tunvnet_toeplitz *toeplitz(void)
{
	static struct tunvnet_toeplitz *t;

	if (!t)
		FUZZ_CHECK(tunvnet_toeplitz_new(tunvnet_default_key(), TUNVNET_KEY_MAX,
						TUNVNET_TOEPLITZ_AUTO, &t) == 0);
	return t;
}

static void check_flow(const struct tunvnet_flow *f, size_t size)
{
	if (f->flags & TUNVNET_FLOW_PORTS)
		FUZZ_CHECK((size_t)f->l4_off + 4 <= size);
	if (f->flags & TUNVNET_FLOW_L4_COMPLETE) {
		FUZZ_CHECK(f->flags & TUNVNET_FLOW_PORTS);
		FUZZ_CHECK((size_t)f->l4_off + ((f->flags & TUNVNET_FLOW_TCP) ? 20 : 8) <= size);
	}
	if (f->flags & (TUNVNET_FLOW_TCP | TUNVNET_FLOW_UDP))
		FUZZ_CHECK(f->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6));
	FUZZ_CHECK(!((f->flags & TUNVNET_FLOW_IPV4) && (f->flags & TUNVNET_FLOW_IPV6)));
	if (f->flags & (TUNVNET_FLOW_EXT_HDRS | TUNVNET_FLOW_HOME_ADDR | TUNVNET_FLOW_RT2 |
			TUNVNET_FLOW_AH | TUNVNET_FLOW_EXT_LIMIT))
		FUZZ_CHECK(f->flags & TUNVNET_FLOW_IPV6);
	if (f->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6))
		FUZZ_CHECK((size_t)f->l3_off + ((f->flags & TUNVNET_FLOW_IPV4) ? 20 : 40) <= size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int l2, prof;
	size_t t;

	for (l2 = TUNVNET_L2_ETH; l2 <= TUNVNET_L2_IP_PI; l2++) {
		struct tunvnet_flow flow;

		FUZZ_CHECK(tunvnet_packet_parse(data, size, l2, &flow) == 0);
		check_flow(&flow, size);
		for (prof = TUNVNET_PROFILE_SPEC; prof <= TUNVNET_PROFILE_QEMU; prof++) {
			for (t = 0; t < sizeof(type_sets) / sizeof(type_sets[0]); t++) {
				struct tunvnet_class a, b;

				FUZZ_CHECK(tunvnet_classify_hash(data, size, l2, type_sets[t], prof,
								 toeplitz(), &a) == 0);
				FUZZ_CHECK(tunvnet_classify(&flow, type_sets[t], prof, &b) == 0);
				FUZZ_CHECK(a.report <= TUNVNET_REPORT_MAX);
				FUZZ_CHECK(a.report == b.report && a.input_len == b.input_len);
				FUZZ_CHECK(memcmp(a.input, b.input, a.input_len) == 0);
				FUZZ_CHECK(a.input_len == input_len_of(a.report));
				if (a.report == TUNVNET_REPORT_NONE) {
					FUZZ_CHECK(a.hash == 0);
					continue;
				}
				FUZZ_CHECK(type_sets[t] & (1u << (a.report - 1)));
				FUZZ_CHECK(flow.flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6));
				if (prof == TUNVNET_PROFILE_LINUX)
					FUZZ_CHECK(a.report <= TUNVNET_REPORT_UDPV6);
				else if (a.report != TUNVNET_REPORT_IPV4 &&
					 a.report != TUNVNET_REPORT_IPV6 &&
					 a.report != TUNVNET_REPORT_IPV6_EX)
					FUZZ_CHECK(flow.flags & TUNVNET_FLOW_L4_COMPLETE);
				FUZZ_CHECK(a.hash == tunvnet_toeplitz_ref(tunvnet_default_key(),
									  TUNVNET_KEY_MAX, a.input,
									  a.input_len));
			}
		}
	}
	return 0;
}
