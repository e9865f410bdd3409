#pragma once
// A broadcast channel for one group, driven from one Asio io_context
// (MQTT broker or Serf agent). Transports deliver raw payloads; decoding
// and the protocol live elsewhere.
#include "actor/result.hpp"
#include "actor/serf_limits.hpp"
#include "actor/time.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace actor {

// A parsed --broker URL: mqtt://[user@]host[:port], mqtts://..., serf://host[:port]
struct BrokerUrl {
    enum class Scheme { mqtt, mqtts, serf } scheme = Scheme::mqtt;
    std::string user;  // may be empty
    std::string host = "localhost";
    std::uint16_t port = 1883;
    // The URL without credentials, for events and ACTOR_BROKER.
    std::string display() const;
};
Result<BrokerUrl> parse_broker_url(const std::string& url);

struct TransportOptions {
    BrokerUrl broker;
    std::string group;         // validated group path, e.g. "actor/backup"
    std::string username;      // overrides broker.user when set
    std::optional<std::string> password;  // never printed
    std::string cafile, capath, certfile, keyfile;  // TLS (mqtts)
    std::optional<std::string> serf_auth;  // Serf RPC auth key
    std::string client_id;     // MQTT client id hint (node name); may be empty
    // First connection: keep retrying with backoff this long, then report
    // FatalKind::unavailable; nullopt: keep trying forever. Later losses
    // reconnect forever. The backoff (actor/reconnect.hpp) starts at 100 ms,
    // doubles up to max_backoff and is jittered.
    std::optional<Duration> connect_timeout = std::chrono::seconds(10);
    Duration max_backoff = std::chrono::seconds(5);
    int keepalive_s = 10;
};

enum class FatalKind {
    unavailable,  // exit 69
    denied,       // exit 77 (bad credentials, topic access refused)
    usage,        // exit 64 (e.g. a group name the channel cannot carry)
};

struct TransportHandlers {
    // The channel is up and subscribed (first time and after every reconnect).
    std::function<void()> on_connected;
    // The channel was lost; the transport reconnects by itself with backoff.
    std::function<void(const std::string& reason)> on_disconnected;
    // One payload from the group (our own publications come back too).
    // `order` is the Serf event's LTime where the channel has one.
    std::function<void(std::span<const std::uint8_t> payload,
                       std::optional<std::uint64_t> order)> on_message;
    // A connection attempt failed (first connection and reconnects alike;
    // not a loss of an established connection, that is on_disconnected);
    // the transport tries again after a backoff. Called after every failed
    // attempt, not rate-limited. `reason` is for people, e.g. "cannot
    // connect to mqtt://127.0.0.1:1883: Connection refused".
    std::function<void(const std::string& reason)> on_retry;
    // Unrecoverable: the tool should exit with the matching status.
    std::function<void(FatalKind kind, const std::string& reason)> on_fatal;
    // Diagnostics for -v (may be empty).
    std::function<void(const std::string& line)> on_debug;
};

class Transport {
public:
    virtual ~Transport() = default;
    virtual void start(TransportHandlers handlers) = 0;
    // Broadcast one payload. Fails (and sends nothing) when the payload
    // cannot be carried (a size limit), the client refused it, or the
    // channel is down: nothing is queued while disconnected, the protocol
    // tolerates loss, not stale beacons.
    virtual Status publish(std::vector<std::uint8_t> payload) = 0;
    // Largest payload this channel carries for the group, if bounded; the
    // same as payload_limit() of the options it was made with.
    virtual std::optional<std::size_t> max_payload() const { return std::nullopt; }
    // Close the connection; no handler is called afterwards.
    virtual void stop() = 0;
    virtual bool connected() const = 0;
    // The process woke for a reason of its own (a timer): socket work the
    // transport put off to a wake-up it would have anyway is done now
    // (MQTT: a PINGRESP held back, mqtt_transport.cpp). Nothing by default.
    virtual void woke() {}
};

// Largest payload the channel of `opts` carries for its group, known
// before connecting: MQTT, what every decoder here accepts (max_wire_size,
// 64 KiB); Serf, serf_event_budget (470 bytes of event name + payload)
// minus the event name's length (0 when the name alone is too long).
std::optional<std::size_t> payload_limit(const TransportOptions& opts);

// The transport's name for messages: "MQTT" or "Serf".
const char* channel_name(const TransportOptions& opts);

// What one message may take on the channel of `opts`, and how a refusal
// names the channel: payload_limit() and channel_name(), less the seal
// (seal_overhead, actor/auth.hpp) and "... with --group-key" when the
// messages are sealed with a group key (the seal goes on after the fit).
struct MessageRoom {
    std::optional<std::size_t> limit;
    std::string channel;
};
MessageRoom message_room(const TransportOptions& opts, bool keyed);

std::unique_ptr<Transport> make_transport(boost::asio::io_context& io,
                                          const TransportOptions& opts);

}  // namespace actor
