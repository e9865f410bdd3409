// Serf agent RPC client; the framing rules are at the top of serf_rpc.hpp.
#include "serf_rpc.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>

#include <exception>
#include <string_view>

namespace actor::detail::serf {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

void pack_str(Packer& pk, std::string_view s) {
    pk.pack_str(static_cast<std::uint32_t>(s.size()));
    pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

std::optional<std::uint64_t> as_uint(const msgpack::object& o) {
    if (o.type == msgpack::type::POSITIVE_INTEGER) return o.via.u64;
    return std::nullopt;
}

// Serf writes strings as str; bin is accepted too (Name is bytes to Serf).
std::optional<std::string> as_text(const msgpack::object& o) {
    if (o.type == msgpack::type::STR) return std::string(o.via.str.ptr, o.via.str.size);
    if (o.type == msgpack::type::BIN) return std::string(o.via.bin.ptr, o.via.bin.size);
    return std::nullopt;
}

const msgpack::object* find_key(const msgpack::object& map, std::string_view key) {
    if (map.type != msgpack::type::MAP) return nullptr;
    for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
        const auto& kv = map.via.map.ptr[i];
        if (kv.key.type == msgpack::type::STR &&
            std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == key)
            return &kv.val;
    }
    return nullptr;
}

msgpack::unpack_limit reader_limits() {
    // Nothing the agent sends us legitimately comes close; these keep a
    // confused or hostile peer from making us allocate without bound.
    constexpr std::size_t n = 100000;
    constexpr std::size_t bytes = RpcClient::max_object_bytes;
    return msgpack::unpack_limit(n, n, bytes, bytes, bytes, 16);
}

}  // namespace

Status agent_status(const std::string& error) {
    if (error.empty()) return {};
    return Error{error};
}

bool is_pre_dispatch_error(const std::string& error) {
    return error == "Handshake required" || error == "Authentication required" ||
           error == "Unsupported command";
}

std::shared_ptr<RpcClient> RpcClient::create(asio::io_context& io) {
    return std::shared_ptr<RpcClient>(new RpcClient(io));
}

RpcClient::RpcClient(asio::io_context& io)
    : resolver_(io), socket_(io), connect_timer_(io),
      // No reference function: strings are copied into the object zone, so
      // nothing points into the read buffer once an object is handled.
      unpacker_(nullptr, nullptr,
                MSGPACK_UNPACKER_INIT_BUFFER_SIZE, reader_limits()) {}

RpcClient::~RpcClient() { close(); }

void RpcClient::pack_header(Packer& pk, const std::string& command, std::uint64_t seq) {
    // Both keys, always, spelled exactly: the agent reuses the previous
    // header's values for any key it does not find (docs/SERF-RPC.md §3).
    pk.pack_map(2);
    pack_str(pk, "Command");
    pack_str(pk, command);
    pack_str(pk, "Seq");
    pk.pack(seq);
}

void RpcClient::connect(const std::string& host, std::uint16_t port, Duration timeout,
                        Done done) {
    auto self = shared_from_this();
    auto finished = std::make_shared<bool>(false);
    auto finish = [this, self, finished, done](const Status& connected) {
        if (*finished || closed_) return;
        *finished = true;
        connect_timer_.cancel();
        if (connected) {
            open_ = true;
            start_read();
        }
        done(connected);
    };
    connect_timer_.expires_after(timeout);
    connect_timer_.async_wait([this, self, finished, finish](const boost::system::error_code& ec) {
        if (ec || *finished || closed_) return;
        // Cancelling makes the pending resolve/connect complete with an
        // error; `finished` makes sure that one is not reported twice.
        finish(Error{"connection timed out"});
        resolver_.cancel();
        boost::system::error_code ignored;
        socket_.close(ignored);
    });
    resolver_.async_resolve(
        host, std::to_string(port),
        [this, self, finish](const boost::system::error_code& ec, tcp::resolver::results_type r) {
            if (closed_) return;
            if (ec) return finish(Error{"cannot resolve: " + ec.message()});
            asio::async_connect(socket_, r,
                                [finish](const boost::system::error_code& ec2, const tcp::endpoint&) {
                                    finish(ec2 ? Status(Error{ec2.message()}) : Status());
                                });
        });
}

std::uint64_t RpcClient::send(const std::string& command,
                              const std::function<void(Packer&)>& body, Entry entry) {
    const std::uint64_t seq = next_seq_++;
    msgpack::sbuffer buf;
    Packer pk(buf);
    pack_header(pk, command, seq);
    // Commands that take a body always get one: a missing body makes the
    // agent read our next header in its place (docs/SERF-RPC.md §3).
    if (body) body(pk);
    entries_.emplace(seq, std::move(entry));
    writes_.emplace_back(buf.data(), buf.size());
    start_write();
    return seq;
}

