#!/bin/bash
# Quick start, command 1: install what building and running the demo needs
# (not the tests' or the benchmark's packages), build the tool, run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --demo
export TUNVNET_TEST_KERNEL=${TUNVNET_TEST_KERNEL:-$(cd .. && pwd)/shared/kernels}
exec ./build/tools/tunvnet-ctl demo "$@"
