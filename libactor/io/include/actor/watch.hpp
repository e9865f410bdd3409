#pragma once
// What only actor-watch needs from the library (docs/CLI.md "actor-watch").
// The members view itself is in the core: actor/members.hpp.
#include "actor/cli.hpp"
#include "actor/config.hpp"
#include "actor/health.hpp"

#include <optional>
#include <ostream>
#include <string>

namespace actor::cli {

// --print-timing: each derived duration of the configured timing
// (actor::timing::timing_formulas) as one JSON line {name, formula, man,
// seconds, ms}, for scripts, the Bats helpers and tests/docs/check-timing.sh.
void print_timing(std::ostream& out, const Config& c);

// --check (a Nagios/Icinga plugin) and --format prometheus (with --once):
// both watch one window (--timeout, default timing::watch_once_timeout) and
// print one answer from actor::health (actor/health.hpp).
struct HealthOptions {
    bool check = false;
    std::string warn_members, crit_members, warn_age, crit_age;  // as given
};
void add_health_options(CLI::App& app, HealthOptions& h);
// The thresholds from the options (the error names the option); --warn-age
// defaults to timing::overdue_turn.
Result<health::Thresholds> health_thresholds(const HealthOptions& h, const Config& c);
struct WatchModes {
    bool once = false, raw = false, members = false;
    std::optional<Duration> ttl;
};
// Runs the watch when --check or --format prometheus was asked for and
// returns the exit status (0-3 for --check; 0, or 69 when the channel could
// not be reached, for prometheus; 64 for options that do not go together);
// nothing otherwise.
std::optional<int> run_health(CommonOptions& common, const HealthOptions& h, const WatchModes& m);

}  // namespace actor::cli
