// libFuzzer target: decode arbitrary bytes; whatever decodes must encode and
// decode again to the same bytes. Keyed decoding too: GroupAuth::open of
// the same bytes never crashes, whatever it accepts decodes alike, and a
// decoded message, sealed, opens again. Built with clang under ACTOR_FUZZ.
#include "actor/auth.hpp"
#include "actor/codec.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

namespace {
actor::GroupKeys fuzz_keys() {
    actor::GroupKeys k;
    k.keys.push_back(actor::KeyBytes(16, 0x42));
    return k;
}
constexpr actor::WallMs fuzz_now = 1'700'000'000'000;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    const auto m = actor::decode(input);
    {
        actor::GroupAuth receiver(fuzz_keys());
        const auto opened = receiver.open(input, fuzz_now);
        // Accepted (a forged MAC would need the key: only by a sealed seed).
        if (opened.message && (!m.ok() || actor::encode(*opened.message) != actor::encode(*m))) std::abort();
    }
    if (!m.ok()) return 0;
    if (m->id) {
        actor::GroupAuth sealer(fuzz_keys()), reader(fuzz_keys());
        const auto sealed = sealer.seal(actor::encode(*m), fuzz_now);
        const auto back = reader.open(sealed, fuzz_now);
        // Sealing our own encoding must open, unless re-encoding broke a
        // size limit (checked below for the plain decoder).
        if (!back.message && actor::decode(actor::encode(*m)).ok() && sealed.size() <= actor::max_wire_size) std::abort();
    }
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
