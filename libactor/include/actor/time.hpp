#pragma once
// Time in the core is a plain count of nanoseconds on a monotonic clock whose
// epoch the caller picks (steady_clock in the runtime, 0 in the simulator).
#include <chrono>
#include <cstdint>

namespace actor {

using Duration = std::chrono::nanoseconds;
using Time = std::chrono::nanoseconds;  // since the caller's epoch

// Saturates instead of overflowing (a double out of int64's range would be
// undefined behaviour); NaN gives zero. Configs are bounded well below.
constexpr Duration from_seconds(double s) {
    const double ns = s * 1e9;
    if (!(ns == ns)) return Duration(0);
    if (ns >= 9.0e18) return Duration(9'000'000'000'000'000'000);
    if (ns <= -9.0e18) return Duration(-9'000'000'000'000'000'000);
    return Duration(static_cast<std::int64_t>(ns));
}
constexpr double to_seconds(Duration d) {
    return static_cast<double>(d.count()) / 1e9;
}

}  // namespace actor
