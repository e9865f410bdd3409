// Replay protection (actor/replay.hpp).
#include "actor/replay.hpp"

namespace actor {

const char* to_string(ReplayVerdict v) {
    switch (v) {
    case ReplayVerdict::fresh: return "fresh";
    case ReplayVerdict::stale: return "stale";
    case ReplayVerdict::future: return "from the future";
    case ReplayVerdict::replayed: return "replayed";
    case ReplayVerdict::crowded: return "too many senders";
    }
    return "?";
}

void ReplayGuard::forget_stale(WallMs now) {
    last_sweep_ = now;
    for (auto it = senders_.begin(); it != senders_.end();) {
        if (it->second.newest < now - replay_window_ms) it = senders_.erase(it);
        else ++it;
    }
}

ReplayVerdict ReplayGuard::check(std::uint64_t id, std::uint64_t seq, WallMs ts, WallMs now) {
    if (ts < now - replay_window_ms) return ReplayVerdict::stale;
    if (ts > now + replay_window_ms) return ReplayVerdict::future;
    // A sweep at most once per window keeps this O(1) amortised.
    if (now - last_sweep_ >= replay_window_ms) forget_stale(now);
    auto it = senders_.find(id);
    if (it == senders_.end()) {
        if (senders_.size() >= max_replay_senders) {
            forget_stale(now);
            if (senders_.size() >= max_replay_senders) return ReplayVerdict::crowded;
        }
        senders_.emplace(id, Sender{seq, 0, ts});
        return ReplayVerdict::fresh;
    }
    Sender& s = it->second;
    if (seq > s.top) {
        const std::uint64_t shift = seq - s.top;
        // The old top becomes bit shift-1; older bits move up with it.
        if (shift < replay_slots) s.seen = (s.seen << shift) | (std::uint64_t{1} << (shift - 1));
        else if (shift == replay_slots) s.seen = std::uint64_t{1} << (replay_slots - 1);
        else s.seen = 0;
        s.top = seq;
    } else {
        const std::uint64_t back = s.top - seq;  // 0: the top itself
        if (back == 0 || back > replay_slots) return ReplayVerdict::replayed;
        const std::uint64_t bit = std::uint64_t{1} << (back - 1);
        if (s.seen & bit) return ReplayVerdict::replayed;
        s.seen |= bit;
    }
    if (ts > s.newest) s.newest = ts;
    return ReplayVerdict::fresh;
}

}  // namespace actor
