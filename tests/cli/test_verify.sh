#!/bin/sh
# SPDX-License-Identifier: MIT
# verify: input errors (exit 2) and the host-kernel message (exit 1).
. "$(dirname "$0")/lib.sh"

D=tvnoexist0
expect 2 verify
expect 2 verify --count 0 $D
expect 2 verify --duration x $D
expect 2 verify --profile nope $D
expect 2 verify --rss --table 0,1,2 $D
expect 2 verify --types ipv4 --key 00 $D
expect 0 verify --help
out_has "--no-apply"
if have_feature; then
	expect 1 verify --duration 1 $D
	err_has "cannot find the device"
else
	expect 1 verify --duration 1 $D
	err_has "lacks the tun/tap virtio-net hashing feature"
	out_empty
fi
done_tests
