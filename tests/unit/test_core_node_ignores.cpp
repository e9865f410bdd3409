// Node::ignores: true only where on_message would change nothing, so a
// shell that skips those calls runs exactly as one that makes them.
#include "actor/node.hpp"

#include <gtest/gtest.h>

using namespace actor;

namespace {

constexpr std::uint64_t kId = 0x5eed;

Node make(Mode mode = Mode::active, std::size_t max_known = 1024) {
    Config c;
    c.cycle = 10;
    c.gap = 1;
    c.nodes = 5;
    c.version = 2;
    return Node(NodeOptions{.name = "me",
                            .config = c,
                            .value = 1,
                            .ready = false,
                            .mode = mode,
                            .id = kId,
                            .random = [] { return 0.5; },
                            .max_known_nodes = max_known});
}

Message vers(std::int64_t version) {
    Config c;
    c.version = version;
    return Message::make_vers("other", c, 7);
}

}  // namespace

TEST(NodeIgnores, BeforeStartNothingIsRead) {
    Node n = make();
    EXPECT_TRUE(n.ignores(Message::make_init("other", 7)));
    EXPECT_TRUE(n.ignores(vers(9)));
}

TEST(NodeIgnores, HeldUntilOurEcho) {
    Node n = make();
    n.start(Time(0));
    EXPECT_FALSE(n.ignores(Message::make_init("other", 7)));
    EXPECT_FALSE(n.ignores(vers(2)));
}

TEST(NodeIgnores, StartedActiveNode) {
    Node n = make();
    n.start(Time(0));
    n.on_message(Message::make_init("me", kId), Time(0));
    ASSERT_TRUE(n.started());
    // The fair policy's turn order takes in a new member's init once.
    EXPECT_FALSE(n.ignores(Message::make_init("other", 7)));
    n.on_message(Message::make_init("other", 7), Time(0));
    EXPECT_TRUE(n.ignores(Message::make_init("other", 7)));
    EXPECT_TRUE(n.ignores(Message::make_init("me", kId)));   // a late echo
    EXPECT_FALSE(n.ignores(Message::make_init("me", 8)));    // a twin
    EXPECT_TRUE(n.ignores(vers(2)));                          // same version
    EXPECT_FALSE(n.ignores(vers(3)));                         // newer: adopt
    EXPECT_FALSE(n.ignores(vers(1)));                         // older: answer
    EXPECT_FALSE(n.ignores(Message::make_ping("other", 1, {"other"}, 7)));
}

TEST(NodeIgnores, IgnoredCallChangesNothing) {
    Node n = make();
    n.start(Time(0));
    n.on_message(Message::make_init("me", kId), Time(0));
    n.on_message(Message::make_init("other", 7), Time(0));  // known from now on
    (void)n.take_outgoing();
    (void)n.take_events();
    const auto before = n.next_deadline();
    for (const auto& m : {Message::make_init("other", 7), vers(2)}) {
        ASSERT_TRUE(n.ignores(m));
        n.on_message(m, Time(1000));
        EXPECT_TRUE(n.take_outgoing().empty());
        EXPECT_TRUE(n.take_events().empty());
        EXPECT_EQ(n.next_deadline(), before);
    }
}

TEST(NodeIgnores, PassiveAndObserver) {
    Node p = make(Mode::passive);
    p.start(Time(0));
    p.on_message(Message::make_init("me", kId), Time(0));
    EXPECT_TRUE(p.ignores(vers(2)));
    EXPECT_TRUE(p.ignores(vers(3)));  // a passive node reads only ping and hist
    EXPECT_FALSE(p.ignores(Message::make_ping("other", 1, {"other"}, 7)));
    Node o = make(Mode::observer);
    o.start(Time(0));
    EXPECT_TRUE(o.ignores(Message::make_init("me", 8)));  // observers never stop
    EXPECT_TRUE(o.ignores(vers(1)));
    EXPECT_FALSE(o.ignores(vers(3)));
}

TEST(NodeIgnores, AsyncactorPolicyIgnoresEveryOtherInit) {
    Config c;
    c.cycle = 10;
    c.gap = 1;
    Node n(NodeOptions{.name = "me", .config = c, .value = 1, .id = kId, .random = [] { return 0.5; },
                       .turn_policy = actor::TurnPolicy::asyncactor});
    n.start(Time(0));
    n.on_message(Message::make_init("me", kId), Time(0));
    ASSERT_TRUE(n.started());
    EXPECT_TRUE(n.ignores(Message::make_init("other", 7)));
}

// Once the turn order is full (max_known_nodes), an init from a name it
// does not know changes nothing either: the order refuses newcomers without
// a turn (turn_order.hpp), so the call can be skipped.
TEST(NodeIgnores, AnInitBeyondAFullTurnOrder) {
    Node n = make(Mode::active, 3);
    n.start(Time(0));
    n.on_message(Message::make_init("me", kId), Time(0));
    ASSERT_TRUE(n.started());
    n.on_message(Message::make_init("a", 7), Time(0));
    EXPECT_FALSE(n.ignores(Message::make_init("b", 8)));  // room for one more
    n.on_message(Message::make_init("b", 8), Time(0));
    (void)n.take_outgoing();
    (void)n.take_events();
    const auto before = n.next_deadline();
    const auto late = Message::make_init("c", 9);
    ASSERT_TRUE(n.ignores(late));
    n.on_message(late, Time(1000));
    EXPECT_TRUE(n.take_outgoing().empty());
    EXPECT_TRUE(n.take_events().empty());
    EXPECT_EQ(n.next_deadline(), before);
    EXPECT_FALSE(n.ignores(Message::make_init("me", 8)));  // a twin is still read
}
