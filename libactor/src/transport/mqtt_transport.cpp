// MQTT transport: libmosquitto 2.0 driven from one Boost.Asio io_context.
//
// No library thread (mosquitto_loop_start) and no blocking calls except the
// DNS lookup inside mosquitto_connect_async/reconnect_async. How the two
// fit together:
// - libmosquitto owns the socket. We watch its fd through a
//   posix::stream_descriptor that is only ever release()d, never closed.
//   The fd changes on every (re)connect and the library closes it by itself
//   on a read/write error, so after every library call we compare
//   mosquitto_socket() with the fd we watch and re-attach. We detach BEFORE
//   running any handler, so the fd number cannot be reused by somebody else
//   while it is still registered with our reactor.
// - Asio's epoll reactor is edge-triggered and async_wait does not look at
//   the socket first: after a read wake-up we read until libmosquitto hits
//   EAGAIN (bounded per round, continuing through post() to stay fair).
// - Calls such as publish/subscribe try to write at once; whatever is left
//   makes mosquitto_want_write() true, re-checked after every call, and then
//   a write wait is armed.
// - mosquitto_loop_misc (keepalive PINGREQ, dead connection detection) runs
//   at the keepalive's pace, not on a fixed tick: once `keepalive` seconds
//   (+ 1 s for the library's whole-second clock) have passed since the last
//   packet in or out, at the next read wake-up (a node that hears the
//   group sends its PINGREQ in a wake-up it has anyway), or from a timer
//   at 1.25 keepalives (a silent channel: one wake-up per keepalive).
// - The PINGRESP does not wake us (plain TCP only): after a PINGREQ the
//   socket's SO_RCVLOWAT is 3 bytes, so the 2-byte PINGRESP alone does not
//   make it readable; it is read with the next packet, or when the process
//   wakes for a timer (woke(), and the keepalive timer reads before the
//   library looks for it); then the mark is 1 again. Every other packet a
//   broker sends a client is 3 bytes or more, and a closed connection
//   wakes us as before. The one cost: the last byte or two of a packet cut
//   by TCP, arriving alone while the mark is 3, wait for that next wake-up
//   (on loopback and for packets below the MSS this does not happen).
// - libmosquitto callbacks only queue events; the queue is drained after the
//   library call has returned, and only then are the user's handlers called.
//   A handler may stop() or even destroy this object: every continuation
//   holds a weak_ptr to `alive_` and re-checks it after each handler.
//
// Connection policy: actor::ReconnectPolicy (actor/reconnect.hpp), shared
// with the Serf transport: the first connection is retried with jittered
// backoff (100 ms doubling up to max_backoff) until connect_timeout (never,
// when it is nullopt), then FatalKind::unavailable; every failed attempt is
// reported through on_retry. Once connected, a loss is reported and the
// transport reconnects with backoff forever. CONNACK "bad credentials"/"not
// authorised" and a refused subscription are FatalKind::denied.
//
// Size: max_payload() is max_wire_size (actor/codec.hpp, 64 KiB), the most
// any decoder here accepts; larger payloads are refused by publish() and
// dropped on receipt.
//
// QoS: everything is QoS 0 without retain, as asyncactor does. The protocol
// tolerates loss and wants no stale redelivered beacons; every message
// carries the sender's per-process identity anyway, so nothing needs the
// broker's duplicate handling.
#include "actor/codec.hpp"
#include "actor/reconnect.hpp"
#include "factories.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <random>
#include <variant>

#include <sys/socket.h>

