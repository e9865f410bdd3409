// Base64 (actor/base64.hpp): our strict check, OpenSSL's arithmetic.
#include "actor/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace actor {

namespace {

bool in_alphabet(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

// The value of a base64 digit in the alphabet.
unsigned digit_value(char c) {
    if (c >= 'A' && c <= 'Z') return static_cast<unsigned>(c - 'A');
    if (c >= 'a' && c <= 'z') return static_cast<unsigned>(c - 'a' + 26);
    if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0' + 52);
    return c == '+' ? 62u : 63u;
}

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
    std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(std::max(n, 0)));
    return out;
}

Result<std::vector<std::uint8_t>> base64_decode(std::string_view text, Base64Padding padding) {
    std::size_t pad = 0;
    while (pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    const std::string_view digits = text.substr(0, text.size() - pad);
    if (pad > 2) return Error{"is not base64 (more than two '=' at the end)"};
    if (!std::all_of(digits.begin(), digits.end(), in_alphabet))
        return Error{"is not base64 (a character outside A-Z a-z 0-9 + / before the '=')"};
    const std::size_t rest = digits.size() % 4;
    if (rest == 1) return Error{"is not base64 (bad length)"};
    if (padding == Base64Padding::required ? (digits.size() + pad) % 4 != 0
                                           : pad != 0 && (rest == 0 || rest + pad != 4))
        return Error{"is not base64 (bad padding)"};
    // The last digit of a short group carries bits beyond the data (4 of
    // them after 2 digits, 2 after 3): they must be zero.
    if (rest != 0 && (digit_value(digits.back()) & (rest == 2 ? 0x0fu : 0x03u)) != 0)
        return Error{"is not base64 (bits set beyond the data)"};
    std::string whole(digits);
    whole.append((4 - rest) % 4, '=');
    std::vector<std::uint8_t> out(whole.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(whole.data()),
                                  static_cast<int>(whole.size()));
    if (n < 0) return Error{"is not base64"};
    // EVP_DecodeBlock counts the padding's zero bytes too.
    out.resize(static_cast<std::size_t>(n) - (rest == 2 ? 2 : rest == 3 ? 1 : 0));
    return out;
}

}  // namespace actor
