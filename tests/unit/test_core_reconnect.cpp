// The reconnect policy (actor/reconnect.hpp) with a deterministic random
// source and a virtual clock: bounds, doubling, cap, jitter, reset, the
// first-connect deadline, and "forever".
#include "actor/reconnect.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace {

using namespace std::chrono_literals;
using actor::Duration;
using actor::ReconnectAction;
using actor::ReconnectOptions;
using actor::ReconnectPolicy;
using actor::Time;

ReconnectOptions opts(std::function<double()> random, std::optional<Duration> deadline = 10s) {
    ReconnectOptions o;
    o.initial_backoff = 100ms;
    o.max_backoff = 5s;
    o.first_connect_deadline = deadline;
    o.random = std::move(random);
    return o;
}

double always(double r) { return r; }

TEST(ReconnectPolicy, DoublesFromTheInitialBackoffUpToTheCap) {
    // random() == 1 (upper end of the jitter): the nominal delays themselves.
    ReconnectPolicy p(opts([] { return always(1.0); }, std::nullopt));
    p.start(Time(0));
    std::vector<Duration> got;
    for (int i = 0; i < 10; ++i) {
        const auto a = p.failed(Time(0));
        ASSERT_FALSE(a.give_up());
        got.push_back(a.delay);
    }
    const std::vector<Duration> want = {100ms, 200ms, 400ms, 800ms, 1600ms,
                                        3200ms, 5s, 5s, 5s, 5s};
    EXPECT_EQ(got, want);
    EXPECT_EQ(p.failures(), 10u);
}

TEST(ReconnectPolicy, LowerEndOfTheJitterIsHalfTheStep) {
    ReconnectPolicy p(opts([] { return always(0.0); }, std::nullopt));
    p.start(Time(0));
    const std::vector<Duration> want = {50ms, 100ms, 200ms, 400ms, 800ms, 1600ms, 2500ms, 2500ms};
    for (Duration w : want) EXPECT_EQ(p.failed(Time(0)).delay, w);
}

TEST(ReconnectPolicy, EveryDelayLiesWithinHalfTheStepAndTheStep) {
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    ReconnectPolicy p(opts([&] { return u(rng); }, std::nullopt));
    p.start(Time(0));
    Duration step = 100ms;
    for (int i = 0; i < 200; ++i) {
        const auto a = p.failed(Time(0));
        ASSERT_FALSE(a.give_up());
        EXPECT_GE(a.delay, step / 2) << "failure " << i;
        EXPECT_LE(a.delay, step) << "failure " << i;
        step = std::min<Duration>(step * 2, 5s);
    }
}

TEST(ReconnectPolicy, ThousandClientsRestartedTogetherDoNotRetryInStep) {
    // 1000 policies, each with its own seed, fail at the same moment: their
    // first and their capped retries spread over the whole jitter window.
    for (int round : {1, 12}) {
        std::vector<Duration> delays;
        for (std::uint64_t seed = 0; seed < 1000; ++seed) {
            std::mt19937_64 rng(seed);
            std::uniform_real_distribution<double> u(0.0, 1.0);
            ReconnectPolicy p(opts([&] { return u(rng); }, std::nullopt));
            p.start(Time(0));
            Duration d{};
            for (int i = 0; i < round; ++i) d = p.failed(Time(0)).delay;
            delays.push_back(d);
        }
        const Duration step = round == 1 ? Duration(100ms) : Duration(5s);
        const auto [lo, hi] = std::minmax_element(delays.begin(), delays.end());
        EXPECT_GE(*lo, step / 2);
        EXPECT_LE(*hi, step);
        // Spread: the extremes reach near both ends, and no tenth of the
        // window holds more than a fifth of the clients.
        EXPECT_LT(*lo, step / 2 + step / 20);
        EXPECT_GT(*hi, step - step / 20);
        std::vector<int> buckets(10, 0);
        for (Duration d : delays) {
            const auto b = std::min<std::int64_t>(9, (d - step / 2) * 10 / (step / 2));
            ++buckets[static_cast<std::size_t>(b)];
        }
        for (int b : buckets) EXPECT_LT(b, 200) << "round " << round;
        EXPECT_GT(std::set<Duration>(delays.begin(), delays.end()).size(), 900u);
    }
}

