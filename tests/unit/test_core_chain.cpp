#include "actor/chain.hpp"

#include <gtest/gtest.h>

using actor::Chain;
using Names = std::vector<std::string>;

TEST(Chain, FollowsTheProtocolExamplesWithBoundThree) {
    Chain c(3);
    const std::vector<std::pair<std::string, Names>> steps = {
        {"a", {"a"}},           {"a", {"a"}},           {"b", {"b", "a"}},
        {"a", {"a", "b"}},      {"c", {"c", "a", "b"}}, {"d", {"d", "c", "a"}},
        {"c", {"c", "d"}},
    };
    for (const auto& [name, want] : steps) {
        c.add(name);
        EXPECT_EQ(c.names(), want) << "after adding " << name;
    }
}

TEST(Chain, UnboundedNeverDropsNewNames) {
    Chain c(0);
    for (auto n : {"a", "b", "c", "d", "e", "f"}) c.add(n);
    EXPECT_EQ(c.size(), 6u);
    c.add("c");  // only a bounded chain drops its last entry
    EXPECT_EQ(c.names(), (Names{"c", "f", "e", "d", "b", "a"}));
}

TEST(Chain, AdoptedLongerThanBoundIsNotTrimmed) {
    Chain c = Chain::adopt({"a", "b", "c", "d", "e"}, 3);
    EXPECT_EQ(c.size(), 5u);
    c.add("x");  // a new name makes it longer
    EXPECT_EQ(c.names(), (Names{"x", "a", "b", "c", "d", "e"}));
    c.add("c");  // an old name not last: removed, last dropped
    EXPECT_EQ(c.names(), (Names{"c", "x", "a", "b", "d"}));
}

TEST(Chain, IndexAndHead) {
    Chain c = Chain::adopt({"a", "b", "c"}, 5);
    EXPECT_EQ(c.index_of("b"), 1u);
    EXPECT_FALSE(c.index_of("z"));
    EXPECT_EQ(c.head(2), (Names{"a", "b"}));
    EXPECT_EQ(c.head(9), (Names{"a", "b", "c"}));
    EXPECT_EQ(c.at(3), nullptr);
}
