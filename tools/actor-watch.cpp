// actor-watch GROUP: observe a group without sending anything (docs/CLI.md).
// Parse, connect, run, map the ending to an exit status.
//
// Who is "it" is decided by an observer Node (the acceptance rules of an
// active node), so every watcher names the same node even when pings
// collide. This file adds what only a watcher reports: `setup` for each
// config message that differs from the last one seen, and the `members`
// view (every node heard from lately, as a sender or inside a chain).
#include "actor/cli.hpp"
#include "actor/codec.hpp"

#include <CLI/CLI.hpp>
#include "actor/runtime.hpp"
#include "actor/timing.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <string>

namespace {

// Bound on the members table, so a flood of made-up names or of large
// values cannot grow us: at most max_members names and at most
// max_member_bytes of names + values (a value counted as the heap bytes it
// holds, actor::value_footprint: a 1 KiB value of 1021 empty maps about
// 80 KiB, a small number 16 bytes). Over either bound the least recently
// seen member goes first; the one just heard always stays.
constexpr std::size_t max_members = 1024;
constexpr std::size_t max_member_bytes = 256 * 1024;

struct WatchOptions {
    bool raw = false;
    bool once = false;
    bool members = false;
    std::string ttl;
    bool print_timing = false;
};

// --print-timing: each derived duration of the configured timing
// (actor/timing.hpp) as a JSON line, for scripts and the Bats helpers.
int print_timing(const actor::Config& c) {
    for (const auto& f : actor::timing::timing_formulas) {
        const auto d = f.of(c);
        std::cout << nlohmann::json{{"name", std::string(f.name)}, {"formula", std::string(f.text)}, {"man", std::string(f.man)},
                                    {"seconds", actor::to_seconds(d)},
                                    {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(d).count()}}
                         .dump()
                  << '\n';
    }
    return 0;
}

class Members {
public:
    explicit Members(actor::Duration ttl) : ttl_(ttl) {}

    void heard(const actor::Message& m, actor::Time now) {
        const auto wall = std::chrono::system_clock::now();
        // Oldest chain entries first, so the chain's head ends up newest.
        for (auto it = m.history.rbegin(); it != m.history.rend(); ++it) touch(*it, now, wall);
        if (auto sender = m.sender()) {
            auto& e = touch(*sender, now, wall);
            if (m.type == actor::MsgType::ping || m.type == actor::MsgType::hist) {
                bytes_ -= e.value_bytes;
                e.value = m.value;
                e.value_bytes = actor::value_footprint(e.value);
                bytes_ += e.value_bytes;
                e.value_known = true;
            }
        }
        // Least recently seen first; the newest entry is never evicted.
        while (by_seq_.size() > 1 && (by_seq_.size() > max_members || bytes_ > max_member_bytes))
            erase(by_seq_.begin()->second);
    }

    // Every node on the chain has been heard pinging, so its value is known.
    bool complete(const actor::Chain& chain) const {
        return std::all_of(chain.names().begin(), chain.names().end(), [&](const std::string& n) {
            auto it = seen_.find(n);
            return it != seen_.end() && it->second.value_known;
        });
    }

    actor::Event snapshot(const actor::Chain& chain, actor::Time now) {
        // The least recently seen are also the longest unseen.
        while (!by_seq_.empty() && now - by_seq_.begin()->second->second.steady > ttl_)
            erase(by_seq_.begin()->second);
        actor::Event e;
        e.type = actor::EventType::members;
        for (auto r = by_seq_.rbegin(); r != by_seq_.rend(); ++r) {  // newest first
            const auto& [name, entry] = *r->second;
            e.members.push_back({name, entry.value, entry.wall, chain.index_of(name).has_value()});
        }
        return e;
    }

private:
    struct Entry {
        actor::Value value = nullptr;
        std::size_t value_bytes = 0;  // value_footprint(value), counted in bytes_
        bool value_known = false;  // heard its own ping, not only its name in a chain
        actor::Time steady{};
        std::chrono::system_clock::time_point wall;
        std::uint64_t seq = 0;
    };
    using Table = std::map<std::string, Entry>;

    Entry& touch(const std::string& name, actor::Time now, std::chrono::system_clock::time_point wall) {
        auto [it, fresh] = seen_.try_emplace(name);
        if (fresh) {
            it->second.value_bytes = actor::value_footprint(it->second.value);
            bytes_ += name.size() + it->second.value_bytes;
        } else {
            by_seq_.erase(it->second.seq);
        }
        auto& e = it->second;
        e.steady = now;
        e.wall = wall;
        e.seq = ++seq_;
        by_seq_.emplace(e.seq, it);
        return e;
    }

    void erase(Table::iterator it) {
        bytes_ -= it->first.size() + it->second.value_bytes;
        by_seq_.erase(it->second.seq);
        seen_.erase(it);
    }

    actor::Duration ttl_;
    Table seen_;
    std::map<std::uint64_t, Table::iterator> by_seq_;  // recency: seq -> entry
    std::size_t bytes_ = 0;  // names + value_bytes of every entry
    std::uint64_t seq_ = 0;
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
    if (auto status = actor::cli::parse(app, common, argc, argv)) return *status;

    const auto& c = common.config;
    if (opt.print_timing) return print_timing(c);
    actor::Duration ttl = actor::timing::member_ttl(c);
    if (!opt.ttl.empty()) {
        auto t = actor::cli::parse_duration(opt.ttl);
        if (!t) return actor::cli::usage_error(common, "--ttl: " + t.error().message);
        ttl = *t;
    }
    // --once must end: without --timeout it waits two cycles and some slack.
    if (opt.once && !common.timeout) common.timeout = actor::timing::watch_once_timeout(c);

    auto ropts = actor::runtime_options(common);
    ropts.raw = opt.raw;
    actor::Runtime rt(std::move(ropts), actor::cli::node_options(common, actor::Mode::observer));

    Members members(ttl);
    std::optional<actor::Config> last_config;
    bool own_setup = false;
    std::optional<actor::Event> pending;  // --members --once: the best view so far
    rt.on_decoded = [&](const actor::Message& m, actor::Time now) {
        members.heard(m, now);
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
