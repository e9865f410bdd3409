#pragma once
// msgpack <-> Message, wire-compatible with asyncactor 0.24 (docs/PROTOCOL.md,
// wire-vectors.json). Decoding never throws: garbage gives an Error.
#include "actor/message.hpp"
#include "actor/result.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace actor {

// Largest payload we decode at all; anything longer is rejected unread.
inline constexpr std::size_t max_wire_size = 64 * 1024;
// Largest history we accept from the wire (names beyond are an error): as
// many entries as the largest `splits` a valid config allows (max_splits),
// so the ping of any valid group fits.
inline constexpr std::size_t max_wire_history = 1024;
// Largest msgpack encoding of a message's `value`, in bytes, as it arrives
// (measured on the wire, not re-encoded). A larger one makes the message
// malformed: it is dropped. This bounds what a value can decode to (about
// a thousand empty maps, not 64 K of them) and so the value map's memory.
inline constexpr std::size_t max_value_size = 1024;
// Longest name (a node's name, a history entry) in bytes, the same bound
// as actor's --name; a longer one makes the message malformed.
inline constexpr std::size_t max_name_size = 200;

Result<Message> decode(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> encode(const Message& m);

// One top-level entry of a payload's map, by byte offsets into it: the
// key starts at `begin`, its value at `value`, the next entry at `end`.
// `key` is the key's text when it is a msgpack str, else empty.
struct WireEntry {
    std::string key;
    std::size_t begin = 0, value = 0, end = 0;
    std::optional<std::uint64_t> uint;  // the value, when a non-negative integer
};
// The entries of a payload that is one well-formed msgpack map (the
// decoder's size and depth bounds), in wire order; nothing is built.
Result<std::vector<WireEntry>> wire_entries(std::span<const std::uint8_t> bytes);

// Append msgpack in the shortest forms encode() writes (the group seal,
// actor/auth.hpp, adds entries to an encoded map with these).
void append_map_header(std::vector<std::uint8_t>& out, std::size_t n);
void append_uint(std::vector<std::uint8_t>& out, std::uint64_t v);
void append_str(std::vector<std::uint8_t>& out, std::string_view s);

// About the heap bytes a value holds once decoded (nlohmann's nodes,
// strings, containers, and malloc's own overhead per block), for tables
// bounded in bytes: a value at max_value_size can hold far more than its
// wire size (1021 empty maps: 1024 bytes on the wire, about 80 KiB in
// memory). Iterative: any depth is safe.
std::size_t value_footprint(const Value& v);

}  // namespace actor
