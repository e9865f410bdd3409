// RpcClient framing against a scripted fake agent on a loopback port: the
// replies arrive in 3-byte slices, with the quirks docs/SERF-RPC.md describes
// (keys in any order, repeated answers, unknown Seqs, nil/str payloads,
// records after a stop), so the reader must track bodies by Seq.
#include "../../libactor/src/transport/serf_rpc.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;
using actor::detail::serf::Record;
using actor::detail::serf::RpcClient;
using actor::detail::serf::Stats;

namespace {

// An answer as the agent's words: empty for success.
std::string text(const actor::Status& answer) { return answer ? std::string() : answer.error().text(); }

bool run_until(asio::io_context& io, const std::function<bool()>& pred,
               std::chrono::milliseconds limit) {
    auto guard = asio::make_work_guard(io);
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > until) return false;
        io.restart();
        io.run_for(5ms);
    }
    return true;
}

using Packer = msgpack::packer<msgpack::sbuffer>;

void str(Packer& pk, const std::string& s) {
    pk.pack_str(static_cast<std::uint32_t>(s.size()));
    pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}
void header(Packer& pk, std::uint64_t seq, const std::string& error, bool seq_first = false) {
    pk.pack_map(2);
    if (seq_first) {
        str(pk, "Seq");
        pk.pack(seq);
    }
    str(pk, "Error");
    str(pk, error);
    if (!seq_first) {
        str(pk, "Seq");
        pk.pack(seq);
    }
}
void record(Packer& pk, std::uint64_t ltime, const std::function<void(Packer&)>& payload) {
    pk.pack_map(6);
    str(pk, "Coalesce");
    pk.pack_false();
    str(pk, "Event");
    str(pk, "user");
    str(pk, "LTime");
    pk.pack(ltime);
    str(pk, "Name");
    str(pk, "x");
    str(pk, "Payload");
    payload(pk);
    str(pk, "Unknown");  // ignored by the client
    pk.pack(42);
}

// Accepts one client, records the objects it sends, and writes a script.
struct FakeAgent {
    asio::io_context& io;
    tcp::acceptor acceptor;
    tcp::socket sock;
    asio::steady_timer timer;
    msgpack::unpacker unp;
    std::vector<msgpack::object_handle> received;
    std::string out;
    std::size_t sent = 0;

    explicit FakeAgent(asio::io_context& i)
        : io(i), acceptor(i, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), sock(i),
          timer(i) {
        acceptor.async_accept(sock, [this](const boost::system::error_code& ec) {
            if (!ec) read();
        });
    }
    std::uint16_t port() const { return acceptor.local_endpoint().port(); }
    void read() {
        unp.reserve_buffer(4096);
        sock.async_read_some(asio::buffer(unp.buffer(), unp.buffer_capacity()),
                             [this](const boost::system::error_code& ec, std::size_t n) {
                                 if (ec) return;
                                 unp.buffer_consumed(n);
                                 msgpack::object_handle oh;
                                 while (unp.next(oh)) received.push_back(std::move(oh));
                                 read();
                             });
    }
    // Sends `bytes` in 3-byte slices 1 ms apart, so objects straddle reads.
    void send(const msgpack::sbuffer& bytes) {
        out.append(bytes.data(), bytes.size());
        drip();
    }
    void drip() {
        if (sent >= out.size()) return;
        const std::size_t n = std::min<std::size_t>(3, out.size() - sent);
        boost::system::error_code ec;
        asio::write(sock, asio::buffer(out.data() + sent, n), ec);
        if (ec) return;  // the client went away
        sent += n;
        timer.expires_after(1ms);
        timer.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) drip();
        });
    }
    std::string text(std::size_t i, const std::string& key) const {
        const auto& o = received.at(i).get();
        if (o.type != msgpack::type::MAP) return "<not a map>";
        for (std::uint32_t k = 0; k < o.via.map.size; ++k) {
            const auto& kv = o.via.map.ptr[k];
            if (std::string(kv.key.via.str.ptr, kv.key.via.str.size) != key) continue;
            if (kv.val.type == msgpack::type::STR)
                return "str:" + std::string(kv.val.via.str.ptr, kv.val.via.str.size);
            if (kv.val.type == msgpack::type::BIN)
                return "bin:" + std::string(kv.val.via.bin.ptr, kv.val.via.bin.size);
            if (kv.val.type == msgpack::type::POSITIVE_INTEGER)
                return "uint:" + std::to_string(kv.val.via.u64);
            if (kv.val.type == msgpack::type::BOOLEAN)
                return kv.val.via.boolean ? "true" : "false";
            return "<other>";
        }
        return "<missing>";
    }
};

}  // namespace