namespace actor::detail {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// What every decoder here accepts (a larger message would be sent only to
// be dropped by every receiver); payloads beyond this are refused, incoming
// ones beyond it dropped.
constexpr std::size_t kMaxPayload = max_wire_size;
// The shortest wait between two mosquitto_loop_misc calls, and the slack
// over keepalive for the library's whole seconds (mosquitto_time()).
constexpr auto kMiscSlack = 1s;
// Packets read per wake-up before yielding to other handlers.
constexpr int kReadBurst = 64;
// SO_RCVLOWAT while a PINGRESP (2 bytes: 0xd0 0x00) is awaited: one byte
// more than it, less than any other packet from a broker.
constexpr int kLowatAwaitingPingresp = 3;

void init_library_once() {
    // Never cleaned up: other transports may live until exit, and the
    // process ending releases everything anyway.
    static const int rc = mosquitto_lib_init();
    (void)rc;
}

std::string random_hex(std::size_t digits) {
    static const char* const hex = "0123456789abcdef";
    std::random_device rd;
    std::string out;
    for (std::size_t i = 0; i < digits; ++i) out += hex[rd() & 0xf];
    return out;
}

// The broker disconnects the older of two clients with the same id, so the
// id must differ per process even for nodes sharing a name.
std::string make_client_id(const std::string& hint) {
    std::string clean;
    for (char c : hint) {
        if (clean.size() >= 32) break;
        const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
        clean += ok ? c : '_';
    }
    std::string id = "actor-";
    if (!clean.empty()) id += clean + "-";
    return id + random_hex(12);
}

std::string describe(int rc, int err) {
    if (rc == MOSQ_ERR_ERRNO) return std::strerror(err);
    return mosquitto_strerror(rc);
}

Time now() {
    return std::chrono::duration_cast<Duration>(Clock::now().time_since_epoch());
}

// "250 ms", "5 s", "1.5 s".
std::string human(Duration d) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    if (ms < 1000) return std::to_string(ms) + " ms";
    std::string s = std::to_string(ms / 1000);
    if (ms % 1000 != 0) s += "." + std::to_string(ms % 1000 / 100);
    return s + " s";
}

bool is_denial(int connack_rc) {
    return connack_rc == CONNACK_REFUSED_BAD_USERNAME_PASSWORD ||
           connack_rc == CONNACK_REFUSED_NOT_AUTHORIZED ||
           connack_rc == MQTT_RC_BAD_USERNAME_OR_PASSWORD ||
           connack_rc == MQTT_RC_NOT_AUTHORIZED || connack_rc == MQTT_RC_BANNED ||
           connack_rc == MQTT_RC_BAD_AUTHENTICATION_METHOD;
}

class MqttTransport final : public Transport {
    // (Defined first: their return types are deduced.)
    // Wraps a continuation so that it does nothing once this object is gone
    // or stopped.
    template <class F>
    auto guarded(F f) {
        return [w = std::weak_ptr<int>(alive_), this, f = std::move(f)](auto&&...) mutable {
            if (w.expired() || stopped_) return;
            f();
        };
    }

    // Completion handler for a socket wait; stale ones (older io_gen_) do nothing.
    template <class F>
    auto io_handler(F f) {
        return [w = std::weak_ptr<int>(alive_), this, gen = io_gen_, f](
                   const boost::system::error_code& ec) mutable {
            if (w.expired() || stopped_ || gen != io_gen_) return;
            if (ec) return;
            f();
        };
    }

public:
public:
    MqttTransport(asio::io_context& io, const TransportOptions& opts)
        : io_(io), opts_(opts), sd_(io), retry_timer_(io), misc_timer_(io),
          rng_(std::random_device{}()), policy_(detail::reconnect_options(opts_, rng_)) {
        init_library_once();
        client_id_ = make_client_id(opts_.client_id);
        mosq_ = mosquitto_new(client_id_.c_str(), /*clean_session=*/true, this);
        if (!mosq_) {
            setup_error_ = {FatalKind::unavailable,
                            std::string("cannot create an MQTT client: ") + std::strerror(errno)};
            return;
        }
        configure();
    }

    ~MqttTransport() override {
        stop();
        if (mosq_) mosquitto_destroy(mosq_);
    }

    void start(TransportHandlers handlers) override {
        if (started_ || stopped_) return;
        started_ = true;
        handlers_ = std::move(handlers);
        policy_.start(now());
        // Start from the loop, never inside start(): callers may not expect
        // a handler (e.g. on_fatal) before start() has returned.
        asio::post(io_, guarded([this] {
            if (setup_error_) {
                fatal(setup_error_->first, setup_error_->second);
                return;
            }
            // The attempt first: it sets the packet times the timer's
            // deadline counts from (armed before, it woke a second after
            // the start for nothing).
            begin_attempt();
            if (state_ != State::failed && !stopped_) arm_misc_timer();
        }));
    }

