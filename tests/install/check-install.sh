#!/bin/bash
# meson install into a staging dir, then check what a user gets: headers
# under include/tunvnet/, a pkg-config file that builds a program, a shared
# library with a soname that exports only versioned tunvnet_* symbols, the
# static library, man pages, and a public header free of kernel headers; the
# installed tunvnet-ctl demo finds its installed VM harness (also after the
# tree is moved); nothing installed names the source or build tree; man
# pages name only files that are installed. The user's
# build/meson-logs/install-log.txt is left as it was.
set -euo pipefail
src=${TUNVNET_SOURCE_ROOT:?}
build=${TUNVNET_BUILD_ROOT:?}
stage=$(mktemp -d)
# meson install rewrites the build tree's install log: keep the user's.
ilog=$build/meson-logs/install-log.txt
if [ -f "$ilog" ]; then cp -p "$ilog" "$stage.ilog"; fi
restore() {
	if [ -f "$stage.ilog" ]; then mv -f "$stage.ilog" "$ilog"; else rm -f "$ilog"; fi
	rm -rf "$stage" "$stage.log"
}
trap restore EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

meson install -C "$build" --destdir "$stage" --no-rebuild >/dev/null 2>"$stage.log" ||
	{ cat "$stage.log" >&2; fail "meson install"; }
opt() {
	meson introspect "$build" --buildoptions | python3 -c \
		'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]==sys.argv[1]))' "$1"
}
prefix=$(opt prefix)
libdir=$(opt libdir)
bindir=$(opt bindir)
datadir=$(opt datadir)
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
	# The overview page lists every function (doc/man/libtunvnet.3, FUNCTIONS).
	grep -q "^\.BR $f (3)" "$src/doc/man/libtunvnet.3" || fail "libtunvnet(3) does not list $f"
done
ls "$root/share/man/man3/libtunvnet.3"* >/dev/null 2>&1 || fail "libtunvnet(3) overview not installed"
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

# The installed demo finds the installed harness: relative to itself (so
# under DESTDIR too), never the source or build tree's copy.
demo_where() {
	env -u TUNVNET_VM_HARNESS -u TUNVNET_TEST_KERNEL LD_LIBRARY_PATH=$1/$libdir \
		"$1/$bindir/tunvnet-ctl" demo --where
}
[ -x "$root/$datadir/tunvnet/run-in-vm.sh" ] || fail "VM harness not installed (executable) in $datadir/tunvnet"
want=$(realpath "$root/$datadir/tunvnet/run-in-vm.sh")
got=$(demo_where "$root") || fail "installed tunvnet-ctl demo --where failed"
grep -qxF "harness: $want" <<<"$got" || fail "installed demo resolves '$got', want harness: $want"
# Moved elsewhere as a whole (a relocated prefix), it still finds its own.
mkdir -p "$stage/moved"
mv "$root" "$stage/moved/prefix"
want=$(realpath "$stage/moved/prefix/$datadir/tunvnet/run-in-vm.sh")
got=$(demo_where "$stage/moved/prefix") || fail "moved tunvnet-ctl demo --where failed"
grep -qxF "harness: $want" <<<"$got" || fail "moved demo resolves '$got', want harness: $want"
mkdir -p "$(dirname "$root")"
mv "$stage/moved/prefix" "$root"

# Nothing installed names the source or build tree (ELF files and archives
# stripped first: debug info records the build directory by design).
for tree in "$(realpath "$src")" "$(realpath "$build")"; do
	while IFS= read -r -d '' f; do
		magic=$(head -c7 "$f" | od -An -c | tr -d ' \n')
		if [ "${magic:0:6}" = '177ELF' ] || [ "$magic" = '!<arch>' ]; then
			strip -o "$stage.strip" "$f" 2>/dev/null || cp "$f" "$stage.strip"
			g=$stage.strip
		else
			g=$f
		fi
		if grep -qaF "$tree" "$g"; then
			rm -f "$stage.strip"
			fail "${f#"$stage"} names $tree"
		fi
	done < <(find "$stage" -type f -print0)
done
rm -f "$stage.strip"

# Man pages name only installed files: no repository paths (doc/, tests/,
# examples/...), and every share/... path they give exists in the install.
mans=$(find "$root/share/man" -type f)
text=$(for m in $mans; do sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$m" | sed "s|^|${m##*/}: |"; done)
repo=$(grep -P '(?<![\w/.])(doc|tests|examples|lib|tools|scripts|bench|include)/\w' <<<"$text" | grep -v 'include/tunvnet/' || true)
[ -z "$repo" ] || fail "man pages name repository files that are not installed: $repo"
for p in $(grep -oP 'share/[\w.+/-]*\w' <<<"$text" | sort -u); do
	[ -e "$root/$p" ] || fail "a man page names $p, which is not installed"
done
echo "install: ok"