TEST(SerfRpc, RequestsAreHeaderPlusBodyWithTheRightTypes) {
    asio::io_context io;
    FakeAgent agent(io);
    auto rpc = RpcClient::create(io);
    std::string connect_error = "pending";
    rpc->connect("127.0.0.1", agent.port(), 2s, [&](const actor::Status& answer) { connect_error = text(answer); });
    ASSERT_TRUE(run_until(io, [&] { return connect_error != "pending"; }, 2s));
    ASSERT_EQ(connect_error, "");
    rpc->handshake([](const actor::Status&) {});
    rpc->stats([](const actor::Status&, const Stats&) {});
    rpc->stream("user:x", [](const actor::Status&) {}, [](const Record&) {});
    rpc->event("x", {'v', '1'}, false, [](const actor::Status&) {});
    rpc->stop_stream(2, [](const actor::Status&) {});
    // handshake 2 objects, stats 1 (no body), stream 2, event 2, stop 2.
    ASSERT_TRUE(run_until(io, [&] { return agent.received.size() >= 9; }, 2s));
    EXPECT_EQ(agent.text(0, "Command"), "str:handshake");
    EXPECT_EQ(agent.text(0, "Seq"), "uint:0");
    EXPECT_EQ(agent.text(1, "Version"), "uint:1");
    EXPECT_EQ(agent.text(2, "Command"), "str:stats");
    EXPECT_EQ(agent.text(2, "Seq"), "uint:1");
    EXPECT_EQ(agent.text(3, "Command"), "str:stream");
    EXPECT_EQ(agent.text(4, "Type"), "str:user:x");
    EXPECT_EQ(agent.text(5, "Command"), "str:event");
    EXPECT_EQ(agent.text(5, "Seq"), "uint:3");
    EXPECT_EQ(agent.text(6, "Name"), "str:x");
    EXPECT_EQ(agent.text(6, "Payload"), "bin:v1");
    EXPECT_EQ(agent.text(6, "Coalesce"), "false");
    EXPECT_EQ(agent.text(7, "Command"), "str:stop");
    EXPECT_EQ(agent.text(8, "Stop"), "uint:2");
    rpc->close();
}

TEST(SerfRpc, ReaderTracksBodiesBySeqThroughTheAgentsQuirks) {
    asio::io_context io;
    FakeAgent agent(io);
    auto rpc = RpcClient::create(io);
    std::vector<std::string> log;
    std::vector<Record> records;
    std::string closed;
    rpc->set_on_debug([&](const std::string& l) { log.push_back("debug " + l); });
    rpc->set_on_closed([&](const std::string& r) { closed = r; });
    bool up = false;
    rpc->connect("127.0.0.1", agent.port(), 2s, [&](const actor::Status& answer) { up = answer.ok(); });
    ASSERT_TRUE(run_until(io, [&] { return up; }, 2s));
    rpc->handshake([&](const actor::Status& answer) { log.push_back("handshake[" + text(answer) + "]"); });
    rpc->stats([&](const actor::Status& answer, const Stats& s) {
        auto it = s.find("serf");
        log.push_back("stats[" + text(answer) + "] " + (it == s.end() ? "?" : it->second.at("event_time")));
    });
    rpc->stream("user:x", [&](const actor::Status& answer) { log.push_back("ack[" + text(answer) + "]"); },
                [&](const Record& r) { records.push_back(r); });
    rpc->event("x", {}, false, [&](const actor::Status& answer) { log.push_back("event[" + text(answer) + "]"); });

    msgpack::sbuffer b;
    Packer pk(b);
    header(pk, 0, "");
    header(pk, 1, "", true);  // key order must not matter
    pk.pack_map(2);
    str(pk, "agent");
    pk.pack_map(1);
    str(pk, "name");
    str(pk, "fake");
    str(pk, "serf");
    pk.pack_map(1);
    str(pk, "event_time");
    str(pk, "7");
    header(pk, 2, "");  // stream ack: no body
    header(pk, 2, "");  // record, before the event's ack
    record(pk, 300, [](Packer& p) { p.pack_nil(); });
    header(pk, 0, "Authentication required");  // repeated answer: no body
    header(pk, 3, "");
    header(pk, 2, "");
    record(pk, std::uint64_t{1} << 40, [](Packer& p) {
        p.pack_bin(3);
        p.pack_bin_body("abc", 3);
    });
    header(pk, 99, "");  // never sent: logged, assumed bodiless
    header(pk, 2, "");
    record(pk, 8, [](Packer& p) { str(p, "s"); });
    agent.send(b);

    ASSERT_TRUE(run_until(io, [&] { return records.size() == 3; }, 3s)) << closed;
    EXPECT_EQ(closed, "");
    const std::vector<std::string> want = {"handshake[]", "stats[] 7", "ack[]", "event[]",
                                           "debug response for unknown Seq 99 (\"\"), assuming no body"};
    EXPECT_EQ(log, want);
    EXPECT_EQ(records[0].ltime, 300u);
    EXPECT_TRUE(records[0].payload.empty());
    EXPECT_EQ(records[0].name, "x");
    EXPECT_EQ(records[0].event, "user");
    EXPECT_EQ(records[1].ltime, std::uint64_t{1} << 40);
    EXPECT_EQ(std::string(records[1].payload.begin(), records[1].payload.end()), "abc");
    EXPECT_EQ(std::string(records[2].payload.begin(), records[2].payload.end()), "s");

    // Garbage (0xc1 is never used by msgpack) ends the connection once.
    msgpack::sbuffer junk;
    junk.write("\xc1", 1);
    agent.send(junk);
    ASSERT_TRUE(run_until(io, [&] { return !closed.empty(); }, 2s));
    EXPECT_NE(closed.find("malformed"), std::string::npos) << closed;
    EXPECT_FALSE(rpc->is_open());
}

