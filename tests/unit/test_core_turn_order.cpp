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

TEST(TurnOrder, FreshMembersComeInNameOrderWhateverOrderTheyJoinedIn) {
    TurnOrder o = with({"c", "a", "d", "b"});
    EXPECT_EQ(o.names(), (Names{"a", "b", "c", "d"}));
    EXPECT_EQ(o.size(), 4u);
    EXPECT_TRUE(o.contains("c"));
    EXPECT_FALSE(o.contains("e"));
}

TEST(TurnOrder, JoiningAKnownMemberKeepsItsPlace) {
    TurnOrder o = with({"a", "b", "c"});
    o.took_turn("a", "self", kSlots, at(1), kWindow);
    EXPECT_EQ(o.names(), (Names{"b", "c", "a"}));
    EXPECT_FALSE(o.joined("a")) << "a has had a turn: an init does not make it fresh again";
    EXPECT_FALSE(o.joined("b"));
    EXPECT_EQ(o.names(), (Names{"b", "c", "a"}));
    EXPECT_EQ(o.size(), 3u);
}

TEST(TurnOrder, FreshMembersComeAheadOfThoseThatHadATurn) {
    TurnOrder o = with({"b", "c"});
    o.took_turn("b", "self", kSlots, at(1), kWindow);
    o.took_turn("c", "self", kSlots, at(2), kWindow);
    EXPECT_EQ(o.names(), (Names{"b", "c"}));
    // Joining later, even with a name after theirs: never had a turn.
    EXPECT_TRUE(o.joined("z"));
    EXPECT_TRUE(o.joined("a"));
    EXPECT_EQ(o.names(), (Names{"a", "z", "b", "c"}));
}

TEST(TurnOrder, ATurnMovesItsTakerToTheBack) {
    TurnOrder o = with({"a", "b", "c", "d"});
    o.took_turn("b", "self", kSlots, at(1), kWindow);
    EXPECT_EQ(o.names(), (Names{"a", "c", "d", "b"}));
    o.took_turn("a", "self", kSlots, at(2), kWindow);
    EXPECT_EQ(o.names(), (Names{"c", "d", "b", "a"}));
    // Among those that had a turn, the longest ago first.
    o.took_turn("b", "self", kSlots, at(3), kWindow);
    EXPECT_EQ(o.names(), (Names{"c", "d", "a", "b"}));
    // A turn by a name not known yet adds it at the back.
    o.took_turn("x", "self", kSlots, at(4), kWindow);
    EXPECT_EQ(o.names(), (Names{"c", "d", "a", "b", "x"}));
}

TEST(TurnOrder, RankCountsOnlyTheFirstSlotsEntries) {
    TurnOrder o = with({"a", "b", "c", "d", "e"});
    o.took_turn("a", "self", kSlots, at(1), kWindow);  // b c d e a
    EXPECT_EQ(o.rank("b", kSlots), 0u);
    EXPECT_EQ(o.rank("c", kSlots), 1u);
    EXPECT_EQ(o.rank("d", kSlots), 2u);
    EXPECT_EQ(o.rank("e", kSlots), std::nullopt) << "beyond the slots: no slot of its own";
    EXPECT_EQ(o.rank("a", kSlots), std::nullopt);
    EXPECT_EQ(o.rank("a", 5), 4u) << "fresh ones, then those that had a turn";
    EXPECT_EQ(o.rank("e", 4), 3u);
    EXPECT_EQ(o.rank("b", 0), std::nullopt);
    EXPECT_EQ(o.rank("nobody", 10), std::nullopt);
}

TEST(TurnOrder, EntriesAheadOfTheTakerWithinTheSlotsMissAndGoAtTheThirdMiss) {
    TurnOrder o = with({"a", "b", "c", "d"});
    // With 2 slots, a and b are ahead of d within the slots; c is ahead of
    // d but has no slot, so it misses nothing.
    o.took_turn("d", "self", 2, at(10), kWindow);
    o.took_turn("d", "self", 2, at(20), kWindow);
    EXPECT_EQ(o.names(), (Names{"a", "b", "c", "d"})) << "two misses: still there";
    o.took_turn("d", "self", 2, at(30), kWindow);
    EXPECT_EQ(o.names(), (Names{"c", "d"})) << "a and b missed their slot three times";
    // c had no miss counted: it now misses its slot (ahead of d) three
    // times before it goes.
    o.took_turn("d", "self", 2, at(40), kWindow);
    o.took_turn("d", "self", 2, at(50), kWindow);
    EXPECT_EQ(o.names(), (Names{"c", "d"}));
    o.took_turn("d", "self", 2, at(60), kWindow);
    EXPECT_EQ(o.names(), (Names{"d"}));
}

