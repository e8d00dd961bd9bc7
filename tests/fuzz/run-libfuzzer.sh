#!/bin/sh
# run-libfuzzer.sh BINARY CORPUS SECONDS [CRASH_DIR]: coverage-guided fuzzing
# for a bounded time, starting from the committed corpus. New inputs go to a
# scratch directory (libFuzzer writes into its first corpus argument), so
# the source tree is never modified. A crash or a broken invariant fails, and
# its input is kept in CRASH_DIR (default: a scratch dir) with the command
# that makes it a regression input of the corpus (tests/fuzz/README.md).
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") corpus=$2 secs=$3
crashes=${4:-}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
[ -n "$crashes" ] || crashes=$scratch/crashes
mkdir -p "$crashes"
cd "$scratch"
rc=0
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$crashes/" "$scratch" "$corpus" || rc=$?
if [ "$rc" -ne 0 ]; then
	for f in "$crashes"/*; do
		[ -f "$f" ] || continue
		echo "run-libfuzzer.sh: failing input $f ($(od -An -tx1 -v "$f" | tr -d '\n' | cut -c1-600))"
		echo "  keep it as a regression input: cp '$f' '$corpus/'"
	done
fi
exit "$rc"
