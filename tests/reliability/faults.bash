# Helpers for the channel-fault suites (issue 10, "no channel, no turn"), on
# top of lib.bash: kill, hang and restart the channel's server, cut one node
# off through a relay, and judge what the nodes printed against the rules
#   1. a turn needs the channel: `tag` only for a ping whose own copy came
#      back within `gap`; else no tag and one `error` event, not one a turn;
#   2. losing the channel ends the turn: `untag` with "reason":"disconnected"
#      at once, no ping/tag/report while disconnected, back within 2 cycles.
# A suite may set ACTOR_TEST_CHANNEL=serf before `load faults` (the timing of
# tests/cli/helpers.bash follows it); fault_setup keeps that choice.

load lib

# --- timing: the only place where turns are derived from the options ------

# use_timing CYCLE GAP: the timing (seconds) of the nodes a test starts from
# now on; FAST holds their options, and every bound below derives from it.
# The chain is as long as the group of three (--nodes 3 --n-hosts 3, as in
# scripts/demo.sh), so a node back from an outage gets onto it within a few
# turns instead of waiting for the 1-in-30 early slot of the defaults.
use_timing() {
    CYCLE=$1 GAP=$2
    FAST=(--cycle "${CYCLE}s" --gap "${GAP}s" --nodes 3 --n-hosts 3)
}
use_timing "$CYCLE" "$GAP"   # the channel's timing (tests/cli/helpers.bash)

# turn_bound: one turn's upper bound in ms: the next ping comes within
# cycle + 2*gap (+ gap/3 for a node not `ready`, docs/PROTOCOL.md "Next ping
# time"), its tag a gap after it: cycle + 3*gap (the unit of `turns`).
turn_bound() { timing_ms off_chain_turn_bound; }

# gap_ms: the gap in ms, the slack allowed after a fault starts for a tag
# whose ping was echoed just before.
gap_ms() { ms_of GAP; }

# secs_of MS: whole seconds, rounded up (for wait_for deadlines).
secs_of() { echo $(( ( $1 + 999 ) / 1000 )); }

# The deliberate outages last this long (ms): ~5 turns over MQTT, 2 over Serf.
OUTAGE_MS=6000

# ride_out T: sleep until the outage that began at T (ms) has lasted OUTAGE_MS.
ride_out() {
    local left=$(( $1 + OUTAGE_MS - $(now_ms) ))
    (( left <= 0 )) || sleep "$(awk -v ms="$left" 'BEGIN { print ms / 1000 }')"
}

# --- per test ------------------------------------------------------------

fault_setup() {
    local channel=$ACTOR_TEST_CHANNEL
    rel_setup
    ACTOR_TEST_CHANNEL=$channel
    STOPPED=()
}

fault_teardown() {
    # A stopped server handles no SIGTERM: continue it first.
    local pid
    for pid in "${STOPPED[@]}"; do kill -CONT "$pid" 2>/dev/null || true; done
    rel_teardown
}

# --- the channel's server ------------------------------------------------

# server_pid [I]: the PID of the main channel's broker (Serf: of agent I).
server_pid() {
    local dir="$BATS_FILE_TMPDIR/ch-main"
    if [[ $ACTOR_TEST_CHANNEL == serf ]]; then cat "$dir/pid.${1:-1}"; else cat "$dir/pid"; fi
}

# server_kill9 [I]: SIGKILL the broker (Serf: agent I) and reap it; its
# time (ms) in KILLED_AT.
server_kill9() {
    if [[ $ACTOR_TEST_CHANNEL == serf ]]; then
        local f="$BATS_FILE_TMPDIR/ch-main/pid.${1:-1}" pid
        pid=$(<"$f")
        rm -f "$f"
        kill -KILL "$pid"
        KILLED_AT=$(now_ms)
        wait "$pid" 2>/dev/null || true
    else
        broker_kill9 main
        KILLED_AT=$(now_ms)
    fi
}

# server_restart [I]: start the killed broker again on its port (Serf: agent
# I with its name and ports, joining agent 1); its time (ms) in BACK_AT.
server_restart() {
    if [[ $ACTOR_TEST_CHANNEL == serf ]]; then
        serf_agent_restart "${1:-1}"
    else
        channel_start
    fi
    BACK_AT=$(now_ms)
}

