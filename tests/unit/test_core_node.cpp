// Rule-by-rule tests of the sans-IO node: no sockets, no clock, scripted
// messages and a fixed random source.
#include "actor/codec.hpp"
#include "actor/node.hpp"
#include "unit/node_test_helpers.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace actor;
using namespace std::chrono_literals;
using Names = std::vector<std::string>;

namespace {

using nodetest::at;
using nodetest::fast;
using nodetest::kId;

struct Harness {
    Node node;
    std::vector<Message> sent;
    std::vector<Event> events;

    explicit Harness(std::string name = "me", Config c = fast(), Mode mode = Mode::active,
                     Value value = 1, double rnd = 0.5)
        : node(NodeOptions{.name = std::move(name),
                           .config = c,
                           .value = std::move(value),
                           .ready = false,
                           .mode = mode,
                           .id = kId,
                           .random = [rnd] { return rnd; },
                           .max_known_nodes = 1024}) {}

    // The channel carries our own pings back at once (no channel, no turn:
    // a ping that does not come back never tags); false: a channel that
    // drops what we send.
    bool echo_pings = true;

    void drain(Time now) {
        for (;;) {
            auto out = node.take_outgoing();
            for (auto& e : node.take_events()) events.push_back(std::move(e));
            if (out.empty()) break;
            for (auto& m : out) {
                sent.push_back(m);
                if (echo_pings && m.type == MsgType::ping) node.on_message(m, now);
            }
        }
    }
    void start(Time now = at(0)) {
        node.start(now);
        drain(now);
    }
    // Start and let our own init come back: the first ping goes out.
    void start_and_echo(Time now = at(0)) {
        start(now);
        recv(Message::make_init(node.name(), kId), now);
    }
    void recv(const Message& m, Time now) {
        node.on_message(m, now);
        drain(now);
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

Message ping(const std::string& n, Value v, Names h, std::uint64_t id = 7) {
    return Message::make_ping(n, std::move(v), std::move(h), id);
}

std::size_t count_of(const std::vector<Event>& es, EventType t) {
    return static_cast<std::size_t>(
        std::count_if(es.begin(), es.end(), [t](const Event& e) { return e.type == t; }));
}
std::size_t count_of(const std::vector<Message>& ms, MsgType t) {
    return static_cast<std::size_t>(
        std::count_if(ms.begin(), ms.end(), [t](const Message& m) { return m.type == t; }));
}

std::vector<EventType> types(const std::vector<Event>& es) {
    std::vector<EventType> t;
    for (auto& e : es) t.push_back(e.type);
    return t;
}

}  // namespace

TEST(NodeStart, SendsInitWaitsForItThenVersAndTheFirstPing) {
    Harness h;
    h.start(at(0));
    auto sent = h.take_sent();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].type, MsgType::init);
    EXPECT_EQ(sent[0].id, kId);
    EXPECT_FALSE(h.node.started());
    // The echo deadline: cycle + gap*(1.5 + 0.5*0.5) = 11.75 s.
    EXPECT_EQ(h.node.next_deadline(), at(11.75));

    h.recv(Message::make_init("me", kId), at(0.01));
    sent = h.take_sent();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].type, MsgType::vers);
    EXPECT_EQ(sent[0].config.cycle, 10.0);
    EXPECT_EQ(sent[0].id, kId);
    EXPECT_EQ(sent[1].type, MsgType::ping);
    EXPECT_EQ(sent[1].history, (Names{"me"}));
    EXPECT_EQ(h.node.tag_state(), 0) << "the first ping never starts a tag";
    EXPECT_TRUE(h.node.started());
}

// A vers of another process with our version (or a later one), heard after
// we subscribed and before our init came back, says what ours would: ours
// is not sent. A lower version, or our own vers, does not count.
TEST(NodeStart, AVersOfOurVersionHeardWhileJoiningSparesOurs) {
    const auto vers_of = [](const std::string& n, std::int64_t version, std::uint64_t id) {
        Config c;
        c.version = version;
        return Message::make_vers(n, c, id);
    };
    {
        Harness h;
        h.start(at(0));
        h.take_sent();
        h.recv(vers_of("a", 0, 11), at(0.005));
        h.recv(Message::make_init("me", kId), at(0.01));
        auto sent = h.take_sent();
        ASSERT_EQ(sent.size(), 1u);
        EXPECT_EQ(sent[0].type, MsgType::ping);
    }
    {
        Harness h;
        h.start(at(0));
        h.take_sent();
        h.recv(vers_of("a", 3, 11), at(0.005));  // later: adopted, and ours would be stale
        h.recv(Message::make_init("me", kId), at(0.01));
        EXPECT_EQ(count_of(h.take_sent(), MsgType::vers), 0u);
        EXPECT_EQ(h.node.config().version, 3);
    }
    for (const auto& held : {vers_of("me", 0, kId), vers_of("a", -1, 11)}) {
        Harness h;
        h.start(at(0));
        h.take_sent();
        h.recv(held, at(0.005));
        h.recv(Message::make_init("me", kId), at(0.01));
        EXPECT_EQ(count_of(h.take_sent(), MsgType::vers), 1u) << held.config.version.value_or(0);
    }
}

TEST(NodeStart, StopsWhenItsOwnInitNeverComesBack) {
    Harness h;
    h.start(at(0));
    h.run_until(at(100));
    EXPECT_EQ(h.node.stop_reason(), StopReason::no_echo);
    EXPECT_EQ(types(h.take_events()), std::vector{EventType::error});
    EXPECT_FALSE(h.node.next_deadline());
}

