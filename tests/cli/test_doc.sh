#!/bin/sh
# SPDX-License-Identifier: MIT
# --help and the man page agree: every option a command's --help lists is in
# tunvnet-ctl(1), and the value lists (code paths, L2s, profiles, key forms)
# read the same in both.
. "$(dirname "$0")/lib.sh"

MAN=${TUNVNET_SOURCE_ROOT:?set by meson}/doc/tunvnet-ctl.1
[ -r "$MAN" ] || { echo "no $MAN" >&2; exit 77; }

# roff writes '-' as '\-'.
in_man() { grep -qF -- "$(printf '%s' "$1" | sed 's/-/\\-/g')" "$MAN"; }

for c in toeplitz hash caps list show create delete set clear verify demo; do
	expect 0 $c --help
	# Internal options (the VM harness's) are not for users.
	for o in $(grep -v '(internal)' "$OUT" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		in_man "$o" || fail "$c --help lists $o; tunvnet-ctl(1) does not"
	done
done
# Bash completion offers every option of each command's --help.
COMP=$TUNVNET_SOURCE_ROOT/tools/bash-completion/tunvnet-ctl
hashopts=$(sed -n 's/.*local hashopts="\([^"]*\)".*/\1/p' "$COMP")
for c in toeplitz hash caps list show create set verify demo; do
	opts=$(sed -n "s/^ *$c) opts=\"\([^\"]*\)\".*/\1/p" "$COMP" | sed "s/\\\$hashopts/$hashopts/")
	"$CTL" $c --help >"$OUT"
	for o in $(grep -v '(internal)' "$OUT" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		[ "$o" = --help ] && continue
		case " $opts " in
		*" $o "*) ;;
		*) fail "bash completion for $c lacks $o" ;;
		esac
	done
done
# The value lists, as --help writes them, are in the man page.
for pair in "toeplitz impl" "hash l2" "hash profile" "hash key" "toeplitz key" "verify profile"; do
	set -- $pair
	"$CTL" $1 --help >"$OUT"
	v=$(grep -o -- "--$2 [A-Za-z@|-]*|[A-Za-z@|-]*" "$OUT" | head -n 1)
	[ -n "$v" ] || { fail "$1 --help: no value list for --$2"; continue; }
	in_man "$v" || fail "$1 --help says '$v'; tunvnet-ctl(1) does not"
done
# The synopses name the same options.
for c in toeplitz hash caps show create set verify demo; do
	"$CTL" $c --help | sed -n 1p | grep -o -- '--[a-z][a-z0-9-]*' | while read -r o; do
		in_man "$o" || echo "$c: $o" 
	done
done >"$ERR"
[ -s "$ERR" ] && fail "options of a --help synopsis missing in tunvnet-ctl(1): $(cat "$ERR")"
# JSON OUTPUT lists the keys a check object has, in order, and names the
# summary's (verify's are checked by test_verify_live.sh).
expect 0 demo --offline --json
vcheck mankeys "$MAN" "$OUT"
done_tests
