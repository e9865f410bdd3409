#pragma once
// When to try connecting again: the one reconnect policy of every transport
// (MQTT, Serf). Pure: no clock, no timer, no socket; every call takes `now`
// and randomness comes in through a callback, so it is tested without a
// broker and the transports only arm a timer with what it returns.
//
// Rules:
// - Backoff: the n-th failure in a row (n = 1, 2, ...) has the nominal
//   delay d = min(max_backoff, initial_backoff * 2^(n-1)), and the delay
//   returned is "equal jitter": d/2 + random() * d/2, i.e. in [d/2, d]. A
//   thousand clients restarted together thus spread over half of each
//   backoff step instead of reconnecting in step; the wait never drops
//   below initial_backoff / 2.
// - connected(now) resets the backoff: the next failure (a lost connection
//   or a failed reconnect) starts from initial_backoff again.
// - First-connect deadline: until the first connected(), a failure at or
//   after start + first_connect_deadline gives up; before it, the delay is
//   cut so that the last attempt starts at the deadline. Once connected,
//   the policy never gives up (later losses reconnect forever). nullopt:
//   never give up, not even on the first connection.
// - Attempt bound: one attempt (TCP + protocol handshake + subscription)
//   may take at most attempt_timeout, twice that after a failure, and so on
//   doubling with each failure in a row up to max_attempt_timeout (back to
//   attempt_timeout once connected): a broker too busy to answer a crowd's
//   CONNECTs within 5 s (a thousand clients at once: 937 "no CONNACK"
//   failures in one start-up) is waited for longer instead of being handed
//   another CONNECT. During the first connection also no longer than the
//   time left to the deadline, but never less than min_attempt (so the
//   attempt made at the deadline has a chance).
#include "actor/time.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace actor {

struct ReconnectOptions {
    Duration initial_backoff = std::chrono::milliseconds(100);
    Duration max_backoff = std::chrono::seconds(5);
    std::optional<Duration> first_connect_deadline = std::chrono::seconds(10);
    // Uniform in [0, 1); values outside are clamped. Empty: no jitter (the
    // nominal delay d itself).
    std::function<double()> random;
    Duration attempt_timeout = std::chrono::seconds(5);
    Duration max_attempt_timeout = std::chrono::seconds(60);
    Duration min_attempt = std::chrono::milliseconds(100);
};

struct ReconnectAction {
    enum class Kind { retry, give_up } kind = Kind::retry;
    Duration delay{0};  // retry: wait this long, then attempt again
    bool give_up() const { return kind == Kind::give_up; }
};

class ReconnectPolicy {
public:
    explicit ReconnectPolicy(ReconnectOptions o = {});

    // The transport starts its first connection attempt now.
    void start(Time now);
    // An attempt succeeded: backoff back to the start, deadline gone.
    void connected(Time now);
    // An attempt failed or the connection was lost: what to do next.
    ReconnectAction failed(Time now);

    // How long the attempt started now may take (see the rules above).
    Duration attempt_timeout(Time now) const;

    bool ever_connected() const { return ever_connected_; }
    // Failures since the last connected() (or start()).
    std::uint64_t failures() const { return failures_; }
    // The first-connect deadline, while it still applies.
    std::optional<Time> deadline() const;

private:
    ReconnectOptions o_;
    Duration next_{0};  // nominal delay of the next failure
    std::optional<Time> deadline_;
    std::uint64_t failures_ = 0;
    bool ever_connected_ = false;
};

}  // namespace actor
