#pragma once
// The four wire messages of docs/PROTOCOL.md, decoded.
#include "actor/config.hpp"
#include "actor/value.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace actor {

enum class MsgType { init, vers, ping, hist };

const char* to_string(MsgType t);

// Fields of a received `vers`; a field the sender left out stays empty and
// the receiver keeps its own value for it (0.24 would crash instead).
struct ConfigFields {
    std::optional<std::int64_t> version;
    std::optional<double> cycle;
    std::optional<double> gap;
    std::optional<std::int64_t> nodes;
    std::optional<std::int64_t> splits;
    std::optional<std::int64_t> n_hosts;
    std::optional<bool> force_in;

    static ConfigFields from(const Config& c);
    // c with every present field replaced.
    Config apply_to(Config c) const;
    friend bool operator==(const ConfigFields&, const ConfigFields&) = default;
};

struct Message {
    MsgType type = MsgType::ping;
    std::optional<std::string> node;      // absent in hist, optional in vers
    Value value;                          // ping, hist (null when absent)
    std::vector<std::string> history;     // ping, hist; newest first
    ConfigFields config;                  // vers
    std::optional<std::uint64_t> id;      // our per-process id extension

    // The node a message speaks for: `node`, or history[0] for hist.
    std::optional<std::string> sender() const;

    static Message make_init(std::string node, std::uint64_t id);
    static Message make_vers(std::string node, const Config& c, std::uint64_t id);
    static Message make_ping(std::string node, Value v, std::vector<std::string> history,
                             std::uint64_t id);
    static Message make_hist(Value v, std::vector<std::string> history, std::uint64_t id);
};

bool operator==(const Message& a, const Message& b);

}  // namespace actor
