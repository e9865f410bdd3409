#!/usr/bin/env bash
# Decision latency of actor-run-if-leader (one-shot mode): N gates started
# together on one group of a private mosquitto; for each, the time from its
# own start to its decision: the job's first instruction for the winner, the
# exit for the others (75). Prints a table; not a test.
#
# Target (docs/CLI.md's design): at most 2*cycle + 6*gap, the watch window
# (cycle + 3*gap) included; the winner needs the watch, its first ping, its
# next ping one cycle + 2*gap later and one gap to be tagged.
#
# Usage: bench/bench_decision_latency.sh [BIN_DIR]
#   env: SIZES="5 50"  ROUNDS=3  CYCLE=1  GAP=0.1
set -euo pipefail
BIN=${1:-${ACTOR_BIN_DIR:-$(dirname "$0")/../build/tools}}
GATE=$BIN/actor-run-if-leader
[[ -x $GATE ]] || { echo "no $GATE (give the directory holding it)" >&2; exit 2; }
SIZES=${SIZES:-"5 50"} ROUNDS=${ROUNDS:-3} CYCLE=${CYCLE:-1} GAP=${GAP:-0.1}

work=$(mktemp -d)
broker_pid=
cleanup() {
    [[ -n $broker_pid ]] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 "$(dirname "$0")/../scripts/free_port.py")
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" >"$work/m.conf"
mosquitto -c "$work/m.conf" >"$work/m.log" 2>&1 &
broker_pid=$!
for _ in $(seq 100); do (exec 5<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
export ACTOR_BROKER=mqtt://127.0.0.1:$port

# timing::decision_bound (actor/timing.hpp), through actor-watch --print-timing.
target=$("$BIN/actor-watch" --print-timing --cycle "${CYCLE}s" --gap "${GAP}s" bench/timing |
    jq -r 'select(.name=="decision_bound") | .seconds | . * 1000 | round / 1000')
echo "actor-run-if-leader decision latency: cycle ${CYCLE}s, gap ${GAP}s, target <= 2*cycle + 6*gap = ${target}s"
echo "(per round: 'ran' gates that ran the job; latency from each gate's own start;"
echo " in units: seconds / cycle, and the excess over 2 cycles in gaps)"
printf '%-6s %-5s %-4s %-4s %-9s %-22s %-9s %-22s %-6s\n' \
    starters round ran '75' 'winner s' 'winner (c | 2c+k*g)' 'others s' 'slowest (c | 2c+k*g)' ok?
for n in $SIZES; do
    for round in $(seq "$ROUNDS"); do
        dir=$work/n$n-r$round
        mkdir -p "$dir"
        group=bench/$n/$round/$RANDOM
        pids=()
        for k in $(seq "$n"); do
            (
                s=$EPOCHREALTIME
                rc=0
                "$GATE" --cycle "$CYCLE" --gap "$GAP" -n "g$k" --linger 0 -q "$group" \
                    -c "date +%s.%N >'$dir/job.$k'" || rc=$?
                echo "$k $s $EPOCHREALTIME $rc" >"$dir/res.$k"
            ) &
            pids+=($!)
        done
        wait "${pids[@]}"
        cat "$dir"/res.* | awk -v dir="$dir" -v c="$CYCLE" -v g="$GAP" -v t="$target" -v n="$n" -v r="$round" '
            { k=$1; start=$2; end=$3; rc=$4
              if (rc == 0) {
                  ran++; f = dir "/job." k; getline js < f; close(f)
                  w = js - start; if (w > wmax) wmax = w
                  if (w > slow) slow = w
              } else if (rc == 75) {
                  skipped++; o = end - start; if (o > omax) omax = o
                  if (o > slow) slow = o
              } else other++ }
            END {
              printf "%-6s %-5s %-4d %-4d %-9.3f %-22s %-9.3f %-22s %-6s\n", n, r, ran, skipped,
                  wmax, sprintf("%.2fc | 2c%+.1fg", wmax / c, (wmax - 2 * c) / g), omax,
                  sprintf("%.2fc | 2c%+.1fg", slow / c, (slow - 2 * c) / g),
                  (ran == 1 && other == 0 && slow <= t + g) ? "yes" : "NO"
            }'
    done
done
echo "ok? = exactly one ran, every other gate exited 75, slowest decision <= target + one gap of slack"
