// Messages against a channel's size limit (actor/fit.hpp): pings shed
// history entries instead of failing, and a node whose smallest messages
// cannot travel is told so, naming the option, the size and the limit.
#include "actor/codec.hpp"
#include "actor/fit.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace {

// check_fits as the text of its refusal, or nothing.
std::optional<std::string> refusal(const actor::Status& s) {
    if (s) return std::nullopt;
    return s.error().text();
}

using actor::Config;
using actor::encode;
using actor::Message;
using actor::Value;

constexpr std::uint64_t wide_id = std::numeric_limits<std::uint64_t>::max();

std::vector<std::string> names(std::size_t n, std::size_t len) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
        std::string s = "node-" + std::to_string(i);
        s.resize(len, 'x');
        out.push_back(s);
    }
    return out;
}

std::size_t size_with(const Message& m, std::size_t keep) {
    Message c = m;
    c.history.resize(keep);
    return encode(c).size();
}

TEST(FitHistory, AFittingPingIsLeftAlone) {
    auto m = Message::make_ping("node-0", Value(42), names(4, 20), 7);
    const Message before = m;
    EXPECT_TRUE(actor::fit_history(m, encode(m).size()));
    EXPECT_EQ(m, before);
    EXPECT_TRUE(actor::fit_history(m, actor::max_wire_size));
    EXPECT_EQ(m, before);
}

TEST(FitHistory, DropsEntriesFromTheEndUntilItFits) {
    const auto full = Message::make_ping("node-0", Value("v"), names(10, 20), wide_id);
    for (std::size_t keep = 1; keep <= 10; ++keep) {
        // Exactly the size with `keep` entries, and one byte less.
        for (std::size_t slack : {0, 1}) {
            const std::size_t limit = size_with(full, keep) - slack;
            Message m = full;
            const bool ok = actor::fit_history(m, limit);
            const std::size_t want = slack == 0 ? keep : keep - 1;
            if (want == 0) {
                EXPECT_FALSE(ok);
                EXPECT_EQ(m.history.size(), 1u);
                continue;
            }
            ASSERT_TRUE(ok) << "keep " << keep << " slack " << slack;
            EXPECT_LE(encode(m).size(), limit);
            ASSERT_EQ(m.history.size(), want);
            // The newest entries stay, in order; everything else unchanged.
            EXPECT_TRUE(std::equal(m.history.begin(), m.history.end(), full.history.begin()));
            EXPECT_EQ(m.node, full.node);
            EXPECT_EQ(m.value, full.value);
            EXPECT_EQ(m.id, full.id);
        }
    }
}

TEST(FitHistory, KeepsTheMostEntriesThatFitAcrossArrayHeaderSizes) {
    // 40 short names: the msgpack array header grows from 1 to 3 bytes at 16.
    const auto full = Message::make_ping("a", Value(), names(40, 3), 1);
    for (std::size_t limit = size_with(full, 1); limit <= encode(full).size(); ++limit) {
        Message m = full;
        ASSERT_TRUE(actor::fit_history(m, limit));
        const std::size_t k = m.history.size();
        EXPECT_LE(encode(m).size(), limit);
        if (k < full.history.size()) {
            EXPECT_GT(size_with(full, k + 1), limit) << limit;
        }
    }
}

TEST(FitHistory, FalseWhenEvenTheSenderAloneDoesNotFit) {
    auto m = Message::make_ping("node-0", Value(std::string(500, 'v')), names(5, 10), 1);
    EXPECT_FALSE(actor::fit_history(m, 100));
    ASSERT_EQ(m.history.size(), 1u);
    EXPECT_EQ(m.history[0], "node-0xxxx");

    auto empty = Message::make_ping("node-0", Value(std::string(500, 'v')), {}, 1);
    EXPECT_FALSE(actor::fit_history(empty, 100));
    EXPECT_TRUE(empty.history.empty());
}

TEST(CheckFits, ASmallNodeFitsSerfAndMqtt) {
    Config c;
    EXPECT_EQ(refusal(actor::check_fits("host-1", Value(0), c, 458, "Serf")), std::nullopt);
    EXPECT_EQ(refusal(actor::check_fits("host-1", Value(0), c, actor::max_wire_size, "MQTT")),
              std::nullopt);
}

