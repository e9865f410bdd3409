// The serf:// transport against real Serf agents started by the test on
// free loopback ports (tests/support/serf_agent.hpp).
#include "../../libactor/src/transport/factories.hpp"
#include "support/serf_agent.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using actor::FatalKind;
using actor::TransportOptions;
using actor::test::SerfAgent;

namespace {

// Drives the io_context in short slices until `pred` holds or `limit` passes.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& pred,
               std::chrono::milliseconds limit) {
    auto guard = boost::asio::make_work_guard(io);
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > until) return false;
        io.restart();
        io.run_for(10ms);
    }
    return true;
}

TransportOptions options(std::uint16_t rpc_port, const std::string& group = "actor/test") {
    TransportOptions o;
    o.broker.scheme = actor::BrokerUrl::Scheme::serf;
    o.broker.host = "127.0.0.1";
    o.broker.port = rpc_port;
    o.group = group;
    o.connect_timeout = 5s;
    o.max_backoff = 400ms;
    return o;
}

std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

// One transport and everything its handlers reported.
struct Probe {
    int connected = 0;
    int disconnected = 0;
    std::string disconnect_reason;
    std::vector<std::string> retries;
    std::vector<std::string> messages;
    std::vector<std::optional<std::uint64_t>> orders;
    std::optional<FatalKind> fatal;
    std::string fatal_reason;
    std::vector<std::string> debug;
    std::unique_ptr<actor::Transport> t;

    Probe(boost::asio::io_context& io, const TransportOptions& o) {
        t = actor::detail::make_serf_transport(io, o);
        actor::TransportHandlers h;
        h.on_connected = [this] { ++connected; };
        h.on_disconnected = [this](const std::string& r) {
            ++disconnected;
            disconnect_reason = r;
        };
        h.on_retry = [this](const std::string& r) { retries.push_back(r); };
        h.on_message = [this](std::span<const std::uint8_t> p, std::optional<std::uint64_t> order) {
            messages.emplace_back(p.begin(), p.end());
            orders.push_back(order);
        };
        h.on_fatal = [this](FatalKind k, const std::string& r) {
            fatal = k;
            fatal_reason = r;
        };
        h.on_debug = [this](const std::string& l) { debug.push_back(l); };
        t->start(std::move(h));
    }
    bool got(const std::string& m) const {
        return std::find(messages.begin(), messages.end(), m) != messages.end();
    }
    std::string dump() const {
        std::string s = "fatal: " + fatal_reason + "\n";
        for (const auto& l : debug) s += l + "\n";
        return s;
    }
};

}  // namespace

TEST(SerfTransport, PublishesAndReceivesItsOwnEvent) {
    SerfAgent agent("solo");
    agent.start();
    boost::asio::io_context io;
    Probe p(io, options(agent.rpc_port()));
    ASSERT_TRUE(run_until(io, [&] { return p.connected == 1; }, 5s)) << p.dump();
    EXPECT_TRUE(p.t->connected());
    ASSERT_TRUE(p.t->publish(bytes("hello")).ok());
    ASSERT_TRUE(run_until(io, [&] { return p.got("hello"); }, 3s)) << p.dump();
    ASSERT_EQ(p.orders.size(), 1u);
    EXPECT_TRUE(p.orders[0].has_value());  // the LTime
    // Empty payloads come back as nil on the wire and still arrive.
    ASSERT_TRUE(p.t->publish({}).ok());
    ASSERT_TRUE(run_until(io, [&] { return p.got(""); }, 3s)) << p.dump();
    EXPECT_GT(*p.orders[1], *p.orders[0]);
    // Binary payload bytes survive unchanged.
    std::string bin("\x00\xff\x80\xc4\x01", 5);
    ASSERT_TRUE(p.t->publish(bytes(bin)).ok());
    ASSERT_TRUE(run_until(io, [&] { return p.got(bin); }, 3s)) << p.dump();
    EXPECT_FALSE(p.fatal.has_value());
    p.t->stop();
}

