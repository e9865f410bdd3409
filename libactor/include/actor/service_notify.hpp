#pragma once
// What actor-join tells its service manager (sd_notify(3), a systemd unit of
// Type=notify), decided here without IO; the runtime sends the strings.
//
//   READY=1    once, when the channel is up and our own init came back
//              (Node::started()): the node takes part in the rotation
//   STATUS=... the current turn: "web1 is it", "this node (web1) is it",
//              "connected to ..., joining", "disconnected: ..."
//   STOPPING=1 when the run ends
//   WATCHDOG=1 every watchdog_interval() from the event loop, when the
//              manager asks for it (WatchdogSec=, WATCHDOG_USEC)
#include "actor/event.hpp"
#include "actor/time.hpp"

#include <optional>
#include <string>

namespace actor {

class ServiceNotify {
public:
    explicit ServiceNotify(std::string self) : self_(std::move(self)) {}

    // An event the node or the runtime reported: the STATUS= line when the
    // status it describes changed.
    std::optional<std::string> event(const Event& e);
    // After each call into the node: READY=1 (with the status) the first
    // time the channel is up and the node has started.
    std::optional<std::string> state(bool connected, bool started);
    static std::string stopping() { return "STOPPING=1"; }
    static std::string watchdog() { return "WATCHDOG=1"; }
    // Half the manager's watchdog period, as sd_watchdog_enabled(3) advises.
    static Duration watchdog_interval(Duration period) { return period / 2; }

    bool ready() const { return ready_; }
    const std::string& status() const { return status_; }

private:
    std::optional<std::string> set_status(std::string s);

    std::string self_;
    std::string status_;
    bool ready_ = false;
};

}  // namespace actor
