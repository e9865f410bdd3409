// Simulator figures (a printer, not a test): for groups of 5, 50, 200 and
// 10,000 nodes, the wall time to simulate the start-up (every node's init,
// vers and first ping reach every node: 3*N^2 deliveries, whatever the
// stagger) and then C cycles of steady state without faults, with the
// messages per turn and the turns in which two nodes were tagged at once.
//
//   bench_sim [--nodes N] [--cycles C] [--seed S] [--latency-gap F]
//             [--jitter-gap F] [--stagger-gap F]
// --nodes N runs one row; without it the four rows above.
#include "sim/sim_helpers.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace actor;
using namespace actor::simtest;

namespace {

struct Args {
    std::vector<std::size_t> nodes = {5, 50, 200, 10000};
    long cycles = 1000;
    std::uint64_t seed = 1;
    double latency_gap = 0.02, jitter_gap = 0.01, stagger_gap = 1.0;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "bench_sim: %s\nusage: bench_sim [--nodes N] [--cycles C] [--seed S] "
                 "[--latency-gap F] [--jitter-gap F] [--stagger-gap F]\n",
                 why);
    std::exit(2);
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        if (k == "-h" || k == "--help") usage("simulator figures");
        if (i + 1 >= argc) usage(("missing value for " + k).c_str());
        const char* v = argv[++i];
        char* end = nullptr;
        double x = std::strtod(v, &end);
        if (end == v || *end != '\0' || !(x >= 0) || x > 1e9) usage(("bad value for " + k).c_str());
        if (k == "--nodes") {
            if (x < 1) usage("--nodes must be at least 1");
            a.nodes = {static_cast<std::size_t>(x)};
        } else if (k == "--cycles") {
            a.cycles = static_cast<long>(x);
        } else if (k == "--seed") {
            a.seed = static_cast<std::uint64_t>(x);
        } else if (k == "--latency-gap") {
            a.latency_gap = x;
        } else if (k == "--jitter-gap") {
            a.jitter_gap = x;
        } else if (k == "--stagger-gap") {
            a.stagger_gap = x;
        } else {
            usage(("unknown option " + k).c_str());
        }
    }
    return a;
}

double wall_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// This process's resident set in KiB (/proc/self/status VmRSS), 0 if unknown.
long rss_kib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

int main(int argc, char** argv) {
    const Args a = parse(argc, argv);
    const Config cfg = slow_config(5);
    std::printf("cycle=%.1fs gap=%.1fs nodes(chain)=5 latency=%.3f*gap jitter=U[0,%.3f*gap] "
                "starts spread over %.2f*gap, seed %llu, no faults\n",
                cfg.cycle, cfg.gap, a.latency_gap, a.jitter_gap, a.stagger_gap,
                static_cast<unsigned long long>(a.seed));
    std::printf("%7s %7s %10s %10s %8s %7s %9s %9s %9s %8s %10s %9s\n", "nodes", "cycles", "startup_s",
                "steady_s", "total_s", "turns", "msgs/turn", "pings/trn", "overlaps", "max_rep",
                "Mdeliv/s", "KiB/node");
    for (std::size_t n : a.nodes) {
        sim::SimOptions o;
        o.seed = a.seed;
        o.link = link(cfg, a.latency_gap, a.jitter_gap);
        o.trace = false;
        o.max_steps = UINT64_MAX;
        const long rss0 = rss_kib();
        sim::Simulator s(o);

        auto t0 = std::chrono::steady_clock::now();
        add_group(s, n, cfg, gaps(cfg, a.stagger_gap));
        const Time warm = cycles(cfg, 3);
        if (!s.run_until(warm)) {
            std::fprintf(stderr, "bench_sim: %s\n", s.error().c_str());
            return 1;
        }
        const double startup_s = wall_since(t0);
        const std::uint64_t deliv0 = s.stats().deliveries;

        s.set_measure_from(warm);
        t0 = std::chrono::steady_clock::now();
        if (!s.run_until(warm + cycles(cfg, static_cast<double>(a.cycles)))) {
            std::fprintf(stderr, "bench_sim: %s\n", s.error().c_str());
            return 1;
        }
        const double steady_s = wall_since(t0);
        const auto& st = s.stats();
        std::uint64_t msgs = 0;
        for (auto m : st.sent) msgs += m;
        const double turns = static_cast<double>(std::max<std::uint64_t>(st.tags, 1));
        std::size_t overlaps = 0;
        for (const auto& ov : st.overlaps)
            if (ov.from >= warm) ++overlaps;
        const double kib_per_node = static_cast<double>(rss_kib() - rss0) / static_cast<double>(n);
        std::printf("%7zu %7ld %10.3f %10.3f %8.3f %7llu %9.3f %9.3f %9zu %7.2fs %10.2f %9.1f\n", n,
                    a.cycles, startup_s, steady_s, startup_s + steady_s,
                    static_cast<unsigned long long>(st.tags),
                    static_cast<double>(msgs) / turns,
                    static_cast<double>(st.sent_of(MsgType::ping)) / turns, overlaps,
                    to_seconds(s.max_report_interval()),
                    static_cast<double>(st.deliveries - deliv0) / steady_s / 1e6, kib_per_node);
        std::fflush(stdout);
    }
    std::printf("targets (issue 13, start-up included, one core): 10,000 nodes x 1,000 cycles under 10 s,\n"
                "100,000 x 1,000 under 60 s\n");
    std::printf("KiB/node = growth of this process's RSS over the run / nodes\n");
    std::printf("turns = tag events; overlaps = intervals with two nodes tagged (steady state);\n"
                "max_rep = longest time between two reports of one node (bound: cycle + 3*gap "
                "+ latency = %.2fs)\n",
                to_seconds(timing::off_chain_turn_bound(cfg)) + cfg.gap * (a.latency_gap + a.jitter_gap));
    return 0;
}
