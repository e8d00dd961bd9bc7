#!/bin/sh
# SPDX-License-Identifier: MIT
# run-in-vm.sh KERNEL CMD [ARGS...]
#
# Boot KERNEL (a bzImage, or a folder holding */bzImage or bzImage) under
# QEMU with the host root shared read-only over 9p, run CMD ARGS as root in
# the guest (cwd /run, a tmpfs), power off, and exit with CMD's status.
# The guest's output is copied to stdout (serial console, kernel noise
# filtered unless TUNVNET_VM_VERBOSE=1).
#
# KERNEL may be "" or "-": then TUNVNET_TEST_KERNEL is used (a bzImage, or a
# folder: its first */bzImage).
#
# Exit: CMD's status; 77 when it cannot run (no qemu, no kernel image);
# 124 on timeout; 125 when the guest never reported a status (crash, panic).
#
# Environment:
#   TUNVNET_VM_TIMEOUT  seconds for the whole boot (default 120)
#   TUNVNET_VM_ACCEL    tcg (default) or kvm; "auto" tries kvm when /dev/kvm
#                       is usable, falls back to tcg
#   TUNVNET_VM_SMP      vCPUs (default 2)
#   TUNVNET_VM_MEM      MiB (default 512)
#   TUNVNET_VM_QEMU     the QEMU binary (default qemu-system-x86_64)
#   TUNVNET_VM_VERBOSE  1: show the whole console, kernel messages included
#   TUNVNET_VM_LOG      a file to save the whole console to
#
# The command line of the guest kernel must not carry '=' in init's quoted
# part, so CMD is written to a script in a host temp dir, which the guest
# sees at the same path through the shared root.
set -u

me=run-in-vm.sh
skip() { echo "$me: SKIP: $*" >&2; exit 77; }

[ $# -ge 2 ] || { echo "usage: $me KERNEL CMD [ARGS...]" >&2; exit 2; }
kernel=$1
shift

[ -z "$kernel" ] || [ "$kernel" = - ] && kernel=${TUNVNET_TEST_KERNEL:-}
[ -n "$kernel" ] || skip "no kernel given (argument or TUNVNET_TEST_KERNEL)"
if [ -d "$kernel" ]; then
	if [ -f "$kernel/bzImage" ]; then
		kernel=$kernel/bzImage
	else
		k=$(find "$kernel" -mindepth 2 -maxdepth 2 -name bzImage 2>/dev/null | sort | head -n 1)
		[ -n "$k" ] || skip "no */bzImage under $kernel"
		kernel=$k
	fi
fi
[ -r "$kernel" ] || skip "kernel image $kernel not readable"

qemu=${TUNVNET_VM_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null 2>&1 || skip "$qemu not installed"
command -v timeout >/dev/null 2>&1 || skip "timeout(1) not installed"

tmo=${TUNVNET_VM_TIMEOUT:-120}
smp=${TUNVNET_VM_SMP:-2}
mem=${TUNVNET_VM_MEM:-512}

# Only KVM when asked: the test kernels are known to boot under TCG, and
# /dev/kvm may open yet hang the guest (nested, restricted hosts), so
# "auto" boots the kernel once under KVM with a trivial command first.
tcg="-accel tcg,thread=multi -cpu max"
kvm="-enable-kvm -cpu host,-arch-capabilities"
accel_mode=${TUNVNET_VM_ACCEL:-tcg}
case $accel_mode in
tcg) accel=$tcg ;;
kvm) accel=$kvm ;;
auto) accel=probe ;;
*) echo "$me: TUNVNET_VM_ACCEL must be tcg, kvm or auto" >&2; exit 2 ;;
esac

# The guest sees the host root, so a host temp dir is the way in; it must
# not be on a tmpfs the guest can't see, and /tmp is part of the host root.
dir=$(mktemp -d "${TMPDIR:-/tmp}/tunvnet-vm.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
	echo '#!/bin/sh'
	echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	echo 'export HOME=/run TMPDIR=/run'
	# Pass through the caller's TUNVNET_* settings and the sanitizers'
	# options (the guest starts bare); not TUNVNET_REQUIRE_IMPLS, which
	# describes the host's CPU, not the emulated one.
	env | grep -e '^TUNVNET_' -e '^[AUTL]SAN_OPTIONS=' | grep -v -e '^TUNVNET_VM_' \
		-e '^TUNVNET_REQUIRE_IMPLS=' | while IFS= read -r kv; do
		printf 'export %s=%s\n' "${kv%%=*}" "$(q "${kv#*=}")"
	done
	echo "export TUNVNET_IN_VM=1"
	echo "export TUNVNET_VM_KERNEL=$(q "$kernel")"
	echo 'ip link set lo up 2>/dev/null'
	printf '('
	for a in "$@"; do printf ' %s' "$(q "$a")"; done
	echo ')'
	echo 'rc=$?'
	# A newline first: the command's last line may lack one.
	echo 'printf "\\nTUNVNET-VM-EXIT=%d\\n" $rc'
} >"$dir/guest.sh"
chmod 755 "$dir/guest.sh"

# boot ACCEL SCRIPT TIMEOUT LOG
boot() {
	# shellcheck disable=SC2086
	timeout -k 5 "$3" "$qemu" -m "$mem" -smp "$smp" -nographic -no-reboot \
		$1 \
		-kernel "$kernel" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-append "console=ttyS0 panic=-1 quiet root=hostroot rootfstype=9p rootflags=trans=virtio,version=9p2000.L,cache=loose,msize=512000 ro init=/bin/sh -- -c \"mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t tmpfs tmpfs /run; cd /run; /bin/sh $2; exec poweroff -f\"" \
		</dev/null >"$4" 2>&1
}

if [ "$accel" = probe ]; then
	accel=$tcg
	if [ -w /dev/kvm ]; then
		printf '#!/bin/sh\necho TUNVNET-VM-EXIT=0\n' >"$dir/probe.sh"
		boot "$kvm" "$dir/probe.sh" 15 "$dir/probe.log"
		grep -q 'TUNVNET-VM-EXIT=0' "$dir/probe.log" && accel=$kvm
	fi
	[ "${TUNVNET_VM_VERBOSE:-0}" = 1 ] && echo "$me: accel: $accel" >&2
fi

log=$dir/console
boot "$accel" "$dir/guest.sh" "$tmo" "$log"
qrc=$?

[ -n "${TUNVNET_VM_LOG:-}" ] && cp "$log" "$TUNVNET_VM_LOG"

# Serial output has CR LF line ends and terminal resets; drop those, the
# exit marker and, unless verbose, firmware and kernel messages.
clean() {
	tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g; s/^Booting from ROM\.*//'
}
if [ "${TUNVNET_VM_VERBOSE:-0}" = 1 ]; then
	clean | grep -v '^TUNVNET-VM-EXIT='
else
	clean | grep -v -e '^TUNVNET-VM-EXIT=' -e '^\[ *[0-9]*\.[0-9]*\] ' \
		-e '^SeaBIOS' -e '^iPXE' -e '^Press Ctrl-B' -e '^reboot: Power down' -e '^ *$'
fi

rc=$(tr -d '\r' <"$log" | sed -n 's/^.*TUNVNET-VM-EXIT=\([0-9][0-9]*\).*$/\1/p' | tail -n 1)
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "$me: guest timed out after ${tmo}s (TUNVNET_VM_TIMEOUT)" >&2
	exit 124
fi
if [ -z "$rc" ]; then
	echo "$me: no exit status from the guest (qemu status $qrc); last console lines:" >&2
	tr -d '\r' <"$log" | tail -n 20 >&2
	exit 125
fi
exit "$rc"
