// The total order on values (see value.hpp for the rules).
//
// Numbers are compared exactly, as Python does: no conversion of a 64-bit
// integer to double (which would round 2^63-1 to 2^63), no conversion of a
// double to an integer type unless it is integral and in range. Everything
// is done with the standard integer and floating types, so the order is the
// one every build of ours computes, on every machine.
#include "actor/value.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace actor {
namespace {

using vt = nlohmann::json::value_t;

// Rank of a type in the cross-type order: null < number < string < bytes <
// array < map. A discarded value (nlohmann's parse-failure marker; never
// produced by our decoder) sorts below null so that the order stays total.
int type_rank(vt t) {
    switch (t) {
    case vt::discarded: return 0;
    case vt::null: return 1;
    case vt::boolean:
    case vt::number_integer:
    case vt::number_unsigned:
    case vt::number_float: return 2;
    case vt::string: return 3;
    case vt::binary: return 4;
    case vt::array: return 5;
    case vt::object: return 6;
    }
    return 0;
}

template <class T>
std::strong_ordering cmp(const T& a, const T& b) {
    if (a < b) return std::strong_ordering::less;
    if (b < a) return std::strong_ordering::greater;
    return std::strong_ordering::equal;
}

// A number widened without loss: bool and int64 as signed, uint64 as
// unsigned, double as itself.
struct Num {
    enum Kind { sint, uint, real } kind;
    std::int64_t s = 0;
    std::uint64_t u = 0;
    double d = 0;
};

Num to_num(const Value& v) {
    switch (v.type()) {
    case vt::boolean: return {Num::sint, v.get<bool>() ? 1 : 0, 0, 0};
    case vt::number_integer: return {Num::sint, v.get<std::int64_t>(), 0, 0};
    case vt::number_unsigned: return {Num::uint, 0, v.get<std::uint64_t>(), 0};
    default: return {Num::real, 0, 0, v.get<double>()};
    }
}

// Exact comparison of an unsigned integer with a non-NaN double.
std::strong_ordering cmp_u_d(std::uint64_t u, double d) {
    if (d < 0) return std::strong_ordering::greater;
    // 2^64 is exactly representable; every double below it that is >= 0
    // has a floor that fits in uint64 exactly.
    if (d >= 18446744073709551616.0) return std::strong_ordering::less;
    const double fl = std::floor(d);
    const auto fu = static_cast<std::uint64_t>(fl);
    if (u != fu) return cmp(u, fu);
    return d > fl ? std::strong_ordering::less : std::strong_ordering::equal;
}

// Exact comparison of a signed integer with a non-NaN double.
std::strong_ordering cmp_s_d(std::int64_t s, double d) {
    if (s >= 0) return cmp_u_d(static_cast<std::uint64_t>(s), d);
    if (d >= 0) return std::strong_ordering::less;
    if (d < -9223372036854775808.0) return std::strong_ordering::greater;
    const double fl = std::floor(d);  // in [-2^63, 0): fits in int64
    const auto fs = static_cast<std::int64_t>(fl);
    if (s != fs) return cmp(s, fs);
    return d > fl ? std::strong_ordering::less : std::strong_ordering::equal;
}

std::strong_ordering reverse(std::strong_ordering o) {
    return 0 <=> o;
}

std::strong_ordering compare_numbers(const Value& a, const Value& b) {
    const Num x = to_num(a), y = to_num(b);
    // NaN sorts above every other number and equals itself, so the order
    // stays total (Python's comparisons with NaN are all false).
    const bool xn = x.kind == Num::real && std::isnan(x.d);
    const bool yn = y.kind == Num::real && std::isnan(y.d);
    if (xn || yn) return cmp(xn, yn);
    if (x.kind == Num::real && y.kind == Num::real) {
        return cmp(x.d, y.d);  // -0.0 == 0.0, as in Python
    }
    if (x.kind == Num::real) {
        return reverse(y.kind == Num::uint ? cmp_u_d(y.u, x.d) : cmp_s_d(y.s, x.d));
    }
    if (y.kind == Num::real) {
        return x.kind == Num::uint ? cmp_u_d(x.u, y.d) : cmp_s_d(x.s, y.d);
    }
    if (x.kind == Num::sint && y.kind == Num::sint) return cmp(x.s, y.s);
    if (x.kind == Num::uint && y.kind == Num::uint) return cmp(x.u, y.u);
    if (x.kind == Num::sint) {  // sint vs uint
        if (x.s < 0) return std::strong_ordering::less;
        return cmp(static_cast<std::uint64_t>(x.s), y.u);
    }
    if (y.s < 0) return std::strong_ordering::greater;  // uint vs sint
    return cmp(x.u, static_cast<std::uint64_t>(y.s));
}

// Bytewise, as unsigned bytes (= code point order for valid UTF-8).
std::strong_ordering compare_bytes(const unsigned char* a, std::size_t na,
                                   const unsigned char* b, std::size_t nb) {
    const std::size_t n = std::min(na, nb);
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] != b[i]) return cmp(a[i], b[i]);
    }
    return cmp(na, nb);
}

std::strong_ordering compare_strings(const std::string& a, const std::string& b) {
    return compare_bytes(reinterpret_cast<const unsigned char*>(a.data()), a.size(),
                         reinterpret_cast<const unsigned char*>(b.data()), b.size());
}

}  // namespace

std::strong_ordering compare_values(const Value& a, const Value& b) {
    const int ra = type_rank(a.type()), rb = type_rank(b.type());
    if (ra != rb) return cmp(ra, rb);
    switch (a.type()) {
    case vt::discarded:
    case vt::null: return std::strong_ordering::equal;
    case vt::boolean:
    case vt::number_integer:
    case vt::number_unsigned:
    case vt::number_float: return compare_numbers(a, b);
    case vt::string:
        return compare_strings(a.get_ref<const std::string&>(), b.get_ref<const std::string&>());
    case vt::binary: {
        const auto& x = a.get_binary();
        const auto& y = b.get_binary();
        if (auto c = compare_bytes(x.data(), x.size(), y.data(), y.size()); c != 0) return c;
        // msgpack ext values carry a type code; plain bin (no code) first.
        if (auto c = cmp(x.has_subtype(), y.has_subtype()); c != 0) return c;
        return x.has_subtype() ? cmp(x.subtype(), y.subtype()) : std::strong_ordering::equal;
    }
    case vt::array: {
        const std::size_t n = std::min(a.size(), b.size());
        for (std::size_t i = 0; i < n; ++i) {
            if (auto c = compare_values(a[i], b[i]); c != 0) return c;
        }
        return cmp(a.size(), b.size());
    }
    case vt::object: {
        // nlohmann::json keeps object keys sorted (std::map, byte order), so
        // walking both in step compares the sorted (key, value) lists.
        auto ia = a.begin(), ib = b.begin();
        const auto ea = a.end(), eb = b.end();
        for (; ia != ea && ib != eb; ++ia, ++ib) {
            if (auto c = compare_strings(ia.key(), ib.key()); c != 0) return c;
            if (auto c = compare_values(ia.value(), ib.value()); c != 0) return c;
        }
        return cmp(a.size(), b.size());
    }
    }
    return std::strong_ordering::equal;
}

}  // namespace actor
