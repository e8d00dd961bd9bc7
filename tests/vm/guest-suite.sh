#!/bin/sh
# SPDX-License-Identifier: MIT
# The in-guest suite: run by run-in-vm.sh inside the VM.
# guest-suite.sh SERIES WORKLOAD KERNEL-NAME
# Exit: 0 all passed, 77 all skipped, 1 otherwise.
series=$1 workload=$2 kname=$3
[ "$kname" = env ] && kname=$(basename "$(dirname "${TUNVNET_VM_KERNEL:-x/unknown}")")
frames=${TUNVNET_VM_FRAMES:-400}

echo "== series tests ($kname)"
"$series"; s=$?
echo "== workload ($kname)"
"$workload" "$kname" "$frames"; w=$?
echo "== $kname: series exit $s, workload exit $w"
[ $s = 77 ] && [ $w = 77 ] && exit 77
[ $s = 0 ] || [ $s = 77 ] || exit 1
[ $w = 0 ] || [ $w = 77 ] || exit 1
exit 0
