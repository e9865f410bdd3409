#!/usr/bin/env bats
# A real partition: two mosquitto brokers joined by a bridge (broker 2
# bridges `#` both ways to broker 1), nodes on both sides. The bridge is cut
# by restarting broker 2 without its bridge section (its clients reconnect
# to it, but nothing crosses any more), and healed by restarting it with the
# bridge again. While split, each side keeps a rotation of its own; after
# the heal there is one chain again, with `recover` on both sides and
# `detag` for a node that was tagged on the side that gave way (docs/PROTOCOL.md,
# "Guarantees" and "Receiving a message" step 6).

load lib

setup() {
    rel_setup
    channel_start b1
    BROKERS=(b1)
    B2_DIR="$BATS_FILE_TMPDIR/b2"
    mkdir -p "$B2_DIR"
    B2_PORT=$(free_port)
}
teardown() {
    rel_teardown
    b2_stop
}

# b2_start bridged|alone: broker 2 on its fixed port, with or without the bridge.
b2_start() {
    {
        echo "listener $B2_PORT 127.0.0.1"
        echo "persistence false"
        echo "allow_anonymous true"
        echo "log_dest stderr"
        if [[ $1 == bridged ]]; then
            echo "connection bridge1"
            echo "address 127.0.0.1:$B1_PORT"
            echo "topic # both 0"
            echo "cleansession true"
            echo "restart_timeout 1"
        fi
    } >"$B2_DIR/mosquitto.conf"
    mosquitto -c "$B2_DIR/mosquitto.conf" >>"$B2_DIR/log" 2>&1 3>&- &
    echo $! >"$B2_DIR/pid"
    wait_port "$B2_PORT" 10 || { cat "$B2_DIR/log" >&2; return 1; }
}
b2_stop() {
    [[ -f $B2_DIR/pid ]] || return 0
    local pid; pid=$(<"$B2_DIR/pid"); rm -f "$B2_DIR/pid"
    kill -TERM "$pid" 2>/dev/null || return 0
    wait "$pid" 2>/dev/null || true
}
# bridge_up: until a message published on broker 2 arrives on broker 1.
bridge_up() {
    local deadline=$(( $(now_ms) + 15000 ))
    while (( $(now_ms) < deadline )); do
        if timeout 1 mosquitto_sub -h 127.0.0.1 -p "$B1_PORT" -t probe/bridge -C 1 -W 1 >/dev/null 2>&1 3>&- &
            local sub=$!; sleep 0.2
            mosquitto_pub -h 127.0.0.1 -p "$B2_PORT" -t probe/bridge -m x
            wait "$sub"; then
            return 0
        fi
    done
    echo "the bridge did not come up" >&2; cat "$B2_DIR/log" >&2; return 1
}

# Tags of the named nodes whose time is after T (ms).
tags_after() {
    local t=$1 x; shift
    for x in "$@"; do event_ms "$(out_of "$x")" '.event=="tag"'; done | awk -v t="$t" '$1 > t' | wc -l
}
# wait_tags_after T COUNT SECONDS NAME...
wait_tags_after() {
    local t=$1 want=$2 secs=$3; shift 3
    local deadline=$(( $(now_ms) + secs * 1000 ))
    until (( $(tags_after "$t" "$@") >= want )); do
        (( $(now_ms) < deadline )) || { echo "only $(tags_after "$t" "$@") of $want tags after $t on $*" >&2; return 1; }
        sleep 0.05
    done
}

