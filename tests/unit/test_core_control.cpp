// The --control lines (actor/control.hpp): parsing, the config a change
// makes, applying commands to a Node, and splitting a stream into lines.
#include "actor/control.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace actor;

namespace {

template <class T>
T parsed(std::string_view line) {
    auto r = parse_control(line);
    EXPECT_TRUE(r.ok()) << line << ": " << (r.ok() ? "" : r.error().text());
    if (!r.ok()) return T{};
    EXPECT_TRUE(std::holds_alternative<T>(*r)) << line;
    return std::holds_alternative<T>(*r) ? std::get<T>(*r) : T{};
}

std::string refused(std::string_view line) {
    auto r = parse_control(line);
    EXPECT_FALSE(r.ok()) << line;
    return r.ok() ? "" : r.error().text();
}

Node make_node() {
    Config c;
    c.cycle = 10;
    c.gap = 1;
    c.version = 3;
    return Node(NodeOptions{.name = "me", .config = c, .value = 1, .id = 7, .random = [] { return 0.5; }});
}

}  // namespace

TEST(ControlParse, EachCommand) {
    EXPECT_EQ(parsed<control::SetValue>(R"({"cmd":"value","value":7})").value, Value(7));
    EXPECT_EQ(parsed<control::SetValue>(R"({"cmd":"value","value":{"$bin":"AAE="}})").value,
              Value::binary({0, 1}));
    EXPECT_TRUE(parsed<control::SetReady>(R"({"cmd":"ready"})").ready);
    EXPECT_FALSE(parsed<control::SetReady>(R"({"cmd":"ready","ready":false})").ready);
    EXPECT_EQ(parsed<control::Enable>(R"({"cmd":"enable"})").nodes, 0);
    EXPECT_EQ(parsed<control::Enable>(R"({"cmd":"enable","nodes":3})").nodes, 3);
    EXPECT_EQ(parsed<control::Disable>(R"({"cmd":"disable","nodes":-1})").nodes, -1);
    (void)parsed<control::Leave>(R"({"cmd":"leave","extra":"ignored"})");
}

TEST(ControlParse, ConfigFieldsAndDurations) {
    const auto c = parsed<control::ChangeConfig>(
        R"({"cmd":"config","version":9,"cycle":"250ms","gap":0.05,"nodes":2,"splits":3,"n_hosts":4,"force_in":true})");
    EXPECT_EQ(c.version, 9);
    EXPECT_DOUBLE_EQ(*c.cycle, 0.25);
    EXPECT_DOUBLE_EQ(*c.gap, 0.05);
    EXPECT_EQ(c.nodes, 2);
    EXPECT_EQ(c.splits, 3);
    EXPECT_EQ(c.n_hosts, 4);
    EXPECT_EQ(c.force_in, true);
    EXPECT_DOUBLE_EQ(*parsed<control::ChangeConfig>(R"({"cmd":"config","cycle":"2m"})").cycle, 120);
    EXPECT_DOUBLE_EQ(*parsed<control::ChangeConfig>(R"({"cmd":"config","cycle":"12"})").cycle, 12);
    EXPECT_EQ(parsed<control::ChangeConfig>(R"({"cmd":"config"})"), control::ChangeConfig{});
}

TEST(ControlParse, ErrorsNameTheField) {
    EXPECT_EQ(refused("this is not json"), "not JSON");
    EXPECT_EQ(refused("[1,2]"), "a command is an object with a \"cmd\" string");
    EXPECT_EQ(refused(R"({"cmd":1})"), "a command is an object with a \"cmd\" string");
    EXPECT_EQ(refused(R"({"cmd":"frobnicate"})"), "unknown cmd \"frobnicate\"");
    EXPECT_EQ(refused(R"({"cmd":"value"})"), "value: needs a \"value\"");
    EXPECT_EQ(refused(R"({"cmd":"ready","ready":1})"), "ready: ready: not true or false");
    EXPECT_EQ(refused(R"({"cmd":"enable","nodes":"many"})"), "enable: nodes: not an integer");
    EXPECT_EQ(refused(R"({"cmd":"disable","nodes":1.5})"), "disable: nodes: not an integer");
    EXPECT_EQ(refused(R"({"cmd":"config","version":18446744073709551615})"),
              "config: version: out of range");
    EXPECT_EQ(refused(R"({"cmd":"config","cycle":"ten"})"),
              "config: cycle: bad duration \"ten\" (use 10, 10s, 250ms, 2m)");
    EXPECT_EQ(refused(R"({"cmd":"config","gap":[1]})"), "config: gap: not a duration");
    EXPECT_EQ(refused(R"({"cmd":"config","splits":null})"), "config: splits: not an integer");
    EXPECT_EQ(refused(R"({"cmd":"config","force_in":"yes"})"), "config: force_in: not true or false");
}

