// The protocol node of docs/PROTOCOL.md, as a deterministic state machine.
//
// Rules, in the order the code applies them (section names of docs/PROTOCOL.md):
//
// Start-up: send init; hold every received message (only the
//   twin check runs at once) until our own init (same id) comes back; then
//   send vers (unless a held vers of another process has our version or a
//   later one) and the first ping (chain empty: it carries [self], starts no tag) and
//   process the held messages in arrival order. No echo within
//   cycle + gap*(1.5 + U[0,0.5]): stop (StopReason::no_echo), or with
//   NodeOptions::retry_echo send init again after a doubling wait
//   (at most max_echo_wait), with an `error` event per attempt.
// Joining at scale (docs/PROTOCOL.md "Start-up", sender side only):
//   1 held messages showing a live rotation (a ping or hist of another
//     process naming two or more): no first ping; they are processed from
//     the empty chain and we take our turn in the chain they leave;
//   2 the fair turn order ranks the members with no turn yet by name, the
//     last (in natural order: digits as numbers) first (turn_order.hpp);
//   3 init back more than gap/2 late: pings wait until no init or vers of
//     others came for a gap (a ping or hist heard meanwhile is adopted, and
//     its chain's pings wait too), then a slot (gap * d), or U[0, late
//     width] gaps for a first ping of [self];
//   4 retry_echo: no resend while others' messages still arrive (one within
//     a gap), looked at again a gap later, at most max_echo_wait; a rejoin
//     waits gap/16 more per name in the value map;
//   5 a rejoin listens (cycle + 3*gap) * min(1, known/100) * U[0.75, 1]
//     before a first ping of [self].
// Name twins: an init or ping with our name and another id (or none) stops
//   us with StopReason::name_twin after sending init once more.
// Sending a ping: if the chain is non-empty, state 1 -> 2 at once and wait
//   gap; then `tag` (state 3) for cycle - gap/2, then `untag`, c = 0.
// No channel, no turn: the tag at the end of the gap needs our own copy of
//   that ping (our name, our id) back from the channel within the gap. No
//   echo: no tag, state 0, as if we had lost a collision; one `error` event
//   until a turn succeeds again. From the second such ping in a row, no
//   ping and no hist until it comes back or (cycle + 3*gap)*U[0.75, 1]
//   after it (then the next ping time is drawn again).
// Channel lost (on_channel_lost): a tagged node emits `untag` with reason
//   "disconnected"; every timer, the report, pending beacons and held
//   messages are dropped, and nothing is sent, heard or reported until
//   on_channel_up, which rejoins by the start-up rules (init, vers, hold
//   until our init is back, a first ping of [self] from an empty chain).
// Receiving (active): 1 recovery record; 2 init/vers; 3 ignore self and a
//   repeat from H[0]; 4 value map and `good`; 5 continuation (accept; a
//   hist only as a missed continuation: missed_continuation());
//   6 collision (priority; healed split -> `recover` + `hist` beacon). A
//   hist of another process for the same old head also wakes a pending
//   beacon; none is sent while our last ping is on its way or held back.
// The ping report: an arming message opens a 2*gap window (later ones only
//   replace the candidate); at its close, passive or state 0 -> `ping`.
// Turn policy (TurnPolicy::fair, docs/PROTOCOL.md "Turn policy"): a ready
//   active node keeps a turn order (turn_order.hpp: members without a turn
//   first, by name; then the longest since its turn); a turn counts when
//   its report closes (the taker: at its tag); rank r < fair_policy::slots
//   pings at cycle + fair_policy::slot(r, U, failed) gaps after the last
//   turn, the others in the late slot (fair_policy::late + U[0,
//   fair_policy::late_width(M)], after 0.24's), the chain's newest entry
//   (the last pinger) at lone_head_delay. A ping that loses a collision
//   here but whose sender beats us (step 6) also sets our next ping anew
//   from it. Only when we ping changes.
//
// Deliberate choices where docs/PROTOCOL.md leaves room (kept observable):
// - A passive node arms its report on ping and hist only: init and vers
//   carry no value or history to report.
// - A ping with an empty history is read as [sender] (0.24 would crash).
// - Mode::observer (actor-watch) applies steps 3-6 without ever sending,
//   recovering or reporting `good`, and adopts newer configs; its report
//   always emits, like a passive node's, and a repeat ping from the chain's
//   head arms it (that head is tagged again).
// - The value map is bounded (max_known_nodes): the least recently heard
//   name that is neither us nor on the chain is forgotten first. Values are
//   at most 1 KiB each (the codec drops larger ones), so the map is bounded
//   in bytes too: the sum of the values' decoded footprints is bounded by
//   max_value_bytes (the same eviction); the held queue is bounded in
//   decoded bytes (max_held_bytes), the chain in names (max_chain_length).
// - A `ping` event shows the first `splits` names of the reported history.
// - A received vers is adopted only if validate() passes, the one rule for
//   local configs too; one `error` per sender a minute at most.
// - A vers with a missing field keeps our value for that field.
// - A node that is its chain's only name pings again after 3 gaps, not 2
//   (lone_head_delay): the others extend its chain first.
#include "actor/node.hpp"

#include "actor/codec.hpp"
#include "actor/timing.hpp"
#include "peer_table.hpp"
#include "turn_order.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace actor {

namespace {

constexpr std::size_t max_held_messages = 4096;
// The slot of a node that is its chain's only name, in gaps (0.24: 2, like
// any newest node). Everyone else then sits in the late slot, 1.5..2 gaps
// after *receiving* that node's ping, so at 2 its repeat crossed their
// extensions in flight, won the collision (it had won the last one) and
// put the chain back to its one name: a cold start or a reconnect of the
// whole group took about 2.8 cycles to its first tag. At 3 gaps their
// extensions arrive first (latency + jitter below gap/2) and the repeat is
// never sent: the first tag comes 1.6 cycles after a start (bench of 300
// seeds in tests/sim/test_sim_channel.cpp). A node alone takes a turn every
// cycle + 3*gap. Only when our ping goes out changes; the wire does not.
constexpr double lone_head_delay = 3.0;
// The fair turn policy (actor/node.hpp fair_policy, docs/PROTOCOL.md "Turn
// policy"): rank 0 pings before 0.24's chain slots (0.75..1 gap), rank 1
// after them. The slots are 0.95 gap apart or more, above the broadcast
// latency (gap exceeds it by definition), so the member ranked next hears
// the first one's ping before its own slot. Members beyond the
// slots wait in the late slot (fair_policy::late: 2..2.15 gaps, after
// 0.24's 1.5..2), the last pinger 3 gaps (lone_head_delay), so that a turn
// still comes when the ranked members are gone.
constexpr std::size_t fair_slots = fair_policy::slots;
// Invalid configs from one sender are reported at most this often.
constexpr Duration vers_warning_interval = std::chrono::seconds(60);
constexpr std::size_t max_vers_warned = 64;
// The longest wait for our init between two attempts (retry_echo).
constexpr Duration max_echo_wait = std::chrono::seconds(60);
// Joining at scale (docs/PROTOCOL.md "Start-up"): an init echo later than
// this many gaps means a busy channel (rule 3); a rejoin's first echo wait
// grows by this many gaps per name known (rule 4); and a rejoin listens a
// whole off-chain turn bound before a first ping once it knew this many
// names, a share of it below (rule 5).
constexpr double busy_echo_gaps = 0.5;
constexpr double rejoin_echo_gaps_per_name = 1.0 / 16;
constexpr double rejoin_listen_names = 100;

Duration gap_times(const Config& c, double f) { return from_seconds(c.gap * f); }

// Our start-up vers goes out at a uniform time within this window after our
// init came back (`echo`: how long that took), and not at all if a vers of
// another process with our version or a later one comes first
// (docs/PROTOCOL.md "Start-up"): twice the echo's delay, so that the vers
// of those who joined just before us, queued behind our init, reach us
// first; at least two gaps.
Duration start_vers_window(const Config& c, Duration echo) {
    return 2 * std::max(echo, gap_times(c, 1.0));
}

}  // namespace

