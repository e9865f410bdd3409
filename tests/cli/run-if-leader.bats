#!/usr/bin/env bats
# actor-run-if-leader against the test channel (docs/CLI.md "actor-run-if-leader").
# Timing: cycle 1 s, gap 0.1 s, so a lone starter decides after
# cycle+3*gap (watch) + cycle+3*gap (join, ping, tag) = 2.6 s.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    channel_start main
}

teardown_file() {
    channel_stop main
    channel_stop north
    channel_stop south
    if [[ -f $BATS_FILE_TMPDIR/relay.pid ]]; then
        kill "$(<"$BATS_FILE_TMPDIR/relay.pid")" 2>/dev/null || true
    fi
}

setup() {
    common_setup
    T=$BATS_TEST_TMPDIR
}

teardown() { common_teardown; }

# gate NAME [OPTIONS...] -- ...: actor-run-if-leader in the background as
# node NAME; job output in NAME.out, stderr in NAME.err, events in NAME.ev.
# The options and the command follow, GROUP included by the caller.
gate() {
    local name=$1; shift
    spawn "$name" actor-run-if-leader "${FAST[@]}" -n "$name" --events "$T/$name.ev" "$@"
}

ev() { echo "$T/$1.ev"; }

# group_gone PGID SECONDS: until no process is left in the process group.
group_gone() {
    local pgid=$1 deadline=$(( $(now_ms) + ${2:-5} * 1000 ))
    while kill -0 -- "-$pgid" 2>/dev/null; do
        (( $(now_ms) < deadline )) || { ps -o pid,pgid,stat,args -g "$pgid" >&2; return 1; }
        sleep 0.05
    done
}

# wait_file FILE SECONDS: until FILE exists (and, for pid files, has its line).
wait_file() {
    local file=$1 deadline=$(( $(now_ms) + ${2:-10} * 1000 ))
    until [[ -e $file && ( $file != *.pid || -s $file ) ]]; do
        (( $(now_ms) < deadline )) || { echo "no $file after ${2:-10}s" >&2; return 1; }
        sleep 0.05
    done
}

@test "five simultaneous starters: exactly one runs, four exit 75 (10 rounds)" {
    local round k ran status75 rounds=10
    # Serf's slower timing makes a round ~7 s: 3 rounds unless ACTOR_LONG=1.
    [[ $ACTOR_TEST_CHANNEL == mqtt || -n ${ACTOR_LONG:-} ]] || rounds=3
    for round in $(seq 1 "$rounds"); do
        local g="$GROUP/r$round"
        for k in 1 2 3 4 5; do
            gate "r$round-n$k" --linger 0 "$g" -- touch "$T/ran.$round.$k"
        done
        ran=0 status75=0
        for k in 1 2 3 4 5; do
            wait_exit "$(pid_of "r$round-n$k")" 15
            if (( EXIT == 0 )); then ran=$((ran + 1)); fi
            if (( EXIT == 75 )); then status75=$((status75 + 1)); fi
        done
        local files; files=$(find "$T" -name "ran.$round.*" | wc -l)
        echo "round $round: $files file(s), $ran ran, $status75 exited 75"
        [ "$files" -eq 1 ]
        [ "$ran" -eq 1 ]
        [ "$status75" -eq 4 ]
    done
}

@test "a late starter does not run while the holder's job runs, and the holder keeps its turn" {
    gate holder "$GROUP" -c "touch '$T/holder.start'; sleep 2.5; touch '$T/holder.end'"
    wait_file "$T/holder.start" 10
    gate late "$GROUP" -- touch "$T/late.ran"
    gate quiet -E 0 "$GROUP" -- touch "$T/quiet.ran"
    wait_exit "$(pid_of late)" 10
    [ "$EXIT" -eq 75 ]
    wait_exit "$(pid_of quiet)" 10
    [ "$EXIT" -eq 0 ]
    [ ! -e "$T/late.ran" ]
    [ ! -e "$T/quiet.ran" ]
    # The late starters only watched: they never joined, never were "it".
    run jq -c 'select(.event=="tag")' "$(ev late)" "$(ev quiet)"
    [ -z "$output" ]
    wait_exit "$(pid_of holder)" 10
    [ "$EXIT" -eq 0 ]
    [ -e "$T/holder.end" ]
    run jq -c 'select(.event=="detag")' "$(ev holder)"
    [ -z "$output" ]
}

