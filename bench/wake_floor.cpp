// wake_floor PERIOD_S: a process that does nothing but wake up every
// PERIOD_S seconds (an absolute-deadline clock_nanosleep loop), until it is
// killed. bench_footprint runs it beside the nodes: its CPU time per second
// is what this machine charges for the wake-ups alone (the scheduler's
// context switches and the system call), the floor under any node that
// wakes as often. Not a benchmark of its own (no bench_ prefix:
// scripts/bench.sh does not run it).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

int main(int argc, char** argv) {
    char* end = nullptr;
    const double period = argc == 2 ? std::strtod(argv[1], &end) : 0;
    if (argc != 2 || end == argv[1] || *end != '\0' || !(period >= 0.001) || period > 3600) {
        std::fprintf(stderr, "usage: wake_floor PERIOD_S (0.001 to 3600)\n");
        return 64;
    }
    const long long step = static_cast<long long>(period * 1e9);
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    for (;;) {
        long long ns = t.tv_nsec + step;
        t.tv_sec += static_cast<time_t>(ns / 1000000000LL);
        t.tv_nsec = static_cast<long>(ns % 1000000000LL);
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nullptr) == EINTR) {
        }
    }
}
