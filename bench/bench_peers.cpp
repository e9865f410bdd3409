// Many peers against one node (a printer, not a test): the CPU one active
// actor::Node (started, its init echoed back, no I/O) spends per received
// ping when the pings come from 10, 1,000 and 10,000 distinct peers, and
// from a hostile publisher (a 1000-name chain adopted, then continuations
// that each add a fresh name and carry a 1000-name history); and the peak
// RSS (VmHWM) when 1024 peers each send a value at the codec's cap
// (max_value_size), measured in a child process per row.
//
//   bench_peers [--messages N]
//
// Every ping continues the chain's current head, so each is accepted (the
// normal flow of a group taking turns, compressed in time: 1 ms apart); the
// node's own pings are echoed back. CPU is the thread's CPU time around
// Node::on_message (+ timers and draining its outputs); messages are built
// in advance. "decode" is actor::decode of the same pings' wire bytes, for
// scale.
#include "actor/codec.hpp"
#include "actor/node.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

using namespace actor;

namespace {

constexpr std::uint64_t kId = 0x5eed;

Config bench_config() {
    Config c;
    c.cycle = 10;
    c.gap = 1;
    c.nodes = 5;
    return c;
}

double thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

long vm_kib(const char* key) {  // from /proc/self/status, e.g. "VmHWM:"
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) return std::strtol(line.c_str() + std::strlen(key), nullptr, 10);
    }
    return -1;
}

// One active node, started, its init echoed back (the first ping is out).
struct Driver {
    Node node;
    Time now{};

    Driver()
        : node(NodeOptions{.name = "me",
                           .config = bench_config(),
                           .value = 1,
                           .ready = true,
                           .mode = Mode::active,
                           .id = kId,
                           .random = [] { return 0.5; }}) {
        node.start(now);
        drain();
        node.on_message(Message::make_init("me", kId), now);
        drain();
    }

    void drain() {
        for (;;) {
            auto out = node.take_outgoing();
            node.take_events();
            if (out.empty()) return;
            for (const auto& m : out) {
                if (m.type == MsgType::ping) node.on_message(m, now);  // the channel echoes it
            }
        }
    }

    const std::string& head() const {
        static const std::string none;
        const auto* h = node.chain().at(0);
        return h ? *h : none;
    }

    // A ping from m's sender that continues the chain's current head.
    void deliver_continuation(Message& m) {
        if (m.history.size() >= 2 && m.history[1] != head()) m.history[1] = head();
        deliver(m);
    }

    void deliver(const Message& m) {
        node.on_message(m, now);
        drain();
        now += std::chrono::milliseconds(1);
        while (auto d = node.next_deadline()) {
            if (*d > now) break;
            node.on_timer(*d);
            drain();
        }
    }
};

double decode_ns(const std::vector<Message>& ring, std::size_t n) {
    std::vector<std::vector<std::uint8_t>> wire;
    for (const auto& m : ring) wire.push_back(encode(m));
    std::size_t ok = 0;
    const double t0 = thread_cpu_ns();
    for (std::size_t i = 0; i < n; ++i) ok += decode(wire[i % wire.size()]).ok();
    const double ns = (thread_cpu_ns() - t0) / static_cast<double>(n);
    if (ok != n) std::fprintf(stderr, "bench_peers: %zu of %zu pings did not decode\n", n - ok, n);
    return ns;
}

struct Row {
    std::string what;
    std::size_t messages;
    double node_ns, decode_ns;
    std::size_t known, chain;
};

// `peers` distinct peers, round robin, each ping [peer, head].
Row distinct_peers(std::size_t peers, std::size_t n) {
    std::vector<Message> ring;
    char name[32];
    for (std::size_t i = 0; i < peers; ++i) {
        std::snprintf(name, sizeof name, "peer-%05zu", i);
        ring.push_back(Message::make_ping(name, static_cast<std::int64_t>(i), {name, "me"}, 1000 + i));
    }
    Driver d;
    const std::size_t warm = std::max<std::size_t>(2 * peers, 1000);
    for (std::size_t i = 0; i < warm; ++i) d.deliver_continuation(ring[i % peers]);
    const double t0 = thread_cpu_ns();
    for (std::size_t i = 0; i < n; ++i) d.deliver_continuation(ring[i % peers]);
    const double ns = (thread_cpu_ns() - t0) / static_cast<double>(n);
    char what[64];
    std::snprintf(what, sizeof what, "%zu distinct peers", peers);
    return {what, n, ns, decode_ns(ring, n), d.node.known_nodes(), d.node.chain().size()};
}

