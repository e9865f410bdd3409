// actor-watch GROUP: observe a group without sending anything (docs/CLI.md).
// Parse, connect, run, map the ending to an exit status.
//
// Who is "it" is decided by an observer Node (the acceptance rules of an
// active node), so every watcher names the same node even when pings
// collide. This file adds what only a watcher reports: `setup` for each
// config message that differs from the last one seen, and the `members`
// view (every node heard from lately, as a sender or inside a chain:
// actor::Members, actor/members.hpp).
#include "actor/cli.hpp"
#include "actor/members.hpp"
#include "actor/runtime.hpp"
#include "actor/timing.hpp"
#include "actor/watch.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

namespace {

struct WatchOptions {
    bool raw = false;
    bool once = false;
    bool members = false;
    std::string ttl;
    bool print_timing = false;
};

}  // namespace

int main(int argc, char** argv) {
    actor::cli::CommonOptions common;
    common.tool = "actor-watch";
    WatchOptions opt;
    CLI::App app{"Watch a group without sending anything; print who is \"it\" as JSON lines."};
    app.name(common.tool);
    actor::cli::add_common_options(app, common);
    app.add_flag("--raw", opt.raw, "also print every message with its sender");
    app.add_flag("--once", opt.once, "print the next settled turn and exit");
    app.add_flag("--members", opt.members, "print the nodes seen lately after each turn");
    app.add_option("--ttl", opt.ttl, "how long a member stays listed (default (nodes+1)*(cycle+2.5*gap))");
    app.add_flag("--print-timing", opt.print_timing, "print the derived durations of the timing and exit");
    actor::cli::HealthOptions health;
    actor::cli::add_health_options(app, health);
    app.get_option("--format")->description("json, text, or prometheus (with --once: metrics)");
    if (auto status = actor::cli::parse(app, common, argc, argv)) return *status;

    const auto& c = common.config;
    if (opt.print_timing) {
        actor::cli::print_timing(std::cout, c);
        return 0;
    }
    // --ttl fixes the members' TTL; without it the TTL follows the group.
    std::optional<actor::Duration> ttl;
    if (!opt.ttl.empty()) {
        auto t = actor::cli::parse_duration(opt.ttl);
        if (!t) return actor::cli::usage_error(common, actor::Error{t.error().text(), "--ttl"});
        ttl = *t;
    }
    // --check, --format prometheus: one window, one answer (actor/watch.hpp).
    if (auto status = actor::cli::run_health(common, health, {opt.once, opt.raw, opt.members, ttl}))
        return *status;
    // --once must end: without --timeout it waits two cycles and some slack.
    if (opt.once && !common.timeout) common.timeout = actor::timing::watch_once_timeout(c);

    auto ropts = actor::runtime_options(common);
    ropts.raw = opt.raw;
    actor::Runtime rt(std::move(ropts), actor::cli::node_options(common, actor::Mode::observer));

    actor::Members members = ttl ? actor::Members(*ttl) : actor::Members(c);
    std::optional<actor::Config> last_config;
    bool own_setup = false;
    std::optional<actor::Event> pending;  // --members --once: the best view so far
    rt.on_decoded = [&](const actor::Message& m, actor::Time now) {
        members.heard(m, now, std::chrono::system_clock::now());
        if (m.type != actor::MsgType::vers) return;
        const auto seen = m.config.apply_to(last_config.value_or(common.config));
        if (last_config && *last_config == seen) return;
        last_config = seen;
        actor::Event e;
        e.type = actor::EventType::setup;
        e.node = m.node.value_or("");
        e.config = seen;
        own_setup = true;
        rt.emit(std::move(e));
        own_setup = false;
    };
    rt.on_event = [&](const actor::Event& e) {
        // Config changes are reported from the messages above; the
        // observer's own `setup` would repeat them.
        if (e.type == actor::EventType::setup && !own_setup) return false;
        // --once prints the answer only, so `| jq -r .node` names the node.
        if (opt.once && e.type != actor::EventType::ping && e.type != actor::EventType::members &&
            e.type != actor::EventType::raw && e.type != actor::EventType::error)
            return false;
        if (e.type == actor::EventType::ping && opt.members) {
            auto snap = members.snapshot(rt.node().chain(), rt.now());
            // --once waits (within --timeout) for a turn after which every
            // chain member's value is known; a watcher that just started has
            // heard only one ping.
            if (opt.once && !members.complete(rt.node().chain())) {
                pending = std::move(snap);
                return false;
            }
            rt.emit(std::move(snap));
            return false;
        }
        return true;
    };
    rt.after_event = [&](const actor::Event& e) {
        if (opt.once && (e.type == actor::EventType::ping || e.type == actor::EventType::members))
            rt.finish({actor::cli::Ending::Kind::done, 0, "--once"});
    };

    rt.on_timeout = [&] {
        // An incomplete member list is still an answer; no turn at all is not.
        if (pending) {
            rt.emit(std::move(*pending));
            rt.finish({actor::cli::Ending::Kind::done, 0, "--once"});
        } else {
            rt.finish({actor::cli::Ending::Kind::timeout, 0, "no turn settled"});
        }
    };

    const auto ending = rt.run();
    return actor::cli::exit_status_for(ending);
}
