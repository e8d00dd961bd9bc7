#!/bin/sh
# SPDX-License-Identifier: MIT
# verify --pcap: captures written by hand (mkcapture.py, from the published
# layout and Microsoft's RSS vectors with their published hashes; the queue
# read off by hand) are checked offline with no device and no privilege:
# all match; a flipped hash and a wrong queue are mismatches named by record
# (exit 1); options must agree with the saved configuration; a capture
# without one needs the options; hostile files exit 2 naming record and byte.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "no python3 to write the captures" >&2; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d)
trap 'rm -rf "$D" "$OUT" "$ERR"' EXIT
python3 -S "$HERE/mkcapture.py" "$D" || { fail "mkcapture.py failed"; done_tests; }
vcheck() { python3 -S "$HERE/vcheck.py" "$@" || fail "vcheck.py $*"; }
MSKEY=6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa
STATUS="packets 9  verified 9  known 0  mismatches 0  unchecked 0  queues 0:2 1:1 2:4 3:2"

# 9 frames (5 TCP/IPv4, 1 UDP/IPv4, TCP/IPv6, UDP/IPv6, ARP) on queues 0..3.
expect 0 verify --pcap "$D/good.pcap"
out_empty
err_has "checking capture $D/good.pcap (tap tvcap0, backend ebpf, 4 queue(s), kernel 6.1.0-hand), profile ebpf: report on, rss on"
err_has "$STATUS"
expect 0 verify --pcap "$D/good.pcap" --json
out_is "{\"summary\":\"verify\",\"device\":\"tvcap0\",\"backend\":\"ebpf\",\"kernel\":\"6.1.0-hand\",\"packets\":9,\"matches\":9,\"known_deviations\":0,\"mismatches\":0,\"unchecked\":0,\"capture\":\"$D/good.pcap\",\"records\":10,\"key\":\"$MSKEY\",\"per_queue\":[2,1,4,2]}"
vcheck summary "$OUT" 9 0 4 4
# The pcap headers in the other byte order; standard input.
expect 0 verify --pcap "$D/swapped.pcap"
err_has "$STATUS"
"$CTL" verify --pcap - <"$D/good.pcap" >"$OUT" 2>"$ERR" || fail "verify --pcap - exited $?"
err_has "$STATUS"
# A tun's raw IP frames (TCP/IPv4, UDP/IPv4, TCP/IPv6 of the vectors), without
# and with packet info.
expect 0 verify --pcap "$D/tun.pcap"
err_has "(tun tvtun0, backend ebpf"; err_has "packets 4  verified 4  known 0  mismatches 0  unchecked 0  queues 0:0 1:1 2:3 3:0"
expect 0 verify --pcap "$D/tunpi.pcap"
err_has "packets 4  verified 4  known 0  mismatches 0  unchecked 0  queues 0:0 1:1 2:3 3:0"
# --count stops early; more than the capture holds is a failure.
expect 0 verify --pcap "$D/good.pcap" --count 3
err_has "packets 3  verified 3"
expect 1 verify --pcap "$D/good.pcap" --count 20
err_has "the capture holds 9 of the 20 packets --count asked for"
# No frames: nothing shown (exit 1) unless --min-packets 0.
expect 1 verify --pcap "$D/header-only.pcap"
err_has "fewer than --min-packets 1"
expect 0 verify --pcap "$D/header-only.pcap" --min-packets 0

# Record 4 (frame 3: 38.27.205.30:48228 -> 209.142.163.6:2217, 0xafc7327f)
# with its hash's low bit flipped.
expect 1 verify --pcap "$D/flip.pcap"
out_is "MISMATCH record 4 q3 tcp/ipv4 38.27.205.30:48228 -> 209.142.163.6:2217: expected tcpv4 0xafc7327f q3, observed tcpv4 0xafc7327e q3: tcpv4 38.27.205.30:48228 -> 209.142.163.6:2217: expected tcpv4 0xafc7327f queue 3, observed tcpv4 0xafc7327e queue 3"
err_has "packets 9  verified 8  known 0  mismatches 1"
expect 1 verify --pcap "$D/flip.pcap" --json
[ "$(wc -l <"$OUT")" -eq 2 ] || fail "want a mismatch line and a summary: $(cat "$OUT")"
sed -n 1p "$OUT" | grep -q '^{"verdict":"mismatch","device":"tvcap0","backend":"ebpf","kernel":"6.1.0-hand","queue":3,"expected_queue":3,"flow":{"ethertype":2048,"src":"38.27.205.30","dst":"209.142.163.6","proto":6,"src_port":48228,"dst_port":2217,.*"report":2,"report_name":"tcpv4","expected_report":2,"expected_report_name":"tcpv4","hash":"0xafc7327e","expected_hash":"0xafc7327f",.*"record":4}$' ||
	fail "mismatch line: $(sed -n 1p "$OUT")"
vcheck summary "$OUT" 9 1 4 4
# The keys are the ones tunvnet-ctl(1) lists, record included.
vcheck mankeys "${TUNVNET_SOURCE_ROOT:?set by meson}/doc/tunvnet-ctl.1" "$OUT"
# Record 2 (199.92.111.2:14230 -> 65.69.140.83:4739, 0xc626b0ea & 3 = queue 2) saved as read on queue 1.
expect 1 verify --pcap "$D/wrongq.pcap"
out_has "MISMATCH record 2 q1 tcp/ipv4 199.92.111.2:14230 -> 65.69.140.83:4739: expected tcpv4 0xc626b0ea q2, observed tcpv4 0xc626b0ea q1"

