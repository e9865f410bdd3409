#!/usr/bin/env bats
# actor-join: taking turns, leaving, counting, control lines, bad input.

load helpers

setup_file() { channel_start; }
teardown_file() { channel_stop; }
setup() { common_setup; }
teardown() { common_teardown; }

@test "three nodes take turns and are never tagged at the same time" {
    local n
    for n in a b c; do spawn $n actor-join -n $n "${FAST[@]}" --count 2 --timeout "$(turns 30)s" "$GROUP"; done
    for n in a b c; do
        wait_exit "$(pid_of $n)" "$(turns 32)"
        assert_equal "$EXIT" 0
        # --count counts untags: a turn cut short by a detag is one more tag.
        local tags detags
        tags=$(jq -c 'select(.event=="tag")' "$(out_of $n)" | wc -l)
        detags=$(jq -c 'select(.event=="detag")' "$(out_of $n)" | wc -l)
        assert_equal "$tags" $(( 2 + detags ))
    done
    run never_two_tagged "$(out_of a)" "$(out_of b)" "$(out_of c)"
    if [[ $ACTOR_TEST_CHANNEL == serf ]]; then
        # Gossip delayed beyond the gap on a loaded machine can let a node
        # that never heard the holder's ping take a turn beside it, cut
        # short by a detag (actor(7), "What the echo proves"): at most once.
        (( $(grep -c "two tagged" <<<"$output") <= 1 )) || { echo "$output"; false; }
    else
        assert_success
    fi
}

@test "fair turns: five nodes on the default chain settings are each tagged within 2N+2 turns, all listed as members" {
    local n
    spawn w actor-watch -n w "${FAST[@]}" --members --timeout "$(turns 30)s" "$GROUP"
    for n in n1 n2 n3 n4 n5; do spawn $n actor-join -n $n "${FAST[@]}" --timeout "$(turns 30)s" "$GROUP"; done
    # Every node tagged at least once (bounded: start-up plus 2N+2 turns and slack).
    for n in n1 n2 n3 n4 n5; do wait_for "$(out_of $n)" '.event=="tag"' "$(turns 20)"; done
    # Counted from the first tag of the group: all five among the first 2N+2 = 12 tags.
    local first12
    first12=$(cat "$(out_of n1)" "$(out_of n2)" "$(out_of n3)" "$(out_of n4)" "$(out_of n5)" |
        jq -r "select(.event==\"tag\") | \"\($JQ_MS) \(.node)\"" | sort -n | head -12 | awk '{print $2}' | sort -u | wc -l)
    assert_equal "$first12" 5
    # Discovery: a members line that lists all five (every member pings).
    wait_for "$(out_of w)" '.event=="members" and ([.nodes[].node] | map(select(startswith("n"))) | length) == 5' "$(turns 12)"
    run never_two_tagged "$(out_of n1)" "$(out_of n2)" "$(out_of n3)" "$(out_of n4)" "$(out_of n5)"
    assert_success
}

@test "when the tagged node is killed another is tagged within cycle + 2.5*gap" {
    local n
    for n in a b c; do spawn $n actor-join -n $n "${FAST[@]}" --timeout "$(turns 40)s" "$GROUP"; done
    wait_for "$(out_of a)" '.event=="tag"' "$(turns 15)"
    kill -KILL "$(pid_of a)"
    local t0; t0=$(now_ms)
    local hit; hit=$(first_event_after "$t0" '.event=="tag"' "$(turns 8)" "$(out_of b)" "$(out_of c)")
    local delay=$(( ${hit%% *} - t0 ))
    local limit; limit=$(( $(timing_ms turn_bound) + 1500 ))
    echo "next tag after ${delay} ms by ${hit#* } (limit ${limit} ms)"
    # cycle + 2.5*gap, plus 1.5 s to settle on a loaded machine (which
    # also covers a gossip tick or two over Serf).
    (( delay <= limit ))
}

@test "SIGTERM while tagged reports untag and exits 0" {
    spawn a actor-join -n a "${FAST[@]}" --timeout "$(turns 25)s" "$GROUP"
    wait_for "$(out_of a)" '.event=="tag"' "$(turns 15)"
    kill -TERM "$(pid_of a)"
    wait_exit "$(pid_of a)" 5
    assert_equal "$EXIT" 0
    assert_equal "$(tail -1 "$(out_of a)" | jq -r .event)" untag
}

@test "--count N exits 0 after the N-th untag" {
    run --separate-stderr actor-join -n solo "${FAST[@]}" --count 2 --timeout "$(turns 15)s" "$GROUP"
    assert_success
    assert_equal "$(jq -c 'select(.event=="untag")' <<<"$output" | wc -l)" 2
    assert_equal "$(jq -r .event <<<"$output" | tail -1)" untag
}

