#pragma once
// Which Serf user-event records reach the protocol. Serf may hand a
// subscriber events it already delivered (a join replays the peer's buffer
// of the last 512 Lamport times; a restarted peer is rejoined ~25 s later
// and replays everything again) and events that arrive long after newer
// ones (push-pull sync every 15 s). Either would disturb the rotation, so
// the transport filters by these rules, checked in this order:
//
//  1. replay:    LTime more than `slack` below the agent's event clock read
//                just before the subscription was registered. The agent had
//                already handled that event before we listened, so it can
//                only be a replay. (The slack: another agent whose clock
//                lags ours by a tick or two, not having witnessed the newest
//                event yet, stamps a live event just below our clock.)
//  2. late:      LTime more than `slack` below the highest LTime delivered so
//                far. Gossip reorders by a tick or two (hence the slack); a
//                record further behind is an old turn arriving by push-pull.
//  3. duplicate: the exact (LTime, payload hash) pair was already delivered.
//                The set survives reconnects, because replays cross them.
//
// When the agent's clock at subscribe time is not above the highest LTime
// delivered, the agent lost its clock (it restarted without a snapshot and
// counts from the beginning again): the high-water mark and the duplicate
// set are cleared, or every new event would look late or duplicated.
//
// Pure: no I/O, no clock; the transport feeds it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <utility>

namespace actor::detail::serf {

class LTimeFilter {
public:
    enum class Verdict { deliver, replay, late, duplicate };

    // How far below the high-water mark a record may arrive and still count
    // as live: gossip reorders by a few LTimes at most (docs/SERF-RPC.md §8.1).
    static constexpr std::uint64_t default_slack = 2;
    // Bound on remembered (LTime, hash) pairs; entries more than `slack`
    // below the high-water mark are pruned anyway (rule 2 covers them).
    static constexpr std::size_t default_capacity = 4096;

    explicit LTimeFilter(std::uint64_t slack = default_slack,
                         std::size_t capacity = default_capacity);

    // A subscription was (re)established. `agent_clock` is the agent's
    // serf.event_time read before the stream was registered; nullopt when
    // it could not be read (then rule 1 is off until the next subscribe).
    void on_subscribe(std::optional<std::uint64_t> agent_clock);

    // Decide on one record; a `deliver` verdict is remembered.
    Verdict check(std::uint64_t ltime, std::span<const std::uint8_t> payload);

    std::optional<std::uint64_t> high_water() const { return high_water_; }
    std::uint64_t baseline() const { return baseline_; }
    std::size_t remembered() const { return seen_.size(); }
    // Number of times the agent clock was seen going backwards.
    std::size_t resets() const { return resets_; }

    static std::uint64_t hash(std::span<const std::uint8_t> payload);
    static const char* name(Verdict v);

private:
    void prune();

    std::uint64_t slack_;
    std::size_t capacity_;
    std::uint64_t baseline_ = 0;
    std::optional<std::uint64_t> high_water_;
    std::set<std::pair<std::uint64_t, std::uint64_t>> seen_;  // (LTime, hash)
    std::size_t resets_ = 0;
};

}  // namespace actor::detail::serf