TEST(SerfTransport, OtherGroupsEventsAreNotDelivered) {
    SerfAgent agent("groups");
    agent.start();
    boost::asio::io_context io;
    Probe mine(io, options(agent.rpc_port(), "actor/one"));
    Probe other(io, options(agent.rpc_port(), "actor/two"));
    ASSERT_TRUE(run_until(io, [&] { return mine.connected && other.connected; }, 5s));
    ASSERT_TRUE(other.t->publish(bytes("for-two")).ok());
    ASSERT_TRUE(mine.t->publish(bytes("for-one")).ok());
    ASSERT_TRUE(run_until(io, [&] { return mine.got("for-one") && other.got("for-two"); }, 3s));
    EXPECT_FALSE(mine.got("for-two"));
    EXPECT_FALSE(other.got("for-one"));
}

TEST(SerfTransport, TwoJoinedAgentsSeeEachOthersEvents) {
    SerfAgent a("a");
    a.start();
    SerfAgent b("b", a.bind_port());
    b.start();
    boost::asio::io_context io;
    Probe pa(io, options(a.rpc_port()));
    Probe pb(io, options(b.rpc_port()));
    ASSERT_TRUE(run_until(io, [&] { return pa.connected == 1 && pb.connected == 1; }, 5s))
        << pa.dump() << pb.dump();
    // Gossip reaches the peer within ~100 ms once the join completed; send
    // a fresh event every 300 ms until one arrives, bounded at 10 s.
    bool a_to_b = false, b_to_a = false;
    for (int i = 0; i < 33 && !(a_to_b && b_to_a); ++i) {
        const std::string ma = "from-a-" + std::to_string(i), mb = "from-b-" + std::to_string(i);
        if (!a_to_b) {
            ASSERT_TRUE(pa.t->publish(bytes(ma)).ok());
        }
        if (!b_to_a) {
            ASSERT_TRUE(pb.t->publish(bytes(mb)).ok());
        }
        run_until(io, [&] { return (a_to_b || pb.got(ma)) && (b_to_a || pa.got(mb)); }, 300ms);
        a_to_b = a_to_b || pb.got(ma);
        b_to_a = b_to_a || pa.got(mb);
    }
    EXPECT_TRUE(a_to_b) << pb.dump();
    EXPECT_TRUE(b_to_a) << pa.dump();
}

TEST(SerfTransport, RefusesOversizedMessagesWithTheSizes) {
    SerfAgent agent("size");
    agent.start();
    boost::asio::io_context io;
    Probe p(io, options(agent.rpc_port(), "actor/sizeok"));  // event "actor.sizeok": 12 bytes
    ASSERT_EQ(p.t->max_payload(), std::optional<std::size_t>(458));
    // Known before connecting, from the options alone.
    EXPECT_EQ(actor::payload_limit(options(agent.rpc_port(), "actor/sizeok")),
              std::optional<std::size_t>(458));
    ASSERT_TRUE(run_until(io, [&] { return p.connected == 1; }, 5s)) << p.dump();
    auto r = p.t->publish(std::vector<std::uint8_t>(491, 'x'));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "message of 503 bytes (name 12 + payload 491) exceeds Serf's limit of 470");
    // The largest allowed payload really passes the agent's own checks.
    std::string biggest(458, 'y');
    ASSERT_TRUE(p.t->publish(bytes(biggest)).ok());
    ASSERT_TRUE(run_until(io, [&] { return p.got(biggest); }, 3s)) << p.dump();
    EXPECT_FALSE(p.fatal.has_value());
}

TEST(SerfTransport, RejectsGroupNamesSerfCannotCarry) {
    boost::asio::io_context io;
    // No agent needed: the name is checked before connecting.
    Probe comma(io, options(1, "actor/a,b"));
    Probe empty(io, options(1, ""));
    EXPECT_FALSE(comma.fatal.has_value());  // reported from the loop, not from start()
    ASSERT_TRUE(run_until(io, [&] { return comma.fatal && empty.fatal; }, 2s));
    EXPECT_EQ(*comma.fatal, FatalKind::usage);
    EXPECT_NE(comma.fatal_reason.find("','"), std::string::npos) << comma.fatal_reason;
    EXPECT_EQ(*empty.fatal, FatalKind::usage);
}

