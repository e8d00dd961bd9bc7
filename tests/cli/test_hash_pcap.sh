#!/bin/sh
# SPDX-License-Identifier: MIT
# hash --pcap: every packet of a capture the test writes (Ethernet, raw IP,
# Linux cooked SLL and SLL2), byte by byte from the published formats
# (tcpdump.org: pcap file and record headers, LINKTYPE_LINUX_SLL/SLL2);
# packets captured short, impossible records and a zero-filled file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/frames.sh"

command -v perl >/dev/null || { echo "no perl to write the capture" >&2; exit 77; }
"$CTL" hash --pcap /dev/null 2>&1 | grep -q "built without libpcap" && exit 77

DIR=$(mktemp -d)
trap 'rm -rf "$DIR" "$OUT" "$ERR"' EXIT

# write_pcap FILE LINKTYPE HEX...: a little-endian pcap, one record per frame.
write_pcap() {
	perl -e '
		my ($file, $dlt, @frames) = @ARGV;
		open(my $f, ">:raw", $file) or die;
		print $f pack("VvvVVVV", 0xa1b2c3d4, 2, 4, 0, 0, 65535, $dlt);
		my $t = 1700000000;
		for my $h (@frames) {
			my $b = pack("H*", $h);
			print $f pack("VVVV", $t++, 0, length($b), length($b)), $b;
		}' "$@"
}

write_pcap "$DIR/eth.pcap" 1 $TCP4 $UDP6 $ARP
expect 0 hash --json --pcap "$DIR/eth.pcap"
[ "$(wc -l <"$OUT")" -eq 3 ] || fail "want 3 JSON lines, got $(wc -l <"$OUT")"
sed -n 1p "$OUT" | grep -q '"index":0.*"report_name":"tcpv4","hash":"0x51ccc178"' || fail "packet 0"
sed -n 2p "$OUT" | grep -q '"index":1.*"report_name":"udpv6","hash":"0xdde51bbf"' || fail "packet 1"
sed -n 3p "$OUT" | grep -q '"index":2.*"report":0' || fail "packet 2"

# --queues: the RSS queue per packet (hash & 3 on round-robin:4, report
# none on the unclassified queue); a queue column in the table.
expect 0 hash --json --pcap "$DIR/eth.pcap" --queues 4 --unclassified 2
sed -n 1p "$OUT" | grep -q '"hash":"0x51ccc178","queue":0,' || fail "packet 0 queue"
sed -n 2p "$OUT" | grep -q '"hash":"0xdde51bbf","queue":3,' || fail "packet 1 queue"
sed -n 3p "$OUT" | grep -q '"report":0,.*"queue":2,' || fail "packet 2 queue"
expect 0 hash --pcap "$DIR/eth.pcap" --queues 4 --table 3,2,1,0
grep -q '^0  *tcpv4  *0x51ccc178  *3  ' "$OUT" || fail "no queue column: $(cat "$OUT")"

expect 0 hash --pcap "$DIR/eth.pcap" --types ipv4,ipv6
out_has "0x323e8fc2"
[ "$(wc -l <"$OUT")" -eq 4 ] || fail "want a header and 3 lines"

# DLT_RAW (101 in files): IP without a link header.
write_pcap "$DIR/raw.pcap" 101 $UDP4_RAW $TCP6_RAW
expect 0 hash --json --pcap "$DIR/raw.pcap"
sed -n 1p "$OUT" | grep -q '"hash":"0xc626b0ea"' || fail "raw packet 0"
sed -n 2p "$OUT" | grep -q '"hash":"0x40207d3d"' || fail "raw packet 1"

