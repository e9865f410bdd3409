// actor-watch --check and --format prometheus, sans-IO (actor/health.hpp).
#include "actor/health.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using actor::health::Status;

actor::health::Observation healthy() {
    actor::health::Observation o;
    o.reached = true;
    o.it = "web1";
    o.members = 5;
    o.turns = 3;
    o.watched = 26s;
    o.turn_age = 1200ms;
    return o;
}

TEST(HealthClassify, OkLineInThePluginFormat) {
    const auto v = actor::health::classify(healthy(), {}, "actor/jobs");
    EXPECT_EQ(v.status, Status::ok);
    EXPECT_EQ(v.line, "ACTOR OK - web1 is it, 5 members | members=5;;;0 turn_age=1.2s;;;0 turns=3 collisions=0");
}

TEST(HealthClassify, MembersThresholds) {
    actor::health::Thresholds t;
    t.warn_members = 5;
    t.crit_members = 3;
    auto o = healthy();
    EXPECT_EQ(actor::health::classify(o, t, "g").status, Status::ok);  // 5 is not fewer than 5
    o.members = 4;
    auto v = actor::health::classify(o, t, "g");
    EXPECT_EQ(v.status, Status::warning);
    EXPECT_EQ(v.line.substr(0, v.line.find(" |")), "ACTOR WARNING - web1 is it, 4 members (fewer than 5 members)");
    EXPECT_NE(v.line.find("members=4;5:;3:;0"), std::string::npos);
    o.members = 2;
    EXPECT_EQ(actor::health::classify(o, t, "g").status, Status::critical);
}

TEST(HealthClassify, TurnAgeThresholdsAndTheWorstWins) {
    actor::health::Thresholds t;
    t.warn_age = 10s;
    t.crit_age = 20s;
    t.warn_members = 6;
    auto o = healthy();
    o.turn_age = 12s;
    auto v = actor::health::classify(o, t, "g");
    EXPECT_EQ(v.status, Status::warning);
    EXPECT_NE(v.line.find("fewer than 6 members; last turn 12.0s ago, over 10.0s"), std::string::npos) << v.line;
    o.turn_age = 21s;
    EXPECT_EQ(actor::health::classify(o, t, "g").status, Status::critical);
}

TEST(HealthClassify, SilentGroupIsCritical) {
    auto o = healthy();
    o.turns = 0;
    o.it.clear();
    o.members = 0;
    o.turn_age = o.watched;
    const auto v = actor::health::classify(o, {}, "actor/jobs");
    EXPECT_EQ(v.status, Status::critical);
    EXPECT_EQ(v.line.substr(0, v.line.find(" |")), "ACTOR CRITICAL - no turn in actor/jobs for 26.0s, 0 members");
}

TEST(HealthClassify, UnreachableIsUnknown) {
    actor::health::Observation o;
    o.unreachable = "cannot reach mqtt://b:1 within --timeout";
    const auto v = actor::health::classify(o, {}, "g");
    EXPECT_EQ(v.status, Status::unknown);
    EXPECT_EQ(v.line, "ACTOR UNKNOWN - cannot reach mqtt://b:1 within --timeout");
}

TEST(HealthClassify, NodeNamesCannotBreakTheLine) {
    auto o = healthy();
    o.it = "a|b\nc";
    const auto v = actor::health::classify(o, {}, "g");
    EXPECT_EQ(v.line.find('\n'), std::string::npos);
    EXPECT_EQ(v.line.find('|'), v.line.rfind('|'));  // only the perfdata separator
}

actor::Message ping(std::string node, std::vector<std::string> history) {
    actor::Message m;
    m.type = actor::MsgType::ping;
    m.node = std::move(node);
    m.history = std::move(history);
    return m;
}

TEST(HealthTally, CountsTurnsCollisionsAndTheAge) {
    actor::health::Tally t(actor::Time(10s));
    t.message(ping("a", {"a"}));
    t.message(ping("b", {"b", "a"}));       // continues a
    t.message(ping("b", {"b", "a"}));       // repeats b
    t.message(ping("c", {"c", "a"}));       // neither: a collision
    t.message(ping("d", {"d"}));            // a newcomer's first ping
    t.turn("b", actor::Time(12s));
    t.turn("c", actor::Time(20s));
    const auto o = t.finish(actor::Time(23s), 4, true);
    EXPECT_EQ(o.turns, 2u);
    EXPECT_EQ(o.collisions, 2u);
    EXPECT_EQ(o.it, "c");
    EXPECT_EQ(o.members, 4u);
    EXPECT_EQ(o.watched, 13s);
    EXPECT_EQ(o.turn_age, 3s);
}

TEST(HealthTally, NoTurnAgesTheWholeWatch) {
    actor::health::Tally t(actor::Time(1s));
    const auto o = t.finish(actor::Time(5s), 0, true);
    EXPECT_EQ(o.turns, 0u);
    EXPECT_EQ(o.turn_age, 4s);
}

TEST(HealthPrometheus, NamesAndLabels) {
    auto o = healthy();
    o.collisions = 1;
    const auto text = actor::health::prometheus_text(o, "actor/\"x\"");
    const std::string g = "{group=\"actor/\\\"x\\\"\"}";
    EXPECT_NE(text.find("# TYPE actor_up gauge\nactor_up" + g + " 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE actor_members gauge\nactor_members" + g + " 5\n"), std::string::npos);
    EXPECT_NE(text.find("# TYPE actor_turns_seen_total counter\nactor_turns_seen_total" + g + " 3\n"), std::string::npos);
    EXPECT_NE(text.find("# TYPE actor_collisions_total counter\nactor_collisions_total" + g + " 1\n"), std::string::npos);
    EXPECT_NE(text.find("actor_last_turn_age_seconds" + g + " 1.200\n"), std::string::npos);
    EXPECT_NE(text.find("actor_watch_seconds" + g + " 26.000\n"), std::string::npos);
    EXPECT_NE(text.find("actor_it_info{group=\"actor/\\\"x\\\"\",node=\"web1\"} 1\n"), std::string::npos);
}

TEST(HealthPrometheus, UnreachedIsUpZeroOnly) {
    actor::health::Observation o;
    EXPECT_EQ(actor::health::prometheus_text(o, "g"),
              "# HELP actor_up Whether actor-watch reached the group's channel.\n# TYPE actor_up gauge\n"
              "actor_up{group=\"g\"} 0\n");
}

}  // namespace