@test "a bridged pair of brokers split and healed: two rotations, then one chain" {
    B1_PORT=$(channel_url b1); B1_PORT=${B1_PORT##*:}
    local url1="mqtt://127.0.0.1:$B1_PORT" url2="mqtt://127.0.0.1:$B2_PORT"
    b2_start bridged
    bridge_up

    # Side 1: a1 a2 a3 on broker 1; side 2: b1 b2 on broker 2.
    local x
    for x in a1 a2 a3; do node "$x" -b "$url1"; done
    for x in b1 b2; do node "$x" -b "$url2"; done
    local all=(a1 a2 a3 b1 b2)
    # A watcher on each side reports every settled turn as its side sees it.
    spawn wa actor-watch -b "$url1" "${FAST[@]}" "$GROUP"
    spawn wb actor-watch -b "$url2" "${FAST[@]}" "$GROUP"
    wait_tags 6 20 "${all[@]}"

    # Cut: broker 2 comes back without its bridge.
    b2_stop
    b2_start alone
    for x in b1 b2; do wait_for "$(out_of $x)" '.event=="connected"' 10 2; done
    local cut; cut=$(now_ms)
    # Both sides keep a rotation of their own while split.
    wait_tags_after "$cut" 3 15 a1 a2 a3
    wait_tags_after "$cut" 3 15 b1 b2
    local split_overlaps; split_overlaps=$(overlapping_tags "$BATS_TEST_TMPDIR"/{a1,a2,a3,b1,b2}.out)
    echo "# while split: tags on both sides; overlapping tags so far: $split_overlaps" >&3
    local recovers_before; recovers_before=$(for x in "${all[@]}"; do count "$(out_of $x)" '.event=="recover"'; done | paste -sd+ | bc)

    # Heal: broker 2 again with the bridge.
    b2_stop
    b2_start bridged
    for x in b1 b2; do wait_for "$(out_of $x)" '.event=="connected"' 10 3; done
    bridge_up
    local heal; heal=$(now_ms)
    # Recover on both sides.
    local side
    for side in "a1 a2 a3" "b1 b2"; do
        local deadline=$(( $(now_ms) + 15000 )) got=0
        while (( got == 0 )); do
            for x in $side; do got=$(( got + $(count "$(out_of $x)" '.event=="recover"') )); done
            (( got > 0 )) && break
            (( $(now_ms) < deadline )) || { echo "no recover on side [$side]" >&2; return 1; }
            sleep 0.05
        done
    done
    # One chain after the heal: a few turns after the settling, the tags of
    # all five nodes no longer overlap, and both sides report the very same
    # turns (node and chain of every `ping` report). The side that gave way
    # may wait off the chain for a while (an off-chain node interlops with
    # probability 1/(f*total) per turn), so its nodes need not be tagged yet.
    local settled=$(( $(now_ms) + 2 * TURN_MS ))
    wait_tags_after "$settled" 5 20 "${all[@]}"
    local d="$BATS_TEST_TMPDIR/after"; mkdir -p "$d"
    for x in "${all[@]}"; do
        jq -c --argjson t "$settled" 'select(((.time[0:19] + "Z" | fromdate) * 1000 + (.time[20:23] | tonumber)) > $t)' "$(out_of $x)" >"$d/$x.out"
    done
    for x in wa wb; do
        jq -c --argjson t "$settled" 'select(((.time[0:19] + "Z" | fromdate) * 1000 + (.time[20:23] | tonumber)) > $t)
            | select(.event=="ping") | "\(.node) \(.history | join(","))"' "$(out_of $x)" >"$d/$x.turns"
    done
    run overlapping_tags "$d"/*.out
    assert_output 0
    # Turns reported on side 2 that side 1 did not report (allowing the
    # first and last one of the window, cut by timing), and vice versa.
    local only2 only1
    only2=$(sed '1d;$d' "$d/wb.turns" | grep -vxF -f "$d/wa.turns" | wc -l)
    only1=$(sed '1d;$d' "$d/wa.turns" | grep -vxF -f "$d/wb.turns" | wc -l)
    (( $(wc -l <"$d/wb.turns") >= 3 ))
    (( only1 == 0 && only2 == 0 )) || { echo "sides disagree: $only1 / $only2 turns"; paste "$d/wa.turns" "$d/wb.turns"; return 1; } >&2
    echo "# after the heal: $(wc -l <"$d/wa.turns") turns reported alike on both sides; tags by side 2 since: $(tags_after "$settled" b1 b2)" >&3

    # detag where docs/PROTOCOL.md says: a node that gives way (recover with
    # replace=true: the remote head won) while tagged reports `detag` first
    # (step 6: lose the tag, then recover), so no such recover may find the
    # node still tagged.
    local detags=0 recovers=0
    for x in "${all[@]}"; do
        recovers=$(( recovers + $(count "$(out_of $x)" '.event=="recover"') ))
        detags=$(( detags + $(count "$(out_of $x)" '.event=="detag"') ))
        run jq -rs '
            [ .[] | select(.event=="tag" or .event=="untag" or .event=="detag" or .event=="recover") ] as $e
            | [ range(0; $e|length) as $i
                | select($e[$i].event=="recover" and $e[$i].replace == true)
                | [ $e[0:$i][] | select(.event != "recover") ] | last | .event
                | select(. == "tag") ]
            | length' "$(out_of $x)"
        assert_output 0
    done
    echo "# after the heal: $(( recovers - recovers_before )) recover, $detags detag events" >&3
    alive "${all[@]}" wa wb
}
