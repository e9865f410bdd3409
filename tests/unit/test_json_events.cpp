// Event lines (docs/CLI.md "Events") and the JSON form of values.
#include "actor/event_json.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace {

using namespace std::chrono;
using actor::Event;
using actor::EventType;
using nlohmann::json;

// 2026-11-24T21:03:04.123Z
const system_clock::time_point when =
    sys_days{year{2026} / November / 24} + hours{21} + minutes{3} + seconds{4} + milliseconds{123};

Event ev(EventType t) {
    Event e;
    e.type = t;
    return e;
}

TEST(EventJson, TimeFormat) {
    EXPECT_EQ(actor::format_time(when), "2026-11-24T21:03:04.123Z");
    EXPECT_EQ(actor::format_time(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
    // Sub-millisecond parts are cut, not rounded.
    EXPECT_EQ(actor::format_time(when + microseconds{999}), "2026-11-24T21:03:04.123Z");
}

TEST(EventJson, EveryLineHasEventTimeGroupFirst) {
    Event e = ev(EventType::tag);
    e.node = "c_1";
    e.value = 62;
    const std::string line = actor::event_to_line(e, "a/b", when);
    EXPECT_EQ(line, R"({"event":"tag","time":"2026-11-24T21:03:04.123Z","group":"a/b","node":"c_1","value":62})");
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(json::parse(line), actor::event_to_json(e, "a/b", when));
}

TEST(EventJson, FieldsOfEachEvent) {
    auto j = [](const Event& e) { return actor::event_to_json(e, "g", when); };
    Event e = ev(EventType::connected);
    e.broker = "mqtt://localhost:1883";
    EXPECT_EQ(j(e)["broker"], "mqtt://localhost:1883");
    e = ev(EventType::disconnected);
    e.message = "gone";
    EXPECT_EQ(j(e)["reason"], "gone");
    e = ev(EventType::untag);
    e.node = "me";
    EXPECT_EQ(j(e)["node"], "me");
    EXPECT_FALSE(j(e).contains("value"));
    e = ev(EventType::detag);
    e.node = "winner";
    EXPECT_EQ(j(e)["node"], "winner");
    e = ev(EventType::ping);
    e.node = "c_2";
    e.value = nullptr;
    e.history = {"c_2", "c_1"};
    EXPECT_EQ(j(e)["history"], json({"c_2", "c_1"}));
    EXPECT_TRUE(j(e)["value"].is_null());
    e = ev(EventType::good);
    e.nodes = {"a", "b"};
    EXPECT_EQ(j(e)["nodes"], json({"a", "b"}));
    e = ev(EventType::recover);
    e.prio = 2;
    e.replace = true;
    e.local = {"a"};
    e.remote = {"b", "c"};
    EXPECT_EQ(j(e)["prio"], 2);
    EXPECT_EQ(j(e)["replace"], true);
    EXPECT_EQ(j(e)["local"], json({"a"}));
    EXPECT_EQ(j(e)["remote"], json({"b", "c"}));
    e = ev(EventType::setup);
    e.config.version = 3;
    e.config.gap = 0.1;
    const auto s = j(e);
    for (const char* k : {"version", "cycle", "gap", "nodes", "splits", "n_hosts", "force_in"}) {
        EXPECT_TRUE(s.contains(k)) << k;
    }
    EXPECT_EQ(s["version"], 3);
    EXPECT_EQ(s["gap"], 0.1);
    EXPECT_EQ(s["force_in"], false);
    e = ev(EventType::error);
    e.message = "boom";
    EXPECT_EQ(j(e)["message"], "boom");
    EXPECT_EQ(j(e)["event"], "error");
}

TEST(EventJson, Members) {
    Event e = ev(EventType::members);
    e.members.push_back({"a", 1, when, true});
    e.members.push_back({"b", nullptr, when - seconds{1}, false});
    const auto j = actor::event_to_json(e, "g", when);
    ASSERT_EQ(j["nodes"].size(), 2u);
    EXPECT_EQ(j["nodes"][0], (json{{"node", "a"}, {"value", 1}, {"last_seen", "2026-11-24T21:03:04.123Z"},
                                  {"on_chain", true}}));
    EXPECT_EQ(j["nodes"][1]["last_seen"], "2026-11-24T21:03:03.123Z");
}

TEST(EventJson, RawMessages) {
    Event e = ev(EventType::raw);
    actor::Config c;
    e.msg = actor::Message::make_vers("a", c, 5);
    auto j = actor::event_to_json(e, "g", when)["msg"];
    EXPECT_EQ(j["t"], "vers");
    EXPECT_EQ(j["node"], "a");
    EXPECT_EQ(j["id"], 5);
    EXPECT_EQ(j["cycle"], 10.0);
    EXPECT_FALSE(j.contains("value"));
    actor::Message partial;
    partial.type = actor::MsgType::vers;
    partial.config.version = 4;
    e.msg = partial;
    j = actor::event_to_json(e, "g", when)["msg"];
    EXPECT_EQ(j, (json{{"t", "vers"}, {"version", 4}}));
    e.msg = actor::Message::make_hist(7, {"x", "y"}, 1);
    j = actor::event_to_json(e, "g", when)["msg"];
    EXPECT_EQ(j, (json{{"t", "hist"}, {"value", 7}, {"history", {"x", "y"}}, {"id", 1}}));
}

TEST(ValueJson, BinaryRendersAsBase64AndBack) {
    for (const std::vector<std::uint8_t>& bytes :
         {std::vector<std::uint8_t>{}, {0x00}, {0x00, 0x01}, {0x00, 0x01, 0xff}, {0xfb, 0xff, 0xbf, 0x10}}) {
        const actor::Value v = actor::Value::binary(bytes);
        const auto j = actor::value_to_json(v);
        ASSERT_TRUE(j.is_object());
        EXPECT_EQ(actor::value_from_json(j), v) << j.dump();
    }
    EXPECT_EQ(actor::value_to_json(actor::Value::binary({0x00, 0x01, 0xff})), (json{{"$bin", "AAH/"}}));
    EXPECT_EQ(actor::value_to_json(actor::Value::binary({0x61})), (json{{"$bin", "YQ=="}}));
    actor::Value ext = actor::Value::binary({1, 2}, 5);
    EXPECT_EQ(actor::value_to_json(ext), (json{{"$bin", "AQI="}, {"$ext", 5}}));
    EXPECT_EQ(actor::value_from_json(actor::value_to_json(ext)), ext);
    actor::Value neg_ext = actor::Value::binary({1}, 0xff);  // ext code -1 (a msgpack timestamp)
    EXPECT_EQ(actor::value_from_json(actor::value_to_json(neg_ext)), neg_ext);
    EXPECT_EQ(actor::value_from_json(json{{"$bin", "AQ=="}, {"$ext", -1}}), neg_ext);
    // Nested, and inside an event line.
    const actor::Value nested = {{"k", actor::Value::array({1, actor::Value::binary({9})})}};
    EXPECT_EQ(actor::value_from_json(actor::value_to_json(nested)), nested);
    Event e = ev(EventType::tag);
    e.value = actor::Value::binary({0x00, 0x01, 0xff});
    EXPECT_NE(actor::event_to_line(e, "g", when).find(R"("value":{"$bin":"AAH/"})"), std::string::npos);
}

TEST(ValueJson, MalformedBinStaysAMap) {
    for (const json& j : {json{{"$bin", "A"}}, json{{"$bin", "!!!!"}}, json{{"$bin", 5}},
                          json{{"$bin", "AA=="}, {"other", 1}}, json{{"$bin", "A=AA"}}}) {
        const auto v = actor::value_from_json(j);
        EXPECT_TRUE(v.is_object()) << j.dump();
    }
}

TEST(ValueJson, NonFiniteBecomesNull) {
    EXPECT_TRUE(actor::value_to_json(std::numeric_limits<double>::quiet_NaN()).is_null());
    EXPECT_TRUE(actor::value_to_json(actor::Value::array({std::numeric_limits<double>::infinity()}))[0].is_null());
    EXPECT_EQ(actor::value_to_json(actor::Value(std::numeric_limits<std::uint64_t>::max())),
              json(std::numeric_limits<std::uint64_t>::max()));
}

TEST(EventJson, InvalidUtf8NeverThrows) {
    Event e = ev(EventType::ping);
    e.node = "bad\xff";
    e.value = "\xc3";
    e.history = {"\xed\xa0\x80"};
    std::string line;
    EXPECT_NO_THROW(line = actor::event_to_line(e, "g\xfe", when));
    EXPECT_TRUE(json::accept(line));
    EXPECT_NO_THROW((void)actor::event_to_text(e, when));
}

TEST(EventText, OneReadableLine) {
    Event e = ev(EventType::ping);
    e.node = "c_2";
    e.value = 62;
    e.history = {"c_2", "c_1"};
    EXPECT_EQ(actor::event_to_text(e, when), "21:03:04.123 ping c_2 value=62 chain=c_2,c_1");
    e = ev(EventType::tag);
    e.node = "me\nthere";
    e.value = "x";
    EXPECT_EQ(actor::event_to_text(e, when), "21:03:04.123 tag me?there value=\"x\"");
    for (int t = 0; t <= static_cast<int>(EventType::error); ++t) {
        Event any = ev(static_cast<EventType>(t));
        const auto s = actor::event_to_text(any, when);
        EXPECT_EQ(s.find('\n'), std::string::npos);
        EXPECT_NE(s.find(actor::to_string(any.type)), std::string::npos);
    }
}

}  // namespace
