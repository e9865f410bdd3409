// actor-watch --check's threshold options (actor/watch.hpp).
#include "actor/timing.hpp"
#include "actor/watch.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

TEST(HealthThresholds, DefaultWarnAgeIsAnOverdueTurn) {
    actor::Config c;
    auto t = actor::cli::health_thresholds({}, c);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->warn_age, actor::timing::overdue_turn(c));
    EXPECT_FALSE(t->crit_age);
    EXPECT_FALSE(t->warn_members);
}

TEST(HealthThresholds, ParsedAndChecked) {
    actor::Config c;
    actor::cli::HealthOptions h;
    h.warn_members = "5";
    h.crit_members = "3";
    h.warn_age = "20s";
    h.crit_age = "1m";
    auto t = actor::cli::health_thresholds(h, c);
    ASSERT_TRUE(t);
    EXPECT_EQ(*t->warn_members, 5u);
    EXPECT_EQ(*t->crit_members, 3u);
    EXPECT_EQ(*t->warn_age, 20s);
    EXPECT_EQ(*t->crit_age, 60s);

    h.warn_members = "2";
    auto bad = actor::cli::health_thresholds(h, c);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().subject, "--warn-members");
    h.warn_members = "x";
    EXPECT_EQ(actor::cli::health_thresholds(h, c).error().subject, "--warn-members");
    h.warn_members = "";
    h.warn_age = "2m";
    EXPECT_EQ(actor::cli::health_thresholds(h, c).error().subject, "--warn-age");
    h.warn_age = "soon";
    EXPECT_EQ(actor::cli::health_thresholds(h, c).error().subject, "--warn-age");
}

TEST(HealthThresholds, ALowCritAgeAloneMovesTheWarningDown) {
    actor::Config c;  // overdue_turn 16 s
    actor::cli::HealthOptions h;
    h.crit_age = "5s";
    auto t = actor::cli::health_thresholds(h, c);
    ASSERT_TRUE(t);
    EXPECT_EQ(*t->warn_age, 5s);
}

}  // namespace
