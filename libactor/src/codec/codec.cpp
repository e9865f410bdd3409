// msgpack <-> Message (docs/PROTOCOL.md "Messages", wire-vectors.json).
//
// Why a msgpack reader and writer of our own rather than nlohmann's
// from_msgpack/to_msgpack:
// - nlohmann's reader fails the whole payload on a map key that is not a
//   string, but we must ignore such keys (a Python peer may send them), and
//   it recurses without a depth limit (a 64 KiB payload of 0x91 bytes would
//   nest 65536 deep and could exhaust the stack);
// - nlohmann's writer stores a double that fits a float32 as float32, while
//   Python's msgpack (and so asyncactor 0.24) always sends float64; we want
//   the very bytes 0.24 sends (vers-defaults in wire-vectors.json).
// The reader never throws and never trusts a length prefix beyond the bytes
// that are actually left.
//
// Decoding rules, beyond the table of docs/PROTOCOL.md:
// - the payload is one map, nothing before or after it, at most
//   max_wire_size bytes, nested at most max_depth deep;
// - top-level keys that are not strings, and unknown string keys, are
//   ignored: their values are stepped over (still well-formed msgpack, still
//   within max_depth) and never built, so no key can make a small payload
//   decode to a large tree; a duplicated key: the last one wins (as in a
//   Python dict);
// - a `value` whose msgpack encoding (its bytes as they arrived) is longer
//   than max_value_size drops the message, whatever its type; the span is
//   measured by stepping over it before anything is built;
// - a map nested inside a value must have string keys (our Value is a JSON
//   object); otherwise the message is dropped (Python peers cannot compare
//   maps anyway);
// - numbers and flags accept int, uint, float and bool; integer fields
//   accept a float only when it is integral and fits int64, and otherwise
//   drop the message; except `version`, which saturates: a version above
//   INT64_MAX (a uint64, or a float >= 2^63) is taken as INT64_MAX, so a
//   node of ours keeps up with a Python group that went past it (validation
//   in the core still refuses negative versions);
// - names (node, history entries) must be non-empty valid UTF-8 of at most
//   max_name_size bytes; string values and unknown keys are taken as they
//   come;
// - `hist` takes its node from history[0]: a `node` key on it is ignored,
//   and a `hist` with an empty history is dropped (it names no sender);
// - `id` is taken when it is a non-negative integer, ignored otherwise.
#include "actor/codec.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

