#!/bin/sh
# run-libfuzzer.sh BINARY CORPUS SECONDS: coverage-guided fuzzing for a
# bounded time, starting from the committed corpus. New inputs go to a
# scratch directory (libFuzzer writes into its first corpus argument), so
# the source tree is never modified. A crash or a broken invariant fails.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") corpus=$2 secs=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
exec "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	"$scratch" "$corpus"
