// The MQTT transport against a real, private mosquitto (tests/support/broker).
// Every wait runs the io_context until the awaited callback has happened or a
// deadline passes; no sleeps.
#include "actor/codec.hpp"
#include "actor/transport.hpp"
#include "support/broker.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <future>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using actor::FatalKind;
using actor::test::Broker;
using actor::test::BrokerConfig;
using Clock = std::chrono::steady_clock;

// Records everything a transport reports.
struct Recorder {
    int connected = 0;
    std::vector<std::string> disconnected;
    std::vector<std::string> retries;
    std::vector<std::string> messages;
    std::optional<FatalKind> fatal_kind;
    std::string fatal_reason;

    actor::TransportHandlers handlers() {
        actor::TransportHandlers h;
        h.on_connected = [this] { ++connected; };
        h.on_disconnected = [this](const std::string& why) { disconnected.push_back(why); };
        h.on_retry = [this](const std::string& why) { retries.push_back(why); };
        h.on_message = [this](std::span<const std::uint8_t> p, std::optional<std::uint64_t>) {
            messages.emplace_back(p.begin(), p.end());
        };
        h.on_fatal = [this](FatalKind k, const std::string& why) {
            fatal_kind = k;
            fatal_reason = why;
        };
        return h;
    }
    bool has(const std::string& m) const {
        return std::find(messages.begin(), messages.end(), m) != messages.end();
    }
};

// Runs `io` until `done()` or the deadline; returns done().
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               Clock::duration limit = 10s) {
    const auto end = Clock::now() + limit;
    while (!done() && Clock::now() < end) {
        if (io.stopped()) io.restart();
        io.run_one_for(std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()));
    }
    return done();
}

std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

actor::TransportOptions options(const std::string& url, const std::string& group = "actor/test") {
    actor::TransportOptions o;
    auto b = actor::parse_broker_url(url);
    EXPECT_TRUE(b.ok());
    o.broker = *b;
    o.group = group;
    o.client_id = "test";
    o.connect_timeout = 5s;
    o.max_backoff = 200ms;
    return o;
}

TEST(MqttTransport, ReceivesItsOwnMessageBack) {
    Broker broker;
    ASSERT_TRUE(broker.start()) << broker.log();
    boost::asio::io_context io;
    Recorder rec;
    auto t = actor::make_transport(io, options(broker.url()));
    EXPECT_FALSE(t->connected());
    t->start(rec.handlers());
    ASSERT_TRUE(run_until(io, [&] { return rec.connected == 1 || rec.fatal_kind; }));
    ASSERT_FALSE(rec.fatal_kind) << rec.fatal_reason;
    EXPECT_TRUE(t->connected());

    ASSERT_TRUE(t->publish(bytes("hello")).ok());
    ASSERT_TRUE(run_until(io, [&] { return rec.has("hello"); }));

    // Empty payloads and large ones up to the limit travel too.
    ASSERT_EQ(t->max_payload(), std::optional<std::size_t>(actor::max_wire_size));
    const std::string big(actor::max_wire_size, 'x');
    ASSERT_TRUE(t->publish(bytes("")).ok());
    ASSERT_TRUE(t->publish(bytes(big)).ok());
    ASSERT_TRUE(run_until(io, [&] { return rec.has(big); }));
    EXPECT_TRUE(rec.has(""));
    t->stop();
}

TEST(MqttTransport, RefusesOversizedPayloads) {
    Broker broker;
    ASSERT_TRUE(broker.start()) << broker.log();
    boost::asio::io_context io;
    Recorder rec;
    auto t = actor::make_transport(io, options(broker.url()));
    t->start(rec.handlers());
    ASSERT_TRUE(run_until(io, [&] { return rec.connected == 1; }));
    // The limit is what every decoder accepts (64 KiB), stated with both sizes.
    auto r = t->publish(std::vector<std::uint8_t>(actor::max_wire_size + 1, 0));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "message of 65537 bytes exceeds the MQTT limit of 65536 bytes "
              "(the most any actor node decodes)");
    EXPECT_TRUE(t->connected());
}

