#pragma once
// One connection to a Serf agent's RPC port (IPC version 1, docs/SERF-RPC.md).
//
// Framing: each direction is a bare stream of msgpack objects; a response
// header {Error, Seq} never says whether a body follows, so the reader
// decides from its per-Seq table (docs/SERF-RPC.md §9):
//   plain  (handshake, auth, event, stop): header only; entry erased.
//   body   (stats): header + body, unless the Error is one raised before
//          dispatch (Handshake/Authentication required, Unsupported command).
//   stream: first header is the ack (no body); every later header with that
//          Seq carries a record body, even after a stop. Stream entries are
//          never erased while the connection lives.
// Seqs are never reused on a connection. A header for a Seq already answered
// (the agent's "Authentication required" re-read quirk) is ignored. A header
// for a Seq we never sent is logged and assumed to have no body.
//
// Lifetime: create() gives a shared_ptr; pending operations hold it, so the
// owner may drop its pointer right after close(). After close() no callback
// runs. Callbacks may call close() themselves.
#include "actor/time.hpp"

#include "actor/result.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#ifndef MSGPACK_NO_BOOST
#define MSGPACK_NO_BOOST
#endif
#include <msgpack.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace actor::detail::serf {

struct Record {
    std::string event;  // "user" for user events
    std::string name;
    std::uint64_t ltime = 0;
    std::vector<std::uint8_t> payload;
    bool coalesce = false;
};

using Stats = std::map<std::string, std::map<std::string, std::string>>;

class RpcClient : public std::enable_shared_from_this<RpcClient> {
public:
    // Each request's answer: success or the agent's (or the socket's) error.
    using Done = std::function<void(const Status& answer)>;
    using StatsDone = std::function<void(const Status& answer, const Stats& stats)>;
    using OnRecord = std::function<void(const Record& record)>;
    using OnText = std::function<void(const std::string& text)>;

    // Bounds on what the agent may make us hold.
    static constexpr std::size_t max_object_bytes = 1024 * 1024;
    static constexpr std::size_t max_queued_writes = 1024;

    static std::shared_ptr<RpcClient> create(boost::asio::io_context& io);
    RpcClient(const RpcClient&) = delete;
    RpcClient& operator=(const RpcClient&) = delete;
    ~RpcClient();

    // Called once when the connection ends by itself (EOF, error, bad data).
    void set_on_closed(OnText f) { on_closed_ = std::move(f); }
    void set_on_debug(OnText f) { on_debug_ = std::move(f); }

    // Resolve and connect, giving up after `timeout`; `done("")` on success,
    // then the reader runs.
    void connect(const std::string& host, std::uint16_t port, Duration timeout, Done done);

    std::uint64_t handshake(Done done);
    std::uint64_t auth(const std::string& key, Done done);
    std::uint64_t event(const std::string& name, const std::vector<std::uint8_t>& payload,
                        bool coalesce, Done done);
    std::uint64_t stats(StatsDone done);
    // `ack` runs once with the ack's Error; `on_record` for every record.
    std::uint64_t stream(const std::string& type, Done ack, OnRecord on_record);
    std::uint64_t stop_stream(std::uint64_t stream_seq, Done done);

    // Close the socket; idempotent; no callback afterwards.
    void close();
    bool is_open() const { return open_ && !closed_; }
    std::size_t queued_writes() const { return writes_.size(); }

    // Exposed for tests of the framing without a socket.
    static void pack_header(msgpack::packer<msgpack::sbuffer>& pk, const std::string& command,
                            std::uint64_t seq);

private:
    enum class Kind { plain, body, stream };
    struct Entry {
        Kind kind = Kind::plain;
        bool acked = false;     // streams: ack seen
        bool dead = false;      // streams: ack carried an error, no records follow
        Done done;              // plain, and stream ack
        StatsDone stats_done;   // body
        OnRecord on_record;     // stream
    };

    explicit RpcClient(boost::asio::io_context& io);

    std::uint64_t send(const std::string& command,
                       const std::function<void(msgpack::packer<msgpack::sbuffer>&)>& body,
                       Entry entry);
    void start_write();
    void start_read();
    void on_read(const boost::system::error_code& ec, std::size_t n);
    // Returns false if the connection must be dropped.
    bool on_object(const msgpack::object& o);
    bool on_body(std::uint64_t seq, const msgpack::object& o);
    void fail(const std::string& reason);
    void debug(const std::string& line);

    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer connect_timer_;
    msgpack::unpacker unpacker_;
    std::unordered_map<std::uint64_t, Entry> entries_;
    std::uint64_t next_seq_ = 0;
    // Set when the last header announced a body: the next object is it.
    std::optional<std::uint64_t> body_for_;
    std::deque<std::string> writes_;
    bool writing_ = false;
    bool open_ = false;
    bool closed_ = false;
    OnText on_closed_;
    OnText on_debug_;
};

// "" or the payload of a pre-dispatch error (no body follows it).
// The agent's Error field as a Status (empty: success).
Status agent_status(const std::string& error);
bool is_pre_dispatch_error(const std::string& error);

}  // namespace actor::detail::serf
