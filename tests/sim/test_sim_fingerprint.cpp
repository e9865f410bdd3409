// Trace fingerprints: the simulator's speed work (issue 13) must not change
// any node's behaviour. For a fixed set of scenarios (groups of 5, 50 and
// 200 nodes, several seeds, both turn policies, with and without jitter,
// loss, a channel of limited capacity, faults) the whole trace (every field
// of every entry), the Stats and every node's final state are hashed, and
// the hashes are pinned below.
//
// The pinned values were recorded on the code before the speed work, at
// commit 68b1b46 (main, "tests: free ports come from below the kernel's
// ephemeral range"). A change that is meant to change behaviour must say so
// and record them again: ACTOR_SIM_FINGERPRINT_PRINT=1 prints the table.
#include "sim/sim_helpers.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

using namespace actor;
using namespace actor::simtest;

namespace {

// FNV-1a, 64 bits, over explicit little pieces (no struct padding).
struct Hash {
    std::uint64_t h = 0xcbf29ce484222325ull;
    void byte(std::uint8_t b) {
        h ^= b;
        h *= 0x100000001b3ull;
    }
    void u64(std::uint64_t v) {
        for (int k = 0; k < 8; ++k) byte(static_cast<std::uint8_t>(v >> (8 * k)));
    }
    void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
    void str(const std::string& s) {
        u64(s.size());
        for (char c : s) byte(static_cast<std::uint8_t>(c));
    }
    void time(Time t) { i64(t.count()); }
    void dur(Duration d) { i64(d.count()); }
};

std::uint64_t fingerprint(const sim::Simulator& s) {
    Hash h;
    for (const auto& e : s.trace()) {
        h.time(e.at);
        h.u64(e.node);
        h.u64(static_cast<std::uint64_t>(e.kind));
        h.u64(static_cast<std::uint64_t>(e.event));
        h.u64(static_cast<std::uint64_t>(e.msg));
        h.i64(e.subject);
        h.i64(e.prio);
        h.u64(e.replace);
        h.u64(static_cast<std::uint64_t>(e.stop));
    }
    const auto& st = s.stats();
    for (auto v : st.sent) h.u64(v);
    h.u64(st.tags);
    h.u64(st.reports);
    h.u64(st.deliveries);
    h.u64(st.lost);
    h.u64(st.steps);
    h.dur(st.max_backlog);
    h.u64(st.overlaps.size());
    for (const auto& o : st.overlaps) {
        h.time(o.from);
        h.time(o.to);
        h.u64(o.max_tagged);
    }
    h.u64(st.max_tagged);
    h.time(s.now());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const Node& n = s.node(i);
        h.u64(s.alive(i));
        h.u64(n.started());
        h.i64(n.tag_state());
        h.u64(static_cast<std::uint64_t>(n.stop_reason()));
        h.u64(n.known_nodes());
        h.i64(n.config().version);
        const auto np = n.next_ping_time();
        h.u64(np.has_value());
        if (np) h.time(*np);
        h.u64(n.chain().size());
        for (const auto& x : n.chain().names()) h.str(x);
    }
    h.u64(s.trace().size());
    return h.h;
}

struct Scenario {
    std::string name;
    std::function<std::unique_ptr<sim::Simulator>()> run;
};

NodeOptions member(const std::string& name, const Config& cfg, Value v, bool ready, TurnPolicy p) {
    NodeOptions o;
    o.name = name;
    o.config = cfg;
    o.value = std::move(v);
    o.ready = ready;
    o.turn_policy = p;
    return o;
}

// A group of n ready members "n1000".., value i%7+1, started over one gap
// (as SimFair runs them), for `cyc` cycles.
std::unique_ptr<sim::Simulator> fair_group(std::size_t n, std::uint64_t seed, TurnPolicy p,
                                           double jitter_gap, double loss, double cyc,
                                           bool mixed = false, std::size_t cap = 1024) {
    const Config cfg = fast_config(5);
    sim::SimOptions o;
    o.seed = seed;
    o.link = link(cfg, 0.1, jitter_gap, loss);
    auto s = std::make_unique<sim::Simulator>(o);
    for (std::size_t i = 0; i < n; ++i) {
        const TurnPolicy pi = mixed ? (i % 2 ? TurnPolicy::asyncactor : TurnPolicy::fair) : p;
        NodeOptions no = member("n" + std::to_string(1000 + i), cfg,
                                static_cast<std::int64_t>(i % 7 + 1), true, pi);
        no.max_known_nodes = cap;
        s->add_node(std::move(no));
    }
    s->start_all(gaps(cfg, 1) / static_cast<std::int64_t>(n));
    EXPECT_TRUE(s->run_until(cycles(cfg, cyc))) << s->error();
    return s;
}