TEST(MqttTransport, TwoTransportsSeeEachOther) {
    Broker broker;
    ASSERT_TRUE(broker.start()) << broker.log();
    boost::asio::io_context io;
    Recorder a_rec, b_rec, other_rec;
    // Same client id hint on purpose: ids must still differ per transport.
    auto a = actor::make_transport(io, options(broker.url()));
    auto b = actor::make_transport(io, options(broker.url()));
    auto other = actor::make_transport(io, options(broker.url(), "actor/other"));
    a->start(a_rec.handlers());
    b->start(b_rec.handlers());
    other->start(other_rec.handlers());
    ASSERT_TRUE(run_until(io, [&] {
        return a_rec.connected && b_rec.connected && other_rec.connected;
    }));
    ASSERT_TRUE(a->publish(bytes("from a")).ok());
    ASSERT_TRUE(b->publish(bytes("from b")).ok());
    ASSERT_TRUE(run_until(io, [&] {
        return a_rec.has("from b") && b_rec.has("from a") && a_rec.has("from a") &&
               b_rec.has("from b");
    }));
    // Nobody got kicked for a duplicate client id, and other groups stay apart.
    EXPECT_TRUE(a_rec.disconnected.empty());
    EXPECT_TRUE(b_rec.disconnected.empty());
    EXPECT_TRUE(other_rec.messages.empty());
}

// The times this thread has blocked and been woken since it started.
long thread_wakeups() {
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return u.ru_nvcsw;
}

// The keepalive (mqtt_transport.cpp, misc_due): a node that only listens
// sends its PINGREQ from the first read after the keepalive (hearing), or
// from the fallback timer at 1.25 keepalives (quiet channel); both
// stay within the broker's 1.5 keepalives, so neither is dropped. And the
// PINGRESP does not wake a listener (SO_RCVLOWAT after a PINGREQ): it is
// read with the next message, or (quiet) at the next timer, before the
// library looks for it. The hearing listener is alone on this thread, so
// it blocks and wakes once per message at most (51 for 50 here, see
// below); before, each PINGRESP woke it once more (53).
TEST(MqttTransport, ListenersThatNeverPublishStayConnectedPastTheKeepalive) {
    Broker broker;
    ASSERT_TRUE(broker.start()) << broker.log();
    constexpr int keepalive_s = 6;  // the broker drops a client silent for 9 s
    // The talker publishes every 300 ms for 2.5 keepalives (without any
    // PINGREQ both listeners are dropped within that: checked by hand).
    constexpr int total = keepalive_s * 2500 / 300;
    auto listener_options = [&](const std::string& group, int keepalive) {
        auto o = options(broker.url(), group);
        o.keepalive_s = keepalive;
        return o;
    };
    // The talker and the quiet listener: their own thread and loop. They
    // connect, say so, and the talker publishes when this thread posts the go.
    boost::asio::io_context tio;
    std::promise<bool> others_up;
    std::function<void()> go;  // set and run on the talker's thread
    Recorder quiet_rec;
    std::thread other_thread([&] {
        Recorder talker_rec;
        auto talker = actor::make_transport(tio, options(broker.url(), "actor/heard"));
        // 5 s (libmosquitto's least): its PINGREQs at about 7.25 and 14.5 s,
        // the second after reading the first one's PINGRESP, held back.
        auto quiet = actor::make_transport(tio, listener_options("actor/quiet", 5));
        talker->start(talker_rec.handlers());
        quiet->start(quiet_rec.handlers());
        others_up.set_value(run_until(
            tio, [&] { return talker_rec.connected == 1 && quiet_rec.connected == 1; }));
        boost::asio::steady_timer tick(tio);
        int sent = 0;
        std::function<void()> next = [&] {
            if (!talker->publish(bytes("m" + std::to_string(sent))).ok() || ++sent == total) {
                tio.stop();  // the transports keep timers of their own
                return;
            }
            tick.expires_after(300ms);
            tick.async_wait([&](const boost::system::error_code& ec) {
                if (!ec) next();
            });
        };
        go = [&] { next(); };
        auto work = boost::asio::make_work_guard(tio);
        tio.run();
        talker->stop();
        quiet->stop();
    });
    boost::asio::io_context io;
    Recorder hearing_rec;
    auto hearing = actor::make_transport(io, listener_options("actor/heard", keepalive_s));
    hearing->start(hearing_rec.handlers());
    const bool hearing_up = run_until(io, [&] { return hearing_rec.connected == 1; });
    const bool up = others_up.get_future().get() && hearing_up;
    long woken = -1;
    bool heard = false;
    const std::string last = "m" + std::to_string(total - 1);
    if (up) {
        boost::asio::post(tio, [&] { go(); });
        const long woken0 = thread_wakeups();
        heard = run_until(io, [&] { return hearing_rec.has(last); }, 30s);
        woken = thread_wakeups() - woken0;
    } else {
        tio.stop();
    }
    other_thread.join();
    ASSERT_TRUE(up) << "hearing " << hearing_up;
    ASSERT_TRUE(heard) << hearing_rec.messages.size() << " of " << total;
    EXPECT_TRUE(hearing_rec.disconnected.empty());
    EXPECT_TRUE(quiet_rec.disconnected.empty());
    EXPECT_EQ(hearing_rec.connected, 1);
    EXPECT_EQ(quiet_rec.connected, 1);
    EXPECT_EQ(hearing_rec.messages.size(), static_cast<std::size_t>(total));
    // One more: the connection attempt's time bound, cancelled at the
    // SUBACK, still fires the loop's timerfd once (Asio does not re-program
    // it on a cancel).
    EXPECT_LE(woken, total + 1) << "woken " << woken << " times for " << total << " messages";
}

