#pragma once
// Gates (actor::Gate, the run-if-leader decision) over the simulator, each
// as the tool runs it: a process that starts and connects at one instant,
// an observer node while watching and an active node after `join` (two
// simulator slots: the observer is crashed and the active node started at
// the join, as Runtime::replace_node does), and a modelled job.
//
// Wiring, through the simulator's hooks only:
//   on_event   the node's events -> Gate::on_event (at once; the gate is pure)
//   on_send    "a message heard" (Gate::on_message) for every watching or
//              lingering gate that would receive the broadcast: the simulator has no
//              per-delivery hook, so the harness delivers the notice itself
//              after the link's latency plus its own jitter draw, to gates
//              on the sender's side of the harness's partition
//   at()       the gate's actions are performed at the same instant, after
//              the call that produced them (never inside the simulator's
//              flush), and its timer is one at() per new next_deadline()
//   call()     set_value, and the disable of `leave`
// A job is a length and an exit status; SIGTERM ends it after term_delay
// (unless it ignores TERM), SIGKILL and forwarded signals at once.
#include "actor/gate.hpp"
#include "sim/sim_helpers.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace actor::simtest {

struct JobModel {
    Duration length = from_seconds(0.1);
    int status = 0;
    bool ignores_term = false;
    Duration term_delay = Duration(0);
};

class GateGroup {
public:
    struct Gate {
        actor::Gate gate;
        JobModel job;
        Value value = 0;  // --value, once tagged
        std::size_t watch = 0;
        std::optional<std::size_t> active;
        int side = 0;  // the harness's partition side
        std::optional<Time> started, joined_at, exit_at;
        std::vector<Time> runs;  // when run_job was performed
        std::optional<Time> job_end;
        std::optional<int> exit_status;
        std::uint64_t job_token = 0;
        std::optional<Time> armed;
        bool drain_pending = false;
    };

    explicit GateGroup(std::uint64_t seed) : rng_(seed ^ 0x9e3779b97f4a7c15ULL) {}

    // Hook the simulator's options before constructing it, then attach().
    void hook(sim::SimOptions& o) {
        link_ = o.link;
        o.on_event = [this](Time t, std::size_t slot, const Event& e) { event(t, slot, e); };
        o.on_send = [this](Time t, std::size_t from, const Message& m) { sent(t, from, m); };
    }
    void attach(sim::Simulator& s) { s_ = &s; }

    // A gate (not started): its observer slot, and unless it observes, its
    // active slot (actor::gate_node_options, as the tool makes it).
    std::size_t add(GateOptions opts, JobModel job = {}, Value value = 0) {
        const std::size_t gi = gates_.size();
        NodeOptions obs;
        obs.config = opts.config;
        obs.mode = Mode::observer;  // name "": no node has it
        Gate g{actor::Gate(opts), job, std::move(value), 0, {}, 0, {}, {}, {}, {}, {}, {}, 0, {}, false};
        g.watch = add_slot(std::move(obs), gi);
        if (opts.mode != GateMode::observe) {
            NodeOptions act;
            act.name = opts.name;
            act.config = opts.config;
            act.value = g.value;
            g.active = add_slot(actor::gate_node_options(opts.mode, std::move(act)), gi);
        }
        gates_.push_back(std::move(g));
        return gi;
    }
    // A plain daemon (actor-join): active, ready, with a value.
    std::size_t add_daemon(const std::string& name, const Config& c, Value value) {
        NodeOptions o;
        o.name = name;
        o.config = c;
        o.value = std::move(value);
        o.ready = true;
        return add_slot(std::move(o), npos);
    }

    // The process starts and connects at `at`.
    void start(std::size_t gi, Time at) {
        s_->at(at, [this, gi](sim::Simulator& s) {
            auto& g = gates_[gi];
            g.started = s.now();
            g.gate.start(s.now());
            if (g.gate.options().mode != GateMode::wait) s.start(g.watch, s.now());
            g.gate.on_channel_up(s.now());
            drain(gi);
        });
    }

    void signal(std::size_t gi, int signo) {
        gates_[gi].gate.on_signal(signo, s_->now());
        drain(gi);
    }

    // Partition by gate sides (daemons: side 0 unless listed); the
    // simulator's partition follows.
    void partition(const std::vector<std::vector<std::size_t>>& gate_sides) {
        std::vector<std::vector<std::size_t>> slots(gate_sides.size());
        for (auto& g : gates_) g.side = 0;
        for (std::size_t k = 0; k < gate_sides.size(); ++k)
            for (auto gi : gate_sides[k]) {
                auto& g = gates_[gi];
                g.side = static_cast<int>(k) + 1;
                slots[k].push_back(g.watch);
                if (g.active) slots[k].push_back(*g.active);
            }
        s_->partition(slots);
    }
    void heal() {
        for (auto& g : gates_) g.side = 0;
        s_->heal();
    }

    std::size_t size() const { return gates_.size(); }
    const Gate& operator[](std::size_t gi) const { return gates_[gi]; }
    std::size_t total_runs() const {
        std::size_t n = 0;
        for (const auto& g : gates_) n += g.runs.size();
        return n;
    }
    bool all_exited() const {
        for (const auto& g : gates_)
            if (!g.exit_status) return false;
        return true;
    }

