#!/usr/bin/env bats
# actor-join over mqtts://: server verification against --cafile, a wrong
# CA, and client certificates (--cert/--key) on a listener that requires one.
#
# One private mosquitto with two TLS listeners on loopback: TLS_PORT (server
# certificate only) and MTLS_PORT (require_certificate true). The PKI is
# made fresh with openssl in $BATS_FILE_TMPDIR/pki for every run.

load helpers

# Slack in whole seconds on top of a failing node's --timeout (which bounds
# the first connection) before we call it a hang.
FAIL_SLACK=5

# mkcert NAME CA EXTENSIONS SUBJECT: an EC key NAME.key and a certificate
# NAME.pem signed by CA (CA.pem/CA.key), valid for two days.
mkcert() {
    local name=$1 ca=$2 ext=$3 subj=$4
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$name.key" -out "$name.csr" -subj "$subj" 2>/dev/null || return 1
    printf '%s\n' "$ext" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -set_serial "0x$(openssl rand -hex 8)" \
        -days 2 -extfile "$name.ext" -out "$name.pem" 2>/dev/null
}

# mkca NAME: a self-signed CA NAME.pem/NAME.key.
mkca() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$1.key" -out "$1.pem" -days 2 -subj "/CN=actor test $1" 2>/dev/null
}

setup_file() {
    # (Bats 1.8 cannot skip from setup_file: setup skips each test.)
    [[ $ACTOR_TEST_CHANNEL == mqtt ]] || return 0
    PKI="$BATS_FILE_TMPDIR/pki"
    mkdir -p "$PKI"
    (
        cd "$PKI" &&
            mkca ca && mkca otherca &&
            mkcert server ca $'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth' /CN=127.0.0.1 &&
            mkcert client ca 'extendedKeyUsage=clientAuth' /CN=actor-test-client
    ) || { echo "openssl could not make the test PKI" >&2; return 1; }
    export PKI

    local dir="$BATS_FILE_TMPDIR/tls-broker"
    mkdir -p "$dir"
    TLS_PORT=$(free_port)
    MTLS_PORT=$(free_port)
    while [[ $MTLS_PORT == "$TLS_PORT" ]]; do MTLS_PORT=$(free_port); done
    export TLS_PORT MTLS_PORT
    {
        echo "persistence false"
        echo "log_dest stderr"
        echo "log_type all"
        # As root, mosquitto would drop to its own user, which cannot read
        # our temp files.
        echo "user $(id -un)"
        echo "allow_anonymous true"
        echo "listener $TLS_PORT 127.0.0.1"
        echo "cafile $PKI/ca.pem"
        echo "certfile $PKI/server.pem"
        echo "keyfile $PKI/server.key"
        echo "listener $MTLS_PORT 127.0.0.1"
        echo "cafile $PKI/ca.pem"
        echo "certfile $PKI/server.pem"
        echo "keyfile $PKI/server.key"
        echo "require_certificate true"
    } >"$dir/mosquitto.conf"
    mosquitto -c "$dir/mosquitto.conf" >>"$dir/log" 2>&1 3>&- &
    echo $! >"$dir/pid"
    { wait_port "$TLS_PORT" 10 && wait_port "$MTLS_PORT" 10; } || { cat "$dir/log" >&2; return 1; }
}

teardown_file() {
    local pidfile="$BATS_FILE_TMPDIR/tls-broker/pid"
    [[ -f $pidfile ]] || return 0
    local pid; pid=$(<"$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$(( $(now_ms) + 5000 ))
    while kill -0 "$pid" 2>/dev/null; do
        if (( $(now_ms) > deadline )); then kill -KILL "$pid" 2>/dev/null; break; fi
        sleep 0.05
    done
    wait "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

setup() {
    common_setup
    [[ $ACTOR_TEST_CHANNEL == mqtt ]] || skip "TLS is an MQTT transport feature"
}
teardown() { common_teardown; }

# join_ok NAME URL ARGS...: one node takes one turn over URL and exits 0,
# having printed `connected` and then `untag`.
join_ok() {
    local name=$1 url=$2; shift 2
    spawn "$name" actor-join -b "$url" "$@" --count 1 --timeout 20s --cycle 1s --gap 0.1s -n tls "$GROUP"
    wait_exit "$(pid_of "$name")" 25
    cat "$BATS_TEST_TMPDIR/$name.err" >&2
    assert_equal "$EXIT" 0
    run jq -r '.event' "$(out_of "$name")"
    assert_success
    # `connected` comes first, and an `untag` follows it.
    assert_equal "${lines[0]}" connected
    printf '%s\n' "${lines[@]}" | grep -qx untag
}

# join_fails NAME URL TIMEOUT ARGS...: the node, given --timeout TIMEOUT
# (whole seconds), gives up within it plus slack (no hang) and never
# reports `connected`; its status in $EXIT, its stderr in $ERR, how long it
# ran in $TOOK (ms).
join_fails() {
    local name=$1 url=$2 timeout=$3; shift 3
    local t0; t0=$(now_ms)
    spawn "$name" actor-join -b "$url" "$@" --count 1 --timeout "${timeout}s" --cycle 1s --gap 0.1s -n tls "$GROUP"
    wait_exit "$(pid_of "$name")" $(( timeout + FAIL_SLACK ))
    TOOK=$(( $(now_ms) - t0 ))
    echo "exit $EXIT after $TOOK ms" >&2
    ERR=$(<"$BATS_TEST_TMPDIR/$name.err")
    echo "$ERR" >&2
    run jq -c 'select(.event=="connected")' "$(out_of "$name")"
    assert_output ""
}

@test "mqtts with --cafile: connects, takes a turn, exits 0" {
    join_ok a "mqtts://127.0.0.1:$TLS_PORT" --cafile "$PKI/ca.pem"
}

@test "mqtts with the wrong CA: exit 69 at once, one stderr line names the TLS failure" {
    join_fails a "mqtts://127.0.0.1:$TLS_PORT" 20 --cafile "$PKI/otherca.pem"
    # A certificate that does not verify is unavailable (69), not denied
    # (77), and final: the transport does not retry it until --timeout.
    assert_equal "$EXIT" 69
    (( TOOK < 5000 ))
    assert_equal "$(grep -c . <<<"$ERR")" 1
    grep -q "TLS handshake with mqtts://127.0.0.1:$TLS_PORT failed: .*certificate did not verify" <<<"$ERR"
}

@test "required client certificate: --cert/--key connect and take a turn" {
    join_ok a "mqtts://127.0.0.1:$MTLS_PORT" --cafile "$PKI/ca.pem" --cert "$PKI/client.pem" --key "$PKI/client.key"
}

@test "required client certificate: without --cert/--key the connect fails (69)" {
    # The broker drops the connection after the handshake, which looks like
    # any lost connection: retried until --timeout, then unavailable.
    join_fails a "mqtts://127.0.0.1:$MTLS_PORT" 3 --cafile "$PKI/ca.pem"
    assert_equal "$EXIT" 69
    grep -qF "mqtts://127.0.0.1:$MTLS_PORT" <<<"$ERR"
}

@test "--cert without --key: exit 64 with a one-line reason" {
    run -64 --separate-stderr actor-join -b "mqtts://127.0.0.1:$MTLS_PORT" --cafile "$PKI/ca.pem" \
        --cert "$PKI/client.pem" --count 1 --timeout 5s "$GROUP"
    assert_output ""
    assert_equal "${#stderr_lines[@]}" 1
    [[ $stderr == *--cert*--key* ]]
}
