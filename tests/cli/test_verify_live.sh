#!/bin/sh
# SPDX-License-Identifier: MIT
# set / clear / verify with real traffic: a persistent 4-queue tap with report
# and RSS, frames of several flows sent into it (sendframes.py, AF_PACKET), the
# JSON summary and per-queue counts checked; a wrong key gives mismatches,
# exit 1 and a pcap of exactly those frames; then a macvtap on a veth. On a
# kernel without the feature: the same checks with the ebpf backend (a wrong
# table gives mismatches, exit 1), and --backend kernel says the feature is missing.
# Needs root (CAP_NET_ADMIN) and python3.
. "$(dirname "$0")/lib.sh"

is_root || { echo "needs root" >&2; exit 77; }
[ -c /dev/net/tun ] || { echo "no /dev/net/tun" >&2; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "no python3" >&2; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
P=tvvl$$
T=${P}t L=${P}p M=${P}m
N=70                    # frames per run: 10 of each of the 7 kinds
NONIP=10                # of which ARP-typed (sendframes.py: every 7th)
K2=0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728
K2C=$(echo $K2 | sed 's/../&:/g; s/:$//')   # as ethtool -x prints it
W=$(mktemp -d)
VPID=
cleanup() {
	[ -n "$VPID" ] && kill "$VPID" 2>/dev/null
	for d in "$T" "$M" "$L"; do ip link del "$d" 2>/dev/null; done
	rm -rf "$W" "$OUT" "$ERR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# No IPv6 chatter (router solicitations, MLD) among the counted frames.
quiet() { echo 1 >"/proc/sys/net/ipv6/conf/$1/disable_ipv6" 2>/dev/null || true; }

# start_verify DEV NAME ARGS...: bring DEV down, run verify ARGS DEV in the
# background (stdout $W/NAME.out, stderr $W/NAME.err) and wait until it has
# attached, applied and brought DEV up (it does that last, before reading),
# and the kernel has the link's operstate "up" (IFF_UP alone loses frames).
start_verify() {
	sv_dev=$1 sv_name=$2; shift 2
	ip link set "$sv_dev" down
	"$CTL" verify "$@" --duration 60 "$sv_dev" >"$W/$sv_name.out" 2>"$W/$sv_name.err" &
	VPID=$!
	i=0
	while ! oper_up "$sv_dev" 1; do
		if ! kill -0 "$VPID" 2>/dev/null || [ $i -ge 300 ]; then
			fail "verify $* $sv_dev never got ready"
			sed 's/^/  err: /' "$W/$sv_name.err" >&2
			return 1
		fi
		sleep 0.1; i=$((i + 1))
	done
	return 0
}

# finish_verify WANT: wait for the background verify, check its exit status.
finish_verify() {
	wait "$VPID"; vrc=$?; VPID=
	if [ "$vrc" -ne "$1" ]; then
		fail "verify ($sv_name) exited $vrc, want $1"
		sed 's/^/  out: /' "$W/$sv_name.out" | head -20 >&2
		sed 's/^/  err: /' "$W/$sv_name.err" >&2
	fi
}

# send DEV [DST_MAC]: the N frames; checks the non-IP count it reports.
send() {
	s=$(python3 -S "$HERE/sendframes.py" "$1" $N ${2:-}) || { fail "sendframes.py $1 failed"; return 1; }
	[ "$s" = "$NONIP" ] || fail "sendframes.py sent $s non-IP frames, want $NONIP"
}

# finish_gone: the device of the background verify was just deleted: the
# run must end within 5 s (not spin, not wait forever), exit 1, and say so.
finish_gone() {
	i=0
	while kill -0 "$VPID" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 50 ]; then
			fail "verify ($sv_name) still running 5 s after its device was deleted"
			kill "$VPID"
			break
		fi
		sleep 0.1
	done
	finish_verify 1
	grep -q "was deleted during the run" "$W/$sv_name.err" ||
		fail "verify ($sv_name): no 'deleted' message: $(cat "$W/$sv_name.err")"
}

rel=$(uname -r)

if ! have_feature; then
	# A stock kernel: RSS by our steering program (ebpf backend, reports
	# filled on read), or the reason it cannot load.
	expect 0 create --type tap --queues 4 --vnet-hdr-size 20 --le $T
	quiet $T
	run set --report --rss --types 0x3f --table round-robin:4 $T
	set_rc=$rc
	if [ "$set_rc" -eq 0 ]; then
		out_has "backend ebpf"
	else
		[ "$set_rc" -eq 1 ] || fail "set exited $set_rc"
		err_has "RSS cannot be honoured"
	fi
	expect 0 set --report --json $T
	out_has '"backend":"user"'
	expect 1 set --report --rss --backend kernel $T
	err_has "lacks the tun/tap virtio-net hashing feature"
	# The series only when asked for by name.
	expect 1 verify --backend kernel --count 1 --json $T
	err_has "lacks the tun/tap virtio-net hashing feature"
	# Under --json the error is the last JSON object on stdout too.
	[ "$(wc -l <"$OUT")" -eq 1 ] || fail "want one JSON error line: $(cat "$OUT")"
	out_has 'lacks the tun/tap virtio-net hashing feature'; out_has '"command":"verify","exit_status":1}'
	if [ "$set_rc" -eq 0 ]; then
		# verify with auto's choice (ebpf here): every frame on the queue the
		# reference predicts, with the report it predicts; RSS spreads them.
		if start_verify $T eb --count $N --json; then
			send $T
			finish_verify 0
			vcheck summary "$W/eb.out" $N 0 4 2
			echo "ebpf: $(tail -n 1 "$W/eb.out")"
		fi
		# Forced, another key and a reversed table, human output.
		if start_verify $T ebt --backend ebpf --report --rss --types 0x3f --key $K2 --table 3,2,1,0 --count $N; then
			send $T
			finish_verify 0
			grep -q "^verifying tap $T on 4 queue(s), profile ebpf: report on, rss on" "$W/ebt.err" ||
				fail "no 'verifying' line: $(cat "$W/ebt.err")"
			grep -q "packets $N  verified $N  known 0  mismatches 0  unchecked 0  queues 0:[0-9]* 1:[0-9]* 2:[0-9]* 3:[0-9]*\$" "$W/ebt.err" ||
				fail "bad final status line: $(tail -n 1 "$W/ebt.err")"
		fi
		# The program left attached by set (round-robin table), checked
		# against a reversed table: every IP frame on the wrong queue.
		expect 0 set --rss --types 0x3f --table round-robin:4 $T
		if start_verify $T ebm --no-apply --backend ebpf --rss --types 0x3f --table 3,2,1,0 --count $N --json; then
			send $T
			finish_verify 1
			vcheck summary "$W/ebm.out" $N $((N - NONIP)) 4
			# The first frame (sendframes.py: 10.1.0.1:1024 -> 192.168.0.2:80,
			# TCP) on the wrong queue: RSS only, so no report either side.
			grep -q '^{"verdict":"mismatch","device":"'$T'","backend":"ebpf","kernel":"'$rel'","queue":[0-3],"expected_queue":[0-3],"flow":{"ethertype":2048,"src":"10\.1\.0\.1","dst":"192\.168\.0\.2","proto":6,"src_port":1024,"dst_port":80,"flags":\["ipv4","tcp","l4_complete","ports"\]},"kind":"tcp/ipv4","report":0,"report_name":"none","expected_report":0,"expected_report_name":"none","hash":"0x00000000","expected_hash":"0x00000000","why":"[^"]*","deviations":\[\]}$' "$W/ebm.out" ||
				fail "no mismatch line for the first frame: $(head -n 1 "$W/ebm.out")"
			# One schema: demo's flow lines and verify's check lines
			# carry the same keys (demo adds received and mode).
			"$CTL" demo --json --kernel /nonexistent/bzImage >"$W/demo.out" 2>"$W/demo.err" ||
				fail "demo --json failed: $(cat "$W/demo.err")"
			vcheck samekeys "$W/demo.out" "$W/ebm.out"
			vcheck mankeys "$TUNVNET_SOURCE_ROOT/doc/tunvnet-ctl.1" "$W/ebm.out"
		fi
	fi
	# Reports only (user backend): the summary without RSS has no key.
	expect 0 verify --report --backend user --min-packets 0 --duration 1 --json $T
	vcheck summary "$OUT" 0 0 4
	out_has "\"summary\":\"verify\",\"device\":\"$T\",\"backend\":\"user\",\"kernel\":\"$rel\""
	expect 0 clear $T
	expect 0 delete $T
	done_tests
fi

uapi=$("$CTL" caps --json | sed -n 's/.*"uapi":"\([A-Z]*\)".*/\1/p')
[ -n "$uapi" ] || fail "no uapi in caps --json"

# 1. A persistent 4-queue tap with a 20-byte header; set / clear.
expect 0 create --type tap --queues 4 --vnet-hdr-size 20 --le $T
quiet $T
expect 0 set --json --report --rss --types 0x3f --key default --table round-robin:4 $T
out_has "{\"device\":\"$T\""; out_has '"kind":"tap"'; out_has "\"uapi\":\"$uapi\""
out_has '"report":true'; out_has '"rss":true'; out_has '"types":"ipv4,tcpv4,udpv4,ipv6,tcpv6,udpv6"'
out_has '"vnet_hdr_size":20'; out_has '"key":"6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa"'
out_has '"unclassified_queue":0'; out_has '"table":[0,1,2,3]'
[ "$(wc -l <"$OUT")" -eq 1 ] || fail "set --json: not one line"
expect 0 clear $T
out_has "hash report and RSS off on tap $T"
expect 2 clear --json $T
expect 0 set --report --rss --types 0x3f --table round-robin:4 $T
out_has "applied on tap $T (backend kernel, uAPI $uapi): report on, rss on"; out_has "table [0,1,2,3]"

# 2a. The configuration set above, verified as is (--no-apply): all match.
if start_verify $T nat --no-apply --report --rss --types 0x3f --table round-robin:4 --count $N --json; then
	send $T
	finish_verify 0
	vcheck summary "$W/nat.out" $N 0 4 2
	[ -s "$W/nat.err" ] && fail "verify --json wrote to stderr: $(head -c 300 "$W/nat.err")"
fi

# 2b. verify applying its defaults (report + RSS, six types, Microsoft key, a
# table over the device's four queues): all match, RSS spreads the flows.
if start_verify $T def --count $N --json; then
	send $T
	finish_verify 0
	vcheck summary "$W/def.out" $N 0 4 2
fi

# 2c. Applying another key and a reversed table, human output.
if start_verify $T txt --report --rss --types 0x3f --key $K2 --table 3,2,1,0 --count $N; then
	send $T
	finish_verify 0
	[ -s "$W/txt.out" ] && fail "verify with no mismatch printed on stdout: $(head -c 300 "$W/txt.out")"
	grep -q "^verifying tap $T on 4 queue(s), profile linux: report on, rss on, types ipv4,tcpv4,udpv4,ipv6,tcpv6,udpv6, key $K2C, unclassified queue 0, table \[3,2,1,0\]" "$W/txt.err" ||
		fail "no 'verifying' line: $(cat "$W/txt.err")"
	grep -q "packets $N  verified $N  known 0  mismatches 0  unchecked 0  queues 0:[0-9]* 1:[0-9]* 2:[0-9]* 3:[0-9]*\$" "$W/txt.err" ||
		fail "bad final status line: $(tail -n 1 "$W/txt.err")"
fi

# 3. A mismatch: the device has one key, verify is told another.
expect 0 set --report --rss --types 0x3f --table round-robin:4 $T
if start_verify $T mis --no-apply --report --rss --types 0x3f --key $K2 --table round-robin:4 \
		--count $N --json --pcap-out "$W/mis.pcap"; then
	send $T
	finish_verify 1
	vcheck summary "$W/mis.out" $N $((N - NONIP)) 4
	vcheck pcap "$W/mis.pcap" "$W/mis.out"
	n=$("$CTL" hash --pcap "$W/mis.pcap" --json | wc -l)
	[ "$n" -eq $((N - NONIP)) ] || fail "hash --pcap reads $n frames from the pcap, want $((N - NONIP))"
	grep -q '^{"verdict":"mismatch","device":"'$T'","backend":"kernel","kernel":"'$rel'","queue":[0-3],"expected_queue":[0-3],"flow":{"ethertype":2048,"src":"10\.1\.0\.1","dst":"192\.168\.0\.2","proto":6,"src_port":1024,"dst_port":80,"flags":\["ipv4","tcp","l4_complete","ports"\]},"kind":"tcp/ipv4","report":2,"report_name":"tcpv4","expected_report":2,"expected_report_name":"tcpv4","hash":"0x[0-9a-f]\{8\}","expected_hash":"0x[0-9a-f]\{8\}","why":"[^"]*","deviations":\[\]}$' "$W/mis.out" ||
		fail "no mismatch line for the first frame: $(head -n 1 "$W/mis.out")"
	# One schema: demo's flow lines and verify's check lines carry the
	# same keys (demo adds received and mode).
	"$CTL" demo --json >"$W/demo.out" 2>"$W/demo.err" || fail "demo --json failed: $(cat "$W/demo.err")"
	vcheck samekeys "$W/demo.out" "$W/mis.out"
	vcheck mankeys "$TUNVNET_SOURCE_ROOT/doc/tunvnet-ctl.1" "$W/mis.out"
fi
# The same in human form: one MISMATCH line per frame, status on stderr.
if start_verify $T mtx --no-apply --report --rss --types 0x3f --key $K2 --table round-robin:4 --count $N; then
	send $T
	finish_verify 1
	n=$(grep -c '^MISMATCH q[0-3] .*: expected .* 0x[0-9a-f]\{8\} q[0-3], observed .* 0x[0-9a-f]\{8\} q[0-3]: ' "$W/mtx.out")
	[ "$n" -eq $((N - NONIP)) ] || fail "$n MISMATCH lines, want $((N - NONIP))"
	grep -q "packets $N  verified $NONIP  known 0  mismatches $((N - NONIP))  unchecked 0  queues" "$W/mtx.err" ||
		fail "bad final status line: $(tail -n 1 "$W/mtx.err")"
fi

# After clear the kernel reports nothing: every IP frame is a mismatch (report
# only: without RSS the kernel's queue choice is not checked).
expect 0 clear $T
if start_verify $T clr --no-apply --report --types 0x3f --count $N --json; then
	send $T
	finish_verify 1
	vcheck summary "$W/clr.out" $N $((N - NONIP)) 4
	grep -q '"report":0,"report_name":"none","expected_report":[1-9],' "$W/clr.out" ||
		fail "after clear: no 'none' report where one was expected"
fi
expect 0 delete $T

# 5. Evidence. A run that saw nothing proves nothing: exit 1 (or
# --min-packets 0); --count N with fewer than N by the end of --duration is
# a missing frame: exit 1.
expect 0 create --type tap --queues 4 --vnet-hdr-size 20 --le $T
quiet $T
expect 1 verify --duration 1 $T
err_has "saw 0 packets, fewer than --min-packets 1"
expect 1 verify --count 5 --duration 1 --json $T
err_has "saw 0 of the 5 packets --count asked for"
grep -q '"summary"' "$OUT" || fail "verify --json: no summary line"
expect 0 verify --min-packets 0 --duration 1 $T
expect 0 delete $T
# Frames queued before the configuration applied are not evidence: on a
# fresh tap that is up with IPv6 on, the kernel queues its MLD report as
# soon as verify attaches a queue (carrier on), before verify applies its
# configuration; that frame used to come out as a mismatch.
expect 0 create --type tap --queues 4 $T
ip link set $T up
for i in 1 2 3; do
	expect 0 verify --min-packets 0 --duration 1 --json $T
	grep -q '"verdict"' "$OUT" && fail "fresh tap, run $i: $(head -n 1 "$OUT")"
	ip link set $T down; ip link set $T up
done
expect 0 delete $T

# 6. The device deleted under a running verify: tap.
expect 0 create --type tap --queues 4 --vnet-hdr-size 20 --le $T
quiet $T
if start_verify $T gone --json; then
	ip link del $T
	finish_gone
fi
ip link del $T 2>/dev/null

# 4. A macvtap (bridge mode) on a veth: frames sent into the peer end.
if ip link add $L type veth peer name ${L}b 2>/dev/null; then
	quiet $L; quiet ${L}b
	ip link set $L up && ip link set ${L}b up
	oper_up ${L}b || fail "veth ${L}b never reached operstate up"
	run create --type macvtap --parent $L $M
	if [ "$rc" -eq 0 ]; then
		quiet $M
		mac=$(cat /sys/class/net/$M/address)
		if start_verify $M mvt --report --rss --types 0x3f --table round-robin:4 --queues 4 --count $N --json; then
			send ${L}b "$mac"
			finish_verify 0
			vcheck summary "$W/mvt.out" $N 0 4 2
			echo "macvtap: $(tail -n 1 "$W/mvt.out")"
		fi
		# A single queue open: the kernel hashes nothing (drivers/net/tap.c
		# picks the only queue first), so verify refuses to check reports
		# there; by default it opens 4 and every frame matches.
		expect 2 verify --report --queues 1 --count 1 $M
		err_has "a macvtap with a single queue open reports no hash"
		expect 0 set --report $M
		err_has "a macvtap reports hashes only while 2 or more of its queues are open"
		if start_verify $M mvd --count $N --json; then
			send ${L}b "$mac"
			finish_verify 0
			vcheck summary "$W/mvd.out" $N 0 4 2
		fi
		# The macvtap deleted under a running verify.
		if start_verify $M mgone --json; then
			ip link del $M
			finish_gone
		fi
		ip link del $M 2>/dev/null
	else
		grep -q "no macvtap link type" "$ERR" || fail "macvtap create: $(cat "$ERR")"
		echo "note: no macvtap in this kernel: macvtap part skipped" >&2
	fi
else
	echo "note: cannot make a veth pair: macvtap part skipped" >&2
fi
done_tests
