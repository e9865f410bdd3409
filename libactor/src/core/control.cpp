// actor-join --control lines (actor/control.hpp).
#include "actor/control.hpp"

#include "actor/duration.hpp"
#include "actor/event_json.hpp"

#include <nlohmann/json.hpp>

#include <limits>
#include <utility>

namespace actor {

namespace {

using nlohmann::json;

// A field's failure is thrown as an Error naming the field; parse_control
// catches it and names the cmd.

std::optional<std::int64_t> int_field(const json& j, const char* f) {
    const auto it = j.find(f);
    if (it == j.end()) return std::nullopt;
    if (it->is_number_unsigned() &&
        it->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        throw Error{"out of range", f};
    if (!it->is_number_integer()) throw Error{"not an integer", f};
    return it->get<std::int64_t>();
}

std::optional<bool> bool_field(const json& j, const char* f) {
    const auto it = j.find(f);
    if (it == j.end()) return std::nullopt;
    if (!it->is_boolean()) throw Error{"not true or false", f};
    return it->get<bool>();
}

// A duration: seconds as a number, or "250ms"-style text.
std::optional<double> seconds_field(const json& j, const char* f) {
    const auto it = j.find(f);
    if (it == j.end()) return std::nullopt;
    if (it->is_number()) return it->get<double>();
    if (it->is_string()) {
        auto d = parse_duration(it->get<std::string>());
        if (d) return to_seconds(*d);
        throw Error{d.error().text(), f};
    }
    throw Error{"not a duration", f};
}

ControlCommand parse_fields(const std::string& cmd, const json& j) {
    if (cmd == "value") {
        const auto it = j.find("value");
        if (it == j.end()) throw Error{"needs a \"value\""};
        return control::SetValue{value_from_json(*it)};
    }
    if (cmd == "ready") return control::SetReady{bool_field(j, "ready").value_or(true)};
    if (cmd == "enable") return control::Enable{int_field(j, "nodes").value_or(0)};
    if (cmd == "disable") return control::Disable{int_field(j, "nodes").value_or(0)};
    if (cmd == "config") {
        control::ChangeConfig c;
        c.version = int_field(j, "version");
        c.cycle = seconds_field(j, "cycle");
        c.gap = seconds_field(j, "gap");
        c.nodes = int_field(j, "nodes");
        c.splits = int_field(j, "splits");
        c.n_hosts = int_field(j, "n_hosts");
        c.force_in = bool_field(j, "force_in");
        return c;
    }
    if (cmd == "leave") return control::Leave{};
    throw Error{};  // unknown: reported by the caller
}

}  // namespace

std::string ControlLines::too_long_message() {
    return "line longer than " + std::to_string(max_control_line) + " bytes";
}

Result<ControlCommand> parse_control(std::string_view line) {
    const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Error{"not JSON"};
    const auto cmd_it = j.is_object() ? j.find("cmd") : j.end();
    if (!j.is_object() || cmd_it == j.end() || !cmd_it->is_string())
        return Error{"a command is an object with a \"cmd\" string"};
    const std::string cmd = cmd_it->get<std::string>();
    static constexpr const char* known[] = {"value", "ready", "enable", "disable", "config", "leave"};
    bool is_known = false;
    for (const char* k : known) is_known = is_known || cmd == k;
    if (!is_known) return Error{"unknown cmd \"" + cmd + "\""};
    try {
        return parse_fields(cmd, j);
    } catch (const Error& e) {
        return Error{e.text(), cmd};
    }
}

Result<Config> config_after(const Config& current, const control::ChangeConfig& change) {
    Config c = current;
    if (change.version) {
        c.version = *change.version;
    } else if (auto v = next_version(c.version)) {
        c.version = *v;
    } else {
        return Error{"the config version is at its maximum"};
    }
    if (change.cycle) c.cycle = *change.cycle;
    if (change.gap) c.gap = *change.gap;
    if (change.nodes) c.nodes = *change.nodes;
    if (change.splits) c.splits = *change.splits;
    if (change.n_hosts) c.n_hosts = *change.n_hosts;
    if (change.force_in) c.force_in = *change.force_in;
    return c;
}

Result<ControlOutcome> apply_control(Node& node, const ControlCommand& cmd, Time now,
                                     const ValueCheck& fits) {
    using Out = Result<ControlOutcome>;
    struct Apply {
        Node& n;
        Time now;
        const ValueCheck& fits;
        Out operator()(const control::SetValue& c) const {
            // A value our pings cannot carry is refused; the old one stays.
            if (fits) {
                if (auto fit = fits(c.value); !fit) return Error{fit.error().message, "value"};
            }
            n.set_value(c.value);
            return ControlOutcome::applied;
        }
        Out operator()(const control::SetReady& c) const {
            n.set_ready(c.ready);
            return ControlOutcome::applied;
        }
        Out operator()(const control::Enable& c) const {
            n.enable(c.nodes, now);
            return ControlOutcome::applied;
        }
        Out operator()(const control::Disable& c) const {
            n.disable(c.nodes, now);
            return ControlOutcome::applied;
        }
        Out operator()(const control::ChangeConfig& c) const {
            auto next = config_after(n.config(), c);
            if (!next) return Error{next.error().text(), "config"};
            if (auto done = n.set_config(*next, now); !done) return Error{done.error().text(), "config"};
            return ControlOutcome::applied;
        }
        Out operator()(const control::Leave&) const { return ControlOutcome::leave; }
    };
    return std::visit(Apply{node, now, fits}, cmd);
}

}  // namespace actor