    Status publish(std::vector<std::uint8_t> payload) override {
        if (payload.size() > kMaxPayload) {
            return Error{"message of " + std::to_string(payload.size()) +
                         " bytes exceeds the MQTT limit of " + std::to_string(kMaxPayload) +
                         " bytes (the most any actor node decodes)"};
        }
        if (state_ != State::up) return Error{"not connected to the broker"};  // see Transport
        const int rc = mosquitto_publish(mosq_, nullptr, opts_.group.c_str(),
                                         static_cast<int>(payload.size()),
                                         payload.empty() ? nullptr : payload.data(),
                                         /*qos=*/0, /*retain=*/false);
        const int err = errno;
        if (rc != MOSQ_ERR_SUCCESS) {
            // A broken socket surfaces through the read side (EPOLLHUP/ERR
            // wakes the read wait); here we just report the drop.
            sync_io();
            return Error{"publish failed: " + describe(rc, err)};
        }
        last_out_ = Clock::now();
        sync_io();
        return {};
    }

    std::optional<std::size_t> max_payload() const override { return kMaxPayload; }

    void stop() override {
        if (stopped_) return;
        stopped_ = true;
        events_.clear();
        retry_timer_.cancel();
        misc_timer_.cancel();
        detach();
        if (mosq_ && (state_ == State::up || state_ == State::connecting)) {
            // Best effort: DISCONNECT goes out at once when the socket has
            // room; mosquitto_destroy closes the socket in any case.
            mosquitto_disconnect(mosq_);
        }
        state_ = State::stopped;
    }

    bool connected() const override { return state_ == State::up; }

    // The process woke for a timer: a PINGRESP held back (see the top of
    // the file) becomes readable now, and is read within this wake-up.
    void woke() override { settle_lowat(); }

private:
    enum class State { idle, connecting, up, waiting, failed, stopped };

    struct Connack { int rc; };
    struct Lost { int rc; int err; };
    struct Suback { int mid; int granted; };
    struct Message { std::vector<std::uint8_t> payload; };
    using Event = std::variant<Connack, Lost, Suback, Message>;

    // ---- setup --------------------------------------------------------

    void configure() {
        mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
        mosquitto_int_option(mosq_, MOSQ_OPT_TCP_NODELAY, 1);
        mosquitto_connect_callback_set(mosq_, &MqttTransport::cb_connect);
        mosquitto_disconnect_callback_set(mosq_, &MqttTransport::cb_disconnect);
        mosquitto_subscribe_callback_set(mosq_, &MqttTransport::cb_subscribe);
        mosquitto_message_callback_set(mosq_, &MqttTransport::cb_message);

        if (opts_.group.empty() || mosquitto_pub_topic_check(opts_.group.c_str()) != MOSQ_ERR_SUCCESS) {
            setup_error_ = {FatalKind::usage,
                            "group '" + opts_.group + "' cannot be used as an MQTT topic"};
            return;
        }
        const std::string& user = opts_.username.empty() ? opts_.broker.user : opts_.username;
        if (!user.empty() || opts_.password) {
            const int rc = mosquitto_username_pw_set(
                mosq_, user.empty() ? nullptr : user.c_str(),
                opts_.password ? opts_.password->c_str() : nullptr);
            if (rc != MOSQ_ERR_SUCCESS) {
                setup_error_ = {FatalKind::usage, "bad user name: " + describe(rc, errno)};
                return;
            }
        }
        if (opts_.broker.scheme == BrokerUrl::Scheme::mqtts) {
            const auto opt = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
            // Without --cafile/--capath trust the system's CA store, like
            // any other TLS client.
            const char* capath = opt(opts_.capath);
            if (opts_.cafile.empty() && opts_.capath.empty()) capath = "/etc/ssl/certs";
            const int rc = mosquitto_tls_set(mosq_, opt(opts_.cafile), capath,
                                             opt(opts_.certfile), opt(opts_.keyfile), nullptr);
            if (rc != MOSQ_ERR_SUCCESS) {
                setup_error_ = {FatalKind::usage,
                                "TLS setup failed (check --cafile/--capath/--cert/--key): " +
                                    describe(rc, errno)};
                return;
            }
        }
    }

