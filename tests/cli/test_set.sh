#!/bin/sh
# SPDX-License-Identifier: MIT
# set / clear: bad input is refused (exit 2) before any device or kernel call;
# a kernel without the feature gives exit 1 and says so.
. "$(dirname "$0")/lib.sh"

# Messages speak the tool's words: no library flag names, one cause once.
no_lib_names() { ! grep -q 'TUNVNET_' "$ERR" || fail "library names in: $(cat "$ERR")"; }

# The device does not exist: exit 2 proves the input was judged first.
D=tvnoexist0
expect 2 set $D
err_has "give --report and/or --rss"
expect 2 set --report --types ipv4,nope $D
err_has "unknown hash type 'nope'"
expect 2 set --rss --key 6d5a56da $D
err_has "key is 4 bytes"
expect 2 set --rss --types ipv4 --key 6d5a56da255b0ec2 $D
err_has "need 12"
expect 2 set --rss --table 0,1,2 $D
err_has "power of two"
expect 2 set --rss --table round-robin:3 $D
expect 2 set --rss --table 0,x $D
expect 2 set --rss --key @/nonexistent/key $D
err_has "cannot read key file"
expect 2 set --report --key random $D
err_has "need --rss"
expect 2 set --rss --unclassified -1 $D
expect 2 set --rss --queues 0 $D
expect 2 set --rss --vnet-hdr-size 16 $D
expect 2 set --rss --queues 2 --table 0,1,2,3 $D
err_has "--table names queue 2, but the device has 2 queues (0..1)"
no_lib_names
expect 2 set --rss --queues 4 --unclassified 7 $D
err_has "--unclassified 7 is not a queue of the device: it has 4 queues (0..3)"
no_lib_names
expect 2 set --report
# A header size that cannot carry the report is bad input, judged before the
# device is even looked up (it used to be set on the device, then refused).
expect 2 set --report --vnet-hdr-size 12 $D
err_has "--report needs a vnet header of 20 or 24 bytes to carry the hash, not --vnet-hdr-size 12"
# Under --json the error ends stdout as a JSON object as well.
expect 2 set --json --report --vnet-hdr-size 12 $D
out_is '{"error":"--report needs a vnet header of 20 or 24 bytes to carry the hash, not --vnet-hdr-size 12","command":"set","exit_status":2}'
expect 0 set --help
out_has "persistent"

if have_feature; then
	expect 1 set --report --rss $D
	err_has "cannot find device"
	expect 1 clear $D
else
	# Without the series, auto looks for the device (ebpf or user backends) ...
	expect 1 set --report --rss $D
	err_has "cannot find device"
	# ... and the series asked for by name is not there.
	expect 1 set --report --rss --key random --backend kernel $D
	err_has "lacks the tun/tap virtio-net hashing feature"
	err_has "fix:"
	[ "$(grep -c 'lacks' "$ERR")" -eq 1 ] || fail "the cause said more than once: $(cat "$ERR")"
	[ "$(wc -l <"$ERR")" -eq 2 ] || fail "want one cause line and one fix line: $(cat "$ERR")"
	no_lib_names
	expect 1 clear $D
	err_has "cannot find device"
fi
expect 2 set --report --backend xdp $D
err_has "unknown backend 'xdp'"
expect 2 clear
expect 2 clear --x $D

# A tap made without a vnet header cannot carry a report: said before any change.
if is_root && [ -c /dev/net/tun ]; then
	N=tvnoh$$
	expect 0 create --type tap --no-vnet-hdr $N
	expect 1 set --report $N
	err_has "has no vnet header (created with --no-vnet-hdr)"
	err_has "fix: delete it and create it again without --no-vnet-hdr"
	no_lib_names
	expect 0 delete $N
fi

# With the feature and root: apply, inspect, clear on a persistent tap.
if have_feature && is_root; then
	T=tvset$$
	trap 'ip link del $T 2>/dev/null; rm -f "$OUT" "$ERR"' EXIT
	expect 0 create --type tap --queues 4 --vnet-hdr-size 20 --le $T
	expect 0 set --report --rss --table round-robin:4 $T
	out_has "report on, rss on"; out_has "table [0,1,2,3]"
	expect 0 set --json --rss --types ipv4,tcpv4 --key 6d5a56da255b0ec24167253d43a38fb0 --unclassified 1 --queues 2 $T
	out_has '"rss":true'; out_has '"report":false'; out_has '"types":"ipv4,tcpv4"'
	out_has '"key":"6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0"'; out_has '"unclassified_queue":1'
	out_has '"table":[0,1]'
	expect 0 set --report $T
	expect 0 caps $T
	out_has "vnet hdr size: 20"
	# Refused, and the device keeps its header size.
	expect 2 set --report --vnet-hdr-size 12 $T
	expect 0 caps $T
	out_has "vnet hdr size: 20"
	# No queue attached and no --queues: the queue count is unknown, so a
	# default table cannot be built (it used to be one entry: all on queue 0).
	expect 2 set --rss $T
	err_has "give --queues N"
	# With 4 queues attached by another process (a verify holding them), the
	# default table and the bounds follow those 4.
	# (Held for as long as the checks take, even under sanitizers in an
	# emulated guest, then stopped.)
	"$CTL" verify --no-apply --report --queues 4 --duration 120 $T >/dev/null 2>&1 &
	HOLD=$!
	i=0
	while [ "$(ls -d /sys/class/net/$T/queues/rx-* 2>/dev/null | wc -l)" -lt 4 ]; do
		i=$((i + 1)); [ $i -lt 40 ] || break; sleep 0.1
	done
	expect 0 set --json --rss $T
	out_has '"table":[0,1,2,3]'
	expect 2 set --rss --unclassified 7 $T
	err_has "--unclassified 7 is not a queue of the device: it has 4 queues (0..3)"
	expect 0 set --rss --unclassified 3 $T
	kill $HOLD 2>/dev/null
	wait $HOLD 2>/dev/null
	expect 0 clear $T
	out_has "off on tap $T"
	expect 0 delete $T
fi
done_tests
