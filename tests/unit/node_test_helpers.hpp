#pragma once
// What the hand-driven Node tests share (test_core_node*.cpp): the config
// they run on and virtual time in seconds.
#include "actor/config.hpp"
#include "actor/time.hpp"

#include <cstdint>

namespace actor::nodetest {

inline constexpr std::uint64_t kId = 0xabc;

// cycle 10 s, gap 1 s, chain of 5: a slot of d gaps after a turn at t is
// t + 10 + d.
inline Config fast() {
    Config c;
    c.cycle = 10;
    c.gap = 1;
    c.nodes = 5;
    return c;
}

inline Time at(double s) { return from_seconds(s); }

}  // namespace actor::nodetest
