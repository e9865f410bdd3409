// Fair turns (docs/PROTOCOL.md "Turn policy"): with the default policy every
// member is tagged soon after a cold start, turns are shared evenly, the
// rotation costs no more pings than 0.24's, no two nodes are tagged at once,
// and a killed holder is followed within cycle + 2.5*gap. The same figures
// for TurnPolicy::asyncactor are printed beside them (measured, not
// asserted: 0.24's unfairness is the reason for the policy).
//
// ACTOR_SIM_SEEDS / ACTOR_SIM_SEED_BASE widen the sweep (sim_helpers.hpp);
// the seed is printed on failure. ACTOR_SIM_FAIR_TRACE=1 prints every send,
// tag and detag of the fair runs (with ACTOR_SIM_SEEDS=1, one run each).
#include "sim/sim_helpers.hpp"

#include "actor/timing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <numeric>
#include <vector>

using namespace actor;
using namespace actor::simtest;

namespace {

// Jain's fairness index of the counts: 1 when all are equal, 1/n when one
// node has everything.
double jain(const std::vector<double>& x) {
    const double sum = std::accumulate(x.begin(), x.end(), 0.0);
    double sq = 0;
    for (double v : x) sq += v * v;
    return sq == 0 ? 0 : sum * sum / (static_cast<double>(x.size()) * sq);
}

struct Run {
    std::size_t turns_to_all = 0;  // tags until every node had one (0: never)
    double jain = 0;               // over the measured turns
    double pings_per_turn = 0;
    std::size_t overlaps = 0;
    std::size_t turns = 0;
};

// n nodes (chain bound 5, the defaults otherwise: n_hosts 10, splits 4),
// started within one gap, run for `turns` tags.
Run run_group(std::size_t n, std::uint64_t seed, TurnPolicy policy, std::size_t turns) {
    const Config cfg = fast_config(5);
    sim::SimOptions o;
    o.seed = seed;
    o.link = link(cfg, 0.1, 0.1);
    o.trace = false;
    std::vector<std::uint64_t> tags(n, 0);
    std::size_t total = 0, to_all = 0, distinct = 0;
    const bool debug = std::getenv("ACTOR_SIM_FAIR_TRACE") != nullptr && policy == TurnPolicy::fair;
    // Pings from the first tag on: the start-up burst of first pings (each
    // node's [self], which starts no tag) is the same under both policies.
    std::uint64_t pings = 0;
    o.on_send = [&](Time t, std::size_t i, const Message& m) {
        if (m.type == MsgType::ping && total >= 1 && total < turns) ++pings;
        if (!debug) return;
        std::string h;
        for (const auto& x : m.history) h += x + ",";
        std::printf("%.3f n%zu sends %s [%s]\n", to_seconds(t - Time(0)), i, to_string(m.type), h.c_str());
    };
    o.on_event = [&](Time t, std::size_t i, const Event& e) {
        if (debug && (e.type == EventType::tag || e.type == EventType::detag || e.type == EventType::error))
            std::printf("%.3f n%zu %s %s\n", to_seconds(t - Time(0)), i, to_string(e.type), e.message.c_str());
        if (e.type != EventType::tag || total >= turns) return;
        ++total;
        if (tags[i]++ == 0 && ++distinct == n && !to_all) to_all = total;
    };
    sim::Simulator s(o);
    for (std::size_t i = 0; i < n; ++i) {
        NodeOptions no;
        no.name = "n" + std::to_string(1000 + i);
        no.config = cfg;
        no.value = static_cast<std::int64_t>(i % 7 + 1);
        no.ready = true;
        no.turn_policy = policy;
        s.add_node(std::move(no));
    }
    s.start_all(gaps(cfg, 1) / static_cast<std::int64_t>(n));
    // A turn lasts at most cycle + 2 gaps; the slack covers start-up.
    const Time end = cycles(cfg, 4) + turn(cfg) * static_cast<std::int64_t>(turns + turns / 4);
    while (total < turns && s.now() < end) {
        if (!s.run_for(cycles(cfg, 1))) break;
    }
    Run r;
    r.turns_to_all = to_all;
    r.turns = total;
    r.jain = jain(std::vector<double>(tags.begin(), tags.end()));
    r.pings_per_turn = total > 1 ? static_cast<double>(pings) / static_cast<double>(total - 1) : 0;
    r.overlaps = s.stats().overlaps.size();
    return r;
}

struct FairCase {
    std::size_t n;
    std::size_t all_within;  // every node tagged within this many turns
    std::size_t turns;       // measured over
    double min_jain;
};

void sweep(const FairCase& fc, std::uint64_t seeds) {
    const std::uint64_t base = seed_base();
    std::size_t worst_all = 0, never = 0, overlaps = 0;
    double worst_jain = 1, pings = 0;
    for (std::uint64_t seed = base; seed < base + seeds; ++seed) {
        const Run r = run_group(fc.n, seed, TurnPolicy::fair, fc.turns);
        ASSERT_EQ(r.turns, fc.turns) << "n=" << fc.n << " seed=" << seed;
        EXPECT_NE(r.turns_to_all, 0u) << "n=" << fc.n << " seed=" << seed << ": a node never tagged";
        EXPECT_LE(r.turns_to_all, fc.all_within) << "n=" << fc.n << " seed=" << seed;
        EXPECT_GE(r.jain, fc.min_jain) << "n=" << fc.n << " seed=" << seed << " (all within " << r.turns_to_all
                                       << ", " << r.pings_per_turn << " pings/turn)";
        EXPECT_EQ(r.overlaps, 0u) << "n=" << fc.n << " seed=" << seed;
        if (!r.turns_to_all) ++never;
        worst_all = std::max(worst_all, r.turns_to_all);
        worst_jain = std::min(worst_jain, r.jain);
        pings += r.pings_per_turn;
        overlaps += r.overlaps;
        if (::testing::Test::HasFailure()) return;
    }
    pings /= static_cast<double>(seeds);
    EXPECT_LE(pings, 1.05) << "n=" << fc.n;
    // 0.24 beside it, over fewer seeds (figures only).
    std::size_t a_never = 0, a_worst = 0;
    double a_jain = 1, a_pings = 0;
    const std::uint64_t a_seeds = std::min<std::uint64_t>(seeds, 20);
    for (std::uint64_t seed = base; seed < base + a_seeds; ++seed) {
        const Run r = run_group(fc.n, seed, TurnPolicy::asyncactor, fc.turns);
        if (!r.turns_to_all) ++a_never;
        a_worst = std::max(a_worst, r.turns_to_all);
        a_jain = std::min(a_jain, r.jain);
        a_pings += r.pings_per_turn;
    }
    std::printf("[ fair     ] n=%zu over %zu turns, %llu seeds: all tagged within %zu turns (target %zu), "
                "Jain min %.3f (target %.2f), %.3f pings/turn, %zu overlaps | asyncactor, %llu seeds: "
                "%zu runs with a node never tagged, all within %zu, Jain min %.3f, %.3f pings/turn\n",
                fc.n, fc.turns, static_cast<unsigned long long>(seeds), worst_all, fc.all_within, worst_jain,
                fc.min_jain, pings, overlaps, static_cast<unsigned long long>(a_seeds), a_never, a_worst,
                a_jain, a_seeds ? a_pings / static_cast<double>(a_seeds) : 0.0);
    (void)never;
}

// Targets of the issue: 2..5 nodes all tagged within 2N + 2 turns, Jain >=
// 0.95 over 200 turns; 12, 50, 200 (chain of 5) within 3N, Jain >= 0.9
// over 10N turns.
TEST(SimFair, SmallGroupsAreFairFromTheStart) {
    for (std::size_t n : {2, 3, 5})
        sweep({n, 2 * n + 2, 200, 0.95}, seed_count(200));
}

TEST(SimFair, EightNodesOnAChainOfFive) { sweep({8, 24, 80, 0.9}, seed_count(200)); }

TEST(SimFair, TwelveNodes) { sweep({12, 36, 120, 0.9}, seed_count(100)); }

TEST(SimFair, FiftyNodes) { sweep({50, 150, 500, 0.9}, seed_count(20)); }

// One seed by default (2000 turns of 200 nodes take a minute under ASan);
// ACTOR_SIM_SEEDS widens it.
TEST(SimFair, TwoHundredNodes) { sweep({200, 600, 2000, 0.9}, seed_count(1)); }

// A killed holder: five fair nodes rotate; the tagged node is crashed at
// its tag, and the next tag must come within timing::turn_bound (cycle +
// 2.5*gap) of the crash, over many seeds and five kills each.
TEST(SimFair, AKilledHolderIsFollowedWithinTheTurnBound) {
    const Config cfg = fast_config(5);
    const std::uint64_t seeds = seed_count(200), base = seed_base();
    Duration worst{0};
    for (std::uint64_t seed = base; seed < base + seeds; ++seed) {
        sim::SimOptions o;
        o.seed = seed;
        o.link = link(cfg, 0.1, 0.1);
        o.trace = false;
        std::optional<std::size_t> tagged_node;
        std::optional<Time> tagged_at;
        o.on_event = [&](Time t, std::size_t i, const Event& e) {
            if (e.type == EventType::tag) {
                tagged_node = i;
                tagged_at = t;
            }
        };
        sim::Simulator s(o);
        for (std::size_t i = 0; i < 8; ++i) {
            NodeOptions no;
            no.name = "n" + std::to_string(i);
            no.config = cfg;
            no.value = 1;
            no.ready = true;
            s.add_node(std::move(no));
        }
        s.start_all(gaps(cfg, 1) / 8);
        ASSERT_TRUE(s.run_until(cycles(cfg, 6))) << s.error();
        for (int kill = 0; kill < 5; ++kill) {
            // Run to the start of a tag, crash its holder, wait for the next.
            tagged_at.reset();
            while (!tagged_at) ASSERT_TRUE(s.run_for(gaps(cfg, 0.01))) << s.error();
            const Time crash = s.now();
            s.crash(*tagged_node);
            tagged_at.reset();
            const Time limit = crash + cycles(cfg, 3);
            while (!tagged_at && s.now() < limit) ASSERT_TRUE(s.run_for(gaps(cfg, 0.01))) << s.error();
            ASSERT_TRUE(tagged_at) << "seed=" << seed << " kill " << kill << ": no tag within 3 cycles";
            const Duration took = *tagged_at - crash;
            EXPECT_LE(took, timing::turn_bound(cfg)) << "seed=" << seed << " kill " << kill;
            worst = std::max(worst, took);
        }
        if (::testing::Test::HasFailure()) return;
    }
    std::printf("[ fair     ] killed holder, %llu seeds x 5 kills: next tag within %.3f cycles + %.3f gaps of the "
                "crash at worst (bound cycle + 2.5*gap)\n",
                static_cast<unsigned long long>(seeds), 1.0, (to_seconds(worst) - cfg.cycle) / cfg.gap);
}

// A mixed group: three fair nodes and two that follow 0.24's choice (as a
// Python asyncactor 0.24 peer does; none can be installed here). The
// rotation goes on and never has two nodes tagged at once. Before the fair
// nodes' late slot moved after 0.24's (fair_policy::late) and their last
// pinger waited 3 gaps (node.cpp ping_delay_factor), 4 of seeds
// 1..1000 (15 of 3,000) had two tagged for part of a turn: 0.24 nodes off
// the chain, never tagged, held both of the fair nodes' ranks, so every
// node pinged in the late slot together (seed 572 at 2.27 s: five pings in
// 7 ms); arrival order then settled the collision differently on different
// nodes, a ping that most ignored as a repeat from their head won a
// collision on one, and two heads were tagged. The late slot alone (and
// the refused-ping rule, node.cpp step 6) left 1 of 25,000 (seed 5288:
// again a pile-up in the late slot, with the last pinger's repeat in it).
// Now 0 of 50,000.
TEST(SimFair, AMixedGroupWithAsyncactorNodesRotates) {
    const Config cfg = fast_config(5);
    const std::uint64_t seeds = seed_count(200), base = seed_base();
    std::uint64_t fair_tags = 0, old_tags = 0, overlapping = 0;
    for (std::uint64_t seed = base; seed < base + seeds; ++seed) {
        sim::SimOptions o;
        o.seed = seed;
        o.link = link(cfg, 0.1, 0.1);
        o.trace = std::getenv("ACTOR_SIM_FAIR_TRACE") != nullptr;
        std::uint64_t tags = 0;
        o.on_event = [&](Time, std::size_t i, const Event& e) {
            if (e.type != EventType::tag) return;
            ++tags;
            ++(i < 3 ? fair_tags : old_tags);
        };
        sim::Simulator s(o);
        for (std::size_t i = 0; i < 5; ++i) {
            NodeOptions no;
            no.name = "m" + std::to_string(i);
            no.config = cfg;
            no.value = static_cast<std::int64_t>(i % 3 + 1);
            no.ready = true;
            no.turn_policy = i < 3 ? TurnPolicy::fair : TurnPolicy::asyncactor;
            s.add_node(std::move(no));
        }
        s.start_all(gaps(cfg, 1) / 5);
        ASSERT_TRUE(s.run_until(cycles(cfg, 4) + turn(cfg) * 200)) << s.error();
        for (const auto& ov : s.stats().overlaps) {
            EXPECT_LE(ov.to - ov.from, timing::tag_length(cfg)) << "seed=" << seed;
            if (o.trace)
                std::printf("seed %llu overlap %.3f..%.3f\n%s", static_cast<unsigned long long>(seed),
                            to_seconds(ov.from - Time(0)), to_seconds(ov.to - Time(0)),
                            s.format_trace(60, ov.from - cycles(cfg, 1.2), ov.to).c_str());
        }
        overlapping += !s.stats().overlaps.empty();
        EXPECT_GE(tags, 150u) << "seed=" << seed << ": the rotation stalled";
        if (::testing::Test::HasFailure()) return;
    }
    EXPECT_EQ(overlapping, 0u) << overlapping << " of " << seeds << " seeds with two tagged at once";
    std::printf("[ fair     ] mixed group (3 fair, 2 asyncactor), %llu seeds: %llu with two tagged at once for "
                "part of a turn; tags %llu by fair nodes, %llu by asyncactor nodes\n",
                static_cast<unsigned long long>(seeds), static_cast<unsigned long long>(overlapping),
                static_cast<unsigned long long>(fair_tags), static_cast<unsigned long long>(old_tags));
}

}  // namespace