@test "--timeout ends a run that decides nothing with 124" {
    run --separate-stderr actor-join --passive -n p "${FAST[@]}" --timeout 1s "$GROUP"
    assert_equal "$status" 124
}

@test "a closed stdout ends actor-join quietly with status 0" {
    run --separate-stderr bash -c 'set -o pipefail; actor-join -n h "${@:3}" --timeout "$2" "$1" | head -1' \
        _ "$GROUP" "$(turns 8)s" "${FAST[@]}"
    assert_success
    assert_equal "$stderr" ""
    assert_equal "$(jq -r .event <<<"$output")" connected
}

@test "garbage on the channel is skipped and the rotation goes on" {
    spawn a actor-join -v -n a "${FAST[@]}" --timeout "$(turns 30)s" "$GROUP"
    spawn b actor-join -n b "${FAST[@]}" --timeout "$(turns 30)s" "$GROUP"
    wait_for "$(out_of a)" '.event=="tag"' "$(turns 15)"
    wait_for "$(out_of b)" '.event=="tag"' "$(turns 15)"
    local junk="$BATS_TEST_TMPDIR/junk"
    local payload
    for payload in 'hello' '\x80' '\x81\xa1t\xa3bad' '\xc1' '\x82\xa1t\xa4ping\xa4node' '\x93\x01\x02'; do
        printf "$payload" >"$junk"
        channel_publish "$GROUP" "$junk"
    done
    local t0; t0=$(now_ms)
    first_event_after "$t0" '.event=="tag"' "$(turns 8)" "$(out_of a)"
    first_event_after "$t0" '.event=="tag"' "$(turns 8)" "$(out_of b)"
    kill -0 "$(pid_of a)" && kill -0 "$(pid_of b)"
    grep -q "skipped" "$BATS_TEST_TMPDIR/a.err"
}

@test "a second node with the same name makes both exit 78" {
    spawn first actor-join -n twin "${FAST[@]}" --timeout "$(turns 25)s" "$GROUP"
    wait_for "$(out_of first)" '.event=="tag"' "$(turns 15)"
    # The second twin on another agent than the first (over Serf).
    ACTOR_BROKER=$(node_broker 2) run --separate-stderr actor-join -v -n twin "${FAST[@]}" --timeout "$(turns 8)s" "$GROUP"
    (( status == 78 )) || printf 'second twin, stdout:\n%s\nstderr:\n%s\n' "$output" "$stderr"
    assert_equal "$status" 78
    jq -e 'select(.event=="error")' <<<"$output" >/dev/null
    wait_exit "$(pid_of first)" "$(turns 8)"
    assert_equal "$EXIT" 78
}

@test "--control: value, bad lines, config and leave" {
    local fifo="$BATS_TEST_TMPDIR/ctl"
    mkfifo "$fifo"
    exec 4<>"$fifo"
    spawn w actor-watch -n w "${FAST[@]}" --timeout "$(turns 30)s" "$GROUP"
    SPAWN_STDIN=$fifo spawn c actor-join -n c "${FAST[@]}" --control --timeout "$(turns 30)s" "$GROUP" 4>&-
    local out; out=$(out_of c)
    wait_for "$out" '.event=="tag" and .value==0' "$(turns 15)"

    echo '{"cmd":"value","value":7}' >&4
    wait_for "$out" '.event=="tag" and .value==7' "$(turns 8)"

    echo 'this is not json' >&4
    wait_for "$out" '.event=="error" and (.message | contains("not JSON"))' 5
    echo '{"cmd":"frobnicate"}' >&4
    wait_for "$out" '.event=="error" and (.message | contains("frobnicate"))' 5
    echo '{"cmd":"enable","nodes":"many"}' >&4
    wait_for "$out" '.event=="error" and (.message | contains("nodes"))' 5
    kill -0 "$(pid_of c)"

    # A cycle other than the one running, so the change is news.
    local cycle; cycle=$(awk -v c="$CYCLE" 'BEGIN { print c + 1 }')
    echo "{\"cmd\":\"config\",\"cycle\":\"${cycle}s\"}" >&4
    wait_for "$(out_of w)" ".event==\"setup\" and .cycle==$cycle" "$(turns 8)"

    echo '{"cmd":"leave"}' >&4
    wait_exit "$(pid_of c)" 5
    assert_equal "$EXIT" 0
    exec 4>&-
}

@test "--control: the end of stdin does not stop the node" {
    run --separate-stderr actor-join -n eof "${FAST[@]}" --control --count 1 --timeout "$(turns 15)s" "$GROUP" </dev/null
    assert_success
    jq -e 'select(.event=="untag")' <<<"$output" >/dev/null
}
