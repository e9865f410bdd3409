#pragma once
// The Asio shell around the sans-IO Node: one single-threaded io_context,
// one transport, one steady_timer re-armed from node.next_deadline() after
// every call into the node, and one output sink for the event lines.
//
//   transport payload -> decode -> node.on_message(msg, now)
//   timer             -> node.on_timer(now)
//   after each call   -> take_outgoing() -> encode -> transport.publish()
//                        take_events()   -> hooks -> sink (one line, flushed)
//                        re-arm the timer; a stopped node ends the run
//
// The node starts on the transport's first on_connected (start() sends
// init and vers). Stop signals (SIGINT, SIGTERM, SIGHUP) leave cleanly:
// the node is disabled (so it reports `untag` if tagged) and the run ends.
// SIGPIPE is ignored; a closed output ends the run quietly (status 0).
//
// Reused by actor-run-if-leader: replace_node() switches from an observer
// phase to an active phase, on_event intercepts events, the sink can be any
// fd, and with_node() lets a tool poke the node (e.g. set_value) at any time.
#include "actor/ending.hpp"
#include "actor/event.hpp"
#include "actor/message.hpp"
#include "actor/node.hpp"
#include "actor/service_notify.hpp"
#include "actor/time.hpp"
#include "actor/transport.hpp"
#include "actor/auth.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace actor {

// Writes whole lines to a file descriptor, one write per line (flushed at
// once). Once the reader has gone (EPIPE or another write error) it stays
// closed and writes nothing more.
class LineSink {
public:
    explicit LineSink(int fd) : fd_(fd) {}
    // False when the line could not be written (the output is closed).
    bool write_line(std::string_view line);
    bool closed() const { return closed_; }
    int fd() const { return fd_; }

private:
    int fd_;
    bool closed_ = false;
};

// Failed connection attempts are reported at most this often.
inline constexpr Duration retry_report_interval = std::chrono::seconds(10);
// Messages dropped as not authentic (--group-key) are reported with -v at
// most this often, as one line with the counts.
inline constexpr Duration reject_report_interval = std::chrono::seconds(10);

struct RuntimeOptions {
    std::string tool;   // for stderr lines
    std::string group;
    Format format = Format::json;
    int verbose = 0;
    bool quiet = false;
    bool raw = false;   // print every decoded message as a `raw` event
    // The whole run; passing it ends the run with Ending::timeout.
    std::optional<Duration> timeout;
    TransportOptions transport;
    int events_fd = 1;  // where event lines go
    // Errors are also written to stderr (docs/CLI.md), unless quiet.
    bool errors_to_stderr = true;
    // --group-key (actor/auth.hpp): every message sent is sealed, every
    // message received that is not authentic and fresh is dropped before
    // the node (or --raw, or on_decoded) sees it. Never printed.
    std::optional<GroupKeys> group_keys;
    // Tell a service manager (NOTIFY_SOCKET) READY, STATUS, STOPPING and,
    // when it asks (WATCHDOG_USEC), WATCHDOG from the event loop
    // (actor/service_notify.hpp decides what and when).
    bool service_notify = false;
};


class Runtime {
public:
    Runtime(RuntimeOptions opts, NodeOptions node);
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    boost::asio::io_context& io() { return io_; }

    // Hooks, all optional. on_event sees every event before it is printed
    // and returns whether to print it; after_event sees it once printed.
    // on_decoded sees every decoded
    // message before the node does. on_signal replaces the default (leave).
    std::function<bool(const Event&)> on_event;
    // Sees every event after it was printed (e.g. to end after an untag).
    std::function<void(const Event&)> after_event;
    std::function<void(const Message&, Time now)> on_decoded;
    std::function<void()> on_connected;
    std::function<void(int signo)> on_signal;
    // Replaces the default when --timeout passes (finish with timeout).
    std::function<void()> on_timeout;

    // Connects and runs until finish(); returns how the run ended.
    Ending run();

    // End the run now (idempotent: the first ending wins).
    void finish(Ending e);
    // Disable the node (reports `untag` if tagged), then finish.
    void leave(Ending e);
    bool finished() const { return ending_.has_value(); }

    Node& node() { return *node_; }
    Time now() const;
    // Call f(node, now), then perform what the node wants.
    template <class F>
    void with_node(F&& f) {
        f(*node_, now());
        after_node_call();
    }
    // Replace the node (e.g. observer -> active). The new node keeps this
    // process's id and random source, and starts at once if connected.
    void replace_node(NodeOptions n);

    // Whether the node's pings could carry value v over this channel (the
    // size rules of actor/fit.hpp), and why not.
    Status value_fits(const Value& v) const;

    // Print an event through on_event and the sink.
    void emit(Event e);
    // A diagnostic line on stderr when -v was given at least `level` times.
    void debug(int level, const std::string& line) const;
    // A diagnostic that is always shown unless -q.
    void warn(const std::string& line) const;
    LineSink& sink() { return sink_; }
    const RuntimeOptions& options() const { return opts_; }
    bool connected() const;
    // Messages dropped so far as not authentic (--group-key).
    std::uint64_t rejected() const { return rejected_; }

    // Drain the node's outputs and re-arm the timer. with_node() calls it.
    void after_node_call();

private:
    void prepare_node(NodeOptions& n);
    void start_node();
    void arm_timer();
    void handle_payload(std::span<const std::uint8_t> payload);
    void publish(Message& m);
    void retry_failed(const std::string& reason);
    void wait_signal();
    void notify(const std::string& state);
    void arm_watchdog();

    RuntimeOptions opts_;
    boost::asio::io_context io_{1};
    std::chrono::steady_clock::time_point epoch_;
    std::mt19937_64 rng_;
    std::uint64_t id_;
    std::unique_ptr<Node> node_;
    bool node_started_ = false;
    bool ever_connected_ = false;
    std::unique_ptr<Transport> transport_;
    boost::asio::steady_timer timer_;
    boost::asio::steady_timer run_timer_;
    boost::asio::signal_set signals_;
    LineSink sink_;
    std::optional<Ending> ending_;
    bool draining_ = false;
    bool drain_again_ = false;
    MessageRoom room_;  // what a message may take (less the seal), the channel's name
    bool publish_failing_ = false;
    std::uint64_t retries_unreported_ = 0;
    std::optional<Time> last_retry_report_;
    // --group-key: seals what we send, opens what we receive.
    std::optional<GroupAuth> auth_;
    std::uint64_t rejected_ = 0;
    std::array<std::uint64_t, 8> rejected_unreported_{};  // by Rejection
    std::optional<Time> last_reject_report_;
    std::size_t last_reject_size_ = 0;
    void rejected(Rejection why, std::size_t size);
    void report_rejected();  // one -v line with the counts since the last
    std::optional<ServiceNotify> notify_;
    boost::asio::steady_timer watchdog_timer_;
    Duration watchdog_interval_{};
};

}  // namespace actor
