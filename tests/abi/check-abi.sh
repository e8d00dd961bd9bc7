#!/bin/bash
# SPDX-License-Identifier: MIT
# The built shared library has exactly the ABI committed in
# doc/abi/libtunvnet.abi: any difference, compatible or not (a new function, a
# new enumerator, a field in tail padding), fails, so every ABI change is a
# deliberate commit that regenerates the baseline (scripts/abi-baseline.sh).
#   check-abi.sh LIBRARY
set -uo pipefail
src=${TUNVNET_SOURCE_ROOT:?}
build=${TUNVNET_BUILD_ROOT:?}
lib=${1:?usage: check-abi.sh LIBRARY}
baseline=$src/doc/abi/libtunvnet.abi

if ! command -v abidiff >/dev/null || ! command -v abidw >/dev/null; then
	echo "SKIP: abidw/abidiff not installed (Debian: abigail-tools; scripts/setup.sh installs it)"
	exit 77
fi
if [ "$(uname -m)" != x86_64 ]; then
	echo "SKIP: the baseline describes the x86_64 library; this is $(uname -m)"
	exit 77
fi
if [ ! -f "$baseline" ]; then
	echo "FAIL: no ABI baseline: doc/abi/libtunvnet.abi is missing (scripts/abi-baseline.sh writes it)"
	exit 1
fi
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
	echo "SKIP: $lib was built without debug info (-g), which abidw needs; use buildtype debugoptimized"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$src/scripts/abi-baseline.sh" --out "$tmp/built.abi" "$lib" "$build" || {
	echo "FAIL: abidw could not read $lib"; exit 1; }
# --harmless: report (and fail on) the changes abidiff calls harmless too,
# such as a new enumerator; they are ABI changes all the same.
abidiff --harmless "$baseline" "$tmp/built.abi" >"$tmp/report"
rc=$?
if [ $rc -ne 0 ]; then
	cat "$tmp/report"
	if [ $((rc & 3)) -ne 0 ]; then
		echo "FAIL: abidiff could not compare (exit $rc)"
		exit 1
	fi
	cat <<MSG

FAIL: the library's ABI differs from the committed baseline doc/abi/libtunvnet.abi
(abidiff exit $rc: $([ $((rc & 8)) -ne 0 ] && echo "INCOMPATIBLE change" || echo "compatible change")).
If the change is deliberate -- a new function listed under a new version node in
lib/libtunvnet.map, a struct grown the size-checked way -- regenerate the baseline
and commit it with the change:
    scripts/abi-baseline.sh ${build}
    git add doc/abi/libtunvnet.abi
An incompatible change also needs a new major version (the soname follows it).
If it is not deliberate, undo the change to the public types or symbols above.
MSG
	exit 1
fi
echo "ABI matches doc/abi/libtunvnet.abi"
