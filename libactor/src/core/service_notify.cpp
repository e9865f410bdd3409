// The service manager's notifications (actor/service_notify.hpp).
#include "actor/service_notify.hpp"

namespace actor {

std::optional<std::string> ServiceNotify::set_status(std::string s) {
    if (s == status_) return std::nullopt;
    status_ = std::move(s);
    return "STATUS=" + status_;
}

std::optional<std::string> ServiceNotify::event(const Event& e) {
    switch (e.type) {
    case EventType::connected: return set_status("connected to " + e.broker + ", joining");
    case EventType::disconnected:
        return set_status(e.message.empty() ? "disconnected" : "disconnected: " + e.message);
    case EventType::tag: return set_status("this node (" + self_ + ") is it");
    case EventType::untag:
        if (e.reason.empty()) return set_status("this node (" + self_ + ") had its turn");
        return std::nullopt;  // disconnected: the disconnected event says so
    case EventType::ping:
        if (e.node.empty()) return std::nullopt;
        return set_status(e.node == self_ ? "this node (" + self_ + ") is it" : e.node + " is it");
    default: return std::nullopt;
    }
}

std::optional<std::string> ServiceNotify::state(bool connected, bool started) {
    if (ready_ || !connected || !started) return std::nullopt;
    ready_ = true;
    if (status_.empty() || status_.rfind("connected to ", 0) == 0) status_ = "in the rotation";
    return "READY=1\nSTATUS=" + status_;
}

}  // namespace actor
