#!/bin/bash
# SPDX-License-Identifier: MIT
# One version everywhere, outside C: the pkg-config file meson installs
# (--modversion), the shared library's file name and soname, and
# tunvnet-ctl --version all follow the project version.
#   check-version.sh LIBRARY TUNVNET_CTL
set -uo pipefail
build=${TUNVNET_BUILD_ROOT:?}
want=${TUNVNET_VERSION:?}
lib=${1:?}
ctl=${2:?}
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

if ! command -v pkg-config >/dev/null; then
	echo "SKIP: pkg-config not installed"
	exit 77
fi
# The .pc file as installed (meson-private/ holds the one install copies).
pc=$(PKG_CONFIG_PATH=$build/meson-private pkg-config --modversion libtunvnet) ||
	bad "pkg-config cannot read $build/meson-private/libtunvnet.pc"
[ "${pc:-}" = "$want" ] || bad "pkg-config --modversion libtunvnet says '${pc:-}', the project version is '$want'"
[ "$(basename "$lib")" = "libtunvnet.so.$want" ] || bad "library file is $(basename "$lib"), not libtunvnet.so.$want"
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libtunvnet.so.${want%%.*}" ] || bad "soname is '$soname', not libtunvnet.so.${want%%.*} (the major version)"
out=$("$ctl" --version)
[ "$out" = "tunvnet-ctl $want (libtunvnet $want)" ] || bad "tunvnet-ctl --version says '$out'"
[ $fail = 0 ] && echo "version $want: pkg-config, file name, soname, tunvnet-ctl agree"
exit $fail
