// actor/base64.hpp: RFC 4648's vectors both ways, and what is refused.
#include "actor/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using actor::Base64Padding;

namespace {

std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace

TEST(Base64, Rfc4648Vectors) {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, coded] : vectors) {
        EXPECT_EQ(actor::base64_encode(bytes(plain)), coded);
        for (auto p : {Base64Padding::required, Base64Padding::optional}) {
            auto back = actor::base64_decode(coded, p);
            ASSERT_TRUE(back.ok()) << coded;
            EXPECT_EQ(*back, bytes(plain)) << coded;
        }
    }
    const std::vector<std::uint8_t> all = [] {
        std::vector<std::uint8_t> v;
        for (int i = 0; i < 256; ++i) v.push_back(static_cast<std::uint8_t>(i));
        return v;
    }();
    EXPECT_EQ(*actor::base64_decode(actor::base64_encode(all), Base64Padding::required), all);
}

TEST(Base64, PaddingOptionalOnlyWhereAsked) {
    EXPECT_EQ(*actor::base64_decode("Zm9vYg", Base64Padding::optional), bytes("foob"));
    EXPECT_EQ(*actor::base64_decode("Zm9vYmE", Base64Padding::optional), bytes("fooba"));
    EXPECT_FALSE(actor::base64_decode("Zm9vYg", Base64Padding::required).ok());
}

TEST(Base64, RefusesWhatIsNotBase64) {
    for (auto p : {Base64Padding::required, Base64Padding::optional}) {
        for (const char* bad : {"Zm9v!mFy", "Zm9vY", "Zm9vYh==", "Zm9vYmF=", "Zm9v====", "Zg===",
                                "Zm9v\n", " Zm9v", "Zm=9v", "Zm9v=", "Zm9-_w=="}) {
            auto r = actor::base64_decode(bad, p);
            EXPECT_FALSE(r.ok()) << '"' << bad << '"';
            if (!r.ok()) {
                EXPECT_NE(r.error().text().find("is not base64"), std::string::npos);
            }
        }
    }
}