    // One line per gate, for failure messages.
    std::string summary() const {
        std::ostringstream os;
        for (std::size_t gi = 0; gi < gates_.size(); ++gi) {
            const auto& g = gates_[gi];
            os << "  gate " << gi << " " << g.gate.options().name << ": start "
               << (g.started ? to_seconds(*g.started) : -1.0);
            if (g.joined_at) os << " joined " << to_seconds(*g.joined_at);
            for (auto r : g.runs) os << " RAN " << to_seconds(r);
            if (g.job_end) os << " job-end " << to_seconds(*g.job_end);
            if (g.exit_status) os << " exit " << *g.exit_status << " at " << to_seconds(*g.exit_at);
            else os << " (no exit, phase " << static_cast<int>(g.gate.phase()) << ")";
            os << "\n";
        }
        return os.str();
    }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    std::size_t add_slot(NodeOptions o, std::size_t gi) {
        const auto slot = s_->add_node(std::move(o));
        if (owner_.size() <= slot) owner_.resize(slot + 1, npos);
        owner_[slot] = gi;
        return slot;
    }

    void event(Time t, std::size_t slot, const Event& e) {
        if (slot >= owner_.size() || owner_[slot] == npos) return;
        const auto gi = owner_[slot];
        gates_[gi].gate.on_event(e, t);
        schedule_drain(gi);
    }

    void sent(Time t, std::size_t from, const Message& m) {
        const int from_side = from < owner_.size() && owner_[from] != npos ? gates_[owner_[from]].side : 0;
        for (std::size_t gi = 0; gi < gates_.size(); ++gi) {
            auto& g = gates_[gi];
            const auto ph = g.gate.phase();
            const std::size_t slot = g.gate.joined() && g.active ? *g.active : g.watch;
            if ((ph != GatePhase::watching && ph != GatePhase::lingering) || !s_->alive(slot) ||
                g.side != from_side)
                continue;
            Duration d = link_.latency;
            if (link_.jitter.count() > 0)
                d += Duration(std::uniform_int_distribution<std::int64_t>(0, link_.jitter.count())(rng_));
            s_->at(t + d, [this, gi, slot, m](sim::Simulator& s) {
                auto& gg = gates_[gi];
                if (!s.alive(slot)) return;
                gg.gate.on_message(m, s.now());
                drain(gi);
            });
        }
    }

    void schedule_drain(std::size_t gi) {
        auto& g = gates_[gi];
        if (g.drain_pending) return;
        g.drain_pending = true;
        s_->at(s_->now(), [this, gi](sim::Simulator&) {
            gates_[gi].drain_pending = false;
            drain(gi);
        });
    }

    void drain(std::size_t gi) {
        for (auto acts = gates_[gi].gate.take_actions(); !acts.empty(); acts = gates_[gi].gate.take_actions())
            for (const auto& a : acts) perform(gi, a);
        auto& g = gates_[gi];
        const auto d = g.gate.next_deadline();
        if (!d || (g.armed && *g.armed == *d)) return;
        g.armed = d;
        const Time when = *d;
        s_->at(when, [this, gi, when](sim::Simulator& s) {
            auto& gg = gates_[gi];
            if (!gg.armed || *gg.armed != when) return;  // re-armed since
            gg.armed.reset();
            gg.gate.on_timer(s.now());
            drain(gi);
        });
    }

    void job_exit_at(std::size_t gi, Time at, int status) {
        const auto token = gates_[gi].job_token;
        s_->at(at, [this, gi, token, status](sim::Simulator& s) {
            auto& g = gates_[gi];
            if (g.job_token != token || !g.gate.job_running()) return;
            ++g.job_token;
            g.job_end = s.now();
            g.gate.on_job_exited(status, s.now());
            drain(gi);
        });
    }

    void perform(std::size_t gi, const GateAction& a) {
        auto& g = gates_[gi];
        auto& s = *s_;
        const Time now = s.now();
        using K = GateAction::Kind;
        switch (a.kind) {
        case K::join:
            g.joined_at = now;
            s.crash(g.watch);
            if (g.active) s.start(*g.active, now);
            break;
        case K::set_value:
            if (g.active) s.call(*g.active, [v = g.value](Node& n, Time) { n.set_value(v); });
            break;
        case K::run_job:
            g.runs.push_back(now);
            g.gate.on_job_started(now);
            job_exit_at(gi, now + g.job.length, g.job.status);
            break;
        case K::signal_job: job_exit_at(gi, now, 128 + a.signo); break;
        case K::terminate_job:
            if (!g.job.ignores_term) job_exit_at(gi, now + g.job.term_delay, 128 + 15);
            break;
        case K::kill_job: job_exit_at(gi, now, 128 + 9); break;
        case K::leave: {
            const std::size_t slot = g.gate.joined() && g.active ? *g.active : g.watch;
            if (s.alive(slot)) {
                s.call(slot, [](Node& n, Time t) {
                    if (n.mode() != Mode::observer && n.tag_state() >= 0) n.disable(0, t);
                });
                s.crash(slot);
            }
            g.gate.on_channel_end({0, false, a.text}, now);
            break;
        }
        case K::warn: break;
        case K::exit:
            g.exit_status = a.status;
            g.exit_at = now;
            break;
        }
    }

    sim::Simulator* s_ = nullptr;
    sim::LinkModel link_;
    std::mt19937_64 rng_;
    std::vector<Gate> gates_;
    std::vector<std::size_t> owner_;  // slot -> gate index (npos: a daemon)
};

}  // namespace actor::simtest
