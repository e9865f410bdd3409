// The fair turn policy in the node, driven by hand (docs/PROTOCOL.md "Turn
// policy"): rank slots after a settled turn, when a turn counts, members
// learned later, and where 0.24's rule still decides. A fixed random source
// (0.5) makes every next ping time exact.
#include "actor/node.hpp"
#include "unit/node_test_helpers.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace actor;
using Names = std::vector<std::string>;

namespace {

using nodetest::at;
using nodetest::fast;
using nodetest::kId;
constexpr std::uint64_t kOther = 7;

// The fair slots with the fixed random source: rank r at fs(r) gaps; a
// member beyond them in the late slot, 2 + U[0, 0.15] = 2.075 gaps (after
// 0.24's 1.5..2); the chain's newest entry 3 gaps, as a lone head.
constexpr double fs(std::size_t rank) { return fair_policy::slot(rank, 0.5); }
constexpr double late = fair_policy::late + 0.5 * fair_policy::late_jitter;
constexpr double newest = 3.0;

// 0.24's slot for the node at `pos` of a chain of L: 1 - 2^-(L+2-pos) gaps.
double chain_slot(std::size_t L, std::size_t pos) {
    return 1.0 - std::ldexp(1.0, -static_cast<int>(L + 2 - pos));
}

NodeOptions options(std::string name, TurnPolicy policy, Config c, double rnd, bool ready) {
    NodeOptions o;
    o.name = std::move(name);
    o.config = c;
    o.value = 1;
    o.ready = ready;
    o.id = kId;
    o.random = [rnd] { return rnd; };
    o.turn_policy = policy;
    return o;
}

// As in test_core_node.cpp, but ready (the fair policy ranks only a ready
// node) and with a turn policy.
struct Harness {
    Node node;
    std::vector<Message> sent;
    std::vector<Event> events;

    explicit Harness(std::string name, TurnPolicy policy = TurnPolicy::fair, Config c = fast(),
                     double rnd = 0.5, bool ready = true)
        : node(options(std::move(name), policy, c, rnd, ready)) {}

    // The channel carries our own pings back at once (no echo, no tag).
    void drain(Time now) {
        for (;;) {
            auto out = node.take_outgoing();
            for (auto& e : node.take_events()) events.push_back(std::move(e));
            if (out.empty()) break;
            for (auto& m : out) {
                sent.push_back(m);
                if (m.type == MsgType::ping) node.on_message(m, now);
            }
        }
    }
    // Start and let our own init come back: the first ping ([self]) goes out.
    void start_and_echo(Time now = at(0)) {
        node.start(now);
        drain(now);
        recv(Message::make_init(node.name(), kId), now);
    }
    void recv(const Message& m, Time now) {
        node.on_message(m, now);
        drain(now);
    }
    void init_from(const std::string& n, Time now) { recv(Message::make_init(n, kOther), now); }
    void ping_from(const std::string& n, Names h, Time now, Value v = 5) {
        recv(Message::make_ping(n, std::move(v), std::move(h), kOther), now);
    }
    void run_until(Time end) {
        while (auto d = node.next_deadline()) {
            if (*d > end) break;
            node.on_timer(*d);
            drain(*d);
        }
    }
    std::vector<Event> take_events() { return std::exchange(events, {}); }
    std::vector<Message> take_sent() { return std::exchange(sent, {}); }
};

std::vector<EventType> types(const std::vector<Event>& es) {
    std::vector<EventType> t;
    for (auto& e : es) t.push_back(e.type);
    return t;
}

// We are `self`, the others in `members` sent their init; then "x" (a name
// after all of theirs) extends our first ping at 1 s, and its report closes
// at 3 s: a settled turn at 1 s.
// `x_known`: x's init came too (else we learn x from its ping).
Harness after_a_turn_by_x(const std::string& self, const Names& members,
                          TurnPolicy policy = TurnPolicy::fair, double rnd = 0.5,
                          bool x_known = false) {
    Harness h(self, policy, fast(), rnd);
    h.start_and_echo(at(0));
    for (const auto& m : members)
        if (m != self) h.init_from(m, at(0.1));
    if (x_known) h.init_from("x", at(0.1));
    h.ping_from("x", {"x", self}, at(1));
    EXPECT_EQ(h.node.next_deadline(), at(3)) << "the ping report's close";
    h.run_until(at(3));
    EXPECT_EQ(h.node.chain().names(), (Names{"x", self}));
    h.take_sent();  // init, vers, our first ping
    return h;
}

}  // namespace

