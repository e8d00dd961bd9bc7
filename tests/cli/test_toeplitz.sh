#!/bin/sh
# SPDX-License-Identifier: MIT
# toeplitz: Microsoft's verification vectors, separators, errors.
. "$(dirname "$0")/lib.sh"

MS=6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa

# src 66.9.149.187 dst 161.142.100.80, then the ports 2794 -> 1766.
expect 0 toeplitz --key $MS 420995bba18e6450
out_is 0x323e8fc2
expect 0 toeplitz --key $MS 420995bba18e64500aea06e6
out_is 0x51ccc178
expect 0 toeplitz --key $MS c75c6f024145 8c53
out_is 0xd718262a
expect 0 toeplitz --key $MS 18:13:c6:5f:0c:16:cf:b8
out_is 0xd2d0a5de
expect 0 toeplitz --key $MS 1813c65f-0c16cfb8.32629488
out_is 0x5c2b394a
expect 0 toeplitz 0x261bcd1ed18ea306
out_is 0x82989176
# IPv6 [3ffe:2501:200:1fff::7] -> [3ffe:2501:200:3::1], ports 2794 -> 1766.
V6="3ffe250102001fff0000000000000007 3ffe2501020000030000000000000001"
expect 0 toeplitz --key $MS "$V6"
out_is 0x2cc18cd5
expect 0 toeplitz --key $MS "$V6 0aea06e6"
out_is 0x40207d3d
# Every implementation agrees.
for impl in ref table auto; do
	expect 0 toeplitz --impl $impl "$V6 0aea06e6"
	out_is 0x40207d3d
done

# Errors: exit 2, nothing on stdout, a reason on stderr.
expect 2 toeplitz --key $MS 4209zz
out_empty; err_has "bad hex"
expect 2 toeplitz --key $MS 420
out_empty
expect 2 toeplitz --key 6d5a56da 420995bba18e6450
err_has "key is 4 bytes"
expect 2 toeplitz --key nothex 42
err_has "bad key"
expect 2 toeplitz
expect 2 toeplitz --impl nope 42
expect 2 toeplitz "$V6 0aea06e6 00"
err_has "longer than 36"
expect 0 toeplitz --help
out_has "Usage: tunvnet-ctl toeplitz"

# --json: one object; the key colon-separated as ethtool -x prints it.
expect 0 toeplitz --json --key $MS 420995bba18e64500aea06e6
out_has '{"hash":"0x51ccc178","input":"420995bba18e64500aea06e6","key":"6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa","impl":"'
[ "$(wc -l <"$OUT")" -eq 1 ] || fail "toeplitz --json: not one line"
expect 0 toeplitz --json --impl ref --key $MS 420995bba18e6450
out_has '"hash":"0x323e8fc2"'; out_has '"impl":"ref"'

# --key random prints the key it chose (stderr, so stdout stays the hash):
# that key, given back, gives the same hash.
expect 0 toeplitz --key random 420995bba18e64500aea06e6
h1=$(cat "$OUT")
k=$(sed -n 's/^key: \([0-9a-f:]*\)$/\1/p' "$ERR")
[ ${#k} -eq 119 ] || fail "toeplitz --key random: no 40-byte key on stderr: $(cat "$ERR")"
expect 0 toeplitz --key "$k" 420995bba18e64500aea06e6
out_is "$h1"
expect 0 toeplitz --json --key random 420995bba18e6450
k=$(sed -n 's/.*"key":"\([0-9a-f:]*\)".*/\1/p' "$OUT")
h1=$(sed -n 's/.*"hash":"\(0x[0-9a-f]*\)".*/\1/p' "$OUT")
expect 0 toeplitz --key "$k" 420995bba18e6450
out_is "$h1"

# A code path this CPU (or build) lacks is a missing feature (exit 1) with
# its own cause and fix, not bad input and not the kernel's hashing feature.
TUNVNET_TOEPLITZ_DISABLE=gfni "$CTL" toeplitz --impl gfni 420995bba18e6450 >"$OUT" 2>"$ERR"
[ $? -eq 1 ] || fail "toeplitz --impl gfni without the path: want exit 1"
err_has "cannot use --impl gfni: Toeplitz path 'gfni' is not available on this CPU or build"
err_has "fix: use --impl auto"
grep -q "kernel" "$ERR" && fail "a CPU path blamed on the kernel: $(cat "$ERR")"
done_tests
