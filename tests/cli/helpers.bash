# Shared helpers for the command-line tests.
#
# The tests talk to "the channel" only through channel_* functions, so the
# same tests run over MQTT (default) or Serf: ACTOR_TEST_CHANNEL=mqtt|serf.
# A channel instance has a name (its state lives in $BATS_FILE_TMPDIR/ch-NAME)
# and is started and stopped by PID; channel_start exports ACTOR_BROKER for
# the default instance.
#
# Every wait has a deadline; background processes are started with 3>&-
# (else bats waits for them forever) and killed by PID in teardown.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

: "${ACTOR_BIN_DIR:?ACTOR_BIN_DIR must name the directory holding actor-join}"
export PATH="$ACTOR_BIN_DIR:$PATH"
ACTOR_TEST_CHANNEL="${ACTOR_TEST_CHANNEL:-mqtt}"

# Fast timing for every test: a turn a second.
CYCLE=1
GAP=0.1
FAST=(--cycle 1s --gap 0.1s)

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

now_ms() { date +%s%3N; }

# wait_port PORT SECONDS: until something accepts TCP connections on PORT.
wait_port() {
    local port=$1 deadline=$(( $(now_ms) + ${2:-10} * 1000 ))
    until (exec 5<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        (( $(now_ms) < deadline )) || return 1
        sleep 0.05
    done
}

# channel_start [NAME] [USER PASSWORD]: start a private channel; with USER,
# anonymous clients are refused. Restarting a stopped NAME reuses its port.
channel_start() {
    local name=${1:-main} user=${2:-} pass=${3:-}
    local dir="$BATS_FILE_TMPDIR/ch-$name"
    mkdir -p "$dir"
    [[ -f $dir/port ]] || free_port >"$dir/port"
    local port; port=$(<"$dir/port")
    case $ACTOR_TEST_CHANNEL in
    mqtt)
        {
            echo "listener $port 127.0.0.1"
            echo "persistence false"
            echo "log_dest stderr"
            # As root, mosquitto would drop to its own user, which cannot
            # read our temp files.
            echo "user $(id -un)"
            if [[ -n $user ]]; then
                echo "allow_anonymous false"
                echo "password_file $dir/passwd"
            else
                echo "allow_anonymous true"
            fi
        } >"$dir/mosquitto.conf"
        if [[ -n $user ]]; then
            : >"$dir/passwd"
            mosquitto_passwd -b "$dir/passwd" "$user" "$pass"
        fi
        mosquitto -c "$dir/mosquitto.conf" >>"$dir/log" 2>&1 3>&- &
        echo $! >"$dir/pid"
        echo "mqtt://127.0.0.1:$port" >"$dir/url"
        ;;
    serf)
        [[ -f $dir/bind ]] || free_port >"$dir/bind"
        local args=(agent -node "ch-$name-$$" -bind "127.0.0.1:$(<"$dir/bind")"
                    -rpc-addr "127.0.0.1:$port" -log-level warn)
        if [[ -n $user ]]; then
            printf '{"rpc_auth": "%s"}\n' "$pass" >"$dir/serf.json"
            args+=(-config-file "$dir/serf.json")
        fi
        serf "${args[@]}" >>"$dir/log" 2>&1 3>&- &
        echo $! >"$dir/pid"
        echo "serf://127.0.0.1:$port" >"$dir/url"
        ;;
    *) echo "unknown ACTOR_TEST_CHANNEL=$ACTOR_TEST_CHANNEL" >&2; return 1 ;;
    esac
    wait_port "$port" 10 || { cat "$dir/log" >&2; return 1; }
    if [[ $name == main ]]; then
        ACTOR_BROKER=$(<"$dir/url")
        export ACTOR_BROKER
    fi
}

channel_url() { cat "$BATS_FILE_TMPDIR/ch-${1:-main}/url"; }

# channel_stop [NAME]: SIGTERM by PID, reap, SIGKILL after 5 s.
channel_stop() {
    local dir="$BATS_FILE_TMPDIR/ch-${1:-main}"
    [[ -f $dir/pid ]] || return 0
    local pid; pid=$(<"$dir/pid")
    rm -f "$dir/pid"
    kill -TERM "$pid" 2>/dev/null || return 0
    local deadline=$(( $(now_ms) + 5000 ))
    while kill -0 "$pid" 2>/dev/null; do
        if (( $(now_ms) > deadline )); then kill -KILL "$pid" 2>/dev/null; break; fi
        sleep 0.05
    done
    wait "$pid" 2>/dev/null || true
}