namespace actor {
namespace {

// Deep enough for any sensible value, shallow enough for any stack.
constexpr int max_depth = 64;

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned c = p[i];
        std::size_t len = 0;
        unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return false;
        }
        if (n - i < len) return false;
        if (p[i + 1] < lo || p[i + 1] > hi) return false;
        for (std::size_t k = 2; k < len; ++k) {
            if (p[i + k] < 0x80 || p[i + k] > 0xBF) return false;
        }
        i += len;
    }
    return true;
}

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> b) : b_(b) {}

    bool at_end() const { return pos_ == b_.size(); }
    const std::string& error() const { return err_; }
    // The error is a size rule of ours, not broken msgpack.
    bool over_limit() const { return over_limit_; }
    // Entries of the last top-level `history` if it was an array longer
    // than max_wire_history (it is not built then); else 0.
    std::uint64_t long_history() const { return long_history_; }

    bool fail(std::string why) {
        if (err_.empty()) err_ = std::move(why);
        return false;
    }

    bool fail_limit(std::string why) {
        if (err_.empty()) over_limit_ = true;
        return fail(std::move(why));
    }

    // The payload's map (its first byte already checked to be a map
    // header). Builds only the keys interpret() reads, and of those only
    // what it can use: a container where a scalar is expected becomes an
    // empty array (refused the same way, by type), a history entry that is
    // not a string becomes null.
    bool top(Value& out) {
        std::uint64_t n = 0;
        if (!header(n, 0x80, 0xde, 0xdf)) return false;
        if (n > left() / 2) return fail("truncated");  // every entry takes two bytes
        out = Value::object();
        for (std::uint64_t i = 0; i < n; ++i) {
            if (!next_is_str()) {  // ignored, as Python peers cannot use it either
                if (!skip(2) || !skip(2)) return false;
                continue;
            }
            Value k;
            if (!value(k, 2)) return false;
            const auto& key = k.get_ref<const std::string&>();
            Value v;
            if (key == "value") {
                if (!bounded_value(v)) return false;
            } else if (key == "history") {
                if (!history(v)) return false;
            } else if (is_known_key(key)) {
                if (!scalar(v)) return false;
            } else {
                if (!skip(2)) return false;
                continue;
            }
            out[key] = std::move(v);  // last one wins
        }
        return true;
    }

    // Reads one value. A map key that is not a string is an error.
    bool value(Value& out, int depth) {
        if (depth > max_depth) return fail("nested too deep");
        std::uint8_t c = 0;
        if (!byte(c)) return false;
        if (c <= 0x7f) return out = Value(static_cast<std::uint64_t>(c)), true;
        if (c >= 0xe0) return out = Value(static_cast<std::int64_t>(static_cast<std::int8_t>(c))), true;
        if ((c & 0xf0) == 0x80) return map(out, c & 0x0f, depth);
        if ((c & 0xf0) == 0x90) return array(out, c & 0x0f, depth);
        if ((c & 0xe0) == 0xa0) return str(out, c & 0x1f);
        std::uint64_t n = 0;
        switch (c) {
        case 0xc0: out = nullptr; return true;
        case 0xc2: out = false; return true;
        case 0xc3: out = true; return true;
        case 0xc4: return uint(n, 1) && bin(out, n);
        case 0xc5: return uint(n, 2) && bin(out, n);
        case 0xc6: return uint(n, 4) && bin(out, n);
        case 0xc7: return uint(n, 1) && ext(out, n);
        case 0xc8: return uint(n, 2) && ext(out, n);
        case 0xc9: return uint(n, 4) && ext(out, n);
        case 0xca: {
            if (!uint(n, 4)) return false;
            const auto bits = static_cast<std::uint32_t>(n);
            float f = 0;
            std::memcpy(&f, &bits, sizeof f);
            out = static_cast<double>(f);
            return true;
        }
        case 0xcb: {
            if (!uint(n, 8)) return false;
            double d = 0;
            std::memcpy(&d, &n, sizeof d);
            out = d;
            return true;
        }
        case 0xcc: return uint(n, 1) && (out = n, true);
        case 0xcd: return uint(n, 2) && (out = n, true);
        case 0xce: return uint(n, 4) && (out = n, true);
        case 0xcf: return uint(n, 8) && (out = n, true);
        case 0xd0: return uint(n, 1) && (out = std::int64_t{static_cast<std::int8_t>(n)}, true);
        case 0xd1: return uint(n, 2) && (out = std::int64_t{static_cast<std::int16_t>(n)}, true);
        case 0xd2: return uint(n, 4) && (out = std::int64_t{static_cast<std::int32_t>(n)}, true);
        case 0xd3: return uint(n, 8) && (out = static_cast<std::int64_t>(n), true);
        case 0xd4: return ext(out, 1);
        case 0xd5: return ext(out, 2);
        case 0xd6: return ext(out, 4);
        case 0xd7: return ext(out, 8);
        case 0xd8: return ext(out, 16);
        case 0xd9: return uint(n, 1) && str(out, n);
        case 0xda: return uint(n, 2) && str(out, n);
        case 0xdb: return uint(n, 4) && str(out, n);
        case 0xdc: return uint(n, 2) && array(out, n, depth);
        case 0xdd: return uint(n, 4) && array(out, n, depth);
        case 0xde: return uint(n, 2) && map(out, n, depth);
        case 0xdf: return uint(n, 4) && map(out, n, depth);
        default: return fail("invalid msgpack byte 0xc1");
        }
    }

    // The payload's top-level entries as byte ranges, nothing built (for
    // the group MAC, actor/auth.hpp): the same well-formedness and depth
    // checks as top(), string keys taken as they are.
    bool entries(std::vector<WireEntry>& out) {
        std::uint64_t n = 0;
        if (!header(n, 0x80, 0xde, 0xdf)) return false;
        if (n > left() / 2) return fail("truncated");
        out.reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) {
            WireEntry e;
            e.begin = pos_;
            if (next_is_str()) {
                Value k;
                if (!value(k, 2)) return false;
                e.key = k.get<std::string>();
            } else if (!skip(2)) {
                return false;
            }
            e.value = pos_;
            if (left() == 0) return fail("truncated");
            const std::uint8_t c = b_[pos_];
            if (c <= 0x7f || (c >= 0xcc && c <= 0xcf)) {
                Value v;
                if (!value(v, 2)) return false;
                e.uint = v.get<std::uint64_t>();
            } else if (!skip(2)) {
                return false;
            }
            e.end = pos_;
            out.push_back(std::move(e));
        }
        return true;
    }

