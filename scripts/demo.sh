#!/bin/bash
# Quick start, command 1: install, build, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export TUNVNET_TEST_KERNEL=${TUNVNET_TEST_KERNEL:-$(cd .. && pwd)/shared/kernels}
exec ./build/tools/tunvnet-ctl demo "$@"