TEST(NodeFair, RankedMembersPingAtCyclePlusAGapPerRank) {
    const Names group{"m5", "m4", "m3", "m2", "m1"};
    // Ranks 0 and 1: cycle + fs(0), fs(1) gaps after the turn at 1 s; ranks
    // 2 to 4 have no slot: the late slot 2 + U[0, 0.15] = 2.075 gaps.
    const double slot[] = {fs(0), fs(1), late, late, late};
    for (std::size_t i = 0; i < group.size(); ++i) {
        SCOPED_TRACE(group[i]);
        Harness h = after_a_turn_by_x(group[i], group);
        EXPECT_EQ(h.node.next_ping_time(), at(1 + 10 + slot[i]));
        EXPECT_EQ(h.node.next_deadline(), at(1 + 10 + slot[i]));
        auto ev = h.take_events();
        ASSERT_EQ(types(ev), std::vector{EventType::ping});
        EXPECT_EQ(ev[0].node, "x");
    }
}

// Rule 7 of "Joining at scale": in a crowd, the member ranked first waits
// 0.5 gap * unknown_share longer, the share of the turns' pings heard from
// members it had not heard of (a moving average, weight 1/8). In the test
// above (5 members) x was unknown too, and rank 0 kept fs(0).
TEST(NodeFair, ACrowdsFirstRankedMemberWaitsAsMuchLongerAsItKnowsLess) {
    Names crowd;
    for (int i = 12; i >= 1; --i) crowd.push_back("m" + std::to_string(i));  // m12 first
    // x, unknown until its ping, took the turn: one ping in eight of a
    // member we had not heard of.
    const double share = fair_policy::unknown_share_weight;
    EXPECT_EQ(after_a_turn_by_x("m12", crowd).node.next_deadline(),
              at(1 + 10 + fs(0) + fair_policy::unknown_offset * share));
    // x's init had come: nothing unknown, the slot is fs(0).
    EXPECT_EQ(after_a_turn_by_x("m12", crowd, TurnPolicy::fair, 0.5, true).node.next_deadline(),
              at(1 + 10 + fs(0)));
    // Rank 1 keeps its slot either way.
    EXPECT_EQ(after_a_turn_by_x("m11", crowd).node.next_deadline(), at(1 + 10 + fs(1)));

    // The share decays with every turn's ping of a member we knew: m12's
    // turn (known) after x's, then we (m11) are first.
    Harness h = after_a_turn_by_x("m11", crowd);
    h.ping_from("m12", {"m12", "x", "m11"}, at(12));
    h.run_until(at(14));
    EXPECT_EQ(h.node.chain().names(), (Names{"m12", "x", "m11"}));
    EXPECT_EQ(h.node.next_deadline(),
              at(12 + 10 + fs(0) + fair_policy::unknown_offset * share * (1 - share)));
}

// The move never takes rank 0 past unknown_latest (0.95 gap: rank 1, from
// 1.2, hears it first); a slot already past it (failed attempts widen it up
// to the whole 1.2) stays.
TEST(NodeFair, TheMoveOfACrowdsFirstRankedMemberStopsBeforeRankOne) {
    EXPECT_EQ(fair_policy::first_in_crowd(0.1, 0), 0.1);
    EXPECT_EQ(fair_policy::first_in_crowd(0.125, 0.5), 0.125 + fair_policy::unknown_offset * 0.5);
    EXPECT_EQ(fair_policy::first_in_crowd(0.7, 1.0), fair_policy::unknown_latest);
    EXPECT_EQ(fair_policy::first_in_crowd(1.1, 1.0), 1.1);
    static_assert(fair_policy::slot(1, 0) - fair_policy::unknown_latest >= fair_policy::jitter - 1e-9);
    static_assert(fair_policy::slot(0, 0.999) + fair_policy::unknown_offset <= 0.75);
}

