#!/bin/sh
# SPDX-License-Identifier: MIT
# hash --stdin: hex frames one per line, one JSON line (or table row) per
# frame line, a bad line reported and skipped, exit 2 at the end if any was
# bad. The input is hostile here: not hex, odd digits, a 1 MB line, NUL
# bytes, raw binary, empty input. Hashes are Microsoft's RSS vectors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/frames.sh"

command -v python3 >/dev/null || { echo "no python3 to write hostile input" >&2; exit 77; }
DIR=$(mktemp -d)
trap 'rm -rf "$DIR" "$OUT" "$ERR"' EXIT

# json_lines: every stdout line is one JSON object (the --json rule).
json_lines() {
	python3 -c '
import json, sys
for n, ln in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    try:
        o = json.loads(ln)
    except ValueError:
        sys.exit("line %d is not JSON: %r" % (n, ln[:120]))
    if not isinstance(o, dict):
        sys.exit("line %d is not an object" % n)
' "$OUT" || fail "hash --stdin --json printed a line that is not a JSON object"
}
# line_has N TEXT: stdout line N holds TEXT.
line_has() {
	sed -n "$1p" "$OUT" | grep -qF -- "$2" || fail "line $1 lacks '$2': $(sed -n "$1p" "$OUT" | head -c 300)"
}

# Good input in every accepted form: comments, blank lines, CRLF, separators,
# a 0x prefix, a trailing comment, no newline after the last line.
{
	printf '# Microsoft RSS vectors\n\n'
	printf '%s\r\n' "$TCP4"
	printf '   \t\n'
	printf '0x%s   # UDP over IPv6\n' "$UDP6"
	echo "$ARP" | sed 's/\(..\)/\1:/g; s/:$//'
	printf '%s' "$TCP4" | sed 's/\(..\)/\1 /g'
	printf '\n%s' "$TCP4"
} >"$DIR/good"
expect 0 hash --stdin --json <"$DIR/good"
json_lines
[ "$(wc -l <"$OUT")" -eq 5 ] || fail "want 5 JSON lines (one per frame line), got $(wc -l <"$OUT")"
line_has 1 '{"index":0,"line":3,"report":2,"report_name":"tcpv4","hash":"0x51ccc178"'
line_has 1 '"input":"420995bba18e64500aea06e6"'
line_has 2 '{"index":1,"line":5,"report":6,"report_name":"udpv6","hash":"0xdde51bbf"'
line_has 3 '{"index":2,"line":6,"report":0,"report_name":"none","hash":"0x00000000"'
line_has 4 '{"index":3,"line":7,"report":2,"report_name":"tcpv4","hash":"0x51ccc178"'
line_has 5 '{"index":4,"line":8,"report":2,'
# The keys of hash --json, the same values.
expect 0 hash --json "$TCP4"
single=$(sed 's/^{//' "$OUT")
expect 0 hash --stdin --json <"$DIR/good"
line_has 1 "{\"index\":0,\"line\":3,$single"
# The other flags apply to every line.
printf '%s\n' "$UDP4_RAW" "$TCP6_RAW" >"$DIR/raw"
expect 0 hash --stdin --json --l2 ip --types ipv4,ipv6 <"$DIR/raw"
line_has 1 '"report_name":"ipv4","hash":"0xd718262a"'
line_has 2 '"report_name":"ipv6","hash":"0x2cc18cd5"'

# Text: a table row per frame line.
expect 0 hash --stdin <"$DIR/good"
[ "$(wc -l <"$OUT")" -eq 6 ] || fail "want a header and 5 rows, got $(cat "$OUT")"
grep -q '^0  *tcpv4  *0x51ccc178 .*66.9.149.187:2794 -> 161.142.100.80:1766' "$OUT" ||
	fail "no row for frame 0: $(cat "$OUT")"
grep -q '^1  *udpv6  *0xdde51bbf ' "$OUT" || fail "no row for frame 1"

# Empty input, or comments only: no frame, exit 0.
expect 0 hash --stdin --json </dev/null
out_empty
printf '# nothing\n\n   # more\n\r\n' >"$DIR/comments"
expect 0 hash --stdin --json <"$DIR/comments"
out_empty