TEST(ReconnectPolicy, ConnectedResetsTheBackoff) {
    ReconnectPolicy p(opts([] { return always(1.0); }));
    p.start(Time(0));
    for (int i = 0; i < 5; ++i) p.failed(Time(0));
    EXPECT_EQ(p.failed(Time(0)).delay, 3200ms);
    p.connected(Time(1s));
    EXPECT_TRUE(p.ever_connected());
    EXPECT_EQ(p.failures(), 0u);
    // The loss of the connection and the reconnects after it start over.
    EXPECT_EQ(p.failed(Time(2s)).delay, 100ms);
    EXPECT_EQ(p.failed(Time(2s)).delay, 200ms);
}

TEST(ReconnectPolicy, GivesUpOnlyOnTheFirstConnectionAfterTheDeadline) {
    ReconnectPolicy p(opts([] { return always(1.0); }, 2s));
    const Time t0 = Time(1000s);
    p.start(t0);
    ASSERT_EQ(p.deadline(), std::optional<Time>(t0 + 2s));
    auto a = p.failed(t0 + 1s);
    EXPECT_FALSE(a.give_up());
    EXPECT_EQ(a.delay, 100ms);
    // Close to the deadline the wait is cut: the last attempt starts at it.
    a = p.failed(t0 + 1950ms);
    EXPECT_FALSE(a.give_up());
    EXPECT_EQ(a.delay, 50ms);
    EXPECT_TRUE(p.failed(t0 + 2s).give_up());
    EXPECT_TRUE(p.failed(t0 + 3s).give_up());
}

TEST(ReconnectPolicy, NoDeadlineOnceConnected) {
    ReconnectPolicy p(opts([] { return always(0.5); }, 1s));
    p.start(Time(0));
    EXPECT_FALSE(p.failed(Time(500ms)).give_up());
    p.connected(Time(600ms));
    EXPECT_EQ(p.deadline(), std::nullopt);
    // Lost, and down for an hour: still retrying, at the cap.
    for (int i = 0; i < 100; ++i) {
        const auto a = p.failed(Time(600ms) + std::chrono::hours(1) + i * 1s);
        ASSERT_FALSE(a.give_up());
        EXPECT_LE(a.delay, 5s);
    }
    EXPECT_EQ(p.failed(Time(std::chrono::hours(2))).delay, 3750ms);
}

TEST(ReconnectPolicy, NulloptKeepsTryingForever) {
    ReconnectPolicy p(opts([] { return always(0.25); }, std::nullopt));
    p.start(Time(0));
    EXPECT_EQ(p.deadline(), std::nullopt);
    Time now(0);
    for (int i = 0; i < 100000; ++i) {
        const auto a = p.failed(now);
        ASSERT_FALSE(a.give_up()) << "failure " << i;
        now += a.delay;
    }
    EXPECT_FALSE(p.ever_connected());
    EXPECT_GT(now, Time(std::chrono::hours(24)));
}

TEST(ReconnectPolicy, StartAgainRestoresTheDeadlineAndTheBackoff) {
    ReconnectPolicy p(opts([] { return always(1.0); }, 1s));
    p.start(Time(0));
    p.failed(Time(0));
    p.failed(Time(0));
    EXPECT_TRUE(p.failed(Time(5s)).give_up());
    p.start(Time(10s));
    EXPECT_EQ(p.failed(Time(10s)).delay, 100ms);
}

