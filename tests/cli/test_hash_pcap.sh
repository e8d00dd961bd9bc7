#!/bin/sh
# SPDX-License-Identifier: MIT
# hash --pcap: every packet of a capture the test writes (Ethernet and raw IP).
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

expect 0 hash --pcap "$DIR/eth.pcap" --types ipv4,ipv6
out_has "0x323e8fc2"
[ "$(wc -l <"$OUT")" -eq 4 ] || fail "want a header and 3 lines"

# DLT_RAW (101 in files): IP without a link header.
write_pcap "$DIR/raw.pcap" 101 $UDP4_RAW $TCP6_RAW
expect 0 hash --json --pcap "$DIR/raw.pcap"
sed -n 1p "$OUT" | grep -q '"hash":"0xc626b0ea"' || fail "raw packet 0"
sed -n 2p "$OUT" | grep -q '"hash":"0x40207d3d"' || fail "raw packet 1"

# An unsupported link type (DLT_NULL), a missing file, and a stray argument.
write_pcap "$DIR/null.pcap" 0 $UDP4_RAW
expect 2 hash --pcap "$DIR/null.pcap"
err_has "only Ethernet and raw IP"
expect 2 hash --pcap "$DIR/missing.pcap"
err_has "cannot read capture"
expect 2 hash --pcap "$DIR/eth.pcap" $TCP4
done_tests
