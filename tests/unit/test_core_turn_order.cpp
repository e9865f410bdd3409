// The fair turn policy's storage alone (libactor/src/core/turn_order.hpp,
// docs/PROTOCOL.md "Turn policy"): order, slots, misses, the bound.
#include "core/turn_order.hpp"

#include <gtest/gtest.h>

using actor::Duration;
using actor::Time;
using actor::from_seconds;
using actor::detail::TurnOrder;
using Names = std::vector<std::string>;

namespace {

Time at(double s) { return from_seconds(s); }

// What node.cpp passes: 3 slots, heard within the report window + a gap
// (3 gaps of 1 s here).
constexpr std::size_t kSlots = 3;
const Duration kWindow = from_seconds(3);

TurnOrder with(const Names& names, std::size_t max = 1024) {
    TurnOrder o(max);
    for (const auto& n : names) EXPECT_TRUE(o.joined(n)) << n;
    return o;
}

}  // namespace

TEST(TurnOrder, FreshMembersComeLastNameFirstWhateverOrderTheyJoinedIn) {
    TurnOrder o = with({"n7", "n9", "n6", "n8"});
    EXPECT_EQ(o.names(), (Names{"n9", "n8", "n7", "n6"}));
    EXPECT_EQ(o.size(), 4u);
    EXPECT_TRUE(o.contains("n7"));
    EXPECT_FALSE(o.contains("n5"));
    // Natural order: digits as numbers, so hosts numbered in the order they
    // were started rank the last started first.
    TurnOrder p = with({"host9", "host10", "host100", "host11", "host099"});
    EXPECT_EQ(p.names(), (Names{"host100", "host099", "host11", "host10", "host9"}));
}

TEST(TurnOrder, JoiningAKnownMemberKeepsItsPlace) {
    TurnOrder o = with({"n9", "n8", "n7"});
    o.took_turn("n9", "self", kSlots, at(1), kWindow);
    EXPECT_EQ(o.names(), (Names{"n8", "n7", "n9"}));
    EXPECT_FALSE(o.joined("n9")) << "a has had a turn: an init does not make it fresh again";
    EXPECT_FALSE(o.joined("n8"));
    EXPECT_EQ(o.names(), (Names{"n8", "n7", "n9"}));
    EXPECT_EQ(o.size(), 3u);
}

TEST(TurnOrder, FreshMembersComeAheadOfThoseThatHadATurn) {
    TurnOrder o = with({"n8", "n7"});
    o.took_turn("n8", "self", kSlots, at(1), kWindow);
    o.took_turn("n7", "self", kSlots, at(2), kWindow);
    EXPECT_EQ(o.names(), (Names{"n8", "n7"}));
    // Joining later, even with a name ranked behind theirs: never had a turn.
    EXPECT_TRUE(o.joined("n0"));
    EXPECT_TRUE(o.joined("n9"));
    EXPECT_EQ(o.names(), (Names{"n9", "n0", "n8", "n7"}));
}

TEST(TurnOrder, ATurnMovesItsTakerToTheBack) {
    TurnOrder o = with({"n9", "n8", "n7", "n6"});
    o.took_turn("n8", "self", kSlots, at(1), kWindow);
    EXPECT_EQ(o.names(), (Names{"n9", "n7", "n6", "n8"}));
    o.took_turn("n9", "self", kSlots, at(2), kWindow);
    EXPECT_EQ(o.names(), (Names{"n7", "n6", "n8", "n9"}));
    // Among those that had a turn, the longest ago first.
    o.took_turn("n8", "self", kSlots, at(3), kWindow);
    EXPECT_EQ(o.names(), (Names{"n7", "n6", "n9", "n8"}));
    // A turn by a name not known yet adds it at the back.
    o.took_turn("x", "self", kSlots, at(4), kWindow);
    EXPECT_EQ(o.names(), (Names{"n7", "n6", "n9", "n8", "x"}));
}

TEST(TurnOrder, RankCountsOnlyTheFirstSlotsEntries) {
    TurnOrder o = with({"n9", "n8", "n7", "n6", "n5"});
    o.took_turn("n9", "self", kSlots, at(1), kWindow);  // n8 n7 n6 n5 n9
    EXPECT_EQ(o.rank("n8", kSlots), 0u);
    EXPECT_EQ(o.rank("n7", kSlots), 1u);
    EXPECT_EQ(o.rank("n6", kSlots), 2u);
    EXPECT_EQ(o.rank("n5", kSlots), std::nullopt) << "beyond the slots: no slot of its own";
    EXPECT_EQ(o.rank("n9", kSlots), std::nullopt);
    EXPECT_EQ(o.rank("n9", 5), 4u) << "fresh ones, then those that had a turn";
    EXPECT_EQ(o.rank("n5", 4), 3u);
    EXPECT_EQ(o.rank("n8", 0), std::nullopt);
    EXPECT_EQ(o.rank("nobody", 10), std::nullopt);
}

