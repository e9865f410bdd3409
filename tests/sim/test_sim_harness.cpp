// The simulator itself: a seed reproduces a run exactly, the wire mode
// changes nothing, partitions and crashes cut delivery, a restart gives a
// new id under the same name, and a livelock hits the step cap.
#include "sim/sim_helpers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

using namespace actor;
using namespace actor::simtest;

namespace {

bool same_trace(const sim::Simulator& a, const sim::Simulator& b) {
    const auto& x = a.trace();
    const auto& y = b.trace();
    if (x.size() != y.size()) return false;
    for (std::size_t k = 0; k < x.size(); ++k) {
        const auto& p = x[k];
        const auto& q = y[k];
        if (p.at != q.at || p.node != q.node || p.kind != q.kind || p.event != q.event ||
            p.msg != q.msg || p.subject != q.subject || p.prio != q.prio ||
            p.replace != q.replace)
            return false;
    }
    return true;
}

sim::SimOptions jittery(std::uint64_t seed, const Config& cfg) {
    sim::SimOptions o;
    o.seed = seed;
    o.link = link(cfg, 0.1, 0.2, 0.01);
    return o;
}

TEST(SimHarness, SameSeedSameRunOtherSeedOtherRun) {
    const Config cfg = fast_config(5);
    auto run = [&](std::uint64_t seed) {
        auto s = std::make_unique<sim::Simulator>(jittery(seed, cfg));
        add_group(*s, 8, cfg);
        EXPECT_TRUE(s->run_until(cycles(cfg, 20))) << s->error();
        return s;
    };
    auto a = run(42), b = run(42), c = run(43);
    ASSERT_GT(a->trace().size(), 100u);
    EXPECT_TRUE(same_trace(*a, *b));
    EXPECT_FALSE(same_trace(*a, *c));
    EXPECT_EQ(a->stats().deliveries, b->stats().deliveries);
}

// The skip of inert copies (an init to a started node of another name, a
// vers that Node::ignores) is a shortcut only: with it on and off, the same
// seeds give the same traces, through start-up, a config change, a crash
// and restart, a partition and its heal, and a reconnect. This replaces
// keeping Node::ignores in step with on_message by hand. ACTOR_SIM_SEEDS=N
// runs N seeds.
TEST(SimHarness, SkippingInertCopiesChangesNoRun) {
    const Config cfg = fast_config(5);
    std::uint64_t n = 200;
    if (const char* e = std::getenv("ACTOR_SIM_SEEDS")) n = std::max<std::uint64_t>(1, std::strtoull(e, nullptr, 10));
    for (std::uint64_t seed = 1; seed <= n; ++seed) {
        SCOPED_TRACE("seed=" + std::to_string(seed));
        auto run = [&](bool skip) {
            auto o = jittery(seed, cfg);
            o.skip_inert = skip;
            auto s = std::make_unique<sim::Simulator>(o);
            add_group(*s, 6, cfg, gaps(cfg, 1));
            schedule_config_change_and_restart(*s, cfg);
            s->at(cycles(cfg, 9), [](sim::Simulator& sim) { sim.partition({{0, 1, 2}}); });
            s->at(cycles(cfg, 13), [](sim::Simulator& sim) { sim.heal(); });
            s->at(cycles(cfg, 15), [](sim::Simulator& sim) { sim.disconnect(4); });
            s->at(cycles(cfg, 17), [](sim::Simulator& sim) { sim.reconnect(4); });
            EXPECT_TRUE(s->run_until(cycles(cfg, 22))) << s->error();
            return s;
        };
        auto on = run(true), off = run(false);
        ASSERT_GT(on->trace().size(), 100u);
        EXPECT_TRUE(same_trace(*on, *off));
        EXPECT_EQ(on->stats().deliveries, off->stats().deliveries);
    }
}

// The same with turn orders and value maps that fill up (max_known_nodes
// below the group's size, as 1024 is in a group of thousands): inits then
// reach nodes whose order is full, which the simulator judges from
// Node::ignores_inits() without asking the node. Mixed policies, a
// restart and a reconnect (the order starts afresh), no jitter for half
// the seeds (the uniform sweep).
TEST(SimHarness, SkippingInertCopiesChangesNoRunWithFullOrders) {
    const Config cfg = fast_config(5);
    const std::uint64_t n = seed_count(100);
    for (std::uint64_t seed = 1; seed <= n; ++seed) {
        SCOPED_TRACE("seed=" + std::to_string(seed));
        auto run = [&](bool skip) {
            auto o = jittery(seed, cfg);
            if (seed % 2) o.link = link(cfg, 0.1, 0);
            o.skip_inert = skip;
            auto s = std::make_unique<sim::Simulator>(o);
            for (std::size_t i = 0; i < 12; ++i) {
                NodeOptions no;
                no.name = "m" + std::to_string(100 + i);
                no.config = cfg;
                no.value = static_cast<std::int64_t>(i % 5 + 1);
                no.ready = i % 3 != 0;
                no.max_known_nodes = 3 + seed % 4;
                no.turn_policy = i % 4 == 3 ? TurnPolicy::asyncactor : TurnPolicy::fair;
                s->add_node(std::move(no));
            }
            s->start_all(gaps(cfg, 2) / 12);
            s->at(cycles(cfg, 5), [](sim::Simulator& sim) { sim.restart(2); });
            s->at(cycles(cfg, 8), [](sim::Simulator& sim) { sim.disconnect(5); });
            s->at(cycles(cfg, 9), [](sim::Simulator& sim) { sim.reconnect(5); });
            s->at(cycles(cfg, 10), [](sim::Simulator& sim) { sim.restart(7); });
            EXPECT_TRUE(s->run_until(cycles(cfg, 16))) << s->error();
            return s;
        };
        auto on = run(true), off = run(false);
        ASSERT_GT(on->trace().size(), 100u);
        EXPECT_TRUE(same_trace(*on, *off));
        EXPECT_EQ(on->stats().deliveries, off->stats().deliveries);
    }
}

TEST(SimHarness, WireModeChangesNothing) {
    const Config cfg = fast_config(5);
    auto o = jittery(7, cfg);
    sim::Simulator plain(o);
    o.wire = true;
    sim::Simulator wire(o);
    for (auto* s : {&plain, &wire}) {
        add_group(*s, 6, cfg, gaps(cfg, 1));
        ASSERT_TRUE(s->run_until(cycles(cfg, 20))) << s->error();
    }
    for (const auto& e : wire.trace()) EXPECT_NE(e.kind, sim::TraceKind::undecodable);
    EXPECT_TRUE(same_trace(plain, wire));
    EXPECT_GT(wire.stats().tags, 10u);
}

TEST(SimHarness, EveryLiveNodeHearsEveryBroadcastIncludingItsOwn) {
    const Config cfg = fast_config(5);
    sim::SimOptions o;
    o.link = link(cfg, 0.1, 0);
    sim::Simulator s(o);
    add_group(s, 4, cfg);
    ASSERT_TRUE(s.run_until(cycles(cfg, 10))) << s.error();
    std::uint64_t sent = 0;
    for (auto v : s.stats().sent) sent += v;
    // No loss: every copy arrives, except the init and vers of nodes that
    // started earlier at the same instant (sent before a later node
    // subscribed) and whatever is still on the wire at the end.
    EXPECT_LE(s.stats().deliveries, sent * 4);
    EXPECT_GE(s.stats().deliveries + 32, sent * 4);
    EXPECT_EQ(s.stats().lost, 0u);
}

TEST(SimHarness, PartitionCutsAndHealRestores) {
    const Config cfg = fast_config(5);
    sim::SimOptions o;
    o.link = link(cfg, 0.05, 0);
    sim::Simulator s(o);
    add_group(s, 4, cfg);
    ASSERT_TRUE(s.run_until(cycles(cfg, 5))) << s.error();
    s.partition({{0, 1}, {2, 3}});
    const Time split = s.now();
    ASSERT_TRUE(s.run_for(turn(cfg) * 6)) << s.error();
    // Every report on a side names a node of that side.
    for (const auto& e : events(s, EventType::ping, split + gaps(cfg, 3))) {
        ASSERT_GE(e.subject, 0);
        EXPECT_EQ(e.node < 2, e.subject < 2) << s.format_trace(40);
    }
    EXPECT_GT(s.stats().lost, 0u);
    s.heal();
    ASSERT_TRUE(s.run_for(turn(cfg) * 6)) << s.error();
    EXPECT_TRUE(s.chains_agree());
}

TEST(SimHarness, CrashStopsDeliveryAndRestartGivesANewId) {
    const Config cfg = fast_config(5);
    sim::Simulator s(sim::SimOptions{});
    add_group(s, 3, cfg);
    ASSERT_TRUE(s.run_until(cycles(cfg, 5))) << s.error();
    const auto old_id = s.node(1).id();
    s.crash(1);
    EXPECT_FALSE(s.alive(1));
    const Time crashed = s.now();
    ASSERT_TRUE(s.run_for(turn(cfg) * 4)) << s.error();
    for (const auto& e : s.trace()) {
        if (e.at > crashed) {
            EXPECT_NE(e.node, 1u) << s.format_trace(30);
        }
    }
    s.restart(1);
    EXPECT_TRUE(s.alive(1));
    EXPECT_NE(s.node(1).id(), old_id);
    EXPECT_EQ(s.node(1).name(), "n01");
    ASSERT_TRUE(s.run_for(turn(cfg) * 8)) << s.error();
    EXPECT_EQ(s.node(1).stop_reason(), StopReason::none);
    EXPECT_FALSE(events(s, EventType::ping, crashed).empty());
}

TEST(SimHarness, LivelockHitsTheStepCap) {
    sim::SimOptions o;
    o.max_steps = 1000;
    sim::Simulator s(o);
    // An action that re-schedules itself at the same instant never lets
    // virtual time advance.
    std::function<void(sim::Simulator&)> again = [&](sim::Simulator& sim) {
        sim.at(sim.now(), again);
    };
    s.at(Time(0), again);
    EXPECT_FALSE(s.run_until(from_seconds(1)));
    EXPECT_NE(s.error().find("step cap"), std::string::npos) << s.error();
    EXPECT_FALSE(s.run_until(from_seconds(2)));
}

TEST(SimHarness, OverlapsAreMeasured) {
    // Two halves that never hear each other each tag a node: the simulator
    // must see two nodes tagged at once.
    const Config cfg = fast_config(5);
    sim::Simulator s(sim::SimOptions{});
    add_group(s, 4, cfg);
    s.partition({{0, 1}, {2, 3}});
    ASSERT_TRUE(s.run_until(cycles(cfg, 20))) << s.error();
    EXPECT_FALSE(s.stats().overlaps.empty());
    EXPECT_EQ(s.stats().max_tagged, 2u);
}

}  // namespace
