#!/bin/bash
# SPDX-License-Identifier: MIT
# The library's ABI as libabigail's abidw sees it: the exported, versioned
# symbols and every type the public headers define (opaque handles stay
# opaque). Writes doc/abi/libtunvnet.abi, the baseline the `abi` test
# (tests/abi/check-abi.sh) compares each build with.
#
#   scripts/abi-baseline.sh [BUILD_DIR]          rebuild the shared library in
#                                                BUILD_DIR (default build/) and
#                                                write the baseline
#   scripts/abi-baseline.sh --out FILE LIBRARY BUILD_DIR
#                                                write LIBRARY's ABI to FILE
#                                                (what the test does)
#
# Regenerate the baseline only for a deliberate ABI change (a new function in
# a new version node of lib/libtunvnet.map, a struct grown the size-checked
# way) and commit it together with that change; `git diff doc/abi` then shows
# reviewers exactly what the ABI gained.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)

# The same flags for the baseline and the test, so only the ABI differs:
# no paths or source locations (a comment in the header changes nothing),
# no DT_NEEDED list (libbpf is linked only where the ebpf backend is built),
# types outside the public headers dropped, ids by hash (stable diffs).
dump() { # LIBRARY BUILD_DIR OUT
	abidw --no-corpus-path --no-comp-dir-path --no-show-locs --no-elf-needed \
	      --drop-private-types --type-id-style hash \
	      --headers-dir "$src/include/tunvnet" --headers-dir "$2/include/tunvnet" \
	      --out-file "$3" "$1"
}

if [ "${1:-}" = --out ]; then
	[ $# = 4 ] || { echo "usage: $0 --out FILE LIBRARY BUILD_DIR" >&2; exit 2; }
	dump "$3" "$4" "$2"
	exit 0
fi
[ $# -le 1 ] || { echo "usage: $0 [BUILD_DIR]" >&2; exit 2; }
command -v abidw >/dev/null || { echo "$0: abidw not found (apt-get install abigail-tools)" >&2; exit 1; }
build=$(cd "${1:-$src/build}" && pwd)
meson compile -C "$build" tunvnet:shared_library >/dev/null
lib=$(readlink -f "$build/lib/libtunvnet.so")
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
	echo "$0: $lib has no debug info; configure with -g (buildtype debug or debugoptimized)" >&2
	exit 1
fi
mkdir -p "$src/doc/abi"
dump "$lib" "$build" "$src/doc/abi/libtunvnet.abi"
echo "wrote doc/abi/libtunvnet.abi from $lib; commit it with the change that made it differ"