TEST(NodeFair, MembersBeyondTheSlotsUseTheWholeLateSlot) {
    const Names group{"m4", "m3", "m2", "m1"};
    // 2..2.15 gaps: after 0.24's late slot (1.5..2), not in it.
    EXPECT_EQ(after_a_turn_by_x("m1", group, TurnPolicy::fair, 0.0).node.next_deadline(),
              at(1 + 10 + 2));
    const auto latest =
        after_a_turn_by_x("m1", group, TurnPolicy::fair, 0.999).node.next_deadline();
    ASSERT_TRUE(latest);
    EXPECT_GT(*latest, at(1 + 10 + 2));
    EXPECT_LT(*latest, at(1 + 10 + 2.15));
}

TEST(NodeFair, ATurnCountsAtThePingReportsCloseAndMovesItsTakerBack) {
    Harness h("a");
    h.start_and_echo(at(0));
    h.init_from("c", at(0.1));
    h.init_from("b", at(0.1));
    h.take_sent();
    // Order c b a: we are third.
    h.ping_from("c", {"c", "a"}, at(1));
    EXPECT_EQ(h.node.next_ping_time(), at(1 + 10 + late)) << "c's turn has not settled yet";
    h.run_until(at(2.999));
    EXPECT_EQ(h.node.next_ping_time(), at(1 + 10 + late));
    // 2 gaps after the arming ping: b a c, we are second.
    h.run_until(at(3));
    EXPECT_EQ(types(h.take_events()), std::vector{EventType::ping});
    EXPECT_EQ(h.node.next_deadline(), at(1 + 10 + fs(1)));

    // b (first now) pings at its slot, before ours.
    h.ping_from("b", {"b", "c", "a"}, at(11));
    EXPECT_EQ(h.node.chain().names(), (Names{"b", "c", "a"}));
    EXPECT_EQ(h.node.next_ping_time(), at(11 + 10 + fs(1)));
    EXPECT_EQ(h.node.next_deadline(), at(13));
    h.run_until(at(13));
    // a c b: we are first.
    EXPECT_EQ(h.node.next_deadline(), at(11 + 10 + fs(0)));
    EXPECT_TRUE(h.take_sent().empty());
}

TEST(NodeFair, OurOwnTurnCountsAtOurTag) {
    Harness h("c");
    h.start_and_echo(at(0));
    h.init_from("a", at(0.1));
    h.init_from("b", at(0.1));
    h.ping_from("a", {"a", "c"}, at(1));
    h.run_until(at(3));  // b c a
    h.ping_from("b", {"b", "a", "c"}, at(11));
    h.run_until(at(13));  // c a b
    h.take_sent();
    h.take_events();

    const double tp = 11 + 10 + fs(0);  // our slot: first
    h.run_until(at(tp));
    auto sent = h.take_sent();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].type, MsgType::ping);
    EXPECT_EQ(sent[0].history, (Names{"c", "b", "a"}));
    EXPECT_EQ(h.node.tag_state(), 2);
    // Not ours until the tag: still first.
    EXPECT_EQ(h.node.next_ping_time(), at(tp) + at(10 + fs(0)));
    h.run_until(at(tp + 0.999));
    EXPECT_EQ(h.node.next_ping_time(), at(tp) + at(10 + fs(0)));
    // Tagged a gap later: the turn counts from our ping (a b c: third,
    // beyond the slots, and the chain's newest entry: 3 gaps, after every
    // late ping).
    h.run_until(at(tp) + at(1));
    EXPECT_EQ(types(h.take_events()), std::vector{EventType::tag});
    EXPECT_EQ(h.node.next_ping_time(), at(tp) + at(10 + newest));
    EXPECT_EQ(h.node.next_deadline(), at(tp) + at(1 + 9.5)) << "the untag comes first";
    h.run_until(at(tp) + at(10.5));
    EXPECT_EQ(types(h.take_events()), std::vector{EventType::untag});
    EXPECT_EQ(h.node.next_deadline(), at(tp) + at(10 + newest));
}

