#pragma once
// The group configuration carried by `vers` messages (docs/PROTOCOL.md).
#include "actor/result.hpp"

#include <cstdint>
#include <limits>
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

// The ranges a config must keep, wherever it comes from (docs/PROTOCOL.md
// "Configuration"). The timing bounds keep every deadline of a nanosecond
// clock far from overflow; the shortest gap is one a real broadcast channel
// and a process's timers can honour.
inline constexpr double min_gap_s = 0.01;
inline constexpr double max_timing_s = 1e6;  // about 11.5 days
inline constexpr std::int64_t max_config_version = std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t max_chain_nodes = 10'000;  // nodes (<= 0: unbounded)
inline constexpr std::int64_t max_splits = 1024;
inline constexpr std::int64_t max_n_hosts = 1'000'000;

// The one rule for a config, local (command line, --control, config file)
// or received (`vers`): finite numbers, gap >= min_gap_s, cycle >= 3*gap,
// cycle and gap <= max_timing_s, version in [0, max_config_version], nodes
// <= max_chain_nodes, splits in [1, max_splits], n_hosts in [1,
// max_n_hosts]. A refusal's Error names the field at fault as its subject
// ("cycle", "gap", "version", "nodes", "splits", "n_hosts").
Status validate(const Config& c);

// The version after v, or nothing at the top of the range (no overflow).
std::optional<std::int64_t> next_version(std::int64_t v);

}  // namespace actor
