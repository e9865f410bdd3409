// The Asio shell around the Node (see runtime.hpp for the shape).
#include "actor/runtime.hpp"

#include "actor/resident.hpp"

#include "actor/codec.hpp"
#include "actor/event_json.hpp"
#include "actor/fit.hpp"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <iostream>

namespace actor {

bool LineSink::write_line(std::string_view line) {
    if (closed_) return false;
    std::string buf;
    buf.reserve(line.size() + 1);
    buf.append(line);
    buf.push_back('\n');
    std::size_t done = 0;
    while (done < buf.size()) {
        const ssize_t n = ::write(fd_, buf.data() + done, buf.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            // EPIPE (reader gone), EBADF (closed stdout), anything else:
            // nobody can read us any more.
            closed_ = true;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}


namespace {
// The wall clock a message's ts is read against (actor/replay.hpp).
WallMs wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::uint64_t random_u64(std::random_device& rd) {
    return (static_cast<std::uint64_t>(rd()) << 32) ^ static_cast<std::uint64_t>(rd());
}

Ending::Kind kind_of(FatalKind k) {
    switch (k) {
    case FatalKind::unavailable: return Ending::Kind::unavailable;
    case FatalKind::denied: return Ending::Kind::denied;
    case FatalKind::usage: return Ending::Kind::usage;
    }
    return Ending::Kind::unavailable;
}
}  // namespace

Runtime::Runtime(RuntimeOptions opts, NodeOptions node)
    : opts_(std::move(opts)),
      epoch_(std::chrono::steady_clock::now()),
      timer_(io_),
      run_timer_(io_),
      signals_(io_),
      sink_(opts_.events_fd),
      watchdog_timer_(io_) {
    // A closed pipe must show up as EPIPE from write(), not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    std::random_device rd;
    rng_.seed(random_u64(rd));
    id_ = random_u64(rd);
    if (opts_.group_keys) {
        auth_.emplace(std::move(*opts_.group_keys));
        opts_.group_keys.reset();
    }
    prepare_node(node);
    if (opts_.service_notify) notify_.emplace(node.name);
    node_ = std::make_unique<Node>(std::move(node));
}

Runtime::~Runtime() = default;

void Runtime::notify(const std::string& state) {
    // Without NOTIFY_SOCKET sd_notify does nothing; a failure to send is
    // not ours to act on.
    const int r = ::sd_notify(0, state.c_str());
    debug(2, "sd_notify " + std::to_string(r) + ": " + state);
}

void Runtime::arm_watchdog() {
    watchdog_timer_.expires_after(watchdog_interval_);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || finished()) return;
        notify(ServiceNotify::watchdog());
        arm_watchdog();
    });
}

Time Runtime::now() const {
    return std::chrono::duration_cast<Time>(std::chrono::steady_clock::now() - epoch_);
}

bool Runtime::connected() const { return transport_ && transport_->connected(); }

void Runtime::prepare_node(NodeOptions& n) {
    n.id = id_;
    n.random = [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); };
}

void Runtime::replace_node(NodeOptions n) {
    prepare_node(n);
    node_ = std::make_unique<Node>(std::move(n));
    node_started_ = false;
    if (connected()) start_node();
    else arm_timer();
}

void Runtime::start_node() {
    if (node_started_ || finished()) return;
    node_started_ = true;
    node_->start(now());
    after_node_call();
}

void Runtime::debug(int level, const std::string& line) const {
    if (!opts_.quiet && opts_.verbose >= level) std::cerr << opts_.tool << ": " << line << std::endl;
}

void Runtime::warn(const std::string& line) const {
    if (!opts_.quiet) std::cerr << opts_.tool << ": " << line << std::endl;
}

void Runtime::emit(Event e) {
    if (finished() && e.type != EventType::error && e.type != EventType::untag) return;
    if (notify_)
        if (auto n = notify_->event(e)) notify(*n);
    if (on_event && !on_event(e)) return;
    if (e.type == EventType::error && opts_.errors_to_stderr) warn(e.message);
    const auto when = std::chrono::system_clock::now();
    const std::string line = opts_.format == Format::text ? event_to_text(e, when)
                                                              : event_to_line(e, opts_.group, when);
    if (!sink_.write_line(line)) {
        finish({Ending::Kind::output_closed, 0, "output closed"});
        return;
    }
    if (after_event) after_event(e);
}

