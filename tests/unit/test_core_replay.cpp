// The replay guard (actor/replay.hpp): the timestamp window, the sequence
// slots of each sender, forgetting stale senders, the bound on senders.
#include "actor/replay.hpp"

#include <gtest/gtest.h>

namespace {

using actor::ReplayGuard;
using actor::ReplayVerdict;
using actor::replay_window_ms;
using V = ReplayVerdict;

constexpr actor::WallMs t0 = 1'700'000'000'000;

TEST(ReplayGuard, TimestampWindowBothWays) {
    ReplayGuard g;
    EXPECT_EQ(g.check(1, 1, t0 - replay_window_ms, t0), V::fresh);
    EXPECT_EQ(g.check(2, 1, t0 - replay_window_ms - 1, t0), V::stale);
    EXPECT_EQ(g.check(3, 1, t0 + replay_window_ms, t0), V::fresh);
    EXPECT_EQ(g.check(4, 1, t0 + replay_window_ms + 1, t0), V::future);
}

TEST(ReplayGuard, EachSeqOnceReorderWithinTheSlots) {
    ReplayGuard g;
    EXPECT_EQ(g.check(7, 10, t0, t0), V::fresh);
    EXPECT_EQ(g.check(7, 10, t0, t0), V::replayed);
    EXPECT_EQ(g.check(7, 12, t0, t0), V::fresh);
    EXPECT_EQ(g.check(7, 11, t0, t0), V::fresh);  // late, not seen yet
    EXPECT_EQ(g.check(7, 11, t0, t0), V::replayed);
    EXPECT_EQ(g.check(7, 9, t0, t0), V::fresh);
    EXPECT_EQ(g.check(7, 12 + actor::replay_slots, t0, t0), V::fresh);
    // 12 is now exactly replay_slots below the top: remembered.
    EXPECT_EQ(g.check(7, 12, t0, t0), V::replayed);
    EXPECT_EQ(g.check(7, 13, t0, t0), V::fresh);
    EXPECT_EQ(g.check(7, 11, t0, t0), V::replayed);  // below the slots: refused
    // A jump past the slots forgets the bitmap but not the top.
    EXPECT_EQ(g.check(7, 1000, t0, t0), V::fresh);
    EXPECT_EQ(g.check(7, 1000, t0, t0), V::replayed);
    EXPECT_EQ(g.check(7, 999, t0, t0), V::fresh);
    // Senders are apart.
    EXPECT_EQ(g.check(8, 10, t0, t0), V::fresh);
}

TEST(ReplayGuard, ExactlyOneWindowShiftKeepsTheOldTop) {
    ReplayGuard g;
    EXPECT_EQ(g.check(1, 5, t0, t0), V::fresh);
    EXPECT_EQ(g.check(1, 5 + actor::replay_slots, t0, t0), V::fresh);
    EXPECT_EQ(g.check(1, 5, t0, t0), V::replayed);
    EXPECT_EQ(g.check(1, 6, t0, t0), V::fresh);
}

TEST(ReplayGuard, StaleSendersAreForgottenTheirMessagesStayRefused) {
    ReplayGuard g;
    EXPECT_EQ(g.check(1, 1, t0, t0), V::fresh);
    EXPECT_EQ(g.check(2, 1, t0, t0), V::fresh);
    EXPECT_EQ(g.senders(), 2u);
    const auto later = t0 + 2 * replay_window_ms + 1;
    EXPECT_EQ(g.check(3, 1, later, later), V::fresh);
    EXPECT_EQ(g.senders(), 1u);
    EXPECT_EQ(g.check(1, 1, t0, later), V::stale);  // its replay, by its ts
}

TEST(ReplayGuard, AtMostMaxSendersNewOnesRefusedUntilOldOnesAreStale) {
    ReplayGuard g;
    for (std::uint64_t id = 0; id < actor::max_replay_senders; ++id) ASSERT_EQ(g.check(id, 1, t0, t0), V::fresh);
    EXPECT_EQ(g.check(999'999, 1, t0, t0), V::crowded);
    EXPECT_EQ(g.check(5, 2, t0, t0), V::fresh);  // known ones go on
    const auto later = t0 + replay_window_ms + 1;
    EXPECT_EQ(g.check(999'999, 1, later, later), V::fresh);
    EXPECT_LE(g.senders(), actor::max_replay_senders);
}

}  // namespace
