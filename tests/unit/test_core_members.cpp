// actor::Members (actor/members.hpp): the bounded, expiring members view of
// actor-watch. No clock: steady and wall times are given by the test.
#include "actor/members.hpp"

#include "actor/codec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

using actor::Chain;
using actor::Members;
using actor::Message;
using Names = std::vector<std::string>;
using namespace std::chrono_literals;

namespace {

const Members::WallTime wall0{std::chrono::seconds(1'700'000'000)};

Message ping(const std::string& node, actor::Value v = 0, Names history = {}) {
    if (history.empty()) history = {node};
    return Message::make_ping(node, std::move(v), std::move(history), 1);
}

Names names_of(const actor::Event& e) {
    Names out;
    for (const auto& m : e.members) out.push_back(m.node);
    return out;
}

std::string node_name(std::size_t i) { return "n" + std::to_string(i); }

}  // namespace

TEST(Members, SnapshotIsNewestFirstWithValuesAndChainFlag) {
    Members m(10s);
    m.heard(ping("a", 1), 1s, wall0 + 1s);
    m.heard(ping("b", 2, {"b", "a"}), 2s, wall0 + 2s);
    m.heard(Message::make_vers("c", actor::Config{}, 1), 3s, wall0 + 3s);
    const auto e = m.snapshot(Chain::adopt({"b", "a"}, 5), 3s);
    EXPECT_EQ(e.type, actor::EventType::members);
    ASSERT_EQ(names_of(e), (Names{"c", "b", "a"}));
    EXPECT_FALSE(e.members[0].on_chain);
    EXPECT_TRUE(e.members[1].on_chain);
    EXPECT_TRUE(e.members[2].on_chain);
    EXPECT_EQ(e.members[0].value, nullptr);  // a vers carries no value
    EXPECT_EQ(e.members[1].value, 2);
    EXPECT_EQ(e.members[2].value, 1);  // named in b's chain: keeps its own ping's value
    EXPECT_EQ(e.members[0].last_seen, wall0 + 3s);
    EXPECT_EQ(e.members[2].last_seen, wall0 + 2s);  // seen again inside b's chain
}

TEST(Members, ChainNamesAreTouchedOldestFirstThenTheSender) {
    Members m(10s);
    m.heard(Message::make_hist(7, {"x", "y", "z"}, 1), 1s, wall0);
    const auto e = m.snapshot(Chain(), 1s);
    EXPECT_EQ(names_of(e), (Names{"x", "y", "z"}));  // the hist's sender x: its head
    EXPECT_EQ(e.members[0].value, 7);
    EXPECT_FALSE(e.members[0].on_chain);
}

TEST(Members, CompleteWhenEveryChainMemberHasPinged) {
    Members m(10s);
    EXPECT_TRUE(m.complete(Chain()));
    const auto chain = Chain::adopt({"b", "a"}, 5);
    m.heard(ping("b", 1, {"b", "a"}), 1s, wall0);
    EXPECT_FALSE(m.complete(chain));  // a only named in a chain
    m.heard(Message::make_vers("a", actor::Config{}, 1), 2s, wall0);
    EXPECT_FALSE(m.complete(chain));  // a vers carries no value
    m.heard(ping("a", 2, {"a", "b"}), 3s, wall0);
    EXPECT_TRUE(m.complete(chain));
    EXPECT_FALSE(m.complete(Chain::adopt({"a", "q"}, 5)));  // q never heard
}

TEST(Members, CountBoundEvictsTheLeastRecentlySeen) {
    Members m(24h);
    for (std::size_t i = 0; i < actor::max_members; ++i)
        m.heard(ping(node_name(i)), std::chrono::seconds(i), wall0);
    EXPECT_EQ(m.size(), actor::max_members);
    m.heard(ping("n0"), 5000s, wall0);  // n0 seen again: n1 is now the least recent
    m.heard(ping("new"), 5001s, wall0);
    EXPECT_EQ(m.size(), actor::max_members);
    const auto names = names_of(m.snapshot(Chain(), 5001s));
    ASSERT_EQ(names.size(), actor::max_members);
    EXPECT_EQ(names[0], "new");
    EXPECT_EQ(names[1], "n0");
    EXPECT_EQ(names.back(), "n2");
    EXPECT_EQ(std::count(names.begin(), names.end(), "n1"), 0);
}

TEST(Members, ALongChainKeepsItsNewestNames) {
    Members m(1h);
    Names history;
    for (std::size_t i = 0; i < actor::max_members + 5; ++i) history.push_back(node_name(i));
    m.heard(Message::make_hist(1, history, 1), 1s, wall0);  // sender: history[0]
    const auto names = names_of(m.snapshot(Chain(), 1s));
    ASSERT_EQ(names.size(), actor::max_members);
    EXPECT_EQ(names.front(), "n0");
    EXPECT_EQ(names.back(), node_name(actor::max_members - 1));  // the 5 oldest went
}

TEST(Members, ByteBoundEvictsForBigValuesButNeverTheNewest) {
    Members m(1h);
    const std::string big(100 * 1024, 'x');
    m.heard(ping("a", 1), 1s, wall0);
    const auto small = m.bytes();
    EXPECT_EQ(small, 1 + actor::value_footprint(1));
    m.heard(ping("b", big), 2s, wall0);
    m.heard(ping("c", big), 3s, wall0);
    EXPECT_EQ(m.size(), 3u);
    m.heard(ping("d", big), 4s, wall0);  // over 256 KiB: a, then b go
    EXPECT_LE(m.bytes(), actor::max_member_bytes);
    EXPECT_EQ(names_of(m.snapshot(Chain(), 4s)), (Names{"d", "c"}));

    // One value over the bound alone: the newest stays, everyone else goes.
    const std::string huge(actor::max_member_bytes + 1, 'y');
    m.heard(ping("e", huge), 5s, wall0);
    EXPECT_EQ(names_of(m.snapshot(Chain(), 5s)), (Names{"e"}));
    EXPECT_GT(m.bytes(), actor::max_member_bytes);
    // Its next small value is counted instead of the huge one.
    m.heard(ping("e", 1), 6s, wall0);
    EXPECT_EQ(m.bytes(), small);
    m.heard(ping("f", huge), 7s, wall0);  // f newest: e goes
    EXPECT_EQ(names_of(m.snapshot(Chain(), 7s)), (Names{"f"}));
    m.heard(ping("g", 2), 8s, wall0);  // g newest: f goes, its bytes with it
    EXPECT_EQ(names_of(m.snapshot(Chain(), 8s)), (Names{"g"}));
    EXPECT_EQ(m.bytes(), small);
}

TEST(Members, TtlExpiresTheLongestUnseenAtSnapshot) {
    Members m(10s);
    m.heard(ping("a"), 0s, wall0);
    m.heard(ping("b"), 5s, wall0);
    EXPECT_EQ(names_of(m.snapshot(Chain(), 10s)), (Names{"b", "a"}));  // exactly ttl: kept
    EXPECT_EQ(names_of(m.snapshot(Chain(), 10s + 1ns)), (Names{"b"}));
    EXPECT_EQ(m.size(), 1u);
    m.heard(ping("a"), 12s, wall0);  // heard again: listed again
    EXPECT_EQ(names_of(m.snapshot(Chain(), 15s + 1ns)), (Names{"a"}));
    EXPECT_TRUE(m.snapshot(Chain(), 30s).members.empty());
    EXPECT_EQ(m.size(), 0u);
    EXPECT_EQ(m.bytes(), 0u);
}

TEST(Members, WithoutAFixedTtlTheTtlFollowsTheGroupSize) {
    actor::Config c;  // nodes 5, cycle 10 s, gap 1.5 s: a turn bound of 13.75 s
    Members m(c);
    const auto turn = actor::timing::turn_bound(c);
    // 12 members pinging once a round each: the first one heard, 11 turns
    // later, is still listed (a fixed (nodes + 1)-turn TTL would drop it).
    for (std::size_t i = 0; i < 12; ++i)
        m.heard(ping(node_name(i)), actor::Time(turn * static_cast<std::int64_t>(i)), wall0);
    EXPECT_EQ(m.snapshot(Chain(5), actor::Time(turn * 12)).members.size(), 12u);
    // One that stops goes after (12 + 1) turns without a message.
    for (std::size_t i = 1; i < 12; ++i)
        m.heard(ping(node_name(i)), actor::Time(turn * 13), wall0);
    EXPECT_EQ(m.snapshot(Chain(5), actor::Time(turn * 13)).members.size(), 12u);
    const auto later = m.snapshot(Chain(5), actor::Time(turn * 13) + std::chrono::nanoseconds(1));
    ASSERT_EQ(later.members.size(), 11u);
    const Names left = names_of(later);
    EXPECT_EQ(std::count(left.begin(), left.end(), "n0"), 0);
    // A small group keeps the (nodes + 1)-turn floor.
    Members small(c);
    small.heard(ping("a"), actor::Time(0), wall0);
    EXPECT_EQ(small.snapshot(Chain(5), actor::Time(turn * 6)).members.size(), 1u);
    EXPECT_EQ(small.snapshot(Chain(5), actor::Time(turn * 6) + std::chrono::nanoseconds(1)).members.size(), 0u);
}