TEST(TurnOrder, EntriesAheadOfTheTakerWithinTheSlotsMissAndGoAtTheThirdMiss) {
    TurnOrder o = with({"n9", "n8", "n7", "n6"});
    // With 2 slots, n9 and n8 are ahead of n6 within the slots; n7 is ahead
    // of n6 but has no slot, so it misses nothing.
    o.took_turn("n6", "self", 2, at(10), kWindow);
    o.took_turn("n6", "self", 2, at(20), kWindow);
    EXPECT_EQ(o.names(), (Names{"n9", "n8", "n7", "n6"})) << "two misses: still there";
    o.took_turn("n6", "self", 2, at(30), kWindow);
    EXPECT_EQ(o.names(), (Names{"n7", "n6"})) << "a and b missed their slot three times";
    // n7 had no miss counted: it now misses its slot (ahead of n6) three
    // times before it goes.
    o.took_turn("n6", "self", 2, at(40), kWindow);
    o.took_turn("n6", "self", 2, at(50), kWindow);
    EXPECT_EQ(o.names(), (Names{"n7", "n6"}));
    o.took_turn("n6", "self", 2, at(60), kWindow);
    EXPECT_EQ(o.names(), (Names{"n6"}));
}

TEST(TurnOrder, EntriesBehindTheTakerMissNothing) {
    TurnOrder o = with({"n9", "n8", "n7"});
    // A round robin: the front entry takes every turn, long after anyone
    // was last heard, so every other entry is behind the taker each time.
    for (int i = 1; i <= 30; ++i) {
        const std::string front = o.names().front();
        o.took_turn(front, "self", kSlots, at(10.0 * i), kWindow);
    }
    EXPECT_EQ(o.names(), (Names{"n9", "n8", "n7"}));

    // The same three, but n8 takes two turns in a row: the second time n9
    // and n7 are ahead of it and miss.
    TurnOrder p = with({"n9", "n8", "n7"});
    for (int i = 1; i <= 3; ++i) p.took_turn("n8", "self", kSlots, at(10.0 * i), kWindow);
    EXPECT_EQ(p.names(), (Names{"n7", "n8"})) << "a missed three times, c twice";
}

TEST(TurnOrder, MissingMembersAreCountedForTurnedEntriesToo) {
    TurnOrder o = with({"n9", "n8", "n7"});
    o.took_turn("n9", "self", kSlots, at(1), kWindow);  // n8 n7 n9
    o.took_turn("n8", "self", kSlots, at(2), kWindow);  // n7 n9 n8
    o.took_turn("n7", "self", kSlots, at(3), kWindow);  // n9 n8 n7
    // From now on only n7 takes turns: n9 and n8 (turned entries, last heard
    // at their own turns, long ago) miss each time.
    o.took_turn("n7", "self", kSlots, at(100), kWindow);
    o.took_turn("n7", "self", kSlots, at(110), kWindow);
    EXPECT_EQ(o.names(), (Names{"n9", "n8", "n7"}));
    o.took_turn("n7", "self", kSlots, at(120), kWindow);
    EXPECT_EQ(o.names(), (Names{"n7"}));
}

TEST(TurnOrder, AnEntryHeardWithinTheWindowLostACollisionAndMissesNothing) {
    TurnOrder o = with({"n9", "n8", "n7"});
    // Before each of n7's turns n9 pinged 3 s earlier (exactly the window):
    // it lost a collision. n8 pinged just before the window of n7's first
    // turn (and not again): that first turn is a miss too, or n8 would not
    // go at the third.
    o.heard("n8", at(10 - 3.001));
    for (int i = 1; i <= 3; ++i) {
        const double t = 10.0 * i;
        o.heard("n9", at(t - 3));
        o.took_turn("n7", "self", kSlots, at(t), kWindow);
        if (i < 3) {
            EXPECT_TRUE(o.contains("n8"));
        }
    }
    EXPECT_EQ(o.names(), (Names{"n9", "n7"}));
}

TEST(TurnOrder, HearingAPingClearsTheMisses) {
    TurnOrder o = with({"n9", "n8"});
    o.took_turn("n8", "self", kSlots, at(10), kWindow);
    o.took_turn("n8", "self", kSlots, at(20), kWindow);  // n9: 2 misses
    // Heard at 21, so not within the window of the next turns: the ping
    // does not excuse them, it only clears what n9 missed before it.
    o.heard("n9", at(21));
    o.took_turn("n8", "self", kSlots, at(30), kWindow);
    o.took_turn("n8", "self", kSlots, at(40), kWindow);
    EXPECT_EQ(o.names(), (Names{"n9", "n8"})) << "2 misses since the ping, not 4";
    o.took_turn("n8", "self", kSlots, at(50), kWindow);
    EXPECT_EQ(o.names(), (Names{"n8"}));
}

