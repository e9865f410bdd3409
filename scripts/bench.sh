#!/usr/bin/env bash
# Builds in build/ and runs every benchmark, printing tables (Markdown).
# Measurements, not pass/fail tests: each table prints its targets beside.
#   build/bench/bench_*            compiled benchmarks: simulator scale (bench_sim), ...
#   bench/bench_decision_latency.sh run-if-leader decision latency (if present)
#   bench/bench_wire.sh            messages and bytes per turn, 5/50/200 processes
#   bench/bench_failover.sh        kill -9 the tagged node: time to the next tag
#   bench/bench_footprint.sh       RSS and CPU time per process, 5/200 processes
#   bench/bench_fairness.sh        turns until all tagged, Jain's index, per
#                                  --turn-policy (fair, asyncactor), 5/50 processes
#   bench/bench_interop.sh         mixed groups with Python asyncactor nodes, only
#                                  with ASYNCACTOR_SRC=DIR (a checkout of asyncactor,
#                                  which Debian does not package) and Debian's
#                                  python3-anyio python3-outcome python3-attr
#                                  python3-paho-mqtt
# Takes about 25-30 minutes on 2 cores (bench_fairness about 15 of them).
# Usage: scripts/bench.sh (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACTOR_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
export ACTOR_BIN_DIR=$PWD/build/tools

failed=0
run() {
    echo
    echo "=== $*"
    local t0=$SECONDS status=0
    "$@" || status=$?
    (( status == 0 )) || { echo "(exited with status $status)"; failed=1; }
    echo "(took $(( SECONDS - t0 )) s)"
}

# Every compiled benchmark (bench/*.cpp: bench_sim, bench_serf_size, ...).
for b in build/bench/bench_*; do
  if [[ -f $b && -x $b ]]; then run "$b"; fi
done
if [[ -f bench/bench_decision_latency.sh ]]; then run bash bench/bench_decision_latency.sh; fi
run bench/bench_wire.sh
run bench/bench_failover.sh
run bench/bench_footprint.sh
run bench/bench_fairness.sh
if [[ -n ${ASYNCACTOR_SRC:-} ]]; then run bench/bench_interop.sh; fi
exit "$failed"
