#!/usr/bin/env bats
# No channel, no turn (issue 10), over MQTT: three actor-join nodes (cycle
# 1 s, gap 0.1 s) while the broker is killed, hung with its connections
# open, or silently cut off from one node, and a lone node whose publishes
# the broker's ACL starts dropping, each for OUTAGE_MS. What the
# nodes print must show: no `tag` that starts while the node cannot be heard
# (a gap of slack after the fault begins), `untag` "reason":"disconnected"
# for a tagged node losing the connection, nothing while disconnected, one
# `error` per outage, not one a turn, and the rotation back within 2 turns.
# Also: actor-join without --timeout rides out an absent broker, and
# actor-run-if-leader --kill-on-untag kills its job when the broker dies.

load faults

setup() { fault_setup; BROKERS=(main); }
teardown() { fault_teardown; }

@test "broker killed (kill -9) and restarted: no turn without it, untag on the loss, back within 2 turns" {
    channel_start
    node a; node b; node c
    wait_tags 3 "$(turns 8)" a b c
    tag_now 3 a b c
    server_kill9
    local x
    for x in a b c; do wait_for "$(out_of $x)" '.event=="disconnected"' 5; done
    untag_disconnected "$TAGGED" 2
    ride_out "$KILLED_AT"
    server_restart
    reconnected "$BACK_AT" a b c
    no_tag_starts "$KILLED_AT" "$BACK_AT" a b c
    slack_tags_end_disconnected "$KILLED_AT" a b c
    rotation_back "$CONNECTED_AT" a b c
    wait_tags $(( $(tags_total a b c) + 3 )) "$(turns 6)" a b c
    silent_while_disconnected a b c
    one_it a b c
    no_twins a b c
}

@test "broker hung (SIGSTOP) with its connections open, then resumed: no turn while hung, back within 2 turns" {
    channel_start
    node a; node b; node c
    wait_tags 3 "$(turns 8)" a b c
    server_stop
    ride_out "$STOPPED_AT"
    server_cont
    no_tag_starts "$STOPPED_AT" "$BACK_AT" a b c
    errors_once "$STOPPED_AT" "$BACK_AT" 2 a b c
    rotation_back "$BACK_AT" a b c
    wait_tags $(( $(tags_total a b c) + 3 )) "$(turns 6)" a b c
    silent_while_disconnected a b c
    one_it a b c
    no_twins a b c
}

@test "a silent cut between one node and the broker: it starts no turn, the others rotate, it rejoins" {
    channel_start
    relay_start r
    node a; node b; node c -b "$(relay_url r)"
    wait_tags 3 "$(turns 8)" a b c
    wait_for "$(out_of c)" '.event=="tag"' "$(turns 8)"
    relay_cut r
    ride_out "$CUT_AT"
    relay_heal r
    no_tag_starts "$CUT_AT" "$BACK_AT" c
    errors_once "$CUT_AT" "$BACK_AT" 2 c
    # The silent kind: c was never told.
    run events_in c "$CUT_AT" "$BACK_AT" '.event=="disconnected"'
    assert_output ""
    # The others kept rotating (OUTAGE_MS holds more than 4 turns).
    tagged_during "$CUT_AT" "$BACK_AT" 2 a b
    # After the heal c hears the others again and gets a turn again.
    back_on_chain c "$BACK_AT"
    rotation_back "$BACK_AT" a b c
    one_it a b c
    no_twins a b c
}

@test "the broker's ACL starts dropping a node's publishes: no turn, said once; allowed again, back within 2 turns" {
    # One node alone, so that nothing but its own echo can decide its
    # turns: with the others around, their pings would cancel most of its
    # unheard ones anyway.
    channel_start
    node c -u c
    wait_tags 2 "$(turns 4)" c
    # c may still read, no longer publish (mosquitto drops a denied QoS 0
    # publish without telling the client).
    acl_set "user c" "topic read #"
    local denied=$ACL_AT
    ride_out "$denied"
    acl_set "user c" "topic readwrite #"
    no_tag_starts "$denied" "$ACL_AT" c
    errors_once "$denied" "$ACL_AT" 2 c
    run events_in c "$denied" "$ACL_AT" '.event=="disconnected"'
    assert_output ""
    rotation_back "$ACL_AT" c
    no_twins c
}

@test "actor-join without --timeout rides out an absent broker, then joins" {
    # The broker's port is chosen now, the broker started later.
    mkdir -p "$BATS_FILE_TMPDIR/ch-main"
    free_port >"$BATS_FILE_TMPDIR/ch-main/port"
    ACTOR_BROKER="mqtt://127.0.0.1:$(<"$BATS_FILE_TMPDIR/ch-main/port")"
    export ACTOR_BROKER
    node a
    local t0; t0=$(now_ms)
    # Longer than the old fixed 10 s connect limit.
    OUTAGE_MS=11000 ride_out "$t0"
    alive a
    # It said so, but rate-limited: not more than one error a second.
    local n; n=$(count "$(out_of a)" '.event=="error"')
    echo "# $n error events in $(( ( $(now_ms) - t0 ) / 1000 )) s without a broker" >&3
    (( n >= 1 && n <= 12 )) || { echo "$n error events in 11 s:" >&2; cat "$(out_of a)" >&2; return 1; }
    run count "$(out_of a)" '.event=="tag" or .event=="ping"'
    assert_output 0
    server_restart
    reconnected "$BACK_AT" a
    rotation_back "$CONNECTED_AT" a
    no_twins a
}

@test "actor-run-if-leader --kill-on-untag: the job dies when the broker does, exit 70" {
    # A long cycle, so that the turn's own end (cycle - gap/2 after the tag)
    # is far from the kill: only the lost connection can end the job early.
    use_timing 3 0.1
    channel_start
    local T=$BATS_TEST_TMPDIR
    spawn g actor-run-if-leader "${FAST[@]}" --wait --kill-on-untag --kill-after 1s -n g --events "$T/g.ev" \
        "$GROUP" -c "echo \$\$ >'$T/job.pid'; exec sleep 60"
    wait_for "$T/g.ev" '.event=="tag"' "$(turns 3)"
    local deadline=$(( $(now_ms) + $(turn_bound) ))
    until [[ -s $T/job.pid ]]; do
        (( $(now_ms) < deadline )) || { echo "the job did not start" >&2; cat "$T/g.ev" "$T/g.err" >&2; return 1; }
        sleep 0.02
    done
    local job; job=$(<"$T/job.pid")
    kill -0 "$job"
    local tagged; tagged=$(event_ms "$T/g.ev" '.event=="tag"' | tail -1)
    server_kill9
    wait_exit "$(pid_of g)" "$(turns 1)"
    local gone; gone=$(now_ms)
    assert_equal "$EXIT" 70
    if kill -0 "$job" 2>/dev/null; then echo "the job $job still runs" >&2; return 1; fi
    echo "# job killed $(( gone - KILLED_AT )) ms after the broker (turn end would be $(( tagged + $(ms_of 'CYCLE - GAP / 2') - KILLED_AT )) ms)" >&3
    (( gone - KILLED_AT <= 2 * $(gap_ms) + 300 )) ||
        { echo "the job was killed $(( gone - KILLED_AT )) ms after the broker died" >&2; cat "$T/g.ev" >&2; return 1; }
    wait_for "$T/g.ev" '.event=="untag" and .reason=="disconnected"' 1
}
