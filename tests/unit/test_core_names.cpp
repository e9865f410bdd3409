// Interned names (actor/names.hpp): ids are counted references, and the
// table's order is the names' order (std::string's, byte by byte).
#include "actor/names.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using actor::NameTable;

TEST(NameTable, OneIdPerNameUntilTheLastHolderReleasesIt) {
    NameTable t;
    const auto a = t.retain("alpha");
    EXPECT_EQ(t.retain("alpha"), a);
    EXPECT_EQ(t.find("alpha"), a);
    EXPECT_EQ(t.name(a), "alpha");
    EXPECT_EQ(t.find("beta"), NameTable::none);
    t.release(a);
    EXPECT_EQ(t.find("alpha"), a);  // one holder left
    t.release(a);
    EXPECT_EQ(t.find("alpha"), NameTable::none);
    EXPECT_EQ(t.size(), 0u);
    const auto b = t.retain("beta");  // the freed id is reused
    EXPECT_EQ(b, a);
    EXPECT_EQ(t.name(b), "beta");
    EXPECT_EQ(t.find("alpha"), NameTable::none);
}

TEST(NameTable, NaturalOrderComparesDigitRunsAsNumbers) {
    // In order; each name is less than every later one.
    const std::vector<std::string> names = {
        "", std::string("\0", 1), "1", "2", "10", "ab", std::string("ab\0", 3), std::string("ab\0c", 4),
        "abcdefgg", "abcdefgh", "abcdefgh\x01", "abcdefghi", "n", "n0", "n00", "n000", "n01", "n1", "n007",
        "n7", "n9", "n10", "n10a", "n10b", "n99", "n0100", "n100", "node2-b", "node10-a", "zzzzzzzzzzzz0",
        "zzzzzzzzzzzz1", "\x7f", "\xff"};
    for (std::size_t i = 0; i < names.size(); ++i)
        for (std::size_t j = 0; j < names.size(); ++j)
            EXPECT_EQ(actor::natural_less(names[i], names[j]), i < j) << i << " " << j;
    // The turn order's: the last name first.
    NameTable t;
    const auto a = t.retain("n9"), b = t.retain("n10");
    EXPECT_TRUE(t.before(b, a));
    EXPECT_FALSE(t.before(a, b));
    EXPECT_FALSE(t.before(a, a));
}
