// Config validation (docs/PROTOCOL.md "Configuration"): one rule for local
// and received configs, so a `vers` from the wire can never hand a node a
// timing it would refuse from its own command line.
#include "actor/config.hpp"

#include <cmath>
#include <cstdio>

namespace actor {

namespace {
std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", s);
    return buf;
}
}  // namespace

Status validate(const Config& c) {
    if (!std::isfinite(c.cycle)) return Error{"must be a finite number", "cycle"};
    if (!std::isfinite(c.gap)) return Error{"must be a finite number", "gap"};
    if (!(c.gap >= min_gap_s)) return Error{"must be at least " + seconds_text(min_gap_s) + " s", "gap"};
    if (c.gap > max_timing_s) return Error{"must not exceed " + seconds_text(max_timing_s) + " s", "gap"};
    if (c.cycle > max_timing_s) return Error{"must not exceed " + seconds_text(max_timing_s) + " s", "cycle"};
    // 0.24 demanded cycle >= 1; we only need room for the slots of a turn
    // (deliberate difference, see docs/PROTOCOL.md). A relative tolerance,
    // so that the decimal inputs a person types (cycle 0.3, gap 0.1, where
    // 3*0.1 is 0.30000000000000004) pass.
    if (!(c.cycle >= 3 * c.gap * (1 - 1e-9))) return Error{"must be at least 3*gap (cycle " + seconds_text(c.cycle) + " s, gap " +
                                                             seconds_text(c.gap) + " s)",
                                                         "cycle"};
    if (c.version < 0) return Error{"must not be negative", "version"};
    if (c.nodes > max_chain_nodes)
        return Error{"must not exceed " + std::to_string(max_chain_nodes), "nodes"};
    if (c.splits < 1 || c.splits > max_splits)
        return Error{"must be between 1 and " + std::to_string(max_splits), "splits"};
    if (c.n_hosts < 1 || c.n_hosts > max_n_hosts)
        return Error{"must be between 1 and " + std::to_string(max_n_hosts), "n_hosts"};
    return {};
}

std::optional<std::int64_t> next_version(std::int64_t v) {
    if (v >= max_config_version) return std::nullopt;
    return v + 1;
}

}  // namespace actor
