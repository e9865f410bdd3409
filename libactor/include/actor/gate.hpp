#pragma once
// The run-if-leader decision (docs/CLI.md "actor-run-if-leader") as a sans-IO
// state machine, shaped like Node: it never reads a clock, a socket or a
// signal; every input takes `now`, and the outputs are pulled:
//   take_actions()   what the shell must do, in order
//   next_deadline()  when on_timer() wants calling next
// The shells (actor/gate_shell.hpp for the tool, tests/sim/gate_harness.hpp)
// feeds it the channel, the node's events, the job and the signals, performs
// the actions and re-arms one timer from next_deadline() after every call.
//
// Phases of the default one-shot mode (GateMode::once):
//   watching  the shell runs an observer node (sends nothing) for
//             timing::gate_watch_window() from the first connection; any
//             settled turn (a `ping` event) -> not my turn (conflict_status).
//             The first message heard re-arms the watch for one more window
//             (somebody is joining: let their turn settle), after which we
//             join anyway.
//   joined    `join`: an active node, pinging with a null value (the lowest
//             priority, so we never win a collision against a holder), not
//             ready, until the first settled turn: our `tag` -> `set_value`
//             and `run_job`; another node's `ping` -> not my turn; nothing
//             by --timeout (default timing::decision_timeout()) -> 124.
//   running   the job runs; --kill-on-detag / --kill-on-untag end it when the
//             turn is lost (`terminate_job`, `kill_job` kill_after later;
//             exit 70).
//   lingering after the job, the node stays in the group for --linger
//             (default timing::linger_default()), and then until the next
//             settled turn (our `tag`, another node's `ping`) whose ping
//             the last node heard joining (its init) has heard too, at most
//             lingering_turn_bound() more: a host whose cron fires late,
//             while the job runs or lingers, sees the turn taken (watching,
//             or once joined).
//   done      `leave` asked for (or the channel ended); `exit` follows once
//             the channel run has ended (on_channel_end) and no job runs.
// GateMode::wait joins at once (a ready node) and runs when tagged, bounded
// only by --timeout; GateMode::observe never joins and runs if the next
// settled turn names `name` (and with a --kill-on-* option stops the job
// when a later turn names another node).
//
// Signals: a running job gets them forwarded (`signal_job`; its status
// becomes ours); while lingering the gate just leaves (the job's status
// stands); before the job, the gate leaves with 128+N.
// The channel run ending on its own (unreachable, no echo, twin, closed
// output): --fail-open runs the job anyway if the channel was unreachable
// and nothing was decided; a running job still decides the status.
#include "actor/config.hpp"
#include "actor/event.hpp"
#include "actor/message.hpp"
#include "actor/node.hpp"
#include "actor/time.hpp"
#include "actor/timing.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace actor {

enum class GateMode {
    once,     // look before you leap (the default)
    wait,     // --wait
    observe,  // --observe
};

struct GateOptions {
    std::string name;  // --name: the node whose turn is ours
    Config config;
    GateMode mode = GateMode::once;
    // --timeout: bounds the decision (once: from joining; observe: from the
    // first connection, default timing::decision_timeout(); wait: from the
    // first connection, no default).
    std::optional<Duration> timeout;
    std::optional<Duration> linger;  // default timing::linger_default(config)
    Duration kill_after = std::chrono::seconds(10);
    bool kill_on_detag = false;
    bool kill_on_untag = false;
    bool fail_open = false;
    int conflict_status = 75;
};

struct GateAction {
    enum class Kind {
        join,           // replace the observer by an active node (value null; ready only in wait mode)
        set_value,      // tagged: ping with --value from now on
        run_job,        // start the job; answer on_job_started() or on_job_start_failed()
        signal_job,     // send `signo` to the job's process group
        terminate_job,  // SIGTERM (and SIGCONT, so a stopped job sees it) to the job's group
        kill_job,       // SIGKILL to the job's group (kill_after after terminate_job)
        leave,          // disable the node (untag if tagged), end the channel run;
                        // answer on_channel_end() once it has ended
        warn,           // a diagnostic line (`text`)
        exit,           // the process ends with `status`; nothing follows
    };
    Kind kind = Kind::exit;
    int signo = 0;     // signal_job
    int status = 0;    // exit
    std::string text;  // warn; leave: why (for diagnostics)
};

