# Helpers for the reliability suites, on top of tests/cli/helpers.bash (the
# private channel, spawn, wait_for, event_ms). MQTT only: these tests kill,
# restart and bridge mosquitto brokers.

load ../cli/helpers

# One turn's upper bound with the fast timing, in ms: timing::turn_bound
# (cycle + 2.5*gap), from actor-watch --print-timing.
TURN_MS=$(timing_ms turn_bound)

rel_setup() {
    common_setup
    ACTOR_TEST_CHANNEL=mqtt
    BROKERS=()
}

rel_teardown() {
    common_teardown
    local b
    for b in "${BROKERS[@]}"; do channel_stop "$b"; done
}

# node NAME [ARGS...]: an actor-join with the fast timing on $ACTOR_BROKER.
node() {
    local name=$1; shift
    spawn "$name" actor-join -n "$name" "${FAST[@]}" "$@" "$GROUP"
}

# count FILE JQ-FILTER: how many event lines match.
count() { jq -c "select($2)" "$1" 2>/dev/null | wc -l; }

# tags_total NAME...: tag events of these nodes, summed.
tags_total() {
    local n=0 x
    for x in "$@"; do n=$(( n + $(count "$(out_of "$x")" '.event=="tag"') )); done
    echo "$n"
}

# wait_tags COUNT SECONDS NAME...: until the nodes' tags add up to COUNT.
wait_tags() {
    local want=$1 secs=$2; shift 2
    local deadline=$(( $(now_ms) + secs * 1000 ))
    until (( $(tags_total "$@") >= want )); do
        if (( $(now_ms) > deadline )); then
            echo "only $(tags_total "$@") of $want tags after ${secs}s" >&2
            local x; for x in "$@"; do echo "--- $x"; tail -5 "$(out_of "$x")"; tail -5 "${BATS_TEST_TMPDIR}/$x.err"; done >&2
            return 1
        fi
        sleep 0.05
    done
}

# alive NAME...: every named process is still running.
alive() {
    local x
    for x in "$@"; do
        kill -0 "$(pid_of "$x")" 2>/dev/null || {
            echo "$x is gone:" >&2; cat "$BATS_TEST_TMPDIR/$x.err" >&2; return 1
        }
    done
}

# rss_kib PID: VmRSS in KiB.
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# broker_kill9 NAME: SIGKILL a channel's broker (no clean shutdown) and reap it.
broker_kill9() {
    local dir="$BATS_FILE_TMPDIR/ch-$1" pid
    pid=$(<"$dir/pid")
    rm -f "$dir/pid"
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null || true
}

# overlapping_tags FILE...: tags that began while another node's tag (closed
# by its untag or detag) was still open, over the given event files.
overlapping_tags() { overlap_starts "$@" | wc -l | tr -d " "; }

# overlap_starts FILE...: the times (ms) of tags that began while another
# node was tagged, in time order.
overlap_starts() {
    local f
    for f in "$@"; do
        jq -r --arg n "$(basename "$f" .out)" \
            'select(.event=="tag" or .event=="untag" or .event=="detag")
             | "\((.time[0:19] + "Z" | fromdate) * 1000 + (.time[20:23] | tonumber)) \(.event) \($n)"' "$f"
    done | sort -n | awk '
        $2 == "tag" { if (open && owner != $3) print $1; open = 1; owner = $3; next }
        $3 == owner { open = 0 }'
}