TEST(NodeStart, HoldsMessagesUntilTheFirstPing) {
    Harness h;
    h.start(at(0));
    h.take_sent();
    h.recv(ping("a", 5, {"a"}), at(0.1));
    EXPECT_TRUE(h.take_sent().empty());
    EXPECT_EQ(h.node.chain().names(), Names{});
    h.recv(Message::make_init("me", kId), at(0.2));
    // First ping [me], then the held ping from a: collision; a (5) beats
    // us (1), so we adopt a's chain.
    EXPECT_EQ(h.node.chain().names(), (Names{"a"}));
}

TEST(NodeTwin, SecondNodeWithOurNameStopsUsAndIsTold) {
    Harness h;
    h.start_and_echo();
    h.take_sent();
    h.recv(Message::make_init("me", 999), at(1));
    EXPECT_EQ(h.node.stop_reason(), StopReason::name_twin);
    auto sent = h.take_sent();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].type, MsgType::init) << "the twin must find us too";
    EXPECT_EQ(types(h.take_events()), std::vector{EventType::error});
}

TEST(NodeTwin, PythonTwinWithoutIdIsATwin) {
    Harness h;
    h.start_and_echo();
    Message m = ping("me", 1, {"me"});
    m.id.reset();
    h.recv(m, at(1));
    EXPECT_EQ(h.node.stop_reason(), StopReason::name_twin);
}

TEST(NodeTwin, OwnEchoesVersAndHistAreNeverATwin) {
    Harness h;
    h.start_and_echo();
    h.recv(Message::make_init("me", kId), at(1));  // redelivered echo
    h.recv(ping("me", 1, {"me"}, kId), at(1));
    h.recv(Message::make_vers("me", fast(), 999), at(1));  // a peer re-broadcast
    h.recv(Message::make_hist(1, {"me", "x"}, 999), at(1));
    EXPECT_EQ(h.node.stop_reason(), StopReason::none);
}

TEST(NodeTwin, TwinIsCheckedBeforeTheEchoArrives) {
    Harness h;
    h.start();
    h.recv(Message::make_init("me", 5), at(0.1));
    EXPECT_EQ(h.node.stop_reason(), StopReason::name_twin);
}

TEST(NodeTag, TaggedAfterGapThenUntaggedAfterCycleMinusHalfGap) {
    Harness h;
    h.start_and_echo(at(0));
    h.take_sent();
    // Alone: we are the newest of a one-name chain, so the next ping is at
    // cycle + 3*gap = 13 s (the lone head's slot, after the late slot).
    EXPECT_EQ(h.node.next_ping_time(), at(13));
    h.run_until(at(13));
    ASSERT_EQ(h.take_sent().size(), 1u);
    EXPECT_EQ(h.node.tag_state(), 2);
    h.run_until(at(14));
    EXPECT_EQ(h.node.tag_state(), 3);
    auto ev = h.take_events();
    ASSERT_EQ(types(ev), std::vector{EventType::tag});
    EXPECT_EQ(ev[0].node, "me");
    EXPECT_EQ(ev[0].value, 1);
    h.run_until(at(14 + 9.5 - 0.001));
    EXPECT_EQ(h.node.tag_state(), 3);
    h.run_until(at(14 + 9.5));
    EXPECT_EQ(types(h.take_events()), std::vector{EventType::untag});
    EXPECT_EQ(h.node.tag_state(), 0);
}

// The newest node of a longer chain keeps 0.24's slot of 2 gaps: the nodes
// on the chain answer well before it.
TEST(NodeNextPing, TheNewestOfALongerChainWaitsTwoGaps) {
    Harness h;
    h.start_and_echo(at(0));
    h.recv(ping("a", 1, {"a", "me"}), at(1));  // continuation of [me]
    h.run_until(*h.node.next_ping_time());      // our slot on [a me]
    ASSERT_EQ(h.node.chain().names(), (Names{"me", "a"}));
    const Time sent = *h.node.next_deadline() - from_seconds(1);  // tag deadline - gap
    EXPECT_EQ(h.node.next_ping_time(), sent + at(10 + 2));
}

TEST(NodeTag, ContinuationCancelsAPendingTagSilently) {
    Harness h;
    h.start_and_echo(at(0));
    h.recv(ping("a", 1, {"a", "me"}), at(0.5));  // continuation of [me]
    EXPECT_EQ(h.node.chain().names(), (Names{"a", "me"}));
    h.take_sent();
    h.take_events();
    // Our ping extends [a me] at our slot; a's continuation then cancels it.
    h.run_until(*h.node.next_ping_time());
    EXPECT_EQ(h.node.tag_state(), 2);
    Time t = *h.node.next_deadline();
    h.recv(ping("b", 1, {"b", "me", "a"}), t - from_seconds(0.1));
    EXPECT_EQ(h.node.tag_state(), 0);
    EXPECT_TRUE(std::none_of(h.events.begin(), h.events.end(), [](const Event& e) {
        return e.type == EventType::tag || e.type == EventType::untag;
    }));
}

TEST(NodeTag, ContinuationWhileTaggedUntagsAndLostCollisionDetags) {
    for (bool collision : {false, true}) {
        Harness h;
        h.start_and_echo(at(0));
        h.recv(ping("a", 1, {"a", "me"}), at(0.5));
        h.run_until(*h.node.next_ping_time() + from_seconds(1));
        ASSERT_EQ(h.node.tag_state(), 3);
        h.take_events();
        Time t = at(20);
        if (collision) {
            // "b" with a higher value pings off our chain: b wins.
            h.recv(ping("b", 9, {"b", "zz"}), t);
            auto ev = h.take_events();
            // Not a plain collision: a healed split, so `recover` follows.
            ASSERT_EQ(types(ev), (std::vector{EventType::detag, EventType::recover}));
            EXPECT_EQ(ev[0].node, "b");
            EXPECT_EQ(h.node.chain().names(), (Names{"b", "zz"}));
        } else {
            h.recv(ping("b", 1, {"b", "me", "a"}), t);
            EXPECT_EQ(types(h.take_events()), std::vector{EventType::untag});
        }
        EXPECT_EQ(h.node.tag_state(), 0);
    }
}

