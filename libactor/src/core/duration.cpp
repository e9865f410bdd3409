// Duration text (actor/duration.hpp).
#include "actor/duration.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace actor {

namespace {


}  // namespace

Result<Duration> parse_duration(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    const std::string number(text.substr(0, i));
    const std::string_view unit = text.substr(i);
    double scale = 0;
    if (unit.empty() || unit == "s") scale = 1;
    else if (unit == "ms") scale = 1e-3;
    else if (unit == "m") scale = 60;
    else if (unit == "h") scale = 3600;
    double v = 0;
    const char* end = number.data() + number.size();
    auto [p, ec] = std::from_chars(number.data(), end, v);
    if (scale == 0 || number.empty() || ec != std::errc{} || p != end || !std::isfinite(v) ||
        v * scale > max_duration_s)
        return Error{"bad duration " + actor::quoted(text) + " (use 10, 10s, 250ms, 2m)"};
    return from_seconds(v * scale);
}

}  // namespace actor