private:
    std::size_t left() const { return b_.size() - pos_; }

    static bool is_known_key(const std::string& k) {
        for (const char* known : {"t", "node", "version", "cycle", "gap", "nodes", "splits", "n_hosts",
                                  "force_in", "id"}) {
            if (k == known) return true;
        }
        return false;
    }

    std::uint8_t peek() const { return b_[pos_]; }  // left() > 0

    bool next_is_str() const {
        if (left() < 1) return false;
        const std::uint8_t c = peek();
        return (c & 0xe0) == 0xa0 || c == 0xd9 || c == 0xda || c == 0xdb;
    }

    bool next_is_container() const {
        if (left() < 1) return false;
        const std::uint8_t c = peek();
        return (c & 0xe0) == 0x80 || (c >= 0xdc && c <= 0xdf);  // fixmap, fixarray, array/map 16/32
    }

    // Reads a map (fix, 16, 32) or array header, by its three first bytes.
    bool header(std::uint64_t& n, std::uint8_t fix, std::uint8_t b16, std::uint8_t b32) {
        std::uint8_t c = 0;
        if (!byte(c)) return false;
        if ((c & 0xf0) == fix) return n = c & 0x0f, true;
        if (c == b16) return uint(n, 2);
        if (c == b32) return uint(n, 4);
        return fail("unexpected msgpack byte");
    }

    bool skip_bytes(std::uint64_t n) {
        if (left() < n) return fail("truncated");
        pos_ += n;
        return true;
    }

    // Steps over `n` values (map entries count twice) without building them.
    bool skip_values(std::uint64_t n, int depth) {
        if (n > left()) return fail("truncated");  // every value takes a byte
        for (std::uint64_t i = 0; i < n; ++i) {
            if (!skip(depth + 1)) return false;
        }
        return true;
    }

    // Steps over one value: the same checks as value() except the
    // string-keys rule for maps, and nothing built.
    bool skip(int depth) {
        if (depth > max_depth) return fail("nested too deep");
        std::uint8_t c = 0;
        if (!byte(c)) return false;
        if (c <= 0x7f || c >= 0xe0) return true;
        if ((c & 0xf0) == 0x80) return skip_values(2 * std::uint64_t{c & 0x0fu}, depth);
        if ((c & 0xf0) == 0x90) return skip_values(c & 0x0f, depth);
        if ((c & 0xe0) == 0xa0) return skip_bytes(c & 0x1f);
        std::uint64_t n = 0;
        switch (c) {
        case 0xc0:
        case 0xc2:
        case 0xc3: return true;
        case 0xc4:
        case 0xd9: return uint(n, 1) && skip_bytes(n);
        case 0xc5:
        case 0xda: return uint(n, 2) && skip_bytes(n);
        case 0xc6:
        case 0xdb: return uint(n, 4) && skip_bytes(n);
        case 0xc7: return uint(n, 1) && skip_bytes(n + 1);  // + the ext type
        case 0xc8: return uint(n, 2) && skip_bytes(n + 1);
        case 0xc9: return uint(n, 4) && skip_bytes(n + 1);
        case 0xca: return skip_bytes(4);
        case 0xcb: return skip_bytes(8);
        case 0xcc:
        case 0xd0: return skip_bytes(1);
        case 0xcd:
        case 0xd1: return skip_bytes(2);
        case 0xce:
        case 0xd2: return skip_bytes(4);
        case 0xcf:
        case 0xd3: return skip_bytes(8);
        case 0xd4: return skip_bytes(2);
        case 0xd5: return skip_bytes(3);
        case 0xd6: return skip_bytes(5);
        case 0xd7: return skip_bytes(9);
        case 0xd8: return skip_bytes(17);
        case 0xdc: return uint(n, 2) && skip_values(n, depth);
        case 0xdd: return uint(n, 4) && skip_values(n, depth);
        case 0xde: return uint(n, 2) && skip_values(2 * n, depth);
        case 0xdf: return uint(n, 4) && skip_values(2 * n, depth);
        default: return fail("invalid msgpack byte 0xc1");
        }
    }

    // A top-level entry's value where interpret() wants a scalar.
    bool scalar(Value& out) {
        if (!next_is_container()) return value(out, 2);
        out = Value::array();
        return skip(2);
    }

    // The `value` field: its span first, then (only if within the cap) the
    // value itself.
    bool bounded_value(Value& out) {
        const std::size_t start = pos_;
        if (!skip(2)) return false;
        const std::size_t span = pos_ - start;
        if (span > max_value_size) {
            return fail_limit("value too large: " + std::to_string(span) + " bytes, at most " +
                              std::to_string(max_value_size));
        }
        pos_ = start;
        return value(out, 2);
    }

    // The `history` field: an array of strings is built (up to
    // max_wire_history entries); anything else only as far as interpret()
    // needs to refuse it.
    bool history(Value& out) {
        long_history_ = 0;
        if (left() < 1 || !((peek() & 0xf0) == 0x90 || peek() == 0xdc || peek() == 0xdd)) {
            if (!next_is_container()) return value(out, 2);
            out = Value::object();  // a map: "not a list", unbuilt
            return skip(2);
        }
        std::uint64_t n = 0;
        if (!header(n, 0x90, 0xdc, 0xdd)) return false;
        out = Value::array();
        if (n > max_wire_history) {
            long_history_ = n;
            return skip_values(n, 2);
        }
        if (n > left()) return fail("truncated");
        out.get_ref<Value::array_t&>().reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) {
            Value e;  // null unless a string
            if (next_is_str() ? !value(e, 3) : !skip(3)) return false;
            out.push_back(std::move(e));
        }
        return true;
    }

    bool byte(std::uint8_t& c) {
        if (left() < 1) return fail("truncated");
        c = b_[pos_++];
        return true;
    }

    bool uint(std::uint64_t& n, std::size_t bytes) {  // big-endian
        if (left() < bytes) return fail("truncated");
        n = 0;
        for (std::size_t i = 0; i < bytes; ++i) n = (n << 8) | b_[pos_++];
        return true;
    }

    bool str(Value& out, std::uint64_t n) {
        if (left() < n) return fail("truncated");
        out = std::string(reinterpret_cast<const char*>(b_.data() + pos_), n);
        pos_ += n;
        return true;
    }

    bool bin(Value& out, std::uint64_t n) {
        if (left() < n) return fail("truncated");
        out = Value::binary(std::vector<std::uint8_t>(b_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                                      b_.begin() + static_cast<std::ptrdiff_t>(pos_ + n)));
        pos_ += n;
        return true;
    }

    // An ext value becomes bin with the ext type as its subtype (nlohmann's
    // own convention), so it survives re-encoding.
    bool ext(Value& out, std::uint64_t n) {
        std::uint64_t type = 0;
        if (!uint(type, 1)) return false;
        if (!bin(out, n)) return false;
        out.get_binary().set_subtype(type);
        return true;
    }

    bool array(Value& out, std::uint64_t n, int depth) {
        if (n > left()) return fail("truncated");  // every element takes a byte
        out = Value::array();
        out.get_ref<Value::array_t&>().reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) {
            Value v;
            if (!value(v, depth + 1)) return false;
            out.push_back(std::move(v));
        }
        return true;
    }

    bool map(Value& out, std::uint64_t n, int depth) {
        if (n > left() / 2) return fail("truncated");  // every entry takes two bytes
        out = Value::object();
        for (std::uint64_t i = 0; i < n; ++i) {
            Value k, v;
            if (!value(k, depth + 1) || !value(v, depth + 1)) return false;
            if (!k.is_string()) return fail("map with a key that is not a string inside a value");
            out[k.get<std::string>()] = std::move(v);  // last one wins
        }
        return true;
    }

    std::span<const std::uint8_t> b_;
    std::size_t pos_ = 0;
    std::string err_;
    bool over_limit_ = false;
    std::uint64_t long_history_ = 0;
};