TEST(TurnOrder, EntriesBehindTheTakerMissNothing) {
    TurnOrder o = with({"a", "b", "c"});
    // A round robin: the front entry takes every turn, long after anyone
    // was last heard, so every other entry is behind the taker each time.
    for (int i = 1; i <= 30; ++i) {
        const std::string front = o.names().front();
        o.took_turn(front, "self", kSlots, at(10.0 * i), kWindow);
    }
    EXPECT_EQ(o.names(), (Names{"a", "b", "c"}));

    // The same three, but b takes two turns in a row: the second time a and
    // c are ahead of it and miss.
    TurnOrder p = with({"a", "b", "c"});
    for (int i = 1; i <= 3; ++i) p.took_turn("b", "self", kSlots, at(10.0 * i), kWindow);
    EXPECT_EQ(p.names(), (Names{"c", "b"})) << "a missed three times, c twice";
}

TEST(TurnOrder, MissingMembersAreCountedForTurnedEntriesToo) {
    TurnOrder o = with({"a", "b", "c"});
    o.took_turn("a", "self", kSlots, at(1), kWindow);  // b c a
    o.took_turn("b", "self", kSlots, at(2), kWindow);  // c a b
    o.took_turn("c", "self", kSlots, at(3), kWindow);  // a b c
    // From now on only c takes turns: a and b (turned entries, last heard
    // at their own turns, long ago) miss each time.
    o.took_turn("c", "self", kSlots, at(100), kWindow);
    o.took_turn("c", "self", kSlots, at(110), kWindow);
    EXPECT_EQ(o.names(), (Names{"a", "b", "c"}));
    o.took_turn("c", "self", kSlots, at(120), kWindow);
    EXPECT_EQ(o.names(), (Names{"c"}));
}

TEST(TurnOrder, AnEntryHeardWithinTheWindowLostACollisionAndMissesNothing) {
    TurnOrder o = with({"a", "b", "c"});
    // Before each of c's turns a pinged 3 s earlier (exactly the window):
    // it lost a collision. b pinged just before the window of c's first
    // turn (and not again): that first turn is a miss too, or b would not
    // go at the third.
    o.heard("b", at(10 - 3.001));
    for (int i = 1; i <= 3; ++i) {
        const double t = 10.0 * i;
        o.heard("a", at(t - 3));
        o.took_turn("c", "self", kSlots, at(t), kWindow);
        if (i < 3) {
            EXPECT_TRUE(o.contains("b"));
        }
    }
    EXPECT_EQ(o.names(), (Names{"a", "c"}));
}

TEST(TurnOrder, HearingAPingClearsTheMisses) {
    TurnOrder o = with({"a", "b"});
    o.took_turn("b", "self", kSlots, at(10), kWindow);
    o.took_turn("b", "self", kSlots, at(20), kWindow);  // a: 2 misses
    // Heard at 21, so not within the window of the next turns: the ping
    // does not excuse them, it only clears what a missed before it.
    o.heard("a", at(21));
    o.took_turn("b", "self", kSlots, at(30), kWindow);
    o.took_turn("b", "self", kSlots, at(40), kWindow);
    EXPECT_EQ(o.names(), (Names{"a", "b"})) << "2 misses since the ping, not 4";
    o.took_turn("b", "self", kSlots, at(50), kWindow);
    EXPECT_EQ(o.names(), (Names{"b"}));
}

TEST(TurnOrder, HearingClearsTheMissesOfATurnedEntryToo) {
    TurnOrder o = with({"a", "b"});
    o.took_turn("a", "self", kSlots, at(1), kWindow);   // b a
    o.took_turn("b", "self", kSlots, at(2), kWindow);   // a b
    o.took_turn("b", "self", kSlots, at(10), kWindow);  // a: 1
    o.took_turn("b", "self", kSlots, at(20), kWindow);  // a: 2
    o.heard("a", at(21));
    o.took_turn("b", "self", kSlots, at(30), kWindow);  // a: 1
    o.took_turn("b", "self", kSlots, at(40), kWindow);  // a: 2
    EXPECT_EQ(o.names(), (Names{"a", "b"}));
    o.took_turn("b", "self", kSlots, at(50), kWindow);  // a: 3
    EXPECT_EQ(o.names(), (Names{"b"}));
}

