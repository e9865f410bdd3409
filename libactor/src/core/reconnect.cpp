// The reconnect policy (rules in actor/reconnect.hpp).
#include "actor/reconnect.hpp"

#include <algorithm>
#include <cmath>

namespace actor {

ReconnectPolicy::ReconnectPolicy(ReconnectOptions o) : o_(std::move(o)) {
    // A zero or negative step would retry in a busy loop.
    o_.initial_backoff = std::max(o_.initial_backoff, Duration(1));
    o_.max_backoff = std::max(o_.max_backoff, o_.initial_backoff);
    o_.min_attempt = std::max(o_.min_attempt, Duration(1));
    o_.attempt_timeout = std::max(o_.attempt_timeout, o_.min_attempt);
    o_.max_attempt_timeout = std::max(o_.max_attempt_timeout, o_.attempt_timeout);
    next_ = o_.initial_backoff;
}

void ReconnectPolicy::start(Time now) {
    next_ = o_.initial_backoff;
    failures_ = 0;
    ever_connected_ = false;
    deadline_.reset();
    if (o_.first_connect_deadline) {
        const Duration d = std::max(*o_.first_connect_deadline, Duration(0));
        // Saturate: a deadline beyond the clock's range is "never".
        if (now.count() <= Time::max().count() - d.count()) deadline_ = now + d;
    }
}

void ReconnectPolicy::connected(Time) {
    ever_connected_ = true;
    deadline_.reset();
    next_ = o_.initial_backoff;
    failures_ = 0;
}

ReconnectAction ReconnectPolicy::failed(Time now) {
    ++failures_;
    if (!ever_connected_ && deadline_ && now >= *deadline_) {
        return {ReconnectAction::Kind::give_up, Duration(0)};
    }
    const Duration d = next_;
    // Double for the next failure, capped (and without overflow).
    next_ = d > o_.max_backoff / 2 ? o_.max_backoff : std::min(d * 2, o_.max_backoff);

    double r = o_.random ? o_.random() : 1.0;
    if (!(r >= 0.0)) r = 0.0;  // also NaN
    if (r > 1.0) r = 1.0;
    const Duration half = d / 2;
    Duration delay = half + Duration(static_cast<Duration::rep>(
                                std::floor(static_cast<double>((d - half).count()) * r)));
    delay = std::min(delay, d);  // double rounding must not push it past d
    if (!ever_connected_ && deadline_) delay = std::min(delay, *deadline_ - now);
    return {ReconnectAction::Kind::retry, delay};
}

Duration ReconnectPolicy::attempt_timeout(Time now) const {
    Duration bound = o_.attempt_timeout;
    for (std::uint64_t i = 0; i < failures_ && bound < o_.max_attempt_timeout; ++i)
        bound = bound > o_.max_attempt_timeout / 2 ? o_.max_attempt_timeout : bound * 2;
    if (ever_connected_ || !deadline_) return bound;
    return std::clamp(*deadline_ - now, o_.min_attempt, bound);
}

std::optional<Time> ReconnectPolicy::deadline() const {
    if (ever_connected_) return std::nullopt;
    return deadline_;
}

}  // namespace actor
