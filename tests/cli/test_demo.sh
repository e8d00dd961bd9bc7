#!/bin/sh
# SPDX-License-Identifier: MIT
# demo: live on a kernel with the feature (backend kernel, every verdict must
# match); on a stock kernel natively with the ebpf backend (our steering
# program, reports filled on read), every flow matching, then the fallbacks.
. "$(dirname "$0")/lib.sh"

is_root || { echo "needs root" >&2; exit 77; }
[ -c /dev/net/tun ] || { echo "no /dev/net/tun" >&2; exit 77; }
rel=$(uname -r)

# check_json BACKEND: every line carries "backend" and "kernel" (this
# kernel's release); 9 flow lines from BACKEND, all matching, with the
# documented keys (vcheck.py demo); the summary; no problem.
check_json() {
	n=$(grep -c . "$OUT")
	[ "$(grep -c "\"backend\":\"[a-z]*\",\"kernel\":\"$rel\"" "$OUT")" -eq "$n" ] ||
		fail "a JSON line without backend and kernel $rel: $(cat "$OUT")"
	[ "$(grep '"flow"' "$OUT" | grep "\"backend\":\"$1\"" | grep -c '"verdict":"match"')" -eq 9 ] ||
		fail "want 9 JSON flow lines from backend $1 matching: $(cat "$OUT")"
	vcheck demo "$OUT" "$1" live 9
	grep -q "^{\"summary\":\"demo\",\"device\":\"tvdemo[0-9]*\",\"backend\":\"$1\",\"kernel\":\"$rel\",\"packets\":9,\"matches\":9," "$OUT" ||
		fail "no demo summary line: $(tail -n 1 "$OUT")"
	out_has '"problems":0'
	# The Microsoft suite's first tuple (hand-checked): the flow an object,
	# what the packet carried unprefixed, the reference's prediction beside.
	out_has '"flow":{"ethertype":2048,"src":"66.9.149.187","dst":"161.142.100.80","proto":6,"src_port":2794,"dst_port":1766,"flags":["ipv4","tcp","l4_complete","ports"]},"kind":"tcp/ipv4","report":2,"report_name":"tcpv4","expected_report":2,"expected_report_name":"tcpv4","hash":"0x51ccc178","expected_hash":"0x51ccc178","deviations":[],"received":true,"mode":"live"}'
}

if have_feature; then
	expect 0 demo
	out_has "Kernel $rel, backend kernel (the series, uAPI"
	[ "$(grep -c ' match$' "$OUT")" -eq 9 ] || fail "want 9 matching flows"
	out_has "9 flows, 9 received, 0 problems."
	tr -s ' ' <"$OUT" | grep -qF "66.9.149.187:2794 -> 161.142.100.80:1766 tcpv4 0x51ccc178 tcpv4 0x51ccc178 0 (exp 0) match" ||
		fail "tcpv4 row"
	expect 0 demo --json
	check_json kernel
else
	# A stock kernel: natively with the ebpf backend; no test kernel found
	# (--kernel names none), so the kernel backend is said not shown.
	expect 0 demo --kernel /nonexistent/bzImage
	out_has "The host kernel $rel lacks the tun/tap virtio-net hashing feature, which is not in mainline Linux: running the demo natively with the ebpf backend."
	out_has "Kernel $rel, backend ebpf (our steering program picks the queue, reports filled on read)"
	[ "$(grep -c ' match$' "$OUT")" -eq 9 ] || fail "want 9 matching flows"
	out_has "9 flows, 9 received, 0 problems."
	# Hand-checked against the Microsoft verification suite: hash and queue
	# (table [0,1,2,3]) beside the prediction.
	for want in "66.9.149.187:2794 -> 161.142.100.80:1766 tcpv4 0x51ccc178 tcpv4 0x51ccc178 0 (exp 0) match" \
		    "199.92.111.2:14230 -> 65.69.140.83:4739 udpv4 0xc626b0ea udpv4 0xc626b0ea 2 (exp 2) match" \
		    "[3ffe:2501:200:1fff::7]:2794 -> [3ffe:2501:200:3::1]:1766 tcpv6 0x40207d3d tcpv6 0x40207d3d 1 (exp 1) match" \
		    "ethertype 0x88b5 none 0x00000000 none 0x00000000 0 (exp 0) match"; do
		tr -s ' ' <"$OUT" | grep -qF -- "$want" || fail "table lacks row '$want'"
	done
	out_has "No test kernel or VM harness found"
	expect 0 demo --json --kernel /nonexistent/bzImage
	check_json ebpf
	# Inside a VM without the feature there is nothing to fall back to.
	expect 1 demo --in-vm
	err_has "lacks the tun/tap virtio-net hashing feature"
fi
done_tests
