#!/usr/bin/env bats
# Options every tool shares: each bad one ends with status 64 and one line.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

# bad_option TOOL EXPECTED-TEXT ARGS...: status 64, exactly one stderr line
# naming the problem, nothing on stdout, no help dump.
bad_option() {
    local tool=$1 expect=$2; shift 2
    run --separate-stderr "$tool" "$@"
    if (( status != 64 )) || [[ -n $output ]] || [[ $stderr != *"$expect"* ]] ||
        (( $(printf '%s\n' "$stderr" | wc -l) != 1 )); then
        echo "$tool $*: status $status, stdout [$output], stderr [$stderr]; expected 64 and [$expect]" >&2
        return 1
    fi
    [[ $stderr == "$tool: "* ]] || { echo "stderr does not start with the tool name: $stderr" >&2; return 1; }
}

@test "every bad option exits 64 with a one-line reason" {
    touch "$BATS_TEST_TMPDIR/cert.pem"
    local long; long=$(printf 'a%.0s' {1..201})
    local t
    for t in actor-join actor-watch; do
        bad_option $t "GROUP is required"
        bad_option $t "GROUP: must not be empty" ""
        bad_option $t "wildcard" "a/+/b"
        bad_option $t "wildcard" "a/#"
        bad_option $t "empty component" "a//b"
        bad_option $t "empty component" "/a"
        bad_option $t "empty component" "a/"
        bad_option $t "longer than 200 bytes" "$long"
        bad_option $t "not valid UTF-8" $'a/\xff'
        bad_option $t '--gap: bad duration "1x" (use 10, 10s, 250ms, 2m)' --gap 1x g
        bad_option $t "--cycle: bad duration" --cycle abc g
        bad_option $t "--cycle: bad duration" --cycle 10d g
        bad_option $t "--timeout: bad duration" --timeout soon g
        bad_option $t "--timeout: must be more than 0" --timeout 0 g
        bad_option $t "--cycle: must be at least 3*gap (cycle 0.2 s, gap 0.1 s)" --cycle 200ms --gap 100ms g
        # Each refusal names the option at fault, not the first word of a reason.
        bad_option $t "--gap: must not exceed 1e+06 s" --gap 300h g
        bad_option $t "--gap: must be at least 0.01 s" --gap 5ms g
        bad_option $t "--cycle: must not exceed 1e+06 s" --cycle 300h g
        bad_option $t "--nodes: must not exceed 10000" --nodes 10001 g
        bad_option $t "--n-hosts: must be between 1 and 1000000" --n-hosts 0 g
        bad_option $t "--value: bad JSON" --value '{bad' g
        bad_option $t "--nodes: bad integer" --nodes x g
        bad_option $t "--splits" --splits 0 g
        bad_option $t "--config-version: must not be negative" --config-version -1 g
        bad_option $t "--broker" -b http://example.org g
        bad_option $t "--name: must not be empty" -n "" g
        bad_option $t "--cert: a certificate needs --key" -b mqtts://localhost --cert "$BATS_TEST_TMPDIR/cert.pem" g
        bad_option $t "--key: a key needs --cert" -b mqtts://localhost --key "$BATS_TEST_TMPDIR/cert.pem" g
        bad_option $t "--cafile: cannot read" -b mqtts://localhost --cafile /nonexistent g
        bad_option $t "--password-file: cannot read" --password-file /nonexistent g
        bad_option $t "--format" --format xml g
        bad_option $t "--bogus" --bogus g
        bad_option $t "--config" --config /nonexistent g
    done
    bad_option actor-join "--count" --count x g
    bad_option actor-join "--count: must not be negative" --count -1 g
    bad_option actor-watch "--ttl: bad duration" --ttl 5x g
}

@test "a bad value in the environment or the config file is named too" {
    ACTOR_BROKER=foo://x bad_option actor-join "--broker" g
    printf 'gap = "1x"\n' >"$BATS_TEST_TMPDIR/bad.conf"
    bad_option actor-join '--gap: bad duration "1x"' --config "$BATS_TEST_TMPDIR/bad.conf" g
}

@test "--version prints the tool name and the project version" {
    run actor-join --version
    assert_success
    assert_output --regexp '^actor-join [0-9]+\.[0-9]+\.[0-9]+$'
    run actor-watch --version
    assert_success
    assert_output --regexp '^actor-watch [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "--help exits 0 and lists the common options" {
    run actor-join --help
    assert_success
    assert_output --partial "--broker"
    assert_output --partial "--password-file"
}