TEST(TurnOrder, HearingClearsTheMissesOfATurnedEntryToo) {
    TurnOrder o = with({"n9", "n8"});
    o.took_turn("n9", "self", kSlots, at(1), kWindow);   // n8 n9
    o.took_turn("n8", "self", kSlots, at(2), kWindow);   // n9 n8
    o.took_turn("n8", "self", kSlots, at(10), kWindow);  // n9: 1
    o.took_turn("n8", "self", kSlots, at(20), kWindow);  // n9: 2
    o.heard("n9", at(21));
    o.took_turn("n8", "self", kSlots, at(30), kWindow);  // n9: 1
    o.took_turn("n8", "self", kSlots, at(40), kWindow);  // n9: 2
    EXPECT_EQ(o.names(), (Names{"n9", "n8"}));
    o.took_turn("n8", "self", kSlots, at(50), kWindow);  // n9: 3
    EXPECT_EQ(o.names(), (Names{"n8"}));
}

TEST(TurnOrder, HearingAnUnknownNameAddsNothing) {
    TurnOrder o = with({"n9"});
    o.heard("zz", at(1));
    EXPECT_EQ(o.names(), (Names{"n9"}));
}

TEST(TurnOrder, ATakersOwnMissesStartAgainAtItsTurn) {
    TurnOrder o = with({"n9", "n8"});
    o.took_turn("n8", "self", kSlots, at(10), kWindow);
    o.took_turn("n8", "self", kSlots, at(20), kWindow);  // n9: 2 misses
    o.took_turn("n9", "self", kSlots, at(30), kWindow);  // n8 n9; n9: 0
    o.took_turn("n8", "self", kSlots, at(40), kWindow);  // n9 n8
    o.took_turn("n8", "self", kSlots, at(50), kWindow);  // n9: 1
    o.took_turn("n8", "self", kSlots, at(60), kWindow);  // n9: 2
    EXPECT_EQ(o.names(), (Names{"n9", "n8"}));
    o.took_turn("n8", "self", kSlots, at(70), kWindow);  // n9: 3
    EXPECT_EQ(o.names(), (Names{"n8"}));
}

TEST(TurnOrder, SelfIsNeverDropped) {
    TurnOrder o = with({"n9", "n8", "me"});
    for (int i = 1; i <= 10; ++i) o.took_turn("x", "me", kSlots, at(10.0 * i), kWindow);
    // n9 and n8 missed three times (x took every turn, from the back after
    // its first); we missed ten, and stay at our place.
    EXPECT_EQ(o.names(), (Names{"me", "x"}));
    EXPECT_EQ(o.rank("me", kSlots), 0u);
    // Fresh or turned: as a turned entry too.
    o.took_turn("me", "me", kSlots, at(200), kWindow);  // x me
    for (int i = 1; i <= 10; ++i) o.took_turn("y", "me", kSlots, at(200 + 10.0 * i), kWindow);
    EXPECT_EQ(o.names(), (Names{"me", "y"}));
}

TEST(TurnOrder, AFullOrderTakesNoNewMember) {
    TurnOrder o = with({"n8", "n7", "n6"}, 3);
    EXPECT_FALSE(o.joined("n9")) << "a flood of inits cannot push members out";
    EXPECT_FALSE(o.contains("n9"));
    EXPECT_EQ(o.names(), (Names{"n8", "n7", "n6"}));
    // A turn by a known member needs no room.
    o.took_turn("n7", "n8", kSlots, at(1), kWindow);
    EXPECT_EQ(o.names(), (Names{"n8", "n6", "n7"}));
}

TEST(TurnOrder, ATurnByAnUnknownNameEvictsTheFirstEntryThatIsNotSelf) {
    TurnOrder o = with({"n9", "n8", "n7"}, 3);
    o.took_turn("x", "n9", kSlots, at(1), kWindow);
    EXPECT_EQ(o.names(), (Names{"n9", "n7", "x"})) << "a is ourselves: b goes";
    EXPECT_EQ(o.size(), 3u);
    o.took_turn("y", "me", kSlots, at(2), kWindow);
    EXPECT_EQ(o.names(), (Names{"n7", "x", "y"})) << "not ourselves: the front goes";
}

TEST(TurnOrder, ZeroMaxNamesMeansOne) {
    TurnOrder o(0);
    EXPECT_TRUE(o.joined("n9"));
    EXPECT_FALSE(o.joined("n8"));
    EXPECT_EQ(o.names(), (Names{"n9"}));
}

TEST(TurnOrder, ClearForgetsEverything) {
    TurnOrder o = with({"n9", "n8"}, 2);
    o.took_turn("n9", "self", kSlots, at(1), kWindow);
    o.clear();
    EXPECT_EQ(o.size(), 0u);
    EXPECT_FALSE(o.contains("n9"));
    EXPECT_EQ(o.names(), Names{});
    EXPECT_EQ(o.rank("n8", kSlots), std::nullopt);
    // The bound still holds, and n9 is fresh again.
    EXPECT_TRUE(o.joined("n7"));
    EXPECT_TRUE(o.joined("n9"));
    EXPECT_FALSE(o.joined("n8"));
    EXPECT_EQ(o.names(), (Names{"n9", "n7"}));
}
