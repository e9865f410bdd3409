#pragma once
// msgpack <-> Message, wire-compatible with asyncactor 0.24 (PROTOCOL.md,
// wire-vectors.json). Decoding never throws: garbage gives an Error.
#include "actor/message.hpp"
#include "actor/result.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace actor {

// Largest payload we decode at all; anything longer is rejected unread.
inline constexpr std::size_t max_wire_size = 64 * 1024;
// Largest history we accept from the wire (names beyond are an error).
inline constexpr std::size_t max_wire_history = 1024;

Result<Message> decode(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> encode(const Message& m);

}  // namespace actor