# Hostile lines, each followed by a good one: every bad line gets its error
# object with its index and line, the good ones still hash, exit 2.
python3 - "$DIR/bad" "$TCP4" <<'PY'
import sys
path, good = sys.argv[1], sys.argv[2].encode()
lines = [
    b"zz" + good,                       # not hex at column 1
    good[:-1],                          # an odd number of digits
    b"ab" * (512 * 1024),               # a 1 MB line
    good[:10] + b"\0" + good[10:],      # a NUL byte
    bytes(range(1, 256)).replace(b"\n", b""),  # raw binary
    b"aa" * 65537,                      # 65537 bytes: one too many
    b"0x",                              # no bytes
    b"\xff\xfe" + good,                 # not UTF-8
]
with open(path, "wb") as f:
    for ln in lines:
        f.write(ln + b"\n" + good + b"\n")
PY
expect 2 hash --stdin --json <"$DIR/bad"
json_lines
[ "$(wc -l <"$OUT")" -eq 17 ] || fail "want 16 frame lines and a summary, got $(wc -l <"$OUT")"
line_has 1 '{"index":0,"line":1,"error":"'"'z' at column 1 is not a hex digit"
line_has 3 '{"index":2,"line":3,"error":"hex digit '
line_has 3 'has no pair'
line_has 5 '{"index":4,"line":5,"error":"line longer than 262144 characters"}'
line_has 7 '{"index":6,"line":7,"error":"NUL byte at column 11"}'
line_has 9 '{"index":8,"line":9,"error":"byte 0x01 at column 1 is not a hex digit"}'
line_has 11 '{"index":10,"line":11,"error":"frame longer than 65536 bytes"}'
line_has 13 '{"index":12,"line":13,"error":"no bytes"}'
line_has 15 '{"index":14,"line":15,"error":"byte 0xff at column 1 is not a hex digit"}'
for n in 2 4 6 8 10 12 14 16; do
	line_has $n "{\"index\":$((n - 1)),\"line\":$n,\"report\":2,\"report_name\":\"tcpv4\",\"hash\":\"0x51ccc178\""
done
line_has 17 '{"error":"8 of 16 frame lines on standard input were bad"'
line_has 17 '"exit_status":2}'
# Without --json the errors go to stderr, the good frames still print.
expect 2 hash --stdin <"$DIR/bad"
err_has "line 5 (frame 4): line longer than 262144 characters"
err_has "8 of 16 frame lines on standard input were bad"
[ "$(grep -c 0x51ccc178 "$OUT")" -eq 8 ] || fail "want 8 tcpv4 rows: $(cat "$OUT")"

# 3 MB of random bytes, no newline at the end: bounded, an answer per line.
head -c 3000000 /dev/urandom >"$DIR/random" 2>/dev/null ||
	python3 -c 'import os,sys; sys.stdout.buffer.write(os.urandom(3000000))' >"$DIR/random"
run hash --stdin --json <"$DIR/random"
[ "$rc" -eq 2 ] || [ "$rc" -eq 0 ] || fail "random input: exit $rc, want 0 or 2"
json_lines

# A reader that goes away stops an endless input (else this hangs to the
# test's timeout): exit 1, "cannot write the output".
yes "$TCP4" | { "$CTL" hash --stdin --json 2>"$DIR/err"; echo $? >"$DIR/rc"; } | head -n 1 >"$DIR/first"
grep -qF '"hash":"0x51ccc178"' "$DIR/first" || fail "endless input: no first line"
[ "$(cat "$DIR/rc")" = 1 ] || fail "endless input, reader gone: exit $(cat "$DIR/rc"), want 1"
grep -qF "cannot write the output" "$DIR/err" || fail "endless input: $(cat "$DIR/err")"

# One input only.
expect 2 hash --stdin "$TCP4" </dev/null
err_has "--stdin takes no PACKET_HEX"
expect 2 hash --stdin --pcap "$DIR/good" </dev/null
err_has "--stdin and --pcap"
expect 0 hash --help
out_has "--stdin"
done_tests
