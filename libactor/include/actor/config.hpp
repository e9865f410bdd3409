#pragma once
// The group configuration carried by `vers` messages (PROTOCOL.md).
#include <cstdint>
#include <optional>
#include <string>

namespace actor {

struct Config {
    std::int64_t version = 0;
    double cycle = 10.0;   // seconds
    double gap = 1.5;      // seconds
    std::int64_t nodes = 5;     // chain bound, <= 0: unbounded
    std::int64_t splits = 4;    // history entries a ping carries
    std::int64_t n_hosts = 10;
    bool force_in = false;

    friend bool operator==(const Config&, const Config&) = default;
};

// The longest cycle or gap we accept: about 11.5 days.
inline constexpr double max_timing_s = 1e6;

// Checks a config given locally: gap > 0, cycle >= 3*gap, splits >= 1,
// n_hosts >= 1. Returns the reason it is bad, or nothing.
std::optional<std::string> validate_local(const Config& c);

// Checks a received config for what would break us (gap <= 0, non-finite
// numbers); everything else is adopted as it comes, as 0.24 does.
std::optional<std::string> validate_received(const Config& c);

}  // namespace actor