// docs/PROTOCOL.md "Receiving a message", step 5: b continued our turn but
// its ping never reached us, so we repeat ours ([me]); it lost at b, whose
// recovery beacon shows the continuation we missed. When b beats us and
// the beacon is exactly our repeated turn continued by b, we take it as
// that ping: no tag of ours beside b's. Otherwise a hist continuation
// changes nothing (0.24).
namespace {
// b continues our first ping; our turn continues b's and tags; b's
// continuation of it is lost; we repeat our turn ([me], state 2).
// Returns when that repeat's tag is due.
Time repeat_after_a_lost_continuation(Harness& h, const Value& b_value) {
    h.start_and_echo(at(0));
    h.recv(ping("b", b_value, {"b", "me"}), at(0.5));
    h.run_until(*h.node.next_ping_time() + from_seconds(1.5));
    EXPECT_EQ(h.node.tag_state(), 3);
    EXPECT_EQ(h.node.chain().names(), (Names{"me", "b"}));
    h.run_until(*h.node.next_ping_time());
    EXPECT_EQ(h.node.tag_state(), 2);
    EXPECT_EQ(h.sent.back().history, Names{"me"});
    h.take_events();
    return *h.node.next_deadline();
}
}  // namespace

TEST(NodeTag, AHistShowingTheContinuationWeMissedStopsOurRepeat) {
    struct Case {
        const char* name;
        Value b_value;
        Names hist;
        bool tagged;
    };
    for (const Case& c : {Case{"b beats us", 2, {"b", "me"}, false},
                          Case{"we beat b", 0, {"b", "me"}, true},
                          Case{"another chain", 2, {"b", "me", "zz"}, true}}) {
        SCOPED_TRACE(c.name);
        Harness h;
        const Time t = repeat_after_a_lost_continuation(h, c.b_value);
        h.recv(Message::make_hist(c.b_value, c.hist, 9), t - from_seconds(0.5));
        h.run_until(t + from_seconds(0.1));
        EXPECT_EQ(count_of(h.take_events(), EventType::tag), c.tagged ? 1u : 0u);
        EXPECT_EQ(h.node.tag_state(), c.tagged ? 3 : 0);
        EXPECT_EQ(h.node.chain().names(), (c.tagged ? Names{"me"} : Names{"b", "me"}));
    }
}

TEST(NodeTag, AMissedContinuationShownWhileTaggedUntagsAndAfterTheTurnIsIgnored) {
    {
        // Our repeat tagged before the beacon came: it ends our turn.
        Harness h;
        const Time t = repeat_after_a_lost_continuation(h, 2);
        h.run_until(t + from_seconds(0.1));
        ASSERT_EQ(h.node.tag_state(), 3);
        h.take_events();
        h.recv(Message::make_hist(2, {"b", "me"}, 9), t + from_seconds(1));
        EXPECT_EQ(types(h.take_events()), std::vector{EventType::untag});
        EXPECT_EQ(h.node.tag_state(), 0);
        EXPECT_EQ(h.node.chain().names(), (Names{"b", "me"}));
    }
    {
        // After the repeated turn's untag, the same beacon is stale.
        Harness h;
        const Time t = repeat_after_a_lost_continuation(h, 2);
        h.run_until(t + from_seconds(10));
        ASSERT_EQ(h.node.tag_state(), 0);
        const auto chain = h.node.chain().names();
        h.take_events();
        h.recv(Message::make_hist(2, {"b", "me"}, 9), t + from_seconds(10));
        EXPECT_TRUE(h.take_events().empty());
        EXPECT_EQ(h.node.chain().names(), chain);
    }
}

TEST(NodeTag, AHistContinuingAPingThatWasNoRepeatChangesNothing) {
    // Our ping continued b ([me b]), so nobody's continuation was missed:
    // a hist [b me] meanwhile (an old beacon) leaves our tag alone.
    Harness h;
    h.start_and_echo(at(0));
    h.recv(ping("b", 2, {"b", "me"}), at(0.5));
    h.run_until(*h.node.next_ping_time());
    ASSERT_EQ(h.node.tag_state(), 2);
    ASSERT_EQ(h.sent.back().history, (Names{"me", "b"}));
    const Time t = *h.node.next_deadline();
    h.take_events();
    h.recv(Message::make_hist(2, {"b", "me"}, 9), t - from_seconds(0.5));
    h.run_until(t + from_seconds(0.1));
    EXPECT_EQ(count_of(h.take_events(), EventType::tag), 1u);
    EXPECT_EQ(h.node.chain().names(), (Names{"me", "b"}));
}

TEST(NodeNextPing, OnChainPositionsFollowThePowersOfTwo) {
    // Chain of 5 with us at each position: d = 1 - 2^-(L+2-pos).
    const double want[] = {0, 0.984375, 0.96875, 0.9375, 0.875};
    for (int pos = 1; pos <= 4; ++pos) {
        Harness h;
        h.start_and_echo(at(0));
        Names chain = {"a", "b", "c", "d", "e"};
        // The sender is a; we stand at index pos.
        chain[static_cast<std::size_t>(pos)] = "me";
        h.recv(ping("q", 2, {"q"}), at(0.5));  // q beats us: [q]
        h.recv(ping("a", 5, chain), at(1));    // a beats q: adopt a's chain
        ASSERT_EQ(h.node.chain().names(), chain);
        EXPECT_EQ(h.node.next_ping_time(), at(1) + from_seconds(10 + want[pos]))
            << "position " << pos;
    }
}

