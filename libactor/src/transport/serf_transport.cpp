// The serf:// transport: user events of one Serf agent as the group channel.
//
// Channel: the group path with '/' replaced by '.' is the user-event name
// (so "actor/backup" travels as event "actor.backup"); publish() fires
// `event {Name, Payload: bin, Coalesce: false}` and the subscription is
// `stream {Type: "user:<name>"}`. Names with ',' (the stream filter's list
// separator) or empty names cannot be subscribed to and are refused.
//
// Size: Serf caps len(name) + len(payload) at 512 bytes, and its second
// check on the gossiped encoding lowers the usable figure to 479..482
// (docs/SERF-RPC.md §7). We refuse anything above serf_event_budget locally so
// the user gets a clear message rather than an agent error.
//
// Late and replayed events: records pass through LTimeFilter, whose rules
// (drop LTime below the agent clock read at subscribe time; drop more than
// 2 below the highest LTime delivered; drop exact (LTime, payload)
// duplicates, remembered across reconnects and cleared when the agent's
// clock goes backwards) are stated in serf_ltime_filter.hpp.
//
// Sequence per connection: TCP connect (timer-bounded) -> handshake ->
// auth (only with a key; its answer is awaited before anything else, see
// the agent's re-read quirk) -> stats + stream pipelined in that order.
// stats is sent *before* the stream, not after its ack: the agent handles
// requests in order, so the clock it reports is the one from just before
// the stream existed. Read after the ack, a live event handled between the
// ack and the stats answer would be below the baseline and dropped as a
// replay. The whole sequence is bounded by one timer per attempt.
//
// Connection policy: actor::ReconnectPolicy (actor/reconnect.hpp), the same
// as MQTT's: jittered backoff from 100 ms up to max_backoff, the first
// connection bounded by connect_timeout (forever when nullopt), every
// failed attempt reported through on_retry, reconnects forever once up.
//
// Lifetime: all state lives in a shared Session; asynchronous operations
// hold it, the Transport facade only stops it. After stop() no handler runs.
#include "actor/reconnect.hpp"
#include "factories.hpp"
#include "serf_ltime_filter.hpp"
#include "serf_rpc.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <random>

namespace actor::detail {
namespace {

namespace asio = boost::asio;
using serf::LTimeFilter;
using serf::RpcClient;

std::string event_name_for(const std::string& group) {
    std::string name = group;
    std::replace(name.begin(), name.end(), '/', '.');
    return name;
}

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(asio::io_context& io, TransportOptions opts)
        : io_(io), opts_(std::move(opts)), name_(event_name_for(opts_.group)),
          retry_timer_(io), step_timer_(io), rng_(std::random_device{}()),
          policy_(detail::reconnect_options(opts_, rng_)) {}

    void start(TransportHandlers h) {
        if (started_ || stopped_) return;
        started_ = true;
        h_ = std::move(h);
        if (auto named = check_name(); !named) {
            // Posted so the caller never sees a handler run inside start().
            asio::post(io_, [self = shared_from_this(), msg = named.error().text()] {
                self->fatal(FatalKind::usage, msg);
            });
            return;
        }
        policy_.start(now());
        attempt();
    }

    Status publish(std::vector<std::uint8_t> payload) {
        const std::size_t total = name_.size() + payload.size();
        if (total > serf_event_budget)
            return Error{"message of " + std::to_string(total) + " bytes (name " +
                         std::to_string(name_.size()) + " + payload " +
                         std::to_string(payload.size()) + ") exceeds Serf's limit of " +
                         std::to_string(serf_event_budget)};
        if (!up_ || !rpc_) return Error{"not connected to the Serf agent"};
        if (rpc_->queued_writes() >= RpcClient::max_queued_writes)
            return Error{"the Serf agent is not taking our writes (" +
                         std::to_string(RpcClient::max_queued_writes) + " queued)"};
        std::weak_ptr<Session> w = shared_from_this();
        rpc_->event(name_, payload, false, [w](const Status& answer) {
            auto self = w.lock();
            // Not fatal: the agent's own limit (e.g. "...exceeds configured
            // limit...") only costs this one message.
            if (self && !answer) self->debug("serf: agent refused event: " + answer.error().text());
        });
        return {};
    }

    std::optional<std::size_t> max_payload() const { return payload_limit(opts_); }

