// The Asio shell of the gate (see actor/gate_shell.hpp).
#include "actor/gate_shell.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <iostream>

namespace actor {

namespace {

using A = GateAction::Kind;

class GateShell {
public:
    explicit GateShell(GateShellOptions o)
        : o_(std::move(o)),
          gate_(o_.gate),
          rt_([&] {
              auto r = o_.runtime;
              r.timeout.reset();  // the runtime's would end a running job
              return r;
          }(), o_.observer),
          job_(rt_.io()),
          timer_(rt_.io()),
          signals_(rt_.io()) {}

    int run() {
        for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) signals_.add(s);
        wait_signal();
        rt_.on_signal = [](int) {};
        rt_.on_connected = [this] { feed([&] { gate_.on_channel_up(rt_.now()); }); };
        rt_.on_decoded = [this](const Message& m, Time t) { feed([&] { gate_.on_message(m, t); }); };
        rt_.after_event = [this](const Event& e) {
            if (e.type == EventType::disconnected) gate_.on_channel_down(rt_.now());
            feed([&] { gate_.on_event(e, rt_.now()); });
        };
        feed([&] { gate_.start(rt_.now()); });
        const Ending end = rt_.run();
        const bool unreachable = end.kind == Ending::Kind::unavailable || end.kind == Ending::Kind::no_echo;
        const int status = o_.status_of ? o_.status_of(end) : 0;
        feed([&] { gate_.on_channel_end({status, unreachable, end.reason}, rt_.now()); });
        // The run ended under a job (or --fail-open started one): it decides.
        if (!gate_.exit_status()) {
            rt_.io().restart();
            rt_.io().run();
        }
        return gate_.exit_status().value_or(status);
    }

private:
    // One input, then its actions; a hook that re-enters (an event while
    // leaving) only adds to them. Then the one timer.
    template <class F>
    void feed(F&& input) {
        input();
        drain();
    }

    void drain() {
        if (draining_) return;
        draining_ = true;
        for (auto acts = gate_.take_actions(); !acts.empty(); acts = gate_.take_actions())
            for (auto& a : acts) perform(a);
        draining_ = false;
        const auto d = gate_.next_deadline();
        if (!d) {
            timer_.cancel();
            return;
        }
        timer_.expires_after(*d - rt_.now());
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) feed([&] { gate_.on_timer(rt_.now()); });
        });
    }

    void perform(const GateAction& a) {
        switch (a.kind) {
        case A::join: rt_.replace_node(o_.active); break;
        case A::set_value:
            rt_.with_node([this](Node& n, Time) { n.set_value(o_.value); });
            break;
        case A::run_job: {
            auto on_exit = [this](int s) { feed([&] { gate_.on_job_exited(s, rt_.now()); }); };
            if (auto started = job_.start(o_.job, on_exit); !started) {
                std::cerr << o_.runtime.tool << ": " << started.error().text() << std::endl;
                gate_.on_job_start_failed(started.error().status, rt_.now());
            } else {
                gate_.on_job_started(rt_.now());
            }
            break;
        }
        case A::signal_job: job_.signal(a.signo); break;
        case A::terminate_job:
            job_.signal(SIGTERM);
            job_.signal(SIGCONT);  // a stopped job must see it
            break;
        case A::kill_job: job_.signal(SIGKILL); break;
        case A::leave: rt_.leave({Ending::Kind::done, 0, a.text}); break;
        case A::warn: rt_.warn(a.text); break;
        case A::exit: rt_.io().stop(); break;
        }
    }

    void wait_signal() {
        signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
            if (ec) return;
            feed([&] { gate_.on_signal(signo, rt_.now()); });
            wait_signal();
        });
    }

    GateShellOptions o_;
    Gate gate_;
    Runtime rt_;
    Job job_;
    boost::asio::steady_timer timer_;
    boost::asio::signal_set signals_;
    bool draining_ = false;
};

}  // namespace

int run_gate(GateShellOptions opts) { return GateShell(std::move(opts)).run(); }

}  // namespace actor
