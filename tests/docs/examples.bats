#!/usr/bin/env bats
# The examples of the README and the man pages, run as written. Each example
# line is first looked up verbatim in README.md and in the man page sources
# (so the docs cannot drift from what is tested); then it runs with only
# these substitutions: the broker (mqtt://broker or the default) becomes a
# private mosquitto, /usr/local/bin/backup a script that leaves a mark, and
# a fast timing (--cycle 1s --gap 0.1s) follows the tool's name so a test
# takes seconds instead of minutes.

load ../cli/helpers

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup_file() { channel_start; }
teardown_file() { channel_stop; }
setup() {
    common_setup
    BACKUP="$BATS_TEST_TMPDIR/backup"
    printf '#!/bin/sh\necho "$ACTOR_NAME" >>"%s/ran"\n' "$BATS_TEST_TMPDIR" >"$BACKUP"
    chmod +x "$BACKUP"
}
teardown() { common_teardown; }

# documented LINE: the line stands verbatim in README.md and a man page.
documented() {
    grep -qF -- "$1" "$REPO/README.md" || { echo "not in README.md: $1" >&2; return 1; }
    grep -qF -- "$1" "$REPO"/man/*.scd || { echo "not in any man page: $1" >&2; return 1; }
}

# as_run LINE: the command to run for a documented line.
as_run() {
    local line=$1
    line=${line#"0 2 * * * "}                       # the crontab schedule
    line=${line//mqtt:\/\/broker/$ACTOR_BROKER}
    line=${line//\/usr\/local\/bin\/backup/$BACKUP}
    line=${line//actor\/backup/$GROUP}
    line=${line//actor\/jobs/$GROUP}
    # the fast timing right after each tool's name
    sed -E 's/(^|[|] *)(actor-(join|watch|run-if-leader)) /\1\2 --cycle 1s --gap 0.1s /g' <<<"$line"
}

start_daemons() {
    spawn d1 actor-join -n "$(hostname)" "${FAST[@]}" --timeout 60s "$GROUP"
    spawn d2 actor-join -n other "${FAST[@]}" --timeout 60s "$GROUP"
    wait_for "$(out_of d1)" '.event=="tag" or .event=="ping"' 20
    wait_for "$(out_of d2)" '.event=="tag" or .event=="ping"' 20
}

@test "crontab example: the job runs on the one host that wins, exit 0" {
    local ex='0 2 * * * actor-run-if-leader -E 0 -b mqtt://broker actor/backup -- /usr/local/bin/backup'
    documented "$ex"
    run bash -c "$(as_run "$ex")"
    assert_success
    # Alone in the group: this host takes the turn and runs the job.
    assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/ran")" 1
}

@test "crontab example with --observe beside actor-join daemons exits 0" {
    local ex='0 2 * * * actor-run-if-leader --observe -E 0 actor/backup -- /usr/local/bin/backup'
    documented "$ex"
    start_daemons
    run bash -c "$(as_run "$ex")"
    assert_success
    # It ran exactly when the settled turn was this host's, at most once.
    if [[ -f $BATS_TEST_TMPDIR/ran ]]; then
        assert_equal "$(cat "$BATS_TEST_TMPDIR/ran")" "$(hostname)"
    fi
}

@test "who holds the turn right now: actor-watch --once | jq -r .node" {
    local ex='actor-watch --once actor/backup | jq -r .node'
    documented "$ex"
    start_daemons
    run bash -c "$(as_run "$ex")"
    assert_success
    [[ $output == "$(hostname)" || $output == other ]]
}

@test "which nodes are in the group: actor-watch --members --once | jq" {
    local ex="actor-watch --members --once actor/backup | jq -r '.nodes[].node'"
    grep -qF -- "$ex" "$REPO/README.md"
    start_daemons
    run bash -c "$(as_run "$ex")"
    assert_success
    assert_line "$(hostname)"
    assert_line other
}

@test "react to my turns in a shell loop" {
    local l1='actor-join actor/jobs | jq --unbuffered -r '\''select(.event=="tag") | .time'\'' |'
    local l2='  while read -r t; do echo "my turn at $t"; done'
    documented "$l1"
    documented "$l2"
    run timeout 4 bash -c "$(as_run "$l1")$l2"
    # timeout ends the loop: 124; what it printed is the point.
    assert_equal "$status" 124
    assert_line --regexp '^my turn at 20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z$'
}

@test "a config file with the README's keys is accepted" {
    echo s3cret >"$BATS_TEST_TMPDIR/password"
    cat >"$BATS_TEST_TMPDIR/jobs.conf" <<CONF
broker = "$ACTOR_BROKER"
username = "actor"
password-file = "$BATS_TEST_TMPDIR/password"
cycle = "1s"
gap = "100ms"
CONF
    grep -qF 'pass `--config /etc/actor/jobs.conf`' "$REPO/README.md"
    run --separate-stderr actor-join --config "$BATS_TEST_TMPDIR/jobs.conf" --count 1 --timeout 20s -n cfg "$GROUP"
    assert_success
    assert_line --partial '"event":"untag"'
}
