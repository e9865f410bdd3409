# Shared helpers for the command-line tests.
#
# The tests talk to "the channel" only through channel_* functions, so the
# same tests run over MQTT (default) or Serf: ACTOR_TEST_CHANNEL=mqtt|serf.
# A channel instance has a name (its state lives in $BATS_FILE_TMPDIR/ch-NAME)
# and is started and stopped by PID; channel_start exports ACTOR_BROKER for
# the default instance.
#
# Over MQTT a channel is one mosquitto. Over Serf it is a cluster of
# SERF_AGENTS (3) agents on loopback (-profile local), agents 2.. joined to
# agent 1, and spawn hands the nodes of a test out round-robin over the
# agents of the main channel, so the rotation really crosses gossip.
#
# Every wait has a deadline; background processes are started with 3>&-
# (else bats waits for them forever) and killed by PID in teardown.

CLI_TESTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"  # tests/cli
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

: "${ACTOR_BIN_DIR:?ACTOR_BIN_DIR must name the directory holding actor-join}"
export PATH="$ACTOR_BIN_DIR:$PATH"
ACTOR_TEST_CHANNEL="${ACTOR_TEST_CHANNEL:-mqtt}"
SERF_AGENTS=3

# Timing for every test, in seconds; tests derive their waits from these
# (see turns), never from literals.
# MQTT on loopback delivers in well under a millisecond: a turn a second
# with a 0.1 s gap. Serf gossips a user event to the other agents on the
# local profile's 100 ms tick: median ~50 ms, up to 100-200 ms (docs/SERF-RPC.md
# section 11). A 0.1 s gap is below that, so nodes on different agents
# would hear each other's pings after their gap closed and collide; a
# 0.5 s gap is 2.5 times the worst tick. The cycle is the smallest the
# protocol allows with it (3*gap), to keep the suite's wall time down.
case $ACTOR_TEST_CHANNEL in
serf) CYCLE=1.5 GAP=0.5 ;;
*) CYCLE=1 GAP=0.1 ;;
esac
FAST=(--cycle "${CYCLE}s" --gap "${GAP}s")

# long_over_serf REASON: over Serf, skip this test unless ACTOR_LONG=1. For
# tests whose subject does not depend on the transport (the MQTT run covers
# them) and which the slower Serf timing makes long: cli-serf must stay
# within its CI budget of about 4 minutes.
long_over_serf() {
    [[ $ACTOR_TEST_CHANNEL == mqtt || -n ${ACTOR_LONG:-} ]] ||
        skip "over Serf only with ACTOR_LONG=1: $1"
}

# timing_ms NAME: a duration derived from the current timing (the options in
# FAST) in whole ms, as actor-watch --print-timing prints it from
# actor/timing.hpp, the one place the formulas live (turn_bound,
# off_chain_turn_bound, member_ttl, tag_length, ...). A tool option rather
# than a file generated at build time, because the timing is chosen at run
# time (the channel, faults.bash's use_timing). Cached per FAST in
# $BATS_FILE_TMPDIR (the callers run in $(...) subshells).
timing_ms() {
    local key cache=""
    key=$(printf '%s_' "${FAST[@]}" | tr -c 'A-Za-z0-9.' '_')
    [[ -z ${BATS_FILE_TMPDIR:-} ]] || cache="$BATS_FILE_TMPDIR/timing-$key"
    if [[ -z $cache || ! -s $cache ]]; then
        local lines
        lines=$(actor-watch --print-timing "${FAST[@]}" timing/query) || return 1
        if [[ -n $cache ]]; then printf '%s\n' "$lines" >"$cache.$$" && mv "$cache.$$" "$cache"; fi
    fi
    local ms
    if [[ -n $cache ]]; then
        ms=$(jq -r --arg n "$1" 'select(.name==$n) | .ms' "$cache")
    else
        ms=$(jq -r --arg n "$1" 'select(.name==$n) | .ms' <<<"$lines")
    fi
    [[ -n $ms ]] || { echo "timing_ms: no duration named $1" >&2; return 1; }
    echo "$ms"
}

# turns N: whole seconds (rounded up) that N off-chain turn bounds
# (cycle + 3*gap) take; the unit for deadlines and --timeout values.
turns() {
    local ms; ms=$(timing_ms off_chain_turn_bound) || return 1
    echo $(( ($1 * ms + 999) / 1000 ))
}

# ms_of EXPR: an awk expression over CYCLE and GAP (seconds) in whole ms.
ms_of() { awk -v CYCLE="$CYCLE" -v GAP="$GAP" "BEGIN { printf \"%d\", ($1) * 1000 }"; }