# serf_agent_restart I (I > 1): the agent as serf_cluster_start started it,
# until the RPC port accepts and the agent sees the whole cluster alive.
serf_agent_restart() {
    local i=$1 dir="$BATS_FILE_TMPDIR/ch-main"
    serf agent -node "ch-main-$i-$$" -bind "127.0.0.1:$(<"$dir/bind.$i")" \
        -rpc-addr "127.0.0.1:$(<"$dir/port.$i")" -profile local -log-level warn \
        -join "127.0.0.1:$(<"$dir/bind.1")" >>"$dir/log.$i" 2>&1 3>&- &
    echo $! >"$dir/pid.$i"
    local deadline=$(( $(now_ms) + 10000 ))
    until wait_port "$(<"$dir/port.$i")" 1 &&
        (( $(serf members -rpc-addr="127.0.0.1:$(<"$dir/port.$i")" -status=alive 2>/dev/null | wc -l) == SERF_AGENTS )); do
        (( $(now_ms) < deadline )) || { echo "agent $i did not rejoin within 10 s" >&2; cat "$dir/log.$i" >&2; return 1; }
        sleep 0.05
    done
}

# server_stop [I] / server_cont [I]: hang the broker (agent I) with its
# connections open (SIGSTOP), and resume it; the times in STOPPED_AT / BACK_AT.
server_stop() {
    local pid; pid=$(server_pid "$@")
    kill -STOP "$pid"
    STOPPED_AT=$(now_ms)
    STOPPED+=("$pid")
}
server_cont() {
    kill -CONT "$(server_pid "$@")"
    BACK_AT=$(now_ms)
}

# --- a silent cut between one node and the broker (MQTT) -----------------

