#!/bin/sh
# SPDX-License-Identifier: MIT
# create / show / list / delete: a persistent multi-queue tap, a tun, and a
# macvtap on a dummy (or veth) parent. Needs CAP_NET_ADMIN.
. "$(dirname "$0")/lib.sh"

is_root || { echo "needs root" >&2; exit 77; }
[ -c /dev/net/tun ] || { echo "no /dev/net/tun" >&2; exit 77; }
P=tvcli$$
T=${P}t M=${P}m L=${P}p
cleanup() {
	for d in "$T" "${T}u" "$M" "${M}i" "$L" "${L}b"; do ip link del "$d" 2>/dev/null; done
	rm -f "$OUT" "$ERR"
}
trap cleanup EXIT

# tap: persistent, 4 queues, owner/group, 20-byte header.
expect 0 create --type tap --queues 4 --owner 1000 --group 100 --vnet-hdr-size 20 --le $T
out_has "created persistent tap '$T', multi-queue, vnet header"
expect 0 show --json $T
out_has "\"device\":\"$T\""; out_has '"kind":"tap"'; out_has '"vnet_hdr":true'
out_has '"multi_queue":true'; out_has '"persist":true'; out_has '"queues":0'
out_has '"owner":1000'; out_has '"group":100'
expect 0 show $T
out_has "multi-queue:   yes"; out_has "persist:       yes"; out_has "owner:         1000"
expect 0 list
tr -s ' ' <"$OUT" | grep -q "^$T tap 0 yes yes yes 1000 100 - - down" || fail "list row for $T"
expect 0 list --json
out_has "{\"device\":\"$T\""
# Creating it again must not attach to it.
expect 1 create --type tap $T
err_has "a link of that name already exists"
! grep -q 'TUNVNET_' "$ERR" || fail "library names in: $(cat "$ERR")"

# tun: single queue, no owner, no vnet header.
expect 0 create --type tun --no-vnet-hdr ${T}u
expect 0 show --json ${T}u
out_has '"kind":"tun"'; out_has '"vnet_hdr":false'; out_has '"multi_queue":false'
out_has '"owner":null'

# macvtap on a dummy parent, or a veth where dummy is not built.
if ip link add $L type dummy 2>/dev/null || ip link add $L type veth peer name ${L}b 2>/dev/null; then
	if run create --type macvtap --parent $L --mode vepa $M && [ $rc -eq 0 ]; then
		expect 0 show --json $M
		out_has '"kind":"macvtap"'; out_has "\"parent\":\"$L\""; out_has '"mode":"vepa"'
		grep -q '"tap_dev":"/dev/tap[0-9]' "$OUT" || fail "no tap_dev for $M"
		expect 0 list
		tr -s ' ' <"$OUT" | grep -q "^$M macvtap - yes - - - - $L vepa" || fail "list row for $M"
		expect 0 delete $M
		expect 1 show $M
	else
		grep -q "no macvtap link type" "$ERR" || fail "macvtap create: $(cat "$ERR")"
	fi
	# ipvtap may be missing from the kernel: then a clear message.
	run create --type ipvtap --parent $L --mode l3 ${M}i
	if [ $rc -eq 0 ]; then
		expect 0 show --json ${M}i
		out_has '"kind":"ipvtap"'; out_has '"mode":"l3"'
		expect 0 delete ${M}i
	else
		[ $rc -eq 1 ] || fail "ipvtap create exited $rc"
		err_has "ipvtap"
	fi
	expect 2 create --type macvtap --parent $L --mode nope ${M}x
	err_has "unknown macvtap mode"
fi
expect 1 create --type macvtap --parent tvnoparent0 ${M}y
err_has "no parent device"

# Bad usage.
expect 2 create --type bridge $T
expect 2 create --type macvtap $M
err_has "needs --parent"
expect 2 create --type tap --parent $L $T
expect 2 create --type tap --vnet-hdr-size 16 ${T}z
expect 2 create --type tap --owner no-such-user-here ${T}z
expect 2 create --type tap abcdefghijklmnopq
expect 2 show

# Delete: both, then they are gone.
expect 0 delete $T ${T}u
expect 1 show $T
err_has "no link named"
expect 1 delete $T
expect 1 show tvnoexist0
done_tests