std::optional<MsgType> parse_type(const std::string& t) {
    if (t == "init") return MsgType::init;
    if (t == "vers") return MsgType::vers;
    if (t == "ping") return MsgType::ping;
    if (t == "hist") return MsgType::hist;
    return std::nullopt;
}

bool is_number(const Value& v) {
    return v.is_number() || v.is_boolean();
}

// A config field that must be an integer: int, uint, bool, or an integral
// float within int64.
std::optional<std::int64_t> as_int(const Value& v) {
    if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
    if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<std::int64_t>();
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    if (v.is_number_float()) {
        const double d = v.get<double>();
        // [-2^63, 2^63) converts exactly when integral.
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != std::floor(d)) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

std::optional<double> as_double(const Value& v) {
    if (!is_number(v)) return std::nullopt;
    if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
    return v.get<double>();
}

std::optional<bool> as_flag(const Value& v) {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number_float()) return v.get<double>() != 0;  // NaN counts as true, as in Python
    if (v.is_number()) return v.get<std::int64_t>() != 0;  // nonzero for int and uint
    return std::nullopt;
}

// The config version: as as_int(), but a number above INT64_MAX (a uint64,
// or a float >= 2^63) saturates to INT64_MAX.
std::optional<std::int64_t> as_version(const Value& v) {
    constexpr auto top = std::numeric_limits<std::int64_t>::max();
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(top)) return top;
    if (v.is_number_float() && v.get<double>() >= 9223372036854775808.0 && std::isfinite(v.get<double>())) {
        return top;
    }
    return as_int(v);
}

