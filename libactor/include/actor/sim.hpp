#pragma once
// A deterministic discrete-event simulator for groups of sans-IO nodes.
//
// Virtual time only: nothing here reads a clock. One seed drives everything
// (network jitter and loss, node ids, and one random stream per node), so a
// seed reproduces a run exactly; print it when a check fails.
//
// The network is one broadcast channel: every message a node sends is
// delivered to every live node that had started before it was sent, the
// sender included (its own echo), each copy after its own latency (per-link
// base latency + uniform jitter) unless lost or cut by a partition. A copy
// is judged against the partition as it is when it arrives.
//
// Scheduling (quinn-proto's Pair, ngtcp2's sim.cc): after every call into a
// node the simulator collects its outgoing messages and events and re-arms
// that node's single wake-up from next_deadline(). Work is taken in
// (time, sequence) order; a step cap turns a livelock into a failure.
//
// Cost model: one broadcast is stored once and shared by all its copies.
// Without jitter and per-link latency, all copies of a broadcast arrive at
// one instant and are handed out in one sweep over the nodes without
// touching a queue; with jitter the copies are sorted once per broadcast
// (radix sort on arrival time). A copy that cannot change its receiver (an
// init to a started node of another name; a vers that Node::ignores) is
// counted as delivered without calling into the node or re-arming it:
// the run is the same, call for call, as if it had been made. Most such
// copies are judged from Node::ignores_inits and ignored_vers_version,
// read after every call into a node and kept in the simulator's node
// table, so they touch no node at all. All nodes share one NameTable
// (NodeOptions::names): names in their turn orders and value maps are
// 4-byte ids. Node state changes only through the simulator's calls
// (call(), the faults), which refresh what it keeps of each node.
#include "actor/config.hpp"
#include "actor/event.hpp"
#include "actor/message.hpp"
#include "actor/node.hpp"
#include "actor/time.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace actor::sim {

struct LinkModel {
    Duration latency = from_seconds(0.01);
    Duration jitter = Duration(0);  // uniform [0, jitter] added per copy
    double loss = 0.0;              // probability that one copy is lost
};

struct SimOptions {
    std::uint64_t seed = 1;
    LinkModel link;
    // Base latency of the link from -> to, replacing link.latency (jitter
    // and loss still apply). Empty: every link has link.latency.
    std::function<Duration(std::size_t from, std::size_t to)> link_latency;
    // A channel of limited capacity (one broker serving everybody): it hands
    // out at most this many copies a second, in the order the broadcasts
    // were sent, so a broadcast waits behind the copies of those sent before
    // it and every copy of it arrives that much later (latency that grows
    // with the load: a start-up of N nodes is ~2N^2 copies). 0: unlimited.
    double channel_rate = 0;
    // Round-trip every broadcast through actor::encode/decode (once per
    // broadcast: every receiver gets the same bytes).
    bool wire = false;
    // Record a trace of every event and send. Off for big benchmarks: the
    // counters in Stats are kept either way.
    bool trace = true;
    // Called for every broadcast as it is sent, and for every event as it
    // is emitted (debugging, custom invariants).
    std::function<void(Time, std::size_t from, const Message&)> on_send;
    std::function<void(Time, std::size_t node, const Event&)> on_event;
    // Count a copy that cannot change its receiver (see "Cost model" above)
    // as delivered without calling into the node. Off: every copy is a call.
    // Runs are the same either way (tests/sim/test_sim_harness.cpp checks
    // traces over many seeds); on is only faster.
    bool skip_inert = true;
    // Work items (deliveries, wake-ups, actions) before a run is declared a
    // livelock. Counted over the simulator's lifetime.
    std::uint64_t max_steps = 20'000'000;
};

enum class TraceKind : std::uint8_t {
    event,         // the node emitted `event`
    sent,          // the node broadcast a message of type `msg`
    start,         // the node was started (first start or restart)
    crash,         // the node was crashed by the test
    stop,          // the node stopped itself (`stop` says why)
    undecodable,   // wire mode: a message did not survive encode/decode
};

struct TraceEntry {
    Time at{};
    std::uint32_t node = 0;  // node index (slot; a restart keeps it)
    TraceKind kind = TraceKind::event;
    EventType event = EventType::error;
    MsgType msg = MsgType::ping;
    // ping, detag, tag, untag: index of the node the event names (-1: a
    // name the simulator does not know).
    std::int32_t subject = -1;
    int prio = 0;          // recover
    bool replace = false;  // recover
    StopReason stop = StopReason::none;
};

// An interval in which two or more nodes were tagged at once. Intervals of
// zero length (one node untags at the instant another tags, processed in
// arbitrary order) are not recorded.
struct Overlap {
    Time from{};
    Time to{};
    std::size_t max_tagged = 0;
};

