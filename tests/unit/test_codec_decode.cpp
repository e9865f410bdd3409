// Decoding rules of docs/PROTOCOL.md "Messages" beyond the shared vectors, and
// the encoding's exact form.
#include "actor/codec.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>
#include <vector>

namespace {

using actor::decode;
using actor::encode;
using actor::Message;
using actor::MsgType;
using nlohmann::json;

using Bytes = std::vector<std::uint8_t>;

// Test input built with nlohmann's writer (string keys only).
actor::Result<Message> dec(const json& j) {
    return decode(json::to_msgpack(j));
}

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

Bytes str(const std::string& s) {
    // Built byte by byte: GCC 12 at -O2 warns falsely (-Warray-bounds) on
    // inserting a range into a one-element vector.
    Bytes b;
    b.reserve(s.size() + 1);
    b.push_back(static_cast<std::uint8_t>(0xa0 | s.size()));
    for (char c : s) b.push_back(static_cast<std::uint8_t>(c));
    return b;
}

TEST(Decode, AcceptsNumbersAndFlagsOfAnyNumericType) {
    const auto m = dec({{"t", "vers"}, {"node", "a"}, {"version", 2.0}, {"cycle", 10},
                        {"gap", true}, {"nodes", std::uint64_t{3}}, {"splits", -1},
                        {"n_hosts", false}, {"force_in", 1}});
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->config.version, 2);
    EXPECT_EQ(m->config.cycle, 10.0);
    EXPECT_EQ(m->config.gap, 1.0);
    EXPECT_EQ(m->config.nodes, 3);
    EXPECT_EQ(m->config.splits, -1);
    EXPECT_EQ(m->config.n_hosts, 0);
    EXPECT_EQ(m->config.force_in, true);
    EXPECT_TRUE(dec({{"t", "vers"}, {"force_in", 0.0}})->config.force_in == false);
}

TEST(Decode, VersFieldsMayBeMissingButNotOfTheWrongType) {
    const auto m = dec({{"t", "vers"}, {"version", 5}});
    ASSERT_TRUE(m.ok());
    EXPECT_FALSE(m->node);
    EXPECT_EQ(m->config.version, 5);
    EXPECT_FALSE(m->config.cycle);
    EXPECT_FALSE(m->config.force_in);
    EXPECT_FALSE(dec({{"t", "vers"}, {"gap", "1.5"}}).ok());
    EXPECT_FALSE(dec({{"t", "vers"}, {"nodes", nullptr}}).ok());
    EXPECT_FALSE(dec({{"t", "vers"}, {"nodes", 2.5}}).ok());
    EXPECT_FALSE(dec({{"t", "vers"}, {"force_in", "yes"}}).ok());
}

TEST(Decode, TypeAndNodeRules) {
    EXPECT_FALSE(dec({{"node", "a"}}).ok());
    EXPECT_FALSE(dec({{"t", "pong"}, {"node", "a"}}).ok());
    EXPECT_FALSE(dec({{"t", 1}, {"node", "a"}}).ok());
    EXPECT_FALSE(dec({{"t", "init"}}).ok());
    EXPECT_FALSE(dec({{"t", "ping"}}).ok());
    EXPECT_FALSE(dec({{"t", "init"}, {"node", ""}}).ok());
    EXPECT_FALSE(dec({{"t", "init"}, {"node", 5}}).ok());
    EXPECT_FALSE(dec({{"t", "init"}, {"node", "\xff"}}).ok());
    EXPECT_FALSE(dec({{"t", "init"}, {"node", "\xc0\x80"}}).ok());      // overlong
    EXPECT_FALSE(dec({{"t", "init"}, {"node", "\xed\xa0\x80"}}).ok());  // surrogate
    EXPECT_TRUE(dec({{"t", "init"}, {"node", "h\xc3\xb6st-\xf0\x9f\x98\x80"}}).ok());
    const auto ping = dec({{"t", "ping"}, {"node", "a"}});
    ASSERT_TRUE(ping.ok());
    EXPECT_TRUE(ping->value.is_null());
    EXPECT_TRUE(ping->history.empty());
}

