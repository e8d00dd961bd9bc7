#!/bin/bash
# Install what a fresh Debian 12 machine lacks (as root), then configure and
# build into build/. Sourced by demo.sh and test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the build, the tests, the VM harness and the CLI need.
PKGS=(meson ninja-build pkg-config gcc libc6-dev libnl-3-dev libnl-route-3-dev
      libcmocka-dev libpcap-dev qemu-system-x86 iproute2 python3 kmod
      clang libclang-rt-14-dev bpftool libbpf-dev linux-libc-dev)
# Optional: DPDK's Toeplitz for the benchmark's peers (TUNVNET_WITH_DPDK=0 to skip).
if [ "${TUNVNET_WITH_DPDK:-1}" != 0 ]; then
	PKGS+=(libdpdk-dev)
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "setup: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	else
		echo "setup: missing packages: ${missing[*]} (run as root to install them)" >&2
	fi
fi

BUILD=${TUNVNET_BUILD:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" ${TUNVNET_MESON_ARGS:-} >/dev/null
fi
meson compile -C "$BUILD" >/dev/null || meson compile -C "$BUILD"
echo "setup: built in $BUILD/"
