#!/usr/bin/env bats
# The bash completion (completions/actor.bash), driven the way bash drives
# it: COMP_WORDS/COMP_CWORD set, then the completion function, then
# COMPREPLY read back. Runs without the bash-completion package.

bats_load_library bats-support
bats_load_library bats-assert

setup() {
    : "${ACTOR_BASH_COMPLETION:?ACTOR_BASH_COMPLETION must name completions/actor.bash}"
    # shellcheck source=/dev/null
    source "$ACTOR_BASH_COMPLETION"
    cd "$BATS_TEST_TMPDIR"
}

# complete WORD...: complete the last word (may be '') of the command line
# WORD..., print the candidates one per line, sorted.
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _actor "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort
}

@test "the function is registered for all three tools" {
    run complete -p actor-join actor-watch actor-run-if-leader
    assert_success
    assert_line "complete -F _actor actor-join"
    assert_line "complete -F _actor actor-watch"
    assert_line "complete -F _actor actor-run-if-leader"
}

@test "actor-join --form completes to --format" {
    run complete_words actor-join --form
    assert_output -- "--format"
}

@test "--format offers json and text" {
    run complete_words actor-join --format ''
    assert_output $'json\ntext'
    run complete_words actor-watch --format t
    assert_output "text"
}

@test "actor-watch --on completes to --once" {
    run complete_words actor-watch --on
    assert_output -- "--once"
}

@test "durations are suggested for every duration option" {
    for opt in --cycle --gap --timeout; do
        run complete_words actor-join "$opt" ''
        assert_output $'1.5s\n10s\n250ms\n2m'
    done
    run complete_words actor-watch --ttl ''
    assert_output $'1.5s\n10s\n250ms\n2m'
    run complete_words actor-run-if-leader --linger 2
    assert_output $'250ms\n2m'
}

@test "each tool is offered only its own options" {
    run complete_words actor-join --passi
    assert_output -- "--passive"
    run complete_words actor-watch --passi
    assert_output ""
    run complete_words actor-run-if-leader --kill
    assert_output $'--kill-after\n--kill-on-detag\n--kill-on-untag'
    run complete_words actor-join --kill
    assert_output ""
    run complete_words actor-watch --m
    assert_output -- "--members"
}

@test "file options complete files, --capath only directories" {
    mkdir certs
    touch ca.pem client.key
    run complete_words actor-join --cafile ''
    assert_output $'ca.pem\ncerts\nclient.key'
    run complete_words actor-join --config c
    assert_output $'ca.pem\ncerts\nclient.key'
    run complete_words actor-run-if-leader --events cl
    assert_output "client.key"
    run complete_words actor-watch --capath ''
    assert_output "certs"
}

@test "free-form values get no made-up candidates" {
    run complete_words actor-join --name ''
    assert_output ""
    run complete_words actor-run-if-leader -E ''
    assert_output ""
}

@test "run-if-leader completes a command after --" {
    run complete_words actor-run-if-leader --wait actor/backup -- ech
    assert_line "echo"
    run complete_words actor-run-if-leader actor/backup -- ''
    assert_line "echo"
    refute_line -- "--wait"
}

@test "run-if-leader completes a command after GROUP, options before it" {
    run complete_words actor-run-if-leader --cycle 10s actor/backup ech
    assert_line "echo"
    # The value of --cycle is not taken for GROUP.
    run complete_words actor-run-if-leader --cycle 10s ech
    assert_output ""
    run complete_words actor-run-if-leader actor/backup --obs
    assert_output -- "--observe"
}

@test "run-if-leader completes the command's arguments as files" {
    touch backup.conf
    run complete_words actor-run-if-leader actor/backup -- /usr/local/bin/backup back
    assert_output "backup.conf"
}
