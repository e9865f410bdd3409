#pragma once
// Shared set-up for the simulator scenarios (tests/sim) and bench_sim.
#include "actor/timing.hpp"
#include "actor/sim.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

namespace actor::simtest {

// Sweeps: ACTOR_SIM_SEEDS=N runs N seeds per scenario instead of its
// default, ACTOR_SIM_SEED_BASE=B starts at seed B (a range for long sweeps).
inline std::uint64_t env_u64(const char* name, std::uint64_t dflt) {
    if (const char* s = std::getenv(name)) {
        const auto n = std::strtoull(s, nullptr, 10);
        if (n > 0) return n;
    }
    return dflt;
}
inline std::uint64_t seed_count(std::uint64_t dflt) { return env_u64("ACTOR_SIM_SEEDS", dflt); }
inline std::uint64_t seed_base() { return env_u64("ACTOR_SIM_SEED_BASE", 1); }

// The protocol's defaults, and a fast group (same ratios, 20x shorter).
inline Config slow_config(std::int64_t nodes = 5) {
    Config c;
    c.cycle = 10.0;
    c.gap = 1.5;
    c.nodes = nodes;
    return c;
}
inline Config fast_config(std::int64_t nodes = 5) {
    Config c;
    c.cycle = 0.5;
    c.gap = 0.075;
    c.nodes = nodes;
    return c;
}

inline Duration gaps(const Config& c, double f) { return from_seconds(c.gap * f); }
inline Duration cycles(const Config& c, double f) { return from_seconds(c.cycle * f); }
// A generous turn: cycle + 2 gaps (the late slot, actor/timing.hpp).
inline Duration turn(const Config& c) { return timing::late_slot(c); }

// A link whose base latency and jitter are given as fractions of gap.
inline sim::LinkModel link(const Config& c, double latency_gap, double jitter_gap,
                           double loss = 0.0) {
    sim::LinkModel l;
    l.latency = gaps(c, latency_gap);
    l.jitter = gaps(c, jitter_gap);
    l.loss = loss;
    return l;
}

// n nodes "n00".."n<n-1>", every one with a non-null value (a recovery
// needs one) and started within the first `spread` (staggered evenly).
inline void add_group(sim::Simulator& s, std::size_t n, const Config& c,
                      Duration spread = Duration(0)) {
    for (std::size_t i = 0; i < n; ++i) {
        NodeOptions o;
        o.name = (i < 10 ? "n0" : "n") + std::to_string(i);
        o.config = c;
        o.value = static_cast<std::int64_t>(i + 1);
        s.add_node(std::move(o));
    }
    Duration step = n > 1 ? spread / static_cast<std::int64_t>(n) : Duration(0);
    s.start_all(step);
}

// The first faults of the mixed-fault scenarios (SimHarness, SimFingerprint):
// at 4 cycles node 1 raises the config version with a 20% longer cycle, at 6
// node 2 crashes, at 7 it restarts.
inline void schedule_config_change_and_restart(sim::Simulator& s, const Config& cfg) {
    s.at(cycles(cfg, 4), [cfg](sim::Simulator& sim) {
        sim.call(1, [cfg](Node& node, Time now) {
            Config c = node.config();
            c.version += 1;
            c.cycle = cfg.cycle * 1.2;
            (void)node.set_config(c, now);
        });
    });
    s.at(cycles(cfg, 6), [](sim::Simulator& sim) { sim.crash(2); });
    s.at(cycles(cfg, 7), [](sim::Simulator& sim) { sim.restart(2); });
}

// Entries of one kind of event, in order.
inline std::vector<sim::TraceEntry> events(const sim::Simulator& s, EventType t,
                                           Time from = Time::min(), Time to = Time::max()) {
    std::vector<sim::TraceEntry> out;
    for (const auto& e : s.trace())
        if (e.kind == sim::TraceKind::event && e.event == t && e.at >= from && e.at <= to)
            out.push_back(e);
    return out;
}

inline std::vector<sim::TraceEntry> sends(const sim::Simulator& s, MsgType t,
                                          Time from = Time::min(), Time to = Time::max()) {
    std::vector<sim::TraceEntry> out;
    for (const auto& e : s.trace())
        if (e.kind == sim::TraceKind::sent && e.msg == t && e.at >= from && e.at <= to)
            out.push_back(e);
    return out;
}

// The earliest time an idle live node is due to ping: the next turn.
inline std::optional<Time> next_ping(sim::Simulator& s) {
    std::optional<Time> best;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!s.alive(i) || s.node(i).tag_state() != 0) continue;
        auto t = s.node(i).next_ping_time();
        if (t && (!best || *t < *best)) best = t;
    }
    return best;
}

}  // namespace actor::simtest
