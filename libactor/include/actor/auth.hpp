#pragma once
// Authenticated groups (docs/PROTOCOL.md "Authenticated groups", actor(7)
// THREAT MODEL): every message a keyed node sends carries, in extra map
// keys that 0.24 ignores,
//   ts   the sender's wall clock, ms since the Unix epoch, as it is (a
//        step back is harmless: seq orders a sender's messages),
//   seq  1, 2, 3, ... per process, over all its messages,
//   mac  bin 32: HMAC-SHA-256 with the group key over the payload without
//        the mac entry, its map header rewritten in the shortest form for
//        one entry fewer (the other entries' bytes exactly as sent).
// A keyed receiver accepts a payload only when its mac verifies with one
// of its keys, it decodes, and (id, seq, ts) pass the ReplayGuard
// (actor/replay.hpp). Pure: the wall time is passed in.
#include "actor/message.hpp"
#include "actor/replay.hpp"
#include "actor/result.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace actor {

// A group key decodes to at least 128 bits (and at most 1 KiB).
inline constexpr std::size_t min_group_key_bytes = 16;
inline constexpr std::size_t max_group_key_bytes = 1024;
inline constexpr std::size_t mac_bytes = 32;
// The most that sealing adds to a message: "ts" and a uint64 (12 bytes),
// "seq" and a uint64 (13), "mac" and a bin 8 of 32 (38). Our messages have
// at most 10 entries, so the map header stays one byte.
inline constexpr std::size_t seal_overhead = 63;

using KeyBytes = std::vector<std::uint8_t>;

struct GroupKeys {
    // keys[0] signs; every key verifies (one or two: a key rotation).
    std::vector<KeyBytes> keys;
};

// A key file's text: line 1 the signing key, an optional line 2 a second
// key that verifies too, each base64 of at least min_group_key_bytes.
// Blank lines at the end are allowed. Errors never quote a key.
Result<GroupKeys> parse_group_keys(std::string_view text);

std::array<std::uint8_t, mac_bytes> hmac_sha256(std::span<const std::uint8_t> key,
                                                 std::span<const std::uint8_t> data);

enum class Rejection {
    none,
    no_mac,     // no mac key, or not a bin of 32 bytes
    bad_mac,    // no key of ours made it
    malformed,  // not a map, or authentic but not a message (or no id/ts/seq)
    stale,      // ts too old (a replay, or a clock behind by more than the window)
    future,     // ts too far ahead
    replayed,   // this (id, seq) was taken before
    crowded,    // too many senders kept
};
const char* to_string(Rejection r);

class GroupAuth {
public:
    // `keys` as parse_group_keys() gives them (one or two).
    explicit GroupAuth(GroupKeys keys);

    // `encoded` (a map, from encode()) with ts, seq and mac added.
    std::vector<std::uint8_t> seal(std::span<const std::uint8_t> encoded, WallMs now);

    struct Opened {
        std::optional<Message> message;  // set when accepted
        Rejection rejection = Rejection::none;
        std::string detail;  // for malformed: why
    };
    // The message of `payload` if it is authentic and fresh at `now`.
    Opened open(std::span<const std::uint8_t> payload, WallMs now);

    std::size_t keys() const { return keys_.keys.size(); }

private:
    GroupKeys keys_;
    // One HMAC context per key, keyed once (OpenSSL's EVP_MAC; opaque
    // here): each message copies one instead of setting the key up again.
    struct Macs;
    std::shared_ptr<const Macs> macs_;
    std::array<std::uint8_t, mac_bytes> mac_with(std::size_t key, std::span<const std::uint8_t> data) const;
    ReplayGuard guard_;
    std::uint64_t seq_ = 0;
};

}  // namespace actor