struct Node::Impl {
    using Peer = detail::PeerTable::Peer;
    // A recovery beacon waiting to be sent (rare: only after a split heals).
    struct PendingRecovery {
        Time deadline{};
        std::vector<std::string> history;  // the old chain, cut to splits
    };
    struct Report {
        Time deadline{};
        std::string node;
        Value value;
        std::vector<std::string> history;
    };

    NodeOptions opts;
    Config config;
    // What every delivery and the shell's re-arm after it read, kept
    // together: in a simulation of thousands of nodes each call into a node
    // starts cold, and these then cost two or three cache lines, not ten.
    StopReason stop = StopReason::none;
    Time head_heard{};  // when the chain's head last pinged (observers)
    bool started_flag = false;
    bool start_called = false;
    bool ready = false;
    Mode mode = Mode::active;
    int state = 0;
    std::optional<Time> echo_deadline;
    Duration echo_wait{};       // the last wait for our init (retry_echo)
    std::uint64_t echo_attempts = 0;
    std::optional<Time> heard_waiting;  // another node's message, while we wait for our init
    std::optional<Time> echo_postponed;  // when a deadline ran out while the channel kept delivering
    bool pinged = false;        // we have pinged since our last join
    Time init_sent{};           // our last init
    std::optional<Time> heard_startup;  // another node's init or vers, before our first ping
    bool first_ping_waits = false;      // the channel is busy with a start-up: see begin()
    bool rejoining = false;             // this join follows a lost channel
    bool vers_due = false;              // this join's vers: sent when our init is back (begin())
    bool first_ping_quiet = false;      // first_ping_waits for the start-up traffic to stop
    bool ping_in_flight = false;        // our last ping has not come back yet
    unsigned unechoed = 0;              // our pings in a row not back within gap
    std::optional<Time> unechoed_until; // no ping (or hist) before this, unless our ping comes back
    bool offline = false;       // channel lost, not back yet
    bool ping_echoed = false;   // state 2: our ping came back
    bool said_unheard = false;  // reported a ping the channel did not carry
    std::map<std::string, Time> vers_warned;
    std::optional<Time> next_ping;
    std::optional<Time> tag_deadline;
    // Our vers is due then: a correction (receive_vers) or our start-up vers
    // on a busy channel (begin); a vers of our version from another process
    // cancels it.
    std::optional<Time> vers_resend;
    std::vector<Message> out;
    std::vector<Event> events;
    std::map<std::string, PendingRecovery> pending;
    std::optional<Report> report;
    Value value;
    Value last_ping_value;  // what our last ping carried
    Time last_ping_at{};            // when we sent it
    Time turn_base{};               // what next_ping was last chosen from
    // The fair policy's draw for the turn from turn_base: a slot chosen
    // again for the same turn (a member learned) moves with the order and
    // the width, not with a fresh draw (see recompute_next_ping).
    std::optional<Time> slot_base;
    double slot_u = 0;
    unsigned failed_attempts = 0;   // our pings superseded since our last tag
    // How much of the group we do not know, as far as the turns show: of
    // the pings naming two or more heard lately (a moving average over
    // about 1/unknown_share_weight), the share whose sender was not in our
    // turn order (fair_policy::unknown_offset).
    double unknown_share = 0;
    std::size_t last_ping_history = 0;  // how many names it carried
    // Our last ping repeated our own turn (we were the chain's newest
    // entry: nobody continued us, as far as we heard): the chain it
    // repeated, for a `hist` that shows the continuation we missed.
    std::optional<Chain> repeated;
    Chain chain;
    detail::PeerTable table;
    detail::TurnOrder order;  // the fair policy's view (turn_order.hpp)
    // The entry receive() remembered, while receive() runs (nothing is
    // evicted after that point of it).
    const Peer* heard_last = nullptr;
    std::uint64_t valid_pings = 0;
    std::int64_t c = 0;
    std::deque<Message> held;
    std::deque<std::size_t> held_sizes;  // encoded bytes of each held message
    std::size_t held_bytes = 0;

    // The value map and the turn order intern names in one table.
    static NodeOptions with_names(NodeOptions o) {
        if (!o.names) o.names = std::make_shared<NameTable>();
        return o;
    }
    explicit Impl(NodeOptions o)
        : opts(with_names(std::move(o))), config(opts.config), ready(opts.ready), mode(opts.mode),
          state(opts.mode == Mode::active ? 0 : -1), value(opts.value),
          chain(opts.config.nodes), table(opts.max_known_nodes, opts.max_value_bytes, opts.names),
          order(opts.max_known_nodes, opts.names) {
        if (!opts.random) {
            // Deterministic fallback for observers and tests that need no
            // randomness: a fixed sequence is still a valid source.
            opts.random = [] { return 0.5; };
        }
    }

    double uniform(double lo, double hi) { return lo + (hi - lo) * opts.random(); }
    bool active() const { return mode == Mode::active; }
    // The fair policy keeps its turn order while active; it needs histories
    // of two names to tell a turn from a node's first ping.
    bool keeps_order() const {
        return opts.turn_policy == TurnPolicy::fair && mode == Mode::active && config.splits >= 2;
    }
    // A settled ping whose history names two or more counts as a turn (a
    // first ping of [self] starts no tag; a lone node's repeat is nobody
    // else's business): for a receiver when its ping report closes, for the
    // taker at its tag.
    void count_turn(const std::string& n, std::size_t history, Time now) {
        if (!keeps_order() || history < 2) return;
        order.took_turn(n, opts.name, fair_slots, now, timing::report_window(config) + from_seconds(config.gap));
    }
    // The fair policy chooses when a ready active node pings once it knows
    // another member (before, and when not ready: 0.24's rules).
    bool fair_timing() const { return keeps_order() && ready && order.size() >= 2; }
    bool sends() const { return mode != Mode::observer; }
    // One of our own messages, back from the channel (our id).
    bool ours(const Message& m) const { return m.id && *m.id == opts.id; }

