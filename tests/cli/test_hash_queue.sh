#!/bin/sh
# SPDX-License-Identifier: MIT
# hash --queues N [--table SPEC] [--unclassified Q]: the RSS queue a packet
# lands on. Expectations by hand: the hashes are Microsoft's RSS vectors and
# the queue is table[hash & (len - 1)], Q for report none.
#   tcpv4 0x51ccc178 (TCP4)      & 3 = 0, & 7 = 0
#   udpv4 0xc626b0ea (UDP4_RAW)  & 3 = 2, & 7 = 2
#   tcpv6 0x40207d3d (TCP6_RAW)  & 3 = 1, & 7 = 5
#   udpv6 0xdde51bbf (UDP6)      & 3 = 3, & 7 = 7
#   ipv4  0x323e8fc2 (TCP4, --types ipv4) & 3 = 2
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/frames.sh"

# q WANT ARGS...: hash --json ARGS prints "queue":WANT.
q() {
	q_want=$1; shift
	expect 0 hash --json "$@"
	out_has "\"queue\":$q_want,"
}

# The default table (as set's: one entry per queue), = round-robin:4 here.
q 0 --queues 4 "$TCP4"
q 2 --queues 4 --l2 ip "$UDP4_RAW"
q 1 --queues 4 --l2 ip "$TCP6_RAW"
q 3 --queues 4 "$UDP6"
q 2 --queues 4 --types ipv4 "$TCP4"
q 3 --queues 4 --table round-robin:4 "$UDP6"
q 3 --queues 4 --table rr:4 "$UDP6"
# 3 queues: the default table has 4 entries [0,1,2,0].
q 0 --queues 3 "$UDP6"
q 1 --queues 3 --l2 ip "$TCP6_RAW"
# An explicit table, reversed, 8 entries: entry 7 - (hash & 7).
q 7 --queues 8 --table 7,6,5,4,3,2,1,0 "$TCP4"
q 5 --queues 8 --table 7,6,5,4,3,2,1,0 --l2 ip "$UDP4_RAW"
q 2 --queues 8 --table 7,6,5,4,3,2,1,0 --l2 ip "$TCP6_RAW"
q 0 --queues 8 --table 7,6,5,4,3,2,1,0 "$UDP6"
# One queue: always 0; 256 queues: the top of the range.
q 0 --queues 1 "$UDP6"
q 255 --queues 256 --table 255 "$UDP6"
# Report none: the unclassified queue (default 0), whatever the table.
q 0 --queues 4 "$ARP"
q 3 --queues 4 --unclassified 3 "$ARP"
q 2 --queues 4 --unclassified 2 --types udpv4 "$TCP4"
out_has '"report":0'
# The other keys stay as hash --json prints them.
expect 0 hash --json --queues 4 "$TCP4"
out_has '"report":2,"report_name":"tcpv4","hash":"0x51ccc178","queue":0,"input":"420995bba18e64500aea06e6"'
# Without --queues no queue.
expect 0 hash --json "$TCP4"
grep -q '"queue"' "$OUT" && fail "hash without --queues printed a queue"

# Text: a queue line.
expect 0 hash --queues 4 --l2 ip "$TCP6_RAW"
grep -q '^queue: *1 (of 4)$' "$OUT" || fail "no queue line: $(cat "$OUT")"

# Per line with --stdin.
printf '%s\n' "$TCP4" "$UDP6" "$ARP" >"$OUT.in"
expect 0 hash --stdin --json --queues 4 --table 3,2,1,0 --unclassified 1 <"$OUT.in"
sed -n 1p "$OUT" | grep -qF '"index":0,"line":1,"report":2,"report_name":"tcpv4","hash":"0x51ccc178","queue":3,' || fail "stdin line 1"
sed -n 2p "$OUT" | grep -qF '"hash":"0xdde51bbf","queue":0,' || fail "stdin line 2"
sed -n 3p "$OUT" | grep -qF '"report":0,"report_name":"none","hash":"0x00000000","queue":1,' || fail "stdin line 3"
expect 0 hash --stdin --queues 4 <"$OUT.in"
grep -q '^#  *report  *hash  *queue ' "$OUT" || fail "no queue column: $(cat "$OUT")"
grep -q '^1  *udpv6  *0xdde51bbf  *3  ' "$OUT" || fail "no queue 3 in row 1: $(cat "$OUT")"
rm -f "$OUT.in"

# Usage errors (exit 2, nothing on stdout, a JSON object under --json).
expect 2 hash --queues 0 "$TCP4"
err_has "--queues wants 1..256, not '0'"; out_empty
expect 2 hash --queues 257 "$TCP4"
err_has "--queues wants 1..256"
expect 2 hash --queues four "$TCP4"
expect 2 hash --table round-robin:4 "$TCP4"
err_has "--table and --unclassified need --queues"
expect 2 hash --unclassified 1 "$TCP4"
err_has "need --queues"
expect 2 hash --queues 4 --table 0,1,2,4 "$TCP4"
err_has "--table names queue 4, but --queues gives 4 queues (0..3)"
expect 2 hash --queues 4 --table round-robin:8 "$TCP4"
err_has "--table names queue 4"
expect 2 hash --queues 4 --unclassified 4 "$TCP4"
err_has "--unclassified 4 is not a queue: --queues gives 4 queues (0..3)"
expect 2 hash --queues 4 --table 0,1,2 "$TCP4"
err_has "power of two"
expect 2 hash --queues 4 --table round-robin:3 "$TCP4"
err_has "power of two"
expect 2 hash --queues 4 --table 0,,1,2 "$TCP4"
expect 2 hash --queues 4 --table 0,1,2,x "$TCP4"
expect 2 hash --queues 4 --unclassified -1 "$TCP4"
expect 2 hash --json --queues 4 --table 0,1,2,9 "$TCP4"
out_is '{"error":"--table names queue 9, but --queues gives 4 queues (0..3)","command":"hash","exit_status":2}'
done_tests