void Runtime::after_node_call() {
    // Hooks may call into the node again while we drain; they only ask for
    // one more round instead of recursing.
    if (draining_) {
        drain_again_ = true;
        return;
    }
    draining_ = true;
    do {
        drain_again_ = false;
        for (auto& m : node_->take_outgoing()) publish(m);
        for (auto& e : node_->take_events()) emit(std::move(e));
    } while (drain_again_);
    draining_ = false;

    switch (node_->stop_reason()) {
    case StopReason::none: break;
    case StopReason::name_twin:
        // The node has already reported the twin as an error event.
        finish({Ending::Kind::name_twin, 0, "another node uses the name " + node_->name()});
        return;
    case StopReason::no_echo: {
        const std::string why = "our messages do not come back from the channel (" +
                                opts_.transport.broker.display() +
                                "): check the broker's access rules for the topic";
        emit(Event::error(why));
        finish({Ending::Kind::no_echo, 0, why});
        return;
    }
    }
    if (notify_)
        if (auto n = notify_->state(connected(), node_->started())) notify(*n);
    arm_timer();
}

void Runtime::publish(Message& m) {
    if (!transport_) return;
    // A ping whose history would not fit carries fewer entries (the oldest
    // go first) instead of failing; init, vers and the smallest ping were
    // checked against the limit at start (cli::check_sizes).
    auto bytes = encode(m);
    if (m.type == MsgType::ping && room_.limit && bytes.size() > *room_.limit) {
        fit_history(m, *room_.limit);
        bytes = encode(m);
    }
    if (auth_) bytes = auth_->seal(bytes, wall_ms());
    auto sent = transport_->publish(std::move(bytes));
    if (sent) {
        publish_failing_ = false;
        return;
    }
    // The node learns of it by its echo not coming back (no channel, no
    // turn) and says so itself; here, once per run of failures.
    const std::string why = "cannot send " + std::string(to_string(m.type)) + ": " + sent.error().text();
    if (publish_failing_) {
        debug(1, why);
        return;
    }
    publish_failing_ = true;
    warn(why);
}

Status Runtime::value_fits(const Value& v) const {
    if (!room_.limit) return {};
    return check_fits(node_->name(), v, node_->config(), *room_.limit, room_.channel);
}

void Runtime::retry_failed(const std::string& reason) {
    // One `error` per failed attempt, at most one per retry_report_interval:
    // a broker that stays away for an hour gives a line a few times a
    // minute, each with the count of attempts since the last.
    ++retries_unreported_;
    const auto t = now();
    if (last_retry_report_ && t - *last_retry_report_ < retry_report_interval) {
        debug(1, reason);
        return;
    }
    std::string text = reason;
    if (retries_unreported_ > 1)
        text += " (" + std::to_string(retries_unreported_) + " attempts since the last report)";
    text += "; trying again";
    retries_unreported_ = 0;
    last_retry_report_ = t;
    emit(Event::error(text));
}

void Runtime::arm_timer() {
    if (finished()) return;
    const auto deadline = node_->next_deadline();
    if (!deadline) {
        timer_.cancel();
        return;
    }
    timer_.expires_at(epoch_ + *deadline);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || finished()) return;
        if (transport_) transport_->woke();
        node_->on_timer(now());
        after_node_call();
    });
}

void Runtime::rejected(Rejection why, std::size_t size) {
    ++rejected_;
    ++rejected_unreported_.at(static_cast<std::size_t>(why));
    last_reject_size_ = size;
    if (last_reject_report_ && now() - *last_reject_report_ < reject_report_interval) return;
    report_rejected();
}

void Runtime::report_rejected() {
    std::string counts;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < rejected_unreported_.size(); ++i) {
        if (rejected_unreported_[i] == 0) continue;
        counts += (counts.empty() ? "" : ", ") + std::to_string(rejected_unreported_[i]) + " " +
                  to_string(static_cast<Rejection>(i));
        total += rejected_unreported_[i];
    }
    if (total == 0) return;
    debug(1, "dropped " + std::to_string(total) + (total == 1 ? " message" : " messages") +
                 " not authentic for --group-key (" + counts + "; the last " + std::to_string(last_reject_size_) +
                 " bytes); " + std::to_string(rejected_) + " in all");
    rejected_unreported_.fill(0);
    last_reject_report_ = now();
}