    // ---- output helpers
    void emit(Event e) { events.push_back(std::move(e)); }
    void emit_simple(EventType t, std::string node) {
        Event e;
        e.type = t;
        e.node = std::move(node);
        events.push_back(std::move(e));
    }
    void send(Message m) {
        if (sends()) out.push_back(std::move(m));
    }
    void send_vers() { send(Message::make_vers(opts.name, config, opts.id)); }

    // ---- value map (the storage: peer_table.hpp)
    const Value* known_value(const std::string& n) const {
        // The sender just heard is usually asked for again at once (as the
        // new chain head, when the next ping time is drawn): skip the lookup.
        if (heard_last && table.name(*heard_last) == n)
            return heard_last->has_value ? &heard_last->value : nullptr;
        const Peer* p = table.find(n);
        return !p || !p->has_value ? nullptr : &p->value;
    }
    // The entry for n, created if need be, marked as heard just now.
    Peer& touch(const std::string& n) {
        if (Peer* p = table.find(n)) {
            table.mark_heard(*p);
            return *p;
        }
        if (table.full()) table.evict(kept());
        return table.insert(n);
    }
    void remember(Peer& p, const Value& v) {
        if (table.set_value(p, v)) table.evict(kept(), &p);
    }
    // The names eviction must spare: us, the chain, and the old heads whose
    // recovery beacon is pending. Built only when an eviction is due.
    detail::PeerTable::Kept kept() const {
        detail::PeerTable::Kept k;
        k.reserve(chain.size() + pending.size() + 1);
        k.insert(opts.name);
        for (const auto& n : chain.names()) k.insert(n);
        for (const auto& [n, r] : pending) k.insert(n);
        return k;
    }

    // priority(a, b): does node a beat node b? (docs/PROTOCOL.md "priority")
    // Null is the least value of compare_values' total order, so "null loses
    // to non-null" falls out of the comparison; equal values: smaller name.
    // `va`: a's entry in the value map, already looked up by the caller.
    bool priority(const std::string& a, const Value* va, const std::string* b) const {
        if (!b) return true;  // nothing to beat
        static const Value null_value;
        const Value* vb = known_value(*b);
        auto cmp = compare_values(va ? *va : null_value, vb ? *vb : null_value);
        if (cmp == std::strong_ordering::equal) return a < *b;
        return cmp == std::strong_ordering::greater;
    }

    // ---- next ping time (docs/PROTOCOL.md "Next ping time")
    void recompute_next_ping(Time now) {
        if (!active()) {
            next_ping.reset();
            return;
        }
        turn_base = now;
        next_ping = now + from_seconds(config.cycle) + gap_times(config, ping_delay_factor());
    }
    // One uniform draw per turn for the fair slots. Drawn afresh each time a
    // member joined, a thousand nodes learning a rejoining group's inits
    // (100 a second) drew the late slot of a 50 s width again and again,
    // and the earliest of all those draws came at once: 40 pings within
    // 1.5 s, and two tagged (simulator, 1000 nodes, broker restart, seed 3).
    double turn_draw() {
        if (slot_base != turn_base) {
            slot_base = turn_base;
            slot_u = opts.random();
        }
        return slot_u;
    }
    // The fair policy learned of a member: our slot may have moved since
    // the last turn (a member that waited longer is now ahead of us).
    // `turn_ping`: n's ping names two or more (a turn, or a claim to one),
    // which updates unknown_share (the member was new to us, or not).
    void member_joined(const std::string& n, bool turn_ping = false) {
        const bool added = order.joined(n);
        if (turn_ping)
            unknown_share += ((added ? 1.0 : 0.0) - unknown_share) * fair_policy::unknown_share_weight;
        if (added && next_ping && state == 0 && fair_timing()) recompute_next_ping(turn_base);
    }

    // The members we know of: those in the turn order, or the names we
    // know values of if more (the order starts afresh on a rejoin).
    std::size_t known_members() const { return std::max(order.size(), table.valued()); }
    // More than crowd_members known: the crowd rules apply.
    bool crowd() const { return known_members() > crowd_members; }

    double ping_delay_factor() {
        const auto& names = chain.names();
        if (fair_timing()) {
            // A lone head's repeat would not be heard as a turn (receivers
            // ignore a repeat from H[0]) yet tag it: the others extend the
            // chain first, as under 0.24's rule.
            if (names.size() == 1 && names.front() == opts.name) return lone_head_delay;
            if (auto r = order.rank(opts.name, fair_slots)) {
                const double d = fair_policy::slot(*r, turn_draw(), failed_attempts);
                return *r == 0 && crowd() ? fair_policy::first_in_crowd(d, unknown_share) : d;
            }
            // The chain's newest entry (our turn was the last) waits as a
            // lone head does, after every late ping: its repeat is one from
            // H[0] for each node that took our last ping (ignored) and a
            // collision for any whose head moved since (it may win), so
            // among other late pings it split the group into two heads,
            // both tagged (simulator, mixed group seed 5288).
            if (!names.empty() && names.front() == opts.name) return lone_head_delay;
            // Beyond the slots: after 0.24's late slot (1.5..2), where a
            // 0.24 node off the chain waits, not in it, over a width that
            // grows with the members.
            return fair_policy::late + turn_draw() * fair_policy::late_width(known_members());
        }
        if (names.empty()) return uniform(1.7, 1.9);
        if (names.front() == opts.name) return names.size() == 1 ? lone_head_delay : 2.0;
        std::size_t L = names.size();
        if (config.nodes > 0) L = std::min<std::size_t>(L, static_cast<std::size_t>(config.nodes));
        if (!ready) {
            for (std::size_t i = 0; i < L; ++i) {
                const Value* v = known_value(names[i]);
                if (v && !v->is_null()) {
                    if (i + 1 > (L + 1) / 2) return 2.0 + uniform(0, 1.0 / 3);
                    break;
                }
            }
        }
        for (std::size_t pos = 0; pos < L; ++pos) {
            if (names[pos] == opts.name)
                return 1.0 - std::ldexp(1.0, -static_cast<int>(L + 2 - pos));
        }
        double total = static_cast<double>(
            std::max<std::int64_t>(static_cast<std::int64_t>(table.valued()), config.n_hosts));
        if (total < 1) total = 1;
        if (config.force_in) {
            if (static_cast<double>(c) >= total) return uniform(0, 0.25);
            double p = std::clamp(1.0 - (static_cast<double>(c) - 1) / total, 0.0, 1.0);
            if (opts.random() < p) return 0.5 + uniform(0, 0.5);
            return uniform(0, 0.5);
        }
        std::int64_t todo = config.nodes > 0
                                ? config.nodes - static_cast<std::int64_t>(names.size())
                                : 1;
        double f;
        if (todo > 0) {
            f = static_cast<double>(todo);
        } else {
            f = total;
            ++c;
        }
        if (opts.random() < 1.0 / (f * total)) return uniform(0, 1.0 / 3);
        return 1.5 + uniform(0, 0.5);
    }