std::uint64_t RpcClient::handshake(Done done) {
    Entry e;
    e.done = std::move(done);
    return send("handshake", [](Packer& pk) {
        pk.pack_map(1);
        pack_str(pk, "Version");
        pk.pack(1);
    }, std::move(e));
}

std::uint64_t RpcClient::auth(const std::string& key, Done done) {
    Entry e;
    e.done = std::move(done);
    return send("auth", [&key](Packer& pk) {
        pk.pack_map(1);
        pack_str(pk, "AuthKey");
        pack_str(pk, key);
    }, std::move(e));
}

std::uint64_t RpcClient::event(const std::string& name, const std::vector<std::uint8_t>& payload,
                               bool coalesce, Done done) {
    Entry e;
    e.done = std::move(done);
    return send("event", [&](Packer& pk) {
        pk.pack_map(3);
        pack_str(pk, "Name");
        pack_str(pk, name);  // str: the agent drops the connection on bin
        pack_str(pk, "Payload");
        pk.pack_bin(static_cast<std::uint32_t>(payload.size()));
        pk.pack_bin_body(reinterpret_cast<const char*>(payload.data()),
                         static_cast<std::uint32_t>(payload.size()));
        pack_str(pk, "Coalesce");
        if (coalesce) pk.pack_true(); else pk.pack_false();
    }, std::move(e));
}

std::uint64_t RpcClient::stats(StatsDone done) {
    Entry e;
    e.kind = Kind::body;
    e.stats_done = std::move(done);
    return send("stats", nullptr, std::move(e));  // stats takes no body
}

std::uint64_t RpcClient::stream(const std::string& type, Done ack, OnRecord on_record) {
    Entry e;
    e.kind = Kind::stream;
    e.done = std::move(ack);
    e.on_record = std::move(on_record);
    return send("stream", [&type](Packer& pk) {
        pk.pack_map(1);
        pack_str(pk, "Type");
        pack_str(pk, type);
    }, std::move(e));
}

std::uint64_t RpcClient::stop_stream(std::uint64_t stream_seq, Done done) {
    // The stream entry stays: records may follow the stop ack (§5), and
    // they still carry bodies we must consume.
    if (auto it = entries_.find(stream_seq); it != entries_.end()) {
        it->second.on_record = nullptr;
    }
    Entry e;
    e.done = std::move(done);
    return send("stop", [stream_seq](Packer& pk) {
        pk.pack_map(1);
        pack_str(pk, "Stop");
        pk.pack(stream_seq);
    }, std::move(e));
}

void RpcClient::start_write() {
    if (writing_ || closed_ || !open_ || writes_.empty()) return;
    writing_ = true;
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(writes_.front()),
                      [this, self](const boost::system::error_code& ec, std::size_t) {
                          writing_ = false;
                          if (closed_) return;
                          if (ec) return fail("write failed: " + ec.message());
                          writes_.pop_front();
                          start_write();
                      });
}

void RpcClient::start_read() {
    if (closed_) return;
    constexpr std::size_t chunk = 16 * 1024;
    unpacker_.reserve_buffer(chunk);
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(unpacker_.buffer(), unpacker_.buffer_capacity()),
                            [this, self](const boost::system::error_code& ec, std::size_t n) {
                                on_read(ec, n);
                            });
}

void RpcClient::on_read(const boost::system::error_code& ec, std::size_t n) {
    if (closed_) return;
    if (ec == asio::error::eof) return fail("agent closed the connection");
    if (ec) return fail("read failed: " + ec.message());
    unpacker_.buffer_consumed(n);
    try {
        msgpack::object_handle oh;
        while (!closed_ && unpacker_.next(oh)) {
            if (!on_object(oh.get())) return;
        }
    } catch (const std::exception& e) {
        return fail(std::string("malformed data from agent: ") + e.what());
    }
    if (closed_) return;
    if (unpacker_.nonparsed_size() > max_object_bytes)
        return fail("oversized message from agent");
    start_read();
}

