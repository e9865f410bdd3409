#!/usr/bin/env bats
# A slow broker is not a broken one (issue 10, item 6), and sizes are
# checked before they bite (item 3): actor-join without --timeout keeps
# trying to reach a channel that is not there yet and joins once it comes;
# --timeout still bounds the wait (69); a node whose smallest message
# cannot travel over the channel is refused at start (64), naming the size,
# the limit and the transport.
#
# Each test that needs a channel starts its own, late, on a port chosen
# before the node starts ("late-N"; helpers.bash keeps its state in
# $BATS_FILE_TMPDIR/ch-late-N), and stops it by PID in teardown.

load helpers

setup() {
    common_setup
    LATE="late-$BATS_TEST_NUMBER"
}
teardown() {
    common_teardown
    channel_stop "$LATE"
}

# late_url: the URL of this test's channel, known before it starts.
late_url() {
    local dir="$BATS_FILE_TMPDIR/ch-$LATE"
    mkdir -p "$dir"
    [[ -f $dir/port ]] || free_port >"$dir/port"
    case $ACTOR_TEST_CHANNEL in
    serf) echo "serf://127.0.0.1:$(<"$dir/port")" ;;
    *) echo "mqtt://127.0.0.1:$(<"$dir/port")" ;;
    esac
}

# alive_for PID SECONDS: fails as soon as PID is gone; succeeds once it has
# lived SECONDS. (A negative: nothing to await but the deadline.)
alive_for() {
    local pid=$1 deadline=$(( $(now_ms) + $2 * 1000 ))
    while (( $(now_ms) < deadline )); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" && EXIT=0 || EXIT=$?
            echo "process $pid exited with $EXIT before ${2}s" >&2
            return 1
        fi
        sleep 0.2
    done
}

@test "without --timeout actor-join outlives 10 s of no broker, then joins and tags" {
    local url; url=$(late_url)
    spawn a actor-join -n a "${FAST[@]}" -b "$url" "$GROUP"
    # Well past the old 10 s give-up.
    if ! alive_for "$(pid_of a)" 13; then
        cat "$(out_of a)" "$BATS_TEST_TMPDIR/a.err" >&2
        return 1
    fi
    # Nothing was connected or tagged meanwhile.
    assert_equal "$(jq -c 'select(.event=="connected" or .event=="tag")' "$(out_of a)" | wc -l)" 0
    channel_start "$LATE"
    # The backoff is at most 5 s by now; then the start-up rules.
    wait_for "$(out_of a)" '.event=="connected"' 10
    wait_for "$(out_of a)" '.event=="tag"' "$(turns 15)"
    kill -0 "$(pid_of a)"
}

@test "with --timeout and no broker actor-join exits 69 after the timeout" {
    local url; url=$(late_url)
    local t0; t0=$(now_ms)
    spawn a actor-join -n a "${FAST[@]}" -b "$url" --timeout 2s "$GROUP"
    wait_exit "$(pid_of a)" 10
    local took=$(( $(now_ms) - t0 ))
    echo "exit $EXIT after $took ms"
    assert_equal "$EXIT" 69
    (( took >= 1800 ))
    (( took < 6000 ))
}

@test "a value whose smallest ping the channel cannot carry exits 64 at once naming the limit" {
    local url; url=$(late_url)
    local value limit
    case $ACTOR_TEST_CHANNEL in
    serf)
        # 400 characters: over Serf's 470 bytes of event name + payload.
        value="\"$(printf 'v%.0s' {1..400})\""
        limit=$(( 470 - ${#GROUP} ))
        msg="^actor-join: --value: the smallest ping is [0-9]+ bytes; Serf carries at most $limit bytes for this group\$"
        ;;
    *)
        # More than the 64 KiB every decoder accepts.
        value="\"$(head -c 70000 /dev/zero | tr '\0' v)\""
        msg='^actor-join: --value: the smallest ping is 700[0-9]{2} bytes; MQTT carries at most 65536 bytes for this group$'
        ;;
    esac
    local t0; t0=$(now_ms)
    run --separate-stderr actor-join -n web-01.example.com -b "$url" --value "$value" "$GROUP"
    local took=$(( $(now_ms) - t0 ))
    assert_equal "$status" 64
    assert_equal "$output" ""
    echo "stderr: $stderr"
    [[ $stderr =~ $msg ]]
    (( took < 2000 ))
    # actor-run-if-leader's node sends too: the same refusal.
    run --separate-stderr actor-run-if-leader -n web-01.example.com -b "$url" --value "$value" "$GROUP" -- true
    assert_equal "$status" 64
    [[ $stderr =~ ${msg/actor-join/actor-run-if-leader} ]]
}

@test "the limit is the transport's: a 400-character value passes the MQTT check, not Serf's; a value over 1 KiB none" {
    local value; value="\"$(printf 'v%.0s' {1..400})\""
    local dir="$BATS_FILE_TMPDIR/ch-$LATE"
    mkdir -p "$dir"
    free_port >"$dir/port"
    # No broker: past the size check it runs into --timeout (69), not 64.
    run --separate-stderr actor-join -n web-01.example.com -b "mqtt://127.0.0.1:$(<"$dir/port")" \
        --value "$value" --timeout 1s "$GROUP"
    assert_equal "$status" 69
    run --separate-stderr actor-join -n web-01.example.com -b "serf://127.0.0.1:$(<"$dir/port")" \
        --value "$value" --timeout 1s "$GROUP"
    assert_equal "$status" 64
    # Past what a decoder takes (1 KiB of value encoding), on any channel.
    run --separate-stderr actor-join -n web-01.example.com -b "mqtt://127.0.0.1:$(<"$dir/port")" \
        --value "\"$(printf 'v%.0s' {1..2000})\"" --timeout 1s "$GROUP"
    assert_equal "$status" 64
    assert_equal "$stderr" "actor-join: --value: its encoding is 2003 bytes; receivers drop a value over 1024 bytes"
    # actor-watch sends nothing: no size check.
    run --separate-stderr actor-watch -b "serf://127.0.0.1:$(<"$dir/port")" --value "$value" \
        --timeout 1s "$GROUP"
    assert_equal "$status" 69
}
