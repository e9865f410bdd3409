// actor/timing.hpp: every formula text in timing_formulas (the one the man
// pages state, tests/docs/check-timing.sh) evaluates to what its function
// returns, over a spread of configs.
#include "actor/timing.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string>

using namespace actor;

namespace {

// + - * / and parentheses over numbers and the names cycle, gap, nodes
// (nodes <= 0 counted as 1, as member_ttl does).
class Eval {
public:
    Eval(std::string_view text, const Config& c) : s_(text), c_(c) {}
    double run() {
        const double v = sum();
        skip();
        if (i_ != s_.size()) throw std::runtime_error("trailing text in " + std::string(s_));
        return v;
    }

private:
    void skip() {
        while (i_ < s_.size() && s_[i_] == ' ') ++i_;
    }
    double sum() {
        double v = product();
        for (skip(); i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-'); skip()) {
            const char op = s_[i_++];
            const double r = product();
            v = op == '+' ? v + r : v - r;
        }
        return v;
    }
    double product() {
        double v = atom();
        for (skip(); i_ < s_.size() && (s_[i_] == '*' || s_[i_] == '/'); skip()) {
            const char op = s_[i_++];
            const double r = atom();
            v = op == '*' ? v * r : v / r;
        }
        return v;
    }
    double atom() {
        skip();
        if (i_ < s_.size() && s_[i_] == '(') {
            ++i_;
            const double v = sum();
            skip();
            if (i_ >= s_.size() || s_[i_] != ')') throw std::runtime_error("no ) in " + std::string(s_));
            ++i_;
            return v;
        }
        const std::size_t start = i_;
        if (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) {
            while (i_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
            const auto name = s_.substr(start, i_ - start);
            if (name == "cycle") return c_.cycle;
            if (name == "gap") return c_.gap;
            if (name == "nodes") return static_cast<double>(std::max<std::int64_t>(c_.nodes, 1));
            throw std::runtime_error("unknown name " + std::string(name));
        }
        while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.')) ++i_;
        if (start == i_) throw std::runtime_error("bad formula " + std::string(s_));
        return std::stod(std::string(s_.substr(start, i_ - start)));
    }

    std::string_view s_;
    const Config& c_;
    std::size_t i_ = 0;
};

}  // namespace

TEST(Timing, FormulaTextsMatchTheFunctions) {
    for (double cycle : {0.03, 1.0, 1.5, 10.0, 3600.0}) {
        for (double gap : {0.01, 0.1, 0.5}) {
            for (std::int64_t nodes : {0, 1, 5, 100}) {
                Config c;
                c.cycle = std::max(cycle, 3 * gap);
                c.gap = gap;
                c.nodes = nodes;
                for (const auto& f : timing::timing_formulas) {
                    const double want = Eval(f.text, c).run();
                    EXPECT_NEAR(to_seconds(f.of(c)), want, 1e-6)
                        << f.name << " = " << f.text << " at cycle " << c.cycle << " gap " << gap
                        << " nodes " << nodes;
                }
            }
        }
    }
}

TEST(Timing, NamesAreUniqueAndTheDefaultsAsDocumented) {
    for (std::size_t i = 0; i < timing::timing_formulas.size(); ++i)
        for (std::size_t k = i + 1; k < timing::timing_formulas.size(); ++k)
            EXPECT_NE(timing::timing_formulas[i].name, timing::timing_formulas[k].name);
    const Config d;  // cycle 10 s, gap 1.5 s, nodes 5
    // The figures man actor-watch(1) gives for the defaults.
    EXPECT_EQ(timing::member_ttl(d), std::chrono::milliseconds(82'500));
    EXPECT_EQ(timing::watch_once_timeout(d), std::chrono::seconds(26));
    EXPECT_EQ(timing::turn_bound(d), std::chrono::milliseconds(13'750));
    EXPECT_EQ(timing::echo_deadline(d, 0), std::chrono::milliseconds(12'250));
    EXPECT_EQ(timing::echo_deadline_max(d), std::chrono::seconds(13));
    static_assert(timing::report_window(Config{}) == std::chrono::seconds(3));
}
