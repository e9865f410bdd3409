// The discrete-event simulator (see sim.hpp for the model).
//
// Three sources of work, each ordered by (time, sequence):
//   - actions: starts and test callbacks (a small heap of closures);
//   - broadcasts: one entry per in-flight message, keyed by its next copy;
//   - wake-ups: one per node, in an indexed heap so re-arming a node moves
//     its entry instead of leaving stale ones behind.
// The loop always takes the smallest key of the three. Sequence numbers come
// from one counter, so equal times are broken by creation order and a seed
// gives one exact run.
#include "actor/sim.hpp"

#include "actor/codec.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <random>
#include <sstream>
#include <unordered_map>

namespace actor::sim {

namespace {

struct Key {
    Time at{};
    std::uint64_t seq = 0;
};

bool operator<(const Key& a, const Key& b) {
    return a.at < b.at || (a.at == b.at && a.seq < b.seq);
}

// 53 random bits as a double in [0, 1): the same on every standard library,
// unlike std::uniform_real_distribution.
double unit(std::mt19937_64& g) {
    return static_cast<double>(g() >> 11) * 0x1.0p-53;
}

}  // namespace

struct Simulator::Impl {
    struct Slot {
        NodeOptions opts;  // as given to add_node: the template for restarts
        std::unique_ptr<std::mt19937_64> rng;
        std::unique_ptr<Node> node;
        bool tagged = false;
        bool start_scheduled = false;
        bool started_once = false;  // start() is for the first start only
        std::optional<Time> last_report;
        Duration max_interval{0};
    };

    // What every delivery reads, apart from the rest of the slot: a
    // broadcast to 10,000 nodes then walks one dense array.
    struct Hot {
        Node* node = nullptr;
        // A copy reaches this node only if it was sent after the node
        // (re)started: the new incarnation was not subscribed before.
        std::uint64_t start_seq = 0;
        std::uint32_t group = 0;
        // Slots with one name share one id (the first such slot's index).
        std::uint32_t name_id = 0;
        bool alive = false;
        bool started = false;  // Node::started() after the last call into it
        bool muted = false;    // its sends reach nobody
        bool offline = false;  // disconnected: neither sends nor hears
        // Node::ignores_inits() and ignored_vers_version() after the last
        // call into it: most inert copies are judged here, without
        // touching the node (cold, at 10,000 nodes).
        bool deaf_inits = false;
        bool deaf_vers = false;
        std::int64_t vers_version = 0;  // the version ignored, if deaf_vers
    };

    struct Copy {
        Time at;
        std::uint32_t to;
    };

    struct Broadcast {
        Message msg;
        std::uint32_t from = 0;
        std::uint64_t seq = 0;
        // Uniform: every copy arrives at `at`, receivers are swept in index
        // order. Otherwise `copies`, sorted by time, from `next` on.
        bool uniform = true;
        Time at{};
        std::vector<Copy> copies;
        std::size_t next = 0;
        // An init names its sender (no_name: none we know). A started node
        // reads an init to look for a twin of its own name (docs/PROTOCOL.md
        // "Name twins"; node.cpp's process/receive) and, under the fair turn
        // policy, to learn a member it did not know (Node::ignores says):
        // otherwise the copy is counted but the call is skipped.
        bool init = false;
        std::uint32_t name_id = 0;
        // A vers of the receiver's own version usually changes nothing
        // either (Node::ignores says), which spares the call and the re-arm.
        bool vers = false;
    };
    static constexpr std::uint32_t no_name = UINT32_MAX;
    bool inert(const Hot& h, const Broadcast& b) const {
        if (!opts.skip_inert) return false;
        if (b.init)
            return h.name_id != b.name_id && (h.deaf_inits || (h.started && h.node->ignores(b.msg)));
        if (!b.vers) return false;
        return (h.deaf_vers && b.msg.config.version.value_or(0) == h.vers_version) ||
               h.node->ignores(b.msg);
    }

    struct BcastRef {
        Key key;
        std::size_t index;
        bool operator>(const BcastRef& o) const { return o.key < key; }
    };

    struct Action {
        Key key;
        std::function<void(Simulator&)> f;
        bool operator>(const Action& o) const { return o.key < key; }
    };

