// The shared wire vectors (tests/data/wire-vectors.json, a copy of
// /work/shared/wire-vectors.json): every good vector decodes and re-encodes
// to an equivalent map; every bad one is an Error; no mutation of any of
// them crashes or throws.
#include "actor/codec.hpp"
#include "actor/value.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#ifndef ACTOR_TEST_DATA_DIR
#define ACTOR_TEST_DATA_DIR "tests/data"
#endif

namespace {

using actor::Value;

struct Vector {
    std::string name;
    std::vector<std::uint8_t> bytes;
    nlohmann::json decoded;
};

std::vector<std::uint8_t> unhex(const std::string& hex) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

const std::vector<Vector>& vectors() {
    static const std::vector<Vector> v = [] {
        std::ifstream in(std::string(ACTOR_TEST_DATA_DIR) + "/wire-vectors.json");
        const auto j = nlohmann::json::parse(in);
        std::vector<Vector> out;
        for (const auto& e : j) {
            out.push_back({e.at("name").get<std::string>(), unhex(e.at("hex").get<std::string>()),
                           e.at("decoded")});
        }
        return out;
    }();
    return v;
}

bool is_bad(const Vector& v) {
    return v.name.rfind("bad-", 0) == 0;
}

// A decoded map (nlohmann's reading of the bytes) restricted to the keys we
// know, with force_in as a bool, so that 0 and false, 10 and 10.0 match.
nlohmann::json known_fields(const nlohmann::json& m) {
    static const char* keys[] = {"t", "node", "version", "cycle", "gap", "nodes", "splits",
                                 "n_hosts", "force_in", "value", "history", "id"};
    nlohmann::json out = nlohmann::json::object();
    for (const char* k : keys) {
        if (!m.contains(k)) continue;
        out[k] = m.at(k);
        if (std::string(k) == "force_in" && !out[k].is_boolean()) out[k] = out[k] != 0;
    }
    return out;
}

// Field by field; numbers and values by the protocol's equality.
void expect_equivalent(const nlohmann::json& want, const nlohmann::json& got, const std::string& name) {
    nlohmann::json w = known_fields(want), g = known_fields(got);
    // A ping without value/history is re-encoded with null and [].
    if (w.value("t", "") == "ping") {
        if (!w.contains("value")) w["value"] = nullptr;
        if (!w.contains("history")) w["history"] = nlohmann::json::array();
    }
    ASSERT_EQ(w.size(), g.size()) << name << ": " << w.dump() << " vs " << g.dump();
    for (auto it = w.begin(); it != w.end(); ++it) {
        ASSERT_TRUE(g.contains(it.key())) << name << " lacks " << it.key();
        EXPECT_TRUE(actor::values_equal(it.value(), g.at(it.key())))
            << name << "." << it.key() << ": " << it.value().dump() << " vs " << g.at(it.key()).dump();
    }
}

TEST(WireVectors, LoadedAll) {
    EXPECT_GE(vectors().size(), 27u);
}

TEST(WireVectors, GoodVectorsRoundTrip) {
    for (const auto& v : vectors()) {
        if (is_bad(v)) continue;
        SCOPED_TRACE(v.name);
        const auto m = actor::decode(v.bytes);
        ASSERT_TRUE(m.ok()) << m.error().message;
        // nlohmann reads these vectors fine (string keys only): use it as
        // an independent reading of both the vector and our encoding.
        const auto original = nlohmann::json::from_msgpack(v.bytes);
        const auto bytes = actor::encode(*m);
        const auto again = nlohmann::json::from_msgpack(bytes);
        expect_equivalent(original, again, v.name);
        if (!v.decoded.is_null()) expect_equivalent(v.decoded, again, v.name + " (decoded)");
        // Decoding our own encoding gives the same message.
        const auto m2 = actor::decode(bytes);
        ASSERT_TRUE(m2.ok()) << m2.error().message;
        EXPECT_TRUE(*m2 == *m);
        EXPECT_EQ(actor::encode(*m2), bytes);
    }
}

TEST(WireVectors, OurPreferredFormsAreByteExact) {
    // Vectors whose bytes are in our key order and number forms.
    for (const char* name : {"init", "vers-defaults", "ping-first", "ping-chain", "ping-null-value",
                             "ping-float-value", "ping-str-value", "ping-big-int", "ping-neg-int",
                             "hist", "ping-bin-value", "ping-with-id"}) {
        for (const auto& v : vectors()) {
            if (v.name != name) continue;
            const auto m = actor::decode(v.bytes);
            ASSERT_TRUE(m.ok()) << name;
            EXPECT_EQ(actor::encode(*m), v.bytes) << name;
        }
    }
}

TEST(WireVectors, SpecificDecodings) {
    for (const auto& v : vectors()) {
        const auto m = actor::decode(v.bytes);
        if (v.name == "vers-defaults-0.24") {
            ASSERT_TRUE(m.ok());
            EXPECT_EQ(m->config.force_in, false);
            EXPECT_EQ(m->config.cycle, 10.0);
            EXPECT_EQ(m->config.apply_to(actor::Config{}), actor::Config{});
        } else if (v.name == "vers-no-node") {
            ASSERT_TRUE(m.ok());
            EXPECT_FALSE(m->node);
            EXPECT_EQ(m->config.version, 3);
        } else if (v.name == "hist") {
            ASSERT_TRUE(m.ok());
            EXPECT_EQ(m->sender(), "c_3");
        } else if (v.name == "ping-bin-value") {
            ASSERT_TRUE(m.ok());
            ASSERT_TRUE(m->value.is_binary());
            EXPECT_EQ(static_cast<const std::vector<std::uint8_t>&>(m->value.get_binary()),
                      (std::vector<std::uint8_t>{0x00, 0x01, 0xff}));
        } else if (v.name == "ping-with-id") {
            ASSERT_TRUE(m.ok());
            EXPECT_EQ(m->id, 1234567890123u);
        } else if (v.name == "ping-no-value-history") {
            ASSERT_TRUE(m.ok());
            EXPECT_TRUE(m->value.is_null());
            EXPECT_TRUE(m->history.empty());
        }
    }
}

TEST(WireVectors, BadVectorsAreErrors) {
    int bad = 0;
    for (const auto& v : vectors()) {
        if (!is_bad(v)) continue;
        ++bad;
        const auto m = actor::decode(v.bytes);
        EXPECT_FALSE(m.ok()) << v.name;
        if (!m.ok()) {
            EXPECT_FALSE(m.error().message.empty()) << v.name;
        }
    }
    EXPECT_GE(bad, 8);
}

// Every outcome is fine except a crash or an exception; a success must
// re-encode and decode again.
void survive(const std::vector<std::uint8_t>& bytes) {
    try {
        const auto m = actor::decode(bytes);
        if (m.ok()) {
            const auto again = actor::decode(actor::encode(*m));
            ASSERT_TRUE(again.ok()) << again.error().message;
        }
    } catch (...) {
        FAIL() << "decode threw";
    }
}

TEST(WireVectorsFuzz, TruncationsAndBitFlipsNeverCrash) {
    const std::uint64_t seed = std::random_device{}();
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    for (const auto& v : vectors()) {
        SCOPED_TRACE(v.name);
        for (std::size_t n = 0; n <= v.bytes.size(); ++n) {
            survive({v.bytes.begin(), v.bytes.begin() + static_cast<std::ptrdiff_t>(n)});
        }
        if (v.bytes.empty()) continue;
        std::uniform_int_distribution<std::size_t> pos(0, v.bytes.size() - 1);
        std::uniform_int_distribution<int> bit(0, 7), flips(1, 4);
        for (int i = 0; i < 2000; ++i) {
            auto b = v.bytes;
            for (int f = flips(rng); f > 0; --f) b[pos(rng)] ^= static_cast<std::uint8_t>(1 << bit(rng));
            survive(b);
        }
        for (int i = 0; i < 200; ++i) {  // random bytes spliced in
            auto b = v.bytes;
            b[pos(rng)] = static_cast<std::uint8_t>(rng());
            b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos(rng)), static_cast<std::uint8_t>(rng()));
            survive(b);
        }
    }
}

TEST(WireVectorsFuzz, RandomBytesNeverCrash) {
    const std::uint64_t seed = std::random_device{}();
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> len(0, 64);
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> b(static_cast<std::size_t>(len(rng)));
        for (auto& x : b) x = static_cast<std::uint8_t>(rng());
        if (!b.empty() && i % 2 == 0) b[0] = static_cast<std::uint8_t>(0x80 | (rng() & 0x0f));  // a map
        survive(b);
    }
}

}  // namespace
