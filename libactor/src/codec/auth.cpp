// Authenticated groups (actor/auth.hpp): the key file, HMAC-SHA-256 from
// OpenSSL's libcrypto (pure computation), sealing and opening payloads.
#include "actor/auth.hpp"

#include "actor/base64.hpp"

#include "actor/codec.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include <algorithm>
#include <limits>

namespace actor {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

Result<GroupKeys> parse_group_keys(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        lines.push_back(trim(text.substr(0, nl)));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    if (lines.empty()) return Error{"holds no key"};
    if (lines.size() > 2) return Error{"holds more than two lines (one key, or two during a rotation)"};
    GroupKeys keys;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string where = "line " + std::to_string(i + 1) + " ";
        auto key = base64_decode(lines[i], Base64Padding::optional);
        if (!key) return Error{where + key.error().message};
        if (key->size() < min_group_key_bytes) {
            return Error{where + "decodes to " + std::to_string(key->size() * 8) + " bits; a group key needs " +
                         std::to_string(min_group_key_bytes * 8) + " at least"};
        }
        if (key->size() > max_group_key_bytes) {
            return Error{where + "decodes to more than " + std::to_string(max_group_key_bytes) + " bytes"};
        }
        keys.keys.push_back(std::move(*key));
    }
    return keys;
}

std::array<std::uint8_t, mac_bytes> hmac_sha256(std::span<const std::uint8_t> key,
                                                 std::span<const std::uint8_t> data) {
    std::array<std::uint8_t, mac_bytes> out{};
    unsigned int len = 0;
    static const std::uint8_t empty = 0;
    HMAC(EVP_sha256(), key.empty() ? &empty : key.data(), static_cast<int>(key.size()),
         data.empty() ? &empty : data.data(), data.size(), out.data(), &len);
    return out;
}

const char* to_string(Rejection r) {
    switch (r) {
    case Rejection::none: return "accepted";
    case Rejection::no_mac: return "no MAC";
    case Rejection::bad_mac: return "wrong MAC";
    case Rejection::malformed: return "malformed";
    case Rejection::stale: return "stale";
    case Rejection::future: return "from the future";
    case Rejection::replayed: return "replayed";
    case Rejection::crowded: return "too many senders";
    }
    return "?";
}

struct GroupAuth::Macs {
    std::vector<EVP_MAC_CTX*> keyed;  // one per key, or none (then one-shot HMAC)
    ~Macs() {
        for (auto* c : keyed) EVP_MAC_CTX_free(c);
    }
};

GroupAuth::GroupAuth(GroupKeys keys) : keys_(std::move(keys)) {
    auto macs = std::make_shared<Macs>();
    EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    bool ok = hmac != nullptr;
    for (const auto& key : keys_.keys) {
        if (!ok) break;
        EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(hmac);
        char digest[] = "SHA256";
        const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                     OSSL_PARAM_construct_end()};
        ok = ctx != nullptr && EVP_MAC_init(ctx, key.data(), key.size(), params) == 1;
        if (ctx) macs->keyed.push_back(ctx);
    }
    EVP_MAC_free(hmac);
    if (!ok) {
        for (auto* ctx : macs->keyed) EVP_MAC_CTX_free(ctx);
        macs->keyed.clear();
    }
    macs_ = std::move(macs);
}

std::array<std::uint8_t, mac_bytes> GroupAuth::mac_with(std::size_t key, std::span<const std::uint8_t> data) const {
    if (key < macs_->keyed.size()) {
        std::array<std::uint8_t, mac_bytes> out{};
        EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(macs_->keyed[key]);
        std::size_t len = 0;
        const bool ok = ctx && EVP_MAC_update(ctx, data.data(), data.size()) == 1 &&
                        EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == mac_bytes;
        EVP_MAC_CTX_free(ctx);
        if (ok) return out;
    }
    if (key >= keys_.keys.size()) return {};  // no keys at all: nothing verifies
    return hmac_sha256(keys_.keys[key], data);
}