    // ---- tag handling (docs/PROTOCOL.md "Timers and the tag")
    void cancel_tag_by_continuation() {
        if (state == 2) {
            state = 0;
            tag_deadline.reset();
            ++failed_attempts;
        } else if (state == 3) {
            emit_simple(EventType::untag, opts.name);
            c = 0;
            state = 0;
            tag_deadline.reset();
        }
    }
    void lose_collision(const std::string& winner) {
        if (state == 2) {
            state = 0;
            tag_deadline.reset();
            ++failed_attempts;
        } else if (state == 3) {
            emit_simple(EventType::detag, winner);
            state = 0;
            tag_deadline.reset();
        }
    }

    void send_ping(Time now) {
        pinged = true;
        ping_in_flight = true;
        bool extends = !chain.empty();
        if (const std::string* h = chain.at(0); h && *h == opts.name) repeated = chain;
        else repeated.reset();
        chain.add(opts.name);
        last_ping_value = value;
        remember(touch(opts.name), value);
        Message ping = Message::make_ping(
            opts.name, value, chain.head(history_cap()),
            opts.id);
        last_ping_at = now;
        last_ping_history = ping.history.size();
        send(std::move(ping));
        if (extends) {
            state = 2;  // state 1 is momentary: no window opens in between
            ping_echoed = false;
            tag_deadline = now + from_seconds(config.gap);
        }
        recompute_next_ping(now);
    }

    // How many names a ping or hist of this group carries (`splits`, at
    // least one).
    std::size_t history_cap() const {
        return static_cast<std::size_t>(std::max<std::int64_t>(config.splits, 1));
    }

    // ---- the ping report
    void arm_report(const std::string& n, const Value& v, const std::vector<std::string>& h,
                    Time now) {
        if (!report) {
            // Not emplace(): clang rejects it for a nested class with default
            // member initializers inside the enclosing class (not yet complete).
            report = Report{};
            report->deadline = now + timing::report_window(config);
        }
        report->node = n;
        report->value = v;
        // What the `ping` event shows of the chain: as many names as a ping
        // of this group carries (a hostile 1000-name history is not copied
        // on every message).
        const std::size_t keep =
            std::min(h.size(), history_cap());
        report->history.assign(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(keep));
    }

    // ---- twin detection (docs/PROTOCOL.md "Name twins")
    bool check_twin(const Message& m) {
        if (mode == Mode::observer) return false;
        if (m.type != MsgType::init && m.type != MsgType::ping) return false;
        if (!m.node || *m.node != opts.name) return false;
        if (ours(m)) return false;
        out.push_back(Message::make_init(opts.name, opts.id));
        emit(Event::error("another node uses the name \"" + opts.name + "\" in this group"));
        halt(StopReason::name_twin);
        return true;
    }

    void halt(StopReason r) {
        stop = r;
        held.clear();
        echo_deadline.reset();
        next_ping.reset();
        tag_deadline.reset();
        report.reset();
        vers_resend.reset();
        pending.clear();
        held_sizes.clear();
        held_bytes = 0;
    }

    // ---- receiving
    void receive(const Message& m, Time now) {
        if (first_ping_waits && (m.type == MsgType::init || m.type == MsgType::vers) &&
            !ours(m))
            heard_startup = now;
        const bool joining = !pinged && chain.empty() && mode == Mode::active;
        receive_steps(m, now);
        heard_last = nullptr;
        if (joining && !chain.empty()) adopted_on_joining();
    }
    // Joining a live group: we heard its rotation before our first ping and
    // took its chain. A chain heard does not make a busy channel less busy:
    // rule 3's wait for the quiet goes on (for the pings in it too).
    void adopted_on_joining() {
        if (!first_ping_quiet) first_ping_waits = false;
    }
    void receive_steps(const Message& m, Time now) {
        if (mode == Mode::passive) {
            if (m.type == MsgType::ping || m.type == MsgType::hist) {
                if (auto n = m.sender()) arm_report(*n, m.value, m.history, now);
            }
            return;
        }
        const bool observer = mode == Mode::observer;

        // 1. recovery record
        // The sender's entry, when step 1 touched it: step 4 then needs no
        // second lookup (nothing is heard or evicted in between).
        Peer* sender = nullptr;
        // In a crowd, one beacon for X is enough (docs/PROTOCOL.md step 6):
        // another member of X's old chain sent it first (position 0 waits
        // no time, the others up to a gap), so ours would say the same
        // again. In a small group ours goes too: sent later, it reaches
        // nodes whose chain has moved since the first one (simulator, mixed
        // group seed 979: without it, two views of the chain stayed apart).
        if (!observer && m.type == MsgType::hist && !pending.empty() && !m.history.empty() &&
            !ours(m) && crowd())
            pending.erase(m.history.front());
        if (!observer && m.type == MsgType::ping && m.node) {
            auto it = pending.empty() ? pending.end() : pending.find(*m.node);
            if (it != pending.end()) {
                // Woken: X is alive and pinging, so no beacon is needed.
                pending.erase(it);
            } else {
                Peer& p = touch(*m.node);
                p.has_count = true;
                p.count = static_cast<double>(valid_pings);
                sender = &p;
            }
        }

        // 2. init, vers
        if (m.type == MsgType::init) {
            if (keeps_order() && m.node) member_joined(*m.node);
            return;
        }
        if (m.type == MsgType::vers) {
            receive_vers(m, now);
            return;
        }

        // The sender and its history (a ping with no history means [sender]).
        // Read in place; only the rare empty ping history is built.
        std::vector<std::string> built;
        if (m.type == MsgType::ping && m.history.empty() && m.node) built.push_back(*m.node);
        const std::vector<std::string>& mh = m.history.empty() ? built : m.history;
        if (mh.empty()) return;  // a hist without history names nobody
        const std::string& n = m.type == MsgType::hist ? mh.front() : *m.node;

        // 3. ourselves, or a repeat from the last pinger. A repeat ping
        // extends the pinger's own non-empty chain, so the pinger is tagged
        // by it (a lone node, or a head whose successors stayed silent): an
        // observer reports it, where an active node only ignores it.
        const std::string* h0 = chain.at(0);
        // An observer is nobody: a node named like it (its host's own
        // actor-join) is a node like any other.
        if (!observer && n == opts.name) {
            // Our own ping back from the channel: the turn may be ours.
            const bool our_ping = m.type == MsgType::ping && ours(m);
            if (state == 2 && our_ping) ping_echoed = true;
            if (our_ping) ping_in_flight = false;
            if (our_ping && unechoed) {
                // The channel has caught up with us: ping again from now.
                const bool held_back = unechoed_until.has_value();
                unechoed = 0;
                unechoed_until.reset();
                if (held_back && state == 0 && next_ping) recompute_next_ping(now);
            }
            return;
        }
        if (h0 && n == *h0) {
            if (observer && m.type == MsgType::ping) {
                remember(touch(n), m.value);
                head_heard = now;
                arm_report(n, m.value, mh, now);
            }
            return;
        }

        // 4. value map, good
        Peer& np = sender ? *sender : touch(n);
        remember(np, m.value);
        heard_last = &np;
        if (!observer && value.is_null() && !m.value.is_null()) {
            Event e;
            e.type = EventType::good;
            for (const auto& x : mh) {
                const Value* v = known_value(x);
                if (v && !v->is_null()) e.nodes.push_back(x);
            }
            emit(std::move(e));
        }

        if (m.type == MsgType::ping && keeps_order()) {
            // A member we had not heard of (it started before us).
            member_joined(n, m.history.size() >= 2);
            order.heard(n, now);
        }

        // 5. continuation
        if (h0 && continues(mh, *h0)) {
            if (m.type == MsgType::hist && !missed_continuation(n, np.value, mh)) return;
            chain.add(n);
            head_heard = now;
            recompute_next_ping(now);
            arm_report(n, m.value, mh, now);
            cancel_tag_by_continuation();
            return;
        }

        // 6. collision
        const std::string* h1 = chain.at(1);
        bool plain = (mh.size() < 2 && !h1) || (mh.size() >= 2 && h1 && mh[1] == *h1);
        bool won = priority(n, &np.value, h0);
        // An observer never pings, so a head that outranks the live
        // rotation but then stays silent (died right after winning, or a
        // forged ping) would freeze its view for good; an active node gets
        // out by pinging. So: a head silent for a whole turn loses.
        if (!won && observer && now - head_heard > timing::off_chain_turn_bound(config))
            won = true;
        // The old chain matters only to a recovery: copy it only then.
        const bool may_recover = !plain && !observer && !value.is_null();
        std::optional<Chain> old;
        if (may_recover) old = chain;
        // The fair policy's timing for a ping that loses here (docs/PROTOCOL.md
        // "Turn policy"): if its sender would beat *us*, our next ping is
        // chosen anew from it, as from an accepted one. Its sender holds
        // another chain (a split, a collision settled differently) and is
        // tagged by it in its own view; a ping of ours within the cycle
        // after it would lose there and be tagged here beside it. When we
        // beat the sender our ping detags it, as any collision does. A ping
        // of one name (a first ping: no tag) is not waited for.
        if (!won && fair_timing() && m.type == MsgType::ping && m.history.size() >= 2 &&
            priority(n, &np.value, &opts.name))
            recompute_next_ping(now);
        if (won) {
            chain = Chain::adopt(mh, config.nodes);
            head_heard = now;
            lose_collision(n);
            recompute_next_ping(now);
            arm_report(n, m.value, mh, now);
        }
        if (!may_recover) return;
        // A healed split (or a newcomer).
        auto pos = old->index_of(opts.name);
        if (!pos) return;
        Event e;
        e.type = EventType::recover;
        e.prio = static_cast<int>(*pos);
        e.replace = won;
        e.local = old->names();
        e.remote = mh;
        emit(std::move(e));
        start_recovery(*old->at(0), *old, *pos, now);
    }

