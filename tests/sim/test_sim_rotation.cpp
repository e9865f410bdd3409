// Reference scenarios: the rotation itself (everybody gets a turn, a short
// chain keeps the turn among few nodes, lost messages do not stop it).
// Each table entry runs under several seeds; a failure names the seed.
#include "sim/sim_helpers.hpp"

#include <gtest/gtest.h>

#include <ostream>

#include <map>
#include <set>

using namespace actor;
using namespace actor::simtest;

namespace {

constexpr std::uint64_t kSeeds[] = {1, 2, 3, 5, 8, 13, 21, 34};

struct RotationCase {
    const char* name;
    bool fast;
    std::size_t nodes;
    std::int64_t chain;  // Config::nodes
    double latency_gap, jitter_gap, loss;
    // set_ready(true), as the tools do for a non-null --value: the fair
    // policy decides. Not ready: 0.24's rules (Node, "Turn policy").
    bool ready = false;
};

std::ostream& operator<<(std::ostream& os, const RotationCase& c) { return os << c.name; }

Config config_of(const RotationCase& c) {
    return c.fast ? fast_config(c.chain) : slow_config(c.chain);
}

sim::SimOptions options(std::uint64_t seed, const Config& cfg, const RotationCase& c) {
    sim::SimOptions o;
    o.seed = seed;
    o.link = link(cfg, c.latency_gap, c.jitter_gap, c.loss);
    return o;
}

// (1) 5 nodes with nodes=5: all get their turns.
class AllGetTurns : public ::testing::TestWithParam<RotationCase> {};

// A node left off a chain that is one short of `nodes` gets in only by the
// early slot, with probability 1/(1*max(total, n_hosts)) = 1/10 per turn
// here; so "all" is checked over 100 turns, not over two rounds.
TEST_P(AllGetTurns, EveryNodeIsTaggedWithinAHundredTurns) {
    const auto& tc = GetParam();
    const Config cfg = config_of(tc);
    for (auto seed : kSeeds) {
        SCOPED_TRACE("seed=" + std::to_string(seed));
        sim::Simulator s(options(seed, cfg, tc));
        add_group(s, tc.nodes, cfg, gaps(cfg, 1));
        if (tc.ready)
            for (std::size_t i = 0; i < tc.nodes; ++i) s.node(i).set_ready(true);
        const Time warm = cycles(cfg, 3);
        const Time end = warm + turn(cfg) * 100;
        ASSERT_TRUE(s.run_until(end)) << s.error();
        std::map<std::uint32_t, int> tags;
        for (const auto& e : events(s, EventType::tag, warm)) ++tags[e.node];
        EXPECT_EQ(tags.size(), tc.nodes) << s.format_trace(80);
        for (std::size_t i = 0; i < tc.nodes; ++i)
            EXPECT_GE(tags[static_cast<std::uint32_t>(i)], 1) << s.name(i) << " never tagged";
    }
}

INSTANTIATE_TEST_SUITE_P(
    Sim, AllGetTurns,
    ::testing::Values(RotationCase{"slow_5of5", false, 5, 5, 0.01, 0.005, 0},
                      RotationCase{"fast_5of5", true, 5, 5, 0.02, 0.01, 0},
                      // Latency 0.4-0.6 gap, ready nodes (the tools' default). Under
                      // 0.24's rules (not ready) a node was never tagged in 100 turns
                      // in 14 of 200 seeds, 18 before the deferred vers: the early
                      // slot's pings lose to the chain's at that latency; fair nodes
                      // 0 of 300 (13 of 300 before a small group's joiner kept its
                      // rank as new, node.cpp adopted_on_joining).
                      RotationCase{"slow_5of5_latency_half_gap", false, 5, 5, 0.4, 0.2, 0, true}),
    [](const auto& info) { return std::string(info.param.name); });

// (2) 15 nodes with nodes=3: the turn stays among few nodes.
class ShortChain : public ::testing::TestWithParam<RotationCase> {};

TEST_P(ShortChain, FirstTenTurnsTagFewerThanSixNodes) {
    const auto& tc = GetParam();
    const Config cfg = config_of(tc);
    for (auto seed : kSeeds) {
        SCOPED_TRACE("seed=" + std::to_string(seed));
        sim::Simulator s(options(seed, cfg, tc));
        add_group(s, tc.nodes, cfg, gaps(cfg, 1));
        // Run until ten tags happened (bounded: 10 turns plus start-up,
        // doubled for slack).
        const Time limit = cycles(cfg, 3) + turn(cfg) * 20;
        while (s.stats().tags < 10 && s.now() < limit)
            ASSERT_TRUE(s.run_for(gaps(cfg, 1))) << s.error();
        auto tags = events(s, EventType::tag);
        ASSERT_GE(tags.size(), 10u) << s.format_trace(80);
        std::set<std::uint32_t> distinct;
        for (std::size_t k = 0; k < 10; ++k) distinct.insert(tags[k].node);
        EXPECT_LT(distinct.size(), 6u) << s.format_trace(120);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Sim, ShortChain,
    ::testing::Values(RotationCase{"slow_15of3", false, 15, 3, 0.01, 0.005, 0},
                      RotationCase{"fast_15of3", true, 15, 3, 0.02, 0.01, 0}),
    [](const auto& info) { return std::string(info.param.name); });

// (7) 5% of the copies lost: the rotation goes on.
class Lossy : public ::testing::TestWithParam<RotationCase> {};

TEST_P(Lossy, RotationGoesOn) {
    const auto& tc = GetParam();
    const Config cfg = config_of(tc);
    for (auto seed : kSeeds) {
        SCOPED_TRACE("seed=" + std::to_string(seed));
        // Loss starts after start-up: a node whose own init is lost stops
        // (StopReason::no_echo), which is right but not this scenario.
        auto opts = options(seed, cfg, tc);
        const auto lossy = opts.link;
        opts.link.loss = 0;
        sim::Simulator s(opts);
        add_group(s, tc.nodes, cfg, gaps(cfg, 1));
        const Time warm = cycles(cfg, 3);
        const std::int64_t n_turns = 40;
        const Time end = warm + turn(cfg) * n_turns;
        ASSERT_TRUE(s.run_until(warm)) << s.error();
        s.set_link(lossy);
        s.set_measure_from(warm);
        ASSERT_TRUE(s.run_until(end)) << s.error();
        auto tags = events(s, EventType::tag, warm);
        // Turns keep coming: at least 75% of the turns that fit, and never a
        // silence of more than three turns. (No channel, no turn: a pinger
        // whose own echo is lost does not take that turn, though the others
        // heard its ping; that costs one more turn than a lost ping did.)
        EXPECT_GE(tags.size(), static_cast<std::size_t>(n_turns * 3 / 4)) << s.format_trace(80);
        Time prev = warm;
        for (const auto& e : tags) {
            EXPECT_LE(e.at - prev, turn(cfg) * 3) << "silence before " << to_seconds(e.at);
            prev = e.at;
        }
        EXPECT_LE(end - prev, turn(cfg) * 2);
        std::set<std::uint32_t> distinct;
        for (const auto& e : tags) distinct.insert(e.node);
        EXPECT_GE(distinct.size(), std::min<std::size_t>(tc.nodes, 3));
        // Nobody stopped: lost copies never read as a dead channel or a twin.
        for (std::size_t i = 0; i < s.size(); ++i) EXPECT_TRUE(s.alive(i)) << s.name(i);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Sim, Lossy,
    ::testing::Values(RotationCase{"slow_5of5_loss5", false, 5, 5, 0.01, 0.005, 0.05},
                      RotationCase{"slow_10of5_loss5", false, 10, 5, 0.05, 0.05, 0.05},
                      RotationCase{"fast_10of5_loss5", true, 10, 5, 0.05, 0.05, 0.05}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
