#!/usr/bin/env bats
# No channel, no turn (issue 10), over Serf: three actor-join nodes on a
# cluster of three real agents (tests/cli/helpers.bash: a, b, c on agents
# 1, 2, 3; its Serf timing, cycle 1.5 s, gap 0.5 s). The agent node c talks
# to is killed and restarted, or hung (SIGSTOP) and resumed, for OUTAGE_MS:
# c starts no `tag` while it cannot be heard (a gap of slack), a tagged c
# prints `untag` "reason":"disconnected" when its agent dies and nothing
# while disconnected, says so once, not every turn, when its pings go
# unanswered, and takes part again after the agent is back; a and b rotate
# throughout.

ACTOR_TEST_CHANNEL=serf
load faults

setup() {
    command -v serf >/dev/null || skip "no serf binary"
    fault_setup
    BROKERS=(main)
    channel_start
}
teardown() { fault_teardown; }

@test "over Serf: c's agent killed (kill -9) and restarted: no turn without it, untag on the loss, back within 2 turns" {
    node a; node b; node c
    wait_tags 3 "$(turns 8)" a b c
    tag_now 12 c
    server_kill9 3
    wait_for "$(out_of c)" '.event=="disconnected"' 5
    untag_disconnected c 2
    ride_out "$KILLED_AT"
    server_restart 3
    reconnected "$BACK_AT" c
    no_tag_starts "$KILLED_AT" "$BACK_AT" c
    slack_tags_end_disconnected "$KILLED_AT" c
    tagged_during "$KILLED_AT" "$BACK_AT" 1 a b
    rotation_back "$CONNECTED_AT" a b c
    back_on_chain c "$FIRST_CONNECTED_AT"
    silent_while_disconnected c
    # Gossip can lose an event right after an agent's restart (actor(7),
    # "What the echo proves"): at most one tag beside another, only then.
    gossip_overlap_at_most 1 "$BACK_AT" a b c
    no_twins a b c
}

@test "over Serf: c's agent hung (SIGSTOP) and resumed: no turn while hung, said once, back within 2 turns" {
    node a; node b; node c
    wait_tags 3 "$(turns 8)" a b c
    server_stop 3
    ride_out "$STOPPED_AT"
    server_cont 3
    no_tag_starts "$STOPPED_AT" "$BACK_AT" c
    errors_once "$STOPPED_AT" "$BACK_AT" 2 c
    tagged_during "$STOPPED_AT" "$BACK_AT" 1 a b
    rotation_back "$BACK_AT" a b c
    back_on_chain c "$BACK_AT"
    silent_while_disconnected c
    gossip_overlap_at_most 1 "$BACK_AT" a b c
    no_twins a b c
}