bool RpcClient::on_object(const msgpack::object& o) {
    if (body_for_) {
        const auto seq = *body_for_;
        body_for_.reset();
        return on_body(seq, o);
    }
    const auto* seq_o = find_key(o, "Seq");
    const auto* err_o = find_key(o, "Error");
    const auto seq = seq_o ? as_uint(*seq_o) : std::nullopt;
    const auto error = err_o ? as_text(*err_o) : std::nullopt;
    if (!seq || !error) {
        // Without a header we cannot know what follows: the stream is lost.
        fail("malformed response header from agent");
        return false;
    }
    auto it = entries_.find(*seq);
    if (it == entries_.end()) {
        // Seqs below next_seq_ were plain requests already answered: a
        // repeated answer is the agent's auth re-read quirk, no body.
        if (*seq >= next_seq_)
            debug("response for unknown Seq " + std::to_string(*seq) + " (\"" + *error +
                  "\"), assuming no body");
        return true;
    }
    Entry& e = it->second;
    switch (e.kind) {
        case Kind::plain: {
            auto done = std::move(e.done);
            entries_.erase(it);
            if (done) done(agent_status(*error));
            return !closed_;
        }
        case Kind::body: {
            if (!error->empty() && is_pre_dispatch_error(*error)) {
                auto done = std::move(e.stats_done);
                entries_.erase(it);
                if (done) done(agent_status(*error), Stats{});
                return !closed_;
            }
            body_for_ = *seq;
            // Keep the error for the body handler: stash it in the entry.
            if (!error->empty()) {
                auto done = std::move(e.stats_done);
                e.stats_done = [done, err = agent_status(*error)](const Status&, const Stats& s) {
                    if (done) done(err, s);
                };
            }
            return true;
        }
        case Kind::stream: {
            if (!e.acked) {
                e.acked = true;
                e.dead = !error->empty();
                auto ack = std::move(e.done);
                if (ack) ack(agent_status(*error));
                return !closed_;
            }
            // A dead stream gets no records; an error after the ack is a
            // repeated pre-dispatch answer (quirk), without a body.
            if (e.dead || !error->empty()) return true;
            body_for_ = *seq;
            return true;
        }
    }
    return true;
}

bool RpcClient::on_body(std::uint64_t seq, const msgpack::object& o) {
    auto it = entries_.find(seq);
    if (it == entries_.end()) return true;
    if (o.type != msgpack::type::MAP) {
        fail("malformed response body from agent");
        return false;
    }
    Entry& e = it->second;
    if (e.kind == Kind::body) {
        Stats stats;
        for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
            const auto& kv = o.via.map.ptr[i];
            auto section = as_text(kv.key);
            if (!section || kv.val.type != msgpack::type::MAP) continue;
            auto& out = stats[*section];
            for (std::uint32_t j = 0; j < kv.val.via.map.size; ++j) {
                const auto& kv2 = kv.val.via.map.ptr[j];
                auto k = as_text(kv2.key);
                auto v = as_text(kv2.val);
                if (k && v) out[*k] = *v;
            }
        }
        auto done = std::move(e.stats_done);
        entries_.erase(it);
        if (done) done(Status{}, stats);
        return !closed_;
    }
    if (e.kind != Kind::stream || !e.on_record) return true;  // stopped: drop
    Record r;
    if (const auto* ev = find_key(o, "Event")) r.event = as_text(*ev).value_or("");
    if (const auto* nm = find_key(o, "Name")) r.name = as_text(*nm).value_or("");
    if (const auto* lt = find_key(o, "LTime")) r.ltime = as_uint(*lt).value_or(0);
    if (const auto* co = find_key(o, "Coalesce"))
        r.coalesce = co->type == msgpack::type::BOOLEAN && co->via.boolean;
    if (const auto* pl = find_key(o, "Payload")) {
        // bin normally, nil for an empty payload, str defensively.
        if (pl->type == msgpack::type::BIN)
            r.payload.assign(pl->via.bin.ptr, pl->via.bin.ptr + pl->via.bin.size);
        else if (pl->type == msgpack::type::STR)
            r.payload.assign(pl->via.str.ptr, pl->via.str.ptr + pl->via.str.size);
    }
    auto on_record = e.on_record;  // the callback may stop the stream
    on_record(r);
    return !closed_;
}

void RpcClient::fail(const std::string& reason) {
    if (closed_) return;
    auto cb = std::move(on_closed_);
    close();
    if (cb) cb(reason);
}

void RpcClient::debug(const std::string& line) {
    if (on_debug_ && !closed_) on_debug_(line);
}

void RpcClient::close() {
    if (closed_) return;
    closed_ = true;
    open_ = false;
    boost::system::error_code ignored;
    connect_timer_.cancel();
    resolver_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    // Dropping the callbacks breaks any reference cycle through them.
    // (writes_ is kept: a cancelled write may still name its buffer.)
    entries_.clear();
    on_closed_ = nullptr;
    on_debug_ = nullptr;
}

}  // namespace actor::detail::serf
