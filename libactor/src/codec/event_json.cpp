// Events as the JSON lines of docs/CLI.md "Events", and values as JSON.
//
// Binary values (msgpack bin) have no JSON form, so we render them as an
// object with one reserved key: {"$bin": "<standard base64, padded>"}; a
// msgpack ext value (bin with a type code) adds the code: {"$bin": "...",
// "$ext": 5}. value_from_json turns exactly these shapes back into bytes.
// A msgpack map that itself has just the key "$bin" renders the same way:
// that ambiguity is accepted (Python peers cannot use maps as values).
// NaN and infinities have no JSON form either and become null.
//
// Strings from the wire need not be valid UTF-8: every dump here uses
// error_handler_t::replace (U+FFFD), so rendering never throws.
//
// The lines are built as ordered_json so that "event", "time" and "group"
// come first and a person reading the stream finds them in one place.
#include "actor/event_json.hpp"

#include "actor/base64.hpp"

#include <cmath>
#include <cstdio>
#include <optional>

namespace actor {
namespace {

using ojson = nlohmann::ordered_json;

template <class J>
J value_to(const Value& v) {
    using vt = Value::value_t;
    switch (v.type()) {
    case vt::binary: {
        J j = J::object();
        j["$bin"] = base64_encode(v.get_binary());
        if (v.get_binary().has_subtype()) j["$ext"] = v.get_binary().subtype();
        return j;
    }
    case vt::number_float: {
        const double d = v.get<double>();
        return std::isfinite(d) ? J(d) : J(nullptr);
    }
    case vt::array: {
        J j = J::array();
        for (const auto& e : v) j.push_back(value_to<J>(e));
        return j;
    }
    case vt::object: {
        J j = J::object();
        for (auto it = v.begin(); it != v.end(); ++it) j[it.key()] = value_to<J>(it.value());
        return j;
    }
    case vt::null:
    case vt::discarded: return J(nullptr);
    case vt::boolean: return J(v.get<bool>());
    case vt::number_integer: return J(v.get<std::int64_t>());
    case vt::number_unsigned: return J(v.get<std::uint64_t>());
    case vt::string: return J(v.get<std::string>());
    }
    return J(nullptr);
}

ojson names(const std::vector<std::string>& v) {
    ojson j = ojson::array();
    for (const auto& s : v) j.push_back(s);
    return j;
}

void put_config(ojson& j, const ConfigFields& f) {
    if (f.version) j["version"] = *f.version;
    if (f.cycle) j["cycle"] = std::isfinite(*f.cycle) ? ojson(*f.cycle) : ojson(nullptr);
    if (f.gap) j["gap"] = std::isfinite(*f.gap) ? ojson(*f.gap) : ojson(nullptr);
    if (f.nodes) j["nodes"] = *f.nodes;
    if (f.splits) j["splits"] = *f.splits;
    if (f.n_hosts) j["n_hosts"] = *f.n_hosts;
    if (f.force_in) j["force_in"] = *f.force_in;
}

ojson message_to_json(const Message& m) {
    ojson j = ojson::object();
    j["t"] = to_string(m.type);
    if (m.node) j["node"] = *m.node;
    if (m.type == MsgType::ping || m.type == MsgType::hist) {
        j["value"] = value_to<ojson>(m.value);
        j["history"] = names(m.history);
    }
    if (m.type == MsgType::vers) put_config(j, m.config);
    if (m.id) j["id"] = *m.id;
    return j;
}

ojson build(const Event& e, const std::string& group, std::chrono::system_clock::time_point when) {
    ojson j = ojson::object();
    j["event"] = to_string(e.type);
    j["time"] = format_time(when);
    j["group"] = group;
    switch (e.type) {
    case EventType::connected: j["broker"] = e.broker; break;
    case EventType::disconnected: j["reason"] = e.message; break;
    case EventType::tag:
        j["node"] = e.node;
        j["value"] = value_to<ojson>(e.value);
        break;
    case EventType::untag:
        j["node"] = e.node;
        if (!e.reason.empty()) j["reason"] = e.reason;
        break;
    case EventType::detag: j["node"] = e.node; break;
    case EventType::ping:
        j["node"] = e.node;
        j["value"] = value_to<ojson>(e.value);
        j["history"] = names(e.history);
        break;
    case EventType::good: j["nodes"] = names(e.nodes); break;
    case EventType::recover:
        j["prio"] = e.prio;
        j["replace"] = e.replace;
        j["local"] = names(e.local);
        j["remote"] = names(e.remote);
        break;
    case EventType::setup: put_config(j, ConfigFields::from(e.config)); break;
    case EventType::members: {
        ojson list = ojson::array();
        for (const auto& m : e.members) {
            ojson o = ojson::object();
            o["node"] = m.node;
            o["value"] = value_to<ojson>(m.value);
            o["last_seen"] = format_time(m.last_seen);
            o["on_chain"] = m.on_chain;
            list.push_back(std::move(o));
        }
        j["nodes"] = std::move(list);
        break;
    }
    case EventType::raw:
        // The sender at top level too, like every event's node (docs/CLI.md:
        // --raw prints every message with its sender); the runtime fills it
        // from Message::sender(), empty for a vers without a node.
        if (!e.node.empty()) j["node"] = e.node;
        j["msg"] = e.msg ? message_to_json(*e.msg) : ojson(nullptr);
        break;
    case EventType::error: j["message"] = e.message; break;
    }
    return j;
}

std::string dump(const ojson& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string value_text(const Value& v) {
    return dump(value_to<ojson>(v));
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& n : v) {
        if (!s.empty()) s += ',';
        s += n;
    }
    return s.empty() ? "-" : s;
}

// Names come from the wire: keep control characters (a newline above all)
// out of the one-line text view.
std::string clean(std::string s) {
    for (char& c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    return s;
}

}  // namespace

const char* to_string(EventType t) {
    switch (t) {
    case EventType::connected: return "connected";
    case EventType::disconnected: return "disconnected";
    case EventType::tag: return "tag";
    case EventType::untag: return "untag";
    case EventType::detag: return "detag";
    case EventType::ping: return "ping";
    case EventType::good: return "good";
    case EventType::recover: return "recover";
    case EventType::setup: return "setup";
    case EventType::members: return "members";
    case EventType::raw: return "raw";
    case EventType::error: return "error";
    }
    return "?";
}

nlohmann::json value_to_json(const Value& v) {
    return value_to<nlohmann::json>(v);
}

Value value_from_json(const nlohmann::json& j) {
    if (j.is_object()) {
        // {"$bin": "<base64>"} and {"$bin": "...", "$ext": n}; a malformed
        // one (bad base64, bad code) stays an ordinary map.
        const auto bin = j.find("$bin");
        if (bin != j.end() && bin->is_string()) {
            const auto ext = j.find("$ext");
            const bool plain = j.size() == 1;
            const bool with_ext = j.size() == 2 && ext != j.end() && ext->is_number_integer() &&
                                  ext->get<std::int64_t>() >= -128 && ext->get<std::int64_t>() <= 255;
            if (plain || with_ext) {
                if (auto bytes = base64_decode(bin->get<std::string>(), Base64Padding::required)) {
                    Value v = Value::binary(std::move(*bytes));
                    if (with_ext) {
                        // msgpack ext codes are signed bytes; we render the
                        // raw byte (0..255) but also take the signed form.
                        v.get_binary().set_subtype(static_cast<std::uint8_t>(ext->get<std::int64_t>()));
                    }
                    return v;
                }
            }
        }
        Value v = Value::object();
        for (auto it = j.begin(); it != j.end(); ++it) v[it.key()] = value_from_json(it.value());
        return v;
    }
    if (j.is_array()) {
        Value v = Value::array();
        for (const auto& e : j) v.push_back(value_from_json(e));
        return v;
    }
    return j;
}

std::string format_time(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto ms = floor<milliseconds>(t);
    const auto day = floor<days>(ms);
    const year_month_day ymd{day};
    const hh_mm_ss hms{ms - day};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()),
                  static_cast<int>(hms.subseconds().count()));
    return buf;
}

