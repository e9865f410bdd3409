#pragma once
// How a tool's run ended, and how it prints: the runtime's vocabulary, which
// the command-line layer (actor/cli.hpp) maps to exit statuses in one place.
#include <string>

namespace actor {

// prometheus: actor-watch --once only (its metrics, not event lines).
enum class Format { json, text, prometheus };

// How a run ended; the one mapping to exit statuses is cli::exit_status_for().
struct Ending {
    enum class Kind {
        done,           // finished what it was asked (count reached, --once, leave)
        output_closed,  // stdout went away (`| head -1`): quiet success
        usage,          // bad input found late (e.g. the channel refuses the group)
        unavailable,    // channel unreachable or refused us
        no_echo,        // our messages do not come back
        denied,         // credentials or topic access rejected
        name_twin,      // another node uses our name
        timeout,        // --timeout passed
        signal,         // SIGINT/SIGTERM/SIGHUP
    } kind = Kind::done;
    int signal = 0;       // for Kind::signal
    std::string reason;   // for diagnostics
};

}  // namespace actor