std::vector<std::uint8_t> GroupAuth::seal(std::span<const std::uint8_t> encoded, WallMs now) {
    const auto entries = wire_entries(encoded);
    if (!entries) return {encoded.begin(), encoded.end()};  // not ours: never happens
    const std::size_t n = entries->size();
    const auto body = encoded.subspan(n ? entries->front().begin : encoded.size());
    // The clock as it is: held at a high-water mark, a clock stepped
    // forward and back would be "from the future" for everyone until it
    // caught up. The receivers' rule needs no order of ts (ReplayGuard).
    const auto ts = static_cast<std::uint64_t>(std::max<WallMs>(now, 1));
    const std::uint64_t seq = ++seq_;

    std::vector<std::uint8_t> tail;
    append_str(tail, "ts");
    append_uint(tail, ts);
    append_str(tail, "seq");
    append_uint(tail, seq);

    std::vector<std::uint8_t> out;
    out.reserve(encoded.size() + seal_overhead);
    append_map_header(out, n + 2);
    out.insert(out.end(), body.begin(), body.end());
    out.insert(out.end(), tail.begin(), tail.end());
    const auto mac = mac_with(0, out);

    std::vector<std::uint8_t> wire;
    wire.reserve(out.size() + 40);
    append_map_header(wire, n + 3);
    wire.insert(wire.end(), body.begin(), body.end());
    wire.insert(wire.end(), tail.begin(), tail.end());
    append_str(wire, "mac");
    wire.push_back(0xc4);
    wire.push_back(static_cast<std::uint8_t>(mac_bytes));
    wire.insert(wire.end(), mac.begin(), mac.end());
    return wire;
}

GroupAuth::Opened GroupAuth::open(std::span<const std::uint8_t> payload, WallMs now) {
    Opened r;
    const auto reject = [&](Rejection why, std::string detail = {}) {
        r.rejection = why;
        r.detail = std::move(detail);
        return r;
    };
    auto entries = wire_entries(payload);
    if (!entries) return reject(Rejection::malformed, entries.error().text());

    const WireEntry* mac = nullptr;
    const WireEntry* ts = nullptr;
    const WireEntry* seq = nullptr;
    for (const auto& e : *entries) {
        const WireEntry** slot = e.key == "mac" ? &mac : e.key == "ts" ? &ts : e.key == "seq" ? &seq : nullptr;
        if (!slot) continue;
        // A second copy could make the signed bytes and the decoded ones differ.
        if (*slot) return reject(Rejection::malformed, "key " + e.key + " twice");
        *slot = &e;
    }
    if (!mac) return reject(Rejection::no_mac);
    const auto mac_value = payload.subspan(mac->value, mac->end - mac->value);
    if (mac_value.size() != 2 + mac_bytes || mac_value[0] != 0xc4 || mac_value[1] != mac_bytes) {
        return reject(Rejection::no_mac);
    }

    // The signed bytes: the payload without the mac entry, one entry fewer.
    std::vector<std::uint8_t> signed_bytes;
    signed_bytes.reserve(payload.size());
    append_map_header(signed_bytes, entries->size() - 1);
    const std::size_t first = entries->front().begin;
    signed_bytes.insert(signed_bytes.end(), payload.begin() + static_cast<std::ptrdiff_t>(first),
                        payload.begin() + static_cast<std::ptrdiff_t>(mac->begin));
    signed_bytes.insert(signed_bytes.end(), payload.begin() + static_cast<std::ptrdiff_t>(mac->end), payload.end());
    bool authentic = false;
    for (std::size_t key = 0; key < keys_.keys.size(); ++key) {
        const auto want = mac_with(key, signed_bytes);
        if (CRYPTO_memcmp(want.data(), mac_value.data() + 2, mac_bytes) == 0) authentic = true;
    }
    if (!authentic) return reject(Rejection::bad_mac);

    auto msg = decode(payload);
    if (!msg) return reject(Rejection::malformed, msg.error().text());
    const auto field = [](const WireEntry* e) -> std::uint64_t {  // 0: absent or not a uint
        return e ? e->uint.value_or(0) : 0;
    };
    const std::uint64_t ts_v = field(ts), seq_v = field(seq);
    if (!msg->id || ts_v == 0 || seq_v == 0 || ts_v > static_cast<std::uint64_t>(std::numeric_limits<WallMs>::max())) {
        return reject(Rejection::malformed, "without id, ts or seq");
    }
    switch (guard_.check(*msg->id, seq_v, static_cast<WallMs>(ts_v), now)) {
    case ReplayVerdict::fresh: break;
    case ReplayVerdict::stale: return reject(Rejection::stale);
    case ReplayVerdict::future: return reject(Rejection::future);
    case ReplayVerdict::replayed: return reject(Rejection::replayed);
    case ReplayVerdict::crowded: return reject(Rejection::crowded);
    }
    r.message = std::move(*msg);
    return r;
}

}  // namespace actor
