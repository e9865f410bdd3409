// What actor-join tells systemd (actor/service_notify.hpp).
#include "actor/service_notify.hpp"

#include <gtest/gtest.h>

namespace {

actor::Event ev(actor::EventType t, std::string node = "") {
    actor::Event e;
    e.type = t;
    e.node = std::move(node);
    return e;
}

TEST(ServiceNotify, ReadyOnceWhenConnectedAndStarted) {
    actor::ServiceNotify n("web1");
    EXPECT_FALSE(n.state(false, false));
    EXPECT_FALSE(n.state(true, false));  // connected, our init not back yet
    EXPECT_FALSE(n.state(false, true));
    auto r = n.state(true, true);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, "READY=1\nSTATUS=in the rotation");
    EXPECT_TRUE(n.ready());
    EXPECT_FALSE(n.state(true, true));  // once: a reconnect does not repeat it
}

TEST(ServiceNotify, StatusNamesTheCurrentTurn) {
    actor::ServiceNotify n("web1");
    actor::Event c = ev(actor::EventType::connected);
    c.broker = "mqtt://b:1883";
    EXPECT_EQ(n.event(c).value_or(""), "STATUS=connected to mqtt://b:1883, joining");
    EXPECT_EQ(n.event(ev(actor::EventType::ping, "web2")).value_or(""), "STATUS=web2 is it");
    EXPECT_FALSE(n.event(ev(actor::EventType::ping, "web2")));  // unchanged: nothing to send
    EXPECT_EQ(n.event(ev(actor::EventType::tag, "web1")).value_or(""), "STATUS=this node (web1) is it");
    EXPECT_EQ(n.event(ev(actor::EventType::untag, "web1")).value_or(""),
              "STATUS=this node (web1) had its turn");
    EXPECT_FALSE(n.event(ev(actor::EventType::good)));
    EXPECT_FALSE(n.event(actor::Event::error("x")));
}

TEST(ServiceNotify, ReadyKeepsAKnownTurn) {
    actor::ServiceNotify n("a");
    ASSERT_TRUE(n.event(ev(actor::EventType::ping, "b")));
    EXPECT_EQ(n.state(true, true).value_or(""), "READY=1\nSTATUS=b is it");
}

TEST(ServiceNotify, DisconnectedUntagLeavesTheReasonToTheDisconnect) {
    actor::ServiceNotify n("a");
    actor::Event d = ev(actor::EventType::disconnected);
    d.message = "connection lost";
    EXPECT_EQ(n.event(d).value_or(""), "STATUS=disconnected: connection lost");
    actor::Event u = ev(actor::EventType::untag, "a");
    u.reason = "disconnected";
    EXPECT_FALSE(n.event(u));
    EXPECT_EQ(n.status(), "disconnected: connection lost");
}

TEST(ServiceNotify, WatchdogAtHalfThePeriod) {
    using namespace std::chrono_literals;
    EXPECT_EQ(actor::ServiceNotify::watchdog_interval(10s), 5s);
    EXPECT_EQ(actor::ServiceNotify::watchdog(), "WATCHDOG=1");
    EXPECT_EQ(actor::ServiceNotify::stopping(), "STOPPING=1");
}

}  // namespace