TEST(SerfTransport, AuthKeyRightWrongAndMissing) {
    SerfAgent agent("auth", std::nullopt, R"({"rpc_auth": "s3cret"})");
    agent.start();
    boost::asio::io_context io;

    auto good_opts = options(agent.rpc_port());
    good_opts.serf_auth = "s3cret";
    Probe good(io, good_opts);
    ASSERT_TRUE(run_until(io, [&] { return good.connected == 1; }, 5s)) << good.dump();
    ASSERT_TRUE(good.t->publish(bytes("authed")).ok());
    ASSERT_TRUE(run_until(io, [&] { return good.got("authed"); }, 3s)) << good.dump();

    auto bad_opts = options(agent.rpc_port());
    bad_opts.serf_auth = "wrong";
    Probe bad(io, bad_opts);
    ASSERT_TRUE(run_until(io, [&] { return bad.fatal.has_value(); }, 5s));
    EXPECT_EQ(*bad.fatal, FatalKind::denied);
    EXPECT_NE(bad.fatal_reason.find("Invalid authentication token"), std::string::npos)
        << bad.fatal_reason;
    EXPECT_EQ(bad.connected, 0);

    Probe none(io, options(agent.rpc_port()));
    ASSERT_TRUE(run_until(io, [&] { return none.fatal.has_value(); }, 5s));
    EXPECT_EQ(*none.fatal, FatalKind::denied);
    EXPECT_NE(none.fatal_reason.find("Authentication required"), std::string::npos)
        << none.fatal_reason;
}

TEST(SerfTransport, AgentNotRunningIsUnavailableAfterConnectTimeout) {
    boost::asio::io_context io;
    auto o = options(actor::test::free_loopback_port());
    o.connect_timeout = 1s;
    const auto t0 = std::chrono::steady_clock::now();
    Probe p(io, o);
    ASSERT_TRUE(run_until(io, [&] { return p.fatal.has_value(); }, 5s));
    const auto waited = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(*p.fatal, FatalKind::unavailable);
    EXPECT_NE(p.fatal_reason.find("127.0.0.1"), std::string::npos) << p.fatal_reason;
    EXPECT_GE(waited, 900ms);
    EXPECT_LT(waited, 2500ms);
    EXPECT_EQ(p.connected, 0);
    // Every failed attempt before the last was reported, naming the agent.
    ASSERT_GE(p.retries.size(), 3u);
    EXPECT_NE(p.retries[0].find("127.0.0.1:" + std::to_string(o.broker.port)), std::string::npos)
        << p.retries[0];
}

TEST(SerfTransport, WithoutConnectTimeoutKeepsTryingUntilTheAgentComes) {
    SerfAgent agent("late");  // ports chosen, not started yet
    boost::asio::io_context io;
    auto o = options(agent.rpc_port());
    o.connect_timeout = std::nullopt;
    Probe p(io, o);
    ASSERT_TRUE(run_until(io, [&] { return p.retries.size() >= 6 || p.fatal; }, 10s)) << p.dump();
    EXPECT_FALSE(p.fatal.has_value()) << p.fatal_reason;
    EXPECT_EQ(p.connected, 0);
    for (const auto& why : p.retries) {
        EXPECT_EQ(why, "cannot reach the Serf agent at 127.0.0.1:" +
                           std::to_string(agent.rpc_port()) + ": Connection refused");
    }
    agent.start();
    ASSERT_TRUE(run_until(io, [&] { return p.connected == 1 || p.fatal; }, 10s)) << p.dump();
    EXPECT_FALSE(p.fatal.has_value()) << p.fatal_reason;
    ASSERT_TRUE(p.t->publish(bytes("at-last")).ok());
    ASSERT_TRUE(run_until(io, [&] { return p.got("at-last"); }, 3s)) << p.dump();
}

