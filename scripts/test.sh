#!/usr/bin/env bash
# Builds everything with warnings as errors and runs every test: the unit
# and simulator suites, the command-line (Bats) suites against private
# brokers, then the unit suites again under ASan+UBSan.
# Usage: scripts/test.sh            (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}
# A fresh machine: install what is missing first (quick when nothing is).
bash scripts/deps.sh

# The configurations are the presets of CMakePresets.json: release (build/,
# RelWithDebInfo, -Werror), asan (build-asan/, Debug, ASan+UBSan) and fuzz
# (build-fuzz/, clang); the asan-unit test preset sets ASAN_OPTIONS and
# UBSAN_OPTIONS.
cmake --preset release
cmake --build --preset release -j "$jobs"
ctest --preset release

# --- The Debian package of the tree just tested (scripts/package.sh build:
# CPack and lintian, seconds), installed, run and removed. Needs root
# (dpkg -i), as on the CI machine; ACTOR_SKIP_PACKAGE=1 skips it.
# It runs in the background while the ASan build compiles (it is mostly
# lintian and dpkg, and nothing in it is timed); its output is shown when it
# ends, and a failure fails the run.
package_pid=
package_log=$(mktemp)
trap 'rm -f "$package_log"' EXIT
if [[ ${ACTOR_SKIP_PACKAGE:-0} != 1 ]] && ((EUID == 0)); then
  bash tests/package/check-package.sh build >"$package_log" 2>&1 &
  package_pid=$!
fi

cmake --preset asan
cmake --build --preset asan -j "$jobs"
if [[ -n $package_pid ]]; then
  package_status=0
  wait "$package_pid" || package_status=$?
  cat "$package_log"
  if ((package_status != 0)); then
    echo "test.sh: the package check failed (exit $package_status)" >&2
    exit "$package_status"
  fi
fi
ctest --preset asan-unit -j "$jobs"

# --- Fuzzing: a separate clang build (ACTOR_FUZZ=ON) ------------------------
# libFuzzer targets under ASan+UBSan (tests/fuzz), each run for
# ACTOR_FUZZ_SECONDS (default 30) from a seed corpus made from the wire
# vectors plus tests/fuzz/regressions. A crash, leak or sanitizer report
# fails. ACTOR_SKIP_FUZZ=1 skips this step.
if [[ ${ACTOR_SKIP_FUZZ:-0} != 1 ]]; then
  cmake --preset fuzz -DACTOR_FUZZ_SECONDS="${ACTOR_FUZZ_SECONDS:-30}"
  cmake --build --preset fuzz -j "$jobs"
  ctest --preset fuzz -j "$jobs"
fi

# --- Opt-in: the Bats CLI and reliability suites against the ASan tools -----
# Measured on 2 shared cores: CLI suite 174 s with the ASan tools (173 s
# with the release tools: it is bound by protocol timing, not CPU), the
# reliability suites 133 s (85 s release). Another ~5 minutes does not fit
# the CI budget, so ACTOR_ASAN_CLI=1 asks for it. Uses build-asan's tools.
if [[ ${ACTOR_ASAN_CLI:-0} == 1 ]]; then
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ACTOR_BIN_DIR="$PWD/build-asan/tools" bats tests/cli tests/reliability
fi
