#pragma once
// Constructors of the concrete transports; make_transport() picks one by
// the URL scheme.
#include "actor/reconnect.hpp"
#include "actor/transport.hpp"

#include <random>

namespace actor::detail {

std::unique_ptr<Transport> make_mqtt_transport(boost::asio::io_context& io,
                                               const TransportOptions& opts);
std::unique_ptr<Transport> make_serf_transport(boost::asio::io_context& io,
                                               const TransportOptions& opts);

// Both transports' reconnect policy from their options: the backoff cap,
// the first-connect deadline, and jitter drawn from the transport's own rng.
ReconnectOptions reconnect_options(const TransportOptions& o, std::mt19937_64& rng);

}  // namespace actor::detail