TEST(ReconnectPolicy, AttemptBoundFollowsTheDeadlineWithAFloor) {
    ReconnectOptions o = opts([] { return always(1.0); }, 3s);
    o.attempt_timeout = 5s;
    o.min_attempt = 100ms;
    ReconnectPolicy p(o);
    p.start(Time(0));
    EXPECT_EQ(p.attempt_timeout(Time(0)), 3s);
    EXPECT_EQ(p.attempt_timeout(Time(2500ms)), 500ms);
    EXPECT_EQ(p.attempt_timeout(Time(3s)), 100ms);  // the attempt at the deadline
    EXPECT_EQ(p.attempt_timeout(Time(9s)), 100ms);
    p.connected(Time(9s));
    EXPECT_EQ(p.attempt_timeout(Time(9s)), 5s);

    ReconnectPolicy forever(opts([] { return always(1.0); }, std::nullopt));
    forever.start(Time(0));
    EXPECT_EQ(forever.attempt_timeout(Time(0)), 5s);
}

// Each failure in a row doubles the next attempt's bound, up to
// max_attempt_timeout; a connection brings it back. Within the first
// connection's deadline, the time left still caps it.
TEST(ReconnectPolicy, AttemptBoundDoublesWithFailuresInARow) {
    ReconnectOptions o = opts([] { return always(1.0); }, std::nullopt);
    o.attempt_timeout = 5s;
    o.max_attempt_timeout = 60s;
    ReconnectPolicy p(o);
    p.start(Time(0));
    std::vector<Duration> bounds;
    for (int i = 0; i < 6; ++i) {
        bounds.push_back(p.attempt_timeout(Time(0)));
        p.failed(Time(0));
    }
    EXPECT_EQ(bounds, (std::vector<Duration>{5s, 10s, 20s, 40s, 60s, 60s}));
    p.connected(Time(1s));
    EXPECT_EQ(p.attempt_timeout(Time(1s)), 5s);
    p.failed(Time(2s));  // the connection lost: the next attempt may take longer
    EXPECT_EQ(p.attempt_timeout(Time(2s)), 10s);

    ReconnectOptions d = opts([] { return always(1.0); }, 30s);
    d.attempt_timeout = 5s;
    ReconnectPolicy bounded(d);
    bounded.start(Time(0));
    for (int i = 0; i < 4; ++i) bounded.failed(Time(1s));
    EXPECT_EQ(bounded.attempt_timeout(Time(1s)), 29s);  // 80 s by the doubling, 29 s left
}

TEST(ReconnectPolicy, OddInputsStaySane) {
    // No random source: no jitter. Out-of-range randoms are clamped.
    ReconnectPolicy none(opts({}, std::nullopt));
    none.start(Time(0));
    EXPECT_EQ(none.failed(Time(0)).delay, 100ms);
    double r = 7.0;
    ReconnectPolicy wild(opts([&] { return r; }, std::nullopt));
    wild.start(Time(0));
    EXPECT_EQ(wild.failed(Time(0)).delay, 100ms);
    r = -3.0;
    EXPECT_EQ(wild.failed(Time(0)).delay, 100ms);  // step 200 ms, lower end
    r = std::nan("");
    EXPECT_EQ(wild.failed(Time(0)).delay, 200ms);  // step 400 ms, lower end

    // A zero initial backoff would spin; a cap below it is raised to it.
    ReconnectOptions o;
    o.initial_backoff = 0ms;
    o.max_backoff = 0ms;
    o.first_connect_deadline = std::nullopt;
    ReconnectPolicy zero(o);
    zero.start(Time(0));
    EXPECT_GT(zero.failed(Time(0)).delay, Duration(0));

    // A huge cap and deadline: no overflow.
    ReconnectOptions big;
    big.max_backoff = Duration::max();
    big.first_connect_deadline = Duration::max();
    big.random = [] { return 1.0; };
    ReconnectPolicy huge(big);
    huge.start(Time(std::chrono::hours(1)));
    Duration last{0};
    for (int i = 0; i < 200; ++i) {
        const auto a = huge.failed(Time(std::chrono::hours(1)));
        ASSERT_FALSE(a.give_up());
        ASSERT_GE(a.delay, last);
        last = a.delay;
    }
}

}  // namespace
