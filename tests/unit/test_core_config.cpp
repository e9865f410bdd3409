// Config validation and ConfigFields (config.hpp, message.hpp).
#include "actor/config.hpp"
#include "actor/message.hpp"
#include "actor/time.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace {

using actor::Config;
using actor::ConfigFields;

TEST(ConfigValidation, DefaultsAreValid) {
    EXPECT_FALSE(actor::validate_local(Config{}));
    EXPECT_FALSE(actor::validate_received(Config{}));
}

TEST(ConfigValidation, LocalRules) {
    Config c;
    c.gap = 0;
    EXPECT_TRUE(actor::validate_local(c));
    c = Config{};
    c.gap = -1;
    EXPECT_TRUE(actor::validate_local(c));
    c = Config{};
    c.cycle = 0.3;
    c.gap = 0.1;  // 3*gap, fine: shorter than 0.24's cycle >= 1
    EXPECT_FALSE(actor::validate_local(c));
    c.cycle = 0.29;
    EXPECT_TRUE(actor::validate_local(c));
    c = Config{};
    c.splits = 0;
    EXPECT_TRUE(actor::validate_local(c));
    c = Config{};
    c.n_hosts = 0;
    EXPECT_TRUE(actor::validate_local(c));
    c = Config{};
    c.nodes = 0;  // unbounded
    EXPECT_FALSE(actor::validate_local(c));
    c.nodes = -3;
    EXPECT_FALSE(actor::validate_local(c));
}

TEST(ConfigValidation, NonFiniteNumbersAreRefused) {
    for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                       -std::numeric_limits<double>::infinity()}) {
        Config c;
        c.cycle = bad;
        EXPECT_TRUE(actor::validate_local(c));
        EXPECT_TRUE(actor::validate_received(c));
        c = Config{};
        c.gap = bad;
        EXPECT_TRUE(actor::validate_local(c));
        EXPECT_TRUE(actor::validate_received(c));
    }
}

TEST(ConfigValidation, ReceivedConfigsAreAdoptedUnlessTheyBreakUs) {
    Config c;
    c.cycle = 0.5;
    c.gap = 1;  // cycle < 3*gap: odd, but adopted as 0.24 does
    c.splits = 0;
    c.n_hosts = 0;
    EXPECT_FALSE(actor::validate_received(c));
    EXPECT_TRUE(actor::validate_local(c));
    c.gap = 0;
    EXPECT_TRUE(actor::validate_received(c));
    c.gap = 1;
    c.cycle = 0;
    EXPECT_TRUE(actor::validate_received(c));
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
    EXPECT_TRUE(actor::validate_received(c));
    EXPECT_TRUE(actor::validate_local(c));
    c.cycle = 10;
    c.gap = 2e6;
    EXPECT_TRUE(actor::validate_received(c));
    EXPECT_EQ(actor::from_seconds(1e300).count(), 9'000'000'000'000'000'000);
}
