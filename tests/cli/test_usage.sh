#!/bin/sh
# SPDX-License-Identifier: MIT
# The tool's own usage: help, version, unknown commands, help per subcommand.
. "$(dirname "$0")/lib.sh"

expect 0 --help
for c in toeplitz hash caps list show create delete set clear verify demo; do
	out_has "  $c "
done
expect 2
err_has "Usage:"
expect 2 frobnicate
err_has "unknown command 'frobnicate'"
expect 0 --version
out_has "tunvnet-ctl ${TUNVNET_VERSION:?} (libtunvnet $TUNVNET_VERSION)"
for c in toeplitz hash caps list show create delete set clear verify demo; do
	expect 0 $c --help
	out_has "Usage: tunvnet-ctl $c"
	expect 0 help $c
	out_has "Usage: tunvnet-ctl $c"
done

# Output that cannot be written is a failure with a message, not exit 0.
if [ -w /dev/full ]; then
	"$CTL" toeplitz --key 6d5a56da255b0ec2 01020304 >/dev/full 2>"$ERR"; rc=$?
	[ "$rc" -eq 1 ] || fail "toeplitz >/dev/full exited $rc, want 1"
	err_has "cannot write the output: No space left on device"
	"$CTL" --help >/dev/full 2>"$ERR"; rc=$?
	[ "$rc" -eq 1 ] || fail "--help >/dev/full exited $rc, want 1"
	err_has "cannot write the output"
fi
# A reader that is gone before the write: EPIPE, exit 1, a message (the
# sleep lets 'true' exit first, so the pipe has no reader when it writes).
ST=$(mktemp)
( sleep 0.3; "$CTL" toeplitz --key 6d5a56da255b0ec2 01020304 2>"$ERR"; echo $? >"$ST" ) | true
wait
sleep 0.5
[ "$(cat "$ST")" = 1 ] || fail "toeplitz into a closed pipe exited '$(cat "$ST")', want 1"
err_has "cannot write the output: Broken pipe"
# A closed stdout.
"$CTL" toeplitz --key 6d5a56da255b0ec2 01020304 >&- 2>"$ERR"; rc=$?
[ "$rc" -eq 1 ] || fail "toeplitz with stdout closed exited $rc, want 1"
err_has "cannot write the output"
rm -f "$ST"
# A reader that goes away in the middle of a long output (stdio's error
# flag, no errno kept): still named as the broken pipe it is.
F=00112233445566778899aabb080045000028000000004006000001020304050607080000000050000000
for i in $(seq 1 20000); do echo $F; done >"$ST"
"$CTL" hash --stdin <"$ST" 2>"$ERR" | head -c 10 >/dev/null
err_has "cannot write the output: Broken pipe"
rm -f "$ST"
# More queues than tun/macvtap take is refused before anything is created.
expect 2 create --queues 300 tvq0
err_has "1..256"
done_tests