    void stop() {
        if (stopped_) return;
        stopped_ = true;
        up_ = false;
        retry_timer_.cancel();
        step_timer_.cancel();
        if (rpc_) rpc_->close();
        rpc_.reset();
    }

    bool connected() const { return up_ && !stopped_; }

private:
    using Clock = std::chrono::steady_clock;

    static Time now() {
        return std::chrono::duration_cast<Duration>(Clock::now().time_since_epoch());
    }

    // Whether the group's event name is one Serf can carry.
    Status check_name() const {
        if (name_.empty()) return Error{"the group name is empty; Serf needs an event name"};
        if (name_.find(',') != std::string::npos)
            return Error{"group \"" + opts_.group + "\" cannot be used with Serf: ',' separates stream filters"};
        if (name_.size() >= serf_event_budget)
            return Error{"group \"" + opts_.group + "\" is too long for a Serf event name (" +
                         std::to_string(name_.size()) + " bytes, limit " +
                         std::to_string(serf_event_budget) + " including the payload)"};
        return {};
    }

    std::string where() const {
        return opts_.broker.host + ":" + std::to_string(opts_.broker.port);
    }

    void attempt() {
        if (stopped_) return;
        const Duration bound = policy_.attempt_timeout(now());
        rpc_ = RpcClient::create(io_);
        ++generation_;
        std::weak_ptr<Session> w = shared_from_this();
        const auto gen = generation_;
        rpc_->set_on_debug([w](const std::string& line) {
            if (auto self = w.lock()) self->debug("serf: " + line);
        });
        rpc_->set_on_closed([w, gen](const std::string& reason) {
            if (auto self = w.lock(); self && self->generation_ == gen) self->lost(reason);
        });
        // One timer bounds connect + handshake + auth + subscribe.
        step_timer_.expires_after(bound);
        step_timer_.async_wait([w, gen](const boost::system::error_code& ec) {
            auto self = w.lock();
            if (ec || !self || self->generation_ != gen || self->up_) return;
            self->lost("no answer from the Serf agent within the time limit");
        });
        debug("serf: connecting to " + where());
        rpc_->connect(opts_.broker.host, opts_.broker.port, bound,
                      [w, gen](const Status& connected) {
                          auto self = w.lock();
                          if (!self || self->generation_ != gen) return;
                          if (!connected) return self->lost(connected.error().text());
                          self->handshake();
                      });
    }

    // A guard for every RPC completion: the session is alive, not stopped,
    // and the answer belongs to the current connection.
    template <class F>
    auto guarded(F f) {
        std::weak_ptr<Session> w = shared_from_this();
        return [w, gen = generation_, f](const auto&... args) {
            auto self = w.lock();
            if (!self || self->stopped_ || self->generation_ != gen) return;
            f(*self, args...);
        };
    }

    void handshake() {
        rpc_->handshake(guarded([](Session& s, const Status& answer) {
            if (!answer)
                return s.fatal(FatalKind::unavailable, "Serf agent at " + s.where() +
                                                           " refused the RPC handshake: " +
                                                           answer.error().text());
            if (s.opts_.serf_auth) return s.authenticate();
            s.subscribe();
        }));
    }

    void authenticate() {
        rpc_->auth(*opts_.serf_auth, guarded([](Session& s, const Status& answer) {
            if (!answer)
                return s.fatal(FatalKind::denied, "Serf agent at " + s.where() + ": " + answer.error().text());
            s.subscribe();
        }));
    }

    void subscribe() {
        baseline_.reset();
        rpc_->stats(guarded([](Session& s, const Status& answer, const serf::Stats& st) {
            if (!answer) return s.debug("serf: stats failed: " + answer.error().text());
            s.baseline_ = parse_event_time(st);
            if (!s.baseline_) s.debug("serf: stats without serf.event_time");
        }));
        rpc_->stream("user:" + name_, guarded([](Session& s, const Status& answer) {
            if (answer) return s.subscribed();
            const std::string& err = answer.error().message;
            if (err == "Authentication required")
                return s.fatal(FatalKind::denied, "Serf agent at " + s.where() +
                                                      " requires an RPC auth key: " + err);
            s.fatal(FatalKind::usage, "Serf agent refused the subscription to \"" + s.name_ + "\": " + err);
        }), guarded([](Session& s, const serf::Record& r) { s.record(r); }));
    }