    // A `hist` continuation changes nothing (0.24), except this one
    // (docs/PROTOCOL.md "Receiving a message", step 5): our last ping
    // repeated our turn, is not over (state 2 or 3), and the hist is
    // exactly the chain our repeated turn became when n continued it, n
    // beating us. n's ping was lost on its way to us (Serf under load), n
    // is tagged, and our repeat lost there: we take that ping as heard
    // (no tag beside n; tests/sim/test_sim_lost.cpp). Any other hist
    // continuation, a stale one included, is ignored as in 0.24.
    bool missed_continuation(const std::string& n, const Value& v,
                             const std::vector<std::string>& mh) const {
        if (!repeated || state < 2 || mh.size() < 2 || mh[1] != opts.name) return false;
        if (!priority(n, &v, &opts.name)) return false;
        Chain became = *repeated;
        became.add(n);
        return mh == became.head(history_cap());
    }

    void receive_vers(const Message& m, Time now) {
        const std::int64_t theirs = m.config.version.value_or(0);
        if (theirs > config.version) {
            Config next = m.config.apply_to(config);
            if (auto checked = validate(next); !checked) {
                warn_bad_vers(m.node.value_or(""), theirs, checked.error().text(), now);
                return;
            }
            config = next;
            vers_resend.reset();  // ours would be theirs again
            Event e;
            e.type = EventType::setup;
            e.config = config;
            emit(std::move(e));
            return;
        }
        if (mode == Mode::observer) return;
        if (theirs < config.version) {
            if (state >= 2) {
                send_vers();
                vers_resend.reset();
            } else if (auto pos = chain.index_of(opts.name)) {
                const Time at = now + gap_times(config, 1.0 - std::ldexp(1.0, -static_cast<int>(*pos)));
                vers_resend = vers_resend ? std::min(*vers_resend, at) : at;
            }
        } else {
            vers_resend.reset();
        }
    }

    void warn_bad_vers(const std::string& sender, std::int64_t version, const std::string& why,
                       Time now) {
        auto it = vers_warned.find(sender);
        if (it != vers_warned.end() && now - it->second < vers_warning_interval) return;
        if (it == vers_warned.end() && vers_warned.size() >= max_vers_warned) vers_warned.clear();
        vers_warned[sender] = now;
        emit(Event::error("ignoring config version " + std::to_string(version) +
                          (sender.empty() ? std::string() : " from \"" + sender + "\"") + ": " +
                          why));
    }

    void start_recovery(const std::string& x, const Chain& old, std::size_t pos, Time now) {
        if (pending.count(x)) return;
        Peer* rec = table.lookup(x);
        if (rec && rec->has_count) {
            // The record now becomes "pending", whatever happens next.
            rec->has_count = false;
            // 0.24's rule, odd as it reads: a record older than nodes/2
            // reports means X's beacon is not needed; forget the record.
            if (config.nodes > 1 &&
                rec->count < static_cast<double>(valid_pings) -
                                       static_cast<double>(config.nodes) / 2.0)
                return;
        }
        auto& r = pending[x];
        r.deadline = now + gap_times(config, 1.0 - std::ldexp(1.0, -static_cast<int>(pos)));
        r.history = old.head(history_cap());
    }

    void process(const Message& m, Time now) {
        if (stop != StopReason::none || offline) return;
        if (check_twin(m)) return;
        if (!started_flag) {
            if (!start_called) return;  // not listening yet
            if (m.type == MsgType::init && m.node && *m.node == opts.name && ours(m)) {
                begin(now);
            } else {
                if (!ours(m)) {
                    heard_waiting = now;
                    if (m.type == MsgType::init || m.type == MsgType::vers) heard_startup = now;
                }
                hold(m);
            }
            return;
        }
        receive(m, now);
    }