void Runtime::handle_payload(std::span<const std::uint8_t> payload) {
    if (finished()) return;
    Result<Message> msg = Error{"not opened"};
    if (auth_) {
        // Authentic and fresh, or dropped here: the node never sees it.
        auto opened = auth_->open(payload, wall_ms());
        if (!opened.message) {
            rejected(opened.rejection, payload.size());
            return;
        }
        msg = std::move(*opened.message);
    } else {
        msg = decode(payload);
    }
    if (!msg) {
        debug(1, "skipped a message that does not decode (" + std::to_string(payload.size()) +
                     " bytes): " + msg.error().text());
        return;
    }
    const Time t = now();
    if (opts_.raw) {
        Event e;
        e.type = EventType::raw;
        e.node = msg->sender().value_or("");
        e.msg = *msg;
        emit(std::move(e));
        if (finished()) return;
    }
    if (on_decoded) on_decoded(*msg, t);
    if (finished()) return;
    node_->on_message(*msg, t);
    after_node_call();
}

void Runtime::wait_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec || finished()) return;
        if (on_signal) on_signal(signo);
        else leave({Ending::Kind::signal, signo, "signal"});
        if (!finished()) wait_signal();
    });
}

void Runtime::leave(Ending e) {
    if (finished()) return;
    if (node_->mode() != Mode::observer && node_->tag_state() >= 0) {
        node_->disable(0, now());
        after_node_call();
    }
    finish(std::move(e));
}

void Runtime::finish(Ending e) {
    if (finished()) return;
    ending_ = std::move(e);
    report_rejected();  // the drops since the last -v line
    if (notify_) notify(ServiceNotify::stopping());
    timer_.cancel();
    watchdog_timer_.cancel();
    run_timer_.cancel();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    if (transport_) transport_->stop();
    // Let handlers already queued see finished() and return, then stop.
    boost::asio::post(io_, [this] { io_.stop(); });
}

Ending Runtime::run() {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.add(SIGHUP);
    wait_signal();
    std::uint64_t watchdog_usec = 0;
    if (notify_ && ::sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) {
        watchdog_interval_ = ServiceNotify::watchdog_interval(
            std::chrono::duration_cast<Duration>(std::chrono::microseconds(watchdog_usec)));
        arm_watchdog();
    }
    if (opts_.timeout) {
        run_timer_.expires_after(*opts_.timeout);
        run_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec || finished()) return;
            if (!ever_connected_) {
                // --timeout also bounds the connect: never reaching the
                // channel is "unavailable", not "no decision".
                const std::string why = "cannot reach " + opts_.transport.broker.display() +
                                        " within --timeout";
                emit(Event::error(why));
                finish({Ending::Kind::unavailable, 0, why});
            } else if (on_timeout) {
                on_timeout();
            } else {
                finish({Ending::Kind::timeout, 0, "--timeout passed"});
            }
        });
    }

    transport_ = make_transport(io_, opts_.transport);
    room_ = message_room(opts_.transport, auth_.has_value());
    TransportHandlers h;
    h.on_connected = [this] {
        if (finished()) return;
        // Start-up is over once connected: unmap the library pages it used
        // (actor/resident.hpp). ACTOR_KEEP_PAGES=1 keeps them (benchmarks).
        if (!ever_connected_ && !std::getenv("ACTOR_KEEP_PAGES")) trim_resident_pages();
        ever_connected_ = true;
        retries_unreported_ = 0;
        last_retry_report_.reset();
        Event e;
        e.type = EventType::connected;
        e.broker = opts_.transport.broker.display();
        emit(std::move(e));
        if (on_connected) on_connected();
        if (finished()) return;
        if (!node_started_) {
            start_node();
            return;
        }
        // Back after a loss: rejoin by the start-up rules.
        node_->on_channel_up(now());
        after_node_call();
    };
    h.on_disconnected = [this](const std::string& reason) {
        if (finished()) return;
        Event e;
        e.type = EventType::disconnected;
        e.message = reason;
        emit(std::move(e));
        if (finished()) return;
        // No channel, no turn: a tagged node untags at once.
        node_->on_channel_lost(now());
        after_node_call();
    };
    h.on_retry = [this](const std::string& reason) {
        if (!finished()) retry_failed(reason);
    };
    h.on_message = [this](std::span<const std::uint8_t> payload, std::optional<std::uint64_t>) {
        handle_payload(payload);
    };
    h.on_fatal = [this](FatalKind kind, const std::string& reason) {
        if (finished()) return;
        emit(Event::error(reason));
        finish({kind_of(kind), 0, reason});
    };
    h.on_debug = [this](const std::string& line) { debug(2, line); };
    transport_->start(std::move(h));
    arm_timer();

    io_.run();
    transport_.reset();
    return ending_.value_or(Ending{Ending::Kind::done, 0, ""});
}

}  // namespace actor