// Whether `v` is a name (node, history entry); the refusal names `what`.
Status check_name(const Value& v, const char* what) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty() ||
        !valid_utf8(v.get_ref<const std::string&>())) {
        return Error{std::string(what) + " is not a non-empty UTF-8 string"};
    }
    if (const auto n = v.get_ref<const std::string&>().size(); n > max_name_size) {
        return Error{std::string(what) + " too long: " + std::to_string(n) + " bytes, at most " +
                     std::to_string(max_name_size)};
    }
    return {};
}

// `long_history`: entries of a history too long to have been built, or 0.
// The value and the names are moved out of `map`, not copied.
Result<Message> interpret(Value& map, std::uint64_t long_history) {
    Message m;
    const auto t = map.find("t");
    if (t == map.end()) return Error{"message without key t"};
    if (!t->is_string()) return Error{"key t is not a string"};
    const auto type = parse_type(t->get<std::string>());
    if (!type) return Error{"unknown message type"};
    m.type = *type;

    if (m.type != MsgType::hist) {
        const auto node = map.find("node");
        if (node != map.end()) {
            if (auto named = check_name(*node, "node"); !named) return named.error();
            m.node = node->get<std::string>();
        } else if (m.type != MsgType::vers) {
            return Error{std::string(to_string(m.type)) + " without node"};
        }
    }

    if (m.type == MsgType::vers) {
        auto int_field = [&](const char* key, std::optional<std::int64_t>& dst) -> bool {
            const auto it = map.find(key);
            if (it == map.end()) return true;
            dst = std::string_view(key) == "version" ? as_version(*it) : as_int(*it);
            return dst.has_value();
        };
        auto& f = m.config;
        if (!int_field("version", f.version) || !int_field("nodes", f.nodes) ||
            !int_field("splits", f.splits) || !int_field("n_hosts", f.n_hosts)) {
            return Error{"vers has a config field that is not an integer"};
        }
        for (auto [key, dst] : {std::pair{"cycle", &f.cycle}, std::pair{"gap", &f.gap}}) {
            const auto it = map.find(key);
            if (it == map.end()) continue;
            *dst = as_double(*it);
            if (!*dst) return Error{std::string("vers field ") + key + " is not a number"};
        }
        if (const auto it = map.find("force_in"); it != map.end()) {
            f.force_in = as_flag(*it);
            if (!f.force_in) return Error{"vers field force_in is not a flag"};
        }
    }

    if (m.type == MsgType::ping || m.type == MsgType::hist) {
        if (const auto it = map.find("value"); it != map.end()) m.value = std::move(*it);
        if (const auto it = map.find("history"); it != map.end()) {
            if (!it->is_array()) return Error{"history is not a list"};
            if (long_history > 0 || it->size() > max_wire_history) {
                return Error{"history too long: " + std::to_string(std::max<std::uint64_t>(long_history, it->size())) +
                             " entries, at most " + std::to_string(max_wire_history)};
            }
            m.history.reserve(it->size());
            for (auto& name : *it) {
                if (auto named = check_name(name, "history entry"); !named) return named.error();
                m.history.push_back(std::move(name.get_ref<std::string&>()));
            }
        }
        if (m.type == MsgType::hist && m.history.empty()) return Error{"hist with an empty history"};
    }

    if (const auto it = map.find("id"); it != map.end()) {
        if (it->is_number_unsigned()) {
            m.id = it->get<std::uint64_t>();
        } else if (it->is_number_integer() && it->get<std::int64_t>() >= 0) {
            m.id = static_cast<std::uint64_t>(it->get<std::int64_t>());
        }
    }
    return m;
}

