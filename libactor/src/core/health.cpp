// actor-watch --check and --format prometheus, sans-IO (actor/health.hpp).
#include "actor/health.hpp"

#include "actor/chain.hpp"

#include <cstdio>

namespace actor::health {

namespace {

std::string seconds(Duration d, int decimals) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, to_seconds(d));
    return buf;
}

// Node names go into one output line and perfdata: no line breaks, no '|'.
std::string plain(std::string s) {
    for (auto& c : s)
        if (c == '\n' || c == '\r' || c == '|') c = ' ';
    return s;
}

Status worse(Status a, Status b) {
    auto rank = [](Status s) { return s == Status::unknown ? 1 : s == Status::critical ? 3 : static_cast<int>(s) * 2; };
    return rank(b) > rank(a) ? b : a;
}

}  // namespace

const char* to_string(Status s) {
    switch (s) {
    case Status::ok: return "OK";
    case Status::warning: return "WARNING";
    case Status::critical: return "CRITICAL";
    case Status::unknown: return "UNKNOWN";
    }
    return "UNKNOWN";
}

void Tally::message(const Message& m) {
    if (m.type != MsgType::ping || !m.node) return;
    const std::string& n = *m.node;
    const bool repeat = n == head_;
    if (!head_.empty() && !repeat && !continues(m.history, head_)) ++collisions_;
    head_ = n;
}

void Tally::turn(const std::string& node, Time now) {
    ++turns_;
    it_ = node;
    last_turn_ = now;
}

Observation Tally::finish(Time now, std::size_t members, bool reached, std::string unreachable) const {
    Observation o;
    o.reached = reached;
    o.unreachable = std::move(unreachable);
    o.it = it_;
    o.members = members;
    o.turns = turns_;
    o.collisions = collisions_;
    o.watched = now - start_;
    o.turn_age = now - last_turn_.value_or(start_);
    return o;
}

Verdict classify(const Observation& o, const Thresholds& t, const std::string& group) {
    Verdict v;
    if (!o.reached) {
        v.line = "ACTOR UNKNOWN - " + plain(o.unreachable.empty() ? "cannot reach the channel" : o.unreachable);
        return v;
    }
    std::string perf = "members=" + std::to_string(o.members) + ";";
    if (t.warn_members) perf += std::to_string(*t.warn_members) + ":";
    perf += ";";
    if (t.crit_members) perf += std::to_string(*t.crit_members) + ":";
    perf += ";0 turn_age=" + seconds(o.turn_age, 1) + "s;";
    if (t.warn_age) perf += seconds(*t.warn_age, 1);
    perf += ";";
    if (t.crit_age) perf += seconds(*t.crit_age, 1);
    perf += ";0 turns=" + std::to_string(o.turns) + " collisions=" + std::to_string(o.collisions);

    if (o.turns == 0) {
        v.status = Status::critical;
        v.line = "ACTOR CRITICAL - no turn in " + plain(group) + " for " + seconds(o.watched, 1) +
                 "s, " + std::to_string(o.members) + " members | " + perf;
        return v;
    }
    v.status = Status::ok;
    std::string why;
    auto add = [&](Status s, std::string text) {
        v.status = worse(v.status, s);
        why += (why.empty() ? " (" : "; ") + text;
    };
    // One measure against its two thresholds: the critical one first, the
    // warning only when that one is not crossed.
    auto check = [&](const auto& crit, const auto& warn, auto crossed, auto text) {
        if (crit && crossed(*crit)) add(Status::critical, text(*crit));
        else if (warn && crossed(*warn)) add(Status::warning, text(*warn));
    };
    check(
        t.crit_members, t.warn_members, [&](std::size_t n) { return o.members < n; },
        [](std::size_t n) { return "fewer than " + std::to_string(n) + " members"; });
    check(
        t.crit_age, t.warn_age, [&](Duration d) { return o.turn_age > d; },
        [&](Duration d) { return "last turn " + seconds(o.turn_age, 1) + "s ago, over " + seconds(d, 1) + "s"; });
    if (!why.empty()) why += ")";
    v.line = std::string("ACTOR ") + to_string(v.status) + " - " + plain(o.it) + " is it, " +
             std::to_string(o.members) + " members" + why + " | " + perf;
    return v;
}

std::string label_value(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string prometheus_text(const Observation& o, const std::string& group) {
    const std::string g = "{group=\"" + label_value(group) + "\"}";
    std::string out;
    auto metric = [&](const char* name, const char* type, const char* help, const std::string& labels,
                      const std::string& value) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name +
               labels + " " + value + "\n";
    };
    metric("actor_up", "gauge", "Whether actor-watch reached the group's channel.", g, o.reached ? "1" : "0");
    if (!o.reached) return out;
    metric("actor_members", "gauge", "Nodes heard from in the group within the members TTL.", g,
           std::to_string(o.members));
    metric("actor_turns_seen_total", "counter", "Settled turns seen during the watch.", g,
           std::to_string(o.turns));
    metric("actor_collisions_total", "counter",
           "Pings seen that neither continue nor repeat the last ping (two nodes at once, newcomers).", g,
           std::to_string(o.collisions));
    metric("actor_last_turn_age_seconds", "gauge",
           "Seconds since the last settled turn at the end of the watch (the whole watch when none).", g,
           seconds(o.turn_age, 3));
    metric("actor_watch_seconds", "gauge", "How long actor-watch watched the group.", g, seconds(o.watched, 3));
    if (!o.it.empty())
        metric("actor_it_info", "gauge", "The node of the last settled turn.",
               "{group=\"" + label_value(group) + "\",node=\"" + label_value(o.it) + "\"}", "1");
    return out;
}

}  // namespace actor::health
