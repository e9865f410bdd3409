#!/usr/bin/env bats
# Running as a service and being monitored: actor-join's sd_notify messages
# (a listening NOTIFY_SOCKET, no systemd needed), actor-watch --check (the
# Nagios/Icinga plugin convention) and --format prometheus.

load helpers

setup_file() { channel_start; }
teardown_file() { channel_stop; }
setup() { common_setup; }
teardown() { common_teardown; }

@test "actor-join tells NOTIFY_SOCKET READY, STATUS, WATCHDOG and STOPPING" {
    long_over_serf "sd_notify does not depend on the transport"
    local sock=$BATS_TEST_TMPDIR/notify.sock
    # Every datagram's lines as JSON lines {"line": ...}.
    spawn notify python3 -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps({"line": "listening"}), flush=True)
while True:
    for line in s.recv(4096).decode().split("\n"):
        print(json.dumps({"line": line}), flush=True)' "$sock"
    wait_for "$(out_of notify)" '.line=="listening"' 10
    NOTIFY_SOCKET=$sock WATCHDOG_USEC=200000 spawn n actor-join -n n "${FAST[@]}" --timeout "$(turns 20)s" "$GROUP"
    wait_for "$(out_of notify)" '.line=="READY=1"' "$(turns 5)"
    wait_for "$(out_of notify)" '.line=="STATUS=this node (n) is it"' "$(turns 5)"
    wait_for "$(out_of notify)" '.line=="WATCHDOG=1"' 5 3
    # It had connected (READY also needs its init back: unit-tested in ServiceNotify).
    jq -c 'select(.event=="connected")' "$(out_of n)" | grep -q .
    kill -TERM "$(pid_of n)"
    wait_for "$(out_of notify)" '.line=="STOPPING=1"' 5
    run jq -c 'select(.line=="READY=1")' "$(out_of notify)"
    assert_equal "$(wc -l <<<"$output")" 1
}

@test "actor-watch --check: OK with the thresholds met, WARNING and CRITICAL below them" {
    start_pair 30
    ACTOR_BROKER=$(node_broker 3) run --separate-stderr actor-watch --check "${FAST[@]}" "$GROUP"
    assert_equal "$status" 0
    assert_equal "$(wc -l <<<"$output")" 1
    [[ $output =~ ^ACTOR\ OK\ -\ (a|b)\ is\ it,\ 2\ members\ \|\ members=2\;\;\;0\ turn_age=[0-9.]+s\; ]]
    ACTOR_BROKER=$(node_broker 3) run --separate-stderr actor-watch --check --warn-members 3 "${FAST[@]}" "$GROUP"
    assert_equal "$status" 1
    [[ $output == "ACTOR WARNING - "*"2 members (fewer than 3 members) | members=2;3:;;0 "* ]]
    ACTOR_BROKER=$(node_broker 3) run --separate-stderr actor-watch --check --crit-members 3 --crit-age 10m "${FAST[@]}" "$GROUP"
    assert_equal "$status" 2
    [[ $output == "ACTOR CRITICAL - "* ]]
}

@test "actor-watch --check: a silent group is CRITICAL, an unreachable broker UNKNOWN" {
    run --separate-stderr actor-watch --check "${FAST[@]}" "$GROUP"
    assert_equal "$status" 2
    [[ $output == "ACTOR CRITICAL - no turn in $GROUP for "* ]]
    run --separate-stderr actor-watch --check -b "mqtt://127.0.0.1:$(free_port)" --timeout 1s "$GROUP"
    assert_equal "$status" 3
    [[ $output == "ACTOR UNKNOWN - "* ]]
}

@test "actor-watch --once --format prometheus prints the group's metrics" {
    long_over_serf "the metrics' rendering does not depend on the transport"
    start_pair 30
    run --separate-stderr actor-watch --once --format prometheus "${FAST[@]}" "$GROUP"
    assert_success
    local g="{group=\"$GROUP\"}"
    grep -qx "actor_up$g 1" <<<"$output"
    grep -qx "actor_members$g 2" <<<"$output"
    grep -qE "^actor_turns_seen_total$g [1-9][0-9]*$" <<<"$output"
    grep -qE "^actor_collisions_total$g [0-9]+$" <<<"$output"
    grep -qE "^actor_last_turn_age_seconds$g [0-9.]+$" <<<"$output"
    grep -qx "# TYPE actor_turns_seen_total counter" <<<"$output"
    # Every sample line parses as name{labels} value.
    ! grep -vE '^(# (HELP|TYPE) actor_[a-z_]+ .+|actor_[a-z_]+\{[^}]*\} [0-9.]+)$' <<<"$output"
}

@test "--check and --format prometheus refuse what cannot work" {
    long_over_serf "option checks"
    run --separate-stderr actor-watch --format prometheus "$GROUP"
    assert_equal "$status" 64
    [[ $stderr == *"--format prometheus"*"--once"* ]]
    run --separate-stderr actor-watch --check --members "$GROUP"
    assert_equal "$status" 64
    run --separate-stderr actor-watch --check --warn-age 20s --crit-age 10s "$GROUP"
    assert_equal "$status" 64
    [[ $stderr == *"--warn-age"* ]]
    run --separate-stderr actor-join --format prometheus "$GROUP"
    assert_equal "$status" 64
    [[ $stderr == *"is not json or text"* ]]
}