TEST(NodeNextPing, OffChainLateSlotAndFirstPingSlot) {
    Harness h("me", fast(), Mode::active, 1, 0.99);  // random high: late slot
    h.start_and_echo(at(0));
    h.recv(ping("a", 5, {"a", "b", "c", "d", "e"}), at(1));
    // Off the chain, todo = 0: f = total = 10; p = 1/100; late slot 1.5+0.495.
    EXPECT_EQ(h.node.next_ping_time(), at(1) + from_seconds(10 + 1.5 + 0.5 * 0.99));
}

TEST(NodeNextPing, NotReadyWithLateValuedEntriesWaitsLonger) {
    Harness h("me", fast(), Mode::active, nullptr, 0.0);
    h.start_and_echo(at(0));
    // Chain of 4 where only the 4th (1-based) has a known value: d and zz
    // continue our chain, then a (null, smaller name than zz) wins over zz.
    h.recv(ping("d", 3, {"d", "me"}), at(0.3));
    h.recv(ping("zz", nullptr, {"zz", "d", "me"}), at(0.6));
    h.recv(ping("a", nullptr, {"a", "b", "me", "d"}), at(1));
    ASSERT_EQ(h.node.chain().names(), (Names{"a", "b", "me", "d"}));
    // First valued entry: d at index 4 > ceil(4/2) = 2: d = 2 + 0.
    EXPECT_EQ(h.node.next_ping_time(), at(1) + from_seconds(12));
}

TEST(NodePriority, HigherValueThenSmallerNameWins) {
    // We hold [me] with value 1; the newcomer's ping collides.
    struct Case {
        std::string name;
        Value value;
        bool wins;
    } cases[] = {{"zz", 2, true}, {"aa", 0, false}, {"aa", 1, true}, {"zz", 1, false},
                 {"zz", 1.5, true}, {"aa", nullptr, false}, {"aa", true, true}};
    for (const auto& c : cases) {
        Harness h;
        h.start_and_echo(at(0));
        h.recv(ping(c.name, c.value, {c.name}), at(1));
        EXPECT_EQ(h.node.chain().names().front() == c.name, c.wins)
            << c.name << " value " << c.value.dump();
    }
}

TEST(NodeReport, AcceptedPingIsReportedAfterTwoGaps) {
    Harness h;
    h.start_and_echo(at(0));
    h.recv(ping("a", 4, {"a", "me"}), at(1));
    h.take_events();
    h.run_until(at(2.999));
    EXPECT_TRUE(h.take_events().empty());
    h.run_until(at(3));
    auto ev = h.take_events();
    ASSERT_EQ(types(ev), std::vector{EventType::ping});
    EXPECT_EQ(ev[0].node, "a");
    EXPECT_EQ(ev[0].value, 4);
    EXPECT_EQ(ev[0].history, (Names{"a", "me"}));
}

TEST(NodeReport, LaterArmingReplacesTheCandidateWithoutExtendingTheWindow) {
    Harness h("w", fast(), Mode::observer);
    h.start(at(0));
    h.recv(ping("a", 1, {"a"}), at(1));
    h.recv(ping("b", 1, {"b", "a"}), at(2));
    h.run_until(at(3));
    auto ev = h.take_events();
    ASSERT_EQ(types(ev), std::vector{EventType::ping});
    EXPECT_EQ(ev[0].node, "b");
}

TEST(NodeObserver, SendsNothingAndDecidesCollisionsByPriority) {
    Harness h("watcher", fast(), Mode::observer);
    h.start(at(0));
    h.recv(ping("a", 1, {"a", "x"}), at(1));
    h.run_until(at(4));
    h.take_events();
    // Two pings collide; the higher value wins whatever the arrival order.
    h.recv(ping("c", 7, {"c", "a", "x"}), at(10));
    h.recv(ping("b", 3, {"b", "a", "x"}), at(10.01));
    h.run_until(at(13));
    auto ev = h.take_events();
    ASSERT_EQ(types(ev), std::vector{EventType::ping});
    EXPECT_EQ(ev[0].node, "c");
    EXPECT_TRUE(h.take_sent().empty());
}

TEST(NodePassive, NeverPingsButReports) {
    Harness h("p", fast(), Mode::passive);
    h.start_and_echo(at(0));
    auto sent = h.take_sent();
    ASSERT_EQ(sent.size(), 2u) << "init and vers only";
    h.recv(ping("a", 1, {"a"}), at(1));
    h.run_until(at(60));
    EXPECT_TRUE(h.take_sent().empty());
    EXPECT_EQ(types(h.take_events()), std::vector{EventType::ping});
    EXPECT_EQ(h.node.tag_state(), -1);
}