    // ---- libmosquitto callbacks: queue only ----------------------------

    static MqttTransport* self(void* obj) { return static_cast<MqttTransport*>(obj); }

    static void cb_connect(mosquitto*, void* obj, int rc) { self(obj)->events_.push_back(Connack{rc}); }

    static void cb_disconnect(mosquitto*, void* obj, int rc) {
        self(obj)->events_.push_back(Lost{rc, errno});
    }

    static void cb_subscribe(mosquitto*, void* obj, int mid, int count, const int* granted) {
        self(obj)->events_.push_back(Suback{mid, count > 0 ? granted[0] : 0x80});
    }

    static void cb_message(mosquitto*, void* obj, const mosquitto_message* m) {
        auto* t = self(obj);
        if (m->payloadlen < 0 || static_cast<std::size_t>(m->payloadlen) > kMaxPayload) return;
        if (!m->topic || t->opts_.group != m->topic) return;
        const auto* p = static_cast<const std::uint8_t*>(m->payload);
        t->events_.push_back(Message{std::vector<std::uint8_t>(p, p + m->payloadlen)});
    }

    // ---- helpers --------------------------------------------------------

    void debug(const std::string& line) {
        if (!stopped_ && handlers_.on_debug) handlers_.on_debug(line);
    }

    // Calls on_fatal as the very last thing: the handler may destroy us.
    void fatal(FatalKind kind, const std::string& reason) {
        state_ = State::failed;
        events_.clear();
        retry_timer_.cancel();
        misc_timer_.cancel();
        detach();
        if (handlers_.on_fatal) {
            auto h = handlers_.on_fatal;  // survives our destruction
            h(kind, reason);
        }
    }

    // ---- connection attempts -------------------------------------------

    void begin_attempt() {
        state_ = State::connecting;
        connack_ok_ = false;
        detach();  // the library closes and replaces the socket
        debug("connecting to " + opts_.broker.display() + " as " + client_id_);
        events_.clear();  // nothing from an earlier connection may leak into this one
        last_in_ = last_out_ = Clock::now();  // CONNECT; keepalive bounds its CONNACK
        int rc;
        if (!configured_) {
            rc = mosquitto_connect_async(mosq_, opts_.broker.host.c_str(), opts_.broker.port,
                                         opts_.keepalive_s);
            configured_ = rc != MOSQ_ERR_INVAL;
        } else {
            rc = mosquitto_reconnect_async(mosq_);
        }
        const int err = errno;
        if (rc != MOSQ_ERR_SUCCESS) {
            if (tls_handshake_failed(rc)) return;
            attempt_failed(describe(rc, err));
            return;
        }
        const Duration bound = policy_.attempt_timeout(now());
        arm_retry_timer(std::chrono::duration_cast<Clock::duration>(bound), [this, bound] {
            if (state_ != State::connecting) return;
            attempt_failed(std::string(connack_ok_ ? "no SUBACK" : "no CONNACK") + " within " +
                           human(bound));
        });
        sync_io();
    }

    void attempt_failed(const std::string& why) {
        detach();
        const auto next = policy_.failed(now());
        if (next.give_up()) {
            fatal(FatalKind::unavailable, why + ": " + opts_.broker.display());
            return;
        }
        state_ = State::waiting;
        debug("connection attempt failed: " + why + "; next attempt in " + human(next.delay));
        arm_retry_timer(std::chrono::duration_cast<Clock::duration>(next.delay),
                        [this] { begin_attempt(); });
        // Reported from the loop, not from inside this library call: the
        // same call may still find the failure fatal (a TLS handshake that
        // cannot succeed), and then only the fatal reason is reported.
        if (handlers_.on_retry) {
            asio::post(io_, guarded([this, text = "cannot connect to " + opts_.broker.display() +
                                                   ": " + why] {
                if (state_ == State::failed || !handlers_.on_retry) return;
                auto h = handlers_.on_retry;
                h(text);
            }));
        }
    }

