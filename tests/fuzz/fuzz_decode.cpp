// libFuzzer target: decode arbitrary bytes; whatever decodes must encode and
// decode again to the same bytes. Built with clang under ACTOR_FUZZ.
#include "actor/codec.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto m = actor::decode(std::span<const std::uint8_t>(data, size));
    if (!m.ok()) return 0;
    const auto bytes = actor::encode(*m);
    const auto again = actor::decode(bytes);
    // A message we accepted must survive our own encoding, the size limits
    // aside: re-encoding may add the value and history keys, and may widen
    // a value past max_value_size (a float32 goes out as float64).
    if (!again.ok() && bytes.size() <= actor::max_wire_size &&
        again.error().text().rfind("value too large", 0) != 0) {
        std::abort();
    }
    // Compare encodings, not messages: a NaN cycle is never == itself.
    if (again.ok() && actor::encode(*again) != bytes) std::abort();
    return 0;
}