TEST(NodePassive, EnableJoinsWithAPingAndDisableUntags) {
    Harness h("p", fast(), Mode::passive);
    h.start_and_echo(at(0));
    h.take_sent();
    h.node.enable(7, at(1));
    h.drain(at(1));
    auto sent = h.take_sent();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].type, MsgType::vers);
    EXPECT_EQ(sent[0].config.nodes, 7);
    EXPECT_EQ(sent[0].config.version, 1);
    EXPECT_EQ(sent[1].type, MsgType::ping);
    h.run_until(at(30));
    ASSERT_EQ(h.node.tag_state(), 3);
    h.take_events();
    h.take_sent();
    h.node.disable(0, at(30));
    h.drain(at(30));
    EXPECT_EQ(types(h.take_events()), std::vector{EventType::untag});
    EXPECT_EQ(h.node.tag_state(), -1);
    h.run_until(at(100));
    EXPECT_TRUE(std::none_of(h.sent.begin(), h.sent.end(),
                             [](const Message& m) { return m.type == MsgType::ping; }));
}

TEST(NodeVers, HigherIsAdoptedLowerIsCorrected) {
    Harness h;
    h.start_and_echo(at(0));
    h.take_sent();
    Config newer = fast();
    newer.version = 3;
    newer.cycle = 20;
    h.recv(Message::make_vers("x", newer, 5), at(1));
    auto ev = h.take_events();
    ASSERT_EQ(types(ev), std::vector{EventType::setup});
    EXPECT_EQ(h.node.config().cycle, 20);
    // A lower version while we are the chain head (pos 0): resend at once.
    h.recv(Message::make_vers("y", fast(), 6), at(2));
    h.run_until(at(2));
    auto sent = h.take_sent();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].type, MsgType::vers);
    EXPECT_EQ(sent[0].config.version, 3);
}

TEST(NodeVers, ABadReceivedConfigIsAnErrorNotAdopted) {
    Harness h;
    h.start_and_echo(at(0));
    Message m = Message::make_vers("x", fast(), 5);
    m.config.version = 9;
    m.config.gap = -1.0;
    h.recv(m, at(1));
    EXPECT_EQ(types(h.take_events()), std::vector{EventType::error});
    EXPECT_EQ(h.node.config().version, 0);
}

TEST(NodeRecover, HealedSplitEmitsRecoverAndAStaggeredHistBeacon) {
    Harness h;
    h.start_and_echo(at(0));
    h.recv(ping("a", 1, {"a", "me"}), at(1));
    h.recv(ping("b", 1, {"b", "a", "me"}), at(2));
    ASSERT_EQ(h.node.chain().names(), (Names{"b", "a", "me"}));
    h.take_events();
    h.take_sent();
    // The other side of a split: y (value 9) beats b; not plain (2nd entries differ).
    h.recv(ping("y", 9, {"y", "x"}), at(3));
    auto ev = h.take_events();
    ASSERT_EQ(types(ev), std::vector{EventType::recover});
    EXPECT_EQ(ev[0].prio, 2);
    EXPECT_TRUE(ev[0].replace);
    EXPECT_EQ(ev[0].local, (Names{"b", "a", "me"}));
    EXPECT_EQ(ev[0].remote, (Names{"y", "x"}));
    // Position 2 waits gap*(1 - 1/4) = 0.75 s, then sends hist for b.
    h.run_until(at(3.7));
    EXPECT_TRUE(h.take_sent().empty());
    h.run_until(at(3.75));
    auto sent = h.take_sent();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].type, MsgType::hist);
    EXPECT_EQ(sent[0].history, (Names{"b", "a", "me"}));
    EXPECT_EQ(sent[0].value, 1);
    EXPECT_FALSE(sent[0].node);
}

TEST(NodeRecover, APingFromTheOldHeadCancelsTheBeacon) {
    Harness h;
    h.start_and_echo(at(0));
    h.recv(ping("a", 1, {"a", "me"}), at(1));
    h.recv(ping("b", 1, {"b", "a", "me"}), at(2));
    h.recv(ping("y", 9, {"y", "x"}), at(3));
    h.take_sent();
    h.recv(ping("b", 1, {"b", "q"}), at(3.2));
    h.run_until(at(10));
    for (const auto& m : h.take_sent()) EXPECT_NE(m.type, MsgType::hist);
}

TEST(NodeGood, ReportedWhileOurValueIsNull) {
    Harness h("me", fast(), Mode::active, nullptr);
    h.start_and_echo(at(0));
    h.recv(ping("a", 3, {"a", "me"}), at(1));
    auto ev = h.take_events();
    ASSERT_EQ(types(ev), std::vector{EventType::good});
    EXPECT_EQ(ev[0].nodes, (Names{"a"}));
}

TEST(NodeBounds, TheValueMapIsCapped) {
    NodeOptions o{.name = "me", .config = fast(), .value = 1, .id = kId,
                  .random = [] { return 0.5; }, .max_known_nodes = 16};
    Node n(o);
    n.start(at(0));
    n.on_message(Message::make_init("me", kId), at(0));
    for (int i = 0; i < 1000; ++i) {
        std::string name = "n" + std::to_string(i);
        n.on_message(ping(name, i, {name}), at(1 + i * 0.001));
    }
    EXPECT_LE(n.known_nodes(), 16u);
}

TEST(NodeObserver, ReportsTheTurnsOfALoneNode) {
    Harness h("watcher", fast(), Mode::observer);
    h.start(at(0));
    for (int turn = 0; turn < 3; ++turn) {
        h.recv(ping("solo", 1, {"solo"}), at(12.0 * turn));
        h.run_until(at(12.0 * turn + 3));
    }
    auto ev = h.take_events();
    ASSERT_EQ(types(ev), (std::vector{EventType::ping, EventType::ping, EventType::ping}));
    EXPECT_EQ(ev[2].node, "solo");
}

