#!/usr/bin/env bats
# actor-watch --members under a flood of made-up names carrying values at the
# codec's cap (1 KiB): the members table is bounded in bytes, not only in
# names (actor::Members, actor/members.hpp: at most 1024 names and 256 KiB of
# names + values, least recently seen first out), and the real nodes stay
# listed.

load lib

setup() { rel_setup; channel_start; BROKERS=(main); }
teardown() { rel_teardown; }

# flood FILE COUNT: COUNT msgpack pings, one per line, from distinct names,
# each with a 1021-character string value (1024 bytes encoded, the cap), for
# `mosquitto_pub -l`. No byte is NUL or newline.
flood() {
    python3 - "$@" <<'PY'
import sys
path, count = sys.argv[1], int(sys.argv[2])
def s(x):
    b = x.encode()
    return bytes([0xa0 | len(b)]) + b
value = b"\xda\x03\xfd" + b"s" * 1021
with open(path, "wb") as f:
    for i in range(count):
        name = f"flood-{i:06d}"
        msg = b"\x84" + s("t") + s("ping") + s("node") + s(name) + s("value") + value \
            + s("history") + b"\x91" + s(name)
        assert b"\n" not in msg and b"\0" not in msg
        f.write(msg + b"\n")
PY
}

@test "actor-watch --members: 3000 names with 1 KiB values, the table stays within 256 KiB" {
    node a --value 1; node b --value 2
    wait_tags 2 15 a b
    spawn w actor-watch --members "${FAST[@]}" "$GROUP"
    wait_for "$(out_of w)" '.event=="members"' 15
    local port; port=$(channel_url); port=${port##*:}
    flood "$BATS_TEST_TMPDIR/flood" 3000
    mosquitto_pub -h 127.0.0.1 -p "$port" -t "$GROUP" -l <"$BATS_TEST_TMPDIR/flood"
    # The flood's values (strings) beat a's and b's numbers, so flood names
    # win collisions and are reported; wait for a turn that lists a, b and
    # flood names at once: the flood has been read and the rotation is back.
    # b with its value: named only inside a chain after the flood pushed
    # its entry out, b is listed with a null value until it pings again.
    local after='.event=="members" and any(.nodes[]; .node == "a")
                 and any(.nodes[]; .node == "b" and .value == 2)
                 and any(.nodes[]; .node | startswith("flood-"))'
    wait_for "$(out_of w)" "$after" 30
    alive a b w
    local last; last=$(jq -c "select($after)" "$(out_of w)" | tail -1)
    local n; n=$(jq '.nodes | length' <<<"$last")
    local flooded; flooded=$(jq '[.nodes[] | select(.node | startswith("flood-"))] | length' <<<"$last")
    echo "# members listed after the flood: $n ($flooded flood names)" >&3
    # About 1.1 KiB a member (name, 1021-byte string, its overhead): 256 KiB
    # holds some 230 of them, far fewer than the 1024 the name bound allows.
    (( flooded >= 100 && n <= 260 ))
    assert_equal "$(jq -r '.nodes[] | select(.node=="b") | .value' <<<"$last")" 2
}
