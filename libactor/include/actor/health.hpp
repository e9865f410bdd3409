#pragma once
// Is this group healthy? actor-watch --check (a monitoring plugin in the
// Nagios/Icinga convention) and --format prometheus (node_exporter's
// textfile collector), docs/CLI.md "Monitoring". Sans-IO: a Tally adds up
// what an observer saw during its watch window; classify() maps that and the
// thresholds to a status and the plugin's one line; prometheus_text() renders
// the same observation as metrics. Nothing here reads a clock or prints.
#include "actor/message.hpp"
#include "actor/time.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace actor::health {

// The plugin's exit statuses.
enum class Status { ok = 0, warning = 1, critical = 2, unknown = 3 };
const char* to_string(Status s);  // "OK", "WARNING", "CRITICAL", "UNKNOWN"

struct Thresholds {
    // WARNING / CRITICAL when fewer members than this were heard.
    std::optional<std::size_t> warn_members, crit_members;
    // WARNING / CRITICAL when the last turn is older than this.
    std::optional<Duration> warn_age, crit_age;
};

// What one watch window saw.
struct Observation {
    bool reached = false;         // the channel was reached
    std::string unreachable;      // why not (when !reached)
    std::string it;               // the node of the last settled turn ("" none)
    std::size_t members = 0;      // nodes heard within the members TTL
    std::uint64_t turns = 0;      // settled turns seen
    std::uint64_t collisions = 0; // pings that neither continue nor repeat the last
    Duration watched{};           // how long it watched
    Duration turn_age{};          // since the last turn at the end (watched when none)
};

// Adds up an observer's view from the window's start.
class Tally {
public:
    explicit Tally(Time start) : start_(start) {}
    // Every decoded message: a ping whose history neither continues the
    // last ping's sender nor repeats it is a collision (two nodes at once,
    // a newcomer's first ping, a healed split).
    void message(const Message& m);
    // A settled turn (the observer's `ping` event) of `node`.
    void turn(const std::string& node, Time now);
    Observation finish(Time now, std::size_t members, bool reached, std::string unreachable = {}) const;

private:
    Time start_;
    std::optional<Time> last_turn_;
    std::string it_;
    std::string head_;  // the sender of the last ping heard
    std::uint64_t turns_ = 0;
    std::uint64_t collisions_ = 0;
};

struct Verdict {
    Status status = Status::unknown;
    std::string line;  // "ACTOR OK - web1 is it, 5 members | members=5 turn_age=1.2s ..."
};

// The worst of: unreachable UNKNOWN; no turn at all CRITICAL (a silent
// group); members below crit/warn; the last turn older than crit/warn.
Verdict classify(const Observation& o, const Thresholds& t, const std::string& group);

// The observation as Prometheus text exposition, one sample per metric
// labelled group="..." (docs/CLI.md lists the names): actor_up,
// actor_members, actor_turns_seen_total, actor_collisions_total,
// actor_last_turn_age_seconds, actor_watch_seconds, actor_it_info{node}.
// Unreached: actor_up 0 only.
std::string prometheus_text(const Observation& o, const std::string& group);

// A label value with \, " and newline escaped as the exposition format wants.
std::string label_value(const std::string& s);

}  // namespace actor::health