TEST(NodeObserver, ANodeNamedLikeTheWatcherIsStillReported) {
    Harness h("host1", fast(), Mode::observer);
    h.start(at(0));
    h.recv(ping("host1", 1, {"host1", "x"}), at(1));
    h.run_until(at(4));
    auto ev = h.take_events();
    ASSERT_EQ(types(ev), std::vector{EventType::ping});
    EXPECT_EQ(ev[0].node, "host1");
}

TEST(NodeObserver, AHeadThatOutranksTheRotationButFallsSilentIsReplaced) {
    Harness h("watcher", fast(), Mode::observer);
    h.start(at(0));
    h.recv(ping("a", 1, {"a", "b"}), at(1));
    h.recv(ping("forged", 99, {"forged", "x"}), at(2));  // outranks a and b
    h.run_until(at(5));
    h.take_events();
    // The real rotation goes on without the forged head: within a turn of
    // its last ping it still wins; after that the live pings are reported.
    h.recv(ping("b", 1, {"b", "a"}), at(12));
    h.run_until(at(15));
    EXPECT_TRUE(h.take_events().empty());
    h.recv(ping("a", 1, {"a", "b"}), at(24));
    h.run_until(at(27));
    auto ev = h.take_events();
    ASSERT_EQ(types(ev), std::vector{EventType::ping});
    EXPECT_EQ(ev[0].node, "a");
}

// ---- No channel, no turn (docs/PROTOCOL.md "No channel, no turn")

namespace {
// A node alone in its group, past its first ping: its next ping extends
// [me] and would tag it.
Harness& alone_and_started(Harness& h) {
    h.start_and_echo(at(0));
    h.take_sent();
    h.take_events();
    return h;
}
}  // namespace

TEST(NodeChannel, APingThatDoesNotComeBackNeverTags) {
    Harness h;
    alone_and_started(h);
    h.echo_pings = false;  // the channel accepts nothing from us any more
    h.run_until(at(200));
    auto ev = h.take_events();
    EXPECT_EQ(count_of(ev, EventType::tag), 0u);
    EXPECT_EQ(h.node.tag_state(), 0);
    // Said once, not every turn, though it kept pinging.
    EXPECT_EQ(count_of(ev, EventType::error), 1u);
    EXPECT_GE(h.take_sent().size(), 10u);
    // The channel carries us again: the next turn is ours, and a later
    // unheard ping is reported again.
    h.echo_pings = true;
    h.run_until(at(230));
    ev = h.take_events();
    EXPECT_GE(count_of(ev, EventType::tag), 1u);
    EXPECT_EQ(count_of(ev, EventType::error), 0u);
    h.echo_pings = false;
    h.run_until(at(300));
    EXPECT_EQ(count_of(h.take_events(), EventType::error), 1u);
}

TEST(NodeChannel, AnEchoOfAnotherProcessWithOurNameIsNotOurs) {
    Harness h;
    alone_and_started(h);
    h.echo_pings = false;
    h.run_until(*h.node.next_ping_time());
    ASSERT_EQ(h.node.tag_state(), 2);
    // Our own ping with another id would be a twin; our ping with our id but
    // arriving only after the gap is too late.
    h.run_until(*h.node.next_deadline());
    EXPECT_EQ(h.node.tag_state(), 0);
    EXPECT_EQ(count_of(h.take_events(), EventType::tag), 0u);
}

TEST(NodeChannel, LosingTheChannelUntagsAtOnceWithAReason) {
    Harness h;
    alone_and_started(h);
    h.run_until(at(14));
    ASSERT_TRUE(h.node.tagged());
    h.take_events();
    h.node.on_channel_lost(at(15));
    h.drain(at(15));
    auto ev = h.take_events();
    ASSERT_EQ(types(ev), std::vector{EventType::untag});
    EXPECT_EQ(ev[0].node, "me");
    EXPECT_EQ(ev[0].reason, "disconnected");
    EXPECT_EQ(h.node.tag_state(), 0);
    // Nothing is timed, sent or heard while the channel is gone.
    EXPECT_FALSE(h.node.next_deadline());
    h.take_sent();
    h.recv(ping("a", 5, {"a", "b"}), at(16));
    h.run_until(at(100));
    EXPECT_TRUE(h.take_sent().empty());
    EXPECT_TRUE(h.take_events().empty());
}

TEST(NodeChannel, AWaitingTagIsDroppedWhenTheChannelGoes) {
    Harness h;
    alone_and_started(h);
    h.run_until(*h.node.next_ping_time());
    ASSERT_EQ(h.node.tag_state(), 2);
    h.node.on_channel_lost(at(12.5));
    h.drain(at(12.5));
    EXPECT_TRUE(h.take_events().empty());  // it never was "it"
    EXPECT_EQ(h.node.tag_state(), 0);
}

TEST(NodeChannel, TheChannelBackRejoinsByTheStartUpRules) {
    Harness h;
    alone_and_started(h);
    h.recv(ping("a", 1, {"a", "me"}), at(1));
    h.node.on_channel_lost(at(2));
    h.drain(at(2));
    h.take_sent();
    h.node.on_channel_up(at(30));
    h.drain(at(30));
    auto sent = h.take_sent();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].type, MsgType::init);
    EXPECT_FALSE(h.node.started());
    // What we hear before our init is back waits; our own old messages
    // (same id) are never a twin.
    h.recv(ping("me", 1, {"me", "a"}, kId), at(30.01));
    h.recv(ping("b", 1, {"b", "a"}), at(30.02));
    EXPECT_FALSE(h.node.stopped());
    h.recv(Message::make_init("me", kId), at(30.05));
    EXPECT_TRUE(h.node.started());
    // The held ping from b shows a live rotation ([b a]): we take its chain
    // and wait for our turn in it, with no first ping of [me] (which would
    // restart the chain, as a newcomer's does, if it outranked b); only
    // our vers, now that the channel carries what we send.
    sent = h.take_sent();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].type, MsgType::vers);
    EXPECT_EQ(h.node.tag_state(), 0);
    EXPECT_EQ(h.node.chain().names(), (Names{"b", "a"}));
    ASSERT_TRUE(h.node.next_ping_time());
}

