#!/bin/sh
# SPDX-License-Identifier: MIT
# Untrusted names in output: a link name is any bytes the kernel accepts
# (not '/', ':' or white space), so it may hold escape sequences and bytes
# that are not UTF-8. JSON stays valid (\u00XX), the terminal gets \xNN,
# never the raw bytes. A name pattern ('x%d') prints the name the kernel made.
# Needs CAP_NET_ADMIN.
. "$(dirname "$0")/lib.sh"

is_root || { echo "needs root" >&2; exit 77; }
[ -c /dev/net/tun ] || { echo "no /dev/net/tun" >&2; exit 77; }
P=tvn$$
# "tv" ESC "[31m" 0xff "x": a colour escape and a byte that is not UTF-8.
BAD=$(printf 'tv\033[31m\377x')
PAT=${P}p%d
MADE=
cleanup() {
	ip link del "$BAD" 2>/dev/null
	ip link del "${P}d" 2>/dev/null
	for d in /sys/class/net/"$P"p* /sys/class/net/"$P"m*; do [ -e "$d" ] && ip link del "${d##*/}" 2>/dev/null; done
	rm -f "$OUT" "$ERR"
}
trap cleanup EXIT

json_ok() {
	command -v python3 >/dev/null 2>&1 || return 0
	python3 -S -c 'import json, sys
for line in open(sys.argv[1], "rb"):
    json.loads(line.decode("utf-8"))' "$OUT" || fail "$1: not valid UTF-8 JSON: $(od -c "$OUT" | head -5)"
}
no_raw() {
	if grep -q "$(printf '\033')" "$OUT" "$ERR" || LC_ALL=C grep -q "$(printf '\377')" "$OUT" "$ERR"; then
		fail "$1: raw escape or non-UTF-8 bytes in the output"
	fi
}

expect 0 create --type tap "$BAD"
out_has 'tv\x1b[31m\xffx'; no_raw "create"
expect 0 show "$BAD"
out_has 'tv\x1b[31m\xffx (ifindex'; no_raw "show"
expect 0 list
out_has 'tv\x1b[31m\xffx'; no_raw "list"
expect 0 list --json
json_ok "list --json"; out_has '"device":"tv\u001b[31m\u00ffx"'
expect 0 show --json "$BAD"
json_ok "show --json"; out_has '"device":"tv\u001b[31m\u00ffx"'
expect 1 create --type tap "$BAD"
no_raw "create again"; err_has 'tv\x1b[31m\xffx'
expect 0 delete "$BAD"
out_is "deleted 'tv\\x1b[31m\\xffx'"

# The library's messages quote names too: escaped on the way out.
expect 1 show "$(printf 'tvq\033[2J')"
no_raw "show of a missing name"; err_has "no link named 'tvq\x1b[2J'"

# A pattern: the kernel picks the number; the output names that link.
expect 0 create --type tap --json "$PAT"
MADE=$(sed -n 's/.*"device":"\([^"]*\)".*/\1/p' "$OUT")
case $MADE in
"$P"p[0-9]*) [ -d "/sys/class/net/$MADE" ] || fail "create printed '$MADE', which does not exist" ;;
*) fail "create $PAT printed '$MADE', not the name the kernel made: $(cat "$OUT")" ;;
esac
expect 0 delete "$MADE"
expect 0 create --type tap "$PAT"
MADE=$(sed -n "s/^created persistent tap '\\(.*\\)', vnet header\$/\\1/p" "$OUT")
[ -n "$MADE" ] && [ -d "/sys/class/net/$MADE" ] || fail "create $PAT printed: $(cat "$OUT")"
expect 0 delete "$MADE"
MADE=
# The same for a macvtap (rtnetlink fills the pattern in).
if ip link add "${P}d" type dummy 2>/dev/null || ip link add "${P}d" type veth peer name "${P}e" 2>/dev/null; then
	run create --type macvtap --parent "${P}d" "${P}m%d"
	if [ "$rc" -eq 0 ]; then
		MADE=$(sed -n "s/^created macvtap '\\(.*\\)' on '${P}d'\$/\\1/p" "$OUT")
		case $MADE in
		"$P"m[0-9]*) [ -d "/sys/class/net/$MADE" ] || fail "create printed '$MADE', which does not exist" ;;
		*) fail "macvtap ${P}m%d: printed $(cat "$OUT")" ;;
		esac
	else
		grep -q "no macvtap link type" "$ERR" || fail "macvtap create: $(cat "$ERR")"
	fi
fi
done_tests
