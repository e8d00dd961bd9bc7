#!/bin/sh
# SPDX-License-Identifier: MIT
# verify --save, then verify --pcap on the file: a live run on a 4-queue tap
# with the ebpf backend (the kernel backend in a kernel with the series)
# saves every frame read; checked offline, the capture gives the same counts
# (packets, matches, per queue); one record's hash flipped in a copy gives
# exactly that mismatch, named by record, exit 1; the file cut short or with
# a record length that lies gives exit 2. Needs root, /dev/net/tun, python3.
. "$(dirname "$0")/lib.sh"

is_root || { echo "needs root" >&2; exit 77; }
[ -c /dev/net/tun ] || { echo "no /dev/net/tun" >&2; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "no python3" >&2; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
T=tvsv$$
N=70 NONIP=10
W=$(mktemp -d)
VPID=
cleanup() {
	[ -n "$VPID" ] && kill "$VPID" 2>/dev/null
	ip link del "$T" 2>/dev/null
	rm -rf "$W" "$OUT" "$ERR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if have_feature; then BACKEND=kernel; else BACKEND=ebpf; fi
expect 0 create --type tap --queues 4 --vnet-hdr-size 20 --le $T
echo 1 >"/proc/sys/net/ipv6/conf/$T/disable_ipv6" 2>/dev/null || true
run set --report --rss --backend $BACKEND --types 0x3f --table round-robin:4 $T
if [ "$rc" -ne 0 ]; then
	echo "the $BACKEND backend cannot be set up here: $(head -n 1 "$ERR")" >&2
	exit 77
fi
expect 0 clear $T
ip link set $T down

"$CTL" verify --backend $BACKEND --report --rss --types 0x3f --table 3,1,2,0 --count $N --duration 60 \
	--json --save "$W/run.pcap" $T >"$W/live.out" 2>"$W/live.err" &
VPID=$!
i=0
while ! oper_up $T 1; do
	kill -0 "$VPID" 2>/dev/null && [ $i -lt 300 ] || { fail "verify never got ready: $(cat "$W/live.err")"; done_tests; }
	sleep 0.1; i=$((i + 1))
done
s=$(python3 -S "$HERE/sendframes.py" $T $N) || fail "sendframes.py failed"
[ "$s" = "$NONIP" ] || fail "sendframes.py sent $s non-IP frames, want $NONIP"
wait "$VPID"; vrc=$?; VPID=
[ "$vrc" -eq 0 ] || fail "live verify exited $vrc: $(cat "$W/live.out" "$W/live.err")"
live=$(tail -n 1 "$W/live.out")
echo "live: $live"

# The same counts offline, from the file alone.
expect 0 verify --pcap "$W/run.pcap" --json
off=$(tail -n 1 "$OUT")
python3 -S "$HERE/vcheck.py" summary "$OUT" $N 0 4 2 || fail "vcheck.py summary (offline)"
echo "offline: $off"
field() { printf '%s' "$1" | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p"; }
arr() { printf '%s' "$1" | sed -n "s/.*\"$2\":\(\[[^]]*\]\).*/\1/p"; }
for k in device backend kernel packets matches known_deviations mismatches unchecked key; do
	[ "$(field "$live" $k)" = "$(field "$off" $k)" ] ||
		fail "$k: live $(field "$live" $k), offline $(field "$off" $k)"
done
[ "$(field "$off" packets)" = "$N" ] || fail "offline packets $(field "$off" packets), want $N"
[ "$(arr "$live" per_queue)" = "$(arr "$off" per_queue)" ] ||
	fail "per_queue: live $(arr "$live" per_queue), offline $(arr "$off" per_queue)"
[ "$(field "$off" records)" = "$((N + 1))" ] || fail "records $(field "$off" records), want $((N + 1))"
expect 0 verify --pcap "$W/run.pcap"
err_has "checking capture $W/run.pcap (tap $T, backend $BACKEND, 4 queue(s), kernel $(uname -r))"
err_has "table [3,1,2,0]"

# Walk the records (layout from tunvnet-ctl(1), CAPTURE FORMAT): flip the
# low bit of the hash of the first TCP/IPv4 frame (ethertype 0x0800, protocol 6),
# write truncated and lying copies; print "INDEX FLOW HASH".
info=$(python3 -S - "$W" <<'EOF'
import struct, sys
d = sys.argv[1]
b = bytearray(open(d + "/run.pcap", "rb").read())
off, idx, hit = 24, 0, None
while off < len(b):
    cap = struct.unpack_from("<I", b, off + 8)[0]
    body = off + 16
    if b[body + 2] == 2 and hit is None:
        hl = b[body + 7]
        fr = body + 12 + hl
        if b[fr + 12:fr + 14] == b"\x08\x00" and b[fr + 23] == 6 and hl >= 20:
            h = body + 12 + 12
            v = struct.unpack_from("<I", b, h)[0]
            sport, dport = struct.unpack_from(">HH", b, fr + 34)
            src = ".".join(str(x) for x in b[fr + 26:fr + 30])
            dst = ".".join(str(x) for x in b[fr + 30:fr + 34])
            hit = (idx, "%s:%d -> %s:%d" % (src, sport, dst, dport), v)
            flip = bytearray(b)
            struct.pack_into("<I", flip, h, v ^ 1)
            open(d + "/flip.pcap", "wb").write(flip)
            lie = bytearray(b)
            struct.pack_into("<I", lie, off + 8, 1 << 30)
            struct.pack_into("<I", lie, off + 12, 1 << 30)
            open(d + "/lie.pcap", "wb").write(lie)
            lie_at = (idx, off)
    off = body + cap
    idx += 1
open(d + "/cut.pcap", "wb").write(b[:-3])
print(hit[0], hit[2], lie_at[0], lie_at[1], hit[1])
EOF
) || fail "could not edit the capture"
set -- $info
rec=$1 hash=$2 lrec=$3 loff=$4; shift 4; flow="$*"
flipped=$(printf '0x%08x' $((hash ^ 1)))
expect 1 verify --pcap "$W/flip.pcap"
[ "$(wc -l <"$OUT")" -eq 1 ] || fail "want exactly one mismatch line: $(cat "$OUT")"
out_has "MISMATCH record $rec "; out_has "tcp/ipv4 $flow: expected tcpv4 $(printf '0x%08x' "$hash")"
out_has "observed tcpv4 $flipped"
err_has "packets $N  verified $((N - 1))  known 0  mismatches 1"
expect 2 verify --pcap "$W/cut.pcap"
err_has "record $N at byte"; err_has "truncated record"
expect 2 verify --pcap "$W/lie.pcap"
err_has "record $lrec at byte $loff: record length 1073741824 exceeds the file's snapshot length 262144"
expect 0 delete $T
done_tests
