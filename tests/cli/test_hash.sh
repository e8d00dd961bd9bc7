#!/bin/sh
# SPDX-License-Identifier: MIT
# hash: classification + hash of one packet, human and JSON output, errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/frames.sh"

# Defaults: Microsoft key, all types, spec profile, Ethernet.
expect 0 hash --json $TCP4
out_has '"report":2'
out_has '"report_name":"tcpv4"'
out_has '"hash":"0x51ccc178"'
out_has '"input":"420995bba18e64500aea06e6"'
out_has '"src":"66.9.149.187"'
[ "$(wc -l <"$OUT")" -eq 1 ] || fail "hash --json printed more than one line"

expect 0 hash $TCP4
out_has "tcpv4"; out_has "0x51ccc178"; out_has "66.9.149.187:2794 -> 161.142.100.80:1766"
out_has "420995bba18e64500aea06e6"

# Types narrow the ladder: IPv4 only -> the address pair.
expect 0 hash --json --types ipv4 $TCP4
out_has '"report":1'; out_has '"hash":"0x323e8fc2"'
expect 0 hash --json --types 0x1 $TCP4
out_has '"hash":"0x323e8fc2"'
expect 0 hash --json --types udpv4 $TCP4
out_has '"report":0'; out_has '"report_name":"none"'; out_has '"hash":"0x00000000"'

# Raw IP (tun without packet info).
expect 0 hash --json --l2 ip $UDP4_RAW
out_has '"report_name":"udpv4"'; out_has '"hash":"0xc626b0ea"'
expect 0 hash --json --l2 ip $TCP6_RAW
out_has '"report_name":"tcpv6"'; out_has '"hash":"0x40207d3d"'
expect 0 hash --json --l2 ip --types ipv6 $TCP6_RAW
out_has '"report_name":"ipv6"'; out_has '"hash":"0x2cc18cd5"'
expect 0 hash --json $UDP6
out_has '"report_name":"udpv6"'; out_has '"hash":"0xdde51bbf"'
# The spec profile reports _EX only with extension headers; qemu whenever enabled.
expect 0 hash --json --profile qemu $UDP6
out_has '"report_name":"udpv6_ex"'; out_has '"hash":"0xdde51bbf"'
expect 0 hash --json --profile linux $UDP6
out_has '"report_name":"udpv6"'

# Non-IP: report none, exit 0 (a result, not an error).
expect 0 hash --json $ARP
out_has '"report":0'

# A 16-byte key is enough for IPv4 with ports, not for IPv6.
K16=6d5a56da255b0ec24167253d43a38fb0
expect 0 hash --json --key $K16 --types ipv4,tcpv4,udpv4 $TCP4
out_has '"hash":"0x51ccc178"'

# Errors: exit 2 with the reason.
expect 2 hash --key $K16 $TCP4
err_has "key is 16 bytes"; err_has "need 40"; out_empty
expect 2 hash --key $K16 --types ipv6 $TCP4
err_has "need 36"
expect 2 hash --types ipv4,bogus $TCP4
err_has "unknown hash type 'bogus'"
expect 2 hash --types 0x200 $TCP4
expect 2 hash --profile windows $TCP4
err_has "unknown profile"
expect 2 hash --l2 atm $TCP4
expect 2 hash 0200zz
err_has "bad packet hex"
expect 2 hash 020
expect 2 hash
expect 2 hash --key 12345 $TCP4
expect 0 hash --help
out_has "--pcap"

# --key random: the key chosen is printed with the result, and reproduces it.
expect 0 hash --json --key random --types ipv4 $TCP4
k=$(sed -n 's/.*"key":"\([0-9a-f:]*\)".*/\1/p' "$OUT")
h1=$(sed -n 's/.*"hash":"\(0x[0-9a-f]*\)".*/\1/p' "$OUT")
[ ${#k} -eq 119 ] || fail "hash --key random: no key in $(cat "$OUT")"
expect 0 hash --json --key "$k" --types ipv4 $TCP4
out_has "\"hash\":\"$h1\""
expect 0 hash --key random --types ipv4 $TCP4
grep -q '^key: *[0-9a-f:]\{119\}$' "$OUT" || fail "hash --key random: no key line: $(cat "$OUT")"
done_tests
