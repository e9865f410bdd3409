// Config validation (PROTOCOL.md "Configuration").
#include "actor/config.hpp"

#include <cmath>

namespace actor {

std::optional<std::string> validate_local(const Config& c) {
    if (auto bad = validate_received(c)) return bad;
    if (!(c.gap > 0)) return "gap must be greater than 0";
    // 0.24 demanded cycle >= 1; we only need room for the slots of a turn
    // (deliberate difference, see PROTOCOL.md).
    // A relative tolerance, so that the decimal inputs a person types
    // (cycle 0.3, gap 0.1, where 3*0.1 is 0.30000000000000004) pass.
    if (!(c.cycle >= 3 * c.gap * (1 - 1e-9))) return "cycle must be at least 3*gap";
    if (c.splits < 1) return "splits must be at least 1";
    if (c.n_hosts < 1) return "n_hosts must be at least 1";
    return std::nullopt;
}

std::optional<std::string> validate_received(const Config& c) {
    // Received configs are adopted as they come (as 0.24 does); refuse only
    // what would break our timers: a gap that is not positive, or a timing
    // that is not a finite positive number.
    if (!std::isfinite(c.cycle) || !std::isfinite(c.gap)) {
        return "cycle and gap must be finite numbers";
    }
    if (!(c.gap > 0)) return "gap must be greater than 0";
    if (!(c.cycle > 0)) return "cycle must be greater than 0";
    // Our timers count nanoseconds in 64 bits: keep every deadline far
    // from overflow (a cycle of 1e300 s from the wire must not wrap).
    if (c.cycle > max_timing_s || c.gap > max_timing_s)
        return "cycle and gap must not exceed " + std::to_string(static_cast<long>(max_timing_s)) +
               " seconds";
    return std::nullopt;
}

}  // namespace actor
