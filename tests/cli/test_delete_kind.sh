#!/bin/sh
# SPDX-License-Identifier: MIT
# delete refuses links that are not tun, tap, macvtap or ipvtap (issue 9
# item 7: it deleted a veth and said "deleted"): a veth, a dummy where the
# kernel has one, and lo survive with exit 1 and the reason; a tap in the
# same command line is still deleted. Needs CAP_NET_ADMIN.
. "$(dirname "$0")/lib.sh"

is_root || { echo "needs root" >&2; exit 77; }
[ -c /dev/net/tun ] || { echo "no /dev/net/tun" >&2; exit 77; }
P=tvdk$$
V=${P}v D=${P}d T=${P}t
cleanup() {
	for d in "$V" "$D" "$T"; do ip link del "$d" 2>/dev/null; done
	rm -f "$OUT" "$ERR"
}
trap cleanup EXIT

ip link add $V type veth peer name ${V}p || { echo "cannot make a veth pair" >&2; exit 77; }
expect 1 delete $V
err_has "'$V' is not a tun, tap, macvtap or ipvtap link (its kind: veth): not deleted"
out_empty
[ -e /sys/class/net/$V ] && [ -e /sys/class/net/${V}p ] || fail "delete of a veth removed it"

if ip link add $D type dummy 2>/dev/null; then
	expect 1 delete $D
	err_has "(its kind: dummy)"
	[ -e /sys/class/net/$D ] || fail "delete of a dummy removed it"
fi

# lo: no link kind at all (the kernel would refuse anyway; the message is ours).
expect 1 delete lo
err_has "'lo' is not a tun, tap, macvtap or ipvtap link"

# Several names: the tap goes, the veth stays, the status says one failed.
expect 0 create --type tap $T
expect 1 delete $V $T
out_has "deleted '$T'"
err_has "'$V' is not a tun"
[ -e /sys/class/net/$T ] && fail "the tap was not deleted"
[ -e /sys/class/net/$V ] || fail "the veth was deleted"
done_tests