# write_recs FILE LINKTYPE CAPLEN:LEN:HEX...: records with the lengths given
# (the bytes written are the CAPLEN first bytes of HEX, zero-padded).
write_recs() {
	perl -e '
		my ($file, $dlt, @recs) = @ARGV;
		open(my $f, ">:raw", $file) or die;
		print $f pack("VvvVVVV", 0xa1b2c3d4, 2, 4, 0, 0, 65535, $dlt);
		for my $r (@recs) {
			my ($cap, $len, $h) = split(/:/, $r);
			my $b = substr(pack("H*", $h) . ("\0" x $cap), 0, $cap);
			print $f pack("VVVV", 1700000000, 0, $cap, $len), $b;
		}' "$@"
}
TCP4_LEN=$((${#TCP4} / 2))

# Captured short (snap length 34: Ethernet + IPv4, no TCP header): flagged
# truncated with both lengths, not hashed (it used to come out "ipv4").
write_recs "$DIR/short.pcap" 1 "34:$TCP4_LEN:$TCP4" "$TCP4_LEN:$TCP4_LEN:$TCP4"
expect 0 hash --json --pcap "$DIR/short.pcap"
sed -n 1p "$OUT" | grep -q "^{\"index\":0,\"truncated\":true,\"caplen\":34,\"len\":$TCP4_LEN," || fail "short packet: $(sed -n 1p "$OUT")"
sed -n 1p "$OUT" | grep -q '"hash"\|"report' && fail "short packet hashed: $(sed -n 1p "$OUT")"
sed -n 2p "$OUT" | grep -q '"index":1.*"report_name":"tcpv4","hash":"0x51ccc178"' || fail "packet after the short one"
err_has "1 of 2 packets were captured short and not hashed"
expect 0 hash --pcap "$DIR/short.pcap"
out_has "captured 34 of $TCP4_LEN bytes: not hashed"

# More captured than sent: no capture tool writes that; the file is damaged.
write_recs "$DIR/over.pcap" 1 "$TCP4_LEN:$TCP4_LEN:$TCP4" "$((TCP4_LEN + 10)):$TCP4_LEN:$TCP4"
expect 2 hash --json --pcap "$DIR/over.pcap"
err_has "is damaged at record 1: captured length $((TCP4_LEN + 10)), length on the wire $TCP4_LEN"
[ "$(wc -l <"$OUT")" -eq 2 ] || fail "want the one good packet before the damage and the error, got $(wc -l <"$OUT") lines"
sed -n 2p "$OUT" | grep -q '^{"error":"capture .* is damaged at record 1: .*","command":"hash","exit_status":2}$' || fail "no JSON error last: $(sed -n 2p "$OUT")"

# A valid file header followed by zeros (4 MiB here): stop at the first
# record (it used to print one line per 16 zero bytes), and fast.
perl -e 'print pack("VvvVVVV", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)' >"$DIR/zero.pcap"
head -c 4194304 /dev/zero >>"$DIR/zero.pcap"
t0=$(date +%s)
expect 2 hash --json --pcap "$DIR/zero.pcap"
err_has "is damaged at record 0: captured length 0, length on the wire 0"
[ "$(wc -l <"$OUT")" -eq 1 ] && out_has '{"error":"capture' || fail "want only the JSON error: $(head -c 300 "$OUT")"
# Generous: it guards against reading the whole file (minutes), and must
# hold under sanitizers in an emulated guest.
[ $(($(date +%s) - t0)) -le 30 ] || fail "a zero-filled capture took more than 30 s"

# tcpdump -i any: LINKTYPE_LINUX_SLL (113), a 16-byte header (packet type,
# ARPHRD, address length, 8 address bytes, protocol) in place of Ethernet's.
ETH_PAYLOAD=${TCP4#????????????????????????????}   # TCP4 without its 14-byte Ethernet header
UDP6_PAYLOAD=${UDP6#????????????????????????????}
SLL_TCP4=0000000100060200000000010000$(printf 0800)$ETH_PAYLOAD
SLL_UDP6=0004000100060200000000020000${UDP6#????????????????????????}
write_pcap "$DIR/sll.pcap" 113 $SLL_TCP4 $SLL_UDP6 00000001000602000000000100000806$(printf '%056d' 0)
expect 0 hash --json --pcap "$DIR/sll.pcap"
sed -n 1p "$OUT" | grep -q '"index":0.*"report_name":"tcpv4","hash":"0x51ccc178"' || fail "SLL packet 0: $(sed -n 1p "$OUT")"
sed -n 2p "$OUT" | grep -q '"index":1.*"report_name":"udpv6","hash":"0xdde51bbf"' || fail "SLL packet 1: $(sed -n 2p "$OUT")"
sed -n 3p "$OUT" | grep -q '"index":2.*"report":0.*"ethertype":2054' || fail "SLL packet 2 (ARP): $(sed -n 3p "$OUT")"
# LINKTYPE_LINUX_SLL2 (276), 20 bytes: protocol, reserved, ifindex, ARPHRD,
# packet type, address length, 8 address bytes.
write_pcap "$DIR/sll2.pcap" 276 08000000000000070001040602000000000100$(printf 00)$ETH_PAYLOAD \
	86dd0000000000070001000602000000000200$(printf 00)$UDP6_PAYLOAD
expect 0 hash --json --pcap "$DIR/sll2.pcap"
sed -n 1p "$OUT" | grep -q '"index":0.*"report_name":"tcpv4","hash":"0x51ccc178"' || fail "SLL2 packet 0: $(sed -n 1p "$OUT")"
sed -n 2p "$OUT" | grep -q '"index":1.*"report_name":"udpv6","hash":"0xdde51bbf"' || fail "SLL2 packet 1: $(sed -n 2p "$OUT")"

# An unsupported link type (DLT_NULL), a missing file, and a stray argument.
write_pcap "$DIR/null.pcap" 0 $UDP4_RAW
expect 2 hash --pcap "$DIR/null.pcap"
err_has "only Ethernet, raw IP and Linux cooked"
expect 2 hash --pcap "$DIR/missing.pcap"
err_has "cannot read capture"
expect 2 hash --pcap "$DIR/eth.pcap" $TCP4
done_tests