const char* to_string(GateAction::Kind k);

// After --linger, how long a lingering gate waits at most for the next
// settled turn before it leaves: a lone head's turn (cycle + 3*gap) and a
// report window (2*gap).
Duration lingering_turn_bound(const Config& c);

enum class GatePhase { watching, joined, running, lingering, done };

// How the channel run ended, for on_channel_end().
struct ChannelEnd {
    int status = 0;            // the exit status that ending stands for, if the gate has none of its own
    bool unreachable = false;  // unreachable or our messages did not come back (--fail-open's case)
    std::string reason;        // for diagnostics
};

class Gate {
public:
    explicit Gate(GateOptions opts);

    // The process starts (before connecting): in wait mode, `join` at once.
    void start(Time now);
    // The channel is up / lost. Only the first connection starts the
    // watch and decision windows; the node itself rides out losses.
    void on_channel_up(Time now);
    void on_channel_down(Time now);
    // Any message heard from the channel, before the node reads it.
    void on_message(const Message& m, Time now);
    // Every event the node reports (tag, untag, detag and ping matter; the
    // node named is Event::node).
    void on_event(const Event& e, Time now);
    void on_event(EventType type, const std::string& node, Time now);
    // Call when now >= next_deadline(); harmless earlier.
    void on_timer(Time now);
    std::optional<Time> next_deadline() const;

    void on_job_started(Time now);
    // The job could not start (126 not executable, 127 not found, ...).
    void on_job_start_failed(int status, Time now);
    // The job ended: its exit status, or 128+N after signal N.
    void on_job_exited(int status, Time now);
    // SIGINT, SIGTERM, SIGHUP, SIGQUIT.
    void on_signal(int signo, Time now);
    // The channel run has ended: after our `leave`, or on its own.
    void on_channel_end(const ChannelEnd& end, Time now);

    std::vector<GateAction> take_actions();

    GatePhase phase() const { return phase_; }
    const GateOptions& options() const { return opts_; }
    bool joined() const { return joined_; }
    bool job_started() const { return job_started_; }
    bool job_running() const { return job_running_; }
    bool turn_lost() const { return turn_lost_; }
    bool channel_ended() const { return channel_ended_; }
    // Set once `exit` was emitted.
    std::optional<int> exit_status() const { return exited_ ? status_ : std::nullopt; }

private:
    void push(GateAction::Kind k, std::string text = {});
    void join(Time now);
    void give_up();
    void skip();
    void leave(std::string why);
    void run_now();
    void lose_turn(EventType type, const std::string& node, Time now);
    void exit(int status);
    Duration decision_timeout() const;
    Duration linger() const;

    GateOptions opts_;
    GatePhase phase_ = GatePhase::watching;
    std::vector<GateAction> actions_;
    std::optional<Time> watch_at_, decide_at_, linger_at_, kill_at_;
    bool connected_ = false;
    bool connected_once_ = false;
    bool traffic_seen_ = false;
    bool joined_ = false;
    bool job_started_ = false;
    bool job_running_ = false;
    bool turn_lost_ = false;
    bool linger_over_ = false;
    std::optional<Time> joiner_heard_;  // lingering: the last init of another node
    bool channel_ended_ = false;
    bool exited_ = false;
    int stop_signal_ = 0;
    std::optional<int> status_;
};

// The node a gate joins with (`join`), from the node options of the
// command line (`base`: name, config, policy; its value is the one to run
// with). A one-shot gate joins with a null value, so any holder (non-null)
// beats it in a collision, and not ready (0.24's rule 3 keeps it out of the
// way) until its tag sets the value. A --wait gate takes part in the
// rotation like any ready node, with its value from the start: with a null
// value a group of --wait gates started together could keep two chains
// that never recover (recovery needs a value) and tag two nodes at once.
inline NodeOptions gate_node_options(GateMode mode, NodeOptions base) {
    base.mode = Mode::active;
    base.ready = mode == GateMode::wait;
    if (mode != GateMode::wait) base.value = nullptr;
    return base;
}

}  // namespace actor
