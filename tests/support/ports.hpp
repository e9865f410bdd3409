#pragma once
// Free loopback ports for test brokers and agents, and whether one accepts.
//
// A port is taken from below the kernel's ephemeral range
// (/proc/sys/net/ipv4/ip_local_port_range), never from bind(port 0): the
// kernel hands ephemeral ports to every outgoing connection, so a port
// picked that way, closed and bound again a moment later, can meanwhile be
// the source port of some other test's client (CI saw "bind: address already
// in use" for a Serf agent started 1 s after its port was chosen). Header-only.
// The Python twin for Bats and the benchmarks is scripts/free_port.py.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <stdexcept>

namespace actor::test {

namespace detail_ports {

inline sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

// Binds `type` on 127.0.0.1:port; true if it could.
inline bool can_bind(int type, std::uint16_t port) {
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const sockaddr_in a = loopback(port);
    const bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// The lowest ephemeral port; 32768 (Linux's default) if unreadable.
inline std::uint16_t ephemeral_low() {
    std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
    unsigned low = 0;
    if (in >> low && low > 2048 && low <= 65535) return static_cast<std::uint16_t>(low);
    return 32768;
}

}  // namespace detail_ports

// Something accepts TCP connections on 127.0.0.1:port now.
inline bool loopback_accepts(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const sockaddr_in a = detail_ports::loopback(port);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// A loopback port below the ephemeral range that is free right now for TCP,
// and for UDP too with `udp` (Serf's gossip -bind uses both).
inline std::uint16_t free_loopback_port(bool udp = false) {
    const std::uint16_t high = detail_ports::ephemeral_low();
    const std::uint16_t low = high > 12000 ? 10000 : 1024;
    static std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<unsigned> pick(low, high - 1u);
    for (int i = 0; i < 1000; ++i) {
        const auto p = static_cast<std::uint16_t>(pick(rng));
        if (detail_ports::can_bind(SOCK_STREAM, p) &&
            (!udp || detail_ports::can_bind(SOCK_DGRAM, p)))
            return p;
    }
    throw std::runtime_error("no free loopback port below the ephemeral range");
}

}  // namespace actor::test
