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
done_tests
