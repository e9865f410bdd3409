#pragma once
// Messages against a channel's size limit (transport payload_limit()):
// checked before they bite, not refused by the channel turn after turn.
#include "actor/config.hpp"
#include "actor/message.hpp"
#include "actor/value.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace actor {

// Drops history entries from the end (the oldest) until encode(ping) is at
// most `limit` bytes, keeping at least the first entry (the sender). True
// when the ping fits then (possibly untouched); false when even the
// one-entry ping does not fit (the history is left with that one entry).
bool fit_history(Message& ping, std::size_t limit);

// Whether this node's messages can travel at all: its init, its vers (for
// `c`) and its smallest ping (history [name], an id of the widest 64-bit
// encoding, `value`) must each be at most `limit` bytes. A refusal's
// subject is what to change ("name" or "value"), its message the size and
// the limit, e.g. "the smallest ping is 612 bytes; Serf carries at most 458
// bytes for this group". `channel` names the transport ("Serf",
// "MQTT"). A value whose encoding exceeds max_value_size (actor/codec.hpp)
// is refused too, after the channel's limit: every receiver would drop its
// pings as malformed.
Status check_fits(const std::string& name, const Value& value, const Config& c, std::size_t limit,
                  std::string_view channel = "the channel");

}  // namespace actor
