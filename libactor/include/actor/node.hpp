#pragma once
// The sans-IO protocol node (docs/PROTOCOL.md). It never reads a clock, a socket
// or a random device: every entry point takes `now`, randomness comes from
// an injected generator, and the outputs are pulled:
//   take_outgoing()  messages to broadcast, in order
//   take_events()    events to report, in order
//   next_deadline()  when on_timer() wants calling next
// The shell performs the outputs and re-arms one timer from next_deadline()
// after every call.
#include "actor/chain.hpp"
#include "actor/config.hpp"
#include "actor/event.hpp"
#include "actor/message.hpp"
#include "actor/names.hpp"
#include "actor/time.hpp"
#include "actor/value.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace actor {

enum class Mode {
    active,    // takes part in the rotation
    passive,   // joined but disabled (state -1): listens, reports, never pings
    observer,  // sends nothing at all, not even init; decides who is "it" by
               // the acceptance rules of an active node (actor-watch)
};

// When a node chooses to ping (docs/PROTOCOL.md "Turn policy"). Only the
// sender's timing differs: the messages and the receiving rules are the
// same, so nodes of both policies (and asyncactor 0.24) share a group.
enum class TurnPolicy {
    fair,        // the member that waited longest for a turn pings first
    asyncactor,  // 0.24's choice: chain order, and rarely an early slot
};

// The fair policy's slots (docs/PROTOCOL.md "Turn policy"): the member at
// rank r < slots of the turn order pings at cycle + slot(r, u) gaps after
// the last turn, u uniform in [0, 1): 1.2 gaps apart (the second after
// 0.24's chain slots), each at a point of the first `jitter` of its slot
// (two members that both believe they are next must not ping at the same
// instant turn after turn).
// A group of more members than this is a crowd: the start-up rules for
// joining at scale (docs/PROTOCOL.md "Joining at scale") that cost a small
// group time or reconciliation apply only beyond it (the late slot's
// width, beacons held back while our ping is on its way).
inline constexpr std::size_t crowd_members = 10;

namespace fair_policy {
inline constexpr std::size_t slots = 2;
inline constexpr double slot_width = 1.2;
inline constexpr double jitter = 0.25;
// Members beyond the slots ping at late + uniform [0, late_jitter) gaps
// after the cycle: after 0.24's late slot (1.5..2 gaps, where a 0.24 node
// off the chain waits), so that our late pings do not pile onto its own.
// (The chain's newest entry waits 3 gaps, as a lone head: node.cpp.)
inline constexpr double late = 2.0;
inline constexpr double late_jitter = 0.15;
// The late slot's width for a group of `members`: late_jitter up to 10,
// (members - slots) / 16 gaps beyond. The members beyond the slots all wait
// there, and when the ranked ones are silent (gone, or not heard in time on
// a loaded channel) they all ping. Spread over a width that grows with
// their number, the first of them still comes about as soon (the earliest
// of M uniform draws over w lies near w/M = 1/16 gap), but about
// 16 * latency/gap of them, not M, ping before they hear it; and a group of
// 1000 whose channel fell behind pings over 62 gaps, not all within a
// fraction of one, so the channel can catch up.
inline double late_width(std::size_t members) {
    if (members <= crowd_members) return late_jitter;
    return std::max(late_jitter, static_cast<double>(members - slots) / 16.0);
}
// In a crowd, the member ranked first waits up to `unknown_offset` gaps
// longer, in proportion to its estimate of how much of the group it does
// not know (node.cpp's unknown_share: of the turns' pings heard lately, the
// share from members it had not heard of). A member that joined late heard
// none of the inits of those before it, so its view puts itself first while
// they still wait for their turn: the members that know the most ping
// first and the late joiners hear them before their own slot. 0.5 keeps
// the latest ranked ping (0.5 + jitter) before 0.24's chain slots; a slot
// widened by failed attempts is moved no later than unknown_latest, a
// quarter gap before rank 1's slot, which must hear it first.
inline constexpr double unknown_offset = 0.5;
inline constexpr double unknown_share_weight = 1.0 / 8;
inline constexpr double unknown_latest = slot_width - jitter;  // 0.95
// Rank 0's delay in a crowd: its slot `d` (slot() below) moved by the
// share of the group it does not know, but not past unknown_latest (a slot
// already past it, widened by failed attempts, stays where it is).
inline constexpr double first_in_crowd(double d, double unknown_share) {
    const double moved = d + unknown_offset * unknown_share;
    return d > unknown_latest ? d : (moved < unknown_latest ? moved : unknown_latest);
}
// `failed`: our pings superseded (a continuation or a collision we lost)
// since our last tag. Each widens the jitter by one more `jitter`, up to
// the whole slot: two claimants whose pings keep superseding each other
// (each gives up, nobody tags) spread apart until one is heard first.
inline constexpr double slot(std::size_t rank, double u, unsigned failed = 0) {
    const double width = jitter * (1.0 + static_cast<double>(failed < 3 ? failed : 3));
    return static_cast<double>(rank) * slot_width + u * (width < slot_width ? width : slot_width);
}
}  // namespace fair_policy

