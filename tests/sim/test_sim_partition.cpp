// Reference scenario (3): ten nodes split in half and healed. The split is
// placed at several offsets around a ping (before it, while it is in
// flight, during the tag wait, mid-tag). After the heal the group must be
// one chain again within 3 cycles, and both halves report `recover`.
#include "sim/sim_helpers.hpp"

#include <gtest/gtest.h>

#include <ostream>

using namespace actor;
using namespace actor::simtest;

namespace {

constexpr std::uint64_t kSeeds[] = {1, 2, 3, 4, 5, 6};

struct SplitCase {
    const char* name;
    bool fast;
    double latency_gap, jitter_gap;
    // Where the split falls, relative to the next ping, in gaps
    // (latency_gap/2 = while the ping is in flight).
    double offset_gap;
};

std::ostream& operator<<(std::ostream& os, const SplitCase& c) { return os << c.name; }

class SplitHeal : public ::testing::TestWithParam<SplitCase> {};

TEST_P(SplitHeal, OneChainWithinThreeCyclesAndRecoverOnBothSides) {
    const auto& tc = GetParam();
    const Config cfg = tc.fast ? fast_config(5) : slow_config(5);
    constexpr std::size_t n = 10;
    for (auto seed : kSeeds) {
        SCOPED_TRACE("seed=" + std::to_string(seed));
        sim::SimOptions o;
        o.seed = seed;
        o.link = link(cfg, tc.latency_gap, tc.jitter_gap);
        sim::Simulator s(o);
        add_group(s, n, cfg, gaps(cfg, 1));
        ASSERT_TRUE(s.run_until(cycles(cfg, 4))) << s.error();
        auto ping_at = next_ping(s);
        ASSERT_TRUE(ping_at.has_value());
        const Time split = std::max(s.now(), *ping_at + gaps(cfg, tc.offset_gap));
        std::vector<std::size_t> left, right;
        for (std::size_t i = 0; i < n; ++i) (i < n / 2 ? left : right).push_back(i);
        s.at(split, [&](sim::Simulator& sim) { sim.partition({left, right}); });
        const Time heal = split + turn(cfg) * 4;
        s.at(heal, [](sim::Simulator& sim) { sim.heal(); });
        ASSERT_TRUE(s.run_until(heal)) << s.error();
        // Both halves kept rotating on their own.
        EXPECT_GE(events(s, EventType::tag, split).size(), 4u) << s.format_trace(100);

        // Converged: a quiet instant (nothing in flight) at which every
        // chain agrees; sampled every gap/8.
        const Time bound = heal + cycles(cfg, 3);
        std::optional<Time> converged;
        while (s.now() < bound) {
            ASSERT_TRUE(s.run_for(gaps(cfg, 0.125))) << s.error();
            if (s.quiet() && s.chains_agree()) {
                converged = s.now();
                break;
            }
        }
        ASSERT_TRUE(converged.has_value())
            << "no single chain by heal + 3 cycles\n" << s.format_trace(150);

        // And it stays one chain: check again at quiet instants later on.
        ASSERT_TRUE(s.run_until(bound + cycles(cfg, 2))) << s.error();
        int checked = 0;
        for (int k = 0; k < 200 && checked < 5; ++k) {
            ASSERT_TRUE(s.run_for(gaps(cfg, 0.25))) << s.error();
            if (!s.quiet()) continue;
            ++checked;
            EXPECT_TRUE(s.chains_agree()) << "diverged again at " << to_seconds(s.now());
        }

        bool recover_left = false, recover_right = false;
        for (const auto& e : events(s, EventType::recover, heal))
            (e.node < n / 2 ? recover_left : recover_right) = true;
        EXPECT_TRUE(recover_left && recover_right)
            << "recover left=" << recover_left << " right=" << recover_right << "\n"
            << s.format_trace(150);
        // Safety: two nodes are tagged at once only because of the split
        // (one per half); a node tagged on each side at the heal keeps its
        // tag until the next ping crosses, at most a turn later.
        for (const auto& ov : s.stats().overlaps)
            EXPECT_TRUE(ov.from >= split && ov.to <= heal + turn(cfg) + gaps(cfg, 1))
                << "overlap " << to_seconds(ov.from) << ".." << to_seconds(ov.to);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Sim, SplitHeal,
    ::testing::Values(SplitCase{"slow_before_ping", false, 0.01, 0.005, -0.5},
                      SplitCase{"slow_at_ping", false, 0.01, 0.005, 0.0},
                      SplitCase{"slow_ping_in_flight", false, 0.01, 0.005, 0.005},
                      SplitCase{"slow_during_tag_wait", false, 0.01, 0.005, 0.5},
                      SplitCase{"slow_just_tagged", false, 0.01, 0.005, 1.05},
                      SplitCase{"slow_mid_tag", false, 0.01, 0.005, 3.0},
                      SplitCase{"fast_latency_third_gap_in_flight", true, 0.3, 0.1, 0.15},
                      SplitCase{"fast_latency_third_gap_before", true, 0.3, 0.1, -0.2},
                      SplitCase{"fast_latency_third_gap_tagged", true, 0.3, 0.1, 1.5}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