TEST(SerfTransport, ReconnectsAfterTheAgentIsKilledAndRestarted) {
    SerfAgent agent("phoenix");
    agent.start();
    boost::asio::io_context io;
    Probe p(io, options(agent.rpc_port()));
    ASSERT_TRUE(run_until(io, [&] { return p.connected == 1; }, 5s)) << p.dump();
    ASSERT_TRUE(p.t->publish(bytes("same")).ok());
    ASSERT_TRUE(run_until(io, [&] { return p.messages.size() == 1; }, 3s)) << p.dump();

    agent.kill_hard();
    ASSERT_TRUE(run_until(io, [&] { return p.disconnected == 1; }, 3s)) << p.dump();
    EXPECT_FALSE(p.t->connected());
    EXPECT_FALSE(p.disconnect_reason.empty());
    // While down, publications are dropped, not queued.
    auto dropped = p.t->publish(bytes("while-down"));
    ASSERT_FALSE(dropped.ok());
    EXPECT_EQ(dropped.error().message, "not connected to the Serf agent");

    agent.start();  // fresh process: its event clock starts over
    ASSERT_TRUE(run_until(io, [&] { return p.connected == 2; }, 5s)) << p.dump();
    // The same payload at the same restarted LTime must not be taken for a
    // duplicate: the filter saw the clock go backwards and forgot.
    ASSERT_TRUE(p.t->publish(bytes("same")).ok());
    ASSERT_TRUE(run_until(io, [&] { return p.messages.size() == 2; }, 3s)) << p.dump();
    EXPECT_EQ(p.messages[1], "same");
    EXPECT_FALSE(p.fatal.has_value());
}

TEST(SerfTransport, NoHandlerRunsAfterStopEvenWithOperationsPending) {
    SerfAgent agent("stopper");
    agent.start();
    boost::asio::io_context io;
    int calls = 0;
    actor::TransportHandlers h;
    h.on_connected = [&] { ++calls; };
    h.on_disconnected = [&](const std::string&) { ++calls; };
    h.on_message = [&](std::span<const std::uint8_t>, std::optional<std::uint64_t>) { ++calls; };
    h.on_fatal = [&](FatalKind, const std::string&) { ++calls; };
    h.on_debug = [&](const std::string&) {};

    // Stopped while connecting, then destroyed at once.
    {
        auto t = actor::detail::make_serf_transport(io, options(agent.rpc_port()));
        t->start(h);
        t->stop();
    }
    // Stopped right after a publish, with the event ack and record in flight.
    Probe p(io, options(agent.rpc_port()));
    ASSERT_TRUE(run_until(io, [&] { return p.connected == 1; }, 5s));
    {
        auto t = actor::detail::make_serf_transport(io, options(agent.rpc_port()));
        t->start(h);
        ASSERT_TRUE(run_until(io, [&] { return t->connected(); }, 5s));
        calls = 0;
        ASSERT_TRUE(t->publish(bytes("in-flight")).ok());
        t->stop();
    }
    // The other transport's receipt proves the event went round.
    ASSERT_TRUE(run_until(io, [&] { return p.got("in-flight"); }, 3s));
    run_until(io, [] { return false; }, 200ms);
    EXPECT_EQ(calls, 0);
}

TEST(SerfTransport, AgentSizeRefusalIsReportedButNotFatal) {
    // An agent with a lower limit than our budget refuses the event itself.
    SerfAgent agent("small", std::nullopt, R"({"user_event_size_limit": 128})");
    agent.start();
    boost::asio::io_context io;
    Probe p(io, options(agent.rpc_port()));
    ASSERT_TRUE(run_until(io, [&] { return p.connected == 1; }, 5s)) << p.dump();
    ASSERT_TRUE(p.t->publish(std::vector<std::uint8_t>(200, 'z')).ok());
    auto refused = [&] {
        for (const auto& l : p.debug)
            if (l.find("exceeds configured limit") != std::string::npos) return true;
        return false;
    };
    ASSERT_TRUE(run_until(io, refused, 3s)) << p.dump();
    EXPECT_FALSE(p.fatal.has_value());
    EXPECT_TRUE(p.t->connected());
    ASSERT_TRUE(p.t->publish(bytes("small-ok")).ok());
    ASSERT_TRUE(run_until(io, [&] { return p.got("small-ok"); }, 3s)) << p.dump();
}
