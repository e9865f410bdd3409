#pragma once
// Replay protection for authenticated groups (docs/PROTOCOL.md
// "Authenticated groups"): a pure state machine, time injected.
//
// Every keyed message carries, under its MAC, the sending process's `id`,
// a sequence number `seq` (1, 2, 3, ... per process, over all its
// messages) and `ts`, the sender's wall clock in milliseconds since the
// Unix epoch. A receiver accepts a message when
// - its `ts` lies within replay_window of the receiver's own wall clock
//   (either side: clocks must agree within that, less the latency), and
// - its `seq` has not been accepted from that `id` before: above the
//   highest so far, or one of the replay_slots below it not yet seen (a
//   channel that reorders a little, such as Serf gossip, loses nothing).
// State per sender: its highest seq, a bitmap of the slots below, and the
// newest ts accepted. A sender is forgotten once that ts is older than the
// window: every message taken from it is then stale by its own ts (no
// order of ts is assumed: a sender's clock may step back). At
// most max_replay_senders are kept; a new sender beyond that (only key
// holders can make one) is refused until an old one is forgotten.
#include "actor/time.hpp"

#include <chrono>
#include <cstdint>
#include <unordered_map>

namespace actor {

// Wall-clock milliseconds since the Unix epoch (the `ts` of a message).
using WallMs = std::int64_t;

// How far a message's ts may be from the receiver's clock, either way.
inline constexpr WallMs replay_window_ms = 30'000;
// Sequence numbers below a sender's highest that may still arrive late.
inline constexpr std::uint64_t replay_slots = 64;
// Senders (process ids) whose state is kept at most.
inline constexpr std::size_t max_replay_senders = 1024;

enum class ReplayVerdict {
    fresh,     // accept (and it is now recorded)
    stale,     // ts too far in the past
    future,    // ts too far ahead
    replayed,  // this (id, seq) was accepted before, or is below the slots
    crowded,   // a new sender while max_replay_senders are kept
};

const char* to_string(ReplayVerdict v);

class ReplayGuard {
public:
    // Decides on a message of sender `id` with `seq` and `ts`, at the
    // receiver's wall time `now`; records it when fresh.
    ReplayVerdict check(std::uint64_t id, std::uint64_t seq, WallMs ts, WallMs now);

    std::size_t senders() const { return senders_.size(); }

private:
    struct Sender {
        std::uint64_t top = 0;     // highest seq accepted
        std::uint64_t seen = 0;    // bit i: top - 1 - i accepted
        WallMs newest = 0;         // newest ts accepted
    };
    void forget_stale(WallMs now);

    std::unordered_map<std::uint64_t, Sender> senders_;
    WallMs last_sweep_ = 0;
};

}  // namespace actor
