#!/usr/bin/env bats
# The channel going away and coming back, credentials, and settings
# that come from the environment or a config file.

load helpers

setup_file() { channel_start; }
teardown_file() { channel_stop; channel_stop restart; channel_stop locked; }
setup() { common_setup; }
teardown() { common_teardown; }

@test "after the broker stops and restarts the rotation resumes" {
    channel_start restart
    local url; url=$(channel_url restart)
    local n
    for n in a b; do spawn $n actor-join -b "$url" -n $n "${FAST[@]}" --timeout 60s "$GROUP"; done
    for n in a b; do wait_for "$(out_of $n)" '.event=="tag"' 20; done
    channel_stop restart
    for n in a b; do wait_for "$(out_of $n)" '.event=="disconnected"' 10; done
    channel_start restart
    for n in a b; do wait_for "$(out_of $n)" '.event=="connected"' 20 2; done
    local t0; t0=$(now_ms)
    first_event_after "$t0" '.event=="tag"' 15 "$(out_of a)" "$(out_of b)"
    run never_two_tagged "$(out_of a)" "$(out_of b)"
    assert_success
}

@test "a wrong password exits 77, the right one joins" {
    [[ $ACTOR_TEST_CHANNEL == mqtt ]] || skip "user/password is MQTT only"
    channel_start locked alice s3cret
    local url; url=$(channel_url locked)
    echo wrong >"$BATS_TEST_TMPDIR/bad.pw"
    printf 's3cret\n' >"$BATS_TEST_TMPDIR/good.pw"
    run --separate-stderr actor-join -b "$url" -u alice --password-file "$BATS_TEST_TMPDIR/bad.pw" "${FAST[@]}" --timeout 10s "$GROUP"
    assert_equal "$status" 77
    [[ $stderr != *wrong* ]]
    run --separate-stderr actor-join -b "$url" -u alice --password-file "$BATS_TEST_TMPDIR/good.pw" -n a "${FAST[@]}" --count 1 --timeout 10s "$GROUP"
    assert_success
    ACTOR_PASSWORD=s3cret run --separate-stderr actor-join -b "$url" -u alice -n a "${FAST[@]}" --count 1 --timeout 10s "$GROUP"
    assert_success
    [[ $output != *s3cret* && $stderr != *s3cret* ]]
}

@test "a wrong Serf auth key exits 77, the right one joins" {
    [[ $ACTOR_TEST_CHANNEL == serf ]] || skip "the RPC auth key is Serf only"
    channel_start locked - k3y-one
    local url; url=$(channel_url locked)
    echo k3y-two >"$BATS_TEST_TMPDIR/bad.key"
    run --separate-stderr actor-join -b "$url" --serf-auth-file "$BATS_TEST_TMPDIR/bad.key" "${FAST[@]}" --timeout 10s "$GROUP"
    assert_equal "$status" 77
    [[ $stderr != *k3y* ]]
    ACTOR_SERF_AUTH=k3y-one run --separate-stderr actor-join -b "$url" -n a "${FAST[@]}" --count 1 --timeout 10s "$GROUP"
    assert_success
}

@test "nothing listening exits 69 within the connect timeout" {
    local port; port=$(free_port)
    local scheme=mqtt; [[ $ACTOR_TEST_CHANNEL == mqtt ]] || scheme=$ACTOR_TEST_CHANNEL
    run --separate-stderr actor-join -b "$scheme://127.0.0.1:$port" "${FAST[@]}" --timeout 2s "$GROUP"
    assert_equal "$status" 69
}

@test "argv beats the environment, which beats the config file" {
    printf 'name = "fromfile"\ncycle = "1s"\ngap = "0.1s"\n' >"$BATS_TEST_TMPDIR/actor.conf"
    run --separate-stderr actor-join --config "$BATS_TEST_TMPDIR/actor.conf" --count 1 --timeout 10s "$GROUP"
    assert_success
    assert_equal "$(jq -r 'select(.event=="tag") | .node' <<<"$output")" fromfile
    ACTOR_NAME=fromenv run --separate-stderr actor-join --config "$BATS_TEST_TMPDIR/actor.conf" --count 1 --timeout 10s "$GROUP"
    assert_success
    assert_equal "$(jq -r 'select(.event=="tag") | .node' <<<"$output")" fromenv
    ACTOR_NAME=fromenv run --separate-stderr actor-join -n fromargv --config "$BATS_TEST_TMPDIR/actor.conf" --count 1 --timeout 10s "$GROUP"
    assert_success
    assert_equal "$(jq -r 'select(.event=="tag") | .node' <<<"$output")" fromargv
}
