// actor-run-if-leader GROUP [--] COMMAND [ARG...]: gate a job on the turn
// (docs/CLI.md). Parse, connect, decide, run the job, map the outcome to one exit
// status.
//
// The phases of the default one-shot mode:
//   watching  observer node (sends nothing) for cycle + 3*gap from the
//             connection; any settled turn -> not my turn (75). Traffic
//             without a settled turn yet (somebody joining) extends the
//             watch by one more window, after which we join anyway.
//   joined    active node, pinging with a null value (the lowest priority,
//             so we never win a collision against a holder) until the
//             first settled turn: our `tag` -> run; another node's `ping`
//             -> 75; nothing by --timeout (default 2*cycle + 4*gap) -> 124.
//   running   the node pings with --value; the job runs in its own process
//             group; --kill-on-detag/--kill-on-untag end it when the turn
//             is lost (exit 70).
//   lingering after the job, the node stays in the group for --linger, so a
//             host whose cron fires late sees the turn taken.
// --wait joins at once and runs when tagged; --observe never joins and runs
// if the next settled turn names --name.
#include "actor/child.hpp"
#include "actor/cli.hpp"

#include <CLI/CLI.hpp>
#include "actor/exit_status.hpp"
#include "actor/runtime.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

namespace {

namespace es = actor::exit_status;
using Kind = actor::cli::Ending::Kind;

struct GateOptions {
    bool wait = false;
    bool observe = false;
    bool fail_open = false;
    bool kill_on_detag = false;
    bool kill_on_untag = false;
    std::string linger, kill_after = "10s";
    std::string events_file;
    int events_fd = -1;
    std::string shell_command;
    int conflict_status = es::not_my_turn;
    std::vector<std::string> command;  // COMMAND [ARG...] after GROUP
};

enum class Phase { watching, joined, running, lingering, done };

class Gate {
public:
    Gate(const actor::cli::CommonOptions& common, const GateOptions& opt, actor::RuntimeOptions ropts,
         actor::JobSpec spec, actor::Duration linger, actor::Duration kill_after)
        : common_(common),
          opt_(opt),
          spec_(std::move(spec)),
          linger_(linger),
          kill_after_(kill_after),
          rt_(std::move(ropts), first_node()),
          job_(rt_.io()),
          phase_timer_(rt_.io()),
          decide_timer_(rt_.io()),
          signals_(rt_.io()) {}

    int run() {
        // Our own signal_set sees all four stop signals, also after the
        // runtime has finished (fail-open, or a fatal error mid-job); the
        // runtime's own handler is told to do nothing.
        for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) signals_.add(s);
        wait_signal();
        rt_.on_signal = [](int) {};
        rt_.on_connected = [this] { connected(); };
        rt_.on_decoded = [this](const actor::Message&, actor::Time) {
            if (phase_ == Phase::watching && !opt_.observe && !traffic_seen_) {
                traffic_seen_ = true;
                // Somebody is there: wait for their turn to settle, but
                // not for ever (init/vers alone may never settle).
                arm(phase_timer_, window(), [this] { join(); });
            }
        };
        rt_.after_event = [this](const actor::Event& e) { event(e); };
        if (opt_.wait) join();

        const auto ending = rt_.run();
        runtime_done_ = true;
        if (!job_.started() && phase_ != Phase::done && opt_.fail_open &&
            (ending.kind == Kind::unavailable || ending.kind == Kind::no_echo)) {
            // --fail-open: the broker cannot be reached, run the job anyway.
            rt_.warn("broker unreachable (" + ending.reason + "); --fail-open: running the job anyway");
            rt_.io().restart();
            start_job();
        }
        if (job_.running()) {
            // The runtime ended under a running job (a fatal error or a
            // closed --events-fd): the job still decides how we end.
            rt_.io().restart();
            rt_.io().run();
        }
        if (status_) return *status_;
        return actor::cli::exit_status_for(ending, {.signal_is_success = false});
    }

private:
    actor::NodeOptions first_node() const {
        if (opt_.wait) return active_node();
        auto n = actor::cli::node_options(common_, actor::Mode::observer);
        // An observer ignores pings from a node with its own name (rule 3).
        // It sends nothing, so give it a name no node can have (names are
        // never empty): then it sees our own daemon (--observe) or another
        // process of ours that holds the turn.
        n.name.clear();
        return n;
    }
    actor::NodeOptions active_node() const {
        auto n = actor::cli::node_options(common_, actor::Mode::active);
        // A null value until tagged: any holder (non-null) beats us in a
        // collision, so a late starter cannot take the turn away.
        n.value = nullptr;
        // --wait nodes take part in the rotation like any ready node; a
        // one-shot node is "not ready" (rule 3 keeps it out of the way).
        n.ready = opt_.wait;
        return n;
    }
    const actor::Config& cfg() const { return common_.config; }
    actor::Duration window() const { return actor::from_seconds(cfg().cycle + 3 * cfg().gap); }
    actor::Duration decision_timeout() const {
        return common_.timeout.value_or(actor::from_seconds(2 * cfg().cycle + 4 * cfg().gap));
    }