TEST(SerfRpc, RecordsAfterAStopAreConsumedNotDelivered) {
    asio::io_context io;
    FakeAgent agent(io);
    auto rpc = RpcClient::create(io);
    bool up = false;
    std::string closed;
    rpc->set_on_closed([&](const std::string& r) { closed = r; });
    rpc->connect("127.0.0.1", agent.port(), 2s, [&](const actor::Status& answer) { up = answer.ok(); });
    ASSERT_TRUE(run_until(io, [&] { return up; }, 2s));
    int delivered = 0;
    std::string event_answer = "pending";
    rpc->handshake([](const actor::Status&) {});
    const auto s = rpc->stream("user:x", [](const actor::Status&) {}, [&](const Record&) { ++delivered; });
    rpc->stop_stream(s, [](const actor::Status&) {});
    rpc->event("x", {'e'}, false, [&](const actor::Status& answer) { event_answer = text(answer); });

    msgpack::sbuffer b;
    Packer pk(b);
    header(pk, 0, "");
    header(pk, 1, "");  // stream ack
    header(pk, 2, "");  // stop ack
    header(pk, 1, "");  // a record still queued in the agent
    record(pk, 5, [](Packer& p) { p.pack_nil(); });
    header(pk, 3, "user event exceeds configured limit of 512 bytes before encoding");
    agent.send(b);
    ASSERT_TRUE(run_until(io, [&] { return event_answer != "pending"; }, 3s)) << closed;
    EXPECT_EQ(event_answer, "user event exceeds configured limit of 512 bytes before encoding");
    EXPECT_EQ(delivered, 0);
    EXPECT_EQ(closed, "");
}

TEST(SerfRpc, NoCallbackAfterClose) {
    asio::io_context io;
    FakeAgent agent(io);
    auto rpc = RpcClient::create(io);
    int calls = 0;
    rpc->set_on_closed([&](const std::string&) { ++calls; });
    bool up = false;
    rpc->connect("127.0.0.1", agent.port(), 2s, [&](const actor::Status& answer) { up = answer.ok(); });
    ASSERT_TRUE(run_until(io, [&] { return up; }, 2s));
    rpc->handshake([&](const actor::Status&) { ++calls; });
    rpc->close();
    rpc.reset();  // pending operations keep what they need alive
    msgpack::sbuffer b;
    Packer pk(b);
    header(pk, 0, "");
    agent.send(b);
    run_until(io, [] { return false; }, 100ms);
    EXPECT_EQ(calls, 0);
}

TEST(SerfRpc, ConnectToAClosedPortFailsWithAReason) {
    asio::io_context io;
    std::uint16_t port = 0;
    {
        tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = a.local_endpoint().port();
    }
    auto rpc = RpcClient::create(io);
    std::string err = "pending";
    rpc->connect("127.0.0.1", port, 1s, [&](const actor::Status& answer) { err = text(answer); });
    ASSERT_TRUE(run_until(io, [&] { return err != "pending"; }, 2s));
    EXPECT_FALSE(err.empty());
}
