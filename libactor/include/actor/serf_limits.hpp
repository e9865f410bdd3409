#pragma once
// Serf caps a user event's name + payload at 512 bytes, and its own
// encoding costs about 30 more (docs/SERF-RPC.md section 7: 479..482 usable,
// measured). We refuse anything above this budget locally, with a message
// naming the sizes, so the agent's grey zone is never reached.
#include <cstddef>

namespace actor {
inline constexpr std::size_t serf_event_budget = 470;
}  // namespace actor