    template <class F>
    void arm(boost::asio::steady_timer& t, actor::Duration d, F f) {
        t.expires_after(d);
        t.async_wait([this, f](const boost::system::error_code& ec) {
            if (!ec && !rt_.finished()) f();
        });
    }

    void connected() {
        if (connected_once_) return;
        connected_once_ = true;
        if (opt_.wait) {
            // --wait: only the user's --timeout bounds the wait.
            if (common_.timeout) arm(decide_timer_, *common_.timeout, [this] { give_up(); });
        } else if (opt_.observe) {
            arm(decide_timer_, decision_timeout(), [this] { give_up(); });
        } else {
            arm(phase_timer_, window(), [this] {
                // Traffic re-armed this timer; without it the group is silent.
                join();
            });
        }
    }

    void join() {
        if (phase_ != Phase::watching) return;
        phase_ = Phase::joined;
        phase_timer_.cancel();
        // --wait started with its active node already.
        if (opt_.wait) return;
        rt_.replace_node(active_node());
        arm(decide_timer_, decision_timeout(), [this] { give_up(); });
    }

    void give_up() {
        if (phase_ == Phase::watching || phase_ == Phase::joined) {
            phase_ = Phase::done;
            rt_.leave({Kind::timeout, 0, "--timeout passed"});
        }
    }

    void skip() {
        phase_ = Phase::done;
        status_ = opt_.conflict_status;
        rt_.leave({Kind::done, 0, "not my turn"});
    }

    void event(const actor::Event& e) {
        using T = actor::EventType;
        const bool ours = e.node == common_.name;
        switch (phase_) {
        case Phase::watching:
            if (e.type != T::ping) return;
            // --observe: the next settled turn decides. One-shot: any
            // settled turn (even one under our own name: another process
            // of ours still holds it) means the turn is taken.
            if (opt_.observe && ours) run_now();
            else skip();
            return;
        case Phase::joined:
            if (e.type == T::tag) {
                rt_.with_node([this](actor::Node& n, actor::Time) { n.set_value(common_.value); });
                run_now();
            } else if (e.type == T::ping && !ours && !opt_.wait) {
                skip();
            }
            return;
        case Phase::running:
            if ((e.type == T::detag && (opt_.kill_on_detag || opt_.kill_on_untag)) ||
                (e.type == T::untag && opt_.kill_on_untag) ||
                (opt_.observe && e.type == T::ping && !ours && (opt_.kill_on_detag || opt_.kill_on_untag)))
                turn_lost(e);
            return;
        case Phase::lingering:
        case Phase::done: return;
        }
    }

    void run_now() {
        decide_timer_.cancel();
        phase_timer_.cancel();
        start_job();
    }

    void start_job() {
        phase_ = Phase::running;
        if (auto err = job_.start(spec_, [this](int status) { job_ended(status); })) {
            std::cerr << common_.tool << ": " << err->message << std::endl;
            status_ = err->status;
            phase_ = Phase::done;
            if (runtime_done_) return;
            rt_.leave({Kind::done, 0, err->message});
        }
    }

    void turn_lost(const actor::Event& e) {
        if (turn_lost_) return;
        turn_lost_ = true;
        rt_.warn(std::string("the turn was lost (") + actor::to_string(e.type) +
                 (e.node.empty() ? "" : " " + e.node) + "); stopping the job");
        job_.terminate(kill_after_);
    }

    void job_ended(int status) {
        status_ = turn_lost_ ? es::turn_lost : status;
        if (runtime_done_) {
            phase_ = Phase::done;
            rt_.io().stop();
            return;
        }
        // After a lost turn, a stop signal, or without ever having joined,
        // there is nothing to linger for.
        if (turn_lost_ || stop_signal_ || opt_.observe || linger_.count() <= 0 ||
            rt_.node().mode() == actor::Mode::observer) {
            phase_ = Phase::done;
            rt_.leave({Kind::done, 0, "job ended"});
            return;
        }
        phase_ = Phase::lingering;
        arm(phase_timer_, linger_, [this] {
            phase_ = Phase::done;
            rt_.leave({Kind::done, 0, "lingered"});
        });
    }

    void wait_signal() {
        signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
            if (ec) return;
            stop(signo);
            wait_signal();
        });
    }

    void stop(int signo) {
        stop_signal_ = signo;
        if (job_.running()) {
            // The job decides what a signal means; its status becomes ours.
            job_.signal(signo);
            return;
        }
        if (phase_ == Phase::lingering) {
            phase_ = Phase::done;
            rt_.leave({Kind::done, 0, "signal while lingering"});
            return;
        }
        if (phase_ == Phase::done && !runtime_done_) return;
        phase_ = Phase::done;
        status_ = es::signal_base + signo;
        if (runtime_done_) rt_.io().stop();
        else rt_.leave({Kind::signal, signo, "signal"});
    }

    const actor::cli::CommonOptions& common_;
    const GateOptions& opt_;
    actor::JobSpec spec_;
    actor::Duration linger_, kill_after_;
    actor::Runtime rt_;
    actor::Job job_;
    boost::asio::steady_timer phase_timer_, decide_timer_;
    boost::asio::signal_set signals_;
    Phase phase_ = Phase::watching;
    bool connected_once_ = false;
    bool traffic_seen_ = false;
    bool turn_lost_ = false;
    bool runtime_done_ = false;
    int stop_signal_ = 0;
    std::optional<int> status_;
};

