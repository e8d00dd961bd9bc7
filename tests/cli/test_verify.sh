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
expect 2 verify --report --vnet-hdr-size 12 $D
err_has "--report needs a vnet header of 20 or 24 bytes"
expect 2 verify --pcap-out /nonexistent/dir/m.pcap $D
err_has "cannot write '/nonexistent/dir/m.pcap'"
expect 2 verify --save /nonexistent/dir/s.pcap $D
err_has "cannot write '/nonexistent/dir/s.pcap'"

# Refused input leaves a real device as it was: down, its header size kept
# (verify used to set the size, apply and bring the link up, then refuse).
if is_root && [ -c /dev/net/tun ]; then
	T=tvver$$
	trap 'ip link del $T 2>/dev/null; rm -f "$OUT" "$ERR"' EXIT
	expect 0 create --type tap --queues 4 $T
	for bad in "--pcap-out /nonexistent/dir/m.pcap" "--save /nonexistent/dir/s.pcap" \
		   "--report --vnet-hdr-size 12" \
		   "--queues 2 --table 0,1,2,3"; do
		expect 2 verify $bad $T
		f=$(cat /sys/class/net/$T/flags)
		[ $((f & 1)) -eq 0 ] || fail "verify $bad brought $T up"
		expect 0 caps $T
		out_has "vnet hdr size: 10"
	done
	expect 0 delete $T
fi

# The series is needed only for --backend kernel: otherwise (auto, a stock
# kernel too) the device is looked up.
expect 1 verify --duration 1 $D
err_has "cannot find the device"
if ! have_feature; then
	expect 1 verify --backend kernel --duration 1 $D
	err_has "lacks the tun/tap virtio-net hashing feature"
	out_empty
fi
done_tests