struct Stats {
    // Counted from measure_from() on.
    std::array<std::uint64_t, 4> sent{};  // by MsgType
    std::uint64_t tags = 0;               // tag events
    std::uint64_t reports = 0;            // ping events
    // Lifetime counters.
    std::uint64_t deliveries = 0;  // copies handed to a node
    std::uint64_t lost = 0;        // copies lost (loss or partition)
    std::uint64_t steps = 0;
    Duration max_backlog{0};  // channel_rate: the longest wait behind other copies
    std::vector<Overlap> overlaps;  // every overlap, whenever it started
    std::size_t max_tagged = 0;     // most nodes tagged at one instant

    std::uint64_t sent_of(MsgType t) const { return sent[static_cast<std::size_t>(t)]; }
};

class Simulator {
public:
    explicit Simulator(SimOptions opts);
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    // Adds a node (not started). `opts.id` and `opts.random` are filled in
    // by the simulator from the seed. Returns its index.
    std::size_t add_node(NodeOptions opts);
    // Schedules node i to start at `at` (>= now).
    void start(std::size_t i, Time at);
    // Starts every node not yet started, node i at now + i * stagger.
    // Starting a node that was started before does nothing (see restart).
    void start_all(Duration stagger = Duration(0));

    // Faults, effective at now(). Schedule them with at() or run_until().
    void crash(std::size_t i);
    // A new Node for slot i (crashing the old one if it is alive): new id,
    // new random stream, same options as given to add_node; started at
    // now(). References to the old Node become invalid.
    void restart(std::size_t i);
    // Every copy of what node i sends from now on is lost, its own echo
    // included (a broker ACL that drops its publishes, a Serf size refusal,
    // a one-way cut); it still hears the others. mute(i, false) ends it.
    void mute(std::size_t i, bool on = true);
    // Node i loses the channel (Node::on_channel_lost): it neither sends nor
    // hears until reconnect(i), which calls Node::on_channel_up; copies sent
    // before the reconnect never reach it.
    void disconnect(std::size_t i);
    void reconnect(std::size_t i);
    // Nodes in different groups cannot hear each other; nodes not listed
    // form one more group together.
    void partition(const std::vector<std::vector<std::size_t>>& groups);
    void heal();
    // Changes latency, jitter and loss for messages sent from now on.
    void set_link(const LinkModel& l);
    const LinkModel& link() const;

    // Runs `f` at virtual time `when` (>= now), in time order with the rest.
    void at(Time when, std::function<void(Simulator&)> f);
    // Calls into node i (API calls such as set_value, enable) and collects
    // what it produced, as for every other call.
    void call(std::size_t i, const std::function<void(Node&, Time)>& f);

    // Processes everything due at or before `end`, then sets now = end.
    // False when the step cap was hit (see error()); the simulator is then
    // stuck and every later run returns false.
    bool run_until(Time end);
    bool run_for(Duration d) { return run_until(now_ + d); }
    const std::string& error() const { return error_; }

    Time now() const { return now_; }
    std::size_t size() const;
    Node& node(std::size_t i);
    const Node& node(std::size_t i) const;
    const std::string& name(std::size_t i) const;
    // Started and neither crashed nor stopped.
    bool alive(std::size_t i) const;
    std::optional<std::size_t> index_of(const std::string& name) const;
    std::size_t tagged_count() const { return tagged_now_; }
    // No copy of any message is still in flight.
    bool quiet() const;

    // Every live active node has a non-empty chain and they agree on the
    // prefix they all have (the newest min(size) entries).
    bool chains_agree() const;

    // Statistics: the windowed counters of Stats, and report intervals,
    // count only what happens at or after `t`.
    void set_measure_from(Time t);
    Time measure_from() const { return measure_from_; }
    const Stats& stats() const { return stats_; }
    // Longest time between two consecutive reports (ping events, or its own
    // tag) of node i, both at or after measure_from(); a crash or restart
    // of the node starts its count afresh. Zero if fewer than two.
    Duration max_report_interval(std::size_t i) const;
    // The same, over all nodes; `who` receives the node index.
    Duration max_report_interval(std::size_t* who = nullptr) const;

    const std::vector<TraceEntry>& trace() const { return trace_; }
    // The trace as text, for failure messages: the last `max_lines` entries
    // in [from, to].
    std::string format_trace(std::size_t max_lines = 200, Time from = Time::min(),
                             Time to = Time::max()) const;

private:
    void do_start(std::size_t i);
    void send(std::size_t from, Message m);
    void deliver(std::size_t to, const Message& m);
    void flush(std::size_t i);
    void on_event(std::size_t i, const Event& e);
    void set_tagged(std::size_t i, bool t);
    bool opts_trace() const;
    TraceEntry entry(std::size_t i, TraceKind k) const;

    struct Impl;
    std::unique_ptr<Impl> impl_;
    // Hot counters live here for cheap inline access.
    Time now_{0};
    Time measure_from_{0};
    std::size_t tagged_now_ = 0;
    Stats stats_;
    std::vector<TraceEntry> trace_;
    std::string error_;
};

}  // namespace actor::sim
