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
[ "$(wc -l <"$OUT")" -eq 10 ] || fail "want 9 JSON flow lines and a summary"
vcheck demo "$OUT" none offline 9
# Nothing received: the reference's prediction in expected_*, the observed
# side empty (queue -1, report 0), verdict unchecked (hand-checked values).
out_has '"verdict":"unchecked","device":null,"backend":"none"'
out_has '"queue":-1,"expected_queue":3,"flow":{"ethertype":34525,"src":"3ffe:501:8:0:260:97ff:fe40:efab","dst":"ff02::1","proto":17,"src_port":14230,"dst_port":4739,"flags":["ipv6","udp","l4_complete","ports"]},"kind":"udp/ipv6","report":0,"report_name":"none","expected_report":6,"expected_report_name":"udpv6","hash":"0x00000000","expected_hash":"0xdde51bbf","why":"reference only: no kernel involved","deviations":[],"received":false,"mode":"offline"}'
out_has '{"summary":"demo","device":null,"backend":"none","kernel":"'"$(uname -r)"'","packets":0,'
expect 2 demo --offline extra
expect 2 demo --nope
expect 0 demo --help
done_tests
