#pragma once
// The one error type of the project and the results that carry it (GCC 12
// has no std::expected): every fallible call returns Result<T>, or Status
// when it has nothing to return but success. An Error names what it is
// about (`subject`: an option such as "--gap", an argument such as
// "GROUP", a config field such as "gap", or nothing) apart from its
// message, so a caller can rename the subject (a config field to the
// option that set it, actor/cli.hpp) without reading the words; `status` is
// the exit status the failure implies where it implies one (a job that
// cannot start: 126/127), else 0.
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace actor {

struct Error {
    std::string message;
    std::string subject = {};
    int status = 0;

    // "subject: message", or the message alone.
    std::string text() const { return subject.empty() ? message : subject + ": " + message; }
};

// Text for an error message: in double quotes, '"' and '\\' escaped,
// control characters as '?' (so a diagnostic stays one line).
inline std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            out += '?';
        } else {
            out += c;
        }
    }
    return out + "\"";
}

template <class T>
class Result {
public:
    Result(T v) : v_(std::move(v)) {}
    Result(Error e) : v_(std::move(e)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

// Success or an Error, for calls with nothing else to return.
template <>
class Result<void> {
public:
    Result() = default;
    Result(Error e) : e_(std::move(e)), failed_(true) {}
    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return e_; }

private:
    Error e_;
    bool failed_ = false;
};
using Status = Result<void>;

}  // namespace actor
