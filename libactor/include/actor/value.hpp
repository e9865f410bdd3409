#pragma once
// A node's value: any msgpack value. We represent it with nlohmann::json,
// which is header-only, does no I/O and already models every msgpack type
// (nil, bool, signed/unsigned int, float, str, bin as json::binary_t, array,
// map). That is the one non-standard dependency of the core.
#include <nlohmann/json.hpp>

#include <compare>

namespace actor {

using Value = nlohmann::json;

// Python's ordering of values, extended to a deterministic total order.
//
// Numbers (int, uint, float, bool) compare by exact numeric value across
// types, as Python does (1 == 1.0 == True; 2^63 vs 2^63-0.5 exact). Strings
// by code point (= UTF-8 byte order), byte strings bytewise, arrays
// element by element, then by length. Where Python raises (mixed types,
// maps, NaN) we define: null < number < string < bytes < array < map, NaN
// sorts above every other number and equal to itself, maps compare as
// sorted (key, value) lists. Antisymmetric and transitive on every node.
std::strong_ordering compare_values(const Value& a, const Value& b);

inline bool values_equal(const Value& a, const Value& b) {
    return compare_values(a, b) == std::strong_ordering::equal;
}

}  // namespace actor
