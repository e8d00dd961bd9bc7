#!/bin/bash
# The longer fuzzing run, one command per target:
#   ./scripts/fuzz.sh TARGET [SECONDS]     TARGET: packet, hdr, virtio_cfg, capture, or all
# Coverage-guided (libFuzzer, clang, ASan+UBSan), SECONDS per target (default
# 600), starting from the committed corpus tests/fuzz/corpus/TARGET. Inputs
# that reach new code are kept in build-fuzz/fuzz-corpus/TARGET between runs
# (not the source tree). On a crash or a broken invariant the input, and a
# minimized copy, are put into tests/fuzz/corpus/TARGET/ as crash-<sha1>:
# from then on the replay test (meson suite 'fuzz', also under ASan+UBSan in
# scripts/test.sh) runs it on every test run. Fix the bug, commit both.
# Exit: 0 no crash, 1 a crash (saved), 2 bad usage or no clang.
set -uo pipefail
cd "$(dirname "$0")/.."
targets=(packet hdr virtio_cfg capture)
[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
case $1 in
all) run=("${targets[@]}") ;;
packet | hdr | virtio_cfg | capture) run=("$1") ;;
*) echo "fuzz.sh: unknown target '$1' (${targets[*]}, all)" >&2; exit 2 ;;
esac
secs=${2:-600}
command -v clang >/dev/null || { echo "fuzz.sh: needs clang (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

CC=clang TUNVNET_BUILD=build-fuzz TUNVNET_MESON_ARGS="-Dfuzz=true -Dbench=false" \
	./scripts/setup.sh >/dev/null || exit 2
status=0
for t in "${run[@]}"; do
	bin=build-fuzz/tests/fuzz/fuzz-$t
	keep=build-fuzz/fuzz-corpus/$t
	art=$(mktemp -d)
	mkdir -p "$keep"
	echo "== fuzz $t for ${secs}s (corpus: tests/fuzz/corpus/$t + $keep)"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" "$keep" "tests/fuzz/corpus/$t"
	rc=$?
	for f in "$art"/*; do
		[ -f "$f" ] || continue
		name=$(basename "$f")
		cp "$f" "tests/fuzz/corpus/$t/$name"
		# A smaller input that still fails, when libFuzzer finds one in 30 s.
		"$bin" -minimize_crash=1 -max_total_time=30 -exact_artifact_path="tests/fuzz/corpus/$t/$name-min" \
			"$f" >/dev/null 2>&1 || true
		echo "fuzz.sh: $t: $name saved as tests/fuzz/corpus/$t/$name (and -min if minimized):"
		echo "  replay: build/tests/fuzz/fuzz-$t-replay tests/fuzz/corpus/$t 0"
		status=1
	done
	rm -rf "$art"
	[ "$rc" -eq 0 ] || status=1
done
exit $status
