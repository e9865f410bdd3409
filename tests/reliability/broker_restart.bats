#!/usr/bin/env bats
# The broker dies (kill -9) and comes back on the same port 10 times during
# a rotation (50 times with ACTOR_LONG=1): every node reconnects, the
# rotation resumes within 2 turns
# each time, and nobody mistakes its own redelivered messages for a name
# twin (exit 78).

load lib

setup() { rel_setup; channel_start; BROKERS=(main); }
teardown() { rel_teardown; }

@test "broker killed and restarted 10 times: reconnect, rotation resumes, no false twin" {
    node a; node b; node c
    wait_tags 3 15 a b c
    local i x up t_first worst=0 rounds=10
    [[ ${ACTOR_LONG:-0} == 1 ]] && rounds=50   # the long variant
    for i in $(seq 1 "$rounds"); do
        broker_kill9 main
        for x in a b c; do wait_for "$(out_of $x)" '.event=="disconnected"' 10 "$i"; done
        channel_start
        up=$(now_ms)
        # Every node reconnects (its i+1-th connected event).
        for x in a b c; do wait_for "$(out_of $x)" '.event=="connected"' 10 $(( i + 1 )); done
        # The rotation resumes: the first tag after the broker came back,
        # within 2 turns (2 * (cycle + 2.5*gap)) plus the reconnect backoff
        # (the first retry after a loss is 100 ms, doubling while refused).
        local deadline=$(( up + 2 * TURN_MS + 1500 ))
        t_first=""
        while [[ -z $t_first ]] && (( $(now_ms) < deadline + 500 )); do
            t_first=$(for x in a b c; do event_ms "$(out_of $x)" '.event=="tag"'; done |
                      awk -v up="$up" '$1 > up' | sort -n | head -1)
            [[ -n $t_first ]] || sleep 0.05
        done
        [[ -n $t_first ]] || { echo "no tag after restart $i" >&2; return 1; }
        (( t_first - up > worst )) && worst=$(( t_first - up ))
        (( t_first <= deadline )) || { echo "restart $i: first tag $(( t_first - up )) ms after the broker came back" >&2; return 1; }
        alive a b c
    done
    echo "# worst time from broker up to the next tag: ${worst} ms (turn = ${TURN_MS} ms)" >&3
    for x in a b c; do
        run jq -r 'select(.event=="error") | .message' "$(out_of $x)"
        refute_output --partial "twin"
    done
    alive a b c
}
