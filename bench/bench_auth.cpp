// CPU per message with and without a group key (a printer, not a test):
// the thread's CPU time per call of decode() against GroupAuth::open()
// (HMAC-SHA-256 check, replay rule, then the same decode) and of encode()
// against encode() + GroupAuth::seal(), for a ping of a 5-name history
// and an integer value (the common message) and for one with a 1 KiB
// value (the largest a receiver takes). Messages are built in advance;
// every opened message is fresh (its own seq), so none is refused.
//
//   bench_auth [--messages N]
#include "actor/auth.hpp"
#include "actor/codec.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

using namespace actor;

namespace {

double thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

GroupKeys bench_keys() {
    GroupKeys k;
    k.keys.push_back(KeyBytes(32, 0x42));
    return k;
}

void row(const char* what, const Message& m, int n) {
    constexpr WallMs now = 1'700'000'000'000;
    const auto plain = encode(m);
    GroupAuth sealer(bench_keys());
    std::vector<std::vector<std::uint8_t>> sealed;
    sealed.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) sealed.push_back(sealer.seal(plain, now));

    std::size_t sink = 0;
    double t = thread_cpu_ns();
    for (int i = 0; i < n; ++i) sink += decode(plain).ok();
    const double decode_ns = (thread_cpu_ns() - t) / n;

    GroupAuth reader(bench_keys());
    t = thread_cpu_ns();
    for (int i = 0; i < n; ++i) sink += reader.open(sealed[static_cast<std::size_t>(i)], now).message.has_value();
    const double open_ns = (thread_cpu_ns() - t) / n;

    t = thread_cpu_ns();
    for (int i = 0; i < n; ++i) sink += encode(m).size();
    const double encode_ns = (thread_cpu_ns() - t) / n;

    GroupAuth sealer2(bench_keys());
    t = thread_cpu_ns();
    for (int i = 0; i < n; ++i) sink += sealer2.seal(encode(m), now).size();
    const double seal_ns = (thread_cpu_ns() - t) / n;

    if (sink == 0) std::abort();
    std::printf("%-22s %6zu B %6zu B  %8.2f %8.2f  %8.2f %8.2f\n", what, plain.size(), sealed.front().size(),
                decode_ns / 1000, open_ns / 1000, encode_ns / 1000, seal_ns / 1000);
}

}  // namespace

int main(int argc, char** argv) {
    int n = 20000;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--messages") == 0) n = std::atoi(argv[i + 1]);
    if (n <= 0) return 64;
    std::printf("CPU per message, microseconds (%d messages each)\n", n);
    std::printf("%-22s %8s %8s  %8s %8s  %8s %8s\n", "message", "plain", "sealed", "decode", "open", "encode",
                "+seal");
    const std::vector<std::string> h = {"node-1", "node-2", "node-3", "node-4", "node-5"};
    row("ping, int value", Message::make_ping("node-1", Value(12345), h, 0x1234567890abcdefULL), n);
    row("ping, 1 KiB value", Message::make_ping("node-1", Value(std::string(1000, 'v')), h, 0x1234567890abcdefULL),
        n);
    return 0;
}