TEST(ControlConfig, WithoutVersionTheNextOne) {
    Config cur;
    cur.version = 41;
    control::ChangeConfig ch;
    ch.cycle = 20;
    auto next = config_after(cur, ch);
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->version, 42);
    EXPECT_EQ(next->cycle, 20);
    EXPECT_EQ(next->gap, cur.gap);

    ch.version = 7;  // as given; Node::set_config refuses one not above ours
    EXPECT_EQ(config_after(cur, ch)->version, 7);

    cur.version = max_config_version;
    ch.version.reset();
    auto top = config_after(cur, ch);
    ASSERT_FALSE(top.ok());
    EXPECT_EQ(top.error().text(), "the config version is at its maximum");
}

TEST(ControlApply, ValueIsCheckedFirst) {
    auto n = make_node();
    const ValueCheck small = [](const Value& v) -> actor::Status {
        if (v == Value(1000)) return actor::Error{"too big for the channel"};
        return {};
    };
    auto r = apply_control(n, *parse_control(R"({"cmd":"value","value":1000})"), Time{0}, small);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().text(), "value: too big for the channel");
    EXPECT_EQ(n.value(), Value(1));  // the old one stays
    r = apply_control(n, *parse_control(R"({"cmd":"value","value":5})"), Time{0}, small);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, ControlOutcome::applied);
    EXPECT_EQ(n.value(), Value(5));
    // No check given: every value is taken.
    ASSERT_TRUE(apply_control(n, *parse_control(R"({"cmd":"value","value":1000})"), Time{0}).ok());
    EXPECT_EQ(n.value(), Value(1000));
}

TEST(ControlApply, ReadyEnableDisableLeave) {
    auto n = make_node();
    const Config before = n.config();
    ASSERT_TRUE(apply_control(n, control::SetReady{true}, Time{0}).ok());
    EXPECT_TRUE(n.ready());
    // enable without nodes never changes the config.
    ASSERT_TRUE(apply_control(n, *parse_control(R"({"cmd":"enable"})"), Time{0}).ok());
    EXPECT_EQ(n.config(), before);
    ASSERT_TRUE(apply_control(n, control::Disable{}, Time{0}).ok());
    EXPECT_EQ(n.tag_state(), -1);
    EXPECT_EQ(n.config(), before);
    // leave is the shell's: the node is not touched.
    auto r = apply_control(n, control::Leave{}, Time{0});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, ControlOutcome::leave);
    EXPECT_EQ(n.config(), before);
}

TEST(ControlApply, ConfigThroughTheNode) {
    auto n = make_node();
    auto r = apply_control(n, *parse_control(R"({"cmd":"config","cycle":"20s"})"), Time{0});
    ASSERT_TRUE(r.ok()) << r.error().text();
    EXPECT_EQ(n.config().version, 4);
    EXPECT_EQ(n.config().cycle, 20);
    // The node's own rule refuses a bad one; the config stays.
    r = apply_control(n, *parse_control(R"({"cmd":"config","cycle":"1s","gap":"1s"})"), Time{0});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().text().rfind("config: ", 0), 0u) << r.error().text();
    EXPECT_NE(r.error().text().find("cycle"), std::string::npos) << r.error().text();
    EXPECT_EQ(n.config().cycle, 20);
    r = apply_control(n, *parse_control(R"({"cmd":"config","version":2,"cycle":30})"), Time{0});
    EXPECT_FALSE(r.ok());  // not above ours
    EXPECT_EQ(n.config().version, 4);
}

TEST(ControlLinesTest, SplitsSkipsBlankAndRefusesLongLines) {
    ControlLines lines;
    std::vector<std::string> got;
    auto take = [&](const Result<std::string_view>& l) {
        got.push_back(l ? "line:" + std::string(*l) : "error:" + l.error().text());
        return true;
    };
    lines.feed("{\"a\":1}\n \t\r\n\n{\"b\"", take);
    lines.feed(":2}\n", take);
    lines.feed(std::string(max_control_line + 10, 'x') + "\nnext\n", take);
    lines.feed("partial", take);
    const std::vector<std::string> want = {
        "line:{\"a\":1}", "line:{\"b\":2}",
        "error:line longer than " + std::to_string(max_control_line) + " bytes", "line:next"};
    EXPECT_EQ(got, want);
}

TEST(ControlLinesTest, StopsWhenAsked) {
    ControlLines lines;
    int seen = 0;
    lines.feed("a\nb\nc\n", [&](const Result<std::string_view>&) { return ++seen < 2; });
    EXPECT_EQ(seen, 2);
}
