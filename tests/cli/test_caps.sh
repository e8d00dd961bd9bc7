#!/bin/sh
# SPDX-License-Identifier: MIT
# caps: informational without a device; plain about a kernel without the feature.
. "$(dirname "$0")/lib.sh"

have_feature # checks the generation against TUNVNET_EXPECT_UAPI where the harness set it
expect 0 caps --json
out_has "\"kernel\":\"Linux $(uname -r)"
out_has '"header_sizes":[{"size":10'
out_has '"size":20,"name":"virtio_net_hdr_v1_hash","carries_hash":true'
if grep -q '"supported":false' "$OUT"; then
	out_has '"uapi":"none"'
	out_has '"types_mask":0'
	expect 0 caps
	out_has "not supported"; out_has "lacks the tun/tap virtio-net hashing feature"
	out_has "uapi:          none"
	expect 1 caps --check
else
	# A kernel with the series (the VM suite): one of the two generations.
	grep -q '"uapi":"[AB]"' "$OUT" || fail "supported but uapi is not A or B"
	out_has '"types_mask":63'
	out_has '"flags":["report","rss"]'
	expect 0 caps --check
fi
out_has "header 20"
expect 2 caps --bogus
expect 2 caps a b
expect 1 caps tvnoexist0
err_has "cannot find device 'tvnoexist0'"
expect 0 caps --help
done_tests
