#!/bin/bash
# Install what a fresh Debian 12 machine lacks (as root), then configure and
# build into build/. Run by demo.sh and test.sh; safe to run again.
#
#   setup.sh          everything: the library, the tool, tests, fuzzing, benchmark
#   setup.sh --demo   only what building and running `tunvnet-ctl demo` needs
#                     (no test-only packages, no DPDK), and only the tool is built
set -euo pipefail
cd "$(dirname "$0")/.."

mode=all
case "${1:-}" in
	--demo) mode=demo ;;
	"") ;;
	*) echo "usage: $0 [--demo]" >&2; exit 2 ;;
esac

# The library and tunvnet-ctl (every build dependency of the library belongs
# here, e.g. the eBPF backend's compiler and libbpf), and the demo's run
# inside a test kernel (QEMU; the guest runs `ip` from the host's root).
DEMO_PKGS=(meson ninja-build pkg-config gcc libc6-dev libnl-3-dev libnl-route-3-dev
	   clang bpftool libbpf-dev linux-libc-dev
	   python3 qemu-system-x86 iproute2)
# What only the tests, the fuzzers and the CLI's pcap options add
# (abigail-tools: abidw/abidiff for the ABI test against doc/abi/).
TEST_PKGS=(libcmocka-dev libpcap-dev kmod clang libclang-rt-14-dev abigail-tools)
# Optional: DPDK's Toeplitz for the benchmark's peers (TUNVNET_WITH_DPDK=0 to skip).
BENCH_PKGS=()
if [ "${TUNVNET_WITH_DPDK:-1}" != 0 ]; then
	BENCH_PKGS+=(libdpdk-dev)
fi
PKGS=("${DEMO_PKGS[@]}")
if [ "$mode" = all ]; then
	PKGS+=("${TEST_PKGS[@]}" "${BENCH_PKGS[@]}")
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
elif [ ${#missing[@]} -gt 0 ]; then
	# New packages (e.g. cmocka after a demo-only setup): look again.
	meson setup --reconfigure "$BUILD" ${TUNVNET_MESON_ARGS:-} >/dev/null
fi
if [ "$mode" = demo ]; then
	# tunvnet-ctl and the VM harness beside it (tools/meson.build).
	targets=(demo-deps)
else
	targets=()
fi
meson compile -C "$BUILD" "${targets[@]}" >/dev/null || meson compile -C "$BUILD" "${targets[@]}"
echo "setup: built in $BUILD/"