// ---- encoding -------------------------------------------------------------

class Writer {
public:
    std::vector<std::uint8_t>& out;

    void be(std::uint64_t v, int bytes) {
        for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }

    // The smallest form, as Python's msgpack picks it.
    void uint(std::uint64_t v) {
        if (v <= 0x7f) {
            out.push_back(static_cast<std::uint8_t>(v));
        } else if (v <= 0xff) {
            out.push_back(0xcc), be(v, 1);
        } else if (v <= 0xffff) {
            out.push_back(0xcd), be(v, 2);
        } else if (v <= 0xffffffff) {
            out.push_back(0xce), be(v, 4);
        } else {
            out.push_back(0xcf), be(v, 8);
        }
    }

    void sint(std::int64_t v) {
        if (v >= 0) return uint(static_cast<std::uint64_t>(v));
        const auto u = static_cast<std::uint64_t>(v);
        if (v >= -32) {
            out.push_back(static_cast<std::uint8_t>(u));
        } else if (v >= -128) {
            out.push_back(0xd0), be(u, 1);
        } else if (v >= -32768) {
            out.push_back(0xd1), be(u, 2);
        } else if (v >= -2147483648LL) {
            out.push_back(0xd2), be(u, 4);
        } else {
            out.push_back(0xd3), be(u, 8);
        }
    }

