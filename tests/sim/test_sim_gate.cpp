// actor-run-if-leader's decision (actor::Gate) over the simulator: groups of
// gates as cron starts them, late starters, --observe gates beside rotating
// daemons, --wait gates, and a partition during the decision
// (tests/sim/gate_harness.hpp drives Gate + Node pairs).
//
// Regime: latency + jitter = 0.2 gap, as the rest of the sim suite; there
// every group of one-shot gates runs its job exactly once.
//
// Seeds: ACTOR_SIM_SEEDS=N runs N seeds per scenario (the defaults keep the
// file within about 10 s); ACTOR_SIM_SEED_BASE=B starts at seed B (a range
// for longer sweeps). A failure prints its seed and the gates' story.
#include "sim/gate_harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>

using namespace actor;
using namespace actor::simtest;

namespace {


const Config cfg = fast_config(5);

sim::SimOptions options(std::uint64_t seed) {
    sim::SimOptions o;
    o.seed = seed;
    o.trace = std::getenv("ACTOR_SIM_TRACE") != nullptr;  // failure messages show it
    o.link = link(cfg, 0.1, 0.1);
    return o;
}

std::string gate_name(std::size_t i) { return (i < 10 ? "g0" : "g") + std::to_string(i); }

GateOptions gate_options(const std::string& name, GateMode mode = GateMode::once) {
    GateOptions g;
    g.name = name;
    g.config = cfg;
    g.mode = mode;
    return g;
}

// A time uniform in [from, from + span].
Time uniform(std::mt19937_64& rng, Time from, Duration span) {
    if (span.count() <= 0) return from;
    return from + Duration(std::uniform_int_distribution<std::int64_t>(0, span.count())(rng));
}

// One group of sim + gates for one seed.
struct Group {
    // `seen`: called for every node's event (after the gates saw it).
    explicit Group(std::uint64_t seed, std::function<void(Time, std::size_t slot, const Event&)> seen = {})
        : gates(seed), rng(seed * 7919 + 17) {
        auto o = options(seed);
        gates.hook(o);
        if (seen) {
            o.on_event = [inner = o.on_event, seen](Time t, std::size_t slot, const Event& e) {
                inner(t, slot, e);
                seen(t, slot, e);
            };
        }
        sim = std::make_unique<sim::Simulator>(o);
        gates.attach(*sim);
    }
    GateGroup gates;
    std::mt19937_64 rng;
    std::unique_ptr<sim::Simulator> sim;
};

// The bound on a one-shot gate's life from its start: the watch (extended
// once), the decision, the job and the linger, and a margin.
Duration life(Duration job) {
    return timing::gate_watch_window(cfg) * 2 + timing::decision_timeout(cfg) + job + timing::linger_default(cfg) +
           cycles(cfg, 2);
}

struct Starters {
    const char* name;
    std::size_t n;
    double spread_cycles;  // the starts fall within this many cycles
};

class SimGateStarters : public ::testing::TestWithParam<Starters> {};

// N one-shot gates started within one gap or one cycle: exactly one runs
// the job and exits with its status; every other exits 75.
TEST_P(SimGateStarters, ExactlyOneRuns) {
    const auto& tc = GetParam();
    const std::uint64_t n = seed_count(tc.n > 10 ? 2000 : 10000), base = seed_base();
    const JobModel job{cycles(cfg, 0.5), 0};
    std::map<std::size_t, std::uint64_t> runs_hist;
    Duration worst_decision{0};
    for (std::uint64_t seed = base; seed < base + n; ++seed) {
        Group r(seed);
        const Duration spread = cycles(cfg, tc.spread_cycles);
        for (std::size_t i = 0; i < tc.n; ++i) r.gates.add(gate_options(gate_name(i)), job);
        for (std::size_t i = 0; i < tc.n; ++i) r.gates.start(i, uniform(r.rng, Time(0), spread));
        ASSERT_TRUE(r.sim->run_until(spread + life(job.length))) << "seed=" << seed << " " << r.sim->error();
        ++runs_hist[r.gates.total_runs()];
        std::size_t ran = 0, skipped = 0;
        for (std::size_t i = 0; i < tc.n; ++i) {
            const auto& g = r.gates[i];
            if (!g.runs.empty() && g.exit_status == 0) ++ran;
            if (g.runs.empty() && g.exit_status == 75) ++skipped;
            if (g.exit_at) worst_decision = std::max(worst_decision, *g.exit_at - *g.started);
        }
        ASSERT_TRUE(r.gates.total_runs() == 1 && ran == 1 && skipped == tc.n - 1 && r.gates.all_exited())
            << "seed=" << seed << ": " << r.gates.total_runs() << " runs, " << ran << " ran, " << skipped
            << " exited 75\n"
            << r.gates.summary();
    }
    std::printf("[ gate     ] %s: %llu seeds, runs per group:", tc.name, static_cast<unsigned long long>(n));
    for (auto [k, v] : runs_hist) std::printf(" %zu run(s) x%llu", k, static_cast<unsigned long long>(v));
    std::printf("; longest life %.2f cycles\n", to_seconds(worst_decision) / cfg.cycle);
}

INSTANTIATE_TEST_SUITE_P(Sim, SimGateStarters,
                         ::testing::Values(Starters{"five_within_a_gap", 5, 0.15},
                                           Starters{"five_within_a_cycle", 5, 1.0},
                                           Starters{"fifty_within_a_gap", 50, 0.15},
                                           Starters{"fifty_within_a_cycle", 50, 1.0}),
                         [](const auto& info) { return std::string(info.param.name); });

// Late starters: after a group of 5 decided, 10 more gates start at random
// instants while the winner's job runs (2 cycles) and while it lingers
// (the default, cycle + 2*gap): none of them runs; each exits 75.
//
// Regression: before the gate stayed past --linger until its node's next
// turn (gate.cpp, on_event "lingering"), a gate that started in the last
// ~4 gaps of the linger heard nothing before the winner left (a lone head
// pings every cycle + 3*gap, longer than the default linger), joined an
// empty group and ran the job again: 246 of 3,010 late starters over seeds
// 1..300 (seed 3 the first). Leaving at that next turn alone still let 19
// run (seed 19 the first): a gate whose watch ended as that ping went out
// joined, its new node missed the ping, and the winner left; now a joiner's
// init keeps the winner for one more turn of its own.
void late_starters(std::uint64_t seed, std::size_t& late, std::size_t& late_runs) {
    const JobModel job{cycles(cfg, 2), 0};
    Group r(seed);
    for (std::size_t i = 0; i < 5; ++i) r.gates.add(gate_options(gate_name(i)), job);
    for (std::size_t i = 0; i < 5; ++i) r.gates.start(i, uniform(r.rng, Time(0), gaps(cfg, 1)));
    std::optional<Time> ran;
    while (!ran && r.sim->now() < life(job.length)) {
        ASSERT_TRUE(r.sim->run_for(gaps(cfg, 0.05))) << "seed=" << seed;
        for (std::size_t i = 0; i < 5; ++i)
            if (!r.gates[i].runs.empty()) ran = r.gates[i].runs[0];
    }
    ASSERT_TRUE(ran) << "seed=" << seed << "\n" << r.gates.summary();
    const Time linger_end = *ran + job.length + timing::linger_default(cfg);
    for (std::size_t k = 0; k < 10; ++k) {
        auto gi = r.gates.add(gate_options("late" + std::to_string(k)), job);
        r.gates.start(gi, uniform(r.rng, *ran, linger_end - *ran));
    }
    ASSERT_TRUE(r.sim->run_until(linger_end + life(job.length))) << "seed=" << seed;
    std::size_t runs = 0;
    for (std::size_t gi = 5; gi < r.gates.size(); ++gi) {
        ++late;
        runs += r.gates[gi].runs.size();
        EXPECT_EQ(r.gates[gi].exit_status, 75) << "seed=" << seed << " gate " << gi;
    }
    late_runs += runs;
    EXPECT_EQ(runs, 0u) << "seed=" << seed << ": a late starter ran\n" << r.gates.summary();
    EXPECT_EQ(r.gates.total_runs(), 1u) << "seed=" << seed;
}

TEST(SimGate, LateStartersNeverRunWhileTheWinnerRunsOrLingers) {
    const std::uint64_t n = seed_count(5000), base = seed_base();
    std::size_t late = 0, late_runs = 0;
    for (std::uint64_t seed : {3ULL, 19ULL}) late_starters(seed, late, late_runs);  // regressions
    for (std::uint64_t seed = base; seed < base + n && !HasFailure(); ++seed) late_starters(seed, late, late_runs);
    std::printf("[ gate     ] late starters: %llu seeds (+2 regression), %zu late starters, %zu ran\n",
                static_cast<unsigned long long>(n), late, late_runs);
}

// --observe: five actor-join daemons rotate; six gates (one per daemon's
// host, one for a host without a daemon) start within one gap. Started just
// after a tag (the next ping almost a cycle away, as cron hosts whose clocks
// agree), they all see the same next turn: exactly one runs, on the host
// that turn names. Started at a random phase, a settled turn can fall
// between their starts: then two turns are seen (counted, the documented
// contract), and each gate that ran saw its own name.
void observe_group(std::uint64_t seed, bool after_tag, std::map<std::size_t, std::uint64_t>& hist,
                   std::uint64_t& no_turn) {
    const JobModel job{cycles(cfg, 0.5), 0};
    // A split being healed (a `recover`) moves the next turn up: not the
    // "next ping almost a cycle away" that started-after-a-tag means.
    std::optional<Time> last_recover;
    Group r(seed, [&](Time t, std::size_t, const Event& e) {
        if (e.type == EventType::recover) last_recover = t;
    });
    std::vector<std::size_t> daemons;
    for (std::size_t i = 0; i < 5; ++i)
        daemons.push_back(r.gates.add_daemon("d0" + std::to_string(i), cfg, static_cast<std::int64_t>(i + 1)));
    for (std::size_t i = 0; i < 5; ++i) r.sim->start(daemons[i], uniform(r.rng, Time(0), gaps(cfg, 1)));
    ASSERT_TRUE(r.sim->run_until(cycles(cfg, 4))) << "seed=" << seed;
    // The daemons rotate. (Measured: ready daemons valued 1..5 started
    // within a gap sometimes take no turn at all, e.g. seed 948: a protocol
    // matter, counted here and left to the node's own scenarios.)
    const Time limit = r.sim->now() + cycles(cfg, 6);
    // A tag that has just begun: past the end of one running now (its
    // successor may ping before it ends), to the start of the next.
    const auto healing = [&] { return last_recover && r.sim->now() - *last_recover < cycles(cfg, 1); };
    do {
        while (r.sim->tagged_count() && r.sim->now() < limit) ASSERT_TRUE(r.sim->run_for(gaps(cfg, 0.02)));
        while (!r.sim->tagged_count() && r.sim->now() < limit) ASSERT_TRUE(r.sim->run_for(gaps(cfg, 0.02)));
    } while (after_tag && healing() && r.sim->now() < limit);
    if (!r.sim->tagged_count()) {
        ++no_turn;
        return;
    }
    const Time t0 = after_tag ? r.sim->now() : r.sim->now() + uniform(r.rng, Time(0), cycles(cfg, 1));
    for (std::size_t i = 0; i < 6; ++i) {
        auto gi = r.gates.add(gate_options(i < 5 ? "d0" + std::to_string(i) : "x", GateMode::observe), job);
        r.gates.start(gi, uniform(r.rng, t0, gaps(cfg, 1)));
    }
    ASSERT_TRUE(r.sim->run_until(t0 + life(job.length))) << "seed=" << seed;
    ++hist[r.gates.total_runs()];
    ASSERT_TRUE(r.gates.all_exited()) << "seed=" << seed << "\n" << r.gates.summary();
    EXPECT_TRUE(r.gates[5].runs.empty()) << "seed=" << seed;
    if (after_tag) {
        EXPECT_EQ(r.gates.total_runs(), 1u) << "seed=" << seed << "\n" << r.gates.summary()
                                            << r.sim->format_trace(80, t0 - cycles(cfg, 1), t0 + cycles(cfg, 2));
    } else {
        EXPECT_LE(r.gates.total_runs(), 2u) << "seed=" << seed << "\n" << r.gates.summary();
    }
    for (std::size_t gi = 0; gi < 6; ++gi)
        EXPECT_EQ(r.gates[gi].exit_status, r.gates[gi].runs.empty() ? 75 : 0) << "seed=" << seed << " gate " << gi;
}

TEST(SimGate, ObserveGatesOverRotatingDaemons) {
    const std::uint64_t n = seed_count(3000), base = seed_base();
    for (bool after_tag : {true, false}) {
        std::map<std::size_t, std::uint64_t> hist;
        std::uint64_t no_turn = 0;
        for (std::uint64_t seed = base; seed < base + n && !HasFailure(); ++seed)
            observe_group(seed, after_tag, hist, no_turn);
        std::printf("[ gate     ] --observe, started %s: %llu seeds, runs per group:",
                    after_tag ? "just after a tag" : "at a random phase", static_cast<unsigned long long>(n));
        for (auto [k, v] : hist) std::printf(" %zu run(s) x%llu", k, static_cast<unsigned long long>(v));
        std::printf("; daemons without a turn in 6 cycles x%llu\n", static_cast<unsigned long long>(no_turn));
    }
}

// --wait: five gates started within one gap each run their job (0.3 cycle,
// shorter than a turn) exactly once, never two tagged at once, and every
// gate is tagged within 2N + 2 = 12 turns of the cold start (issue 12's
// "--wait reaches a node within the fair bound"), counted in tags and in
// time (12 turns of cycle + 2*gap). Two jobs at once are counted, not
// asserted: a job goes on after its tag ends (without --kill-on-untag).
// Gates started a moment apart can each hold a chain of their own (the
// earlier ones' first pings went out before the later ones listened), and
// with equal values each side's collision rule keeps its own head until a
// recovery merges them. Before the fair policy waited a cycle after a ping
// it refused from a sender that beats it (node.cpp, step 6), a node that
// had refused the other chain's ping pinged a moment later and both were
// tagged: seeds 1..3000 gave 3 with two tags at once, 95 with two jobs at
// once (seed 240, traced with the late slot already moved: g02 refused
// g01's ping, which lost to g02's head g00, and pinged in its slot 0.1
// cycle later; g01, tagged, won that collision against itself). Now 0 and 39 (0 and 134 of 10,000; all tagged within 7 turns,
// 13.4 cycles at worst).
TEST(SimGate, WaitGatesEachRunOnceNeverTogether) {
    const std::uint64_t n = seed_count(3000), base = seed_base();
    const JobModel job{cycles(cfg, 0.3), 0};
    Duration longest{0};
    std::uint64_t overlapping = 0, tag_overlaps = 0, first_overlap = 0;
    std::size_t worst_turns = 0;
    Duration worst_time{0};
    std::vector<double> all_tagged;  // cycles from the first start to the last gate's first tag
    std::map<std::size_t, std::uint64_t> turns_hist;
    for (std::uint64_t seed = base; seed < base + n; ++seed) {
        // Turns from the cold start: the k-th tag of the group is turn k.
        std::size_t tags = 0;
        std::map<std::size_t, std::size_t> first_tag;  // slot -> turn
        Time last_first{};
        Group r(seed, [&](Time t, std::size_t slot, const Event& e) {
            if (e.type == EventType::tag && first_tag.emplace(slot, ++tags).second) last_first = t;
        });
        for (std::size_t i = 0; i < 5; ++i) {
            auto g = gate_options(gate_name(i), GateMode::wait);
            g.timeout = cycles(cfg, 20);
            r.gates.add(g, job);
            r.gates.start(i, uniform(r.rng, Time(0), gaps(cfg, 1)));
        }
        ASSERT_TRUE(r.sim->run_until(cycles(cfg, 25))) << "seed=" << seed;
        std::vector<std::pair<Time, Time>> jobs;
        for (std::size_t i = 0; i < 5; ++i) {
            const auto& g = r.gates[i];
            ASSERT_TRUE(g.runs.size() == 1 && g.exit_status == 0)
                << "seed=" << seed << "\n" << r.gates.summary() << r.sim->format_trace(100, Time(0), cycles(cfg, 6));
            jobs.emplace_back(g.runs[0], *g.job_end);
            longest = std::max(longest, *g.exit_at);
        }
        std::size_t all_by = 0;
        for (std::size_t i = 0; i < 5; ++i) all_by = std::max(all_by, first_tag.at(*r.gates[i].active));
        ++turns_hist[all_by];
        worst_time = std::max(worst_time, last_first - Time(0));
        all_tagged.push_back(to_seconds(last_first - Time(0)) / cfg.cycle);
        worst_turns = std::max(worst_turns, all_by);
        EXPECT_LE(all_by, 12u) << "seed=" << seed << ": the last gate's first tag was turn " << all_by
                               << " (target 2N + 2 = 12)";
        std::sort(jobs.begin(), jobs.end());
        bool together = false;
        for (std::size_t k = 1; k < jobs.size(); ++k) together |= jobs[k].first < jobs[k - 1].second;
        overlapping += together;
        tag_overlaps += !r.sim->stats().overlaps.empty();
        EXPECT_TRUE(r.sim->stats().overlaps.empty()) << "seed=" << seed << ": two tagged at once";
        EXPECT_LE(last_first - Time(0), turn(cfg) * 12) << "seed=" << seed << ": the last gate's first tag";
        if (together && !first_overlap) first_overlap = seed;
        if (!r.sim->stats().overlaps.empty() && std::getenv("ACTOR_SIM_TRACE")) {
            std::printf("seed %llu\n%s\n%s", static_cast<unsigned long long>(seed), r.gates.summary().c_str(),
                        r.sim->format_trace(120).c_str());
            break;
        }
    }
    std::printf("[ gate     ] --wait: %llu seeds with two jobs at once, %llu with two tags at once (first seed %llu)\n",
                static_cast<unsigned long long>(overlapping), static_cast<unsigned long long>(tag_overlaps),
                static_cast<unsigned long long>(first_overlap));
    std::printf("[ gate     ] --wait: %llu seeds, 5 runs per group; all done within %.1f cycles; every gate "
                "tagged within %zu turns of the cold start at worst (target 12); turns:",
                static_cast<unsigned long long>(n), to_seconds(longest) / cfg.cycle, worst_turns);
    for (auto [k, v] : turns_hist) std::printf(" %zu x%llu", k, static_cast<unsigned long long>(v));
    std::sort(all_tagged.begin(), all_tagged.end());
    const auto pct = [&](double p) {
        return all_tagged.empty() ? 0.0 : all_tagged[static_cast<std::size_t>(p * static_cast<double>(all_tagged.size() - 1))];
    };
    std::printf("; all tagged %.2f cycles after the first start (median), %.2f (p99), %.2f (worst; bound 12 turns "
                "of cycle + 2*gap = %.1f)\n",
                pct(0.5), pct(0.99), to_seconds(worst_time) / cfg.cycle, to_seconds(turn(cfg) * 12) / cfg.cycle);
}

// A partition during the decision: ten gates start within one gap; once
// they have joined, the group splits in halves for between one gap and
// three cycles, then heals. Each side runs the job at most once, every gate
// ends; how many runs a split gives is counted (a side that stays cut off
// longer than its decision takes the turn for itself: no channel between
// them, no single turn).
TEST(SimGate, PartitionDuringTheDecision) {
    const std::uint64_t n = seed_count(3000), base = seed_base();
    const JobModel job{cycles(cfg, 0.5), 0};
    std::map<std::size_t, std::uint64_t> short_hist, long_hist;
    for (std::uint64_t seed = base; seed < base + n; ++seed) {
        Group r(seed);
        for (std::size_t i = 0; i < 10; ++i) {
            r.gates.add(gate_options(gate_name(i)), job);
            r.gates.start(i, uniform(r.rng, Time(0), gaps(cfg, 1)));
        }
        const Time split = uniform(r.rng, timing::gate_watch_window(cfg) + gaps(cfg, 1),
                                   timing::off_chain_turn_bound(cfg));
        const Duration length = uniform(r.rng, Time(0) + gaps(cfg, 1), cycles(cfg, 3) - gaps(cfg, 1));
        r.sim->at(split, [&](sim::Simulator&) { r.gates.partition({{0, 1, 2, 3, 4}, {5, 6, 7, 8, 9}}); });
        r.sim->at(split + length, [&](sim::Simulator&) { r.gates.heal(); });
        ASSERT_TRUE(r.sim->run_until(split + length + life(job.length))) << "seed=" << seed;
        ASSERT_TRUE(r.gates.all_exited()) << "seed=" << seed << "\n" << r.gates.summary();
        std::size_t left = 0, right = 0;
        for (std::size_t i = 0; i < 10; ++i) (i < 5 ? left : right) += r.gates[i].runs.size();
        ASSERT_TRUE(left <= 1 && right <= 1 && left + right >= 1)
            << "seed=" << seed << ": runs left " << left << " right " << right << "\n" << r.gates.summary();
        ++(length < cycles(cfg, 1) ? short_hist : long_hist)[left + right];
    }
    auto print = [](const char* what, const std::map<std::size_t, std::uint64_t>& h) {
        std::printf("[ gate     ] partition %s:", what);
        for (auto [k, v] : h) std::printf(" %zu run(s) x%llu", k, static_cast<unsigned long long>(v));
        std::printf("\n");
    };
    std::printf("[ gate     ] partition during the decision: %llu seeds\n", static_cast<unsigned long long>(n));
    print("shorter than a cycle", short_hist);
    print("a cycle to 3 cycles", long_hist);
}

}  // namespace
