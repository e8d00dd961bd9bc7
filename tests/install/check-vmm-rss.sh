#!/bin/sh
# SPDX-License-Identifier: MIT
# examples/vmm_rss run the way its comment says: a 4-queue tap with RSS and
# hash reports, frames of several flows sent at it. The example polls every
# queue, so every frame is read whatever queue it lands on; each must land
# on the queue the RSS table gives for its reported hash, the TCP/IPv4 flows
# must be reported as such, and RSS must spread them over several queues.
# Needs root and a backend that does RSS (kernel series or eBPF steering);
# skips (77) otherwise.
set -u
build=${TUNVNET_BUILD_ROOT:?}
src=${TUNVNET_SOURCE_ROOT:?}
ex=$build/examples/vmm_rss
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; sed 's/^/  out: /' "$out" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (creates a tap)"
command -v python3 >/dev/null || skip "python3 is missing (sends the frames)"
out=$(mktemp)
trap 'rm -f "$out" "$out.send"' EXIT
dev=tvex$$

# The sender starts first and waits for the tap to be up (Python's start-up
# is slow in an emulated test kernel, and the example gives up when idle).
python3 -S -c '
import os, runpy, sys, time
dev = sys.argv[1]
for _ in range(300):
    try:
        if open("/sys/class/net/%s/operstate" % dev).read().strip() in ("up", "unknown"):
            break
    except OSError:
        pass
    time.sleep(0.1)
sys.argv = [sys.argv[2], dev, "12"]
runpy.run_path(sys.argv[0], run_name="__main__")
' "$dev" "$src/tests/cli/sendframes.py" >/dev/null 2>"$out.send" &
spid=$!
"$ex" "$dev" 1000 >"$out" 2>&1 &
pid=$!
i=0
while ! grep -q "send it traffic" "$out"; do
	kill -0 "$pid" 2>/dev/null || break
	[ $i -lt 300 ] || { kill "$pid" "$spid"; fail "no 'send it traffic' within 30 s"; }
	sleep 0.1; i=$((i + 1))
done
if ! grep -q "send it traffic" "$out"; then
	wait "$pid"
	kill "$spid" 2>/dev/null
	# Only where no backend can do RSS (neither the series nor eBPF
	# steering, as caps says) may it skip.
	caps=$("$build/tools/tunvnet-ctl" caps --json 2>/dev/null)
	if grep -q "^set hash:" "$out" &&
	   ! printf '%s' "$caps" | grep -qE '"name":"(kernel|ebpf)","available":true'; then
		skip "no backend does RSS here: $(head -1 "$out")"
	fi
	fail "vmm_rss ended before it was ready"
fi
wait "$spid" || { kill "$pid"; cat "$out.send" >&2; fail "sending frames"; }
# (vmm_rss ends 10 s after the last frame.)
wait "$pid" || fail "vmm_rss exited $?"

rows=$(grep -c "table says queue" "$out")
[ "$rows" -ge 12 ] || fail "$rows packets read, want at least the 12 sent"
bad=$(grep "table says queue" "$out" | awk '{ q = $2; sub(":", "", q); if (q != $NF) print }')
[ -z "$bad" ] || fail "packets off their table's queue: $bad"
grep -q "report tcpv4 " "$out" || fail "no packet reported tcpv4"
queues=$(grep "table says queue" "$out" | awk '{ print $2 }' | sort -u | wc -l)
[ "$queues" -ge 2 ] || fail "every packet on one queue: RSS did not spread them"
echo "vmm_rss: $rows packets over $queues queues, each on its table's queue"