    void float64(double d) {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &d, sizeof bits);
        out.push_back(0xcb), be(bits, 8);
    }

    // cycle and gap go out as an int when integral (0.24 sends `cycle: 10`
    // for its default), else as float64.
    void seconds(double d) {
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0) {
            sint(static_cast<std::int64_t>(d));
        } else {
            float64(d);
        }
    }

    void str(std::string_view s) {
        const std::size_t n = s.size();
        if (n <= 31) {
            out.push_back(static_cast<std::uint8_t>(0xa0 | n));
        } else if (n <= 0xff) {
            out.push_back(0xd9), be(n, 1);
        } else if (n <= 0xffff) {
            out.push_back(0xda), be(n, 2);
        } else {
            out.push_back(0xdb), be(n, 4);
        }
        out.insert(out.end(), s.begin(), s.end());
    }

    void array_header(std::size_t n) {
        if (n <= 15) {
            out.push_back(static_cast<std::uint8_t>(0x90 | n));
        } else if (n <= 0xffff) {
            out.push_back(0xdc), be(n, 2);
        } else {
            out.push_back(0xdd), be(n, 4);
        }
    }

    void map_header(std::size_t n) {
        if (n <= 15) {
            out.push_back(static_cast<std::uint8_t>(0x80 | n));
        } else if (n <= 0xffff) {
            out.push_back(0xde), be(n, 2);
        } else {
            out.push_back(0xdf), be(n, 4);
        }
    }

    void binary(const Value::binary_t& b) {
        const std::size_t n = b.size();
        if (b.has_subtype()) {  // a msgpack ext value
            const auto type = static_cast<std::uint8_t>(b.subtype());
            switch (n) {
            case 1: out.push_back(0xd4); break;
            case 2: out.push_back(0xd5); break;
            case 4: out.push_back(0xd6); break;
            case 8: out.push_back(0xd7); break;
            case 16: out.push_back(0xd8); break;
            default:
                if (n <= 0xff) {
                    out.push_back(0xc7), be(n, 1);
                } else if (n <= 0xffff) {
                    out.push_back(0xc8), be(n, 2);
                } else {
                    out.push_back(0xc9), be(n, 4);
                }
            }
            out.push_back(type);
        } else if (n <= 0xff) {
            out.push_back(0xc4), be(n, 1);
        } else if (n <= 0xffff) {
            out.push_back(0xc5), be(n, 2);
        } else {
            out.push_back(0xc6), be(n, 4);
        }
        out.insert(out.end(), b.begin(), b.end());
    }

    void value(const Value& v) {
        using vt = Value::value_t;
        switch (v.type()) {
        case vt::null:
        case vt::discarded: out.push_back(0xc0); break;
        case vt::boolean: out.push_back(v.get<bool>() ? 0xc3 : 0xc2); break;
        case vt::number_integer: sint(v.get<std::int64_t>()); break;
        case vt::number_unsigned: uint(v.get<std::uint64_t>()); break;
        case vt::number_float: float64(v.get<double>()); break;
        case vt::string: str(v.get_ref<const std::string&>()); break;
        case vt::binary: binary(v.get_binary()); break;
        case vt::array:
            array_header(v.size());
            for (const auto& e : v) value(e);
            break;
        case vt::object:
            map_header(v.size());
            for (auto it = v.begin(); it != v.end(); ++it) {
                str(it.key());
                value(it.value());
            }
            break;
        }
    }
};

}  // namespace

Result<Message> decode(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return Error{"empty payload"};
    if (bytes.size() > max_wire_size) return Error{"payload too large"};
    // A map must start here; anything else is refused before reading it.
    const std::uint8_t first = bytes[0];
    if ((first & 0xf0) != 0x80 && first != 0xde && first != 0xdf) {
        return Error{"payload is not a msgpack map"};
    }
    Reader r(bytes);
    Value map;
    if (!r.top(map)) return Error{(r.over_limit() ? "" : "bad msgpack: ") + r.error()};
    if (!r.at_end()) return Error{"bad msgpack: trailing bytes after the message"};
    return interpret(map, r.long_history());
}

Result<std::vector<WireEntry>> wire_entries(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return Error{"empty payload"};
    if (bytes.size() > max_wire_size) return Error{"payload too large"};
    const std::uint8_t first = bytes[0];
    if ((first & 0xf0) != 0x80 && first != 0xde && first != 0xdf) return Error{"payload is not a msgpack map"};
    Reader r(bytes);
    std::vector<WireEntry> out;
    if (!r.entries(out)) return Error{"bad msgpack: " + r.error()};
    if (!r.at_end()) return Error{"bad msgpack: trailing bytes after the message"};
    return out;
}

