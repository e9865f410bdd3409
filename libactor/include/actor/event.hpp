#pragma once
// Events the tools report as JSON lines (docs/CLI.md). The core emits tag, untag,
// detag, ping, good, recover, setup and error; the runtime and the tools add
// connected, disconnected, members and raw.
#include "actor/config.hpp"
#include "actor/message.hpp"
#include "actor/time.hpp"
#include "actor/value.hpp"

#include <string>
#include <vector>

namespace actor {

enum class EventType {
    connected, disconnected, tag, untag, detag, ping, good, recover, setup,
    members, raw, error
};

const char* to_string(EventType t);

struct Member {
    std::string node;
    Value value;
    std::chrono::system_clock::time_point last_seen;
    bool on_chain = false;
};

struct Event {
    EventType type = EventType::error;
    std::string node;                  // tag/untag: self; detag: winner; ping: the node that is it
    Value value;                       // tag, ping
    std::vector<std::string> history;  // ping
    std::vector<std::string> nodes;    // good
    int prio = 0;                      // recover
    bool replace = false;              // recover
    std::vector<std::string> local, remote;  // recover
    Config config;                     // setup
    std::string message;               // error; disconnected: reason
    std::string reason;                // untag: why, when not the turn's end ("disconnected")
    std::string broker;                // connected
    std::vector<Member> members;       // members
    std::optional<Message> msg;        // raw

    static Event error(std::string text) {
        Event e;
        e.type = EventType::error;
        e.message = std::move(text);
        return e;
    }
};

}  // namespace actor
