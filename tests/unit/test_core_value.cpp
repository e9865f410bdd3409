// compare_values: Python's ordering for numbers, strings, bytes and arrays,
// and a strict total order for everything else (value.hpp).
#include "actor/value.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace {

using actor::compare_values;
using actor::Value;
using actor::values_equal;

bool lt(const Value& a, const Value& b) {
    return compare_values(a, b) < 0;
}

Value bin(std::vector<std::uint8_t> b) {
    return Value::binary(std::move(b));
}

TEST(ValueOrder, NumbersCompareAcrossTypesLikePython) {
    EXPECT_TRUE(values_equal(Value(1), Value(1.0)));
    EXPECT_TRUE(values_equal(Value(1), Value(true)));
    EXPECT_TRUE(values_equal(Value(0), Value(false)));
    EXPECT_TRUE(values_equal(Value(std::uint64_t{5}), Value(std::int64_t{5})));
    EXPECT_TRUE(values_equal(Value(-0.0), Value(0)));
    EXPECT_TRUE(lt(Value(false), Value(true)));
    EXPECT_TRUE(lt(Value(true), Value(1.5)));
    EXPECT_TRUE(lt(Value(-1), Value(std::uint64_t{0})));
    EXPECT_TRUE(lt(Value(std::int64_t{-1}), Value(std::numeric_limits<std::uint64_t>::max())));
    EXPECT_TRUE(lt(Value(2), Value(2.5)));
    EXPECT_TRUE(lt(Value(-3), Value(-2.5)));
    EXPECT_TRUE(lt(Value(-2.5), Value(-2)));
}

TEST(ValueOrder, LargeIntegersAgainstDoublesAreExact) {
    const std::uint64_t two63 = std::uint64_t{1} << 63;
    // 2^63 is exactly representable as a double.
    EXPECT_TRUE(values_equal(Value(two63), Value(9223372036854775808.0)));
    EXPECT_TRUE(lt(Value(two63 - 1), Value(9223372036854775808.0)));
    EXPECT_TRUE(lt(Value(9223372036854775808.0), Value(two63 + 1)));
    const auto i_max = std::numeric_limits<std::int64_t>::max();
    EXPECT_TRUE(lt(Value(i_max), Value(9223372036854775808.0)));
    const auto i_min = std::numeric_limits<std::int64_t>::min();
    EXPECT_TRUE(values_equal(Value(i_min), Value(-9223372036854775808.0)));
    EXPECT_TRUE(lt(Value(-9223372036854777856.0), Value(i_min)));  // next double below -2^63
    EXPECT_TRUE(lt(Value(i_min + 1), Value(-9223372036854774784.0)));  // -2^63 + 1024
    EXPECT_TRUE(lt(Value(std::numeric_limits<std::uint64_t>::max()), Value(18446744073709551616.0)));
    // 2^53 + 1 is not a double; the nearest ones are 2^53 and 2^53 + 2.
    const std::int64_t p53 = std::int64_t{1} << 53;
    EXPECT_TRUE(lt(Value(9007199254740992.0), Value(p53 + 1)));
    EXPECT_TRUE(lt(Value(p53 + 1), Value(9007199254740994.0)));
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_TRUE(lt(Value(std::numeric_limits<std::uint64_t>::max()), Value(inf)));
    EXPECT_TRUE(lt(Value(-inf), Value(i_min)));
}

TEST(ValueOrder, NanSortsAboveEveryNumberAndEqualsItself) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_TRUE(values_equal(Value(nan), Value(nan)));
    EXPECT_TRUE(lt(Value(inf), Value(nan)));
    EXPECT_TRUE(lt(Value(std::numeric_limits<std::uint64_t>::max()), Value(nan)));
    EXPECT_TRUE(lt(Value(nan), Value("")));
}

TEST(ValueOrder, StringsByUtf8BytesAndBytesBytewise) {
    EXPECT_TRUE(lt(Value("a"), Value("b")));
    EXPECT_TRUE(lt(Value("a"), Value("ab")));
    EXPECT_TRUE(lt(Value("z"), Value("\xc3\xa4")));  // U+00E4 above ASCII
    EXPECT_TRUE(lt(Value("\xef\xbf\xbf"), Value("\xf0\x9f\x98\x80")));  // U+FFFF < U+1F600
    EXPECT_TRUE(lt(bin({0x00, 0xff}), bin({0x01})));
    EXPECT_TRUE(lt(bin({0x7f}), bin({0x80})));
    EXPECT_TRUE(lt(bin({1}), bin({1, 0})));
    EXPECT_TRUE(values_equal(bin({1, 2}), bin({1, 2})));
}

TEST(ValueOrder, ArraysLexicographicThenByLength) {
    EXPECT_TRUE(lt(Value::array({1, 2}), Value::array({1, 3})));
    EXPECT_TRUE(lt(Value::array({1, 2}), Value::array({1, 2, 0})));
    EXPECT_TRUE(lt(Value::array({2}), Value::array({10})));
    EXPECT_TRUE(lt(Value::array({3}), Value::array({2, 0})) == false);
    EXPECT_TRUE(values_equal(Value::array({1, 2.0}), Value::array({true, 2})));
}