    // What a held message costs in memory: its value's heap footprint and
    // its names (a 1 KiB value can hold 80 KiB once decoded).
    static std::size_t held_weight(const Message& m) {
        std::size_t w = sizeof(Message) + value_footprint(m.value);
        if (m.node) w += m.node->size();
        for (const auto& h : m.history) w += sizeof(std::string) + h.size();
        return w;
    }

    // Messages heard before our init came back wait, bounded in count and
    // in bytes (the oldest go first).
    void hold(const Message& m) {
        const std::size_t size = held_weight(m);
        if (size > opts.max_held_bytes) return;
        while (!held.empty() &&
               (held.size() >= max_held_messages || held_bytes + size > opts.max_held_bytes)) {
            held_bytes -= held_sizes.front();
            held.pop_front();
            held_sizes.pop_front();
        }
        held.push_back(m);
        held_sizes.push_back(size);
        held_bytes += size;
    }

    // A held vers of another process with this version or a later one.
    bool vers_shown(std::int64_t version) const {
        return std::any_of(held.begin(), held.end(), [&](const Message& m) {
            return m.type == MsgType::vers && !ours(m) && m.config.version.value_or(0) >= version;
        });
    }

    // Our init came back: first ping, then the held messages; or, when
    // they show a live rotation (a ping or hist naming two or more), the
    // held messages and no first ping (docs/PROTOCOL.md "Start-up",
    // joining a live group). Heard from an empty chain, the first of them
    // is adopted whole (it wins against nothing) and the later ones follow
    // by the receiving rules, so we end with the rotation as we heard it
    // and take our turn in it. A first ping of [self] would meet that
    // chain as a newcomer's (step 6): one that outranks the head restarts
    // the chain, and every chain member answers with a recovery beacon; a
    // thousand nodes joining at once restarted it again and again.
    void begin(Time now) {
        started_flag = true;
        echo_deadline.reset();
        echo_attempts = 0;
        heard_waiting.reset();
        if (keeps_order()) order.joined(opts.name);
        // Our vers, unless another process's of our version or a later one
        // comes first: every receiver compares its version with that one
        // just as it would with ours (docs/PROTOCOL.md "Start-up"). On a
        // quiet channel it goes now unless one was held; on a busy one (our
        // init came back late) or when rejoining a crowd, at a random time
        // within start_vers_window, so that those queued behind our init
        // can cancel it: a group that starts or rejoins together (a
        // thousand behind one broker) then sends a few instead of one each.
        if (std::exchange(vers_due, false)) {
            const Duration echo = now - init_sent;
            if (echo > gap_times(config, busy_echo_gaps) || (rejoining && crowd())) {
                vers_resend = now + std::chrono::duration_cast<Duration>(
                                        start_vers_window(config, echo) * uniform(0, 1));
            } else if (!vers_shown(config.version)) {
                send_vers();
            }
        }
        const bool live = std::any_of(held.begin(), held.end(), [&](const Message& m) {
            return (m.type == MsgType::ping || m.type == MsgType::hist) && m.history.size() >= 2 &&
                   !ours(m);
        });
        // A busy channel: our init took more than half a gap to come back,
        // and others' inits or vers are still arriving. A group is joining
        // at once and its start-up is queued at the broker; a first ping
        // now would wait behind it, as would everyone's. We wait until the
        // start-up traffic has stopped for a gap, then a slot more; a ping
        // heard meanwhile gives us the chain instead.
        first_ping_waits = active() && !live && now - init_sent > gap_times(config, busy_echo_gaps);
        first_ping_quiet = first_ping_waits;
        if (first_ping_waits) next_ping = now + gap_times(config, 1.0);
        // Rejoining a group we knew (the channel came back): its rotation
        // may be running again already, and its pings come once a turn, so
        // we listen for a while before a first ping of [self] (which would
        // restart it): up to an off-chain turn bound, in proportion to the
        // members we knew (a hundred or more: the whole bound), times
        // U[0.75, 1] so that a group returning together does not end its
        // wait at once.
        const std::size_t knew = table.valued();
        if (active() && !live && !first_ping_waits && knew > 0 && rejoining) {
            const double share = std::min(1.0, static_cast<double>(knew) / rejoin_listen_names);
            first_ping_waits = true;
            next_ping = now + std::chrono::duration_cast<Duration>(timing::off_chain_turn_bound(config) * share *
                                                                  uniform(0.75, 1.0));
        }
        if (active() && !live && !first_ping_waits) send_ping(now);
        held_sizes.clear();
        held_bytes = 0;
        while (!held.empty() && stop == StopReason::none) {
            Message m = std::move(held.front());
            held.pop_front();
            if (!check_twin(m)) receive(m, now);
        }
        if (active() && stop == StopReason::none && !pinged && chain.empty() && !first_ping_waits)
            send_ping(now);
    }

    // Start-up (and rejoining after the channel came back): init, vers, and
    // the wait for our init. Rejoining a crowd (more than crowd_members
    // known), no init: the group knows our id, the first ping's echo proves
    // the channel (no channel, no turn), and a thousand inits are ten
    // seconds of one broker; we begin at once and listen (rule 5).
    void join(Time now, bool rejoin = false) {
        pinged = false;
        rejoining = rejoin;
        ping_in_flight = false;
        init_sent = now;
        heard_startup.reset();
        first_ping_waits = false;
        unechoed = 0;
        unechoed_until.reset();
        heard_waiting.reset();
        echo_postponed.reset();
        vers_due = true;
        if (rejoin && crowd()) {
            begin(now);
            return;
        }
        send(Message::make_init(opts.name, opts.id));
        // Rejoining a group we knew (the channel came back): all its members
        // may be rejoining at once, 2 broadcasts each, queued at one broker;
        // our init waits its turn behind theirs, so the first resend waits
        // longer with the size of the group (1/16 gap a member we know).
        echo_wait = timing::echo_deadline(config, uniform(0, timing::echo_jitter_max)) +
                    gap_times(config, static_cast<double>(table.valued()) * rejoin_echo_gaps_per_name);
        echo_attempts = 1;
        echo_deadline = now + echo_wait;
    }

    void echo_timed_out(Time now) {
        // A channel that is still delivering others' messages to us (one
        // within the last gap) is slow, not deaf: our init is queued behind
        // theirs. Sending it again would only lengthen the queue (a thousand
        // nodes joining at once are ~2N^2 copies), so we look again a gap
        // later, for at most max_echo_wait past the deadline; only then, or
        // once the channel has fallen quiet for a gap, is it sent again.
        if (opts.retry_echo && heard_waiting && now - *heard_waiting < gap_times(config, 1.0)) {
            if (!echo_postponed) echo_postponed = now;
            if (now - *echo_postponed < max_echo_wait) {
                echo_deadline = now + gap_times(config, 1.0);
                return;
            }
        }
        echo_postponed.reset();
        if (!opts.retry_echo) {
            emit(Event::error("our own messages do not come back: the channel does not deliver"));
            halt(StopReason::no_echo);
            return;
        }
        emit(Event::error("our init did not come back from the channel within " +
                          format_seconds(echo_wait) + " (attempt " + std::to_string(echo_attempts) +
                          "): sending it again"));
        send(Message::make_init(opts.name, opts.id));
        init_sent = now;
        // Doubling, with jitter so that a crowd restarted together spreads.
        const Duration longer = std::min<Duration>(echo_wait * 2, std::max(max_echo_wait, echo_wait));
        echo_wait = std::chrono::duration_cast<Duration>(longer * uniform(0.75, 1.0));
        ++echo_attempts;
        echo_deadline = now + echo_wait;
    }