    static std::optional<std::uint64_t> parse_event_time(const serf::Stats& st) {
        auto sec = st.find("serf");
        if (sec == st.end()) return std::nullopt;
        auto v = sec->second.find("event_time");
        if (v == sec->second.end()) return std::nullopt;
        std::uint64_t out = 0;
        const auto& s = v->second;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
        return out;
    }

    void subscribed() {
        // The stats answer precedes the ack (same request order), so the
        // baseline is known here when the agent gave one.
        filter_.on_subscribe(baseline_);
        debug("serf: subscribed to user:" + name_ + ", agent event clock " +
              (baseline_ ? std::to_string(*baseline_) : std::string("unknown")));
        step_timer_.cancel();
        up_ = true;
        policy_.connected(now());
        if (h_.on_connected) h_.on_connected();
    }

    void record(const serf::Record& r) {
        if (!up_ || r.event != "user" || r.name != name_) return;
        const auto verdict = filter_.check(r.ltime, r.payload);
        if (verdict != LTimeFilter::Verdict::deliver) {
            debug(std::string("serf: dropped ") + LTimeFilter::name(verdict) + " event at LTime " +
                  std::to_string(r.ltime));
            return;
        }
        if (h_.on_message) h_.on_message(std::span<const std::uint8_t>(r.payload), r.ltime);
    }

    // The connection ended (EOF, error, timeout) or an attempt failed.
    void lost(const std::string& reason) {
        if (stopped_) return;
        ++generation_;  // silence everything from the old connection
        step_timer_.cancel();
        if (rpc_) rpc_->close();
        rpc_.reset();
        const bool was_up = up_;
        up_ = false;
        // After connected() the policy starts over at the first step.
        const auto next = policy_.failed(now());
        if (next.give_up())
            return fatal(FatalKind::unavailable,
                         "cannot reach the Serf agent at " + where() + ": " + reason);
        retry_timer_.expires_after(next.delay);
        std::weak_ptr<Session> w = shared_from_this();
        retry_timer_.async_wait([w](const boost::system::error_code& ec) {
            auto self = w.lock();
            if (!ec && self) self->attempt();
        });
        if (was_up) {
            if (h_.on_disconnected) h_.on_disconnected(reason);
        } else {
            debug("serf: " + where() + ": " + reason + "; next attempt in " +
                  std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(next.delay)
                                     .count()) +
                  " ms");
            if (h_.on_retry) h_.on_retry("cannot reach the Serf agent at " + where() + ": " + reason);
        }
    }

    void fatal(FatalKind kind, const std::string& reason) {
        if (stopped_) return;
        auto h = h_.on_fatal;
        stop();  // nothing more to do on this channel
        if (h) h(kind, reason);
    }

    void debug(const std::string& line) {
        if (!stopped_ && h_.on_debug) h_.on_debug(line);
    }

    asio::io_context& io_;
    TransportOptions opts_;
    std::string name_;
    TransportHandlers h_;
    asio::steady_timer retry_timer_;
    asio::steady_timer step_timer_;
    std::shared_ptr<RpcClient> rpc_;
    std::uint64_t generation_ = 0;
    LTimeFilter filter_;
    std::optional<std::uint64_t> baseline_;
    std::mt19937_64 rng_;  // jitter of the backoff
    ReconnectPolicy policy_;
    bool started_ = false;
    bool stopped_ = false;
    bool up_ = false;
};

class SerfTransport final : public Transport {
public:
    SerfTransport(asio::io_context& io, const TransportOptions& opts)
        : s_(std::make_shared<Session>(io, opts)) {}
    ~SerfTransport() override { s_->stop(); }
    void start(TransportHandlers handlers) override { s_->start(std::move(handlers)); }
    Status publish(std::vector<std::uint8_t> payload) override {
        return s_->publish(std::move(payload));
    }
    std::optional<std::size_t> max_payload() const override { return s_->max_payload(); }
    void stop() override { s_->stop(); }
    bool connected() const override { return s_->connected(); }

private:
    std::shared_ptr<Session> s_;
};

}  // namespace

std::unique_ptr<Transport> make_serf_transport(boost::asio::io_context& io,
                                               const TransportOptions& opts) {
    return std::make_unique<SerfTransport>(io, opts);
}

}  // namespace actor::detail
