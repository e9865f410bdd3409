// libFuzzer target: the --control line parser and its application to a Node
// (actor/control.hpp), called directly, as actor-join's reader does:
// ControlLines splits the input at '\n', parse_control reads each line,
// apply_control carries it out, with the MQTT channel's size check.
//
// After the commands, the node is driven through start-up and a few timer
// rounds, so what the commands set (values, configs, enable/disable) is also
// exercised by the protocol core: a control line must not be able to make
// the node misbehave later (e.g. a huge cycle overflowing a timer).
#include "actor/codec.hpp"
#include "actor/control.hpp"
#include "actor/fit.hpp"
#include "actor/node.hpp"

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 2 * actor::max_control_line) return 0;  // the reader caps lines anyway
    std::mt19937_64 rng(1);
    actor::NodeOptions no;
    no.name = "fuzz";
    no.id = 42;
    no.config.cycle = 1.0;
    no.config.gap = 0.1;
    no.random = [&rng] { return std::uniform_real_distribution<double>(0, 1)(rng); };
    actor::Node node(std::move(no));
    // MQTT's limit, as Runtime::value_fits checks it.
    const actor::ValueCheck fits = [&node](const actor::Value& v) {
        return actor::check_fits(node.name(), v, node.config(), actor::max_wire_size, "MQTT");
    };

    actor::Time now{0};
    bool leave = false;
    actor::ControlLines lines;
    // A last line without '\n' is a line too here (the reader would wait).
    std::string input(reinterpret_cast<const char*>(data), size);
    input += '\n';
    lines.feed(input, [&](const actor::Result<std::string_view>& line) {
        if (!line) return true;
        auto cmd = actor::parse_control(*line);
        if (!cmd) return true;
        auto done = actor::apply_control(node, *cmd, now, fits);
        if (done && *done == actor::ControlOutcome::leave) leave = true;
        return !leave;
    });
    (void)node.take_outgoing();
    (void)node.take_events();
    if (leave) return 0;

    // Drive the node as the runtime would: start, hear our own messages
    // back, then fire its timers a few times (time jumps to each deadline).
    node.start(now);
    for (int round = 0; round < 8 && !node.stopped(); ++round) {
        for (const auto& m : node.take_outgoing()) {
            // Through the codec, as on the wire: what we send must decode.
            const auto bytes = actor::encode(m);
            if (auto back = actor::decode(bytes); back.ok()) node.on_message(*back, now);
        }
        (void)node.take_events();
        const auto next = node.next_deadline();
        if (!next) break;
        if (*next > now) now = *next;
        node.on_timer(now);
    }
    return 0;
}
