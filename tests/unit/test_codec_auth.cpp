// Authenticated groups (actor/auth.hpp, docs/PROTOCOL.md "Authenticated
// groups"): HMAC known vectors, the key file, sealing and opening, every bit
// flip and truncation refused, key rotation, replays.
#include "actor/auth.hpp"
#include "actor/codec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using actor::GroupAuth;
using actor::GroupKeys;
using actor::Message;
using actor::Rejection;
using Bytes = std::vector<std::uint8_t>;

Bytes bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string hex(std::span<const std::uint8_t> b) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (auto c : b) out += d[c >> 4], out += d[c & 15];
    return out;
}

Bytes unhex(std::string_view h) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    return out;
}

constexpr const char* key_a = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";  // bytes 0..31
constexpr const char* key_b = "qqqqqqqqqqqqqqqqqqqqqg==";                      // 16 bytes of 0xaa

GroupKeys keys(const std::string& text) {
    auto k = actor::parse_group_keys(text);
    EXPECT_TRUE(k.ok()) << k.error().text();
    return *k;
}

constexpr actor::WallMs t0 = 1'700'000'000'000;

TEST(Hmac, Rfc4231Vectors) {
    // RFC 4231 test cases 1 and 2.
    EXPECT_EQ(hex(actor::hmac_sha256(Bytes(20, 0x0b), bytes("Hi There"))),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    EXPECT_EQ(hex(actor::hmac_sha256(bytes("Jefe"), bytes("what do ya want for nothing?"))),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(GroupKeyFile, OneOrTwoKeysOfAtLeast128Bits) {
    EXPECT_EQ(keys(std::string(key_a) + "\n").keys.size(), 1u);
    const auto two = keys(std::string(key_b) + "\r\n" + key_a + "\n\n");
    ASSERT_EQ(two.keys.size(), 2u);
    EXPECT_EQ(two.keys[0], Bytes(16, 0xaa));
    EXPECT_TRUE(actor::parse_group_keys("AAECAwQFBgcICQoLDA0ODw\n").ok());  // 16 bytes: enough
    const auto r = actor::parse_group_keys("AAECAwQFBgcICQoLDA0O\n");  // 15 bytes
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().text().find("120 bits"), std::string::npos) << r.error().text();
    EXPECT_EQ(r.error().text().find("AAEC"), std::string::npos) << "never quote the key";
    EXPECT_FALSE(actor::parse_group_keys("").ok());
    EXPECT_FALSE(actor::parse_group_keys("\n\n").ok());
    EXPECT_FALSE(actor::parse_group_keys(std::string(key_a) + "\n" + key_a + "\n" + key_a).ok());
    const auto bad = actor::parse_group_keys(std::string(key_a) + "\nnot base64 at all!\n");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().text().find("line 2"), std::string::npos);
    EXPECT_EQ(bad.error().text().find("not base64 at"), std::string::npos) << "never quote the key";
}

TEST(Seal, KnownVector) {
    // Computed independently (Python hmac over the bytes PROTOCOL.md names).
    GroupAuth a(keys(key_a));
    const auto wire = a.seal(actor::encode(Message::make_init("a", 7)), t0);
    EXPECT_EQ(hex(wire),
              "86a174a4696e6974a46e6f6465a161a2696407a27473cf0000018bcfe56800a373657101a36d6163c420"
              "6f23ef1bc1d4709b3fb814ccb016394db5ab72ce102b30ceaf5cf9767cf2ae57");
    GroupAuth b(keys(key_a));
    const auto opened = b.open(wire, t0 + 50);
    ASSERT_TRUE(opened.message) << actor::to_string(opened.rejection);
    EXPECT_EQ(*opened.message, Message::make_init("a", 7));
}

TEST(Seal, UnkeyedReadersDecodeTheSameMessage) {
    GroupAuth a(keys(key_a));
    const auto m = Message::make_ping("n1", actor::Value("x"), {"n1", "n2"}, 1234567);
    const auto wire = a.seal(actor::encode(m), t0);
    const auto plain = actor::decode(wire);
    ASSERT_TRUE(plain.ok()) << plain.error().text();
    EXPECT_EQ(*plain, m);
    EXPECT_LE(wire.size(), actor::encode(m).size() + actor::seal_overhead);
}

TEST(Seal, OverheadBoundHoldsForTheLargestFields) {
    GroupAuth a(keys(key_a));
    actor::Config c;
    const auto vers = actor::encode(Message::make_vers("n", c, UINT64_MAX));
    const auto wire = a.seal(vers, INT64_MAX);
    EXPECT_EQ(wire.size(), vers.size() + actor::seal_overhead - 8);  // seq 1 is one byte, not nine
}

TEST(Open, EveryBitFlipAndTruncationIsRefused) {
    GroupAuth a(keys(key_a));
    const auto m = Message::make_ping("n1", actor::Value(3), {"n1", "n2"}, 99);
    const auto wire = a.seal(actor::encode(m), t0);
    for (std::size_t i = 0; i < wire.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto bad = wire;
            bad[i] ^= static_cast<std::uint8_t>(1u << bit);
            GroupAuth b(keys(key_a));
            const auto r = b.open(bad, t0);
            EXPECT_FALSE(r.message) << "flip of bit " << bit << " of byte " << i;
        }
    }
    for (std::size_t n = 0; n < wire.size(); ++n) {
        GroupAuth b(keys(key_a));
        EXPECT_FALSE(b.open(std::span(wire).first(n), t0).message) << "truncated to " << n;
    }
    GroupAuth b(keys(key_a));
    EXPECT_TRUE(b.open(wire, t0).message);
}

