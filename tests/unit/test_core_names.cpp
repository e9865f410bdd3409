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

TEST(NameTable, LessIsTheNamesOrder) {
    // Equal first 8 bytes, a prefix of another, NUL and high bytes.
    const std::vector<std::string> names = {
        "n0001", "n0002", "n10", "n1", "abcdefgh", "abcdefghi", "abcdefgg", "abcdefgh\x01",
        std::string("ab\0c", 4), "ab", std::string("ab\0", 3), "\xff", "\x7f", "", "zzzzzzzzzzzz1",
        "zzzzzzzzzzzz0"};
    NameTable t;
    std::vector<NameTable::Id> ids;
    for (const auto& n : names) ids.push_back(t.retain(n));
    for (std::size_t i = 0; i < names.size(); ++i)
        for (std::size_t j = 0; j < names.size(); ++j)
            EXPECT_EQ(t.less(ids[i], ids[j]), names[i] < names[j]) << i << " " << j;
}