TEST(Decode, HistIgnoresANodeKeyAndNeedsAHistory) {
    const auto m = dec({{"t", "hist"}, {"node", "zz"}, {"value", 1}, {"history", {"a", "b"}}});
    ASSERT_TRUE(m.ok());
    EXPECT_FALSE(m->node);
    EXPECT_EQ(m->sender(), "a");
    EXPECT_FALSE(dec({{"t", "hist"}, {"value", 1}, {"history", json::array()}}).ok());
    // A broken node key on a hist is ignored too.
    EXPECT_TRUE(dec({{"t", "hist"}, {"node", 3}, {"history", {"a"}}}).ok());
}

TEST(Decode, HistoryRules) {
    EXPECT_FALSE(dec({{"t", "ping"}, {"node", "a"}, {"history", "a"}}).ok());
    EXPECT_FALSE(dec({{"t", "ping"}, {"node", "a"}, {"history", {"a", 1}}}).ok());
    EXPECT_FALSE(dec({{"t", "ping"}, {"node", "a"}, {"history", {"a", ""}}}).ok());
    json h = json::array();
    for (std::size_t i = 0; i < actor::max_wire_history; ++i) h.push_back("n");
    EXPECT_TRUE(dec({{"t", "ping"}, {"node", "a"}, {"history", h}}).ok());
    h.push_back("n");
    EXPECT_FALSE(dec({{"t", "ping"}, {"node", "a"}, {"history", h}}).ok());
}

TEST(Decode, IdIsTakenWhenANonNegativeInteger) {
    EXPECT_EQ(dec({{"t", "init"}, {"node", "a"}, {"id", 7}})->id, 7u);
    EXPECT_EQ(dec({{"t", "init"}, {"node", "a"}, {"id", std::numeric_limits<std::uint64_t>::max()}})->id,
              std::numeric_limits<std::uint64_t>::max());
    for (const json& odd : {json(-1), json("7"), json(7.0), json(nullptr)}) {
        const auto m = dec({{"t", "init"}, {"node", "a"}, {"id", odd}});
        ASSERT_TRUE(m.ok());
        EXPECT_FALSE(m->id) << odd.dump();
    }
}

TEST(Decode, IgnoresUnknownAndNonStringKeys) {
    // {1: 2, "t": "init", nil: [1], "node": "a", "_x": {}}: Python peers die
    // on such keys; we must not.
    const Bytes b = cat({{0x85, 0x01, 0x02}, str("t"), str("init"), {0xc0, 0x91, 0x01}, str("node"),
                         str("a"), str("_x"), {0x80}});
    const auto m = decode(b);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->node, "a");
}

TEST(Decode, ANonStringKeyInsideAValueDropsTheMessage) {
    const Bytes b = cat({{0x83}, str("t"), str("ping"), str("node"), str("a"), str("value"),
                         {0x81, 0x01, 0x02}});
    EXPECT_FALSE(decode(b).ok());
}

TEST(Decode, DuplicateKeysLastOneWins) {
    const Bytes b = cat({{0x83}, str("t"), str("init"), str("node"), str("a"), str("node"), str("b")});
    const auto m = decode(b);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->node, "b");
}

TEST(Decode, RejectsMalformedPayloads) {
    EXPECT_FALSE(decode(Bytes{}).ok());
    EXPECT_FALSE(decode(Bytes{0x92, 0x01, 0x02}).ok());  // not a map
    const Bytes good = json::to_msgpack({{"t", "init"}, {"node", "a"}});
    ASSERT_TRUE(decode(good).ok());
    Bytes trailing = good;
    trailing.push_back(0xc0);
    EXPECT_FALSE(decode(trailing).ok());
    EXPECT_FALSE(decode(Bytes(good.begin(), good.end() - 1)).ok());
    EXPECT_FALSE(decode(Bytes{0x81, 0xc1, 0xc0}).ok());  // reserved byte
    // Length prefixes that promise more than there is.
    EXPECT_FALSE(decode(Bytes{0xdf, 0xff, 0xff, 0xff, 0xff}).ok());
    EXPECT_FALSE(decode(cat({{0x82}, str("t"), str("ping"), str("value"), {0xdd, 0xff, 0xff, 0xff, 0xff}})).ok());
    EXPECT_FALSE(decode(cat({{0x82}, str("t"), str("ping"), str("value"), {0xc6, 0xff, 0xff, 0xff, 0xff}})).ok());
}

