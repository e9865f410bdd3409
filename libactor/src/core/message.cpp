// The decoded wire messages (docs/PROTOCOL.md "Messages").
#include "actor/message.hpp"

#include <utility>

namespace actor {

const char* to_string(MsgType t) {
    switch (t) {
    case MsgType::init: return "init";
    case MsgType::vers: return "vers";
    case MsgType::ping: return "ping";
    case MsgType::hist: return "hist";
    }
    return "?";
}

ConfigFields ConfigFields::from(const Config& c) {
    ConfigFields f;
    f.version = c.version;
    f.cycle = c.cycle;
    f.gap = c.gap;
    f.nodes = c.nodes;
    f.splits = c.splits;
    f.n_hosts = c.n_hosts;
    f.force_in = c.force_in;
    return f;
}

Config ConfigFields::apply_to(Config c) const {
    if (version) c.version = *version;
    if (cycle) c.cycle = *cycle;
    if (gap) c.gap = *gap;
    if (nodes) c.nodes = *nodes;
    if (splits) c.splits = *splits;
    if (n_hosts) c.n_hosts = *n_hosts;
    if (force_in) c.force_in = *force_in;
    return c;
}

std::optional<std::string> Message::sender() const {
    if (type == MsgType::hist) {
        if (history.empty()) return std::nullopt;
        return history.front();
    }
    return node;
}

Message Message::make_init(std::string node, std::uint64_t id) {
    Message m;
    m.type = MsgType::init;
    m.node = std::move(node);
    m.id = id;
    return m;
}

Message Message::make_vers(std::string node, const Config& c, std::uint64_t id) {
    Message m;
    m.type = MsgType::vers;
    m.node = std::move(node);
    m.config = ConfigFields::from(c);  // always all seven fields
    m.id = id;
    return m;
}

Message Message::make_ping(std::string node, Value v, std::vector<std::string> history,
                           std::uint64_t id) {
    Message m;
    m.type = MsgType::ping;
    m.node = std::move(node);
    m.value = std::move(v);
    m.history = std::move(history);
    m.id = id;
    return m;
}

Message Message::make_hist(Value v, std::vector<std::string> history, std::uint64_t id) {
    Message m;
    m.type = MsgType::hist;
    m.value = std::move(v);
    m.history = std::move(history);
    m.id = id;
    return m;
}

bool operator==(const Message& a, const Message& b) {
    // Values compare as the protocol compares them (1 == 1.0 == true).
    return a.type == b.type && a.node == b.node && values_equal(a.value, b.value) &&
           a.history == b.history && a.config == b.config && a.id == b.id;
}

}  // namespace actor
