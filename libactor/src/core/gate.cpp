// The run-if-leader gate (see actor/gate.hpp for the phases and the rules).
#include "actor/gate.hpp"

#include <algorithm>
#include <utility>

namespace actor {

namespace {
constexpr int status_timeout = 124;    // actor/exit_status.hpp: timeout
constexpr int status_turn_lost = 70;   // turn_lost
constexpr int status_signal_base = 128;
}  // namespace

const char* to_string(GateAction::Kind k) {
    using K = GateAction::Kind;
    switch (k) {
    case K::join: return "join";
    case K::set_value: return "set_value";
    case K::run_job: return "run_job";
    case K::signal_job: return "signal_job";
    case K::terminate_job: return "terminate_job";
    case K::kill_job: return "kill_job";
    case K::leave: return "leave";
    case K::warn: return "warn";
    case K::exit: return "exit";
    }
    return "?";
}

Duration lingering_turn_bound(const Config& c) {
    return timing::off_chain_turn_bound(c) + timing::report_window(c);
}

Gate::Gate(GateOptions opts) : opts_(std::move(opts)) {}

Duration Gate::decision_timeout() const {
    return opts_.timeout.value_or(timing::decision_timeout(opts_.config));
}
Duration Gate::linger() const { return opts_.linger.value_or(timing::linger_default(opts_.config)); }

void Gate::push(GateAction::Kind k, std::string text) {
    GateAction a;
    a.kind = k;
    a.text = std::move(text);
    actions_.push_back(std::move(a));
}

std::vector<GateAction> Gate::take_actions() { return std::exchange(actions_, {}); }

void Gate::start(Time now) {
    if (opts_.mode == GateMode::wait) join(now);
}

void Gate::on_channel_up(Time now) {
    connected_ = true;
    if (connected_once_ || exited_ || channel_ended_) return;
    connected_once_ = true;
    switch (opts_.mode) {
    case GateMode::wait:
        // Only the user's --timeout bounds the wait.
        if (opts_.timeout) decide_at_ = now + *opts_.timeout;
        break;
    case GateMode::observe: decide_at_ = now + decision_timeout(); break;
    case GateMode::once:
        // Without traffic (which re-arms it) the group is silent: join.
        if (phase_ == GatePhase::watching) watch_at_ = now + timing::gate_watch_window(opts_.config);
        break;
    }
}

void Gate::on_channel_down(Time) { connected_ = false; }

void Gate::on_message(const Message& m, Time now) {
    if (phase_ == GatePhase::lingering && m.type == MsgType::init && m.node != opts_.name) {
        // Somebody joins while we linger: stay for a ping of ours it hears.
        joiner_heard_ = now;
        if (linger_over_) linger_at_ = std::max(*linger_at_, now + lingering_turn_bound(opts_.config));
    }
    if (phase_ != GatePhase::watching || opts_.mode != GateMode::once || traffic_seen_ || channel_ended_)
        return;
    // Somebody is there: wait for their turn to settle, but not for ever
    // (init and vers alone may never settle).
    traffic_seen_ = true;
    watch_at_ = now + timing::gate_watch_window(opts_.config);
}

void Gate::join(Time now) {
    if (phase_ != GatePhase::watching) return;
    phase_ = GatePhase::joined;
    joined_ = true;
    watch_at_.reset();
    push(GateAction::Kind::join);
    // --wait bounds its wait from the connection (on_channel_up).
    if (opts_.mode != GateMode::wait) decide_at_ = now + decision_timeout();
}

void Gate::leave(std::string why) {
    // The channel run ends now: no window of ours fires any more.
    watch_at_.reset();
    decide_at_.reset();
    linger_at_.reset();
    push(GateAction::Kind::leave, std::move(why));
}

void Gate::give_up() {
    if (phase_ != GatePhase::watching && phase_ != GatePhase::joined) return;
    phase_ = GatePhase::done;
    status_ = status_timeout;
    leave("--timeout passed");
}

void Gate::skip() {
    phase_ = GatePhase::done;
    status_ = opts_.conflict_status;
    leave("not my turn");
}

void Gate::run_now() {
    watch_at_.reset();
    decide_at_.reset();
    phase_ = GatePhase::running;
    job_started_ = true;
    job_running_ = true;
    push(GateAction::Kind::run_job);
}

void Gate::exit(int status) {
    if (exited_) return;
    exited_ = true;
    phase_ = GatePhase::done;
    status_ = status;
    GateAction a;
    a.kind = GateAction::Kind::exit;
    a.status = status;
    actions_.push_back(std::move(a));
}

void Gate::on_event(const Event& e, Time now) { on_event(e.type, e.node, now); }

void Gate::on_event(EventType type, const std::string& node, Time now) {
    if (exited_ || channel_ended_) return;
    using T = EventType;
    const bool ours = node == opts_.name;
    const bool kill_on_any = opts_.kill_on_detag || opts_.kill_on_untag;
    switch (phase_) {
    case GatePhase::watching:
        if (type != T::ping) return;
        // --observe: the next settled turn decides. One-shot: any settled
        // turn (even one under our own name: another process of ours still
        // holds it) means the turn is taken.
        if (opts_.mode == GateMode::observe && ours) run_now();
        else skip();
        return;
    case GatePhase::joined:
        if (type == T::tag) {
            push(GateAction::Kind::set_value);
            run_now();
        } else if (type == T::ping && !ours && opts_.mode != GateMode::wait) {
            skip();
        }
        return;
    case GatePhase::running:
        if ((type == T::detag && kill_on_any) || (type == T::untag && opts_.kill_on_untag) ||
            (opts_.mode == GateMode::observe && type == T::ping && !ours && kill_on_any))
            lose_turn(type, node, now);
        return;
    case GatePhase::lingering:
        // Past --linger, the first settled turn (our node's tag, or another
        // node's ping) ends it: a gate that began watching before we leave
        // has heard that ping (a lone head pings only every cycle + 3*gap,
        // longer than the default linger).
        // A node that joined just before (a late starter whose watch ended
        // as our ping went out) must hear that ping too: it was sent after
        // the joiner's init reached us (a tag comes a gap after its ping; a
        // report 2 gaps and the latency, below a gap, after it).
        if (!linger_over_) return;
        if (joiner_heard_ && now <= *joiner_heard_ + from_seconds(opts_.config.gap * (type == T::tag ? 1 : 3)))
            return;
        if ((type == T::tag && ours) || type == T::ping) {
            phase_ = GatePhase::done;
            leave("lingered");
        }
        return;
    case GatePhase::done: return;
    }
}

void Gate::lose_turn(EventType type, const std::string& node, Time now) {
    if (turn_lost_) return;
    turn_lost_ = true;
    push(GateAction::Kind::warn, std::string("the turn was lost (") + to_string(type) +
                                     (node.empty() ? "" : " " + node) + "); stopping the job");
    if (!job_running_) return;
    push(GateAction::Kind::terminate_job);
    kill_at_ = now + opts_.kill_after;
}

void Gate::on_timer(Time now) {
    if (exited_) return;
    // Every due deadline, earliest first (as separate timers would fire).
    for (;;) {
        std::optional<Time>* due = nullptr;
        for (auto* d : {&watch_at_, &decide_at_, &linger_at_, &kill_at_})
            if (*d && **d <= now && (!due || **d < **due)) due = d;
        if (!due) return;
        due->reset();
        if (due == &watch_at_) {
            join(now);
        } else if (due == &decide_at_) {
            give_up();
        } else if (due == &linger_at_) {
            if (phase_ != GatePhase::lingering) continue;
            if (!linger_over_) {
                // Stay for our next turn, if it comes (lingering_turn_bound).
                linger_over_ = true;
                linger_at_ = now + lingering_turn_bound(opts_.config);
                continue;
            }
            phase_ = GatePhase::done;
            leave("lingered");
        } else if (job_running_) {
            push(GateAction::Kind::kill_job);
        }
    }
}

std::optional<Time> Gate::next_deadline() const {
    std::optional<Time> best;
    for (const auto* d : {&watch_at_, &decide_at_, &linger_at_, &kill_at_})
        if (*d && (!best || **d < *best)) best = *d;
    return best;
}

void Gate::on_job_started(Time) {}

void Gate::on_job_start_failed(int status, Time) {
    if (!job_running_) return;
    job_running_ = false;
    status_ = status;
    phase_ = GatePhase::done;
    if (channel_ended_) exit(status);
    else leave("the job could not start");
}

void Gate::on_job_exited(int status, Time now) {
    if (!job_running_) return;
    job_running_ = false;
    kill_at_.reset();
    status_ = turn_lost_ ? status_turn_lost : status;
    if (channel_ended_) {
        exit(*status_);
        return;
    }
    // After a lost turn, a stop signal, or without ever having joined,
    // there is nothing to linger for.
    const Duration l = linger();
    if (turn_lost_ || stop_signal_ != 0 || opts_.mode == GateMode::observe || l.count() <= 0 || !joined_) {
        phase_ = GatePhase::done;
        leave("job ended");
        return;
    }
    phase_ = GatePhase::lingering;
    linger_at_ = now + l;
}

void Gate::on_signal(int signo, Time) {
    if (exited_) return;
    stop_signal_ = signo;
    if (job_running_) {
        // The job decides what a signal means; its status becomes ours.
        GateAction a;
        a.kind = GateAction::Kind::signal_job;
        a.signo = signo;
        actions_.push_back(std::move(a));
        return;
    }
    if (phase_ == GatePhase::lingering && !channel_ended_) {
        phase_ = GatePhase::done;
        leave("signal while lingering");
        return;
    }
    if (phase_ == GatePhase::done && !channel_ended_) return;
    phase_ = GatePhase::done;
    status_ = status_signal_base + signo;
    if (channel_ended_) exit(*status_);
    else leave("signal");
}

void Gate::on_channel_end(const ChannelEnd& end, Time) {
    if (channel_ended_ || exited_) return;
    channel_ended_ = true;
    connected_ = false;
    watch_at_.reset();
    decide_at_.reset();
    linger_at_.reset();
    if (!job_started_ && phase_ != GatePhase::done && opts_.fail_open && end.unreachable) {
        // --fail-open: the channel cannot be reached, run the job anyway.
        push(GateAction::Kind::warn,
             "broker unreachable (" + end.reason + "); --fail-open: running the job anyway");
        run_now();
        return;
    }
    // A running job (the run ended under it) still decides how we end.
    if (job_running_) return;
    exit(status_.value_or(end.status));
}

}  // namespace actor
