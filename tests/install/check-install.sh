#!/bin/bash
# meson install into a staging dir, then check what a user gets: headers
# under include/tunvnet/, a pkg-config file that builds a program, a shared
# library with a soname that exports only versioned tunvnet_* symbols, the
# static library, man pages, and a public header free of kernel headers.
set -euo pipefail
src=${TUNVNET_SOURCE_ROOT:?}
build=${TUNVNET_BUILD_ROOT:?}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

meson install -C "$build" --destdir "$stage" --no-rebuild >/dev/null 2>"$stage.log" ||
	{ cat "$stage.log" >&2; rm -f "$stage.log"; fail "meson install"; }
rm -f "$stage.log"
prefix=$(meson introspect "$build" --buildoptions | python3 -c \
	'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
libdir=$(meson introspect "$build" --buildoptions | python3 -c \
	'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="libdir"))')
root=$stage$prefix
[ -f "$root/include/tunvnet/tunvnet.h" ] || fail "header not under include/tunvnet/"
so=$(ls "$root/$libdir"/libtunvnet.so.0.* 2>/dev/null | head -1)
[ -n "$so" ] || fail "no libtunvnet.so.0.*"
[ -f "$root/$libdir/libtunvnet.a" ] || fail "no static library"
[ -f "$root/$libdir/pkgconfig/libtunvnet.pc" ] || fail "no pkg-config file"
# (Outputs captured first: grep -q closing a pipe early trips pipefail.)
dyn=$(readelf -d "$so")
dynsyms=$(readelf --dyn-syms -W "$so")
exports=$(nm -D --defined-only "$so")
grep -q 'SONAME.*libtunvnet.so.0' <<<"$dyn" || fail "soname is not libtunvnet.so.0"
ls "$root/share/man/man3/tunvnet_strerror.3"* >/dev/null 2>&1 || fail "man pages not installed"

# Only versioned tunvnet_* symbols leave the library.
bad=$(awk '$2 ~ /[TDBR]/ {print $3}' <<<"$exports" | grep -v '^tunvnet_' | grep -v '^TUNVNET_' || true)
[ -z "$bad" ] || fail "exported non-API symbols: $bad"
grep -q 'tunvnet_strerror@@TUNVNET_0.1' <<<"$dynsyms" || fail "symbols not versioned TUNVNET_0.1"
# Every function the header declares is exported.
for f in $(grep -oE '^TUNVNET_API [^(]*\b(tunvnet_[a-z0-9_]+)\(' "$src/include/tunvnet/tunvnet.h" |
	   grep -oE 'tunvnet_[a-z0-9_]+\($' | tr -d '('); do
	grep -qw "$f" <<<"$exports" || fail "declared but not exported: $f"
	ls "$root/share/man/man3/$f.3"* >/dev/null 2>&1 || fail "no man page for $f"
done
ls "$root/share/man/man1/tunvnet-ctl.1"* >/dev/null 2>&1 || fail "tunvnet-ctl(1) not installed"
[ -x "$root/bin/tunvnet-ctl" ] || fail "tunvnet-ctl not installed"

# The public header stands alone: no kernel header, C and C++.
if grep -E '#include <linux/' "$root/include/tunvnet/tunvnet.h"; then fail "public header includes a kernel header"; fi
echo '#include <tunvnet/tunvnet.h>' | cc -xc -std=c99 -Wall -Wextra -Werror -fsyntax-only -I"$root/include" - ||
	fail "header does not compile alone as C99"
if command -v g++ >/dev/null; then
	echo '#include <tunvnet/tunvnet.h>' | g++ -xc++ -Wall -Werror -fsyntax-only -I"$root/include" - ||
		fail "header does not compile as C++"
fi

# A user program builds and runs against the installed files via pkg-config.
export PKG_CONFIG_SYSROOT_DIR=$stage PKG_CONFIG_PATH=$root/$libdir/pkgconfig
cc "$src/examples/hash_offline.c" $(pkg-config --cflags --libs libtunvnet) -o "$stage/hash_offline" ||
	fail "example does not build with pkg-config"
LD_LIBRARY_PATH=$root/$libdir "$stage/hash_offline" || fail "example gave the wrong hash"
echo "install: ok"
