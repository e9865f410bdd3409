// actor-watch --print-timing (actor/watch.hpp).
#include "actor/timing.hpp"
#include "actor/value.hpp"
#include "actor/watch.hpp"

#include <chrono>
#include <string>

namespace actor::cli {

void print_timing(std::ostream& out, const Config& c) {
    for (const auto& f : timing::timing_formulas) {
        const auto d = f.of(c);
        out << nlohmann::json{{"name", std::string(f.name)}, {"formula", std::string(f.text)}, {"man", std::string(f.man)},
                              {"seconds", to_seconds(d)},
                              {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(d).count()}}
                   .dump()
            << '\n';
    }
}

}  // namespace actor::cli
