// Reference scenarios (5) and (6): the tagged node crashes; two nodes share
// a name.
#include "sim/sim_helpers.hpp"

#include <gtest/gtest.h>

#include <ostream>

using namespace actor;
using namespace actor::simtest;

namespace {

constexpr std::uint64_t kSeeds[] = {1, 2, 3, 4, 5, 6, 7, 8};

struct CrashCase {
    const char* name;
    bool fast;
    std::size_t nodes;
    std::int64_t chain;
    double latency_gap, jitter_gap;
    double crash_after_tag_cycle;  // how far into its tag the node crashes
};

std::ostream& operator<<(std::ostream& os, const CrashCase& c) { return os << c.name; }

class CrashTagged : public ::testing::TestWithParam<CrashCase> {};

// (5) Nobody hears from the crashed node again, yet the next turn comes on
// time: another node is tagged within cycle + 2.5*gap (+ latency to settle)
// of the crashed node's tag.
TEST_P(CrashTagged, AnotherNodeIsTaggedWithinATurn) {
    const auto& tc = GetParam();
    const Config cfg = tc.fast ? fast_config(tc.chain) : slow_config(tc.chain);
    const Duration settle = gaps(cfg, 2 * (tc.latency_gap + tc.jitter_gap));
    for (auto seed : kSeeds) {
        SCOPED_TRACE("seed=" + std::to_string(seed));
        sim::SimOptions o;
        o.seed = seed;
        o.link = link(cfg, tc.latency_gap, tc.jitter_gap);
        sim::Simulator s(o);
        add_group(s, tc.nodes, cfg, gaps(cfg, 1));
        ASSERT_TRUE(s.run_until(cycles(cfg, 3))) << s.error();
        // Wait for the next tag, bounded by two turns.
        const std::size_t tags_before = events(s, EventType::tag).size();
        const Time limit = s.now() + turn(cfg) * 2;
        while (events(s, EventType::tag).size() == tags_before && s.now() < limit)
            ASSERT_TRUE(s.run_for(gaps(cfg, 0.01))) << s.error();
        auto tags = events(s, EventType::tag);
        ASSERT_GT(tags.size(), tags_before) << s.format_trace(60);
        const auto victim = tags.back();
        ASSERT_TRUE(s.node(victim.node).tagged());

        const Time crash_at = victim.at + cycles(cfg, tc.crash_after_tag_cycle);
        s.at(crash_at, [&](sim::Simulator& sim) { sim.crash(victim.node); });
        const Time bound = victim.at + timing::turn_bound(cfg) + settle;
        ASSERT_TRUE(s.run_until(bound)) << s.error();
        ASSERT_FALSE(s.alive(victim.node));
        bool another = false;
        for (const auto& e : events(s, EventType::tag, victim.at + Duration(1)))
            another = another || e.node != victim.node;
        EXPECT_TRUE(another) << "crashed " << s.name(victim.node) << " tagged at "
                             << to_seconds(victim.at) << "s\n" << s.format_trace(60);
        // And the rotation carries on without it.
        ASSERT_TRUE(s.run_for(turn(cfg) * 3)) << s.error();
        EXPECT_GE(events(s, EventType::tag, bound).size(), 2u) << s.format_trace(60);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Sim, CrashTagged,
    ::testing::Values(CrashCase{"slow_5of5_at_tag", false, 5, 5, 0.01, 0.005, 0.0},
                      CrashCase{"slow_5of5_mid_tag", false, 5, 5, 0.01, 0.005, 0.5},
                      CrashCase{"slow_3of5_at_tag", false, 3, 5, 0.01, 0.005, 0.0},
                      CrashCase{"fast_10of5_mid_tag", true, 10, 5, 0.05, 0.02, 0.5},
                      CrashCase{"fast_10of3_at_tag", true, 10, 3, 0.05, 0.02, 0.0}),
    [](const auto& info) { return std::string(info.param.name); });

struct TwinCase {
    const char* name;
    bool fast;
    double second_start_cycle;  // when the second twin starts
};

std::ostream& operator<<(std::ostream& os, const TwinCase& c) { return os << c.name; }

class NameTwin : public ::testing::TestWithParam<TwinCase> {};

// (6) Two live nodes with one name: both stop with name_twin; the others
// keep going.
TEST_P(NameTwin, BothTwinsStop) {
    const auto& tc = GetParam();
    const Config cfg = tc.fast ? fast_config(5) : slow_config(5);
    for (auto seed : kSeeds) {
        SCOPED_TRACE("seed=" + std::to_string(seed));
        sim::SimOptions o;
        o.seed = seed;
        o.link = link(cfg, 0.02, 0.01);
        sim::Simulator s(o);
        for (std::size_t i = 0; i < 3; ++i) {
            NodeOptions n;
            n.name = "other" + std::to_string(i);
            n.config = cfg;
            n.value = static_cast<std::int64_t>(i);
            s.add_node(std::move(n));
        }
        std::size_t twins[2];
        for (auto& t : twins) {
            NodeOptions n;
            n.name = "twin";
            n.config = cfg;
            n.value = 7;
            t = s.add_node(std::move(n));
        }
        for (std::size_t i = 0; i < 3; ++i) s.start(i, Time(0));
        s.start(twins[0], Time(0));
        const Time second = cycles(cfg, tc.second_start_cycle);
        s.start(twins[1], second);
        // The second twin's init reaches the first within one latency, the
        // first's answering init comes back as fast: a cycle is plenty.
        ASSERT_TRUE(s.run_until(second + cycles(cfg, 1))) << s.error();
        for (auto t : twins) {
            EXPECT_EQ(s.node(t).stop_reason(), StopReason::name_twin)
                << "twin #" << t << " reason " << static_cast<int>(s.node(t).stop_reason()) << "\n"
                << s.format_trace(60);
            EXPECT_FALSE(s.alive(t));
        }
        ASSERT_TRUE(s.run_until(second + cycles(cfg, 1) + turn(cfg) * 4)) << s.error();
        for (std::size_t i = 0; i < 3; ++i) {
            EXPECT_TRUE(s.alive(i)) << s.name(i);
            EXPECT_EQ(s.node(i).stop_reason(), StopReason::none);
        }
        EXPECT_GE(events(s, EventType::tag, second + cycles(cfg, 1)).size(), 2u)
            << s.format_trace(60);
    }
}

INSTANTIATE_TEST_SUITE_P(Sim, NameTwin,
                         ::testing::Values(TwinCase{"slow_together", false, 0.0},
                                           TwinCase{"slow_second_joins_later", false, 3.0},
                                           TwinCase{"fast_second_joins_later", true, 3.0}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
