// Messages against a channel's size limit (actor/fit.hpp).
#include "actor/fit.hpp"

#include "actor/codec.hpp"

#include <cstdint>
#include <limits>

namespace actor {

bool fit_history(Message& ping, std::size_t limit) {
    if (encode(ping).size() <= limit) return true;
    auto& h = ping.history;
    if (h.size() <= 1) return false;
    // The encoded size grows with the number of entries kept: binary search
    // for the most that fit (a few encodes, not one per dropped entry).
    std::vector<std::string> all = std::move(h);
    const auto fits_with = [&](std::size_t keep) {
        h.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep));
        return encode(ping).size() <= limit;
    };
    if (!fits_with(1)) return false;
    std::size_t lo = 1, hi = all.size();  // fits with lo, not with hi
    while (hi - lo > 1) {
        const std::size_t mid = lo + (hi - lo) / 2;
        (fits_with(mid) ? lo : hi) = mid;
    }
    h.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(lo));
    return true;
}

Status check_fits(const std::string& name, const Value& value, const Config& c, std::size_t limit,
                  std::string_view channel) {
    // The widest id: a 64-bit id may take all 9 bytes of a msgpack uint64.
    constexpr std::uint64_t id = std::numeric_limits<std::uint64_t>::max();
    const auto over = [&](const char* subject, const char* what, std::size_t size) {
        return Error{std::string(what) + " is " + std::to_string(size) + " bytes; " + std::string(channel) +
                         " carries at most " + std::to_string(limit) + " bytes for this group",
                     subject};
    };
    if (const auto n = encode(Message::make_init(name, id)).size(); n > limit)
        return over("name", "the init message", n);
    if (const auto n = encode(Message::make_vers(name, c, id)).size(); n > limit)
        return over("name", "the vers message", n);
    const auto ping = encode(Message::make_ping(name, value, {name}, id)).size();
    // The same ping with a nil value (1 byte): the name's share.
    const auto bare = encode(Message::make_ping(name, Value(), {name}, id)).size();
    if (ping > limit) {
        // Which option to change: the name alone (with no value) already too big?
        return over(bare > limit ? "name" : "value", "the smallest ping", ping);
    }
    if (const auto v = ping - bare + 1; v > max_value_size)
        return Error{"its encoding is " + std::to_string(v) + " bytes; receivers drop a value over " +
                         std::to_string(max_value_size) + " bytes",
                     "value"};
    return {};
}

}  // namespace actor