TEST(Open, RefusesNoMacWrongKeyAndDoubledKeys) {
    GroupAuth a(keys(key_a));
    GroupAuth b(keys(key_b));
    const auto m = Message::make_init("x", 5);
    EXPECT_EQ(b.open(actor::encode(m), t0).rejection, Rejection::no_mac);
    EXPECT_EQ(b.open(a.seal(actor::encode(m), t0), t0).rejection, Rejection::bad_mac);
    // A mac that is not a bin of 32.
    auto wire = a.seal(actor::encode(m), t0);
    wire.back() = 0;  // still 32 bytes, wrong
    EXPECT_EQ(b.open(wire, t0).rejection, Rejection::bad_mac);
    // An unsealed payload with a second "ts" after the sealed part could
    // make signed and decoded bytes differ: refused as malformed.
    auto sealed = a.seal(actor::encode(m), t0);
    sealed[0] = static_cast<std::uint8_t>(sealed[0] + 1);
    for (auto c : Bytes{0xa2, 't', 's', 0x01}) sealed.push_back(c);
    GroupAuth c(keys(key_a));
    EXPECT_EQ(c.open(sealed, t0).rejection, Rejection::malformed);
    EXPECT_EQ(c.open(Bytes{0x01, 0x02}, t0).rejection, Rejection::malformed);
}

TEST(Open, RotationFirstSignsBothVerify) {
    GroupAuth old_only(keys(key_a));
    GroupAuth rolling(keys(std::string(key_b) + "\n" + key_a));  // signs B, verifies A and B
    GroupAuth new_only(keys(key_b));
    const auto m = Message::make_init("r", 1);
    GroupAuth reader_ab(keys(std::string(key_a) + "\n" + key_b));
    EXPECT_TRUE(reader_ab.open(old_only.seal(actor::encode(m), t0), t0).message);
    EXPECT_TRUE(reader_ab.open(rolling.seal(actor::encode(Message::make_init("r", 2)), t0), t0).message);
    GroupAuth reader_a(keys(key_a));
    EXPECT_EQ(reader_a.open(new_only.seal(actor::encode(m), t0), t0).rejection, Rejection::bad_mac);
    EXPECT_TRUE(rolling.open(new_only.seal(actor::encode(Message::make_init("r", 3)), t0), t0).message);
}

TEST(Open, ReplaysAndStaleMessagesAreRefused) {
    GroupAuth a(keys(key_a));
    GroupAuth b(keys(key_a));
    const auto first = a.seal(actor::encode(Message::make_ping("p", actor::Value(1), {"p"}, 42)), t0);
    const auto second = a.seal(actor::encode(Message::make_ping("p", actor::Value(1), {"p"}, 42)), t0 + 10);
    EXPECT_TRUE(b.open(first, t0 + 5).message);
    EXPECT_EQ(b.open(first, t0 + 10'000).rejection, Rejection::replayed);
    EXPECT_TRUE(b.open(second, t0 + 10'000).message);
    EXPECT_EQ(b.open(second, t0 + 10'001).rejection, Rejection::replayed);
    // A receiver that never saw them: stale once past the window.
    GroupAuth c(keys(key_a));
    EXPECT_EQ(c.open(first, t0 + actor::replay_window_ms + 1).rejection, Rejection::stale);
    EXPECT_EQ(c.open(second, t0 - actor::replay_window_ms).rejection, Rejection::future);
}

TEST(Seal, AClockSteppedBackIsHarmless) {
    GroupAuth a(keys(key_a));
    GroupAuth b(keys(key_a));
    const auto m1 = a.seal(actor::encode(Message::make_init("s", 9)), t0 + 1000);
    const auto m2 = a.seal(actor::encode(Message::make_init("s", 9)), t0);  // clock stepped back
    EXPECT_TRUE(b.open(m1, t0 + 1000).message);
    EXPECT_TRUE(b.open(m2, t0 + 1000).message);  // a higher seq with a lower ts
    EXPECT_EQ(b.open(m1, t0 + 1000).rejection, Rejection::replayed);
    EXPECT_EQ(b.open(m2, t0 + 1000).rejection, Rejection::replayed);
    // Forgotten after the window of the newest ts taken: both stale then.
    GroupAuth c(keys(key_a));
    const auto late = t0 + 1000 + actor::replay_window_ms + 1;
    EXPECT_EQ(c.open(m1, late).rejection, Rejection::stale);
    EXPECT_EQ(c.open(m2, late).rejection, Rejection::stale);
}

TEST(Open, GoldenWireFromAnotherImplementation) {
    // The known vector, opened from bytes (not from our sealer).
    GroupAuth b(keys(key_a));
    const auto wire = unhex(
        "86a174a4696e6974a46e6f6465a161a2696407a27473cf0000018bcfe56800a373657101a36d6163c420"
        "6f23ef1bc1d4709b3fb814ccb016394db5ab72ce102b30ceaf5cf9767cf2ae57");
    EXPECT_TRUE(b.open(wire, t0).message);
}

}  // namespace