# free_port [--udp]: a loopback port free now, below the ephemeral range
# (scripts/free_port.py says why); --udp: free for UDP too (Serf's -bind).
free_port() { python3 "$CLI_TESTS_DIR/../../scripts/free_port.py" "$@"; }

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
# anonymous clients are refused (Serf: PASSWORD becomes every agent's RPC
# auth key, USER is ignored). Restarting a stopped NAME reuses its ports.
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
        wait_port "$port" 10 || { cat "$dir/log" >&2; return 1; }
        ;;
    serf) serf_cluster_start "$dir" "$name" "$pass" || return 1 ;;
    *) echo "unknown ACTOR_TEST_CHANNEL=$ACTOR_TEST_CHANNEL" >&2; return 1 ;;
    esac
    if [[ $name == main ]]; then
        ACTOR_BROKER=$(<"$dir/url")
        export ACTOR_BROKER
    fi
}

# serf_cluster_start DIR NAME [AUTHKEY]: SERF_AGENTS agents; agent I has
# its RPC port in DIR/port.I (agent 1's also in DIR/port, its URL in
# DIR/url), its PID in DIR/pid.I and its log in DIR/log.I. Agent 1 starts
# alone, the others -join it (a -join that fails makes an agent exit, so
# joining agents that are not up yet is not an option). Returns once every
# RPC port accepts and every agent sees all SERF_AGENTS members alive
# (rejoining the others while it does not: see below).
serf_cluster_start() {
    local dir=$1 name=$2 key=${3:-} i
    cp "$dir/port" "$dir/port.1"
    local auth=()
    if [[ -n $key ]]; then
        printf '{"rpc_auth": "%s"}\n' "$key" >"$dir/serf.json"
        auth=(-config-file "$dir/serf.json")
    fi
    for (( i = 1; i <= SERF_AGENTS; i++ )); do
        [[ -f $dir/port.$i ]] || free_port >"$dir/port.$i"
        [[ -f $dir/bind.$i ]] || free_port --udp >"$dir/bind.$i"
        local args=(agent -node "ch-$name-$i-$$" -bind "127.0.0.1:$(<"$dir/bind.$i")"
                    -rpc-addr "127.0.0.1:$(<"$dir/port.$i")" -profile local
                    -log-level warn "${auth[@]}")
        (( i == 1 )) || args+=(-join "127.0.0.1:$(<"$dir/bind.1")")
        serf "${args[@]}" >>"$dir/log.$i" 2>&1 3>&- &
        echo $! >"$dir/pid.$i"
        echo "serf://127.0.0.1:$(<"$dir/port.$i")" >"$dir/url.$i"
        # Agent 1 must accept joins before the others start.
        if (( i == 1 )); then
            wait_port "$(<"$dir/port.1")" 10 || { cat "$dir/log.1" >&2; return 1; }
        fi
    done
    cp "$dir/url.1" "$dir/url"
    # On a loaded machine an agent can miss a probe and hold another as
    # failed (the local profile's probes time out after 200 ms) until its
    # reconnect, 30 s later: an agent that does not see them all alive
    # after 2 s joins every agent again, every 2 s, up to 30 s in all.
    local started; started=$(now_ms)
    local deadline=$(( started + 30000 )) rpc_auth=() binds=() rejoin
    [[ -z $key ]] || rpc_auth=(-rpc-auth="$key")
    for (( i = 1; i <= SERF_AGENTS; i++ )); do binds+=("127.0.0.1:$(<"$dir/bind.$i")"); done
    for (( i = 1; i <= SERF_AGENTS; i++ )); do
        rejoin=$(( started + 2000 ))
        until wait_port "$(<"$dir/port.$i")" 1 &&
            (( $(serf members -rpc-addr="127.0.0.1:$(<"$dir/port.$i")" "${rpc_auth[@]}" \
                    -status=alive 2>/dev/null | wc -l) == SERF_AGENTS )); do
            if (( $(now_ms) > deadline )); then
                echo "serf agent $i of $name: no cluster of $SERF_AGENTS within 30 s" >&2
                cat "$dir"/log.* >&2
                return 1
            fi
            if (( $(now_ms) > rejoin )); then
                serf join -rpc-addr="127.0.0.1:$(<"$dir/port.$i")" "${rpc_auth[@]}" \
                    "${binds[@]}" >/dev/null 2>&1 || true
                rejoin=$(( $(now_ms) + 2000 ))
            fi
            sleep 0.05
        done
    done
}

# channel_url [NAME] [I]: the URL of the channel; over Serf, of its agent
# I (counted round-robin from 1; default 1).
channel_url() {
    local dir="$BATS_FILE_TMPDIR/ch-${1:-main}"
    if [[ $ACTOR_TEST_CHANNEL == serf ]]; then
        cat "$dir/url.$(( ( ${2:-1} - 1 ) % SERF_AGENTS + 1 ))"
    else
        cat "$dir/url"
    fi
}

# node_broker I: the URL the I-th node (from 1) of a test on the main channel uses.
node_broker() { channel_url main "$1"; }