@test "--observe beside three actor-join daemons runs the job on exactly one host" {
    local k
    for k in 1 2 3; do spawn "d$k" actor-join "${FAST[@]}" -n "h$k" "$GROUP"; done
    # Once the daemons rotate, start the gates just after a daemon is
    # tagged: the next ping is then almost a whole cycle away (cycle -
    # gap/8), so all three connect, over Serf too, well before it and wait
    # for the same next turn (cron hosts whose gates start a whole turn
    # apart can see different turns; that is the documented contract). A
    # settled `ping` report left only 2 gaps of lead, too little for Serf.
    wait_for "$(out_of d1)" '.event=="ping"' 15 2
    local tags; tags() { cat "$(out_of d1)" "$(out_of d2)" "$(out_of d3)" | jq -c 'select(.event=="tag")' | wc -l; }
    local before; before=$(tags) deadline=$(( $(now_ms) + 10000 ))
    until (( $(tags) > before )); do
        (( $(now_ms) < deadline )) || { echo "no new tag within 10s" >&2; return 1; }
        sleep 0.02
    done
    for k in 1 2 3; do
        spawn "o$k" actor-run-if-leader "${FAST[@]}" --observe -n "h$k" --events "$T/o$k.ev" \
            "$GROUP" -- touch "$T/obs.h$k"
    done
    local ran=0 skipped=0
    for k in 1 2 3; do
        wait_exit "$(pid_of "o$k")" 10
        if (( EXIT == 0 )); then ran=$((ran + 1)); fi
        if (( EXIT == 75 )); then skipped=$((skipped + 1)); fi
    done
    [ "$ran" -eq 1 ]
    [ "$skipped" -eq 2 ]
    [ "$(find "$T" -name 'obs.h*' | wc -l)" -eq 1 ]
    # The gate that ran is the node all three saw settle.
    local winner; winner=$(basename "$(find "$T" -name 'obs.h*')"); winner=${winner#obs.}
    run jq -r 'select(.event=="ping") | .node' "$(ev o1)" "$(ev o2)" "$(ev o3)"
    [ "$(sort -u <<<"$output")" = "$winner" ]
    # The gates sent nothing: the daemons never heard of o1..o3 or twins.
    run jq -c 'select(.event=="error")' "$(out_of d1)" "$(out_of d2)" "$(out_of d3)"
    [ -z "$output" ]
}

@test "--wait: three nodes each run once, never two at the same time" {
    local k job
    # shellcheck disable=SC2016
    job='echo "start $(date +%s%N) $ACTOR_NAME" >>"$1"; sleep 0.3; echo "end $(date +%s%N) $ACTOR_NAME" >>"$1"'
    for k in 1 2 3; do
        gate "w$k" --wait --timeout 20s "$GROUP" -c "$job" -- "$T/jobs.log"
    done
    for k in 1 2 3; do
        wait_exit "$(pid_of "w$k")" 25
        [ "$EXIT" -eq 0 ]
    done
    cat "$T/jobs.log"
    [ "$(grep -c '^start' "$T/jobs.log")" -eq 3 ]
    [ "$(awk '$1=="start"{print $3}' "$T/jobs.log" | sort -u | wc -l)" -eq 3 ]
    # Sorted by time, the lines must alternate start, end, start, end, ...
    run bash -c "sort -k2,2n '$T/jobs.log' | awk '{print \$1}' | paste -sd' '"
    [ "$output" = "start end start end start end" ]
}

# Two brokers joined by a bridge that runs through mqtt-cut-relay.py: north
# (port PN) and south (port PS, holding the bridge config, `connection`,
# `address 127.0.0.1:PR`, `topic # both 0`), relay PR -> PN. The relay drops
# PUBLISH packets while a cut file exists, so the split starts and heals at
# the moment the test picks, with both brokers and all clients connected.
start_bridged_brokers() {
    local d pn ps pr
    for d in north south; do
        mkdir -p "$BATS_FILE_TMPDIR/ch-$d"
        free_port >"$BATS_FILE_TMPDIR/ch-$d/port"
    done
    pn=$(<"$BATS_FILE_TMPDIR/ch-north/port") ps=$(<"$BATS_FILE_TMPDIR/ch-south/port") pr=$(free_port)
    CUT=$BATS_FILE_TMPDIR/cut
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$pn" \
        >"$BATS_FILE_TMPDIR/ch-north/mosquitto.conf"
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$ps" \
        >"$BATS_FILE_TMPDIR/ch-south/mosquitto.conf"
    printf 'connection split\naddress 127.0.0.1:%s\ntopic # both 0\nrestart_timeout 1\n' "$pr" \
        >>"$BATS_FILE_TMPDIR/ch-south/mosquitto.conf"
    python3 "$BATS_TEST_DIRNAME/mqtt-cut-relay.py" "$pr" "$pn" "$CUT" 3>&- &
    echo $! >"$BATS_FILE_TMPDIR/relay.pid"
    wait_port "$pr" 10
    for d in north south; do
        mosquitto -c "$BATS_FILE_TMPDIR/ch-$d/mosquitto.conf" >>"$BATS_FILE_TMPDIR/ch-$d/log" 2>&1 3>&- &
        echo $! >"$BATS_FILE_TMPDIR/ch-$d/pid"
        wait_port "$(<"$BATS_FILE_TMPDIR/ch-$d/port")" 10
    done
    NORTH=mqtt://127.0.0.1:$pn SOUTH=mqtt://127.0.0.1:$ps
    # The bridge carries messages before we cut it.
    mosquitto_sub -h 127.0.0.1 -p "$pn" -t probe -C 1 -W 10 >"$T/probe" 3>&- &
    local sub=$! deadline=$(( $(now_ms) + 10000 ))
    until [[ -s $T/probe ]]; do
        (( $(now_ms) < deadline )) || { cat "$BATS_FILE_TMPDIR"/ch-*/log >&2; return 1; }
        mosquitto_pub -h 127.0.0.1 -p "$ps" -t probe -m through
        sleep 0.2
    done
    wait "$sub" || true
}

@test "--kill-on-detag: the losing side of a healed split stops its job and exits 70" {
    [[ $ACTOR_TEST_CHANNEL == mqtt ]] || skip "the split is a cut MQTT bridge; Serf has no cuttable link between agents here"
    start_bridged_brokers
    touch "$CUT"
    # North turns fast (period 0.7 s); south slowly (tagged 1.95 s of every
    # 2.2 s). Each side is alone, so both take the turn and run. Healed just
    # after south's tag, north's next ping (within 0.7 s) reaches south
    # while south is tagged: north has the smaller name (and, once it has
    # pinged since its tag, a value), so south loses the collision: detag.
    spawn north actor-run-if-leader --cycle 0.5s --gap 0.1s -b "$NORTH" -n alpha --value 2 \
        --events "$T/north.ev" "$GROUP" -c 'sleep 30'
    # shellcheck disable=SC2016
    spawn south actor-run-if-leader --cycle 2s --gap 0.1s -b "$SOUTH" -n beta --value 1 \
        --kill-on-detag --kill-after 0.5s --events "$T/south.ev" "$GROUP" \
        -c "trap '' TERM; echo \$\$ >'$T/south.job.pid'; sleep 30"
    wait_for "$T/north.ev" '.event=="tag"' 10
    wait_for "$T/south.ev" '.event=="tag"' 15
    wait_file "$T/south.job.pid" 5  # the job's trap is set
    rm -f "$CUT"
    wait_exit "$(pid_of south)" 10
    [ "$EXIT" -eq 70 ]
    run jq -r 'select(.event=="detag") | .node' "$T/south.ev"
    [ "$output" = alpha ]
    # The job ignored SIGTERM; --kill-after's SIGKILL ended its whole group.
    group_gone "$(<"$T/south.job.pid")" 5
    # The winning side kept its turn and its job.
    kill -0 "$(pid_of north)"
    run jq -c 'select(.event=="detag")' "$T/north.ev"
    [ -z "$output" ]
    kill -TERM "$(pid_of north)"
    wait_exit "$(pid_of north)" 10
    [ "$EXIT" -eq 143 ]
}

@test "exit status passthrough: 0, 1, 42, killed by a signal -> 128+N" {
    long_over_serf "job exit statuses do not depend on the transport"
    gate s0 --linger 0 "$GROUP/0" -- true
    gate s1 --linger 0 "$GROUP/1" -- false
    gate s42 --linger 0 "$GROUP/42" -c 'exit 42'
    gate s137 --linger 0 "$GROUP/137" -c 'kill -KILL $$'
    local k
    for k in 0 1 42 137; do
        wait_exit "$(pid_of "s$k")" 10
        echo "s$k exited $EXIT"
        [ "$EXIT" -eq "$k" ]
    done
}

@test "-c runs through /bin/sh with arguments as \$1..., output untouched, events elsewhere" {
    # shellcheck disable=SC2016
    run actor-run-if-leader "${FAST[@]}" -n solo --linger 0 --events "$T/solo.ev" "$GROUP" \
        -c 'printf "[%s]" "$@"; echo " $ACTOR_GROUP $ACTOR_NAME $ACTOR_BROKER"' -- 'a b' '$HOME' "c'd"
    [ "$status" -eq 0 ]
    [ "$output" = "[a b][\$HOME][c'd] $GROUP solo $ACTOR_BROKER" ]
    wait_for "$T/solo.ev" '.event=="tag" and .node=="solo"' 1
}

@test "COMMAND after -- is executed directly, no shell" {
    long_over_serf "running the job does not depend on the transport"
    run actor-run-if-leader "${FAST[@]}" -n solo --linger 0 "$GROUP" -- printf '%s|' 'a b' '$x' '*'
    [ "$status" -eq 0 ]
    [ "$output" = 'a b|$x|*|' ]
}

@test "SIGTERM to the tool ends the job and the tool; also while still waiting" {
    gate t1 "$GROUP/a" -c "echo \$\$ >'$T/job.pid'; sleep 30"
    wait_file "$T/job.pid" 10
    kill -TERM "$(pid_of t1)"
    wait_exit "$(pid_of t1)" 5
    [ "$EXIT" -eq 143 ]
    group_gone "$(<"$T/job.pid")" 5
    # While watching: the tool just leaves, 128+N, nothing ran.
    gate t2 "$GROUP/b" -- touch "$T/t2.ran"
    wait_for "$(ev t2)" '.event=="connected"' 5
    kill -INT "$(pid_of t2)"
    wait_exit "$(pid_of t2)" 5
    [ "$EXIT" -eq 130 ]
    [ ! -e "$T/t2.ran" ]
}

@test "kill -9 of the tool ends the job: no orphans" {
    long_over_serf "the job keeper does not depend on the transport"
    gate k9 "$GROUP" -c "echo \$\$ >'$T/job.pid'; sleep 30; echo orphan >'$T/orphan'"
    wait_file "$T/job.pid" 10
    kill -KILL "$(pid_of k9)"
    wait_exit "$(pid_of k9)" 5
    [ "$EXIT" -eq 137 ]
    group_gone "$(<"$T/job.pid")" 5
}

@test "missing command: 127 with a clear message; not executable: 126" {
    long_over_serf "exec failures do not depend on the transport"
    run -127 actor-run-if-leader "${FAST[@]}" -n solo --linger 0 "$GROUP/a" -- no-such-command-xyz arg
    [ "$status" -eq 127 ]
    [[ $output == *"actor-run-if-leader: no-such-command-xyz: command not found"* ]]
    printf 'echo hi\n' >"$T/not-exec"
    chmod 644 "$T/not-exec"
    run -126 actor-run-if-leader "${FAST[@]}" -n solo --linger 0 "$GROUP/b" -- "$T/not-exec"
    [ "$status" -eq 126 ]
    [[ $output == *"not-exec: Permission denied"* ]]
}

@test "broker down: 69 and the job never ran; --fail-open runs it" {
    local port; port=$(free_port)
    local scheme=$ACTOR_TEST_CHANNEL
    run actor-run-if-leader "${FAST[@]}" -b "$scheme://127.0.0.1:$port" --timeout 1s "$GROUP" -- touch "$T/ran"
    [ "$status" -eq 69 ]
    [ ! -e "$T/ran" ]
    run actor-run-if-leader "${FAST[@]}" -b "$scheme://127.0.0.1:$port" --timeout 1s --fail-open "$GROUP" \
        -c "touch '$T/ran'; exit 3"
    [ "$status" -eq 3 ]
    [ -e "$T/ran" ]
    [[ $output == *"--fail-open"* ]]
}

@test "-E 0: not my turn exits 0 quietly" {
    gate holder "$GROUP" -c "touch '$T/holder.start'; sleep 2"
    wait_file "$T/holder.start" 10
    run actor-run-if-leader "${FAST[@]}" -n other -E 0 "$GROUP" -- touch "$T/other.ran"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [ ! -e "$T/other.ran" ]
}

@test "bad usage: 64 with one line" {
    run actor-run-if-leader "${FAST[@]}" "$GROUP"
    [ "$status" -eq 64 ]
    [[ $output == *"COMMAND: missing"* ]]
    run actor-run-if-leader --wait --observe "$GROUP" -- true
    [ "$status" -eq 64 ]
    run actor-run-if-leader --linger soon "$GROUP" -- true
    [ "$status" -eq 64 ]
    [[ $output == "actor-run-if-leader: --linger: bad duration"* ]]
}