TEST(Decode, RejectsOversizeAndDeeplyNestedPayloads) {
    json big = {{"t", "ping"}, {"node", "a"}, {"value", std::string(actor::max_wire_size, 'x')}};
    EXPECT_FALSE(dec(big).ok());
    // 60000 nested arrays: must fail cleanly, not by exhausting the stack.
    Bytes deep = cat({{0x83}, str("t"), str("ping"), str("node"), str("a"), str("value")});
    deep.insert(deep.end(), 60000, 0x91);
    deep.push_back(0xc0);
    EXPECT_FALSE(decode(deep).ok());
    Bytes ok = cat({{0x83}, str("t"), str("ping"), str("node"), str("a"), str("value")});
    ok.insert(ok.end(), 30, 0x91);
    ok.push_back(0xc0);
    EXPECT_TRUE(decode(ok).ok());
}

TEST(Decode, ValuesOfEveryMsgpackType) {
    const Bytes f32 = cat({{0x83}, str("t"), str("ping"), str("node"), str("a"), str("value"),
                           {0xca, 0x3f, 0xc0, 0x00, 0x00}});
    EXPECT_EQ(decode(f32)->value, json(1.5));
    const Bytes ext = cat({{0x83}, str("t"), str("ping"), str("node"), str("a"), str("value"),
                           {0xd5, 0x05, 0xaa, 0xbb}});
    const auto m = decode(ext);
    ASSERT_TRUE(m.ok());
    ASSERT_TRUE(m->value.is_binary());
    EXPECT_EQ(m->value.get_binary().subtype(), 5u);
    // ext survives re-encoding byte for byte (our encoding adds history).
    const auto again = decode(encode(*m));
    EXPECT_TRUE(again.ok() && again->value == m->value);
    // Invalid UTF-8 in a value is kept as it is.
    const auto raw = dec({{"t", "ping"}, {"node", "a"}, {"value", "\xff\xfe"}});
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(raw->value.get<std::string>(), "\xff\xfe");
}

TEST(Encode, KeyOrderAndNumberForms) {
    actor::Config c;
    c.cycle = 2.5;
    c.gap = 1;
    c.force_in = true;
    const Bytes b = encode(Message::make_vers("n", c, 9));
    // t, node, version, cycle, gap, nodes, splits, n_hosts, force_in, id
    const Bytes want = cat({{0x8a}, str("t"), str("vers"), str("node"), str("n"), str("version"), {0x00},
                            str("cycle"), {0xcb, 0x40, 0x04, 0, 0, 0, 0, 0, 0}, str("gap"), {0x01},
                            str("nodes"), {0x05}, str("splits"), {0x04}, str("n_hosts"), {0x0a},
                            str("force_in"), {0xc3}, str("id"), {0x09}});
    EXPECT_EQ(b, want);
    // hist never has a node key, even if one is set.
    Message h = Message::make_hist(1, {"a"}, 1);
    h.node = "zz";
    EXPECT_EQ(json::from_msgpack(encode(h)), (json{{"t", "hist"}, {"value", 1}, {"history", {"a"}}, {"id", 1}}));
    // A ping always carries value and history.
    Message p;
    p.type = MsgType::ping;
    p.node = "a";
    EXPECT_EQ(json::from_msgpack(encode(p)),
              (json{{"t", "ping"}, {"node", "a"}, {"value", nullptr}, {"history", json::array()}}));
}