// Rejoining a crowd (more than 10 members known): no init and no echo
// wait; the node begins at once and listens for the rotation before a
// first ping of [self] (docs/PROTOCOL.md "Joining at scale", rule 6).
TEST(NodeChannel, RejoiningACrowdSendsNoInitAndListensFirst) {
    Harness h;
    alone_and_started(h);
    for (int i = 0; i < 12; ++i) h.recv(ping("m" + std::to_string(10 + i), 1, {"m" + std::to_string(10 + i)}), at(1 + 0.01 * i));
    h.node.on_channel_lost(at(2));
    h.drain(at(2));
    h.take_sent();
    h.node.on_channel_up(at(30));
    h.drain(at(30));
    EXPECT_TRUE(h.take_sent().empty()) << "no init, no vers yet, no first ping";
    EXPECT_TRUE(h.node.started());
    // A live rotation heard while listening is joined, not restarted.
    h.recv(ping("m10", 1, {"m10", "m11"}), at(31));
    auto sent = h.take_sent();
    EXPECT_EQ(count_of(sent, MsgType::init), 0u);
    EXPECT_EQ(count_of(sent, MsgType::ping), 0u);
    EXPECT_EQ(h.node.chain().names(), (Names{"m10", "m11"}));
    EXPECT_FALSE(h.node.stopped());
}

// Heard before our init came back, only first pings ([x]: nobody has a
// rotation yet): our own first ping goes out as usual, then what we held.
TEST(NodeStart, WithoutALiveRotationTheFirstPingGoesOut) {
    Harness h;
    h.start(at(0));
    h.take_sent();
    h.recv(ping("a", 5, {"a"}), at(0.1));
    h.recv(Message::make_init("me", kId), at(0.2));
    auto sent = h.take_sent();
    ASSERT_EQ(count_of(sent, MsgType::ping), 1u);
    EXPECT_EQ(sent.back().history, (Names{"me"}));
}

// A slow channel (our init took more than half a gap) still busy with
// others' start-up (their inits and vers keep coming): the first ping waits
// until that has stopped for a gap; a ping heard meanwhile gives the chain.
TEST(NodeStart, OnABusyChannelTheFirstPingWaitsForTheStartUpToPass) {
    Harness h;
    h.start(at(0));
    h.take_sent();
    const double g = fast().gap;
    h.recv(Message::make_init("me", kId), at(g));  // a gap late
    std::size_t vers = 0;
    auto sent = h.take_sent();
    EXPECT_EQ(count_of(sent, MsgType::ping), 0u);
    vers += count_of(sent, MsgType::vers);
    for (int i = 0; i < 20; ++i) {
        h.recv(Message::make_init("x" + std::to_string(i), 100 + i), at(g * (1.5 + 0.5 * i)));
        sent = h.take_sent();
        EXPECT_EQ(count_of(sent, MsgType::ping), 0u) << i;
        vers += count_of(sent, MsgType::vers);
    }
    // Quiet from 10.5 gaps on: the first ping within 3 gaps after a gap of quiet.
    h.run_until(at(g * 15));
    sent = h.take_sent();
    vers += count_of(sent, MsgType::vers);
    ASSERT_EQ(count_of(sent, MsgType::ping), 1u);
    EXPECT_EQ(sent.back().history, (Names{"me"}));
    EXPECT_EQ(vers, 1u) << "our vers, once, within start_vers_window of the echo";
}

// On a busy channel (our init a gap late) our vers waits a random time
// within twice the echo's delay (at least 2 gaps): a vers of our version
// from another process that comes meanwhile cancels it; one of a lower
// version does not.
TEST(NodeStart, OnABusyChannelOurVersWaitsAndAnotherOfOurVersionCancelsIt) {
    const double g = fast().gap;
    for (const std::int64_t theirs : {0, -1}) {
        Harness h;
        h.start(at(0));
        h.take_sent();
        h.recv(Message::make_init("me", kId), at(g));
        EXPECT_EQ(count_of(h.take_sent(), MsgType::vers), 0u) << "not at once";
        Config c;
        c.version = theirs;
        h.recv(Message::make_vers("a", c, 11), at(g * 1.2));
        h.run_until(at(g * 4));  // the window: 2 gaps after the echo
        EXPECT_EQ(count_of(h.take_sent(), MsgType::vers), theirs == 0 ? 0u : 1u) << theirs;
    }
}

TEST(NodeChannel, RetryEchoKeepsAskingInsteadOfStopping) {
    NodeOptions o{.name = "me", .config = fast(), .value = 1, .id = kId,
                  .random = [] { return 0.5; }};
    o.retry_echo = true;
    Node n(o);
    n.start(at(0));
    n.take_outgoing();
    std::vector<Duration> waits;
    Time last = at(0);
    std::size_t inits = 0, errors = 0;
    for (int i = 0; i < 8; ++i) {
        auto d = n.next_deadline();
        ASSERT_TRUE(d);
        waits.push_back(*d - last);
        last = *d;
        n.on_timer(*d);
        for (auto& m : n.take_outgoing()) inits += m.type == MsgType::init;
        errors += count_of(n.take_events(), EventType::error);
    }
    EXPECT_FALSE(n.stopped());
    EXPECT_EQ(inits, 8u);
    EXPECT_EQ(errors, 8u);
    // Doubling (with jitter in [0.75, 1]) up to a minute.
    EXPECT_GT(waits[2], waits[1]);
    EXPECT_LE(waits.back(), std::chrono::seconds(60));
    EXPECT_GE(waits.back(), std::chrono::seconds(45));
    // The init comes back at last: the node starts.
    n.on_message(Message::make_init("me", kId), last + 1s);
    EXPECT_TRUE(n.started());
}

