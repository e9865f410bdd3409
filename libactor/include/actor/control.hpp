#pragma once
// actor-join --control (docs/CLI.md "actor-join --control"): one JSON object
// a line, {"cmd": "value"|"ready"|"enable"|"disable"|"config"|"leave", ...}.
// Sans-IO, in three pieces the tool (and the fuzz target) chain together:
//   ControlLines    bytes -> lines (a line over max_control_line is refused)
//   parse_control   line  -> ControlCommand, or an error naming the field
//   apply_control   command -> calls on a Node, or the reason it was refused
// Error messages read "<cmd>: <field>: <why>"; the tool prefixes "control: ".
#include "actor/config.hpp"
#include "actor/node.hpp"
#include "actor/result.hpp"
#include "actor/time.hpp"
#include "actor/value.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace actor {

namespace control {

struct SetValue {  // {"cmd":"value","value":V}
    Value value;
};
struct SetReady {  // {"cmd":"ready"[,"ready":false]}
    bool ready = true;
};
// {"cmd":"enable"[,"nodes":N]}: without nodes (0) the config never changes
// (Node::enable); with N > 0 the chain bound becomes N (a new version).
struct Enable {
    std::int64_t nodes = 0;
};
struct Disable {  // {"cmd":"disable"[,"nodes":N]}, as Node::disable
    std::int64_t nodes = 0;
};
// {"cmd":"config", ...}: the fields given replace the running config's.
// cycle and gap are seconds as a number or duration text ("250ms"). Without
// a version the change is the next one: next_version(current), refused at
// the top of the range.
struct ChangeConfig {
    std::optional<std::int64_t> version;
    std::optional<double> cycle, gap;  // seconds
    std::optional<std::int64_t> nodes, splits, n_hosts;
    std::optional<bool> force_in;
    friend bool operator==(const ChangeConfig&, const ChangeConfig&) = default;
};
struct Leave {};  // {"cmd":"leave"}: disable (untag if tagged), then exit 0

}  // namespace control

using ControlCommand = std::variant<control::SetValue, control::SetReady, control::Enable,
                                    control::Disable, control::ChangeConfig, control::Leave>;

// Control lines longer than this are refused (and skipped to their end).
inline constexpr std::size_t max_control_line = 64 * 1024;

// One line (without its '\n') as a command. Unknown fields are ignored.
Result<ControlCommand> parse_control(std::string_view line);

// The config a ChangeConfig makes of `current` (not yet validated: that is
// Node::set_config's part). Refused only when no version is given and
// current's is at max_config_version.
Result<Config> config_after(const Config& current, const control::ChangeConfig& change);

// Whether the node's pings could carry a value over the channel, and why
// not (Runtime::value_fits in the shell).
using ValueCheck = std::function<Status(const Value&)>;

enum class ControlOutcome {
    applied,  // the node has taken the command
    leave,    // the shell should leave the group and end the run (Leave)
};

// Carries out a command on `node` at `now`. A value `fits` refuses is not
// set (the old one stays); an empty `fits` accepts every value. Leave does
// not touch the node: the shell leaves (Runtime::leave) on `leave`.
Result<ControlOutcome> apply_control(Node& node, const ControlCommand& cmd, Time now,
                                     const ValueCheck& fits = {});

// Splits a byte stream into control lines at '\n'. Blank lines (spaces,
// tabs, CR) are skipped; a line over max_control_line is dropped up to its
// end and reported once as an error.
class ControlLines {
public:
    // Calls on_line(Result<std::string_view>) for each line; stops (and
    // drops the rest of the chunk) when on_line returns false.
    template <class F>
    void feed(std::string_view chunk, F&& on_line) {
        for (char c : chunk) {
            if (c != '\n') {
                if (line_.size() < max_control_line) line_ += c;
                else too_long_ = true;
                continue;
            }
            bool go_on = true;
            if (too_long_)
                go_on = on_line(Result<std::string_view>(Error{too_long_message()}));
            else if (line_.find_first_not_of(" \t\r") != std::string::npos)
                go_on = on_line(Result<std::string_view>(std::string_view(line_)));
            line_.clear();
            too_long_ = false;
            if (!go_on) return;
        }
    }

private:
    static std::string too_long_message();
    std::string line_;
    bool too_long_ = false;
};

}  // namespace actor