    explicit Impl(SimOptions o)
        : opts(std::move(o)), seeder(opts.seed), net(seeder()) {}

    SimOptions opts;
    std::mt19937_64 seeder;  // derives node ids and node streams
    std::mt19937_64 net;     // jitter and loss
    std::uint64_t seq = 1;
    std::vector<Slot> slots;
    std::vector<Hot> hot;  // parallel to slots
    std::unordered_map<std::string, std::uint32_t> by_name;
    // One name table for every node (NodeOptions::names).
    std::shared_ptr<NameTable> names = std::make_shared<NameTable>();

    // Broadcast records live in a deque (stable addresses while a delivery
    // calls into a node that sends more); freed records are reused.
    std::deque<Broadcast> bcasts;
    std::vector<std::size_t> free_bcasts;
    std::vector<BcastRef> bheap;  // min-heap via std::greater
    std::vector<Action> aheap;
    // Indexed min-heap of node wake-ups. Keys live in the heap array and
    // positions in a dense side array, so sifting never touches the (large,
    // scattered) slots: at 10,000 nodes that was a cache miss per level.
    struct Wake {
        Key key;
        std::uint32_t node;
    };
    std::vector<Wake> wheap;
    std::vector<std::int64_t> wpos;  // node -> index in wheap, or -1

    Time overlap_from{};
    std::size_t overlap_max = 0;
    Time channel_free{};  // channel_rate: when the copies sent so far are out

    // ---- the wake-up heap ----
    void wplace(std::size_t i, const Wake& w) {
        wheap[i] = w;
        wpos[w.node] = static_cast<std::int64_t>(i);
    }
    // Sift the entry `w` from hole i to its place (up, then down).
    void wsift(std::size_t i, Wake w) {
        while (i > 0) {
            std::size_t p = (i - 1) / 2;
            if (!(w.key < wheap[p].key)) break;
            wplace(i, wheap[p]);
            i = p;
        }
        for (;;) {
            std::size_t l = 2 * i + 1, r = l + 1, m = l;
            if (l >= wheap.size()) break;
            if (r < wheap.size() && wheap[r].key < wheap[l].key) m = r;
            if (!(wheap[m].key < w.key)) break;
            wplace(i, wheap[m]);
            i = m;
        }
        wplace(i, w);
    }
    bool wqueued(std::uint32_t n) const { return wpos[n] >= 0; }
    const Key& wkey(std::uint32_t n) const { return wheap[static_cast<std::size_t>(wpos[n])].key; }
    void wset(std::uint32_t n, Key k) {
        if (wpos[n] < 0) {
            wheap.push_back({k, n});
            wsift(wheap.size() - 1, {k, n});
        } else {
            wsift(static_cast<std::size_t>(wpos[n]), {k, n});
        }
    }
    void wremove(std::uint32_t n) {
        if (wpos[n] < 0) return;
        auto i = static_cast<std::size_t>(wpos[n]);
        wpos[n] = -1;
        Wake last = wheap.back();
        wheap.pop_back();
        if (i < wheap.size()) wsift(i, last);
    }

    // Stable sort of one broadcast's copies by arrival time (ties keep
    // receiver order). Jitter spreads the copies over a small range, so an
    // LSD radix sort on the offset from the earliest copy, 11 bits a pass,
    // replaces an N log N comparison sort (two or three passes for any
    // jitter below a few seconds).
    std::vector<Copy> copy_scratch;
    std::vector<std::uint32_t> copy_count;
    void sort_copies(std::vector<Copy>& v) {
        if (v.size() < 64) {
            std::stable_sort(v.begin(), v.end(),
                             [](const Copy& x, const Copy& y) { return x.at < y.at; });
            return;
        }
        Time lo = v[0].at, hi = v[0].at;
        for (const auto& c : v) {
            lo = std::min(lo, c.at);
            hi = std::max(hi, c.at);
        }
        const auto range = static_cast<std::uint64_t>((hi - lo).count());
        constexpr unsigned bits = 11;
        constexpr std::size_t radix = std::size_t{1} << bits;
        copy_scratch.resize(v.size());
        auto& count = copy_count;
        count.resize(radix);
        for (unsigned shift = 0; shift < 64 && (range >> shift) != 0; shift += bits) {
            std::fill(count.begin(), count.end(), 0u);
            auto digit = [&](const Copy& c) {
                return (static_cast<std::uint64_t>((c.at - lo).count()) >> shift) & (radix - 1);
            };
            for (const auto& c : v) ++count[digit(c)];
            std::uint32_t sum = 0;
            for (auto& k : count) {
                std::uint32_t x = k;
                k = sum;
                sum += x;
            }
            for (const auto& c : v) copy_scratch[count[digit(c)]++] = c;
            v.swap(copy_scratch);
        }
    }