std::size_t value_footprint(const Value& root) {
    constexpr std::size_t block = 16;  // malloc's header and rounding, per allocation
    constexpr std::size_t sso = 15;    // libstdc++ keeps shorter strings inline
    auto chars = [](std::size_t n) { return n > sso ? n + 1 + block : 0; };
    std::size_t total = 0;
    std::vector<const Value*> todo = {&root};
    while (!todo.empty()) {
        const Value& v = *todo.back();
        todo.pop_back();
        total += sizeof(Value);  // the slot: in a parent's vector or map node, or the root
        switch (v.type()) {
        case Value::value_t::string:
            total += sizeof(std::string) + block + chars(v.get_ref<const std::string&>().size());
            break;
        case Value::value_t::binary:
            total += sizeof(Value::binary_t) + block + (v.get_binary().empty() ? 0 : v.get_binary().size() + block);
            break;
        case Value::value_t::array: {
            const auto& a = v.get_ref<const Value::array_t&>();
            total += sizeof(Value::array_t) + block + (a.capacity() > a.size() ? (a.capacity() - a.size()) * sizeof(Value) : 0) +
                     (a.empty() ? 0 : block);
            for (const auto& e : a) todo.push_back(&e);
            break;
        }
        case Value::value_t::object:
            total += sizeof(Value::object_t) + block;
            for (auto it = v.begin(); it != v.end(); ++it) {
                // A tree node: links and colour, the key, the value's slot (counted with it).
                total += 32 + sizeof(std::string) + block + chars(it.key().size());
                todo.push_back(&it.value());
            }
            break;
        default: break;
        }
    }
    return total;
}

void append_map_header(std::vector<std::uint8_t>& out, std::size_t n) { Writer{out}.map_header(n); }
void append_uint(std::vector<std::uint8_t>& out, std::uint64_t v) { Writer{out}.uint(v); }
void append_str(std::vector<std::uint8_t>& out, std::string_view s) { Writer{out}.str(s); }

std::vector<std::uint8_t> encode(const Message& m) {
    std::vector<std::uint8_t> bytes;
    Writer w{bytes};
    const bool has_node = m.node.has_value() && m.type != MsgType::hist;
    const bool has_value = m.type == MsgType::ping || m.type == MsgType::hist;
    const auto& f = m.config;
    std::size_t n = 1 + (has_node ? 1 : 0) + (has_value ? 2 : 0) + (m.id ? 1 : 0);
    if (m.type == MsgType::vers) {
        n += f.version.has_value() + f.cycle.has_value() + f.gap.has_value() +
             f.nodes.has_value() + f.splits.has_value() + f.n_hosts.has_value() +
             f.force_in.has_value();
    }
    w.map_header(n);
    w.str("t");
    w.str(to_string(m.type));
    if (has_node) {
        w.str("node");
        w.str(*m.node);
    }
    if (m.type == MsgType::vers) {
        if (f.version) w.str("version"), w.sint(*f.version);
        if (f.cycle) w.str("cycle"), w.seconds(*f.cycle);
        if (f.gap) w.str("gap"), w.seconds(*f.gap);
        if (f.nodes) w.str("nodes"), w.sint(*f.nodes);
        if (f.splits) w.str("splits"), w.sint(*f.splits);
        if (f.n_hosts) w.str("n_hosts"), w.sint(*f.n_hosts);
        if (f.force_in) w.str("force_in"), w.out.push_back(*f.force_in ? 0xc3 : 0xc2);
    }
    if (has_value) {
        w.str("value");
        w.value(m.value);
        w.str("history");
        w.array_header(m.history.size());
        for (const auto& h : m.history) w.str(h);
    }
    if (m.id) {
        w.str("id");
        w.uint(*m.id);
    }
    return bytes;
}

}  // namespace actor