TEST(Encode, IntegerFormsMatchPythonMsgpack) {
    auto value_bytes = [](const json& v) {
        const Bytes b = encode(Message::make_hist(v, {"a"}, 0));
        // after 84 a1 74 a4 "hist" a5 "value"
        const std::size_t start = 1 + 2 + 5 + 6;
        return Bytes(b.begin() + start, b.end() - (8 + 1 + 2 + 3 + 1));  // history, [a], id 0
    };
    EXPECT_EQ(value_bytes(127), (Bytes{0x7f}));
    EXPECT_EQ(value_bytes(128), (Bytes{0xcc, 0x80}));
    EXPECT_EQ(value_bytes(-32), (Bytes{0xe0}));
    EXPECT_EQ(value_bytes(-33), (Bytes{0xd0, 0xdf}));
    EXPECT_EQ(value_bytes(65536), (Bytes{0xce, 0x00, 0x01, 0x00, 0x00}));
    EXPECT_EQ(value_bytes(-40000), (Bytes{0xd2, 0xff, 0xff, 0x63, 0xc0}));
    EXPECT_EQ(value_bytes(1.5), (Bytes{0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(value_bytes(std::string(40, 'x')).size(), 42u);  // str8
    EXPECT_EQ(value_bytes(std::string(40, 'x'))[0], 0xd9);
}

TEST(Encode, RoundTripsLongCollections) {
    // As long as the value cap allows: 1003 and 919 bytes.
    json v = json::array();
    for (int i = 0; i < 1000; ++i) v.push_back(i % 3);
    json m = json::object();
    for (int i = 0; i < 3; ++i) m["k" + std::to_string(i)] = std::string(300, 'y');
    std::vector<std::string> hist(actor::max_wire_history, "n");
    hist[0] = std::string(actor::max_name_size, 'a');
    for (const json& value : {v, m}) {
        const auto msg = Message::make_ping("a", value, hist, 1);
        const auto bytes = encode(msg);
        ASSERT_LE(bytes.size(), actor::max_wire_size);
        const auto back = decode(bytes);
        ASSERT_TRUE(back.ok()) << back.error().message;
        EXPECT_TRUE(*back == msg);
    }
}

// ---- size rules (issue 10) -------------------------------------------------

// A ping {t, node, value} whose value is the raw msgpack `value_bytes`.
Bytes ping_with_value(const Bytes& value_bytes) {
    return cat({{0x83}, str("t"), str("ping"), str("node"), str("a"), str("value"), value_bytes});
}

// A str16 value whose msgpack encoding is exactly `total` bytes.
Bytes str16_of_size(std::size_t total) {
    Bytes b = {0xda, static_cast<std::uint8_t>((total - 3) >> 8), static_cast<std::uint8_t>(total - 3)};
    b.insert(b.end(), total - 3, 'v');
    return b;
}

// An array16/32 of `n` empty maps.
Bytes empty_maps(std::size_t n) {
    Bytes b;
    if (n <= 0xffff) {
        b = {0xdc, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
    } else {
        b = {0xdd, static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
             static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
    }
    b.insert(b.end(), n, 0x80);
    return b;
}

TEST(DecodeLimits, ValueAtTheCapIsAcceptedOneByteOverIsNot) {
    static_assert(actor::max_value_size == 1024);
    const auto at = decode(ping_with_value(str16_of_size(actor::max_value_size)));
    ASSERT_TRUE(at.ok()) << at.error().message;
    EXPECT_EQ(at->value.get<std::string>().size(), actor::max_value_size - 3);
    const auto over = decode(ping_with_value(str16_of_size(actor::max_value_size + 1)));
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().message, "value too large: 1025 bytes, at most 1024");
    // The same for a hist, and for a message type that has no value field.
    for (const char* t : {"hist", "init"}) {
        const Bytes b = cat({{0x83}, str("t"), str(t), str("history"), {0x91}, str("a"), str("value"),
                             str16_of_size(actor::max_value_size + 1)});
        EXPECT_FALSE(decode(b).ok()) << t;
    }
    // Measured as it arrived: 1021 one-byte ints in a non-minimal form (cc
    // xx, two bytes each) are over the cap though re-encoded they would fit.
    Bytes wide = {0xdc, 0x03, 0xfd};
    for (int i = 0; i < 1021; ++i) wide.insert(wide.end(), {0xcc, 0x01});
    EXPECT_FALSE(decode(ping_with_value(wide)).ok());
    // A later duplicate does not excuse an earlier oversized value.
    const Bytes dup = cat({{0x84}, str("t"), str("ping"), str("node"), str("a"), str("value"),
                           str16_of_size(2000), str("value"), {0x01}});
    EXPECT_FALSE(decode(dup).ok());
}

TEST(DecodeLimits, NestedEmptyMapsAtTheCap) {
    // 3 bytes of header + 1021 empty maps = 1024 bytes: accepted, 1021 maps.
    const auto at = decode(ping_with_value(empty_maps(actor::max_value_size - 3)));
    ASSERT_TRUE(at.ok()) << at.error().message;
    ASSERT_TRUE(at->value.is_array());
    EXPECT_EQ(at->value.size(), actor::max_value_size - 3);
    EXPECT_TRUE(at->value[0].is_object() && at->value[0].empty());
    EXPECT_FALSE(decode(ping_with_value(empty_maps(actor::max_value_size - 2))).ok());
    // Maps nested 60 deep ({"": {"": ...}}) are within both the depth limit and the cap.
    Bytes deep;
    for (int i = 0; i < 60; ++i) deep.insert(deep.end(), {0x81, 0xa0});
    deep.push_back(0x80);
    const auto d = decode(ping_with_value(deep));
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_TRUE(d->value.contains(""));
    // The depth limit still holds for a value under the cap.
    Bytes too_deep;
    for (int i = 0; i < 100; ++i) too_deep.insert(too_deep.end(), {0x81, 0xa0});
    too_deep.push_back(0x80);
    EXPECT_FALSE(decode(ping_with_value(too_deep)).ok());
}

TEST(DecodeLimits, A64KiBPayloadOfEmptyMapsIsRejectedUnbuilt) {
    const std::size_t n = actor::max_wire_size - 64;
    const Bytes value = ping_with_value(empty_maps(n));
    ASSERT_LE(value.size(), actor::max_wire_size);
    const auto r = decode(value);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "value too large: " + std::to_string(n + 3) + " bytes, at most 1024");
    // Under a key we ignore, the same bytes are stepped over, not built.
    const Bytes ignored = cat({{0x83}, str("t"), str("init"), str("node"), str("a"), str("_x"), empty_maps(n)});
    ASSERT_LE(ignored.size(), actor::max_wire_size);
    EXPECT_TRUE(decode(ignored).ok());
    // No wall-clock bound here (tests assert behaviour): 200 rounds of both
    // took 2.47 s under ASan on a loaded machine and failed a 2 s bound.
}

TEST(DecodeLimits, VersionAboveInt64Saturates) {
    constexpr auto top = std::numeric_limits<std::int64_t>::max();
    for (const json& big : {json(std::numeric_limits<std::uint64_t>::max()),
                            json(std::uint64_t{1} << 63), json(1e19)}) {
        const auto m = dec({{"t", "vers"}, {"node", "a"}, {"version", big}});
        ASSERT_TRUE(m.ok()) << big.dump() << ": " << m.error().message;
        EXPECT_EQ(m->config.version, top) << big.dump();
    }
    EXPECT_EQ(dec({{"t", "vers"}, {"version", top}})->config.version, top);
    // Negative versions decode as they are (validation refuses them).
    EXPECT_EQ(dec({{"t", "vers"}, {"version", -5}})->config.version, -5);
    // Not a number, or infinite: still not an integer, the message is dropped.
    EXPECT_FALSE(dec({{"t", "vers"}, {"version", std::numeric_limits<double>::infinity()}}).ok());
    EXPECT_FALSE(dec({{"t", "vers"}, {"version", "9"}}).ok());
    // Only the version saturates: other integer fields beyond int64 drop
    // the message.
    for (const char* key : {"nodes", "splits", "n_hosts"}) {
        EXPECT_FALSE(dec({{"t", "vers"}, {key, std::numeric_limits<std::uint64_t>::max()}}).ok()) << key;
        EXPECT_FALSE(dec({{"t", "vers"}, {key, 1e19}}).ok()) << key;
    }
}

TEST(DecodeLimits, LongNamesAreRejected) {
    const std::string longest(actor::max_name_size, 'n'), too_long(actor::max_name_size + 1, 'n');
    EXPECT_TRUE(dec({{"t", "init"}, {"node", longest}}).ok());
    const auto r = dec({{"t", "init"}, {"node", too_long}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "node too long: 201 bytes, at most 200");
    EXPECT_FALSE(dec({{"t", "ping"}, {"node", too_long}}).ok());
    EXPECT_FALSE(dec({{"t", "vers"}, {"node", too_long}, {"version", 1}}).ok());
    EXPECT_TRUE(dec({{"t", "ping"}, {"node", "a"}, {"history", {"a", longest}}}).ok());
    EXPECT_FALSE(dec({{"t", "ping"}, {"node", "a"}, {"history", {"a", too_long}}}).ok());
    EXPECT_FALSE(dec({{"t", "hist"}, {"history", {too_long}}}).ok());
    // The bytes count, not the characters: 101 two-byte characters.
    std::string wide;
    for (int i = 0; i < 101; ++i) wide += "\xc3\xb6";
    EXPECT_FALSE(dec({{"t", "init"}, {"node", wide}}).ok());
    // A hist's node key is ignored, however long.
    EXPECT_TRUE(dec({{"t", "hist"}, {"node", too_long}, {"history", {"a"}}}).ok());
}

TEST(DecodeLimits, HistoryTooLongAndIgnoredKeys) {
    json h = json::array();
    for (std::size_t i = 0; i < actor::max_wire_history + 1; ++i) h.push_back(i % 2 ? "n" : "m");
    const auto r = dec({{"t", "ping"}, {"node", "a"}, {"history", h}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "history too long: 1025 entries, at most 1024");
    // A message type that has no history ignores the key, as before.
    EXPECT_TRUE(dec({{"t", "init"}, {"node", "a"}, {"history", h}}).ok());
    // A later, shorter history replaces it (last key wins).
    Bytes b = json::to_msgpack({{"t", "ping"}, {"node", "a"}, {"history", h}});
    b[0] = 0x84;  // one more key:
    b.insert(b.end(), {0xa7, 'h', 'i', 's', 't', 'o', 'r', 'y', 0x91, 0xa1, 'a'});
    const auto last = decode(b);
    ASSERT_TRUE(last.ok()) << last.error().message;
    EXPECT_EQ(last->history, std::vector<std::string>{"a"});
    // Containers where a scalar is wanted are refused as before, by type;
    // in keys we ignore they are stepped over, even maps with non-string keys.
    EXPECT_FALSE(dec({{"t", {{"x", 1}}}, {"node", "a"}}).ok());
    EXPECT_FALSE(dec({{"t", "init"}, {"node", json::array({"a"})}}).ok());
    EXPECT_FALSE(dec({{"t", "vers"}, {"version", json::array({1})}}).ok());
    EXPECT_FALSE(dec({{"t", "ping"}, {"node", "a"}, {"history", {{"a", 1}}}}).ok());
    EXPECT_FALSE(dec({{"t", "ping"}, {"node", "a"}, {"history", {"a", json::array({"b"})}}}).ok());
    const auto id = dec({{"t", "init"}, {"node", "a"}, {"id", json::array({7})}});
    ASSERT_TRUE(id.ok());
    EXPECT_FALSE(id->id);
    const Bytes odd = cat({{0x83}, str("t"), str("init"), str("node"), str("a"), str("_x"), {0x81, 0x01, 0x02}});
    EXPECT_TRUE(decode(odd).ok());
    // Stepping over still refuses broken msgpack and excessive depth.
    Bytes deep = cat({{0x83}, str("t"), str("init"), str("node"), str("a"), str("_x")});
    deep.insert(deep.end(), 100, 0x91);
    deep.push_back(0xc0);
    EXPECT_FALSE(decode(deep).ok());
    EXPECT_FALSE(decode(cat({{0x83}, str("t"), str("init"), str("node"), str("a"), str("_x"), {0xc1}})).ok());
    EXPECT_FALSE(decode(cat({{0x83}, str("t"), str("init"), str("node"), str("a"), str("_x"), {0xda, 0x00}})).ok());
}

TEST(ValueFootprint, CountsWhatADecodedValueHolds) {
    EXPECT_EQ(actor::value_footprint(json(1)), sizeof(json));
    EXPECT_EQ(actor::value_footprint(json("short")), actor::value_footprint(json("")));
    EXPECT_GT(actor::value_footprint(json(std::string(1000, 'x'))), 1000u);
    // 1021 empty maps: 1024 bytes on the wire, 64..96 bytes each in memory
    // (bench_peers measures about 80 per map with glibc).
    const auto maps = decode(ping_with_value(empty_maps(actor::max_value_size - 3)));
    ASSERT_TRUE(maps.ok());
    const std::size_t f = actor::value_footprint(maps->value);
    EXPECT_GE(f, 1021u * 64);
    EXPECT_LE(f, 1021u * 96);
    // Nested maps count every level; any depth is safe (no recursion).
    json deep = json::object();
    for (int i = 0; i < 100000; ++i) deep = json{{"k", std::move(deep)}};
    EXPECT_GT(actor::value_footprint(deep), 100000u * 64);
}

}  // namespace
