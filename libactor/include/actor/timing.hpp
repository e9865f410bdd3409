#pragma once
// Every duration derived from a Config, named once (docs/PROTOCOL.md
// "Timing", man actor(7) TIMING AND GUARANTEES). Tools, the simulator tests,
// the benchmarks and (through `actor-watch --print-timing`) the Bats helpers
// use these; nothing else writes `cycle + 3*gap`.
//
// timing_formulas below lists each function's formula as the man pages
// state it: tests/unit/test_core_timing.cpp checks that every formula text
// evaluates to what its function returns, and tests/docs/check-timing.sh
// that the man page named beside it states the formula.
#include "actor/config.hpp"
#include "actor/time.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

namespace actor::timing {

// A node's next ping at the latest: one cycle and the late slot (2 gaps)
// after its last. (A node not `ready` adds gap/3; a lone head pings 3 gaps
// after the cycle: see off_chain_turn_bound.)
constexpr Duration late_slot(const Config& c) { return from_seconds(c.cycle + 2 * c.gap); }

// The turn bound: between two reports of a node on a chain of three or
// more at most this passes (plus the channel's latency).
constexpr Duration turn_bound(const Config& c) { return from_seconds(c.cycle + 2.5 * c.gap); }

// The off-chain turn bound: the turn passes to a node off the chain, or a
// lone head pings again, within this (plus latency). Also an observer's
// "the head has gone quiet" window.
constexpr Duration off_chain_turn_bound(const Config& c) { return from_seconds(c.cycle + 3 * c.gap); }

// actor-run-if-leader: how long the gate watches (sends nothing) before it
// may join: an off-chain turn, so a running rotation is seen.
constexpr Duration gate_watch_window(const Config& c) { return off_chain_turn_bound(c); }

// actor-run-if-leader: the default --timeout for the decision.
constexpr Duration decision_timeout(const Config& c) { return from_seconds(2 * c.cycle + 4 * c.gap); }

// actor-run-if-leader: the target for one gate's decision in a quiet group
// (bench/bench_decision_latency.sh): the watch, a first ping, the next one
// a late slot later, and a gap to be tagged.
constexpr Duration decision_bound(const Config& c) {
    return gate_watch_window(c) + late_slot(c) + from_seconds(c.gap);
}

// actor-run-if-leader: the default --linger after COMMAND, so the others
// see the turn taken.
constexpr Duration linger_default(const Config& c) { return late_slot(c); }

// actor-watch --once without --timeout: how long it waits for a settled turn.
constexpr Duration watch_once_timeout(const Config& c) { return from_seconds(2 * c.cycle + 4 * c.gap); }

// actor-watch --check: the default --warn-age, a turn overdue: the
// off-chain turn bound and one gap more for the channel's latency (a lone
// head's turns come an off-chain turn bound apart, plus latency).
constexpr Duration overdue_turn(const Config& c) { return from_seconds(c.cycle + 4 * c.gap); }

// actor-watch --members: the default --ttl of a member in a group of
// `members` listed members. Under the fair turn policy every member pings
// once in a round of as many turns as there are members, so the TTL
// follows the group: (max(nodes, members) + 1) turns (nodes <= 0, an
// unbounded chain, counts as 1). A member that stops is dropped after that
// long without a message naming it.
constexpr Duration member_ttl(const Config& c, std::size_t members = 0) {
    const auto n = std::max<std::int64_t>(std::max<std::int64_t>(c.nodes, 1), static_cast<std::int64_t>(members));
    return from_seconds(static_cast<double>(n + 1) * (c.cycle + 2.5 * c.gap));
}

// How long a node waits for its own init to come back, for a random u in
// [0, 0.5] (echo_deadline_max: u = 0.5).
inline constexpr double echo_jitter_max = 0.5;
constexpr Duration echo_deadline(const Config& c, double u) {
    return from_seconds(c.cycle + c.gap * (1.5 + u));
}
constexpr Duration echo_deadline_max(const Config& c) { return echo_deadline(c, echo_jitter_max); }

// The ping report: the first arming message opens a window this long.
constexpr Duration report_window(const Config& c) { return from_seconds(2 * c.gap); }

// How long a tag lasts: its untag comes cycle - gap/2 after the tag.
constexpr Duration tag_length(const Config& c) { return from_seconds(c.cycle - c.gap / 2); }

// The formulas, as the man pages write them (variables cycle, gap, nodes;
// u for echo_deadline's jitter at its maximum). `man` is the page that
// states it (tests/docs/check-timing.sh), or empty when no page does.
struct Formula {
    std::string_view name;
    std::string_view text;
    std::string_view man;
    Duration (*of)(const Config&);
};

inline constexpr std::array<Formula, 13> timing_formulas{{
    {"late_slot", "cycle + 2*gap", "", late_slot},
    {"turn_bound", "cycle + 2.5*gap", "actor.7", turn_bound},
    {"off_chain_turn_bound", "cycle + 3*gap", "actor.7", off_chain_turn_bound},
    {"gate_watch_window", "cycle + 3*gap", "actor-run-if-leader.1", gate_watch_window},
    {"decision_timeout", "2*cycle + 4*gap", "actor-run-if-leader.1", decision_timeout},
    {"decision_bound", "2*cycle + 6*gap", "", decision_bound},
    {"linger_default", "cycle + 2*gap", "actor-run-if-leader.1", linger_default},
    {"watch_once_timeout", "2*cycle + 4*gap", "actor-watch.1", watch_once_timeout},
    {"overdue_turn", "cycle + 4*gap", "actor-watch.1", overdue_turn},
    // The floor, for a group of up to `nodes` members.
    {"member_ttl", "(nodes + 1) * (cycle + 2.5 * gap)", "actor-watch.1", [](const Config& c) { return member_ttl(c); }},
    {"echo_deadline_max", "cycle + gap*(1.5 + 0.5)", "", echo_deadline_max},
    {"report_window", "2*gap", "", report_window},
    {"tag_length", "cycle - gap/2", "actor.7", tag_length},
}};

}  // namespace actor::timing