// Where the events go: --events FILE (appended), --events-fd N, or nowhere.
std::variant<int, std::string> events_fd(const GateOptions& opt) {
    if (!opt.events_file.empty() && opt.events_fd >= 0) return std::string("--events and --events-fd exclude each other");
    if (opt.events_fd >= 0) {
        if (::fcntl(opt.events_fd, F_GETFD) < 0) return "--events-fd: " + std::to_string(opt.events_fd) + " is not open";
        return opt.events_fd;
    }
    const char* path = opt.events_file.empty() ? "/dev/null" : opt.events_file.c_str();
    const int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return "--events: cannot open \"" + opt.events_file + "\"";
    return fd;
}

}  // namespace

int main(int argc, char** argv) {
    actor::cli::CommonOptions common;
    common.tool = "actor-run-if-leader";
    GateOptions opt;
    CLI::App app{"Run COMMAND only on the node that holds the group's turn."};
    app.name(common.tool);
    actor::cli::add_common_options(app, common);
    app.add_flag("--wait", opt.wait, "join at once and run COMMAND when the rotation reaches this node");
    app.add_flag("--observe", opt.observe,
                 "never join: run if the next settled turn of the actor-join daemons belongs to --name");
    app.add_option("--linger", opt.linger, "stay in the group this long after COMMAND (default cycle+2*gap)");
    app.add_flag("--kill-on-detag", opt.kill_on_detag, "stop COMMAND when the turn is lost (exit 70)");
    app.add_flag("--kill-on-untag", opt.kill_on_untag, "stop COMMAND when the turn ends or is lost (exit 70)");
    app.add_option("--kill-after", opt.kill_after, "SIGKILL this long after SIGTERM")->capture_default_str();
    app.add_option("-E,--conflict-exit-code", opt.conflict_status, "exit status when not our turn (default 75)");
    app.add_option("--events", opt.events_file, "append the JSON event lines to FILE");
    app.add_option("--events-fd", opt.events_fd, "write the JSON event lines to file descriptor N");
    app.add_option("-c", opt.shell_command, "run STRING with /bin/sh -c (further arguments become $1...)");
    app.add_flag("--fail-open", opt.fail_open,
                 "run COMMAND anyway when the broker is unreachable (default: exit 69, fail closed)");
    // Everything after GROUP that is not one of our options is COMMAND.
    app.prefix_command();
    if (auto status = actor::cli::parse(app, common, argc, argv)) return *status;
    opt.command = app.remaining();
    if (!opt.command.empty() && opt.command.front() == "--") opt.command.erase(opt.command.begin());

    const auto usage = [&](const std::string& m) { return actor::cli::usage_error(common, m); };
    if (opt.wait && opt.observe) return usage("--wait: cannot be combined with --observe");
    if (opt.conflict_status < 0 || opt.conflict_status > 255) return usage("--conflict-exit-code: must be 0..255");
    const bool shell = app.count("-c") > 0;
    if (!shell && opt.command.empty()) return usage("COMMAND: missing (give COMMAND [ARG...] or -c STRING)");
    auto kill_after = actor::cli::parse_duration(opt.kill_after);
    if (!kill_after) return usage("--kill-after: " + kill_after.error().message);
    actor::Duration linger = actor::from_seconds(common.config.cycle + 2 * common.config.gap);
    if (!opt.linger.empty()) {
        auto l = actor::cli::parse_duration(opt.linger);
        if (!l) return usage("--linger: " + l.error().message);
        linger = *l;
    }

    actor::JobSpec spec;
    if (shell) {
        spec.argv = {"/bin/sh", "-c", opt.shell_command, "sh"};
        spec.argv.insert(spec.argv.end(), opt.command.begin(), opt.command.end());
    } else {
        spec.argv = opt.command;
    }
    spec.env = {{"ACTOR_GROUP", common.group},
                {"ACTOR_NAME", common.name},
                {"ACTOR_BROKER", common.broker.display()}};

    auto fd = events_fd(opt);
    if (auto* bad = std::get_if<std::string>(&fd)) return usage(*bad);

    auto ropts = actor::runtime_options(common);
    ropts.events_fd = std::get<int>(fd);
    // Our own timers bound the phases; the runtime's would end a running job.
    ropts.timeout.reset();
    Gate gate(common, opt, std::move(ropts), std::move(spec), linger, *kill_after);
    return gate.run();
}