    std::size_t alloc_bcast() {
        if (!free_bcasts.empty()) {
            std::size_t i = free_bcasts.back();
            free_bcasts.pop_back();
            return i;
        }
        bcasts.emplace_back();
        return bcasts.size() - 1;
    }
    void free_bcast(std::size_t i) {
        Broadcast& b = bcasts[i];
        b.msg = Message{};
        b.copies.clear();
        b.next = 0;
        free_bcasts.push_back(i);
    }
    void push_bcast(Key k, std::size_t i) {
        bheap.push_back({k, i});
        std::push_heap(bheap.begin(), bheap.end(), std::greater<>{});
    }

    Duration base_latency(std::size_t from, std::size_t to) const {
        return opts.link_latency ? opts.link_latency(from, to) : opts.link.latency;
    }
    Duration draw_jitter() {
        auto j = opts.link.jitter.count();
        if (j <= 0) return Duration(0);
        return Duration(static_cast<std::int64_t>(net() % static_cast<std::uint64_t>(j + 1)));
    }
    bool draw_lost() { return opts.link.loss > 0 && unit(net) < opts.link.loss; }
};

Simulator::Simulator(SimOptions opts) : impl_(std::make_unique<Impl>(std::move(opts))) {}
Simulator::~Simulator() = default;

std::size_t Simulator::size() const { return impl_->slots.size(); }
Node& Simulator::node(std::size_t i) { return *impl_->slots.at(i).node; }
const Node& Simulator::node(std::size_t i) const { return *impl_->slots.at(i).node; }
const std::string& Simulator::name(std::size_t i) const { return impl_->slots.at(i).opts.name; }
bool Simulator::alive(std::size_t i) const { return impl_->hot.at(i).alive; }
bool Simulator::quiet() const { return impl_->bheap.empty(); }

std::optional<std::size_t> Simulator::index_of(const std::string& n) const {
    auto it = impl_->by_name.find(n);
    if (it == impl_->by_name.end()) return std::nullopt;
    return it->second;
}

// A fresh Node for slot i, with an id and a random stream from the seed.
static void make_node(std::mt19937_64& seeder, NodeOptions opts,
                      std::unique_ptr<std::mt19937_64>& rng_out,
                      std::unique_ptr<Node>& node_out) {
    auto rng = std::make_unique<std::mt19937_64>(seeder());
    std::uint64_t id = 0;
    while (id == 0) id = seeder();
    opts.id = id;
    opts.random = [g = rng.get()] { return unit(*g); };
    auto node = std::make_unique<Node>(std::move(opts));
    // The old node (if any) holds a pointer to the old stream: drop it first.
    node_out = std::move(node);
    rng_out = std::move(rng);
}

std::size_t Simulator::add_node(NodeOptions opts) {
    auto& im = *impl_;
    Impl::Slot s;
    s.opts = std::move(opts);
    s.opts.random = nullptr;
    if (!s.opts.names) s.opts.names = im.names;
    make_node(im.seeder, s.opts, s.rng, s.node);
    Impl::Hot h;
    h.node = s.node.get();
    im.hot.push_back(h);
    im.slots.push_back(std::move(s));
    im.wpos.push_back(-1);
    auto i = static_cast<std::uint32_t>(im.slots.size() - 1);
    im.hot.back().name_id = im.by_name.emplace(im.slots.back().opts.name, i).first->second;
    return i;
}

void Simulator::at(Time when, std::function<void(Simulator&)> f) {
    auto& im = *impl_;
    im.aheap.push_back({Key{std::max(when, now_), im.seq++}, std::move(f)});
    std::push_heap(im.aheap.begin(), im.aheap.end(), std::greater<>{});
}

void Simulator::start(std::size_t i, Time when) {
    auto& s = impl_->slots.at(i);
    if (s.started_once || s.start_scheduled) return;
    s.start_scheduled = true;
    at(when, [i](Simulator& sim) { sim.do_start(i); });
}

void Simulator::start_all(Duration stagger) {
    for (std::size_t i = 0; i < size(); ++i) start(i, now_ + stagger * static_cast<std::int64_t>(i));
}

void Simulator::do_start(std::size_t i) {
    auto& im = *impl_;
    auto& s = im.slots[i];
    s.start_scheduled = false;
    auto& h = im.hot[i];
    if (h.alive) return;
    h.alive = true;
    h.offline = false;  // a new process connects afresh
    s.started_once = true;
    h.start_seq = im.seq++;
    s.last_report.reset();
    if (opts_trace()) trace_.push_back(entry(i, TraceKind::start));
    s.node->start(now_);
    flush(i);
}

bool Simulator::opts_trace() const { return impl_->opts.trace; }

TraceEntry Simulator::entry(std::size_t i, TraceKind k) const {
    TraceEntry e;
    e.at = now_;
    e.node = static_cast<std::uint32_t>(i);
    e.kind = k;
    return e;
}

void Simulator::set_tagged(std::size_t i, bool t) {
    auto& s = impl_->slots[i];
    if (s.tagged == t) return;
    s.tagged = t;
    auto& im = *impl_;
    if (t) {
        ++tagged_now_;
        if (tagged_now_ == 1) {
            stats_.max_tagged = std::max<std::size_t>(stats_.max_tagged, 1);
        } else if (tagged_now_ == 2) {
            im.overlap_from = now_;
            im.overlap_max = 2;
        } else {
            im.overlap_max = std::max(im.overlap_max, tagged_now_);
        }
    } else {
        --tagged_now_;
        if (tagged_now_ == 1 && now_ > im.overlap_from) {
            stats_.overlaps.push_back({im.overlap_from, now_, im.overlap_max});
            stats_.max_tagged = std::max(stats_.max_tagged, im.overlap_max);
        }
    }
}

void Simulator::crash(std::size_t i) {
    auto& im = *impl_;
    auto& s = im.slots.at(i);
    if (!im.hot[i].alive) return;
    im.hot[i].alive = false;
    im.wremove(static_cast<std::uint32_t>(i));
    set_tagged(i, false);
    s.last_report.reset();
    if (opts_trace()) trace_.push_back(entry(i, TraceKind::crash));
}

void Simulator::restart(std::size_t i) {
    auto& im = *impl_;
    crash(i);
    auto& s = im.slots.at(i);
    make_node(im.seeder, s.opts, s.rng, s.node);
    im.hot[i].node = s.node.get();
    im.hot[i].started = false;
    im.hot[i].deaf_inits = im.hot[i].deaf_vers = false;
    s.start_scheduled = false;
    do_start(i);
}

void Simulator::partition(const std::vector<std::vector<std::size_t>>& groups) {
    auto& im = *impl_;
    for (auto& h : im.hot) h.group = 0;
    std::uint32_t g = 1;
    for (const auto& grp : groups) {
        for (auto i : grp) im.hot.at(i).group = g;
        ++g;
    }
}

void Simulator::mute(std::size_t i, bool on) { impl_->hot.at(i).muted = on; }

void Simulator::disconnect(std::size_t i) {
    auto& h = impl_->hot.at(i);
    if (!h.alive || h.offline) return;
    h.offline = true;
    impl_->slots[i].node->on_channel_lost(now_);
    flush(i);
}

void Simulator::reconnect(std::size_t i) {
    auto& im = *impl_;
    auto& h = im.hot.at(i);
    if (!h.alive || !h.offline) return;
    h.offline = false;
    // Resubscribed now: nothing sent before reaches this connection.
    h.start_seq = im.seq++;
    im.slots[i].node->on_channel_up(now_);
    flush(i);
}

void Simulator::heal() {
    for (auto& h : impl_->hot) h.group = 0;
}

void Simulator::set_link(const LinkModel& l) { impl_->opts.link = l; }
const LinkModel& Simulator::link() const { return impl_->opts.link; }

void Simulator::call(std::size_t i, const std::function<void(Node&, Time)>& f) {
    f(*impl_->slots.at(i).node, now_);
    if (impl_->hot[i].alive) flush(i);
}

void Simulator::send(std::size_t from, Message m) {
    auto& im = *impl_;
    if (now_ >= measure_from_) ++stats_.sent[static_cast<std::size_t>(m.type)];
    if (im.opts.on_send) im.opts.on_send(now_, from, m);
    if (opts_trace()) {
        TraceEntry e = entry(from, TraceKind::sent);
        e.msg = m.type;
        trace_.push_back(e);
    }
    if (im.hot[from].muted || im.hot[from].offline) {
        ++stats_.lost;
        return;
    }
    if (im.opts.wire) {
        auto bytes = encode(m);
        auto r = decode(bytes);
        if (!r) {
            if (opts_trace()) {
                TraceEntry e = entry(from, TraceKind::undecodable);
                e.msg = m.type;
                trace_.push_back(e);
            }
            return;
        }
        m = std::move(*r);
    }
    std::size_t bi = im.alloc_bcast();
    auto& b = im.bcasts[bi];
    b.msg = std::move(m);
    b.from = static_cast<std::uint32_t>(from);
    b.seq = im.seq++;
    b.next = 0;
    b.init = b.msg.type == MsgType::init;
    b.vers = b.msg.type == MsgType::vers;
    b.name_id = Impl::no_name;
    if (b.init && b.msg.node) {
        auto it = im.by_name.find(*b.msg.node);
        if (it != im.by_name.end()) b.name_id = it->second;
    }
    // A channel of limited capacity: this broadcast waits behind the copies
    // sent before it (SimOptions::channel_rate).
    Duration backlog{0};
    if (im.opts.channel_rate > 0) {
        std::size_t receivers = 0;
        for (const auto& h : im.hot) receivers += h.alive;
        const Time begin = std::max(now_, im.channel_free);
        im.channel_free = begin + from_seconds(static_cast<double>(receivers) / im.opts.channel_rate);
        backlog = im.channel_free - now_;
        stats_.max_backlog = std::max(stats_.max_backlog, backlog);
    }
    b.uniform = !im.opts.link_latency && im.opts.link.jitter.count() <= 0;
    if (b.uniform) {
        b.at = now_ + im.opts.link.latency + backlog;
        im.push_bcast(Key{b.at, b.seq}, bi);
        return;
    }
    // Receivers are the nodes subscribed now; the loss draw is made here so
    // the copy list holds only what will arrive (the partition is checked on
    // arrival).
    b.copies.clear();
    for (std::size_t to = 0; to < im.slots.size(); ++to) {
        if (!im.hot[to].alive) continue;
        if (im.draw_lost()) {
            ++stats_.lost;
            continue;
        }
        b.copies.push_back({now_ + backlog + im.base_latency(from, to) + im.draw_jitter(),
                            static_cast<std::uint32_t>(to)});
    }
    if (b.copies.empty()) {
        im.free_bcast(bi);
        return;
    }
    im.sort_copies(b.copies);
    im.push_bcast(Key{b.copies[0].at, b.seq}, bi);
}

void Simulator::on_event(std::size_t i, const Event& e) {
    auto& im = *impl_;
    auto& s = im.slots[i];
    bool measured = now_ >= measure_from_;
    if (im.opts.on_event) im.opts.on_event(now_, i, e);
    if (e.type == EventType::tag || e.type == EventType::ping) {
        if (measured) {
            if (e.type == EventType::tag) ++stats_.tags;
            else ++stats_.reports;
            if (s.last_report) {
                Duration iv = now_ - std::max(*s.last_report, measure_from_);
                s.max_interval = std::max(s.max_interval, iv);
            }
        }
        s.last_report = now_;
    }
    if (!opts_trace()) return;
    TraceEntry t = entry(i, TraceKind::event);
    t.event = e.type;
    switch (e.type) {
    case EventType::tag:
    case EventType::untag:
        t.subject = static_cast<std::int32_t>(i);
        break;
    case EventType::ping:
    case EventType::detag: {
        auto it = im.by_name.find(e.node);
        if (it != im.by_name.end()) t.subject = static_cast<std::int32_t>(it->second);
        break;
    }
    case EventType::recover:
        t.prio = e.prio;
        t.replace = e.replace;
        break;
    default:
        break;
    }
    trace_.push_back(t);
}

void Simulator::flush(std::size_t i) {
    auto& im = *impl_;
    Node& n = *im.slots[i].node;
    auto out = n.take_outgoing();
    for (auto& m : out) send(i, std::move(m));
    auto evs = n.take_events();
    for (const auto& e : evs) on_event(i, e);
    set_tagged(i, n.tagged());
    auto& h = im.hot[i];
    h.started = n.started();
    h.deaf_inits = n.ignores_inits();
    const auto vv = n.ignored_vers_version();
    h.deaf_vers = vv.has_value();
    h.vers_version = vv.value_or(0);
    if (n.stopped()) {
        im.hot[i].alive = false;
        im.wremove(static_cast<std::uint32_t>(i));
        set_tagged(i, false);
        if (opts_trace()) {
            TraceEntry t = entry(i, TraceKind::stop);
            t.stop = n.stop_reason();
            trace_.push_back(t);
        }
        return;
    }
    auto d = n.next_deadline();
    if (!d) {
        im.wremove(static_cast<std::uint32_t>(i));
        return;
    }
    Time t = std::max(*d, now_);
    auto n32 = static_cast<std::uint32_t>(i);
    if (im.wqueued(n32) && im.wkey(n32).at == t) return;  // keep its place in line
    im.wset(static_cast<std::uint32_t>(i), Key{t, im.seq++});
}

void Simulator::deliver(std::size_t to, const Message& m) {
    ++stats_.deliveries;
    impl_->hot[to].node->on_message(m, now_);
    flush(to);
}

bool Simulator::run_until(Time end) {
    auto& im = *impl_;
    if (!error_.empty()) return false;
    enum class Src { none, action, bcast, wake };
    auto cap_hit = [&] {
        if (stats_.steps <= im.opts.max_steps) return false;
        error_ = "step cap of " + std::to_string(im.opts.max_steps) +
                 " exceeded at t=" + std::to_string(to_seconds(now_)) + "s (livelock?)";
        return true;
    };
    for (;;) {
        Src src = Src::none;
        Key best;
        if (!im.aheap.empty()) {
            src = Src::action;
            best = im.aheap.front().key;
        }
        if (!im.bheap.empty() && (src == Src::none || im.bheap.front().key < best)) {
            src = Src::bcast;
            best = im.bheap.front().key;
        }
        if (!im.wheap.empty() && (src == Src::none || im.wheap[0].key < best)) {
            src = Src::wake;
            best = im.wheap[0].key;
        }
        if (src == Src::none || best.at > end) break;
        now_ = std::max(now_, best.at);
        ++stats_.steps;

        if (src == Src::action) {
            std::pop_heap(im.aheap.begin(), im.aheap.end(), std::greater<>{});
            auto f = std::move(im.aheap.back().f);
            im.aheap.pop_back();
            f(*this);
        } else if (src == Src::wake) {
            std::uint32_t n = im.wheap[0].node;
            im.wremove(n);
            im.slots[n].node->on_timer(now_);
            flush(n);
        } else {
            std::pop_heap(im.bheap.begin(), im.bheap.end(), std::greater<>{});
            std::size_t bi = im.bheap.back().index;
            im.bheap.pop_back();
            Impl::Broadcast& b = im.bcasts[bi];
            if (b.uniform) {
                // Everything else due now was queued after this broadcast, so
                // the whole sweep happens before it: no queue needed.
                std::size_t n = im.slots.size();
                for (std::size_t to = 0; to < n; ++to) {
                    const auto& s = im.hot[to];
                    if (!s.alive || s.start_seq > b.seq) continue;
                    if (s.offline || s.group != im.hot[b.from].group || im.draw_lost()) {
                        ++stats_.lost;
                        continue;
                    }
                    ++stats_.steps;
                    if (im.inert(s, b)) ++stats_.deliveries;
                    else deliver(to, b.msg);
                }
                im.free_bcast(bi);
            } else {
                // Deliver copies while this broadcast stays first in line.
                for (;;) {
                    const Impl::Copy c = b.copies[b.next++];
                    now_ = std::max(now_, c.at);
                    const auto& s = im.hot[c.to];
                    if (s.alive && s.start_seq < b.seq) {
                        if (s.offline || s.group != im.hot[b.from].group) {
                            ++stats_.lost;
                        } else {
                            ++stats_.steps;
                            if (im.inert(s, b)) ++stats_.deliveries;
                            else deliver(c.to, b.msg);
                        }
                    }
                    if (b.next == b.copies.size()) {
                        im.free_bcast(bi);
                        break;
                    }
                    Key k{b.copies[b.next].at, b.seq};
                    bool first = k.at <= end &&
                                 (im.aheap.empty() || k < im.aheap.front().key) &&
                                 (im.bheap.empty() || k < im.bheap.front().key) &&
                                 (im.wheap.empty() || k < im.wheap[0].key);
                    if (!first) {
                        im.push_bcast(k, bi);
                        break;
                    }
                    if (cap_hit()) return false;
                }
            }
        }
        if (cap_hit()) return false;
    }
    now_ = std::max(now_, end);
    return true;
}

bool Simulator::chains_agree() const {
    const auto& im = *impl_;
    const std::vector<std::string>* ref = nullptr;
    std::size_t common = 0;
    std::vector<const std::vector<std::string>*> chains;
    for (const auto& s : im.hot) {
        if (!s.alive || s.node->mode() != Mode::active) continue;
        const auto& names = s.node->chain().names();
        if (names.empty()) return false;
        if (!ref || names.size() < common) common = names.size();
        if (!ref) ref = &names;
        chains.push_back(&names);
    }
    if (!ref) return false;
    for (const auto* c : chains) {
        if (!std::equal(c->begin(), c->begin() + static_cast<std::ptrdiff_t>(common), ref->begin()))
            return false;
    }
    return true;
}

void Simulator::set_measure_from(Time t) {
    measure_from_ = t;
    stats_.sent = {};
    stats_.tags = 0;
    stats_.reports = 0;
    for (auto& s : impl_->slots) s.max_interval = Duration(0);
}

Duration Simulator::max_report_interval(std::size_t i) const {
    const auto& s = impl_->slots.at(i);
    Duration m = s.max_interval;
    // A node that went silent has no second report: count the open interval.
    if (impl_->hot[i].alive && s.last_report && now_ > measure_from_)
        m = std::max(m, now_ - std::max(*s.last_report, measure_from_));
    return m;
}

Duration Simulator::max_report_interval(std::size_t* who) const {
    Duration m{0};
    for (std::size_t i = 0; i < size(); ++i) {
        Duration d = max_report_interval(i);
        if (d > m) {
            m = d;
            if (who) *who = i;
        }
    }
    return m;
}

std::string Simulator::format_trace(std::size_t max_lines, Time from_t, Time to_t) const {
    std::ostringstream os;
    auto lo = std::lower_bound(trace_.begin(), trace_.end(), from_t,
                               [](const TraceEntry& e, Time t) { return e.at < t; });
    auto hi = std::upper_bound(trace_.begin(), trace_.end(), to_t,
                               [](Time t, const TraceEntry& e) { return t < e.at; });
    auto first = static_cast<std::size_t>(lo - trace_.begin());
    auto last = static_cast<std::size_t>(hi - trace_.begin());
    std::size_t from = last - first > max_lines ? last - max_lines : first;
    if (from > first) os << "... " << from - first << " earlier entries\n";
    char buf[64];
    for (std::size_t k = from; k < last; ++k) {
        const auto& e = trace_[k];
        std::snprintf(buf, sizeof buf, "%12.6f ", to_seconds(e.at));
        os << buf << name(e.node) << "#" << e.node << " ";
        switch (e.kind) {
        case TraceKind::event:
            os << to_string(e.event);
            if (e.subject >= 0) os << " " << name(static_cast<std::size_t>(e.subject));
            if (e.event == EventType::recover)
                os << " prio=" << e.prio << " replace=" << e.replace;
            break;
        case TraceKind::sent: os << "sent " << to_string(e.msg); break;
        case TraceKind::start: os << "start"; break;
        case TraceKind::crash: os << "crash"; break;
        case TraceKind::stop: os << "stop reason=" << static_cast<int>(e.stop); break;
        case TraceKind::undecodable: os << "undecodable " << to_string(e.msg); break;
        }
        os << "\n";
    }
    return os.str();
}

}  // namespace actor::sim
