#pragma once
// Durations as text, the one rule for every place a person writes one: the
// command-line options (actor::cli::parse_duration calls this) and the
// --control lines (actor/control.hpp). docs/CLI.md "Durations".
#include "actor/result.hpp"
#include "actor/time.hpp"

#include <string_view>

namespace actor {

// Longest duration accepted: far beyond any sane cycle or timeout, far
// below the overflow of a nanosecond count.
inline constexpr double max_duration_s = 366.0 * 24 * 3600;

// A number, then an optional unit: "10" (seconds), "10s", "250ms", "2m",
// "1h". No sign, no exponent; at most max_duration_s. The error quotes the
// text: bad duration "x" (use 10, 10s, 250ms, 2m).
Result<Duration> parse_duration(std::string_view text);

}  // namespace actor
