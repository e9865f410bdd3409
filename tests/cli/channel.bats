#!/usr/bin/env bats
# The channel going away and coming back, credentials, and settings
# that come from the environment or a config file.

load helpers

setup_file() { channel_start; }
teardown_file() { channel_stop; channel_stop restart; channel_stop locked; }
setup() { common_setup; }
teardown() { common_teardown; }

@test "after the broker stops and restarts the rotation resumes" {
    # Over Serf the channel is a cluster: a and b use different agents, and
    # all of them are stopped and restarted (agents 2.. rejoin agent 1).
    channel_start restart
    local n i=0
    for n in a b; do
        i=$(( i + 1 ))
        spawn $n actor-join -b "$(channel_url restart $i)" -n $n "${FAST[@]}" --timeout "$(turns 45)s" "$GROUP"
    done
    for n in a b; do wait_for "$(out_of $n)" '.event=="tag"' "$(turns 15)"; done
    channel_stop restart
    for n in a b; do wait_for "$(out_of $n)" '.event=="disconnected"' 10; done
    channel_start restart
    for n in a b; do wait_for "$(out_of $n)" '.event=="connected"' 20 2; done
    local t0; t0=$(now_ms)
    first_event_after "$t0" '.event=="tag"' "$(turns 12)" "$(out_of a)" "$(out_of b)"
    run never_two_tagged "$(out_of a)" "$(out_of b)"
    assert_success
}

# MQTT: a user and a password; Serf: the agents' RPC auth key.
@test "wrong credentials exit 77, the right ones join" {
    channel_start locked alice s3cret
    local url; url=$(channel_url locked)
    echo wrong >"$BATS_TEST_TMPDIR/bad.pw"
    printf 's3cret\n' >"$BATS_TEST_TMPDIR/good.pw"
    local cred user var
    case $ACTOR_TEST_CHANNEL in
    mqtt) cred=(-u alice --password-file) user=(-u alice) var=ACTOR_PASSWORD ;;
    serf) cred=(--serf-auth-file) user=() var=ACTOR_SERF_AUTH ;;
    esac
    run --separate-stderr actor-join -b "$url" "${cred[@]}" "$BATS_TEST_TMPDIR/bad.pw" "${FAST[@]}" --timeout "$(turns 8)s" "$GROUP"
    assert_equal "$status" 77
    [[ $stderr != *wrong* ]]
    run --separate-stderr actor-join -b "$url" "${cred[@]}" "$BATS_TEST_TMPDIR/good.pw" -n a "${FAST[@]}" --count 1 --timeout "$(turns 8)s" "$GROUP"
    assert_success
    run --separate-stderr env "$var=s3cret" actor-join -b "$url" "${user[@]}" -n a "${FAST[@]}" --count 1 --timeout "$(turns 8)s" "$GROUP"
    assert_success
    [[ $output != *s3cret* && $stderr != *s3cret* ]]
}

@test "nothing listening exits 69 within the connect timeout" {
    local port; port=$(free_port)
    local scheme=mqtt; [[ $ACTOR_TEST_CHANNEL == mqtt ]] || scheme=$ACTOR_TEST_CHANNEL
    run --separate-stderr actor-join -b "$scheme://127.0.0.1:$port" "${FAST[@]}" --timeout 2s "$GROUP"
    assert_equal "$status" 69
}

@test "argv beats the environment, which beats the config file" {
    long_over_serf "option precedence does not depend on the transport"
    printf 'name = "fromfile"\ncycle = "%ss"\ngap = "%ss"\n' "$CYCLE" "$GAP" >"$BATS_TEST_TMPDIR/actor.conf"
    run --separate-stderr actor-join --config "$BATS_TEST_TMPDIR/actor.conf" --count 1 --timeout "$(turns 8)s" "$GROUP"
    assert_success
    assert_equal "$(jq -r 'select(.event=="tag") | .node' <<<"$output")" fromfile
    ACTOR_NAME=fromenv run --separate-stderr actor-join --config "$BATS_TEST_TMPDIR/actor.conf" --count 1 --timeout "$(turns 8)s" "$GROUP"
    assert_success
    assert_equal "$(jq -r 'select(.event=="tag") | .node' <<<"$output")" fromenv
    ACTOR_NAME=fromenv run --separate-stderr actor-join -n fromargv --config "$BATS_TEST_TMPDIR/actor.conf" --count 1 --timeout "$(turns 8)s" "$GROUP"
    assert_success
    assert_equal "$(jq -r 'select(.event=="tag") | .node' <<<"$output")" fromargv
}
