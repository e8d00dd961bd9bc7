#!/bin/bash
# Quick start, command 2: install, build, and run the whole test suite:
# unit, live (host kernel), CLI, fuzz replay, the VM suite against every test
# kernel (its programs, then the live and CLI suites inside it); then all of
# that again built with ASan+UBSan (host and both test kernels); the
# reader/reconfigurer stress test under ThreadSanitizer; libFuzzer on the
# parsers for a bounded time. Ends with one line: "N passed, N failed,
# N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh || exit 1

if [ -z "${TUNVNET_TEST_KERNEL:-}" ] && [ -d ../shared/kernels ]; then
	TUNVNET_TEST_KERNEL=$(cd ../shared/kernels && pwd)
fi
export TUNVNET_TEST_KERNEL=${TUNVNET_TEST_KERNEL:-}

# The Toeplitz paths this CPU can run: the equivalence test fails when the
# build lost one of them, instead of leaving it out unseen.
if [ -z "${TUNVNET_REQUIRE_IMPLS+set}" ] && [ -r /proc/cpuinfo ]; then
	flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
	has() { for f in "$@"; do case $flags in *" $f "*) ;; *) return 1 ;; esac; done; }
	impls=
	has pclmulqdq sse4_1 ssse3 && impls=clmul
	has pclmulqdq vpclmulqdq gfni avx512f avx512bw avx512vl && impls=$impls,gfni
	export TUNVNET_REQUIRE_IMPLS=${impls#,}
	echo "test: this CPU runs the Toeplitz paths: ${TUNVNET_REQUIRE_IMPLS:-none beyond ref and table} (TUNVNET_REQUIRE_IMPLS)"
fi

logs=()
status=0
meson test -C build --print-errorlogs --num-processes 2 || status=1
logs+=(build/meson-logs/testlog.json)

# Everything again under ASan+UBSan: the pure suites, the live and CLI suites
# on the host, and the VM suite (its programs, then this build's live and CLI
# suites inside each test kernel, where the hashing paths really run: a
# stack overflow in test_io_hash hid there while sanitizers ran only here).
TUNVNET_BUILD=build-san TUNVNET_MESON_ARGS="-Db_sanitize=address,undefined -Db_lundef=false -Dbench=false" \
	./scripts/setup.sh || exit 1
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	meson test -C build-san --suite unit --suite fuzz --suite live --suite cli --suite vm \
	--print-errorlogs --num-processes 2 || status=1
logs+=(build-san/meson-logs/testlog.json)

# ThreadSanitizer: reader threads per queue against a control thread adding
# queues and changing the header layout (tests/live/io/test_io_threads.c),
# and against one changing the hash configuration while the ebpf backend
# fills reports on read (tests/live/load/test_load.c); the test programs
# only, so the build stays small. Skip (77) without root.
if [ ! -f build-tsan/build.ninja ]; then
	meson setup build-tsan -Db_sanitize=thread -Db_lundef=false -Dbench=false >/dev/null || exit 1
fi
meson compile -C build-tsan tests/live/io/test_io_threads tests/live/load/test_load >/dev/null || status=1
TSAN_OPTIONS=halt_on_error=1 TUNVNET_STRESS_FRAMES=5000 TUNVNET_LOAD_SECONDS=2 \
	meson test -C build-tsan --no-rebuild --suite tsan --print-errorlogs || status=1
logs+=(build-tsan/meson-logs/testlog.json)

# Coverage-guided fuzzing of the parsers with libFuzzer (clang), bounded in time.
if command -v clang >/dev/null; then
	CC=clang TUNVNET_BUILD=build-fuzz TUNVNET_MESON_ARGS="-Dfuzz=true -Dbench=false" \
		./scripts/setup.sh || exit 1
	meson test -C build-fuzz --suite libfuzzer --print-errorlogs --num-processes 1 || status=1
	logs+=(build-fuzz/meson-logs/testlog.json)
else
	echo "libFuzzer: clang is missing, the coverage-guided fuzz runs are left out"
fi

# Speed is compared, not asserted: one run of the benchmark, ratios against
# the peers measured in the same run (informational; never fails the suite).
if [ -x build/bench/tunvnet-bench ]; then
	echo "== benchmark (ns per operation; ratio = peer / tunvnet-auto, same run)"
	build/bench/tunvnet-bench || echo "benchmark did not run"
fi

python3 scripts/test-summary.py "${logs[@]}" || status=1
exit $status