    // The connection (or the attempt) ended; decides whether anyone hears.
    void lost(const std::string& why) {
        if (state_ == State::connecting) {
            attempt_failed(why);
        } else if (state_ == State::up) {
            detach();
            state_ = State::waiting;
            // After connected() the policy starts over at the first step.
            const auto next = policy_.failed(now());
            arm_retry_timer(std::chrono::duration_cast<Clock::duration>(next.delay),
                            [this] { begin_attempt(); });
            if (handlers_.on_disconnected) {
                auto h = handlers_.on_disconnected;
                h(why);
            }
        }
    }

    template <class F>
    void arm_retry_timer(Clock::duration d, F f) {
        const auto gen = ++retry_gen_;
        retry_timer_.expires_after(d);
        retry_timer_.async_wait([w = std::weak_ptr<int>(alive_), this, gen, f](
                                    const boost::system::error_code& ec) mutable {
            if (w.expired() || stopped_ || ec || gen != retry_gen_) return;
            f();
        });
    }

    // When mosquitto_loop_misc has work: keepalive after the last packet
    // either way (the library sends PINGREQ when either is that old, and
    // gives up on a PINGREQ unanswered that long), plus kMiscSlack for the
    // library's whole seconds.
    Clock::duration keepalive() const { return std::chrono::seconds(std::max(opts_.keepalive_s, 1)); }
    Clock::time_point misc_work_at() const {
        return std::min(last_in_, last_out_) + keepalive() + kMiscSlack;
    }
    // The timer waits until 1.25 keepalives: a node that hears the group's
    // pings sends its PINGREQ from the first read after misc_work_at()
    // instead (on_readable), in a wake-up it has anyway, and the timer is
    // only the fallback for a silent channel. A quarter keepalive before
    // the broker's 1.5 (10 s: at 12.5 s at the latest, 2.5 s before the
    // broker's 15 s). With the timer at 13.5 s, one real run of 1000
    // members on 2 cores had 11 dropped for silence (the cause not proven;
    // bench/RESULTS-issue13.md). At 4 s or below the slack alone takes the
    // whole quarter and no grace is added.
    Clock::time_point misc_due() const {
        const auto grace = std::max<Clock::duration>(Clock::duration(0), keepalive() / 4 - kMiscSlack);
        return std::max(Clock::now() + kMiscSlack, misc_work_at() + grace);
    }

    void arm_misc_timer() {
        misc_timer_.expires_at(misc_due());
        misc_timer_.async_wait([w = std::weak_ptr<int>(alive_), this](
                                   const boost::system::error_code& ec) {
            if (w.expired() || stopped_ || ec || state_ == State::failed) return;
            // Traffic since the timer was set moved the deadline: sleep on.
            if (fd_ < 0 || Clock::now() < misc_work_at()) {
                arm_misc_timer();
                return;
            }
            // A PINGRESP held back must be read before the library looks
            // for it, or it takes the broker for hung.
            if (settle_lowat()) {
                ReadEnd r;
                while ((r = read_some()) == ReadEnd::more) {}
                if (r == ReadEnd::gone) return;
            }
            if (run_misc()) sync_io();
        });
    }

    // A PINGREQ, or the end of the connection. False when this object is
    // gone, stopped or failed (after_call).
    bool run_misc() {
        // Recorded before the timer is re-armed, so it sleeps a whole
        // keepalive again (armed first, it would wake once more a second
        // later for nothing). Both, as the library does on a PINGREQ: it
        // then gives the broker a keepalive to answer.
        last_in_ = last_out_ = Clock::now();
        arm_misc_timer();
        int rc = mosquitto_loop_misc(mosq_);
        int err = errno;
        if (!after_call(rc, err)) return false;
        // Only run when due (misc_work_at), the library sent a PINGREQ if
        // the connection is still there.
        raise_lowat();
        // Fallback for the edge-triggered reactor: if bytes still wait to
        // go out, try now (EAGAIN is harmless).
        if (fd_ >= 0 && mosquitto_want_write(mosq_)) {
            rc = mosquitto_loop_write(mosq_, 1);
            err = errno;
            if (!after_call(rc, err)) return false;
        }
        return fd_ >= 0;
    }

    // ---- socket plumbing ----------------------------------------------