TEST(NodeChannel, WithoutRetryEchoTheNodeStops) {
    Harness h;
    h.start(at(0));
    h.run_until(at(100));
    EXPECT_EQ(h.node.stop_reason(), StopReason::no_echo);
}

// ---- Config that cannot work is refused

TEST(NodeVers, AnUnworkableReceivedConfigIsIgnoredOnceASenderAMinute) {
    Harness h;
    alone_and_started(h);
    Config bad = fast();
    bad.version = 1;
    bad.cycle = 0.000001;
    bad.gap = 0.000001;  // the vers: 100 % CPU if adopted
    for (int i = 0; i < 50; ++i) h.recv(Message::make_vers("x", bad, 9), at(1 + i * 0.1));
    EXPECT_EQ(h.node.config(), fast());
    auto ev = h.take_events();
    EXPECT_EQ(count_of(ev, EventType::error), 1u);
    EXPECT_EQ(count_of(ev, EventType::setup), 0u);
    EXPECT_NE(ev[0].message.find("\"x\""), std::string::npos) << ev[0].message;
    h.recv(Message::make_vers("y", bad, 9), at(7));  // another sender: told
    h.recv(Message::make_vers("x", bad, 9), at(62));  // a minute later: told again
    EXPECT_EQ(count_of(h.take_events(), EventType::error), 2u);
}

TEST(NodeEnable, WithoutALengthNeverChangesTheConfig) {
    for (std::int64_t nodes : {5, 0, -1}) {
        Config c = fast();
        c.nodes = nodes;
        Harness h("p", c, Mode::passive);
        h.start_and_echo(at(0));
        h.take_sent();
        h.node.enable(0, at(1));
        h.drain(at(1));
        EXPECT_EQ(h.node.config(), c) << nodes;
        for (const auto& m : h.take_sent()) EXPECT_NE(m.type, MsgType::vers);
    }
}

TEST(NodeEnable, AtTheTopOfTheVersionRangeTheConfigIsKept) {
    Config c = fast();
    c.version = max_config_version;
    Harness h("me", c);
    alone_and_started(h);
    h.node.enable(9, at(1));
    h.drain(at(1));
    EXPECT_EQ(h.node.config(), c);
    EXPECT_EQ(count_of(h.take_events(), EventType::error), 1u);
    Config next = c;
    next.cycle = 20;
    const auto refused = h.node.set_config(next, at(2));  // cannot exceed the top
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().subject, "version");
}

// ---- Bounded by bytes

TEST(NodeBounds, TheHeldQueueIsBoundedInBytes) {
    NodeOptions o{.name = "me", .config = fast(), .value = 1, .id = kId,
                  .random = [] { return 0.5; }};
    o.max_held_bytes = 4096;
    Node n(o);
    n.start(at(0));
    n.take_outgoing();
    // 200 pings of about 1 KiB each before our init comes back.
    const std::string big(1000, 'v');
    for (int i = 0; i < 200; ++i) {
        std::string name = "n" + std::to_string(i);
        n.on_message(ping(name, big, {name}), at(0.001 * i));
    }
    n.on_message(Message::make_init("me", kId), at(1));
    // Only the newest few were kept and then heard.
    EXPECT_LE(n.known_nodes(), 1u + 4u);
    EXPECT_GE(n.known_nodes(), 2u);
}

TEST(NodeBounds, AnUnboundedChainFedFreshNamesStaysCapped) {
    Config c = fast();
    c.nodes = 0;  // unbounded
    Harness h("me", c);
    alone_and_started(h);
    std::string prev = "me";
    for (std::size_t i = 0; i < max_chain_length + 500; ++i) {
        std::string name = "n" + std::to_string(i);
        h.recv(ping(name, 1, {name, prev}), at(1 + 0.0001 * static_cast<double>(i)));
        prev = name;
    }
    EXPECT_EQ(h.node.chain().size(), max_chain_length);
    // The value map keeps every chain name (and us): the bound then gives
    // way by at most the chain's length.
    EXPECT_LE(h.node.known_nodes(), 1024u + max_chain_length + 1);
}

TEST(NodeBounds, TheValueMapIsBoundedInDecodedBytes) {
    NodeOptions o{.name = "me", .config = fast(), .value = 1, .id = kId,
                  .random = [] { return 0.5; }};
    o.max_value_bytes = 256 * 1024;
    Node n(o);
    n.start(at(0));
    n.on_message(Message::make_init("me", kId), at(0));
    // A value of 300 nested arrays: small on the wire, large once decoded.
    Value v = Value::array();
    for (int i = 0; i < 300; ++i) v = Value::array({v});
    const std::size_t each = value_footprint(v);
    ASSERT_GT(each, 4096u);
    for (int i = 0; i < 1024; ++i) {
        std::string name = "n" + std::to_string(i);
        n.on_message(ping(name, v, {name}), at(1 + i * 0.001));
    }
    EXPECT_LE(n.known_nodes() * each, o.max_value_bytes + o.max_value_bytes / 8 + 2 * each);
    EXPECT_GE(n.known_nodes(), 2u);
}
