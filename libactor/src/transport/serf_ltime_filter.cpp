// The rules are stated once, in serf_ltime_filter.hpp.
#include "serf_ltime_filter.hpp"

namespace actor::detail::serf {

LTimeFilter::LTimeFilter(std::uint64_t slack, std::size_t capacity)
    : slack_(slack), capacity_(capacity == 0 ? 1 : capacity) {}

void LTimeFilter::on_subscribe(std::optional<std::uint64_t> agent_clock) {
    if (!agent_clock) {
        baseline_ = 0;
        return;
    }
    // A live agent's clock is always above every LTime it delivered (it
    // witnesses each event as LTime + 1), so a clock at or below our
    // high-water mark means a new agent process with a fresh clock.
    if (high_water_ && *agent_clock <= *high_water_) {
        high_water_.reset();
        seen_.clear();
        ++resets_;
    }
    baseline_ = *agent_clock;
}

LTimeFilter::Verdict LTimeFilter::check(std::uint64_t ltime,
                                        std::span<const std::uint8_t> payload) {
    if (ltime + slack_ < baseline_) return Verdict::replay;
    if (high_water_ && *high_water_ > slack_ && ltime < *high_water_ - slack_)
        return Verdict::late;
    const auto key = std::make_pair(ltime, hash(payload));
    if (seen_.contains(key)) return Verdict::duplicate;
    seen_.insert(key);
    if (!high_water_ || ltime > *high_water_) high_water_ = ltime;
    prune();
    return Verdict::deliver;
}

void LTimeFilter::prune() {
    // Entries below high-water - slack can never be consulted again: rule 2
    // drops those LTimes before the set is looked at.
    while (!seen_.empty() && high_water_ && *high_water_ > slack_ &&
           seen_.begin()->first < *high_water_ - slack_)
        seen_.erase(seen_.begin());
    while (seen_.size() > capacity_) seen_.erase(seen_.begin());
}

std::uint64_t LTimeFilter::hash(std::span<const std::uint8_t> payload) {
    // FNV-1a: payloads are a few hundred bytes; collisions only matter
    // within the same LTime, where they are vanishingly unlikely.
    std::uint64_t h = 14695981039346656037ULL;
    for (auto b : payload) {
        h ^= b;
        h *= 1099511628211ULL;
    }
    return h;
}

const char* LTimeFilter::name(Verdict v) {
    switch (v) {
        case Verdict::deliver: return "deliver";
        case Verdict::replay: return "replay";
        case Verdict::late: return "late";
        case Verdict::duplicate: return "duplicate";
    }
    return "?";
}

}  // namespace actor::detail::serf
