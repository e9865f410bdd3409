#!/usr/bin/env bash
# Builds everything with warnings as errors and runs every test: the unit
# and simulator suites, the command-line (Bats) suites against private
# brokers, then the unit suites again under ASan+UBSan.
# Usage: scripts/test.sh            (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACTOR_WERROR=ON
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j 1

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DACTOR_WERROR=ON \
  -DACTOR_SANITIZE=ON -DACTOR_BUILD_BENCH=OFF
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -L unit -j "$jobs"
