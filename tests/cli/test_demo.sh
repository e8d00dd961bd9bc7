#!/bin/sh
# SPDX-License-Identifier: MIT
# demo: live on a kernel with the feature (every verdict must match), else the
# plain "lacks the feature" line and the fallbacks.
. "$(dirname "$0")/lib.sh"

if have_feature; then
	is_root || { echo "needs root" >&2; exit 77; }
	expect 0 demo
	[ "$(grep -c ' match$' "$OUT")" -eq 9 ] || fail "want 9 matching flows"
	out_has "9 flows, 9 received, 0 problems."
	tr -s ' ' <"$OUT" | grep -qF "66.9.149.187:2794 -> 161.142.100.80:1766 tcpv4 0x51ccc178 tcpv4 0x51ccc178 0 (exp 0) match" ||
		fail "tcpv4 row"
	expect 0 demo --json
	[ "$(grep -c '"verdict":"match"' "$OUT")" -eq 9 ] || fail "want 9 JSON matches"
	out_has '"problems":0'
else
	# No kernel found: say so, then the offline table.
	expect 0 demo --kernel /nonexistent/bzImage
	out_has "The host kernel $(uname -r) lacks the tun/tap virtio-net hashing feature, which is not in mainline Linux."
	out_has "No test kernel"
	out_has "0x51ccc178"
	# Inside a VM without the feature there is nothing to fall back to.
	expect 1 demo --in-vm
	err_has "lacks the tun/tap virtio-net hashing feature"
fi
done_tests
