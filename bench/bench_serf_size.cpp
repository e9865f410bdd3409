// Serf sizes: bytes per ping on the wire, and the longest group and node
// names that fit Serf's user-event budget (name + payload) with splits=4.
// Prints a table; not a test. Sizes come from the real encoder.
#include "actor/codec.hpp"
#include "actor/serf_limits.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace {

std::size_t ping_bytes(std::size_t name_len, std::size_t splits, const actor::Value& value) {
    std::vector<std::string> history;
    for (std::size_t i = 0; i < splits; ++i)
        history.push_back(std::string(name_len, static_cast<char>('a' + i)));
    // The id is a random 64-bit number: its largest encoding (9 bytes).
    auto m = actor::Message::make_ping(history[0], value, history, ~0ull);
    return actor::encode(m).size();
}

}  // namespace

int main() {
    const std::size_t budget = actor::serf_event_budget;
    std::printf("Serf user event budget (name + payload): %zu bytes; splits=4; id 9 bytes\n\n",
                budget);
    std::printf("%10s %12s %12s %18s\n", "node name", "value", "ping bytes", "longest group");
    const actor::Value values[] = {0, 1099511627776ull, "a-32-byte-string-value-.........."};
    const char* value_names[] = {"0", "2^40", "str32"};
    for (std::size_t len : {1, 8, 16, 31, 32, 48, 64, 80}) {
        for (std::size_t v = 0; v < 3; ++v) {
            std::size_t bytes = ping_bytes(len, 4, values[v]);
            long group = static_cast<long>(budget) - static_cast<long>(bytes);
            std::printf("%10zu %12s %12zu %18ld%s\n", len, value_names[v], bytes,
                        group < 0 ? 0 : group, group < 1 ? "  (does not fit)" : "");
        }
    }
    // The longest node name that fits with a one-byte group and value 0.
    std::size_t longest = 0;
    for (std::size_t len = 1; len < budget; ++len)
        if (ping_bytes(len, 4, 0) + 1 <= budget) longest = len;
    std::printf("\nlongest node name with splits=4, value 0 and a 1-byte group: %zu bytes\n",
                longest);
    std::printf("a typical ping (9-byte names, value 0): %zu bytes; the Serf event name is the\n"
                "group path with / -> . (e.g. actor.backup, 12 bytes)\n",
                ping_bytes(9, 4, 0));
    return 0;
}
