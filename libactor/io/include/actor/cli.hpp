#pragma once
// The command-line code shared by actor-join, actor-watch and
// actor-run-if-leader (docs/CLI.md "Common options"): one options struct, one
// parser, one place that turns the options into a TransportOptions and a
// NodeOptions, and one place that maps how a run ended to an exit status.
//
// Options are processed in one fixed order (later wins): defaults, the
// --config file, the environment (ACTOR_BROKER, ACTOR_NAME, ACTOR_PASSWORD,
// ACTOR_SERF_AUTH, ACTOR_GROUP_KEY_FILE), argv; then the cross-option
// checks. Every bad option ends the program with exit status 64 (77 for a
// --group-key file that group or others may access) and ONE line on
// stderr naming it.
#include "actor/auth.hpp"
#include "actor/config.hpp"
#include "actor/ending.hpp"
#include "actor/node.hpp"
#include "actor/runtime.hpp"
#include "actor/result.hpp"
#include "actor/time.hpp"
#include "actor/transport.hpp"
#include "actor/value.hpp"


#include <optional>
#include <string>
#include <string_view>

// CLI11 is heavy to compile; only the files that build a CLI::App include it.
namespace CLI {
class App;
}

namespace actor::cli {

using Format = actor::Format;

struct CommonOptions {
    std::string tool;  // program name for messages, e.g. "actor-join"
    // A long-running node (actor-join): without --timeout it keeps trying
    // to reach the channel forever instead of giving up after 10 s.
    bool persistent = false;

    // Raw option text as given (argv, env or config file); checked and
    // converted by finish_common_options() into the fields further down.
    struct Raw {
        std::string group;
        std::string broker = "mqtt://localhost:1883";
        std::string name;
        std::string value = "0";
        std::string cycle = "10s", gap = "1.5s", timeout;
        std::string nodes = "5", splits = "4", n_hosts = "10", config_version = "0";
        std::string password_file, serf_auth_file;
        std::string group_key_file;  // --group-key, env ACTOR_GROUP_KEY_FILE
        std::string format = "json";
        std::string turn_policy = "fair";
        bool name_given = false;  // -n "" is an error, not "use the host name"
    } raw;

    // Checked results.
    std::string group;
    BrokerUrl broker;
    std::string name;
    Value value = 0;
    Config config;
    std::optional<Duration> timeout;
    bool force_in = false;
    std::string username;
    std::optional<std::string> password;  // never printed
    std::string cafile, capath, cert, key;
    std::optional<std::string> serf_auth;  // never printed
    std::optional<GroupKeys> group_keys;   // --group-key; never printed
    int verbose = 0;
    bool quiet = false;
    Format format = Format::json;
    TurnPolicy turn_policy = TurnPolicy::fair;
};

// Registers GROUP and every common option on `app` (bound to `o`), the
// --config file and --version. Tools add their own options afterwards.
void add_common_options(CLI::App& app, CommonOptions& o);

// Parses argv: env values are injected before argv (so argv wins and the
// config file only fills what neither set), then finish_common_options().
// Returns an exit status when the program should end now (0 after --help or
// --version, 64 after a bad option, with its one line already on stderr),
// or nothing to go on.
std::optional<int> parse(CLI::App& app, CommonOptions& o, int argc, const char* const* argv);

// The cross-option checks and conversions; the error's subject is the
// option (or GROUP).
Status finish_common_options(CommonOptions& o);

// Whether this node's init, vers and smallest ping fit the channel's
// payload_limit() (actor/fit.hpp); the error names the option, the size,
// the limit and the transport. parse() calls it for every tool whose node
// sends (all but actor-watch).
Status check_sizes(const CommonOptions& o);

// Prints "<tool>: <subject>: <message>" (one line) on stderr and returns
// exit_status::usage, for the tools' own option checks.
int usage_error(const CommonOptions& o, const Error& e);

// Building blocks, exposed for the tools and the tests.
Result<Duration> parse_duration(std::string_view text);
Status check_group(std::string_view group);
Status check_name(std::string_view name);
bool valid_utf8(std::string_view s);
// The first line of a file, its trailing newline (and CR) stripped.
Result<std::string> read_first_line(const std::string& path);
// The keys of a --group-key file (actor/auth.hpp parse_group_keys). A file
// that group or others may access is refused with status 77 (denied), as
// ssh refuses a loose private key; the error never quotes a key.
Result<GroupKeys> read_group_key_file(const std::string& path);
std::string default_node_name();

// connect_timeout: --timeout when given; else none (keep trying) for a
// persistent tool; else 10 s.
TransportOptions transport_options(const CommonOptions& o);
NodeOptions node_options(const CommonOptions& o, Mode mode);

}  // namespace actor::cli

namespace actor {
// The runtime's options from the common ones (the tool, the group, the
// format, -v/-q, --timeout and the transport).
RuntimeOptions runtime_options(const cli::CommonOptions& o);
}  // namespace actor

namespace actor::cli {

// How a run ended (actor/ending.hpp); the one mapping to exit statuses.
using Ending = actor::Ending;

struct ExitPolicy {
    // actor-join and actor-watch treat a stop signal as the normal way to
    // end (exit 0); run-if-leader reports 128+N.
    bool signal_is_success = true;
};

int exit_status_for(const Ending& e, ExitPolicy policy = {});

}  // namespace actor::cli