// A ping that loses a collision here (its chain is another: a split, a
// collision settled differently) but whose sender would beat us: the fair
// policy chooses our next ping anew from it, as from an accepted one (its
// sender is tagged by it in its own view, and ours within the cycle would
// lose there and be tagged here beside it). Receiving is unchanged: our
// chain stays, no report. A sender we beat, and a ping of one name (a first
// ping: no tag), change nothing; nor under 0.24's rules.
TEST(NodeFair, ARefusedPingWhoseSenderBeatsUsSetsOurNextPing) {
    const Names group{"m2", "m1"};
    {
        Harness h = after_a_turn_by_x("m1", group);  // m2 m1 x: we are second
        ASSERT_EQ(h.node.next_ping_time(), at(1 + 10 + fs(1)));
        h.take_events();  // x's ping report
        // y (value 3) loses to x (5), beats us (1): we wait a cycle from it.
        // (Learned from its ping, y ranks ahead of us, the last name first:
        // we are third, in the late slot.)
        h.ping_from("y", {"y", "q"}, at(5), 3);
        EXPECT_EQ(h.node.chain().names(), (Names{"x", "m1"}));
        EXPECT_EQ(h.node.next_ping_time(), at(5 + 10 + late));
        // A healed split as before (recover, a beacon), no ping sent.
        EXPECT_EQ(types(h.take_events()), std::vector{EventType::recover});
        EXPECT_TRUE(h.take_sent().empty());
    }
    {
        Harness h = after_a_turn_by_x("m1", group);
        // y with our value 1: "m1" < "y", we beat it; our ping detags it.
        h.ping_from("y", {"y", "q"}, at(5), 1);
        EXPECT_EQ(h.node.next_ping_time(), at(1 + 10 + late)) << "still from the turn at 1 s";
    }
    {
        Harness h = after_a_turn_by_x("m1", group);
        h.ping_from("y", {"y"}, at(5), 3);  // a first ping
        EXPECT_EQ(h.node.next_ping_time(), at(1 + 10 + late)) << "still from the turn at 1 s";
    }
    {
        Harness h = after_a_turn_by_x("m1", group, TurnPolicy::asyncactor);
        const auto before = h.node.next_ping_time();
        h.ping_from("y", {"y", "q"}, at(5), 3);
        EXPECT_EQ(h.node.next_ping_time(), before);
    }
}

TEST(NodeFair, AMemberLearnedLaterMovesOurSlotWhenItIsAheadOfUs) {
    Harness h = after_a_turn_by_x("m2", {"m2", "m1"});  // m2 m1 x
    EXPECT_EQ(h.node.next_deadline(), at(1 + 10 + fs(0)));
    h.init_from("k", at(5));  // after us: m2 m1 k x
    EXPECT_EQ(h.node.next_deadline(), at(1 + 10 + fs(0)));
    h.init_from("p", at(6));  // ahead of us, from the same turn at 1 s
    EXPECT_EQ(h.node.next_deadline(), at(1 + 10 + fs(1)));
    h.init_from("p", at(7));  // known: keeps its place
    EXPECT_EQ(h.node.next_deadline(), at(1 + 10 + fs(1)));
    h.init_from("o", at(8));  // p o m2: third, beyond the slots
    EXPECT_EQ(h.node.next_deadline(), at(1 + 10 + late));
    h.init_from("n", at(9));  // still beyond them; x is the chain's head
    EXPECT_EQ(h.node.next_deadline(), at(1 + 10 + late));
    EXPECT_TRUE(h.take_sent().empty());
}

TEST(NodeFair, ASilentMemberMissesThreeSlotsAndGoes) {
    Harness h("a");
    h.start_and_echo(at(0));
    h.init_from("c", at(0.1));  // c never pings
    // X and Y (names that rank behind ours) take the turns.
    h.ping_from("X", {"X", "a"}, at(1));
    h.run_until(at(3));  // c a X; c missed 1
    EXPECT_EQ(h.node.next_deadline(), at(1 + 10 + fs(1)));
    h.ping_from("Y", {"Y", "X", "a"}, at(11));
    h.run_until(at(13));  // c a X Y; c missed 2
    EXPECT_EQ(h.node.next_deadline(), at(11 + 10 + fs(1)));
    h.ping_from("X", {"X", "Y", "a"}, at(21));
    EXPECT_EQ(h.node.next_ping_time(), at(21 + 10 + fs(1)));
    h.run_until(at(23));  // c missed 3 and goes: a Y X
    EXPECT_EQ(h.node.next_deadline(), at(21 + 10 + fs(0)));
}

