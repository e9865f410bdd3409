#pragma once
// What only actor-watch needs from the library (docs/CLI.md "actor-watch").
// The members view itself is in the core: actor/members.hpp.
#include "actor/config.hpp"

#include <ostream>

namespace actor::cli {

// --print-timing: each derived duration of the configured timing
// (actor::timing::timing_formulas) as one JSON line {name, formula, man,
// seconds, ms}, for scripts, the Bats helpers and tests/docs/check-timing.sh.
void print_timing(std::ostream& out, const Config& c);

}  // namespace actor::cli
