// Config validation and ConfigFields (config.hpp, message.hpp).
#include "actor/config.hpp"
#include "actor/message.hpp"
#include "actor/time.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace {

using actor::Config;
using actor::ConfigFields;

TEST(ConfigValidation, DefaultsAreValid) { EXPECT_TRUE(actor::validate(Config{})); }

// Every field the one rule refuses, wherever the config comes from: each
// case names the field it breaks and the refusal's subject must be that
// name (the command line maps it to the option).
TEST(ConfigValidation, EveryRefusedFieldIsNamed) {
    static const double nan = std::numeric_limits<double>::quiet_NaN();
    static const double inf = std::numeric_limits<double>::infinity();
    std::vector<std::pair<std::string, Config>> bad;
    auto with = [&](const char* field, auto f) {
        Config c;
        f(c);
        bad.emplace_back(field, c);
    };
    with("cycle", [&](Config& c) { c.cycle = nan; });
    with("cycle", [&](Config& c) { c.cycle = inf; });
    with("cycle", [&](Config& c) { c.cycle = -inf; });
    with("gap", [&](Config& c) { c.gap = nan; });
    with("gap", [&](Config& c) { c.gap = inf; });
    with("gap", [&](Config& c) { c.gap = 0; });
    with("gap", [&](Config& c) { c.gap = -1; });
    with("gap", [&](Config& c) { c.gap = 0.009; c.cycle = 1; });
    with("gap", [&](Config& c) { c.gap = 0.000001; c.cycle = 0.000001; });  // the vers
    with("gap", [&](Config& c) { c.gap = 2e6; c.cycle = 7e6; });
    with("cycle", [&](Config& c) { c.cycle = 1e300; });
    with("cycle", [&](Config& c) { c.cycle = 0.29; c.gap = 0.1; });
    with("cycle", [&](Config& c) { c.cycle = 0; });
    with("cycle", [&](Config& c) { c.cycle = 0.5; c.gap = 1; });  // 0.24 would adopt it
    with("version", [&](Config& c) { c.version = -1; });
    with("nodes", [&](Config& c) { c.nodes = actor::max_chain_nodes + 1; });
    with("splits", [&](Config& c) { c.splits = 0; });
    with("splits", [&](Config& c) { c.splits = actor::max_splits + 1; });
    with("n_hosts", [&](Config& c) { c.n_hosts = 0; });
    with("n_hosts", [&](Config& c) { c.n_hosts = actor::max_n_hosts + 1; });
    for (const auto& [field, c] : bad) {
        auto checked = actor::validate(c);
        ASSERT_FALSE(checked) << field << " cycle=" << c.cycle << " gap=" << c.gap;
        EXPECT_EQ(checked.error().subject, field) << checked.error().text();
        EXPECT_FALSE(checked.error().message.empty());
    }
}

TEST(ConfigValidation, TheEdgesOfEachRangeAreAccepted) {
    std::vector<Config> good;
    auto with = [&](auto f) {
        Config c;
        f(c);
        good.push_back(c);
    };
    with([](Config& c) { c.cycle = 0.3; c.gap = 0.1; });  // 3*0.1 in decimal
    with([](Config& c) { c.cycle = 0.03; c.gap = actor::min_gap_s; });
    with([](Config& c) { c.cycle = actor::max_timing_s; c.gap = actor::max_timing_s / 3; });
    with([](Config& c) { c.version = actor::max_config_version; });
    with([](Config& c) { c.nodes = 0; });  // unbounded
    with([](Config& c) { c.nodes = -3; });
    with([](Config& c) { c.nodes = actor::max_chain_nodes; });
    with([](Config& c) { c.splits = 1; });
    with([](Config& c) { c.splits = actor::max_splits; });
    with([](Config& c) { c.n_hosts = 1; });
    with([](Config& c) { c.n_hosts = actor::max_n_hosts; });
    for (const auto& c : good) EXPECT_TRUE(actor::validate(c)) << actor::validate(c).error().text();
}

TEST(ConfigValidation, NextVersionStopsAtTheTop) {
    EXPECT_EQ(actor::next_version(0), 1);
    EXPECT_EQ(actor::next_version(actor::max_config_version - 1), actor::max_config_version);
    EXPECT_FALSE(actor::next_version(actor::max_config_version));
}

TEST(ConfigFieldsTest, FromAndApplyRoundTrip) {
    Config c;
    c.version = 7;
    c.cycle = 2.5;
    c.gap = 0.2;
    c.nodes = 0;
    c.splits = 2;
    c.n_hosts = 3;
    c.force_in = true;
    EXPECT_EQ(ConfigFields::from(c).apply_to(Config{}), c);
}

TEST(ConfigFieldsTest, AbsentFieldsKeepTheReceiversValues) {
    ConfigFields f;
    f.version = 4;
    f.gap = 0.5;
    Config mine;
    mine.cycle = 3;
    const Config got = f.apply_to(mine);
    EXPECT_EQ(got.version, 4);
    EXPECT_EQ(got.gap, 0.5);
    EXPECT_EQ(got.cycle, 3);
    EXPECT_EQ(got.nodes, mine.nodes);
    EXPECT_EQ(got.force_in, mine.force_in);
}

TEST(MessageModel, SenderAndConstructors) {
    const auto init = actor::Message::make_init("a", 1);
    EXPECT_EQ(init.sender(), "a");
    EXPECT_EQ(init.id, 1u);
    const auto hist = actor::Message::make_hist(5, {"x", "y"}, 2);
    EXPECT_EQ(hist.sender(), "x");
    EXPECT_FALSE(hist.node);
    EXPECT_FALSE(actor::Message::make_hist(5, {}, 2).sender());
    Config c;
    c.version = 3;
    const auto vers = actor::Message::make_vers("a", c, 3);
    EXPECT_EQ(vers.config, ConfigFields::from(c));
    const auto ping = actor::Message::make_ping("a", 1, {"a", "b"}, 4);
    EXPECT_EQ(ping.sender(), "a");
    EXPECT_STREQ(actor::to_string(ping.type), "ping");
    EXPECT_EQ(ping, actor::Message::make_ping("a", 1.0, {"a", "b"}, 4));  // 1 == 1.0
    EXPECT_FALSE(ping == actor::Message::make_ping("a", 2, {"a", "b"}, 4));
    EXPECT_FALSE(ping == actor::Message::make_ping("a", 1, {"a", "b"}, 5));
}

}  // namespace

TEST(ConfigValidation, TimingsThatWouldOverflowOurClockAreRefused) {
    actor::Config c;
    c.cycle = 1e300;
    EXPECT_FALSE(actor::validate(c));
    c.cycle = 10;
    c.gap = 2e6;
    EXPECT_FALSE(actor::validate(c));
    EXPECT_EQ(actor::from_seconds(1e300).count(), 9'000'000'000'000'000'000);
}
