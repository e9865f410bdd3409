// libFuzzer target: actor-join's --control command parser.
//
// The parser is run_command(Runtime&, line) in tools/actor-join.cpp, inside
// an anonymous namespace and bound to a live actor::Runtime, so it is not a
// library function we could link. Rather than copy it (a copy would drift),
// this target compiles the tool's own source into itself with its main()
// renamed, and calls the real run_command. A Runtime that has not run() has
// no transport yet: outgoing messages are dropped, events go to /dev/null.
//
// Input: one or more control lines (split at '\n', as the tool's reader
// does). After the commands, the node is driven through start-up and a few
// timer rounds, so what the commands set (values, configs, enable/disable)
// is also exercised by the protocol core: a control line must not be able
// to make the node misbehave later (e.g. a huge cycle overflowing a timer).

// Everything actor-join.cpp includes comes first, so that the macro below
// renames only the tool's main() and nothing in a library header.
#include "actor/cli.hpp"
#include "actor/codec.hpp"
#include "actor/event_json.hpp"
#include "actor/runtime.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#define main actor_join_main
#include "actor-join.cpp"
#undef main

namespace {

int null_fd() {
    static const int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 2 * max_control_line) return 0;  // the reader caps lines anyway
    actor::RuntimeOptions ro;
    ro.tool = "fuzz_control";
    ro.group = "fuzz/control";
    ro.quiet = true;
    ro.errors_to_stderr = false;
    ro.events_fd = null_fd();
    actor::NodeOptions no;
    no.name = "fuzz";
    no.config.cycle = 1.0;
    no.config.gap = 0.1;
    actor::Runtime rt(std::move(ro), std::move(no));

    std::string_view rest(reinterpret_cast<const char*>(data), size);
    while (!rest.empty() && !rt.finished()) {
        const auto nl = rest.find('\n');
        const std::string line(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        if (line.size() <= max_control_line && line.find_first_not_of(" \t\r") != std::string::npos)
            (void)run_command(rt, line);
    }

    // Drive the node as the runtime would: start, hear our own messages
    // back, then fire its timers a few times (time jumps to each deadline).
    rt.with_node([](actor::Node& n, actor::Time now) {
        n.start(now);
        for (int round = 0; round < 8 && !n.stopped(); ++round) {
            for (const auto& m : n.take_outgoing()) {
                // Through the codec, as on the wire: what we send must decode.
                const auto bytes = actor::encode(m);
                if (auto back = actor::decode(bytes); back.ok()) n.on_message(*back, now);
            }
            (void)n.take_events();
            const auto next = n.next_deadline();
            if (!next) break;
            if (*next > now) now = *next;
            n.on_timer(now);
        }
    });
    return 0;
}
