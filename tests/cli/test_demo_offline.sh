#!/bin/sh
# SPDX-License-Identifier: MIT
# demo --offline: the reference side for the demo's flows, 4 queues, table [0,1,2,3].
. "$(dirname "$0")/lib.sh"

expect 0 demo --offline
out_has "Reference only"
for want in "66.9.149.187:2794 -> 161.142.100.80:1766 tcpv4 0x51ccc178 0" \
	    "199.92.111.2:14230 -> 65.69.140.83:4739 udpv4 0xc626b0ea 2" \
	    "38.27.205.30 -> 209.142.163.6 ipv4 0x82989176 2" \
	    "153.39.163.191:44251 -> 202.188.127.2:1303 ipv4 0x5d1809c5 1" \
	    "[3ffe:2501:200:1fff::7]:2794 -> [3ffe:2501:200:3::1]:1766 tcpv6 0x40207d3d 1" \
	    "ethertype 0x88b5 none 0x00000000 0"; do
	tr -s ' ' <"$OUT" | grep -qF -- "$want" || fail "table lacks row '$want'"
done
out_has "TUNVNET_TEST_KERNEL"

expect 0 demo --offline --json
[ "$(wc -l <"$OUT")" -eq 9 ] || fail "want 9 JSON lines"
out_has '"report_name":"udpv6","report":6,"hash":"0xdde51bbf","queue":3'
expect 2 demo --offline extra
expect 2 demo --nope
expect 0 demo --help
done_tests