// add_group's members (not ready, values 1..n) as bench_sim runs them, with
// a crash, a restart, a partition and its heal, a disconnect and a config
// change on the way.
std::unique_ptr<sim::Simulator> faulty_group(std::size_t n, std::uint64_t seed, double jitter_gap,
                                             double loss, double cyc) {
    const Config cfg = fast_config(5);
    sim::SimOptions o;
    o.seed = seed;
    o.link = link(cfg, 0.1, jitter_gap, loss);
    auto s = std::make_unique<sim::Simulator>(o);
    add_group(*s, n, cfg, gaps(cfg, 1));
    s->at(cycles(cfg, 4), [cfg](sim::Simulator& sim) {
        sim.call(1, [cfg](Node& node, Time now) {
            Config c = node.config();
            c.version += 1;
            c.cycle = cfg.cycle * 1.2;
            (void)node.set_config(c, now);
        });
    });
    s->at(cycles(cfg, 6), [](sim::Simulator& sim) { sim.crash(2); });
    s->at(cycles(cfg, 7), [](sim::Simulator& sim) { sim.restart(2); });
    s->at(cycles(cfg, 9), [n](sim::Simulator& sim) {
        std::vector<std::size_t> half;
        for (std::size_t i = 0; i < n / 2; ++i) half.push_back(i);
        sim.partition({half});
    });
    s->at(cycles(cfg, 13), [](sim::Simulator& sim) { sim.heal(); });
    s->at(cycles(cfg, 15), [n](sim::Simulator& sim) { sim.disconnect(n > 4 ? 4 : 0); });
    s->at(cycles(cfg, 17), [n](sim::Simulator& sim) { sim.reconnect(n > 4 ? 4 : 0); });
    s->at(cycles(cfg, 18), [](sim::Simulator& sim) { sim.mute(3); });
    s->at(cycles(cfg, 20), [](sim::Simulator& sim) { sim.mute(3, false); });
    EXPECT_TRUE(s->run_until(cycles(cfg, cyc))) << s->error();
    return s;
}

// SimStartup's set-up: a channel of limited capacity, retry_echo, started
// over 3 s, then every node loses the channel and returns.
std::unique_ptr<sim::Simulator> startup_group(std::size_t n, std::uint64_t seed, double rate,
                                              bool restart) {
    Config cfg;
    cfg.cycle = 4.0;
    cfg.gap = 0.8;
    cfg.nodes = 5;
    sim::SimOptions o;
    o.seed = seed;
    o.link = link(cfg, 0.002 / cfg.gap, 0.002 / cfg.gap);
    o.channel_rate = rate;
    auto s = std::make_unique<sim::Simulator>(o);
    for (std::size_t i = 1; i <= n; ++i) {
        NodeOptions no = member("n" + std::to_string(1000 + i), cfg, std::int64_t{0}, true,
                                TurnPolicy::fair);
        no.retry_echo = true;
        s->add_node(std::move(no));
    }
    s->start_all(from_seconds(3) / static_cast<std::int64_t>(n));
    EXPECT_TRUE(s->run_until(Time(0) + from_seconds(40))) << s->error();
    if (restart) {
        for (std::size_t i = 0; i < n; ++i) s->disconnect(i);
        const Time up = s->now() + from_seconds(5);
        for (std::size_t i = 0; i < n; ++i)
            s->at(up + from_seconds(0.5 + 0.5 * static_cast<double>((i * 7919 + seed) % 1000) / 1000),
                  [i](sim::Simulator& sim) { sim.reconnect(i); });
        EXPECT_TRUE(s->run_for(from_seconds(40))) << s->error();
    }
    return s;
}

// bench_sim's set-up (slow config, latency 0.02 gap, jitter 0.01 gap,
// starts over a gap), or with no jitter (every broadcast's copies arrive
// at once: the simulator's uniform sweep).
// `cap`: NodeOptions::max_known_nodes (small: the turn orders and value
// maps fill up, as at 1024 in a group of thousands).
std::unique_ptr<sim::Simulator> bench_group(std::size_t n, std::uint64_t seed, double jitter_gap,
                                            double cyc, std::size_t cap = 1024) {
    const Config cfg = slow_config(5);
    sim::SimOptions o;
    o.seed = seed;
    o.link = link(cfg, 0.02, jitter_gap);
    auto s = std::make_unique<sim::Simulator>(o);
    for (std::size_t i = 0; i < n; ++i) {
        NodeOptions no;
        no.name = (i < 10 ? "n0" : "n") + std::to_string(i);
        no.config = cfg;
        no.value = static_cast<std::int64_t>(i + 1);
        no.max_known_nodes = cap;
        s->add_node(std::move(no));
    }
    s->start_all(n > 1 ? gaps(cfg, 1) / static_cast<std::int64_t>(n) : Duration(0));
    EXPECT_TRUE(s->run_until(cycles(cfg, cyc))) << s->error();
    return s;
}