# relay_start NAME: a relay (tests/cli/mqtt-cut-relay.py) to the main broker;
# a node started with -b "$(relay_url NAME)" talks to the broker through it.
relay_start() {
    local name=$1 port; port=$(free_port)
    echo "$port" >"$BATS_TEST_TMPDIR/$name.port"
    local broker; broker=$(channel_url); broker=${broker##*:}
    spawn "$name" python3 "$BATS_TEST_DIRNAME/../cli/mqtt-cut-relay.py" "$port" "$broker" "$BATS_TEST_TMPDIR/$name.cut"
    wait_port "$port" 10 || { cat "$BATS_TEST_TMPDIR/$name.err" >&2; return 1; }
}
relay_url() { echo "mqtt://127.0.0.1:$(<"$BATS_TEST_TMPDIR/$1.port")"; }

# relay_cut NAME / relay_heal NAME: from now on the relay drops every PUBLISH
# both ways and keeps the sockets and the keepalive going (nobody sees a
# disconnect); and forwards them again. The times in CUT_AT / BACK_AT.
relay_cut() { : >"$BATS_TEST_TMPDIR/$1.cut"; CUT_AT=$(now_ms); }
relay_heal() { rm -f "$BATS_TEST_TMPDIR/$1.cut"; BACK_AT=$(now_ms); }

# --- reading what the nodes printed --------------------------------------

# events_in NAME T0 T1 JQ-FILTER: the node's event lines matching the filter
# with a time in [T0, T1) ms.
events_in() {
    jq -c --argjson t0 "$2" --argjson t1 "$3" "select(($4) and $JQ_MS >= \$t0 and $JQ_MS < \$t1)" "$(out_of "$1")" 2>/dev/null
}

# tag_now TURNS NAME...: wait (at most TURNS turns) for a fresh tag of one
# of the nodes; that node's name in TAGGED.
tag_now() {
    local turns=$1; shift
    local before; before=$(tags_total "$@")
    local deadline=$(( $(now_ms) + turns * $(turn_bound) )) x
    until (( $(tags_total "$@") > before )); do
        (( $(now_ms) < deadline )) || { echo "no new tag of $* within $turns turns" >&2; timeline "$@" >&2; return 1; }
        sleep 0.02
    done
    TAGGED=""
    for x in "$@"; do
        [[ $(jq -r 'select(.event=="tag" or .event=="untag" or .event=="detag") | .event' "$(out_of "$x")" | tail -1) == tag ]] && TAGGED=$x
    done
    [[ -n $TAGGED ]] || { echo "the new tag was over before it was seen" >&2; return 1; }
}

# no_tag_starts T0 T1 NAME...: no node starts a tag in [T0 + gap, T1) (a
# tag in the first gap may come from a ping echoed before the fault); fail
# quoting the offending lines.
no_tag_starts() {
    local t0=$(( $1 + $(gap_ms) )) t1=$2 x bad=""; shift 2
    for x in "$@"; do bad+=$(events_in "$x" "$t0" "$t1" '.event=="tag"'); done
    [[ -z $bad ]] || { echo "tags started while the node could not be heard ($t0..$t1):"; echo "$bad"; return 1; } >&2
}

# slack_tags_end_disconnected T0 NAME...: a tag that started in the slack
# gap after T0 (a kill at T0) must end with untag reason "disconnected".
slack_tags_end_disconnected() {
    local t0=$1 x; shift
    for x in "$@"; do
        [[ -n $(events_in "$x" "$t0" $(( t0 + $(gap_ms) )) '.event=="tag"') ]] || continue
        [[ -n $(events_in "$x" "$t0" 9999999999999 '.event=="untag" and .reason=="disconnected"') ]] ||
            { echo "$x tagged just after the fault and did not untag for the disconnect:" >&2; cat "$(out_of "$x")" >&2; return 1; }
    done
}

# untag_disconnected NAME SECONDS: the node prints `untag` with reason
# "disconnected", within a gap of its `disconnected` event.
untag_disconnected() {
    local x=$1
    wait_for "$(out_of "$x")" '.event=="untag" and .reason=="disconnected"' "$2" || return 1
    local lost untag
    lost=$(event_ms "$(out_of "$x")" '.event=="disconnected"' | tail -1)
    untag=$(event_ms "$(out_of "$x")" '.event=="untag" and .reason=="disconnected"' | tail -1)
    (( untag - lost <= $(gap_ms) && lost - untag <= $(gap_ms) )) ||
        { echo "$x: untag $(( untag - lost )) ms after disconnected, not at once" >&2; return 1; }
}

# silent_while_disconnected NAME...: between a `disconnected` line and the
# next `connected` line a node prints no `tag` and no `ping` report.
silent_while_disconnected() {
    local x bad
    for x in "$@"; do
        bad=$(jq -c -n 'foreach inputs as $e (false;
                 if $e.event == "disconnected" then true elif $e.event == "connected" then false else . end;
                 if . and ($e.event == "tag" or $e.event == "ping") then $e else empty end)' "$(out_of "$x")")
        [[ -z $bad ]] || { echo "$x while disconnected:"; echo "$bad"; return 1; } >&2
    done
}

# errors_once T0 T1 MAX NAME...: each node printed at most MAX `error`
# events in [T0, T1) (the channel failing is said once, not every turn), and
# at least one of them printed one.
errors_once() {
    local t0=$1 t1=$2 max=$3 x n total=0; shift 3
    for x in "$@"; do
        n=$(events_in "$x" "$t0" "$t1" '.event=="error"' | wc -l)
        (( n <= max )) || { echo "$x: $n error events in $(( t1 - t0 )) ms:"; events_in "$x" "$t0" "$t1" '.event=="error"'; return 1; } >&2
        total=$(( total + n ))
    done
    (( total > 0 )) || { echo "no error event from $* about the channel failing" >&2; return 1; }
}

# reconnected T NAME...: every node prints a `connected` event after T (ms),
# within an outage's worst backoff (5 s) and a turn; the earliest of those
# times in FIRST_CONNECTED_AT, the latest in CONNECTED_AT.
reconnected() {
    local t=$1 x ms; shift
    local secs; secs=$(secs_of $(( 5000 + $(turn_bound) )))
    CONNECTED_AT=$t FIRST_CONNECTED_AT=""
    for x in "$@"; do
        wait_for "$(out_of "$x")" ".event==\"connected\" and $JQ_MS > $t" "$secs" || return 1
        ms=$(event_ms "$(out_of "$x")" '.event=="connected"' | tail -1)
        (( ms > CONNECTED_AT )) && CONNECTED_AT=$ms
        [[ -n $FIRST_CONNECTED_AT ]] && (( ms >= FIRST_CONNECTED_AT )) || FIRST_CONNECTED_AT=$ms
    done
    echo "# reconnected $(( FIRST_CONNECTED_AT - t ))..$(( CONNECTED_AT - t )) ms after the channel came back" >&3
}

# rotation_back T NAME...: the first tag after T (ms; the last member's
# return, CONNECTED_AT, or the end of a fault no one disconnected for) comes
# within 2 turns. From the first return it need not: a member that comes
# back later and outranks the head restarts the chain (docs/PROTOCOL.md).
rotation_back() {
    local t=$1; shift
    local files=() x
    for x in "$@"; do files+=("$(out_of "$x")"); done
    local hit; hit=$(first_event_after "$t" '.event=="tag"' "$(secs_of $(( 2 * $(turn_bound) + 1000 )))" "${files[@]}") || return 1
    local late=$(( ${hit%% *} - t ))
    echo "# first tag ${late} ms after the channel came back (${hit#* }; bound 2 turns = $(( 2 * $(turn_bound) )) ms)" >&3
    (( late <= 2 * $(turn_bound) )) || { echo "the rotation came back ${late} ms after the channel, more than 2 turns" >&2; timeline "$@" >&2; return 1; }
}

# no_twins NAME...: every node still runs (no exit 78 or anything else) and
# none reported a name twin.
no_twins() {
    alive "$@" || return 1
    local x
    for x in "$@"; do
        if jq -r 'select(.event=="error") | .message' "$(out_of "$x")" | grep -qi twin; then
            echo "$x reported a twin:" >&2; cat "$(out_of "$x")" >&2; return 1
        fi
    done
}

# timeline NAME...: the nodes' tag, untag, detag, error and connection
# events and the fault's marks (KILLED_AT, STOPPED_AT, ...), in time order.
timeline() {
    local x v
    {
    for x in "$@"; do
        jq -r --arg n "$x" "select(.event|test(\"^(tag|untag|detag|error|connected|disconnected)\$\")) |
            \"\($JQ_MS) \(\$n) \(.event) \(.reason // .message // \"\")\"" "$(out_of "$x")"
    done
    for v in KILLED_AT STOPPED_AT CUT_AT ACL_AT BACK_AT FIRST_CONNECTED_AT CONNECTED_AT; do
        [[ -z ${!v:-} ]] || echo "${!v} -- $v"
    done
    } 2>/dev/null | sort -n
}

# one_it NAME...: over the whole run, no node's tag began while another's
# was still open (lib.bash overlapping_tags); fail with the tag timeline.
one_it() {
    local files=() x
    for x in "$@"; do files+=("$(out_of "$x")"); done
    local n; n=$(overlapping_tags "${files[@]}")
    (( n == 0 )) && return 0
    echo "$n tags began while another node was tagged:" >&2
    timeline "$@" >&2
    return 1
}

# gossip_overlap_at_most N T NAME...: over Serf an agent restart can lose
# gossip between agents, and on a loaded machine gossip can be delayed
# beyond the gap at any time (actor(7), "What the echo proves"): at most N
# tags may begin while another node is tagged, at most one of them outside
# the 2 turns after T (ms: the agent's return), the one a delay alone can
# cause.
gossip_overlap_at_most() {
    local max=$1 t=$2 files=() x; shift 2
    for x in "$@"; do files+=("$(out_of "$x")"); done
    local times; times=$(overlap_starts "${files[@]}")
    [[ -z $times ]] && return 0
    local n=0 outside=0 at
    for at in $times; do
        n=$((n + 1))
        (( at >= t && at <= t + 2 * $(turn_bound) )) || outside=$((outside + 1))
    done
    if (( n <= max && outside <= 1 )); then
        echo "# note: $n tag(s) began beside another ($outside outside the 2 turns after the agent's return)" >&3
        return 0
    fi
    echo "$n tags began while another node was tagged, $outside outside the 2 turns after the agent's return:" >&2
    timeline "$@" >&2
    return 1
}


# tagged_during T0 T1 MIN NAME...: the nodes tagged at least MIN times in
# [T0, T1) (the ones the fault did not touch kept rotating).
tagged_during() {
    local t0=$1 t1=$2 min=$3 x n=0; shift 3
    for x in "$@"; do n=$(( n + $(events_in "$x" "$t0" "$t1" '.event=="tag"' | wc -l) )); done
    (( n >= min )) || { echo "$* tagged $n times in $(( t1 - t0 )) ms, fewer than $min" >&2; return 1; }
}

# back_on_chain NAME T: after T (ms) the node hears the others again within 2
# turns (a `ping` report of another node), and the rotation reaches it again.
back_on_chain() {
    local x=$1 t=$2
    wait_for "$(out_of "$x")" ".event==\"ping\" and .node!=\"$x\" and $JQ_MS > $t" "$(secs_of $(( 2 * $(turn_bound) )))" &&
        wait_for "$(out_of "$x")" ".event==\"tag\" and $JQ_MS > $t" "$(turns 10)"
}

# acl_set LINE...: from now on the main broker checks every publish against
# these mosquitto acl_file lines: written, added to its configuration, and
# reloaded (SIGHUP); returns once the broker logged the reload, its time
# (ms) in ACL_AT.
acl_set() {
    local dir="$BATS_FILE_TMPDIR/ch-main" before
    printf '%s\n' "$@" >"$dir/acl"
    grep -q '^acl_file' "$dir/mosquitto.conf" || echo "acl_file $dir/acl" >>"$dir/mosquitto.conf"
    before=$(grep -c 'Reloading config' "$dir/log" || true)
    kill -HUP "$(server_pid)"
    local deadline=$(( $(now_ms) + 5000 ))
    until (( $(grep -c 'Reloading config' "$dir/log" || true) > before )); do
        (( $(now_ms) < deadline )) || { echo "mosquitto did not reload its ACL" >&2; tail "$dir/log" >&2; return 1; }
        sleep 0.02
    done
    ACL_AT=$(now_ms)
}