    static std::string format_seconds(Duration d) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3g s", to_seconds(d));
        return buf;
    }

    // The channel is gone: no turn without it.
    void channel_lost(Time) {
        if (stop != StopReason::none || offline || !start_called) return;
        offline = true;
        if (state == 3) {
            Event e;
            e.type = EventType::untag;
            e.node = opts.name;
            e.reason = "disconnected";
            emit(std::move(e));
            c = 0;
        }
        if (state >= 0) state = 0;
        tag_deadline.reset();
        report.reset();
        pending.clear();
        vers_resend.reset();
        next_ping.reset();
        echo_deadline.reset();
        held.clear();
        held_sizes.clear();
        held_bytes = 0;
        // Rejoining, a small group is learned again from its inits. A
        // crowd's order is kept: it sends no init to rejoin (rule 6), and
        // after a broker restart, when everyone lost the channel at once,
        // nothing happened meanwhile; cleared, the orders held only the
        // members heard pinging since, the fair timing fell back to 0.24's
        // late slot (1.5..2 gaps, no width for a crowd), and the crowd
        // pinged there together: 74 pings in 4 s (real, 1000 members).
        if (!crowd()) order.clear();
        if (mode == Mode::observer) return;  // an observer only listens
        started_flag = false;
        // The group went on without us: rejoin with nothing of the old
        // rotation but what we hear (a passive node's chain stays frozen).
        if (active()) chain = Chain(config.nodes);
    }

    void channel_up(Time now) {
        if (stop != StopReason::none || !offline) return;
        offline = false;
        if (mode == Mode::observer) return;
        join(now, true);
    }

    void timers(Time now) {
        if (stop != StopReason::none || offline) return;
        if (echo_deadline && *echo_deadline <= now) {
            echo_timed_out(now);
            if (stop != StopReason::none) return;
        }
        if (tag_deadline && *tag_deadline <= now) {
            if (state == 2 && !ping_echoed) {
                // No channel, no turn: nobody may have heard this ping.
                state = 0;
                tag_deadline.reset();
                // A channel that stays slower than gap does not get faster
                // with more pings: from the second ping in a row that did
                // not come back, we send no ping (nor beacon) until it
                // comes back, or for an off-chain turn bound (times
                // U[0.75, 1]) after it. The first keeps 0.24's way (next
                // cycle), so a lost copy costs nothing more.
                if (++unechoed >= 2) {
                    const Duration wait = std::chrono::duration_cast<Duration>(
                        timing::off_chain_turn_bound(config) * uniform(0.75, 1.0));
                    unechoed_until = last_ping_at + wait;
                }
                if (!said_unheard) {
                    said_unheard = true;
                    emit(Event::error("our ping did not come back from the channel within gap: "
                                      "not taking the turn"));
                }
            } else if (state == 2) {
                said_unheard = false;
                failed_attempts = 0;
                state = 3;
                ++valid_pings;
                // Our turn counts once it is ours, as every receiver counts
                // it once accepted: the next ping is chosen anew from it.
                if (keeps_order() && last_ping_history >= 2) {
                    count_turn(opts.name, last_ping_history, last_ping_at);
                    recompute_next_ping(last_ping_at);
                }
                Event e;
                e.type = EventType::tag;
                e.node = opts.name;
                e.value = last_ping_value;
                emit(std::move(e));
                tag_deadline = now + timing::tag_length(config);
            } else if (state == 3) {
                emit_simple(EventType::untag, opts.name);
                c = 0;
                state = 0;
                tag_deadline.reset();
            } else {
                tag_deadline.reset();
            }
        }
        if (report && report->deadline <= now) {
            Report r = std::move(*report);
            report.reset();
            // The turn has settled: the fair policy counts it now (not when
            // its ping came, which may yet lose a collision), and chooses
            // our next ping anew from that ping.
            if (keeps_order() && r.history.size() >= 2 && r.node != opts.name) {
                count_turn(r.node, r.history.size(), now);
                if (next_ping && ready && state == 0) recompute_next_ping(turn_base);
            }
            if (state <= 0) {
                Event e;
                e.type = EventType::ping;
                e.node = std::move(r.node);
                e.value = std::move(r.value);
                e.history = std::move(r.history);
                emit(std::move(e));
                ++valid_pings;
            }
        }
        if (vers_resend && *vers_resend <= now) {
            vers_resend.reset();
            send_vers();
        }
        if (!pending.empty()) {
            for (auto it = pending.begin(); it != pending.end();) {
                if (it->second.deadline <= now) {
                    PendingRecovery r = std::move(it->second);
                    std::string x = it->first;
                    it = pending.erase(it);
                    // Nor, in a crowd, while our own last ping is still on
                    // its way: our chain is then ahead of what the channel
                    // has carried, and the "split" we saw may be that and
                    // nothing more (under a backlog, every node that had
                    // just pinged answered every beacon with one of its
                    // own). In a small group the beacon goes anyway: it is
                    // cheap there, and dropping it can leave two views of
                    // the chain unreconciled (simulator, mixed group seed
                    // 979: two nodes tagged at once).
                    const bool held_back =
                        crowd() && (ping_in_flight || (unechoed_until && now < *unechoed_until));
                    if (state >= 0 && mode == Mode::active && !held_back) {
                        const Value* v = known_value(x);
                        send(Message::make_hist(v ? *v : Value(), std::move(r.history),
                                                opts.id));
                    }
                } else {
                    ++it;
                }
            }
        }
        if (started_flag && state == 0 && mode == Mode::active && next_ping && *next_ping <= now) {
            if (first_ping_waits && !first_ping_quiet) {
                first_ping_waits = false;  // a rejoin's listening is over: nothing heard
                if (crowd()) {
                    // A crowd's listens end within a quarter of the wait of
                    // each other: spread the first pings over the fair late
                    // width, as at the end of rule 3's wait; the first heard
                    // gives the others the chain.
                    next_ping = now + gap_times(config, uniform(0, fair_policy::late_width(known_members())));
                } else {
                    send_ping(now);
                }
            } else if (first_ping_waits) {
                // Still waiting for the start-up traffic to stop (begin()).
                if (heard_startup && now - *heard_startup < gap_times(config, 1.0)) {
                    next_ping = *heard_startup + gap_times(config, 1.0);
                } else {
                    // Quiet now, for everyone waiting at once: the first
                    // pings spread over the width of the fair late slot
                    // (it grows with the members we know), and the first of
                    // them heard gives the others the chain.
                    first_ping_waits = false;
                    first_ping_quiet = false;
                    next_ping = chain.empty()
                                    ? now + gap_times(config, uniform(0, fair_policy::late_width(known_members())))
                                    : now + gap_times(config, ping_delay_factor());
                }
            } else if (unechoed_until && now < *unechoed_until) {
                next_ping = *unechoed_until;  // our last ping is not back yet
            } else {
                send_ping(now);
            }
        }
    }

    std::optional<Time> deadline() const {
        if (stop != StopReason::none || offline) return std::nullopt;
        std::optional<Time> d;
        auto take = [&](const std::optional<Time>& t) {
            if (t && (!d || *t < *d)) d = t;
        };
        take(echo_deadline);
        take(tag_deadline);
        if (report) take(report->deadline);
        take(vers_resend);
        for (const auto& [name, r] : pending) take(r.deadline);
        if (started_flag && state == 0 && mode == Mode::active) take(next_ping);
        return d;
    }
};

