#!/usr/bin/env bash
# Builds the tools, starts a private mosquitto on a free loopback port, runs
# three actor-join nodes on one group for a few turns, and shows who is "it"
# with actor-watch. Everything it starts is stopped by PID on exit.
# Usage: scripts/demo.sh [SECONDS]      (default 8)
#        ACTOR_BUILD_DIR=DIR builds in DIR instead of build/
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
# A fresh machine: install what is missing first (quick when nothing is).
bash scripts/deps.sh

build=${ACTOR_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target actor-join actor-watch >/dev/null
bin=$(cd "$build" && pwd)/tools

dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" >"$dir/mosquitto.conf"
mosquitto -c "$dir/mosquitto.conf" >"$dir/mosquitto.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done
export ACTOR_BROKER=mqtt://127.0.0.1:$port
echo "private mosquitto on 127.0.0.1:$port; three nodes, cycle 1s, gap 0.1s, for ${secs}s"
timing=(--cycle 1s --gap 100ms)

for n in alpha beta gamma; do
  "$bin/actor-join" --name "$n" "${timing[@]}" demo/group \
    | jq --unbuffered -c 'select(.event=="tag" or .event=="untag") | {time, event, node}' &
  pids+=($!)
done
sleep 3
echo "who is it right now?  actor-watch --once demo/group | jq -r .node"
"$bin/actor-watch" --once "${timing[@]}" demo/group | jq -r .node
sleep "$((secs > 3 ? secs - 3 : 1))"