std::vector<Scenario> scenarios() {
    std::vector<Scenario> v;
    for (std::uint64_t seed : {1, 2, 3}) {
        const auto sd = std::to_string(seed);
        v.push_back({"fair5/jitter/s" + sd, [=] { return fair_group(5, seed, TurnPolicy::fair, 0.2, 0.0, 30); }});
        v.push_back({"fair5/loss/s" + sd, [=] { return fair_group(5, seed, TurnPolicy::fair, 0.2, 0.02, 30); }});
        v.push_back({"async5/jitter/s" + sd, [=] { return fair_group(5, seed, TurnPolicy::asyncactor, 0.2, 0.01, 30); }});
        v.push_back({"mixed5/s" + sd, [=] { return fair_group(5, seed, TurnPolicy::fair, 0.2, 0.01, 30, true); }});
        v.push_back({"faulty6/s" + sd, [=] { return faulty_group(6, seed, 0.2, 0.01, 22); }});
        v.push_back({"bench5/uniform/s" + sd, [=] { return bench_group(5, seed, 0.0, 20); }});
    }
    for (std::uint64_t seed : {1, 2}) {
        const auto sd = std::to_string(seed);
        v.push_back({"fair50/jitter/s" + sd, [=] { return fair_group(50, seed, TurnPolicy::fair, 0.2, 0.0, 25); }});
        v.push_back({"fair50/loss/s" + sd, [=] { return fair_group(50, seed, TurnPolicy::fair, 0.2, 0.01, 25); }});
        v.push_back({"async50/s" + sd, [=] { return fair_group(50, seed, TurnPolicy::asyncactor, 0.2, 0.0, 25); }});
        v.push_back({"faulty50/s" + sd, [=] { return faulty_group(50, seed, 0.2, 0.01, 22); }});
        v.push_back({"bench50/s" + sd, [=] { return bench_group(50, seed, 0.01, 15); }});
        v.push_back({"bench50/uniform/s" + sd, [=] { return bench_group(50, seed, 0.0, 15); }});
        v.push_back({"startup50/rate/s" + sd, [=] { return startup_group(50, seed, 20000, true); }});
        v.push_back({"bench50/cap16/s" + sd, [=] { return bench_group(50, seed, 0.01, 15, 16); }});
        v.push_back({"bench50/uniform/cap8/s" + sd, [=] { return bench_group(50, seed, 0.0, 15, 8); }});
        v.push_back({"fair50/cap16/s" + sd, [=] { return fair_group(50, seed, TurnPolicy::fair, 0.2, 0.01, 25, false, 16); }});
        v.push_back({"mixed50/cap12/s" + sd, [=] { return fair_group(50, seed, TurnPolicy::fair, 0.2, 0.0, 25, true, 12); }});
    }
    v.push_back({"fair200/jitter/s1", [] { return fair_group(200, 1, TurnPolicy::fair, 0.2, 0.0, 15); }});
    v.push_back({"async200/loss/s1", [] { return fair_group(200, 1, TurnPolicy::asyncactor, 0.2, 0.01, 15); }});
    v.push_back({"faulty200/s1", [] { return faulty_group(200, 1, 0.2, 0.01, 22); }});
    v.push_back({"bench200/s1", [] { return bench_group(200, 1, 0.01, 10); }});
    v.push_back({"bench200/uniform/s2", [] { return bench_group(200, 2, 0.0, 10); }});
    v.push_back({"startup200/rate/s1", [] { return startup_group(200, 1, 100000, true); }});
    v.push_back({"bench200/cap64/s3", [] { return bench_group(200, 3, 0.01, 10, 64); }});
    v.push_back({"fair200/cap32/s2", [] { return fair_group(200, 2, TurnPolicy::fair, 0.2, 0.0, 15, false, 32); }});
    return v;
}

struct Pinned {
    const char* name;
    std::uint64_t hash;
};