    void detach() {
        if (fd_ < 0) return;
        // Pending waits complete with operation_aborted; io_gen_ makes any
        // completion already queued harmless too.
        sd_.release();
        fd_ = -1;
        ++io_gen_;
        reading_ = writing_ = false;
        lowat_raised_ = false;  // the next socket starts at the default
    }

    // After a PINGREQ: the PINGRESP alone does not wake us (top of the file).
    void raise_lowat() {
        if (fd_ < 0 || lowat_raised_ || opts_.broker.scheme != BrokerUrl::Scheme::mqtt) return;
        const int v = kLowatAwaitingPingresp;
        lowat_raised_ = setsockopt(fd_, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v) == 0;
    }
    // Back to the default: whatever waits becomes readable (the kernel
    // signals it at once). True when it had been raised.
    bool settle_lowat() {
        if (!lowat_raised_) return false;
        lowat_raised_ = false;
        const int v = 1;
        if (fd_ >= 0) (void)setsockopt(fd_, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v);
        return true;
    }

    // Re-attach if the library swapped or closed its socket.
    void sync_fd() {
        const int fd = mosquitto_socket(mosq_);
        if (fd == fd_) return;
        detach();
        if (fd < 0) return;
        boost::system::error_code ec;
        sd_.assign(fd, ec);
        if (ec) {
            debug("cannot watch the MQTT socket: " + ec.message());
            return;
        }
        fd_ = fd;
    }

    // Arms the waits the library's state asks for.
    void sync_io() {
        if (stopped_ || !mosq_) return;
        sync_fd();
        if (fd_ < 0) return;
        if (!reading_) {
            reading_ = true;
            sd_.async_wait(asio::posix::stream_descriptor::wait_read,
                           io_handler([this] { on_readable(); }));
        }
        if (!writing_ && mosquitto_want_write(mosq_)) {
            writing_ = true;
            sd_.async_wait(asio::posix::stream_descriptor::wait_write,
                           io_handler([this] { on_writable(); }));
        }
    }

    enum class ReadEnd { drained, more, gone };
    // Reads until EAGAIN (drained) or for kReadBurst packets (more); gone:
    // this object is gone, stopped or failed, or the connection was lost.
    ReadEnd read_some() {
        for (int i = 0; i < kReadBurst; ++i) {
            errno = 0;
            const int rc = mosquitto_loop_read(mosq_, 1);
            const int err = errno;
            if (rc == MOSQ_ERR_SUCCESS && err != EAGAIN && err != EWOULDBLOCK)
                last_in_ = Clock::now();
            if (!after_call(rc, err) || fd_ < 0) return ReadEnd::gone;
            if (err == EAGAIN || err == EWOULDBLOCK) return ReadEnd::drained;
        }
        return ReadEnd::more;
    }

    void on_readable() {
        reading_ = false;
        settle_lowat();
        std::weak_ptr<int> w = alive_;
        switch (read_some()) {
        case ReadEnd::gone: return;
        case ReadEnd::drained:
            // The keepalive's PINGREQ rides on this wake-up when it is due
            // (see misc_due), after the reads: a PINGRESP held back since
            // the last one is read first.
            if (Clock::now() >= misc_work_at() && !run_misc()) return;
            sync_io();
            return;
        case ReadEnd::more: break;
        }
        // More may be buffered: continue soon without starving others.
        reading_ = true;
        asio::post(io_, [w, this, gen = io_gen_] {
            if (w.expired() || stopped_ || gen != io_gen_) return;
            on_readable();
        });
        sync_io();
    }

    void on_writable() {
        writing_ = false;
        const int rc = mosquitto_loop_write(mosq_, 1);
        const int err = errno;
        if (!after_call(rc, err)) return;
        sync_io();
    }