Node::Node(NodeOptions opts) : impl_(std::make_unique<Impl>(std::move(opts))) {}
Node::~Node() = default;
Node::Node(Node&&) noexcept = default;
Node& Node::operator=(Node&&) noexcept = default;

void Node::start(Time now) {
    auto& s = *impl_;
    if (s.start_called) return;
    s.start_called = true;
    if (s.mode == Mode::observer) {
        s.started_flag = true;
        return;
    }
    s.join(now);
}

void Node::on_channel_lost(Time now) { impl_->channel_lost(now); }
void Node::on_channel_up(Time now) { impl_->channel_up(now); }

void Node::on_message(const Message& m, Time now) { impl_->process(m, now); }

// Mirrors process(), check_twin(), receive() and receive_vers() for the two
// types that, once started, mostly change nothing. The simulator's
// SimHarness.SkippingInertCopiesChangesNoRun runs many seeds with and
// without this shortcut and requires identical traces.
bool Node::ignores(const Message& m) const {
    const auto& s = *impl_;
    if (m.type != MsgType::init && m.type != MsgType::vers) return false;
    if (s.stop != StopReason::none || !s.start_called || s.offline) return true;
    if (!s.started_flag) return false;  // held until our echo
    if (s.first_ping_waits) return false;  // start-up traffic delays our first ping
    if (m.type == MsgType::init) {
        // Only the twin check and the fair policy's turn order read an init
        // from a started node, the order only while it has room.
        if (s.keeps_order() && m.node && !s.order.contains(*m.node) && !s.order.full()) return false;
        return s.mode == Mode::observer || !m.node || *m.node != s.opts.name ||
               s.ours(m);
    }
    if (s.mode == Mode::passive) return true;
    const std::int64_t theirs = m.config.version.value_or(0);
    if (theirs > s.config.version) return false;
    if (s.mode == Mode::observer) return true;
    return theirs == s.config.version && !s.vers_resend;
}
// Sufficient conditions for ignores(), derived from it line by line.
bool Node::ignores_inits() const {
    const auto& s = *impl_;
    if (s.stop != StopReason::none || !s.start_called || s.offline) return true;
    if (!s.started_flag || s.first_ping_waits) return false;
    // The twin check reads only inits of our own name; the order, none
    // once it is full.
    return !s.keeps_order() || s.order.full();
}
std::optional<std::int64_t> Node::ignored_vers_version() const {
    const auto& s = *impl_;
    if (s.stop != StopReason::none || !s.start_called || s.offline) return s.config.version;
    if (!s.started_flag || s.first_ping_waits) return std::nullopt;
    if (s.mode == Mode::passive || s.mode == Mode::observer || !s.vers_resend) return s.config.version;
    return std::nullopt;
}
void Node::on_timer(Time now) { impl_->timers(now); }
std::optional<Time> Node::next_deadline() const { return impl_->deadline(); }

std::vector<Message> Node::take_outgoing() { return std::exchange(impl_->out, {}); }
std::vector<Event> Node::take_events() { return std::exchange(impl_->events, {}); }

void Node::set_value(Value v) { impl_->value = std::move(v); }
void Node::set_ready(bool r) { impl_->ready = r; }

void Node::enable(std::int64_t len, Time now) {
    auto& s = *impl_;
    if (s.stop != StopReason::none || s.mode == Mode::observer) return;
    // enable without a length (len <= 0) never changes the config.
    if (len > 0 && len > s.config.nodes) {
        if (auto v = next_version(s.config.version)) {
            Config next = s.config;
            next.nodes = len;
            next.version = *v;
            if (auto checked = validate(next); !checked) {
                s.emit(Event::error("enable: " + checked.error().text()));
            } else {
                s.config = next;
                s.send_vers();
            }
        } else {
            s.emit(Event::error("enable: the config version is at its maximum"));
        }
    }
    if (s.state < 0) {
        s.mode = Mode::active;
        s.state = 0;
        s.chain = Chain(s.config.nodes);
        s.c = 1;
        if (s.started_flag) s.send_ping(now);
    }
}

void Node::disable(std::int64_t len, Time) {
    auto& s = *impl_;
    if (s.stop != StopReason::none || s.mode == Mode::observer) return;
    if (s.state == 3) s.emit_simple(EventType::untag, s.opts.name);
    s.chain = Chain::adopt(s.chain.names(), len);
    s.state = -1;
    s.mode = Mode::passive;
    s.tag_deadline.reset();
    s.next_ping.reset();
    s.vers_resend.reset();
}

Status Node::set_config(const Config& c, Time) {
    auto& s = *impl_;
    if (c.version <= s.config.version)
        return Error{"must exceed the current " + std::to_string(s.config.version) + ", not " +
                         std::to_string(c.version),
                     "version"};
    if (auto checked = validate(c); !checked) return checked;
    s.config = c;
    s.send_vers();
    Event e;
    e.type = EventType::setup;
    e.config = c;
    s.emit(std::move(e));
    return {};
}

const std::string& Node::name() const { return impl_->opts.name; }
std::vector<std::string> Node::turn_order() const { return impl_->order.names(); }
std::uint64_t Node::id() const { return impl_->opts.id; }
Mode Node::mode() const { return impl_->mode; }
int Node::tag_state() const { return impl_->state; }
bool Node::started() const { return impl_->started_flag; }
const Chain& Node::chain() const { return impl_->chain; }
const Config& Node::config() const { return impl_->config; }
const Value& Node::value() const { return impl_->value; }
bool Node::ready() const { return impl_->ready; }
std::size_t Node::known_nodes() const { return impl_->table.valued(); }
std::optional<Time> Node::next_ping_time() const { return impl_->next_ping; }
StopReason Node::stop_reason() const { return impl_->stop; }

}  // namespace actor