// A 1000-name chain adopted (a ping that wins the collision), then
// continuations from a fresh name each, each with a 1000-name history.
Row hostile_chain(std::size_t n) {
    constexpr std::size_t len = 1000;
    std::vector<std::string> chain_names;
    char name[32];
    for (std::size_t i = 0; i < len; ++i) {
        std::snprintf(name, sizeof name, "chain-%04zu", i);
        chain_names.push_back(name);
    }
    std::vector<Message> ring;
    for (std::size_t r = 0; r < 32; ++r) {
        std::vector<std::string> h = {"fresh", "head"};
        h.insert(h.end(), chain_names.begin(), chain_names.end() - 2);
        ring.push_back(Message::make_ping("fresh", 0, std::move(h), 2000 + r));
    }
    Driver d;
    std::uint64_t fresh = 0;
    auto next = [&](std::size_t i) {
        Message& m = ring[i % ring.size()];
        std::snprintf(name, sizeof name, "fresh-%08llu", static_cast<unsigned long long>(fresh++));
        m.node = name;
        m.history[0] = name;
        d.deliver_continuation(m);
    };
    // The adoption: a greater value than ours wins the collision.
    std::vector<std::string> first = chain_names;
    first[0] = "hostile";
    d.deliver(Message::make_ping("hostile", 1'000'000'000, first, 1999));
    const std::size_t adopted = d.node.chain().size();
    for (std::size_t i = 0; i < 1100; ++i) next(i);  // a full value map, every name on the chain
    const double t0 = thread_cpu_ns();
    for (std::size_t i = 0; i < n; ++i) next(i);
    const double ns = (thread_cpu_ns() - t0) / static_cast<double>(n);
    if (adopted < len)
        std::fprintf(stderr, "bench_peers: the hostile chain was not adopted (chain of %zu)\n", adopted);
    return {"hostile 1000-name chain, fresh names", n, ns, decode_ns(ring, n / 10 + 1),
            d.node.known_nodes(), d.node.chain().size()};
}

// In a child process: 1024 peers send `rounds` pings each with `value`;
// returns the child's VmHWM and VmRSS in KiB (or -1, -1).
std::pair<long, long> rss_of(const Value& value, std::size_t peers, int rounds) {
    int fd[2];
    if (pipe(fd) != 0) return {-1, -1};
    const pid_t pid = fork();
    if (pid < 0) return {-1, -1};
    if (pid == 0) {
        close(fd[0]);
        {
            std::vector<Message> ring;
            char name[32];
            for (std::size_t i = 0; i < peers; ++i) {
                std::snprintf(name, sizeof name, "peer-%05zu", i);
                ring.push_back(Message::make_ping(name, nullptr, {name, "me"}, 1000 + i));
            }
            Driver d;
            for (int r = 0; r < rounds; ++r) {
                for (auto& m : ring) {
                    m.value = value;  // a fresh copy, as a decoded message brings
                    d.deliver_continuation(m);
                    m.value = nullptr;
                }
            }
            long out[2] = {vm_kib("VmHWM:"), vm_kib("VmRSS:")};
            if (write(fd[1], out, sizeof out) != static_cast<ssize_t>(sizeof out)) _exit(1);
        }
        _exit(0);
    }
    close(fd[1]);
    long out[2] = {-1, -1};
    if (read(fd[0], out, sizeof out) != static_cast<ssize_t>(sizeof out)) out[0] = out[1] = -1;
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return {out[0], out[1]};
}

// A value whose msgpack encoding is exactly max_value_size bytes: an
// array16 (3 bytes) of empty maps (1 byte each), decoded from the wire.
Value maps_at_cap() {
    std::vector<std::uint8_t> b = {0x83, 0xa1, 't', 0xa4, 'p', 'i', 'n', 'g', 0xa4, 'n', 'o', 'd', 'e',
                                   0xa1, 'x', 0xa5, 'v', 'a', 'l', 'u', 'e'};
    const std::size_t n = max_value_size - 3;
    // push_back, not insert: GCC 12 warns falsely (-Warray-bounds) on it.
    b.push_back(0xdc);
    b.push_back(static_cast<std::uint8_t>(n >> 8));
    b.push_back(static_cast<std::uint8_t>(n));
    b.resize(b.size() + n, 0x80);
    auto m = decode(b);
    if (!m.ok()) {
        std::fprintf(stderr, "bench_peers: the value at the cap does not decode: %s\n",
                     m.error().message.c_str());
        std::exit(1);
    }
    return m->value;
}

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr, "bench_peers: %s\nusage: bench_peers [--messages N]\n", why);
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t n = 100000;
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        if (k == "-h" || k == "--help") usage("CPU per message and peak RSS against many peers");
        if (k != "--messages" || i + 1 >= argc) usage(("unknown option " + k).c_str());
        char* end = nullptr;
        const long v = std::strtol(argv[++i], &end, 10);
        if (*end != '\0' || v < 100 || v > 100'000'000) usage("--messages: 100 .. 1e8");
        n = static_cast<std::size_t>(v);
    }
    // The RSS rows first: each child is forked from a parent that has not
    // yet grown (its freed heap would hide what the child allocates).
    constexpr long target_kib = 16 * 1024;
    const Value str_at_cap = std::string(max_value_size - 3, 's');  // str16: 3 + 1021 bytes
    struct RssRow {
        const char* what;
        Value v;
        long hwm = -1, rss = -1;
    } rss_rows[] = {{"0", 0}, {"1021-byte string", str_at_cap}, {"1021 empty maps", maps_at_cap()}};
    for (auto& r : rss_rows) std::tie(r.hwm, r.rss) = rss_of(r.v, 1024, 3);

    const Config c = bench_config();
    std::printf("## bench_peers: one active actor::Node (no I/O), pings 1 ms apart, each continuing the "
                "chain's head\n");
    std::printf("cycle=%gs gap=%gs nodes=%lld; node = CPU per message in Node::on_message and its "
                "timers/outputs;\ndecode = actor::decode of the same pings, for scale\n\n",
                c.cycle, c.gap, static_cast<long long>(c.nodes));
    std::printf("| peers | messages | node ns/msg | decode ns/msg | names known | chain | target |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    std::vector<Row> rows;
    for (std::size_t p : {10, 1000, 10000}) rows.push_back(distinct_peers(p, n));
    rows.push_back(hostile_chain(std::max<std::size_t>(n / 5, 100)));
    const double base = rows[0].node_ns;
    bool flat = true;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const double ratio = r.node_ns / base;
        const bool ok = i == 0 || ratio <= 2.0;
        if (!ok) flat = false;
        char target[64];
        if (i == 0) {
            std::snprintf(target, sizeof target, "reference");
        } else {
            std::snprintf(target, sizeof target, "<= 2x the 10-peer row: %.2fx %s", ratio, ok ? "ok" : "NOT MET");
        }
        std::printf("| %s | %zu | %.0f | %.0f | %zu | %zu | %s |\n", r.what.c_str(), r.messages, r.node_ns,
                    r.decode_ns, r.known, r.chain, target);
        std::fflush(stdout);
    }
    std::printf("\ntarget: flat, CPU per message independent of the number of peers and of a hostile "
                "chain: %s\n\n", flat ? "met" : "NOT MET");

    std::printf("## peak RSS: 1024 peers, 3 pings each (continuations), one child process per row\n\n");
    std::printf("| value per peer | wire bytes | VmHWM KiB | VmRSS KiB | over the 0-value row | target |\n");
    std::printf("|---|---|---|---|---|---|\n");
    bool rss_ok = true;
    for (const auto& r : rss_rows) {
        // The value's own encoding: the ping's size beyond one with null (1 byte).
        const std::size_t wire = encode(Message::make_ping("x", r.v, {}, 0)).size() -
                                 encode(Message::make_ping("x", nullptr, {}, 0)).size() + 1;
        const bool ok = r.hwm >= 0 && r.hwm <= target_kib;
        if (!ok) rss_ok = false;
        std::printf("| %s | %zu | %ld | %ld | %+ld | <= %ld KiB %s |\n", r.what, wire, r.hwm, r.rss,
                    r.hwm - rss_rows[0].hwm, target_kib, ok ? "ok" : "NOT MET");
    }
    std::printf("\ntarget: peak RSS bounded by bytes, not by 1024 x what a 1 KiB value decodes to "
                "(1021 empty maps: about 80 KiB each in memory): %s\n",
                rss_ok ? "met" : "NOT MET");
    return 0;
}