TEST(MqttTransport, BrokerNotRunningIsUnavailableAfterConnectTimeout) {
    const auto port = Broker::free_port();
    boost::asio::io_context io;
    Recorder rec;
    auto opts = options("mqtt://127.0.0.1:" + std::to_string(port));
    opts.connect_timeout = 1s;
    auto t = actor::make_transport(io, opts);
    const auto started = Clock::now();
    t->start(rec.handlers());
    ASSERT_TRUE(run_until(io, [&] { return rec.fatal_kind.has_value(); }, 5s));
    const auto took = Clock::now() - started;
    EXPECT_EQ(*rec.fatal_kind, FatalKind::unavailable);
    EXPECT_NE(rec.fatal_reason.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
        << rec.fatal_reason;
    EXPECT_GE(took, 900ms);
    EXPECT_LT(took, 3s);
    EXPECT_EQ(rec.connected, 0);
    // Every failed attempt before the last was reported, naming the broker.
    ASSERT_GE(rec.retries.size(), 3u);
    EXPECT_NE(rec.retries[0].find("127.0.0.1:" + std::to_string(port)), std::string::npos)
        << rec.retries[0];
    // Nothing more after the fatal report.
    const auto retries = rec.retries.size();
    io.run_for(300ms);
    EXPECT_EQ(rec.connected, 0);
    EXPECT_EQ(rec.retries.size(), retries);
}

TEST(MqttTransport, WithoutConnectTimeoutKeepsTryingUntilTheBrokerComes) {
    Broker broker;  // its port is chosen, nothing listens on it yet
    boost::asio::io_context io;
    Recorder rec;
    auto opts = options(broker.url());
    opts.connect_timeout = std::nullopt;
    auto t = actor::make_transport(io, opts);
    t->start(rec.handlers());
    ASSERT_TRUE(run_until(io, [&] { return rec.retries.size() >= 6 || rec.fatal_kind; }));
    EXPECT_FALSE(rec.fatal_kind) << rec.fatal_reason;
    EXPECT_EQ(rec.connected, 0);
    for (const auto& why : rec.retries) {
        EXPECT_EQ(why, "cannot connect to mqtt://127.0.0.1:" + std::to_string(broker.port()) +
                           ": Connection refused");
    }
    ASSERT_TRUE(broker.start()) << broker.log();
    ASSERT_TRUE(run_until(io, [&] { return rec.connected == 1 || rec.fatal_kind; }));
    EXPECT_FALSE(rec.fatal_kind) << rec.fatal_reason;
    EXPECT_TRUE(t->connected());
    // Up: no more retries reported.
    const auto retries = rec.retries.size();
    io.run_for(300ms);
    EXPECT_EQ(rec.retries.size(), retries);
}

TEST(MqttTransport, UnknownHostIsUnavailable) {
    boost::asio::io_context io;
    Recorder rec;
    auto opts = options("mqtt://no-such-host.invalid:1883");
    opts.connect_timeout = 500ms;
    auto t = actor::make_transport(io, opts);
    t->start(rec.handlers());
    ASSERT_TRUE(run_until(io, [&] { return rec.fatal_kind.has_value(); }, 30s));
    EXPECT_EQ(*rec.fatal_kind, FatalKind::unavailable);
}

TEST(MqttTransport, BrokerComesUpDuringTheFirstConnectTimeout) {
    Broker broker;  // not started yet
    boost::asio::io_context io;
    Recorder rec;
    auto t = actor::make_transport(io, options(broker.url()));
    t->start(rec.handlers());
    // Let a few attempts fail first.
    io.run_for(300ms);
    EXPECT_EQ(rec.connected, 0);
    EXPECT_FALSE(rec.fatal_kind);
    ASSERT_TRUE(broker.start()) << broker.log();
    ASSERT_TRUE(run_until(io, [&] { return rec.connected == 1 || rec.fatal_kind; }));
    EXPECT_FALSE(rec.fatal_kind) << rec.fatal_reason;
}

TEST(MqttTransport, ReconnectsAfterBrokerRestart) {
    Broker broker;
    ASSERT_TRUE(broker.start()) << broker.log();
    boost::asio::io_context io;
    Recorder rec;
    auto t = actor::make_transport(io, options(broker.url()));
    t->start(rec.handlers());
    ASSERT_TRUE(run_until(io, [&] { return rec.connected == 1; }));

    broker.stop();
    ASSERT_TRUE(run_until(io, [&] { return !rec.disconnected.empty(); }));
    EXPECT_FALSE(t->connected());
    EXPECT_FALSE(rec.disconnected[0].empty());
    EXPECT_EQ(rec.connected, 1);
    // While down, payloads are dropped, not queued.
    auto r = t->publish(bytes("while down"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "not connected to the broker");
    // Stay down across a few backoff rounds: no second disconnect report.
    io.run_for(500ms);
    EXPECT_EQ(rec.disconnected.size(), 1u);

    ASSERT_TRUE(broker.start()) << broker.log();
    ASSERT_TRUE(run_until(io, [&] { return rec.connected == 2; }));
    EXPECT_TRUE(t->connected());
    ASSERT_TRUE(t->publish(bytes("after restart")).ok());
    ASSERT_TRUE(run_until(io, [&] { return rec.has("after restart"); }));
    EXPECT_FALSE(rec.has("while down"));
    EXPECT_FALSE(rec.fatal_kind);
}

TEST(MqttTransport, CredentialsAreUsed) {
    BrokerConfig cfg;
    cfg.users = {{"alice", "s3cret"}};
    Broker broker(cfg);
    ASSERT_TRUE(broker.start()) << broker.log();
    boost::asio::io_context io;
    Recorder rec;
    auto opts = options("mqtt://alice@127.0.0.1:" + std::to_string(broker.port()));
    opts.password = "s3cret";
    auto t = actor::make_transport(io, opts);
    auto h = rec.handlers();
    std::vector<std::string> debug;
    h.on_debug = [&](const std::string& line) { debug.push_back(line); };
    t->start(h);
    ASSERT_TRUE(run_until(io, [&] { return rec.connected == 1 || rec.fatal_kind; }));
    EXPECT_FALSE(rec.fatal_kind) << rec.fatal_reason;
    EXPECT_FALSE(debug.empty());
    for (const auto& line : debug) EXPECT_EQ(line.find("s3cret"), std::string::npos) << line;
}

TEST(MqttTransport, WrongPasswordIsDenied) {
    BrokerConfig cfg;
    cfg.users = {{"alice", "s3cret"}};
    Broker broker(cfg);
    ASSERT_TRUE(broker.start()) << broker.log();
    boost::asio::io_context io;
    Recorder rec;
    auto opts = options(broker.url());
    opts.username = "alice";  // overrides the URL's (absent) user
    opts.password = "wrong";
    auto t = actor::make_transport(io, opts);
    t->start(rec.handlers());
    ASSERT_TRUE(run_until(io, [&] { return rec.fatal_kind.has_value(); }));
    EXPECT_EQ(*rec.fatal_kind, FatalKind::denied);
    EXPECT_EQ(rec.connected, 0);
    EXPECT_EQ(rec.fatal_reason.find("wrong"), std::string::npos);  // never printed
    EXPECT_NE(rec.fatal_reason.find("Connection Refused"), std::string::npos) << rec.fatal_reason;
}

TEST(MqttTransport, RefusedSubscriptionIsDenied) {
    BrokerConfig cfg;
    cfg.deny_subscribe = {"actor/secret"};
    Broker broker(cfg);
    ASSERT_TRUE(broker.start()) << broker.log();
    boost::asio::io_context io;
    Recorder rec;
    auto t = actor::make_transport(io, options(broker.url(), "actor/secret"));
    t->start(rec.handlers());
    ASSERT_TRUE(run_until(io, [&] { return rec.fatal_kind.has_value() || rec.connected; }));
    ASSERT_TRUE(rec.fatal_kind.has_value());
    EXPECT_EQ(*rec.fatal_kind, FatalKind::denied);
    EXPECT_EQ(rec.fatal_reason, "subscription to actor/secret refused");
    EXPECT_EQ(rec.connected, 0);
}

TEST(MqttTransport, AclFileFiltersDeliveryOnly) {
    // What mosquitto 2.0's acl_file does with an unreadable topic: the
    // subscription is granted, messages are just not delivered.
    BrokerConfig cfg;
    cfg.acl = "topic write actor/#\n";
    Broker broker(cfg);
    ASSERT_TRUE(broker.start()) << broker.log();
    boost::asio::io_context io;
    Recorder rec, other;
    auto t = actor::make_transport(io, options(broker.url(), "actor/secret"));
    auto o = actor::make_transport(io, options(broker.url(), "actor/secret"));
    t->start(rec.handlers());
    o->start(other.handlers());
    ASSERT_TRUE(run_until(io, [&] { return (rec.connected && other.connected) || rec.fatal_kind; }));
    ASSERT_FALSE(rec.fatal_kind) << rec.fatal_reason;
    ASSERT_TRUE(t->publish(bytes("unseen")).ok());
    io.run_for(300ms);  // a negative: give delivery a fair chance
    EXPECT_TRUE(rec.messages.empty());
    EXPECT_TRUE(other.messages.empty());
}

TEST(MqttTransport, BadGroupIsAUsageError) {
    boost::asio::io_context io;
    Recorder rec;
    auto t = actor::make_transport(io, options("mqtt://127.0.0.1:1", "actor/+"));
    t->start(rec.handlers());
    ASSERT_TRUE(run_until(io, [&] { return rec.fatal_kind.has_value(); }, 2s));
    EXPECT_EQ(*rec.fatal_kind, FatalKind::usage);
}

TEST(MqttTransport, StopThenDestroyIsClean) {
    Broker broker;
    ASSERT_TRUE(broker.start()) << broker.log();
    boost::asio::io_context io;
    Recorder rec, watcher_rec;
    auto watcher = actor::make_transport(io, options(broker.url()));
    watcher->start(watcher_rec.handlers());
    auto t = actor::make_transport(io, options(broker.url()));
    t->start(rec.handlers());
    ASSERT_TRUE(run_until(io, [&] { return rec.connected && watcher_rec.connected; }));
    ASSERT_TRUE(t->publish(bytes("last words")).ok());
    t->stop();
    EXPECT_FALSE(t->connected());
    t.reset();  // io_context still holds the cancelled waits
    ASSERT_TRUE(run_until(io, [&] { return watcher_rec.has("last words"); }));
    io.run_for(200ms);
    // No handler ran after stop().
    EXPECT_TRUE(rec.disconnected.empty());
    EXPECT_TRUE(rec.messages.empty());
    EXPECT_FALSE(rec.fatal_kind);
}

TEST(MqttTransport, DestroyWithoutStopMidConnect) {
    const auto port = Broker::free_port();
    boost::asio::io_context io;
    Recorder rec;
    auto t = actor::make_transport(io, options("mqtt://127.0.0.1:" + std::to_string(port)));
    t->start(rec.handlers());
    io.run_for(150ms);
    t.reset();
    io.run_for(200ms);
    EXPECT_FALSE(rec.fatal_kind);
}

TEST(MqttTransport, HandlerMayStopAndDestroyTheTransport) {
    Broker broker;
    ASSERT_TRUE(broker.start()) << broker.log();
    boost::asio::io_context io;
    std::unique_ptr<actor::Transport> t = actor::make_transport(io, options(broker.url()));
    int connected = 0;
    actor::TransportHandlers h;
    h.on_connected = [&] {
        ++connected;
        (void)t->publish(bytes("x"));
    };
    h.on_message = [&](std::span<const std::uint8_t>, std::optional<std::uint64_t>) {
        t->stop();
        t.reset();
    };
    t->start(h);
    ASSERT_TRUE(run_until(io, [&] { return t == nullptr; }));
    io.run_for(200ms);
    EXPECT_EQ(connected, 1);
}

}  // namespace