nlohmann::json event_to_json(const Event& e, const std::string& group,
                             std::chrono::system_clock::time_point when) {
    return nlohmann::json(build(e, group, when));
}

std::string event_to_line(const Event& e, const std::string& group,
                          std::chrono::system_clock::time_point when) {
    return dump(build(e, group, when));
}

std::string event_to_text(const Event& e, std::chrono::system_clock::time_point when) {
    // The clock part of format_time: HH:MM:SS.mmm, UTC like the JSON lines.
    std::string s = format_time(when).substr(11, 12);
    s += ' ';
    s += to_string(e.type);
    switch (e.type) {
    case EventType::connected: s += " broker=" + clean(e.broker); break;
    case EventType::disconnected:
    case EventType::error: s += ' ' + clean(e.message); break;
    case EventType::tag: s += ' ' + clean(e.node) + " value=" + value_text(e.value); break;
    case EventType::untag:
        s += ' ' + clean(e.node);
        if (!e.reason.empty()) s += " reason=" + clean(e.reason);
        break;
    case EventType::detag: s += ' ' + clean(e.node); break;
    case EventType::ping:
        s += ' ' + clean(e.node) + " value=" + value_text(e.value) + " chain=" + clean(joined(e.history));
        break;
    case EventType::good: s += " nodes=" + clean(joined(e.nodes)); break;
    case EventType::recover:
        s += " prio=" + std::to_string(e.prio) + (e.replace ? " replace" : " keep") +
             " local=" + clean(joined(e.local)) + " remote=" + clean(joined(e.remote));
        break;
    case EventType::setup: {
        const Config& c = e.config;
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      " version=%lld cycle=%g gap=%g nodes=%lld splits=%lld n_hosts=%lld force_in=%s",
                      static_cast<long long>(c.version), c.cycle, c.gap, static_cast<long long>(c.nodes),
                      static_cast<long long>(c.splits), static_cast<long long>(c.n_hosts),
                      c.force_in ? "true" : "false");
        s += buf;
        break;
    }
    case EventType::members:
        for (const auto& m : e.members) {
            s += ' ' + clean(m.node) + '=' + value_text(m.value);
            if (m.on_chain) s += '*';
            s += '@' + format_time(m.last_seen).substr(11, 12);
        }
        if (e.members.empty()) s += " -";
        break;
    case EventType::raw:
        s += ' ' + (e.msg ? dump(message_to_json(*e.msg)) : std::string("-"));
        break;
    }
    return s;
}

}  // namespace actor