TEST(CheckFits, AValueTooLargeNamesValueTheSizeAndTheLimit) {
    const Value v(std::string(450, 'x'));
    const auto ping = encode(Message::make_ping("host-1", v, {"host-1"}, wide_id)).size();
    ASSERT_GT(ping, 458u);
    EXPECT_EQ(refusal(actor::check_fits("host-1", v, Config{}, 458, "Serf")),
              "value: the smallest ping is " + std::to_string(ping) +
                  " bytes; Serf carries at most 458 bytes for this group");
    // Exactly at the limit it fits.
    EXPECT_EQ(refusal(actor::check_fits("host-1", v, Config{}, ping, "Serf")), std::nullopt);
    EXPECT_NE(refusal(actor::check_fits("host-1", v, Config{}, ping - 1, "Serf")), std::nullopt);
}

TEST(CheckFits, TheWidestIdCounts) {
    // The check must hold for every id, so it measures the 9-byte form.
    const Value v(std::string(200, 'v'));  // the ping is the largest message
    const auto narrow = encode(Message::make_ping("n", v, {"n"}, 1)).size();
    const auto wide = encode(Message::make_ping("n", v, {"n"}, wide_id)).size();
    ASSERT_GT(wide, narrow);
    EXPECT_NE(refusal(actor::check_fits("n", v, Config{}, narrow)), std::nullopt);
    EXPECT_EQ(refusal(actor::check_fits("n", v, Config{}, wide)), std::nullopt);
}

TEST(CheckFits, ANameTooLongNamesName) {
    const std::string name(200, 'n');
    // The ping carries the name twice (node and history): 400+ bytes.
    auto bad = refusal(actor::check_fits(name, Value(), Config{}, 400, "Serf"));
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->rfind("name: the smallest ping is ", 0), 0u) << *bad;
    // A limit below even the init message.
    const auto init = encode(Message::make_init(name, wide_id)).size();
    bad = refusal(actor::check_fits(name, Value(), Config{}, init - 1, "Serf"));
    ASSERT_TRUE(bad);
    EXPECT_EQ(*bad, "name: the init message is " + std::to_string(init) +
                        " bytes; Serf carries at most " + std::to_string(init - 1) +
                        " bytes for this group");
}

TEST(CheckFits, AValueOverTheDecodersCapIsRefusedEvenWhereTheChannelCarriesIt) {
    // A 1024-byte encoding is the most a decoder takes: str16 header (3) + 1021.
    const Value at(std::string(actor::max_value_size - 3, 'x'));
    const Value over(std::string(actor::max_value_size - 2, 'x'));
    EXPECT_EQ(refusal(actor::check_fits("h", at, Config{}, actor::max_wire_size, "MQTT")), std::nullopt);
    EXPECT_EQ(refusal(actor::check_fits("h", over, Config{}, actor::max_wire_size, "MQTT")),
              "value: its encoding is 1025 bytes; receivers drop a value over 1024 bytes");
    // A decoder really takes the one and drops the other.
    const auto ok = actor::decode(encode(Message::make_ping("h", at, {"h"}, wide_id)));
    EXPECT_TRUE(ok.ok());
    EXPECT_FALSE(actor::decode(encode(Message::make_ping("h", over, {"h"}, wide_id))).ok());
    // The channel's own limit is named first when both are passed.
    const auto both = refusal(actor::check_fits("h", Value(std::string(70000, 'x')), Config{},
                                        actor::max_wire_size, "MQTT"));
    ASSERT_TRUE(both);
    EXPECT_NE(both->find("MQTT carries at most 65536 bytes"), std::string::npos) << *both;
}

TEST(CheckFits, TheVersMessageCounts) {
    const std::string name = "host-1";
    Config c;
    const auto vers = encode(Message::make_vers(name, c, wide_id)).size();
    const auto init = encode(Message::make_init(name, wide_id)).size();
    const auto ping = encode(Message::make_ping(name, Value(), {name}, wide_id)).size();
    ASSERT_GT(vers, init);
    ASSERT_GT(vers, ping);  // with a short name, vers is the biggest
    auto bad = refusal(actor::check_fits(name, Value(), c, vers - 1, "MQTT"));
    ASSERT_TRUE(bad);
    EXPECT_EQ(*bad, "name: the vers message is " + std::to_string(vers) +
                        " bytes; MQTT carries at most " + std::to_string(vers - 1) +
                        " bytes for this group");
    EXPECT_EQ(refusal(actor::check_fits(name, Value(), c, vers, "MQTT")), std::nullopt);
}

}  // namespace