    // After every library call: follow the socket, feed queued events to the
    // handlers, then act on the call's own error. Returns false when this
    // object is gone, stopped or failed, so the caller must return at once.
    bool after_call(int rc, int err) {
        sync_fd();  // before any handler runs (see the top of the file)
        std::weak_ptr<int> w = alive_;
        while (!events_.empty()) {
            Event ev = std::move(events_.front());
            events_.pop_front();
            std::visit([this](auto& e) { handle(e); }, ev);
            if (w.expired()) return false;
            if (stopped_ || state_ == State::failed) return false;
        }
        if (tls_handshake_failed(rc)) return false;
        if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
            lost(describe(rc, err));
            if (w.expired()) return false;
        }
        if (stopped_ || state_ == State::failed) return false;
        sync_io();
        return true;
    }

    // ---- events -------------------------------------------------------

    void handle(Connack& e) {
        if (state_ != State::connecting) return;
        if (e.rc != 0) {
            const std::string why = mosquitto_connack_string(e.rc);
            if (is_denial(e.rc)) {
                fatal(FatalKind::denied, why + ": " + opts_.broker.display());
            } else {
                attempt_failed(why);
            }
            return;
        }
        const int rc = mosquitto_subscribe(mosq_, &sub_mid_, opts_.group.c_str(), /*qos=*/0);
        const int err = errno;
        if (rc != MOSQ_ERR_SUCCESS) {
            attempt_failed("subscribe failed: " + describe(rc, err));
            return;
        }
        connack_ok_ = true;
        debug("connected; subscribing to " + opts_.group);
        sync_io();
    }

    void handle(Suback& e) {
        if (state_ != State::connecting || e.mid != sub_mid_) return;
        if (e.granted == 0x80) {
            fatal(FatalKind::denied, "subscription to " + opts_.group + " refused");
            return;
        }
        retry_timer_.cancel();
        ++retry_gen_;
        state_ = State::up;
        policy_.connected(now());
        debug("subscribed to " + opts_.group);
        if (handlers_.on_connected) {
            auto h = handlers_.on_connected;
            h();
        }
    }

    void handle(Lost& e) {
        if (e.rc == MOSQ_ERR_SUCCESS) return;  // our own disconnect
        if (tls_handshake_failed(e.rc)) return;
        lost(describe(e.rc, e.err));
    }

    // libmosquitto reports MOSQ_ERR_TLS (from the call, or as the reason of
    // the disconnect it reports first) when the handshake itself fails, i.e.
    // the broker's certificate does not verify against --cafile/--capath (or
    // the name does not match). On the first connection retrying cannot
    // help, and retrying until --timeout would end in a bare "cannot reach"
    // that hides the cause: say it now, as the only line.
    bool tls_handshake_failed(int rc) {
        if (rc != MOSQ_ERR_TLS || state_ != State::connecting || policy_.ever_connected())
            return false;
        fatal(FatalKind::unavailable,
              "TLS handshake with " + opts_.broker.display() +
                  " failed: the broker's certificate did not verify (check --cafile/--capath)");
        return true;
    }

    void handle(Message& e) {
        if (state_ != State::up || !handlers_.on_message) return;
        auto h = handlers_.on_message;
        h(std::span<const std::uint8_t>(e.payload), std::nullopt);
    }

    asio::io_context& io_;
    TransportOptions opts_;
    TransportHandlers handlers_;
    std::string client_id_;
    mosquitto* mosq_ = nullptr;
    std::optional<std::pair<FatalKind, std::string>> setup_error_;

    asio::posix::stream_descriptor sd_;
    int fd_ = -1;
    std::uint64_t io_gen_ = 0;
    bool reading_ = false;
    bool writing_ = false;
    bool lowat_raised_ = false;  // SO_RCVLOWAT is kLowatAwaitingPingresp

    asio::steady_timer retry_timer_;
    std::uint64_t retry_gen_ = 0;
    asio::steady_timer misc_timer_;
    Clock::time_point last_in_{}, last_out_{};  // the last packet read, sent

    State state_ = State::idle;
    bool started_ = false;
    bool stopped_ = false;
    bool configured_ = false;
    bool connack_ok_ = false;  // this attempt got its CONNACK
    std::mt19937_64 rng_;      // jitter of the backoff
    ReconnectPolicy policy_;
    int sub_mid_ = -1;
    std::deque<Event> events_;

    // Continuations hold a weak_ptr to this; it expires with the object.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace

std::unique_ptr<Transport> make_mqtt_transport(asio::io_context& io, const TransportOptions& opts) {
    return std::make_unique<MqttTransport>(io, opts);
}

}  // namespace actor::detail
