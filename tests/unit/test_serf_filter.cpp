// LTimeFilter: the rules that keep Serf's replays and late deliveries out
// of the rotation (rules stated in serf_ltime_filter.hpp).
#include "../../libactor/src/transport/serf_ltime_filter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using actor::detail::serf::LTimeFilter;
using V = LTimeFilter::Verdict;

namespace {
std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }
}  // namespace

TEST(SerfFilter, DeliversFreshRecordsAndTracksHighWater) {
    LTimeFilter f;
    f.on_subscribe(3);
    EXPECT_EQ(f.check(3, bytes("a")), V::deliver);
    EXPECT_EQ(f.check(4, bytes("b")), V::deliver);
    EXPECT_EQ(f.high_water(), 4u);
}

TEST(SerfFilter, DropsRecordsWellBelowTheSubscribeClockAsReplays) {
    LTimeFilter f(2);
    f.on_subscribe(10);
    EXPECT_EQ(f.check(7, bytes("old")), V::replay);
    EXPECT_EQ(f.check(1, bytes("older")), V::replay);
    EXPECT_EQ(f.check(10, bytes("new")), V::deliver);
}

TEST(SerfFilter, AnAgentWhoseClockLagsOursByATickIsStillLive) {
    // Our agent witnessed an event the sender's agent has not seen yet: the
    // sender stamps its live event one or two below our clock.
    LTimeFilter f(2);
    f.on_subscribe(10);
    EXPECT_EQ(f.check(9, bytes("live")), V::deliver);
    EXPECT_EQ(f.check(8, bytes("live2")), V::deliver);
}

TEST(SerfFilter, UnknownClockDisablesOnlyTheReplayRule) {
    LTimeFilter f;
    f.on_subscribe(std::nullopt);
    EXPECT_EQ(f.check(0, bytes("x")), V::deliver);
    EXPECT_EQ(f.check(0, bytes("x")), V::duplicate);
}

TEST(SerfFilter, DropsExactDuplicatesButNotOtherPayloadsAtTheSameLTime) {
    LTimeFilter f;
    f.on_subscribe(0);
    EXPECT_EQ(f.check(5, bytes("p")), V::deliver);
    EXPECT_EQ(f.check(5, bytes("p")), V::duplicate);
    // LTime is not unique: two senders at the same moment share it.
    EXPECT_EQ(f.check(5, bytes("q")), V::deliver);
    // Same payload at another LTime is another event.
    EXPECT_EQ(f.check(6, bytes("p")), V::deliver);
}

TEST(SerfFilter, ToleratesReorderingWithinTheSlackOnly) {
    LTimeFilter f(2);
    f.on_subscribe(0);
    EXPECT_EQ(f.check(20, bytes("a")), V::deliver);
    EXPECT_EQ(f.check(19, bytes("b")), V::deliver);
    EXPECT_EQ(f.check(18, bytes("c")), V::deliver);
    EXPECT_EQ(f.check(17, bytes("d")), V::late);
    EXPECT_EQ(f.check(3, bytes("e")), V::late);
}

TEST(SerfFilter, DuplicateSetSurvivesReconnectToTheSameAgent) {
    LTimeFilter f;
    f.on_subscribe(1);
    EXPECT_EQ(f.check(1, bytes("a")), V::deliver);
    EXPECT_EQ(f.check(2, bytes("b")), V::deliver);
    // Same agent, clock moved on (it witnessed LTime 2, so it is at 3):
    // nothing is reset, and re-sent old events are duplicates.
    f.on_subscribe(3);
    EXPECT_EQ(f.resets(), 0u);
    EXPECT_EQ(f.check(2, bytes("b")), V::duplicate);
    EXPECT_EQ(f.check(3, bytes("c")), V::deliver);
    // Reconnect where the clock could not be read: the remembered pairs
    // still catch the re-sent event.
    f.on_subscribe(std::nullopt);
    EXPECT_EQ(f.resets(), 0u);
    EXPECT_EQ(f.check(3, bytes("c")), V::duplicate);
    EXPECT_EQ(f.check(2, bytes("b")), V::duplicate);
}

TEST(SerfFilter, AgentClockGoingBackwardsClearsTheState) {
    LTimeFilter f;
    f.on_subscribe(0);
    EXPECT_EQ(f.check(1, bytes("ping")), V::deliver);
    EXPECT_EQ(f.check(2, bytes("ping2")), V::deliver);
    EXPECT_EQ(f.check(3, bytes("ping3")), V::deliver);
    // Restarted agent without a snapshot: its clock is back at 1.
    f.on_subscribe(1);
    EXPECT_EQ(f.resets(), 1u);
    EXPECT_FALSE(f.high_water().has_value());
    EXPECT_EQ(f.remembered(), 0u);
    // Neither late (high-water cleared) nor a duplicate (set cleared).
    EXPECT_EQ(f.check(1, bytes("ping")), V::deliver);
}

TEST(SerfFilter, ClockEqualToHighWaterMeansRestart) {
    // A live agent's clock is at least delivered LTime + 1.
    LTimeFilter f;
    f.on_subscribe(0);
    EXPECT_EQ(f.check(4, bytes("x")), V::deliver);
    f.on_subscribe(5);
    EXPECT_EQ(f.resets(), 0u);
    f.on_subscribe(4);
    EXPECT_EQ(f.resets(), 1u);
}

TEST(SerfFilter, MemoryIsBounded) {
    LTimeFilter f(2, 16);
    f.on_subscribe(0);
    for (std::uint64_t i = 0; i < 1000; ++i)
        ASSERT_EQ(f.check(i, bytes("m" + std::to_string(i))), V::deliver);
    // Old LTimes are pruned once the late rule covers them.
    EXPECT_LE(f.remembered(), 3u);
    // Many distinct payloads at one LTime: capped by the capacity.
    for (int i = 0; i < 100; ++i) f.check(2000, bytes("n" + std::to_string(i)));
    EXPECT_LE(f.remembered(), 16u);
}

TEST(SerfFilter, EmptyPayloadIsAValidEvent) {
    LTimeFilter f;
    f.on_subscribe(0);
    EXPECT_EQ(f.check(0, {}), V::deliver);
    EXPECT_EQ(f.check(0, {}), V::duplicate);
}

TEST(SerfFilter, VerdictNames) {
    EXPECT_STREQ(LTimeFilter::name(V::deliver), "deliver");
    EXPECT_STREQ(LTimeFilter::name(V::replay), "replay");
    EXPECT_STREQ(LTimeFilter::name(V::late), "late");
    EXPECT_STREQ(LTimeFilter::name(V::duplicate), "duplicate");
}