TEST(ValueOrder, MixedTypesFollowTheDocumentedRanks) {
    const std::vector<Value> ranked = {
        Value(nullptr), Value(-1e300), Value(5), Value("s"), bin({0}),
        Value::array(), Value::object(),
    };
    for (std::size_t i = 0; i + 1 < ranked.size(); ++i) {
        EXPECT_TRUE(lt(ranked[i], ranked[i + 1])) << i;
    }
    EXPECT_TRUE(lt(Value(std::numeric_limits<double>::quiet_NaN()), Value("")));
    EXPECT_TRUE(lt(Value("\xff"), bin({})));
}

TEST(ValueOrder, MapsCompareAsSortedKeyValueLists) {
    const Value a = {{"a", 1}, {"b", 2}};
    const Value b = {{"a", 1}, {"b", 3}};
    const Value c = {{"a", 2}};
    const Value d = {{"b", 0}};
    EXPECT_TRUE(lt(a, b));
    EXPECT_TRUE(lt(a, c));   // second pair: ("b", 2) vs none -> key "a" value 1 < 2 decides first
    EXPECT_TRUE(lt(c, d));   // key "a" < key "b"
    EXPECT_TRUE(lt(Value{{"a", 1}}, a));  // prefix
    EXPECT_TRUE(values_equal(Value{{"x", 1}}, Value{{"x", 1.0}}));
}

TEST(ValueOrder, ExtValuesFollowPlainBytes) {
    Value e = bin({1});
    e.get_binary().set_subtype(3);
    Value e4 = bin({1});
    e4.get_binary().set_subtype(4);
    EXPECT_TRUE(lt(bin({1}), e));
    EXPECT_TRUE(lt(e, e4));
    EXPECT_TRUE(lt(e4, bin({2})));
}

// Random values from a small pool of tricky atoms, so that ties and
// near-ties across types are frequent.
Value random_value(std::mt19937_64& rng, int depth) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::uint64_t two63 = std::uint64_t{1} << 63;
    static const std::vector<Value> atoms = {
        Value(nullptr), Value(false), Value(true), Value(0), Value(-0.0), Value(0.5), Value(1),
        Value(std::uint64_t{1}), Value(1.0), Value(-1), Value(-1.0), Value(2), Value(2.5),
        Value(two63), Value(two63 - 1), Value(two63 + 1), Value(9223372036854775808.0),
        Value(std::numeric_limits<std::int64_t>::min()), Value(-9223372036854775808.0),
        Value(std::numeric_limits<std::uint64_t>::max()), Value(18446744073709551616.0),
        Value(std::numeric_limits<double>::infinity()), Value(-std::numeric_limits<double>::infinity()),
        Value(nan), Value(""), Value("a"), Value("ab"), Value("b"), Value("\xc3\xa4"),
        Value("\xff"), bin({}), bin({0}), bin({0, 1}), bin({0xff}),
    };
    std::uniform_int_distribution<int> kind(0, depth > 2 ? 0 : 9);
    switch (kind(rng)) {
    case 7:
    case 8: {
        Value a = Value::array();
        std::uniform_int_distribution<int> n(0, 3);
        for (int i = n(rng); i > 0; --i) a.push_back(random_value(rng, depth + 1));
        return a;
    }
    case 9: {
        Value m = Value::object();
        static const char* keys[] = {"a", "b", "c"};
        std::uniform_int_distribution<int> n(0, 2), k(0, 2);
        for (int i = n(rng); i > 0; --i) m[keys[k(rng)]] = random_value(rng, depth + 1);
        return m;
    }
    default: {
        std::uniform_int_distribution<std::size_t> pick(0, atoms.size() - 1);
        return atoms[pick(rng)];
    }
    }
}

TEST(ValueOrder, RandomizedStrictTotalOrder) {
    const std::uint64_t seed = std::random_device{}();
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::vector<Value> pool;
    for (int i = 0; i < 120; ++i) pool.push_back(random_value(rng, 0));
    for (const auto& a : pool) {
        ASSERT_TRUE(compare_values(a, a) == 0) << a.dump();
        for (const auto& b : pool) {
            const auto ab = compare_values(a, b), ba = compare_values(b, a);
            ASSERT_TRUE(ab == (0 <=> ba)) << a.dump() << " vs " << b.dump();
            for (const auto& c : pool) {
                const auto bc = compare_values(b, c);
                if (ab <= 0 && bc <= 0) {
                    const auto ac = compare_values(a, c);
                    ASSERT_TRUE(ac <= 0) << a.dump() << " " << b.dump() << " " << c.dump();
                    if (ab < 0 || bc < 0) {
                        ASSERT_TRUE(ac < 0);
                    }
                }
            }
        }
    }
}

TEST(ValueOrder, SortingRandomValuesIsConsistent) {
    // std::sort with an inconsistent comparator misbehaves; a sorted result
    // checked pairwise is another view of transitivity.
    std::mt19937_64 rng(12345);
    std::vector<Value> v;
    for (int i = 0; i < 2000; ++i) v.push_back(random_value(rng, 0));
    std::sort(v.begin(), v.end(), lt);
    for (std::size_t i = 0; i + 1 < v.size(); ++i) ASSERT_FALSE(lt(v[i + 1], v[i]));
}

}  // namespace
