/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: tunvnet_hdr_parse on untrusted bytes at every size and
 * endianness; a parsed header builds back to the same bytes.
 */
#include <errno.h>
#include <string.h>

#include <tunvnet/tunvnet.h>

#include "fuzz.h"

static bool size_ok(size_t sz)
{
	return sz == 10 || sz == 12 || sz == 20 || sz >= 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 0, 9, 10, 11, 12, 16, 20, 22, 24, 25, 32, 64 };
	size_t i;
	int e;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (e = 0; e <= 3; e++) {
			struct tunvnet_hdr h;
			uint8_t out[64];
			size_t sz = sizes[i], cmp;
			int err = tunvnet_hdr_parse(data ? data : (const uint8_t *)"", size, sz,
						    (enum tunvnet_endian)e, &h);

			if (e == 3 || !size_ok(sz)) {
				FUZZ_CHECK(err == -EINVAL);
				continue;
			}
			if (size < sz) {
				FUZZ_CHECK(err == -EMSGSIZE);
				continue;
			}
			FUZZ_CHECK(err == 0);
			FUZZ_CHECK(h.flags == data[0] && h.gso_type == data[1]);
			if (sz >= 20) {
				/* Hash fields are little-endian whatever the queue's order. */
				FUZZ_CHECK(h.hash_value == ((uint32_t)data[12] | (uint32_t)data[13] << 8 |
							    (uint32_t)data[14] << 16 |
							    (uint32_t)data[15] << 24));
				FUZZ_CHECK(h.hash_report == (data[16] | data[17] << 8));
			} else {
				FUZZ_CHECK(h.hash_value == 0 && h.hash_report == 0);
			}
			FUZZ_CHECK(tunvnet_hdr_build(&h, sz, (enum tunvnet_endian)e, out,
						     sizeof(out)) == 0);
			cmp = sz < 24 ? sz : 24;
			FUZZ_CHECK(memcmp(out, data, cmp) == 0);
			for (; cmp < sz; cmp++)
				FUZZ_CHECK(out[cmp] == 0);
		}
	}
	return 0;
}