TEST(NodeFair, AsyncactorPolicyKeepsTheChainSlotsOf024) {
    Harness h("c", TurnPolicy::asyncactor);
    h.start_and_echo(at(0));
    h.init_from("a", at(0.1));
    h.init_from("b", at(0.1));
    EXPECT_EQ(h.node.next_deadline(), at(10 + 3)) << "a lone head: 3 gaps";
    h.ping_from("a", {"a", "c"}, at(1));
    EXPECT_EQ(h.node.next_ping_time(), at(1 + 10 + chain_slot(2, 1)));  // 0.875
    h.run_until(at(3));  // the report close changes nothing
    EXPECT_EQ(h.node.next_deadline(), at(1 + 10 + chain_slot(2, 1)));
    h.ping_from("b", {"b", "a", "c"}, at(4));
    EXPECT_EQ(h.node.next_ping_time(), at(4 + 10 + chain_slot(3, 2)));  // 0.875
    h.run_until(at(6));
    EXPECT_EQ(h.node.next_deadline(), at(4 + 10 + chain_slot(3, 2)));
    h.take_sent();
    h.run_until(at(14.875));
    ASSERT_EQ(h.take_sent().size(), 1u);
    // The newest of the chain: 2 gaps; the tag changes nothing.
    EXPECT_EQ(h.node.next_ping_time(), at(14.875 + 10 + 2));
    h.run_until(at(15.875));
    EXPECT_EQ(h.node.tag_state(), 3);
    EXPECT_EQ(h.node.next_ping_time(), at(14.875 + 10 + 2));
    h.ping_from("a", {"a", "c", "b"}, at(17));
    EXPECT_EQ(h.node.chain().names(), (Names{"a", "c", "b"}));
    EXPECT_EQ(h.node.next_ping_time(), at(17 + 10 + chain_slot(3, 1)));  // 0.9375
    EXPECT_EQ(h.node.next_deadline(), at(19)) << "a's report";
    h.run_until(at(19));
    EXPECT_EQ(h.node.next_deadline(), at(17 + 10 + chain_slot(3, 1)));
}

namespace {

// The next_deadline() after each step of one script.
std::vector<std::optional<Time>> splits_one_trace(TurnPolicy policy) {
    Config c = fast();
    c.splits = 1;
    Harness h("m1", policy, c);
    std::vector<std::optional<Time>> trace;
    h.start_and_echo(at(0));
    trace.push_back(h.node.next_deadline());
    h.init_from("m2", at(0.1));
    trace.push_back(h.node.next_deadline());
    h.ping_from("x", {"x"}, at(1));  // wins the collision (5 beats 1)
    EXPECT_EQ(h.node.chain().names(), (Names{"x"}));
    trace.push_back(h.node.next_deadline());
    h.run_until(at(3));
    trace.push_back(h.node.next_deadline());
    h.run_until(at(12.75));  // our ping [m1]
    trace.push_back(h.node.next_ping_time());
    h.run_until(at(13.75));  // tagged
    EXPECT_EQ(h.node.tag_state(), 3);
    trace.push_back(h.node.next_ping_time());
    return trace;
}

}  // namespace

TEST(NodeFair, SplitsOneFallsBackToTheAsyncactorRule) {
    // A history of one name cannot tell a turn from a first ping.
    const auto fair = splits_one_trace(TurnPolicy::fair);
    EXPECT_EQ(fair, splits_one_trace(TurnPolicy::asyncactor));
    // Off the chain of x, 0.24's late slot (1.5 + 0.25), where a fair
    // ranking would have given cycle + 0 (we had no turn, x had one).
    const std::vector<std::optional<Time>> want{at(13), at(13), at(3), at(1 + 10 + 1.75),
                                                at(12.75 + 10 + 2), at(12.75 + 10 + 2)};
    EXPECT_EQ(fair, want);
}

TEST(NodeFair, ANodeNotReadyUsesTheAsyncactorRule) {
    for (auto policy : {TurnPolicy::fair, TurnPolicy::asyncactor}) {
        Harness h("c", policy, fast(), 0.5, /*ready=*/false);
        h.start_and_echo(at(0));
        h.init_from("a", at(0.1));
        h.ping_from("a", {"a", "c"}, at(1));
        h.run_until(at(3));
        EXPECT_EQ(h.node.next_deadline(), at(1 + 10 + chain_slot(2, 1)));
    }
}