# channel_stop [NAME]: SIGTERM every server of the channel by PID, reap,
# SIGKILL what still runs after 5 s.
channel_stop() {
    local dir="$BATS_FILE_TMPDIR/ch-${1:-main}" f pid pids=()
    for f in "$dir"/pid "$dir"/pid.*; do
        [[ -f $f ]] || continue
        pids+=("$(<"$f")")
        rm -f "$f"
    done
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    local deadline=$(( $(now_ms) + 5000 ))
    for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null; do
            if (( $(now_ms) > deadline )); then kill -KILL "$pid" 2>/dev/null; break; fi
            sleep 0.05
        done
        wait "$pid" 2>/dev/null || true
    done
}

# channel_publish GROUP PAYLOAD-FILE: put raw bytes on the group's channel
# (Serf: a user event without coalescing, which would hold it for a second
# and keep only the newest of a burst).
channel_publish() {
    local group=$1 file=$2 url; url=$(channel_url)
    case $ACTOR_TEST_CHANNEL in
    mqtt) mosquitto_pub -h 127.0.0.1 -p "${url##*:}" -t "$group" -f "$file" ;;
    serf) serf event -rpc-addr="${url#serf://}" -coalesce=false "${group//\//.}" "$(cat "$file")" ;;
    esac
}

# channel_publish_bytes GROUP FILE...: each FILE's exact bytes as one
# message (Serf: over the agent's RPC, tests/cli/serf-raw.py; `serf event`
# takes the payload as an argument, which cannot hold a NUL byte; Debian's
# python3 with python3-msgpack, whatever python3 is first on PATH).
channel_publish_bytes() {
    local group=$1 url f; shift; url=$(channel_url)
    case $ACTOR_TEST_CHANNEL in
    mqtt) for f in "$@"; do mosquitto_pub -h 127.0.0.1 -p "${url##*:}" -t "$group" -f "$f"; done ;;
    serf) /usr/bin/python3 "$CLI_TESTS_DIR/serf-raw.py" publish "${url#serf://}" "${group//\//.}" "$@" ;;
    esac
}

# channel_capture GROUP SECONDS: every message on GROUP for SECONDS, each
# as one line of hex on stdout.
channel_capture() {
    local group=$1 secs=$2 url; url=$(channel_url)
    case $ACTOR_TEST_CHANNEL in
    mqtt) mosquitto_sub -h 127.0.0.1 -p "${url##*:}" -t "$group" -F '%x' -W "$secs" || true ;;
    serf) /usr/bin/python3 "$CLI_TESTS_DIR/serf-raw.py" capture "${url#serf://}" "${group//\//.}" "$secs" ;;
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
    SPAWNED=0
}

common_teardown() {
    local pid
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# spawn NAME ARGS...: run ARGS in the background, stdout to $BATS_TEST_TMPDIR/NAME.out,
# stderr to NAME.err, stdin from $SPAWN_STDIN (default /dev/null); its PID in $BATS_TEST_TMPDIR/NAME.pid and in PIDS.
# Over Serf the I-th spawned process gets ACTOR_BROKER=$(node_broker I), so
# a test's nodes sit on different agents (a -b in ARGS still wins).
spawn() {
    local name=$1; shift
    local env=()
    SPAWNED=$(( SPAWNED + 1 ))
    if [[ $ACTOR_TEST_CHANNEL == serf && -f $BATS_FILE_TMPDIR/ch-main/url.1 ]]; then
        env=(env "ACTOR_BROKER=$(node_broker "$SPAWNED")")
    fi
    # A background job's stdin is /dev/null unless redirected explicitly.
    "${env[@]}" "$@" <"${SPAWN_STDIN:-/dev/null}" >"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err" 3>&- &
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
# order (an untag before a tag at the same millisecond; a detag ends a turn
# as an untag does); fail on overlap, printing one line per overlap.
never_two_tagged() {
    cat "$@" | jq -r "select(.event==\"tag\" or .event==\"untag\" or .event==\"detag\") |
        \"\($JQ_MS) \(if .event==\"tag\" then 1 else 0 end) \(.node)\"" |
        sort -n -k1,1 -k2,2 |
        awk '$2==1 { if (n++ > 0) { print "two tagged at " $1 " (" $3 ")"; bad=1 } }
             $2==0 { if (n > 0) n-- }
             END { exit bad }'
}

# start_pair TURNS: nodes a (value 1) and b (value 2) in $GROUP, each ending
# after TURNS turns (--timeout), returning once both have been tagged.
start_pair() {
    local secs="$(turns "$1")s"
    spawn a actor-join -n a "${FAST[@]}" --value 1 --timeout "$secs" "$GROUP"
    spawn b actor-join -n b "${FAST[@]}" --value 2 --timeout "$secs" "$GROUP"
    wait_for "$(out_of a)" '.event=="tag"' "$(turns 15)"
    wait_for "$(out_of b)" '.event=="tag"' "$(turns 15)"
}