enum class StopReason {
    none,
    name_twin,  // another live node uses our name: exit 78
    no_echo,    // our own init never came back: the channel does not deliver
};

struct NodeOptions {
    std::string name;
    Config config;
    Value value = nullptr;
    bool ready = false;
    Mode mode = Mode::active;
    std::uint64_t id = 0;  // per-process random id (the `id` wire key)
    // Uniform random numbers in [0, 1). Required for active nodes.
    std::function<double()> random;
    // Bound on the value map (node -> last value). 0.24 never forgets a
    // name; we forget the least recently heard name not on the chain.
    std::size_t max_known_nodes = 1024;
    // Bound on the messages held until our init comes back, in decoded bytes
    // (value footprints and names).
    std::size_t max_held_bytes = 1024 * 1024;
    // Bound on the value map's values, in decoded bytes (value_footprint):
    // past it the least recently heard names go, as for max_known_nodes.
    std::size_t max_value_bytes = 4 * 1024 * 1024;
    // When our init does not come back in time: false, stop with
    // StopReason::no_echo (one-shot tools); true, send init again
    // after a doubling wait, with an `error` event each time (actor-join
    // without --timeout rides out a slow channel).
    bool retry_echo = false;
    TurnPolicy turn_policy = TurnPolicy::fair;
    // Where the value map and the turn order intern names
    // (actor/names.hpp). Null: a table of the node's own. The simulator
    // gives all its nodes one: that changes nothing a node does, only what
    // its state costs.
    std::shared_ptr<NameTable> names = nullptr;
};

class Node {
public:
    explicit Node(NodeOptions opts);
    ~Node();
    Node(Node&&) noexcept;
    Node& operator=(Node&&) noexcept;

    // Sends init (active, passive) and starts the echo wait; vers follows
    // when the init is back (docs/PROTOCOL.md "Start-up").
    void start(Time now);
    // Every message from the channel, our own echoes included.
    void on_message(const Message& m, Time now);
    // True when on_message(m) would now change nothing and produce nothing,
    // so a shell may leave the call out (the simulator does, at scale).
    // Judges init and vers only; false for every other type.
    bool ignores(const Message& m) const;
    // Summaries of ignores() that need no message, for a shell that asks
    // once per call instead of once per copy (the simulator keeps them
    // beside its node table): true when ignores(m) holds for every init m
    // naming another node; and a config version V such that ignores(m)
    // holds for every vers m of version V (nothing: none known). Both are
    // sufficient conditions only: false or nothing says "ask ignores()".
    bool ignores_inits() const;
    std::optional<std::int64_t> ignored_vers_version() const;
    // The transport lost the channel: a tagged node emits `untag` with
    // reason "disconnected"; nothing is sent, heard, timed or reported
    // until on_channel_up(), which rejoins by the start-up rules.
    void on_channel_lost(Time now);
    void on_channel_up(Time now);
    // Call when now >= next_deadline(); harmless earlier.
    void on_timer(Time now);
    std::optional<Time> next_deadline() const;

    std::vector<Message> take_outgoing();
    std::vector<Event> take_events();

    // API calls (docs/PROTOCOL.md "Enable, disable, value, config").
    void set_value(Value v);
    void set_ready(bool ready = true);
    void enable(std::int64_t len, Time now);
    void disable(std::int64_t len, Time now);
    // A new config: its version must exceed ours and it must validate.
    // A refusal names the config field at fault (actor::validate).
    Status set_config(const Config& c, Time now);

    const std::string& name() const;
    std::uint64_t id() const;
    Mode mode() const;
    int tag_state() const;  // -1..3
    bool tagged() const { return tag_state() == 3; }
    bool started() const;   // our init came back; the first ping went out
    const Chain& chain() const;
    const Config& config() const;
    const Value& value() const;
    bool ready() const;
    std::size_t known_nodes() const;
    // The fair turn order as this node sees it, first first (tests, debugging).
    std::vector<std::string> turn_order() const;
    std::optional<Time> next_ping_time() const;
    StopReason stop_reason() const;
    bool stopped() const { return stop_reason() != StopReason::none; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace actor
