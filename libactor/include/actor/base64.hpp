#pragma once
// Standard base64 (RFC 4648, alphabet A-Z a-z 0-9 + /): `{"$bin": ...}`
// values in JSON events and group key files. The arithmetic is OpenSSL's
// (EVP_EncodeBlock, EVP_DecodeBlock); what counts as well-formed is ours,
// strict: no whitespace, no characters outside the alphabet, '=' only as
// the last one or two, no bits set beyond the data.
#include "actor/result.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace actor {

std::string base64_encode(std::span<const std::uint8_t> bytes);

enum class Base64Padding {
    required,  // length a multiple of 4, '=' filling the last group
    optional,  // the '=' may be left out
};

// The bytes, or an Error saying what is wrong ("is not base64 (...)").
Result<std::vector<std::uint8_t>> base64_decode(std::string_view text, Base64Padding padding);

}  // namespace actor
