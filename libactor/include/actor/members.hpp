#pragma once
// The `members` view of actor-watch (docs/CLI.md): every node heard from
// lately, as a sender or inside a chain, with the value of its last ping.
// Sans-IO: the caller passes the steady time (for recency and the TTL) and
// the wall-clock time (what `last_seen` reports); nothing here reads a clock.
//
// Bounded, so a flood of made-up names or of large values cannot grow us: at
// most max_members names and at most max_member_bytes of names + values (a
// value counted as the heap bytes it holds, actor::value_footprint: a 1 KiB
// value of 1021 empty maps about 80 KiB, a small number 16 bytes). Over
// either bound the least recently seen member goes first; the one just heard
// always stays.
#include "actor/chain.hpp"
#include "actor/event.hpp"
#include "actor/message.hpp"
#include "actor/timing.hpp"
#include "actor/time.hpp"
#include "actor/value.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace actor {

inline constexpr std::size_t max_members = 1024;
inline constexpr std::size_t max_member_bytes = 256 * 1024;

class Members {
public:
    using WallTime = std::chrono::system_clock::time_point;

    // A fixed TTL (--ttl).
    explicit Members(Duration ttl) : ttl_(ttl) {}
    // The TTL follows the group: timing::member_ttl(c, members listed).
    explicit Members(const Config& c) : ttl_(timing::member_ttl(c)), follow_(c) {}

    // Every name in m's chain (oldest first, so the chain's head ends up
    // newest), then its sender; a ping's or hist's value becomes the
    // sender's. Then the bounds: least recently seen out first.
    void heard(const Message& m, Time now, WallTime wall);

    // Every node on the chain has been heard pinging, so its value is known.
    bool complete(const Chain& chain) const;

    // Drops the members unseen for longer than the TTL, then a `members`
    // event: newest first, each flagged whether it is on `chain`.
    Event snapshot(const Chain& chain, Time now);

    std::size_t size() const { return seen_.size(); }
    // Names + value footprints of every member, the quantity bounded by
    // max_member_bytes.
    std::size_t bytes() const { return bytes_; }

private:
    struct Entry {
        Value value = nullptr;
        std::size_t value_bytes = 0;  // value_footprint(value), counted in bytes_
        bool value_known = false;  // heard its own ping, not only its name in a chain
        Time steady{};
        WallTime wall;
        std::uint64_t seq = 0;
    };
    using Table = std::map<std::string, Entry>;

    Entry& touch(const std::string& name, Time now, WallTime wall);
    void erase(Table::iterator it);

    Duration ttl_;
    std::optional<Config> follow_;
    Table seen_;
    std::map<std::uint64_t, Table::iterator> by_seq_;  // recency: seq -> entry
    std::size_t bytes_ = 0;  // names + value_bytes of every entry
    std::uint64_t seq_ = 0;
};

}  // namespace actor