TEST(TurnOrder, HearingAnUnknownNameAddsNothing) {
    TurnOrder o = with({"a"});
    o.heard("zz", at(1));
    EXPECT_EQ(o.names(), (Names{"a"}));
}

TEST(TurnOrder, ATakersOwnMissesStartAgainAtItsTurn) {
    TurnOrder o = with({"a", "b"});
    o.took_turn("b", "self", kSlots, at(10), kWindow);
    o.took_turn("b", "self", kSlots, at(20), kWindow);  // a: 2 misses
    o.took_turn("a", "self", kSlots, at(30), kWindow);  // b a; a: 0
    o.took_turn("b", "self", kSlots, at(40), kWindow);  // a b
    o.took_turn("b", "self", kSlots, at(50), kWindow);  // a: 1
    o.took_turn("b", "self", kSlots, at(60), kWindow);  // a: 2
    EXPECT_EQ(o.names(), (Names{"a", "b"}));
    o.took_turn("b", "self", kSlots, at(70), kWindow);  // a: 3
    EXPECT_EQ(o.names(), (Names{"b"}));
}

TEST(TurnOrder, SelfIsNeverDropped) {
    TurnOrder o = with({"a", "b", "me"});
    for (int i = 1; i <= 10; ++i) o.took_turn("x", "me", kSlots, at(10.0 * i), kWindow);
    // a and b missed three times (x took every turn, from the back after
    // its first); we missed ten, and stay at our place.
    EXPECT_EQ(o.names(), (Names{"me", "x"}));
    EXPECT_EQ(o.rank("me", kSlots), 0u);
    // Fresh or turned: as a turned entry too.
    o.took_turn("me", "me", kSlots, at(200), kWindow);  // x me
    for (int i = 1; i <= 10; ++i) o.took_turn("y", "me", kSlots, at(200 + 10.0 * i), kWindow);
    EXPECT_EQ(o.names(), (Names{"me", "y"}));
}

TEST(TurnOrder, AFullOrderTakesNoNewMember) {
    TurnOrder o = with({"b", "c", "d"}, 3);
    EXPECT_FALSE(o.joined("a")) << "a flood of inits cannot push members out";
    EXPECT_FALSE(o.contains("a"));
    EXPECT_EQ(o.names(), (Names{"b", "c", "d"}));
    // A turn by a known member needs no room.
    o.took_turn("c", "b", kSlots, at(1), kWindow);
    EXPECT_EQ(o.names(), (Names{"b", "d", "c"}));
}

TEST(TurnOrder, ATurnByAnUnknownNameEvictsTheFirstEntryThatIsNotSelf) {
    TurnOrder o = with({"a", "b", "c"}, 3);
    o.took_turn("x", "a", kSlots, at(1), kWindow);
    EXPECT_EQ(o.names(), (Names{"a", "c", "x"})) << "a is ourselves: b goes";
    EXPECT_EQ(o.size(), 3u);
    o.took_turn("y", "me", kSlots, at(2), kWindow);
    EXPECT_EQ(o.names(), (Names{"c", "x", "y"})) << "not ourselves: the front goes";
}

TEST(TurnOrder, ZeroMaxNamesMeansOne) {
    TurnOrder o(0);
    EXPECT_TRUE(o.joined("a"));
    EXPECT_FALSE(o.joined("b"));
    EXPECT_EQ(o.names(), (Names{"a"}));
}

TEST(TurnOrder, ClearForgetsEverything) {
    TurnOrder o = with({"a", "b"}, 2);
    o.took_turn("a", "self", kSlots, at(1), kWindow);
    o.clear();
    EXPECT_EQ(o.size(), 0u);
    EXPECT_FALSE(o.contains("a"));
    EXPECT_EQ(o.names(), Names{});
    EXPECT_EQ(o.rank("b", kSlots), std::nullopt);
    // The bound still holds, and a is fresh again.
    EXPECT_TRUE(o.joined("c"));
    EXPECT_TRUE(o.joined("a"));
    EXPECT_FALSE(o.joined("b"));
    EXPECT_EQ(o.names(), (Names{"a", "c"}));
}
