// The shared option parsing: durations, group and name checks, the order
// of sources, and the one exit-status mapping.
#include "actor/cli.hpp"
#include "unit/cli_test_helpers.hpp"

#include <CLI/CLI.hpp>
#include "actor/exit_status.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

using actor::cli::Ending;

TEST(CliDuration, AcceptsTheDocumentedForms) {
    struct Case {
        const char* text;
        double seconds;
    };
    for (const Case& c : {Case{"10", 10}, Case{"10s", 10}, Case{"250ms", 0.25}, Case{"2m", 120},
                          Case{"1.5s", 1.5}, Case{"1h", 3600}, Case{"0.1", 0.1}}) {
        auto d = actor::cli::parse_duration(c.text);
        ASSERT_TRUE(d) << c.text;
        EXPECT_NEAR(actor::to_seconds(*d), c.seconds, 1e-9) << c.text;
    }
}

TEST(CliDuration, RefusesEverythingElse) {
    for (const char* bad : {"", "1x", "s", "-1", "1e3", "10 s", "1.2.3", "ms", "10d", "1000000h", "nan"}) {
        auto d = actor::cli::parse_duration(bad);
        ASSERT_FALSE(d) << bad;
        EXPECT_NE(d.error().message.find("bad duration"), std::string::npos);
    }
}

TEST(CliGroup, ChecksEveryRule) {
    EXPECT_TRUE(actor::cli::check_group("actor/backup"));
    EXPECT_TRUE(actor::cli::check_group("a"));
    EXPECT_TRUE(actor::cli::check_group("gr\xc3\xbc\xc3\x9f/x"));
    for (std::string bad : {std::string(""), std::string("a/+"), std::string("#"), std::string("a//b"),
                            std::string("/a"), std::string("a/"), std::string("a\0b", 3),
                            std::string(201, 'a'), std::string("a\xff")})
    {
        const auto refused = actor::cli::check_group(bad);
        ASSERT_FALSE(refused) << bad;
        EXPECT_EQ(refused.error().subject, "GROUP");
    }
    EXPECT_TRUE(actor::cli::check_group(std::string(200, 'a')));
}

TEST(CliUtf8, RefusesOverlongAndSurrogates) {
    EXPECT_TRUE(actor::cli::valid_utf8("plain \xe2\x82\xac \xf0\x9f\x98\x80"));
    EXPECT_FALSE(actor::cli::valid_utf8("\xc0\xaf"));          // overlong '/'
    EXPECT_FALSE(actor::cli::valid_utf8("\xed\xa0\x80"));      // surrogate
    EXPECT_FALSE(actor::cli::valid_utf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
    EXPECT_FALSE(actor::cli::valid_utf8("\xe2\x82"));          // truncated
}

TEST(CliExitStatus, OneMapping) {
    using K = Ending::Kind;
    EXPECT_EQ(actor::cli::exit_status_for({K::done, 0, ""}), 0);
    EXPECT_EQ(actor::cli::exit_status_for({K::output_closed, 0, ""}), 0);
    EXPECT_EQ(actor::cli::exit_status_for({K::usage, 0, ""}), 64);
    EXPECT_EQ(actor::cli::exit_status_for({K::unavailable, 0, ""}), 69);
    EXPECT_EQ(actor::cli::exit_status_for({K::no_echo, 0, ""}), 69);
    EXPECT_EQ(actor::cli::exit_status_for({K::denied, 0, ""}), 77);
    EXPECT_EQ(actor::cli::exit_status_for({K::name_twin, 0, ""}), 78);
    EXPECT_EQ(actor::cli::exit_status_for({K::timeout, 0, ""}), 124);
    EXPECT_EQ(actor::cli::exit_status_for({K::signal, 15, ""}), 0);
    EXPECT_EQ(actor::cli::exit_status_for({K::signal, 15, ""}, {.signal_is_success = false}), 143);
}

using actor::clitest::parse_args;

TEST(CliParse, DefaultsAndConversions) {
    ::unsetenv("ACTOR_BROKER");
    ::unsetenv("ACTOR_NAME");
    actor::cli::CommonOptions o;
    ASSERT_EQ(parse_args(o, {"--cycle", "2s", "--gap", "250ms", "--value", "{\"$bin\":\"AAE=\"}",
                             "--nodes", "7", "--force-in", "-n", "me", "g/h"}), -1);
    EXPECT_EQ(o.group, "g/h");
    EXPECT_EQ(o.name, "me");
    EXPECT_DOUBLE_EQ(o.config.cycle, 2.0);
    EXPECT_DOUBLE_EQ(o.config.gap, 0.25);
    EXPECT_EQ(o.config.nodes, 7);
    EXPECT_TRUE(o.config.force_in);
    EXPECT_TRUE(o.value.is_binary());
    EXPECT_EQ(o.broker.port, 1883);
    auto t = actor::cli::transport_options(o);
    EXPECT_EQ(t.group, "g/h");
    EXPECT_EQ(t.client_id, "me");
    auto n = actor::cli::node_options(o, actor::Mode::passive);
    EXPECT_EQ(n.mode, actor::Mode::passive);
    EXPECT_EQ(n.config, o.config);
}

TEST(CliParse, EnvironmentSitsBetweenConfigFileAndArgv) {
    ::setenv("ACTOR_NAME", "fromenv", 1);
    {
        actor::cli::CommonOptions o;
        ASSERT_EQ(parse_args(o, {"g"}), -1);
        EXPECT_EQ(o.name, "fromenv");
    }
    {
        actor::cli::CommonOptions o;
        ASSERT_EQ(parse_args(o, {"-n", "fromargv", "g"}), -1);
        EXPECT_EQ(o.name, "fromargv");
    }
    ::unsetenv("ACTOR_NAME");
}

TEST(CliParse, BadOptionsAreUsageErrors) {
    ::unsetenv("ACTOR_BROKER");
    ::unsetenv("ACTOR_NAME");
    for (std::vector<std::string> args :
         {std::vector<std::string>{}, {"--gap", "1x", "g"}, {"a/#"}, {"--value", "nope", "g"},
          {"--format", "yaml", "g"}, {"-n", "", "g"}, {"--bogus", "g"}}) {
        actor::cli::CommonOptions o;
        EXPECT_EQ(parse_args(o, args), actor::exit_status::usage);
    }
}

}  // namespace