# Options are assertions about the saved configuration.
expect 0 verify --pcap "$D/good.pcap" --report --rss --types 0x3f --key default --table 0,1,2,3 --queues 4 --backend ebpf
expect 2 verify --pcap "$D/good.pcap" --types ipv4
err_has "--types disagrees with the capture's configuration (4 queues, backend ebpf)"
expect 2 verify --pcap "$D/good.pcap" --table 3,2,1,0
err_has "--table disagrees"
expect 2 verify --pcap "$D/good.pcap" --queues 2
err_has "--queues disagrees"
expect 2 verify --pcap "$D/good.pcap" --backend kernel
err_has "--backend disagrees"
expect 2 verify --pcap "$D/good.pcap" --key random
err_has "--key random cannot describe a saved capture"
# --profile may differ: the same frames under other rules (spec agrees here).
expect 0 verify --pcap "$D/good.pcap" --profile spec
err_has "profile spec"
# What only a device has.
expect 2 verify --pcap "$D/good.pcap" tap0
err_has "--pcap takes no DEV argument"
for o in --no-apply "--duration 5" "--save $D/x" "--vnet-hdr-size 20"; do
	expect 2 verify --pcap "$D/good.pcap" $o
	err_has "has no meaning there"
done
[ -e "$D/x" ] && fail "--save with --pcap created a file"
expect 2 verify --pcap "$D/nonexistent.pcap"
err_has "cannot read"

# No configuration record: the options are the configuration.
expect 2 verify --pcap "$D/noconf.pcap"
err_has "the capture has no configuration record"
expect 0 verify --pcap "$D/noconf.pcap" --queues 4 --table round-robin:4
err_has "$STATUS"
expect 1 verify --pcap "$D/noconf.pcap" --queues 4 --table 3,2,1,0
err_has "mismatches 8"
expect 1 verify --pcap "$D/noconf.pcap" --queues 4 --table 3,2,1,0 --json
tail -n 1 "$OUT" | grep -q '^{"summary":"verify","device":null,"backend":"ebpf","kernel":null,' ||
	fail "no-configuration summary: $(tail -n 1 "$OUT")"

# Streamed, not slurped: 4,096 frames of 65,000 bytes (266 MB) through a
# pipe, checked with a peak resident size far below the stream's.
r=$(python3 -S - "$HERE/mkcapture.py" "$CTL" <<'EOF'
import resource, subprocess, sys
gen = subprocess.Popen([sys.executable, "-S", sys.argv[1], "--big", "4096"], stdout=subprocess.PIPE)
r = subprocess.run([sys.argv[2], "verify", "--pcap", "-", "--json"], stdin=gen.stdout,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
gen.stdout.close()
gen.wait()
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
      r.stdout.decode().splitlines()[-1])
EOF
)
set -- $r
[ "$1" = 0 ] || fail "verify --pcap - of the large stream exited $1: $r"
[ "$2" -lt 96 ] || fail "verify --pcap - of 266 MB peaked at $2 MiB resident"
case "$3" in *'"packets":4096,"matches":4096,'*) ;; *) fail "large stream: $3" ;; esac
echo "large stream: exit $1, peak $2 MiB resident"

# Hostile files: exit 2, the record and byte named, under --json a JSON error.
bad() {
	f=$1; shift
	expect 2 verify --pcap "$D/$f" "$@"
	err_has "$D/$f: $MSG"
	expect 2 verify --pcap "$D/$f" --json "$@"
	tail -n 1 "$OUT" | grep -q '"exit_status":2}$' || fail "$f --json: last line $(tail -n 1 "$OUT")"
}
MSG="empty file, not a capture" bad empty.pcap
MSG="10 bytes, shorter than a pcap file header (24)" bad short.pcap
MSG="not a pcap file (magic 0x78563412 at byte 0)" bad magic.pcap
MSG="a pcapng file" bad pcapng.pcap
MSG="link type 1, not 147 (LINKTYPE_USER0" bad linktype.pcap
MSG="record 9 at byte 1032: truncated record (69 of 74 bytes)" bad trunc.pcap
# What was checked before a bad record is summed up first (the 8 good frames).
tail -n 2 "$OUT" | head -n 1 | grep -q '^{"summary":"verify",.*"packets":8,' || fail "no summary before the error: $(cat "$OUT")"
expect 2 verify --pcap "$D/trunc.pcap"
err_has "packets 8  verified 8"
MSG="record 10 at byte 1122: truncated record header (7 of 16 bytes)" bad trunchdr.pcap
MSG="record 0 at byte 24: record length 160 exceeds the file's snapshot length 60" bad snaplen.pcap
MSG="record 1 at byte 200: truncated record (86 of 4000 bytes)" bad caplen.pcap
MSG="record 1 at byte 200: captured short (40 of 86 bytes)" bad cut.pcap
MSG="record 1 at byte 200: empty record" bad zero.pcap
MSG="record 1 at byte 200: not a verify --save record (byte 0 is 0x77, want 0x76)" bad recmagic.pcap
MSG="record 1 at byte 200: record version 2" bad version.pcap
MSG="record 1 at byte 200: unknown record type 9" bad rtype.pcap
MSG="record 1 at byte 126: a configuration record after the first record" bad conf2.pcap --queues 4
MSG="record 1 at byte 200: a 200-byte vnet header, but the record holds 54 bytes" bad hdrlen.pcap
MSG="record 1 at byte 200: queue 7, l2 eth, backend ebpf, but the capture's configuration has 4 queue(s)" bad queue.pcap
MSG="record 0 at byte 24: configuration record of 158 bytes" bad cfglen.pcap
MSG="record 0 at byte 24: configuration record: indirection table entry 3 is queue 9" bad cfgtable.pcap
done_tests
