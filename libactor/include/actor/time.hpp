#pragma once
// Time in the core is a plain count of nanoseconds on a monotonic clock whose
// epoch the caller picks (steady_clock in the runtime, 0 in the simulator).
#include <chrono>
#include <cstdint>

namespace actor {

using Duration = std::chrono::nanoseconds;
using Time = std::chrono::nanoseconds;  // since the caller's epoch

constexpr Duration from_seconds(double s) {
    return Duration(static_cast<std::int64_t>(s * 1e9));
}
constexpr double to_seconds(Duration d) {
    return static_cast<double>(d.count()) / 1e9;
}

}  // namespace actor