// Recorded at 68b1b46 (before the speed work): see the top of this file.
const Pinned pinned[] = {
    {"fair5/jitter/s1", 0x05f4bf5af167cc40ull},
    {"fair5/loss/s1", 0xb4e4b0d6b04fbb4aull},
    {"async5/jitter/s1", 0x9dc4a5ab695ed27full},
    {"mixed5/s1", 0x197f1faae02f661full},
    {"faulty6/s1", 0xf919c7bda126ab26ull},
    {"bench5/uniform/s1", 0x9170483513666364ull},
    {"fair5/jitter/s2", 0x09245c358f3565a7ull},
    {"fair5/loss/s2", 0x4b3ec624bf935d14ull},
    {"async5/jitter/s2", 0x3088fd0cf45c6d52ull},
    {"mixed5/s2", 0x04b2b08478e41871ull},
    {"faulty6/s2", 0x2a181d2b14b3699eull},
    {"bench5/uniform/s2", 0xa27280e9fa03a405ull},
    {"fair5/jitter/s3", 0x1371bc5ca84f7f54ull},
    {"fair5/loss/s3", 0x99a8b8cc9b76f76aull},
    {"async5/jitter/s3", 0xb1a4276626155561ull},
    {"mixed5/s3", 0x86bc555fd32f0bfcull},
    {"faulty6/s3", 0xd4bb403d9992feafull},
    {"bench5/uniform/s3", 0x80166e08074d3ce3ull},
    {"fair50/jitter/s1", 0xbee6695d646b790eull},
    {"fair50/loss/s1", 0x0876ca85fd972cc0ull},
    {"async50/s1", 0x4ba54aed1ac034f3ull},
    {"faulty50/s1", 0x7ddd9437437c5156ull},
    {"bench50/s1", 0x5aa659d263570330ull},
    {"bench50/uniform/s1", 0x39045025320b6654ull},
    {"startup50/rate/s1", 0x8423dd112ad9c067ull},
    {"bench50/cap16/s1", 0xb1120af7f928921dull},
    {"bench50/uniform/cap8/s1", 0x939593a3c445a483ull},
    {"fair50/cap16/s1", 0x4666d9b201f7279eull},
    {"mixed50/cap12/s1", 0xccf850eb262e9296ull},
    {"fair50/jitter/s2", 0x16eb985e4f12ac68ull},
    {"fair50/loss/s2", 0x97386b68b0633312ull},
    {"async50/s2", 0x9b1dd506b5f2d2a0ull},
    {"faulty50/s2", 0x8e6c5b7de28fdc8dull},
    {"bench50/s2", 0x4a0e5e3f976849a9ull},
    {"bench50/uniform/s2", 0x10d32ee7acec72d7ull},
    {"startup50/rate/s2", 0x31710c8921576a9eull},
    {"bench50/cap16/s2", 0xc0ac93f40ba620e2ull},
    {"bench50/uniform/cap8/s2", 0xb35c684133b8786eull},
    {"fair50/cap16/s2", 0xa74b0bee5460a1a3ull},
    {"mixed50/cap12/s2", 0x72590cd18881b699ull},
    {"fair200/jitter/s1", 0x625f083f295b3616ull},
    {"async200/loss/s1", 0x08ed1d559fbbe506ull},
    {"faulty200/s1", 0xb70960fb45aea28cull},
    {"bench200/s1", 0xe9ad2ebaaf6f3b51ull},
    {"bench200/uniform/s2", 0x7c1f1da21a4d37ccull},
    {"startup200/rate/s1", 0x5f326672ff5fc981ull},
    {"bench200/cap64/s3", 0x7c77c47484aafb78ull},
    {"fair200/cap32/s2", 0x08323583d626cf68ull},
};

TEST(SimFingerprint, TracesAreThoseOfThePreSpeedWorkCode) {
    const bool print = std::getenv("ACTOR_SIM_FINGERPRINT_PRINT") != nullptr;
    for (const auto& sc : scenarios()) {
        SCOPED_TRACE(sc.name);
        auto s = sc.run();
        ASSERT_GT(s->trace().size(), 20u);
        const std::uint64_t got = fingerprint(*s);
        if (print) std::printf("    {\"%s\", 0x%016llxull},\n", sc.name.c_str(), static_cast<unsigned long long>(got));
        const Pinned* want = nullptr;
        for (const auto& p : pinned)
            if (sc.name == p.name) want = &p;
        if (!want) {
            ADD_FAILURE() << "no pinned hash for " << sc.name;
            continue;
        }
        EXPECT_EQ(got, want->hash) << sc.name << ": got 0x" << std::hex << got;
    }
}

}  // namespace