# channel_publish GROUP PAYLOAD-FILE: put raw bytes on the group's channel.
channel_publish() {
    local group=$1 file=$2 url; url=$(channel_url)
    case $ACTOR_TEST_CHANNEL in
    mqtt) mosquitto_pub -h 127.0.0.1 -p "${url##*:}" -t "$group" -f "$file" ;;
    serf) serf event -rpc-addr="${url#serf://}" "${group//\//.}" "$(cat "$file")" ;;
    esac
}

# --- per test -------------------------------------------------------------

common_setup() {
    export HOME="$BATS_TEST_TMPDIR/home"
    export XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
    mkdir -p "$HOME"
    unset ACTOR_NAME ACTOR_PASSWORD ACTOR_SERF_AUTH
    # A group of its own per test, so leftovers cannot meet.
    GROUP="test/$BATS_TEST_NUMBER/$RANDOM"
    PIDS=()
}

common_teardown() {
    local pid
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# spawn NAME ARGS...: run ARGS in the background, stdout to $BATS_TEST_TMPDIR/NAME.out,
# stderr to NAME.err, stdin from $SPAWN_STDIN (default /dev/null); its PID in $BATS_TEST_TMPDIR/NAME.pid and in PIDS.
spawn() {
    local name=$1; shift
    # A background job's stdin is /dev/null unless redirected explicitly.
    "$@" <"${SPAWN_STDIN:-/dev/null}" >"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err" 3>&- &
    local pid=$!
    echo "$pid" >"$BATS_TEST_TMPDIR/$name.pid"
    PIDS+=("$pid")
}

out_of() { echo "$BATS_TEST_TMPDIR/$1.out"; }
pid_of() { cat "$BATS_TEST_TMPDIR/$1.pid"; }

# wait_for FILE JQ-FILTER [SECONDS [COUNT]]: until COUNT lines (default 1) of
# FILE match the jq select filter, e.g. '.event=="tag"'.
wait_for() {
    local file=$1 filter=$2 secs=${3:-10} count=${4:-1}
    local deadline=$(( $(now_ms) + secs * 1000 ))
    while true; do
        local n
        n=$(jq -c "select($filter)" "$file" 2>/dev/null | wc -l)
        (( n >= count )) && return 0
        if (( $(now_ms) > deadline )); then
            echo "timed out after ${secs}s waiting for $count x ($filter) in $file:" >&2
            cat "$file" >&2
            cat "${file%.out}.err" >&2 2>/dev/null
            return 1
        fi
        sleep 0.05
    done
}

# wait_exit PID SECONDS: reap PID within the deadline; its status in $EXIT.
wait_exit() {
    local pid=$1 deadline=$(( $(now_ms) + ${2:-10} * 1000 ))
    while kill -0 "$pid" 2>/dev/null; do
        if (( $(now_ms) > deadline )); then
            echo "process $pid still running after ${2:-10}s" >&2
            return 1
        fi
        sleep 0.05
    done
    EXIT=0
    wait "$pid" || EXIT=$?
}

# Milliseconds since the epoch of the events matching FILTER (jq), one per line.
event_ms() {
    jq -r "select($2) | (.time[0:19] + \"Z\" | fromdate) * 1000 + (.time[20:23] | tonumber)" "$1"
}

# The jq expression for an event's time in milliseconds since the epoch.
JQ_MS='((.time[0:19] + "Z" | fromdate) * 1000 + (.time[20:23] | tonumber))'

# first_event_after T0 FILTER SECONDS FILES...: wait until one of FILES has
# an event matching FILTER with a time after T0 (ms); print "ms node".
first_event_after() {
    local t0=$1 filter=$2 secs=$3; shift 3
    local deadline=$(( $(now_ms) + secs * 1000 ))
    while true; do
        local hit
        hit=$(cat "$@" 2>/dev/null | jq -r "select(($filter) and $JQ_MS > $t0) | \"\($JQ_MS) \(.node)\"" 2>/dev/null |
            sort -n | head -1)
        if [[ -n $hit ]]; then echo "$hit"; return 0; fi
        if (( $(now_ms) > deadline )); then
            echo "no ($filter) after $t0 within ${secs}s in $*" >&2
            local f; for f in "$@"; do echo "== $f" >&2; cat "$f" >&2; done
            return 1
        fi
        sleep 0.05
    done
}

# never_two_tagged FILES...: sweep the tag/untag events of all FILES in time
# order (an untag before a tag at the same millisecond); fail on overlap.
never_two_tagged() {
    cat "$@" | jq -r "select(.event==\"tag\" or .event==\"untag\") |
        \"\($JQ_MS) \(if .event==\"tag\" then 1 else 0 end) \(.node)\"" |
        sort -n -k1,1 -k2,2 |
        awk '$2==1 { if (n++ > 0) { print "two tagged at " $1 " (" $3 ")"; bad=1 } }
             $2==0 { if (n > 0) n-- }
             END { exit bad }'
}
