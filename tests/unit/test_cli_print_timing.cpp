// actor::cli::print_timing (actor/watch.hpp): actor-watch --print-timing.
#include "actor/timing.hpp"
#include "actor/value.hpp"
#include "actor/watch.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>

TEST(PrintTiming, OneJsonLinePerFormulaWithItsDuration) {
    actor::Config c;
    c.cycle = 4.0;
    c.gap = 0.5;
    std::ostringstream out;
    actor::cli::print_timing(out, c);
    std::istringstream lines(out.str());
    std::string line;
    std::size_t i = 0;
    while (std::getline(lines, line)) {
        ASSERT_LT(i, actor::timing::timing_formulas.size());
        const auto& f = actor::timing::timing_formulas[i++];
        const auto j = nlohmann::json::parse(line);
        EXPECT_EQ(j.size(), 5u) << line;
        EXPECT_EQ(j.at("name"), std::string(f.name));
        EXPECT_EQ(j.at("formula"), std::string(f.text));
        EXPECT_EQ(j.at("man"), std::string(f.man));
        const auto d = f.of(c);
        EXPECT_EQ(j.at("seconds").get<double>(), actor::to_seconds(d)) << line;
        EXPECT_EQ(j.at("ms").get<std::int64_t>(), std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) << line;
    }
    EXPECT_EQ(i, actor::timing::timing_formulas.size());
    EXPECT_EQ(out.str().back(), '\n');
}
